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


#: The GRDP table of report 000 as printed (seeds-structure.md §1.6): the header row, then 10 data rows.
#: Empty strings stand for empty cells (the NBSP-only cells are empty in canonical text).
GRDP_TABLE = [
    ["TT", "Chỉ tiêu", "Sơ bộ năm 2024 (Trđ)", "Ước tính năm 2025 (Trđ)", "Tỷ trọng (%)", "Tốc độ phát triển (%)"],
    ["1", "Theo giá hiện hành", "14.112.388", "15.472.561", "", "9,64"],
    ["-", "Khu vực I (Nông, Lâm nghiệp, Thủy sản)", "96.258", "103.688", "0,67", "7,72"],
    ["-", "Khu vực II (Công nghiệp, Xây dựng)", "3.399.568", "3.637.046", "23,51", "6,99"],
    ["", "Trong đó: Công nghiệp", "1.533.315", "1.658.818", "", "8,19"],
    ["-", "Khu vực III (Dịch vụ)", "10.616.562", "11.731.826", "75,82", "10,50"],
    ["2", "Theo giá so sánh năm 2010", "8.347.585", "8.581.065", "", "2,80"],
    ["-", "Khu vực I (Nông, Lâm nghiệp, Thủy sản)", "48.512", "50.365", "0,59", "3,82"],
    ["-", "Khu vực II (Công nghiệp, Xây dựng)", "1.640.263", "1.589.373", "18,52", "-3,10"],
    ["", "Trong đó: Công nghiệp", "609.649", "521.130", "", "-14,52"],
    ["-", "Khu vực III (Dịch vụ)", "6.658.810", "6.941.326", "80,89", "4,24"],
]
