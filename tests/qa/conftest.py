"""Builders of small contract tables for the QA unit tests: a report is a list of sentences with their mentions."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import pytest

from pipeline.tables import SCHEMAS

MENTION_COLUMNS = SCHEMAS["mentions"].names


@dataclass
class ReportBuilder:
    """Appends sentences to one document's text and records a mention for each number named."""

    doc_id: str = "d0"
    source_path: str = "corpus/docx/000_test.docx"
    doc_kind: str = "báo cáo"
    text: str = ""
    mentions: list[dict[str, Any]] = field(default_factory=list)
    footnotes: list[dict[str, Any]] = field(default_factory=list)
    sections: list[dict[str, Any]] = field(default_factory=list)

    def sentence(self, sentence: str, *numbers: tuple[str, dict[str, Any]], **common: Any) -> int:
        """Add ``sentence``; each (value_text, fields) becomes a mention at its next occurrence."""
        offset = len(self.text)
        self.text += sentence + " "
        cursor = 0
        for value_text, fields in numbers:
            found = sentence.index(value_text, cursor)
            cursor = found + len(value_text)
            self.mentions.append(self._mention(offset + found, value_text, sentence, {**common, **fields}))
        return offset

    def _mention(self, start: int, value_text: str, sentence: str, fields: dict[str, Any]) -> dict[str, Any]:
        head = value_text.split("/")[0].lstrip("-")
        value = float(head.replace(".", "").replace(",", ".")) * (-1 if value_text.startswith("-") else 1)
        row = dict.fromkeys(MENTION_COLUMNS)
        row.update(
            mention_id=f"{self.doc_id}:{start}-{start + len(value_text)}",
            doc_id=self.doc_id,
            source_path=self.source_path,
            in_footnote=False,
            in_table=False,
            char_start=start,
            char_end=start + len(value_text),
            sentence=sentence,
            value_text=value_text,
            value=value,
            scale=1.0,
            qualifier="exact",
            measure="level",
            entity="phường A",
        )
        if "/" in value_text:
            row["denominator"] = float(value_text.split("/")[1].replace(".", "").replace(",", "."))
        row.update(fields)
        if row.get("value_normalized") is None:
            row["value_normalized"] = row["value"] * (row["scale"] or 1.0)
        return row

    def tables(self, *others: ReportBuilder) -> dict[str, pd.DataFrame]:
        builders = (self, *others)
        documents = pd.DataFrame(
            [
                {
                    "doc_id": b.doc_id,
                    "source_path": b.source_path,
                    "format": b.source_path.rsplit(".", 1)[1],
                    "status": "ok",
                    "doc_kind": b.doc_kind,
                    "text": b.text,
                }
                for b in builders
            ]
        )
        mentions = pd.DataFrame([m for b in builders for m in b.mentions], columns=MENTION_COLUMNS)
        footnotes = pd.DataFrame(
            [f for b in builders for f in b.footnotes],
            columns=["doc_id", "footnote_id", "marker", "ref_start", "body_start", "body_end", "body"],
        )
        sections = pd.DataFrame(
            [s for b in builders for s in b.sections], columns=["doc_id", "section_id", "is_plan_part"]
        )
        return {"documents": documents, "mentions": mentions, "footnotes": footnotes, "sections": sections}


@pytest.fixture
def report() -> ReportBuilder:
    return ReportBuilder()
