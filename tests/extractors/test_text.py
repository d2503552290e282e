"""Canonical normalisation keeps marks where they stood and never loses a character of content."""

from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from extractors.text import canonicalize, fold_for_matching


def test_decomposed_vietnamese_becomes_nfc():
    raw = unicodedata.normalize("NFD", "Hằng năm tăng 7,32%")
    text, _ = canonicalize(raw)
    assert text == "Hằng năm tăng 7,32%"


def test_marks_survive_whitespace_collapse_and_unwrapping():
    raw = "của 05 phường() thuộc\u00a0\u00a0thành phố"
    text, [position] = canonicalize(raw, [raw.index("()") + 1])
    assert text == "của 05 phường thuộc thành phố"
    assert text[:position] == "của 05 phường"


def test_two_marks_unwrap_one_parenthesis_and_stay_in_order():
    # Found by hypothesis: each mark used to unwrap its own "(" and the second landed before the first.
    assert canonicalize("tỷ đồng(()", [9, 9]) == ("tỷ đồng(", [8, 8])


def test_mark_between_base_letter_and_accent_is_not_lost():
    raw = "ca\u0301c"  # NFD "các"
    text, [position] = canonicalize(raw, [2])
    assert position <= len(text)
    assert text.replace("\u0301", "") in ("các", "cac")


alphabet = st.sampled_from(list("ab đươ ,.()\t\u00a0\n7") + ["\u0301", "\u0323"])


@given(st.lists(alphabet, max_size=40).map("".join), st.lists(st.integers(0, 40), max_size=4))
def test_canonical_text_is_nfc_single_spaced_and_positions_in_bounds(raw, marks):
    marks = [min(m, len(raw)) for m in marks]
    text, positions = canonicalize(raw, marks)
    assert text == unicodedata.normalize("NFC", text)
    assert "  " not in text and text == text.strip()
    assert all(0 <= p <= len(text) for p in positions)
    assert positions == sorted(positions) or sorted(marks) != marks


@given(st.text(max_size=60))
def test_folding_preserves_length(text):
    text = unicodedata.normalize("NFC", text)
    assert len(fold_for_matching(text)) == len(text)


def test_folding_unifies_tone_placement_and_lookalikes():
    assert fold_for_matching("Thuỷ lợi") == fold_for_matching("thủy lợi")
    assert fold_for_matching("\u00d0ảng") == fold_for_matching("Đảng")
