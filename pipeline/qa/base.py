"""Shared vocabulary of the QA checks: findings, printed precision, and the view of the tables they read.

Every check is a pure function ``(tables, params) -> list[Finding]``. ``tables`` is the dict that
:func:`prepare_tables` builds: the contract tables restricted to one document per report (the same
report read from .docx, .pdf and .txt would otherwise repeat every finding three times), with
mentions sorted by position. "Rounding is not an error": every comparison allows half a unit of the
last printed digit of each operand, propagated through the arithmetic.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import PurePath
from typing import Any

import pandas as pd


class Severity(StrEnum):
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"


@dataclass(frozen=True, slots=True)
class Finding:
    """One inconsistency: which rule, how bad, what was printed and what the other figures imply."""

    check: str
    severity: Severity
    message_vi: str
    message_en: str
    mention_ids: tuple[str, ...]
    observed: float | None = None
    expected: float | None = None
    tolerance: float | None = None
    indicator_code: str | None = None
    period: str | None = None

    @property
    def delta(self) -> float | None:
        if self.observed is None or self.expected is None:
            return None
        return self.observed - self.expected


CheckFunction = Callable[[Mapping[str, pd.DataFrame], Mapping[str, Any]], list[Finding]]


@dataclass(frozen=True, slots=True)
class Check:
    """A registered rule: its name (the ``check`` column), family (module) and what it looks for."""

    name: str
    family: str
    title_vi: str
    title_en: str
    function: CheckFunction = field(repr=False)


# ---------------------------------------------------------------------------------------------------------
# Printed precision and tolerances


def half_unit(number_text: str) -> float:
    """Half a unit of the last printed digit of one number as written ("63,4" -> 0.05, "4.500" -> 0.5).

    A '.' followed by other than exactly three digits is an English decimal point ("16.4"), as in 002.

    >>> half_unit("63,4")
    0.05
    >>> half_unit("4.500")
    0.5
    >>> half_unit("16.4")
    0.05
    """
    text = number_text.strip().lstrip("+-−").strip()
    if "," in text:
        return 0.5 * 10.0 ** -len(text.rsplit(",", 1)[1].strip())
    if "." in text:
        tail = text.rsplit(".", 1)[1]
        if len(tail) != 3:
            return 0.5 * 10.0 ** -len(tail)
    return 0.5


def value_parts(value_text: str) -> tuple[str, str | None]:
    """Numerator and denominator texts of "a/b" ("2.856/4.500" -> ("2.856", "4.500"))."""
    head, _, tail = value_text.partition("/")
    return head, (tail or None)


def is_exact_count(unit_canonical: Any) -> bool:
    """Numbers of counted things (people, dossiers, villages; a bare "a/b" counts too) are exact, not rounded."""
    return unit_canonical in ("count", None) or (isinstance(unit_canonical, float) and math.isnan(unit_canonical))


def mention_half_unit(mention: Any) -> float:
    """Printed precision of a mention's value, in the mention's own unit (not scaled); 0 for whole counts."""
    text = value_parts(str(mention.value_text))[0]
    if "," not in text and getattr(mention, "unit_canonical", None) == "count":
        return 0.0
    return half_unit(text)


def ratio_tolerance(numerator: float, num_half: float, denominator: float, den_half: float) -> float:
    """Propagated half-width of numerator/denominator from the half-widths of both operands."""
    if denominator == 0 or numerator == 0:
        return math.inf if denominator == 0 else abs(num_half / denominator)
    ratio = abs(numerator / denominator)
    return ratio * (num_half / abs(numerator) + den_half / abs(denominator))


def signed_percent(mention: Any) -> float:
    """The value of a growth or change with its direction: "giảm 81,83%" -> -81.83."""
    value = float(mention.value)
    if getattr(mention, "direction", None) == "down" and value > 0:
        return -value
    return value


def fmt(value: float | None, digits: int = 2) -> str:
    """A number the Vietnamese way: "." thousands, "," decimals (messages show figures as reports print them)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "?"
    text = f"{value:,.{digits}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def classify(delta: float, tolerance: float, unit: float, params: Mapping[str, Any]) -> Severity | None:
    """Severity of a mismatch ``delta`` given the rounding ``tolerance``; None when it is rounding.

    Within one more unit of the last printed digit the figure was probably truncated rather than
    rounded (info); beyond ``error_above`` (in the compared unit) it is an error, else a warning.
    """
    gap = abs(delta)
    if gap <= tolerance * (1 + 1e-9) + 1e-12:
        return None
    if gap <= tolerance + 2 * unit:
        return Severity.INFO
    return Severity.ERROR if gap > float(params.get("error_above", 1.0)) else Severity.WARNING


# ---------------------------------------------------------------------------------------------------------
# The tables the checks read


FORMAT_PREFERENCE_DEFAULT = ("docx", "txt", "pdf")


def report_key(source_path: str) -> str:
    """Files with the same name stem are one report in several formats (corpus/{docx,pdf,txt}/000_x.*)."""
    return PurePath(str(source_path)).stem


def representative_documents(documents: pd.DataFrame, preference: Sequence[str]) -> pd.DataFrame:
    """One document per report: the first readable format in ``preference`` order."""
    docs = documents[documents["status"].isin(["ok", "partial"])].copy()
    docs["report"] = docs["source_path"].map(report_key)
    rank = {fmt_: i for i, fmt_ in enumerate(preference)}
    docs["_rank"] = docs["format"].map(lambda f: rank.get(f, len(rank)))
    docs = docs.sort_values(["report", "_rank", "source_path"]).drop_duplicates("report")
    return docs.drop(columns="_rank").reset_index(drop=True)


def prepare_tables(tables: Mapping[str, pd.DataFrame], params: Mapping[str, Any]) -> dict[str, pd.DataFrame]:
    """The checks' view: representative documents only, mentions with their report key, sorted by position."""
    preference = params.get("format_preference", FORMAT_PREFERENCE_DEFAULT)
    documents = representative_documents(tables["documents"], preference)
    keep = set(documents["doc_id"])
    report_of = dict(zip(documents["doc_id"], documents["report"], strict=True))
    prepared: dict[str, pd.DataFrame] = {"documents": documents}
    for name, frame in tables.items():
        if name == "documents" or "doc_id" not in frame.columns:
            continue
        prepared[name] = frame[frame["doc_id"].isin(keep)].reset_index(drop=True)
    mentions = prepared.get("mentions", pd.DataFrame(columns=["doc_id", "char_start"]))
    mentions = mentions.assign(report=mentions["doc_id"].map(report_of))
    prepared["mentions"] = mentions.sort_values(["doc_id", "char_start"]).reset_index(drop=True)
    if "facts" in tables:
        prepared["facts"] = tables["facts"]
    return prepared


def sentence_groups(mentions: pd.DataFrame) -> Iterable[tuple[tuple[str, str], list[Any]]]:
    """Mention records grouped by (doc_id, sentence), in text order; table cells are left out.

    Records are named tuples with the mentions' columns; one pass over the frame (per-group
    ``itertuples`` would cost more than the checks themselves).
    """
    body = mentions[~mentions["in_table"].astype(bool) & mentions["sentence"].notna()]
    groups: dict[tuple[str, str], list[Any]] = {}
    for row in body.itertuples(index=False):
        groups.setdefault((row.doc_id, row.sentence), []).append(row)
    yield from groups.items()


def sentence_start(group: Sequence[Any], documents_text: Mapping[str, str]) -> int:
    """Offset of the sentence in documents.text (the sentence text is searched just before the first mention)."""
    first = group[0]
    text = documents_text.get(first.doc_id, "")
    sentence = str(first.sentence)
    found = text.rfind(sentence, 0, int(first.char_start) + len(sentence))
    if found < 0 or found > int(first.char_start):
        found = text.rfind(sentence[:40], 0, int(first.char_start) + 1)
    return max(found, 0)


def is_percent(mention: Any) -> bool:
    return getattr(mention, "unit_canonical", None) == "percent"


def same_code(*codes: Any) -> bool:
    """True unless two of the codes are known and different (a missing code does not contradict)."""
    known = {c for c in codes if isinstance(c, str) and c}
    return len(known) <= 1


def year_of(period: Any) -> int | None:
    """The year of a one-year period ("2023" -> 2023); None for ranges, months, as-of and unknown."""
    if isinstance(period, str) and len(period) == 4 and period.isdigit():
        return int(period)
    return None


def present(value: Any) -> bool:
    """Not null / NaN (pandas gives NaN for missing strings and floats alike)."""
    if value is None:
        return False
    try:
        return not pd.isna(value)
    except (TypeError, ValueError):
        return True
