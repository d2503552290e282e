"""Periods in contract notation, resolved against the document's own period.

``find_periods`` returns what period expressions a sentence contains ("9 tháng đầu năm 2020" ->
"2020-01..2020-09"); ``find_references`` the comparison bases ("so với cùng kỳ", "năm trước");
``resolve_reference`` turns a base into a period given the value's own period ("cùng kỳ" of
"2020-01..2020-09" is "2019-01..2019-09"). Expressions without a year take ``context.report_year``.
"""

from __future__ import annotations

from dataclasses import dataclass

import regex

from extractors.lexicon import Lexicon
from extractors.model import ExtractionContext, PeriodKind
from extractors.rules import search_all

_YEAR = regex.compile(r"\d{4}")
_KINDS = (
    (regex.compile(r"^\d{4}$"), PeriodKind.YEAR),
    (regex.compile(r"^\d{4}-01\.\.\d{4}-\d{2}$"), PeriodKind.YTD),
    (regex.compile(r"^\d{4}-\d{2}\.\.\d{4}-\d{2}$"), PeriodKind.QUARTER),
    (regex.compile(r"^\d{4}-\d{2}$"), PeriodKind.MONTH),
    (regex.compile(r"^\d{4}\.\.\d{4}$"), PeriodKind.MULTI_YEAR),
    (regex.compile(r"^\.\."), PeriodKind.AS_OF),
    (regex.compile(r"^\d{4}-\d{4}$"), PeriodKind.SCHOOL_YEAR),
    (regex.compile(r"^\d{4}(?:-\d{4})? \p{L}"), PeriodKind.SEASON),
)


@dataclass(frozen=True, slots=True)
class PeriodMatch:
    start: int
    end: int
    period: str | None
    kind: PeriodKind
    rule_id: str


@dataclass(frozen=True, slots=True)
class ReferenceMatch:
    start: int
    end: int
    resolver: str
    groups: dict[str, str | None]
    rule_id: str


def kind_of(period: str | None) -> PeriodKind:
    """The kind of a period written in contract notation.

    >>> kind_of("2020-01..2020-09"), kind_of("..2025")
    (<PeriodKind.YTD: 'ytd'>, <PeriodKind.AS_OF: 'as_of'>)
    """
    if not period:
        return PeriodKind.UNKNOWN
    for pattern, kind in _KINDS:
        if pattern.search(period):
            return kind
    return PeriodKind.UNKNOWN


def context_period(context: ExtractionContext) -> tuple[str | None, PeriodKind]:
    """The report's own period, used when a sentence names none."""
    if context.report_period:
        return context.report_period, kind_of(context.report_period)
    if context.report_year:
        return str(context.report_year), PeriodKind.YEAR
    return None, PeriodKind.UNKNOWN


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def _resolve(resolver: str, groups: dict[str, str | None], context: ExtractionContext, lexicon: Lexicon) -> str | None:
    year = _int(groups.get("year")) or context.report_year
    if resolver == "report_year":
        return str(context.report_year) if context.report_year else None
    if resolver == "as_of_now":
        return f"..{context.report_year}" if context.report_year else None
    if year is None:
        return None
    if resolver == "year":
        return f"{year}"
    if resolver in ("ytd", "last_months"):
        months = _int(groups.get("months"))
        if months is None or not 1 <= months <= 12:
            return None
        if resolver == "ytd":
            return f"{year}-01..{year}-{months:02d}"
        return f"{year}-{12 - months + 1:02d}..{year}-12"
    if resolver == "quarter":
        quarter = lexicon.roman.get((groups.get("quarter") or "").lower())
        if quarter is None:
            return None
        return f"{year}-{3 * quarter - 2:02d}..{year}-{3 * quarter:02d}"
    if resolver == "month":
        month = _int(groups.get("month"))
        return f"{year}-{month:02d}" if month and 1 <= month <= 12 else None
    if resolver == "as_of_date":
        day, month = _int(groups.get("day")), _int(groups.get("month") or groups.get("month2"))
        if not day or not month or not 1 <= month <= 12 or not 1 <= day <= 31:
            return None
        return f"..{year}-{month:02d}-{day:02d}"
    year2 = _int(groups.get("year2"))
    if resolver == "multi_year":
        return f"{year}..{year2}" if year2 else None
    if resolver == "school_year":
        return f"{year}-{year2}" if year2 else None
    if resolver == "season":
        name = next((n for p, n in lexicon.seasons if p.fullmatch(groups.get("season") or "")), None)
        if name is None:
            return None
        return f"{year}-{year2} {name}" if year2 else f"{year} {name}"
    return None


def find_periods(folded: str, context: ExtractionContext, lexicon: Lexicon) -> list[PeriodMatch]:
    """Period expressions of a folded sentence, non-overlapping (longer matches win).

    >>> from extractors.lexicon import load_lexicon
    >>> [p.period for p in find_periods("quý iii/2023", ExtractionContext(), load_lexicon())]
    ['2023-07..2023-09']
    """
    found: list[PeriodMatch] = []
    for rule in lexicon.periods:
        for match in search_all(rule.pattern, folded):
            if match.end() == match.start():
                continue
            period = _resolve(rule.resolver, match.groupdict(), context, lexicon)
            found.append(PeriodMatch(match.start(), match.end(), period, rule.kind, rule.id))
    found.sort(key=lambda p: (-(p.end - p.start), p.start))
    kept: list[PeriodMatch] = []
    for candidate in found:
        if all(candidate.end <= k.start or candidate.start >= k.end for k in kept):
            kept.append(candidate)
    return sorted(kept, key=lambda p: p.start)


def find_references(folded: str, lexicon: Lexicon) -> list[ReferenceMatch]:
    """Comparison bases ("so với cùng kỳ năm trước", "so với năm 2024"), non-overlapping."""
    found: list[ReferenceMatch] = []
    for rule in lexicon.references:
        for match in search_all(rule.pattern, folded):
            if match.end() > match.start():
                found.append(ReferenceMatch(match.start(), match.end(), rule.resolver, match.groupdict(), rule.id))
    found.sort(key=lambda r: (-(r.end - r.start), r.start))
    kept: list[ReferenceMatch] = []
    for candidate in found:
        if all(candidate.end <= k.start or candidate.start >= k.end for k in kept):
            kept.append(candidate)
    return sorted(kept, key=lambda r: r.start)


def shift_years(period: str, years: int) -> str:
    """Move every year of a period by ``years``: the "same period last year" of a period.

    >>> shift_years("2020-01..2020-09", -1)
    '2019-01..2019-09'
    """
    return _YEAR.sub(lambda m: str(int(m.group()) + years), period)


def resolve_reference(reference: ReferenceMatch, period: str | None, context: ExtractionContext) -> str | None:
    """The reference period of a value whose own period is ``period``."""
    groups = reference.groups
    year = _int(groups.get("year"))
    if reference.resolver == "same_period_last_year":
        if period:
            return shift_years(period, -1)
        return str(context.report_year - 1) if context.report_year else None
    if reference.resolver == "previous_year":
        base = _YEAR.search(period or "")
        base_year = int(base.group()) if base else context.report_year
        return str(base_year - 1) if base_year else None
    if year is None:
        return None
    if reference.resolver == "explicit_year":
        return str(year)
    if reference.resolver == "end_of_year":
        return f"..{year}-12-31"
    if reference.resolver == "as_of_date":
        day, month = _int(groups.get("day")), _int(groups.get("month"))
        if day and month and 1 <= month <= 12 and 1 <= day <= 31:
            return f"..{year}-{month:02d}-{day:02d}"
    return None
