"""The regex shapes of text-dump markup and the family thresholds, loaded from patterns/text_dumps.yaml."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import regex
import yaml

PATTERNS_PATH = Path(__file__).resolve().parents[2] / "patterns" / "text_dumps.yaml"


@dataclass(frozen=True, slots=True)
class PatternExample:
    """One example of a pattern entry: the text, the expected match (None = no match), the template number."""

    text: str
    expect: str | None
    n: int | None = None


@dataclass(frozen=True, slots=True)
class PatternEntry:
    """A named regex from the YAML file; ``source`` may contain "{n}" (a template)."""

    name: str
    source: str
    why: str
    examples: tuple[PatternExample, ...]

    @property
    def is_template(self) -> bool:
        return "{n}" in self.source

    def compile(self, n: int | None = None) -> regex.Pattern[str]:
        """Compile the pattern, substituting the footnote number ``n`` into a template."""
        if self.is_template:
            if n is None:
                raise ValueError(f"pattern {self.name!r} is a template and needs a number")
            return _compile(self.source.replace("{n}", str(n)))
        return _compile(self.source)


@dataclass(frozen=True, slots=True)
class TextDumpPatterns:
    """Every entry of text_dumps.yaml plus the numeric family thresholds."""

    entries: dict[str, PatternEntry]
    thresholds: dict[str, float]

    def regex(self, name: str) -> regex.Pattern[str]:
        return self.entries[name].compile()

    def template(self, name: str, n: int) -> regex.Pattern[str]:
        return self.entries[name].compile(n)


@lru_cache(maxsize=1024)
def _compile(source: str) -> regex.Pattern[str]:
    return regex.compile(source)


def _entry(name: str, raw: dict[str, Any]) -> PatternEntry:
    examples = tuple(
        PatternExample(text=str(e["text"]), expect=e.get("expect"), n=e.get("n")) for e in raw.get("examples", ())
    )
    return PatternEntry(name=name, source=str(raw["pattern"]), why=str(raw.get("why", "")), examples=examples)


@lru_cache(maxsize=1)
def load_text_dump_patterns(path: Path = PATTERNS_PATH) -> TextDumpPatterns:
    """Read and validate the patterns file once per process."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    entries = {name: _entry(name, raw) for name, raw in data["patterns"].items()}
    for entry in entries.values():
        # a regex that does not compile must fail when the file is loaded, not on the first dump that needs it
        entry.compile(1 if entry.is_template else None)
        if not entry.examples:
            raise ValueError(f"pattern {entry.name!r} in {path.name} has no examples")
    thresholds = {key: float(value) for key, value in data["family_thresholds"].items()}
    return TextDumpPatterns(entries=entries, thresholds=thresholds)
