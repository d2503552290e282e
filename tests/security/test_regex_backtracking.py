"""No input makes the project's regexes backtrack catastrophically: 100 KB adversarial runs finish in seconds.

Each call runs in a worker of :class:`pipeline.workers.LimitedPool` with a time limit, so a pattern that
does backtrack fails its own case (named by function and input) instead of hanging the test session.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from extractors.lexicon import load_lexicon
from extractors.mentions import extract_mentions
from extractors.model import BlockKind, ExtractionContext
from extractors.sections import build_outline
from extractors.sentences import split_sentences
from pipeline.readers.base import DocumentBuilder, DocumentReadError
from pipeline.readers.text import read_text
from pipeline.workers import LimitedPool, TaskFailure, TaskLimits

SIZE = 100_000
#: Shapes that make nested or adjacent quantifiers over digits and separators explode, each ~100 KB.
ADVERSARIAL = {
    "digits": "1" * SIZE,
    "dots": "." * SIZE,
    "digit_dot": "1." * (SIZE // 2),
    "digit_comma": "1," * (SIZE // 2),
    "digit_group_dot": "123." * (SIZE // 4) + "x",
    "digit_space": "1 " * (SIZE // 2),
    "digit_slash": "1/" * (SIZE // 2),
    "spaces": " " * (SIZE - 1) + "x",
    "open_parens": "(" * SIZE,
    "paren_digits": "(1" * (SIZE // 2),
    "letters": "a" * SIZE,
    "vietnamese_words": "tăng " * (SIZE // 5),
    "mixed_numbers": "1.234,5/6 (7)- " * (SIZE // 15),
    "percent_runs": "1,5%" * (SIZE // 4),
    "roman_dots": "I.V.X." * (SIZE // 6),
    "newline_digits": "1.\n" * (SIZE // 3),
}
#: Generous for a 2-core machine shared by several engineers; catastrophic backtracking takes hours.
LIMITS = TaskLimits(seconds=10, memory_bytes=3 * 2**30)
CONTEXT = ExtractionContext(report_year=2023, report_period="2023", entity="tỉnh Kon Tum", entity_level="tỉnh")


def _mentions(text: str) -> int:
    return len(extract_mentions(text, CONTEXT, load_lexicon()))


def _sentences(text: str) -> int:
    return len(split_sentences(text))


def _outline(text: str) -> int:
    builder = DocumentBuilder(format="txt")
    builder.add_block(BlockKind.HEADING, text[:2000], outline_level=1)
    builder.add_block(BlockKind.PARAGRAPH, text)
    for line in text[:20_000].split("\n")[:500]:
        builder.add_block(BlockKind.PARAGRAPH, line)
    return len(build_outline(builder.build()).sections)


def _text_reader(text: str) -> int:
    try:
        return len(read_text(text.encode("utf-8"), Path("adversarial.txt")).blocks)
    except DocumentReadError:
        return -1  # refusing the input is fine; hanging is not


FUNCTIONS = {"extract_mentions": _mentions, "split_sentences": _sentences, "build_outline": _outline}


@pytest.mark.parametrize("shape", sorted(ADVERSARIAL))
@pytest.mark.parametrize("function", [*FUNCTIONS, "read_text"])
def test_adversarial_text_finishes_in_seconds(function: str, shape: str) -> None:
    pool = LimitedPool(1, lambda: None, _call, LIMITS)
    [(_, outcome)] = list(pool.imap_unordered([(function, shape)]))
    assert not isinstance(outcome, TaskFailure), f"{function} on {shape!r}: {outcome}"
    assert isinstance(outcome, int)


def _call(_state: None, task: tuple[str, str]) -> int:
    function, shape = task
    return FUNCTIONS.get(function, _text_reader)(ADVERSARIAL[shape])
