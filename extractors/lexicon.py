"""Load and validate the pattern files into one immutable :class:`Lexicon`.

Reads ``patterns/{numbers,units,nonquantities,periods,measures,qualifiers}.yaml`` (syntax:
``patterns/README.md``) and, when present, ``patterns/indicators.tsv`` through
``extractors.indicators``. Loading happens once, before any text is processed, and fails fast: every
error names the file, the entry id and the key. Matching code never reads files.
"""

from __future__ import annotations

import hashlib
import importlib
import os
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

import regex
import yaml

from extractors.indicators import UNIT_KINDS as INDICATOR_KINDS
from extractors.model import Measure, PeriodKind, Qualifier
from extractors.rules import PatternError, compile_rule, fold, used_fragments

PATTERN_FILES = ("numbers.yaml", "units.yaml", "nonquantities.yaml", "periods.yaml", "measures.yaml", "qualifiers.yaml")
UNIT_CANONICALS = frozenset(
    {"VND", "USD", "ha", "m2", "km2", "km", "t", "m3", "percent", "count", "point", "rank", "other"}
)
BASES = frozenset({"current", "constant_2010", "constant_2020"})
PERIOD_RESOLVERS = frozenset(
    {
        "year",
        "ytd",
        "last_months",
        "quarter",
        "month",
        "as_of_date",
        "as_of_now",
        "multi_year",
        "school_year",
        "season",
        "report_year",
        "as_of_month",
        "since",
        "cited_date",
    }
)
REFERENCE_RESOLVERS = frozenset(
    {"same_period_last_year", "previous_year", "explicit_year", "as_of_date", "end_of_year"}
)
EXAMPLE_KEYS = frozenset({"text", "context", "expect", "not", "xfail", "note"})


def default_patterns_dir() -> Path:
    """``$CHISO_PATTERNS`` if set, else the repository's ``patterns/`` next to the package."""
    override = os.environ.get("CHISO_PATTERNS")
    if override:
        return Path(override)
    return Path(__file__).resolve().parent.parent / "patterns"


@dataclass(frozen=True, slots=True)
class PatternExample:
    """One example or counterexample of a pattern entry; ``tests/test_patterns.py`` runs each."""

    file: str
    rule_id: str
    index: int
    counter: bool
    text: str
    context: MappingProxyType
    expect: MappingProxyType | None  # None: the text must yield no mention at all
    absent: MappingProxyType | None  # counterexample fields no mention may have
    xfail: str | None = None


@dataclass(frozen=True, slots=True)
class NumberShape:
    id: str
    pattern: regex.Pattern
    group_separator: str | None
    decimal_separator: str | None
    flags: tuple[str, ...]
    valid: bool


@dataclass(frozen=True, slots=True)
class UnitEntry:
    id: str
    canonical: str
    scale: float
    measure: Measure | None


@dataclass(frozen=True, slots=True)
class NonQuantityRule:
    id: str
    pattern: regex.Pattern
    case_sensitive: bool


@dataclass(frozen=True, slots=True)
class PeriodRule:
    id: str
    kind: PeriodKind
    resolver: str
    pattern: regex.Pattern


@dataclass(frozen=True, slots=True)
class Season:
    """A crop season; ``crosses_year`` when it starts in the autumn before its harvest year (Đông Xuân)."""

    pattern: regex.Pattern
    name: str
    crosses_year: bool


@dataclass(frozen=True, slots=True)
class OperationStart:
    """Where a document says when its entity started operating ("chính thức hoạt động từ ngày 01/7/2025")."""

    id: str
    pattern: regex.Pattern


@dataclass(frozen=True, slots=True)
class ReferenceRule:
    id: str
    resolver: str
    pattern: regex.Pattern


@dataclass(frozen=True, slots=True)
class BasisRule:
    id: str
    basis: str
    pattern: regex.Pattern


@dataclass(frozen=True, slots=True)
class MeasureRule:
    """All given conditions must hold; the first rule (file order) whose conditions hold decides."""

    id: str
    measure: Measure
    before: regex.Pattern | None  # must match ending exactly where the number starts
    after: regex.Pattern | None  # must match starting right after the number (and its unit)
    head: regex.Pattern | None  # searched since the previous number in the clause
    subject: regex.Pattern | None  # searched in the whole clause before the number
    units: frozenset[str]  # allowed unit_canonical values (empty: any, "none": no unit)
    unit_ids: frozenset[str]
    fraction: bool | None
    direction: str | None  # fixed direction; else from (?P<up>)/(?P<down>) groups of `before`/`head`


@dataclass(frozen=True, slots=True)
class QualifierRule:
    id: str
    qualifier: Qualifier
    before: regex.Pattern | None
    after: regex.Pattern | None
    clause: regex.Pattern | None  # anywhere earlier in the clause: "ước đạt 8.581 tỷ đồng, tăng 2,8%"


@dataclass(frozen=True, slots=True)
class TargetCue:
    id: str
    pattern: regex.Pattern


@dataclass(frozen=True, slots=True)
class Lexicon:
    """Everything the mention extractor needs, compiled once. Never mutated after loading."""

    number_token: regex.Pattern
    shapes: tuple[NumberShape, ...]
    scale_pattern: regex.Pattern
    scales: MappingProxyType  # folded surface -> (rule id, factor)
    unit_pattern: regex.Pattern
    units: MappingProxyType  # folded surface (single spaces) -> UnitEntry
    per_unit_pattern: regex.Pattern
    header_unit_pattern: regex.Pattern
    nonquantities: tuple[NonQuantityRule, ...]
    periods: tuple[PeriodRule, ...]
    references: tuple[ReferenceRule, ...]
    roman: MappingProxyType
    seasons: tuple[Season, ...]
    measures: tuple[MeasureRule, ...]
    target_cues: tuple[TargetCue, ...]
    target_doc_kinds: frozenset[str]
    bases: tuple[BasisRule, ...]
    qualifiers: tuple[QualifierRule, ...]
    qualifier_precedence: tuple[Qualifier, ...]
    examples: tuple[PatternExample, ...]
    patterns_hash: str
    patterns_dir: Path
    indicators: Any = None
    rule_ids: frozenset[str] = field(default_factory=frozenset)
    operation_starts: tuple[OperationStart, ...] = ()
    #: (entity levels, first report year, start date): when a document does not say since when its
    #: entity operates, entities of these levels reporting from that year on started at that date.
    entity_starts: tuple[tuple[frozenset[str], int, str], ...] = ()
    #: Indicator kinds (indicators.tsv unit_kind) a value in each canonical unit can measure; units not
    #: listed fit every kind, and the kinds of indicator_kinds_any_value fit every value.
    indicator_kinds_by_unit: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))
    indicator_kinds_any_value: frozenset[str] = frozenset()

    def indicator_rate_code(self, code: str) -> str | None:
        """The rate indicator of a count indicator (indicators.tsv ``rate_code``), or None."""
        return self.indicators.rate_code_of(code) if self.indicators is not None else None

    def indicator_fits(self, code: str, unit_canonical: str | None) -> bool:
        """Whether a value in ``unit_canonical`` can be a figure of indicator ``code``.

        >>> lexicon = load_lexicon()
        >>> lexicon.indicator_fits("crop_yield", "ha"), lexicon.indicator_fits("crop_yield", "t")
        (False, True)
        >>> lexicon.indicator_fits("poverty_rate", "count"), lexicon.indicator_fits("grdp", None)
        (True, True)
        """
        kinds = self.indicator_kinds_by_unit.get(unit_canonical) if unit_canonical else None
        if not kinds or self.indicators is None:
            return True
        kind = self.indicators.unit_kind_of(code)
        return kind is None or kind in kinds or kind in self.indicator_kinds_any_value

    def compiled_patterns(self) -> list[tuple[str, regex.Pattern]]:
        """Every regex of the pattern files, named ``<field>`` or ``<rule id>:<key>`` (for tests and audits)."""
        found: list[tuple[str, regex.Pattern]] = []
        for name in self.__dataclass_fields__:
            value = getattr(self, name)
            if isinstance(value, regex.Pattern):
                found.append((name, value))
            elif isinstance(value, tuple):
                for index, entry in enumerate(value):
                    slots = getattr(entry, "__slots__", ())
                    for key in slots:
                        pattern = getattr(entry, key)
                        if isinstance(pattern, regex.Pattern):
                            found.append((f"{getattr(entry, 'id', f'{name}[{index}]')}:{key}", pattern))
        return found

    @property
    def period_rule_ids(self) -> frozenset[str]:
        """Ids of the period rules: a mention carrying one had its period stated in its own text."""
        return frozenset(rule.id for rule in self.periods)


class _Loader:
    """Validates one pattern file at a time; every error names file, entry and key."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.ids: set[str] = set()
        self.examples: list[PatternExample] = []

    def read(self, name: str) -> dict[str, Any]:
        path = self.directory / name
        text = path.read_text(encoding="utf-8")
        if not unicodedata.is_normalized("NFC", text):
            raise PatternError(f"{name}: file is not NFC-normalised")
        data = yaml.safe_load(text)
        if not isinstance(data, dict) or data.get("version") != 1:
            raise PatternError(f"{name}: expected a mapping with 'version: 1'")
        return data

    def check_keys(self, where: str, entry: dict[str, Any], allowed: set[str], required: set[str]) -> None:
        if not isinstance(entry, dict):
            raise PatternError(f"{where}: expected a mapping, got {type(entry).__name__}")
        unknown = set(entry) - allowed
        if unknown:
            raise PatternError(f"{where}: unknown keys {sorted(unknown)}")
        missing = required - set(entry)
        if missing:
            raise PatternError(f"{where}: missing keys {sorted(missing)}")

    def new_id(self, where: str, rule_id: Any) -> str:
        if not isinstance(rule_id, str) or not regex.fullmatch(r"[a-z0-9_]+(?:\.[a-z0-9_]+)+", rule_id):
            raise PatternError(f"{where}: id {rule_id!r} must be dotted ascii snake_case")
        if rule_id in self.ids:
            raise PatternError(f"{where}: duplicate id {rule_id}")
        self.ids.add(rule_id)
        return rule_id

    def regex(self, file: str, rule_id: str, key: str, source: Any, fragments: dict[str, str]) -> regex.Pattern:
        where = f"{file}:{rule_id}:{key}"
        if not isinstance(source, str) or not source:
            raise PatternError(f"{where}: expected a non-empty regex string")
        return compile_rule(source, fragments, where)

    def collect_examples(self, file: str, rule_id: str, entry: dict[str, Any], *, required: bool = True) -> None:
        examples = entry.get("examples") or []
        counters = entry.get("counterexamples") or []
        if required and not examples:
            raise PatternError(f"{file}:{rule_id}: an entry needs at least one example")
        for counter, items in ((False, examples), (True, counters)):
            for index, item in enumerate(items):
                self.examples.append(self._example(file, rule_id, index, counter, item))

    def _example(self, file: str, rule_id: str, index: int, counter: bool, item: Any) -> PatternExample:
        where = f"{file}:{rule_id}:{'counterexamples' if counter else 'examples'}[{index}]"
        if isinstance(item, str):
            return PatternExample(file, rule_id, index, counter, item, MappingProxyType({}), None, None)
        self.check_keys(where, item, set(EXAMPLE_KEYS), {"text"})
        if counter and "expect" in item:
            raise PatternError(f"{where}: counterexamples take 'not', not 'expect'")
        if not counter and "not" in item:
            raise PatternError(f"{where}: examples take 'expect', not 'not'")
        expect = item.get("expect")
        absent = item.get("not")
        for key, value in (("expect", expect), ("not", absent)):
            if value is not None and not isinstance(value, dict):
                raise PatternError(f"{where}: '{key}' must be a mapping")
        return PatternExample(
            file,
            rule_id,
            index,
            counter,
            item["text"],
            MappingProxyType(dict(item.get("context") or {})),
            MappingProxyType(dict(expect)) if expect is not None else None,
            MappingProxyType(dict(absent)) if absent is not None else None,
            item.get("xfail"),
        )

    def fragments(self, file: str, data: dict[str, Any], sources: list[str]) -> dict[str, str]:
        fragments = data.get("fragments") or {}
        if not isinstance(fragments, dict) or not all(isinstance(v, str) for v in fragments.values()):
            raise PatternError(f"{file}: fragments must map names to regex strings")
        used: set[str] = set()
        pending = list(sources)
        while pending:
            for name in used_fragments(pending.pop()):
                if name not in used and name in fragments:
                    used.add(name)
                    pending.append(fragments[name])
        unused = set(fragments) - used
        if unused:
            raise PatternError(f"{file}: fragments never used: {sorted(unused)}")
        return fragments


def _number(where: str, value: Any) -> float:
    # PyYAML reads "1e9" as a string: insist on real numbers so a typo cannot become a silent 0.
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise PatternError(f"{where}: expected a number, got {value!r}")
    return float(value)


def _enum(where: str, enum: type, value: Any) -> Any:
    try:
        return enum(value)
    except ValueError as error:
        raise PatternError(f"{where}: unknown value {value!r} (allowed: {[e.value for e in enum]})") from error


def _alternation(surfaces: list[str]) -> str:
    """Longest-first alternation of literal surfaces; inner spaces match any run of whitespace."""
    parts = []
    for surface in sorted(set(surfaces), key=lambda s: (-len(s), s)):
        literal = r"\s+".join(regex.escape(word) for word in surface.split())
        if surface[-1].isalnum():
            literal += r"(?![\p{L}\p{N}])"
        parts.append(literal)
    return "|".join(parts)


def _rule_sources(entries: list[dict[str, Any]], keys: tuple[str, ...]) -> list[str]:
    return [e[k] for e in entries if isinstance(e, dict) for k in keys if isinstance(e.get(k), str)]


def _load_numbers(loader: _Loader, data: dict[str, Any]) -> dict[str, Any]:
    file = "numbers.yaml"
    loader.check_keys(file, data, {"version", "token", "shapes", "scales"}, {"token", "shapes", "scales"})
    token = compile_rule(data["token"], {}, f"{file}:token")
    shapes = []
    for entry in data["shapes"]:
        loader.check_keys(
            f"{file}:shape",
            entry,
            {"id", "regex", "group_separator", "decimal_separator", "flags", "valid", "examples", "counterexamples"},
            {"id", "regex", "examples"},
        )
        rule_id = loader.new_id(f"{file}:shape", entry["id"])
        pattern = loader.regex(file, rule_id, "regex", entry["regex"], {})
        shapes.append(
            NumberShape(
                rule_id,
                pattern,
                entry.get("group_separator"),
                entry.get("decimal_separator"),
                tuple(entry.get("flags") or ()),
                bool(entry.get("valid", True)),
            )
        )
        loader.collect_examples(file, rule_id, entry)
    scales: dict[str, tuple[str, float]] = {}
    for entry in data["scales"]:
        loader.check_keys(
            f"{file}:scale",
            entry,
            {"id", "surfaces", "factor", "examples", "counterexamples"},
            {"id", "surfaces", "factor", "examples"},
        )
        rule_id = loader.new_id(f"{file}:scale", entry["id"])
        factor = _number(f"{file}:{rule_id}:factor", entry["factor"])
        for surface in entry["surfaces"]:
            key = fold(surface)
            if key in scales:
                raise PatternError(f"{file}:{rule_id}:surfaces: duplicate surface {surface!r}")
            scales[key] = (rule_id, factor)
        loader.collect_examples(file, rule_id, entry)
    # "tỷ lệ", "tỷ trọng", "tỷ số" begin with the scale word "tỷ" but are nouns, not magnitudes.
    scale_pattern = regex.compile(r"(?:" + _alternation(list(scales)) + r")(?!\s+(?:lệ|trọng|số)(?![\p{L}]))")
    return {
        "number_token": token,
        "shapes": tuple(shapes),
        "scale_pattern": scale_pattern,
        "scales": MappingProxyType(scales),
    }


def _load_units(loader: _Loader, data: dict[str, Any]) -> dict[str, Any]:
    file = "units.yaml"
    loader.check_keys(
        file,
        data,
        {"version", "units", "per_units", "header_unit", "indicator_kinds"},
        {"units", "per_units", "header_unit", "indicator_kinds"},
    )
    units: dict[str, UnitEntry] = {}
    for entry in data["units"]:
        loader.check_keys(
            f"{file}:unit",
            entry,
            {"id", "canonical", "scale", "surfaces", "measure", "examples", "counterexamples", "note"},
            {"id", "canonical", "surfaces", "examples"},
        )
        rule_id = loader.new_id(f"{file}:unit", entry["id"])
        where = f"{file}:{rule_id}"
        if entry["canonical"] not in UNIT_CANONICALS:
            raise PatternError(f"{where}:canonical: {entry['canonical']!r} not in {sorted(UNIT_CANONICALS)}")
        measure = _enum(f"{where}:measure", Measure, entry["measure"]) if "measure" in entry else None
        unit = UnitEntry(rule_id, entry["canonical"], _number(f"{where}:scale", entry.get("scale", 1)), measure)
        for surface in entry["surfaces"]:
            key = " ".join(fold(surface).split())
            if key in units:
                raise PatternError(f"{where}:surfaces: {surface!r} already belongs to {units[key].id}")
            units[key] = unit
        loader.collect_examples(file, rule_id, entry)
    per = data["per_units"]
    loader.check_keys(f"{file}:per_units", per, {"id", "surfaces", "examples"}, {"id", "surfaces", "examples"})
    per_id = loader.new_id(f"{file}:per_units", per["id"])
    loader.collect_examples(file, per_id, per)
    per_pattern = regex.compile(r"\s*/\s*(?:" + _alternation([fold(s) for s in per["surfaces"]]) + ")")
    header = data["header_unit"]
    loader.check_keys(f"{file}:header_unit", header, {"id", "regex", "examples"}, {"id", "regex", "examples"})
    header_id = loader.new_id(f"{file}:header_unit", header["id"])
    loader.collect_examples(file, header_id, header)
    kinds = data["indicator_kinds"]
    loader.check_keys(
        f"{file}:indicator_kinds",
        kinds,
        {"id", "any_value", "by_unit", "examples"},
        {"id", "any_value", "by_unit", "examples"},
    )
    kinds_id = loader.new_id(f"{file}:indicator_kinds", kinds["id"])
    where = f"{file}:{kinds_id}"
    any_value = frozenset(kinds["any_value"])
    by_unit = {canonical: frozenset(listed) for canonical, listed in kinds["by_unit"].items()}
    for canonical, listed in by_unit.items():
        if canonical not in UNIT_CANONICALS:
            raise PatternError(f"{where}:by_unit: {canonical!r} not in {sorted(UNIT_CANONICALS)}")
        unknown = (listed | any_value) - INDICATOR_KINDS
        if unknown:
            raise PatternError(f"{where}:by_unit:{canonical}: unknown kinds {sorted(unknown)}")
    loader.collect_examples(file, kinds_id, kinds)
    return {
        "indicator_kinds_any_value": any_value,
        "indicator_kinds_by_unit": MappingProxyType(by_unit),
        "unit_pattern": regex.compile(_alternation(list(units))),
        "units": MappingProxyType(units),
        "per_unit_pattern": per_pattern,
        "header_unit_pattern": loader.regex(file, header_id, "regex", header["regex"], {}),
    }


def _load_nonquantities(loader: _Loader, data: dict[str, Any]) -> dict[str, Any]:
    file = "nonquantities.yaml"
    loader.check_keys(file, data, {"version", "fragments", "rules"}, {"rules"})
    fragments = loader.fragments(file, data, _rule_sources(data["rules"], ("regex",)))
    rules = []
    for entry in data["rules"]:
        loader.check_keys(
            f"{file}:rule",
            entry,
            {"id", "regex", "case_sensitive", "examples", "counterexamples", "note"},
            {"id", "regex", "examples"},
        )
        rule_id = loader.new_id(f"{file}:rule", entry["id"])
        pattern = loader.regex(file, rule_id, "regex", entry["regex"], fragments)
        rules.append(NonQuantityRule(rule_id, pattern, bool(entry.get("case_sensitive", False))))
        loader.collect_examples(file, rule_id, entry)
    return {"nonquantities": tuple(rules)}


def _load_periods(loader: _Loader, data: dict[str, Any]) -> dict[str, Any]:
    file = "periods.yaml"
    loader.check_keys(
        file,
        data,
        {"version", "fragments", "roman", "seasons", "periods", "references", "operation_start", "entity_start"},
        {"roman", "seasons", "periods", "references"},
    )
    operation_entries = data.get("operation_start", [])
    fragments = loader.fragments(
        file,
        data,
        _rule_sources(data["periods"] + data["references"] + data["seasons"] + operation_entries, ("regex",)),
    )
    periods = []
    for entry in data["periods"]:
        loader.check_keys(
            f"{file}:period",
            entry,
            {"id", "kind", "resolver", "regex", "examples", "counterexamples"},
            {"id", "kind", "resolver", "regex", "examples"},
        )
        rule_id = loader.new_id(f"{file}:period", entry["id"])
        if entry["resolver"] not in PERIOD_RESOLVERS:
            raise PatternError(f"{file}:{rule_id}:resolver: {entry['resolver']!r} not in {sorted(PERIOD_RESOLVERS)}")
        kind = _enum(f"{file}:{rule_id}:kind", PeriodKind, entry["kind"])
        periods.append(
            PeriodRule(
                rule_id, kind, entry["resolver"], loader.regex(file, rule_id, "regex", entry["regex"], fragments)
            )
        )
        loader.collect_examples(file, rule_id, entry)
    references = []
    for entry in data["references"]:
        loader.check_keys(
            f"{file}:reference",
            entry,
            {"id", "resolver", "regex", "examples", "counterexamples"},
            {"id", "resolver", "regex", "examples"},
        )
        rule_id = loader.new_id(f"{file}:reference", entry["id"])
        if entry["resolver"] not in REFERENCE_RESOLVERS:
            raise PatternError(f"{file}:{rule_id}:resolver: {entry['resolver']!r} not in {sorted(REFERENCE_RESOLVERS)}")
        references.append(
            ReferenceRule(rule_id, entry["resolver"], loader.regex(file, rule_id, "regex", entry["regex"], fragments))
        )
        loader.collect_examples(file, rule_id, entry)
    seasons = []
    for entry in data["seasons"]:
        loader.check_keys(f"{file}:season", entry, {"name", "regex", "crosses_year"}, {"name", "regex"})
        pattern = compile_rule(entry["regex"], fragments, f"{file}:season:{entry['name']}")
        seasons.append(Season(pattern, entry["name"], bool(entry.get("crosses_year", False))))
    operation_starts = []
    for entry in operation_entries:
        loader.check_keys(f"{file}:operation_start", entry, {"id", "regex", "examples"}, {"id", "regex", "examples"})
        rule_id = loader.new_id(f"{file}:operation_start", entry["id"])
        operation_starts.append(
            OperationStart(rule_id, loader.regex(file, rule_id, "regex", entry["regex"], fragments))
        )
        loader.collect_examples(file, rule_id, entry)
    entity_starts = []
    for entry in data.get("entity_start", []):
        where = f"{file}:entity_start"
        loader.check_keys(where, entry, {"levels", "from_year", "date", "note"}, {"levels", "from_year", "date"})
        if not regex.fullmatch(r"\d{4}-\d{2}-\d{2}", str(entry["date"])):
            raise PatternError(f"{where}:date: {entry['date']!r} is not YYYY-MM-DD")
        levels = frozenset(str(level) for level in entry["levels"])
        entity_starts.append((levels, int(entry["from_year"]), str(entry["date"])))
    roman = {str(k).lower(): int(v) for k, v in data["roman"].items()}
    return {
        "periods": tuple(periods),
        "references": tuple(references),
        "roman": MappingProxyType(roman),
        "seasons": tuple(seasons),
        "operation_starts": tuple(operation_starts),
        "entity_starts": tuple(entity_starts),
    }


def _load_measures(loader: _Loader, data: dict[str, Any]) -> dict[str, Any]:
    file = "measures.yaml"
    loader.check_keys(
        file,
        data,
        {"version", "fragments", "rules", "targets", "target_doc_kinds", "bases"},
        {"rules", "targets", "target_doc_kinds", "bases"},
    )
    keys = ("before", "after", "head", "subject", "regex")
    fragments = loader.fragments(file, data, _rule_sources(data["rules"] + data["targets"] + data["bases"], keys))
    rules = []
    for entry in data["rules"]:
        loader.check_keys(
            f"{file}:rule",
            entry,
            {
                "id",
                "measure",
                "before",
                "after",
                "head",
                "subject",
                "units",
                "unit_ids",
                "fraction",
                "direction",
                "examples",
                "counterexamples",
                "note",
            },
            {"id", "measure", "examples"},
        )
        rule_id = loader.new_id(f"{file}:rule", entry["id"])
        where = f"{file}:{rule_id}"

        def optional(key: str, anchor: str = "", *, rule_id: str = rule_id, entry: dict[str, Any] = entry) -> Any:
            if key not in entry:
                return None
            source = entry[key]
            return loader.regex(file, rule_id, key, f"(?:{source}){anchor}", fragments)

        direction = entry.get("direction")
        if direction not in (None, "up", "down"):
            raise PatternError(f"{where}:direction: must be up or down")
        units = frozenset(entry.get("units") or ())
        if not units <= UNIT_CANONICALS | {"none"}:
            raise PatternError(f"{where}:units: unknown {sorted(units - UNIT_CANONICALS)}")
        rules.append(
            MeasureRule(
                rule_id,
                _enum(f"{where}:measure", Measure, entry["measure"]),
                optional("before", "$"),
                optional("after"),
                optional("head"),
                optional("subject"),
                units,
                frozenset(entry.get("unit_ids") or ()),
                entry.get("fraction"),
                direction,
            )
        )
        loader.collect_examples(file, rule_id, entry)
    targets = []
    for entry in data["targets"]:
        loader.check_keys(
            f"{file}:target", entry, {"id", "regex", "examples", "counterexamples"}, {"id", "regex", "examples"}
        )
        rule_id = loader.new_id(f"{file}:target", entry["id"])
        targets.append(TargetCue(rule_id, loader.regex(file, rule_id, "regex", entry["regex"], fragments)))
        loader.collect_examples(file, rule_id, entry)
    bases = []
    for entry in data["bases"]:
        loader.check_keys(
            f"{file}:basis",
            entry,
            {"id", "basis", "regex", "examples", "counterexamples"},
            {"id", "basis", "regex", "examples"},
        )
        rule_id = loader.new_id(f"{file}:basis", entry["id"])
        if entry["basis"] not in BASES:
            raise PatternError(f"{file}:{rule_id}:basis: {entry['basis']!r} not in {sorted(BASES)}")
        bases.append(
            BasisRule(rule_id, entry["basis"], loader.regex(file, rule_id, "regex", entry["regex"], fragments))
        )
        loader.collect_examples(file, rule_id, entry)
    return {
        "measures": tuple(rules),
        "target_cues": tuple(targets),
        "target_doc_kinds": frozenset(fold(k) for k in data["target_doc_kinds"]),
        "bases": tuple(bases),
    }


def _load_qualifiers(loader: _Loader, data: dict[str, Any]) -> dict[str, Any]:
    file = "qualifiers.yaml"
    loader.check_keys(file, data, {"version", "fragments", "precedence", "rules"}, {"precedence", "rules"})
    fragments = loader.fragments(file, data, _rule_sources(data["rules"], ("before", "after", "clause")))
    precedence = tuple(_enum(f"{file}:precedence", Qualifier, q) for q in data["precedence"])
    rules = []
    for entry in data["rules"]:
        loader.check_keys(
            f"{file}:rule",
            entry,
            {"id", "qualifier", "before", "after", "clause", "examples", "counterexamples", "note"},
            {"id", "qualifier", "examples"},
        )
        rule_id = loader.new_id(f"{file}:rule", entry["id"])
        qualifier = _enum(f"{file}:{rule_id}:qualifier", Qualifier, entry["qualifier"])
        if qualifier not in precedence:
            raise PatternError(f"{file}:{rule_id}:qualifier: {qualifier} missing from precedence")
        before = (
            loader.regex(file, rule_id, "before", f"(?:{entry['before']})$", fragments) if "before" in entry else None
        )
        after = loader.regex(file, rule_id, "after", entry["after"], fragments) if "after" in entry else None
        clause = loader.regex(file, rule_id, "clause", entry["clause"], fragments) if "clause" in entry else None
        if before is None and after is None and clause is None:
            raise PatternError(f"{file}:{rule_id}: needs one of before, after, clause")
        rules.append(QualifierRule(rule_id, qualifier, before, after, clause))
        loader.collect_examples(file, rule_id, entry)
    return {"qualifiers": tuple(rules), "qualifier_precedence": precedence}


def _load_indicators(directory: Path) -> Any:
    path = directory / "indicators.tsv"
    if not path.exists():
        return None
    try:
        module = importlib.import_module("extractors.indicators")
    except ImportError:
        return None
    loader = getattr(module, "load_indicator_lexicon", None)
    return loader(path) if loader is not None else None


def patterns_hash(directory: Path) -> str:
    """sha256 over the names and bytes of every pattern file (written into Parquet metadata)."""
    digest = hashlib.sha256()
    for path in sorted(p for p in directory.iterdir() if p.suffix in {".yaml", ".tsv"}):
        digest.update(path.name.encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


def load_lexicon(patterns_dir: Path | None = None) -> Lexicon:
    """Load, validate and compile every pattern file of ``patterns_dir`` (default: :func:`default_patterns_dir`).

    Raises:
        PatternError: naming file, entry id and key of the first invalid entry.
    """
    directory = Path(patterns_dir) if patterns_dir is not None else default_patterns_dir()
    loader = _Loader(directory)
    parts: dict[str, Any] = {}
    for name, load in (
        ("numbers.yaml", _load_numbers),
        ("units.yaml", _load_units),
        ("nonquantities.yaml", _load_nonquantities),
        ("periods.yaml", _load_periods),
        ("measures.yaml", _load_measures),
        ("qualifiers.yaml", _load_qualifiers),
    ):
        parts.update(load(loader, loader.read(name)))
    return Lexicon(
        **parts,
        examples=tuple(loader.examples),
        patterns_hash=patterns_hash(directory),
        patterns_dir=directory,
        indicators=_load_indicators(directory),
        rule_ids=frozenset(loader.ids),
    )
