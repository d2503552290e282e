"""Row and column headers of data tables, and the shapes in patterns/tables.yaml."""

from __future__ import annotations

import pytest
import yaml

from extractors.model import BlockKind
from extractors.tables import data_tables, load_table_rules
from pipeline.readers.base import DocumentBuilder
from tests.conftest import ROOT

RULES = load_table_rules()
DATA = yaml.safe_load((ROOT / "patterns" / "tables.yaml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", ["enumerator", "numeric_cell", "group_number"])
def test_shape_examples(name):
    pattern = getattr(RULES, name)
    for text in DATA[name]["examples"]:
        assert pattern.match(text), text
    for text in DATA[name]["counterexamples"]:
        assert not pattern.match(text), text


def test_header_unit_examples():
    for example in DATA["header_unit"]["examples"]:
        assert RULES.header_unit.search(example["text"])["unit"] == example["unit"]
    for text in DATA["header_unit"]["counterexamples"]:
        match = RULES.header_unit.search(text)
        assert match is None or len(match["unit"]) > 15


GRID = [
    ["TT", "Chỉ tiêu", "Sơ bộ năm 2024 (Trđ)", "Tốc độ phát triển (%)"],
    ["1", "Theo giá hiện hành", "14.112.388", "9,64"],
    ["-", "Khu vực I (Nông, Lâm nghiệp, Thủy sản)", "96.258", "7,72"],
    ["2", "Theo giá so sánh năm 2010", "8.347.585", "2,80"],
    ["-", "Khu vực II (Công nghiệp, Xây dựng)", "1.640.263", "-3,10"],
]


def _table_document():
    builder = DocumentBuilder("txt")
    builder.add_block(BlockKind.PARAGRAPH, "Bảng số liệu")
    for row, cells in enumerate(GRID):
        for col, text in enumerate(cells):
            builder.add_block(BlockKind.TABLE_CELL, text, table_id=0, row=row, col=col)
    builder.add_block(BlockKind.TABLE_CELL, "ỦY BAN NHÂN DÂN", table_id=1, row=0, col=0, layout_table=True)
    return builder.build()


def test_cells_get_group_row_headers_column_headers_and_units():
    tables = data_tables(_table_document(), RULES)
    assert len(tables) == 1, "layout tables are not data tables"
    cells = {(c.row, c.col): c for c in tables[0]}
    cell = cells[(4, 2)]
    assert cell.text == "1.640.263"
    assert cell.row_header == "Theo giá so sánh năm 2010 > Khu vực II (Công nghiệp, Xây dựng)"
    assert cell.col_header == "Sơ bộ năm 2024 (Trđ)"
    assert cell.unit == "Trđ"
    assert cells[(1, 3)].row_header == "Theo giá hiện hành"
    assert cells[(0, 2)].is_header and cells[(0, 2)].row_header is None
    assert cells[(1, 0)].is_label and cells[(1, 1)].is_label and not cell.is_label
