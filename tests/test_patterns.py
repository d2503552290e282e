"""Every example and counterexample written in patterns/*.yaml is a test case (style.md §E.1).

An example with ``expect`` must yield exactly one mention with that ``value_text`` (or exactly one
mention when it names none) whose listed fields match; a plain-string example must yield no mention
and be matched by its own entry's regex. A counterexample with ``not`` must yield no mention having
all those fields; a plain-string counterexample must yield no mention at all. ``xfail`` marks a known
gap as a strict xfail.
"""

from __future__ import annotations

import math
from typing import Any

import pytest

from extractors.lexicon import PatternExample, load_lexicon
from extractors.mentions import explain
from extractors.model import ExtractionContext, MentionMatch
from extractors.rules import fold, search_all

LEXICON = load_lexicon()
CONTEXT_KEYS = {
    "report_period",
    "report_year",
    "doc_kind",
    "entity",
    "entity_level",
    "in_plan_part",
    "row_header",
    "col_header",
}


def _context(example: PatternExample) -> ExtractionContext:
    unknown = set(example.context) - CONTEXT_KEYS
    assert not unknown, f"unknown context keys {unknown}"
    values = dict(example.context)
    return ExtractionContext(**values)


def _same(actual: Any, expected: Any) -> bool:
    if expected is None or actual is None:
        return actual is expected or (actual is None and expected is None)
    if isinstance(expected, bool):
        return actual == expected
    if isinstance(expected, int | float) and isinstance(actual, int | float):
        return math.isclose(actual, expected, rel_tol=1e-9, abs_tol=1e-12)
    return str(actual) == str(expected)


def _mismatches(mention: MentionMatch, fields: dict[str, Any]) -> list[str]:
    problems = []
    for key, expected in fields.items():
        actual = getattr(mention, key)
        if key in ("flags", "rule_ids"):
            missing = set(expected) - set(actual)
            if missing:
                problems.append(f"{key}: missing {sorted(missing)} in {actual}")
        elif not _same(actual, expected):
            problems.append(f"{key}: expected {expected!r}, got {actual!r}")
    return problems


def _own_regex_matches(example: PatternExample) -> bool:
    for rule in LEXICON.nonquantities:
        if rule.id == example.rule_id:
            source = example.text if rule.case_sensitive else fold(example.text)
            return bool(search_all(rule.pattern, source))
    return True


def _describe(mentions: list[MentionMatch]) -> str:
    return "\n".join(
        f"  {m.value_text!r} value={m.value} unit={m.unit!r} measure={m.measure} q={m.qualifier} period={m.period}"
        f" ref={m.reference_period} flags={m.flags} rules={m.rule_ids}"
        for m in mentions
    )


def _param(example: PatternExample) -> Any:
    kind = "counter" if example.counter else "example"
    marks = [pytest.mark.xfail(strict=True, reason=example.xfail)] if example.xfail else []
    return pytest.param(example, id=f"{example.file}::{example.rule_id}::{kind}{example.index}", marks=marks)


@pytest.mark.parametrize("example", [_param(e) for e in LEXICON.examples])
def test_pattern_example(example: PatternExample) -> None:
    mentions = explain(example.text, _context(example), LEXICON)
    if example.counter:
        if example.absent is None:
            assert mentions == [], f"{example.text!r} must yield no mention:\n{_describe(mentions)}"
            return
        offending = [m for m in mentions if not _mismatches(m, dict(example.absent))]
        assert not offending, f"{example.text!r} must not yield {dict(example.absent)}:\n{_describe(offending)}"
        return
    if example.expect is None:
        assert _own_regex_matches(example), f"{example.rule_id} does not match its own example {example.text!r}"
        assert mentions == [], f"{example.text!r} must yield no mention:\n{_describe(mentions)}"
        return
    expect = dict(example.expect)
    value_text = expect.get("value_text")
    candidates = [m for m in mentions if value_text is None or m.value_text == value_text]
    assert len(candidates) == 1, (
        f"{example.text!r}: expected exactly one mention {value_text!r}:\n{_describe(mentions)}"
    )
    problems = _mismatches(candidates[0], expect)
    assert not problems, f"{example.text!r}: {problems}\n{_describe(mentions)}"
    assert example.text[candidates[0].start : candidates[0].end] == candidates[0].value_text


def test_every_rule_has_an_example() -> None:
    with_examples = {e.rule_id for e in LEXICON.examples if not e.counter}
    assert LEXICON.rule_ids <= with_examples


def test_patterns_hash_is_stable() -> None:
    assert load_lexicon().patterns_hash == LEXICON.patterns_hash
    assert len(LEXICON.patterns_hash) == 64
