"""PDF text extractions (001, 003): hard-wrapped lines, page-bottom footnote zones, references glued to words.

Empty lines carry no information (one follows nearly every text line), so pages, footnote zones and paragraphs
are reconstructed from the shapes described in seeds-structure.md §6.3.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field

import regex

from pipeline.readers.base import DocumentBuilder
from pipeline.readers.text_lines import DumpLine, ParagraphDraft, emit_paragraph
from pipeline.readers.text_patterns import TextDumpPatterns


@dataclass(slots=True)
class ZoneBody:
    """One footnote body found in a page's footnote zone."""

    number: int
    marker: str
    page: int
    lines: list[DumpLine] = field(default_factory=list)

    def raw(self) -> str:
        return _join_lines([line.strip() for line in self.lines])


@dataclass(slots=True)
class _Pages:
    body_lines: list[DumpLine]
    zone_lines: dict[int, list[DumpLine]]
    n_pages: int


def _join_lines(lines: list[DumpLine]) -> str:
    text = ""
    for index, line in enumerate(lines):
        separator = "" if index == 0 or lines[index - 1].glue_next else " "
        text += separator + line.text
    return text


def _split_pages(lines: list[str], patterns: TextDumpPatterns) -> _Pages:
    separator = patterns.regex("pdf_footnote_separator")
    page_start = patterns.regex("pdf_page_start")
    page = 1
    in_zone = False
    previous_non_blank = False
    blanks = 0
    body_lines: list[DumpLine] = []
    zone_lines: dict[int, list[DumpLine]] = {}
    for number, raw in enumerate(lines, start=1):
        if separator.search(raw):
            in_zone = True
            zone_lines.setdefault(page, [])
            previous_non_blank = False
            blanks = 0
            continue
        if not raw.strip():
            previous_non_blank = False
            blanks += 1
            continue
        if previous_non_blank and page_start.search(raw):
            page += 1
            in_zone = False
        previous_non_blank = True
        line = DumpLine(
            number,
            raw,
            page=page,
            glue_next=raw.endswith("-"),
            indent=len(raw) - len(raw.lstrip(" ")),
            gap=blanks,
        )
        blanks = 0
        (zone_lines[page] if in_zone else body_lines).append(line)
    return _Pages(body_lines, zone_lines, page)


def _zone_bodies(pages: _Pages, patterns: TextDumpPatterns) -> list[ZoneBody]:
    """Split every footnote zone into bodies; a new body must carry the next number in sequence."""
    start = patterns.regex("pdf_footnote_body_start")
    bodies: list[ZoneBody] = []
    for page, lines in sorted(pages.zone_lines.items()):
        for line in lines:
            match = start.search(line.text.lstrip())
            number = int(match.group("key")) if match else None
            expected = bodies[-1].number + 1 if bodies else None
            first_in_zone = line is lines[0]
            if match and number is not None and (number == expected or first_in_zone or expected is None):
                prefix = match.group(0)
                marker = f"({number})" if prefix.startswith("(") else str(number)
                text = line.text.lstrip()[len(prefix) :]
                first = DumpLine(line.number, text, page=page, glue_next=line.glue_next)
                bodies.append(ZoneBody(number, marker, page, [first]))
            elif bodies:
                bodies[-1].lines.append(line)
    return bodies


@dataclass(frozen=True, slots=True)
class _Candidate:
    line_index: int
    start: int
    end: int


def _find_reference(
    lines: list[DumpLine],
    cursor: tuple[int, int],
    body: ZoneBody,
    patterns: TextDumpPatterns,
    same_page_only: bool,
) -> _Candidate | None:
    """The first marker of ``body`` at or after ``cursor`` (line index, column)."""
    # the printed style of a reference need not match its body's ("Nhân dân11" has the body "(11)")
    finders = [
        patterns.template("pdf_ref_parenthesised", body.number),
        patterns.template("pdf_ref_after_letter", body.number),
        patterns.template("pdf_ref_after_year", body.number),
    ]
    unit_host = patterns.regex("pdf_ref_unit_host")
    line_index, column = cursor
    for index in range(line_index, len(lines)):
        line = lines[index]
        if same_page_only and line.page != body.page:
            if line.page is not None and line.page > body.page:
                break
            continue
        begin = column if index == line_index else 0
        found: list[_Candidate] = []
        for finder in finders:
            for match in finder.finditer(line.text, begin):
                if unit_host.search(line.text[: match.start("marker")]):
                    continue
                found.append(_Candidate(index, match.start("marker"), match.end("marker")))
                break
        if found:
            return min(found, key=lambda c: c.start)
    return None


def _cut_references(
    pages: _Pages, bodies: list[ZoneBody], patterns: TextDumpPatterns, builder: DocumentBuilder
) -> None:
    """Find each body's marker in the running text of its page (or later) and cut it out."""
    lines = pages.body_lines
    cursor = (0, 0)
    for body in bodies:
        page_lines = [i for i, line in enumerate(lines) if line.page == body.page]
        page_cursor = max(cursor, (page_lines[0], 0)) if page_lines else cursor
        candidate = _find_reference(lines, page_cursor, body, patterns, same_page_only=True)
        if candidate is None:
            candidate = _find_reference(lines, cursor, body, patterns, same_page_only=False)
        if candidate is None:
            builder.warnings.append(f"footnote {body.marker} (page {body.page}): reference not found in the text")
            continue
        line = lines[candidate.line_index]
        printed = line.text[candidate.start : candidate.end]
        marker = f"{printed})" if printed.startswith("(") and not printed.endswith(")") else printed
        line.cut(candidate.start, candidate.end, str(body.number), marker)
        cursor = (candidate.line_index, candidate.start)


def _all_caps(text: str) -> bool | None:
    letters = [c for c in text if c.isalpha()]
    if len(letters) < 2:
        return None
    return all(c.isupper() for c in letters if c.lower() != c.upper())


def _starts_paragraph(
    previous: DumpLine,
    line: DumpLine,
    short_line: float,
    min_gap: float,
    start: regex.Pattern[str],
    end: regex.Pattern[str],
) -> bool:
    if start.search(line.text) or line.gap >= min_gap:
        return True
    if end.search(previous.text) and len(previous.text) < short_line:
        return True
    if line.indent >= 2:
        return True
    previous_caps, caps = _all_caps(previous.text), _all_caps(line.text)
    return previous_caps is not None and caps is not None and previous_caps != caps


def read_pdf_dump(lines: list[str], builder: DocumentBuilder, patterns: TextDumpPatterns) -> None:
    """Read a PDF-style dump into ``builder``: pages, spliced paragraphs, page-bottom footnotes."""
    pages = _split_pages(lines, patterns)
    bodies = _zone_bodies(pages, patterns)
    _cut_references(pages, bodies, patterns, builder)
    builder.n_pages = pages.n_pages

    body_lines = [line.strip() for line in pages.body_lines]
    body_lines = [line for line in body_lines if line.text or line.refs]
    median = statistics.median(len(line.text) for line in body_lines) if body_lines else 0
    short_line = patterns.thresholds["pdf_short_line_ratio"] * median
    min_gap = patterns.thresholds["pdf_paragraph_gap_lines"]
    start = patterns.regex("pdf_paragraph_start")
    end = patterns.regex("pdf_paragraph_end")
    list_item = patterns.regex("list_item")

    draft: ParagraphDraft | None = None
    previous: DumpLine | None = None
    for line in body_lines:
        if draft is None or previous is None or _starts_paragraph(previous, line, short_line, min_gap, start, end):
            if draft is not None:
                emit_paragraph(builder, draft, list_item)
            draft = ParagraphDraft.start(line)
        else:
            draft.extend(line, "" if previous.glue_next else " ")
        previous = line
    if draft is not None:
        emit_paragraph(builder, draft, list_item)

    for body in bodies:
        builder.add_footnote_body(str(body.number), body.raw(), marker=body.marker, page=body.page)
