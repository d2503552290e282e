"""Mention assembly on sentences too structural for the YAML examples; peers' known failures (peers.md §1)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from extractors.lexicon import load_lexicon
from extractors.mentions import explain, extract_mentions
from extractors.model import ExtractionContext, Measure, PeriodKind, Qualifier
from extractors.periods import PeriodScope, operation_start, period_before, report_end, section_default
from extractors.rules import fold

LEXICON = load_lexicon()
CONTEXT = ExtractionContext(report_year=2023, report_period="2023", entity="tỉnh Kon Tum", entity_level="tỉnh")


def mentions(text: str, context: ExtractionContext = CONTEXT) -> list:
    found = extract_mentions(text, context, LEXICON)
    for mention in found:
        assert text[mention.start : mention.end] == mention.value_text
    return found


def test_duckling_decimal_loss_is_not_repeated() -> None:
    (grdp,) = mentions("GRDP ước khoảng 18.938,78 tỷ đồng")
    assert grdp.value == pytest.approx(18938.78)
    assert grdp.scale == 1e9
    assert grdp.unit_canonical == "VND"
    assert grdp.value_normalized == pytest.approx(1.893878e13)
    assert grdp.qualifier == Qualifier.ESTIMATE


def test_three_decimals_after_thousands_dot() -> None:
    (value,) = mentions("tổng vốn đăng ký hơn 1.376,328 tỷ đồng")
    assert value.value == pytest.approx(1376.328)
    assert value.qualifier == Qualifier.MORE_THAN


def test_percent_is_never_a_date() -> None:
    (growth,) = mentions("GRDP tăng 7,32% so với cùng kỳ.")
    assert (growth.value, growth.measure, growth.reference_period) == (7.32, Measure.GROWTH_PCT, "2022")


def test_nam_of_nam_hoc_is_never_five() -> None:
    found = mentions("Năm học 2023-2024 đã huy động được 168.500 học sinh")
    assert [m.value for m in found] == [168500]
    assert found[0].period == "2023-2024"
    assert found[0].period_kind == PeriodKind.SCHOOL_YEAR


def test_year_range_is_never_money() -> None:
    found = mentions("vụ Đông Xuân 2022-2023 đạt 5.120 ha, sản lượng 30,5 nghìn tấn")
    assert [(m.value, m.unit_canonical) for m in found] == [(5120, "ha"), (30.5, "t")]
    assert found[1].value_normalized == pytest.approx(30500)
    assert all(m.period == "2022-2023 Đông Xuân" for m in found)


def test_fraction_stays_a_fraction() -> None:
    (fraction,) = mentions("Tính đến ngày 15-10-2023, có 107/144 đầu công việc hoàn thành.")
    assert (fraction.value, fraction.denominator, fraction.measure) == (107, 144, Measure.FRACTION)
    assert fraction.period == "..2023-10-15"


def test_one_sentence_many_measures() -> None:
    found = mentions(
        "GRDP ước khoảng 18.938,78 tỷ đồng, đạt 97,62% kế hoạch, tốc độ tăng trưởng 7,32%, đứng thứ 22 cả nước"
    )
    assert [(m.value_text, m.measure) for m in found] == [
        ("18.938,78", Measure.LEVEL),
        ("97,62", Measure.PCT_OF_PLAN),
        ("7,32", Measure.GROWTH_PCT),
        ("22", Measure.RANK),
    ]
    assert {m.qualifier for m in found} == {Qualifier.ESTIMATE}


def test_range_gives_two_mentions() -> None:
    lower, upper = mentions("Khu vực dịch vụ: 56.000 - 61.000 tỷ đồng")
    assert (lower.value, lower.qualifier, lower.unit) == (56000, Qualifier.AT_LEAST, "tỷ đồng")
    assert (upper.value, upper.qualifier) == (61000, Qualifier.AT_MOST)
    assert "range_lower" in lower.flags and "range_upper" in upper.flags


def test_pair_with_two_units_is_not_a_fraction() -> None:
    households, persons = mentions("toàn phường còn 45 hộ nghèo/157 khẩu")
    assert (households.value, households.unit, households.denominator) == (45, "hộ nghèo", None)
    assert (persons.value, persons.unit) == (157, "khẩu")


@pytest.mark.parametrize(
    "text",
    [
        "Văn bản số 4018/UBND-KTTH ngày 29 tháng 10 năm 2025",
        "Nghị quyết số 68-NQ/TW và Nghị quyết số 1677/NQ-UBTVQH15",
        "ngày 20/9/2020, ngày 02-12-2022, tháng 9/2020, 12/2025, Ngày 14-17/9/2020, từ 27/9-15/11/2025, lúc 11h00",
        "năm 2023, giai đoạn 2021-2025, 2021 - 2025, 2020 – 2025",
        "(1) Quốc lộ 14, dịch Covid-19, COVID-19, Đề án 06, Kfw10, Chỉ thị 05-CT/TW, khóa XVI, (i)",
        "kỷ niệm 95 năm, 80 năm, Kế hoạch 05 năm 2021-2025",
        "nợ dưới 90 ngày, trẻ em dưới 5 tuổi, người từ 60 tuổi trở lên",
        "1.2.1. Về kinh tế",
    ],
)
def test_non_quantities_yield_nothing(text: str) -> None:
    assert mentions(text) == []


def test_table_cell_takes_headers() -> None:
    context = ExtractionContext(
        report_year=2025,
        report_period="2025",
        row_header="Theo giá so sánh năm 2010",
        col_header="Sơ bộ năm 2024 (Trđ)",
    )
    (cell,) = mentions("8.581,07", context)
    assert (cell.unit, cell.scale, cell.period, cell.qualifier, cell.basis) == (
        "Trđ",
        1e6,
        "2024",
        Qualifier.PRELIMINARY,
        "constant_2010",
    )


def test_table_cell_negative_growth_from_header() -> None:
    context = ExtractionContext(report_year=2025, col_header="Tốc độ phát triển (%)")
    (cell,) = mentions("-3,10", context)
    assert (cell.value, cell.unit_canonical, cell.measure, cell.direction) == (
        -3.1,
        "percent",
        Measure.GROWTH_PCT,
        "down",
    )


def test_no_period_in_sentence_uses_report_period() -> None:
    (value,) = mentions("Tổng đàn gia súc 64.960 con", ExtractionContext(report_period="2020-01..2020-09"))
    assert (value.period, value.period_kind) == ("2020-01..2020-09", PeriodKind.YTD)


def test_plan_part_makes_targets_and_keeps_the_frame() -> None:
    context = ExtractionContext(report_year=2024, in_plan_part=True)
    (growth,) = mentions("Tăng trưởng kinh tế đạt trên 15,49%.", context)
    assert growth.measure == Measure.TARGET
    assert growth.qualifier == Qualifier.MORE_THAN
    assert "frame:growth_pct" in growth.flags


def test_entity_defaults_to_context() -> None:
    (value,) = mentions("Tổng đàn gia súc 64.960 con")
    assert (value.entity, value.entity_level) == ("tỉnh Kon Tum", "tỉnh")


def test_explain_names_every_rule() -> None:
    (growth,) = explain("Doanh thu tăng 7,32% so với cùng kỳ", CONTEXT, LEXICON)
    assert {"number.vn_decimal", "unit.percent", "growth_pct.tang_giam", "reference.same_period"} <= set(
        growth.rule_ids
    )
    assert set(growth.rule_ids) - {"period.from_context"} <= LEXICON.rule_ids | {"period.from_context"}


# --- Periods inherited from around the sentence (extractors.periods.PeriodScope, pipeline.stages) ---

REPORT_2025 = ExtractionContext(report_year=2025, report_period="2021..2025", entity_level="phường")
NINE_MONTHS_2020 = ExtractionContext(report_year=2020, report_period="2020-01..2020-09")


def test_004_plan_part_title_gives_the_default_period() -> None:
    titles = ("MỤC TIÊU, CHỈ TIÊU NĂM 2024", "CÁC CHỈ TIÊU CHỦ YẾU CỦA NĂM 2024")
    assert section_default(titles, True, CONTEXT, LEXICON) == "2024"
    (value,) = extract_mentions(
        "Tổng sản phẩm trên địa bàn đạt từ 4.600 tỷ đồng trở lên", CONTEXT, LEXICON, PeriodScope(default="2024")
    )
    assert value.period == "2024"


def test_000_plan_part_takes_the_span_and_review_part_its_last_year() -> None:
    plan = ("DỰ KIẾN KẾ HOẠCH PHÁT TRIỂN KINH TẾ - XÃ HỘI 05 NĂM 2026-2030", "Một số chỉ tiêu chủ yếu")
    assert section_default(plan, True, REPORT_2025, LEXICON) == "2026..2030"
    review = ("ĐÁNH GIÁ TÌNH HÌNH THỰC HIỆN KẾ HOẠCH PHÁT TRIỂN KINH TẾ - XÃ HỘI 05 NĂM 2021-2025",)
    assert section_default(review, False, REPORT_2025, LEXICON) == "2025"


def test_000_average_growth_to_2030_is_over_the_plan_span() -> None:
    scope = PeriodScope(default="2026..2030")
    found = extract_mentions(
        "Phấn đấu đến năm 2030, tốc độ tăng tổng giá trị sản phẩm bình quân từ 3-5%/năm", REPORT_2025, LEXICON, scope
    )
    assert [(m.value_text, m.period) for m in found] == [("3", "2026..2030"), ("5", "2026..2030")]


def test_000_from_to_values_take_the_year_written_after_them() -> None:
    found = mentions("tỷ trọng giảm từ 37,17% năm 2024 xuống 32,79% năm 2025.", REPORT_2025)
    assert [(m.value_text, m.period) for m in found] == [("37,17", "2024"), ("32,79", "2025")]


def test_000_since_operation_start_is_a_span_to_the_cut_off() -> None:
    since = operation_start("để chính thức hoạt động từ ngày 01 tháng 7 năm 2025.", REPORT_2025, LEXICON)
    assert since == "2025-07-01"
    (value, *_) = extract_mentions(
        "Từ khi đi vào hoạt động đến thời điểm giữa tháng 11 năm 2025, Trung tâm đã tiếp nhận 4.280 hồ sơ",
        REPORT_2025,
        LEXICON,
        PeriodScope(default="2025", since=since),
    )
    assert (value.value_text, value.period) == ("4.280", "2025-07..2025-11")


def test_001_ward_without_a_stated_start_starts_with_the_two_level_government() -> None:
    context = ExtractionContext(report_year=2025, report_period="2025", entity_level="phường")
    assert operation_start("Báo cáo không nói ngày bắt đầu.", context, LEXICON) == "2025-07-01"
    assert operation_start("Báo cáo.", replace(context, entity_level="tỉnh"), LEXICON) is None


def test_002_season_without_years_ends_in_the_report_year() -> None:
    found = mentions(
        "Tổng diện tích gieo trồng vụ Đông - Xuân đạt 91,9%KH; diện tích vụ Mùa 9.164 ha", NINE_MONTHS_2020
    )
    assert [m.period for m in found] == ["2019-2020 Đông Xuân", "2020 Mùa"]


def test_002_den_nay_in_a_nine_month_report_is_its_end_month() -> None:
    (value, *_) = mentions("Tính đến nay, tỷ lệ sinh con thứ 3 trở lên là 14,48%", NINE_MONTHS_2020)
    assert value.period == "..2020-09"
    assert report_end(NINE_MONTHS_2020) == "2020-09"


def test_002_inherited_as_of_outranks_a_period_written_after_the_value() -> None:
    scope = PeriodScope(default="..2020-08-31", inherited=True)
    found = extract_mentions(
        "Nợ có khả năng thu: 12.387 triệu đồng, bằng 4,2% so dự toán thu năm 2020 (12.387/291.000).",
        NINE_MONTHS_2020,
        LEXICON,
        scope,
    )
    assert [(m.value_text, m.period) for m in found] == [
        ("12.387", "..2020-08-31"),
        ("4,2", "..2020-08-31"),
        ("12.387/291.000", "2020"),
    ]


def test_000_cited_document_date_is_not_a_month_period() -> None:
    found = mentions("theo Nghị quyết số 1677/NQ-UBTVQH15 ngày 16 tháng 6 năm 2025; dân số 77.476 người", REPORT_2025)
    assert [(m.value_text, m.period) for m in found] == [("77.476", "2021..2025")]


def test_002_footnote_reference_period_is_read_before_the_reference() -> None:
    sentence = fold(
        "Tổng số nợ thuế đến thời điểm ngày 31/8/2020 là 78.971 triệu đồng, so với thời điểm 31/12/2019 tăng"
    )
    assert period_before(sentence, len(sentence), NINE_MONTHS_2020, LEXICON) == "..2020-08-31"


def _codes(text: str) -> dict[str, str | None]:
    return {mention.value_text: mention.indicator_code for mention in mentions(text)}


def test_subject_must_fit_the_unit() -> None:
    # "năng suất" (a yield) sits right before a value in ha: that value is an area, not a yield.
    codes = _codes("Diện tích lúa bị thiệt hại do hạn có khả năng giảm năng suất khoảng: 235,43ha")
    assert codes["235,43"] == "crop_area.rice"
    assert _codes("diện tích bị giảm năng suất trên 70%: 168,79ha")["168,79"] is None
    # Rates fit every value: the money of a disbursement rate is still about disbursement.
    assert _codes("Tỷ lệ giải ngân vốn đầu tư công đạt 95%, tương ứng 120 tỷ đồng")["120"] == (
        "public_investment_disbursement_rate"
    )


def test_counted_noun_names_the_subject() -> None:
    codes = _codes(
        "Theo kết quả rà soát hộ nghèo, hộ cận nghèo năm 2024, toàn phường còn 45 hộ nghèo/157 khẩu, "
        "247 hộ cận nghèo/1.124 khẩu"
    )
    assert codes["45"] == "poor_households"
    assert codes["247"] == "near_poor_households"
    assert _codes("Phấn đấu có 1.700.000 lượt khách du lịch đến tỉnh")["1.700.000"] == "tourist_arrivals"
    assert _codes("toàn phường có 13/16 trường đạt chuẩn quốc gia")["13/16"] == "schools_national_standard"


def test_subject_carries_into_clauses_that_open_with_a_period_or_a_place() -> None:
    codes = _codes(
        "Thực hiện thu ngân sách Nhà nước trên địa bàn năm 2021 đạt 225,69 tỷ đồng; "
        "năm 2022 đạt 459,31 tỷ đồng, tăng 3,51% so với thực hiện năm 2021"
    )
    assert codes == {"225,69": "budget_revenue_state", "459,31": "budget_revenue_state", "3,51": "budget_revenue_state"}
    codes = _codes("Tốc độ tăng trưởng GRDP đạt 7,32%, đứng thứ 22 cả nước (Đắk Nông 5,74%; Lâm Đồng 5,63%)")
    assert codes["5,74"] == codes["5,63"] == "grdp_growth"
    # A clause that opens with an item of its own is not a continuation of the list.
    codes = _codes("Đăng ký khai tử 350 trường hợp; Cải chính hộ tịch 400 trường hợp")
    assert codes == {"350": "civil_registration.death", "400": None}


def test_share_of_a_count_is_its_rate() -> None:
    found = mentions("toàn phường còn 25 hộ nghèo, chiếm tỷ lệ 0,13% tổng số hộ dân, 225 hộ cận nghèo, chiếm 1,17%")
    codes = {m.value_text: (m.measure, m.indicator_code) for m in found}
    assert codes == {
        "25": (Measure.LEVEL, "poor_households"),
        "0,13": (Measure.SHARE_PCT, "poverty_rate"),
        "225": (Measure.LEVEL, "near_poor_households"),
        "1,17": (Measure.SHARE_PCT, "near_poverty_rate"),
    }


def test_share_of_a_sector_is_its_share_of_grdp() -> None:
    found = mentions("trong đó tỷ trọng Khu vực dịch vụ chiếm 80,89%, Khu vực công nghiệp - xây dựng chiếm 18,52%")
    assert {m.value_text: m.indicator_code for m in found} == {
        "80,89": "grdp_sector_share",
        "18,52": "grdp_sector_share",
    }
    # Growth of a sector stays the sector's.
    (growth,) = mentions("Khu vực dịch vụ tăng 4,24%")
    assert growth.indicator_code == "gva_services"
