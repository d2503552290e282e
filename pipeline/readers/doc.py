"""Reader for Word 97-2003 binary files (.doc): LibreOffice headless converts them to .docx, the docx reader reads that.

The conversion keeps run fonts, so TCVN3/VNI text in old reports is still recognised by the docx reader's
font-aware decoding (peers.md §6). LibreOffice is an optional system dependency (Debian
libreoffice-writer-nogui); without it a .doc fails with a reason that says so.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from extractors.model import Document
from pipeline.readers.base import DocumentReadError
from pipeline.readers.docx import read_docx

#: Seconds a conversion may take (LibreOffice starts in ~3 s; a long report converts in a few more).
CONVERSION_TIMEOUT = 180.0


def soffice_path() -> str | None:
    """Path of LibreOffice's ``soffice`` program, or None when it is not installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def convert_doc_to_docx(data: bytes, *, timeout: float = CONVERSION_TIMEOUT) -> bytes:
    """The .docx bytes LibreOffice makes of .doc bytes.

    Raises:
        DocumentReadError: soffice not installed, conversion failed or timed out.
    """
    program = soffice_path()
    if program is None:
        raise DocumentReadError(
            "cannot read a Word 97-2003 .doc: soffice not installed (LibreOffice converts it to .docx; "
            "apt-get install libreoffice-writer-nogui)"
        )
    with tempfile.TemporaryDirectory(prefix="chiso-doc-") as folder:
        work = Path(folder)
        source = work / "input.doc"
        source.write_bytes(data)
        # A private profile: concurrent conversions must not share (and lock) the user's LibreOffice profile.
        command = [
            program,
            f"-env:UserInstallation={(work / 'profile').as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            "docx",
            "--outdir",
            str(work / "out"),
            str(source),
        ]
        try:
            done = subprocess.run(command, capture_output=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired as exc:
            raise DocumentReadError(f".doc conversion by soffice ran over {timeout:.0f} s") from exc
        except OSError as exc:
            raise DocumentReadError(f"soffice does not run: {exc}") from exc
        target = work / "out" / "input.docx"
        if done.returncode != 0 or not target.exists():
            lines = done.stderr.decode("utf-8", "replace").strip().splitlines()
            reason = lines[-1] if lines else "no output"
            raise DocumentReadError(f"soffice could not convert the .doc (exit {done.returncode}): {reason}")
        return target.read_bytes()


def read_doc(data: bytes, path: Path) -> Document:
    """Read a Word 97-2003 report: convert it to .docx with LibreOffice, then read it as a .docx.

    Raises:
        DocumentReadError: soffice missing, conversion failed, or the converted file cannot be read.
    """
    document = read_docx(convert_doc_to_docx(data), path)
    document.format = "doc"
    document.warnings.append("converted from Word 97-2003 .doc to .docx by LibreOffice")
    return document
