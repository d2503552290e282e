"""The reader interface and the builder every reader uses to assemble a :class:`Document`.

Readers only decide *what* the blocks are (kind, style, page, table cell...) and where footnote
references sit in the raw text of a block. The builder owns everything that must be identical across
formats: canonical normalisation, block separators, marker removal, footnote numbering and the order
in which footnote bodies are appended after the body.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from extractors.model import Block, BlockKind, Document, Footnote
from extractors.text import canonicalize


class DocumentReadError(Exception):
    """The input cannot be read as a report (corrupt, encrypted, empty, not what it claims to be)."""


class Reader(Protocol):
    def __call__(self, data: bytes, path: Path) -> Document: ...


@dataclass(frozen=True, slots=True)
class RawRef:
    """A footnote reference found in the raw text of a block.

    Attributes:
        offset: position in the block's raw text where the marker stood (the marker itself must
            already be cut out of the raw text handed to the builder).
        key: what links the reference to its body (docx footnote id, printed number, order).
        marker: the marker as printed.
        page: page of the reference, when known.
    """

    offset: int
    key: str
    marker: str
    page: int | None = None


@dataclass(slots=True)
class _PendingBody:
    key: str
    raw: str
    marker: str | None
    page: int | None
    attrs: dict[str, Any]


@dataclass(slots=True)
class DocumentBuilder:
    """Accumulates blocks in reading order and produces the canonical Document.

    >>> b = DocumentBuilder("txt")
    >>> _ = b.add_block(BlockKind.PARAGRAPH, "Tổng\\u00a0thu đạt 97,62%", refs=[RawRef(10, "1", "1")])
    >>> b.add_footnote_body("1", "Số liệu ước.")
    >>> doc = b.build()
    >>> doc.text
    'Tổng thu đạt 97,62%\\nSố liệu ước.'
    >>> doc.footnotes[0].ref_start, doc.text[doc.footnotes[0].body_start:doc.footnotes[0].body_end]
    (10, 'Số liệu ước.')
    """

    format: str
    n_pages: int | None = None
    encoding: str | None = None
    ocr: bool = False
    _parts: list[str] = field(default_factory=list)
    _length: int = 0
    _blocks: list[Block] = field(default_factory=list)
    _refs: list[tuple[str, str, int | None, int | None]] = field(default_factory=list)
    _bodies: list[_PendingBody] = field(default_factory=list)
    _tail: list[tuple[BlockKind, str, dict[str, Any]]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def _append(self, kind: BlockKind, raw: str, refs: list[RawRef], attrs: dict[str, Any]) -> Block | None:
        text, positions = canonicalize(raw, [r.offset for r in refs])
        separator = 1 if self._parts else 0
        start = self._length + separator
        if not text:
            for ref in refs:  # a reference in an empty paragraph still counts; it points at the gap
                self._refs.append((ref.key, ref.marker, self._length, ref.page))
            return None
        if separator:
            self._parts.append("\n")
        self._parts.append(text)
        self._length = start + len(text)
        for ref, position in zip(refs, positions, strict=True):
            self._refs.append((ref.key, ref.marker, start + position, ref.page))
        block = Block(kind=kind, start=start, end=start + len(text), **attrs)
        self._blocks.append(block)
        return block

    def add_block(self, kind: BlockKind, raw: str, *, refs: list[RawRef] | None = None, **attrs: Any) -> Block | None:
        """Append one body block; returns it, or None when it is empty after normalisation."""
        if kind in (BlockKind.FOOTNOTE_BODY, BlockKind.HEADER_FOOTER):
            raise ValueError("use add_footnote_body / add_header_footer for non-body blocks")
        return self._append(kind, raw, list(refs or ()), attrs)

    def add_reference(self, key: str, marker: str, page: int | None = None) -> None:
        """Record a reference that stands at the current end of the text (e.g. a bare line break)."""
        self._refs.append((key, marker, self._length, page))

    def add_footnote_body(
        self, key: str, raw: str, *, marker: str | None = None, page: int | None = None, **attrs: Any
    ) -> None:
        """Register a footnote body; bodies are written after the body text, in footnote order."""
        self._bodies.append(_PendingBody(key, raw, marker, page, attrs))

    def add_header_footer(self, raw: str, **attrs: Any) -> None:
        self._tail.append((BlockKind.HEADER_FOOTER, raw, attrs))

    def build(self) -> Document:
        """Number footnotes in reference order, append their bodies, then headers/footers."""
        order: dict[str, int] = {}
        for key, *_ in self._refs:
            order.setdefault(key, len(order))
        for body in self._bodies:
            if body.key not in order:
                order[body.key] = len(order)
                self.warnings.append(f"footnote body {body.key!r} has no reference")
        first_ref = {}
        for key, marker, offset, page in self._refs:
            first_ref.setdefault(key, (marker, offset, page))
        footnotes: list[Footnote] = []
        merged: dict[str, _PendingBody] = {}
        for body in self._bodies:
            if body.key in merged:
                self.warnings.append(f"footnote {body.key!r} has two bodies; they were joined")
                merged[body.key].raw += " " + body.raw
            else:
                merged[body.key] = _PendingBody(body.key, body.raw, body.marker, body.page, dict(body.attrs))
        bodies = sorted(merged.values(), key=lambda b: order[b.key])
        seen_bodies = set(merged)
        for body in bodies:
            footnote_id = str(order[body.key] + 1)
            block = self._append(
                BlockKind.FOOTNOTE_BODY, body.raw, [], {"footnote_id": footnote_id, "page": body.page, **body.attrs}
            )
            marker, ref_offset, ref_page = first_ref.get(body.key, (body.marker or footnote_id, None, None))
            if block is None:
                start = end = self._length
            else:
                start, end = block.start, block.end
            footnotes.append(Footnote(footnote_id, marker, ref_offset, start, end, ref_page))
        for key, (marker, offset, page) in first_ref.items():
            if key not in seen_bodies:
                self.warnings.append(f"footnote reference {key!r} has no body")
                footnotes.append(Footnote(str(order[key] + 1), marker, offset, self._length, self._length, page))
        for kind, raw, attrs in self._tail:
            self._append(kind, raw, [], attrs)
        footnotes.sort(key=lambda f: int(f.footnote_id))
        return Document(
            text="".join(self._parts),
            blocks=self._blocks,
            footnotes=footnotes,
            format=self.format,
            n_pages=self.n_pages,
            encoding=self.encoding,
            ocr=self.ocr,
            warnings=self.warnings,
        )
