"""The outline of every corpus report, read from every format, equals its golden file (tests/golden/README.md)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pytest

from extractors.sections import Outline, build_outline
from pipeline.readers import read_document
from tests.conftest import REPORTS, corpus_file

GOLDEN = Path(__file__).resolve().parent / "golden"
FORMATS = ("txt", "docx", "pdf")


def read_golden(report: str) -> list[tuple[str, int, str]]:
    path = GOLDEN / report / "outline.tsv"
    assert path.exists(), f"missing golden file {path}"
    header, *rows = path.read_text(encoding="utf-8").splitlines()
    assert header.split("\t") == ["label", "depth", "title"], f"bad header in {path}"
    golden = []
    for row in rows:
        label, depth, title = row.split("\t")
        golden.append((label, int(depth), title))
    assert golden, f"empty golden file {path}"
    return golden


@lru_cache(maxsize=16)
def outline_of(report: str, fmt: str) -> Outline:
    path = corpus_file(report, fmt)
    return build_outline(read_document(path.read_bytes(), path))


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("report", REPORTS)
def test_outline_matches_golden(report: str, fmt: str) -> None:
    expected = read_golden(report)
    actual = [(s.label, s.depth, s.title) for s in outline_of(report, fmt).sections[1:]]
    missing = [row for row in expected if row not in actual]
    extra = [row for row in actual if row not in expected]
    assert actual == expected, f"{report}.{fmt}: missing {missing[:5]}, unexpected {extra[:5]}"


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("report", REPORTS)
def test_outline_spans_are_nested_and_outside_front_and_back_matter(report: str, fmt: str) -> None:
    outline = outline_of(report, fmt)
    root, *sections = outline.sections
    back = outline.back_matter_start
    for section in sections:
        parent = outline.sections[section.parent_id or 0]
        assert outline.front_matter_end <= section.char_start < section.char_end, section
        assert back is None or section.char_end <= back, section
        assert parent.char_start <= section.char_start and section.char_end <= parent.char_end, section
        assert section.depth == parent.depth + 1
    if back is not None:
        assert root.char_end == back


#: How the text right after the front matter and the back matter begins, per report (seeds-structure.md §6.5).
AFTER_FRONT_MATTER = {
    "000": "Thực hiện Văn bản số 4018/UBND-KTTH",
    "001": "Thực hiện Thông báo số 18/TB-TTHĐND",
    "002": "I. Tình hình kinh tế-xã hội",
    "003": "Năm 2025 có ý nghĩa đặc biệt quan trọng",
    "004": "Phần thứ nhất",
}
BACK_MATTER = {"000": "Trên đây là", "001": "Trên đây là", "002": "Trên đây là", "003": "Trên đây là", "004": None}


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("report", REPORTS)
def test_front_and_back_matter_boundaries(report: str, fmt: str) -> None:
    path = corpus_file(report, fmt)
    document = read_document(path.read_bytes(), path)
    outline = outline_of(report, fmt)
    assert document.text[outline.front_matter_end :].lstrip().startswith(AFTER_FRONT_MATTER[report])
    if BACK_MATTER[report] is None:
        assert outline.back_matter_start is None
    else:
        assert outline.back_matter_start is not None
        assert document.text[outline.back_matter_start :].startswith(BACK_MATTER[report])
