"""Loading and validating rule files (patterns/*.yaml) for the structure extractors.

Rule files are data: a typo in a key or a regex that does not compile must fail loudly at load time, not
silently change what is extracted. These helpers check keys, compile every regex and require examples.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import regex
import yaml

PATTERNS_DIR = Path(__file__).resolve().parent.parent / "patterns"


class PatternFileError(ValueError):
    """A rule file is malformed: unknown or missing key, regex that does not compile, entry without examples."""


@dataclass(frozen=True, slots=True)
class NamedPattern:
    """A named regex with the examples it must match and the counterexamples it must not match."""

    name: str
    regex: regex.Pattern[str]
    examples: tuple[str, ...]
    counterexamples: tuple[str, ...]

    def search(self, text: str) -> regex.Match[str] | None:
        return self.regex.search(text)


def load_yaml_mapping(path: Path) -> dict[str, Any]:
    """Read a YAML file whose top level is a mapping."""
    with path.open(encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    if not isinstance(data, dict):
        raise PatternFileError(f"{path.name}: top level must be a mapping")
    return data


def check_keys(obj: Any, where: str, required: Iterable[str], optional: Iterable[str] = ()) -> Mapping[str, Any]:
    """Return ``obj`` as a mapping after checking it has every required key and no unknown one."""
    if not isinstance(obj, Mapping):
        raise PatternFileError(f"{where}: expected a mapping, got {type(obj).__name__}")
    required_set, allowed = set(required), set(required) | set(optional)
    missing = required_set - obj.keys()
    unknown = obj.keys() - allowed
    if missing:
        raise PatternFileError(f"{where}: missing key(s) {sorted(missing)}")
    if unknown:
        raise PatternFileError(f"{where}: unknown key(s) {sorted(unknown)}")
    return obj


def compile_regex(source: Any, where: str, flags: int = 0) -> regex.Pattern[str]:
    """Compile ``source`` with the ``regex`` module (V0 syntax), naming the entry on failure."""
    if not isinstance(source, str) or not source:
        raise PatternFileError(f"{where}: pattern must be a non-empty string")
    try:
        return regex.compile(source, flags)
    except regex.error as exc:
        raise PatternFileError(f"{where}: regex does not compile: {exc}") from exc


def string_list(obj: Any, where: str, *, non_empty: bool) -> tuple[str, ...]:
    """Validate a list of strings (examples, counterexamples, abbreviations)."""
    if obj is None:
        obj = []
    if not isinstance(obj, list) or not all(isinstance(item, str) for item in obj):
        raise PatternFileError(f"{where}: expected a list of strings")
    if non_empty and not obj:
        raise PatternFileError(f"{where}: needs at least one example")
    return tuple(obj)


def named_patterns(obj: Any, where: str) -> tuple[NamedPattern, ...]:
    """Parse a list of ``{name, pattern, examples, counterexamples}`` entries."""
    if not isinstance(obj, list) or not obj:
        raise PatternFileError(f"{where}: expected a non-empty list of pattern entries")
    entries = []
    for index, raw in enumerate(obj):
        entry_where = f"{where}[{index}]"
        entry = check_keys(raw, entry_where, ("name", "pattern", "examples"), ("counterexamples", "why"))
        entry_where = f"{where}.{entry['name']}"
        counterexamples = entry.get("counterexamples")
        entries.append(
            NamedPattern(
                name=str(entry["name"]),
                regex=compile_regex(entry["pattern"], entry_where),
                examples=string_list(entry["examples"], f"{entry_where}.examples", non_empty=True),
                counterexamples=string_list(counterexamples, f"{entry_where}.counterexamples", non_empty=False),
            )
        )
    return tuple(entries)
