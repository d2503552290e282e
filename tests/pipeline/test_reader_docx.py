"""Tests of the .docx reader: the five corpus reports and small documents generated here with python-docx."""

from __future__ import annotations

import difflib
import io
import re
import unicodedata
import zipfile
from collections import Counter
from pathlib import Path

import docx
import pytest
from docx.oxml import parse_xml as oxml_parse

from extractors.model import BlockKind, Document
from pipeline.readers.base import DocumentReadError
from pipeline.readers.docx import read_docx
from pipeline.readers.xml import parse_xml
from tests.conftest import GRDP_TABLE, corpus_file

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
FOOTNOTE_COUNTS = {"000": 66, "001": 13, "002": 73, "003": 3, "004": 63}
#: (data tables, borderless layout tables) per report, from corpus/manifest.csv.
TABLE_COUNTS = {"000": (1, 1), "001": (0, 1), "002": (0, 2), "003": (0, 1), "004": (0, 0)}

_CACHE: dict[str, Document] = {}


def corpus_docx(report: str) -> Document:
    if report not in _CACHE:
        path = corpus_file(report, "docx")
        _CACHE[report] = read_docx(path.read_bytes(), path)
    return _CACHE[report]


def txt_dump(report: str) -> str:
    """The seed text dump with the POI-style markup of docx-origin dumps removed (bodies kept)."""
    text = unicodedata.normalize("NFC", corpus_file(report, "txt").read_text(encoding="utf-8"))
    text = re.sub(r"\(\[footnoteRef:\d+\]\)", "", text)
    text = re.sub(r"\[footnoteRef:\d+\]", "", text)
    text = re.sub(r"\[bookmark: [^\]]*\]", "", text)
    return re.sub(r"\[\d+: ", " ", text)


def txt_body(report: str) -> str:
    """The dump without markup and without the inline footnote bodies ``[N: ...]``."""
    text = unicodedata.normalize("NFC", corpus_file(report, "txt").read_text(encoding="utf-8"))
    text = re.sub(r"\(\[footnoteRef:\d+\]\)", "", text)
    text = re.sub(r"\[footnoteRef:\d+\]", "", text)
    text = re.sub(r"\[bookmark: [^\]]*\]", "", text)
    return re.sub(r"\[\d+: [^\]]*\]", " ", text)


def word_similarity(left: str, right: str) -> float:
    return difflib.SequenceMatcher(None, left.split(), right.split(), autojunk=False).ratio()


# -- corpus -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("report", sorted(FOOTNOTE_COUNTS))
def test_corpus_footnotes_are_complete_and_numbered_in_reference_order(report: str) -> None:
    document = corpus_docx(report)
    assert len(document.footnotes) == FOOTNOTE_COUNTS[report]
    assert [f.marker for f in document.footnotes] == [str(i) for i in range(1, FOOTNOTE_COUNTS[report] + 1)]
    starts = [f.ref_start for f in document.footnotes]
    assert None not in starts
    assert starts == sorted(starts)
    for footnote in document.footnotes:
        assert document.text[footnote.body_start : footnote.body_end].strip()
    assert not document.warnings


def test_first_footnote_of_000_links_reference_and_body() -> None:
    document = corpus_docx("000")
    first = document.footnotes[0]
    assert document.text[first.body_start : first.body_end].startswith("Gồm các phường: Quang Trung")
    assert document.text[: first.ref_start].endswith("05 phường")
    # the "(" ")" around the reference are gone, the text reads on
    assert document.text[first.ref_start :].startswith(" thuộc thành phố Kon Tum")


def test_grdp_table_of_000_is_a_data_table_of_11_rows_by_6_columns() -> None:
    document = corpus_docx("000")
    cells = [b for b in document.blocks if b.kind is BlockKind.TABLE_CELL and b.table_id == 0]
    assert cells and not any(b.layout_table for b in cells)
    grid = [[""] * 6 for _ in range(11)]
    for block in cells:
        assert block.row is not None and block.col is not None
        grid[block.row][block.col] = document.block_text(block)
    assert grid == GRDP_TABLE
    assert max(b.row for b in cells if b.row is not None) == 10
    assert max(b.col for b in cells if b.col is not None) == 5
    # the caption is a paragraph right before the table
    caption = document.blocks[document.blocks.index(cells[0]) - 1]
    assert document.block_text(caption) == "TỔNG GIÁ TRỊ SẢN PHẨM TRÊN ĐỊA BÀN"
    assert caption.style == "TableTitle"


@pytest.mark.parametrize("report", sorted(TABLE_COUNTS))
def test_corpus_layout_tables_are_flagged(report: str) -> None:
    document = corpus_docx(report)
    cells = [b for b in document.blocks if b.kind is BlockKind.TABLE_CELL]
    data_ids = {b.table_id for b in cells if not b.layout_table}
    layout_ids = {b.table_id for b in cells if b.layout_table}
    n_data, n_layout = TABLE_COUNTS[report]
    assert data_ids == set(range(n_data))
    assert layout_ids == set(range(n_data, n_data + n_layout))


def test_header_block_of_000_is_a_layout_table() -> None:
    document = corpus_docx("000")
    first = document.blocks[0]
    assert first.layout_table and (first.row, first.col) == (0, 0)
    assert document.block_text(first) == "ỦY BAN NHÂN DÂN PHƯỜNG KON TUM"
    assert document.block_text(document.blocks[1]) == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM Độc lập - Tự do - Hạnh phúc"


def test_signature_of_001_is_a_layout_table() -> None:
    document = corpus_docx("001")
    cells = [document.block_text(b) for b in document.blocks if b.layout_table]
    assert any(text.startswith("Nơi nhận:") for text in cells)
    assert any(text.endswith("Dương Anh Hùng") for text in cells)


def test_corpus_block_kinds_and_heading_levels() -> None:
    document = corpus_docx("000")
    by_text = {document.block_text(b): b for b in document.blocks}
    assert by_text["PHẦN I"].kind is BlockKind.HEADING and by_text["PHẦN I"].outline_level == 1
    heading = by_text["1.1. Về tăng trưởng và chuyển dịch cơ cấu kinh tế"]
    assert heading.kind is BlockKind.HEADING and heading.outline_level == 4 and heading.bold
    assert by_text["DỰ THẢO LẤY Ý KIẾN"].kind is BlockKind.FRONT_MATTER
    assert by_text["Kính gửi: Hội đồng nhân dân phường Kon Tum."].kind is BlockKind.FRONT_MATTER
    part_title = by_text["ĐÁNH GIÁ TÌNH HÌNH THỰC HIỆN"]
    assert part_title.kind is BlockKind.PARAGRAPH and part_title.style == "PartTitle" and part_title.bold
    list_items = [b for b in document.blocks if b.kind is BlockKind.LIST_ITEM]
    assert list_items and all(document.block_text(b)[:2] in ("- ", "+ ") for b in list_items)
    body = by_text[next(t for t in by_text if t.startswith("Thực hiện Văn bản số 4018"))]
    assert body.kind is BlockKind.PARAGRAPH and body.style == "Body Text" and body.bold is False
    assert sum(b.kind is BlockKind.HEADING for b in document.blocks) == 68


def test_corpus_page_number_headers_are_dropped() -> None:
    for report in FOOTNOTE_COUNTS:
        document = corpus_docx(report)
        assert not [b for b in document.blocks if b.kind is BlockKind.HEADER_FOOTER]


@pytest.mark.parametrize("report", ["000", "002", "004"])
def test_every_number_of_the_docx_origin_dump_is_in_the_docx_text(report: str) -> None:
    in_dump = Counter(NUMBER.findall(txt_dump(report)))
    in_docx = Counter(NUMBER.findall(corpus_docx(report).text))
    assert in_dump - in_docx == Counter()  # multiset inclusion: every occurrence, not just every value


@pytest.mark.parametrize("report", ["000", "003", "004"])
def test_body_text_matches_the_dump(report: str) -> None:
    assert word_similarity(corpus_docx(report).body_text(), txt_body(report)) >= 0.98


# -- generated documents -----------------------------------------------------------------------------


def _w(xml: str) -> str:
    return f'<w:root xmlns:w="{W_NS}">{xml}</w:root>'


def _append_xml(paragraph, xml: str) -> None:
    """Append raw WordprocessingML children to a python-docx paragraph."""
    for child in oxml_parse(_w(xml)):
        paragraph._p.append(child)


def _save(document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _rewrite(data: bytes, replace: dict[str, bytes | None]) -> bytes:
    """Copy a zip, replacing (bytes) or deleting (None) members and adding new ones."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            if name not in replace:
                target.writestr(name, source.read(name))
        for name, content in replace.items():
            if content is not None:
                target.writestr(name, content)
    return out.getvalue()


def _add_part(data: bytes, name: str, content: bytes, content_type: str, reltype: str) -> bytes:
    """Add a part related to word/document.xml (footnotes, header...)."""
    archive = zipfile.ZipFile(io.BytesIO(data))
    types = archive.read("[Content_Types].xml").decode()
    types = types.replace("</Types>", f'<Override PartName="/{name}" ContentType="{content_type}"/></Types>')
    rels = archive.read("word/_rels/document.xml.rels").decode()
    target = name.removeprefix("word/")
    rel = f'<Relationship Id="rIdTest{len(rels)}" Type="{reltype}" Target="{target}"/>'
    rels = rels.replace("</Relationships>", rel + "</Relationships>")
    return _rewrite(
        data, {"[Content_Types].xml": types.encode(), "word/_rels/document.xml.rels": rels.encode(), name: content}
    )


RT_BASE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
CT_BASE = "application/vnd.openxmlformats-officedocument.wordprocessingml"

FOOTNOTES_XML = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:footnotes xmlns:w="{W_NS}">
  <w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>
  <w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/></w:r></w:p></w:footnote>
  <w:footnote w:id="7"><w:p><w:r><w:rPr><w:rStyle w:val="FootnoteReference"/></w:rPr><w:footnoteRef/></w:r>
    <w:r><w:t xml:space="preserve"> Body of seven,</w:t></w:r></w:p>
    <w:p><w:r><w:t>second paragraph.</w:t></w:r></w:p></w:footnote>
  <w:footnote w:id="3"><w:p><w:r><w:footnoteRef/></w:r>
    <w:r><w:t xml:space="preserve"> Body of three.</w:t></w:r></w:p></w:footnote>
  <w:footnote w:id="5"><w:p><w:r><w:t>Custom-mark body.</w:t></w:r></w:p></w:footnote>
</w:footnotes>"""


def _footnoted_docx(footnotes_xml: bytes | None = FOOTNOTES_XML.encode()) -> bytes:
    document = docx.Document()
    first = document.add_paragraph("Tổng thu đạt 7.004,1")
    _append_xml(first, '<w:r><w:rPr><w:vertAlign w:val="superscript"/></w:rPr><w:footnoteReference w:id="7"/></w:r>')
    _append_xml(first, '<w:r><w:t xml:space="preserve"> tỷ đồng, kinh tế(</w:t></w:r>')
    _append_xml(first, '<w:r><w:footnoteReference w:id="3"/></w:r><w:r><w:t xml:space="preserve">) tăng.</w:t></w:r>')
    second = document.add_paragraph("Giai đoạn 2021-2026")
    _append_xml(second, '<w:r><w:footnoteReference w:customMarkFollows="1" w:id="5"/><w:t>*</w:t></w:r>')
    _append_xml(second, '<w:r><w:t xml:space="preserve"> xong.</w:t></w:r>')
    data = _save(document)
    if footnotes_xml is None:
        return data
    return _add_part(data, "word/footnotes.xml", footnotes_xml, f"{CT_BASE}.footnotes+xml", f"{RT_BASE}/footnotes")


def test_generated_footnotes_offsets_markers_and_bodies() -> None:
    document = read_docx(_footnoted_docx(), Path("gen.docx"))
    assert document.body_text() == "Tổng thu đạt 7.004,1 tỷ đồng, kinh tế tăng.\nGiai đoạn 2021-2026 xong."
    first, second, third = document.footnotes
    assert (first.marker, second.marker, third.marker) == ("1", "2", "*")
    assert document.text[: first.ref_start].endswith("7.004,1")
    assert document.text[: second.ref_start].endswith("kinh tế")
    assert document.text[: third.ref_start].endswith("2021-2026")
    assert document.text[first.body_start : first.body_end] == "Body of seven, second paragraph."
    assert document.text[second.body_start : second.body_end] == "Body of three."
    assert document.text[third.body_start : third.body_end] == "Custom-mark body."
    assert "7.004,11" not in document.text and "2021-2026*" not in document.text


def test_broken_footnotes_part_keeps_the_body_with_a_warning() -> None:
    document = read_docx(_footnoted_docx(b"<w:footnotes><unclosed>"), Path("gen.docx"))
    assert document.body_text().startswith("Tổng thu đạt 7.004,1 tỷ đồng")
    assert any("footnotes part ignored" in warning for warning in document.warnings)
    assert all(f.body_start == f.body_end for f in document.footnotes)


NUMBERING_XML = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:numbering xmlns:w="{W_NS}">
  <w:abstractNum w:abstractNumId="10">
    <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="upperRoman"/><w:lvlText w:val="%1."/></w:lvl>
    <w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%2."/></w:lvl>
    <w:lvl w:ilvl="2"><w:start w:val="1"/><w:isLgl/><w:numFmt w:val="decimal"/><w:lvlText w:val="%2.%3."/></w:lvl>
    <w:lvl w:ilvl="3"><w:start w:val="1"/><w:numFmt w:val="lowerLetter"/><w:lvlText w:val="%4)"/></w:lvl>
  </w:abstractNum>
  <w:abstractNum w:abstractNumId="11">
    <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="bullet"/><w:lvlText w:val="-"/></w:lvl>
  </w:abstractNum>
  <w:num w:numId="1"><w:abstractNumId w:val="10"/></w:num>
  <w:num w:numId="2"><w:abstractNumId w:val="11"/></w:num>
  <w:num w:numId="3"><w:abstractNumId w:val="10"/>
    <w:lvlOverride w:ilvl="1"><w:startOverride w:val="5"/></w:lvlOverride></w:num>
</w:numbering>"""


def test_generated_numbering_labels_are_computed_and_prepended() -> None:
    document = docx.Document()
    items = [
        (1, 0, "Mở đầu"),
        (1, 1, "Kinh tế"),
        (1, 2, "Nông nghiệp"),
        (1, 2, "Công nghiệp"),
        (1, 3, "Thu ngân sách"),
        (1, 3, "Chi ngân sách"),
        (1, 1, "Xã hội"),
        (1, 2, "Giáo dục"),
        (1, 0, "Phương hướng"),
        (1, 1, "Mục tiêu"),
        (2, 0, "Gạch đầu dòng"),
        (3, 1, "Danh sách khởi động lại"),
        (0, 0, "Không đánh số"),
    ]
    for num_id, level, text in items:
        paragraph = document.add_paragraph(text)
        paragraph._p.get_or_add_pPr().append(
            oxml_parse(f'<w:numPr xmlns:w="{W_NS}"><w:ilvl w:val="{level}"/><w:numId w:val="{num_id}"/></w:numPr>')
        )
    data = _rewrite(_save(document), {"word/numbering.xml": NUMBERING_XML.encode()})
    result = read_docx(data, Path("numbered.docx"))
    labels = [b.numbering_label for b in result.blocks]
    assert labels == ["I.", "1.", "1.1.", "1.2.", "a)", "b)", "2.", "2.1.", "II.", "1.", "-", "5.", None]
    texts = result.body_text().split("\n")
    assert texts[0] == "I. Mở đầu" and texts[4] == "a) Thu ngân sách" and texts[11] == "5. Danh sách khởi động lại"
    assert result.blocks[10].kind is BlockKind.LIST_ITEM
    assert texts[12] == "Không đánh số"


def test_generated_style_numbering_and_references_after_a_label() -> None:
    document = docx.Document()
    paragraph = document.add_paragraph("Chỉ tiêu", style="List Number")
    _append_xml(paragraph, '<w:r><w:footnoteReference w:id="3"/></w:r>')
    data = _save(document)
    styles = zipfile.ZipFile(io.BytesIO(data)).read("word/styles.xml").decode()
    # the stock template's "List Number" style carries its own numPr; point it at our list
    styles = re.sub(
        r'(<w:style [^>]*w:styleId="ListNumber"[^>]*>.*?<w:numId w:val=")\d+(")', r"\g<1>1\2", styles, flags=re.S
    )
    data = _rewrite(data, {"word/numbering.xml": NUMBERING_XML.encode(), "word/styles.xml": styles.encode()})
    data = _add_part(
        data, "word/footnotes.xml", FOOTNOTES_XML.encode(), f"{CT_BASE}.footnotes+xml", f"{RT_BASE}/footnotes"
    )
    result = read_docx(data, Path("styled.docx"))
    assert result.blocks[0].numbering_label == "I."
    assert result.body_text() == "I. Chỉ tiêu"
    assert result.footnotes[0].ref_start == len("I. Chỉ tiêu")


def test_generated_run_content_fields_revisions_and_headers() -> None:
    document = docx.Document()
    document.add_heading("Tổng quan", level=2)
    paragraph = document.add_paragraph()
    _append_xml(
        paragraph,
        "<w:r><w:t>Kinh</w:t><w:tab/><w:t>tế</w:t><w:br/><w:t>57</w:t><w:noBreakHyphen/><w:t>NQ/TW</w:t></w:r>"
        "<w:del><w:r><w:delText> đã xóa</w:delText></w:r></w:del>"
        '<w:ins><w:r><w:t xml:space="preserve"> thêm</w:t></w:r></w:ins>'
        '<w:hyperlink><w:r><w:t xml:space="preserve"> liên kết</w:t></w:r></w:hyperlink>'
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> REF _Ref1 </w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t xml:space="preserve"> kết quả</w:t></w:r>'
        '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
        '<w:r><w:sym w:font="Symbol" w:char="F0B3"/></w:r>',
    )
    bold = document.add_paragraph()
    bold.add_run("Đậm").bold = True
    bold.add_run(" ")
    bold.add_run("cũng đậm").bold = True
    section = document.sections[0]
    header = section.header.paragraphs[0]
    header.text = "Báo cáo tình hình kinh tế - xã hội"
    footer = section.footer.paragraphs[0]
    _append_xml(
        footer,
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> PAGE </w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>3</w:t></w:r>'
        '<w:r><w:fldChar w:fldCharType="end"/></w:r>',
    )
    result = read_docx(_save(document), Path("runs.docx"))
    heading, body, bold_block, running = result.blocks
    assert heading.kind is BlockKind.HEADING and heading.outline_level == 2 and heading.style == "Heading 2"
    assert result.block_text(body) == "Kinh tế 57-NQ/TW thêm liên kết kết quả³"
    assert bold_block.bold is True and body.bold is False
    assert running.kind is BlockKind.HEADER_FOOTER
    assert result.block_text(running) == "Báo cáo tình hình kinh tế - xã hội"
    assert "Báo cáo tình hình" not in result.body_text()


def test_generated_tables_merges_nesting_and_borders() -> None:
    document = docx.Document()
    grid = document.add_table(rows=3, cols=3)
    grid.style = "Table Grid"
    grid.cell(0, 0).merge(grid.cell(0, 1)).text = "Tiêu đề gộp"
    grid.cell(0, 2).text = "Đơn vị"
    grid.cell(1, 0).merge(grid.cell(2, 0)).text = "Gộp dọc"
    grid.cell(1, 1).text = "a"
    grid.cell(1, 2).text = "1,5"
    nested = grid.cell(2, 1).add_table(rows=1, cols=2)
    nested.cell(0, 0).text = "x"
    nested.cell(0, 1).text = "y"
    grid.cell(2, 2).text = "2,5"
    layout = document.add_table(rows=1, cols=2)  # the default template's table style draws no borders
    layout.cell(0, 0).text = "ỦY BAN NHÂN DÂN"
    layout.cell(0, 1).text = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    result = read_docx(_save(document), Path("tables.docx"))
    cells = {(b.table_id, b.row, b.col): (result.block_text(b), b.layout_table) for b in result.blocks}
    assert cells == {
        (0, 0, 0): ("Tiêu đề gộp", False),
        (0, 0, 2): ("Đơn vị", False),
        (0, 1, 0): ("Gộp dọc", False),
        (0, 1, 1): ("a", False),
        (0, 1, 2): ("1,5", False),
        (0, 2, 1): ("x y", False),
        (0, 2, 2): ("2,5", False),
        (1, 0, 0): ("ỦY BAN NHÂN DÂN", True),
        (1, 0, 1): ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", True),
    }


# -- bad input -----------------------------------------------------------------------------------------


def _minimal_docx() -> bytes:
    document = docx.Document()
    document.add_paragraph("Nội dung")
    return _save(document)


BILLION_LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
    b'<w:document xmlns:w="'
    + W_NS.encode()
    + b'"><w:body><w:p><w:r><w:t>&lol2;</w:t></w:r></w:p></w:body></w:document>'
)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "not a zip"),
        (b"PK\x03\x04 not really a zip", "not a zip"),
        (_minimal_docx()[:2000], "not a zip"),
        (_rewrite(_minimal_docx(), {"word/document.xml": None}), "without word/document.xml"),
        (_rewrite(_minimal_docx(), {"word/document.xml": b"<w:document><w:body>"}), "not well-formed"),
        (_rewrite(_minimal_docx(), {"word/document.xml": BILLION_LAUGHS}), "word/document.xml declares a DTD"),
        (_rewrite(_minimal_docx(), {"word/styles.xml": b"<w:styles"}), "XMLSyntaxError"),
        (_rewrite(_minimal_docx(), {"[Content_Types].xml": None}), "python-docx cannot open"),
    ],
)
def test_bad_input_raises_document_read_error(data: bytes, reason: str) -> None:
    with pytest.raises(DocumentReadError, match=reason) as error:
        read_docx(data, Path("bad.docx"))
    assert "\n" not in str(error.value)


def test_dtd_in_footnotes_part_is_rejected() -> None:
    footnotes = (
        b'<?xml version="1.0"?><!DOCTYPE x SYSTEM "http://example.invalid/x.dtd">'
        + FOOTNOTES_XML.split("?>", 1)[1].encode()
    )
    with pytest.raises(DocumentReadError, match=re.escape("word/footnotes.xml declares a DTD")):
        read_docx(_footnoted_docx(footnotes), Path("dtd.docx"))


def test_parse_xml_never_expands_entities() -> None:
    with pytest.raises(DocumentReadError, match="declares a DTD"):
        parse_xml(BILLION_LAUGHS, "part")
    with pytest.raises(DocumentReadError, match="not well-formed"):
        parse_xml(b"<a>", "part")
    assert parse_xml("<a>ỦY</a>".encode("utf-16")).text == "ỦY"
