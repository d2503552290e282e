"""Batch orchestration: find input files, process each document, write every table once.

Documents are processed independently (in a process pool when ``workers > 1``); results are gathered
and each table is written atomically at the end, sorted, so the output does not depend on the worker
count or on completion order.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from extractors.model import DocStatus
from pipeline.facts import consolidate, fact_rows
from pipeline.process import DocumentResult, RunContext, load_run_context, process_file
from pipeline.readers import INPUT_SUFFIXES
from pipeline.tables import SCHEMAS, write_table


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


@dataclass(slots=True)
class RunSummary:
    results: list[DocumentResult] = field(default_factory=list)
    seconds: float = 0.0
    tables: dict[str, int] = field(default_factory=dict)

    def count(self, status: DocStatus) -> int:
        return sum(1 for r in self.results if r.document["status"] == status)


_worker_context: RunContext | None = None


def _init_worker() -> None:
    global _worker_context
    _worker_context = load_run_context()


def _process_in_worker(path: Path) -> DocumentResult:
    assert _worker_context is not None
    return process_file(path, _worker_context)


def process_all(
    paths: list[Path],
    workers: int = 1,
    on_result: Callable[[DocumentResult], None] | None = None,
) -> list[DocumentResult]:
    """Process documents, in a pool of ``workers`` processes when more than one."""
    results: list[DocumentResult] = []
    if workers <= 1 or len(paths) <= 1:
        context = load_run_context()
        for path in paths:
            result = process_file(path, context)
            results.append(result)
            if on_result:
                on_result(result)
        return results
    with ProcessPoolExecutor(max_workers=workers, initializer=_init_worker) as pool:
        for result in pool.map(_process_in_worker, paths, chunksize=1):
            results.append(result)
            if on_result:
                on_result(result)
    return results


def mark_duplicates(results: list[DocumentResult]) -> None:
    """The same bytes under two names are one document: later copies are recorded as skipped."""
    first: dict[str, str] = {}
    for result in results:
        doc = result.document
        if doc["status"] == DocStatus.FAILED:
            continue
        original = first.setdefault(doc["doc_id"], doc["source_path"])
        if original != doc["source_path"]:
            doc.update(status=str(DocStatus.SKIPPED), error=f"ingest: duplicate: same content as {original}")
            for key in list(result.rows()):
                if key != "documents":
                    getattr(result, key).clear()


def write_results(results: list[DocumentResult], out_dir: Path, metadata: dict[str, str]) -> dict[str, int]:
    """Write every table that the results carry; returns row counts per table."""
    merged: dict[str, list[dict[str, Any]]] = {}
    for result in results:
        for table, rows in result.rows().items():
            merged.setdefault(table, []).extend(rows)
    if "mentions" in merged:
        merged["facts"] = list(fact_rows(consolidate(mentions_frame(merged["mentions"]))))
    counts = {}
    for table in SCHEMAS:
        if table in merged:
            write_table(out_dir, table, merged[table], metadata)
            counts[table] = len(merged[table])
    return counts


def mentions_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """Mention rows as a DataFrame with every contract column, even when there are none."""
    return pd.DataFrame(rows, columns=SCHEMAS["mentions"].names)


def run(
    roots: list[Path],
    out_dir: Path,
    workers: int = 1,
    on_start: Callable[[int], None] | None = None,
    on_result: Callable[[DocumentResult], None] | None = None,
) -> RunSummary:
    started = time.perf_counter()
    paths = list(iter_input_files(roots))
    if on_start:
        on_start(len(paths))
    results = process_all(paths, workers=workers, on_result=on_result)
    mark_duplicates(results)
    metadata = {"python": sys.version.split()[0]}
    counts = write_results(results, out_dir, metadata)
    return RunSummary(results=results, seconds=time.perf_counter() - started, tables=counts)
