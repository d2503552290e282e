"""The Python API: run the pipeline and read its tables as pandas DataFrames.

>>> import pipeline as chiso                                  # doctest: +SKIP
>>> chiso.run(["corpus"], "outputs")                          # doctest: +SKIP
>>> mentions = chiso.load("mentions", "outputs")              # doctest: +SKIP
>>> panel = chiso.compare("grdp", out_dir="outputs")          # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from pipeline import batch as _batch
from pipeline import panel as _panel
from pipeline import sql as _sql
from pipeline.tables import SCHEMAS, read_table


def run(paths: Sequence[str | Path], out_dir: str | Path = "outputs", workers: int = 1) -> _batch.RunSummary:
    """Process files and folders and write every table under ``out_dir``."""
    return _batch.run([Path(p) for p in paths], Path(out_dir), workers=workers)


def load(table: str, out_dir: str | Path = "outputs") -> pd.DataFrame:
    """One table as a DataFrame (documents, sections, footnotes, tables, mentions, facts, ...)."""
    if table not in SCHEMAS:
        raise ValueError(f"unknown table {table!r}; known: {', '.join(SCHEMAS)}")
    return read_table(Path(out_dir), table).to_pandas()


def compare(
    indicator: str,
    entity: str | None = None,
    measure: str | None = None,
    basis: str | None = None,
    out_dir: str | Path = "outputs",
) -> pd.DataFrame:
    """The cross-year panel of one indicator, one row per cell with its source document and sentence."""
    return _panel.compare(Path(out_dir), indicator, entity=entity, measure=measure, basis=basis).cells


def query(sql: str, out_dir: str | Path = "outputs") -> pd.DataFrame:
    """DuckDB SQL over the tables (each table is a view of its name)."""
    return _sql.connect(Path(out_dir)).execute(sql).fetchdf()
