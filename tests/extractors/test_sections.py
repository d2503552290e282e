"""Section outline: the label grammar and cues of patterns/sections.yaml, and build_outline on small documents."""

from __future__ import annotations

from pathlib import Path

import pytest

from extractors.model import BlockKind, Document
from extractors.patterns_io import PatternFileError
from extractors.sections import (
    SECTIONS_PATH,
    SHAPE_NAMES,
    SectionKind,
    build_outline,
    load_section_rules,
    match_label,
    section_at,
)
from extractors.text import fold_for_matching
from pipeline.readers.base import DocumentBuilder, RawRef

RULES = load_section_rules()


# ------------------------------------------------------------------------------------------- rules as data


@pytest.mark.parametrize(
    ("label_type", "text", "label"),
    [(rule.name, text, label) for rule in RULES.labels for text, label in rule.examples],
)
def test_label_examples_match_their_type(label_type: str, text: str, label: str) -> None:
    found = match_label(text, RULES)
    assert found is not None, text
    assert (found.label_type, found.label) == (label_type, label)


@pytest.mark.parametrize("text", [text for rule in RULES.labels for text in rule.counterexamples])
def test_label_counterexamples_are_no_label_at_all(text: str) -> None:
    assert match_label(text, RULES) is None


@pytest.mark.parametrize(
    "text", ["2.503 văn bản", "97,5% trở lên", "9 tháng đầu năm", "12/2025.", "2025).", "2.8180", "18.938,78 tỷ"]
)
def test_numbers_at_a_block_start_are_not_labels(text: str) -> None:
    assert match_label(text, RULES) is None


CUE_GROUPS = {
    "front_matter": RULES.front_matter,
    "body_start": RULES.body_start,
    "back_matter": RULES.back_matter,
    "plan_cues": RULES.plan_cues,
    "result_cues": RULES.result_cues,
}


@pytest.mark.parametrize(
    ("group", "name", "text", "expected"),
    [
        (group, cue.name, text, expected)
        for group, cues in CUE_GROUPS.items()
        for cue in cues
        for texts, expected in ((cue.examples, True), (cue.counterexamples, False))
        for text in texts
    ],
)
def test_cue_examples(group: str, name: str, text: str, expected: bool) -> None:
    cue = next(c for c in CUE_GROUPS[group] if c.name == name)
    assert (cue.search(fold_for_matching(text)) is not None) is expected, (group, name, text)


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        (name, text, expected)
        for name in SHAPE_NAMES
        for texts, expected in ((getattr(RULES, name).examples, True), (getattr(RULES, name).counterexamples, False))
        for text in texts
    ],
)
def test_shape_examples_on_the_unfolded_text(name: str, text: str, expected: bool) -> None:
    assert (getattr(RULES, name).search(text) is not None) is expected, (name, text)


def _write_variant(tmp_path: Path, old: str, new: str) -> Path:
    source = SECTIONS_PATH.read_text(encoding="utf-8")
    assert old in source
    path = tmp_path / "sections.yaml"
    path.write_text(source.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("  heading_max_chars: 280", "  heading_max_charz: 280", "missing key"),
        ("  - name: addressee\n", "  - name: addressee\n    colour: red\n", "unknown key"),
        ("pattern: '^kính gửi\\b'", "pattern: '^kính gửi(\\b'", "does not compile"),
        ('examples: ["Kính gửi: Hội đồng nhân dân phường Kon Tum."]', "examples: []", "at least one example"),
        ("  - name: bullet\n", "  - name: bulet\n", "expected exactly sentence_break, list_start, bullet"),
    ],
)
def test_loader_rejects_malformed_rule_files(tmp_path: Path, old: str, new: str, message: str) -> None:
    path = _write_variant(tmp_path, old, new)
    with pytest.raises(PatternFileError, match=message):
        load_section_rules(path)


# ------------------------------------------------------------------------------------------- outlines


def make_document(*blocks: str | tuple[BlockKind, str], footnotes: dict[int, str] | None = None) -> Document:
    """A document from block texts; ``footnotes`` maps a block index to a footnote body referenced at its end."""
    builder = DocumentBuilder("txt")
    for index, block in enumerate(blocks):
        kind, text = block if isinstance(block, tuple) else (BlockKind.PARAGRAPH, block)
        refs = [RawRef(len(text), str(index), str(index))] if footnotes and index in footnotes else []
        if kind == BlockKind.TABLE_CELL:
            builder.add_block(kind, text, refs=refs, table_id=0, row=0, col=index)
        else:
            builder.add_block(kind, text, refs=refs)
    for index, body in (footnotes or {}).items():
        builder.add_footnote_body(str(index), body)
    return builder.build()


def rows(document: Document) -> list[tuple[str, int, str, SectionKind]]:
    return [(s.label, s.depth, s.title, s.kind) for s in build_outline(document, RULES).sections[1:]]


def test_depth_follows_the_order_of_label_types_under_each_parent() -> None:
    document = make_document(
        "A. ĐÁNH GIÁ KẾT QUẢ",
        "I. Về kinh tế.",
        "1. Nông nghiệp:",
        "Sản lượng lúa đạt 12.000 tấn.",
        "1.1. Trồng trọt",
        "Diện tích gieo trồng đạt 9.164 ha.",
        "2. Công nghiệp",
        "Giá trị sản xuất tăng 8%.",
        "B. PHƯƠNG HƯỚNG NHIỆM VỤ NĂM 2026",
        "1. Về kinh tế",
        "Phấn đấu tăng trưởng 10%.",
    )
    assert [(label, depth) for label, depth, *_ in rows(document)] == [
        ("A.", 1),
        ("I.", 2),
        ("1.", 3),
        ("1.1.", 4),
        ("2.", 3),
        ("B.", 1),
        ("1.", 2),
    ]


def test_repeated_roman_label_is_a_sibling() -> None:
    document = make_document(
        "III. CÁC NỘI DUNG THI ĐUA CỤ THỂ.",
        "1. Lĩnh vực kinh tế:",
        "- Thu ngân sách đạt 100%.",
        "III. TỔ CHỨC THỰC HIỆN.",
    )
    assert [(label, depth) for label, depth, *_ in rows(document)] == [("III.", 1), ("1.", 2), ("III.", 1)]


def test_part_title_comes_from_the_following_all_caps_blocks() -> None:
    document = make_document(
        "PHẦN I", "ĐÁNH GIÁ TÌNH HÌNH THỰC HIỆN", "KẾ HOẠCH 05 NĂM 2021-2025", "I. Bối cảnh", "Năm 2021 khó khăn."
    )
    assert rows(document)[0] == (
        "PHẦN I",
        1,
        "ĐÁNH GIÁ TÌNH HÌNH THỰC HIỆN KẾ HOẠCH 05 NĂM 2021-2025",
        SectionKind.PART,
    )
    assert rows(document)[1][:2] == ("I.", 2)


def test_run_in_heading_title_is_the_text_before_the_first_colon() -> None:
    document = make_document(
        "2. Một số hạn chế, khó khăn",
        "2.1. Về lĩnh vực kinh tế: Phát triển kinh tế chưa tương xứng với tiềm năng: chưa có dự án lớn.",
    )
    assert rows(document)[1] == ("2.1.", 2, "Về lĩnh vực kinh tế", SectionKind.RUN_IN)


def test_numbered_paragraphs_are_body_text_and_close_their_sibling() -> None:
    long_task = "Tiếp tục đẩy mạnh sản xuất, kinh doanh, tháo gỡ khó khăn cho doanh nghiệp, " * 3 + "tạo môi trường."
    document = make_document(
        "III. CÁC NỘI DUNG THI ĐUA CỤ THỂ.",
        "1. Lĩnh vực kinh tế:",
        "- Hoàn thành 100% kế hoạch vốn.",
        f"2. {long_task}",
        "IV. TỔ CHỨC THỰC HIỆN.",
    )
    outline = build_outline(document, RULES)
    assert [s.label for s in outline.sections[1:]] == ["III.", "1.", "IV."]
    paragraph_start = document.text.index("2. Tiếp tục")
    assert outline.sections[2].char_end == paragraph_start
    assert section_at(outline, paragraph_start + 5).label == "III."


def test_short_sentence_before_a_part_is_a_numbered_paragraph() -> None:
    document = make_document(
        "Phần thứ hai",
        "MỤC TIÊU, CHỈ TIÊU NĂM 2024",
        "1. Về kinh tế",
        "- Tốc độ tăng trưởng GRDP đạt từ 10% trở lên.",
        "2. Các chỉ tiêu khác tại Phụ lục chi tiết kèm theo.",
        "Phần thứ ba",
        "NHIỆM VỤ, GIẢI PHÁP NĂM 2024",
    )
    assert [s[0] for s in rows(document)] == ["Phần thứ hai", "1.", "Phần thứ ba"]


def test_heading_ending_in_a_period_followed_by_body_is_a_heading() -> None:
    document = make_document(
        "1. Hạn chế:", "Còn chậm.", "2. Nguyên nhân của hạn chế, khuyết điểm.", "* Nguyên nhân khách quan: thiên tai."
    )
    assert [s[0] for s in rows(document)] == ["1.", "2."]
    assert rows(document)[1][2] == "Nguyên nhân của hạn chế, khuyết điểm"


def test_wrapped_heading_blocks_are_joined() -> None:
    document = make_document(
        "A. ĐÁNH GIÁ CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH CỦA ỦY BAN",
        "NHÂN DÂN PHƯỜNG NĂM 2025.",
        "I. Về Chương trình công tác năm 2025 và Quy chế làm việc của Ủy",
        "ban nhân dân phường.",
        "3. Công tác phối hợp của Ủy ban nhân dân phường với Thường trực",
        "Hội đồng nhân dân, Ban Thường trực UBMTTQ Việt Nam, các tổ chức",
        "chính trị - xã hội và các cơ quan tư pháp ở địa phương:",
        "Ủy ban nhân dân phường đã phối hợp chặt chẽ trong năm.",
    )
    assert [title for _, _, title, _ in rows(document)] == [
        "ĐÁNH GIÁ CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH CỦA ỦY BAN NHÂN DÂN PHƯỜNG NĂM 2025",
        "Về Chương trình công tác năm 2025 và Quy chế làm việc của Ủy ban nhân dân phường",
        "Công tác phối hợp của Ủy ban nhân dân phường với Thường trực Hội đồng nhân dân, Ban Thường trực UBMTTQ Việt "
        "Nam, các tổ chức chính trị - xã hội và các cơ quan tư pháp ở địa phương",
    ]


def test_unpunctuated_heading_does_not_swallow_a_body_paragraph() -> None:
    document = make_document(
        "1. Bối cảnh thế giới, khu vực",
        "Kinh tế thế giới phục hồi chậm, lạm phát tăng cao.",
        "2. Các chỉ tiêu về kinh tế",
        "Phấn đấu đến năm 2030:",
    )
    assert [title for _, _, title, _ in rows(document)] == ["Bối cảnh thế giới, khu vực", "Các chỉ tiêu về kinh tế"]


def test_table_cells_and_footnote_bodies_are_never_headings() -> None:
    document = make_document(
        "1. Về kinh tế",
        (BlockKind.TABLE_CELL, "1. Theo giá hiện hành"),
        "Tổng sản phẩm tăng 9,64%.",
        footnotes={2: "1. Số liệu do Thống kê tỉnh biên soạn"},
    )
    assert [s[0] for s in rows(document)] == ["1."]


def test_front_and_back_matter_stay_out_of_sections() -> None:
    document = make_document(
        (BlockKind.TABLE_CELL, "ỦY BAN NHÂN DÂN PHƯỜNG KON TUM"),
        "DỰ THẢO LẤY Ý KIẾN",
        "BÁO CÁO",
        "Tình hình thực hiện Kế hoạch phát triển kinh tế - xã hội 05 năm 2021-2025",
        "Kính gửi: Hội đồng nhân dân phường Kon Tum.",
        "Thực hiện Văn bản số 4018/UBND-KTTH ngày 29 tháng 10 năm 2025.",
        "I. Tình hình thực hiện",
        "Tổng thu ngân sách đạt 97,62%.",
        "Trên đây là báo cáo của Ủy ban nhân dân phường Kon Tum./.",
        "Nơi nhận:",
        "TM. ỦY BAN NHÂN DÂN",
    )
    outline = build_outline(document, RULES)
    assert document.text[outline.front_matter_end :].lstrip().startswith("Thực hiện Văn bản")
    assert outline.back_matter_start == document.text.index("Trên đây là")
    assert outline.doc_kind == "báo cáo"
    heading = outline.sections[1]
    assert heading.char_end == outline.back_matter_start
    assert section_at(outline, document.text.index("Thực hiện Văn bản")).section_id == 0


def test_plan_parts_are_flagged_and_inherited() -> None:
    document = make_document(
        "PHẦN I",
        "ĐÁNH GIÁ TÌNH HÌNH THỰC HIỆN KẾ HOẠCH 05 NĂM 2021-2025",
        "1. Về thực hiện các chương trình mục tiêu quốc gia",
        "PHẦN II",
        "DỰ KIẾN KẾ HOẠCH PHÁT TRIỂN KINH TẾ - XÃ HỘI 05 NĂM 2026-2030",
        "1. Các chỉ tiêu về kinh tế",
    )
    flags = [(s.label, s.is_plan_part) for s in build_outline(document, RULES).sections[1:]]
    assert flags == [("PHẦN I", False), ("1.", False), ("PHẦN II", True), ("1.", True)]


def test_a_plan_document_is_a_plan_part_as_a_whole() -> None:
    document = make_document("KẾ HOẠCH", "Phát động Phong trào thi đua năm 2025", "I. MỤC ĐÍCH, YÊU CẦU.", "Nội dung.")
    outline = build_outline(document, RULES)
    assert outline.doc_kind == "kế hoạch"
    assert all(s.is_plan_part for s in outline.sections)


def test_section_at_finds_the_innermost_section_and_maps_footnote_bodies() -> None:
    document = make_document(
        "I. Kinh tế",
        "1. Nông nghiệp",
        "Sản lượng đạt 12.000 tấn",
        "2. Công nghiệp",
        "Giá trị tăng 8%.",
        footnotes={2: "Số liệu ước tính."},
    )
    outline = build_outline(document, RULES)
    assert section_at(outline, document.text.index("Sản lượng")).label == "1."
    assert section_at(outline, document.text.index("Giá trị")).path == "I. > 2."
    body = document.footnotes[0]
    assert section_at(outline, body.body_start, document.footnotes).path == "I. > 1."
    assert section_at(outline, body.body_start).section_id == 0
    assert section_at(outline, 0).label == "I."
