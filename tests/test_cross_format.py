"""The same report read from .txt, .docx and .pdf gives the same canonical document."""

from __future__ import annotations

import difflib
from collections import Counter

import pytest
import regex

from tests.conftest import FORMATS, REPORTS, read_corpus_document

FOOTNOTES = {"000": 66, "001": 13, "002": 73, "003": 3, "004": 63}
NUMBER = regex.compile(r"\d+(?:[.,]\d+)*")


def _words(text: str) -> list[str]:
    return text.split()


def _similarity(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, _words(a), _words(b), autojunk=False).ratio()


@pytest.mark.parametrize("report", REPORTS)
@pytest.mark.parametrize("fmt", ["docx", "pdf"])
def test_body_text_matches_the_text_dump(report, fmt):
    reference = read_corpus_document(report, "txt").body_text()
    other = read_corpus_document(report, fmt).body_text()
    assert _similarity(reference, other) >= 0.98


@pytest.mark.parametrize("report", REPORTS)
@pytest.mark.parametrize("fmt", FORMATS)
def test_footnote_count_and_every_footnote_linked(report, fmt):
    document = read_corpus_document(report, fmt)
    assert len(document.footnotes) == FOOTNOTES[report]
    assert all(f.ref_start is not None for f in document.footnotes)
    assert all(f.body_end > f.body_start for f in document.footnotes)


@pytest.mark.parametrize("report", REPORTS)
@pytest.mark.parametrize("fmt", ["docx", "pdf"])
def test_footnotes_link_the_same_reference_to_the_same_body(report, fmt):
    reference = read_corpus_document(report, "txt")
    other = read_corpus_document(report, fmt)
    for mine, theirs in zip(reference.footnotes, other.footnotes, strict=True):
        body_a = reference.text[mine.body_start : mine.body_end]
        body_b = other.text[theirs.body_start : theirs.body_end]
        assert _similarity(body_a, body_b) >= 0.9, (mine.footnote_id, body_a[:60], body_b[:60])
        before_a = reference.text[max(0, mine.ref_start - 15) : mine.ref_start].split()[-1:]
        before_b = other.text[max(0, theirs.ref_start - 15) : theirs.ref_start].split()[-1:]
        assert before_a == before_b, (mine.footnote_id, before_a, before_b)


@pytest.mark.parametrize("report", REPORTS)
def test_no_pdf_number_is_glued_to_a_footnote_marker(report):
    pdf_numbers = Counter(NUMBER.findall(read_corpus_document(report, "pdf").text))
    for fmt in ("txt", "docx"):
        other = set(NUMBER.findall(read_corpus_document(report, fmt).text))
        missing = sorted(set(pdf_numbers) - other)
        assert not missing, f"numbers in the pdf text but not in the {fmt} text: {missing[:20]}"
