"""Per-document work: read one file and produce its rows for every table.

`process_file` is the unit of parallelism (one task per document, in a process pool or on a Dask
worker): it takes a path and an immutable RunContext and returns plain rows. It never raises for a
bad document: the failure is recorded in the documents row (status, error = stage: kind: message)
and the batch goes on.
"""

from __future__ import annotations

import bisect
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from extractors.doc_meta import DocMeta, MetaRules, extract_doc_meta, load_meta_rules
from extractors.lexicon import Lexicon, load_lexicon
from extractors.model import Block, BlockKind, DocStatus, Document
from extractors.sections import Outline, SectionRules, load_section_rules, section_at
from extractors.tables import TableRules, load_table_rules
from pipeline.ids import doc_id_for
from pipeline.limits import DEFAULT_LIMITS, Limits
from pipeline.readers import detect_format, read_document
from pipeline.readers.base import DocumentReadError
from pipeline.settings import load_params
from pipeline.stages import extract, section_rows, segment, sentence_rows, table_rows

log = logging.getLogger(__name__)

#: Largest input accepted by default; bigger files are recorded as failed rather than read into memory.
MAX_INPUT_BYTES = 200 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class RunContext:
    """Everything a document's processing needs besides its bytes, loaded once per process."""

    meta_rules: MetaRules
    section_rules: SectionRules
    table_rules: TableRules
    lexicon: Lexicon
    limits: Limits = DEFAULT_LIMITS
    max_input_bytes: int = MAX_INPUT_BYTES


def load_run_context() -> RunContext:
    """Load and validate every pattern file and params.yaml once, before any document is read (fail fast)."""
    return RunContext(
        meta_rules=load_meta_rules(),
        section_rules=load_section_rules(),
        table_rules=load_table_rules(),
        lexicon=load_lexicon(),
        limits=Limits.from_params(load_params().get("limits")),
    )


@dataclass(slots=True)
class DocumentResult:
    """All rows one input file contributes, per table."""

    document: dict[str, Any]
    blocks: list[dict[str, Any]] = field(default_factory=list)
    footnotes: list[dict[str, Any]] = field(default_factory=list)
    sections: list[dict[str, Any]] = field(default_factory=list)
    tables: list[dict[str, Any]] = field(default_factory=list)
    sentences: list[dict[str, Any]] = field(default_factory=list)
    mentions: list[dict[str, Any]] = field(default_factory=list)
    seconds: float = 0.0

    def rows(self) -> dict[str, list[dict[str, Any]]]:
        return {
            "documents": [self.document],
            "blocks": self.blocks,
            "footnotes": self.footnotes,
            "sections": self.sections,
            "tables": self.tables,
            "sentences": self.sentences,
            "mentions": self.mentions,
        }


def _error(stage: str, exc: BaseException) -> str:
    message = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{stage}: {type(exc).__name__}: {message}"[:500]


def block_rows(doc_id: str, document: Document) -> list[dict[str, Any]]:
    """The reader's blocks; footnote-body blocks also carry their reference, so a later stage can
    rebuild the Document from this table alone. A footnote whose body is empty gets a zero-length row."""
    footnotes = {f.footnote_id: f for f in document.footnotes}
    rows = []
    described: set[str] = set()
    for index, block in enumerate(document.blocks):
        row = _block_row(doc_id, index, block)
        footnote = footnotes.get(block.footnote_id) if block.footnote_id else None
        if footnote is not None and block.footnote_id not in described:
            described.add(footnote.footnote_id)
            row.update(ref_start=footnote.ref_start, marker=footnote.marker, ref_page=footnote.ref_page)
        rows.append(row)
    for footnote in document.footnotes:
        if footnote.footnote_id in described:
            continue
        empty = Block(BlockKind.FOOTNOTE_BODY, footnote.body_start, footnote.body_end, footnote_id=footnote.footnote_id)
        row = _block_row(doc_id, len(rows), empty)
        row.update(ref_start=footnote.ref_start, marker=footnote.marker, ref_page=footnote.ref_page)
        rows.append(row)
    return rows


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
        "source_layer": block.source_layer,
        "ocr_confidence": block.ocr_confidence,
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
            "ref_sentence_id": None,
            "body_start": f.body_start,
            "body_end": f.body_end,
            "body": document.text[f.body_start : f.body_end],
        }
        for f in document.footnotes
    ]


def attach_footnotes(footnotes: list[dict[str, Any]], sentences: list[dict[str, Any]], outline: Outline) -> None:
    """Give each footnote the section and the sentence of its reference.

    A marker usually stands at the end of the word it qualifies, right before the sentence's final
    stop, so a reference offset equal to a sentence's end still belongs to that sentence.
    """
    body_sentences = [s for s in sentences if s["footnote_id"] is None]
    starts = [s["char_start"] for s in body_sentences]
    for footnote in footnotes:
        ref = footnote["ref_start"]
        if ref is None:
            continue
        footnote["section_id"] = section_at(outline, ref).section_id
        index = bisect.bisect_right(starts, ref) - 1
        if index >= 0 and ref <= body_sentences[index]["char_end"]:
            footnote["ref_sentence_id"] = body_sentences[index]["sentence_id"]


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


def read_input(path: Path, max_bytes: int = MAX_INPUT_BYTES) -> bytes:
    """The bytes of one input file; raises OSError or DocumentReadError (too large) for the caller to record."""
    size = path.stat().st_size
    if size > max_bytes:
        raise DocumentReadError(f"file is {size} bytes, over the limit of {max_bytes}")
    return path.read_bytes()


def failed_result(path: Path, doc_id: str, stage: str, exc: BaseException, **fields: Any) -> DocumentResult:
    """The documents row of an input that could not be processed, with its reason."""
    row = document_row(doc_id, path, fields.pop("n_bytes", 0), fields.pop("fmt", None), None, None)
    row.update(status=str(DocStatus.FAILED), error=_error(stage, exc), **fields)
    return DocumentResult(row)


def unreadable_id(path: Path) -> str:
    """A stable id for a file whose bytes could not be read (there is no content to hash)."""
    return "unreadable" + doc_id_for(str(path).encode("utf-8", "surrogateescape"))


def process_file(path: Path, context: RunContext) -> DocumentResult:
    """Read one file and run every per-document stage on it; failures become a status, never an exception."""
    started = time.perf_counter()
    try:
        data = read_input(path, context.max_input_bytes)
    except (OSError, DocumentReadError) as exc:
        result = failed_result(path, unreadable_id(path), "ingest", exc)
        result.seconds = time.perf_counter() - started
        return result
    result = process_bytes(data, path, context)
    result.seconds = time.perf_counter() - started
    return result


def process_bytes(data: bytes, path: Path, context: RunContext, through: str = "all") -> DocumentResult:
    """Run the per-document stages on the bytes of one input file.

    ``through="ingest"`` stops after reading (documents and blocks rows only), for the stage-by-stage
    commands that dvc.yaml runs; ``"all"`` also segments and extracts.
    """
    started = time.perf_counter()
    doc_id = doc_id_for(data)
    fmt: str | None = None
    try:
        fmt = detect_format(data, path)
        document = read_document(data, path, fmt, context.limits)
    except DocumentReadError as exc:
        row = document_row(doc_id, path, len(data), fmt, None, None)
        row.update(status=str(DocStatus.FAILED), error=_error("ingest", exc))
        return DocumentResult(row, seconds=time.perf_counter() - started)
    except MemoryError:
        raise  # the worker reports it as the memory limit of this document
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
    if through == "ingest":
        if meta is None:
            row["status"] = str(DocStatus.PARTIAL)
        return DocumentResult(row, block_rows(doc_id, document))
    result = DocumentResult(row, block_rows(doc_id, document), footnote_rows(doc_id, document))
    errors: list[str] = []
    try:
        segmentation = segment(document, context.section_rules, context.table_rules)
        result.sections = section_rows(doc_id, segmentation.outline)
        result.tables = table_rows(doc_id, segmentation.tables)
        result.sentences = sentence_rows(doc_id, document, segmentation)
        attach_footnotes(result.footnotes, result.sentences, segmentation.outline)
    except MemoryError:
        raise
    except Exception as exc:
        log.exception("segment failed on %s", path)
        errors.append(_error("segment", exc))
        segmentation = None
    if segmentation is not None:
        try:
            result.mentions = extract(doc_id, str(path), document, segmentation, meta, context.lexicon)
        except MemoryError:
            raise
        except Exception as exc:
            log.exception("extract failed on %s", path)
            errors.append(_error("extract", exc))
    if meta is None or errors:
        row["status"] = str(DocStatus.PARTIAL)
        row["error"] = "; ".join(errors) or None
    result.seconds = time.perf_counter() - started
    return result
