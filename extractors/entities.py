"""Administrative units: recognise them in text, resolve a name to a unit on a date, follow boundary changes.

The table lives in ``patterns/entities.tsv``: one row per unit *and period of existence*. A unit whose
territory changed gets a new row ("tỉnh Quảng Ngãi" before and after the 2025 merger are two rows with
the same name and consecutive validity), so a name alone never identifies a unit: "Kon Tum" names a
province (until 2025-06-30), a provincial city (until 2025-06-30) and a ward (from 2025-07-01).
Dates are ISO; an empty ``valid_from``/``valid_to`` means "no known bound". ``predecessors`` and
``successors`` list entity ids and must mirror each other; ``surfaces`` are the bare names as written
("Đắk Nông|Đăk Nông"), without the level word.

Recognition (:func:`find_entities`) reads "<level word> <name>" ("tỉnh Kon Tum", "TP. Kon Tum",
"P. Kon Tum", "tại xã Vinh Quang"). A bare name is recognised only for provinces and cities, and only
when capitalised in the text: ward and commune names are ordinary words ("Thắng Lợi", "Đoàn Kết",
"Hòa Bình") and street names; a capitalised bare name that some province or city bears ("Kon Tum")
is kept with every unit of that name as candidate. A hit whose name fits several units keeps ``entity_id`` None (and
``level`` None if the candidates differ in level); :func:`resolve_entity` decides with a date.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

import regex

from extractors.text import fold_for_matching

ENTITY_COLUMNS = (
    "entity_id",
    "name",
    "level",
    "parent_id",
    "valid_from",
    "valid_to",
    "predecessors",
    "successors",
    "surfaces",
    "note",
    "example",
)

#: Level values of the contract (documents.entity_level). "thành phố" here is a city under a province
#: (district level); a centrally governed city would need its own level value.
LEVELS = ("tỉnh", "thành phố", "huyện", "thị xã", "thị trấn", "xã", "phường")

# Level words as written (folded), longest first so "thành phố" wins over a bare prefix. "p." needs its
# dot: a lone "p" is too common (units, list labels).
_LEVEL_WORDS = {
    # The Party committee of a unit names the unit: "Tỉnh ủy Kon Tum" is about tỉnh Kon Tum.
    "tỉnh ủy": "tỉnh",
    "thành ủy": "thành phố",
    "thành phố": "thành phố",
    "tp.": "thành phố",
    "tp": "thành phố",
    "thị trấn": "thị trấn",
    "thị xã": "thị xã",
    "tỉnh": "tỉnh",
    "huyện": "huyện",
    "phường": "phường",
    "p.": "phường",
    "xã": "xã",
}
_BARE_NAME_LEVELS = frozenset({"tỉnh", "thành phố"})
# "(cũ)" after a name says the writer means the unit as it was before a reorganisation.
_FORMER = regex.compile(r"\s*\(\s*cũ\s*\)")


class EntityTableError(ValueError):
    """A row of ``patterns/entities.tsv`` is invalid; the message names the file and line."""


@dataclass(frozen=True, slots=True)
class Entity:
    """One administrative unit over one period of existence."""

    entity_id: str
    name: str
    level: str
    parent_id: str | None
    valid_from: date | None
    valid_to: date | None
    predecessors: tuple[str, ...]
    successors: tuple[str, ...]
    surfaces: tuple[str, ...]
    note: str = ""
    example: str = ""

    def valid_on(self, on_date: date) -> bool:
        """True when the unit existed on ``on_date`` (bounds inclusive, empty bound = open)."""
        return (self.valid_from is None or self.valid_from <= on_date) and (
            self.valid_to is None or on_date <= self.valid_to
        )


@dataclass(frozen=True, slots=True)
class EntityHit:
    """A mention of a unit: ``text[start:end]`` is the phrase, level word included when written.

    ``entity_id`` is None when the phrase fits several units (then ``name`` is the bare name as
    written and ``level`` is None unless every candidate has the same level).
    """

    start: int
    end: int
    entity_id: str | None
    name: str
    level: str | None
    candidates: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Lineage:
    """The units an entity came from and went into (direct links; ``transitive`` follows chains)."""

    entity: Entity
    predecessors: tuple[Entity, ...]
    successors: tuple[Entity, ...]


@dataclass(frozen=True, eq=False)
class EntityTable:
    """The validated table with lookups by id and by folded bare name."""

    entities: tuple[Entity, ...]
    source: str = "<memory>"

    def __post_init__(self) -> None:
        by_id: dict[str, Entity] = {}
        by_name: dict[str, list[Entity]] = {}
        for entity in self.entities:
            if entity.entity_id in by_id:
                raise EntityTableError(f"{self.source}: entity_id {entity.entity_id!r} appears twice")
            by_id[entity.entity_id] = entity
            for surface in entity.surfaces:
                by_name.setdefault(_key(surface), []).append(entity)
        object.__setattr__(self, "_by_id", by_id)
        object.__setattr__(self, "_by_name", {k: tuple(v) for k, v in by_name.items()})
        object.__setattr__(self, "_pattern", _compile(by_name))
        self._check_links()

    def _check_links(self) -> None:
        by_id: dict[str, Entity] = self._by_id  # type: ignore[attr-defined]
        for entity in self.entities:
            where = f"{self.source}: {entity.entity_id}"
            for ref in (entity.parent_id, *entity.predecessors, *entity.successors):
                if ref is not None and ref not in by_id:
                    raise EntityTableError(f"{where}: unknown entity {ref!r}")
            for successor in entity.successors:
                if entity.entity_id not in by_id[successor].predecessors:
                    raise EntityTableError(f"{where}: successor {successor} does not list it as predecessor")
            for predecessor in entity.predecessors:
                if entity.entity_id not in by_id[predecessor].successors:
                    raise EntityTableError(f"{where}: predecessor {predecessor} does not list it as successor")

    def get(self, entity_id: str) -> Entity:
        """The entity with this id; raises KeyError for an unknown id."""
        return self._by_id[entity_id]  # type: ignore[attr-defined,no-any-return]

    def named(self, name: str) -> tuple[Entity, ...]:
        """Every unit (any level, any period) whose bare name is ``name`` (case, tone marks ignored)."""
        return self._by_name.get(_key(name), ())  # type: ignore[attr-defined,no-any-return]


def _key(name: str) -> str:
    return " ".join(fold_for_matching(name).split())


def _compile(names: Iterable[str]) -> re.Pattern[str]:
    level_words = sorted(_LEVEL_WORDS, key=len, reverse=True)
    name_alts = sorted(names, key=len, reverse=True)
    level_part = "|".join(re.escape(w) for w in level_words)
    name_part = "|".join(re.escape(n).replace(r"\ ", r"\s+") for n in name_alts)
    # Level word and name may be glued after an abbreviation dot ("P.Kon Tum"); otherwise spaced.
    # The standard library's engine runs this long alternation over a whole document about 2.5 times
    # faster than ``regex``; "[^\W_]" is its spelling of a letter or digit.
    return re.compile(rf"(?<![^\W_])(?:(?P<level>{level_part})(?:(?<=\.)\s*|\s+))?(?P<name>{name_part})(?![^\W_])")


def _parse_date(value: str, where: str) -> date | None:
    value = value.strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise EntityTableError(f"{where}: {value!r} is not an ISO date") from error


def _ids(value: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in value.split("|") if part.strip())


def parse_entity_rows(rows: list[dict[str, str]], source: str = "<memory>") -> EntityTable:
    """Validate table rows and build the :class:`EntityTable`.

    Raises:
        EntityTableError: missing id/name/level/surfaces/example, unknown level, bad or inverted dates,
            duplicate ids, links to unknown ids, asymmetric lineage, or an example that does not
            yield its own entity.
    """
    entities: list[Entity] = []
    for line, row in enumerate(rows, start=2):
        where = f"{source}:{line}"
        missing = [c for c in ("entity_id", "name", "level", "surfaces", "example") if not (row.get(c) or "").strip()]
        if missing:
            raise EntityTableError(f"{where}: empty or missing {', '.join(missing)}")
        level = row["level"].strip()
        if level not in LEVELS:
            raise EntityTableError(f"{where}: level {level!r} not in {LEVELS}")
        valid_from = _parse_date(row.get("valid_from") or "", where)
        valid_to = _parse_date(row.get("valid_to") or "", where)
        if valid_from and valid_to and valid_to < valid_from:
            raise EntityTableError(f"{where}: valid_to before valid_from")
        entities.append(
            Entity(
                entity_id=row["entity_id"].strip(),
                name=row["name"].strip(),
                level=level,
                parent_id=(row.get("parent_id") or "").strip() or None,
                valid_from=valid_from,
                valid_to=valid_to,
                predecessors=_ids(row.get("predecessors") or ""),
                successors=_ids(row.get("successors") or ""),
                surfaces=_ids(row["surfaces"]),
                note=(row.get("note") or "").strip(),
                example=row["example"].strip(),
            )
        )
    table = EntityTable(tuple(entities), source)
    failures = []
    for entity in entities:
        on_date = entity.valid_to or entity.valid_from
        found = {
            resolved.entity_id
            for hit in find_entities(entity.example, table)
            if (resolved := resolve_hit(hit, on_date, table)) is not None
        }
        if entity.entity_id not in found:
            failures.append(f"{entity.entity_id}: {entity.example!r}")
    if failures:
        raise EntityTableError(f"{source}: examples that do not yield their own entity:\n" + "\n".join(failures))
    return table


def load_entity_table(path: Path) -> EntityTable:
    """Read and validate ``patterns/entities.tsv`` (UTF-8, tab-separated, header row)."""
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        if tuple(reader.fieldnames or ()) != ENTITY_COLUMNS:
            raise EntityTableError(f"{path}: header must be {' '.join(ENTITY_COLUMNS)}, got {reader.fieldnames}")
        rows = list(reader)
    return parse_entity_rows(rows, str(path))


@cache
def _default_table() -> EntityTable:
    return load_entity_table(Path(__file__).resolve().parent.parent / "patterns" / "entities.tsv")


def find_entities(text: str, table: EntityTable | None = None, *, folded: str | None = None) -> list[EntityHit]:
    """Every administrative unit named in ``text``, left to right.

    Args:
        text: any text.
        table: the entity table; None loads ``patterns/entities.tsv`` once (the only I/O, cached).
        folded: ``fold_for_matching(text)`` when the caller already has it.

    >>> [(h.entity_id, h.level) for h in find_entities("thành phố Kon Tum, tỉnh Kon Tum và Kon Tum")]
    [('tp_kon_tum', 'thành phố'), ('tinh_kon_tum', 'tỉnh'), (None, None)]
    """
    table = table if table is not None else _default_table()
    if folded is None or len(folded) != len(text):
        folded = fold_for_matching(text)
    hits: list[EntityHit] = []
    for match in table._pattern.finditer(folded):  # type: ignore[attr-defined]
        name_start, name_end = match.span("name")
        written_level = match.group("level")
        level = _LEVEL_WORDS[written_level] if written_level else None
        former = _FORMER.match(folded, name_end) is not None
        candidates = table.named(folded[name_start:name_end])
        capitalised = text[name_start].isupper()
        if level is not None:
            candidates = tuple(c for c in candidates if c.level == level)
            if not candidates and not capitalised:
                continue  # "tỉnh thống nhất" is a unified province, not a ward called Thống Nhất
        elif not capitalised or not any(c.level in _BARE_NAME_LEVELS for c in candidates):
            continue
        if former:
            candidates = tuple(c for c in candidates if c.valid_to is not None) or candidates
        start = match.start()
        end = name_end
        levels = {c.level for c in candidates}
        if len(candidates) == 1:
            (entity,) = candidates
            hits.append(EntityHit(start, end, entity.entity_id, entity.name, entity.level, (entity.entity_id,)))
        else:
            resolved_level = level if level is not None else (levels.pop() if len(levels) == 1 else None)
            name = text[name_start:name_end]
            if resolved_level is not None:
                name = f"{resolved_level} {name}"
            hits.append(EntityHit(start, end, None, name, resolved_level, tuple(c.entity_id for c in candidates)))
    return hits


def resolve_hit(hit: EntityHit, on_date: date | None, table: EntityTable | None = None) -> Entity | None:
    """The unit a hit means on ``on_date`` (its own entity if already decided)."""
    table = table if table is not None else _default_table()
    if hit.entity_id is not None:
        entity = table.get(hit.entity_id)
        return entity if on_date is None or entity.valid_on(on_date) else None
    return _choose([table.get(c) for c in hit.candidates], on_date)


def resolve_entity(
    name: str, level: str | None, on_date: date | None, table: EntityTable | None = None
) -> Entity | None:
    """The unit called ``name`` at ``level`` that existed on ``on_date``, or None if none or several.

    ``name`` may carry its level word ("phường Kon Tum"); without a date, a unit that still exists is
    preferred over units that ended.

    >>> resolve_entity("Kon Tum", "tỉnh", date(2023, 6, 1)).entity_id
    'tinh_kon_tum'
    >>> resolve_entity("phường Kon Tum", None, date(2023, 6, 1)) is None
    True
    """
    table = table if table is not None else _default_table()
    key = _key(name)
    for word in sorted(_LEVEL_WORDS, key=len, reverse=True):
        if key.startswith(word + " ") or (word.endswith(".") and key.startswith(word)):
            level = level or _LEVEL_WORDS[word]
            key = key[len(word) :].strip()
            break
    candidates = [c for c in table.named(key) if level is None or c.level == level]
    return _choose(candidates, on_date)


def _choose(candidates: list[Entity], on_date: date | None) -> Entity | None:
    if on_date is not None:
        candidates = [c for c in candidates if c.valid_on(on_date)]
    elif len(candidates) > 1:
        candidates = [c for c in candidates if c.valid_to is None]
    return candidates[0] if len(candidates) == 1 else None


def lineage(entity_id: str, table: EntityTable | None = None, *, transitive: bool = False) -> Lineage:
    """Where a unit came from and what it became, for comparisons across boundary changes.

    >>> [e.entity_id for e in lineage("phuong_quang_trung").successors]
    ['phuong_kon_tum']
    """
    table = table if table is not None else _default_table()
    entity = table.get(entity_id)

    def walk(start: Entity, step: str) -> tuple[Entity, ...]:
        seen: dict[str, Entity] = {}
        frontier = list(getattr(start, step))
        while frontier:
            current = frontier.pop(0)
            if current in seen:
                continue
            seen[current] = table.get(current)
            if transitive:
                frontier.extend(getattr(seen[current], step))
        return tuple(seen.values())

    return Lineage(entity, walk(entity, "predecessors"), walk(entity, "successors"))
