"""Typed records shared by every layer: the document model that readers build and extractors read.

This is the lowest layer of chiso: it imports nothing from the project. Spans are half-open
``[start, end)`` offsets in code points of :attr:`Document.text`, the one canonical text of a report.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class BlockKind(StrEnum):
    """What a run of canonical text is, as far as the reader can tell from the format."""

    HEADING = "heading"  # a heading candidate (style, outline level or layout says so)
    PARAGRAPH = "paragraph"
    LIST_ITEM = "list_item"
    TABLE_CELL = "table_cell"
    FOOTNOTE_BODY = "footnote_body"
    HEADER_FOOTER = "header_footer"  # running headers/footers of a page, kept apart from the body
    FRONT_MATTER = "front_matter"
    BACK_MATTER = "back_matter"


#: Block kinds that are not part of the report's running body text.
NON_BODY_KINDS = frozenset({BlockKind.FOOTNOTE_BODY, BlockKind.HEADER_FOOTER})


class DocStatus(StrEnum):
    OK = "ok"
    PARTIAL = "partial"
    FAILED = "failed"
    SKIPPED = "skipped"


@dataclass(frozen=True, slots=True)
class Block:
    """One paragraph, table cell, footnote body... of the canonical text.

    Attributes:
        kind: what the reader believes the block is.
        start, end: half-open span of the block in ``Document.text``.
        page: 1-based page number where the block starts (PDF, PDF-style text dumps), else None.
        style: the format's paragraph style name (docx), if any.
        outline_level: heading level the format declares (docx outline level / Heading N), 1 = top.
        font_size: dominant font size in points (PDF), if known.
        bold: whether the block is (mostly) bold, if known.
        numbering_label: label computed from automatic numbering (docx numbering.xml), e.g. "1.2.".
        table_id, row, col: 0-based table cell coordinates for TABLE_CELL blocks.
        footnote_id: the footnote a FOOTNOTE_BODY block belongs to.
        source_line: 1-based physical line of the source where the block starts (text dumps).
        layout_table: True for cells of header/signature layout tables (not data tables).
        source_layer: "ocr" for text recognised from a page image; None for born-digital text.
        ocr_confidence: tesseract's mean word confidence (0-100) for OCR blocks.
    """

    kind: BlockKind
    start: int
    end: int
    page: int | None = None
    style: str | None = None
    outline_level: int | None = None
    font_size: float | None = None
    bold: bool | None = None
    numbering_label: str | None = None
    table_id: int | None = None
    row: int | None = None
    col: int | None = None
    footnote_id: str | None = None
    source_line: int | None = None
    layout_table: bool = False
    source_layer: str | None = None
    ocr_confidence: float | None = None


@dataclass(frozen=True, slots=True)
class Footnote:
    """A footnote: where its reference sat in the text and where its body is.

    Attributes:
        footnote_id: stable id within the document ("1", "2", ... in reference order).
        marker: the marker as printed ("1", "(6)"), or the position number when it was lost.
        ref_start: offset in ``Document.text`` where the (removed) reference marker stood, or None.
        body_start, body_end: span of the body in ``Document.text``.
        ref_page: page of the reference, when known.
    """

    footnote_id: str
    marker: str
    ref_start: int | None
    body_start: int
    body_end: int
    ref_page: int | None = None


@dataclass(slots=True)
class Document:
    """The canonical reading of one input file.

    ``text`` is NFC, whitespace-normalised (runs of spaces, tabs and NBSP become one space; blocks are
    separated by one newline), free of markup and footnote markers. Body blocks come first in
    reading order; footnote bodies follow, in footnote order; running headers/footers last.
    """

    text: str
    blocks: list[Block]
    footnotes: list[Footnote]
    format: str
    n_pages: int | None = None
    encoding: str | None = None
    ocr: bool = False
    warnings: list[str] = field(default_factory=list)

    def block_text(self, block: Block) -> str:
        return self.text[block.start : block.end]

    def body_text(self) -> str:
        """The running body (no footnote bodies, no headers/footers), one block per line."""
        return "\n".join(self.block_text(b) for b in self.blocks if b.kind not in NON_BODY_KINDS)


class Measure(StrEnum):
    """What a number means in its frame (contract.md, mentions.measure)."""

    LEVEL = "level"
    PCT_OF_PLAN = "pct_of_plan"
    PCT_OF_BUDGET = "pct_of_budget"
    GROWTH_PCT = "growth_pct"
    RATIO_TO_REFERENCE_PCT = "ratio_to_reference_pct"
    CHANGE_ABS = "change_abs"
    CHANGE_PP = "change_pp"  # a change in percentage points ("giảm 1,2 điểm phần trăm")
    SHARE_PCT = "share_pct"
    RATE_PCT = "rate_pct"
    FRACTION = "fraction"
    RANK = "rank"
    TARGET = "target"
    AVG_GROWTH_PCT = "avg_growth_pct"


class Qualifier(StrEnum):
    EXACT = "exact"
    ESTIMATE = "estimate"
    PRELIMINARY = "preliminary"
    APPROX = "approx"
    MORE_THAN = "more_than"
    LESS_THAN = "less_than"
    AT_LEAST = "at_least"
    AT_MOST = "at_most"


class PeriodKind(StrEnum):
    YEAR = "year"
    YTD = "ytd"
    QUARTER = "quarter"
    MONTH = "month"
    MULTI_YEAR = "multi_year"
    AS_OF = "as_of"
    SEASON = "season"
    SCHOOL_YEAR = "school_year"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class ExtractionContext:
    """What an extractor knows about where a sentence comes from.

    Attributes:
        report_period: the document's own period in contract notation ("2023", "2020-01..2020-09").
        report_year: the year relative expressions ("năm nay", "cùng kỳ") resolve against.
        doc_kind: "báo cáo", "kế hoạch", ...
        entity, entity_level: the document's own administrative unit.
        section_path: titles of the enclosing sections, outermost first (plan parts mark targets).
        in_plan_part: True when the sentence sits in a plan/direction part ("phương hướng, nhiệm vụ").
        row_header, col_header: for table cells, the headers that give subject, unit and period.
    """

    report_period: str | None = None
    report_year: int | None = None
    doc_kind: str | None = None
    entity: str | None = None
    entity_level: str | None = None
    section_path: tuple[str, ...] = ()
    in_plan_part: bool = False
    row_header: str | None = None
    col_header: str | None = None


@dataclass(frozen=True, slots=True)
class MentionMatch:
    """One numeric fact found by the extractor, offsets relative to the text it was given.

    ``text[start:end] == value_text`` always holds. ``flags`` carries anomalies a QA reader should
    see ("english_decimal", "malformed_number", "range_lower", "range_upper", ...); ``rule_ids``
    names every pattern entry that fired, for `chiso explain`.
    """

    start: int
    end: int
    value_text: str
    value: float | None
    denominator: float | None = None
    unit: str | None = None
    unit_canonical: str | None = None
    scale: float | None = None
    value_normalized: float | None = None
    measure: Measure = Measure.LEVEL
    direction: str | None = None
    qualifier: Qualifier = Qualifier.EXACT
    period: str | None = None
    period_kind: PeriodKind = PeriodKind.UNKNOWN
    reference_period: str | None = None
    basis: str | None = None
    subject: str | None = None
    indicator_code: str | None = None
    entity: str | None = None
    entity_level: str | None = None
    flags: tuple[str, ...] = ()
    rule_ids: tuple[str, ...] = ()
