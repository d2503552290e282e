"""Indicator subjects: find the phrases that name what a number measures and give each its code.

The lexicon lives in ``patterns/indicators.tsv`` (one row per indicator: code, Vietnamese and English
label, ``|``-separated surface forms, unit kind, an example sentence from the corpus and, for a count, the
code of its rate: ``poor_households`` has ``poverty_rate``, so "25 hộ nghèo, chiếm tỷ lệ 0,13%" gives the
0,13% the poverty rate).
:func:`load_indicator_lexicon` validates the table and builds one spaCy ``PhraseMatcher`` over the
folded surfaces; :func:`find_indicators` runs it on a folded copy of the text and returns hits whose
half-open offsets point into the original text (folding keeps lengths, so no offset map is needed).

Codes are the §6 codebook names of ``seeds-numbers.md``; a code with a dot (``crop_area.coffee``,
``governance_index.pci``) is that codebook code plus a dimension value, so ``code.split(".")[0]``
is always the codebook code. When two surfaces overlap, the longer one wins ("tốc độ tăng trưởng
GRDP" is ``grdp_growth``, never ``grdp``), so a specific phrase only needs to be longer than a
generic one to outrank it. A surface may belong to one code only.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import regex

from extractors.text import fold_for_matching

#: Columns of ``patterns/indicators.tsv``, in order.
INDICATOR_COLUMNS = ("code", "label_vi", "label_en", "surfaces", "unit_kind", "example", "rate_code")
#: Columns that may be left empty.
OPTIONAL_COLUMNS = frozenset({"rate_code"})

#: Unit kinds a row may declare; they tell the mention assembler which units can follow the subject.
UNIT_KINDS = frozenset({"money", "percent", "count", "area", "mass", "yield", "point", "ratio", "power", "length"})

_CODE = regex.compile(r"[a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)?")

# "tỉ lệ" and "tỷ lệ" are two spellings of one word that differ in the letter (i/y), not in where the
# tone mark sits, so fold_for_matching leaves them apart. Rewriting the letter keeps the length, so
# offsets stay valid. Only whole syllables are rewritten: "tỉnh" must stay "tỉnh".
_SPELLING_VARIANTS = regex.compile(r"(?<!\p{L})tỉ(?!\p{L})")

# Tabs and exotic spaces become plain spaces (same length) so the tokenizer only ever sees " " and
# "\n"; a newline separates blocks of the document and must stop a phrase, a space must not. A slash
# becomes a space too: the tokenizer does not split "nghèo/1.124" (value glued to the subject in
# "45 hộ nghèo/157 khẩu"), and "giường bệnh/vạn dân" then reads like "giường bệnh vạn dân".
_SEPARATORS = regex.compile(r"[^\S\n ]|/")


def _fold(text: str) -> str:
    return _SEPARATORS.sub(" ", _SPELLING_VARIANTS.sub("tỷ", fold_for_matching(text)))


class LexiconError(ValueError):
    """A row of a pattern table is invalid; the message names the file and line."""


@dataclass(frozen=True, slots=True)
class IndicatorEntry:
    """One row of ``patterns/indicators.tsv``."""

    code: str
    label_vi: str
    label_en: str
    surfaces: tuple[str, ...]
    unit_kind: str
    example: str
    rate_code: str | None = None


@dataclass(frozen=True, slots=True)
class IndicatorHit:
    """A subject phrase found in a text: ``text[start:end] == surface``; ``code`` is its indicator."""

    start: int
    end: int
    code: str
    surface: str


@cache
def _blank_vietnamese() -> Any:
    # The rule-based tokenizer splits punctuation ("(GRDP)", "hoạch,") without needing pyvi, and
    # leaves decimal numbers whole (dependencies.md §3).
    import spacy

    return spacy.blank("vi", config={"nlp": {"tokenizer": {"@tokenizers": "spacy.Tokenizer.v1"}}})


@dataclass(frozen=True, eq=False)
class IndicatorLexicon:
    """The validated indicator table and its compiled matcher (build once, share freely).

    Attributes:
        entries: the rows in file order.
        source: where the rows came from, for error messages.
    """

    entries: tuple[IndicatorEntry, ...]
    source: str = "<memory>"
    _code_of_key: dict[str, str] = field(default_factory=dict, repr=False)
    _matcher: Any = field(default=None, repr=False)
    _kind_of_code: dict[str, str] = field(default_factory=dict, repr=False)
    _rate_of_code: dict[str, str] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        from spacy.matcher import PhraseMatcher

        nlp = _blank_vietnamese()
        codes: set[str] = set()
        code_of_key: dict[str, str] = {}
        matcher = PhraseMatcher(nlp.vocab, attr="ORTH")
        for entry in self.entries:
            if entry.code in codes:
                raise LexiconError(f"{self.source}: code {entry.code!r} appears twice")
            codes.add(entry.code)
            patterns = []
            for surface in entry.surfaces:
                tokens = tuple(t.text for t in nlp.make_doc(_fold(surface)) if not t.is_space)
                key = " ".join(tokens)
                if not key:
                    raise LexiconError(f"{self.source}: {entry.code}: empty surface")
                previous = code_of_key.get(key)
                if previous is not None and previous != entry.code:
                    raise LexiconError(
                        f"{self.source}: surface {surface!r} of {entry.code} is already a surface of {previous}"
                    )
                if previous is None:
                    code_of_key[key] = entry.code
                    patterns.append(nlp.make_doc(key))
            matcher.add(entry.code, patterns)
        object.__setattr__(self, "_code_of_key", code_of_key)
        object.__setattr__(self, "_matcher", matcher)
        kinds = {entry.code: entry.unit_kind for entry in self.entries}
        rates = {entry.code: entry.rate_code for entry in self.entries if entry.rate_code}
        for code, rate_code in rates.items():
            if kinds.get(rate_code) != "percent":
                raise LexiconError(f"{self.source}: {code}: rate_code {rate_code!r} is not a percent indicator")
        object.__setattr__(self, "_kind_of_code", kinds)
        object.__setattr__(self, "_rate_of_code", rates)

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(entry.code for entry in self.entries)

    def rate_code_of(self, code: str) -> str | None:
        """The indicator of a share of ``code``'s total (poor_households -> poverty_rate), or None."""
        return self._rate_of_code.get(code)

    def unit_kind_of(self, code: str) -> str | None:
        """The ``unit_kind`` of ``code`` (None for an unknown code)."""
        return self._kind_of_code.get(code)

    def entry(self, code: str) -> IndicatorEntry:
        """The row of ``code``; raises KeyError for an unknown code."""
        for entry in self.entries:
            if entry.code == code:
                return entry
        raise KeyError(code)

    @property
    def n_surfaces(self) -> int:
        return len(self._code_of_key)


def parse_indicator_rows(rows: list[dict[str, str]], source: str = "<memory>") -> IndicatorLexicon:
    """Validate table rows (as ``csv.DictReader`` yields them) and build the lexicon.

    Raises:
        LexiconError: a missing column, an empty field, a malformed code, an unknown unit kind,
            a duplicate code or surface, or an example in which the row's own code is not found.
    """
    entries: list[IndicatorEntry] = []
    for line, row in enumerate(rows, start=2):
        where = f"{source}:{line}"
        missing = [c for c in INDICATOR_COLUMNS if c not in OPTIONAL_COLUMNS and not (row.get(c) or "").strip()]
        if missing:
            raise LexiconError(f"{where}: empty or missing {', '.join(missing)}")
        code = row["code"].strip()
        if not _CODE.fullmatch(code):
            raise LexiconError(f"{where}: code {code!r} is not snake_case[.dimension]")
        unit_kind = row["unit_kind"].strip()
        if unit_kind not in UNIT_KINDS:
            raise LexiconError(f"{where}: unit_kind {unit_kind!r} not in {sorted(UNIT_KINDS)}")
        surfaces = tuple(s.strip() for s in row["surfaces"].split("|") if s.strip())
        entries.append(
            IndicatorEntry(
                code,
                row["label_vi"].strip(),
                row["label_en"].strip(),
                surfaces,
                unit_kind,
                row["example"].strip(),
                (row.get("rate_code") or "").strip() or None,
            )
        )
    lexicon = IndicatorLexicon(tuple(entries), source)
    failures = [
        f"{entry.code}: {entry.example!r}"
        for entry in entries
        if not any(hit.code == entry.code for hit in find_indicators(entry.example, lexicon))
    ]
    if failures:
        raise LexiconError(f"{source}: examples that do not yield their own code:\n" + "\n".join(failures))
    return lexicon


def load_indicator_lexicon(path: Path) -> IndicatorLexicon:
    """Read and validate ``patterns/indicators.tsv`` (UTF-8, tab-separated, header row)."""
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        if tuple(reader.fieldnames or ()) != INDICATOR_COLUMNS:
            raise LexiconError(f"{path}: header must be {' '.join(INDICATOR_COLUMNS)}, got {reader.fieldnames}")
        rows = list(reader)
    return parse_indicator_rows(rows, str(path))


def find_indicators(text: str, lexicon: IndicatorLexicon, *, folded: str | None = None) -> list[IndicatorHit]:
    """Every indicator subject in ``text``, left to right, without overlaps (longest wins).

    Matching ignores case, tone-mark placement and "tỉ"/"tỷ"; a phrase never spans a newline.

    Args:
        text: any text, usually a sentence, a block or a whole ``Document.text``.
        lexicon: from :func:`load_indicator_lexicon`.
        folded: ``fold_for_matching(text)`` when the caller already has it (folding is the costly
            step on long texts); it must be the fold of this very ``text``.

    >>> lexicon = parse_indicator_rows([{"code": "grdp", "label_vi": "GRDP", "label_en": "GRDP",
    ...     "surfaces": "grdp|tổng sản phẩm trên địa bàn", "unit_kind": "money", "example": "GRDP tăng"},
    ...     {"code": "grdp_growth", "label_vi": "Tốc độ", "label_en": "Growth",
    ...     "surfaces": "tốc độ tăng trưởng grdp", "unit_kind": "percent", "example": "Tốc độ tăng trưởng GRDP"}])
    >>> [(h.code, h.surface) for h in find_indicators("Tốc độ tăng trưởng GRDP đạt 7,32%; GRDP đạt", lexicon)]
    [('grdp_growth', 'Tốc độ tăng trưởng GRDP'), ('grdp', 'GRDP')]
    """
    if not text:
        return []
    if folded is None or len(folded) != len(text):
        folded = fold_for_matching(text)
    folded = _SEPARATORS.sub(" ", _SPELLING_VARIANTS.sub("tỷ", folded))
    nlp = _blank_vietnamese()
    candidates: list[tuple[int, int, str]] = []
    # One block at a time: a phrase never crosses a newline, and the tokenizer is several times
    # faster on paragraphs than on one long string (dependencies.md §3).
    offset = 0
    lines = folded.split("\n")
    for line, doc in zip(lines, nlp.tokenizer.pipe(lines), strict=True):
        if line.strip():
            candidates.extend(_match_line(doc, line, offset, lexicon, nlp))
        offset += len(line) + 1
    # Longest span first, then leftmost: a candidate survives if it overlaps nothing already taken.
    candidates.sort(key=lambda c: (c[0] - c[1], c[0]))
    taken: list[tuple[int, int, str]] = []
    occupied = bytearray(len(text))
    for start, end, code in candidates:
        if any(occupied[start:end]):
            continue
        occupied[start:end] = b"\x01" * (end - start)
        taken.append((start, end, code))
    taken.sort()
    return [IndicatorHit(start, end, code, text[start:end]) for start, end, code in taken]


def _match_line(doc: Any, line: str, offset: int, lexicon: IndicatorLexicon, nlp: Any) -> list[tuple[int, int, str]]:
    strings = nlp.vocab.strings
    if "  " not in line and "\t" not in line and line == line.strip():
        # Canonical text: no whitespace tokens, so match directly and only look at matched tokens
        # (building every token object of a long document costs more than the matching itself).
        return [
            (offset + doc[first].idx, offset + doc[last - 1].idx + len(doc[last - 1]), strings[match_id])
            for match_id, first, last in lexicon._matcher(doc)
        ]
    # Doubled spaces became tokens of their own and would split phrases: match on the other tokens.
    from spacy.tokens import Doc

    kept = [token for token in doc if not token.is_space]
    starts = [token.idx for token in kept]
    ends = [token.idx + len(token) for token in kept]
    doc = Doc(nlp.vocab, words=[token.text for token in kept])
    return [
        (offset + starts[first], offset + ends[last - 1], strings[match_id])
        for match_id, first, last in lexicon._matcher(doc)
    ]
