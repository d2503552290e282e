"""Data tables as grids with row and column headers, from the TABLE_CELL blocks of a Document.

A statistician reads a cell through its headers: "Sơ bộ năm 2024 (Trđ)" gives period, qualifier and
unit, the row label gives the subject, and a group row above ("Theo giá so sánh năm 2010") gives the
price basis of every row under it. This module rebuilds those headers; the shapes it relies on (unit
in parentheses, enumerator cells, numeric cells) are in patterns/tables.yaml.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

import regex
import yaml

from extractors.model import BlockKind, Document

#: Row headers of a cell under a group row are written "group > row label".
GROUP_SEPARATOR = " > "


@dataclass(frozen=True, slots=True)
class TableRules:
    header_unit: regex.Pattern[str]
    enumerator: regex.Pattern[str]
    numeric_cell: regex.Pattern[str]
    group_number: regex.Pattern[str]


@lru_cache(maxsize=4)
def load_table_rules(path: Path | None = None) -> TableRules:
    path = path or Path(__file__).resolve().parent.parent / "patterns" / "tables.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return TableRules(
        header_unit=regex.compile(data["header_unit"]["pattern"]),
        enumerator=regex.compile(data["enumerator"]["pattern"], regex.IGNORECASE),
        numeric_cell=regex.compile(data["numeric_cell"]["pattern"]),
        group_number=regex.compile(data["group_number"]["pattern"]),
    )


@dataclass(frozen=True, slots=True)
class Cell:
    table_id: int
    row: int
    col: int
    text: str
    start: int
    end: int
    page: int | None
    row_header: str | None = None
    col_header: str | None = None
    unit: str | None = None
    is_header: bool = False
    is_label: bool = False  # in a label column ("TT", "Chỉ tiêu"): read as a header, not as a value
    caption: str | None = None  # the title printed just above the table ("TỔNG GIÁ TRỊ SẢN PHẨM …")


#: A caption is a short block right before a table; longer text is a body paragraph, not a title.
CAPTION_MAX_CHARS = 200


def data_tables(document: Document, rules: TableRules) -> list[list[Cell]]:
    """Cells of every data table (layout tables of header/signature blocks excluded), with headers."""
    by_table: dict[int, list[Cell]] = {}
    captions: dict[int, str] = {}
    previous = None
    for block in document.blocks:
        if block.kind != BlockKind.TABLE_CELL or block.layout_table or block.table_id is None:
            previous = block
            continue
        if block.table_id not in by_table and previous is not None and previous.kind != BlockKind.TABLE_CELL:
            text = document.block_text(previous)
            if len(text) <= CAPTION_MAX_CHARS:
                captions[block.table_id] = text
        by_table.setdefault(block.table_id, []).append(
            Cell(
                block.table_id,
                block.row or 0,
                block.col or 0,
                document.block_text(block),
                block.start,
                block.end,
                block.page,
            )
        )
    return [
        [replace(cell, caption=captions.get(table_id)) for cell in _with_headers(cells, rules)]
        for table_id, cells in sorted(by_table.items())
    ]


def _with_headers(cells: list[Cell], rules: TableRules) -> list[Cell]:
    rows = sorted({c.row for c in cells})
    grid = {(c.row, c.col): c for c in cells}
    header_rows = _header_rows(cells, rows, rules)
    columns = sorted({c.col for c in cells})
    col_headers = {
        col: " ".join(grid[(r, col)].text for r in header_rows if (r, col) in grid) or None for col in columns
    }
    label_columns = _label_columns(cells, header_rows, rules)
    out: list[Cell] = []
    group: str | None = None
    for row in rows:
        in_header = row in header_rows
        labels = [
            grid[(row, col)].text
            for col in label_columns
            if (row, col) in grid and not rules.enumerator.match(grid[(row, col)].text)
        ]
        label = " ".join(labels) or None
        if not in_header and label and _is_group_row(row, grid, label_columns, rules):
            group = label
        row_header = label
        if not in_header and group and label and label != group:
            row_header = f"{group}{GROUP_SEPARATOR}{label}"
        for cell in sorted((c for c in cells if c.row == row), key=lambda c: c.col):
            col_header = col_headers.get(cell.col)
            unit_match = rules.header_unit.search(col_header) if col_header else None
            out.append(
                Cell(
                    cell.table_id,
                    cell.row,
                    cell.col,
                    cell.text,
                    cell.start,
                    cell.end,
                    cell.page,
                    row_header=None if in_header else row_header,
                    col_header=col_header,
                    unit=unit_match.group("unit") if unit_match else None,
                    is_header=in_header,
                    is_label=cell.col in label_columns,
                )
            )
    return out


def _header_rows(cells: list[Cell], rows: list[int], rules: TableRules) -> set[int]:
    """Leading rows without any numeric cell are headers."""
    headers: set[int] = set()
    for row in rows:
        texts = [c.text for c in cells if c.row == row]
        if any(rules.numeric_cell.match(t) for t in texts):
            break
        headers.add(row)
    return headers


def _label_columns(cells: list[Cell], header_rows: set[int], rules: TableRules) -> set[int]:
    """Columns whose body cells are mostly text (labels), not numbers."""
    columns: dict[int, list[str]] = {}
    for cell in cells:
        if cell.row not in header_rows:
            columns.setdefault(cell.col, []).append(cell.text)
    return {
        col
        for col, texts in columns.items()
        if sum(1 for t in texts if rules.numeric_cell.match(t) and not rules.enumerator.match(t)) * 2 < len(texts)
    }


def _is_group_row(row: int, grid: dict[tuple[int, int], Cell], label_columns: set[int], rules: TableRules) -> bool:
    """A row numbered with a plain number ("1", "2") in its first label column opens a group."""
    first = min(label_columns) if label_columns else None
    cell = grid.get((row, first)) if first is not None else None
    return bool(cell and rules.group_number.match(cell.text))
