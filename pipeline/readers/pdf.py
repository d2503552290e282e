"""PDF reader: rebuilds paragraphs, footnotes and tables of a text PDF from its characters.

Characters come from PDFium (pypdfium2) with their origin and font size; superscript runs are
separated from the line before any word is formed, so footnote markers are cut out at their exact
position and exponents ("km2") stay in the text. The zone below the short footnote separator rule
holds footnote bodies, linked to references by their printed number and continued across pages.
Ruled tables are located with pdfplumber on the few pages that draw rules; borderless two-column
header/signature blocks are emitted as layout-table cells so their columns never interleave.

Characters drawn in legacy Vietnamese fonts (TCVN3 .VnTime, VNI-Times) are decoded per character
(pdf_chars). Pages without a text layer (scans) are read by OCR (pipeline.readers.ocr) when tesseract is
installed; otherwise they are skipped with a warning naming them and the reason.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path

import pypdfium2 as pdfium

from extractors.legacy import encoding_label
from extractors.model import BlockKind, Document
from extractors.sections import load_section_rules, match_label
from pipeline.readers.base import DocumentBuilder, DocumentReadError, RawRef
from pipeline.readers.ocr import OcrError, OcrPage, ocr_pdf_page, ocr_unavailable_reason
from pipeline.readers.pdf_chars import PageChars, PdfChar, Rule, Run, TextLine, group_lines, read_page

#: A footnote separator is a short horizontal rule starting at the left margin (LibreOffice: 1/4 of the
#: text width, ~113 pt); table rules span the column. Width bounds in pt.
SEPARATOR_WIDTH = (30.0, 250.0)
#: Running page numbers live in the top/bottom margin band, as a share of the page height.
PAGE_NUMBER_BAND = 0.08
#: Baseline distance, in em of the previous line, above which two lines belong to different paragraphs
#: (LibreOffice reports: 1.26 em inside a paragraph, 1.69 em between paragraphs).
PARAGRAPH_GAP_EM = 1.45
#: A line ending this many em before the right margin ends its paragraph (justified text fills it).
SHORT_LINE_EM = 1.5
#: A line starting this many em right of the previous one opens a paragraph (first-line indent).
INDENT_EM = 0.5
#: Lines join a layout block when the blank strip between them is under this many em (lines of one
#: cell touch; the paragraph before "Nơi nhận" is ~1 em away).
LAYOUT_LINE_GAP_EM = 0.6
#: Headings are short: longer bold paragraphs are body text with a bold run.
HEADING_MAX_CHARS = 200
#: Pages without a text layer OCR'd per document at most (~2 s each); the rest are skipped with a warning.
MAX_OCR_PAGES = 150

_PAGE_NUMBER = re.compile(r"^\W{0,2}\d{1,4}\W{0,2}$")
#: Superscript 2/3 after a length unit is an exponent (m2, km2, m3), not a footnote marker.
_EXPONENT_UNIT = re.compile(r"(?:^|[\d/.,(])(?:[kcdmh]?m)$")


@dataclass(slots=True)
class _Table:
    """A table (data or layout) placed in the reading order at its first character."""

    first_index: int
    page: int
    cells: list[tuple[int, int, list[TextLine]]]  # row, col, lines of the cell
    layout: bool
    source_lines: frozenset[int] = frozenset()  # ids of the page lines the table replaces


@dataclass(slots=True)
class _Page:
    number: int
    body: list[TextLine | _Table] = field(default_factory=list)
    notes: list[TextLine] = field(default_factory=list)
    ocr: OcrPage | None = None


def read_pdf(data: bytes, path: Path) -> Document:
    """Read a text PDF into a canonical :class:`Document`.

    Raises:
        DocumentReadError: not a PDF, encrypted, no pages, or no text layer on any page.
    """
    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        if "password" in reason.lower() and b"/Encrypt" in data:
            raise DocumentReadError(f"encrypted PDF: {reason}") from exc
        raise DocumentReadError(f"cannot open PDF: {reason}") from exc
    try:
        return _read(pdf, data, path)
    finally:
        pdf.close()


def _read(pdf: pdfium.PdfDocument, data: bytes, path: Path) -> Document:
    n_pages = len(pdf)
    if n_pages == 0:
        raise DocumentReadError("PDF has no pages")
    builder = DocumentBuilder(format="pdf", n_pages=n_pages)
    pages: list[_Page] = []
    plumber = None
    encodings: Counter[str] = Counter()
    ocr = _OcrState()
    try:
        for number in range(1, n_pages + 1):
            page = pdf[number - 1]
            textpage = page.get_textpage()
            try:
                chars = read_page(page.raw, textpage.raw, number)
                encodings.update(chars.encodings)
                if not any(c.text != " " for c in chars.chars):
                    pages.append(_Page(number, ocr=ocr.read(page, number, builder)))
                    continue
                tables: list[_Table] = []
                if _has_ruled_table(chars.rules):
                    if plumber is None:
                        plumber = _open_plumber(data)
                    try:
                        tables, chars = _ruled_tables(plumber, chars, textpage.raw)
                    except Exception as exc:  # a broken table must not lose the page's text
                        builder.warnings.append(f"page {number}: table detection failed ({type(exc).__name__})")
                pages.append(_layout_page(chars, tables, textpage.raw))
            finally:
                textpage.close()
                page.close()
    finally:
        if plumber is not None:
            plumber.close()
    ocr.warn_skipped(builder)
    if all(not p.body and not p.notes and not (p.ocr and p.ocr.paragraphs) for p in pages):
        why = f"; OCR unavailable: {ocr.unavailable}" if ocr.unavailable else ""
        raise DocumentReadError(f"no text layer in any of the {n_pages} pages (scanned PDF?){why}")
    builder.ocr = any(p.ocr is not None for p in pages)
    builder.encoding = encoding_label(encodings, unit="chars")
    _emit(builder, pages)
    return builder.build()


@dataclass(slots=True)
class _OcrState:
    """OCR of the pages without a text layer of one document: availability checked once, skips remembered."""

    unavailable: str | None = None
    checked: bool = False
    done: int = 0
    skipped: list[int] = field(default_factory=list)

    def read(self, page: pdfium.PdfPage, number: int, builder: DocumentBuilder) -> OcrPage | None:
        if not self.checked:
            self.unavailable, self.checked = ocr_unavailable_reason(), True
        if self.unavailable or self.done >= MAX_OCR_PAGES:
            self.skipped.append(number)
            return None
        self.done += 1
        try:
            result = ocr_pdf_page(page, number)
        except OcrError as exc:
            builder.warnings.append(f"page {number} has no text layer and OCR failed: {exc}")
            return None
        builder.warnings.append(
            f"page {number} has no text layer: OCR (tesseract), mean confidence {result.confidence:.1f}"
        )
        return result

    def warn_skipped(self, builder: DocumentBuilder) -> None:
        if not self.skipped:
            return
        why = self.unavailable or f"more than {MAX_OCR_PAGES} pages to OCR"
        builder.warnings.append(f"pages {_page_list(self.skipped)} have no text layer and were skipped: {why}")


def _page_list(numbers: list[int]) -> str:
    """ "1-3, 7" for [1, 2, 3, 7]."""
    spans: list[list[int]] = []
    for number in numbers:
        if spans and number == spans[-1][1] + 1:
            spans[-1][1] = number
        else:
            spans.append([number, number])
    return ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in spans)


def _open_plumber(data: bytes):  # type: ignore[no-untyped-def]
    import pdfplumber  # imported lazily: only pages with ruled tables need it

    return pdfplumber.open(BytesIO(data))


def _has_ruled_table(rules: list[Rule]) -> bool:
    vertical = sum(1 for r in rules if r.vertical and r.top - r.bottom > 8)
    horizontal = sum(1 for r in rules if r.horizontal)
    return vertical >= 2 and horizontal >= 2


def _ruled_tables(plumber, chars: PageChars, textpage) -> tuple[list[_Table], PageChars]:  # type: ignore[no-untyped-def]
    """Cells of the ruled tables of one page, filled with PDFium characters; returns the other characters."""
    plumber_page = plumber.pages[chars.number - 1]
    tables: list[_Table] = []
    taken: set[int] = set()
    for found in plumber_page.find_tables():
        rows = [row.cells for row in found.rows]
        if len(rows) < 2 or max(len(r) for r in rows) < 2:
            continue
        cells: list[tuple[int, int, list[TextLine]]] = []
        first_index: int | None = None
        for row_number, row in enumerate(rows):
            for col_number, bbox in enumerate(row):
                if bbox is None:
                    continue  # merged cell: emitted once, at its first row/col
                inside = [c for c in chars.chars if c.index not in taken and _in_box(c, bbox, chars.height)]
                taken.update(c.index for c in inside)
                if inside:
                    first_index = min(first_index or inside[0].index, inside[0].index)
                cells.append((row_number, col_number, group_lines(inside, chars.number, textpage)))
        if first_index is not None:
            tables.append(_Table(first_index, chars.number, cells, layout=False))
    rest = [c for c in chars.chars if c.index not in taken]
    return tables, PageChars(chars.number, chars.width, chars.height, rest, chars.rules)


def _in_box(char: PdfChar, bbox: tuple[float, float, float, float], height: float) -> bool:
    x0, top, x1, bottom = bbox
    middle = height - (char.y + 0.3 * (char.size or 10.0))
    return x0 <= char.x <= x1 and top <= middle <= bottom


def _layout_page(chars: PageChars, tables: list[_Table], textpage) -> _Page:  # type: ignore[no-untyped-def]
    separator = _separator_y(chars)
    body_chars = [c for c in chars.chars if separator is None or c.y > separator]
    lines = group_lines(body_chars, chars.number, textpage)
    notes: list[TextLine] = []
    if separator is not None:
        note_chars = [c for c in chars.chars if c.y < separator]
        notes = group_lines(note_chars, chars.number, textpage)
    lines = [line for line in lines if not _is_page_number(line, chars.height)]
    items: list[TextLine | _Table] = [*tables, *_layout_tables(lines, chars.number)]
    replaced = {line_id for table in items for line_id in table.source_lines}  # type: ignore[union-attr]
    items.extend(line for line in lines if id(line) not in replaced)
    items.sort(key=lambda item: item.first_index)
    return _Page(chars.number, items, notes)


def _separator_y(chars: PageChars) -> float | None:
    """Top of the footnote separator rule, if the page has one."""
    candidates = [
        rule
        for rule in chars.rules
        if rule.horizontal
        and SEPARATOR_WIDTH[0] <= rule.right - rule.left <= SEPARATOR_WIDTH[1]
        and any(c.y < rule.bottom and c.text != " " for c in chars.chars)
    ]
    if not candidates:
        return None
    lowest = min(candidates, key=lambda r: r.bottom)
    return lowest.top


def _is_page_number(line: TextLine, height: float) -> bool:
    in_band = line.baseline > height * (1 - PAGE_NUMBER_BAND) or line.baseline < height * PAGE_NUMBER_BAND
    return in_band and _PAGE_NUMBER.match(line.text.strip()) is not None


def _layout_tables(lines: list[TextLine], page: int) -> list[_Table]:
    """Borderless side-by-side blocks (agency | motto, Nơi nhận | signature) as 2-column layout tables."""
    boxes = [(line, seg) for line in lines for seg in line.segments]
    partners: set[int] = set()
    for i, (line_a, seg_a) in enumerate(boxes):
        for line_b, seg_b in boxes[i + 1 :]:
            overlap = min(line_a.top, line_b.top) - max(line_a.bottom, line_b.bottom)
            apart = seg_a[1] + line_a.size * 0.5 < seg_b[0] or seg_b[1] + line_b.size * 0.5 < seg_a[0]
            if overlap > 0.3 * min(line_a.size, line_b.size) and apart:
                partners.update((id(line_a), id(line_b)))
    if not partners:
        return []
    positions = [i for i, line in enumerate(lines) if id(line) in partners]
    tables: list[_Table] = []
    for start, end in _runs(positions):
        split = _column_split(lines[start : end + 1])
        if split is None:
            continue
        # the top of a cell ("Nơi nhận:") can sit above the first side-by-side pair; below the block
        # comes body text ("DỰ THẢO"), touching the last row just as closely, so extend upwards only
        while start > 0 and _joins_band(lines[start - 1], lines[start], split):
            start -= 1
        band = lines[start : end + 1]
        table = _split_layout(band, page)
        if table is not None:
            tables.append(table)
    return tables


def _runs(positions: list[int]) -> list[tuple[int, int]]:
    """Group sorted line positions into runs; layout lines of one block are near each other in the stream."""
    runs: list[tuple[int, int]] = []
    for position in positions:
        if runs and position - runs[-1][1] <= 30:
            runs[-1] = (runs[-1][0], position)
        else:
            runs.append((position, position))
    return runs


def _joins_band(upper: TextLine, lower: TextLine, split: float) -> bool:
    """The line above a layout block belongs to it when it keeps to one column and touches it."""
    one_column = upper.x1 <= split or upper.x0 >= split
    return one_column and upper.bottom - lower.top < LAYOUT_LINE_GAP_EM * min(upper.size, lower.size)


def _column_split(band: list[TextLine]) -> float | None:
    """x of the widest vertical blank strip between the segments of a band (None: no two columns)."""
    spans = sorted((seg for line in band for seg in line.segments), key=lambda s: s[0])
    merged: list[list[float]] = []
    for x0, x1 in spans:
        if merged and x0 <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], x1)
        else:
            merged.append([x0, x1])
    if len(merged) < 2:
        return None
    gaps = [(merged[i + 1][0] - merged[i][1], merged[i + 1][0]) for i in range(len(merged) - 1)]
    return max(gaps)[1]


def _split_layout(band: list[TextLine], page: int) -> _Table | None:
    split = _column_split(band)
    if split is None:
        return None
    cuts = _row_cuts(band)
    cells: dict[tuple[int, int], list[TextLine]] = {}
    for line in band:
        row = sum(1 for cut in cuts if line.baseline < cut)
        for part in _split_line(line, split):
            col = 0 if part.x0 < split else 1
            cells.setdefault((row, col), []).append(part)
    ordered = [(row, col, parts) for (row, col), parts in sorted(cells.items())]
    return _Table(band[0].first_index, page, ordered, layout=True, source_lines=frozenset(map(id, band)))


def _row_cuts(band: list[TextLine]) -> list[float]:
    """Heights where a horizontal blank strip crosses the whole band: row boundaries."""
    ordered = sorted(band, key=lambda line: -line.top)
    cuts: list[float] = []
    lowest = ordered[0].bottom
    for line in ordered[1:]:
        if lowest - line.top > 0.4 * line.size:
            cuts.append((lowest + line.top) / 2)
        lowest = min(lowest, line.bottom)
    return cuts


def _split_line(line: TextLine, split: float) -> list[TextLine]:
    """Cut a line that holds both columns (same baseline) at the column split."""
    if line.x0 >= split or line.x1 <= split:
        return [line]
    left = [run for run in line.runs if run.x0 < split]
    right = [run for run in line.runs if run.x0 >= split]
    if not left or not right:
        return [line]
    return [
        TextLine(line.page, left, line.baseline, line.size, line.x0, split, line.first_index, line.bold),
        TextLine(line.page, right, line.baseline, line.size, split, line.x1, line.first_index, line.bold),
    ]


# --- from lines to blocks -------------------------------------------------------------------------------


@dataclass(slots=True)
class _Text:
    """Raw text of a block under construction, with the footnote references cut out of it."""

    raw: str = ""
    refs: list[RawRef] = field(default_factory=list)

    def add_line(self, line: TextLine, *, leading_marker: bool = False) -> str | None:
        """Append a line; returns the leading superscript marker of the line when asked to cut it."""
        marker: str | None = None
        runs = list(line.runs)
        if leading_marker and runs and runs[0].superscript:
            marker = runs.pop(0).text.strip()
        if self.raw and runs and not _joins_tight(self.raw, runs):
            self.raw += " "
        after_ref = False
        for run in runs:
            if not run.superscript:
                text = run.text
                if after_ref and self.raw.endswith("(") and text.lstrip().startswith(")"):
                    text = text.lstrip()  # "(" marker " )": keep the empty parentheses tight so they unwrap
                self.raw += text
                after_ref = False
                continue
            digits = run.text.strip()
            token = self.raw.rsplit(None, 1)[-1] if self.raw.strip() else ""
            if digits in ("2", "3") and _EXPONENT_UNIT.search(token):
                self.raw += digits
            elif digits:
                key = re.sub(r"\D", "", digits) or digits
                if self.raw.rstrip().endswith("("):
                    self.raw = self.raw.rstrip()  # PDFium may put a generated space between "(" and the marker
                self.refs.append(RawRef(len(self.raw), key, digits, line.page))
                after_ref = True
        return marker


def _joins_tight(raw: str, runs: list[Run]) -> bool:
    """Whether a wrapped line continues the previous one without a space.

    A token-internal hyphen at the line end ("57-" + "NQ/TW") and a line that opens with a bare
    "(marker)" (LibreOffice breaks before "(", the Word text has "44,1%(50),") join tightly.
    """
    if raw.endswith("-") and len(raw) > 1 and not raw[-2].isspace():
        return True
    return runs[0].text.strip() == "(" and len(runs) > 1 and runs[1].superscript


def _emit(builder: DocumentBuilder, pages: list[_Page]) -> None:
    body_lines = [item for page in pages for item in page.body if isinstance(item, TextLine)]
    left, right = _margins(body_lines)
    paragraph: list[TextLine] = []
    # Data tables are numbered first and layout tables after them, as the docx and text readers do,
    # so a table has the same table_id whatever format the report came in.
    tables = [item for page in pages for item in page.body if isinstance(item, _Table)]
    data_count = sum(1 for table in tables if not table.layout)
    next_id = {False: 0, True: data_count}
    for page in pages:
        if page.ocr is not None:
            _flush(builder, paragraph)
            paragraph = []
            _emit_ocr(builder, page.ocr)
        for item in page.body:
            if isinstance(item, _Table):
                _flush(builder, paragraph)
                paragraph = []
                _emit_table(builder, item, next_id[item.layout])
                next_id[item.layout] += 1
                continue
            if paragraph and _starts_paragraph(paragraph[-1], item, left, right):
                _flush(builder, paragraph)
                paragraph = []
            paragraph.append(item)
    _flush(builder, paragraph)
    _emit_footnotes(builder, pages)


def _margins(lines: list[TextLine]) -> tuple[float, float]:
    if not lines:
        return 0.0, 0.0
    left = Counter(round(line.x0) for line in lines).most_common(1)[0][0]
    right = Counter(round(line.x1) for line in lines).most_common(1)[0][0]
    return float(left), float(right)


def _starts_paragraph(previous: TextLine, line: TextLine, left: float, right: float) -> bool:
    if abs(previous.size - line.size) > 0.5 or previous.bold != line.bold:
        return True
    previous_text = previous.body_text.rstrip()
    if previous_text.endswith("-") and len(previous_text) > 1 and not previous_text[-2].isspace():
        return False
    if line.page == previous.page and previous.baseline - line.baseline > PARAGRAPH_GAP_EM * previous.size:
        return True
    if _centred(previous, left, right) and _centred(line, left, right):
        return False  # a centred title wraps onto centred lines
    if previous.x1 < right - SHORT_LINE_EM * previous.size:
        return True
    indented = line.x0 > previous.x0 + INDENT_EM * line.size and line.x0 > left + INDENT_EM * line.size
    return indented or (line.page == previous.page and line.baseline > previous.baseline)


def _centred(line: TextLine, left: float, right: float) -> bool:
    margin = line.x0 - left
    return margin > 2.0 and abs(margin - (right - line.x1)) < line.size


def _flush(builder: DocumentBuilder, lines: list[TextLine]) -> None:
    if not lines:
        return
    text = _Text()
    for line in lines:
        text.add_line(line)
    stripped = text.raw.strip()
    bold = sum(1 for line in lines if line.bold) * 2 > len(lines)
    if (
        bold
        and len(stripped) <= HEADING_MAX_CHARS
        and (match_label(stripped, load_section_rules()) or _is_caps(stripped))
    ):
        kind = BlockKind.HEADING
    elif load_section_rules().bullet.search(stripped):
        kind = BlockKind.LIST_ITEM
    else:
        kind = BlockKind.PARAGRAPH
    size = Counter(line.size for line in lines).most_common(1)[0][0]
    builder.add_block(kind, text.raw, refs=text.refs, page=lines[0].page, font_size=round(size, 1), bold=bold)


def _emit_ocr(builder: DocumentBuilder, page: OcrPage) -> None:
    """Paragraphs tesseract found on a scanned page; OCR gives no bold, so only short all-caps lines are headings."""
    for paragraph in page.paragraphs:
        text = paragraph.text.strip()
        if _is_caps(text) and len(text) <= HEADING_MAX_CHARS:
            kind = BlockKind.HEADING
        elif load_section_rules().bullet.search(text):
            kind = BlockKind.LIST_ITEM
        else:
            kind = BlockKind.PARAGRAPH
        builder.add_block(
            kind, text, page=page.number, source_layer="ocr", ocr_confidence=round(paragraph.confidence, 1)
        )


def _is_caps(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and all(c.isupper() for c in letters)


def _emit_table(builder: DocumentBuilder, table: _Table, table_id: int) -> None:
    for row, col, lines in table.cells:
        text = _Text()
        for line in lines:
            text.add_line(line)
        size = round(lines[0].size, 1) if lines else None
        builder.add_block(
            BlockKind.TABLE_CELL,
            text.raw,
            refs=text.refs,
            page=table.page,
            font_size=size,
            table_id=table_id,
            row=row,
            col=col,
            layout_table=table.layout,
        )


def _emit_footnotes(builder: DocumentBuilder, pages: list[_Page]) -> None:
    """Bodies start at a line led by a superscript number; other zone lines continue the current body."""
    bodies: dict[str, tuple[_Text, str, int]] = {}
    current: _Text | None = None
    for page in pages:
        for line in page.notes:
            starts = bool(line.runs) and line.runs[0].superscript and line.runs[0].text.strip() != ""
            if starts or current is None:
                marker = line.runs[0].text.strip() if starts else "?"
                key = re.sub(r"\D", "", marker) or marker
                if key in bodies:
                    builder.warnings.append(f"footnote {key!r} printed twice (page {page.number})")
                    key = f"{key}@{page.number}"
                current = _Text()
                bodies[key] = (current, marker, page.number)
                if not starts:
                    builder.warnings.append(f"footnote zone of page {page.number} starts without a marker")
            current.add_line(line, leading_marker=starts)
    for key, (text, marker, page_number) in bodies.items():
        builder.add_footnote_body(key, text.raw, marker=marker, page=page_number)
