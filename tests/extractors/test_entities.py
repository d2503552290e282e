"""Administrative units: every table example, recognition of level words, validity dates and lineage."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest

from extractors.entities import (
    ENTITY_COLUMNS,
    EntityTableError,
    find_entities,
    lineage,
    load_entity_table,
    parse_entity_rows,
    resolve_entity,
    resolve_hit,
)

TABLE_PATH = Path(__file__).resolve().parents[2] / "patterns" / "entities.tsv"


def _rows() -> list[dict[str, str]]:
    with TABLE_PATH.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))


@pytest.fixture(scope="module")
def table():
    return load_entity_table(TABLE_PATH)


@pytest.mark.parametrize("row", _rows(), ids=lambda row: row["entity_id"])
def test_every_example_yields_its_entity(row, table):
    entity = table.get(row["entity_id"])
    on_date = entity.valid_to or entity.valid_from
    resolved = {resolve_hit(hit, on_date, table) for hit in find_entities(row["example"], table)}
    assert entity in resolved


@pytest.mark.parametrize(
    ("text", "entity_id", "level", "span"),
    [
        ("thuộc tỉnh Kon Tum năm 2023", "tinh_kon_tum", "tỉnh", "tỉnh Kon Tum"),
        ("UBND thành phố Kon Tum báo cáo", "tp_kon_tum", "thành phố", "thành phố Kon Tum"),
        ("TP. Kon Tum", "tp_kon_tum", "thành phố", "TP. Kon Tum"),
        ("Thành phố Kon Tum (cũ)", "tp_kon_tum", "thành phố", "Thành phố Kon Tum"),
        ("HĐND phường Kon Tum khóa I", "phuong_kon_tum", "phường", "phường Kon Tum"),
        ("P. Kon Tum", "phuong_kon_tum", "phường", "P. Kon Tum"),
        ("(Đắk Nông 5,74%; Lâm Đồng 5,63%)", "tinh_dak_nong", "tỉnh", "Đắk Nông"),
        ("cho cộng đồng tại xã Vinh Quang", "xa_vinh_quang", "xã", "xã Vinh Quang"),
        ("Tỉnh uỷ Kon Tum", "tinh_kon_tum", "tỉnh", "Tỉnh uỷ Kon Tum"),
    ],
)
def test_level_word_and_name_identify_one_unit(text, entity_id, level, span, table):
    hits = find_entities(text, table)
    assert [(h.entity_id, h.level, text[h.start : h.end]) for h in hits][:1] == [(entity_id, level, span)]


def test_bare_kon_tum_is_ambiguous(table):
    (hit,) = find_entities("Công ty cổ phần Đường Kon Tum", table)
    assert (hit.entity_id, hit.level, hit.name) == (None, None, "Kon Tum")
    assert set(hit.candidates) == {"tinh_kon_tum", "tp_kon_tum", "phuong_kon_tum"}


def test_same_name_same_level_keeps_the_level(table):
    (hit,) = find_entities("Gia Lai 3,02%", table)
    assert (hit.entity_id, hit.level) == (None, "tỉnh")
    assert resolve_hit(hit, date(2023, 11, 30), table).entity_id == "tinh_gia_lai"
    assert resolve_hit(hit, date(2025, 11, 30), table).entity_id == "tinh_gia_lai_2025"


@pytest.mark.parametrize(
    "text", ["tỉnh thống nhất quản lý", "hòa bình và đoàn kết", "KCN Hòa Bình", "đường Quang Trung"]
)
def test_ordinary_words_are_not_units(text, table):
    assert [h for h in find_entities(text, table) if h.entity_id is not None] == []


@pytest.mark.parametrize(
    ("name", "level", "on_date", "expected"),
    [
        ("Kon Tum", "tỉnh", date(2023, 6, 1), "tinh_kon_tum"),
        ("tỉnh Kon Tum", None, date(2023, 6, 1), "tinh_kon_tum"),
        ("phường Kon Tum", None, date(2023, 6, 1), None),
        ("phường Kon Tum", None, date(2025, 11, 22), "phuong_kon_tum"),
        ("thành phố Kon Tum", None, date(2020, 9, 30), "tp_kon_tum"),
        ("thành phố Kon Tum", None, date(2025, 11, 22), None),
        ("tỉnh Kon Tum", None, date(2026, 1, 1), None),
        ("Kon Tum", None, date(2023, 6, 1), None),
        ("tỉnh Quảng Ngãi", None, date(2024, 1, 1), "tinh_quang_ngai"),
        ("tỉnh Quảng Ngãi", None, date(2025, 7, 1), "tinh_quang_ngai_2025"),
        ("tỉnh Quảng Ngãi", None, None, "tinh_quang_ngai_2025"),
        ("Ngọc Bay", "xã", date(2020, 9, 30), "xa_ngok_bay"),
    ],
)
def test_resolution_uses_validity_dates(name, level, on_date, expected, table):
    entity = resolve_entity(name, level, on_date, table)
    assert (entity.entity_id if entity else None) == expected


def test_lineage_crosses_the_2025_reorganisation(table):
    ward = lineage("phuong_kon_tum", table)
    assert {e.entity_id for e in ward.predecessors} == {
        "phuong_quang_trung",
        "phuong_quyet_thang",
        "phuong_thang_loi",
        "phuong_truong_chinh",
        "phuong_thong_nhat",
        "tp_kon_tum",
    }
    assert [e.entity_id for e in lineage("tinh_kon_tum", table).successors] == ["tinh_quang_ngai_2025"]
    assert [e.entity_id for e in lineage("phuong_quang_trung", table, transitive=True).successors] == ["phuong_kon_tum"]


def _row(**overrides: str) -> dict[str, str]:
    row = dict.fromkeys(ENTITY_COLUMNS, "")
    row.update(entity_id="tinh_a", name="tỉnh A Lưới", level="tỉnh", surfaces="A Lưới", example="tỉnh A Lưới")
    row.update(overrides)
    return row


@pytest.mark.parametrize(
    "rows",
    [
        [_row(level="vùng")],
        [_row(valid_from="2025-07-01", valid_to="2020-01-01")],
        [_row(valid_to="30/6/2025")],
        [_row(successors="tinh_b"), _row(entity_id="tinh_b", name="tỉnh B", surfaces="Bờ Y", example="tỉnh Bờ Y")],
        [_row(parent_id="nowhere")],
        [_row(), _row()],
        [_row(example="không có gì")],
        [_row(example="")],
    ],
)
def test_invalid_tables_are_rejected(rows):
    with pytest.raises(EntityTableError):
        parse_entity_rows(rows)
