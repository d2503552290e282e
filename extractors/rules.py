"""The one place where pattern-file regexes are compiled and run.

Pattern files write regexes with ``{name}`` references to shared ``fragments:``; :func:`compile_rule`
expands them (with a cycle check) and compiles with the ``regex`` module. Every search goes through
:func:`search_all` / :func:`search_end` / :func:`match_at`, which pass a time limit: a pathological input
then costs a bounded amount of time and yields "no match" instead of hanging a whole corpus run.

Matching runs on :func:`fold`, a same-length lower-case copy of the sentence, so offsets found on it are
offsets in the original text.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping

import regex

from extractors.text import fold_for_matching

#: Seconds one regex call may take. Sentences are short; only adversarial input ever gets near it.
MATCH_TIMEOUT = 0.25

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


def search_all(pattern: regex.Pattern, text: str, pos: int = 0, endpos: int | None = None) -> list[regex.Match[str]]:
    """All non-overlapping matches, or those found before the time limit ran out."""
    end = len(text) if endpos is None else endpos
    iterator = pattern.finditer(text, pos, end, timeout=MATCH_TIMEOUT)
    found: list[regex.Match[str]] = []
    with contextlib.suppress(TimeoutError):  # matches found before the time limit stay in ``found``
        found.extend(iterator)
    return found


def search_first(pattern: regex.Pattern, text: str, pos: int = 0, endpos: int | None = None) -> regex.Match[str] | None:
    """First match in ``text[pos:endpos]``, or None (also when the time limit ran out)."""
    end = len(text) if endpos is None else endpos
    try:
        return pattern.search(text, pos, end, timeout=MATCH_TIMEOUT)
    except TimeoutError:
        return None


def match_at(pattern: regex.Pattern, text: str, pos: int, endpos: int | None = None) -> regex.Match[str] | None:
    """Match anchored at ``pos``, or None."""
    end = len(text) if endpos is None else endpos
    try:
        return pattern.match(text, pos, end, timeout=MATCH_TIMEOUT)
    except TimeoutError:
        return None


#: The matching fold of the whole project (one implementation, in extractors.text).
fold = fold_for_matching
