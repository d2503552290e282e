"""Parts against their whole: components that must add up to a total, shares that must add up to 100 %.

A list introduced by "trong đó" may name only some parts, so a sum *below* the total is at most
info; a sum *above* the total (parts exceeding the whole) is an error whatever the wording.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from typing import Any

import pandas as pd
import regex

from extractors.text import fold_for_matching
from pipeline.qa.base import (
    Finding,
    Severity,
    fmt,
    is_percent,
    mention_half_unit,
    present,
    sentence_groups,
    sentence_start,
)

ENUMERATED_LIST = regex.compile(r"trong đó\s*:?\s*\(1\)", regex.IGNORECASE)
ITEM_MARKER = regex.compile(r"\((\d{1,2})\)")
LEAD_CUE = regex.compile(r"^(?P<lead>[^:;()]{4,120}?)\s*(?:gồm|bao gồm)\s*:", regex.IGNORECASE)


def _is_amount(row: Any) -> bool:
    return (
        row.measure in ("level", "target")
        and not is_percent(row)
        and not present(row.denominator)
        and present(row.unit_canonical)
        and row.unit_canonical not in ("rank", "point")
    )


def _scaled(row: Any) -> tuple[float, float]:
    scale = float(row.scale) if present(row.scale) else 1.0
    return float(row.value) * scale, mention_half_unit(row) * scale


def _same_unit(a: Any, b: Any) -> bool:
    return a.unit_canonical == b.unit_canonical and (a.unit_canonical != "count" or a.unit == b.unit)


def _sum_finding(
    total: Any, parts: list[Any], params: Mapping[str, Any], exhaustive: bool, how_vi: str, how_en: str
) -> Finding | None:
    total_value, total_half = _scaled(total)
    scaled = [_scaled(p) for p in parts]
    parts_sum = sum(v for v, _ in scaled)
    tolerance = total_half + sum(h for _, h in scaled)
    delta = parts_sum - total_value
    if abs(delta) <= tolerance * (1 + 1e-9):
        return None
    if delta > 0:
        severity = Severity.ERROR
    elif exhaustive:
        severity = Severity.WARNING
    else:
        severity = Severity.INFO
    scale = float(total.scale) if present(total.scale) else 1.0
    digits = 0 if all(float(p.value).is_integer() for p in [total, *parts]) else 2
    return Finding(
        check="components_sum",
        severity=severity,
        message_vi=(
            f"tổng {len(parts)} thành phần ({how_vi}) = {fmt(parts_sum / scale, digits)}, "
            f"{'vượt' if delta > 0 else 'khác'} tổng số {total.value_text} {total.unit or ''}".rstrip()
        ),
        message_en=(
            f"the {len(parts)} components ({how_en}) add up to {fmt(parts_sum / scale, digits)}, "
            f"{'more than' if delta > 0 else 'not'} the total {total.value_text} {total.unit or ''}".rstrip()
        ),
        mention_ids=(total.mention_id, *(p.mention_id for p in parts)),
        observed=parts_sum / scale,
        expected=total_value / scale,
        tolerance=tolerance / scale,
        indicator_code=total.indicator_code if present(total.indicator_code) else None,
        period=total.period if present(total.period) else None,
    )


def _enumerated_lists(tables: Mapping[str, pd.DataFrame], params: Mapping[str, Any]) -> list[Finding]:
    """ "<total>; trong đó: (1) A …; (2) B …, trong đó C; (3) D": first amount of each numbered item."""
    texts = dict(zip(tables["documents"]["doc_id"], tables["documents"]["text"], strict=True))
    findings = []
    for (_doc_id, sentence), group in sentence_groups(tables["mentions"]):
        cue = ENUMERATED_LIST.search(str(sentence))
        if not cue:
            continue
        offset = sentence_start(group, texts)
        rows = group
        list_start = offset + cue.start()
        totals = [r for r in rows if _is_amount(r) and int(r.char_end) <= list_start]
        if not totals:
            continue
        total = totals[-1]
        markers, expected_number = [], 1
        for marker in ITEM_MARKER.finditer(str(sentence), cue.start()):
            if int(marker.group(1)) == expected_number:
                markers.append(offset + marker.start())
                expected_number += 1
        if len(markers) < 2:
            continue
        bounds = [*markers, offset + len(str(sentence))]
        parts = []
        for start, end in itertools.pairwise(bounds):
            inside = [r for r in rows if start <= int(r.char_start) < end and _is_amount(r) and _same_unit(r, total)]
            if not inside:
                parts = []
                break
            parts.append(inside[0])
        if len(parts) >= 2:
            finding = _sum_finding(total, parts, params, True, "liệt kê (1), (2)…", "items (1), (2)…")
            if finding:
                findings.append(finding)
    return findings


def _footnote_breakdowns(tables: Mapping[str, pd.DataFrame], params: Mapping[str, Any]) -> list[Finding]:
    """A footnote itemising the figure its reference follows ("176 ha([3])" → "Lúa: 133 ha; Ngô: 43 ha"),
    or itemising a whole named in its lead ("Thành phần đồng bào dân tộc thiểu số gồm: Bana 5.538 người; …")
    that the report states elsewhere."""
    footnotes, mentions = tables.get("footnotes"), tables["mentions"]
    if footnotes is None or footnotes.empty:
        return []
    min_items = int(params.get("min_footnote_items", 2))
    max_ref_gap = int(params.get("max_ref_gap_chars", 4))
    findings = []
    by_note: dict[tuple[str, str], list[Any]] = {}
    body_amounts: dict[str, list[Any]] = {}
    for row in mentions.itertuples(index=False):
        if bool(row.in_footnote):
            by_note.setdefault((row.doc_id, str(row.footnote_id)), []).append(row)
        elif _is_amount(row):
            body_amounts.setdefault(row.doc_id, []).append(row)
    for note in footnotes.itertuples(index=False):
        inside = by_note.get((note.doc_id, str(note.footnote_id)), [])
        amounts = _top_level_items(str(note.body or ""), int(note.body_start), inside)
        if len(amounts) < min_items:
            continue
        total = None
        if present(note.ref_start):
            ref = int(note.ref_start)
            candidates = [r for r in body_amounts.get(note.doc_id, []) if ref - max_ref_gap <= int(r.char_end) <= ref]
            total = candidates[-1] if candidates else None
        how_vi, how_en, exhaustive = f"chú thích {note.marker}", f"footnote {note.marker}", False
        if total is None:
            total, exhaustive = _named_whole(str(note.body or ""), body_amounts.get(note.doc_id, []), amounts)
        if total is None:
            continue
        parts = [r for r in amounts if _same_unit(r, total)]
        if len(parts) < min_items:
            continue
        finding = _sum_finding(total, parts, params, exhaustive, how_vi, how_en)
        if finding:
            findings.append(finding)
    return findings


def _top_level_items(body: str, body_start: int, inside: list[Any]) -> list[Any]:
    """Amounts of a footnote that itemise its whole: outside parentheses, and not in a "Trong đó" sentence
    (those break an item down further: "235,43 ha (trên 70%: 168,79 ha; …). Trong đó: 48,18 ha …")."""
    items = []
    for row in inside:
        if not _is_amount(row):
            continue
        position = int(row.char_start) - body_start
        if not 0 <= position <= len(body):
            continue
        if body[:position].count("(") > body[:position].count(")"):
            continue
        if str(row.sentence or "").strip().lower().startswith(("trong đó", "(")):
            continue
        items.append(row)
    return items


def _named_whole(body: str, body_amounts: list[Any], amounts: list[Any]) -> tuple[Any | None, bool]:
    """The one figure of the report whose subject is the whole named before "gồm:" in a footnote."""
    lead = LEAD_CUE.match(body.strip())
    if not lead:
        return None, False
    lead_folded = fold_for_matching(lead.group("lead"))
    candidates = []
    for row in body_amounts:
        if not present(row.subject) or not _same_unit(row, amounts[0]):
            continue
        subject = fold_for_matching(regex.sub(r"^\s*trong đó\s*", "", str(row.subject), flags=regex.IGNORECASE))
        if len(subject) >= 8 and subject in lead_folded:
            candidates.append(row)
    values = {_scaled(c)[0] for c in candidates}
    return (candidates[0], True) if len(values) == 1 else (None, False)


def check_components_sum(tables: Mapping[str, pd.DataFrame], params: Mapping[str, Any]) -> list[Finding]:
    """Components that do not add up to their total (numbered lists, footnote itemisations)."""
    return _enumerated_lists(tables, params) + _footnote_breakdowns(tables, params)


SHARE_HEADER = regex.compile(r"tỷ trọng|cơ cấu", regex.IGNORECASE)


def check_shares_sum(tables: Mapping[str, pd.DataFrame], params: Mapping[str, Any]) -> list[Finding]:
    """Shares of one whole must add up to about 100 %.

    Table columns headed "Tỷ trọng (%)" are summed per top-level row group (price basis) over the rows
    one level below it ("Trong đó" rows are parts of a part and left out). In running text, three or
    more shares in a "tỷ trọng / cơ cấu" sentence that add up to more than 100 % are flagged.
    """
    mentions = tables["mentions"]
    findings: list[Finding] = []
    cells = mentions[mentions["in_table"].astype(bool) & (mentions["unit_canonical"] == "percent")]
    table_cells = tables.get("tables")
    headers: dict[tuple[str, int, int], str] = {}
    if table_cells is not None and not table_cells.empty:
        for cell in table_cells.itertuples(index=False):
            headers[(cell.doc_id, int(cell.table_id), int(cell.row), int(cell.col))] = (
                f"{cell.col_header or ''}\x1f{cell.row_header or ''}"
            )
    groups: dict[tuple[Any, ...], list[Any]] = {}
    for cell in cells.itertuples(index=False):
        if not (present(cell.table_id) and present(cell.row) and present(cell.col)):
            continue
        col_header, _, row_header = headers.get(
            (cell.doc_id, int(cell.table_id), int(cell.row), int(cell.col)), "\x1f"
        ).partition("\x1f")
        if not SHARE_HEADER.search(col_header):
            continue
        path = [p.strip() for p in row_header.split(">")]
        if len(path) != 2 or path[1].lower().startswith("trong đó"):
            continue
        groups.setdefault((cell.doc_id, int(cell.table_id), int(cell.col), path[0]), []).append(cell)
    for (_, _, _, whole), shares in groups.items():
        finding = _shares_finding(shares, params, exhaustive=True, where_vi=whole, where_en=whole)
        if finding:
            findings.append(finding)
    for (_, sentence), group in sentence_groups(mentions):
        shares = [r for r in group if r.measure == "share_pct" and is_percent(r)]
        if len(shares) >= 3 and SHARE_HEADER.search(str(sentence)):
            finding = _shares_finding(shares, params, exhaustive=False, where_vi="câu", where_en="sentence")
            if finding and finding.observed is not None and finding.observed > 100:
                findings.append(finding)
    return findings


def _shares_finding(
    shares: list[Any], params: Mapping[str, Any], *, exhaustive: bool, where_vi: str, where_en: str
) -> Finding | None:
    if len(shares) < 2:
        return None
    total = sum(float(s.value) for s in shares)
    tolerance = sum(mention_half_unit(s) for s in shares)
    delta = total - 100.0
    if abs(delta) <= tolerance * (1 + 1e-9):
        return None
    error_above = float(params.get("error_above", 1.0))
    if delta > 0 or (exhaustive and abs(delta) > error_above):
        severity = Severity.ERROR if abs(delta) > error_above else Severity.WARNING
    else:
        severity = Severity.INFO
    return Finding(
        check="shares_sum",
        severity=severity,
        message_vi=f"các tỷ trọng ({where_vi}) cộng lại {fmt(total)}%, không phải 100%",
        message_en=f"the shares ({where_en}) add up to {fmt(total)}%, not 100%",
        mention_ids=tuple(s.mention_id for s in shares),
        observed=total,
        expected=100.0,
        tolerance=tolerance,
        indicator_code=None,
        period=shares[0].period if present(shares[0].period) else None,
    )
