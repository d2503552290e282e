"""Sentence splitting: the guards of patterns/sentences.yaml, offsets, and properties over the corpus text."""

from __future__ import annotations

import time
import unicodedata
from functools import lru_cache

import pytest
import regex
from hypothesis import given
from hypothesis import strategies as st

from extractors.sentences import load_sentence_rules, split_sentences
from tests.conftest import REPORTS, corpus_file

RULES = load_sentence_rules()
NUMBER = regex.compile(r"\d+(?:[.,]\d+)*")
TP = regex.compile(r"(?<!\p{L})TP\.")
LABEL = next(p for p in RULES.protect if p.name == "block_label").regex


def sentences(text: str) -> list[str]:
    return [text[start:end] for start, end in split_sentences(text)]


@pytest.mark.parametrize(
    "text", [*RULES.abbreviation_examples, *(example for pattern in RULES.protect for example in pattern.examples)]
)
def test_guarded_examples_stay_one_sentence(text: str) -> None:
    assert sentences(text) == [text]


@pytest.mark.parametrize(("text", "expected"), RULES.splits)
def test_split_examples(text: str, expected: tuple[str, ...]) -> None:
    assert sentences(text) == list(expected)


def test_sentences_never_cross_a_block_boundary() -> None:
    text = "Kinh tế tăng trưởng 8%\n2. Văn hóa - xã hội. Giáo dục phát triển"
    assert sentences(text) == ["Kinh tế tăng trưởng 8%", "2. Văn hóa - xã hội.", "Giáo dục phát triển"]


def test_offsets_are_absolute_and_respect_the_range() -> None:
    text = "Mở đầu. Tổng thu đạt 100 tỷ đồng. Tổng chi đạt 90 tỷ đồng. Kết thúc."
    start, end = text.index("Tổng thu"), text.index(" Kết thúc")
    spans = split_sentences(text, start, end)
    assert [text[s:e] for s, e in spans] == ["Tổng thu đạt 100 tỷ đồng.", "Tổng chi đạt 90 tỷ đồng."]
    assert split_sentences(text, 5, 5) == []


# ------------------------------------------------------------------------------------------- corpus properties


@lru_cache(maxsize=1)
def corpus_text() -> str:
    parts = [unicodedata.normalize("NFC", corpus_file(r, "txt").read_text(encoding="utf-8")) for r in REPORTS]
    return "\n".join(" ".join(line.split()) for part in parts for line in part.split("\n"))


@lru_cache(maxsize=1)
def corpus_lines() -> list[str]:
    return [line for line in corpus_text().split("\n") if line.strip()]


def check_properties(text: str, start: int, end: int) -> None:
    spans = split_sentences(text, start, end)
    previous_end = start
    for span_start, span_end in spans:
        assert previous_end <= span_start < span_end <= end
        assert "\n" not in text[span_start:span_end]
        assert not text[span_start].isspace() and not text[span_end - 1].isspace()
        previous_end = span_end
    covered = {i for s, e in spans for i in range(s, e)}
    assert all(i in covered for i in range(start, end) if not text[i].isspace())
    boundaries = {s for s, _ in spans} | {e for _, e in spans}
    for number in NUMBER.finditer(text, start, end):
        assert not any(number.start() < b < number.end() for b in boundaries), number.group()
    for abbreviation in TP.finditer(text, start, end):
        assert abbreviation.end() not in {e for _, e in spans}, text[abbreviation.start() : abbreviation.end() + 20]
    line_start = start
    for line in text[start:end].split("\n"):
        label = LABEL.match(line)
        if label:
            first = next(e for s, e in spans if s >= line_start)
            assert first >= line_start + label.end(), line[:40]
        line_start += len(line) + 1


@given(st.data())
def test_properties_on_corpus_lines(data: st.DataObject) -> None:
    line = data.draw(st.sampled_from(corpus_lines()))
    start = data.draw(st.integers(0, len(line)))
    end = data.draw(st.integers(start, len(line)))
    check_properties(line, 0, len(line))
    check_properties(line, start, end)


FRAGMENTS = [
    "Tổng thu đạt 18.938,78 tỷ đồng.",
    "TP. Kon Tum",
    "1.2.1. Về công nghiệp",
    "Số: 4018/UBND-KTTH",
    "ThS. Nguyễn Văn A",
    "v.v.",
    "...",
    "tăng 12,5%.",
    "III. TỔ CHỨC THỰC HIỆN.",
    "3.Về văn hóa",
    "Năm 2025. Kết quả",
    "?",
    "!",
    "./.",
]


@given(st.lists(st.sampled_from([*FRAGMENTS, " ", "\n", ". "]), max_size=25))
def test_properties_on_composed_text(pieces: list[str]) -> None:
    text = "".join(pieces)
    check_properties(text, 0, len(text))


def test_whole_corpus_properties_and_speed() -> None:
    text = corpus_text()
    split_sentences("Khởi động.")  # import underthesea outside the timing
    began = time.perf_counter()
    spans = split_sentences(text)
    elapsed = time.perf_counter() - began
    megabytes = len(text.encode("utf-8")) / 1e6
    assert megabytes / elapsed > 1.0, f"{megabytes / elapsed:.2f} MB/s"
    assert len(spans) > 1000
    check_properties(text, 0, len(text))
