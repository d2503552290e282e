"""Per-document work: read one file and produce its rows for every table.

`process_file` is the unit of parallelism (one task per document, in a process pool or on a Dask
worker): it takes a path and an immutable RunContext and returns plain rows. It never raises for a
bad document: the failure is recorded in the documents row (status, error = stage: kind: message)
and the batch goes on.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from extractors.doc_meta import DocMeta, MetaRules, extract_doc_meta, load_meta_rules
from extractors.model import Block, DocStatus, Document
from pipeline.ids import doc_id_for
from pipeline.readers import detect_format, read_document
from pipeline.readers.base import DocumentReadError

log = logging.getLogger(__name__)

#: Largest input accepted by default; bigger files are recorded as failed rather than read into memory.
MAX_INPUT_BYTES = 200 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class RunContext:
    """Everything a document's processing needs besides its bytes, loaded once per process."""

    meta_rules: MetaRules
    max_input_bytes: int = MAX_INPUT_BYTES


def load_run_context() -> RunContext:
    return RunContext(meta_rules=load_meta_rules())


@dataclass(slots=True)
class DocumentResult:
    """All rows one input file contributes, per table."""

    document: dict[str, Any]
    blocks: list[dict[str, Any]] = field(default_factory=list)
    footnotes: list[dict[str, Any]] = field(default_factory=list)
    seconds: float = 0.0

    def rows(self) -> dict[str, list[dict[str, Any]]]:
        return {"documents": [self.document], "blocks": self.blocks, "footnotes": self.footnotes}


def _error(stage: str, exc: BaseException) -> str:
    message = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{stage}: {type(exc).__name__}: {message}"[:500]


def block_rows(doc_id: str, document: Document) -> list[dict[str, Any]]:
    return [_block_row(doc_id, index, block) for index, block in enumerate(document.blocks)]


def _block_row(doc_id: str, index: int, block: Block) -> dict[str, Any]:
    return {
        "doc_id": doc_id,
        "block_id": index,
        "kind": str(block.kind),
        "char_start": block.start,
        "char_end": block.end,
        "page": block.page,
        "style": block.style,
        "outline_level": block.outline_level,
        "font_size": block.font_size,
        "bold": block.bold,
        "numbering_label": block.numbering_label,
        "table_id": block.table_id,
        "row": block.row,
        "col": block.col,
        "footnote_id": block.footnote_id,
        "source_line": block.source_line,
        "layout_table": block.layout_table,
    }


def footnote_rows(doc_id: str, document: Document) -> list[dict[str, Any]]:
    return [
        {
            "doc_id": doc_id,
            "footnote_id": f.footnote_id,
            "marker": f.marker,
            "ref_start": f.ref_start,
            "ref_page": f.ref_page,
            "section_id": None,
            "body_start": f.body_start,
            "body_end": f.body_end,
            "body": document.text[f.body_start : f.body_end],
        }
        for f in document.footnotes
    ]


def document_row(
    doc_id: str, path: Path, n_bytes: int, fmt: str | None, document: Document | None, meta: DocMeta | None
) -> dict[str, Any]:
    row: dict[str, Any] = {
        "doc_id": doc_id,
        "source_path": str(path),
        "format": fmt,
        "status": str(DocStatus.OK),
        "error": None,
        "n_bytes": n_bytes,
    }
    if document is not None:
        row.update(
            n_pages=document.n_pages,
            encoding=document.encoding,
            ocr=document.ocr,
            warnings=list(document.warnings),
            text=document.text,
        )
    if meta is not None:
        row.update(
            title=meta.title,
            doc_kind=meta.doc_kind,
            issuer=meta.issuer,
            entity=meta.entity,
            entity_level=meta.entity_level,
            report_period=meta.report_period,
            issued_date=meta.issued_date,
            doc_number=meta.doc_number,
            is_draft=meta.is_draft,
        )
    return row


def process_file(path: Path, context: RunContext) -> DocumentResult:
    """Read one file and run every per-document stage on it; failures become a status, never an exception."""
    started = time.perf_counter()
    try:
        size = path.stat().st_size
        if size > context.max_input_bytes:
            raise DocumentReadError(f"file is {size} bytes, over the limit of {context.max_input_bytes}")
        data = path.read_bytes()
    except (OSError, DocumentReadError) as exc:
        row = document_row(f"unreadable:{path}", path, 0, None, None, None)
        row.update(status=str(DocStatus.FAILED), error=_error("ingest", exc))
        return DocumentResult(row, seconds=time.perf_counter() - started)

    doc_id = doc_id_for(data)
    fmt: str | None = None
    try:
        fmt = detect_format(data, path)
        document = read_document(data, path, fmt)
    except DocumentReadError as exc:
        row = document_row(doc_id, path, len(data), fmt, None, None)
        row.update(status=str(DocStatus.FAILED), error=_error("ingest", exc))
        return DocumentResult(row, seconds=time.perf_counter() - started)
    except Exception as exc:  # a reader defect on one file must not stop an archive run
        log.exception("reader failed on %s", path)
        row = document_row(doc_id, path, len(data), fmt, None, None)
        row.update(status=str(DocStatus.FAILED), error=_error("ingest", exc))
        return DocumentResult(row, seconds=time.perf_counter() - started)

    try:
        meta = extract_doc_meta(document, context.meta_rules)
    except Exception as exc:
        log.exception("metadata failed on %s", path)
        meta = None
        document.warnings.append(_error("ingest.meta", exc))
    row = document_row(doc_id, path, len(data), fmt, document, meta)
    if meta is None:
        row["status"] = str(DocStatus.PARTIAL)
    result = DocumentResult(row, block_rows(doc_id, document), footnote_rows(doc_id, document))
    result.seconds = time.perf_counter() - started
    return result
