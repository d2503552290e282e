"""Rebuild the in-memory records of a document from the rows a previous stage wrote.

`chiso run` keeps each document in memory from reading to extraction. The stage commands used by
dvc.yaml (`chiso ingest`, `segment`, `extract`, `facts`) instead hand work over through the Parquet
tables, so every stage reads what the one before it wrote; these functions are the inverse of the
row builders in pipeline.process and pipeline.stages.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd

from extractors.doc_meta import DocMeta, last_year
from extractors.model import Block, BlockKind, Document, Footnote
from extractors.sections import Outline, Section, SectionKind
from extractors.tables import Cell
from pipeline.stages import Segmentation
from pipeline.tables import read_table


def _value(row: dict[str, Any], key: str) -> Any:
    value = row.get(key)
    if value is None:
        return None
    if isinstance(value, float) and pd.isna(value):
        return None
    return value


def _int(row: dict[str, Any], key: str) -> int | None:
    value = _value(row, key)
    return None if value is None else int(value)


def grouped_rows(out_dir: Path, table: str) -> dict[str, list[dict[str, Any]]]:
    """Rows of one table grouped by doc_id, in file order."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for row in read_table(out_dir, table).to_pylist():
        groups.setdefault(row["doc_id"], []).append(row)
    return groups


def document_from_rows(doc: dict[str, Any], blocks: list[dict[str, Any]]) -> Document:
    """The Document a reader produced, from its documents row and its blocks rows.

    Footnote-body rows carry their footnote's reference (pipeline.process.block_rows), so footnotes
    come back too; a zero-length footnote row stands for a footnote whose body was empty.
    """
    rebuilt: list[Block] = []
    footnotes: dict[str, Footnote] = {}
    for b in sorted(blocks, key=lambda b: b["block_id"]):
        start, end = int(b["char_start"]), int(b["char_end"])
        footnote_id = _value(b, "footnote_id")
        if footnote_id is not None and footnote_id not in footnotes and _value(b, "marker") is not None:
            footnotes[footnote_id] = Footnote(
                footnote_id=footnote_id,
                marker=b["marker"],
                ref_start=_int(b, "ref_start"),
                body_start=start,
                body_end=end,
                ref_page=_int(b, "ref_page"),
            )
        if start == end:
            continue
        rebuilt.append(
            Block(
                kind=BlockKind(b["kind"]),
                start=start,
                end=end,
                page=_int(b, "page"),
                style=_value(b, "style"),
                outline_level=_int(b, "outline_level"),
                font_size=_value(b, "font_size"),
                bold=_value(b, "bold"),
                numbering_label=_value(b, "numbering_label"),
                table_id=_int(b, "table_id"),
                row=_int(b, "row"),
                col=_int(b, "col"),
                footnote_id=footnote_id,
                source_line=_int(b, "source_line"),
                layout_table=bool(b.get("layout_table")),
                source_layer=_value(b, "source_layer"),
                ocr_confidence=_value(b, "ocr_confidence"),
            )
        )
    return Document(
        text=doc["text"],
        blocks=rebuilt,
        footnotes=sorted(footnotes.values(), key=lambda f: int(f.footnote_id)),
        format=doc.get("format") or "",
        n_pages=_int(doc, "n_pages"),
        encoding=_value(doc, "encoding"),
        ocr=bool(doc.get("ocr")),
        warnings=list(doc.get("warnings") or []),
    )


def meta_from_row(doc: dict[str, Any]) -> DocMeta:
    period = _value(doc, "report_period")
    return DocMeta(
        title=_value(doc, "title"),
        doc_kind=_value(doc, "doc_kind"),
        issuer=_value(doc, "issuer"),
        entity=_value(doc, "entity"),
        entity_level=_value(doc, "entity_level"),
        report_period=period,
        report_year=last_year(period),
        issued_date=_value(doc, "issued_date"),
        doc_number=_value(doc, "doc_number"),
        is_draft=bool(doc.get("is_draft")),
    )


def outline_from_rows(sections: list[dict[str, Any]], doc_kind: str | None) -> Outline:
    rows = sorted(sections, key=lambda s: s["section_id"])
    first = rows[0] if rows else {}
    return Outline(
        sections=[
            Section(
                section_id=int(s["section_id"]),
                parent_id=_int(s, "parent_id"),
                depth=int(s["depth"]),
                label=s["label"] or "",
                title=s["title"] or "",
                path=s["path"] or "",
                char_start=int(s["char_start"]),
                char_end=int(s["char_end"]),
                kind=SectionKind(s["kind"]),
                is_plan_part=bool(s.get("is_plan_part")),
                label_type=_value(s, "label_type") or "",
            )
            for s in rows
        ],
        front_matter_end=_int(first, "front_matter_end") or 0,
        back_matter_start=_int(first, "back_matter_start"),
        doc_kind=doc_kind,
    )


def cells_from_rows(rows: list[dict[str, Any]]) -> list[list[Cell]]:
    tables: dict[int, list[Cell]] = {}
    for r in rows:
        tables.setdefault(int(r["table_id"]), []).append(
            Cell(
                table_id=int(r["table_id"]),
                row=int(r["row"]),
                col=int(r["col"]),
                text=r["text"] or "",
                start=int(r["char_start"]),
                end=int(r["char_end"]),
                page=_int(r, "page"),
                row_header=_value(r, "row_header"),
                col_header=_value(r, "col_header"),
                unit=_value(r, "unit"),
                is_header=bool(r.get("is_header")),
                is_label=bool(r.get("is_label")),
                caption=_value(r, "caption"),
            )
        )
    return [cells for _, cells in sorted(tables.items())]


def segmentation_from_rows(
    document: Document,
    doc_kind: str | None,
    sections: list[dict[str, Any]],
    tables: list[dict[str, Any]],
    sentences: list[dict[str, Any]],
) -> Segmentation:
    starts = [b.start for b in document.blocks]
    spans = []
    for s in sorted(sentences, key=lambda s: s["sentence_id"]):
        block = document.blocks[bisect.bisect_right(starts, int(s["char_start"])) - 1]
        spans.append((int(s["char_start"]), int(s["char_end"]), block))
    return Segmentation(outline_from_rows(sections, doc_kind), cells_from_rows(tables), spans)


def iter_documents(out_dir: Path) -> Iterator[tuple[dict[str, Any], Document]]:
    """Every document that was read (status ok or partial) with its rebuilt Document."""
    blocks = grouped_rows(out_dir, "blocks")
    for doc in read_table(out_dir, "documents").to_pylist():
        if doc["status"] not in ("ok", "partial") or doc.get("text") is None:
            continue
        yield doc, document_from_rows(doc, blocks.get(doc["doc_id"], []))
