"""Style inheritance for the docx reader: names, outline levels, bold, list numbering and table borders.

python-docx exposes styles but not the resolved values the reader needs (a property set on a base
style, a run style or the document defaults). This module walks ``w:basedOn`` chains itself.

Files produced by some converters define the same ``w:styleId`` twice (a stock definition, then a
custom one appended later). The name is taken from the first definition, as python-docx and Word's
style gallery do; properties from later definitions override earlier ones, because the appended
definition is the one the producer meant.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from docx.styles import BabelFish
from lxml import etree

from pipeline.readers.docx_text import W_VAL, w

_OFF = frozenset({"0", "false", "off", "none"})
_INVISIBLE_BORDERS = frozenset({"nil", "none"})
_BORDER_SIDES = ("top", "left", "bottom", "right", "start", "end", "insideH", "insideV")
_HEADING_NAME = re.compile(r"^heading\s*(\d)$", re.IGNORECASE)
#: tblLook bits (ECMA-376 §17.7.6) of the conditional formats that draw header/footer rows and columns.
_LOOK_BITS = {"firstRow": 0x0020, "lastRow": 0x0040, "firstCol": 0x0080, "lastCol": 0x0100}
_LOOK_ATTRIBUTES = {"firstRow": "firstRow", "lastRow": "lastRow", "firstCol": "firstColumn", "lastCol": "lastColumn"}


def on_off(element: etree._Element | None) -> bool | None:
    """Value of a toggle property such as ``<w:b/>`` / ``<w:b w:val="0"/>``; None when absent."""
    if element is None:
        return None
    return (element.get(W_VAL) or "true").lower() not in _OFF


def int_attr(element: etree._Element | None, name: str = W_VAL) -> int | None:
    """An integer attribute, or None when the element or attribute is missing or malformed."""
    if element is None:
        return None
    try:
        return int(element.get(name) or "")
    except ValueError:
        return None


def visible_border(borders: etree._Element | None) -> bool:
    """Whether a ``w:tblBorders`` / ``w:tcBorders`` element draws at least one line."""
    if borders is None:
        return False
    for side in _BORDER_SIDES:
        element = borders.find(w(side))
        if element is not None and (element.get(W_VAL) or "nil") not in _INVISIBLE_BORDERS:
            return True
    return False


@dataclass(slots=True)
class _Style:
    name: str | None = None
    based_on: str | None = None
    outline_level: int | None = None
    bold: bool | None = None
    num_id: str | None = None
    num_level: int | None = None
    table_borders: dict[str, bool] | None = None
    cell_borders: bool = False
    conditional_borders: dict[str, bool] | None = None


def _borders_by_side(borders: etree._Element | None) -> dict[str, bool]:
    if borders is None:
        return {}
    result = {}
    for side in _BORDER_SIDES:
        element = borders.find(w(side))
        if element is not None:
            result[side] = (element.get(W_VAL) or "nil") not in _INVISIBLE_BORDERS
    return result


class StyleSheet:
    """Resolved view of ``word/styles.xml``."""

    def __init__(self, root: etree._Element | None) -> None:
        self._styles: dict[str, _Style] = {}
        self.default_paragraph: str | None = None
        self.default_table: str | None = None
        self.default_bold = False
        if root is None:
            return
        defaults = root.find(f"{w('docDefaults')}/{w('rPrDefault')}/{w('rPr')}")
        if defaults is not None:
            self.default_bold = bool(on_off(defaults.find(w("b"))))
        for element in root.iter(w("style")):
            self._add(element)

    def _add(self, element: etree._Element) -> None:
        style_id = element.get(w("styleId"))
        if not style_id:
            return
        kind = element.get(w("type"))
        if (element.get(w("default")) or "").lower() in ("1", "true", "on"):
            if kind == "paragraph" and self.default_paragraph is None:
                self.default_paragraph = style_id
            elif kind == "table" and self.default_table is None:
                self.default_table = style_id
        style = self._styles.setdefault(style_id, _Style())
        name_element = element.find(w("name"))
        if style.name is None and name_element is not None and name_element.get(W_VAL):
            style.name = BabelFish.internal2ui(name_element.get(W_VAL))
        based_on = element.find(w("basedOn"))
        if based_on is not None and based_on.get(W_VAL) != style_id:
            style.based_on = based_on.get(W_VAL)
        p_pr = element.find(w("pPr"))
        if p_pr is not None:
            outline = int_attr(p_pr.find(w("outlineLvl")))
            if outline is not None:
                style.outline_level = outline
            num_pr = p_pr.find(w("numPr"))
            if num_pr is not None:
                num_id = num_pr.find(w("numId"))
                style.num_id = num_id.get(W_VAL) if num_id is not None else style.num_id
                style.num_level = int_attr(num_pr.find(w("ilvl"))) or 0
        bold = on_off(element.find(f"{w('rPr')}/{w('b')}"))
        if bold is not None:
            style.bold = bold
        table_borders = element.find(f"{w('tblPr')}/{w('tblBorders')}")
        if table_borders is not None:
            style.table_borders = _borders_by_side(table_borders)
        if visible_border(element.find(f"{w('tcPr')}/{w('tcBorders')}")):
            style.cell_borders = True
        for conditional in element.findall(w("tblStylePr")):
            kind_name = conditional.get(w("type")) or ""
            drawn = visible_border(conditional.find(f"{w('tcPr')}/{w('tcBorders')}")) or visible_border(
                conditional.find(f"{w('tblPr')}/{w('tblBorders')}")
            )
            style.conditional_borders = {**(style.conditional_borders or {}), kind_name: drawn}

    def _chain(self, style_id: str | None) -> list[_Style]:
        chain: list[_Style] = []
        seen: set[str] = set()
        while style_id and style_id not in seen and style_id in self._styles:
            seen.add(style_id)
            style = self._styles[style_id]
            chain.append(style)
            style_id = style.based_on
        return chain

    def name(self, style_id: str | None) -> str | None:
        style = self._styles.get(style_id or "")
        return style.name if style and style.name else style_id

    def heading_level(self, style_id: str | None) -> int | None:
        """1-based heading level a paragraph style declares (name "Heading N" or an outline level 0-8)."""
        name = self.name(style_id) or ""
        match = _HEADING_NAME.match(name.strip())
        if match and int(match.group(1)) > 0:
            return int(match.group(1))
        for style in self._chain(style_id):
            if style.outline_level is not None:
                return style.outline_level + 1 if 0 <= style.outline_level <= 8 else None
        return None

    def bold(self, style_id: str | None) -> bool | None:
        for style in self._chain(style_id):
            if style.bold is not None:
                return style.bold
        return None

    def numbering(self, style_id: str | None) -> tuple[str, int] | None:
        """(numId, ilvl) a paragraph style attaches to its paragraphs, if any."""
        for style in self._chain(style_id):
            if style.num_id is not None:
                return style.num_id, style.num_level or 0
        return None

    def draws_borders(self, style_id: str | None, look: dict[str, bool]) -> dict[str, bool] | bool:
        """Border sides a table style draws (side -> visible), or True when its cells or enabled
        conditional formats (header row...) draw lines."""
        sides: dict[str, bool] = {}
        for style in reversed(self._chain(style_id)):
            if style.cell_borders:
                return True
            for kind_name, drawn in (style.conditional_borders or {}).items():
                if drawn and look.get(kind_name, False):
                    return True
            sides.update(style.table_borders or {})
        return sides


def table_look(table_properties: etree._Element | None) -> dict[str, bool]:
    """Which conditional table formats (firstRow, lastRow, firstCol, lastCol) a table enables."""
    look = table_properties.find(w("tblLook")) if table_properties is not None else None
    if look is None:
        return {}
    try:
        bits = int(look.get(W_VAL) or "0", 16)
    except ValueError:
        bits = 0
    result = {}
    for kind_name, bit in _LOOK_BITS.items():
        attribute = look.get(w(_LOOK_ATTRIBUTES[kind_name]))
        result[kind_name] = attribute.lower() in ("1", "true", "on") if attribute is not None else bool(bits & bit)
    return result
