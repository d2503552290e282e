"""Which measure a number expresses, decided by the frame around it (``patterns/measures.yaml``).

The frame is: the words right before the number (since the previous number), the unit, the words right
after it, and the subject of the clause. Rules are tried in file order and the first whose conditions
all hold decides; no rule means ``level``. Plan parts, plan documents and target cues ("phấn đấu",
"đến năm 2030") turn any measure into ``target`` and keep the frame's measure as a flag.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import regex

from extractors.lexicon import Lexicon, MeasureRule
from extractors.model import ExtractionContext, Measure
from extractors.rules import fold, match_at, search_all, search_first

#: Characters of the "before" window: cue words sit right before the number.
BEFORE_WINDOW = 80


@dataclass(frozen=True, slots=True)
class Frame:
    """Where a number sits in its (folded) sentence.

    Attributes:
        folded: the folded sentence.
        start, end: span of the number (numerator to denominator for fractions).
        unit_end: end of the unit (== end when there is none).
        window_start: end of the previous number of the clause, or the clause start.
        clause_start: start of the ";"-delimited clause.
        unit_canonical, unit_ids: the unit found for the number.
        is_fraction: "a/b" value.
        header: folded table headers of a cell ("" for running text), read like a clause subject.
    """

    folded: str
    start: int
    end: int
    unit_end: int
    window_start: int
    clause_start: int
    unit_canonical: str | None
    unit_ids: tuple[str, ...]
    is_fraction: bool
    header: str = ""


def before_window(frame: Frame) -> str:
    """The words right before the number where local cues sit: since the previous number, at most
    :data:`BEFORE_WINDOW` characters."""
    return frame.folded[max(frame.window_start, frame.start - BEFORE_WINDOW) : frame.start]


def _direction(match: regex.Match[str] | None) -> str | None:
    if match is None:
        return None
    groups = match.groupdict()
    if groups.get("up"):
        return "up"
    if groups.get("down"):
        return "down"
    return None


def _holds(rule: MeasureRule, frame: Frame, before_text: str) -> tuple[bool, str | None]:
    if rule.units:
        unit = frame.unit_canonical or "none"
        if unit not in rule.units:
            return False, None
    if rule.unit_ids and rule.unit_ids.isdisjoint(frame.unit_ids):
        return False, None
    if rule.fraction is not None and rule.fraction != frame.is_fraction:
        return False, None
    direction: str | None = None
    if rule.before is not None:
        match = search_first(rule.before, before_text)
        if match is None:
            return False, None
        direction = _direction(match)
    if rule.after is not None and match_at(rule.after, frame.folded, frame.unit_end) is None:
        return False, None
    if rule.head is not None:
        matches = search_all(rule.head, frame.folded, frame.window_start, frame.start)
        if not matches and frame.header:
            matches = search_all(rule.head, frame.header)
        if not matches:
            return False, None
        direction = direction or _direction(matches[-1])
    if rule.subject is not None:
        found = search_all(rule.subject, frame.folded, frame.clause_start, frame.start)
        if not found and not (frame.header and search_first(rule.subject, frame.header)):
            return False, None
        direction = direction or _direction(found[-1] if found else None)
    return True, rule.direction or direction


def decide_measure(frame: Frame, lexicon: Lexicon) -> tuple[Measure, str | None, str | None]:
    """Return ``(measure, direction, rule id)``; ``(level, None, None)`` when no rule holds."""
    before_text = before_window(frame)
    for rule in lexicon.measures:
        holds, direction = _holds(rule, frame, before_text)
        if holds:
            return rule.measure, direction, rule.id
    return Measure.LEVEL, None, None


@lru_cache(maxsize=64)
def _folded_kind(doc_kind: str) -> str:
    return fold(doc_kind).strip()  # asked once per mention, for a handful of distinct kinds


def target_cue(frame: Frame, context: ExtractionContext, lexicon: Lexicon) -> str | None:
    """Why the value is a target (rule id or context reason), or None.

    A "đến năm YYYY" cue counts only for a year after the report year (a deadline, not the report's
    own year); without a report year every such cue counts.
    """
    if context.in_plan_part:
        return "target.context_plan_part"
    if context.doc_kind and _folded_kind(context.doc_kind) in lexicon.target_doc_kinds:
        return "target.context_doc_kind"
    for cue in lexicon.target_cues:
        for match in search_all(cue.pattern, frame.folded, frame.clause_start, frame.start):
            year = match.groupdict().get("year")
            if year and context.report_year and int(year) <= context.report_year:
                continue
            return cue.id
    return None
