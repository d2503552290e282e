"""Format detection and the reader registry: one reader per format, all returning a Document.

Formats are detected from the bytes, never from the file name alone: a .txt that is really a PDF is
read as a PDF, and a .docx that is not a zip fails with a reason.
"""

from __future__ import annotations

import importlib
import zipfile
from io import BytesIO
from pathlib import Path
from typing import TYPE_CHECKING

from extractors.model import Document
from pipeline.readers.base import DocumentReadError

if TYPE_CHECKING:
    from pipeline.limits import Limits

#: format name -> "module:function" of its reader; imported lazily so `chiso --help` stays fast.
READERS: dict[str, str] = {
    "doc": "pipeline.readers.doc:read_doc",
    "docx": "pipeline.readers.docx:read_docx",
    "pdf": "pipeline.readers.pdf:read_pdf",
    "txt": "pipeline.readers.text:read_text",
}

#: file suffixes picked up when a folder is given to `chiso run`.
INPUT_SUFFIXES = frozenset({".docx", ".pdf", ".txt", ".doc"})


def detect_format(data: bytes, path: Path | None = None) -> str:
    """Name the format of ``data`` from its content (the suffix only breaks ties).

    >>> detect_format(b"%PDF-1.7 ...")
    'pdf'
    >>> detect_format("Báo cáo".encode())
    'txt'
    """
    head = data[:1024]
    if b"%PDF-" in head:
        return "pdf"
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        # A crafted directory of millions of entries costs gigabytes to parse: count them first.
        from pipeline.limits import DEFAULT_LIMITS, declared_member_count

        declared = declared_member_count(data)
        if declared is not None and declared > DEFAULT_LIMITS.zip_members:
            raise DocumentReadError(f"limit zip_members: {declared} members, over {DEFAULT_LIMITS.zip_members}")
        try:
            with zipfile.ZipFile(BytesIO(data)) as archive:
                names = set(archive.namelist())
        except zipfile.BadZipFile as exc:
            raise DocumentReadError(f"corrupt zip container: {exc}") from exc
        if "word/document.xml" in names:
            return "docx"
        raise DocumentReadError("zip container without word/document.xml: not a Word document")
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "doc"
    if not data.strip():
        raise DocumentReadError("empty file")
    if _looks_like_text(head):
        return "txt"
    suffix = path.suffix.lower() if path else ""
    raise DocumentReadError(f"unrecognised content (binary data{' named ' + suffix if suffix else ''})")


def _looks_like_text(head: bytes) -> bool:
    if head.startswith((b"\xff\xfe", b"\xfe\xff", b"\xef\xbb\xbf")):
        return True
    if head.count(b"\x00") > len(head) // 4:
        # UTF-16 without BOM has a zero in every other byte of ASCII-heavy text
        even, odd = head[0::2].count(b"\x00"), head[1::2].count(b"\x00")
        return max(even, odd) > len(head) // 3
    control = sum(1 for b in head if b < 9 or 13 < b < 32)
    return control <= len(head) // 50


def read_document(data: bytes, path: Path, fmt: str | None = None, limits: Limits | None = None) -> Document:
    """Detect the format (unless given) and run its reader.

    ``limits`` reach the readers of zip containers (.docx), the only ones with container limits.
    """
    fmt = fmt or detect_format(data, path)
    target = READERS.get(fmt)
    if target is None:
        raise DocumentReadError(f"no reader for format {fmt!r}")
    module_name, function_name = target.split(":")
    reader = getattr(importlib.import_module(module_name), function_name)
    extra = {"limits": limits} if limits is not None and fmt == "docx" else {}
    document: Document = reader(data, path, **extra)
    return document
