"""Texts up to ``extractors.rules.UNTIMED_LENGTH`` characters are searched without a time limit (the
clock costs more than a typical match). That is safe only if no regex of the project backtracks badly on
a text of that length: every pattern-file regex and every module-level regex of ``extractors`` is run
here, untimed, over adversarial texts of exactly that length, the way ``search_all`` runs it.

The whole sweep runs in a :class:`pipeline.workers.LimitedPool` worker, so a pattern that does explode
fails this test instead of hanging the session.
"""

from __future__ import annotations

import importlib
import pkgutil
import time

import regex

import extractors
from extractors.lexicon import load_lexicon
from extractors.rules import UNTIMED_LENGTH
from pipeline.workers import LimitedPool, TaskFailure, TaskLimits

#: Seconds one pattern may spend on one adversarial text. Corpus sentences take microseconds; the worst
#: patterns here are quadratic on runs of spaces or "1," (about 0.07 s at 1,000 characters), while a
#: cubic or exponential one would take seconds to forever.
BUDGET_SECONDS = 0.25
LIMITS = TaskLimits(seconds=300, memory_bytes=3 * 2**30)

#: Repeated units that feed nested or adjacent quantifiers over digits, separators, spaces and the words
#: the rules are built from.
# fmt: off
UNITS = (
    "1", ".", "1.", "1,", "123.", "1 ", "1/", " ", "(", "(1", "a", "A", "A-", "AB/", "1-", "-", "–", "1%",
    "I.", "1.\n", "\n", "tăng ", "năm ", "tháng ", "ngày ", "so với ", "đến ", "năm 2023 ", "ngày 1/", "quý I/",
    "1.234,5/6 (7)- ", "1 tháng ", "thứ ", "tỷ đồng ", "triệu đồng/", "ha/", "% ", "1 - ", "2021-", "số ",
)
# fmt: on


def _texts(lexicon) -> dict[str, str]:
    """Each unit repeated to the untimed length, and each pattern-file example likewise."""
    units = {repr(unit): unit for unit in UNITS}
    units.update({f"{example.rule_id}[{example.index}]": example.text for example in lexicon.examples})
    texts = {}
    for name, unit in units.items():
        text = (unit * (UNTIMED_LENGTH // len(unit) + 1))[:UNTIMED_LENGTH]
        texts[name] = text
        texts[name + " folded"] = text.lower()
    return texts


def _module_patterns() -> list[tuple[str, regex.Pattern]]:
    found = []
    for module_info in pkgutil.iter_modules(extractors.__path__):
        module = importlib.import_module(f"extractors.{module_info.name}")
        for name, value in vars(module).items():
            if isinstance(value, regex.Pattern):
                found.append((f"extractors.{module_info.name}.{name}", value))
    return found


def _slowest(_state: None, _task: int) -> list[tuple[float, str, str]]:
    lexicon = load_lexicon()
    patterns = lexicon.compiled_patterns() + _module_patterns()
    slowest = []
    for text_name, text in _texts(lexicon).items():
        for pattern_name, pattern in patterns:
            started = time.perf_counter()
            list(pattern.finditer(text))
            elapsed = time.perf_counter() - started
            if elapsed > BUDGET_SECONDS / 5:
                slowest.append((elapsed, pattern_name, text_name))
    return sorted(slowest, reverse=True)


def test_every_regex_is_fast_on_adversarial_texts_of_the_untimed_length() -> None:
    pool = LimitedPool(1, lambda: None, _slowest, LIMITS)
    [(_, outcome)] = list(pool.imap_unordered([0]))
    assert not isinstance(outcome, TaskFailure), outcome
    over = [entry for entry in outcome if entry[0] > BUDGET_SECONDS]
    assert not over, over[:10]
