"""Word 97-2003 .doc through LibreOffice: read when soffice is installed, a clear failure reason otherwise."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

import pytest

from pipeline.readers import doc as doc_module
from pipeline.readers.base import DocumentReadError
from pipeline.readers.doc import read_doc
from pipeline.readers.docx import read_docx
from tests.conftest import corpus_file

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _doc_made_by_soffice(source: Path) -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        subprocess.run(
            [doc_module.soffice_path(), "--headless", "--convert-to", "doc", "--outdir", folder, str(source)],
            capture_output=True,
            timeout=180,
            check=True,
        )
        return (Path(folder) / (source.stem + ".doc")).read_bytes()


def test_doc_is_read_through_libreoffice_or_fails_with_the_reason() -> None:
    source = corpus_file("003", "docx")
    if doc_module.soffice_path() is None:
        with pytest.raises(DocumentReadError, match="soffice not installed"):
            read_doc(OLE_MAGIC + b"\x00" * 504, Path("report.doc"))
        return
    data = _doc_made_by_soffice(source)
    assert data.startswith(OLE_MAGIC)
    document = read_doc(data, Path("report.doc"))
    reference = read_docx(source.read_bytes(), source)
    assert document.format == "doc"
    assert document.text.split("\n")[:10] == reference.text.split("\n")[:10]


def test_missing_soffice_gives_the_install_hint(monkeypatch) -> None:
    monkeypatch.setattr(doc_module.shutil, "which", lambda name: None)
    with pytest.raises(DocumentReadError, match=r"soffice not installed .*libreoffice-writer-nogui"):
        read_doc(OLE_MAGIC, Path("old.doc"))
