"""Growth rates against the levels they are computed from.

* ``growth_vs_levels``: "năm 2022 đạt 459,31 tỷ đồng, tăng 3,51% so với thực hiện năm 2021" when the same
  sentence gives 2021 = 225,69 (→ 103,51 %); also a table row with two years and a growth column, and a
  growth whose base level is printed elsewhere in the report or in another report of the same entity.
* ``avg_growth_intervals``: an average annual growth over "giai đoạn 2021-2025" is (L2025/L2021)^(1/4) − 1;
  dividing by the 5 years instead of the 4 intervals is an error the reports make.
* ``growth_written_as_ratio``: "tăng 111,19% so với cùng kỳ" where the sibling indicators say "bằng 118,26%".
"""

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
    same_code,
    sentence_groups,
    signed_percent,
    year_of,
)


def _is_level(row: Any) -> bool:
    return (
        row.measure == "level"
        and not is_percent(row)
        and not present(row.denominator)
        and row.unit_canonical not in (None, "rank")
        and present(row.unit_canonical)
        and row.qualifier not in ("more_than", "less_than", "at_least", "at_most")
    )


def _compatible(a: Any, b: Any) -> bool:
    return a.unit_canonical == b.unit_canonical and (a.unit == b.unit or a.unit_canonical != "count")


def _scaled(row: Any) -> tuple[float, float]:
    """Value and half-unit in canonical units (so "225,69 tỷ" and "77.410 triệu" compare)."""
    scale = float(row.scale) if present(row.scale) else 1.0
    return float(row.value) * scale, mention_half_unit(row) * scale


def _growth_finding(
    growth: Any, new: Any, old: Any, params: Mapping[str, Any], *, elsewhere: bool, accept_ratio: bool = False
) -> Finding | None:
    new_value, new_half = _scaled(new)
    old_value, old_half = _scaled(old)
    if old_value <= 0 or new_value <= 0:
        return None
    ratio = new_value / old_value
    unit = 2 * mention_half_unit(growth)
    tolerance = 100 * ratio_tolerance(new_value, new_half, old_value, old_half) + unit / 2
    observed = signed_percent(growth)
    expected = 100 * (ratio - 1)
    if accept_ratio and abs(observed - 100 * ratio) <= tolerance:
        return None
    severity = classify(observed - expected, tolerance, unit, params)
    if severity is None:
        return None
    if elsewhere and severity is Severity.ERROR:
        # The base level comes from another place: a revised figure is as likely as a slip.
        severity = Severity.WARNING
    ratio_hint_vi = ratio_hint_en = ""
    if abs(observed - 100 * ratio) <= tolerance:
        ratio_hint_vi, ratio_hint_en = " (đây là tỷ số, không phải mức tăng)", " (that is the ratio, not the growth)"
    return Finding(
        check="growth_vs_levels",
        severity=severity,
        message_vi=(
            f"{new.value_text} so với {old.value_text} là tăng {fmt(expected)}%, "
            f"nhưng văn bản ghi {growth.value_text}%{ratio_hint_vi}"
        ),
        message_en=(
            f"{new.value_text} against {old.value_text} is a growth of {fmt(expected)}%, "
            f"but the text prints {growth.value_text}%{ratio_hint_en}"
        ),
        mention_ids=(old.mention_id, new.mention_id, growth.mention_id),
        observed=observed,
        expected=expected,
        tolerance=tolerance,
        indicator_code=next((c for c in (growth.indicator_code, new.indicator_code) if present(c)), None),
        period=growth.period if present(growth.period) else None,
    )


def _unique_level(candidates: list[Any]) -> Any | None:
    """The one level among candidates, or None when they disagree (ambiguous base)."""
    if not candidates:
        return None
    values = {round(_scaled(c)[0], 6) for c in candidates}
    return candidates[-1] if len(values) == 1 else None


def _sentence_growths(mentions: pd.DataFrame, params: Mapping[str, Any]) -> list[Finding]:
    findings = []
    for _, group in sentence_groups(mentions):
        rows = group
        for index, growth in enumerate(rows):
            if growth.measure != "growth_pct" or not is_percent(growth):
                continue
            period, reference = year_of(growth.period), year_of(growth.reference_period)
            if period is None or reference is None or reference >= period:
                continue
            before = [r for r in rows[:index] if _is_level(r)]
            if not before or year_of(before[-1].period) != period:
                continue
            new = before[-1]
            if any(r.measure == "growth_pct" for r in rows[rows.index(new) + 1 : index]):
                continue
            old = _unique_level(
                [r for r in rows if _is_level(r) and year_of(r.period) == reference and _compatible(r, new)]
            )
            if old is None or not same_code(growth.indicator_code, new.indicator_code, old.indicator_code):
                continue
            finding = _growth_finding(growth, new, old, params, elsewhere=False)
            if finding:
                findings.append(finding)
    return findings


def _table_growths(mentions: pd.DataFrame, params: Mapping[str, Any]) -> list[Finding]:
    """A table row with a level for two years and a growth column ("Tốc độ phát triển (%)")."""
    findings = []
    cells = mentions[mentions["in_table"].astype(bool)]
    for _, row_cells in cells.groupby(["doc_id", "table_id", "row"], sort=False):
        rows = list(row_cells.itertuples(index=False))
        levels = [r for r in rows if _is_level(r) and year_of(r.period) is not None]
        growths = [r for r in rows if r.measure == "growth_pct" and is_percent(r)]
        years = sorted({year_of(r.period) for r in levels})
        if len(years) != 2 or len(levels) != 2 or len(growths) != 1:
            continue
        old, new = sorted(levels, key=lambda r: year_of(r.period) or 0)
        # "Tốc độ phát triển" is printed either as a growth (9,64) or as an index (109,64).
        finding = _growth_finding(growths[0], new, old, params, elsewhere=False, accept_ratio=True)
        if finding:
            findings.append(finding)
    return findings


def _elsewhere_growths(mentions: pd.DataFrame, params: Mapping[str, Any]) -> list[Finding]:
    """Growth beside its level whose base year's level is printed only elsewhere (same entity and code)."""
    findings = []
    coded = mentions[mentions["indicator_code"].notna()]
    levels = [r for r in coded.itertuples(index=False) if _is_level(r) and year_of(r.period) is not None]
    for _, group in sentence_groups(mentions):
        rows = group
        for index, growth in enumerate(rows):
            if growth.measure != "growth_pct" or not is_percent(growth) or not present(growth.indicator_code):
                continue
            period, reference = year_of(growth.period), year_of(growth.reference_period)
            if period is None or reference is None or reference >= period:
                continue
            before = [r for r in rows[:index] if _is_level(r)]
            if not before or year_of(before[-1].period) != period or before[-1].indicator_code != growth.indicator_code:
                continue
            new = before[-1]
            if any(_is_level(r) and year_of(r.period) == reference for r in rows):
                continue  # the sentence check owns it
            base = [
                r
                for r in levels
                if r.indicator_code == growth.indicator_code
                and r.entity == growth.entity
                and year_of(r.period) == reference
                and (r.basis == new.basis or not (present(r.basis) or present(new.basis)))
            ]
            base = [r for r in base if _compatible(r, new) and r.qualifier != "approx"]
            old = _unique_level(base)
            if old is None:
                continue
            finding = _growth_finding(growth, new, old, params, elsewhere=True)
            if finding:
                findings.append(finding)
    return findings


def check_growth_vs_levels(tables: Mapping[str, pd.DataFrame], params: Mapping[str, Any]) -> list[Finding]:
    """Growth printed beside two levels (same sentence, same table row, or base level elsewhere)."""
    mentions = tables["mentions"]
    findings = _sentence_growths(mentions, params) + _table_growths(mentions, params)
    if params.get("use_levels_elsewhere", True):
        findings += _elsewhere_growths(mentions, params)
    return findings


def _period_years(period: Any) -> tuple[int, int] | None:
    if not isinstance(period, str) or ".." not in period:
        return None
    first, _, last = period.partition("..")
    if len(first) == 4 and len(last) == 4 and first.isdigit() and last.isdigit() and int(last) > int(first):
        return int(first), int(last)
    return None


def _footnote_mentions(tables: Mapping[str, pd.DataFrame], average: Any) -> pd.DataFrame:
    """Mentions in the footnotes whose reference sits in the same sentence as ``average``."""
    sentences, footnotes, mentions = tables.get("sentences"), tables.get("footnotes"), tables["mentions"]
    if sentences is None or footnotes is None or footnotes.empty:
        return mentions.iloc[0:0]
    doc_sentences = sentences[sentences["doc_id"] == average.doc_id]
    holding = doc_sentences[
        (doc_sentences["char_start"] <= average.char_start) & (doc_sentences["char_end"] > average.char_start)
    ]
    if holding.empty:
        return mentions.iloc[0:0]
    start, end = int(holding["char_start"].iloc[0]), int(holding["char_end"].iloc[0])
    doc_notes = footnotes[footnotes["doc_id"] == average.doc_id]
    refs = doc_notes[doc_notes["ref_start"].notna() & doc_notes["ref_start"].between(start, end)]
    ids = set(refs["footnote_id"].astype(str))
    return mentions[
        (mentions["doc_id"] == average.doc_id)
        & mentions["in_footnote"].astype(bool)
        & mentions["footnote_id"].astype(str).isin(ids)
    ]


def _level_code(code: Any) -> Any:
    if not isinstance(code, str):
        return None
    for suffix in ("_growth_avg", "_avg_growth", "_growth"):
        if code.endswith(suffix):
            return code[: -len(suffix)]
    return code


def _code_matches(base: Any, code: Any) -> bool:
    """A level code fits the average's base code when either is unknown or one refines the other
    ("budget_expenditure" and "budget_expenditure_local")."""
    if not (isinstance(base, str) and isinstance(code, str)):
        return True
    return code == base or code.startswith(base + "_") or base.startswith(code + "_")


def check_avg_growth_intervals(tables: Mapping[str, pd.DataFrame], params: Mapping[str, Any]) -> list[Finding]:
    """Average annual growth over Y0..Y1 from the two end levels: (L1/L0)^(1/(Y1−Y0)) − 1.

    Flagged as an error only when the printed rate is what dividing by the number of years
    (Y1−Y0+1) gives, so the mistake is shown, not guessed; other mismatches are info.
    """
    mentions = tables["mentions"]
    findings: list[Finding] = []
    for _, group in sentence_groups(mentions):
        rows = group
        for average in rows:
            if average.measure != "avg_growth_pct" or not is_percent(average):
                continue
            years = _period_years(average.period)
            if years is None:
                continue
            pool = rows + list(_footnote_mentions(tables, average).itertuples(index=False))
            ends = []
            for year in years:
                candidates = [r for r in pool if _is_level(r) and year_of(r.period) == year]
                candidates = [
                    r for r in candidates if _code_matches(_level_code(average.indicator_code), r.indicator_code)
                ]
                ends.append(_unique_level(candidates))
            first, last = ends
            if first is None or last is None or not _compatible(first, last):
                continue
            old, old_half = _scaled(first)
            new, new_half = _scaled(last)
            if old <= 0 or new <= 0:
                continue
            observed = float(average.value)
            unit = 2 * mention_half_unit(average)
            relative = ratio_tolerance(new, new_half, old, old_half) / (new / old)

            def rate(intervals: int, old: float = old, new: float = new) -> float:
                return 100 * ((new / old) ** (1 / intervals) - 1)

            def tolerance(intervals: int, relative: float = relative, unit: float = unit) -> float:
                return (100 + rate(intervals)) * relative / intervals + unit / 2

            intervals = years[1] - years[0]
            if abs(observed - rate(intervals)) <= tolerance(intervals):
                continue
            wrong_n = abs(observed - rate(intervals + 1)) <= tolerance(intervals + 1)
            findings.append(
                Finding(
                    check="avg_growth_intervals",
                    severity=Severity.ERROR if wrong_n else Severity.INFO,
                    message_vi=(
                        f"bình quân {years[0]}-{years[1]} từ {first.value_text} đến {last.value_text}: "
                        f"{fmt(rate(intervals))}%/năm ({intervals} khoảng); văn bản ghi {average.value_text}%"
                        + (f" = chia cho {intervals + 1} năm" if wrong_n else "")
                    ),
                    message_en=(
                        f"average {years[0]}-{years[1]} from {first.value_text} to {last.value_text}: "
                        f"{fmt(rate(intervals))}%/year ({intervals} intervals); printed {average.value_text}%"
                        + (f" = divided by {intervals + 1} years" if wrong_n else "")
                    ),
                    mention_ids=(first.mention_id, last.mention_id, average.mention_id),
                    observed=observed,
                    expected=rate(intervals),
                    tolerance=tolerance(intervals),
                    indicator_code=average.indicator_code if present(average.indicator_code) else None,
                    period=average.period,
                )
            )
    return findings


def _family(code: Any) -> str | None:
    if not isinstance(code, str) or not code:
        return None
    return code.replace(".", "_").split("_", 1)[0]


def check_growth_written_as_ratio(tables: Mapping[str, pd.DataFrame], params: Mapping[str, Any]) -> list[Finding]:
    """ "tăng 111,19%" where sibling indicators of the same family print "bằng 118,26%" against the same base."""
    low, high = float(params.get("ratio_low", 100.0)), float(params.get("ratio_high", 200.0))
    mentions = tables["mentions"]
    findings: list[Finding] = []
    for _, report in mentions.groupby("doc_id", sort=False):
        ratios = report[(report["measure"] == "ratio_to_reference_pct") & report["value"].between(low, high)]
        growths = report[
            (report["measure"] == "growth_pct")
            & (report["direction"] == "up")
            & report["value"].between(low, high, inclusive="left")
        ]
        for growth in growths.itertuples(index=False):
            family = _family(growth.indicator_code)
            if family is None:
                continue
            siblings = [
                r
                for r in ratios.itertuples(index=False)
                if _family(r.indicator_code) == family
                and r.indicator_code != growth.indicator_code
                and r.reference_period == growth.reference_period
            ]
            if not siblings:
                continue
            findings.append(
                Finding(
                    check="growth_written_as_ratio",
                    severity=Severity.WARNING,
                    message_vi=(
                        f"'tăng {growth.value_text}%' có lẽ là tỷ số 'bằng {growth.value_text}%' "
                        f"(tăng {fmt(float(growth.value) - 100)}%), như các chỉ tiêu cùng nhóm "
                        + ", ".join(f"bằng {s.value_text}%" for s in siblings[:3])
                    ),
                    message_en=(
                        f"'up {growth.value_text}%' is probably the ratio 'equal to {growth.value_text}%' "
                        f"(growth {fmt(float(growth.value) - 100)}%), as its siblings print "
                        + ", ".join(f"{s.value_text}%" for s in siblings[:3])
                    ),
                    mention_ids=(growth.mention_id, *(s.mention_id for s in siblings[:3])),
                    observed=float(growth.value),
                    expected=float(growth.value) - 100,
                    tolerance=None,
                    indicator_code=growth.indicator_code,
                    period=growth.period if present(growth.period) else None,
                )
            )
    return findings


__all__ = [
    "check_avg_growth_intervals",
    "check_growth_vs_levels",
    "check_growth_written_as_ratio",
]
