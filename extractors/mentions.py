"""Assemble one :class:`MentionMatch` per numeric fact of a sentence (or table cell).

Order of work, each step reading ``patterns/`` through the :class:`Lexicon`:

1. fold the sentence for matching (same length, so offsets carry over);
2. find the spans that are NOT quantities first (document numbers, dates, years, labels, codes,
   enumerations, thresholds) plus period, reference and price-basis expressions, and block them;
3. read every remaining number token by the Vietnamese convention, join fractions ("107/144",
   "163.183 triệu đồng/84.372 triệu đồng") and ranges ("3-5%", two mentions), attach the unit;
4. decide measure, direction, qualifier, period, reference period, basis, subject and entity.

``text[m.start:m.end] == m.value_text`` holds for every mention. Extraction never raises on odd input.
"""

from __future__ import annotations

import importlib
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, replace
from decimal import Decimal
from functools import cache
from types import ModuleType
from typing import Any

import regex

from extractors.lexicon import Lexicon
from extractors.measures import Frame, decide_measure, target_cue
from extractors.model import ExtractionContext, Measure, MentionMatch, PeriodKind, Qualifier
from extractors.numbers import ParsedNumber, find_numbers, number_at
from extractors.periods import (
    PeriodMatch,
    PeriodScope,
    ReferenceMatch,
    context_period,
    find_periods,
    find_references,
    kind_of,
    resolve_reference,
)
from extractors.qualifiers import decide_qualifier
from extractors.rules import fold, match_at, search_all, search_regions
from extractors.units import UnitMatch, find_unit, header_unit

_CLAUSE_BREAK = regex.compile(r";|\.\s+(?=[\p{Lu}\-+])|\n")
_SLASH = regex.compile(r"\s*/\s*")
_DASH = regex.compile(r"\s*[-–]\s*")
_LETTER = regex.compile(r"\p{L}")
_DIGIT = regex.compile(r"\d")
#: Characters scanned for non-quantity constructs on each side of a number token (longer than any of them).
REGION_MARGIN = 64
#: Furthest a clause-level cue (subject, "ước", "phấn đấu") is looked for before a number: keeps work
#: linear on pathological one-line inputs; real clauses are far shorter.
CLAUSE_WINDOW = 400
#: A "sentence" with more number tokens than this is not a sentence (a mis-split table, garbage); only
#: the first ones are read, and their mentions carry the flag "sentence_truncated".
MAX_NUMBERS = 500
#: Windows closer than this are scanned as one: each pattern call has a fixed cost (time limit set-up)
#: that outweighs scanning a few hundred more characters.
REGION_JOIN_GAP = 240
#: No real number is longer; longer digit runs are read (as malformed) without scanning around them.
MAX_TOKEN = 40
_SHARES = frozenset({Measure.SHARE_PCT, Measure.RATE_PCT})
_REFERENCED = frozenset({Measure.GROWTH_PCT, Measure.RATIO_TO_REFERENCE_PCT, Measure.CHANGE_ABS, Measure.CHANGE_PP})


@cache
def _optional_module(name: str) -> ModuleType | None:
    # indicators.py and entities.py are written by other engineers; until they exist (or while they
    # are half-written) mentions still work, with subject/indicator/entity left to the context.
    try:
        return importlib.import_module(name)
    except (ImportError, SyntaxError):
        return None


@dataclass(frozen=True, slots=True)
class _Quantity:
    """A number (or fraction) with its unit, before meaning is attached."""

    start: int
    end: int
    value: Decimal | None
    denominator: Decimal | None
    unit: UnitMatch | None
    unit_end: int
    flags: tuple[str, ...]
    rule_ids: tuple[str, ...]
    range_role: str | None = None


@dataclass(frozen=True, slots=True)
class _Sentence:
    text: str
    folded: str
    blocked: tuple[str | None, ...]  # per character: id of the non-quantity rule covering it
    clause_starts: tuple[int, ...]
    periods: tuple[PeriodMatch, ...]
    references: tuple[ReferenceMatch, ...]
    bases: tuple[tuple[int, int, str, str], ...]
    period_starts: tuple[int, ...]
    period_ends: tuple[int, ...]
    reference_starts: tuple[int, ...]
    reference_ends: tuple[int, ...]


def _overlaps(start: int, end: int, blocked: tuple[str | None, ...]) -> str | None:
    return next((rule_id for rule_id in blocked[start:end] if rule_id is not None), None)


def _clause_start(sentence: _Sentence, pos: int) -> int:
    """Start of the ";"-clause around ``pos``, but no further back than :data:`CLAUSE_WINDOW`."""
    index = bisect_right(sentence.clause_starts, pos)
    start = sentence.clause_starts[index - 1] if index else 0
    return max(start, pos - CLAUSE_WINDOW)


def _clause_end(sentence: _Sentence, pos: int) -> int:
    index = bisect_right(sentence.clause_starts, pos)
    return sentence.clause_starts[index] if index < len(sentence.clause_starts) else len(sentence.text)


def _regions(numbers: list[ParsedNumber], length: int) -> list[tuple[int, int]]:
    """Merged windows around the number tokens: only spans that overlap a number matter, and scanning
    windows instead of whole paragraphs keeps long footnote-laden lines fast."""
    regions: list[tuple[int, int]] = []
    for number in numbers:
        if number.end - number.start > MAX_TOKEN:
            continue
        start, end = max(0, number.start - REGION_MARGIN), min(length, number.end + REGION_MARGIN)
        if regions and start <= regions[-1][1] + REGION_JOIN_GAP:
            regions[-1] = (regions[-1][0], max(regions[-1][1], end))
        else:
            regions.append((start, end))
    return regions


def _claim(owner: list[str | None], start: int, end: int, rule_id: str) -> None:
    """Give ``rule_id`` the characters of ``start:end`` that no earlier rule owns."""
    if owner[start:end].count(None) == end - start:
        owner[start:end] = [rule_id] * (end - start)  # the usual case, a free span: one C-level copy
        return
    for position in range(start, end):
        if owner[position] is None:
            owner[position] = rule_id


def _prepare(
    text: str,
    numbers: list[ParsedNumber],
    context: ExtractionContext,
    lexicon: Lexicon,
    since: str | None,
    folded: str | None,
) -> _Sentence | None:
    """What the mentions of ``text`` are read against: which characters non-quantities own, clauses,
    periods, references and price bases; None when every number is owned (no mention can come out)."""
    folded = fold(text) if folded is None else folded
    owner: list[str | None] = [None] * len(text)
    regions = _regions(numbers, len(text))
    for rule in lexicon.nonquantities:
        source = text if rule.case_sensitive else folded
        claimed = False
        for match in search_regions(rule.pattern, source, regions):
            if match.end() > match.start():
                _claim(owner, match.start(), match.end(), rule.id)
                claimed = True
        if claimed and all(any(owner[number.start : number.end]) for number in numbers):
            # Every number is a year, a date, a document number…: nothing here can become a mention, so
            # the remaining rules, periods, references and bases would serve nobody (44% of the corpus's
            # sentences with a digit end here).
            return None
    references = tuple(find_references(folded, lexicon))
    bases = tuple(
        (m.start(), m.end(), rule.basis, rule.id) for rule in lexicon.bases for m in search_all(rule.pattern, folded)
    )
    taken = [(r.start, r.end) for r in references] + [(b[0], b[1]) for b in bases]
    found_periods = [
        p for p in find_periods(folded, context, lexicon, since) if all(p.end <= s or p.start >= e for s, e in taken)
    ]
    # Cited document dates block their digits but are nobody's period.
    periods = tuple(p for p in found_periods if p.period)
    for start, end, rule_id in (
        *((p.start, p.end, p.rule_id) for p in found_periods),
        *((r.start, r.end, r.rule_id) for r in references),
        *((b[0], b[1], b[3]) for b in bases),
    ):
        _claim(owner, start, end, rule_id)
    clause_starts = tuple(m.end() for m in search_all(_CLAUSE_BREAK, text))
    return _Sentence(
        text,
        folded,
        tuple(owner),
        clause_starts,
        periods,
        references,
        bases,
        tuple(p.start for p in periods),
        tuple(p.end for p in periods),
        tuple(r.start for r in references),
        tuple(r.end for r in references),
    )


def _unit_after(sentence: _Sentence, pos: int, lexicon: Lexicon) -> UnitMatch | None:
    return find_unit(sentence.text, sentence.folded, pos, lexicon)


def _same_unit(a: UnitMatch, b: UnitMatch) -> bool:
    return " ".join(fold(a.text).split()) == " ".join(fold(b.text).split())


def _single(number: ParsedNumber, unit: UnitMatch | None, extra_flags: tuple[str, ...] = ()) -> _Quantity:
    unit_ids = unit.rule_ids if unit else ()
    return _Quantity(
        number.start,
        number.end,
        number.value,
        None,
        unit,
        unit.end if unit else number.end,
        (*number.flags, *extra_flags),
        (number.rule_id, *unit_ids),
    )


def _quantities(
    sentence: _Sentence, numbers: list[ParsedNumber], lexicon: Lexicon
) -> tuple[list[_Quantity], tuple[str, ...]]:
    """Numbers that survive the non-quantity spans, joined into fractions and ranges, with units."""
    text = sentence.text
    skipped: list[str] = []
    out: list[_Quantity] = []
    consumed_until = -1
    for number in numbers:
        if number.start < consumed_until:
            continue
        blocker = _overlaps(number.start, number.end, sentence.blocked)
        if blocker:
            skipped.append(blocker)
            continue
        unit = _unit_after(sentence, number.end, lexicon)
        # Digits glued to letters that are not a unit are a code ("5G", "14C"), not a quantity.
        if unit is None and number.end < len(text) and _LETTER.match(text, number.end):
            skipped.append("nonquantity.glued_code")
            continue
        after_first = unit.end if unit and unit.canonical != "percent" else number.end
        slash = match_at(_SLASH, text, after_first)
        if slash is not None and (unit is None or unit.canonical != "percent"):
            denominator = number_at(text, slash.end(), lexicon)
            if denominator is not None and not _overlaps(denominator.start, denominator.end, sentence.blocked):
                second_unit = _unit_after(sentence, denominator.end, lexicon)
                if unit is None or second_unit is None or _same_unit(unit, second_unit):
                    final_unit = unit or second_unit
                    flags = tuple(dict.fromkeys((*number.flags, *denominator.flags)))
                    if denominator.value is None and "malformed_number" not in flags:
                        flags = (*flags, "malformed_number")
                    unit_ids = final_unit.rule_ids if final_unit else ()
                    unit_end = second_unit.end if second_unit else denominator.end
                    out.append(
                        _Quantity(
                            number.start,
                            denominator.end,
                            number.value,
                            denominator.value,
                            final_unit,
                            unit_end,
                            flags,
                            (number.rule_id, "number.fraction", *unit_ids),
                        )
                    )
                    consumed_until = denominator.end
                    continue
                # Two different units around "/" make a pair ("45 hộ nghèo/157 khẩu"), not a fraction.
                out.append(_single(number, unit, ("pair",)))
                out.append(_single(denominator, second_unit, ("pair",)))
                consumed_until = denominator.end
                continue
        dash = match_at(_DASH, text, unit.end if unit else number.end)
        if dash is not None and (unit is None or unit.canonical == "percent"):
            upper = number_at(text, dash.end(), lexicon)
            if upper is not None and not _overlaps(upper.start, upper.end, sentence.blocked):
                upper_unit = _unit_after(sentence, upper.end, lexicon)
                if unit is None or (upper_unit is not None and _same_unit(unit, upper_unit)):
                    lower_quantity = _single(number, upper_unit if unit is None else unit)
                    out.append(
                        replace(
                            lower_quantity, range_role="lower", unit_end=upper_unit.end if upper_unit else upper.end
                        )
                    )
                    out.append(replace(_single(upper, upper_unit), range_role="upper"))
                    consumed_until = upper.end
                    continue
        out.append(_single(number, unit))
    return out, tuple(dict.fromkeys(skipped))


def _nearest(
    spans: tuple[Any, ...],
    starts: tuple[int, ...],
    ends: tuple[int, ...],
    start: int,
    clause_start: int,
    clause_end: int,
) -> Any | None:
    """Among sorted, non-overlapping spans: the last one before ``start`` in the clause, else the first
    after it in the clause, else the last one before the clause."""
    index = bisect_right(ends, start)
    if index and spans[index - 1].start >= clause_start:
        return spans[index - 1]
    following = bisect_left(starts, start)
    if following < len(spans) and spans[following].end <= clause_end:
        return spans[following]
    return spans[index - 1] if index else None


def _period_for(sentence: _Sentence, start: int, clause_start: int, inherited: bool) -> PeriodMatch | None:
    """The period expression of the sentence that governs a value at ``start`` (see :func:`_nearest`).

    With an ``inherited`` block period, only a period written before the value in the sentence
    outranks it: one written after it usually belongs to a later value or a comparison base.
    """
    if inherited:
        index = bisect_right(sentence.period_ends, start)
        return sentence.periods[index - 1] if index else None
    found = _nearest(
        sentence.periods,
        sentence.period_starts,
        sentence.period_ends,
        start,
        clause_start,
        _clause_end(sentence, start),
    )
    return found if found is not None and found.period else None


def _reference_for(sentence: _Sentence, start: int, clause_start: int) -> ReferenceMatch | None:
    # The base usually follows the values it governs ("tăng 17 vụ, tăng 18 người … so với cùng kỳ").
    clause_end = _clause_end(sentence, start)
    following = bisect_left(sentence.reference_starts, start)
    if following < len(sentence.references) and sentence.references[following].end <= clause_end:
        return sentence.references[following]
    index = bisect_right(sentence.reference_ends, start)
    if index and sentence.references[index - 1].start >= clause_start:
        return sentence.references[index - 1]
    return None


def _basis_for(sentence: _Sentence, start: int, header_basis: tuple[str, str] | None) -> tuple[str, str] | None:
    before = [b for b in sentence.bases if b[1] <= start]
    if before:
        return before[-1][2], before[-1][3]
    if sentence.bases:
        return sentence.bases[0][2], sentence.bases[0][3]
    return header_basis


def _float(value: Decimal | None) -> float | None:
    return float(value) if value is not None else None


@dataclass(frozen=True, slots=True)
class _Header:
    """What the headers of a table cell say about it."""

    folded: str
    unit: UnitMatch | None
    period: PeriodMatch | None
    basis: tuple[str, str] | None


def _header(context: ExtractionContext, lexicon: Lexicon, since: str | None) -> _Header:
    parts = [h for h in (context.col_header, context.row_header) if h]
    if not parts:
        return _Header("", None, None, None)
    folded = fold(" ; ".join(parts))
    unit = header_unit(context.col_header, lexicon)
    period = None
    if context.col_header:
        periods = [p for p in find_periods(fold(context.col_header), context, lexicon, since) if p.period]
        period = periods[0] if periods else None
    basis = None
    for rule in lexicon.bases:
        if search_all(rule.pattern, folded):
            basis = (rule.basis, rule.id)
            break
    return _Header(folded, unit, period, basis)


@dataclass(frozen=True, slots=True)
class LexiconHits:
    """Indicator and entity hits found once over a larger text, shifted to one sentence's offsets.

    Matching the lexicons per sentence costs a tokenizer call each; a stage that reads a whole
    document matches once (:func:`document_hits`) and hands each sentence its share.
    """

    indicators: tuple[Any, ...] = ()
    entities: tuple[Any, ...] = ()


class PiecesHits:
    """Lexicon hits for many pieces of one text, matched in one pass (see :func:`pieces_hits`)."""

    def __init__(self, by_piece: dict[tuple[int, int], LexiconHits]) -> None:
        self._by_piece = by_piece

    def within(self, start: int, end: int) -> LexiconHits | None:
        """The hits of piece ``[start, end)`` relative to its start; None for a piece not matched."""
        return self._by_piece.get((start, end))


def pieces_hits(
    text: str, spans: list[tuple[int, int]], lexicon: Lexicon, folded_text: str | None = None
) -> PiecesHits:
    """Indicator and entity hits of every span of ``text`` that holds a digit, in one lexicon pass.

    The spans are joined one per line (a phrase never crosses a newline), matched once, and the hits
    are handed back to their span with offsets relative to its start. ``folded_text`` is
    ``fold(text)`` when the caller has it (the fold works within words, so a span's fold is the slice
    of the text's fold).
    """
    folded_text = fold(text) if folded_text is None else folded_text
    chosen = sorted({span for span in spans if _DIGIT.search(text, span[0], span[1])})
    offsets, position = [], 0
    for start, end in chosen:
        offsets.append(position)
        position += end - start + 1
    joined = "\n".join(text[start:end].replace("\n", " ") for start, end in chosen)
    folded = "\n".join(folded_text[start:end].replace("\n", " ") for start, end in chosen)
    indicator_hits = sorted(_indicator_hits(joined, lexicon, folded), key=lambda h: h.start)
    entity_hits = sorted(_entity_hits(joined, folded), key=lambda h: h.start)
    indicator_starts = [h.start for h in indicator_hits]
    entity_starts = [h.start for h in entity_hits]

    def pick(hits: list[Any], starts: list[int], offset: int, limit: int) -> tuple[Any, ...]:
        chosen_hits = []
        for hit in hits[bisect_left(starts, offset) :]:
            if hit.start >= limit:
                break
            if hit.end <= limit:
                chosen_hits.append(replace(hit, start=hit.start - offset, end=hit.end - offset))
        return tuple(chosen_hits)

    by_piece: dict[tuple[int, int], LexiconHits] = {}
    for (start, end), offset in zip(chosen, offsets, strict=True):
        limit = offset + (end - start)
        by_piece[(start, end)] = LexiconHits(
            pick(indicator_hits, indicator_starts, offset, limit), pick(entity_hits, entity_starts, offset, limit)
        )
    return PiecesHits(by_piece)


def _indicator_hits(text: str, lexicon: Lexicon, folded: str | None = None) -> list[Any]:
    if lexicon.indicators is None:
        return []
    module = _optional_module("extractors.indicators")
    finder = getattr(module, "find_indicators", None) if module else None
    return list(finder(text, lexicon.indicators, folded=folded)) if finder else []


def _entity_hits(text: str, folded: str | None = None) -> list[Any]:
    module = _optional_module("extractors.entities")
    finder = getattr(module, "find_entities", None) if module else None
    return list(finder(text, folded=folded)) if finder else []


def _subject_hit(
    sentence: _Sentence,
    quantity: _Quantity,
    unit_canonical: str | None,
    clause_start: int,
    indicator_hits: list[Any],
    entity_hits: list[Any],
    carried: Any | None,
    lexicon: Lexicon,
) -> tuple[Any | None, str | None]:
    """The indicator hit naming what ``quantity`` measures and, when it is not the plain nearest one, the
    rule id saying why; ``(None, None)`` when the sentence names none (table cells then read their row header).

    In order: the indicator its counted noun opens; the nearest one before it in its clause whose kind fits
    its unit; ``carried`` (the previous value's) when the clause names none and opens with a period or a place.
    """
    hit = _named_by_counted_noun(indicator_hits, quantity.unit)
    if hit is not None:
        return hit, "subject.counted_noun"
    fitting = [h for h in indicator_hits if lexicon.indicator_fits(h.code, unit_canonical)]
    hit = _nearest_before(fitting, quantity.start, clause_start)
    if hit is not None:
        return hit, None
    if (
        carried is not None
        and _nearest_before(indicator_hits, quantity.start, clause_start) is None
        and _opens_with_period_or_entity(sentence, clause_start, quantity.start, entity_hits)
        and lexicon.indicator_fits(carried.code, unit_canonical)
    ):
        return carried, "subject.carried"
    return None, None


def _opens_with_period_or_entity(sentence: _Sentence, clause_start: int, start: int, entity_hits: list[Any]) -> bool:
    """Whether the clause before ``start`` opens with a period or a place: such a clause continues a list
    of the previous clause's subject ("; năm 2022 đạt 459,31 tỷ đồng", "; Lâm Đồng 5,63%"), while one that
    opens with anything else names a new item the lexicon may not know ("; Đăng ký giám hộ 60 trường hợp")."""
    opening = clause_start
    while opening < start and not sentence.text[opening].isalnum():
        opening += 1
    if opening >= start:
        return False
    index = bisect_left(sentence.period_starts, opening)
    if index < len(sentence.period_starts) and sentence.period_starts[index] == opening:
        return True
    return any(hit.start == opening and hit.end <= start for hit in entity_hits)


def _named_by_counted_noun(hits: list[Any], unit: UnitMatch | None) -> Any | None:
    """The indicator a count names with its own noun: in "còn 25 hộ nghèo", "1.700.000 lượt khách du lịch",
    "13/16 trường đạt chuẩn quốc gia" the counted noun opens the indicator phrase, which then outranks any
    subject before the number ("rà soát hộ nghèo, hộ cận nghèo năm 2024, còn 45 hộ nghèo")."""
    if unit is None or unit.canonical != "count":
        return None
    return next((h for h in hits if h.start == unit.start), None)


def _nearest_before(hits: list[Any], start: int, clause_start: int) -> Any | None:
    candidates = [h for h in hits if h.end <= start and h.start >= clause_start]
    return max(candidates, key=lambda h: h.end) if candidates else None


_GAP = regex.compile(r"[ \t]*")


def _period_right_after(sentence: _Sentence, unit_end: int) -> PeriodMatch | None:
    """A period written right after the value and its unit is the value's own ("giảm từ 37,17% năm 2024
    xuống 32,79% năm 2025"), whatever precedes it."""
    gap = _GAP.match(sentence.text, unit_end)
    at = gap.end() if gap else unit_end
    index = bisect_left(sentence.period_starts, at)
    if index < len(sentence.periods) and sentence.period_starts[index] == at and at > unit_end:
        return sentence.periods[index]
    return None


def _span_ending(year_period: str | None, span: str | None) -> str | None:
    """``span`` when it is a multi-year period ending in the year ``year_period``, else None."""
    if not year_period or not span or kind_of(year_period) != PeriodKind.YEAR or kind_of(span) != PeriodKind.MULTI_YEAR:
        return None
    return span if span.endswith(f"..{year_period}") else None


def _extract(
    text: str,
    context: ExtractionContext,
    lexicon: Lexicon,
    scope: PeriodScope | None,
    *,
    rich: bool,
    hits: LexiconHits | None = None,
    folded: str | None = None,
) -> list[MentionMatch]:
    if not _DIGIT.search(text):
        return []
    numbers = find_numbers(text, lexicon)
    if not numbers:
        return []
    truncated = len(numbers) > MAX_NUMBERS
    if truncated:
        numbers = numbers[:MAX_NUMBERS]
    scope = scope or PeriodScope()
    sentence = _prepare(text, numbers, context, lexicon, scope.since, folded)
    if sentence is None:
        return []
    quantities, skipped = _quantities(sentence, numbers, lexicon)
    if not quantities:
        return []
    header = _header(context, lexicon, scope.since)
    if scope.default:
        default_period, default_kind = scope.default, kind_of(scope.default)
    else:
        default_period, default_kind = context_period(context)
    indicator_hits = list(hits.indicators) if hits is not None else _indicator_hits(text, lexicon)
    entity_hits = list(hits.entities) if hits is not None else _entity_hits(text)
    mentions: list[MentionMatch] = []
    previous_end: dict[int, int] = {}
    # The subject of the sentence's latest value, for clauses that name none of their own: "Thu ngân
    # sách … năm 2021 đạt 225,69 tỷ đồng; năm 2022 đạt 459,31 tỷ đồng", "(Đắk Nông 5,74%; Lâm Đồng 5,63%)".
    carried: Any | None = None
    for quantity in quantities:
        clause_start = _clause_start(sentence, quantity.start)
        window_start = max(clause_start, previous_end.get(clause_start, clause_start))
        previous_end[clause_start] = quantity.unit_end
        unit = quantity.unit
        rule_ids = list(quantity.rule_ids)
        flags = list(quantity.flags)
        if truncated:
            flags.append("sentence_truncated")
        if unit is None and header.unit is not None:
            unit = header.unit
            rule_ids.extend(header.unit.rule_ids)
        if unit is not None and unit.inferred:
            flags.append("unit_inferred")
        frame = Frame(
            sentence.folded,
            quantity.start,
            quantity.end,
            quantity.unit_end,
            window_start,
            clause_start,
            unit.canonical if unit else None,
            unit.rule_ids if unit else (),
            quantity.denominator is not None or "number.fraction" in quantity.rule_ids,
            header.folded,
        )
        measure, direction, measure_rule = decide_measure(frame, lexicon)
        if measure_rule is None and unit is not None and unit.measure is not None:
            measure, measure_rule = unit.measure, unit.rule_ids[-1]
        if measure_rule:
            rule_ids.append(measure_rule)
        elif rich:
            rule_ids.append("measure.default_level")
        value = quantity.value
        if measure in (Measure.GROWTH_PCT, Measure.CHANGE_ABS) and value is not None and value < 0:
            direction = "down"  # a written minus outranks the "tăng" of a header such as "Tốc độ phát triển"
        qualifier, qualifier_flags, qualifier_rules = decide_qualifier(frame, lexicon)
        flags.extend(qualifier_flags)
        rule_ids.extend(qualifier_rules)
        if quantity.range_role == "lower":
            qualifier = Qualifier.AT_LEAST
            flags.append("range_lower")
        elif quantity.range_role == "upper":
            qualifier = Qualifier.AT_MOST
            flags.append("range_upper")

        period_match = _period_right_after(sentence, quantity.unit_end) or _period_for(
            sentence, quantity.start, clause_start, scope.inherited
        )
        if period_match is None and header.period is not None:
            period_match = header.period
        if period_match is not None:
            period, period_kind = period_match.period, period_match.kind
            rule_ids.append(period_match.rule_id)
        else:
            period, period_kind = default_period, default_kind
            if rich:
                rule_ids.append("period.from_context")
        if period_kind == PeriodKind.UNKNOWN and period:
            period_kind = default_kind
        # An average yearly growth is over a span: "đến năm 2030 … bình quân 3-5%/năm" in a 2026-2030
        # plan is the average over 2026..2030, not a figure of the year 2030.
        if measure == Measure.AVG_GROWTH_PCT:
            span = _span_ending(period, default_period)
            if span is not None:
                period, period_kind = span, PeriodKind.MULTI_YEAR
                rule_ids.append("period.average_over_span")

        reference_period = None
        if measure in _REFERENCED:
            reference = _reference_for(sentence, quantity.start, clause_start)
            if reference is not None:
                reference_period = resolve_reference(reference, period, context)
                rule_ids.append(reference.rule_id)

        frame_measure = measure
        target = target_cue(frame, context, lexicon)
        if target is not None:
            if measure != Measure.LEVEL:
                flags.append(f"frame:{measure.value}")
            measure = Measure.TARGET
            rule_ids.append(target)

        basis = _basis_for(sentence, quantity.start, header.basis)
        if basis is not None:
            rule_ids.append(basis[1])

        subject = indicator_code = None
        unit_canonical = unit.canonical if unit is not None else None
        hit, reason = _subject_hit(
            sentence, quantity, unit_canonical, clause_start, indicator_hits, entity_hits, carried, lexicon
        )
        if reason is not None and rich:
            rule_ids.append(reason)
        if hit is not None:
            carried = hit
            subject, indicator_code = hit.surface, hit.code
            rule_ids.append(f"indicator.{hit.code}")
        elif context.row_header:
            subject = context.row_header
            if rich:
                rule_ids.append("subject.row_header")
            # The row header reads "caption > group > row label": the last indicator it names is the most
            # specific one ("Khu vực I" under "TỔNG GIÁ TRỊ SẢN PHẨM") and gives the code.
            header_hits = [
                h
                for h in _indicator_hits(context.row_header, lexicon)
                if lexicon.indicator_fits(h.code, unit_canonical)
            ]
            if header_hits:
                subject, indicator_code = header_hits[-1].surface, header_hits[-1].code
                rule_ids.append(f"indicator.{indicator_code}")
        rate_code = lexicon.indicator_rate_code(indicator_code) if indicator_code else None
        if rate_code is not None and unit_canonical == "percent" and frame_measure in _SHARES:
            # "25 hộ nghèo, chiếm tỷ lệ 0,13% tổng số hộ dân": the share of a count is its rate, and a
            # sector's share ("Khu vực dịch vụ chiếm 80,89%") is the sector share of GRDP.
            indicator_code = rate_code
            rule_ids.append(f"indicator.{rate_code}")
        entity, entity_level = context.entity, context.entity_level
        entity_hit = _nearest_before(entity_hits, quantity.start, clause_start)
        if entity_hit is not None:
            entity, entity_level = entity_hit.name, entity_hit.level
            if rich:
                rule_ids.append("entity.in_clause")

        scale = unit.scale if unit is not None else None
        normalized = None
        if value is not None:
            normalized = float(value * Decimal(repr(scale))) if scale is not None else float(value)
        if rich:
            rule_ids.extend(f"skipped:{rule_id}" for rule_id in skipped)
        mentions.append(
            MentionMatch(
                start=quantity.start,
                end=quantity.end,
                value_text=text[quantity.start : quantity.end],
                value=_float(value),
                denominator=_float(quantity.denominator),
                unit=unit.text if unit is not None else None,
                unit_canonical=unit.canonical if unit is not None else None,
                scale=scale,
                value_normalized=normalized,
                measure=measure,
                direction=direction,
                qualifier=qualifier,
                period=period,
                period_kind=period_kind,
                reference_period=reference_period,
                basis=basis[0] if basis else None,
                subject=subject,
                indicator_code=indicator_code,
                entity=entity,
                entity_level=entity_level,
                flags=tuple(dict.fromkeys(flags)),
                rule_ids=tuple(dict.fromkeys(rule_ids)),
            )
        )
    return mentions


def stated_period(match: MentionMatch, period_rule_ids: frozenset[str]) -> bool:
    """Whether the period of ``match`` was stated in its own sentence, not inherited.

    Args:
        match: a mention.
        period_rule_ids: :attr:`extractors.lexicon.Lexicon.period_rule_ids` (computed once by the caller).
    """
    return any(rule_id in period_rule_ids for rule_id in match.rule_ids)


def extract_mentions(
    text: str,
    context: ExtractionContext,
    lexicon: Lexicon,
    scope: PeriodScope | None = None,
    hits: LexiconHits | None = None,
    folded: str | None = None,
) -> list[MentionMatch]:
    """Every numeric fact of one sentence (or table cell), in text order.

    Args:
        text: one sentence, or the text of one table cell (then ``context.row_header`` /
            ``context.col_header`` give subject, unit, period, qualifier and basis).
        context: what is known about the sentence's document and place in it.
        lexicon: the loaded pattern files (:func:`extractors.lexicon.load_lexicon`).
        scope: what the sentence inherits from its block and section (default period, operation
            start); None = the report's own period.
        hits: indicator and entity hits already found for ``text`` (see :func:`pieces_hits`);
            None = match the lexicons on ``text`` now.
        folded: ``fold(text)`` when the caller has it (a slice of its document's fold); None = fold now.

    Returns:
        Mentions with offsets relative to ``text``; ``text[m.start:m.end] == m.value_text``.

    >>> from extractors.lexicon import load_lexicon
    >>> [(m.value_text, m.value, m.unit, m.measure.value) for m in
    ...  extract_mentions("GRDP ước đạt 18.938,78 tỷ đồng, tăng 7,32% so với cùng kỳ.",
    ...                   ExtractionContext(report_year=2023), load_lexicon())]
    [('18.938,78', 18938.78, 'tỷ đồng', 'level'), ('7,32', 7.32, '%', 'growth_pct')]
    """
    try:
        return _extract(text, context, lexicon, scope, rich=False, hits=hits, folded=folded)
    except (ValueError, ArithmeticError, IndexError):
        # A defect must not stop a corpus run; the sentence yields nothing and tests catch the cause.
        return []


def explain(
    text: str, context: ExtractionContext, lexicon: Lexicon, scope: PeriodScope | None = None
) -> list[MentionMatch]:
    """Same mentions as :func:`extract_mentions`, with ``rule_ids`` also naming defaults, fallbacks and
    the non-quantity rules that removed other numbers of the sentence (``skipped:<rule id>``)."""
    return _extract(text, context, lexicon, scope, rich=True)
