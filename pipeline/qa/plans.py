"""Plans and targets: percent of plan against the printed plan, and targets set below what was achieved."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from pipeline.qa.base import (
    Finding,
    Severity,
    classify,
    fmt,
    is_percent,
    mention_half_unit,
    present,
    ratio_tolerance,
    sentence_groups,
)

LOOSE_TARGETS = {"at_most", "less_than"}


def _end_year(period: Any) -> int | None:
    """Last year a period reaches ("2026..2030" -> 2030, "..2025-11-15" -> 2025, "2025" -> 2025)."""
    if not isinstance(period, str):
        return None
    tail = period.rpartition("..")[2] or period
    head = tail[:4]
    return int(head) if head.isdigit() else None


def _scaled(row: Any) -> tuple[float, float]:
    scale = float(row.scale) if present(row.scale) else 1.0
    return float(row.value) * scale, mention_half_unit(row) * scale


def check_pct_of_plan(tables: Mapping[str, pd.DataFrame], params: Mapping[str, Any]) -> list[Finding]:
    """ "đạt X% kế hoạch" after a level, when the plan (a target of the same entity, indicator and year) is printed."""
    mentions = tables["mentions"]
    documents = tables["documents"]
    plan_docs = set(documents.loc[documents["doc_kind"].fillna("").str.lower().str.contains("kế hoạch"), "doc_id"])
    # A report's own "next year" targets carry periods the extractor may resolve to the report's year;
    # only plan documents (doc_kind kế hoạch) and the sentence itself are trusted as the plan.
    targets = mentions[
        (mentions["measure"] == "target") & mentions["indicator_code"].notna() & mentions["doc_id"].isin(plan_docs)
    ]
    plan_of: dict[tuple[Any, Any, Any], list[Any]] = {}
    for row in targets.itertuples(index=False):
        if row.qualifier in LOOSE_TARGETS or is_percent(row):
            continue
        plan_of.setdefault((row.entity, row.indicator_code, _end_year(row.period)), []).append(row)
    findings: list[Finding] = []
    for _, group in sentence_groups(mentions):
        rows = group
        for index, percent in enumerate(rows):
            if percent.measure != "pct_of_plan" or not is_percent(percent) or index == 0:
                continue
            level = rows[index - 1]
            if level.measure != "level" or is_percent(level) or not present(level.indicator_code):
                continue
            in_sentence = [
                r
                for r in rows
                if r.measure == "target" and r.indicator_code == level.indicator_code and not is_percent(r)
            ]
            plans = [
                p
                for p in in_sentence or plan_of.get((level.entity, level.indicator_code, _end_year(level.period)), [])
                if p.unit_canonical == level.unit_canonical and p.qualifier not in LOOSE_TARGETS
            ]
            values = {round(_scaled(p)[0], 6) for p in plans}
            if len(values) != 1:
                continue
            plan = plans[0]
            (actual, actual_half), (planned, plan_half) = _scaled(level), _scaled(plan)
            if planned <= 0:
                continue
            expected = 100 * actual / planned
            unit = 2 * mention_half_unit(percent)
            tolerance = 100 * ratio_tolerance(actual, actual_half, planned, plan_half) + unit / 2
            severity = classify(float(percent.value) - expected, tolerance, unit, params)
            if severity is None:
                continue
            findings.append(
                Finding(
                    check="pct_of_plan",
                    severity=Severity.WARNING if severity is Severity.ERROR else severity,
                    message_vi=(
                        f"{level.value_text} trên kế hoạch {plan.value_text} là {fmt(expected)}%, "
                        f"nhưng văn bản ghi {percent.value_text}% kế hoạch"
                    ),
                    message_en=(
                        f"{level.value_text} against the plan {plan.value_text} is {fmt(expected)}%, "
                        f"but the text prints {percent.value_text}% of plan"
                    ),
                    mention_ids=(plan.mention_id, level.mention_id, percent.mention_id),
                    observed=float(percent.value),
                    expected=expected,
                    tolerance=tolerance,
                    indicator_code=level.indicator_code,
                    period=level.period if present(level.period) else None,
                )
            )
    return findings


def _plan_part_sections(tables: Mapping[str, pd.DataFrame]) -> set[tuple[str, int]]:
    sections = tables.get("sections")
    if sections is None or sections.empty or "is_plan_part" not in sections:
        return set()
    plan = sections[sections["is_plan_part"].fillna(False).astype(bool)]
    return set(zip(plan["doc_id"], plan["section_id"].astype(int), strict=True))


def check_target_below_actual(tables: Mapping[str, pd.DataFrame], params: Mapping[str, Any]) -> list[Finding]:
    """A percentage target set below the value the same report says was already achieved ("90%" after "97,2%").

    The target sits in the report's plan part (or is a target of a plan document), the achieved rate in
    its review part; periods of next-year targets are not trusted, the report's structure is. Only rates
    where more is better: the codes in ``lower_is_better`` (poverty, birth rates…) are skipped.
    """
    lower_is_better = set(params.get("lower_is_better", []))
    plan_sections = _plan_part_sections(tables)
    mentions = tables["mentions"]
    rates = mentions[
        mentions["indicator_code"].notna()
        & (mentions["unit_canonical"] == "percent")
        & ~mentions["indicator_code"].isin(lower_is_better)
    ]

    def in_plan(row: Any) -> bool:
        return present(row.section_id) and (row.doc_id, int(row.section_id)) in plan_sections

    findings: list[Finding] = []
    for (_doc, code), group in rates.groupby(["doc_id", "indicator_code"], sort=False):
        rows = list(group.itertuples(index=False))
        targets = [r for r in rows if r.measure == "target" and r.qualifier not in LOOSE_TARGETS]
        actuals = [
            r
            for r in rows
            if r.measure in ("rate_pct", "share_pct")
            and not in_plan(r)
            and r.qualifier not in ("more_than", "less_than", "at_least", "at_most")
        ]
        if not targets or not actuals:
            continue
        latest_year = max(_end_year(a.period) or 0 for a in actuals)
        latest = [a for a in actuals if (_end_year(a.period) or 0) == latest_year]
        if len({float(a.value) for a in latest}) != 1:
            continue
        actual = latest[0]
        for target in targets:
            tolerance = mention_half_unit(actual) + mention_half_unit(target)
            if float(target.value) >= float(actual.value) - tolerance:
                continue
            findings.append(
                Finding(
                    check="target_below_actual",
                    severity=Severity.WARNING,
                    message_vi=(
                        f"chỉ tiêu {target.value_text}% thấp hơn mức đã đạt {actual.value_text}% "
                        f"({actual.period}) trong cùng báo cáo"
                    ),
                    message_en=(
                        f"target {target.value_text}% is below the {actual.value_text}% already reached "
                        f"({actual.period}) in the same report"
                    ),
                    mention_ids=(actual.mention_id, target.mention_id),
                    observed=float(target.value),
                    expected=float(actual.value),
                    tolerance=tolerance,
                    indicator_code=code,
                    period=target.period if present(target.period) else None,
                )
            )
    return findings
