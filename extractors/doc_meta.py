"""Report metadata from the header block: kind, title, issuer, entity, period, number, date, draft mark.

The header block of a Vietnamese administrative document is formulaic (issuer name, national motto,
"Số: …/BC-UBND", place and date, kind, title, "Kính gửi"), but dumps often lose part of it, so every
field falls back on the body: the closing formula names the issuer ("… của Ủy ban nhân dân thành phố
Kon Tum./."), and a Party report without any header still says "Tỉnh ủy" throughout. The shapes live
in patterns/doc_meta.yaml; this module holds only the search order.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from itertools import pairwise
from pathlib import Path
from typing import Any

import regex
import yaml

from extractors.model import NON_BODY_KINDS, Document

#: How many leading body blocks may hold the header (header table cells, draft mark, kind, title).
HEADER_BLOCKS = 16


@dataclass(frozen=True, slots=True)
class DocMeta:
    title: str | None = None
    doc_kind: str | None = None
    issuer: str | None = None
    entity: str | None = None
    entity_level: str | None = None
    report_period: str | None = None
    report_year: int | None = None
    issued_date: str | None = None
    doc_number: str | None = None
    is_draft: bool = False


@dataclass(frozen=True, slots=True)
class MetaRules:
    kinds: dict[str, str]
    draft: regex.Pattern[str]
    doc_number: regex.Pattern[str]
    issued_date: regex.Pattern[str]
    title_stops: tuple[regex.Pattern[str], ...]
    levels: dict[str, str]
    issuers: tuple[tuple[str, str, regex.Pattern[str], str | None], ...]
    unnamed_bodies: tuple[tuple[regex.Pattern[str], str, str, int], ...]
    level_name: regex.Pattern[str]
    header_body: regex.Pattern[str]
    periods: tuple[tuple[str, regex.Pattern[str], str], ...]
    raw: dict[str, Any]


def default_patterns_dir() -> Path:
    return Path(__file__).resolve().parent.parent / "patterns"


@lru_cache(maxsize=4)
def load_meta_rules(path: Path | None = None) -> MetaRules:
    """Compile patterns/doc_meta.yaml."""
    path = path or default_patterns_dir() / "doc_meta.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    levels = {entry["surface"]: entry["level"] for entry in data["levels"]}
    level_alternation = "|".join(regex.escape(s) for s in sorted(levels, key=len, reverse=True))
    name = data["name"]

    def fill(pattern: str) -> str:
        return pattern.replace("{level}", level_alternation).replace("{name}", name)

    flags = regex.IGNORECASE | regex.VERSION1
    issuers = tuple(
        (entry["id"], entry["body"], regex.compile(fill(entry["pattern"]), regex.VERSION1), entry.get("level"))
        for entry in data["issuers"]
    )
    return MetaRules(
        kinds={entry["surface"].casefold(): entry["kind"] for entry in data["doc_kinds"]},
        draft=regex.compile(data["draft"]["pattern"], flags),
        doc_number=regex.compile(data["doc_number"]["pattern"], regex.VERSION1),
        issued_date=regex.compile(data["issued_date"]["pattern"], flags),
        title_stops=tuple(regex.compile(p, flags) for p in data["title_stops"]),
        levels=levels,
        issuers=issuers,
        unnamed_bodies=tuple(
            (regex.compile(e["pattern"], regex.VERSION1), e["body"], e["level"], int(e["min_count"]))
            for e in data["unnamed_bodies"]
        ),
        level_name=regex.compile(
            f"(?<!\\p{{L}})(?P<level>(?i:{level_alternation}))\\s+(?P<name>{name})", regex.VERSION1
        ),
        header_body=regex.compile(data["header_body"]["pattern"], flags),
        periods=tuple((e["id"], regex.compile(e["pattern"], flags), e["period"]) for e in data["periods"]),
        raw=data,
    )


def _format_period(template: str, groups: dict[str, str]) -> str:
    values: dict[str, Any] = {k: (int(v) if v and v.isdigit() else v) for k, v in groups.items() if v is not None}
    return template.format(**values)


def period_from_title(title: str, rules: MetaRules) -> str | None:
    """The report period a title announces, in contract notation.

    >>> period_from_title("Tình hình 9 tháng đầu năm; nhiệm vụ 3 tháng cuối năm 2020", load_meta_rules())
    '2020-01..2020-09'
    """
    for _rule_id, pattern, template in rules.periods:
        match = pattern.search(title)
        if match:
            return _format_period(template, match.groupdict())
    return None


def _level_of(surface: str, rules: MetaRules) -> str:
    return rules.levels.get(surface.casefold(), surface.casefold())


def _entity_name(level: str, name: str) -> str:
    return f"{level} {name}"


def _find_issuer(texts: list[str], rules: MetaRules) -> tuple[str, str, str] | None:
    """(issuer, entity, level) from the first text that names an issuer with its unit."""
    for text in texts:
        for _issuer_id, body, pattern, fixed_level in rules.issuers:
            match = pattern.search(text)
            if not match:
                continue
            name = match.group("name")
            level = _level_of(match.group("level"), rules) if "level" in match.groupdict() else fixed_level
            if level is None:
                continue
            issuer = f"{body} {level} {name}" if "level" in match.groupdict() else f"{body} {name}"
            return issuer, _entity_name(level, name), level
    return None


def _header_issuer(header: list[str], rules: MetaRules) -> tuple[str, str, str] | None:
    """Issuer from the two header lines "ỦY BAN NHÂN DÂN" / "PHƯỜNG KON TUM"."""
    for first, second in pairwise([*header, ""]):
        # Header blocks print the issuer in capitals; a body sentence starting "Ủy ban nhân dân phường báo
        # cáo …" has the same words in lower case and must not be read as a header.
        body = rules.header_body.match(first.strip()) if first.isupper() else None
        if not body:
            continue
        unit_line = body.group("rest") or second
        match = rules.level_name.match(unit_line.title())
        if match:
            level = _level_of(match.group("level"), rules)
            name = match.group("name")
            return f"Ủy ban nhân dân {level} {name}", _entity_name(level, name), level
    return None


def extract_doc_meta(document: Document, rules: MetaRules | None = None) -> DocMeta:
    """Read the metadata of one report from its canonical text."""
    rules = rules or load_meta_rules()
    body_blocks = [b for b in document.blocks if b.kind not in NON_BODY_KINDS]
    header = [document.block_text(b) for b in body_blocks[:HEADER_BLOCKS]]
    header_lines = [line for text in header for line in text.split("\n")]

    doc_kind = None
    title_parts: list[str] = []
    kind_index = None
    first_title_part = None
    for index, text in enumerate(header):
        kind = rules.kinds.get(text.strip().casefold())
        if kind:
            doc_kind, kind_index = kind, index
            break
        # A PDF reader may join the kind line with the title that follows it ("BÁO CÁO Hoạt động …"):
        # the kind is printed in capitals, the title is not.
        for surface, joined_kind in rules.kinds.items():
            head, rest = text[: len(surface)], text[len(surface) :]
            words = rest.split()
            if head.casefold() == surface and head.isupper() and words and not words[0].isupper():
                doc_kind, kind_index, first_title_part = joined_kind, index, rest.strip()
                break
        if kind_index is not None:
            break
    if first_title_part:
        title_parts.append(first_title_part)
    if kind_index is not None and not (first_title_part and first_title_part.endswith((".", ":"))):
        for text in header[kind_index + 1 : kind_index + 4]:
            if any(stop.search(text.strip()) for stop in rules.title_stops) or len(text) > 400:
                break
            title_parts.append(text.strip())
            if text.rstrip().endswith((".", ":")):
                break
    title = " ".join(title_parts) or None

    is_draft = any(rules.draft.search(text.strip()) for text in header)
    doc_number = None
    issued_date = None
    date_year = None
    for text in header_lines:
        number_match = rules.doc_number.search(text.strip())
        if number_match and number_match.group("number"):
            doc_number = f"{number_match.group('number')}/{number_match.group('code')}"
        date_match = rules.issued_date.search(text)
        if date_match and date_match.group("year"):
            date_year = int(date_match.group("year"))
            if date_match.group("day") and date_match.group("month"):
                try:
                    issued_date = date(
                        date_year, int(date_match.group("month")), int(date_match.group("day"))
                    ).isoformat()
                except ValueError:
                    issued_date = None

    found = _header_issuer(header_lines, rules)
    if found is None:
        tail = [document.block_text(b) for b in body_blocks[-12:]]
        found = _find_issuer(header + tail, rules)
    if found is None:
        found = _find_issuer([document.block_text(b) for b in body_blocks], rules)
    if found is None:
        found = _unnamed_issuer(document.text, rules)
    issuer, entity, level = found if found else (None, None, None)

    report_period = period_from_title(title, rules) if title else None
    report_year = last_year(report_period) if report_period else date_year
    return DocMeta(
        title=title,
        doc_kind=doc_kind,
        issuer=issuer,
        entity=entity,
        entity_level=level,
        report_period=report_period,
        report_year=report_year,
        issued_date=issued_date,
        doc_number=doc_number,
        is_draft=is_draft,
    )


def _unnamed_issuer(text: str, rules: MetaRules) -> tuple[str, str, str] | None:
    for pattern, body, level, min_count in rules.unnamed_bodies:
        if len(pattern.findall(text)) < min_count:
            continue
        names = Counter(
            m.group("name") for m in rules.level_name.finditer(text) if _level_of(m.group("level"), rules) == level
        )
        if names:
            name = names.most_common(1)[0][0]
            return f"{body} {name}", _entity_name(level, name), level
    return None


def last_year(period: str | None) -> int | None:
    """The year relative expressions resolve against: the last year a period (contract notation) touches.

    >>> last_year("2020-01..2020-09"), last_year("2021..2025"), last_year(None)
    (2020, 2025, None)
    """
    if not period:
        return None
    years = regex.findall(r"\d{4}", period)
    return int(years[-1]) if years else None
