"""Per-document stages after reading: segment (outline, footnotes, tables, sentences) and extract (mentions).

Each function takes the canonical Document plus what earlier stages produced and returns table rows;
there is no I/O here, so the same code runs in `chiso run`, in a pool worker and on a Dask worker.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass, replace
from typing import Any

from extractors.doc_meta import DocMeta
from extractors.lexicon import Lexicon
from extractors.mentions import extract_mentions, pieces_hits, stated_period
from extractors.model import NON_BODY_KINDS, Block, BlockKind, Document, ExtractionContext, MentionMatch
from extractors.periods import PeriodScope, operation_start, period_before, section_default
from extractors.rules import fold
from extractors.sections import Outline, Section, SectionRules, build_outline, section_at
from extractors.sentences import split_sentences
from extractors.tables import GROUP_SEPARATOR, Cell, TableRules, data_tables
from pipeline.ids import mention_id_for

#: Block kinds whose text is read for mentions (table cells are read through their headers instead).
_PROSE_KINDS = frozenset({BlockKind.PARAGRAPH, BlockKind.LIST_ITEM, BlockKind.HEADING, BlockKind.FOOTNOTE_BODY})


@dataclass(slots=True)
class Segmentation:
    outline: Outline
    tables: list[list[Cell]]
    sentences: list[tuple[int, int, Block]]


def segment(document: Document, section_rules: SectionRules, table_rules: TableRules) -> Segmentation:
    outline = build_outline(document, section_rules)
    tables = data_tables(document, table_rules)
    sentences: list[tuple[int, int, Block]] = []
    for block in document.blocks:
        if block.kind not in _PROSE_KINDS:
            continue
        for start, end in split_sentences(document.text, block.start, block.end):
            sentences.append((start, end, block))
    return Segmentation(outline, tables, sentences)


def section_rows(doc_id: str, outline: Outline) -> list[dict[str, Any]]:
    return [
        {
            "doc_id": doc_id,
            "section_id": s.section_id,
            "parent_id": s.parent_id,
            "depth": s.depth,
            "label": s.label,
            "title": s.title,
            "path": s.path,
            "kind": str(s.kind),
            "is_plan_part": s.is_plan_part,
            "char_start": s.char_start,
            "char_end": s.char_end,
            "label_type": s.label_type or None,
            "front_matter_end": outline.front_matter_end,
            "back_matter_start": outline.back_matter_start,
        }
        for s in outline.sections
    ]


def table_rows(doc_id: str, tables: list[list[Cell]]) -> list[dict[str, Any]]:
    return [
        {
            "doc_id": doc_id,
            "table_id": c.table_id,
            "row": c.row,
            "col": c.col,
            "text": c.text,
            "row_header": c.row_header,
            "col_header": c.col_header,
            "unit": c.unit,
            "page": c.page,
            "char_start": c.start,
            "char_end": c.end,
            "is_header": c.is_header,
            "is_label": c.is_label,
            "caption": c.caption,
        }
        for cells in tables
        for c in cells
    ]


def sentence_rows(doc_id: str, document: Document, segmentation: Segmentation) -> list[dict[str, Any]]:
    rows = []
    for index, (start, end, block) in enumerate(segmentation.sentences):
        section = section_at(segmentation.outline, start, document.footnotes)
        rows.append(
            {
                "doc_id": doc_id,
                "sentence_id": index,
                "char_start": start,
                "char_end": end,
                "section_id": section.section_id,
                "footnote_id": block.footnote_id,
            }
        )
    return rows


def _in_front_or_back_matter(block: Block, outline: Outline) -> bool:
    if block.kind in NON_BODY_KINDS:
        return False
    if block.end <= outline.front_matter_end:
        return True
    return outline.back_matter_start is not None and block.start >= outline.back_matter_start


def _section_titles(outline: Outline, section: Section) -> tuple[str, ...]:
    titles: list[str] = []
    current: Section | None = section
    while current is not None and current.section_id != 0:
        titles.append(current.title)
        current = outline.sections[current.parent_id] if current.parent_id is not None else None
    return tuple(reversed(titles))


def _context_for(base: ExtractionContext, outline: Outline, section: Section) -> ExtractionContext:
    return replace(base, section_path=_section_titles(outline, section), in_plan_part=section.is_plan_part)


def base_context(meta: DocMeta | None) -> ExtractionContext:
    if meta is None:
        return ExtractionContext()
    return ExtractionContext(
        report_period=meta.report_period,
        report_year=meta.report_year,
        doc_kind=meta.doc_kind,
        entity=meta.entity,
        entity_level=meta.entity_level,
    )


@dataclass(slots=True)
class _Piece:
    """One text piece read for mentions (a sentence or a table cell) and where it sits."""

    start: int
    end: int
    context: ExtractionContext
    block: Block | None
    cell: Cell | None
    section: Section


def _pieces(document: Document, segmentation: Segmentation, base: ExtractionContext) -> list[_Piece]:
    """Every sentence of the prose blocks, then every data cell of the tables, in document order."""
    outline = segmentation.outline
    contexts: dict[int, ExtractionContext] = {}

    def context_of(section: Section) -> ExtractionContext:
        if section.section_id not in contexts:
            contexts[section.section_id] = _context_for(base, outline, section)
        return contexts[section.section_id]

    pieces: list[_Piece] = []
    for start, end, block in segmentation.sentences:
        if _in_front_or_back_matter(block, outline):
            continue
        section = section_at(outline, start, document.footnotes)
        pieces.append(_Piece(start, end, context_of(section), block, None, section))
    for cells in segmentation.tables:
        for cell in cells:
            if cell.is_header or cell.is_label or not cell.text:
                continue
            section = section_at(outline, cell.start)
            # The caption names what the whole table measures ("TỔNG GIÁ TRỊ SẢN PHẨM TRÊN ĐỊA BÀN"); it
            # heads the row header so a row label without an indicator still has a subject.
            row_header = GROUP_SEPARATOR.join(h for h in (cell.caption, cell.row_header) if h) or None
            context = replace(context_of(section), row_header=row_header, col_header=cell.col_header)
            pieces.append(_Piece(cell.start, cell.end, context, None, cell, section))
    return pieces


#: "đến nay" / "hiện nay" describe the state of their own sentence's facts at the cut-off; carried on,
#: they would turn the later flows of a long paragraph into stocks.
NOW_RULE = "period.as_of_now"


class _PeriodScopes:
    """The period each sentence inherits (extractors.periods.PeriodScope), tracked across a document.

    A sentence that states no period takes the period of the first value of the last earlier sentence
    of its block whose values had one stated or inherited ("Năm học 2019-2020 …. Xếp loại Tốt:
    8.170/9.597 HS"; "Tính đến ngày 31/8/2020: … . Bạch hầu: 04 ca"), except "đến nay" (NOW_RULE);
    the first sentence of a footnote body takes the period in force where its
    reference sits; otherwise the section default (plan-part title, else the report's period).
    """

    def __init__(self, document: Document, base: ExtractionContext, lexicon: Lexicon, folded: str) -> None:
        self._lexicon = lexicon
        self._period_rule_ids = lexicon.period_rule_ids
        self._folded = folded
        self._since = operation_start(document.text, base, lexicon, folded)
        self._section_defaults: dict[int, str | None] = {}
        self._carried: dict[int, str | None] = {}
        self._ref_periods: dict[str, str] = {}
        self._refs = sorted((f.ref_start, f.footnote_id) for f in document.footnotes if f.ref_start is not None)
        self._ref_starts = [ref for ref, _ in self._refs]

    def _section_default(self, piece: _Piece) -> str | None:
        section_id = piece.section.section_id
        if section_id not in self._section_defaults:
            context = piece.context
            self._section_defaults[section_id] = section_default(
                context.section_path, context.in_plan_part, context, self._lexicon
            )
        return self._section_defaults[section_id]

    def scope(self, piece: _Piece) -> PeriodScope:
        inherited: str | None = None
        block = piece.block
        if block is not None:
            key = id(block)
            if key in self._carried:
                inherited = self._carried[key]
            elif block.kind == BlockKind.FOOTNOTE_BODY and block.footnote_id is not None:
                inherited = self._ref_periods.get(block.footnote_id)
        if inherited:
            return PeriodScope(default=inherited, since=self._since, inherited=True)
        return PeriodScope(default=self._section_default(piece), since=self._since)

    def _stated_or_inherited(self, match: MentionMatch, scope: PeriodScope) -> bool:
        return scope.inherited or stated_period(match, self._period_rule_ids)

    def after(self, piece: _Piece, text: str, scope: PeriodScope, matches: list[MentionMatch]) -> None:
        """Record what ``piece`` passes on: its stated period to the rest of its block, and the period in
        force at each footnote reference inside it."""
        block = piece.block
        if block is None:
            return
        key = id(block)
        if matches and matches[0].period:
            # The period of a sentence's first value frames the sentence ("Tính đến ngày 31/8/2020: …");
            # later ones tend to be local ("… bằng 4,2% so dự toán thu năm 2020").
            first = matches[0]
            carried = self._stated_or_inherited(first, scope) and NOW_RULE not in first.rule_ids
            self._carried[key] = first.period if carried else None
        elif key not in self._carried:
            # A footnote body's later sentences keep what its first one inherited from the reference.
            self._carried[key] = scope.default if scope.inherited else None
        if block.kind == BlockKind.FOOTNOTE_BODY:
            return
        low = bisect_left(self._ref_starts, piece.start)
        high = bisect_left(self._ref_starts, piece.end + 1)
        if low == high:
            return
        folded = self._folded[piece.start : piece.end]
        for ref_start, footnote_id in self._refs[low:high]:
            period = period_before(folded, ref_start - piece.start, piece.context, self._lexicon, self._since)
            resolved = period or (scope.default if scope.inherited else None)
            if resolved:
                self._ref_periods[footnote_id] = resolved


def extract(
    doc_id: str,
    source_path: str,
    document: Document,
    segmentation: Segmentation,
    meta: DocMeta | None,
    lexicon: Lexicon,
) -> list[dict[str, Any]]:
    """Mentions of one document, with provenance; spans are checked against the canonical text.

    Body sentences are read before footnote bodies (a footnote inherits the period in force at its
    reference); rows still come out in document order, sentences before table cells.
    """
    base = base_context(meta)
    text = document.text
    pieces = _pieces(document, segmentation, base)
    folded = fold(text)  # once per document: operation start and lexicon hits both match on it
    scopes = _PeriodScopes(document, base, lexicon, folded)
    order = sorted(
        range(len(pieces)),
        key=lambda i: pieces[i].block is not None and pieces[i].block.kind == BlockKind.FOOTNOTE_BODY,
    )
    # The lexicons are matched once, over the pieces that hold a digit (the others yield no mention),
    # joined one per line; each piece then gets the hits inside it.
    hits = pieces_hits(text, [(p.start, p.end) for p in pieces], lexicon, folded)
    found: dict[int, list[MentionMatch]] = {}
    for index in order:
        piece = pieces[index]
        sentence = text[piece.start : piece.end]
        scope = scopes.scope(piece)
        matches = extract_mentions(
            sentence,
            piece.context,
            lexicon,
            scope,
            hits.within(piece.start, piece.end),
            folded[piece.start : piece.end],
        )
        scopes.after(piece, sentence, scope, matches)
        found[index] = matches
    rows: list[dict[str, Any]] = []
    seen: set[tuple[int, int]] = set()
    for index, piece in enumerate(pieces):
        sentence = text[piece.start : piece.end]
        for match in found[index]:
            char_start, char_end = piece.start + match.start, piece.start + match.end
            if text[char_start:char_end] != match.value_text or (char_start, char_end) in seen:
                continue
            seen.add((char_start, char_end))
            rows.append(
                _mention_row(
                    doc_id, source_path, match, char_start, char_end, sentence, piece.block, piece.cell, piece.section
                )
            )
    return rows


def _mention_row(
    doc_id: str,
    source_path: str,
    match: MentionMatch,
    char_start: int,
    char_end: int,
    sentence: str,
    block: Block | None,
    cell: Cell | None,
    section: Section,
) -> dict[str, Any]:
    in_footnote = block is not None and block.kind == BlockKind.FOOTNOTE_BODY
    page = cell.page if cell is not None else (block.page if block is not None else None)
    return {
        "mention_id": mention_id_for(doc_id, char_start, char_end),
        "doc_id": doc_id,
        "source_path": source_path,
        "section_id": section.section_id,
        "section_path": section.path or None,
        "in_footnote": in_footnote,
        "footnote_id": block.footnote_id if in_footnote and block is not None else None,
        "in_table": cell is not None,
        "table_id": cell.table_id if cell else None,
        "row": cell.row if cell else None,
        "col": cell.col if cell else None,
        "page": page,
        "char_start": char_start,
        "char_end": char_end,
        "sentence": sentence,
        "value_text": match.value_text,
        "value": match.value,
        "denominator": match.denominator,
        "unit": match.unit,
        "unit_canonical": match.unit_canonical,
        "scale": match.scale,
        "value_normalized": match.value_normalized,
        "measure": str(match.measure) if match.measure else None,
        "direction": match.direction,
        "qualifier": str(match.qualifier) if match.qualifier else None,
        "period": match.period,
        "period_kind": str(match.period_kind) if match.period_kind else None,
        "reference_period": match.reference_period,
        "basis": match.basis,
        "subject": match.subject,
        "indicator_code": match.indicator_code,
        "entity": match.entity,
        "entity_level": match.entity_level,
        "flags": list(match.flags),
        "rule_ids": list(match.rule_ids),
        "source_layer": (block.source_layer if block is not None else None) or "text",
        "ocr_confidence": block.ocr_confidence if block is not None else None,
    }
