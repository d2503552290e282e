"""The PDF reader on the five corpus PDFs: footnotes, numbers, pages, the GRDP table, body text, bad input."""

from __future__ import annotations

import difflib
import re
import unicodedata
from functools import cache
from pathlib import Path

import docx
import pytest

from extractors.model import BlockKind, Document
from pipeline.readers.base import DocumentReadError
from pipeline.readers.pdf import read_pdf
from tests.conftest import GRDP_TABLE, REPORTS, corpus_file

FOOTNOTES = {"000": 66, "001": 13, "002": 73, "003": 3, "004": 63}
PAGES = {"000": 47, "001": 18, "002": 24, "003": 11, "004": 26}
NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
#: markers glued onto numbers by plain text extraction (seeds-structure.md §0.2, §6.3)
GLUED = ("20263", "202217", "7.004,13", "2021-20251")


@cache
def _read(report: str) -> Document:
    path = corpus_file(report, "pdf")
    return read_pdf(path.read_bytes(), path)


def _words_without_tables(document: Document) -> list[str]:
    skip = {BlockKind.TABLE_CELL, BlockKind.FOOTNOTE_BODY, BlockKind.HEADER_FOOTER}
    return " ".join(document.block_text(b) for b in document.blocks if b.kind not in skip).split()


def _docx_words(report: str) -> list[str]:
    """python-docx paragraphs (tables excluded); "()" left where a footnote reference was is dropped."""
    paragraphs = docx.Document(str(corpus_file(report, "docx"))).paragraphs
    return unicodedata.normalize("NFC", " ".join(p.text for p in paragraphs)).replace("()", "").split()


@pytest.mark.parametrize("report", REPORTS)
def test_footnote_count_and_every_body_linked(report: str) -> None:
    document = _read(report)
    assert len(document.footnotes) == FOOTNOTES[report]
    assert all(f.ref_start is not None and f.body_end > f.body_start for f in document.footnotes)
    assert not [w for w in document.warnings if "footnote" in w]


@pytest.mark.parametrize("report", REPORTS)
def test_numbers_come_from_the_report_and_no_marker_is_glued(report: str) -> None:
    document = _read(report)
    dump = unicodedata.normalize("NFC", corpus_file(report, "txt").read_text(encoding="utf-8"))
    tokens = set(NUMBER.findall(document.text))
    assert sorted(t for t in tokens if t not in dump) == []
    assert not [t for t in GLUED if t in tokens]


@pytest.mark.parametrize("report", REPORTS)
def test_pages_counted_and_page_numbers_dropped(report: str) -> None:
    document = _read(report)
    assert document.n_pages == PAGES[report]
    assert all(b.page is not None for b in document.blocks)
    assert all(f.ref_page is not None for f in document.footnotes)
    page_numbers = {str(n) for n in range(2, PAGES[report] + 1)}
    blocks = [document.block_text(b) for b in document.blocks if b.kind != BlockKind.TABLE_CELL]
    assert not [text for text in blocks if text in page_numbers]
    # a page number read as text would also glue onto the first paragraph of its page
    assert not [text for text in blocks if re.match(r"^\d{1,2} [A-ZĐ]", text) and text.split()[0] in page_numbers]


def test_marker_after_number_is_cut_not_glued() -> None:
    document = _read("000")
    text = document.text
    # "phường(¹) thuộc": the marker and its empty parentheses are gone, the reference points there
    first = document.footnotes[0]
    assert text[first.ref_start - 7 : first.ref_start] == " phường"
    assert text[first.body_start : first.body_end].startswith("Gồm các phường")
    assert "19,14 km2" in text  # an exponent after a unit stays in the text


def test_grdp_table_of_report_000() -> None:
    document = _read("000")
    cells = [b for b in document.blocks if b.kind == BlockKind.TABLE_CELL and not b.layout_table]
    assert len({b.table_id for b in cells}) == 1
    rows = 1 + max(b.row for b in cells)
    cols = 1 + max(b.col for b in cells)
    assert (rows, cols) == (11, 6)
    grid = [["" for _ in range(cols)] for _ in range(rows)]
    for block in cells:
        grid[block.row][block.col] = document.block_text(block)
    assert grid == GRDP_TABLE
    body = "\n".join(document.block_text(b) for b in document.blocks if b.kind != BlockKind.TABLE_CELL)
    assert "14.112.388" not in body


def test_header_layout_table_keeps_columns_apart() -> None:
    document = _read("000")
    layout = [document.block_text(b) for b in document.blocks if b.layout_table][:4]
    assert layout == [
        "ỦY BAN NHÂN DÂN PHƯỜNG KON TUM",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM Độc lập - Tự do - Hạnh phúc",
        "Số: /BC-UBND",
        "P. Kon Tum, ngày tháng năm 2025",
    ]


def test_signature_block_is_a_layout_table() -> None:
    document = _read("001")
    layout = [document.block_text(b) for b in document.blocks if b.layout_table]
    assert len(layout) == 2
    assert layout[0].startswith("Nơi nhận: - Như trên (b/c);") and layout[0].endswith("- Lưu: VT, TH.")
    assert layout[1] == "TM. ỦY BAN NHÂN DÂN CHỦ TỊCH Dương Anh Hùng"


def test_headings_lists_and_hyphen_joins() -> None:
    document = _read("000")
    headings = [document.block_text(b) for b in document.blocks if b.kind == BlockKind.HEADING]
    assert "I. Bối cảnh thực hiện Kế hoạch phát triển kinh tế - xã hội 05 năm 2021-2025" in headings
    assert any(b.kind == BlockKind.LIST_ITEM for b in document.blocks)
    assert "Nghị quyết số 1677/NQ-UBTVQH15 ngày 16" in document.text  # "1677/NQ-" + "UBTVQH15"
    assert all(b.font_size for b in document.blocks if b.kind != BlockKind.FOOTNOTE_BODY)


@pytest.mark.parametrize("report", REPORTS)
def test_body_text_matches_docx(report: str) -> None:
    pdf_words = _words_without_tables(_read(report))
    docx_words = _docx_words(report)
    ratio = difflib.SequenceMatcher(None, pdf_words, docx_words, autojunk=False).ratio()
    print(f"{report}: body similarity pdf vs docx {ratio:.4f}")
    assert ratio >= 0.98


def _minimal_pdf(objects: list[bytes], trailer: bytes = b"") -> bytes:
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R %s>>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, trailer, xref)
    return bytes(out)


_PAGE_TREE = [
    b"<< /Type /Catalog /Pages 2 0 R >>",
    b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
]


def test_garbage_is_rejected() -> None:
    with pytest.raises(DocumentReadError, match="cannot open PDF"):
        read_pdf(b"%PDF-1.4 garbage", Path("x.pdf"))


def test_encrypted_pdf_is_rejected() -> None:
    # a standard security handler whose /U does not match the empty user password: PDFium asks for one
    encrypt = b"<< /Filter /Standard /V 1 /R 2 /Length 40 /P -4 /O <%s> /U <%s> >>" % (b"11" * 32, b"22" * 32)
    data = _minimal_pdf([*_PAGE_TREE, encrypt], b"/Encrypt 4 0 R /ID [<%s> <%s>] " % (b"33" * 16, b"33" * 16))
    with pytest.raises(DocumentReadError, match="encrypted"):
        read_pdf(data, Path("x.pdf"))


def test_pdf_without_text_layer_is_rejected() -> None:
    with pytest.raises(DocumentReadError, match="no text layer"):
        read_pdf(_minimal_pdf(_PAGE_TREE), Path("scan.pdf"))
