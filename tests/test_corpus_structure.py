"""Structure of the corpus reports in every format: the GRDP table, footnotes and their sections."""

from __future__ import annotations

import pytest

from extractors.sections import build_outline, section_at
from extractors.tables import data_tables, load_table_rules
from tests.conftest import FORMATS, REPORTS, read_corpus_document

# seeds-structure.md §1.6, reconstructed by reading report 000.
GRDP_HEADER = [
    "TT",
    "Chỉ tiêu",
    "Sơ bộ năm 2024 (Trđ)",
    "Ước tính năm 2025 (Trđ)",
    "Tỷ trọng (%)",
    "Tốc độ phát triển (%)",
]
GRDP_ROWS = [
    ["1", "Theo giá hiện hành", "14.112.388", "15.472.561", "", "9,64"],
    ["-", "Khu vực I (Nông, Lâm nghiệp, Thủy sản)", "96.258", "103.688", "0,67", "7,72"],
    ["-", "Khu vực II (Công nghiệp, Xây dựng)", "3.399.568", "3.637.046", "23,51", "6,99"],
    ["", "Trong đó: Công nghiệp", "1.533.315", "1.658.818", "", "8,19"],
    ["-", "Khu vực III (Dịch vụ)", "10.616.562", "11.731.826", "75,82", "10,50"],
    ["2", "Theo giá so sánh năm 2010", "8.347.585", "8.581.065", "", "2,80"],
    ["-", "Khu vực I (Nông, Lâm nghiệp, Thủy sản)", "48.512", "50.365", "0,59", "3,82"],
    ["-", "Khu vực II (Công nghiệp, Xây dựng)", "1.640.263", "1.589.373", "18,52", "-3,10"],
    ["", "Trong đó: Công nghiệp", "609.649", "521.130", "", "-14,52"],
    ["-", "Khu vực III (Dịch vụ)", "6.658.810", "6.941.326", "80,89", "4,24"],
]


@pytest.mark.parametrize("fmt", FORMATS)
def test_grdp_table_of_000_has_ten_data_rows_of_six_columns_with_headers_and_units(fmt):
    tables = data_tables(read_corpus_document("000", fmt), load_table_rules())
    assert len(tables) == 1
    cells = tables[0]
    grid: dict[int, list[str]] = {}
    for cell in cells:
        grid.setdefault(cell.row, [""] * 6)[cell.col] = cell.text
    rows = [grid[r] for r in sorted(grid)]
    assert rows == [GRDP_HEADER, *GRDP_ROWS]
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
