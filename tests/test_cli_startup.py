"""`chiso --help` must answer at once: the CLI module may not import the heavy libraries."""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("pandas", "pyarrow", "spacy", "underthesea", "duckdb", "pdfplumber", "pypdfium2", "docx")


def test_cli_import_does_not_load_heavy_libraries():
    code = f"import sys, pipeline.cli\nprint(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert loaded == "", f"imported at CLI start-up: {loaded}"


def test_help_lists_the_contract_commands():
    result = subprocess.run([sys.executable, "-m", "pipeline.cli", "--help"], capture_output=True, text=True)
    assert result.returncode == 0
    for command in ("run", "ingest", "query", "tables"):
        assert command in result.stdout
