"""Automatic list numbering of docx paragraphs (``word/numbering.xml``), rendered as the reader sees it.

Word does not store "1.2." in the text of a numbered paragraph: the label is computed at display
time from the level definitions (``w:numFmt``, ``w:lvlText``, ``w:start``) and running counters.
:class:`ListNumbering` replays that computation in document order.

Counters follow Word's rules closely enough for reports: lists that share an abstract definition
continue each other's numbering, a ``w:num`` with a ``w:startOverride`` restarts its own counters,
and using a level resets the deeper levels (unless ``w:lvlRestart`` says otherwise).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

from pipeline.readers.docx_styles import int_attr
from pipeline.readers.docx_text import W_VAL, w

_MAX_LEVELS = 9
_BULLET = "•"


@dataclass(frozen=True, slots=True)
class Level:
    """One level of a list definition."""

    num_fmt: str = "decimal"
    lvl_text: str = ""
    start: int = 1
    is_legal: bool = False
    restart_after: int | None = None  # w:lvlRestart: restart after this 1-based level is used; 0 = never


@dataclass(slots=True)
class _Num:
    abstract_id: str
    overrides: dict[int, Level] = field(default_factory=dict)
    start_overrides: dict[int, int] = field(default_factory=dict)


def to_roman(number: int) -> str:
    """Upper-case Roman numeral of a positive number.

    >>> to_roman(14), to_roman(2024)
    ('XIV', 'MMXXIV')
    """
    if number <= 0:
        return str(number)
    numerals = [(1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L")]
    numerals += [(40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]
    out = []
    for value, letters in numerals:
        while number >= value:
            out.append(letters)
            number -= value
    return "".join(out)


def to_letters(number: int) -> str:
    """Word's letter numbering repeats the letter: 1 -> A, 26 -> Z, 27 -> AA, 28 -> BB.

    >>> to_letters(1), to_letters(27)
    ('A', 'AA')
    """
    if number <= 0:
        return str(number)
    return chr(ord("A") + (number - 1) % 26) * ((number - 1) // 26 + 1)


def format_number(number: int, num_fmt: str) -> str:
    """Render one counter in a ``w:numFmt``; unknown formats fall back to decimal."""
    if num_fmt == "lowerRoman":
        return to_roman(number).lower()
    if num_fmt == "upperRoman":
        return to_roman(number)
    if num_fmt == "lowerLetter":
        return to_letters(number).lower()
    if num_fmt == "upperLetter":
        return to_letters(number)
    if num_fmt == "decimalZero":
        return f"{number:02d}"
    return str(number)


def _bullet_text(lvl_text: str) -> str:
    # Symbol/Wingdings bullets live in the private use area and mean nothing without their font.
    text = lvl_text.strip()
    if not text or any(0xE000 <= ord(c) <= 0xF8FF for c in text):
        return _BULLET
    return text


def _parse_level(element: etree._Element, base: Level | None = None) -> Level:
    base = base or Level()
    num_fmt = element.find(w("numFmt"))
    lvl_text = element.find(w("lvlText"))
    start = int_attr(element.find(w("start")))
    legal = element.find(w("isLgl"))
    restart = int_attr(element.find(w("lvlRestart")))
    return Level(
        num_fmt=num_fmt.get(W_VAL, base.num_fmt) if num_fmt is not None else base.num_fmt,
        lvl_text=lvl_text.get(W_VAL, "") if lvl_text is not None else base.lvl_text,
        start=start if start is not None else base.start,
        is_legal=(legal.get(W_VAL) or "true").lower() not in ("0", "false", "off")
        if legal is not None
        else base.is_legal,
        restart_after=restart if restart is not None else base.restart_after,
    )


class ListNumbering:
    """Numbering definitions plus the running counters of one document.

    >>> from pipeline.readers.docx_text import W
    >>> xml = (f'<w:numbering xmlns:w="{W}"><w:abstractNum w:abstractNumId="0">'
    ...        '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="upperRoman"/><w:lvlText w:val="%1."/></w:lvl>'
    ...        '<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%2.%1"/></w:lvl>'
    ...        '</w:abstractNum><w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num></w:numbering>')
    >>> numbering = ListNumbering(etree.fromstring(xml))
    >>> [numbering.label("1", level) for level in (0, 1, 1, 0, 1)]
    ['I.', '1.I', '2.I', 'II.', '1.II']
    """

    def __init__(self, root: etree._Element | None) -> None:
        self._abstract: dict[str, dict[int, Level]] = {}
        self._nums: dict[str, _Num] = {}
        self._counters: dict[str, list[int | None]] = {}
        if root is None:
            return
        for abstract in root.findall(w("abstractNum")):
            abstract_id = abstract.get(w("abstractNumId"))
            if abstract_id is None:
                continue
            levels = {}
            for level in abstract.findall(w("lvl")):
                index = int_attr(level, w("ilvl"))
                if index is not None and 0 <= index < _MAX_LEVELS:
                    levels[index] = _parse_level(level)
            self._abstract[abstract_id] = levels
        for num in root.findall(w("num")):
            num_id = num.get(w("numId"))
            abstract_ref = num.find(w("abstractNumId"))
            if num_id is None or abstract_ref is None or abstract_ref.get(W_VAL) is None:
                continue
            entry = _Num(abstract_ref.get(W_VAL))
            for override in num.findall(w("lvlOverride")):
                index = int_attr(override, w("ilvl"))
                if index is None or not 0 <= index < _MAX_LEVELS:
                    continue
                start = int_attr(override.find(w("startOverride")))
                if start is not None:
                    entry.start_overrides[index] = start
                level = override.find(w("lvl"))
                if level is not None:
                    entry.overrides[index] = _parse_level(level, self._abstract.get(entry.abstract_id, {}).get(index))
            self._nums[num_id] = entry

    def _level(self, num: _Num, index: int) -> Level | None:
        level = num.overrides.get(index) or self._abstract.get(num.abstract_id, {}).get(index)
        if level is not None and index in num.start_overrides:
            level = Level(
                level.num_fmt, level.lvl_text, num.start_overrides[index], level.is_legal, level.restart_after
            )
        return level

    def label(self, num_id: str, level_index: int) -> str | None:
        """Advance the counter of ``(num_id, level_index)`` and return the label text, or None.

        ``numId`` 0 (numbering removed), unknown lists and levels, and ``w:numFmt="none"`` give None.
        """
        num = self._nums.get(num_id)
        if num is None or not 0 <= level_index < _MAX_LEVELS:
            return None
        level = self._level(num, level_index)
        if level is None:
            return None
        # Lists restarted with startOverride keep their own counters; the others share the abstract's.
        key = f"num:{num_id}" if num.start_overrides else f"abstract:{num.abstract_id}"
        counters = self._counters.setdefault(key, [None] * _MAX_LEVELS)
        current = counters[level_index]
        counters[level_index] = level.start if current is None else current + 1
        for deeper in range(level_index + 1, _MAX_LEVELS):
            deeper_level = self._level(num, deeper)
            restart_after = deeper_level.restart_after if deeper_level else None
            if restart_after is None or (restart_after != 0 and level_index < restart_after):
                counters[deeper] = None
        if level.num_fmt == "none":
            return None
        if level.num_fmt == "bullet":
            return _bullet_text(level.lvl_text)
        text = level.lvl_text
        for index in range(_MAX_LEVELS - 1, -1, -1):
            placeholder = f"%{index + 1}"
            if placeholder not in text:
                continue
            source = self._level(num, index) or Level()
            value = counters[index] if counters[index] is not None else source.start
            num_fmt = "decimal" if level.is_legal and index < level_index else source.num_fmt
            text = text.replace(placeholder, format_number(value, num_fmt))
        return text.strip() or None
