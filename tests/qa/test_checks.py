"""A positive and a negative case for every QA check, on small hand-built tables (tests/qa/conftest.py)."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import pytest

from pipeline.qa import QA_CHECKS, QA_FINDINGS_SCHEMA, findings_table, load_params, run_qa
from tests.qa.conftest import ReportBuilder

PCT = {"unit": "%", "unit_canonical": "percent"}
TY = {"unit": "tỷ đồng", "unit_canonical": "VND", "scale": 1e9}


def findings_of(check: str, tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    params = load_params()
    params["checks"] = {name: {"enabled": name == check} for name in QA_CHECKS}
    return run_qa(tables, params)


def alarms(check: str, tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    found = findings_of(check, tables)
    return found[found["severity"].isin(["warning", "error"])] if not found.empty else found


# ------------------------------------------------------------------------------------------------ builders


def fraction_report(percent: str, before: bool = False) -> ReportBuilder:
    report = ReportBuilder()
    fraction = ("2.856/4.500", {"measure": "fraction", **TY})
    share = (percent, {"measure": "pct_of_budget", **PCT})
    if before:
        report.sentence(f"Tỷ lệ giáo viên đạt chuẩn {percent}% (89/90).", share, ("89/90", {"measure": "fraction"}))
    else:
        report.sentence(f"Thu ngân sách là 2.856/4.500 tỷ đồng, đạt {percent}% dự toán tỉnh giao.", fraction, share)
    return report


def count_share_report(last_share: str) -> ReportBuilder:
    report = ReportBuilder()
    hs = {"unit": "hồ sơ", "unit_canonical": "count"}
    report.sentence(
        "Đã tiếp nhận 4.280 hồ sơ, đã giải quyết 4.046 hồ sơ, chiếm 94,53%, "
        f"đang giải quyết 173 hồ sơ ({last_share}%).",
        ("4.280", hs),
        ("4.046", hs),
        ("94,53", {"measure": "share_pct", **PCT}),
        ("173", hs),
        (last_share, {"measure": "share_pct", **PCT}),
    )
    return report


def change_report(percent: str, value: float) -> ReportBuilder:
    report = ReportBuilder()
    thon = {"unit": "thôn", "unit_canonical": "count"}
    report.sentence(
        f"Sáp nhập từ 183 thôn giảm còn 154 thôn (giảm 29 thôn (giảm {percent}%)).",
        ("183", thon),
        ("154", thon),
        ("29", {"measure": "change_abs", "direction": "down", **thon}),
        (percent, {"measure": "growth_pct", "direction": "down", "value": value, **PCT}),
    )
    return report


def growth_report(growth: str) -> ReportBuilder:
    report = ReportBuilder()
    report.sentence(
        f"Thu ngân sách năm 2021 đạt 225,69 tỷ đồng; năm 2022 đạt 459,31 tỷ đồng, tăng {growth}% so với năm 2021.",
        ("225,69", {"period": "2021", **TY}),
        ("459,31", {"period": "2022", **TY}),
        (growth, {"measure": "growth_pct", "direction": "up", "period": "2022", "reference_period": "2021", **PCT}),
    )
    return report


def average_report(average: str) -> ReportBuilder:
    report = ReportBuilder()
    report.sentence(
        f"Thu năm 2021 đạt 225,69 tỷ đồng, năm 2025 đạt 362,71 tỷ đồng, tăng bình quân {average}%/năm.",
        ("225,69", {"period": "2021", **TY}),
        ("362,71", {"period": "2025", **TY}),
        (average, {"measure": "avg_growth_pct", "period": "2021..2025", "unit": "%/năm", "unit_canonical": "percent"}),
    )
    return report


def ratio_report(verb: str, value: str) -> ReportBuilder:
    report = ReportBuilder()
    report.sentence(
        "Giá trị tăng thêm ngành Nông nghiệp bằng 111,9% so với cùng kỳ năm 2022.",
        ("111,9", {"measure": "ratio_to_reference_pct", "indicator_code": "gva_agriculture", **PCT}),
        reference_period="2022",
    )
    report.sentence(
        f"Giá trị tăng thêm ngành Dịch vụ {verb} {value}% so với cùng kỳ năm 2022.",
        (value, {"measure": "growth_pct", "direction": "up", "indicator_code": "gva_services", **PCT}),
        reference_period="2022",
    )
    return report


def components_report(third: str) -> ReportBuilder:
    report = ReportBuilder()
    report.sentence(
        "GRDP ước đạt 8.581,07 tỷ đồng; trong đó: (1) Khu vực I ước đạt 50,37 tỷ đồng; (2) Khu vực II ước đạt "
        f"1.589,37 tỷ đồng, trong đó công nghiệp 521,13 tỷ đồng; (3) Khu vực III ước đạt {third} tỷ đồng.",
        ("8.581,07", TY),
        ("50,37", TY),
        ("1.589,37", TY),
        ("521,13", TY),
        (third, TY),
    )
    return report


def shares_report(last: str) -> ReportBuilder:
    report = ReportBuilder()
    share = {"measure": "share_pct", **PCT}
    report.sentence(
        f"Tỷ trọng Khu vực dịch vụ chiếm 80,89%, công nghiệp - xây dựng chiếm 18,52%, nông nghiệp chỉ {last}%.",
        ("80,89", share),
        ("18,52", share),
        (last, share),
    )
    return report


def plan_report(percent: str) -> ReportBuilder:
    report = ReportBuilder()
    jobs = {"unit": "lao động", "unit_canonical": "count", "indicator_code": "jobs_created", "period": "2023"}
    report.sentence(
        f"Kế hoạch giao 6.500 lao động; đã giải quyết việc làm 7.053 lao động, đạt {percent}% kế hoạch.",
        ("6.500", {**jobs, "measure": "target"}),
        ("7.053", jobs),
        (percent, {**PCT, "measure": "pct_of_plan", "indicator_code": "jobs_created", "period": "2023"}),
    )
    return report


def target_report(target: str) -> ReportBuilder:
    report = ReportBuilder()
    rate = {"indicator_code": "cultural_village_rate", **PCT}
    report.sentence(
        "Tỷ lệ thôn văn hóa năm 2025 đạt 97,2%.", ("97,2", {**rate, "measure": "rate_pct", "period": "2025"})
    )
    report.mentions[-1]["section_id"] = 1
    report.sentence(f"Tỷ lệ thôn văn hóa hằng năm đạt {target}%.", (target, {**rate, "measure": "target"}))
    report.mentions[-1]["section_id"] = 2
    report.sections = [
        {"doc_id": report.doc_id, "section_id": 1, "is_plan_part": False},
        {"doc_id": report.doc_id, "section_id": 2, "is_plan_part": True},
    ]
    return report


def two_reports(value_a: str, value_b: str, subject_b: str = "hộ cận nghèo") -> tuple[ReportBuilder, ReportBuilder]:
    first = ReportBuilder(doc_id="a", source_path="corpus/docx/000_a.docx")
    second = ReportBuilder(doc_id="b", source_path="corpus/docx/001_b.docx")
    fields = {"unit": "hộ", "unit_canonical": "count", "indicator_code": "near_poor_households", "period": "2025"}
    first.sentence(f"Còn {value_a} hộ cận nghèo.", (value_a, {**fields, "subject": "hộ cận nghèo"}))
    second.sentence(f"Còn {value_b} hộ cận nghèo.", (value_b, {**fields, "subject": subject_b}))
    return first, second


def magnitude_reports(scale_b: float, text_b: str) -> tuple[ReportBuilder, ReportBuilder]:
    first = ReportBuilder(doc_id="a", source_path="corpus/docx/000_a.docx")
    second = ReportBuilder(doc_id="b", source_path="corpus/docx/001_b.docx")
    grdp = {"indicator_code": "grdp", "period": "2025", "unit_canonical": "VND", "basis": "current"}
    first.sentence("GRDP ước đạt 15.472,56 tỷ đồng.", ("15.472,56", {**grdp, "unit": "tỷ đồng", "scale": 1e9}))
    second.sentence(f"GRDP ước đạt {text_b} triệu đồng.", (text_b, {**grdp, "unit": "triệu đồng", "scale": scale_b}))
    return first, second


# ------------------------------------------------------------------------------------------------ cases

Case = tuple[str, Callable[[], dict[str, pd.DataFrame]]]

POSITIVE: list[Case] = [
    ("percent_vs_fraction", lambda: fraction_report("60,4").tables()),
    ("percent_vs_fraction", lambda: fraction_report("97,9", before=True).tables()),
    ("count_share", lambda: count_share_report("5,04").tables()),
    ("change_vs_percent", lambda: change_report("16.4", 16.4).tables()),
    ("growth_vs_levels", lambda: growth_report("3,51").tables()),
    ("avg_growth_intervals", lambda: average_report("9,95").tables()),
    ("growth_written_as_ratio", lambda: ratio_report("tăng", "111,19").tables()),
    ("components_sum", lambda: components_report("7.041,33").tables()),
    ("shares_sum", lambda: shares_report("1,59").tables()),
    ("pct_of_plan", lambda: plan_report("117,55").tables()),
    ("target_below_actual", lambda: target_report("90").tables()),
    ("same_fact", lambda: ReportBuilder.tables(*two_reports("225", "224"))),
    ("magnitude_slip", lambda: ReportBuilder.tables(*magnitude_reports(1.0, "15.472.561"))),
]

NEGATIVE: list[Case] = [
    ("percent_vs_fraction", lambda: fraction_report("63,47").tables()),
    ("percent_vs_fraction", lambda: fraction_report("63,4").tables()),  # truncated, not wrong
    ("percent_vs_fraction", lambda: fraction_report("98,9", before=True).tables()),
    ("count_share", lambda: count_share_report("4,04").tables()),
    ("change_vs_percent", lambda: change_report("15,8", 15.8).tables()),
    ("growth_vs_levels", lambda: growth_report("103,51").tables()),
    ("avg_growth_intervals", lambda: average_report("12,59").tables()),
    ("growth_written_as_ratio", lambda: ratio_report("tăng", "11,19").tables()),
    ("components_sum", lambda: components_report("6.941,33").tables()),
    ("shares_sum", lambda: shares_report("0,59").tables()),
    ("pct_of_plan", lambda: plan_report("108,51").tables()),
    ("target_below_actual", lambda: target_report("98").tables()),
    ("same_fact", lambda: ReportBuilder.tables(*two_reports("225", "225"))),
    ("same_fact", lambda: ReportBuilder.tables(*two_reports("225", "224", subject_b="hộ nghèo"))),
    ("magnitude_slip", lambda: ReportBuilder.tables(*magnitude_reports(1e6, "15.472.561"))),
]


@pytest.mark.parametrize(("check", "build"), POSITIVE, ids=[c for c, _ in POSITIVE])
def test_check_finds_the_inconsistency(check: str, build: Callable[[], dict[str, pd.DataFrame]]) -> None:
    found = alarms(check, build())
    assert len(found) == 1, found
    assert set(found["check"]) == {check}
    assert found["message"].iloc[0] and found["message_en"].iloc[0]


@pytest.mark.parametrize(("check", "build"), NEGATIVE, ids=[c for c, _ in NEGATIVE])
def test_check_stays_quiet_on_consistent_figures(check: str, build: Callable[[], dict[str, pd.DataFrame]]) -> None:
    assert alarms(check, build()).empty


def test_every_registered_check_has_a_positive_and_a_negative_case() -> None:
    assert {c for c, _ in POSITIVE} == set(QA_CHECKS)
    assert {c for c, _ in NEGATIVE} == set(QA_CHECKS)


def test_growth_finding_carries_observed_expected_and_delta() -> None:
    found = findings_of("growth_vs_levels", growth_report("3,51").tables()).iloc[0]
    assert found["severity"] == "error"
    assert found["observed"] == pytest.approx(3.51)
    assert found["expected"] == pytest.approx(103.51, abs=0.01)
    assert found["delta"] == pytest.approx(-100.0, abs=0.01)
    assert list(found["doc_ids"]) == ["d0"] and len(found["mention_ids"]) == 3


def test_truncated_percentage_is_info_not_alarm() -> None:
    found = findings_of("percent_vs_fraction", fraction_report("63,3").tables())
    assert list(found["severity"]) == ["info"]


def test_one_document_per_report_when_a_report_comes_in_several_formats() -> None:
    docx = growth_report("3,51")
    pdf = growth_report("3,51")
    pdf.doc_id, pdf.source_path = "d1", "corpus/pdf/000_test.pdf"
    for mention in pdf.mentions:
        mention["doc_id"] = "d1"
        mention["mention_id"] = "d1" + mention["mention_id"][2:]
    found = findings_of("growth_vs_levels", ReportBuilder.tables(docx, pdf))
    assert len(found) == 1 and list(found["source_paths"].iloc[0]) == ["corpus/docx/000_test.docx"]


def test_findings_convert_to_the_arrow_schema() -> None:
    found = run_qa(growth_report("3,51").tables(), load_params())
    table = findings_table(found)
    assert table.schema == QA_FINDINGS_SCHEMA
    assert table.num_rows == len(found) >= 1
    assert QA_FINDINGS_SCHEMA.names[:10] == [
        "finding_id",
        "check",
        "severity",
        "message",
        "doc_ids",
        "mention_ids",
        "observed",
        "expected",
        "delta",
        "message_en",
    ]


def test_params_file_has_a_section_for_every_check() -> None:
    params = load_params()
    assert set(params["checks"]) == set(QA_CHECKS)
    assert params["error_above"] > 0


def test_a_finding_resting_on_an_ocr_figure_is_weighed_one_step_down():
    from pipeline.qa import _weighed

    assert _weighed("error", ["m1", "m2"], {"m2"}) == "warning"
    assert _weighed("warning", ["m1"], {"m2"}) == "warning"
    assert _weighed("warning", ["m2"], {"m2"}) == "info"
