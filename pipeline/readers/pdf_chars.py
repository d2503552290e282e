"""Character-level page reading for the PDF reader, on pypdfium2's raw PDFium bindings.

PDFium gives every character with its origin and font size in a few microseconds, which is what makes
the PDF reader fast; pdfplumber is only used for pages that draw a ruled table. This module turns one
page into typed records: characters in content-stream order, drawn rules, and text lines whose
superscript runs (footnote markers, exponents) are kept apart from the characters of the line, so
that a marker can never be glued onto the number before it.
"""

from __future__ import annotations

import ctypes
from collections import Counter
from dataclasses import dataclass, field

import pypdfium2.raw as pdfium_c

from extractors.legacy import (
    TCVN3,
    FontEncoding,
    LegacyTables,
    decode_legacy,
    font_encoding,
    load_legacy_tables,
    tcvn3_hyphen_is_u_horn,
)

#: PDFium marks a hyphen that ends a line as U+0002 (GetUnicode) or U+FFFE (GetText).
_LINE_END_HYPHENS = frozenset("\x02\ufffe")
_SPACES = frozenset(" \u00a0\t\u2002\u2003\u2009\u202f")
_SKIPPED = frozenset("\r\n\x00\ufeff")

#: A character starts a new line when its baseline moves by more than this share of the line's font
#: size: a raised footnote marker sits ~0.4 em above the baseline, the next line ~1.15 em or more below.
NEW_LINE_BASELINE_SHIFT = 0.75
#: A raised run is superscript when it is at most this share of the line's size (markers are 0.58 em,
#: footnote-zone text next to the body is 0.79 em but sits on its own lines).
SUPERSCRIPT_MAX_SIZE_RATIO = 0.8
#: ... and its baseline is raised by at least this share of the line's size.
SUPERSCRIPT_MIN_RISE = 0.15
#: Horizontal jump between two character origins (in em) that splits a line into side-by-side segments;
#: a justified word space stays under ~2.5 em, the gap between two layout-table columns is far wider.
SEGMENT_GAP_EM = 3.5
#: Rules thinner than this (pt) are lines, not filled boxes.
RULE_MAX_THICKNESS = 2.0


@dataclass(frozen=True, slots=True)
class PdfChar:
    """One visible character (or a space) in content-stream order; y is the baseline, PDF space."""

    text: str
    x: float
    y: float
    size: float
    index: int


@dataclass(frozen=True, slots=True)
class Rule:
    """A thin drawn path: a table ruling or a footnote separator (PDF coordinates)."""

    left: float
    bottom: float
    right: float
    top: float

    @property
    def horizontal(self) -> bool:
        return self.top - self.bottom <= RULE_MAX_THICKNESS and self.right - self.left > self.top - self.bottom

    @property
    def vertical(self) -> bool:
        return self.right - self.left <= RULE_MAX_THICKNESS and self.top - self.bottom > self.right - self.left


@dataclass(slots=True)
class Run:
    """Consecutive characters of a line with the same superscript status."""

    text: str
    superscript: bool
    x0: float
    size: float


@dataclass(slots=True)
class TextLine:
    """One text line: its runs, geometry and style."""

    page: int
    runs: list[Run]
    baseline: float
    size: float
    x0: float
    x1: float
    first_index: int
    bold: bool = False
    segments: list[tuple[float, float]] = field(default_factory=list)

    @property
    def text(self) -> str:
        """Plain text with superscripts kept inline (for classification only)."""
        return "".join(run.text for run in self.runs)

    @property
    def body_text(self) -> str:
        """Text without superscript runs."""
        return "".join(run.text for run in self.runs if not run.superscript)

    @property
    def top(self) -> float:
        return self.baseline + 0.8 * self.size

    @property
    def bottom(self) -> float:
        return self.baseline - 0.25 * self.size


@dataclass(slots=True)
class PageChars:
    """Everything the reader needs from one page."""

    number: int
    width: float
    height: float
    chars: list[PdfChar]
    rules: list[Rule]
    #: encoding -> characters with letters read in it ("utf-8", "tcvn3", "vni"); empty when no legacy font.
    encodings: Counter[str] = field(default_factory=Counter)


def read_page(page: pdfium_c.FPDF_PAGE, textpage: pdfium_c.FPDF_TEXTPAGE, number: int) -> PageChars:
    """Characters and rules of one page; cost is two C calls per visible character."""
    width = pdfium_c.FPDF_GetPageWidthF(page)
    height = pdfium_c.FPDF_GetPageHeightF(page)
    count = pdfium_c.FPDFText_CountChars(textpage)
    chars: list[PdfChar] = []
    if count > 0:
        buffer = (ctypes.c_ushort * (count + 1))()
        pdfium_c.FPDFText_GetText(textpage, 0, count, ctypes.cast(buffer, ctypes.POINTER(ctypes.c_ushort)))
        x, y = ctypes.c_double(), ctypes.c_double()
        x_ref, y_ref = ctypes.byref(x), ctypes.byref(y)
        get_origin = pdfium_c.FPDFText_GetCharOrigin
        get_size = pdfium_c.FPDFText_GetFontSize
        last_x = last_y = 0.0
        for index, code in enumerate(buffer[:count]):
            char = chr(code)
            if char in _SKIPPED:
                continue
            if char in _SPACES:
                chars.append(PdfChar(" ", last_x, last_y, 0.0, index))
                continue
            if char in _LINE_END_HYPHENS:
                char = "-"
            get_origin(textpage, index, x_ref, y_ref)
            last_x, last_y = x.value, y.value
            chars.append(PdfChar(char, last_x, last_y, get_size(textpage, index), index))
    encodings: Counter[str] = Counter()
    if chars and _page_has_legacy_font(page):
        chars = decode_legacy_chars(chars, textpage, encodings)
    return PageChars(number, width, height, chars, _page_rules(page), encodings)


def _font_name(textpage: pdfium_c.FPDF_TEXTPAGE, index: int) -> str:
    name = ctypes.create_string_buffer(256)
    pdfium_c.FPDFText_GetFontInfo(textpage, index, name, 256, None)
    return name.value.decode("latin-1")


def _page_has_legacy_font(page: pdfium_c.FPDF_PAGE, tables: LegacyTables | None = None) -> bool:
    """Whether a text object of the page uses a TCVN3/VNI font (checked per object, so cheap for normal pages)."""
    tables = tables or load_legacy_tables()
    buffer = ctypes.create_string_buffer(256)
    names: set[bytes] = set()
    for position in range(pdfium_c.FPDFPage_CountObjects(page)):
        obj = pdfium_c.FPDFPage_GetObject(page, position)
        if pdfium_c.FPDFPageObj_GetType(obj) != pdfium_c.FPDF_PAGEOBJ_TEXT:
            continue
        font = pdfium_c.FPDFTextObj_GetFont(obj)
        if not font:
            continue
        pdfium_c.FPDFFont_GetBaseFontName(font, buffer, 256)
        names.add(buffer.value)
    return any(font_encoding(name.decode("latin-1"), tables) for name in names)


def decode_legacy_chars(
    chars: list[PdfChar], textpage: pdfium_c.FPDF_TEXTPAGE, encodings: Counter[str], tables: LegacyTables | None = None
) -> list[PdfChar]:
    """Decode the characters drawn in legacy Vietnamese fonts; a VNI mark code merges into the letter before it.

    Args:
        chars: characters of one page in stream order.
        textpage: the page's text page, to read each character's font name.
        encodings: counter updated with the encoding of every letter ("utf-8" for Unicode fonts).
    """
    tables = tables or load_legacy_tables()
    by_font: dict[str, FontEncoding | None] = {}
    out: list[PdfChar] = []
    previous_encoding: FontEncoding | None = None
    for position, char in enumerate(chars):
        if char.text == " ":
            out.append(char)
            previous_encoding = None
            continue
        name = _font_name(textpage, char.index)
        if name not in by_font:
            by_font[name] = font_encoding(name, tables)
        encoding = by_font[name]
        if char.text.isalpha():
            encodings[encoding.encoding if encoding else "utf-8"] += 1
        if (
            encoding is not None
            and encoding.encoding == TCVN3
            and char.text == "-"
            and 0 < position < len(chars) - 1
            and tcvn3_hyphen_is_u_horn(chars[position - 1].text, chars[position + 1].text, tables)
        ):
            char = PdfChar("\u00ad", char.x, char.y, char.size, char.index)  # the code of ư, shown as a hyphen
        if encoding is None:
            out.append(char)
        elif (
            encoding == previous_encoding
            and out
            and len(merged := decode_legacy(out[-1].text + char.text, encoding, tables)) == 1
        ):
            out[-1] = PdfChar(merged, out[-1].x, out[-1].y, out[-1].size, out[-1].index)
        else:
            out.append(PdfChar(decode_legacy(char.text, encoding, tables), char.x, char.y, char.size, char.index))
        previous_encoding = encoding
    return out


def _page_rules(page: pdfium_c.FPDF_PAGE) -> list[Rule]:
    rules: list[Rule] = []
    left, bottom, right, top = (ctypes.c_float() for _ in range(4))
    for position in range(pdfium_c.FPDFPage_CountObjects(page)):
        obj = pdfium_c.FPDFPage_GetObject(page, position)
        if pdfium_c.FPDFPageObj_GetType(obj) != pdfium_c.FPDF_PAGEOBJ_PATH:
            continue
        if not pdfium_c.FPDFPageObj_GetBounds(
            obj, ctypes.byref(left), ctypes.byref(bottom), ctypes.byref(right), ctypes.byref(top)
        ):
            continue
        rule = Rule(left.value, bottom.value, right.value, top.value)
        if rule.horizontal or rule.vertical:
            rules.append(rule)
    return rules


def group_lines(chars: list[PdfChar], page: int, textpage: pdfium_c.FPDF_TEXTPAGE | None = None) -> list[TextLine]:
    """Group characters (in stream order) into lines and split each line into normal/superscript runs.

    Args:
        chars: characters of one zone of one page, in content-stream order.
        page: 1-based page number stored on the lines.
        textpage: when given, used to read the font name (bold) and the right edge of each line.
    """
    groups: list[list[PdfChar]] = []
    current: list[PdfChar] = []
    reference_y = reference_size = 0.0
    previous: PdfChar | None = None
    for char in chars:
        if char.text == " ":
            if current:
                current.append(char)
            continue
        if previous is not None:
            shift = abs(char.y - reference_y)
            moved_back = char.x < previous.x - 0.5 * char.size and shift > 1.0
            if shift > NEW_LINE_BASELINE_SHIFT * max(reference_size, char.size) or moved_back:
                groups.append(current)
                current = []
                reference_size = 0.0
        if char.size > reference_size:
            reference_y, reference_size = char.y, char.size
        current.append(char)
        previous = char
    if current:
        groups.append(current)
    return [line for group in groups if (line := _make_line(group, page, textpage)) is not None]


def _make_line(group: list[PdfChar], page: int, textpage: pdfium_c.FPDF_TEXTPAGE | None) -> TextLine | None:
    while group and group[-1].text == " ":
        group.pop()
    visible = [c for c in group if c.text != " "]
    if not visible:
        return None
    size = max(c.size for c in visible)
    baseline = next(c.y for c in visible if c.size == size)
    runs: list[Run] = []
    segments: list[tuple[float, float]] = []
    segment_start = visible[0].x
    previous: PdfChar | None = None
    for char in group:
        gap = False
        if char.text == " ":
            superscript = False  # a space after a marker separates words; it must not vanish with the marker
        else:
            superscript = (
                char.size <= SUPERSCRIPT_MAX_SIZE_RATIO * size and char.y - baseline >= SUPERSCRIPT_MIN_RISE * size
            )
            if previous is not None and char.x - previous.x > SEGMENT_GAP_EM * size:
                segments.append((segment_start, previous.x + 0.5 * previous.size))
                segment_start = char.x
                gap = True
            previous = char
        if runs and runs[-1].superscript == superscript and not gap:
            runs[-1].text += char.text
        else:
            runs.append(Run(char.text, superscript, char.x, char.size))
    last = visible[-1]
    x1 = last.x + 0.5 * last.size
    bold = False
    if textpage is not None:
        x1 = _right_edge(textpage, last.index, x1)
        bold = _is_bold(textpage, visible[0].index) and _is_bold(textpage, last.index)
    segments.append((segment_start, x1))
    return TextLine(page, runs, baseline, size, visible[0].x, x1, group[0].index, bold, segments)


def _right_edge(textpage: pdfium_c.FPDF_TEXTPAGE, index: int, fallback: float) -> float:
    left, right, bottom, top = (ctypes.c_double() for _ in range(4))
    if pdfium_c.FPDFText_GetCharBox(
        textpage, index, ctypes.byref(left), ctypes.byref(right), ctypes.byref(bottom), ctypes.byref(top)
    ):
        return right.value
    return fallback


def _is_bold(textpage: pdfium_c.FPDF_TEXTPAGE, index: int) -> bool:
    name = ctypes.create_string_buffer(256)
    pdfium_c.FPDFText_GetFontInfo(textpage, index, name, 256, None)
    lowered = name.value.decode("latin-1").lower()
    return "bold" in lowered or "black" in lowered or pdfium_c.FPDFText_GetFontWeight(textpage, index) >= 600
