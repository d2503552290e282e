"""Header metadata: the examples in patterns/doc_meta.yaml, and whole header blocks."""

from __future__ import annotations

import pytest
import regex

from extractors.doc_meta import extract_doc_meta, load_meta_rules, period_from_title
from extractors.model import BlockKind
from pipeline.readers.base import DocumentBuilder

RULES = load_meta_rules()
DATA = RULES.raw


@pytest.mark.parametrize("text", DATA["draft"]["examples"])
def test_draft_examples(text):
    assert RULES.draft.search(text)


@pytest.mark.parametrize("text", DATA["draft"]["counterexamples"])
def test_draft_counterexamples(text):
    assert not RULES.draft.search(text)


@pytest.mark.parametrize("text", DATA["header_body"]["examples"])
def test_header_body_examples(text):
    assert RULES.header_body.match(text)


@pytest.mark.parametrize("text", DATA["header_body"]["counterexamples"])
def test_header_body_counterexamples(text):
    assert not RULES.header_body.match(text)


@pytest.mark.parametrize("example", DATA["doc_number"]["examples"], ids=lambda e: e["text"])
def test_doc_number_examples(example):
    match = RULES.doc_number.search(example["text"])
    assert match
    number = f"{match['number']}/{match['code']}" if match["number"] else None
    assert number == example["number"]


@pytest.mark.parametrize("text", DATA["issued_date"]["counterexamples"])
def test_issued_date_counterexamples(text):
    assert not RULES.issued_date.search(text)


@pytest.mark.parametrize("example", DATA["issued_date"]["examples"], ids=lambda e: e["text"])
def test_issued_date_examples(example):
    doc = _doc([example["text"]])
    meta = extract_doc_meta(doc, RULES)
    assert meta.issued_date == example["date"]
    assert meta.report_year == example["year"]


@pytest.mark.parametrize("example", [e for p in DATA["periods"] for e in p["examples"]], ids=lambda e: e["period"])
def test_period_examples(example):
    assert period_from_title(example["text"], RULES) == example["period"]


@pytest.mark.parametrize("example", [e for i in DATA["issuers"] for e in i["examples"]], ids=lambda e: e["issuer"])
def test_issuer_examples(example):
    meta = extract_doc_meta(_doc(["Nội dung.", example["text"]]), RULES)
    assert (meta.issuer, meta.entity, meta.entity_level) == (example["issuer"], example["entity"], example["level"])


def _doc(paragraphs: list[str]):
    builder = DocumentBuilder("txt")
    for paragraph in paragraphs:
        builder.add_block(BlockKind.PARAGRAPH, paragraph)
    return builder.build()


def test_full_header_block():
    doc = _doc(
        [
            "ỦY BAN NHÂN DÂN",
            "PHƯỜNG KON TUM",
            "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
            "Số: /BC-UBND",
            "P. Kon Tum, ngày tháng năm 2025",
            "DỰ THẢO LẤY Ý KIẾN",
            "BÁO CÁO",
            "Tình hình thực hiện Kế hoạch phát triển kinh tế - xã hội 05 năm 2021-2025",
            "Kính gửi: Hội đồng nhân dân phường Kon Tum.",
            "Thực hiện Văn bản số 4018/UBND-KTTH.",
        ]
    )
    meta = extract_doc_meta(doc, RULES)
    assert meta.doc_kind == "báo cáo"
    assert meta.is_draft
    assert meta.title == "Tình hình thực hiện Kế hoạch phát triển kinh tế - xã hội 05 năm 2021-2025"
    assert meta.issuer == "Ủy ban nhân dân phường Kon Tum"
    assert (meta.entity, meta.entity_level) == ("phường Kon Tum", "phường")
    assert meta.report_period == "2021..2025"
    assert meta.doc_number is None and meta.issued_date is None


def test_party_report_without_header_takes_the_most_named_province():
    doc = _doc(["BÁO CÁO", "tình hình năm 2023", *["Tỉnh ủy chỉ đạo tỉnh Kon Tum phát triển."] * 3])
    meta = extract_doc_meta(doc, RULES)
    assert (meta.issuer, meta.entity, meta.entity_level, meta.report_period) == (
        "Tỉnh ủy Kon Tum",
        "tỉnh Kon Tum",
        "tỉnh",
        "2023",
    )


def test_patterns_compile_with_regex_module():
    assert isinstance(RULES.level_name, regex.Pattern)
