"""Fuzzing: random and mutated bytes into every reader (only DocumentReadError may escape), random Unicode into
the mention extractor (no exception, valid spans). Bounded: ~50 examples each, well under a minute in all."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from extractors.lexicon import load_lexicon
from extractors.mentions import extract_mentions
from extractors.model import ExtractionContext
from pipeline.readers import READERS, read_document
from pipeline.readers.base import DocumentReadError
from tests.conftest import ROOT, corpus_file

SEEDS = {
    "docx": corpus_file("003", "docx").read_bytes(),
    "pdf": corpus_file("003", "pdf").read_bytes(),
    "txt": corpus_file("003", "txt").read_bytes()[:20_000],
    "tcvn3": (ROOT / "corpus" / "variants" / "tcvn3.docx").read_bytes(),
}
LEXICON = load_lexicon()
FUZZ = settings(
    max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)


@st.composite
def mutated(draw) -> bytes:
    """A corpus file with bytes flipped, a cut, or a slice of another file spliced in."""
    data = bytearray(SEEDS[draw(st.sampled_from(sorted(SEEDS)))])
    for _ in range(draw(st.integers(0, 8))):
        position = draw(st.integers(0, len(data) - 1))
        data[position] ^= 1 << draw(st.integers(0, 7))
    if draw(st.booleans()):
        data = data[: draw(st.integers(0, len(data)))]
    if draw(st.booleans()):
        other = SEEDS[draw(st.sampled_from(sorted(SEEDS)))]
        start = draw(st.integers(0, len(other) - 1))
        at = draw(st.integers(0, len(data)))
        data[at:at] = other[start : start + draw(st.integers(1, 4096))]
    return bytes(data)


def _read_or_refuse(data: bytes, fmt: str | None) -> None:
    try:
        document = read_document(data, Path(f"fuzz.{fmt or 'bin'}"), fmt)
    except DocumentReadError:
        return
    for block in document.blocks:
        assert 0 <= block.start <= block.end <= len(document.text)


@FUZZ
@given(data=mutated(), fmt=st.sampled_from([None, *sorted(READERS)]))
def test_mutated_corpus_files(data: bytes, fmt: str | None) -> None:
    _read_or_refuse(data, fmt)


@FUZZ
@given(data=st.binary(max_size=4096), fmt=st.sampled_from([None, *sorted(READERS)]))
def test_random_bytes(data: bytes, fmt: str | None) -> None:
    _read_or_refuse(data, fmt)


VIETNAMESE = st.text(
    alphabet=st.sampled_from(list("0123456789.,;:%()/-+ \n tăngđạtkếhoạchtỷđồngnămquýIIvới")) | st.characters(),
    max_size=300,
)


@FUZZ
@given(text=VIETNAMESE, year=st.one_of(st.none(), st.integers(1990, 2035)))
def test_random_unicode_into_the_mention_extractor(text: str, year: int | None) -> None:
    for mention in extract_mentions(text, ExtractionContext(report_year=year), LEXICON):
        assert 0 <= mention.start <= mention.end <= len(text)
        assert text[mention.start : mention.end] == mention.value_text
