"""Per-document stages after reading: segment (outline, footnotes, tables, sentences) and extract (mentions).

Each function takes the canonical Document plus what earlier stages produced and returns table rows;
there is no I/O here, so the same code runs in `chiso run`, in a pool worker and on a Dask worker.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

from extractors.doc_meta import DocMeta
from extractors.lexicon import Lexicon
from extractors.mentions import extract_mentions
from extractors.model import NON_BODY_KINDS, Block, BlockKind, Document, ExtractionContext, MentionMatch
from extractors.sections import Outline, Section, SectionRules, build_outline, section_at
from extractors.sentences import split_sentences
from extractors.tables import Cell, TableRules, data_tables
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


def _candidates(
    document: Document, segmentation: Segmentation, base: ExtractionContext
) -> Iterator[tuple[int, int, ExtractionContext, Block | None, Cell | None, Section]]:
    """(start, end, context, block, cell, section) of every text piece read for mentions."""
    outline = segmentation.outline
    for start, end, block in segmentation.sentences:
        if _in_front_or_back_matter(block, outline):
            continue
        section = section_at(outline, start, document.footnotes)
        yield start, end, _context_for(base, outline, section), block, None, section
    for cells in segmentation.tables:
        for cell in cells:
            if cell.is_header or cell.is_label or not cell.text:
                continue
            section = section_at(outline, cell.start)
            context = replace(
                _context_for(base, outline, section), row_header=cell.row_header, col_header=cell.col_header
            )
            yield cell.start, cell.end, context, None, cell, section


def extract(
    doc_id: str,
    source_path: str,
    document: Document,
    segmentation: Segmentation,
    meta: DocMeta | None,
    lexicon: Lexicon,
) -> list[dict[str, Any]]:
    """Mentions of one document, with provenance; spans are checked against the canonical text."""
    base = base_context(meta)
    text = document.text
    rows: list[dict[str, Any]] = []
    seen: set[tuple[int, int]] = set()
    for start, end, context, block, cell, section in _candidates(document, segmentation, base):
        piece = text[start:end]
        for match in extract_mentions(piece, context, lexicon):
            char_start, char_end = start + match.start, start + match.end
            if text[char_start:char_end] != match.value_text or (char_start, char_end) in seen:
                continue
            seen.add((char_start, char_end))
            rows.append(_mention_row(doc_id, source_path, match, char_start, char_end, piece, block, cell, section))
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
    }
