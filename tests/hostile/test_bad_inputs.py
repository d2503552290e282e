"""Bad inputs in one batch: each is recorded failed with a reason or processed, never a crash or a hang,
and the good report in the same batch still comes out ok (tests/hostile/OUTCOMES.md shows the table)."""

from __future__ import annotations

import pytest

from tests.hostile.bad_inputs import OUTCOMES, outcomes_table, write_bad_inputs

#: input -> (status, start of the error) expected; None = no error.
EXPECTED = {
    "good_report.docx": ("ok", None),
    "truncated.docx": ("failed", "ingest: DocumentReadError: corrupt zip container"),
    "bad_zip.docx": ("failed", "ingest: DocumentReadError: corrupt zip container"),
    "missing_document_xml.docx": ("failed", "ingest: DocumentReadError: zip container without word/document.xml"),
    "half_document_xml.docx": ("failed", "ingest: DocumentReadError: XML part word/document.xml is not well-formed"),
    "footnotes_no_namespace.docx": ("ok", None),
    "nested_tables.docx": ("ok", None),
    "not_a_pdf.pdf": ("failed", "ingest: DocumentReadError: cannot open PDF"),
    "html_named.pdf": ("ok", None),
    "encrypted.pdf": ("failed", "ingest: DocumentReadError: encrypted PDF"),
    "zero_pages.pdf": ("failed", "ingest: DocumentReadError:"),
    "empty.pdf": ("failed", "ingest: DocumentReadError: empty file"),
    "blank.txt": ("failed", "ingest: DocumentReadError: empty file"),
    "junk.txt": ("failed", "ingest: DocumentReadError: unrecognised content (binary data named .txt)"),
    "utf16.txt": ("ok", None),
    "cp1258.txt": ("ok", None),
    "crlf.txt": ("ok", None),
    "one_line_10mb.txt": ("ok", None),
    "legacy.doc": ("failed", "ingest: DocumentReadError:"),
    "tcvn3.docx": ("ok", None),
}


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile")
    described = write_bad_inputs(folder / "inputs")
    markdown, rows = outcomes_table(folder / "inputs", folder / "out", described)
    return described, markdown, rows


def test_every_input_has_an_expected_outcome(batch) -> None:
    described, _, rows = batch
    assert set(described) == set(EXPECTED) == set(rows)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_outcome(batch, name: str) -> None:
    _, _, rows = batch
    status, error = EXPECTED[name]
    row = rows[name]
    assert row["status"] == status, row.get("error")
    if error is None:
        assert row["error"] is None
    else:
        assert row["error"].startswith(error), row["error"]


def test_text_inputs_keep_their_words(batch) -> None:
    _, _, rows = batch
    for name in ("utf16.txt", "cp1258.txt", "crlf.txt"):
        assert "Tổng thu ngân sách nhà nước trên địa bàn ước đạt 1.234,5 tỷ đồng" in rows[name]["text"], name
        assert "\r" not in rows[name]["text"]
    assert rows["cp1258.txt"]["encoding"] == "cp1258" and rows["utf16.txt"]["encoding"] == "utf-16"


def test_damaged_footnotes_part_is_a_warning_not_a_failure(batch) -> None:
    _, _, rows = batch
    assert any("footnotes part ignored" in w for w in rows["footnotes_no_namespace.docx"]["warnings"])


def test_nested_tables_text_survives(batch) -> None:
    _, _, rows = batch
    assert "Mức 49" in rows["nested_tables.docx"]["text"] and "Mức 0" in rows["nested_tables.docx"]["text"]


def test_outcomes_file_lists_every_input_with_todays_status(batch) -> None:
    """OUTCOMES.md (regenerate: python -m tests.hostile.bad_inputs) agrees with this run on every status."""
    _, _, rows = batch
    table = OUTCOMES.read_text(encoding="utf-8")
    for name, row in rows.items():
        assert f"| `{name}` |" in table, name
        line = next(line for line in table.splitlines() if line.startswith(f"| `{name}` |"))
        assert line.split(" | ")[2] == row["status"], line
