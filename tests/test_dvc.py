"""`dvc repro` runs the stage commands on the bundled corpus in a fresh clone (dvc is an optional extra)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.slow


def test_dvc_repro_in_a_fresh_clone_writes_tables_and_metrics(tmp_path):
    bin_dir = Path(sys.executable).parent
    dvc = shutil.which("dvc", path=str(bin_dir)) or shutil.which("dvc")
    assert dvc, "dvc is not installed: `pip install -e '.[dvc]'` (make test does this)"
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)
    for tracked in ("dvc.yaml", "params.yaml", ".gitignore", "corpus/gold/mentions.tsv"):
        # the working tree may be ahead of the last commit while developing; test what is here
        shutil.copy(ROOT / tracked, clone / tracked)
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}", "DVC_NO_ANALYTICS": "1"}
    result = subprocess.run([dvc, "repro"], cwd=clone, env=env, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    metrics = json.loads((clone / "outputs" / "metrics.json").read_text())
    assert metrics["rows"]["documents"] == 15
    assert metrics["rows"]["mentions"] > 1000
    assert metrics["gold"]["value"]["f1"] >= 0.97
    assert sum(metrics["findings_per_check"].values()) > 0
    assert (clone / "outputs" / "report.html").stat().st_size > 10_000
