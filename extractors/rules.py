"""The one place where pattern-file regexes are compiled and run.

Pattern files write regexes with ``{name}`` references to shared ``fragments:``; :func:`compile_rule`
expands them (with a cycle check) and compiles with the ``regex`` module. Every search goes through
:func:`search_all` / :func:`search_end` / :func:`match_at`, which pass a time limit: a pathological input
then costs a bounded amount of time and yields "no match" instead of hanging a whole corpus run.

Matching runs on :func:`fold`, a same-length lower-case copy of the sentence, so offsets found on it are
offsets in the original text. Before a search runs, the literals every match needs
(:mod:`extractors.literals`) are looked for with a substring scan; a text without any of them is not
searched, which is most texts for most rules.
"""

from __future__ import annotations

from collections.abc import Mapping

import regex

from extractors.literals import Literals, may_match, required_literals
from extractors.text import fold_for_matching

#: Seconds one regex call may take. Sentences are short; only adversarial input ever gets near it.
MATCH_TIMEOUT = 0.25
#: Texts up to this many characters are searched without the clock: on a typical sentence, reading the
#: clock costs more than the match itself. Every rule is tested to stay fast on adversarial texts of
#: this length (tests/security/test_regex_budget.py); a document's own time limit bounds the rest.
UNTIMED_LENGTH = 1000

_REFERENCE = regex.compile(r"\{([a-z_][a-z0-9_]*)\}")


class PatternError(ValueError):
    """A pattern entry that cannot be compiled; the message names the file, entry and key."""


def expand(pattern: str, fragments: Mapping[str, str], where: str, _seen: tuple[str, ...] = ()) -> str:
    """Replace every ``{name}`` in ``pattern`` by the (recursively expanded) fragment ``name``.

    ``{2,3}``-style quantifiers are left alone because fragment names must start with a letter.

    >>> expand("{so_voi} {ky}", {"so_voi": "so (?:với)?", "ky": "cùng kỳ"}, "test")
    '(?:so (?:với)?) (?:cùng kỳ)'
    """

    def replace(match: regex.Match[str]) -> str:
        name = match.group(1)
        if name not in fragments:
            raise PatternError(f"{where}: unknown fragment {{{name}}}")
        if name in _seen:
            raise PatternError(f"{where}: fragment cycle {' -> '.join((*_seen, name))}")
        return "(?:" + expand(fragments[name], fragments, where, (*_seen, name)) + ")"

    return _REFERENCE.sub(replace, pattern)


def compile_rule(pattern: str, fragments: Mapping[str, str], where: str, *, ignore_case: bool = False) -> regex.Pattern:
    """Expand fragments and compile ``pattern``; raise :class:`PatternError` naming ``where`` on failure."""
    source = expand(pattern, fragments, where)
    flags = regex.UNICODE | (regex.IGNORECASE if ignore_case else 0)
    try:
        return regex.compile(source, flags)
    except regex.error as error:
        raise PatternError(f"{where}: invalid regex {source!r}: {error}") from error


def used_fragments(pattern: str) -> set[str]:
    """Names referenced directly by ``pattern`` (for the "fragment never used" check)."""
    return set(_REFERENCE.findall(pattern))


class _LiteralCache(dict[regex.Pattern, Literals | None]):
    """Required literals per pattern, worked out on first use (equal patterns share one entry). A dict
    subclass, so that a cached look-up stays one C-level subscript on the hot path of every search."""

    def __missing__(self, pattern: regex.Pattern) -> Literals | None:
        found = self[pattern] = required_literals(pattern.pattern, pattern.flags)
        return found


_LITERALS = _LiteralCache()


def literals_of(pattern: regex.Pattern) -> Literals | None:
    """The literals one of which every match of ``pattern`` needs (None: unknown, always search)."""
    return _LITERALS[pattern]


def search_all(pattern: regex.Pattern, text: str, pos: int = 0, endpos: int | None = None) -> list[regex.Match[str]]:
    """All non-overlapping matches, or those found before the time limit ran out."""
    if not may_match(_LITERALS[pattern], text):
        return []
    return _finditer(pattern, text, pos, len(text) if endpos is None else endpos)


def _finditer(pattern: regex.Pattern, text: str, pos: int, end: int) -> list[regex.Match[str]]:
    if end <= UNTIMED_LENGTH:
        return list(pattern.finditer(text, pos, end))
    found: list[regex.Match[str]] = []
    try:
        found.extend(pattern.finditer(text, pos, end, timeout=MATCH_TIMEOUT))
    except TimeoutError:
        return found  # the matches found before the time limit ran out
    return found


def search_regions(pattern: regex.Pattern, text: str, regions: list[tuple[int, int]]) -> list[regex.Match[str]]:
    """:func:`search_all` over each ``(start, end)`` window of ``text``, in order."""
    if not regions or not may_match(_LITERALS[pattern], text):
        return []
    if len(regions) == 1:
        return _finditer(pattern, text, *regions[0])
    found: list[regex.Match[str]] = []
    for start, end in regions:
        found.extend(_finditer(pattern, text, start, end))
    return found


def search_first(pattern: regex.Pattern, text: str, pos: int = 0, endpos: int | None = None) -> regex.Match[str] | None:
    """First match in ``text[pos:endpos]``, or None (also when the time limit ran out)."""
    end = len(text) if endpos is None else endpos
    if not may_match(_LITERALS[pattern], text):
        return None
    if end <= UNTIMED_LENGTH:
        return pattern.search(text, pos, end)
    try:
        return pattern.search(text, pos, end, timeout=MATCH_TIMEOUT)
    except TimeoutError:
        return None


def match_at(pattern: regex.Pattern, text: str, pos: int, endpos: int | None = None) -> regex.Match[str] | None:
    """Match anchored at ``pos``, or None."""
    end = len(text) if endpos is None else endpos
    if end <= UNTIMED_LENGTH:
        return pattern.match(text, pos, end)
    try:
        return pattern.match(text, pos, end, timeout=MATCH_TIMEOUT)
    except TimeoutError:
        return None


#: The matching fold of the whole project (one implementation, in extractors.text).
fold = fold_for_matching
