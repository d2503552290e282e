"""Builders of hostile inputs for the security tests: XML entity attacks and zip bombs inside .docx files.

Every attack starts from a real corpus report so that the only thing wrong with the file is the attack.
"""

from __future__ import annotations

import re
import struct
import time
import zipfile
import zlib
from io import BytesIO
from pathlib import Path

from extractors.model import Document

_XML_DECLARATION = re.compile(rb"^(<\?xml[^>]*\?>)?")
_FIRST_TEXT_RUN = re.compile(rb"<w:t(?: [^>]*)?>")
LOL_LEVELS = 10


def with_doctype(xml: bytes, internal_subset: bytes, root: bytes = b"w:document", padding: int = 0) -> bytes:
    """``xml`` with a DOCTYPE after its declaration; ``padding`` bytes of comment may hide it from short scans."""
    match = _XML_DECLARATION.match(xml)
    head = match.group(0) if match else b""
    comment = b"<!--" + b" " * padding + b"-->" if padding else b""
    return head + comment + b"<!DOCTYPE " + root + b" [" + internal_subset + b"]>" + xml[len(head) :]


def with_entity_in_first_text(xml: bytes, entity: bytes) -> bytes:
    """Reference ``&entity;`` at the start of the first ``<w:t>`` run, where a reader would copy it out."""
    match = _FIRST_TEXT_RUN.search(xml)
    assert match, "no <w:t> in part"
    return xml[: match.end()] + b"&" + entity + b";" + xml[match.end() :]


def external_entity_part(xml: bytes, target: Path, root: bytes = b"w:document", padding: int = 0) -> bytes:
    """A part that declares ``&xxe;`` as ``file://target`` and uses it in its first text run (when it has one)."""
    declaration = b'<!ENTITY xxe SYSTEM "' + target.resolve().as_uri().encode() + b'">'
    if _FIRST_TEXT_RUN.search(xml):
        xml = with_entity_in_first_text(xml, b"xxe")
    return with_doctype(xml, declaration, root, padding)


def billion_laughs_part(xml: bytes, root: bytes = b"w:document") -> bytes:
    """The classic exponential entity: 10 levels of 10 references, 10^9 copies of "lol" once expanded."""
    levels = [b'<!ENTITY lol0 "lol">']
    for level in range(1, LOL_LEVELS):
        levels.append(b"<!ENTITY lol%d " % level + b'"' + (b"&lol%d;" % (level - 1)) * 10 + b'">')
    xml = with_doctype(xml, b"".join(levels), root)
    reference = b"lol%d" % (LOL_LEVELS - 1)
    if _FIRST_TEXT_RUN.search(xml):
        return with_entity_in_first_text(xml, reference)
    closing = xml.rindex(b"</")  # no text run (styles): the reference becomes text of the root element
    return xml[:closing] + b"&" + reference + b";" + xml[closing:]


def member(docx: bytes, name: str) -> bytes:
    with zipfile.ZipFile(BytesIO(docx)) as archive:
        return archive.read(name)


def deflated_zeros(n_mib: int) -> tuple[bytes, int]:
    """A raw deflate stream of ``n_mib`` MiB of zero bytes and its CRC-32, built in well under a second.

    After a full flush the compressor forgets its window, so every further MiB of zeros compresses to
    the same bytes: one block is compressed and repeated instead of deflating a gigabyte.
    """
    chunk = bytes(1 << 20)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    repeated = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    stream = first + repeated * (n_mib - 1) + compressor.flush(zlib.Z_FINISH)
    crc = 0
    for _ in range(n_mib):
        crc = zlib.crc32(chunk, crc)
    return stream, crc


def with_raw_deflated_member(docx: bytes, name: str, stream: bytes, declared_size: int, crc: int) -> bytes:
    """Append a member whose deflate stream and directory sizes are given verbatim (they may lie)."""
    buffer = BytesIO(docx)
    with zipfile.ZipFile(buffer, "a", zipfile.ZIP_STORED) as archive:
        archive.writestr(zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0)), stream)
    data = bytearray(buffer.getvalue())
    with zipfile.ZipFile(BytesIO(bytes(data))) as archive:
        local = archive.getinfo(name).header_offset
    struct.pack_into("<HHHI", data, local + 8, zipfile.ZIP_DEFLATED, 0, 0x5821, crc)
    struct.pack_into("<I", data, local + 22, declared_size)
    central = data.rfind(b"PK\x01\x02", 0, data.rfind(b"PK\x05\x06"))
    while data[central + 46 : central + 46 + len(name)] != name.encode():
        central = data.rfind(b"PK\x01\x02", 0, central)
    struct.pack_into("<HHHI", data, central + 10, zipfile.ZIP_DEFLATED, 0, 0x5821, crc)
    struct.pack_into("<I", data, central + 24, declared_size)
    return bytes(data)


def slow_reader(data: bytes, path: Path) -> Document:
    """A reader stuck the way pdfium can be on a pathological content stream (never returns in time)."""
    time.sleep(3600)
    raise AssertionError("unreachable")


def greedy_reader(data: bytes, path: Path) -> Document:
    """A reader that allocates without bound, as a decoder fed a crafted image or stream might."""
    hoard = [bytearray(256 * 1024 * 1024) for _ in range(64)]
    raise AssertionError(f"allocated {len(hoard)} blocks without hitting the ceiling")


def in_limited_worker(function, args: tuple, seconds: float = 20, memory_mib: int = 1024):  # type: ignore[no-untyped-def]
    """``function(*args)`` in a forked worker with a time limit and a memory ceiling; its value, or an
    AssertionError naming the limit that tripped (pipeline.workers is what the batch runner uses)."""
    from pipeline.workers import LimitedPool, TaskFailure, TaskLimits

    pool = LimitedPool(1, lambda: None, lambda _state, task: function(*task), TaskLimits(seconds, memory_mib * 2**20))
    [(_, outcome)] = list(pool.imap_unordered([args]))
    assert not isinstance(outcome, TaskFailure), outcome.reason
    return outcome
