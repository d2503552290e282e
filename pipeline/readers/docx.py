"""The .docx reader: body paragraphs and tables in document order, footnotes, list labels, headers.

python-docx opens the package and gives the parts and their relationships; the text itself is read
from the XML, because ``Paragraph.text`` drops footnote references and numbering labels. Every part
python-docx does not parse (footnotes, numbering, headers and footers) is parsed with the hardened
parser of :mod:`pipeline.readers.xml`; python-docx's own parser (``docx.oxml.parser``) is built with
``resolve_entities=False`` and lxml's defaults ``no_network=True, load_dtd=False``, and every part of
the container is checked for a DTD before python-docx sees it. The container itself is checked
against :class:`pipeline.limits.Limits` (members, sizes, compression ratio) from its directory
before anything is inflated, and every member is inflated as a capped stream.

Tables: each cell is one TABLE_CELL block at its first grid row/column (merged cells once). A table
nested in a cell is flattened into that cell's text, row by row, cells separated by a space. Data
tables get ``table_id`` 0, 1, ... in document order; borderless layout tables (header block,
signature block) get the ids after the last data table and ``layout_table=True``.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from collections.abc import Iterator
from io import BytesIO
from pathlib import Path

import docx
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.exceptions import PackageNotFoundError
from lxml import etree

from extractors.model import BlockKind, Document
from pipeline.limits import DEFAULT_LIMITS, Limits, open_zip, read_members
from pipeline.readers.base import DocumentBuilder, DocumentReadError, RawRef
from pipeline.readers.docx_numbering import ListNumbering, to_roman
from pipeline.readers.docx_styles import StyleSheet, int_attr, on_off, table_look, visible_border
from pipeline.readers.docx_text import (
    W_P,
    W_SDT,
    W_SDT_CONTENT,
    W_TBL,
    W_TC,
    W_TR,
    W_VAL,
    LegacyFonts,
    ParagraphText,
    paragraph_text,
    w,
)
from pipeline.readers.xml import parse_xml, reject_dtd

#: Paragraph styles (compared case- and space-insensitively, by name or id) of the document's
#: front matter: draft mark, title block, addressee. Converters and templates of Vietnamese
#: administrative documents use these names; unknown styles simply stay PARAGRAPH.
FRONT_MATTER_STYLES = frozenset(
    {"draftmark", "doctitle", "docsubtitle", "recipient", "title", "subtitle"}
    | {"headeragency", "headeragencybold", "headermotto", "headermotto2", "headernumber", "headerdate"}
)
#: Paragraph styles of the closing block: distribution list ("Nơi nhận") and signature.
BACK_MATTER_STYLES = frozenset({"sigrecipientstitle", "sigrecipients", "sigtitle", "sigblank", "signame"})
_LIST_ITEM = re.compile(r"^\s*[-+*•]\s")
#: A header or footer holding nothing but a page number (or "2/10", "- 2 -") is dropped.
_PAGE_NUMBER_ONLY = re.compile(r"^[\s\d\-–—/.|()]*$")
_SEPARATOR_NOTES = frozenset({"separator", "continuationSeparator", "continuationNotice"})
_CONTENT_TYPES = "[Content_Types].xml"


def read_docx(data: bytes, path: Path, limits: Limits = DEFAULT_LIMITS) -> Document:
    """Read a Word (.docx) report into the canonical Document.

    Args:
        data: the file's bytes.
        path: where the bytes came from (only used in messages).
        limits: zip limits (members, sizes, compression ratio) checked before anything is inflated.

    Raises:
        LimitExceeded: the container breaks one of ``limits`` (a zip bomb); the message names it.
        DocumentReadError: not a zip, no word/document.xml, malformed or DTD-carrying XML, or a
            package python-docx cannot open.
    """
    _check_container(data, limits)
    try:
        package = docx.Document(BytesIO(data))
    except (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile, zlib.error, etree.LxmlError) as exc:
        raise DocumentReadError(f"python-docx cannot open {path.name}: {type(exc).__name__}: {exc}") from exc
    try:
        return _DocxReader(package).read()
    except (KeyError, ValueError, IndexError, AttributeError, TypeError, etree.LxmlError) as exc:
        # python-docx resolves relationships and styles lazily; a package that loads but is
        # inconsistent (dangling relationship, malformed style part) must still fail as a read error.
        raise DocumentReadError(f"inconsistent Word package {path.name}: {type(exc).__name__}: {exc}") from exc


def _check_container(data: bytes, limits: Limits) -> None:
    """Check the zip directory, inflate every member under caps, and refuse any XML part with a DTD.

    Runs before python-docx opens the package, so python-docx only ever sees members whose real
    sizes were measured and XML parts proven free of DTDs (its own parser resolves no entities
    either, but a DOCTYPE in any part is a crafted file and the whole document is refused).
    """
    with open_zip(data, limits) as archive:
        if "word/document.xml" not in set(archive.namelist()):
            raise DocumentReadError("zip container without word/document.xml: not a Word document")
        members = read_members(archive, limits)
    content_types = _content_types(members.get(_CONTENT_TYPES))
    for name, content in members.items():
        if _is_xml_member(name, content_types):
            reject_dtd(content, name)
    parse_xml(members["word/document.xml"], "word/document.xml")


def _content_types(data: bytes | None) -> tuple[dict[str, str], dict[str, str]]:
    """Content types by part name (overrides) and by extension (defaults), both lower-cased."""
    if data is None:
        return {}, {}
    reject_dtd(data, _CONTENT_TYPES)
    try:
        root = parse_xml(data, _CONTENT_TYPES)
    except DocumentReadError:
        return {}, {}  # python-docx reports a broken [Content_Types].xml itself
    overrides, defaults = {}, {}
    for element in root:
        if not isinstance(element.tag, str):
            continue
        kind = (element.get("ContentType") or "").lower()
        if element.tag.endswith("}Override") and element.get("PartName"):
            overrides[element.get("PartName", "").lstrip("/").lower()] = kind
        elif element.tag.endswith("}Default") and element.get("Extension"):
            defaults[element.get("Extension", "").lower()] = kind
    return overrides, defaults


def _is_xml_member(name: str, content_types: tuple[dict[str, str], dict[str, str]]) -> bool:
    """Whether any parser may read the member as XML: by its name, or by the content type the package gives it.

    python-docx picks a part's parser from its content type, not its name, so a styles part stored
    as ``word/styles.bin`` with an XML content type is parsed as XML and must be checked as XML.
    """
    lowered = name.lower()
    if lowered.endswith((".xml", ".rels")):
        return True
    overrides, defaults = content_types
    kind = overrides.get(lowered) or defaults.get(lowered.rsplit(".", 1)[-1] if "." in lowered else "", "")
    return "xml" in kind


def _related_parts(package_part, reltype: str) -> list:
    parts = [rel.target_part for rel in package_part.rels.values() if rel.reltype == reltype and not rel.is_external]
    return sorted(parts, key=lambda part: str(part.partname))


def _children(element: etree._Element, tag: str) -> Iterator[etree._Element]:
    """Children with ``tag``, looking through content controls and custom XML wrappers."""
    for child in element:
        if child.tag == tag:
            yield child
        elif child.tag in (W_SDT, W_SDT_CONTENT, w("customXml")):
            yield from _children(child, tag)


def _top_level_tables(body: etree._Element) -> list[etree._Element]:
    tables = []
    for child in body:
        if child.tag == W_TBL:
            tables.append(child)
        elif child.tag in (W_SDT, W_SDT_CONTENT, w("customXml")):
            tables.extend(_top_level_tables(child))
    return tables


class _DocxReader:
    def __init__(self, package) -> None:
        self.package = package
        self.part = package.part
        self.builder = DocumentBuilder(format="docx")
        self.styles = StyleSheet(package.styles.element)
        self.fonts = LegacyFonts(package.styles.element)
        self.numbering = ListNumbering(self._optional_part(RT.NUMBERING, "numbering"))
        self.note_numbers = {"footnote": 0, "endnote": 0}

    def _optional_part(self, reltype: str, what: str) -> etree._Element | None:
        parts = _related_parts(self.part, reltype)
        if not parts:
            return None
        try:
            return parse_xml(parts[0].blob, str(parts[0].partname))
        except DocumentReadError as exc:
            self.builder.warnings.append(f"{what} part ignored: {exc}")
            return None

    def read(self) -> Document:
        body = self.package.element.body
        self.table_ids = self._number_tables(_top_level_tables(body))
        self._body(body)
        self._notes("footnote", RT.FOOTNOTES)
        self._notes("endnote", RT.ENDNOTES)
        self._headers_footers()
        self.builder.encoding = self.fonts.encoding_label()
        return self.builder.build()

    # -- body ---------------------------------------------------------------------------------

    def _body(self, container: etree._Element) -> None:
        for child in container:
            if child.tag == W_P:
                self._paragraph(child)
            elif child.tag == W_TBL:
                self._table(child)
            elif child.tag in (W_SDT, W_SDT_CONTENT, w("customXml")):
                self._body(child)

    def _style_id(self, paragraph: etree._Element) -> str | None:
        style = paragraph.find(f"{w('pPr')}/{w('pStyle')}")
        return style.get(W_VAL) if style is not None else self.styles.default_paragraph

    def _is_bold(self, paragraph_style: str | None):
        def is_bold(run: etree._Element) -> bool:
            r_pr = run.find(w("rPr"))
            if r_pr is not None:
                direct = on_off(r_pr.find(w("b")))
                if direct is not None:
                    return direct
                run_style = r_pr.find(w("rStyle"))
                if run_style is not None:
                    from_run_style = self.styles.bold(run_style.get(W_VAL))
                    if from_run_style is not None:
                        return from_run_style
            from_paragraph = self.styles.bold(paragraph_style)
            return self.styles.default_bold if from_paragraph is None else from_paragraph

        return is_bold

    def _read_paragraph(self, paragraph: etree._Element) -> tuple[ParagraphText, str | None, str | None]:
        """Text (with its numbering label prepended), style id and label of one paragraph."""
        style_id = self._style_id(paragraph)
        text = paragraph_text(paragraph, self._is_bold(style_id), self.fonts)
        label = self._numbering_label(paragraph, style_id)
        if label:
            text.prepend(label + " ")
        return text, style_id, label

    def _numbering_label(self, paragraph: etree._Element, style_id: str | None) -> str | None:
        num_pr = paragraph.find(f"{w('pPr')}/{w('numPr')}")
        from_style = self.styles.numbering(style_id)
        if num_pr is not None:
            num_id_element = num_pr.find(w("numId"))
            num_id = num_id_element.get(W_VAL) if num_id_element is not None else None
            level = int_attr(num_pr.find(w("ilvl")))
            if num_id is None and from_style is not None:
                num_id = from_style[0]
            if level is None:
                level = from_style[1] if from_style is not None else 0
        elif from_style is not None:
            num_id, level = from_style
        else:
            return None
        if not num_id or num_id == "0":
            return None
        return self.numbering.label(num_id, level)

    def _refs(self, text: ParagraphText) -> list[RawRef]:
        refs = []
        for ref in text.refs:
            if ref.custom_mark is not None:
                marker = ref.custom_mark
            else:
                self.note_numbers[ref.note_type] += 1
                number = self.note_numbers[ref.note_type]
                # Word's defaults: footnotes 1, 2, 3...; endnotes i, ii, iii...
                marker = str(number) if ref.note_type == "footnote" else to_roman(number).lower()
            refs.append(RawRef(ref.offset, _note_key(ref.note_type, ref.note_id), marker))
        return refs

    def _paragraph(self, paragraph: etree._Element) -> None:
        text, style_id, label = self._read_paragraph(paragraph)
        outline = self._outline_level(paragraph, style_id)
        style_name = self.styles.name(style_id)
        style_key = re.sub(r"\s+", "", (style_name or "")).lower()
        id_key = (style_id or "").lower()
        if outline is not None:
            kind = BlockKind.HEADING
        elif style_key in FRONT_MATTER_STYLES or id_key in FRONT_MATTER_STYLES:
            kind = BlockKind.FRONT_MATTER
        elif style_key in BACK_MATTER_STYLES or id_key in BACK_MATTER_STYLES:
            kind = BlockKind.BACK_MATTER
        elif _LIST_ITEM.match(text.text):
            kind = BlockKind.LIST_ITEM
        else:
            kind = BlockKind.PARAGRAPH
        self.builder.add_block(
            kind,
            text.text,
            refs=self._refs(text),
            style=style_name,
            outline_level=outline,
            bold=text.bold,
            numbering_label=label,
        )

    def _outline_level(self, paragraph: etree._Element, style_id: str | None) -> int | None:
        direct = int_attr(paragraph.find(f"{w('pPr')}/{w('outlineLvl')}"))
        if direct is not None:
            return direct + 1 if 0 <= direct <= 8 else None
        return self.styles.heading_level(style_id)

    # -- tables -------------------------------------------------------------------------------

    def _is_layout(self, table: etree._Element) -> bool:
        """A table that draws no line at all is a layout device (header block, signature block)."""
        properties = table.find(w("tblPr"))
        style = properties.find(w("tblStyle")) if properties is not None else None
        style_id = style.get(W_VAL) if style is not None else self.styles.default_table
        from_style = self.styles.draws_borders(style_id, table_look(properties))
        if from_style is True:
            return False
        sides = dict(from_style) if isinstance(from_style, dict) else {}
        direct = properties.find(w("tblBorders")) if properties is not None else None
        if direct is not None:
            for side in list(sides) + [child.tag.split("}")[-1] for child in direct if isinstance(child.tag, str)]:
                element = direct.find(w(side))
                if element is not None:
                    sides[side] = (element.get(W_VAL) or "nil") not in ("nil", "none")
        if any(sides.values()):
            return False
        return not any(visible_border(cell.find(f"{w('tcPr')}/{w('tcBorders')}")) for cell in table.iter(W_TC))

    def _number_tables(self, tables: list[etree._Element]) -> dict[etree._Element, tuple[int, bool]]:
        layout = [self._is_layout(table) for table in tables]
        data_count = layout.count(False)
        ids: dict[etree._Element, tuple[int, bool]] = {}
        next_data, next_layout = 0, data_count
        for table, is_layout in zip(tables, layout, strict=True):
            if is_layout:
                ids[table] = (next_layout, True)
                next_layout += 1
            else:
                ids[table] = (next_data, False)
                next_data += 1
        return ids

    def _table(self, table: etree._Element) -> None:
        table_id, is_layout = self.table_ids.get(table, (len(self.table_ids), self._is_layout(table)))
        for row_index, row in enumerate(_children(table, W_TR)):
            col = int_attr(row.find(f"{w('trPr')}/{w('gridBefore')}")) or 0
            for cell in _children(row, W_TC):
                properties = cell.find(w("tcPr"))
                span = int_attr(properties.find(w("gridSpan"))) if properties is not None else None
                merge = properties.find(w("vMerge")) if properties is not None else None
                continues_above = merge is not None and (merge.get(W_VAL) or "continue") == "continue"
                if not continues_above:
                    self._cell(cell, table_id, row_index, col, is_layout)
                col += max(span or 1, 1)

    def _cell_text(self, cell: etree._Element) -> tuple[ParagraphText, str | None]:
        text = ParagraphText()
        first_style: str | None = None
        for child in cell:
            if child.tag == W_P:
                part, style_id, _ = self._read_paragraph(child)
                first_style = first_style or style_id
                text.extend(part)
            elif child.tag == W_TBL:
                for row in _children(child, W_TR):
                    for nested in _children(row, W_TC):
                        text.extend(self._cell_text(nested)[0])
            elif child.tag in (W_SDT, W_SDT_CONTENT, w("customXml")):
                text.extend(self._cell_text(child)[0])
        return text, first_style

    def _cell(self, cell: etree._Element, table_id: int, row: int, col: int, is_layout: bool) -> None:
        text, style_id = self._cell_text(cell)
        self.builder.add_block(
            BlockKind.TABLE_CELL,
            text.text,
            refs=self._refs(text),
            style=self.styles.name(style_id),
            bold=text.bold,
            table_id=table_id,
            row=row,
            col=col,
            layout_table=is_layout,
        )

    # -- notes, headers, footers --------------------------------------------------------------

    def _notes(self, note_type: str, reltype: str) -> None:
        root = self._optional_part(reltype, f"{note_type}s")
        if root is None:
            return
        for note in root.findall(w(note_type)):
            if (note.get(w("type")) or "normal") in _SEPARATOR_NOTES or note.get(w("id")) is None:
                continue
            body = ParagraphText()
            for paragraph in note.iter(W_P):
                body.extend(paragraph_text(paragraph, fonts=self.fonts))
            self.builder.add_footnote_body(_note_key(note_type, note.get(w("id"))), body.text)

    def _headers_footers(self) -> None:
        seen: set[str] = set()
        for reltype, what in ((RT.HEADER, "header"), (RT.FOOTER, "footer")):
            for part in _related_parts(self.part, reltype):
                try:
                    root = parse_xml(part.blob, str(part.partname))
                except DocumentReadError as exc:
                    self.builder.warnings.append(f"{what} part ignored: {exc}")
                    continue
                text = " ".join(paragraph_text(p, fonts=self.fonts).text for p in root.iter(W_P))
                normalized = " ".join(text.split())
                if normalized and normalized not in seen and not _PAGE_NUMBER_ONLY.match(normalized):
                    seen.add(normalized)
                    self.builder.add_header_footer(text, style=what)


def _note_key(note_type: str, note_id: str) -> str:
    # Footnote and endnote ids are separate number spaces; keys must not collide.
    return note_id if note_type == "footnote" else f"endnote:{note_id}"
