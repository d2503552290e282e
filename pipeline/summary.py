"""The end-of-run summary: one line per document, then totals."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.table import Table

from extractors.model import DocStatus
from pipeline.batch import RunSummary


def print_summary(summary: RunSummary, out_dir: Path, console: Console | None = None) -> None:
    console = console or Console(width=None if Console().is_terminal else 160)
    grid = Table(title=f"chiso: {len(summary.results)} documents -> {out_dir}", show_lines=False)
    for column in ("document", "format", "status", "pages", "blocks", "footnotes", "sections", "tables", "mentions"):
        grid.add_column(column, overflow="fold")
    for result in sorted(summary.results, key=lambda r: r.document["source_path"]):
        doc = result.document
        rows = result.rows()
        linked = sum(1 for f in rows.get("footnotes", []) if f.get("ref_start") is not None)
        n_tables = len({c["table_id"] for c in rows.get("tables", [])})
        status = doc["status"]
        grid.add_row(
            Path(doc["source_path"]).name,
            doc.get("format") or "?",
            status,
            str(doc.get("n_pages") or ""),
            str(len(rows.get("blocks", []))),
            f"{linked}/{len(rows.get('footnotes', []))}",
            str(len(rows.get("sections", []))),
            str(n_tables),
            str(len(rows.get("mentions", []))),
        )
    console.print(grid)
    for result in summary.results:
        if result.document.get("error"):
            console.print(f"{result.document['source_path']}: {result.document['error']}", markup=False)
    counts = {status: summary.count(status) for status in DocStatus}
    console.print(
        f"ok {counts[DocStatus.OK]}, partial {counts[DocStatus.PARTIAL]}, failed {counts[DocStatus.FAILED]}, "
        f"skipped {counts[DocStatus.SKIPPED]}; rows: "
        + ", ".join(f"{name} {n}" for name, n in summary.tables.items())
        + f"; {summary.seconds:.1f} s"
    )
