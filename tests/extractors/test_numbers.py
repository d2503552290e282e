"""Number reading by the Vietnamese convention, including the strings peers get wrong (peers.md §1)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from extractors.lexicon import load_lexicon
from extractors.numbers import find_numbers, format_vn, parse_number

LEXICON = load_lexicon()


@pytest.mark.parametrize(
    ("token", "value", "flags"),
    [
        ("1.376,328", Decimal("1376.328"), ()),  # Duckling reads 1376, price-parser 1376328
        ("18.938,78", Decimal("18938.78"), ()),  # Duckling drops ",78"
        ("50,365", Decimal("50.365"), ()),  # three decimals are still decimals
        ("0,371", Decimal("0.371"), ()),
        ("722.716.000", Decimal("722716000"), ()),
        ("05", Decimal("5"), ()),
        ("-3,10", Decimal("-3.10"), ()),
        ("16.4", Decimal("16.4"), ("english_decimal",)),
        ("0.3", Decimal("0.3"), ("english_decimal",)),
        ("2.8180", None, ("malformed_number",)),
    ],
)
def test_parse_number(token: str, value: Decimal | None, flags: tuple[str, ...]) -> None:
    parsed, _rule, parsed_flags = parse_number(token, LEXICON)
    assert parsed == value
    assert parsed_flags == flags


def test_find_numbers_keeps_sign_only_where_it_is_a_sign() -> None:
    tokens = [n.text for n in find_numbers("năm 2023 là -81,38%; đạt 3-5%/năm; 50%-70%", LEXICON)]
    assert tokens == ["2023", "-81,38", "3", "5", "50", "70"]


def test_find_numbers_ignores_digits_glued_after_letters() -> None:
    assert [n.text for n in find_numbers("dự án Kfw10 và UBTVQH15", LEXICON)] == []


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Decimal("18938.78"), "18.938,78"),
        (Decimal("1376.328"), "1.376,328"),
        (Decimal("5"), "5"),
        (Decimal("-0.5"), "-0,5"),
    ],
)
def test_format_vn(value: Decimal, text: str) -> None:
    assert format_vn(value) == text
    assert parse_number(text, LEXICON)[0] == value
