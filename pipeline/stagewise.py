"""The stage commands of dvc.yaml: segment, extract and facts, each reading what the previous stage wrote.

`chiso run` processes a document from bytes to mentions in one pass (what an archive run wants).
For DVC the same work is cut into stages with their own outputs: `chiso ingest` writes documents
and blocks, `chiso segment` reads them and writes sections, tables, sentences and footnotes,
`chiso extract` reads all of those and writes mentions, `chiso facts` writes facts. The tables are
identical to those of `chiso run` (tested).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pipeline.batch import write_facts
from pipeline.process import (
    RunContext,
    attach_footnotes,
    footnote_rows,
    load_run_context,
)
from pipeline.restore import grouped_rows, iter_documents, meta_from_row, segmentation_from_rows
from pipeline.shards import chiso_version
from pipeline.stages import extract, section_rows, segment, sentence_rows, table_rows
from pipeline.tables import SORT_KEYS, TableWriter, read_table

SEGMENT_TABLES = ("sections", "tables", "sentences", "footnotes")


def _metadata(out_dir: Path) -> dict[str, str]:
    """Carry the run's provenance (patterns hash, version) forward from documents.parquet."""
    meta = read_table(out_dir, "documents").schema.metadata or {}
    found = {k.decode(): v.decode() for k, v in meta.items() if not k.startswith(b"chiso_table")}
    found.setdefault("chiso_version", chiso_version())
    return found


def _sorted(rows: list[dict[str, Any]], table: str) -> list[dict[str, Any]]:
    keys = SORT_KEYS[table]
    return sorted(rows, key=lambda r: tuple((1, "") if r.get(k) is None else (0, r.get(k)) for k in keys))


def segment_stage(out_dir: Path, context: RunContext | None = None) -> dict[str, int]:
    """documents + blocks -> sections, tables, sentences, footnotes (linked to section and sentence)."""
    context = context or load_run_context()
    metadata = _metadata(out_dir)
    writers = {name: TableWriter(out_dir, name, metadata) for name in SEGMENT_TABLES}
    try:
        for doc, document in iter_documents(out_dir):
            doc_id = doc["doc_id"]
            segmentation = segment(document, context.section_rules, context.table_rules)
            sentences = sentence_rows(doc_id, document, segmentation)
            footnotes = footnote_rows(doc_id, document)
            attach_footnotes(footnotes, sentences, segmentation.outline)
            rows = {
                "sections": section_rows(doc_id, segmentation.outline),
                "tables": table_rows(doc_id, segmentation.tables),
                "sentences": sentences,
                "footnotes": footnotes,
            }
            for name, table_rows_ in rows.items():
                writers[name].add(_sorted(table_rows_, name))
        return {name: writer.close() for name, writer in writers.items()}
    except BaseException:
        for writer in writers.values():
            writer.abort()
        raise


def extract_stage(out_dir: Path, context: RunContext | None = None) -> dict[str, int]:
    """documents, blocks, sections, tables, sentences -> mentions."""
    context = context or load_run_context()
    metadata = _metadata(out_dir)
    sections = grouped_rows(out_dir, "sections")
    tables = grouped_rows(out_dir, "tables")
    sentences = grouped_rows(out_dir, "sentences")
    writer = TableWriter(out_dir, "mentions", metadata)
    try:
        for doc, document in iter_documents(out_dir):
            doc_id = doc["doc_id"]
            segmentation = segmentation_from_rows(
                document,
                doc.get("doc_kind"),
                sections.get(doc_id, []),
                tables.get(doc_id, []),
                sentences.get(doc_id, []),
            )
            mentions = extract(doc_id, doc["source_path"], document, segmentation, meta_from_row(doc), context.lexicon)
            writer.add(_sorted(mentions, "mentions"))
        return {"mentions": writer.close()}
    except BaseException:
        writer.abort()
        raise


def facts_stage(out_dir: Path) -> dict[str, int]:
    return {"facts": write_facts(out_dir, _metadata(out_dir))}
