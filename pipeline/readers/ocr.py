"""OCR of PDF pages without a text layer, with the tesseract command-line program (Debian tesseract-ocr-vie).

OCR is a fallback (peers.md §7): a page is rendered with pypdfium2 at 300 dpi, tesseract reads it with the
Vietnamese model and writes TSV (one row per word, with its block, paragraph and line numbers and a
confidence), and the words are joined back into paragraphs. Tesseract runs single-threaded
(OMP_THREAD_LIMIT=1): its own threads make it four times slower on two shared cores (dependencies.md §6).
Every call has a time limit. Without tesseract nothing here raises: :func:`ocr_unavailable_reason` says why.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pypdfium2 as pdfium

#: Rendering resolution: tesseract's models are trained on ~300 dpi text.
OCR_DPI = 300
OCR_LANGUAGE = "vie"
#: Page segmentation mode 3 (automatic) keeps tesseract's paragraph numbers, which become blocks.
OCR_PAGE_SEGMENTATION = "3"
#: Seconds one page may take before it is given up (a clean A4 page takes ~2 s single-threaded).
OCR_PAGE_TIMEOUT = 120.0


class OcrError(Exception):
    """Tesseract failed on a page (crash, time limit, unreadable output)."""


@dataclass(frozen=True, slots=True)
class OcrParagraph:
    """One paragraph as tesseract segmented it, with the mean confidence (0-100) of its words."""

    text: str
    confidence: float


@dataclass(frozen=True, slots=True)
class OcrPage:
    """The paragraphs of one page and the mean word confidence of the page (0-100; 0 when no word)."""

    number: int
    paragraphs: tuple[OcrParagraph, ...]
    confidence: float


def tesseract_path() -> str | None:
    """Path of the tesseract program, or None when it is not installed."""
    return shutil.which("tesseract")


def ocr_unavailable_reason(language: str = OCR_LANGUAGE) -> str | None:
    """Why OCR cannot run here (no tesseract, no language data), or None when it can."""
    program = tesseract_path()
    if program is None:
        return "tesseract not installed (apt-get install tesseract-ocr tesseract-ocr-vie)"
    try:
        listed = subprocess.run(
            [program, "--list-langs"], capture_output=True, text=True, timeout=30, env=_environment(), check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"tesseract does not run: {type(exc).__name__}"
    if language not in listed.stdout.split():
        return f"tesseract has no {language!r} language data (apt-get install tesseract-ocr-{language})"
    return None


def _environment() -> dict[str, str]:
    return {**os.environ, "OMP_THREAD_LIMIT": "1"}


def ocr_pdf_page(
    page: pdfium.PdfPage, number: int, *, dpi: int = OCR_DPI, timeout: float = OCR_PAGE_TIMEOUT
) -> OcrPage:
    """Render one page and read it with tesseract.

    Raises:
        OcrError: tesseract is missing, failed or ran over ``timeout`` seconds.
    """
    program = tesseract_path()
    if program is None:
        raise OcrError("tesseract not installed")
    image = page.render(scale=dpi / 72, grayscale=True).to_pil()
    with tempfile.TemporaryDirectory(prefix="chiso-ocr-") as folder:
        image_path = Path(folder) / f"page{number}.png"
        image.save(image_path, dpi=(dpi, dpi))
        command = [program, str(image_path), "stdout", "-l", OCR_LANGUAGE, "--psm", OCR_PAGE_SEGMENTATION]
        command += ["--dpi", str(dpi), "tsv"]
        try:
            done = subprocess.run(command, capture_output=True, timeout=timeout, env=_environment(), check=False)
        except subprocess.TimeoutExpired as exc:
            raise OcrError(f"tesseract ran over {timeout:.0f} s") from exc
        except OSError as exc:
            raise OcrError(f"tesseract does not run: {exc}") from exc
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise OcrError(f"tesseract exit {done.returncode}: {message[-1] if message else ''}")
    return parse_tsv(done.stdout.decode("utf-8", "replace"), number)


def parse_tsv(tsv: str, number: int) -> OcrPage:
    """Turn tesseract's TSV into paragraphs: words of one (block, paragraph) joined line after line.

    >>> header = "level page_num block_num par_num line_num word_num left top width height conf text"
    >>> rows = [header, "5 1 1 1 1 1 0 0 9 9 90 Tăng", "5 1 1 1 2 1 0 9 9 9 80 7,5%"]
    >>> tsv = "\\n".join(row.replace(" ", "\\t") for row in rows)
    >>> ocr = parse_tsv(tsv, 1)
    >>> ocr.paragraphs[0].text, ocr.confidence
    ('Tăng 7,5%', 85.0)
    """
    paragraphs: dict[tuple[int, int], list[tuple[str, float]]] = {}
    for row in csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE):
        text = (row.get("text") or "").strip()
        try:
            level, confidence = int(row.get("level") or 0), float(row.get("conf") or -1)
            key = (int(row.get("block_num") or 0), int(row.get("par_num") or 0))
        except ValueError as exc:
            raise OcrError(f"unreadable tesseract TSV row: {exc}") from exc
        if level != 5 or not text or confidence < 0:
            continue
        paragraphs.setdefault(key, []).append((text, confidence))
    result = tuple(
        OcrParagraph(" ".join(word for word, _ in words), sum(c for _, c in words) / len(words))
        for _, words in sorted(paragraphs.items())
    )
    all_words = [c for words in paragraphs.values() for _, c in words]
    return OcrPage(number, result, sum(all_words) / len(all_words) if all_words else 0.0)
