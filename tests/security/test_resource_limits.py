"""Per-document wall-clock and memory limits in a batch: a stuck or greedy reader fails its document only."""

from __future__ import annotations

import shutil
import time

import pandas as pd
import pytest

from pipeline.batch import RunOptions, run
from pipeline.limits import Limits
from pipeline.readers import READERS
from pipeline.workers import TaskLimits
from tests.conftest import corpus_file


def _batch(tmp_path, reader: str, monkeypatch, limits: TaskLimits) -> tuple[pd.DataFrame, float]:
    """A PDF read by ``reader`` beside a good .docx, in one run with ``limits``."""
    folder = tmp_path / "in"
    folder.mkdir()
    for source in (corpus_file("001", "pdf"), corpus_file("001", "docx")):
        shutil.copy(source, folder / source.name)
    # Workers are forked from this process, so they see the patched reader table.
    monkeypatch.setitem(READERS, "pdf", reader)
    started = time.perf_counter()
    run([folder], tmp_path / "out", options=RunOptions(workers=1, limits=limits))
    elapsed = time.perf_counter() - started
    documents = pd.read_parquet(tmp_path / "out" / "documents.parquet").set_index("format")
    return documents, elapsed


def test_a_stuck_pdf_is_stopped_at_the_time_limit_and_the_next_document_is_ok(tmp_path, monkeypatch):
    documents, elapsed = _batch(
        tmp_path, "tests.security.attack_files:slow_reader", monkeypatch, TaskLimits(seconds=3, memory_bytes=None)
    )
    assert documents.loc["docx", "status"] == "ok"
    stuck = documents[documents.source_path.str.endswith(".pdf")].iloc[0]
    assert stuck.status == "failed" and stuck.error == "limit: time 3 s"
    assert not stuck.doc_id.startswith("unreadable")
    assert elapsed < 60


def test_a_greedy_reader_fails_on_the_memory_limit_and_the_next_document_is_ok(tmp_path, monkeypatch):
    documents, _ = _batch(
        tmp_path,
        "tests.security.attack_files:greedy_reader",
        monkeypatch,
        TaskLimits(seconds=120, memory_bytes=1536 * 2**20),
    )
    assert documents.loc["docx", "status"] == "ok"
    greedy = documents[documents.source_path.str.endswith(".pdf")].iloc[0]
    assert greedy.status == "failed" and "limit: memory" in greedy.error, greedy.error


def test_limits_from_params_validate_and_keep_defaults() -> None:
    limits = Limits.from_params({"seconds": 30, "memory_mib": 1024, "zip_ratio": 50})
    assert (limits.seconds, limits.memory_bytes, limits.zip_ratio, limits.zip_total_mib) == (30.0, 1 << 30, 50.0, 200)
    assert Limits.from_params(None) == Limits()
    for bad in ({"seconds": 0}, {"memory_mib": "2 GiB"}, {"zip_members": True}, {"timeout": 5}):
        with pytest.raises(ValueError, match="limits"):
            Limits.from_params(bad)
