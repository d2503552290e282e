"""Scanned PDFs: pages without a text layer are read by tesseract, or skipped with a reason when it is missing."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pypdfium2 as pdfium
import pytest

from pipeline.process import load_run_context, process_file
from pipeline.readers import ocr as ocr_module
from pipeline.readers import read_document
from pipeline.readers.base import DocumentReadError
from tests.conftest import ROOT, corpus_file
from tests.hostile.bad_inputs import text_pdf

SCANNED = ROOT / "corpus" / "variants" / "scanned.pdf"


@pytest.fixture(scope="module")
def scanned_and_born_digital():
    context = load_run_context()
    return process_file(SCANNED, context), process_file(corpus_file("004", "pdf"), context)


def test_tesseract_is_installed_here() -> None:
    """The project's CI installs tesseract-ocr and tesseract-ocr-vie (dependencies.md §6)."""
    assert ocr_module.ocr_unavailable_reason() is None


def test_scanned_pdf_is_read_by_ocr(scanned_and_born_digital) -> None:
    scanned, _ = scanned_and_born_digital
    row = scanned.document
    assert row["status"] == "ok" and row["ocr"] is True and row["n_pages"] == 3
    confidences = [w for w in row["warnings"] if "OCR (tesseract), mean confidence" in w]
    assert [w.split()[1] for w in confidences] == ["1", "2", "3"]
    assert all(float(w.rsplit(" ", 1)[1]) > 80 for w in confidences)
    assert {b["page"] for b in scanned.blocks} == {1, 2, 3}
    body = [b for b in scanned.blocks if b["char_end"] > b["char_start"]]
    assert {b["source_layer"] for b in body} == {"ocr"} and all(b["ocr_confidence"] > 50 for b in body)
    assert {m["source_layer"] for m in scanned.mentions} == {"ocr"}


def test_ocr_recovers_at_least_80_percent_of_the_born_digital_values(scanned_and_born_digital) -> None:
    """Mentions (value_text, value) of pages 1-3 of report 004: the scan must yield >= 80% of them."""
    scanned, born = scanned_and_born_digital
    expected = Counter((m["value_text"], m["value"]) for m in born.mentions if m["page"] is not None and m["page"] <= 3)
    found = Counter((m["value_text"], m["value"]) for m in scanned.mentions)
    recovered = sum((expected & found).values()) / sum(expected.values())
    assert sum(expected.values()) > 100
    assert recovered >= 0.8, f"recovered {recovered:.1%}"


def test_without_tesseract_a_scan_fails_with_the_reason(monkeypatch) -> None:
    monkeypatch.setattr(ocr_module.shutil, "which", lambda name: None)
    with pytest.raises(DocumentReadError, match=r"no text layer in any of the 3 pages.*tesseract not installed"):
        read_document(SCANNED.read_bytes(), SCANNED)


def test_without_tesseract_scanned_pages_of_a_mixed_pdf_are_skipped_with_a_warning(monkeypatch, tmp_path) -> None:
    """A text page and two scanned pages: the text page is read, the warning names pages 2-3 and the reason."""
    text_page = pdfium.PdfDocument(text_pdf([(b"Helvetica", b"Thu ngan sach dat 97,62% ke hoach.")]))
    scan = pdfium.PdfDocument(SCANNED)
    text_page.import_pages(scan, [0, 1])
    mixed = tmp_path / "mixed.pdf"
    try:
        text_page.save(mixed)
    finally:
        text_page.close()
        scan.close()
    data = mixed.read_bytes()
    monkeypatch.setattr(ocr_module.shutil, "which", lambda name: None)
    document = read_document(data, Path("mixed.pdf"))
    assert document.text == "Thu ngan sach dat 97,62% ke hoach."
    assert document.ocr is False
    assert any(
        w.startswith("pages 2-3 have no text layer and were skipped: tesseract not installed")
        for w in document.warnings
    )
