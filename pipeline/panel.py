"""The cross-year panel of one indicator: periods down, entities across, every cell with its source.

A cell is a fact (pipeline.facts); its source is the first of its mentions in reading order of the
most precise printing: document, page or section path, and the sentence. Marks say what kind of
figure a cell holds, because a statistician must never read an estimate or a target as an actual:
``e`` estimate, ``p`` preliminary, ``T`` target, ``!`` sources disagree.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd
import regex

from pipeline.tables import read_table

MARKS = {"is_estimate": "e", "is_preliminary": "p", "is_target": "T", "conflict": "!"}


@dataclass(frozen=True, slots=True)
class Panel:
    """``cells``: one row per fact with its source; ``grid``: periods x entities of formatted values."""

    indicator: str
    cells: pd.DataFrame
    grid: pd.DataFrame
    notes: tuple[str, ...]


def load_tables(out_dir: Path, *names: str) -> dict[str, pd.DataFrame]:
    return {name: read_table(out_dir, name).to_pandas() for name in names}


def _marks(row: pd.Series) -> str:
    return "".join(mark for column, mark in MARKS.items() if bool(row.get(column)))


def _format_value(value: float, unit: str | None) -> str:
    """A value in the Vietnamese convention, money in tỷ đồng: 8581070000000 VND -> "8.581,07 tỷ đồng"."""
    scaled, suffix = (value / 1e9, " tỷ đồng") if unit == "VND" and abs(value) >= 1e9 else (value, "")
    text = f"{scaled:,.3f}".rstrip("0").rstrip(".")
    text = text.replace(",", "\u2009").replace(".", ",").replace("\u2009", ".")
    return f"{text}{'%' if unit == 'percent' else suffix}"


def compare(
    out_dir: Path,
    indicator: str,
    entity: str | None = None,
    measure: str | None = None,
    basis: str | None = None,
) -> Panel:
    """Build the panel of ``indicator`` from OUT's facts, mentions and documents tables."""
    tables = load_tables(out_dir, "facts", "mentions", "documents")
    facts = tables["facts"]
    selected = facts[facts["indicator_code"] == indicator]
    if entity:
        selected = selected[selected["entity"].fillna("").str.casefold() == entity.casefold()]
    if measure:
        selected = selected[selected["measure"] == measure]
    if basis:
        selected = selected[selected["basis"].fillna("") == basis]
    mentions = tables["mentions"].set_index("mention_id")
    documents = tables["documents"].set_index("doc_id")
    rows = []
    for fact in selected.itertuples(index=False):
        source_id = _primary_source(fact, mentions)
        mention = mentions.loc[source_id]
        document = documents.loc[mention["doc_id"]] if mention["doc_id"] in documents.index else None
        where = f"p. {int(mention['page'])}" if pd.notna(mention["page"]) else (mention["section_path"] or "")
        if bool(mention["in_footnote"]):
            where = f"{where} footnote {mention['footnote_id']}".strip()
        if bool(mention["in_table"]):
            where = f"{where} table {int(mention['table_id'])} r{int(mention['row'])} c{int(mention['col'])}".strip()
        rows.append(
            {
                "period": fact.period,
                "entity": fact.entity,
                "measure": fact.measure,
                "basis": fact.basis,
                "value": fact.value,
                "unit": fact.unit_canonical,
                "marks": _marks(pd.Series(fact._asdict())),
                "n_sources": fact.n_sources,
                "source_document": Path(document["source_path"]).name if document is not None else mention["doc_id"],
                "source_where": where,
                "sentence": mention["sentence"],
                "value_text": mention["value_text"],
                "mention_ids": list(fact.mention_ids),
            }
        )
    cells = pd.DataFrame(
        rows,
        columns=[
            "period",
            "entity",
            "measure",
            "basis",
            "value",
            "unit",
            "marks",
            "n_sources",
            "source_document",
            "source_where",
            "sentence",
            "value_text",
            "mention_ids",
        ],
    ).sort_values(["measure", "basis", "period", "entity"], na_position="first", kind="stable")
    grid = _grid(cells)
    return Panel(indicator, cells.reset_index(drop=True), grid, boundary_notes(cells))


def _period_bounds(period: str) -> tuple[date | None, date | None]:
    """First and last day a period in contract notation covers ("2021..2025", "..2020-09-20", "2024")."""
    dates = regex.findall(r"(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?", period)
    if not dates:
        return None, None
    year, month, day = dates[0]
    start = date(int(year), int(month or 1), int(day or 1)) if not period.startswith("..") else None
    year, month, day = dates[-1]
    if day:
        end = date(int(year), int(month), int(day))
    elif month:
        end = date(int(year), int(month), calendar.monthrange(int(year), int(month))[1])
    else:
        end = date(int(year), 12, 31)
    return start, end


def boundary_notes(cells: pd.DataFrame) -> tuple[str, ...]:
    """Say when a column's periods fall outside the life of its administrative unit.

    Administrative units change (in 2025 tỉnh Kon Tum merged into tỉnh Quảng Ngãi and phường Kon Tum
    was formed from five wards of thành phố Kon Tum); a figure for a period in which the unit did not
    exist refers to a territory that has since been reorganised, and a reader must be told.
    """
    from extractors.entities import lineage, resolve_entity

    notes: list[str] = []
    for entity_name in sorted({e for e in cells["entity"].dropna()}):
        entity = resolve_entity(entity_name, None, None)
        if entity is None:
            continue
        periods = cells.loc[cells["entity"] == entity_name, "period"].dropna().unique()
        outside = []
        for period in sorted(periods):
            start, end = _period_bounds(period)
            before = entity.valid_from is not None and start is not None and start < entity.valid_from
            after = entity.valid_to is not None and end is not None and end > entity.valid_to
            if before or after:
                outside.append(period)
        if not outside:
            continue
        family = lineage(entity.entity_id)
        came_from = ", ".join(e.name for e in family.predecessors) or "-"
        went_into = ", ".join(e.name for e in family.successors) or "-"
        notes.append(
            f"{entity_name} existed {entity.valid_from or '…'} to {entity.valid_to or 'today'}; periods "
            f"{', '.join(outside)} fall outside it (formed from: {came_from}; became: {went_into}) / "
            f"{entity_name} chỉ tồn tại từ {entity.valid_from or '…'} đến {entity.valid_to or 'nay'}: "
            f"số liệu kỳ {', '.join(outside)} thuộc địa giới trước hoặc sau khi sắp xếp"
        )
    return tuple(notes)


def _primary_source(fact: object, mentions: pd.DataFrame) -> str:
    """The mention shown as a cell's source: prose before tables and footnotes, then reading order."""
    candidates = mentions.loc[list(fact.mention_ids)]  # type: ignore[attr-defined]
    order = candidates.assign(_rank=candidates["in_table"].astype(int) + candidates["in_footnote"].astype(int))
    return str(order.sort_values(["_rank", "doc_id", "char_start"]).index[0])


def _grid(cells: pd.DataFrame) -> pd.DataFrame:
    if cells.empty:
        return pd.DataFrame()
    display = cells.assign(
        cell=[
            f"{_format_value(v, u)}{' [' + m + ']' if m else ''}"
            for v, u, m in zip(cells["value"], cells["unit"], cells["marks"], strict=True)
        ],
        row_key=cells["measure"].fillna("") + " / " + cells["basis"].fillna("-") + " / " + cells["period"],
    )
    return display.pivot_table(index="row_key", columns="entity", values="cell", aggfunc="first").fillna("")


def export_panel(panel: Panel, path: Path) -> None:
    """Write the panel's cells (with sources) as CSV, Parquet, Excel or JSON, chosen by the suffix."""
    suffix = path.suffix.lower()
    cells = panel.cells.assign(mention_ids=panel.cells["mention_ids"].map(lambda ids: ",".join(ids)))
    if suffix == ".csv":
        cells.to_csv(path, index=False)
    elif suffix == ".parquet":
        panel.cells.to_parquet(path, index=False)
    elif suffix == ".xlsx":
        cells.to_excel(path, index=False, sheet_name=panel.indicator[:31])
    elif suffix == ".json":
        cells.to_json(path, orient="records", force_ascii=False, indent=1)
    else:
        raise ValueError(f"unknown export format {suffix!r}: use .csv, .parquet, .xlsx or .json")


def print_panel(panel: Panel) -> None:
    """The grid as a table on stdout, then the source of every cell."""
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    console = Console(width=None if Console().is_terminal else 200)
    table = Table(title=f"{panel.indicator}: measure / basis / period x entity")
    table.add_column("measure / basis / period")
    for entity in panel.grid.columns:
        table.add_column(str(entity))
    for key, row in panel.grid.iterrows():
        table.add_row(escape(str(key)), *[escape(str(v)) for v in row])
    console.print(table)
    console.print("marks: e estimate, p preliminary, T target, ! sources disagree")
    for note in panel.notes:
        console.print(f"note: {note}", markup=False)
    for cell in panel.cells.itertuples(index=False):
        console.print(
            f"- {cell.measure} / {cell.basis or '-'} / {cell.period} / {cell.entity}: {cell.value_text} "
            f"({cell.n_sources} source{'s' if cell.n_sources > 1 else ''}) {cell.source_document} "
            f"{cell.source_where}: “{cell.sentence}”",
            markup=False,
        )
