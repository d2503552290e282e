"""Consolidate mentions into facts: one row per (entity, indicator_code, period, measure, basis).

A figure stated in the text and again in a table or a footnote of the same report, or repeated by
next year's report, is one fact with several sources. Sources agree when their values differ by no
more than the rounding of the less precise one (half a unit of its last printed digit, times its
scale): "15.472,56 tỷ đồng" and "15.472.561 Trđ" are the same number. Sources that disagree beyond
that make the fact a conflict, with every value kept.

The key adds the canonical unit to contract.md's (entity, indicator_code, period, measure, basis): a
count and an amount in VND filed under one broad indicator are two facts, never a conflict. A change
written "giảm 14,52%" (value 14.52, direction down) and a table cell "-14,52" are compared signed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

FACT_KEY = ("entity", "indicator_code", "period", "measure", "basis", "unit_canonical")


@dataclass(frozen=True, slots=True)
class Source:
    mention_id: str
    doc_id: str
    value: float
    precision: float
    qualifier: str | None
    unit_canonical: str | None
    in_table: bool
    in_footnote: bool


@dataclass(slots=True)
class FactGroup:
    key: tuple[Any, ...]
    sources: list[Source] = field(default_factory=list)


def printed_precision(value_text: str, scale: float | None) -> float:
    """Half-width of the rounding interval of a printed number, in canonical units.

    >>> printed_precision("15.472,56", 1e9)
    5000000.0
    >>> printed_precision("9,64", None)
    0.005
    """
    digits = value_text.split("/")[0].strip()
    decimals = len(digits.split(",", 1)[1]) if "," in digits else 0
    return 0.5 * 10.0 ** (-decimals) * (scale or 1.0)


def values_agree(a: Source, b: Source) -> bool:
    """Equal within the printed precision of the less precise source."""
    tolerance = max(a.precision, b.precision)
    return abs(a.value - b.value) <= tolerance * (1 + 1e-9)


def _clusters(sources: Sequence[Source]) -> list[list[Source]]:
    clusters: list[list[Source]] = []
    for source in sorted(sources, key=lambda s: (s.precision, s.mention_id)):
        for cluster in clusters:
            if values_agree(cluster[0], source):
                cluster.append(source)
                break
        else:
            clusters.append([source])
    return clusters


def _fact_id(key: tuple[Any, ...]) -> str:
    return hashlib.sha256("\x1f".join("" if k is None else str(k) for k in key).encode()).hexdigest()[:16]


def consolidate(mentions: pd.DataFrame) -> pd.DataFrame:
    """Facts from mentions that carry an indicator code and a period (contract.md, facts)."""
    rows = []
    usable = mentions[mentions["indicator_code"].notna() & mentions["period"].notna() & mentions["value"].notna()]
    groups: dict[tuple[Any, ...], FactGroup] = {}
    for record in usable.itertuples(index=False):
        key = tuple(getattr(record, k) for k in FACT_KEY)
        value = record.value_normalized if pd.notna(record.value_normalized) else record.value
        if getattr(record, "direction", None) == "down" and value > 0:
            value = -value
        groups.setdefault(key, FactGroup(key)).sources.append(
            Source(
                mention_id=record.mention_id,
                doc_id=record.doc_id,
                value=float(value),
                precision=printed_precision(record.value_text, record.scale if pd.notna(record.scale) else None),
                qualifier=record.qualifier,
                unit_canonical=record.unit_canonical,
                in_table=bool(record.in_table),
                in_footnote=bool(record.in_footnote),
            )
        )
    entity_levels = _first_non_null(usable, "entity", "entity_level")
    for key, group in groups.items():
        clusters = _clusters(group.sources)
        # The agreed value is the one most sources give; ties go to the most precise printing.
        agreed = max(clusters, key=lambda c: (len(c), -c[0].precision))
        best = min(agreed, key=lambda s: (s.precision, s.mention_id))
        qualifiers = sorted({s.qualifier for s in group.sources if s.qualifier})
        record = dict(zip(FACT_KEY, key, strict=True))
        rows.append(
            {
                "fact_id": _fact_id(key),
                **record,
                "entity_level": entity_levels.get(record["entity"]),
                "value": best.value,
                "value_normalized": best.value,
                "qualifiers": qualifiers,
                "is_estimate": "estimate" in qualifiers,
                "is_preliminary": "preliminary" in qualifiers,
                "is_target": record["measure"] == "target",
                "n_sources": len(group.sources),
                "mention_ids": sorted(s.mention_id for s in group.sources),
                "doc_ids": sorted({s.doc_id for s in group.sources}),
                "values": sorted({s.value for s in group.sources}),
                "conflict": len(clusters) > 1,
            }
        )
    columns = [
        "fact_id",
        *FACT_KEY,
        "entity_level",
        "value",
        "value_normalized",
        "qualifiers",
        "is_estimate",
        "is_preliminary",
        "is_target",
        "n_sources",
        "mention_ids",
        "doc_ids",
        "values",
        "conflict",
    ]
    frame = pd.DataFrame(rows, columns=columns)
    return frame.sort_values(["indicator_code", "entity", "period", "measure", "fact_id"], na_position="last")


def _first_non_null(frame: pd.DataFrame, key: str, column: str) -> dict[Any, Any]:
    found: dict[Any, Any] = {}
    for k, v in zip(frame[key], frame[column], strict=True):
        if pd.notna(v) and k not in found:
            found[k] = v
    return found


def fact_rows(facts: pd.DataFrame) -> Iterable[dict[str, Any]]:
    for record in facts.to_dict(orient="records"):
        yield {k: (None if _is_missing(v) else v) for k, v in record.items()}


def _is_missing(value: Any) -> bool:
    return not isinstance(value, list | tuple) and pd.isna(value)
