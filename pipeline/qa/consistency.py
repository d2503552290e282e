"""The same fact printed twice with two values: across reports, and text vs table vs footnote of one report.

A fact is (entity, indicator_code, period, measure, basis), as in pipeline/facts.py. Two sources
disagree when they differ by more than the rounding of the less precise one. Extraction can put two
different figures under one key (an indicator code or a period resolved wrongly); to keep false
alarms out, only near values are compared (ratio below ``max_ratio``) — far-apart values are more
often two facts than one fact misprinted — and values a power of 1000 apart go to ``magnitude_slip``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from itertools import combinations
from typing import Any

import pandas as pd

from extractors.text import fold_for_matching
from pipeline.qa.base import Finding, Severity, fmt, mention_half_unit, present, signed_percent

FACT_KEY = ("entity", "indicator_code", "period", "measure", "basis")
LOOSE_QUALIFIERS = {"more_than", "less_than", "at_least", "at_most"}


def _placement(row: Any) -> str:
    if bool(row.in_table):
        return "table"
    return "footnote" if bool(row.in_footnote) else "text"


def _value(row: Any) -> tuple[float, float]:
    """Signed value in canonical units and its half-unit."""
    scale = float(row.scale) if present(row.scale) else 1.0
    value = signed_percent(row) if row.measure in ("growth_pct", "change_abs") else float(row.value)
    return value * scale, mention_half_unit(row) * scale


def _comparable(a: Any, b: Any) -> bool:
    if a.unit_canonical != b.unit_canonical or not present(a.unit_canonical):
        return False
    if a.unit_canonical == "count" and a.unit != b.unit:
        return False
    if present(a.denominator) or present(b.denominator):
        return False
    return a.report != b.report or (_placement(a) != _placement(b) and a.sentence != b.sentence)


def _interval(row: Any) -> tuple[float, float]:
    """What a printed figure allows: ±half a unit, or a half line for "hơn / trên / dưới / tối đa"."""
    value, half = _value(row)
    if row.qualifier in ("more_than", "at_least"):
        return value - half, math.inf
    if row.qualifier in ("less_than", "at_most"):
        return -math.inf, value + half
    return value - half, value + half


def _same_subject(a: Any, b: Any) -> bool:
    if not (present(a.subject) and present(b.subject)):
        return False
    return fold_for_matching(str(a.subject)).strip() == fold_for_matching(str(b.subject)).strip()


def _fact_pairs(mentions: pd.DataFrame, measures: set[str]) -> list[tuple[Any, Any]]:
    usable = mentions[
        mentions["indicator_code"].notna()
        & mentions["period"].notna()
        & mentions["value"].notna()
        & mentions["measure"].isin(measures)
    ]
    groups: dict[tuple[Any, ...], list[Any]] = {}
    for row in usable.itertuples(index=False):
        groups.setdefault(tuple(getattr(row, k) for k in FACT_KEY), []).append(row)
    return [(a, b) for rows in groups.values() for a, b in combinations(rows, 2) if _comparable(a, b)]


def _itemised(mentions: pd.DataFrame) -> set[str]:
    """Mentions of a footnote that gives several values for one key: a breakdown (one per project,
    per ward…) whose items are not the fact itself."""
    notes = mentions[mentions["in_footnote"].astype(bool) & mentions["indicator_code"].notna()]
    by_key: dict[tuple[Any, ...], list[Any]] = {}
    for row in notes.itertuples(index=False):
        key = (row.doc_id, row.footnote_id, *(getattr(row, k) for k in FACT_KEY))
        by_key.setdefault(key, []).append(row)
    return {row.mention_id for rows in by_key.values() if len({float(r.value) for r in rows}) > 1 for row in rows}


def _where(row: Any) -> str:
    return f"{row.report} ({_placement(row)})"


def check_same_fact(tables: Mapping[str, pd.DataFrame], params: Mapping[str, Any]) -> list[Finding]:
    """One fact, two values: across reports or across text / table / footnote of one report.

    Both sources must name the same subject (the indicator phrase as written, folded) and lie within
    ``max_ratio`` of each other; "hơn 11,2" and "8.428,5" conflict, "hơn 11,2" and "11,5" do not.
    """
    measures = set(params.get("measures", ["level", "growth_pct", "rate_pct", "share_pct", "pct_of_plan"]))
    max_ratio = float(params.get("max_ratio", 1.2))
    findings: list[Finding] = []
    seen: set[tuple[str, str]] = set()
    itemised = _itemised(tables["mentions"])
    for a, b in _fact_pairs(tables["mentions"], measures):
        if a.mention_id in itemised or b.mention_id in itemised:
            continue
        (va, ha), (vb, hb) = _value(a), _value(b)
        slack = 1e-9 * max(abs(va), abs(vb), 1.0)
        if a.qualifier in LOOSE_QUALIFIERS or b.qualifier in LOOSE_QUALIFIERS:
            (low_a, high_a), (low_b, high_b) = _interval(a), _interval(b)
            if low_a <= high_b + slack and low_b <= high_a + slack:
                continue
        elif abs(va - vb) <= max(ha, hb) + slack:
            continue  # the rule of pipeline/facts.py: equal within the less precise printing
        if not _same_subject(a, b):
            continue
        if va == 0 or vb == 0 or (va > 0) != (vb > 0):
            continue
        ratio = max(abs(va), abs(vb)) / min(abs(va), abs(vb))
        if ratio > max_ratio:
            continue
        key = tuple(sorted((a.mention_id, b.mention_id)))
        if key in seen:
            continue
        seen.add(key)
        across = a.report != b.report
        findings.append(
            Finding(
                check="same_fact",
                severity=Severity.WARNING,
                message_vi=(
                    f"cùng chỉ tiêu {a.indicator_code} kỳ {a.period}: {a.value_text} ở {_where(a)} "
                    f"nhưng {b.value_text} ở {_where(b)}" + (" (hai báo cáo)" if across else "")
                ),
                message_en=(
                    f"same indicator {a.indicator_code}, period {a.period}: {a.value_text} in {_where(a)} "
                    f"but {b.value_text} in {_where(b)}" + (" (two reports)" if across else "")
                ),
                mention_ids=(a.mention_id, b.mention_id),
                observed=vb / (float(b.scale) if present(b.scale) else 1.0),
                expected=va / (float(b.scale) if present(b.scale) else 1.0),
                tolerance=max(ha, hb) / (float(b.scale) if present(b.scale) else 1.0),
                indicator_code=a.indicator_code,
                period=a.period,
            )
        )
    return findings


def check_magnitude_slip(tables: Mapping[str, pd.DataFrame], params: Mapping[str, Any]) -> list[Finding]:
    """The same fact a power of 1000 apart (tỷ vs triệu, a lost or extra thousands group)."""
    measures = set(params.get("measures", ["level", "target"]))
    min_digits = int(params.get("min_significant_digits", 3))
    findings: list[Finding] = []
    for a, b in _fact_pairs(tables["mentions"], measures):
        if a.qualifier in LOOSE_QUALIFIERS or b.qualifier in LOOSE_QUALIFIERS:
            continue
        (va, ha), (vb, hb) = _value(a), _value(b)
        if va <= 0 or vb <= 0:
            continue
        exponent = round(math.log10(va / vb))
        if exponent == 0 or exponent % 3 != 0:
            continue
        if abs(va / 10**exponent - vb) > max(ha / 10**exponent, hb) * (1 + 1e-9):
            continue
        digits = sum(ch.isdigit() for ch in str(a.value_text).split("/")[0].lstrip("0"))
        if digits < min_digits:
            continue
        findings.append(
            Finding(
                check="magnitude_slip",
                severity=Severity.ERROR,
                message_vi=(
                    f"{a.value_text} {a.unit or ''} ({_where(a)}) và {b.value_text} {b.unit or ''} ({_where(b)}) "
                    f"lệch nhau {fmt(10.0 ** abs(exponent), 0)} lần"
                ),
                message_en=(
                    f"{a.value_text} {a.unit or ''} ({_where(a)}) and {b.value_text} {b.unit or ''} ({_where(b)}) "
                    f"differ by a factor of {fmt(10.0 ** abs(exponent), 0)}"
                ),
                mention_ids=(a.mention_id, b.mention_id),
                observed=va,
                expected=vb,
                tolerance=max(ha, hb),
                indicator_code=a.indicator_code,
                period=a.period,
            )
        )
    return findings
