"""Batch behaviour: bad inputs are recorded failures, the run goes on, tables appear whole."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.readers import detect_format
from pipeline.readers.base import DocumentReadError
from tests.conftest import corpus_file


def _bad_inputs(folder: Path) -> dict[str, str]:
    """Write one file per kind of bad input; returns file name -> words expected in its error."""
    (folder / "empty.txt").write_bytes(b"")
    (folder / "junk.txt").write_bytes(bytes(range(256)) * 8)
    (folder / "truncated.docx").write_bytes(b"PK\x03\x04" + b"\x00" * 64)
    with zipfile.ZipFile(folder / "not_word.docx", "w") as archive:
        archive.writestr("hello.txt", "not a word document")
    (folder / "fake.pdf").write_bytes(b"%PDF-1.4\nthis is not a pdf body\n")
    return {
        "empty.txt": "empty",
        "junk.txt": "binary",
        "truncated.docx": "zip",
        "not_word.docx": "document.xml",
        "fake.pdf": "",
    }


def test_bad_inputs_are_failed_with_a_reason_and_good_ones_survive(tmp_path):
    inputs = tmp_path / "in"
    inputs.mkdir()
    expected = _bad_inputs(inputs)
    good = corpus_file("003", "txt")
    shutil.copy(good, inputs / good.name)
    out = tmp_path / "out"

    result = CliRunner().invoke(app, ["run", str(inputs), "-o", str(out), "--workers", "1"])
    assert result.exit_code == 0, result.output
    documents = pd.read_parquet(out / "documents.parquet")
    by_name = {Path(p).name: row for p, row in zip(documents.source_path, documents.itertuples(), strict=True)}
    assert set(by_name) == {*expected, good.name}
    for name, words in expected.items():
        row = by_name[name]
        assert row.status == "failed", name
        assert row.error.startswith("ingest: ") and words in row.error.lower(), (name, row.error)
        assert "\n" not in row.error
    assert by_name[good.name].status == "ok"
    assert not list(out.glob(".*.tmp")), "temporary files left behind"


def test_strict_exits_non_zero_when_an_input_failed(tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    result = CliRunner().invoke(app, ["run", str(tmp_path / "empty.txt"), "-o", str(tmp_path / "o"), "--strict"])
    assert result.exit_code == 1


def test_dask_engine_says_it_does_not_enforce_document_limits(tmp_path):
    result = CliRunner().invoke(app, ["run", str(tmp_path / "nope"), "-o", str(tmp_path / "o"), "--engine", "dask"])
    assert result.exit_code == 2
    assert "does not enforce the per-document time and memory limits" in " ".join(result.output.split())


def test_missing_path_is_a_usage_error(tmp_path):
    result = CliRunner().invoke(app, ["run", str(tmp_path / "nope"), "-o", str(tmp_path / "o")])
    assert result.exit_code == 2


@pytest.mark.parametrize(
    ("data", "fmt"),
    [(b"%PDF-1.7\n", "pdf"), ("BÁO CÁO".encode(), "txt"), ("BÁO CÁO".encode("utf-16"), "txt")],
)
def test_format_is_detected_from_content(data, fmt):
    assert detect_format(data, Path("misnamed.docx")) == fmt


def test_corrupt_zip_is_a_read_error():
    with pytest.raises(DocumentReadError):
        detect_format(b"PK\x03\x04garbage", Path("x.docx"))
