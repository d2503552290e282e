"""Percentages printed beside the figures they are computed from, in one sentence.

"2.856/4.500 tỷ đồng, đạt 63,4%", "98,9% (89/90)", "đã giải quyết 3.939 hồ sơ, chiếm 97,36%" after
"4.046 hồ sơ", "giảm 29 thôn (giảm 16.4%)" after "từ 183 … còn 154": the percentage can be recomputed
from its neighbours. A finding is raised only when no reading of the neighbours explains it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from pipeline.qa.base import (
    Finding,
    classify,
    fmt,
    half_unit,
    is_exact_count,
    is_percent,
    mention_half_unit,
    ratio_tolerance,
    sentence_groups,
    signed_percent,
    value_parts,
)

PERCENT_OF_WHOLE = {"share_pct", "rate_pct", "pct_of_plan", "pct_of_budget", "level", "fraction"}


def _text_between(texts: Mapping[str, str], doc_id: str, start: int, end: int) -> str:
    return texts.get(doc_id, "")[start:end] if end > start else ""


def _is_fraction(mention: Any) -> bool:
    return pd.notna(mention.denominator) and float(mention.denominator) > 0 and mention.measure != "rank"


def _paired_percent(rows: list[Any], index: int, texts: Mapping[str, str], max_gap: int) -> Any | None:
    """The percentage that belongs to the fraction rows[index]: just before it when the fraction is in
    parentheses ("98,9% (89/90)"), else the first percentage after it with no other fraction between."""
    fraction = rows[index]
    before = rows[index - 1] if index > 0 else None
    if before is not None and is_percent(before) and not _is_fraction(before):
        gap_text = _text_between(texts, fraction.doc_id, int(before.char_end), int(fraction.char_start))
        if len(gap_text) <= max_gap and gap_text.rstrip().endswith("("):
            return before
    for later in rows[index + 1 :]:
        if _is_fraction(later):
            return None
        if is_percent(later):
            gap = int(later.char_start) - int(fraction.char_end)
            return later if gap <= max_gap else None
    return None


def check_percent_vs_fraction(tables: Mapping[str, pd.DataFrame], params: Mapping[str, Any]) -> list[Finding]:
    """A percentage printed beside its own numerator and denominator must equal their ratio."""
    texts = dict(zip(tables["documents"]["doc_id"], tables["documents"]["text"], strict=True))
    max_gap = int(params.get("max_gap_chars", 60))
    findings: list[Finding] = []
    for _, group in sentence_groups(tables["mentions"]):
        rows = group
        for index, fraction in enumerate(rows):
            if not _is_fraction(fraction) or is_percent(fraction):
                continue
            percent = _paired_percent(rows, index, texts, max_gap)
            if percent is None:
                continue
            numerator, denominator = float(fraction.value), float(fraction.denominator)
            num_text, den_text = value_parts(str(fraction.value_text))
            den_text = den_text or "0"
            exact = is_exact_count(fraction.unit_canonical)
            num_half = 0.0 if exact and "," not in num_text else half_unit(num_text)
            den_half = 0.0 if exact and "," not in den_text else half_unit(den_text)
            spread = 100 * ratio_tolerance(numerator, num_half, denominator, den_half)
            unit = 2 * mention_half_unit(percent)
            tolerance = spread + unit / 2
            observed = signed_percent(percent)
            candidates = [100 * numerator / denominator]
            if percent.measure in ("growth_pct", "change_pp") or percent.direction in ("up", "down"):
                candidates += [100 * (numerator / denominator - 1), 100 * (1 - numerator / denominator)]
            best = min(candidates, key=lambda c: abs(abs(observed) - abs(c)))
            delta = abs(observed) - abs(best)
            severity = classify(delta, tolerance, unit, params)
            if severity is None:
                continue
            findings.append(
                Finding(
                    check="percent_vs_fraction",
                    severity=severity,
                    message_vi=(
                        f"{fraction.value_text} cho tỷ lệ {fmt(best)}%, nhưng văn bản ghi {percent.value_text}%"
                    ),
                    message_en=f"{fraction.value_text} gives {fmt(best)}%, but the text prints {percent.value_text}%",
                    mention_ids=(fraction.mention_id, percent.mention_id),
                    observed=abs(observed),
                    expected=abs(best),
                    tolerance=tolerance,
                    indicator_code=percent.indicator_code if pd.notna(percent.indicator_code) else None,
                    period=percent.period if pd.notna(percent.period) else None,
                )
            )
    return findings


def _count_share_pairs(rows: list[Any], max_gap: int) -> list[tuple[Any, Any]]:
    """(count, share) pairs: a share_pct/rate_pct right after a count ("173 hồ sơ (4,04%)")."""
    pairs = []
    for index, row in enumerate(rows):
        if not is_percent(row) or row.measure not in ("share_pct", "rate_pct") or index == 0:
            continue
        count = rows[index - 1]
        if count.unit_canonical != "count" or _is_fraction(count) or count.measure not in ("level", "change_abs"):
            continue
        if int(row.char_start) - int(count.char_end) <= max_gap:
            pairs.append((count, row))
    return pairs


def check_count_share(tables: Mapping[str, pd.DataFrame], params: Mapping[str, Any]) -> list[Finding]:
    """A share printed after a count must be that count over one of the larger counts of the sentence.

    Denominators are never printed beside the share ("đang giải quyết 173 hồ sơ (4,04%)" is over the
    4.280 received earlier): the candidates are the larger counts with the same unit earlier in the
    sentence. A share is flagged only when none of them explains it while one of them explains another
    share of the same sentence — so the sentence's whole is known and this share is off it.
    """
    max_gap = int(params.get("max_gap_chars", 25))
    findings: list[Finding] = []
    for _, group in sentence_groups(tables["mentions"]):
        rows = group
        pairs = _count_share_pairs(rows, max_gap)
        if len(pairs) < 2:
            continue

        def explains(total: Any, count: Any, share: Any) -> tuple[bool, float, float]:
            value = 100 * float(count.value) / float(total.value)
            spread = 100 * ratio_tolerance(float(count.value), 0.0, float(total.value), 0.0)
            tolerance = spread + mention_half_unit(share)
            return abs(float(share.value) - value) <= tolerance * (1 + 1e-9), value, tolerance

        for count, share in pairs:
            totals = [
                r
                for r in rows
                if r.unit_canonical == "count"
                and r.unit == count.unit
                and int(r.char_end) <= int(count.char_start)
                and float(r.value) > float(count.value)
                and r.measure == "level"
                and not _is_fraction(r)
            ]
            if not totals or any(explains(t, count, share)[0] for t in totals):
                continue
            validated = [
                t for t in totals if any(explains(t, c, s)[0] for c, s in pairs if c.mention_id != count.mention_id)
            ]
            if len(validated) != 1:
                continue
            total = validated[0]
            _, expected, tolerance = explains(total, count, share)
            severity = classify(float(share.value) - expected, tolerance, 2 * mention_half_unit(share), params)
            if severity is None:
                continue
            findings.append(
                Finding(
                    check="count_share",
                    severity=severity,
                    message_vi=(
                        f"{count.value_text}/{total.value_text} = {fmt(expected)}%, "
                        f"nhưng văn bản ghi {share.value_text}%"
                    ),
                    message_en=f"{count.value_text}/{total.value_text} = {fmt(expected)}%, printed {share.value_text}%",
                    mention_ids=(total.mention_id, count.mention_id, share.mention_id),
                    observed=float(share.value),
                    expected=expected,
                    tolerance=tolerance,
                    indicator_code=share.indicator_code if pd.notna(share.indicator_code) else None,
                    period=share.period if pd.notna(share.period) else None,
                )
            )
    return findings


def check_change_vs_percent(tables: Mapping[str, pd.DataFrame], params: Mapping[str, Any]) -> list[Finding]:
    """ "giảm 29 thôn (giảm 16.4%)" after a level of 154: the percentage is 29 / (154 + 29).

    The level is the nearest one before the change in the sentence with the same unit; its previous
    value is level − change. Both "change over old level" and "change over new level" are accepted.
    """
    max_gap = int(params.get("max_gap_chars", 40))
    findings: list[Finding] = []
    for _, group in sentence_groups(tables["mentions"]):
        rows = group
        for index, change in enumerate(rows[:-1]):
            if change.measure != "change_abs" or is_percent(change) or change.direction not in ("up", "down"):
                continue
            percent = rows[index + 1]
            if not is_percent(percent) or percent.measure not in ("growth_pct", "change_pp", "level"):
                continue
            if int(percent.char_start) - int(change.char_end) > max_gap:
                continue
            levels = [
                r
                for r in rows[:index]
                if r.measure == "level"
                and r.unit == change.unit
                and r.unit_canonical == change.unit_canonical
                and not is_percent(r)
                and not _is_fraction(r)
            ]
            if not levels:
                continue
            level = levels[-1]
            signed_change = -float(change.value) if change.direction == "down" else float(change.value)
            new, old = float(level.value), float(level.value) - signed_change
            if old <= 0 or new <= 0:
                continue
            bases = [old, new]
            observed = abs(float(percent.value))
            base = min(bases, key=lambda b: abs(observed - 100 * abs(signed_change) / b))
            best = 100 * abs(signed_change) / base
            old_half = mention_half_unit(level) + mention_half_unit(change)
            spread = 100 * ratio_tolerance(abs(signed_change), mention_half_unit(change), old, old_half)
            unit = 2 * mention_half_unit(percent)
            tolerance = spread + unit / 2
            severity = classify(observed - best, tolerance, unit, params)
            if severity is None:
                continue
            findings.append(
                Finding(
                    check="change_vs_percent",
                    severity=severity,
                    message_vi=(
                        f"thay đổi {change.value_text} / {fmt(base, 0)} = {fmt(best)}%, "
                        f"nhưng văn bản ghi {percent.value_text}%"
                    ),
                    message_en=(
                        f"a change of {change.value_text} over {fmt(base, 0)} is {fmt(best)}%, "
                        f"but the text prints {percent.value_text}%"
                    ),
                    mention_ids=(level.mention_id, change.mention_id, percent.mention_id),
                    observed=observed,
                    expected=best,
                    tolerance=tolerance,
                    indicator_code=percent.indicator_code if pd.notna(percent.indicator_code) else None,
                    period=percent.period if pd.notna(percent.period) else None,
                )
            )
    return findings
