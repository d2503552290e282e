"""Required literals (extractors.literals) may only ever skip a regex that cannot match.

Skipping is a speed measure; a wrong literal would silently drop matches, so the claim "no match without
one of the literals" is checked three ways: on hand-written constructs, on random patterns and texts
(hypothesis), and for every rule of the pattern files on its examples and on every corpus sentence.
"""

from __future__ import annotations

import regex
from hypothesis import given, settings
from hypothesis import strategies as st

from extractors.lexicon import load_lexicon
from extractors.literals import may_match, required_literals
from extractors.rules import fold, literals_of
from tests.conftest import REPORTS, read_corpus_document

LEXICON = load_lexicon()


PATTERNS = LEXICON.compiled_patterns()


def test_literals_of_constructs() -> None:
    assert required_literals(r"(?:so\s+(?:với\s+)?|với\s+)?cùng\s+kỳ") == ("cùng",)
    assert required_literals(r"quý\s+(?:i|ii)/\d{4}|tháng\s+\d") == ("quý", "tháng")
    # Optional parts, negative look-arounds and classes require nothing.
    assert required_literals(r"(?:ngày\s+)?\d+") is None
    assert required_literals(r"(?<!đứng\s+)\d+") is None
    assert required_literals(r"[/.-]\d+") is None
    # A positive look-behind reads text that must be there.
    assert required_literals(r"(?<=quốc lộ\s+)\d+") == ("quốc lộ",)
    # A repeat needs its body once only when it must occur at least once.
    assert required_literals(r"(?:ha)+\d") == ("ha",)
    assert required_literals(r"(?:ha)*\d") is None
    # Case-insensitive patterns are left alone (the literal's case is not the text's).
    assert required_literals(r"cùng kỳ", regex.IGNORECASE) is None
    assert required_literals(r"(?i)cùng kỳ") is None
    # Regex-module syntax the standard parser lacks is read through stand-ins.
    assert required_literals(r"(?<![\p{L}])khóa\s+[IVX]+|(?P<y>\d+)(?P<y>x)?đợt") == ("khóa", "đợt")
    assert required_literals(r"(?<!") is None


def test_more_alternatives_than_worth_checking_give_none() -> None:
    many = "|".join(chr(0x4E00 + index) + chr(0x5E00 + index) for index in range(40))
    assert required_literals(f"(?:{many})\\d") is None


def test_may_match() -> None:
    assert may_match(None, "anything")
    assert may_match(("quý", "tháng"), "trong tháng 9")
    assert not may_match(("quý", "tháng"), "năm 2023")


# Random patterns over a small alphabet, built from the constructs the pattern files use.
_ATOM = st.sampled_from(["a", "b", "ab", "ba", " ", "c", r"\d", r"\s", "[ab]", "[^a]", ".", r"\p{L}", r"\b", "^"])


def _combine(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.tuples(children, children).map("".join),
        st.tuples(children, children).map(lambda pair: f"(?:{pair[0]}|{pair[1]})"),
        children.map(lambda inner: f"(?:{inner})?"),
        children.map(lambda inner: f"(?:{inner})+"),
        children.map(lambda inner: f"(?:{inner})*"),
        children.map(lambda inner: f"(?=b{inner})"),
        children.map(lambda inner: f"(?<=a{inner})"),
        children.map(lambda inner: f"(?<!{inner})"),
        children.map(lambda inner: f"(?>{inner})"),
        children.map(lambda inner: f"(?P<g>{inner})"),
    )


@settings(max_examples=400)
@given(st.recursive(_ATOM, _combine, max_leaves=8), st.text(alphabet="abc 1", max_size=30))
def test_no_match_without_a_required_literal(source: str, text: str) -> None:
    try:
        pattern = regex.compile(source)
    except regex.error:
        return
    if pattern.search(text):
        assert may_match(required_literals(source), text), (source, text)


def test_lexicon_rules_get_literals() -> None:
    """The speed-up only works if most rules have literals; a parser change that loses them fails here."""
    with_literals = [name for name, pattern in PATTERNS if literals_of(pattern)]
    assert len(with_literals) >= 0.8 * len(PATTERNS), sorted(set(dict(PATTERNS)) - set(with_literals))


def _corpus_sentences() -> list[str]:
    sentences = []
    for report in REPORTS:
        document = read_corpus_document(report, "txt")
        sentences.extend(line for line in document.text.split("\n") if any(c.isdigit() for c in line))
    return sentences


def test_lexicon_rules_never_skipped_where_they_match() -> None:
    texts = [example.text for example in LEXICON.examples] + _corpus_sentences()
    checked = 0
    for text in texts:
        for source in (text, fold(text)):
            for name, pattern in PATTERNS:
                if pattern.search(source):
                    checked += 1
                    assert may_match(literals_of(pattern), source), (name, source[:120])
    assert checked > 1000
