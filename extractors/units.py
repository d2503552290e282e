"""Units after a number: "tỷ đồng" -> (VND, 1e9), "51,48tạ/ha" -> (t, 0.1), "%KH" -> (percent, pct_of_plan).

A unit is an optional scale word (``numbers.yaml`` scales: nghìn, triệu, tỷ) followed by a unit surface
(``units.yaml``), optionally extended by per-units after "/" ("triệu đồng/người/năm"). Units may be glued
to the number ("759,6ha", "84.372trđ"). A scale word with no unit after it is read as money, as the
reports do ("giảm 26 triệu"), and flagged ``unit_inferred``.
"""

from __future__ import annotations

from dataclasses import dataclass

from extractors.lexicon import Lexicon, UnitEntry
from extractors.model import Measure
from extractors.rules import fold, match_at, search_first

#: Largest whitespace gap between a number and its unit ("423,753 ⏎⏎triệu đồng" arrives as one space).
MAX_GAP = 3


@dataclass(frozen=True, slots=True)
class UnitMatch:
    """A unit as written (``text``) with its canonical unit and multiplier."""

    start: int
    end: int
    text: str
    canonical: str | None
    scale: float
    measure: Measure | None
    rule_ids: tuple[str, ...]
    inferred: bool = False


def _skip_gap(text: str, pos: int) -> int:
    gap = pos
    while gap < len(text) and gap - pos < MAX_GAP and text[gap] in " \t\n":
        gap += 1
    return gap


def find_unit(text: str, folded: str, pos: int, lexicon: Lexicon) -> UnitMatch | None:
    """The unit starting at ``pos`` (after at most a short whitespace gap), or None.

    >>> from extractors.lexicon import load_lexicon
    >>> lex = load_lexicon()
    >>> s = "18.938,78 tỷ đồng"
    >>> u = find_unit(s, fold(s), 9, lex)
    >>> (u.text, u.canonical, u.scale)
    ('tỷ đồng', 'VND', 1000000000.0)
    """
    start = _skip_gap(text, pos)
    scale_match = match_at(lexicon.scale_pattern, folded, start)
    factor = 1.0
    rule_ids: list[str] = []
    unit_start = start
    if scale_match:
        scale_id, factor = lexicon.scales[scale_match.group()]
        rule_ids.append(scale_id)
        unit_start = _skip_gap(text, scale_match.end())
    unit_match = match_at(lexicon.unit_pattern, folded, unit_start)
    entry: UnitEntry | None = None
    if unit_match:
        entry = lexicon.units.get(" ".join(unit_match.group().split()))
    if entry is None or unit_match is None:
        if not scale_match:
            return None
        end = scale_match.end()
        return UnitMatch(start, end, text[start:end], "VND", factor, None, (*rule_ids, "unit.inferred_money"), True)
    rule_ids.append(entry.id)
    end = unit_match.end()
    while True:
        per = match_at(lexicon.per_unit_pattern, folded, end)
        if per is None:
            break
        end = per.end()
        if "unit.per" not in rule_ids:
            rule_ids.append("unit.per")
    return UnitMatch(start, end, text[start:end], entry.canonical, factor * entry.scale, entry.measure, tuple(rule_ids))


def header_unit(header: str | None, lexicon: Lexicon) -> UnitMatch | None:
    """The unit a table column header declares in parentheses: "Sơ bộ năm 2024 (Trđ)" -> Trđ.

    Offsets of the result are relative to the header, not to the cell text.
    """
    if not header:
        return None
    match = search_first(lexicon.header_unit_pattern, header)
    if match is None:
        return None
    inner_start = match.start("unit")
    folded = fold(header)
    unit = find_unit(header, folded, inner_start, lexicon)
    if unit is None or unit.end != match.end("unit"):
        return None
    return UnitMatch(
        unit.start,
        unit.end,
        unit.text,
        unit.canonical,
        unit.scale,
        unit.measure,
        ("unit.header", *unit.rule_ids),
        unit.inferred,
    )
