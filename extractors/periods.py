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
from extractors.rules import fold, search_all

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


def report_end(context: ExtractionContext) -> str | None:
    """The report's cut-off in period notation: the end of its period ("2020-09" of "2020-01..2020-09").

    >>> report_end(ExtractionContext(report_period="2020-01..2020-09", report_year=2020))
    '2020-09'
    """
    period = context.report_period
    if period:
        return period.rsplit("..", 1)[-1] if ".." in period else period
    return str(context.report_year) if context.report_year else None


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def _date(year: int | None, month: int | None, day: int | None, *, start: bool = False) -> str | None:
    """ISO date, or the month when no day is given or when a span starts on the 1st ("từ 01/7/2025")."""
    if not year or not month or not 1 <= month <= 12 or (day is not None and not 1 <= day <= 31):
        return None
    if day is None or (start and day == 1):
        return f"{year}-{month:02d}"
    return f"{year}-{month:02d}-{day:02d}"


def _since(groups: dict[str, str | None], context: ExtractionContext, since: str | None) -> str | None:
    start = _date(_int(groups.get("syear")), _int(groups.get("smonth")), _int(groups.get("sday")), start=True)
    if start is None and since:
        year, month, day = (int(part) for part in since.split("-"))
        start = _date(year, month, day, start=True)
    year = _int(groups.get("year"))
    if groups.get("emonth"):
        end = _date(year, _int(groups.get("emonth")), None)
    elif groups.get("day"):
        end = _date(year, _int(groups.get("month")), _int(groups.get("day")))
    else:
        end = report_end(context)
    if end is None:
        return None
    return f"{start}..{end}" if start else f"..{end}"


def _resolve(
    resolver: str,
    groups: dict[str, str | None],
    context: ExtractionContext,
    lexicon: Lexicon,
    since: str | None = None,
) -> str | None:
    year = _int(groups.get("year")) or context.report_year
    if resolver == "cited_date":
        return None
    if resolver == "report_year":
        return str(context.report_year) if context.report_year else None
    if resolver == "as_of_now":
        end = report_end(context)
        return f"..{end}" if end else None
    if resolver == "since":
        return _since(groups, context, since)
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
    if resolver in ("month", "as_of_month"):
        month = _int(groups.get("month"))
        if not month or not 1 <= month <= 12:
            return None
        return f"{'..' if resolver == 'as_of_month' else ''}{year}-{month:02d}"
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
        season = next((s for s in lexicon.seasons if s.pattern.fullmatch(groups.get("season") or "")), None)
        if season is None:
            return None
        if year2:
            return f"{year}-{year2} {season.name}"
        if season.crosses_year and not groups.get("year"):
            return f"{year - 1}-{year} {season.name}"
        return f"{year} {season.name}"
    return None


def find_periods(
    folded: str, context: ExtractionContext, lexicon: Lexicon, since: str | None = None
) -> list[PeriodMatch]:
    """Period expressions of a folded sentence, non-overlapping (longer matches win).

    ``since`` is the date ("2025-07-01") the document's entity started operating, the start of
    "từ khi đi vào hoạt động". Cited document dates are returned with period None: they only keep
    their "tháng M năm YYYY" from being read as a month.

    >>> from extractors.lexicon import load_lexicon
    >>> [p.period for p in find_periods("quý iii/2023", ExtractionContext(), load_lexicon())]
    ['2023-07..2023-09']
    """
    found: list[PeriodMatch] = []
    for rule in lexicon.periods:
        for match in search_all(rule.pattern, folded):
            if match.end() == match.start():
                continue
            period = _resolve(rule.resolver, match.groupdict(), context, lexicon, since)
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


@dataclass(frozen=True, slots=True)
class PeriodScope:
    """What a sentence inherits from around it when it names no period itself.

    Attributes:
        default: the period of a value whose sentence states none: the period carried from an earlier
            sentence of the same block, else the one the block's footnote reference sits under, else the
            enclosing plan part's title period, else the report's (see :func:`section_default`).
        since: the date the document's entity started operating (ISO), the start of
            "từ khi đi vào hoạt động".
        inherited: True when ``default`` was stated in the text (an earlier sentence of the block, or
            the sentence of the footnote reference): it then outranks a period written *after* the
            value ("Nợ có khả năng thu: 12.387 triệu đồng, … bằng 4,2% so dự toán thu năm 2020").
    """

    default: str | None = None
    since: str | None = None
    inherited: bool = False


def title_period(title: str, context: ExtractionContext, lexicon: Lexicon) -> str | None:
    """The period a section title names ("PHƯƠNG HƯỚNG, NHIỆM VỤ NĂM 2024" -> "2024"), the last one wins.

    >>> from extractors.lexicon import load_lexicon
    >>> title_period("DỰ KIẾN KẾ HOẠCH 05 NĂM 2026-2030", ExtractionContext(), load_lexicon())
    '2026..2030'
    """
    periods = [p.period for p in find_periods(fold(title), context, lexicon) if p.period]
    return periods[-1] if periods else None


def section_default(
    titles: tuple[str, ...], in_plan_part: bool, context: ExtractionContext, lexicon: Lexicon
) -> str | None:
    """Period of a value that states none, from where it sits.

    In a plan part it is the period of the nearest enclosing title that names one ("Phần thứ hai …
    NĂM 2024" -> "2024", "KẾ HOẠCH … 05 NĂM 2026-2030" -> "2026..2030"). Elsewhere it is the report's
    period, except that a review of several years describes its last, assessment year: a value
    without a period in a 2021-2025 review is about 2025 (figures for the whole span say "giai đoạn").

    Args:
        titles: the enclosing section titles, outermost first.
        in_plan_part: whether the sentence sits in a plan/direction part.
        context: the document's context (report period and year).
        lexicon: the loaded patterns.
    """
    if in_plan_part:
        for title in reversed(titles):
            period = title_period(title, context, lexicon)
            if period:
                return period
    period, kind = context_period(context)
    if kind == PeriodKind.MULTI_YEAR and period:
        return period.rsplit("..", 1)[-1]
    return period


def operation_start(text: str, context: ExtractionContext, lexicon: Lexicon, folded: str | None = None) -> str | None:
    """When the document's entity started operating (ISO date): stated in the text, else the start
    date of its level of government (``entity_start`` in periods.yaml), else None. ``folded`` is
    ``fold(text)`` when the caller has it."""
    folded = fold(text) if folded is None else folded
    for rule in lexicon.operation_starts:
        for match in search_all(rule.pattern, folded):
            groups = match.groupdict()
            year, month, day = _int(groups.get("year")), _int(groups.get("month")), _int(groups.get("day"))
            if year and month and day and 1 <= month <= 12 and 1 <= day <= 31:
                return f"{year}-{month:02d}-{day:02d}"
    level = (context.entity_level or "").strip().lower()
    for levels, from_year, date in lexicon.entity_starts:
        if level in levels and context.report_year and context.report_year >= from_year:
            return date
    return None


def period_before(
    folded: str, pos: int, context: ExtractionContext, lexicon: Lexicon, since: str | None = None
) -> str | None:
    """The period of the last period expression of a folded sentence that ends at or before ``pos``."""
    taken = [(r.start, r.end) for r in find_references(folded, lexicon)]
    found = [
        p
        for p in find_periods(folded, context, lexicon, since)
        if p.period and p.end <= pos and all(p.end <= start or p.start >= end for start, end in taken)
    ]
    return found[-1].period if found else None
