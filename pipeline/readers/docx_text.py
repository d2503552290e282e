"""Visible text of WordprocessingML paragraphs, with the exact offsets of note references.

python-docx's ``Paragraph.text`` drops footnote references, so the docx reader rebuilds paragraph
text run by run: then it knows where each ``w:footnoteReference`` stood. Only what a reader of the
printed page sees is kept: deleted revisions, field instructions and page-number fields are left out.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from lxml import etree

from extractors.legacy import (
    FontEncoding,
    LegacyTables,
    decode_legacy,
    encoding_label,
    font_encoding,
    load_legacy_tables,
)

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"


def w(local: str) -> str:
    """Clark name of a WordprocessingML element or attribute: ``w("p")`` -> ``{...main}p``."""
    return f"{{{W}}}{local}"


W_P, W_R, W_T, W_TBL, W_TR, W_TC, W_SDT, W_SDT_CONTENT = (
    w(n) for n in ("p", "r", "t", "tbl", "tr", "tc", "sdt", "sdtContent")
)
W_VAL, W_ID = w("val"), w("id")

#: Elements whose children are read as if they stood in the paragraph itself.
_TRANSPARENT = frozenset(
    w(n)
    for n in ("hyperlink", "smartTag", "ins", "moveTo", "customXml", "sdt", "sdtContent", "bdo", "dir", "fldSimple")
)
#: Characters a run element stands for. Line breaks become spaces: one logical paragraph is one block.
_CHAR_ELEMENTS = {
    w("tab"): " ",
    w("ptab"): " ",
    w("br"): " ",
    w("cr"): " ",
    w("noBreakHyphen"): "-",
    w("softHyphen"): "",
}
#: Fields whose result is a page counter; the reader contract drops page numbers.
PAGE_FIELDS = frozenset({"PAGE", "NUMPAGES", "SECTIONPAGES"})
_TRUE = frozenset({"1", "true", "on"})


@dataclass(frozen=True, slots=True)
class NoteRef:
    """A footnote or endnote reference found in a paragraph.

    Attributes:
        offset: position in :attr:`ParagraphText.text` where the reference stood.
        note_type: "footnote" or "endnote".
        note_id: the ``w:id`` linking the reference to its body.
        custom_mark: the mark typed after a ``w:customMarkFollows`` reference (cut from the text), else None.
    """

    offset: int
    note_type: str
    note_id: str
    custom_mark: str | None = None


@dataclass(slots=True)
class ParagraphText:
    """Text of one paragraph (or of several joined by :meth:`extend`) and its note references."""

    text: str = ""
    refs: list[NoteRef] = field(default_factory=list)
    run_bold: list[bool] = field(default_factory=list)

    def extend(self, other: ParagraphText, separator: str = " ") -> None:
        """Append ``other`` after a separator, shifting its reference offsets."""
        shift = len(self.text) + (len(separator) if self.text else 0)
        if self.text:
            self.text += separator
        self.text += other.text
        self.refs.extend(NoteRef(r.offset + shift, r.note_type, r.note_id, r.custom_mark) for r in other.refs)
        self.run_bold.extend(other.run_bold)

    def prepend(self, prefix: str) -> None:
        """Put ``prefix`` (e.g. a numbering label plus a space) before the text."""
        self.text = prefix + self.text
        self.refs = [NoteRef(r.offset + len(prefix), r.note_type, r.note_id, r.custom_mark) for r in self.refs]

    @property
    def bold(self) -> bool | None:
        """True when every run with visible text is bold; None when there is no visible text."""
        return all(self.run_bold) if self.run_bold else None


@dataclass(slots=True)
class _Field:
    instruction: str = ""
    in_result: bool = False

    @property
    def name(self) -> str:
        words = self.instruction.split()
        return words[0].upper() if words else ""


def symbol_char(element: etree._Element) -> str:
    """The character a ``w:sym`` stands for; symbol fonts map ASCII to U+F0xx, which is undone here."""
    code_text = element.get(w("char")) or ""
    try:
        code = int(code_text, 16)
    except ValueError:
        return ""
    if 0xF020 <= code <= 0xF0FF:
        code -= 0xF000
    return chr(code) if 0 < code < 0x110000 else ""


#: rFonts attributes that name the font of Latin text (ASCII, then the rest of Latin-1 where legacy codes live).
_FONT_ATTRIBUTES = (("hAnsi", "hAnsiTheme"), ("ascii", "asciiTheme"))
#: Font name given to runs whose font comes from the theme (the spec: a theme attribute wins over the name).
THEME_FONT = "(theme)"


def _declared_font(r_pr: etree._Element | None) -> str | None:
    """The font a ``w:rPr`` declares for Latin text, THEME_FONT for a theme font, None when it says nothing."""
    fonts = r_pr.find(w("rFonts")) if r_pr is not None else None
    if fonts is None:
        return None
    for name_attribute, theme_attribute in _FONT_ATTRIBUTES:
        if fonts.get(w(theme_attribute)):
            return THEME_FONT
        if fonts.get(w(name_attribute)):
            return fonts.get(w(name_attribute))
    return None


class LegacyFonts:
    """Finds the font of each run and decodes runs set in legacy Vietnamese fonts (TCVN3, VNI) to Unicode.

    A run's font is the first declared of: its own ``w:rFonts``, its character style chain, its paragraph
    style chain, the document defaults (ECMA-376 §17.7.2). Capitals in TCVN3 "H" fonts are typed with the
    lower-case codes, so the font, not the bytes, decides the case. Runs are counted per encoding for
    :meth:`encoding_label`.
    """

    def __init__(self, styles_root: etree._Element | None, tables: LegacyTables | None = None) -> None:
        self.tables = tables or load_legacy_tables()
        self._fonts: dict[str, str] = {}
        self._based_on: dict[str, str] = {}
        self._default_font: str | None = None
        self._default_paragraph: str | None = None
        self.runs = Counter[str]()
        if styles_root is None:
            return
        self._default_font = _declared_font(styles_root.find(f"{w('docDefaults')}/{w('rPrDefault')}/{w('rPr')}"))
        for style in styles_root.iter(w("style")):
            style_id = style.get(w("styleId"))
            if not style_id:
                continue
            if style.get(w("type")) == "paragraph" and (style.get(w("default")) or "").lower() in _TRUE:
                self._default_paragraph = self._default_paragraph or style_id
            based_on = style.find(w("basedOn"))
            if based_on is not None and based_on.get(W_VAL) not in (None, style_id):
                self._based_on[style_id] = based_on.get(W_VAL)
            # A style id defined twice: the later definition is the one the producer meant (see docx_styles).
            font = _declared_font(style.find(w("rPr")))
            if font is not None:
                self._fonts[style_id] = font

    def _style_font(self, style_id: str | None) -> str | None:
        seen: set[str] = set()
        while style_id and style_id not in seen:
            seen.add(style_id)
            if style_id in self._fonts:
                return self._fonts[style_id]
            style_id = self._based_on.get(style_id)
        return None

    def paragraph_style(self, paragraph: etree._Element) -> str | None:
        style = paragraph.find(f"{w('pPr')}/{w('pStyle')}")
        return style.get(W_VAL) if style is not None else self._default_paragraph

    def run_font(self, run: etree._Element, paragraph_style: str | None) -> str | None:
        """Name of the font a run's Latin text is drawn in (THEME_FONT for theme fonts), None if undeclared."""
        r_pr = run.find(w("rPr"))
        direct = _declared_font(r_pr)
        if direct is not None:
            return direct
        run_style = r_pr.find(w("rStyle")) if r_pr is not None else None
        from_run_style = self._style_font(run_style.get(W_VAL)) if run_style is not None else None
        return from_run_style or self._style_font(paragraph_style) or self._default_font

    def encoding_of(self, run: etree._Element, paragraph_style: str | None) -> FontEncoding | None:
        return font_encoding(self.run_font(run, paragraph_style), self.tables)

    def decode(self, text: str, encoding: FontEncoding | None) -> str:
        """Decode the text of one run and count it (only runs with letters count)."""
        if any(char.isalpha() for char in text):
            self.runs[encoding.encoding if encoding else "utf-8"] += 1
        return decode_legacy(text, encoding, self.tables) if encoding else text

    def encoding_label(self) -> str | None:
        """ "tcvn3" when every run with letters was legacy, "utf-8+tcvn3-runs" for a mix, None without legacy runs."""
        return encoding_label(self.runs)


class _Collector:
    """Walks the inline content of one paragraph and accumulates its visible text."""

    def __init__(
        self,
        is_bold: Callable[[etree._Element], bool] | None,
        fonts: LegacyFonts | None = None,
        paragraph_style: str | None = None,
    ) -> None:
        self.is_bold = is_bold
        self.fonts = fonts
        self.paragraph_style = paragraph_style
        self.parts: list[str] = []
        self.length = 0
        self.refs: list[NoteRef] = []
        self.run_bold: list[bool] = []
        self.fields: list[_Field] = []
        self.awaiting_custom_mark = False

    def _emit(self, text: str) -> None:
        if text:
            self.parts.append(text)
            self.length += len(text)

    def _hidden(self) -> bool:
        # Text between a field's begin and separate is its instruction; the result of a page field is a page number.
        return any(not f.in_result or f.name in PAGE_FIELDS for f in self.fields)

    def walk(self, element: etree._Element) -> None:
        for child in element:
            tag = child.tag
            if not isinstance(tag, str):
                continue
            if tag == W_R:
                self._run(child)
            elif tag == w("fldSimple"):
                instruction = (child.get(w("instr")) or "").split()
                if not (instruction and instruction[0].upper() in PAGE_FIELDS):
                    self.walk(child)
            elif tag in _TRANSPARENT:
                self.walk(child)
            elif tag == f"{{{MC}}}AlternateContent":
                # The Fallback holds the content for consumers that do not know the Choice's namespace.
                fallback = child.find(f"{{{MC}}}Fallback")
                if fallback is not None:
                    self.walk(fallback)

    def _run(self, run: etree._Element) -> None:
        visible = False
        encoding = self.fonts.encoding_of(run, self.paragraph_style) if self.fonts is not None else None
        for child in run:
            tag = child.tag
            if not isinstance(tag, str):
                continue
            if tag == w("fldChar"):
                kind = child.get(w("fldCharType"))
                if kind == "begin":
                    self.fields.append(_Field())
                elif kind == "separate" and self.fields:
                    self.fields[-1].in_result = True
                elif kind == "end" and self.fields:
                    self.fields.pop()
            elif tag == w("instrText"):
                if self.fields and not self.fields[-1].in_result:
                    self.fields[-1].instruction += child.text or ""
            elif self._hidden():
                continue
            elif tag == W_T:
                text = child.text or ""
                if self.fonts is not None:
                    text = self.fonts.decode(text, encoding)
                if self.awaiting_custom_mark and text.strip():
                    last = self.refs[-1]
                    self.refs[-1] = NoteRef(last.offset, last.note_type, last.note_id, text.strip())
                    self.awaiting_custom_mark = False
                    continue
                self._emit(text)
                visible = visible or bool(text.strip())
            elif tag in _CHAR_ELEMENTS:
                self._emit(_CHAR_ELEMENTS[tag])
            elif tag == w("sym"):
                text = symbol_char(child)
                self._emit(text)
                visible = visible or bool(text.strip())
            elif tag in (w("footnoteReference"), w("endnoteReference")):
                note_type = "footnote" if tag == w("footnoteReference") else "endnote"
                note_id = child.get(W_ID)
                if note_id is not None:
                    self.refs.append(NoteRef(self.length, note_type, note_id))
                    self.awaiting_custom_mark = (child.get(w("customMarkFollows")) or "").lower() in _TRUE
        if visible and self.is_bold is not None:
            self.run_bold.append(self.is_bold(run))


def paragraph_text(
    paragraph: etree._Element,
    is_bold: Callable[[etree._Element], bool] | None = None,
    fonts: LegacyFonts | None = None,
) -> ParagraphText:
    """Visible text of one ``w:p`` and the offsets of its note references.

    Args:
        paragraph: a ``w:p`` element.
        is_bold: tells whether a ``w:r`` is bold (style-aware); when given, :attr:`ParagraphText.bold` is set.
        fonts: when given, runs in legacy Vietnamese fonts (TCVN3, VNI) are decoded to Unicode.

    >>> from lxml import etree
    >>> p = etree.fromstring(
    ...     f'<w:p xmlns:w="{W}"><w:r><w:t>05 phường(</w:t></w:r>'
    ...     '<w:r><w:footnoteReference w:id="20"/></w:r><w:r><w:t>) thuộc</w:t><w:tab/><w:t>x</w:t></w:r></w:p>'
    ... )
    >>> result = paragraph_text(p)
    >>> result.text, result.refs[0].offset, result.refs[0].note_id
    ('05 phường() thuộc x', 10, '20')
    """
    collector = _Collector(is_bold, fonts, fonts.paragraph_style(paragraph) if fonts is not None else None)
    collector.walk(paragraph)
    return ParagraphText("".join(collector.parts), collector.refs, collector.run_bold)
