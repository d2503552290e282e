"""Tests of pipeline/evaluate.py and of the gold set itself (corpus/gold/mentions.tsv)."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path

import pandas as pd
import pytest

from extractors.model import Measure, Qualifier
from pipeline.evaluate import (
    GOLD_COLUMNS,
    KINDS,
    MATCHED,
    MISSED,
    QUANTITY,
    SPURIOUS,
    UNLOCATED,
    align,
    format_report,
    load_gold,
    locate,
    score,
    unlocated_rows,
)
from tests.conftest import read_corpus_document

ROOT = Path(__file__).resolve().parent.parent
GOLD_PATH = ROOT / "corpus" / "gold" / "mentions.tsv"
TXT_DIR = ROOT / "corpus" / "txt"

UNIT_CANONICAL = {"VND", "USD", "ha", "m2", "km2", "km", "t", "m3", "percent", "count", "point", "rank", "other"}
DIRECTIONS = {"up", "down"}
BASES = {"current", "constant_2010", "constant_2020"}
_MONTH = r"\d{4}-(0[1-9]|1[0-2])"
_DAY = _MONTH + r"-(0[1-9]|[12]\d|3[01])"
_POINT = rf"(\d{{4}}|{_MONTH}|{_DAY})"
PERIOD = re.compile(
    rf"^({_POINT}|{_POINT}\.\.{_POINT}|\.\.{_POINT}|\d{{4}}-\d{{4}}|\d{{4}}(-\d{{4}})? (Đông Xuân|Hè Thu|Mùa))$"
)
INDICATOR_CODE = re.compile(r"^[a-z][a-z0-9_]*$")

#: Digit runs that a gold row must cover; the exponent of an area/volume unit ("km2", "m3") is not one.
_DIGIT_RUN = re.compile(r"\d+")
_UNIT_EXPONENT = re.compile(r"(?:^|[^\w])k?m$")


@lru_cache(maxsize=16)
def canonical_text(doc: str, fmt: str = "txt") -> str:
    """The canonical text the reader gives for report ``doc``, whitespace collapsed as ``locate`` sees it."""
    return " ".join(read_corpus_document(doc, fmt).text.split())


@pytest.fixture(scope="module")
def gold() -> pd.DataFrame:
    return load_gold(GOLD_PATH)


# --------------------------------------------------------------------------------------------------
# The gold file


def test_gold_schema_and_vocabularies(gold: pd.DataFrame) -> None:
    assert tuple(gold.columns) == GOLD_COLUMNS
    assert len(gold) >= 330
    assert set(gold["doc"]) == {"000", "001", "002", "003", "004"}
    assert set(gold["kind"]) <= KINDS
    assert (gold["occurrence"] >= 1).all()
    quantities = gold[gold["kind"] == QUANTITY]
    assert len(quantities) >= 330
    assert quantities["value"].notna().all()
    assert set(quantities["measure"]) <= {m.value for m in Measure}
    assert set(quantities["qualifier"]) <= {q.value for q in Qualifier}
    assert set(quantities["unit_canonical"].dropna()) <= UNIT_CANONICAL
    assert set(quantities["direction"].dropna()) <= DIRECTIONS
    assert set(quantities["basis"].dropna()) <= BASES
    for column in ("period", "reference_period"):
        bad = [p for p in quantities[column].dropna() if not PERIOD.match(p)]
        assert not bad, f"{column} not in contract notation: {bad}"
    assert all(INDICATOR_CODE.match(code) for code in quantities["indicator_code"].dropna())
    non_quantities = gold[gold["kind"] != QUANTITY]
    assert non_quantities[["value", "measure", "qualifier", "period"]].isna().all().all()
    # directions only where the contract gives them a meaning
    with_direction = quantities[quantities["direction"].notna()]
    assert set(with_direction["measure"]) <= {"growth_pct", "change_abs", "change_pp", "avg_growth_pct"}


def test_gold_contexts_are_clean_and_bounded(gold: pd.DataFrame) -> None:
    for _, row in gold.iterrows():
        context = row["context"]
        assert context == " ".join(unicodedata.normalize("NFC", context).split()), context
        assert 20 <= len(context) <= 80, context
        assert "footnoteRef" not in context and "[bookmark" not in context, context
        assert row["value_text"] in context, (row["value_text"], context)


@pytest.mark.parametrize("fmt", ["txt", "docx", "pdf"])
def test_every_gold_context_occurs_exactly_once_in_its_document(gold: pd.DataFrame, fmt: str) -> None:
    failures = []
    for _, row in gold.iterrows():
        text = canonical_text(row["doc"], fmt)
        count = text.count(row["context"])
        span = locate(text, row["context"], row["value_text"], int(row["occurrence"]))
        if count != 1 or span is None or text[span[0] : span[1]] != row["value_text"]:
            failures.append((row["doc"], row["para"], row["context"], count))
    assert not failures, failures[:10]


def test_every_number_of_an_annotated_paragraph_is_annotated(gold: pd.DataFrame) -> None:
    uncovered = []
    for (doc, para), rows in gold.groupby(["doc", "para"]):
        text = canonical_text(doc)
        starts, ends, covered = [], [], []
        for _, row in rows.iterrows():
            at = text.index(row["context"])
            starts.append(at)
            ends.append(at + len(row["context"]))
            span = locate(text, row["context"], row["value_text"], int(row["occurrence"]))
            covered.append(span)
        lo, hi = min(starts), max(ends)
        for digit_run in _DIGIT_RUN.finditer(text[lo:hi]):
            start, end = lo + digit_run.start(), lo + digit_run.end()
            if _UNIT_EXPONENT.search(text[max(0, start - 3) : start]):
                continue
            if not any(s < end and start < e for s, e in covered):
                uncovered.append((doc, para, text[max(0, start - 30) : end + 10]))
    assert not uncovered, uncovered[:10]


def test_gold_values_parse_from_value_text(gold: pd.DataFrame) -> None:
    """value is the number as written (Vietnamese separators); fractions give numerator and denominator."""
    quantities = gold[(gold["kind"] == QUANTITY) & gold["value_text"].str.fullmatch(r"-?[\d.,]+(/[\d.,]+)?")]
    english = {"16.4"}  # the one English decimal point annotated (002), value 16.4 by hand
    for _, row in quantities.iterrows():
        if row["value_text"] in english:
            continue
        numerator, _, denominator = row["value_text"].partition("/")
        parsed = float(numerator.replace(".", "").replace(",", "."))
        assert parsed == pytest.approx(row["value"]), row["value_text"]
        if denominator and row["value_text"] != "2.016/2.8180":
            assert float(denominator.replace(".", "").replace(",", ".")) == pytest.approx(row["denominator"])


def test_gold_targets_in_plan_parts(gold: pd.DataFrame) -> None:
    """003 is a plan: all its quantities are targets; 000 items (1)-(21) and 004 Phần thứ hai likewise."""
    quantities = gold[gold["kind"] == QUANTITY]
    assert set(quantities.loc[quantities["doc"] == "003", "measure"]) == {"target"}
    plan_rows = quantities[quantities["para"].isin(["000-L309", "000-L313", "004-L99", "004-L111"])]
    assert set(plan_rows["measure"]) == {"target"}


# --------------------------------------------------------------------------------------------------
# The scorer on synthetic data


def _documents(text: str) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"doc_id": "h1", "source_path": "corpus/txt/000_abc.txt", "text": text, "format": "txt"},
            {"doc_id": "h2", "source_path": "corpus/docx/000_abc.docx", "text": "other", "format": "docx"},
        ]
    )


def _gold_frame(rows: list[dict[str, object]]) -> pd.DataFrame:
    base = dict.fromkeys(GOLD_COLUMNS)
    frame = pd.DataFrame([{**base, "doc": "000", "occurrence": 1, **row} for row in rows])
    return frame[list(GOLD_COLUMNS)]


SYNTHETIC_TEXT = (
    "Dân số năm 2025 là 77.476 người, chiếm 9,45% toàn tỉnh.\n"
    "Thu ngân sách đạt 362,71 tỷ đồng, tăng 5%.\n"
    "Đoạn không chú giải có 12 hộ."
)


def _synthetic_gold() -> pd.DataFrame:
    return _gold_frame(
        [
            {"para": "p1", "context": "Dân số năm 2025 là 77.476 người", "value_text": "2025", "kind": "year"},
            {
                "para": "p1",
                "context": "là 77.476 người, chiếm",
                "value_text": "77.476",
                "kind": "quantity",
                "value": 77476.0,
                "unit_canonical": "count",
                "measure": "level",
                "qualifier": "exact",
                "period": "2025",
            },
            {
                "para": "p1",
                "context": "chiếm 9,45% toàn tỉnh",
                "value_text": "9,45",
                "kind": "quantity",
                "value": 9.45,
                "unit_canonical": "percent",
                "measure": "share_pct",
                "qualifier": "exact",
                "period": "2025",
            },
            {
                "para": "p2",
                "context": "Thu ngân sách đạt 362,71 tỷ đồng,",
                "value_text": "362,71",
                "kind": "quantity",
                "value": 362.71,
                "unit_canonical": "VND",
                "measure": "level",
                "qualifier": "exact",
                "period": "2025",
            },
            {
                "para": "p2",
                "context": "tỷ đồng, tăng 5%.",
                "value_text": "5",
                "kind": "quantity",
                "value": 5.0,
                "unit_canonical": "percent",
                "measure": "growth_pct",
                "qualifier": "exact",
                "period": "2025",
            },
        ]
    )


def _mention(text: str, value_text: str, after: str = "", **fields: object) -> dict[str, object]:
    start = text.index(value_text, text.index(after) if after else 0)
    return {
        "doc_id": "h1",
        "char_start": start,
        "char_end": start + len(value_text),
        "value_text": value_text,
        **fields,
    }


def test_perfect_predictions_score_one() -> None:
    text = SYNTHETIC_TEXT
    gold = _synthetic_gold()
    mentions = pd.DataFrame(
        [
            _mention(
                text, "77.476", value=77476.0, unit_canonical="count", measure="level", qualifier="exact", period="2025"
            ),
            _mention(
                text,
                "9,45",
                value=9.45,
                unit_canonical="percent",
                measure="share_pct",
                qualifier="exact",
                period="2025",
            ),
            _mention(
                text, "362,71", value=362.71, unit_canonical="VND", measure="level", qualifier="exact", period="2025"
            ),
            _mention(
                text,
                "5",
                "tăng",
                value=5.0,
                unit_canonical="percent",
                measure="growth_pct",
                qualifier="exact",
                period="2025",
            ),
        ]
    )
    scores = score(align(gold, mentions, _documents(text))).set_index("field_set")
    assert (scores["precision"] == 1.0).all() and (scores["recall"] == 1.0).all()
    assert (scores["tp"] == 4).all()


def test_known_precision_and_recall() -> None:
    text = SYNTHETIC_TEXT
    gold = _synthetic_gold()
    mentions = pd.DataFrame(
        [
            # right value, wrong measure
            _mention(
                text,
                "77.476",
                value=77476.0,
                unit_canonical="count",
                measure="share_pct",
                qualifier="exact",
                period="2025",
            ),
            # a year predicted as a quantity: false positive on a non-quantity gold row
            _mention(
                text, "2025", value=2025.0, unit_canonical=None, measure="level", qualifier="exact", period="2025"
            ),
            # right on every field
            _mention(
                text, "362,71", value=362.71, unit_canonical="VND", measure="level", qualifier="exact", period="2025"
            ),
            # inside annotated paragraph p2 but on no gold row ("tỷ" read as a number would be similar)
            _mention(text, "đồng", "362,71", value=1.0, unit_canonical=None, measure="level", qualifier="exact"),
            # outside every annotated paragraph: ignored
            _mention(text, "12", value=12.0, unit_canonical="count", measure="level", qualifier="exact"),
        ]
    )
    aligned = align(gold, mentions, _documents(text))
    statuses = aligned["status"].value_counts().to_dict()
    assert statuses == {MATCHED: 3, MISSED: 2, SPURIOUS: 1}
    scores = score(aligned).set_index("field_set")
    # value: gold quantities 4, found 2 (77.476 and 362,71); FP = year + spurious = 2
    assert scores.loc["value", ["tp", "fp", "fn"]].tolist() == [2, 2, 2]
    assert scores.loc["value", "precision"] == pytest.approx(0.5)
    assert scores.loc["value", "recall"] == pytest.approx(0.5)
    # value+measure: 77.476 disagrees -> it is both a FP and a FN
    assert scores.loc["value+measure", ["tp", "fp", "fn"]].tolist() == [1, 3, 3]
    assert scores.loc["value+measure", "precision"] == pytest.approx(0.25)
    assert scores.loc["value+measure", "f1"] == pytest.approx(0.25)
    report = format_report(score(aligned, ["value", "value+measure"]))
    assert "value+measure" in report and "50.0" in report


def test_value_tolerance_is_relative() -> None:
    text = SYNTHETIC_TEXT
    gold = _synthetic_gold().iloc[[1]]
    close = pd.DataFrame([_mention(text, "77.476", value=77476.0 * (1 + 1e-12))])
    far = pd.DataFrame([_mention(text, "77.476", value=77.476)])
    assert score(align(gold, close, _documents(text)), ["value"])["tp"].item() == 1
    assert score(align(gold, far, _documents(text)), ["value"])["tp"].item() == 0


def test_indicator_code_is_scored_at_the_level_the_gold_names() -> None:
    text = SYNTHETIC_TEXT
    base = _synthetic_gold().iloc[[1]].assign(indicator_code="population")
    refined = base.assign(indicator_code="population.urban")

    def true_positives(gold: pd.DataFrame, predicted_code: str) -> int:
        mentions = pd.DataFrame([_mention(text, "77.476", value=77476.0, indicator_code=predicted_code)])
        return score(align(gold, mentions, _documents(text)), ["value+indicator_code"])["tp"].item()

    # A gold code without a dimension accepts any dimension of it, and nothing else.
    assert true_positives(base, "population.urban") == 1
    assert true_positives(base, "population") == 1
    assert true_positives(base, "population_density") == 0
    # A gold code with a dimension needs that very dimension.
    assert true_positives(refined, "population.urban") == 1
    assert true_positives(refined, "population") == 0
    assert true_positives(refined, "population.rural") == 0


def test_unlocated_gold_rows_are_reported_and_not_scored() -> None:
    text = SYNTHETIC_TEXT
    gold = _synthetic_gold()
    gold.loc[1, "context"] = "a context that is not in the document"
    aligned = align(gold, pd.DataFrame(columns=["doc_id", "char_start", "char_end"]), _documents(text))
    assert (aligned["status"] == UNLOCATED).sum() == 1
    assert unlocated_rows(aligned, gold)["value_text"].tolist() == ["77.476"]
    scores = score(aligned, ["value"])
    assert scores["fn"].item() == 3 and scores["n_unlocated"].item() == 1


def test_locate_ignores_whitespace_differences_and_number_substrings() -> None:
    text = "năm 2023 tăng 3%\n và  13,5% khác"
    assert locate(text, "tăng 3% và 13,5%", "3") == (14, 15)
    assert locate(text, "tăng 3% và 13,5%", "13,5") == (22, 26)
    assert locate(text, "không có", "3") is None


def test_gold_rows_only_match_the_requested_format() -> None:
    gold = _synthetic_gold()
    aligned = align(
        gold, pd.DataFrame(columns=["doc_id", "char_start", "char_end"]), _documents(SYNTHETIC_TEXT), fmt="docx"
    )
    assert set(aligned["status"]) == {UNLOCATED}
    aligned_txt = align(gold, pd.DataFrame(columns=["doc_id", "char_start", "char_end"]), _documents(SYNTHETIC_TEXT))
    assert set(aligned_txt["status"]) == {MISSED}
