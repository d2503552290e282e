"""Legacy Vietnamese encodings: the tables, font-aware decoding in docx and PDF, and detection in text dumps."""

from __future__ import annotations

import subprocess
import unicodedata
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from extractors.legacy import (
    TCVN3,
    VNI,
    FontEncoding,
    decode_legacy,
    detect_legacy_text,
    font_encoding,
    load_legacy_tables,
)
from extractors.model import NON_BODY_KINDS
from pipeline.readers import read_document
from pipeline.readers.docx_text import W_P, LegacyFonts, paragraph_text
from pipeline.readers.text import decode_dump
from tests.conftest import ROOT, corpus_file
from tests.hostile.bad_inputs import text_pdf

TCVN3_DOCX = ROOT / "corpus" / "variants" / "tcvn3.docx"
TABLES = load_legacy_tables()


@pytest.mark.parametrize(
    ("encoding", "example"),
    [(encoding, example) for encoding, examples in TABLES.examples.items() for example in examples],
    ids=lambda value: getattr(value, "legacy", value),
)
def test_yaml_examples_decode_exactly(encoding: str, example) -> None:
    font = font_encoding(example.font, TABLES) if example.font else FontEncoding(encoding)
    assert font is not None and font.encoding == encoding
    assert decode_legacy(example.legacy, font, TABLES) == example.unicode


@pytest.mark.parametrize("example", TABLES.detector_examples, ids=lambda e: e.text[:30])
def test_detector_examples(example) -> None:
    assert detect_legacy_text(example.text, TABLES).encoding == example.expect


def test_tcvn3_letters_agree_with_glibc_iconv() -> None:
    """Every byte the table decodes to a Vietnamese letter gives the same letter through iconv TCVN5712-1."""
    checked = 0
    for code in range(0xA1, 0x100):
        char = bytes([code]).decode("latin-1")
        ours = TABLES.tcvn3.get(char, char if char == "ý" else None)  # ý (0xFD) is its own Latin-1 character
        if ours is None:
            continue
        done = subprocess.run(["iconv", "-f", "TCVN5712-1", "-t", "UTF-8"], input=bytes([code]), capture_output=True)
        assert unicodedata.normalize("NFC", done.stdout.decode("utf-8")) == ours, hex(code)
        checked += 1
    assert checked == 74  # Ă Â Ê Ô Ơ Ư Đ, ă â ê ô ơ ư đ, 12 vowels x 5 tones


def test_font_names() -> None:
    assert font_encoding(".VnTime", TABLES) == FontEncoding(TCVN3)
    assert font_encoding(".VnArial NarrowH", TABLES) == FontEncoding(TCVN3, upper_case=True)
    assert font_encoding("ABCDEF+.VnTimeH,Bold", TABLES) == FontEncoding(TCVN3, upper_case=True)
    assert font_encoding("VNI-Times", TABLES) == FontEncoding(VNI)
    assert font_encoding("Times New Roman", TABLES) is None
    assert font_encoding("Vni", TABLES) is None


def test_unicode_text_is_left_alone_by_the_detector() -> None:
    for path in sorted((ROOT / "corpus" / "txt").glob("*.txt")):
        assert detect_legacy_text(path.read_text(encoding="utf-8"), TABLES).encoding is None, path.name


def _tcvn3_parts() -> tuple[etree._Element, etree._Element]:
    with zipfile.ZipFile(TCVN3_DOCX) as archive:
        return etree.fromstring(archive.read("word/styles.xml")), etree.fromstring(archive.read("word/document.xml"))


def test_run_fonts_resolve_through_styles_and_defaults() -> None:
    """Runs without rFonts take the character style (VnTimeH), else the paragraph style, else the defaults."""
    styles, document = _tcvn3_parts()
    fonts = LegacyFonts(styles)
    paragraphs = [paragraph_text(p, fonts=fonts).text for p in document.iter(W_P)]
    assert "ỦY BAN NHÂN DÂN" in paragraphs
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in paragraphs
    assert "Độc lập - Tự do - Hạnh phúc" in paragraphs
    assert any(
        p.startswith("Thực hiện Văn bản số 4018/UBND-KTTH ngày 29 tháng 10 năm 2025 của Ủy ban") for p in paragraphs
    )
    assert fonts.encoding_label() == TCVN3


def test_without_fonts_paragraph_text_is_unchanged() -> None:
    _, document = _tcvn3_parts()
    first = next(document.iter(W_P))
    assert paragraph_text(first).text == "ñy ban nh©n d©n"


def test_tcvn3_docx_reads_as_the_first_40_paragraphs_of_report_000() -> None:
    """The must-show: same body blocks (kind and text) and the same footnote body as the Unicode .docx."""
    legacy = read_document(TCVN3_DOCX.read_bytes(), TCVN3_DOCX)
    reference_path = corpus_file("000", "docx")
    reference = read_document(reference_path.read_bytes(), reference_path)
    legacy_blocks = [(b.kind, legacy.block_text(b)) for b in legacy.blocks if b.kind not in NON_BODY_KINDS]
    reference_blocks = [(b.kind, reference.block_text(b)) for b in reference.blocks if b.kind not in NON_BODY_KINDS]
    assert len(legacy_blocks) == 38
    assert legacy_blocks == reference_blocks[: len(legacy_blocks)]
    legacy_notes = [legacy.text[f.body_start : f.body_end] for f in legacy.footnotes]
    reference_notes = [reference.text[f.body_start : f.body_end] for f in reference.footnotes]
    assert legacy_notes == reference_notes[: len(legacy_notes)] and legacy_notes
    assert legacy.encoding == TCVN3


def test_pdf_characters_in_legacy_fonts_are_decoded() -> None:
    pdf = text_pdf(
        [
            (b".VnTime", "ViÖt Nam t¨ng tr\xadëng 7,5%".encode("cp1252")),
            (b".VnTimeH", "céng hßa".encode("cp1252")),
            (b"VNI-Times", "Vieät Nam ñaït keá hoaïch".encode("cp1252")),
            (b"Helvetica", b"Unicode line 2023"),
        ]
    )
    document = read_document(pdf, Path("legacy.pdf"))
    lines = document.text.split("\n")
    assert "Việt Nam tăng trưởng 7,5%" in lines
    assert "CỘNG HÒA" in lines
    assert "Việt Nam đạt kế hoạch" in lines
    assert "Unicode line 2023" in lines
    assert document.encoding == "utf-8+tcvn3-chars+vni-chars"


def test_text_dump_in_tcvn3_bytes_is_detected_and_decoded() -> None:
    unicode_text = "Tình hình thực hiện Kế hoạch phát triển kinh tế - xã hội 05 năm 2021-2025 của phường Kon Tum.\n"
    reverse = {letter: char for char, letter in TABLES.tcvn3.items() if len(char) == 1 and ord(char) < 256}
    legacy = "".join(reverse.get(c, c) for c in unicode_text).encode("latin-1") * 5
    text, encoding = decode_dump(legacy)
    assert encoding == TCVN3
    assert text == unicode_text * 5


def test_text_dump_of_vni_mojibake_in_utf8_is_decoded() -> None:
    mojibake = "Toång thu ngaân saùch ñaït 1.234 tyû ñoàng, taêng 7,5% so vôùi cuøng kyø.\n" * 3
    text, encoding = decode_dump(mojibake.encode("utf-8"))
    assert encoding == "utf-8+vni"
    assert text == "Tổng thu ngân sách đạt 1.234 tỷ đồng, tăng 7,5% so với cùng kỳ.\n" * 3


def test_damaged_utf8_is_not_mistaken_for_legacy_bytes() -> None:
    data = ("Tổng thu ngân sách đạt 1.234 tỷ đồng. " * 50).encode("utf-8")[:-1]
    text, encoding = decode_dump(data)
    assert encoding == "utf-8" and text.startswith("Tổng thu ngân sách")


def test_docx_decoding_keeps_offsets_of_note_references() -> None:
    styles, _ = _tcvn3_parts()
    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    paragraph = etree.fromstring(
        f'<w:p xmlns:w="{w}"><w:r><w:t>05 ph\u00adêng(</w:t></w:r><w:r><w:footnoteReference w:id="1"/></w:r>'
        "<w:r><w:t>) thuéc</w:t></w:r></w:p>"
    )
    result = paragraph_text(paragraph, fonts=LegacyFonts(styles))
    assert result.text == "05 phường() thuộc"
    assert result.refs[0].offset == len("05 phường(")
