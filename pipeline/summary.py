"""The end-of-run summary: one line per document, then totals."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.table import Table

from extractors.model import DocStatus
from pipeline.batch import RunSummary


def print_summary(summary: RunSummary, out_dir: Path, console: Console | None = None) -> None:
    console = console or Console(width=None if Console().is_terminal else 160)
    grid = Table(title=f"chiso: {len(summary.outcomes)} documents -> {out_dir}", show_lines=False)
    for column in ("document", "format", "status", "pages", "blocks", "footnotes", "sections", "tables", "mentions"):
        grid.add_column(column, overflow="fold")
    for outcome in summary.outcomes:
        grid.add_row(
            Path(outcome.path).name,
            outcome.format or "?",
            outcome.status + (" (reused)" if outcome.reused else ""),
            str(outcome.n_pages or ""),
            str(outcome.counts.get("blocks", 0)),
            f"{outcome.n_linked_footnotes}/{outcome.counts.get('footnotes', 0)}",
            str(outcome.counts.get("sections", 0)),
            str(outcome.n_data_tables),
            str(outcome.counts.get("mentions", 0)),
        )
    console.print(grid)
    for outcome in summary.outcomes:
        if outcome.error:
            console.print(f"{outcome.path}: {outcome.error}", markup=False)
    counts = {status: summary.count(status) for status in DocStatus}
    console.print(
        f"ok {counts[DocStatus.OK]}, partial {counts[DocStatus.PARTIAL]}, failed {counts[DocStatus.FAILED]}, "
        f"skipped {counts[DocStatus.SKIPPED]}; reused {summary.reused}; rows: "
        + ", ".join(f"{name} {n}" for name, n in summary.tables.items())
        + f"; {summary.seconds:.1f} s"
    )
