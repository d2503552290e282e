"""Facts consolidation: one fact per figure whatever the number of places it is printed in."""

from __future__ import annotations

import pandas as pd

from pipeline.facts import consolidate, printed_precision
from pipeline.tables import SCHEMAS


def _mention(mention_id, doc_id, value_text, value, scale=None, **fields):
    row = dict.fromkeys(SCHEMAS["mentions"].names)
    row.update(
        mention_id=mention_id,
        doc_id=doc_id,
        value_text=value_text,
        value=value,
        scale=scale,
        value_normalized=value * (scale or 1),
        unit_canonical="VND",
        entity="phường Kon Tum",
        entity_level="phường",
        indicator_code="grdp",
        period="2025",
        measure="level",
        basis="current",
        qualifier="estimate",
        in_table=False,
        in_footnote=False,
    )
    row.update(fields)
    return row


def test_text_and_table_giving_the_same_figure_are_one_fact_with_two_sources():
    mentions = pd.DataFrame(
        [
            _mention("m1", "d1", "15.472,56", 15472.56, 1e9),
            _mention("m2", "d1", "15.472.561", 15472561, 1e6, in_table=True),
        ]
    )
    facts = consolidate(mentions)
    assert len(facts) == 1
    fact = facts.iloc[0]
    assert fact.n_sources == 2 and list(fact.mention_ids) == ["m1", "m2"]
    assert not fact.conflict
    assert fact.value == 15472561e6, "the more precise printing is the agreed value"
    assert fact.is_estimate and not fact.is_target


def test_different_values_for_the_same_key_are_a_conflict_with_every_value_kept():
    mentions = pd.DataFrame(
        [
            _mention("m1", "d1", "8.581,07", 8581.07, 1e9),
            _mention("m2", "d2", "8.347,59", 8347.59, 1e9),
        ]
    )
    facts = consolidate(mentions)
    assert len(facts) == 1
    assert facts.iloc[0].conflict
    assert list(facts.iloc[0]["values"]) == [8347.59e9, 8581.07e9]
    assert list(facts.iloc[0].doc_ids) == ["d1", "d2"]


def test_different_basis_or_period_are_different_facts():
    mentions = pd.DataFrame(
        [
            _mention("m1", "d1", "8.581,07", 8581.07, 1e9, basis="constant_2010"),
            _mention("m2", "d1", "15.472,56", 15472.56, 1e9, basis="current"),
            _mention("m3", "d1", "14.112,39", 14112.39, 1e9, period="2024", qualifier="preliminary"),
        ]
    )
    facts = consolidate(mentions)
    assert len(facts) == 3
    assert not facts.conflict.any()


def test_mentions_without_code_or_period_make_no_fact():
    mentions = pd.DataFrame(
        [_mention("m1", "d1", "5", 5.0, indicator_code=None), _mention("m2", "d1", "6", 6.0, period=None)]
    )
    assert consolidate(mentions).empty


def test_printed_precision_follows_decimals_and_scale():
    assert printed_precision("2,8", None) == 0.05
    assert printed_precision("14.112.388", 1e6) == 0.5e6


def test_a_decrease_in_words_and_a_negative_table_cell_agree():
    mentions = pd.DataFrame(
        [
            _mention("m1", "d1", "14,52", 14.52, measure="growth_pct", direction="down", unit_canonical="percent"),
            _mention("m2", "d1", "-14,52", -14.52, measure="growth_pct", unit_canonical="percent", in_table=True),
        ]
    )
    facts = consolidate(mentions)
    assert len(facts) == 1 and not facts.iloc[0].conflict
    assert facts.iloc[0].value == -14.52


def test_a_count_and_an_amount_under_one_indicator_are_two_facts():
    mentions = pd.DataFrame(
        [
            _mention("m1", "d1", "5", 5.0, unit_canonical="count"),
            _mention("m2", "d1", "163.183", 163183.0, 1e6, unit_canonical="VND"),
        ]
    )
    facts = consolidate(mentions)
    assert len(facts) == 2 and not facts.conflict.any()
