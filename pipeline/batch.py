"""Batch orchestration: find inputs, process each document once, compact shards into the contract tables.

A run has two phases:

1. **Process.** Each input file is hashed; a document whose shard already exists for the current
   pipeline key is reused, every other one is processed (in a pool of worker processes with a time
   and memory limit per document, or on a Dask cluster) and leaves a shard (pipeline.shards).
2. **Compact.** Shards of the documents named in this run are streamed, in input order, into one
   Parquet file per table, written atomically. Rows are ordered by input path, then within each
   document by position, so the tables are identical whatever the worker count or finishing order,
   and memory stays flat however many documents there are.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from extractors.model import DocStatus
from pipeline.facts import consolidate, fact_rows
from pipeline.ids import doc_id_for
from pipeline.limits import DEFAULT_LIMITS
from pipeline.process import (
    RunContext,
    failed_result,
    load_run_context,
    process_bytes,
    read_input,
    unreadable_id,
)
from pipeline.readers import INPUT_SUFFIXES
from pipeline.readers.base import DocumentReadError
from pipeline.shards import ShardStore, chiso_version, pipeline_key
from pipeline.tables import SORT_KEYS, TableWriter
from pipeline.workers import LimitedPool, TaskFailure, TaskLimits

#: Tables produced per document (facts are computed across documents at compaction).
DOCUMENT_TABLES = ("documents", "blocks", "footnotes", "sections", "tables", "sentences", "mentions")
#: What the ingest stage of dvc.yaml writes; the segment stage writes footnotes with their links.
INGEST_TABLES = ("documents", "blocks")
RUN_LOG = "run.log.jsonl"


def iter_input_files(roots: Iterable[Path], follow_symlinks: bool = False) -> Iterator[Path]:
    """Files named directly, plus report files (by suffix) found recursively under folders.

    Symbolic links inside folders are not followed unless asked, so a link cannot pull files from
    outside the roots the user named into a batch.
    """
    seen: set[Path] = set()
    for root in roots:
        if root.is_file():
            candidates: Iterable[Path] = [root]
        elif root.is_dir():
            candidates = sorted(_walk(root, follow_symlinks))
        else:
            raise FileNotFoundError(f"no such file or folder: {root}")
        for path in candidates:
            key = path.resolve()
            if key not in seen:
                seen.add(key)
                yield path


def _walk(root: Path, follow_symlinks: bool) -> Iterator[Path]:
    for directory, subdirs, files in os.walk(root, followlinks=follow_symlinks):
        subdirs[:] = sorted(d for d in subdirs if not d.startswith("."))
        for name in sorted(files):
            path = Path(directory) / name
            if name.startswith(".") or path.suffix.lower() not in INPUT_SUFFIXES:
                continue
            if path.is_symlink() and not follow_symlinks:
                continue
            yield path


@dataclass(frozen=True, slots=True)
class RunOptions:
    workers: int = 1
    force: bool = False
    limits: TaskLimits = field(
        default_factory=lambda: TaskLimits(seconds=DEFAULT_LIMITS.seconds, memory_bytes=DEFAULT_LIMITS.memory_bytes)
    )
    engine: str = "local"
    scheduler: str | None = None
    through: str = "all"  # "ingest" stops after reading (the first stage of dvc.yaml)


@dataclass(slots=True)
class DocOutcome:
    """What the parent learns about one input: small, so a 100,000-file run stays light."""

    path: str
    doc_id: str
    status: str
    error: str | None
    format: str | None
    counts: dict[str, int]
    seconds: float
    reused: bool
    n_pages: int | None = None
    n_linked_footnotes: int = 0
    n_data_tables: int = 0


@dataclass(slots=True)
class RunSummary:
    outcomes: list[DocOutcome] = field(default_factory=list)
    seconds: float = 0.0
    tables: dict[str, int] = field(default_factory=dict)

    def count(self, status: DocStatus) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    @property
    def reused(self) -> int:
        return sum(1 for o in self.outcomes if o.reused)


def _outcome(path: Path, rows: dict[str, list[dict[str, Any]]], seconds: float, reused: bool) -> DocOutcome:
    document = rows["documents"][0]
    return DocOutcome(
        path=str(path),
        doc_id=document["doc_id"],
        status=document["status"],
        error=document.get("error"),
        format=document.get("format"),
        counts={table: len(rows.get(table, [])) for table in DOCUMENT_TABLES},
        seconds=seconds,
        reused=reused,
        n_pages=document.get("n_pages"),
        n_linked_footnotes=sum(1 for f in rows.get("footnotes", []) if f.get("ref_start") is not None),
        n_data_tables=len({c["table_id"] for c in rows.get("tables", [])}),
    )


@dataclass(frozen=True, slots=True)
class _Task:
    path: Path
    store: ShardStore
    force: bool
    through: str = "all"


def _run_task(context: RunContext, task: _Task) -> DocOutcome:
    """One document, in a worker: reuse its shard or process it and leave one."""
    started = time.perf_counter()
    try:
        data = read_input(task.path, context.max_input_bytes)
    except (OSError, DocumentReadError) as exc:
        result = failed_result(task.path, unreadable_id(task.path), "ingest", exc)
        return _store(task, result.rows(), started)
    doc_id = doc_id_for(data)
    if not task.force and task.store.has(doc_id):
        return _outcome(task.path, task.store.load(doc_id), time.perf_counter() - started, reused=True)
    result = process_bytes(data, task.path, context, through=task.through)
    return _store(task, result.rows(), started)


def _store(task: _Task, rows: dict[str, list[dict[str, Any]]], started: float) -> DocOutcome:
    """Leave the document's shard (unreadable inputs too, so compaction has their documents row)."""
    task.store.save(rows["documents"][0]["doc_id"], rows)
    return _outcome(task.path, rows, time.perf_counter() - started, reused=False)


def _failure_outcome(task: _Task, failure: TaskFailure) -> DocOutcome:
    """A document whose worker hit a limit: recorded as failed ("limit: time 120 s"), with a shard so
    compaction sees it."""
    try:
        data = task.path.read_bytes()
        doc_id, n_bytes = doc_id_for(data), len(data)
    except OSError:
        doc_id, n_bytes = unreadable_id(task.path), 0
    result = failed_result(task.path, doc_id, "limit", RuntimeError(failure.reason), n_bytes=n_bytes)
    result.document["error"] = failure.reason
    task.store.save(doc_id, result.rows())
    return _outcome(task.path, result.rows(), 0.0, reused=False)


def _process(
    tasks: list[_Task], options: RunOptions, on_outcome: Callable[[DocOutcome], None]
) -> dict[int, DocOutcome]:
    outcomes: dict[int, DocOutcome] = {}
    if options.engine == "dask":
        from pipeline.dask_engine import run_on_dask

        for index, outcome in run_on_dask(tasks, _run_task_standalone, options.scheduler, options.workers):
            outcomes[index] = outcome
            on_outcome(outcome)
        return outcomes
    pool = LimitedPool(options.workers, load_run_context, _run_task, options.limits)
    for index, outcome in pool.imap_unordered(tasks):
        if isinstance(outcome, TaskFailure):
            outcome = _failure_outcome(tasks[index], outcome)
        outcomes[index] = outcome
        on_outcome(outcome)
    return outcomes


_standalone_context: RunContext | None = None


def _run_task_standalone(task: _Task) -> DocOutcome:
    """The same per-document task for engines that give no per-worker initializer (Dask)."""
    global _standalone_context
    if _standalone_context is None:
        _standalone_context = load_run_context()
    return _run_task(_standalone_context, task)


def compact(
    out_dir: Path,
    store: ShardStore,
    outcomes: list[DocOutcome],
    metadata: dict[str, str],
    tables: tuple[str, ...] = DOCUMENT_TABLES,
) -> dict[str, int]:
    """Stream the shards of this run's documents into the contract tables, in input order."""
    writers = {name: TableWriter(out_dir, name, metadata) for name in tables}
    first_path: dict[str, str] = {}
    try:
        for outcome in outcomes:
            rows = store.load(outcome.doc_id)
            document = rows["documents"][0]
            document["source_path"] = outcome.path
            original = first_path.setdefault(outcome.doc_id, outcome.path)
            if original != outcome.path:
                document.update(status=str(DocStatus.SKIPPED), error=f"ingest: duplicate: same content as {original}")
                outcome.status, outcome.error = document["status"], document["error"]
                rows = {"documents": [document]}
            for mention in rows.get("mentions", []):
                mention["source_path"] = outcome.path
            for name in tables:
                table_rows = rows.get(name, [])
                keys = SORT_KEYS[name]
                table_rows.sort(key=lambda r, keys=keys: tuple(_sortable(r.get(k)) for k in keys))
                writers[name].add(table_rows)
        counts = {name: writer.close() for name, writer in writers.items()}
    except BaseException:
        for writer in writers.values():
            writer.abort()
        raise
    if "mentions" in tables:
        counts["facts"] = write_facts(out_dir, metadata)
    return counts


def _sortable(value: Any) -> tuple[int, Any]:
    return (1, "") if value is None else (0, value)


def write_facts(out_dir: Path, metadata: dict[str, str]) -> int:
    """facts.parquet from OUT's mentions (reads only the columns consolidation needs)."""
    import pyarrow.parquet as pq

    columns = [
        "mention_id",
        "doc_id",
        "value_text",
        "value",
        "scale",
        "value_normalized",
        "unit_canonical",
        "qualifier",
        "in_table",
        "in_footnote",
        "entity",
        "entity_level",
        "direction",
        *(c for c in ("indicator_code", "period", "measure", "basis")),
    ]
    mentions = pq.read_table(out_dir / "mentions.parquet", columns=columns).to_pandas()
    writer = TableWriter(out_dir, "facts", metadata)
    try:
        writer.add(list(fact_rows(consolidate(mentions))))
        return writer.close()
    except BaseException:
        writer.abort()
        raise


class RunLog:
    """JSON lines in OUT/run.log.jsonl: one line when a run starts, one per document, one at the end."""

    def __init__(self, out_dir: Path) -> None:
        out_dir.mkdir(parents=True, exist_ok=True)
        self._handle = (out_dir / RUN_LOG).open("a", encoding="utf-8")

    def write(self, event: str, **fields: Any) -> None:
        record = {"time": datetime.now(UTC).isoformat(timespec="seconds"), "event": event, **fields}
        self._handle.write(json.dumps(record, ensure_ascii=False, default=str) + "\n")
        self._handle.flush()

    def close(self) -> None:
        self._handle.close()


def run(
    roots: list[Path],
    out_dir: Path,
    workers: int = 1,
    on_start: Callable[[int], None] | None = None,
    on_result: Callable[[DocOutcome], None] | None = None,
    options: RunOptions | None = None,
) -> RunSummary:
    """Process every input under ``roots`` and write all tables under ``out_dir``."""
    options = options or RunOptions(workers=workers)
    started = time.perf_counter()
    paths = list(iter_input_files(roots))
    context_hash = _patterns_hash()
    store = ShardStore(out_dir, pipeline_key(f"{context_hash}:{options.through}"))
    log = RunLog(out_dir)
    log.write("start", inputs=len(paths), workers=options.workers, engine=options.engine, pipeline_key=store.key)
    if on_start:
        on_start(len(paths))
    tasks = [_Task(path, store, options.force, options.through) for path in paths]

    def record(outcome: DocOutcome) -> None:
        log.write(
            "document",
            path=outcome.path,
            doc_id=outcome.doc_id,
            status=outcome.status,
            error=outcome.error,
            reused=outcome.reused,
            seconds=round(outcome.seconds, 3),
            mentions=outcome.counts.get("mentions", 0),
        )
        if on_result:
            on_result(outcome)

    try:
        by_index = _process(tasks, options, record)
        outcomes = [by_index[i] for i in range(len(tasks))]
        metadata = {
            "chiso_version": chiso_version(),
            "patterns_hash": context_hash,
            "pipeline_key": store.key,
            "python": sys.version.split()[0],
        }
        tables = INGEST_TABLES if options.through == "ingest" else DOCUMENT_TABLES
        counts = compact(out_dir, store, outcomes, metadata, tables)
    except BaseException as exc:
        log.write("aborted", error=f"{type(exc).__name__}: {exc}")
        log.close()
        raise
    summary = RunSummary(outcomes=outcomes, seconds=time.perf_counter() - started, tables=counts)
    log.write(
        "end",
        seconds=round(summary.seconds, 3),
        ok=summary.count(DocStatus.OK),
        partial=summary.count(DocStatus.PARTIAL),
        failed=summary.count(DocStatus.FAILED),
        skipped=summary.count(DocStatus.SKIPPED),
        reused=summary.reused,
        tables=counts,
    )
    log.close()
    return summary


def _patterns_hash() -> str:
    from extractors.lexicon import default_patterns_dir, patterns_hash

    return patterns_hash(default_patterns_dir())
