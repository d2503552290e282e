"""Shared fixtures: paths of the bundled corpus."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
REPORTS = ("000", "001", "002", "003", "004")


def corpus_file(report: str, fmt: str) -> Path:
    """The bundled file of one report in one format ("txt", "docx", "pdf")."""
    matches = sorted((CORPUS / fmt).glob(f"{report}_*.{fmt}"))
    assert len(matches) == 1, f"expected one {fmt} file for report {report}, found {matches}"
    return matches[0]


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    return CORPUS


# Imports of underthesea and spaCy happen on first use inside a property test; wall-clock deadlines
# would turn that one-off cost into flaky failures, so property tests are bounded by examples instead.
from hypothesis import settings as _hypothesis_settings  # noqa: E402

_hypothesis_settings.register_profile("chiso", deadline=None, max_examples=200)
_hypothesis_settings.load_profile("chiso")


FORMATS = ("txt", "docx", "pdf")
_DOCUMENTS: dict[tuple[str, str], object] = {}


def read_corpus_document(report: str, fmt: str):
    """The canonical Document of one corpus file, read once per test session."""
    from pipeline.readers import read_document

    key = (report, fmt)
    if key not in _DOCUMENTS:
        path = corpus_file(report, fmt)
        _DOCUMENTS[key] = read_document(path.read_bytes(), path)
    return _DOCUMENTS[key]
