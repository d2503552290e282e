"""Property tests (hypothesis): round trips, robustness, span invariant, adversarial speed."""

from __future__ import annotations

import time
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from extractors.lexicon import load_lexicon
from extractors.mentions import explain, extract_mentions
from extractors.model import ExtractionContext
from extractors.numbers import format_vn, parse_number

LEXICON = load_lexicon()
CONTEXT = ExtractionContext(report_year=2023, report_period="2023")
ALPHABET = "aăâbcdđeêghiklmnoôơpqrstuưvxyáàảãạếềểễệốồổỗộớờởỡợứừửữựíìỉĩịýỳỷỹỵTĐKHUBND0123456789 .,%/-()"


@given(
    st.integers(min_value=0, max_value=4).flatmap(
        lambda places: st.decimals(
            min_value=Decimal("-1e12"), max_value=Decimal("1e12"), allow_nan=False, allow_infinity=False, places=places
        )
    ),
    st.booleans(),
)
def test_format_then_parse_round_trips(value: Decimal, group: bool) -> None:
    text = format_vn(value, group=group)
    parsed, _rule, flags = parse_number(text, LEXICON)
    assert parsed == value, (text, flags)


@given(st.text(alphabet=ALPHABET, max_size=200))
def test_extraction_never_raises_and_spans_hold(text: str) -> None:
    for mention in explain(text, CONTEXT, LEXICON):
        assert text[mention.start : mention.end] == mention.value_text
        assert 0 <= mention.start < mention.end <= len(text)


@given(
    st.lists(
        st.sampled_from(
            [
                "18.938,78 tỷ đồng",
                "tăng 7,32%",
                "107/144 xã",
                "3-5%/năm",
                " ngày 20/9/2020",
                "(1)",
                "Covid-19",
                "năm 2023",
                "đạt 59%KH",
                ", ",
                "; ",
                "-3,10",
                "2.8180",
            ]
        ),
        max_size=12,
    )
)
def test_spans_hold_on_realistic_fragments(parts: list[str]) -> None:
    text = " ".join(parts)
    for mention in extract_mentions(text, CONTEXT, LEXICON):
        assert text[mention.start : mention.end] == mention.value_text


def test_adversarial_inputs_finish_fast() -> None:
    for text in ("1.1." * 12_500, "(" * 50_000, "1/" * 25_000, "-1" * 25_000, "năm 2" * 10_000, "1,1 " * 12_500):
        started = time.perf_counter()
        explain(text, CONTEXT, LEXICON)
        assert time.perf_counter() - started < 1.0, text[:20]
