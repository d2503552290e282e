"""`chiso run` over the whole bundled corpus (15 files, three formats) and the tables it writes."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from tests.conftest import CORPUS

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    out = tmp_path_factory.mktemp("outputs")
    folders = [str(CORPUS / fmt) for fmt in ("txt", "docx", "pdf")]
    result = CliRunner().invoke(app, ["run", *folders, "-o", str(out), "--workers", "2"])
    assert result.exit_code == 0, result.output
    return out


def _table(outputs, name):
    return pd.read_parquet(outputs / f"{name}.parquet")


def test_every_corpus_file_is_read_ok(outputs):
    documents = _table(outputs, "documents")
    assert len(documents) == 15
    assert set(documents.status) == {"ok"}, documents[["source_path", "error"]]
    assert set(documents.format) == {"txt", "docx", "pdf"}


def test_every_mention_span_points_at_its_value_text(outputs):
    texts = _table(outputs, "documents").set_index("doc_id").text
    mentions = _table(outputs, "mentions")
    assert len(mentions) > 1000
    for row in mentions.itertuples():
        assert texts[row.doc_id][row.char_start : row.char_end] == row.value_text


def test_footnote_mentions_carry_their_footnote_and_footnotes_their_sentence(outputs):
    mentions = _table(outputs, "mentions")
    in_footnotes = mentions[mentions.in_footnote]
    assert len(in_footnotes) > 300, "footnotes hold a large share of these reports' figures"
    assert in_footnotes.footnote_id.notna().all()
    footnotes = _table(outputs, "footnotes")
    sentences = _table(outputs, "sentences").set_index(["doc_id", "sentence_id"])
    assert footnotes.ref_sentence_id.notna().all()
    for row in footnotes.itertuples():
        sentence = sentences.loc[(row.doc_id, int(row.ref_sentence_id))]
        assert sentence.char_start <= row.ref_start <= sentence.char_end


def test_table_cells_are_mentions_with_their_cell_provenance(outputs):
    mentions = _table(outputs, "mentions")
    cells = mentions[mentions.in_table]
    assert len(cells) == 3 * 36, "the GRDP table has 36 numeric data cells, read in each of three formats"
    assert cells[["table_id", "row", "col"]].notna().all().all()


def test_query_reads_the_tables_as_views(outputs):
    result = CliRunner().invoke(
        app,
        [
            "query",
            "select format, count(*) as n from documents group by 1 order by 1",
            "-o",
            str(outputs),
            "--format",
            "json",
        ],
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == [{"format": f, "n": 5} for f in ("docx", "pdf", "txt")]


def test_tables_lists_every_table(outputs):
    result = CliRunner().invoke(app, ["tables", "-o", str(outputs)])
    assert result.exit_code == 0
    for name in ("documents", "sections", "footnotes", "tables", "mentions", "facts"):
        assert f"{name}:" in result.output


def test_compare_grdp_shows_the_ward_and_province_series_with_marks_and_sources(outputs, tmp_path):
    from pipeline.panel import compare

    panel = compare(outputs, "grdp", measure=None)
    cells = panel.cells
    ward = cells[cells.entity == "phường Kon Tum"]

    def cell(frame, measure, basis, period):
        found = frame[(frame.measure == measure) & (frame.basis == basis) & (frame.period == period)]
        assert len(found) == 1, (measure, basis, period, frame[["measure", "basis", "period"]])
        return found.iloc[0]

    for basis in ("current", "constant_2010"):
        assert "p" in cell(ward, "level", basis, "2024").marks, "2024 comes from the 'Sơ bộ' column"
        assert "e" in cell(ward, "level", basis, "2025").marks, "2025 values are 'ước đạt'"
    assert cell(ward, "level", "current", "2025").value == pytest.approx(15_472_561e6)
    province = cell(cells[cells.entity == "tỉnh Kon Tum"], "level", "constant_2010", "2023")
    assert province.value == pytest.approx(18_938.78e9)
    assert province.source_document.startswith("004_") and "18.938,78" in province.sentence
    target = cell(ward, "target", "constant_2010", "2030")
    assert "T" in target.marks and "e" not in target.marks
    assert any("phường Kon Tum" in note and "2024" in note for note in panel.notes), panel.notes


@pytest.mark.parametrize("suffix", [".csv", ".json", ".parquet", ".xlsx"])
def test_compare_exports_cells_with_their_sources(outputs, tmp_path, suffix):
    target = tmp_path / f"grdp{suffix}"
    result = CliRunner().invoke(app, ["compare", "grdp", "-o", str(outputs), "--export", str(target)])
    assert result.exit_code == 0, result.output
    assert target.exists() and target.stat().st_size > 0
    if suffix == ".csv":
        frame = pd.read_csv(target)
        assert {"period", "entity", "value", "marks", "source_document", "sentence"} <= set(frame.columns)
