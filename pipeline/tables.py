"""The Parquet edge: one explicit Arrow schema per contract table, atomic writes, schema metadata.

Rows travel as plain dicts from the stages to here; this is the only module that turns them into
Arrow. Every table is written to a temporary file in OUT and renamed into place, so a reader never
sees a half-written Parquet file, and rows are sorted so that identical inputs give identical files.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

SCHEMA_VERSION = "1"

_str = pa.string()
_int = pa.int32()
_f64 = pa.float64()
_bool = pa.bool_()


def _fields(*specs: tuple[str, pa.DataType, bool]) -> pa.Schema:
    return pa.schema([pa.field(name, dtype, nullable=nullable) for name, dtype, nullable in specs])


SCHEMAS: dict[str, pa.Schema] = {
    "documents": _fields(
        ("doc_id", _str, False),
        ("source_path", _str, False),
        ("format", _str, True),
        ("status", _str, False),
        ("error", _str, True),
        ("title", _str, True),
        ("doc_kind", _str, True),
        ("issuer", _str, True),
        ("entity", _str, True),
        ("entity_level", _str, True),
        ("report_period", _str, True),
        ("issued_date", _str, True),
        ("doc_number", _str, True),
        ("is_draft", _bool, True),
        ("n_pages", _int, True),
        ("encoding", _str, True),
        ("ocr", _bool, True),
        ("n_bytes", pa.int64(), True),
        ("warnings", pa.list_(_str), True),
        ("text", _str, True),
    ),
    "blocks": _fields(
        ("doc_id", _str, False),
        ("block_id", _int, False),
        ("kind", _str, False),
        ("char_start", _int, False),
        ("char_end", _int, False),
        ("page", _int, True),
        ("style", _str, True),
        ("outline_level", _int, True),
        ("font_size", _f64, True),
        ("bold", _bool, True),
        ("numbering_label", _str, True),
        ("table_id", _int, True),
        ("row", _int, True),
        ("col", _int, True),
        ("footnote_id", _str, True),
        ("source_line", _int, True),
        ("layout_table", _bool, True),
        ("ref_start", _int, True),
        ("marker", _str, True),
        ("ref_page", _int, True),
        ("source_layer", _str, True),
        ("ocr_confidence", _f64, True),
    ),
    "sections": _fields(
        ("doc_id", _str, False),
        ("section_id", _int, False),
        ("parent_id", _int, True),
        ("depth", _int, False),
        ("label", _str, True),
        ("title", _str, True),
        ("path", _str, True),
        ("kind", _str, True),
        ("is_plan_part", _bool, True),
        ("char_start", _int, False),
        ("char_end", _int, False),
        ("label_type", _str, True),
        ("front_matter_end", _int, True),
        ("back_matter_start", _int, True),
    ),
    "footnotes": _fields(
        ("doc_id", _str, False),
        ("footnote_id", _str, False),
        ("marker", _str, True),
        ("ref_start", _int, True),
        ("ref_page", _int, True),
        ("section_id", _int, True),
        ("ref_sentence_id", _int, True),
        ("body_start", _int, False),
        ("body_end", _int, False),
        ("body", _str, True),
    ),
    "tables": _fields(
        ("doc_id", _str, False),
        ("table_id", _int, False),
        ("row", _int, False),
        ("col", _int, False),
        ("text", _str, True),
        ("row_header", _str, True),
        ("col_header", _str, True),
        ("unit", _str, True),
        ("page", _int, True),
        ("char_start", _int, True),
        ("char_end", _int, True),
        ("is_header", _bool, True),
        ("is_label", _bool, True),
        ("caption", _str, True),
    ),
    "sentences": _fields(
        ("doc_id", _str, False),
        ("sentence_id", _int, False),
        ("char_start", _int, False),
        ("char_end", _int, False),
        ("section_id", _int, True),
        ("footnote_id", _str, True),
    ),
    "mentions": _fields(
        ("mention_id", _str, False),
        ("doc_id", _str, False),
        ("source_path", _str, True),
        ("section_id", _int, True),
        ("section_path", _str, True),
        ("in_footnote", _bool, False),
        ("footnote_id", _str, True),
        ("in_table", _bool, False),
        ("table_id", _int, True),
        ("row", _int, True),
        ("col", _int, True),
        ("page", _int, True),
        ("char_start", _int, False),
        ("char_end", _int, False),
        ("sentence", _str, True),
        ("value_text", _str, False),
        ("value", _f64, True),
        ("denominator", _f64, True),
        ("unit", _str, True),
        ("unit_canonical", _str, True),
        ("scale", _f64, True),
        ("value_normalized", _f64, True),
        ("measure", _str, True),
        ("direction", _str, True),
        ("qualifier", _str, True),
        ("period", _str, True),
        ("period_kind", _str, True),
        ("reference_period", _str, True),
        ("basis", _str, True),
        ("subject", _str, True),
        ("indicator_code", _str, True),
        ("entity", _str, True),
        ("entity_level", _str, True),
        ("flags", pa.list_(_str), True),
        ("rule_ids", pa.list_(_str), True),
        ("source_layer", _str, True),
        ("ocr_confidence", _f64, True),
    ),
    "facts": _fields(
        ("fact_id", _str, False),
        ("entity", _str, True),
        ("indicator_code", _str, False),
        ("period", _str, False),
        ("measure", _str, True),
        ("basis", _str, True),
        ("unit_canonical", _str, True),
        ("entity_level", _str, True),
        ("value", _f64, True),
        ("value_normalized", _f64, True),
        ("qualifiers", pa.list_(_str), True),
        ("is_estimate", _bool, True),
        ("is_preliminary", _bool, True),
        ("is_target", _bool, True),
        ("n_sources", _int, False),
        ("mention_ids", pa.list_(_str), False),
        ("doc_ids", pa.list_(_str), False),
        ("values", pa.list_(_f64), True),
        ("conflict", _bool, False),
    ),
    # message is Vietnamese, message_en English; the sources (page, section, sentence) join from mentions.
    "qa_findings": pa.schema(
        [
            pa.field("finding_id", _str, nullable=False),
            pa.field("check", _str, nullable=False),
            pa.field("severity", _str, nullable=False),
            pa.field("message", _str, nullable=False),
            pa.field("doc_ids", pa.list_(_str), nullable=False),
            pa.field("mention_ids", pa.list_(_str), nullable=False),
            pa.field("observed", _f64, nullable=True),
            pa.field("expected", _f64, nullable=True),
            pa.field("delta", _f64, nullable=True),
            pa.field("message_en", _str, nullable=False),
            pa.field("family", _str, nullable=False),
            pa.field("tolerance", _f64, nullable=True),
            pa.field("indicator_code", _str, nullable=True),
            pa.field("period", _str, nullable=True),
            pa.field("source_paths", pa.list_(_str), nullable=False),
        ]
    ),
}

#: Row order per table: deterministic output for DVC caching and golden diffs.
SORT_KEYS: dict[str, tuple[str, ...]] = {
    "documents": ("source_path", "doc_id"),
    "blocks": ("doc_id", "block_id"),
    "sections": ("doc_id", "section_id"),
    "footnotes": ("doc_id", "body_start"),
    "tables": ("doc_id", "table_id", "row", "col"),
    "sentences": ("doc_id", "sentence_id"),
    "mentions": ("doc_id", "char_start", "char_end", "mention_id"),
    "facts": ("indicator_code", "entity", "period", "measure", "basis", "fact_id"),
    "qa_findings": ("check", "finding_id"),
}

DESCRIPTIONS: dict[str, str] = {
    "documents": "one row per input file: status, error, metadata and the canonical text all offsets point into",
    "blocks": "the reader's blocks (paragraph, heading, table cell, footnote body...) with spans and pages",
    "sections": "the section outline of each report (label, title, depth, path, span)",
    "footnotes": "footnotes with the offset of their reference and the span of their body",
    "tables": "data-table cells with row and column headers",
    "sentences": "sentence spans of every block",
    "mentions": "one row per numeric fact found, with value, unit, period, measure and provenance",
    "facts": "one row per (entity, indicator, period, measure, basis): agreed value, sources, conflict flag",
    "qa_findings": "figures that disagree within or across reports: check, severity, observed, expected, sources",
}


def _sort_value(value: Any) -> tuple[int, Any]:
    return (1, "") if value is None else (0, value)


def write_table(out_dir: Path, name: str, rows: Iterable[Mapping[str, Any]], metadata: Mapping[str, str]) -> Path:
    """Write ``rows`` as OUT/<name>.parquet atomically (temporary file + rename).

    Args:
        out_dir: the outputs folder.
        name: a key of SCHEMAS.
        rows: dicts with the schema's column names (missing keys become nulls, extra keys are an error).
        metadata: extra key/values for the Parquet schema metadata (patterns hash, run facts).
    """
    schema = SCHEMAS[name]
    rows = list(rows)
    known = set(schema.names)
    for row in rows:
        extra = set(row) - known
        if extra:
            raise ValueError(f"{name}: unknown columns {sorted(extra)}")
    keys = SORT_KEYS.get(name, ())
    rows.sort(key=lambda r: tuple(_sort_value(r.get(k)) for k in keys))
    columns = {field.name: [row.get(field.name) for row in rows] for field in schema}
    meta = {"chiso_schema_version": SCHEMA_VERSION, "chiso_table": name, **metadata}
    table = pa.table(columns, schema=schema.with_metadata({k: str(v) for k, v in meta.items()}))
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / f"{name}.parquet"
    handle, temporary = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=out_dir)
    os.close(handle)
    try:
        pq.write_table(table, temporary, compression="zstd")
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target


def read_table(out_dir: Path, name: str) -> pa.Table:
    """Read OUT/<name>.parquet (a file or a directory of files)."""
    path = out_dir / f"{name}.parquet"
    if not path.exists():
        raise FileNotFoundError(f"{path} does not exist: run `chiso run` (or the stage that writes {name}) first")
    return pq.read_table(path)


class TableWriter:
    """Stream rows into OUT/<name>.parquet: buffered row groups into a temporary file, renamed on close.

    Memory stays bounded by the buffer, not by the size of the archive; until ``close`` succeeds the
    previous version of the table (if any) is what readers see.
    """

    #: A row group is written when either bound is reached: rows of small tables, characters of
    #: tables whose rows are large (documents carry each report's whole text).
    ROW_GROUP = 20_000
    MAX_BUFFERED_CHARS = 8_000_000

    def __init__(self, out_dir: Path, name: str, metadata: Mapping[str, str]) -> None:
        self.name = name
        self.schema = SCHEMAS[name].with_metadata(
            {k: str(v) for k, v in {"chiso_schema_version": SCHEMA_VERSION, "chiso_table": name, **metadata}.items()}
        )
        out_dir.mkdir(parents=True, exist_ok=True)
        self.target = out_dir / f"{name}.parquet"
        handle, temporary = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=out_dir)
        os.close(handle)
        self.temporary = Path(temporary)
        self._writer = pq.ParquetWriter(self.temporary, self.schema, compression="zstd")
        self._buffer: list[Mapping[str, Any]] = []
        self._buffered_chars = 0
        self.rows = 0

    def add(self, rows: Iterable[Mapping[str, Any]]) -> None:
        known = set(self.schema.names)
        for row in rows:
            extra = set(row) - known
            if extra:
                raise ValueError(f"{self.name}: unknown columns {sorted(extra)}")
            self._buffer.append(row)
            self._buffered_chars += sum(len(v) for v in row.values() if isinstance(v, str))
            if len(self._buffer) >= self.ROW_GROUP or self._buffered_chars >= self.MAX_BUFFERED_CHARS:
                self._flush()

    def _flush(self) -> None:
        if not self._buffer:
            return
        columns = {f.name: [row.get(f.name) for row in self._buffer] for f in self.schema}
        self._writer.write_table(pa.table(columns, schema=self.schema))
        self.rows += len(self._buffer)
        self._buffer = []
        self._buffered_chars = 0

    def close(self) -> int:
        self._flush()
        self._writer.close()
        os.replace(self.temporary, self.target)
        return self.rows

    def abort(self) -> None:
        try:
            self._writer.close()
        finally:
            self.temporary.unlink(missing_ok=True)
