"""Output names never come from input text, symlinks do not leave the given roots, and nothing touches the network."""

from __future__ import annotations

import os
import shutil
import socket
from pathlib import Path

import pandas as pd
import pytest

from pipeline.batch import iter_input_files, run
from pipeline.tables import SCHEMAS
from tests.conftest import corpus_file

UNDERTHESEA_HOME = Path.home() / ".underthesea"


def _tree_size(root: Path) -> int:
    return sum(p.stat().st_size for p in root.rglob("*") if p.is_file()) if root.exists() else -1


def test_symlinks_in_input_folders_are_not_followed(tmp_path) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    good = corpus_file("003", "txt")
    shutil.copy(good, inputs / good.name)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "private.txt").write_text("BÁO CÁO riêng")
    (inputs / "etc").symlink_to("/etc")
    (inputs / "elsewhere").symlink_to(outside)
    (inputs / "linked.txt").symlink_to(outside / "private.txt")

    assert [p.name for p in iter_input_files([inputs])] == [good.name]
    followed = {p.name for p in iter_input_files([inputs], follow_symlinks=True)}
    assert "private.txt" in followed


def test_pipeline_runs_without_network_writes_only_fixed_names_and_downloads_nothing(tmp_path, monkeypatch) -> None:
    def refuse(*args, **kwargs):
        raise OSError("network disabled by test")

    class LocalOnly(socket.socket):
        """Unix sockets (socketpair, used by asyncio and multiprocessing) stay; IP sockets are refused.

        A subclass, not a function, because libraries subclass ``socket.socket`` when imported.
        """

        def __init__(self, family=-1, *args, **kwargs):
            if family in (socket.AF_INET, socket.AF_INET6, -1):
                refuse()
            super().__init__(family, *args, **kwargs)

    before = _tree_size(UNDERTHESEA_HOME)
    monkeypatch.setattr(socket, "socket", LocalOnly)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    inputs = tmp_path / "in"
    inputs.mkdir()
    for fmt in ("txt", "docx", "pdf"):
        source = corpus_file("001", fmt)
        shutil.copy(source, inputs / source.name)
    # A hostile name: path separators and dots in the input name must not steer where outputs go.
    hostile = inputs / "evil ..%2f..%2f name;rm -rf $(id).txt"
    shutil.copy(corpus_file("004", "txt"), hostile)
    out = tmp_path / "out"

    run([inputs], out, workers=1)

    documents = pd.read_parquet(out / "documents.parquet")
    assert len(documents) == 4 and set(documents.status) == {"ok"}, documents[["source_path", "error"]]
    written = {p.name for p in out.iterdir()}
    assert written <= {f"{name}.parquet" for name in SCHEMAS} | {"run.log.jsonl", ".chiso"}
    stems = [p.stem for p in inputs.iterdir()]
    for path in out.rglob("*"):
        relative = str(path.relative_to(out))
        assert not any(stem in relative for stem in stems) and "evil" not in relative, relative
    assert "documents.parquet" in written and "mentions.parquet" in written
    assert sorted(os.listdir(tmp_path)) == ["in", "out"]
    assert _tree_size(UNDERTHESEA_HOME) == before
    with pytest.raises(OSError, match="network disabled"):
        socket.create_connection(("example.org", 80))
