"""Text normalisation with exact offset bookkeeping.

Two normal forms exist, for two different jobs:

* :func:`canonicalize` produces the *stored* canonical text of a block: NFC, every run of whitespace
  (tab, NBSP, newline, ideographic space...) collapsed to one ASCII space, zero-width characters
  dropped, ends stripped. Positions of interest in the raw input (footnote references) are carried
  through so that they point into the result.
* :func:`fold_for_matching` produces a *same-length* copy used only for matching lexicons and cue
  words: lower case, one tone-mark placement ("hoá" and "hóa" match alike), look-alike letters and
  punctuation unified. Because lengths are equal, an offset in the folded copy is an offset in the
  original text, and spans found on it can be stored without a map. It is the only fold of the
  project: lexicons, cue words and entity names all match through it.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

import regex

#: A Unicode noncharacter: never present in interchanged text, so safe as an in-band position mark.
_MARK = "\ufdd0"
_ZERO_WIDTH = frozenset("\u200b\u200c\u200d\u2060\ufeff")


def canonicalize(raw: str, marks: Sequence[int] = (), *, unwrap_marks: bool = True) -> tuple[str, list[int]]:
    """Return the canonical form of ``raw`` and the new positions of ``marks``.

    Args:
        raw: text of one block as the format gives it (any whitespace, any normal form).
        marks: offsets into ``raw`` (0..len(raw)) where something was removed, e.g. a footnote
            reference; each comes back as the offset in the canonical text where it stood.
        unwrap_marks: drop a pair of parentheses that encloses nothing but a mark: Word reports
            often print a reference as "(¹)", and "kinh tế([ref])" must read "kinh tế" in every format.

    Returns:
        ``(text, positions)`` with ``positions[i]`` the canonical offset of ``marks[i]``.

    >>> canonicalize("  Tổng\\u00a0thu\\tNSNN  ")
    ('Tổng thu NSNN', [])
    >>> canonicalize("05 phường() thuộc", [10])
    ('05 phường thuộc', [9])
    """
    raw = raw.replace(_MARK, " ")
    order = sorted(range(len(marks)), key=lambda i: marks[i])
    pieces: list[str] = []
    previous = 0
    for i in order:
        position = min(max(marks[i], previous), len(raw))
        # A mark never separates a letter from its combining accents (decomposed input), or the
        # pieces could not compose back into NFC: it moves past them, to the end of the letter.
        while position < len(raw) and unicodedata.combining(raw[position]):
            position += 1
        pieces.append(raw[previous:position])
        pieces.append(_MARK)
        previous = position
    pieces.append(raw[previous:])
    # NFC per piece: a mark must never sit between a base letter and its combining accent in the
    # composed result, and normalising pieces separately keeps each mark where it was.
    marked = "".join(unicodedata.normalize("NFC", p) if p != _MARK else p for p in pieces)

    out: list[str] = []
    found: list[int] = []
    skip_close_paren = False
    for index, char in enumerate(marked):
        if char == _MARK:
            # Only one parenthesis per run of marks: "((¹²)" keeps its outer "(" and its marks in order.
            if unwrap_marks and not skip_close_paren and out and out[-1] == "(":
                rest = marked[index + 1 :].lstrip(_MARK)
                if rest.startswith(")"):
                    out.pop()
                    skip_close_paren = True
            found.append(len(out))
            continue
        if skip_close_paren and char == ")":
            skip_close_paren = False
            continue
        if char in _ZERO_WIDTH:
            continue
        if char.isspace():
            if not out or out[-1] == " ":
                continue
            out.append(" ")
            continue
        out.append(char)
    while out and out[-1] == " ":
        out.pop()
    length = len(out)
    positions_in_order = [min(p, length) for p in found]
    positions = [0] * len(marks)
    for rank, i in enumerate(order):
        positions[i] = positions_in_order[rank]
    return "".join(out), positions


# Reports mix two tone placements for syllable-final "oa/oe/uy" ("hoà"/"hòa", "thuỷ"/"thủy");
# the fold settles on the mark over the first vowel, as underthesea's token_normalize does.
_OLD_STYLE = regex.compile(r"(?<!q)([ou])([àáảãạèéẻẽẹỳýỷỹỵ])(?!\p{L})")
_TONE_SERIES = ("àáảãạ", "èéẻẽẹ", "ỳýỷỹỵ")
_BASE_OF = {c: base for series, base in zip(_TONE_SERIES, "aey", strict=True) for c in series}
_TONE_INDEX = {c: series.index(c) for series in _TONE_SERIES for c in series}
_TONED_FIRST = {"o": "òóỏõọ", "u": "ùúủũụ"}
_LOOKALIKES = tuple(
    {
        "\u00d0": "đ",  # Latin ETH typed for Đ (Đ itself lower-cases to đ)
        "\u00a0": " ",
        "\u2018": "'",
        "\u2019": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2212": "-",
    }.items()
)


def _move_tone(match: regex.Match[str]) -> str:
    first, second = match.group(1), match.group(2)
    return _TONED_FIRST[first][_TONE_INDEX[second]] + _BASE_OF[second]


def fold_for_matching(text: str) -> str:
    """Same-length lower-case copy of NFC ``text`` with one tone-mark placement.

    Lower case, look-alike letters and dashes unified, old-style tone placement moved ("hoà" ->
    "hòa", "thuỷ" -> "thủy"): the placement underthesea's token_normalize settles on, done with one
    regex instead of a call per word, because this runs over every sentence of an archive.

    >>> fold_for_matching("Thuỷ lợi – HOÁ 59%KH")
    'thủy lợi - hóa 59%kh'
    >>> fold_for_matching("Thuỷ lợi – HOÁ") == "thủy lợi - hóa"
    True
    """
    # One C-level replace per look-alike: much faster than str.translate, which looks up every character.
    translated = text
    for lookalike, replacement in _LOOKALIKES:
        if lookalike in translated:
            translated = translated.replace(lookalike, replacement)
    lowered = translated.lower()
    if len(lowered) != len(text):
        # A few letters ("İ") lower-case to two code points; keep those as they are.
        lowered = "".join(c.lower() if len(c.lower()) == 1 else c for c in translated)
    return _OLD_STYLE.sub(_move_tone, lowered)
