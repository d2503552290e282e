"""Physical lines of a text dump and the paragraphs assembled from them, with footnote references carried along."""

from __future__ import annotations

from dataclasses import dataclass, field

import regex

from extractors.model import BlockKind
from pipeline.readers.base import DocumentBuilder, RawRef


@dataclass(slots=True)
class DumpLine:
    """One physical line of a dump after markup removal.

    Attributes:
        number: 1-based line number in the raw dump (provenance, Block.source_line).
        text: the line text; footnote markers already cut out.
        refs: references whose offsets point into ``text``.
        page: 1-based page (PDF-style dumps), else None.
        glue_next: the line ends in a token-internal "-" and joins the next line without a space.
        indent: number of leading spaces in the raw line.
        gap: number of blank lines right before this one in the raw dump.
    """

    number: int
    text: str
    refs: list[RawRef] = field(default_factory=list)
    page: int | None = None
    glue_next: bool = False
    indent: int = 0
    gap: int = 0

    def cut(self, start: int, end: int, key: str, marker: str) -> None:
        """Remove ``text[start:end]`` (a printed marker) and record a reference where it stood."""
        removed = end - start
        self.text = self.text[:start] + self.text[end:]
        self.refs = [
            RawRef(r.offset - removed if r.offset >= end else min(r.offset, start), r.key, r.marker, r.page)
            for r in self.refs
        ]
        self.refs.append(RawRef(start, key, marker, self.page))
        self.refs.sort(key=lambda r: r.offset)

    def cut_all(self, pattern: regex.Pattern[str], *, as_ref: bool) -> None:
        """Remove every match of ``pattern``; with ``as_ref`` each match becomes a reference keyed by group "key"."""
        while match := pattern.search(self.text):
            if as_ref:
                self.cut(match.start(), match.end(), match.group("key"), match.group("key"))
            else:
                self._delete(match.start(), match.end())

    def _delete(self, start: int, end: int) -> None:
        removed = end - start
        self.text = self.text[:start] + self.text[end:]
        self.refs = [
            RawRef(r.offset - removed if r.offset >= end else min(r.offset, start), r.key, r.marker, r.page)
            for r in self.refs
        ]

    def strip(self) -> DumpLine:
        """Drop leading and trailing whitespace, keeping reference offsets inside the new text."""
        lead = len(self.text) - len(self.text.lstrip())
        stripped = self.text.strip()
        refs = [RawRef(min(max(r.offset - lead, 0), len(stripped)), r.key, r.marker, r.page) for r in self.refs]
        return DumpLine(self.number, stripped, refs, self.page, self.glue_next, self.indent, self.gap)


@dataclass(slots=True)
class ParagraphDraft:
    """A logical paragraph being assembled from one or more physical lines."""

    first_line: int
    page: int | None = None
    raw: str = ""
    refs: list[RawRef] = field(default_factory=list)

    @classmethod
    def start(cls, line: DumpLine) -> ParagraphDraft:
        draft = cls(first_line=line.number, page=line.page)
        draft.extend(line, "")
        return draft

    def extend(self, line: DumpLine, separator: str) -> None:
        """Append ``line`` after ``separator``; its references are shifted to paragraph offsets."""
        base = len(self.raw) + len(separator)
        self.raw += separator + line.text
        self.refs.extend(RawRef(base + r.offset, r.key, r.marker, r.page) for r in line.refs)

    def add_reference_at_end(self, key: str, marker: str, page: int | None = None) -> None:
        """Record a reference whose marker was lost, standing at the current end of the paragraph."""
        self.refs.append(RawRef(len(self.raw), key, marker, page))


def block_kind(raw: str, list_item: regex.Pattern[str]) -> BlockKind:
    """LIST_ITEM for bullet paragraphs, PARAGRAPH otherwise (the section stage finds headings)."""
    return BlockKind.LIST_ITEM if list_item.search(raw.lstrip()) else BlockKind.PARAGRAPH


def emit_paragraph(builder: DocumentBuilder, draft: ParagraphDraft, list_item: regex.Pattern[str]) -> None:
    """Hand a finished paragraph to the builder (empty ones are dropped there, references kept)."""
    builder.add_block(
        block_kind(draft.raw, list_item),
        draft.raw,
        refs=draft.refs,
        page=draft.page,
        source_line=draft.first_line,
    )
