"""Reader for plain-text dumps of reports: decoding, dump-family detection and dispatch to the family readers.

A text dump is whatever some extractor made of a Word or PDF file. The family is recognised from the text itself
(never from the file name), because each family encodes paragraphs and footnotes differently:

* ``poi``: POI-style Word extractor, inline ``[footnoteRef:N]`` / ``[N: body]`` markup, TAB-prefixed table cells;
* ``stub``: Word export whose references became "(" ⏎ ")" and whose bodies follow the signature;
* ``pdf``: PDF text extraction with hard wraps, empty lines after every line and page-bottom footnote zones;
* ``plain``: anything else, one paragraph per non-empty line.

Dumps of pre-Unicode reports carry TCVN3 or VNI text, either as raw 8-bit bytes or as the mojibake an
extractor made of them ("ViÖt Nam"); with no font names to go by, :func:`extractors.legacy.detect_legacy_text`
recognises them from the characters only mojibake contains, and the text is decoded before reading.
"""

from __future__ import annotations

import codecs
import itertools
import unicodedata
from enum import StrEnum
from pathlib import Path

from extractors.legacy import decode_detected, detect_legacy_text, load_legacy_tables
from extractors.model import Document
from pipeline.readers.base import DocumentBuilder, DocumentReadError
from pipeline.readers.text_lines import DumpLine, ParagraphDraft, emit_paragraph
from pipeline.readers.text_patterns import TextDumpPatterns, load_text_dump_patterns
from pipeline.readers.text_pdf import read_pdf_dump
from pipeline.readers.text_poi import read_poi_dump
from pipeline.readers.text_stub import read_stub_dump

#: Control characters that may legitimately occur in a text dump.
_ALLOWED_CONTROLS = frozenset("\t\n\r\f\v")
#: Share of other control characters above which the input is binary data, not text.
_MAX_CONTROL_RATIO = 0.01


class DumpFamily(StrEnum):
    POI = "poi"
    STUB = "stub"
    PDF = "pdf"
    PLAIN = "plain"


def _utf16_without_bom(data: bytes) -> str | None:
    """Name the UTF-16 byte order when zero bytes fill every other position (ASCII-heavy text), else None."""
    head = data[:4096]
    pairs = len(head) // 2
    if pairs < 2:
        return None
    even, odd = head[0::2].count(0), head[1::2].count(0)
    if odd > pairs // 3 and odd > 4 * even:
        return "utf-16-le"
    if even > pairs // 3 and even > 4 * odd:
        return "utf-16-be"
    return None


def decode_dump(data: bytes) -> tuple[str, str]:
    """Decode the bytes of a dump.

    Returns:
        ``(text, encoding)`` with encoding one of "utf-8", "utf-16", "cp1258", "tcvn3", "vni" (8-bit legacy bytes)
        or "utf-8+tcvn3" / "utf-16+vni"... (Unicode bytes holding legacy mojibake); line endings normalised to "\\n".

    Raises:
        DocumentReadError: empty input, undecodable bytes or binary data.
    """
    if not data.strip():
        raise DocumentReadError("empty file")
    try:
        if data.startswith(codecs.BOM_UTF8):
            text, encoding = data[len(codecs.BOM_UTF8) :].decode("utf-8"), "utf-8"
        elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            text, encoding = data.decode("utf-16"), "utf-16"
        elif byte_order := _utf16_without_bom(data):
            text, encoding = data.decode(byte_order), "utf-16"
        else:
            try:
                text, encoding = data.decode("utf-8"), "utf-8"
            except UnicodeDecodeError:
                text, encoding = _decode_8bit(data)
        if encoding in ("utf-8", "utf-16"):
            legacy = detect_legacy_text(text, load_legacy_tables()).encoding
            if legacy is not None:
                text, encoding = decode_detected(text, legacy, load_legacy_tables()), f"{encoding}+{legacy}"
    except UnicodeDecodeError as exc:
        raise DocumentReadError(f"undecodable bytes (not UTF-8, UTF-16 or cp1258): {exc.reason}") from exc
    controls = sum(1 for c in text if unicodedata.category(c) == "Cc" and c not in _ALLOWED_CONTROLS)
    if controls > _MAX_CONTROL_RATIO * len(text):
        raise DocumentReadError(f"binary data, not text ({controls} control characters)")
    if not any(c.isalpha() for c in text):
        raise DocumentReadError("no text")
    return text.replace("\r\n", "\n").replace("\r", "\n"), encoding


#: Invalid UTF-8 sequences per character below which a file is UTF-8 with damage (a cut tail), not 8-bit text.
_MAX_UTF8_DAMAGE = 0.001


def _decode_8bit(data: bytes) -> tuple[str, str]:
    """Bytes that are not valid UTF-8: damaged UTF-8, TCVN3 or VNI when their characters say so, else Windows-1258."""
    repaired = data.decode("utf-8", errors="replace")
    if repaired.count("\ufffd") <= max(1, _MAX_UTF8_DAMAGE * len(repaired)):
        return repaired, "utf-8"
    tables = load_legacy_tables()
    view = data.decode("latin-1")  # the legacy tables map the characters Latin-1 shows for each byte
    legacy = detect_legacy_text(view, tables).encoding
    if legacy is not None:
        return decode_detected(view, legacy, tables), legacy
    return data.decode("cp1258"), "cp1258"


def strip_dump_frame(text: str) -> str:
    """Drop the single space every dump starts with and the final single-space line (§0); line numbers unchanged."""
    if text.startswith(" "):
        text = text[1:]
    if text.endswith("\n "):
        text = text[:-1]
    return text


def _stub_pairs(lines: list[str], patterns: TextDumpPatterns) -> int:
    ref_open = patterns.regex("stub_ref_open")
    ref_close = patterns.regex("stub_ref_close")
    pairs = 0
    for line, following in itertools.pairwise(lines):
        if ref_open.search(line.rstrip()) and ref_close.search(following):
            pairs += 1
    return pairs


def detect_family(text: str, patterns: TextDumpPatterns | None = None) -> DumpFamily:
    """Recognise the dump family from the text (the thresholds live in patterns/text_dumps.yaml)."""
    patterns = patterns or load_text_dump_patterns()
    if patterns.regex("poi_signal").search(text):
        return DumpFamily.POI
    lines = text.split("\n")
    if _stub_pairs(lines, patterns) >= patterns.thresholds["stub_min_pairs"]:
        return DumpFamily.STUB
    non_blank = [line for line in lines if line.strip()]
    if non_blank:
        empty_ratio = 1 - len(non_blank) / len(lines)
        trailing_ratio = sum(1 for line in non_blank if line.endswith(" ")) / len(non_blank)
        if (
            empty_ratio >= patterns.thresholds["pdf_min_empty_line_ratio"]
            and trailing_ratio >= patterns.thresholds["pdf_min_trailing_space_ratio"]
        ):
            return DumpFamily.PDF
    return DumpFamily.PLAIN


def _read_plain(lines: list[str], builder: DocumentBuilder, patterns: TextDumpPatterns) -> None:
    list_item = patterns.regex("list_item")
    for number, line in enumerate(lines, start=1):
        if line.strip():
            emit_paragraph(builder, ParagraphDraft.start(DumpLine(number, line)), list_item)


def read_text(data: bytes, path: Path) -> Document:
    """Read a plain-text dump of a report into the canonical Document.

    Args:
        data: the file's bytes (UTF-8, UTF-16 or legacy cp1258; any line endings).
        path: the file's path, used in messages only: the dump family is detected from the text.

    Raises:
        DocumentReadError: the bytes are empty, binary or not decodable as text.
    """
    text, encoding = decode_dump(data)
    text = strip_dump_frame(text)
    patterns = load_text_dump_patterns()
    family = detect_family(text, patterns)
    builder = DocumentBuilder("txt", encoding=encoding)
    lines = text.split("\n")
    if family is DumpFamily.POI:
        read_poi_dump(text, builder, patterns)
    elif family is DumpFamily.STUB:
        read_stub_dump(lines, builder, patterns)
    elif family is DumpFamily.PDF:
        read_pdf_dump(lines, builder, patterns)
    else:
        _read_plain(lines, builder, patterns)
    document = builder.build()
    if not document.text.strip():
        raise DocumentReadError(f"{path.name}: no text after reading the dump")
    return document
