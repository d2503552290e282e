"""Tests of the plain-text dump reader over the five corpus dumps, synthetic inputs and the pattern examples."""

from __future__ import annotations

import codecs
import random
import unicodedata
from functools import cache
from pathlib import Path

import pytest
import regex
from hypothesis import given
from hypothesis import strategies as st

from extractors.model import BlockKind, Document
from pipeline.readers.base import DocumentReadError
from pipeline.readers.text import DumpFamily, decode_dump, detect_family, read_text, strip_dump_frame
from pipeline.readers.text_patterns import load_text_dump_patterns
from tests.conftest import REPORTS, corpus_file

EXPECTED_FAMILY = {
    "000": DumpFamily.POI,
    "001": DumpFamily.PDF,
    "002": DumpFamily.STUB,
    "003": DumpFamily.PDF,
    "004": DumpFamily.POI,
}
EXPECTED_FOOTNOTES = {"000": 66, "001": 13, "002": 73, "003": 3, "004": 63}
EXPECTED_PAGES = {"000": None, "001": 17, "002": None, "003": 10, "004": None}
NUMBER = regex.compile(r"\d+(?:[.,]\d+)*")


@cache
def corpus_bytes(report: str) -> bytes:
    return corpus_file(report, "txt").read_bytes()


@cache
def corpus_document(report: str) -> Document:
    return read_text(corpus_bytes(report), corpus_file(report, "txt"))


def text_before_ref(document: Document, footnote_id: str) -> str:
    footnote = next(f for f in document.footnotes if f.footnote_id == footnote_id)
    assert footnote.ref_start is not None
    return document.text[: footnote.ref_start]


def body_of(document: Document, footnote_id: str) -> str:
    footnote = next(f for f in document.footnotes if f.footnote_id == footnote_id)
    return document.text[footnote.body_start : footnote.body_end]


# ---------------------------------------------------------------- family detection


@pytest.mark.parametrize("report", REPORTS)
def test_family_is_detected_from_the_text(report: str) -> None:
    text, _ = decode_dump(corpus_bytes(report))
    assert detect_family(strip_dump_frame(text)) is EXPECTED_FAMILY[report]


def test_family_does_not_depend_on_the_file_name() -> None:
    data = corpus_bytes("001")
    renamed = read_text(data, Path("000_c3242f9e8de267fc.txt"))
    assert renamed.text == corpus_document("001").text


def test_unmarked_text_is_read_as_plain_paragraphs() -> None:
    data = "Báo cáo tình hình\n\n- Tổng thu đạt 97,62%\nChi ngân sách 283,3 tỷ đồng\n".encode()
    assert detect_family(decode_dump(data)[0]) is DumpFamily.PLAIN
    document = read_text(data, Path("x.txt"))
    assert [document.block_text(b) for b in document.blocks] == [
        "Báo cáo tình hình",
        "- Tổng thu đạt 97,62%",
        "Chi ngân sách 283,3 tỷ đồng",
    ]
    assert [b.kind for b in document.blocks] == [BlockKind.PARAGRAPH, BlockKind.LIST_ITEM, BlockKind.PARAGRAPH]
    assert [b.source_line for b in document.blocks] == [1, 3, 4]


# ---------------------------------------------------------------- footnotes


@pytest.mark.parametrize("report", REPORTS)
def test_every_footnote_is_linked(report: str) -> None:
    document = corpus_document(report)
    assert len(document.footnotes) == EXPECTED_FOOTNOTES[report]
    for footnote in document.footnotes:
        assert footnote.ref_start is not None, footnote
        assert footnote.body_end > footnote.body_start, footnote
    assert not document.warnings


def test_poi_footnote_1_of_000() -> None:
    document = corpus_document("000")
    assert body_of(document, "1").startswith("Gồm các phường: Quang Trung")
    assert text_before_ref(document, "1").endswith("05 phường")
    assert "[footnoteRef" not in document.text and "[1:" not in document.text


def test_poi_body_spanning_lines_stays_out_of_the_body_text() -> None:
    document = corpus_document("000")
    body_starts = {b.source_line for b in document.blocks if b.kind is not BlockKind.FOOTNOTE_BODY}
    assert not body_starts & {249, 250}, "lines inside footnote 51's body must not become body blocks"
    spanning = next(
        f for f in document.footnotes if "- Thành lập 03 phòng chuyên môn" in body_of(document, f.footnote_id)
    )
    assert "- Tiếp nhận và tổ chức lại 04 đơn vị" in body_of(document, spanning.footnote_id)


def test_poi_bookmarks_are_removed_before_bullets() -> None:
    document = corpus_document("004")
    assert "[bookmark" not in document.text
    block = next(b for b in document.blocks if b.source_line == 15)
    assert block.kind is BlockKind.LIST_ITEM
    assert document.block_text(block).startswith("- Tổng vốn đầu tư")
    assert text_before_ref(document, "1").endswith("tích cực")


def test_pdf_reference_glued_to_a_year() -> None:
    document = corpus_document("001")
    assert "2021-2026" in document.text
    assert "20263" not in document.text
    assert text_before_ref(document, "3").endswith("2021-2026")


def test_pdf_references_of_every_printed_shape() -> None:
    document = corpus_document("001")
    assert text_before_ref(document, "1").endswith("trọng tâm")
    assert text_before_ref(document, "2").endswith("Quy chế")
    assert text_before_ref(document, "6").endswith("hành chính")
    assert text_before_ref(document, "10").endswith("phường Kon Tum")
    assert text_before_ref(document, "11").endswith("với Nhân dân")
    assert body_of(document, "10").startswith("Quyết định số 144/QĐ-UBND")
    markers = {f.footnote_id: f.marker for f in document.footnotes}
    assert markers["1"] == "1" and markers["6"] == "(6)" and markers["10"] == "(10)"


def test_pdf_paragraph_spliced_across_a_footnote_zone() -> None:
    document = corpus_document("001")
    assert "hỗ trợ giải quyết thủ tục hành chính phường Kon Tum Xây dựng" in document.text
    assert "Nghị quyết số 57-NQ/TW" in document.text
    page_of = {b.source_line: b.page for b in document.blocks if b.kind is not BlockKind.FOOTNOTE_BODY}
    assert page_of[1] == 1 and page_of[1331] == 17


def test_pdf_footnotes_of_003() -> None:
    document = corpus_document("003")
    assert text_before_ref(document, "1").endswith("Ủy ban nhân dân tỉnh")
    assert text_before_ref(document, "2").endswith("ban hành kế hoạch")
    assert body_of(document, "2").startswith("Theo nội dung tham mưu")
    assert [f.ref_page for f in document.footnotes] == [1, 1, 3]


def test_stub_footnote_1_of_002() -> None:
    document = corpus_document("002")
    assert body_of(document, "1").startswith("Tổng diện tích gieo trồng vụ Đông-Xuân 2019-2020")
    assert text_before_ref(document, "1").endswith("năm trước")
    assert "\ufffd" not in document.text


def test_stub_reference_lost_in_a_bare_line_break() -> None:
    document = corpus_document("002")
    hidden = [f for f in document.footnotes if text_before_ref(document, f.footnote_id).endswith("2017-2020”")]
    assert len(hidden) == 1
    assert document.text[hidden[0].ref_start :].startswith(" và Kết luận số 70-KL/TW")
    assert body_of(document, hidden[0].footnote_id).startswith("Kết luận số 418-KL/TU")


# ---------------------------------------------------------------- text content


def _raw_number_tokens(report: str) -> set[str]:
    text, _ = decode_dump(corpus_bytes(report))
    text = regex.sub(r"\[footnoteRef:\d+\]|\[\d+:(?=\s)|\[bookmark: [^\]]*\]", " ", text)
    return set(NUMBER.findall(text))


@pytest.mark.parametrize("report", REPORTS)
def test_every_number_of_the_dump_survives(report: str) -> None:
    document = corpus_document(report)
    canonical = set(NUMBER.findall(document.text))
    markers = {f.marker.strip("()") for f in document.footnotes}
    missing = {
        token
        for token in _raw_number_tokens(report) - canonical
        # a marker alone ("(6)") or glued to a number ("2021-20263") is not a number of the report
        if not any(token == m or (token.endswith(m) and token[: -len(m)] in canonical) for m in markers)
    }
    assert not missing


@pytest.mark.parametrize("report", REPORTS)
def test_blocks_carry_provenance(report: str) -> None:
    document = corpus_document(report)
    body_blocks = [b for b in document.blocks if b.kind is not BlockKind.FOOTNOTE_BODY]
    assert body_blocks
    assert all(b.source_line is not None and b.source_line >= 1 for b in body_blocks)
    assert document.n_pages == EXPECTED_PAGES[report]
    if EXPECTED_PAGES[report]:
        assert all(b.page is not None for b in document.blocks)
    assert document.encoding == "utf-8"


def test_grdp_table_of_000() -> None:
    document = corpus_document("000")
    cells = [b for b in document.blocks if b.kind is BlockKind.TABLE_CELL and not b.layout_table]
    assert {b.table_id for b in cells} == {0}
    grid: dict[tuple[int, int], str] = {(b.row, b.col): document.block_text(b) for b in cells}  # type: ignore[misc]
    assert max(r for r, _ in grid) == 10 and max(c for _, c in grid) == 5
    assert [grid[0, c] for c in range(6)] == [
        "TT",
        "Chỉ tiêu",
        "Sơ bộ năm 2024 (Trđ)",
        "Ước tính năm 2025 (Trđ)",
        "Tỷ trọng (%)",
        "Tốc độ phát triển (%)",
    ]
    assert [grid[1, c] for c in (0, 1, 2, 3, 5)] == ["1", "Theo giá hiện hành", "14.112.388", "15.472.561", "9,64"]
    assert (1, 4) not in grid, "an NBSP-only cell is empty"
    assert [grid.get((4, c), "") for c in range(6)] == [
        "",
        "Trong đó: Công nghiệp",
        "1.533.315",
        "1.658.818",
        "",
        "8,19",
    ]
    assert [grid[10, c] for c in range(6)] == ["-", "Khu vực III (Dịch vụ)", "6.658.810", "6.941.326", "80,89", "4,24"]
    assert grid[8, 5] == "-3,10" and grid[9, 5] == "-14,52"
    caption = next(b for b in document.blocks if b.source_line == 53)
    assert caption.kind is BlockKind.PARAGRAPH
    assert document.block_text(caption) == "TỔNG GIÁ TRỊ SẢN PHẨM TRÊN ĐỊA BÀN"


def test_header_layout_table_of_000() -> None:
    document = corpus_document("000")
    layout = [b for b in document.blocks if b.layout_table]
    assert [(b.row, b.col) for b in layout] == [(0, 0), (0, 1), (1, 0), (1, 1)]
    assert document.block_text(layout[0]) == "ỦY BAN NHÂN DÂN PHƯỜNG KON TUM"
    assert document.block_text(layout[1]).startswith("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
    assert all(b.kind is BlockKind.TABLE_CELL and b.table_id is not None for b in layout)


# ---------------------------------------------------------------- encodings and bad input


@pytest.mark.parametrize(
    ("encode", "encoding"),
    [
        (lambda s: s.encode("utf-16"), "utf-16"),
        (lambda s: s.encode("utf-16-le"), "utf-16"),
        (lambda s: codecs.BOM_UTF8 + s.encode(), "utf-8"),
        (lambda s: s.replace("\n", "\r\n").encode(), "utf-8"),
        (lambda s: s.replace("\n", "\r").encode(), "utf-8"),
    ],
    ids=["utf16-bom", "utf16le-no-bom", "utf8-bom", "crlf", "cr"],
)
@pytest.mark.parametrize("report", ["000", "001"])
def test_other_encodings_give_the_same_text(report: str, encode, encoding: str) -> None:
    original = corpus_document(report)
    document = read_text(encode(corpus_bytes(report).decode()), Path("x.txt"))
    assert document.encoding == encoding
    assert document.text == original.text
    assert len(document.footnotes) == len(original.footnotes)


def _to_cp1258(text: str) -> bytes:
    """cp1258 stores Vietnamese as a precomposed vowel followed by a combining tone mark."""
    tones = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
    out = []
    for char in text:
        decomposed = unicodedata.normalize("NFD", char)
        base = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in tones))
        out.append(base + "".join(c for c in decomposed if c in tones))
    return "".join(out).encode("cp1258")


def test_legacy_cp1258_is_decoded() -> None:
    sample = "Tổng thu ngân sách đạt 97,62% kế hoạch\n- Chi đầu tư phát triển tăng 12,5%\n"
    document = read_text(_to_cp1258(sample), Path("x.txt"))
    assert document.encoding == "cp1258"
    assert document.body_text() == unicodedata.normalize("NFC", sample.strip())


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"   \n \n",
        bytes(range(256)) * 8,
        random.Random(7).randbytes(4096),
        b"\x89PNG\r\n\x1a\n" + bytes(range(32)) * 40,
    ],
    ids=["empty", "blank", "all-bytes", "random", "png"],
)
def test_unreadable_input_raises(data: bytes) -> None:
    with pytest.raises(DocumentReadError):
        read_text(data, Path("x.txt"))


_FRAGMENTS = [
    "Tổng thu",
    " đạt 97,62%",
    "(",
    ")",
    "\n",
    "\n\n",
    "\t",
    "- ",
    "[footnoteRef:1]",
    "[footnoteRef:2]",
    "[1: () ",
    "[2:  ",
    "]",
    "[bookmark: _GoBack]",
    " " * 43,
    " ",
    "1",
    "(2)",
    "2021-20263",
    "\ufffd) ",
    "(\ufffd) ",
    "năm trước(",
]


@given(st.lists(st.sampled_from(_FRAGMENTS), min_size=1, max_size=40))
def test_any_dump_shape_reads_or_fails_cleanly(fragments: list[str]) -> None:
    try:
        document = read_text("".join(fragments).encode(), Path("x.txt"))
    except DocumentReadError:
        return
    for footnote in document.footnotes:
        assert footnote.ref_start is None or 0 <= footnote.ref_start <= len(document.text)
        assert 0 <= footnote.body_start <= footnote.body_end <= len(document.text)
    for block in document.blocks:
        assert document.block_text(block).strip() == document.block_text(block) != ""


# ---------------------------------------------------------------- pattern data


def _pattern_cases() -> list[tuple[str, int, object]]:
    patterns = load_text_dump_patterns()
    return [(name, i, example) for name, entry in patterns.entries.items() for i, example in enumerate(entry.examples)]


@pytest.mark.parametrize(("name", "index", "example"), _pattern_cases(), ids=lambda v: str(v)[:30])
def test_pattern_examples(name: str, index: int, example) -> None:
    entry = load_text_dump_patterns().entries[name]
    compiled = entry.compile(example.n)
    match = compiled.search(example.text)
    if example.expect is None:
        assert match is None, f"{name} example {index} must not match {example.text!r}"
        return
    assert match is not None, f"{name} example {index} must match {example.text!r}"
    found = match.group("marker") if "marker" in compiled.groupindex else match.group(0)
    assert found == example.expect


def test_every_pattern_has_positive_and_negative_examples() -> None:
    for name, entry in load_text_dump_patterns().entries.items():
        expects = [e.expect is None for e in entry.examples]
        assert any(expects) or name == "poi_footnote_body_prefix", f"{name} needs an example that must not match"
        assert not all(expects), f"{name} needs an example that must match"
