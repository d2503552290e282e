"""Numerals as Vietnamese reports write them: "18.938,78" -> Decimal("18938.78").

The convention is applied unconditionally: "." groups thousands, "," is the decimal mark, so
"50,365" is fifty point three six five, never fifty thousand. Shapes come from
``patterns/numbers.yaml``; a shape may flag the reading ("english_decimal" for "16.4") or mark it
invalid ("malformed_number" for "2.8180"), in which case the value is None rather than a guess.
Values stay :class:`~decimal.Decimal` until the Parquet edge.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import regex

from extractors.lexicon import Lexicon
from extractors.rules import match_at, search_all


@dataclass(frozen=True, slots=True)
class ParsedNumber:
    """One number token: where it is, what it says, and which shape read it."""

    start: int
    end: int
    text: str
    value: Decimal | None
    rule_id: str
    flags: tuple[str, ...] = ()


def parse_number(token: str, lexicon: Lexicon) -> tuple[Decimal | None, str, tuple[str, ...]]:
    """Read one token by the first matching shape; return ``(value, shape id, flags)``.

    >>> from extractors.lexicon import load_lexicon
    >>> lex = load_lexicon()
    >>> parse_number("1.376,328", lex)
    (Decimal('1376.328'), 'number.vn_grouped', ())
    >>> parse_number("-3,10", lex)[0]
    Decimal('-3.10')
    >>> parse_number("2.8180", lex)
    (None, 'number.malformed', ('malformed_number',))
    """
    negative = token.startswith("-")
    digits = token[1:] if negative else token
    for shape in lexicon.shapes:
        if not shape.pattern.fullmatch(digits):
            continue
        if not shape.valid:
            return None, shape.id, shape.flags
        plain = digits
        if shape.group_separator:
            plain = plain.replace(shape.group_separator, "")
        if shape.decimal_separator:
            plain = plain.replace(shape.decimal_separator, ".")
        try:
            value = Decimal(plain)
        except InvalidOperation:
            return None, shape.id, (*shape.flags, "malformed_number")
        return (-value if negative else value), shape.id, shape.flags
    return None, "number.unknown", ("malformed_number",)


def find_numbers(text: str, lexicon: Lexicon) -> list[ParsedNumber]:
    """Every number token of ``text`` (no judgement yet on whether it is a quantity).

    >>> from extractors.lexicon import load_lexicon
    >>> [n.text for n in find_numbers("đạt 59%KH, tăng 1.200 hộ", load_lexicon())]
    ['59', '1.200']
    """
    return [_parsed(m, lexicon) for m in search_all(lexicon.number_token, text)]


def number_at(text: str, pos: int, lexicon: Lexicon) -> ParsedNumber | None:
    """The number token starting exactly at ``pos`` (used for denominators and range ends)."""
    match = match_at(lexicon.number_token, text, pos)
    return _parsed(match, lexicon) if match else None


def _parsed(match: regex.Match[str], lexicon: Lexicon) -> ParsedNumber:
    value, rule_id, flags = parse_number(match.group(), lexicon)
    return ParsedNumber(match.start(), match.end(), match.group(), value, rule_id, flags)


def format_vn(value: Decimal, *, group: bool = True) -> str:
    """Write ``value`` the Vietnamese way: "." between thousands, "," before decimals.

    >>> format_vn(Decimal("18938.78"))
    '18.938,78'
    >>> format_vn(Decimal("-1200"), group=False)
    '-1200'
    """
    text = format(abs(value), "f")
    whole, _, decimals = text.partition(".")
    if group:
        whole = f"{int(whole):,}".replace(",", ".")
    out = whole + ("," + decimals if decimals else "")
    return ("-" if value.is_signed() and value != 0 else "") + out
