"""Required literals of a regex: a cheap test that rules out most texts before the regex runs.

Most pattern-file rules are words around a number ("cùng kỳ", "tháng", "quý", "/"). The ``regex``
engine tries such a pattern at every position of a sentence, which is what made rule matching the cost
of the extract stage. :func:`required_literals` reads the pattern's syntax tree and returns a set of
strings at least one of which every match needs to find in the text (inside the match, or in a
positive look-around); ``any(s in text for s in literals)`` is a C-level substring scan, and when it
fails the regex cannot match, so skipping it changes no result.

The tree comes from the standard library's parser, which reads the syntax the pattern files use once
``\\p{..}`` classes and named groups are replaced by stand-ins that carry no literal. Anything it cannot
read, and case-insensitive patterns, get no literals (None): such a pattern always runs.
"""

from __future__ import annotations

from collections.abc import Iterable

import regex

try:  # the parser of the standard library's re module (Python 3.11+)
    from re import _constants as _sre
    from re import _parser as _sre_parse
except ImportError:  # pragma: no cover - another Python: no literals, every regex runs
    _sre = _sre_parse = None  # type: ignore[assignment]

#: ``\p{L}``-style classes (a category, no literal) and named groups (duplicate names are allowed by
#: ``regex`` but not by the standard parser) rewritten before parsing.
_STAND_INS = regex.compile(r"\\([pP])\{[^}]*\}|\(\?P<[^>]+>")

Literals = tuple[str, ...]

#: A requirement with more alternatives than this is almost always met, and checking it costs as much
#: as running the regex: such a pattern gets no literals.
MAX_ALTERNATIVES = 12


def _stand_in(match: regex.Match[str]) -> str:
    if match.group(1):
        return r"\w" if match.group(1) == "p" else r"\W"
    return "(?:"


def required_literals(source: str, flags: int = 0) -> Literals | None:
    """A set of strings one of which occurs in any text the pattern matches, or None if none is known.

    Alternatives that contain another alternative are dropped ("văn bản số" needs "số" anyway).

    >>> required_literals(r"(?:so\\s+)?cùng\\s+kỳ")
    ('cùng',)
    >>> required_literals(r"quý\\s+\\d|tháng\\s+\\d")
    ('quý', 'tháng')
    >>> required_literals(r"(?:văn bản số|số)\\s+\\d")
    ('số',)
    >>> required_literals(r"\\d+(?:,\\d+)?") is None
    True
    """
    if _sre_parse is None or flags & regex.IGNORECASE:
        return None
    try:
        parsed = _sre_parse.parse(_STAND_INS.sub(_stand_in, source), 0)
    except Exception:  # any syntax the stand-in parser cannot read (or a warning made an error): none
        return None
    if parsed.state.flags & _sre.SRE_FLAG_IGNORECASE:
        return None
    found = _sequence(list(parsed))
    if found is None:
        return None
    minimal = sorted(literal for literal in found if not any(other in literal for other in found - {literal}))
    return tuple(minimal) if len(minimal) <= MAX_ALTERNATIVES else None


def _better(current: frozenset[str] | None, candidate: frozenset[str] | None) -> frozenset[str] | None:
    """The more selective of two requirements: longer shortest literal, then fewer alternatives."""
    if candidate is None or any(not literal.strip() for literal in candidate):
        return current
    if current is None:
        return candidate
    key_current = (min(map(len, current)), -len(current))
    key_candidate = (min(map(len, candidate)), -len(candidate))
    return candidate if key_candidate > key_current else current


def _sequence(items: Iterable[tuple[object, object]]) -> frozenset[str] | None:
    """Every item of a sequence must match, so any one item's requirement holds for the sequence;
    consecutive literal characters form one string."""
    best: frozenset[str] | None = None
    run: list[str] = []
    for op, argument in items:
        if op is _sre.LITERAL:
            run.append(chr(argument))  # type: ignore[arg-type]
            continue
        if run:
            best = _better(best, frozenset(["".join(run)]))
            run = []
        best = _better(best, _item(op, argument))
    if run:
        best = _better(best, frozenset(["".join(run)]))
    return best


def _item(op: object, argument: object) -> frozenset[str] | None:
    if op is _sre.SUBPATTERN:
        _group, add_flags, _del_flags, items = argument  # type: ignore[misc]
        return None if add_flags & _sre.SRE_FLAG_IGNORECASE else _sequence(items)
    if op is _sre.ATOMIC_GROUP:
        return _sequence(argument)  # type: ignore[arg-type]
    if op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT, _sre.POSSESSIVE_REPEAT):
        minimum, _maximum, items = argument  # type: ignore[misc]
        return _sequence(items) if minimum >= 1 else None
    if op is _sre.BRANCH:
        _unused, branches = argument  # type: ignore[misc]
        union: set[str] = set()
        for branch in branches:
            found = _sequence(branch)
            if found is None:
                return None
            union |= found
        return frozenset(union)
    if op is _sre.ASSERT:
        # A positive look-around reads the text around the match: its literal is in the text too.
        _direction, items = argument  # type: ignore[misc]
        return _sequence(items)
    return None


def may_match(literals: Literals | None, text: str) -> bool:
    """False only when no required literal occurs anywhere in ``text`` (then the regex cannot match in
    any part of it)."""
    if literals is None:
        return True
    # A plain loop: this runs some 150 000 times per megabyte, and any(map(...)) costs more than a scan.
    for literal in literals:  # noqa: SIM110
        if literal in text:
            return True
    return False
