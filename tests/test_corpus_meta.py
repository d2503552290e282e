"""Header metadata of the five corpus reports, from each of the three formats."""

from __future__ import annotations

import pytest

from extractors.doc_meta import extract_doc_meta
from tests.conftest import FORMATS, read_corpus_document

# (doc_kind, issuer, entity, entity_level, report_period, is_draft), from reading each report's header.
EXPECTED = {
    "000": ("báo cáo", "Ủy ban nhân dân phường Kon Tum", "phường Kon Tum", "phường", "2021..2025", True),
    "001": ("báo cáo", "Ủy ban nhân dân phường Kon Tum", "phường Kon Tum", "phường", "2025", False),
    "002": ("báo cáo", "Ủy ban nhân dân thành phố Kon Tum", "thành phố Kon Tum", "thành phố", "2020-01..2020-09", True),
    "003": ("kế hoạch", "Ủy ban nhân dân thành phố Kon Tum", "thành phố Kon Tum", "thành phố", "2025", False),
    "004": ("báo cáo", "Tỉnh ủy Kon Tum", "tỉnh Kon Tum", "tỉnh", "2023", False),
}


@pytest.mark.parametrize("report", sorted(EXPECTED))
@pytest.mark.parametrize("fmt", FORMATS)
def test_header_metadata(report, fmt):
    meta = extract_doc_meta(read_corpus_document(report, fmt))
    found = (meta.doc_kind, meta.issuer, meta.entity, meta.entity_level, meta.report_period, meta.is_draft)
    assert found == EXPECTED[report]
    assert meta.title and len(meta.title) > 20
