"""Archive-scale behaviour: identical output for any worker count, reuse, resume after kill -9, limits."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from pipeline.batch import RunOptions, run
from pipeline.shards import pipeline_key
from pipeline.workers import LimitedPool, TaskFailure, TaskLimits
from tests.conftest import corpus_file

TABLES = ("documents", "blocks", "footnotes", "sections", "tables", "sentences", "mentions", "facts")


def _inputs(folder: Path) -> Path:
    folder.mkdir()
    for report, fmt in (("003", "txt"), ("001", "docx"), ("003", "pdf"), ("001", "txt")):
        source = corpus_file(report, fmt)
        shutil.copy(source, folder / source.name)
    return folder


def _tables(out: Path) -> dict[str, pd.DataFrame]:
    return {name: pd.read_parquet(out / f"{name}.parquet") for name in TABLES}


def _assert_same_tables(a: Path, b: Path) -> None:
    left, right = _tables(a), _tables(b)
    for name in TABLES:
        pd.testing.assert_frame_equal(left[name], right[name], obj=name)


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> Path:
    return _inputs(tmp_path_factory.mktemp("batch") / "in")


@pytest.fixture(scope="module")
def reference(inputs, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("reference")
    run([inputs], out, options=RunOptions(workers=1))
    return out


def test_two_workers_write_the_same_tables_as_one(inputs, reference, tmp_path):
    summary = run([inputs], tmp_path, options=RunOptions(workers=2))
    assert summary.count("ok") == 4
    _assert_same_tables(reference, tmp_path)


def test_a_second_run_reuses_every_document_and_force_processes_them_again(inputs, tmp_path):
    first = run([inputs], tmp_path, options=RunOptions(workers=2))
    assert first.reused == 0
    again = run([inputs], tmp_path, options=RunOptions(workers=2))
    assert again.reused == 4
    forced = run([inputs], tmp_path, options=RunOptions(workers=2, force=True))
    assert forced.reused == 0
    log = [json.loads(line) for line in (tmp_path / "run.log.jsonl").read_text().splitlines()]
    assert [e["event"] for e in log].count("end") == 3
    assert sum(1 for e in log if e["event"] == "document" and e["reused"]) == 4


def test_a_change_of_patterns_changes_the_pipeline_key():
    assert pipeline_key("patterns-a") != pipeline_key("patterns-b")
    assert pipeline_key("patterns-a") == pipeline_key("patterns-a")


def test_the_same_bytes_under_two_names_are_one_document(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    source = corpus_file("003", "txt")
    shutil.copy(source, folder / "a.txt")
    shutil.copy(source, folder / "b.txt")
    summary = run([folder], tmp_path / "out", options=RunOptions(workers=1))
    assert [o.status for o in summary.outcomes] == ["ok", "skipped"]
    documents = pd.read_parquet(tmp_path / "out" / "documents.parquet")
    assert documents.error.iloc[1].startswith("ingest: duplicate: same content as")
    mentions = pd.read_parquet(tmp_path / "out" / "mentions.parquet")
    assert set(mentions.source_path) == {str(folder / "a.txt")}


def test_a_run_killed_midway_resumes_without_losing_or_duplicating_a_document(inputs, reference, tmp_path):
    out = tmp_path / "out"
    command = [sys.executable, "-m", "pipeline.cli", "run", str(inputs), "-o", str(out), "--workers", "1"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    log = out / "run.log.jsonl"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if log.exists() and sum('"event": "document"' in line for line in log.read_text().splitlines()) >= 2:
            break
        time.sleep(0.05)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    assert not (out / "mentions.parquet").exists(), "the run was expected to be killed before compaction"
    summary = run([inputs], out, options=RunOptions(workers=1))
    assert summary.reused >= 2
    assert not list(out.glob(".*.tmp"))
    _assert_same_tables(reference, out)


def _sleepy(state, seconds):
    time.sleep(seconds)
    return seconds


def _hungry(state, megabytes):
    block = bytearray(megabytes * 1024 * 1024)
    return len(block)


def test_a_task_over_its_time_limit_is_stopped_and_the_others_finish():
    pool = LimitedPool(2, lambda: None, _sleepy, TaskLimits(seconds=1.0, memory_bytes=None))
    started = time.monotonic()
    outcomes = dict(pool.imap_unordered([0.1, 30, 0.2, 0.1]))
    assert time.monotonic() - started < 10
    assert outcomes[1] == TaskFailure("limit: time 1 s")
    assert [outcomes[i] for i in (0, 2, 3)] == [0.1, 0.2, 0.1]


def test_a_task_over_its_memory_ceiling_fails_alone():
    pool = LimitedPool(1, lambda: None, _hungry, TaskLimits(seconds=30, memory_bytes=1024**3))
    outcomes = dict(pool.imap_unordered([8, 4096, 8]))
    assert isinstance(outcomes[1], TaskFailure) and outcomes[1].reason.startswith("limit:")
    assert outcomes[0] == outcomes[2] == 8 * 1024 * 1024


def test_the_dask_engine_writes_the_same_tables_as_the_local_engine(inputs, reference, tmp_path):
    summary = run([inputs], tmp_path, options=RunOptions(workers=2, engine="dask"))
    assert summary.count("ok") == 4
    _assert_same_tables(reference, tmp_path)


def test_stage_by_stage_commands_write_the_same_tables_as_run(inputs, reference, tmp_path):
    from pipeline.stagewise import extract_stage, facts_stage, segment_stage

    run([inputs], tmp_path, options=RunOptions(workers=1, through="ingest"))
    assert not (tmp_path / "mentions.parquet").exists()
    segment_stage(tmp_path)
    extract_stage(tmp_path)
    facts_stage(tmp_path)
    _assert_same_tables(reference, tmp_path)
