"""POI-style dumps of Word files (000, 004): inline footnote markup, one paragraph per line, TAB-prefixed cells."""

from __future__ import annotations

from dataclasses import dataclass, field

import regex

from extractors.model import BlockKind
from pipeline.readers.base import DocumentBuilder, RawRef
from pipeline.readers.text_lines import DumpLine, ParagraphDraft, emit_paragraph
from pipeline.readers.text_patterns import TextDumpPatterns


@dataclass(frozen=True, slots=True)
class InlineBody:
    key: str
    raw: str


@dataclass(slots=True)
class _Cell:
    lines: list[DumpLine] = field(default_factory=list)

    def draft(self) -> ParagraphDraft:
        draft = ParagraphDraft.start(self.lines[0].strip())
        for line in self.lines[1:]:
            draft.extend(line.strip(), " ")
        return draft


@dataclass(slots=True)
class _Table:
    rows: list[list[_Cell]]


def extract_inline_bodies(text: str, patterns: TextDumpPatterns) -> tuple[str, list[InlineBody]]:
    """Cut every "[N: ...]" body out of ``text``.

    The closing bracket is found with a depth counter because bodies hold brackets of their own; newlines inside a
    body are kept in the returned text so that line numbers stay those of the raw dump.

    Returns:
        The text without bodies, and the bodies in order of appearance (prefix "() " removed).
    """
    opener = patterns.regex("poi_footnote_body_open")
    prefix = patterns.regex("poi_footnote_body_prefix")
    pieces: list[str] = []
    bodies: list[InlineBody] = []
    position = 0
    while match := opener.search(text, position):
        depth = 0
        end = len(text)
        for index in range(match.start(), len(text)):
            char = text[index]
            if char == "[":
                depth += 1
            elif char == "]":
                depth -= 1
                if depth == 0:
                    end = index + 1
                    break
        if depth:
            # an unclosed body runs to the end of its line: never swallow the rest of the document
            line_end = text.find("\n", match.start())
            end = len(text) if line_end < 0 else line_end
            inner = text[match.end() : end]
        else:
            inner = text[match.end() : end - 1]
        pieces.append(text[position : match.start()])
        pieces.append("\n" * text.count("\n", match.start(), end))
        bodies.append(InlineBody(match.group("key"), prefix.sub("", inner, count=1)))
        position = end
    pieces.append(text[position:])
    return "".join(pieces), bodies


def _clean_lines(text: str, patterns: TextDumpPatterns) -> list[DumpLine]:
    bookmark = patterns.regex("poi_bookmark")
    reference = patterns.regex("poi_footnote_ref")
    lines = []
    for number, raw in enumerate(text.split("\n"), start=1):
        line = DumpLine(number, raw)
        line.cut_all(bookmark, as_ref=False)
        line.cut_all(reference, as_ref=True)
        lines.append(line)
    return lines


def _is_blank(line: DumpLine) -> bool:
    return not line.text.strip() and not line.refs and not line.text.startswith("\t")


def _table_starts_at_file_start(lines: list[DumpLine], cell: regex.Pattern[str]) -> bool:
    """The first cell of a header table opening the file has no TAB (the file's leading space replaced it)."""
    for line in lines:
        if _is_blank(line):
            return False
        if cell.search(line.text):
            return True
    return False


def _read_table(
    lines: list[DumpLine], start: int, cell_pattern: regex.Pattern[str], first_cell_without_tab: bool
) -> tuple[_Table, int]:
    """Read table rows from ``lines[start]``; returns the table and the index of the first line after it."""
    rows: list[list[_Cell]] = []
    row: list[_Cell] = []
    blanks = 0
    index = start
    while index < len(lines):
        line = lines[index]
        if _is_blank(line):
            if row:
                rows.append(row)
                row = []
            blanks += 1
            index += 1
            if blanks >= 2:
                break
            continue
        if cell_pattern.search(line.text) or (index == start and first_cell_without_tab):
            row.append(_Cell([line]))
        elif row and blanks == 0:
            row[-1].lines.append(line)
        else:
            break
        blanks = 0
        index += 1
    if row:
        rows.append(row)
    return _Table(rows), index


def read_poi_dump(text: str, builder: DocumentBuilder, patterns: TextDumpPatterns) -> None:
    """Read a POI-style dump into ``builder``: paragraphs, tables, inline footnotes."""
    text, bodies = extract_inline_bodies(text, patterns)
    lines = _clean_lines(text, patterns)
    cell_pattern = patterns.regex("poi_table_cell")
    cell_in_table = patterns.regex("poi_table_cell_in_table")
    layout_cue = patterns.regex("layout_table_cue")
    list_item = patterns.regex("list_item")

    items: list[ParagraphDraft | _Table] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        file_start_table = index == 0 and _table_starts_at_file_start(lines, cell_pattern)
        if cell_pattern.search(line.text) or file_start_table:
            table, index = _read_table(lines, index, cell_in_table, file_start_table)
            # one-cell rows before the first real row are captions/indented paragraphs, not table rows (000 L53)
            while table.rows and len(table.rows[0]) == 1:
                items.append(table.rows.pop(0)[0].draft())
            if table.rows:
                items.append(table)
            continue
        if line.text.strip() or line.refs:
            items.append(ParagraphDraft.start(line))
        index += 1

    def is_layout(table: _Table) -> bool:
        return any(layout_cue.search(cell.draft().raw.strip()) for row in table.rows for cell in row)

    tables = [item for item in items if isinstance(item, _Table)]
    data_tables = [t for t in tables if not is_layout(t)]
    layout_tables = [t for t in tables if is_layout(t)]
    # data tables are numbered first (the contract counts data tables in order); layout tables follow
    table_ids = {id(t): i for i, t in enumerate(data_tables + layout_tables)}

    for item in items:
        if isinstance(item, ParagraphDraft):
            emit_paragraph(builder, item, list_item)
            continue
        layout = is_layout(item)
        for row_index, row in enumerate(item.rows):
            for col_index, cell in enumerate(row):
                draft = cell.draft()
                builder.add_block(
                    BlockKind.TABLE_CELL,
                    draft.raw,
                    refs=[RawRef(r.offset, r.key, r.marker, r.page) for r in draft.refs],
                    table_id=table_ids[id(item)],
                    row=row_index,
                    col=col_index,
                    layout_table=layout,
                    source_line=draft.first_line,
                )
    for body in bodies:
        builder.add_footnote_body(body.key, body.raw, marker=body.key)
