"""Structure of the corpus reports in every format: the GRDP table, footnotes and their sections."""

from __future__ import annotations

import pytest

from extractors.sections import build_outline, section_at
from extractors.tables import data_tables, load_table_rules
from tests.conftest import FORMATS, GRDP_TABLE, REPORTS, read_corpus_document


@pytest.mark.parametrize("fmt", FORMATS)
def test_grdp_table_of_000_has_ten_data_rows_of_six_columns_with_headers_and_units(fmt):
    tables = data_tables(read_corpus_document("000", fmt), load_table_rules())
    assert len(tables) == 1
    cells = tables[0]
    grid: dict[int, list[str]] = {}
    for cell in cells:
        grid.setdefault(cell.row, [""] * 6)[cell.col] = cell.text
    rows = [grid[r] for r in sorted(grid)]
    assert rows == GRDP_TABLE
    by_position = {(c.row, c.col): c for c in cells}
    cell = by_position[(8, 3)]
    assert cell.text == "1.589.373"
    assert cell.col_header == "Ước tính năm 2025 (Trđ)" and cell.unit == "Trđ"
    assert cell.row_header == "Theo giá so sánh năm 2010 > Khu vực II (Công nghiệp, Xây dựng)"
    assert by_position[(1, 5)].unit == "%"


@pytest.mark.parametrize("report", REPORTS)
@pytest.mark.parametrize("fmt", FORMATS)
def test_every_footnote_sits_in_the_section_of_its_reference(report, fmt):
    document = read_corpus_document(report, fmt)
    outline = build_outline(document)
    for footnote in document.footnotes:
        by_body = section_at(outline, footnote.body_start, document.footnotes)
        by_reference = section_at(outline, footnote.ref_start)
        assert by_body.section_id == by_reference.section_id


def test_no_report_has_a_data_table_besides_the_grdp_table():
    for report in ("001", "002", "003", "004"):
        for fmt in FORMATS:
            assert data_tables(read_corpus_document(report, fmt), load_table_rules()) == []
