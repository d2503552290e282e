"""Resource limits for untrusted documents: zip containers, wall-clock time and memory per document.

Reports come from many offices and converters; a crafted or broken file must cost one failed row,
never the batch. Two layers:

* container checks (:func:`open_zip`, :func:`read_member`): the zip directory is checked against
  :class:`Limits` *before* anything is inflated, and every member is then read as a stream with a
  byte cap, because the sizes in a zip directory are written by whoever made the file;
* per-document time and memory (:attr:`Limits.seconds`, :attr:`Limits.memory_mib`), enforced by the
  batch runner's worker pool (pipeline.workers): a worker has an address-space ceiling and is killed
  at a wall-clock deadline, so a reader stuck in native code (pdfium, libxml2) or allocating without
  bound fails that document only.
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, fields
from io import BytesIO
from typing import TYPE_CHECKING, Any

from pipeline.readers.base import DocumentReadError

if TYPE_CHECKING:
    pass

KIB = 1024
MIB = 1024 * KIB
GIB = 1024 * MIB

#: End of central directory record: signature, then the entry count of the whole archive at offset 10.
_EOCD = b"PK\x05\x06"
_EOCD_SIZE = 22
_ZIP64_LOCATOR = b"PK\x06\x07"
_ZIP64_EOCD = b"PK\x06\x06"
_READ_CHUNK = 64 * KIB


@dataclass(frozen=True, slots=True)
class Limits:
    """Resource limits for one document; every default leaves a wide margin over real reports.

    A 50-page report .docx is under 5 MB uncompressed and 20-odd members, its XML compresses about
    10:1; the corpus reports take 1-3 s and under 250 MB of resident memory each.

    Attributes:
        zip_members: most members a container may list (a Word report has 15-60).
        zip_total_mib: most bytes all members may expand to together, in MiB.
        zip_member_mib: most bytes any one member may expand to, in MiB.
        zip_ratio: highest uncompressed/compressed ratio of a member larger than ``zip_ratio_exempt_kib``.
            Deflate cannot exceed about 1032:1; XML of real reports stays under 30:1.
        zip_ratio_exempt_kib: members up to this size (KiB) may have any ratio (an all-blank XML part
            compresses 200:1 and is harmless at that size).
        seconds: wall-clock time one document may take, reading and extraction together.
        memory_mib: address space (``RLIMIT_AS``) one document may add to its worker, in MiB: the
            worker's ceiling is what it maps once its patterns are loaded plus this. Virtual memory,
            about twice the resident size for this pipeline.
    """

    zip_members: int = 5_000
    zip_total_mib: int = 200
    zip_member_mib: int = 100
    zip_ratio: float = 100.0
    zip_ratio_exempt_kib: int = 1024
    seconds: float = 120.0
    memory_mib: int = 2048

    @classmethod
    def from_params(cls, params: Mapping[str, Any] | None) -> Limits:
        """Limits from the ``limits:`` block of params.yaml; missing keys keep their defaults.

        Args:
            params: the mapping under ``limits:`` (or None for all defaults).

        Raises:
            ValueError: an unknown key, or a value that is not a positive number.

        >>> Limits.from_params({"seconds": 30, "memory_mib": 1024}).seconds
        30.0
        >>> Limits.from_params({"secs": 30})
        Traceback (most recent call last):
        ...
        ValueError: unknown limits: ['secs'] (known: zip_members, zip_total_mib, zip_member_mib, \
zip_ratio, zip_ratio_exempt_kib, seconds, memory_mib)
        """
        params = dict(params or {})
        known = {f.name: f for f in fields(cls)}
        unknown = sorted(set(params) - set(known))
        if unknown:
            raise ValueError(f"unknown limits: {unknown} (known: {', '.join(known)})")
        values: dict[str, Any] = {}
        for name, value in params.items():
            kind = float if isinstance(getattr(cls(), name), float) else int
            if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
                raise ValueError(f"limits.{name} must be a positive number, got {value!r}")
            values[name] = kind(value)
        return cls(**values)

    @property
    def zip_total_bytes(self) -> int:
        return self.zip_total_mib * MIB

    @property
    def zip_member_bytes(self) -> int:
        return self.zip_member_mib * MIB

    @property
    def zip_ratio_exempt_bytes(self) -> int:
        return self.zip_ratio_exempt_kib * KIB

    @property
    def memory_bytes(self) -> int:
        return self.memory_mib * MIB


DEFAULT_LIMITS = Limits()


class LimitExceeded(DocumentReadError):
    """A document went over one of its :class:`Limits`; ``limit`` names the field that tripped."""

    def __init__(self, limit: str, message: str) -> None:
        super().__init__(f"limit {limit}: {message}")
        self.limit = limit


def _size(n_bytes: float) -> str:
    """Human size for messages.

    >>> _size(200 * MIB), _size(1536), _size(3 * GIB)
    ('200 MiB', '1.5 KiB', '3 GiB')
    """
    for unit, scale in (("GiB", GIB), ("MiB", MIB), ("KiB", KIB)):
        if n_bytes >= scale:
            return f"{n_bytes / scale:.1f}".removesuffix(".0") + f" {unit}"
    return f"{int(n_bytes)} B"


# -- zip containers -------------------------------------------------------------------------------


def declared_member_count(data: bytes) -> int | None:
    """The entry count the archive's end-of-directory record declares, read without parsing the directory.

    ``zipfile.ZipFile`` builds one object per directory entry, so a directory of millions of entries
    costs gigabytes before any check could run; this count comes first. None when there is no record.
    """
    tail_start = max(0, len(data) - (_EOCD_SIZE + 0xFFFF))
    position = data.rfind(_EOCD, tail_start)
    if position < 0 or position + _EOCD_SIZE > len(data):
        return None
    count = struct.unpack_from("<H", data, position + 10)[0]
    if count != 0xFFFF:
        return count
    locator = position - 20
    if locator >= 0 and data[locator : locator + 4] == _ZIP64_LOCATOR:
        record = struct.unpack_from("<Q", data, locator + 8)[0]
        if record + 56 <= len(data) and data[record : record + 4] == _ZIP64_EOCD:
            return struct.unpack_from("<Q", data, record + 32)[0]
    return count


def check_zip_directory(infos: list[zipfile.ZipInfo], limits: Limits = DEFAULT_LIMITS) -> None:
    """Refuse a container whose directory announces too many members or too many bytes.

    Raises:
        LimitExceeded: naming the limit (``zip_members``, ``zip_member_mib``, ``zip_ratio``,
            ``zip_total_mib``).
    """
    if len(infos) > limits.zip_members:
        raise LimitExceeded("zip_members", f"{len(infos)} members, over {limits.zip_members}")
    total = 0
    for info in infos:
        if info.file_size > limits.zip_member_bytes:
            raise LimitExceeded(
                "zip_member_mib",
                f"member {info.filename!r} expands to {_size(info.file_size)}, over {_size(limits.zip_member_bytes)}",
            )
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > limits.zip_ratio_exempt_bytes and ratio > limits.zip_ratio:
            raise LimitExceeded(
                "zip_ratio",
                f"member {info.filename!r} expands {ratio:.0f}:1 to {_size(info.file_size)}, "
                f"over {limits.zip_ratio:g}:1",
            )
        total += info.file_size
        if total > limits.zip_total_bytes:
            raise LimitExceeded("zip_total_mib", f"members expand to over {_size(limits.zip_total_bytes)}")


def open_zip(data: bytes, limits: Limits = DEFAULT_LIMITS) -> zipfile.ZipFile:
    """Open a zip container and check its directory against ``limits`` before inflating anything.

    Raises:
        LimitExceeded: the directory breaks a limit.
        DocumentReadError: not a zip container.
    """
    declared = declared_member_count(data)
    if declared is not None and declared > limits.zip_members:
        raise LimitExceeded("zip_members", f"{declared} members declared, over {limits.zip_members}")
    try:
        archive = zipfile.ZipFile(BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise DocumentReadError(f"not a zip container: {exc}") from exc
    try:
        check_zip_directory(archive.infolist(), limits)
    except LimitExceeded:
        archive.close()
        raise
    return archive


def read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, cap: int) -> bytes:
    """Inflate one member as a stream, stopping as soon as it passes ``cap`` bytes.

    zipfile stops at the size the directory declares and then checks the CRC, but one ``read()``
    inflates a whole compressed chunk at once; reading in small pieces keeps a member whose directory
    entry understates its size from ever being expanded in memory.

    Raises:
        LimitExceeded: the member inflates past ``cap`` (``zip_member_mib``).
        DocumentReadError: the member is corrupt (bad CRC, truncated, unsupported compression).
    """
    pieces: list[bytes] = []
    size = 0
    try:
        with archive.open(info) as stream:
            while piece := stream.read(_READ_CHUNK):
                size += len(piece)
                if size > cap:
                    raise LimitExceeded(
                        "zip_member_mib", f"member {info.filename!r} inflates past {_size(cap)} while read"
                    )
                pieces.append(piece)
    # ValueError: a directory whose offsets point before the start of the file makes zipfile seek
    # to a negative position (found by the fuzz test on a mutated report).
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, NotImplementedError, RuntimeError, ValueError) as exc:
        raise DocumentReadError(f"corrupt zip member {info.filename}: {exc}") from exc
    return b"".join(pieces)


def read_members(archive: zipfile.ZipFile, limits: Limits = DEFAULT_LIMITS) -> dict[str, bytes]:
    """Every member's bytes, each read with :func:`read_member` under the per-member and total caps.

    Raises:
        LimitExceeded: a member or the sum passes its cap while inflating.
        DocumentReadError: a corrupt member.
    """
    members: dict[str, bytes] = {}
    remaining = limits.zip_total_bytes
    for info in archive.infolist():
        if info.is_dir():
            continue
        cap = min(limits.zip_member_bytes, remaining)
        content = read_member(archive, info, cap)
        if len(content) > remaining:
            raise LimitExceeded("zip_total_mib", f"members inflate past {_size(limits.zip_total_bytes)} while read")
        remaining -= len(content)
        members[info.filename] = content
    return members
