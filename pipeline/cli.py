"""The `chiso` command line (contract.md, "Command line").

Heavy libraries (pandas, pyarrow, spaCy, underthesea, duckdb) are imported inside the commands so
that `chiso --help` answers at once. Results go to stdout; progress and logs go to stderr and only
appear on a terminal.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(
    name="chiso",
    help="Numeric indicators from Vietnamese socio-economic reports (.docx, .pdf, text dumps) into Parquet tables.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

OutputsOption = Annotated[
    Path, typer.Option("-o", "--outputs", help="Folder where tables are written and read.", show_default=True)
]
DEFAULT_OUTPUTS = Path("outputs")


def _stderr_is_terminal() -> bool:
    return sys.stderr.isatty()


def task_limits(seconds: float | None, memory_mib: float | None):  # type: ignore[no-untyped-def]
    """Per-document limits: the options when given (0 switches a limit off), else params.yaml's."""
    from pipeline.limits import Limits
    from pipeline.settings import load_params
    from pipeline.workers import TaskLimits

    limits = Limits.from_params(load_params().get("limits"))
    seconds = limits.seconds if seconds is None else seconds
    memory_mib = limits.memory_mib if memory_mib is None else memory_mib
    return TaskLimits(seconds=seconds or None, memory_bytes=int(memory_mib * 2**20) if memory_mib else None)


def _default_workers() -> int:
    return max(1, os.cpu_count() or 1)


@app.command()
def run(
    paths: Annotated[list[Path], typer.Argument(help="Files and folders (searched recursively) to process.")],
    outputs: OutputsOption = DEFAULT_OUTPUTS,
    workers: Annotated[int, typer.Option("--workers", "-w", help="Parallel worker processes (default: cores).")] = 0,
    strict: Annotated[bool, typer.Option(help="Exit non-zero when any input failed.")] = False,
    force: Annotated[bool, typer.Option(help="Process every document again, even when its result is stored.")] = False,
    engine: Annotated[str, typer.Option(help="local (process pool) or dask.")] = "local",
    scheduler: Annotated[
        str | None, typer.Option(help="Dask scheduler address; without it a LocalCluster is started.")
    ] = None,
    time_limit: Annotated[
        float | None, typer.Option(help="Seconds one document may take (0 = none; default: params.yaml limits).")
    ] = None,
    memory_limit: Annotated[
        float | None, typer.Option(help="MiB one document may add to its worker (0 = none; default: params.yaml).")
    ] = None,
) -> None:
    """Run every stage on PATHS and write all tables under OUTPUTS.

    Documents already processed with the same chiso version and patterns are reused (see --force);
    a run that was interrupted picks up where it stopped.
    """
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from extractors.model import DocStatus
    from pipeline.batch import RunOptions
    from pipeline.batch import run as run_pipeline
    from pipeline.summary import print_summary

    workers = workers or _default_workers()
    err = Console(stderr=True)
    if engine not in ("local", "dask"):
        err.print(f"[red]error:[/red] unknown engine {engine!r} (local, dask)")
        raise typer.Exit(2)
    if engine == "dask":
        # Dask gives a task no deadline and its daemonic workers may not start the child processes the local
        # pool uses to enforce limits: say so rather than let a user believe a stuck document is stopped.
        err.print(
            "[yellow]note:[/yellow] the dask engine does not enforce the per-document time and memory limits; "
            "a stuck document holds its dask worker"
        )
    options = RunOptions(
        workers=workers,
        force=force,
        engine=engine,
        scheduler=scheduler,
        limits=task_limits(time_limit, memory_limit),
    )
    try:
        for path in paths:
            if not path.exists():
                raise FileNotFoundError(f"no such file or folder: {path}")
    except FileNotFoundError as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from exc

    progress = Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]}"),
        TimeRemainingColumn(),
        console=err,
        disable=not _stderr_is_terminal(),
        transient=True,
    )
    task_ids: list[int] = []
    done = {"n": 0}
    import time

    started = time.perf_counter()

    def on_start(total: int) -> None:
        task_ids.append(progress.add_task("documents", total=total, rate=""))

    def on_result(_result: object) -> None:
        done["n"] += 1
        rate = done["n"] / max(time.perf_counter() - started, 1e-9)
        progress.update(task_ids[0], advance=1, rate=f"{rate:.1f} docs/s")

    with progress:
        summary = run_pipeline(paths, outputs, on_start=on_start, on_result=on_result, options=options)
    print_summary(summary, outputs)
    if strict and summary.count(DocStatus.FAILED):
        raise typer.Exit(1)


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Files and folders to read.")],
    outputs: OutputsOption = DEFAULT_OUTPUTS,
    workers: Annotated[int, typer.Option("--workers", "-w", help="Parallel worker processes (default: cores).")] = 0,
    force: Annotated[bool, typer.Option(help="Read every document again.")] = False,
) -> None:
    """Stage 1: read inputs into documents.parquet and blocks.parquet."""
    from pipeline.batch import RunOptions
    from pipeline.batch import run as run_pipeline

    options = RunOptions(workers=workers or _default_workers(), force=force, through="ingest")
    summary = run_pipeline(paths, outputs, options=options)
    typer.echo(f"ingest: {len(summary.outcomes)} documents; " + _counts(summary.tables))


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{name} {n}" for name, n in counts.items())


@app.command("segment")
def segment_command(outputs: OutputsOption = DEFAULT_OUTPUTS) -> None:
    """Stage 2: sections, tables, sentences and linked footnotes from documents and blocks."""
    from pipeline.stagewise import segment_stage

    typer.echo("segment: " + _counts(_stage(segment_stage, outputs)))


@app.command("extract")
def extract_command(outputs: OutputsOption = DEFAULT_OUTPUTS) -> None:
    """Stage 3: mentions from the segmented documents."""
    from pipeline.stagewise import extract_stage

    typer.echo("extract: " + _counts(_stage(extract_stage, outputs)))


@app.command("facts")
def facts_command(outputs: OutputsOption = DEFAULT_OUTPUTS) -> None:
    """Stage 4: facts consolidated from the mentions."""
    from pipeline.stagewise import facts_stage

    typer.echo("facts: " + _counts(_stage(facts_stage, outputs)))


def _stage(function, outputs: Path) -> dict[str, int]:  # type: ignore[no-untyped-def]
    try:
        return function(outputs)  # type: ignore[no-any-return]
    except FileNotFoundError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc


@app.command()
def query(
    sql: Annotated[str, typer.Argument(help="DuckDB SQL; every table appears as a view of its name.")],
    outputs: OutputsOption = DEFAULT_OUTPUTS,
    output_format: Annotated[str, typer.Option("--format", help="table, csv or json.")] = "table",
) -> None:
    """Run SQL over the tables."""
    from pipeline.sql import run_query

    if output_format not in ("table", "csv", "json"):
        typer.echo(f"error: unknown --format {output_format!r} (table, csv, json)", err=True)
        raise typer.Exit(2)
    import duckdb

    try:
        text = run_query(sql, outputs, output_format)
    except (FileNotFoundError, duckdb.Error) as exc:
        typer.echo(f"error: {str(exc).strip()}", err=True)
        raise typer.Exit(2) from exc
    typer.echo(text)


@app.command()
def tables(outputs: OutputsOption = DEFAULT_OUTPUTS) -> None:
    """List the tables and their columns."""
    from pipeline.sql import describe_tables

    typer.echo(describe_tables(outputs))


@app.command()
def compare(
    indicator: Annotated[str, typer.Argument(help="Indicator code from patterns/indicators.tsv, e.g. grdp.")],
    outputs: OutputsOption = DEFAULT_OUTPUTS,
    entity: Annotated[str | None, typer.Option(help="Only this entity, e.g. 'phường Kon Tum'.")] = None,
    measure: Annotated[str | None, typer.Option(help="Only this measure, e.g. level, growth_pct.")] = None,
    basis: Annotated[str | None, typer.Option(help="Only this price basis: current, constant_2010.")] = None,
    export: Annotated[Path | None, typer.Option(help="Also write the cells to .csv, .parquet, .xlsx or .json.")] = None,
) -> None:
    """The cross-year panel of one indicator, with the source of every cell."""
    from pipeline.panel import compare as build_panel
    from pipeline.panel import export_panel, print_panel

    try:
        panel = build_panel(outputs, indicator, entity=entity, measure=measure, basis=basis)
    except FileNotFoundError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    if panel.cells.empty:
        typer.echo(f"no facts for indicator {indicator!r} with these filters", err=True)
        raise typer.Exit(1)
    print_panel(panel)
    if export:
        try:
            export_panel(panel, export)
        except ValueError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(2) from exc
        typer.echo(f"wrote {export}", err=True)


@app.command()
def evaluate(
    outputs: OutputsOption = DEFAULT_OUTPUTS,
    gold: Annotated[Path, typer.Option(help="The gold set.")] = Path("corpus/gold/mentions.tsv"),
    fmt: Annotated[str, typer.Option("--format", help="Score the documents read from this format.")] = "txt",
    metrics: Annotated[Path | None, typer.Option(help="Also write the scores as JSON here.")] = None,
) -> None:
    """Precision, recall and F1 per field set of OUT's mentions against the gold set."""
    import json

    from pipeline.evaluate import align, format_report, load_gold, score, unlocated_rows
    from pipeline.tables import read_table

    try:
        documents = read_table(outputs, "documents").to_pandas()
        mentions = read_table(outputs, "mentions").to_pandas()
    except FileNotFoundError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    gold_rows = load_gold(gold)
    aligned = align(gold_rows, mentions, documents, fmt=fmt)
    scores = score(aligned)
    typer.echo(f"gold: {gold} ({len(gold_rows)} rows), documents read from .{fmt}")
    typer.echo(format_report(scores))
    missing = unlocated_rows(aligned, gold_rows)
    if len(missing):
        typer.echo(f"{len(missing)} gold rows could not be located in the {fmt} text:", err=True)
        typer.echo(missing.to_string(), err=True)
    if metrics:
        import pyarrow.parquet as pq

        from pipeline.tables import SCHEMAS

        counts = {
            name: pq.read_metadata(outputs / f"{name}.parquet").num_rows
            for name in SCHEMAS
            if (outputs / f"{name}.parquet").exists()
        }
        by_field = {
            row["field_set"]: {k: round(float(row[k]), 4) for k in ("precision", "recall", "f1")}
            for row in scores.to_dict(orient="records")
        }
        findings_path = outputs / "qa_findings.parquet"
        per_check = (
            pq.read_table(findings_path, columns=["check"]).to_pandas()["check"].value_counts().sort_index().to_dict()
            if findings_path.exists()
            else {}
        )
        payload = {"gold_format": fmt, "gold": by_field, "rows": counts, "findings_per_check": per_check}
        metrics.parent.mkdir(parents=True, exist_ok=True)
        metrics.write_text(json.dumps(payload, indent=1, ensure_ascii=False) + "\n")


@app.command()
def explain(
    sentence: Annotated[str, typer.Argument(help="A Vietnamese sentence, e.g. 'GRDP tăng 7,32% so với cùng kỳ.'")],
    period: Annotated[str | None, typer.Option(help="The report's own period, e.g. 2023 or 2020-01..2020-09.")] = None,
    doc_kind: Annotated[str | None, typer.Option(help="báo cáo or kế hoạch (a plan makes values targets).")] = None,
    entity: Annotated[str | None, typer.Option(help="The report's own entity, e.g. 'tỉnh Kon Tum'.")] = None,
) -> None:
    """Print every mention found in SENTENCE, its fields and the pattern rules that fired."""
    import unicodedata

    from extractors.doc_meta import last_year
    from extractors.lexicon import load_lexicon
    from extractors.mentions import explain as explain_mentions
    from extractors.model import ExtractionContext

    context = ExtractionContext(
        report_period=period,
        report_year=last_year(period),
        doc_kind=doc_kind,
        entity=entity,
    )
    text = unicodedata.normalize("NFC", sentence)
    mentions = explain_mentions(text, context, load_lexicon())
    if not mentions:
        typer.echo("no mentions")
    for mention in mentions:
        typer.echo(f"[{mention.start}:{mention.end}] {mention.value_text!r}")
        for name in (
            "value",
            "denominator",
            "unit",
            "unit_canonical",
            "scale",
            "value_normalized",
            "measure",
            "direction",
            "qualifier",
            "period",
            "period_kind",
            "reference_period",
            "basis",
            "subject",
            "indicator_code",
            "entity",
        ):
            value = getattr(mention, name)
            if value is not None:
                typer.echo(f"    {name:17} {value}")
        if mention.flags:
            typer.echo(f"    {'flags':17} {', '.join(mention.flags)}")
        typer.echo(f"    {'rules':17} {', '.join(mention.rule_ids)}")


#: The tables the QA checks and the HTML report read.
QA_TABLES = ("documents", "mentions", "footnotes", "sentences", "sections", "tables", "facts")


def _load_tables(outputs: Path) -> dict:  # type: ignore[type-arg]
    import pandas as pd

    if not (outputs / "mentions.parquet").exists():
        typer.echo(f"error: no mentions in {outputs}: run `chiso run PATH -o {outputs}` first", err=True)
        raise typer.Exit(2)
    return {n: pd.read_parquet(outputs / f"{n}.parquet") for n in QA_TABLES if (outputs / f"{n}.parquet").exists()}


@app.command()
def qa(
    outputs: OutputsOption = DEFAULT_OUTPUTS,
    params: Annotated[
        Path | None, typer.Option(help="params.yaml with a qa: section (default: the project's).")
    ] = None,
) -> None:
    """Run the QA checks over the tables and write qa_findings.parquet; print the findings."""
    from pipeline.facts import fact_rows
    from pipeline.qa import load_params, run_qa
    from pipeline.tables import write_table

    findings = run_qa(_load_tables(outputs), load_params(params))
    write_table(outputs, "qa_findings", fact_rows(findings), {})
    for row in findings.itertuples(index=False):
        typer.echo(f"{row.severity}\t{row.check}\t{row.message} / {row.message_en}")
    counts = findings["severity"].value_counts().to_dict() if len(findings) else {}
    typer.echo(f"{len(findings)} findings: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())), err=True)


@app.command()
def report(
    outputs: OutputsOption = DEFAULT_OUTPUTS,
    html: Annotated[Path | None, typer.Option("--html", help="Where to write it (default OUT/report.html).")] = None,
) -> None:
    """Write one self-contained HTML report: findings with their sources, charts, documents."""
    import pandas as pd

    from pipeline.qa import load_params, run_qa
    from pipeline.report import write_report

    tables = _load_tables(outputs)
    path = outputs / "qa_findings.parquet"
    findings = pd.read_parquet(path) if path.exists() else run_qa(tables, load_params())
    typer.echo(write_report(tables, findings, html or outputs / "report.html"))


def main() -> None:
    app()


if __name__ == "__main__":
    main()
