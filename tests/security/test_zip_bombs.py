"""Decompression bombs in .docx containers: refused from the zip directory, or while streaming, never inflated."""

from __future__ import annotations

import os
import resource
import shutil
import time
import zipfile
from io import BytesIO
from pathlib import Path

import pandas as pd
import pytest

from pipeline.batch import run
from pipeline.limits import DEFAULT_LIMITS, LimitExceeded, Limits, declared_member_count, read_member
from pipeline.readers.base import DocumentReadError
from pipeline.readers.docx import read_docx
from tests.conftest import corpus_file
from tests.hostile.bad_inputs import rewrite
from tests.security.attack_files import deflated_zeros, in_limited_worker, with_raw_deflated_member


@pytest.fixture(scope="module")
def good() -> bytes:
    return corpus_file("003", "docx").read_bytes()


@pytest.fixture(scope="module")
def gigabyte_of_zeros() -> tuple[bytes, int]:
    return deflated_zeros(1024)


def _read_and_measure(data: bytes, limits: Limits) -> tuple[str, float, int]:
    started = time.perf_counter()
    try:
        read_docx(data, Path("bomb.docx"), limits)
        outcome = "read"
    except DocumentReadError as exc:
        outcome = f"{type(exc).__name__}: {exc}"
    return outcome, time.perf_counter() - started, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _refusal(data: bytes, limits: Limits = DEFAULT_LIMITS) -> str:
    """The reader's refusal, measured in a child allowed 1 GiB more address space: fast and small."""
    message, seconds, peak_rss = in_limited_worker(_read_and_measure, (data, limits))
    assert seconds < 1.0, message
    assert peak_rss < 512 * 1024 * 1024, message
    return message


def test_gigabyte_member_is_refused_from_the_directory(good, gigabyte_of_zeros) -> None:
    stream, crc = gigabyte_of_zeros
    bomb = with_raw_deflated_member(good, "word/media/image9.bin", stream, 1 << 30, crc)
    assert len(bomb) < 2 * 1024 * 1024
    assert _refusal(bomb).startswith(
        "LimitExceeded: limit zip_member_mib: member 'word/media/image9.bin' expands to 1 GiB"
    )


def test_high_ratio_member_is_refused_from_the_directory(good) -> None:
    stream, crc = deflated_zeros(50)
    bomb = with_raw_deflated_member(good, "word/media/image9.bin", stream, 50 << 20, crc)
    assert "limit zip_ratio: member 'word/media/image9.bin' expands 1" in _refusal(bomb)


def test_total_size_is_refused_from_the_directory(good) -> None:
    changes = {f"word/media/blob{index}.bin": os.urandom(1 << 20) for index in range(3)}
    message = _refusal(rewrite(good, changes), Limits(zip_total_mib=2))
    assert message == "LimitExceeded: limit zip_total_mib: members expand to over 2 MiB"


def test_too_many_members_are_refused_before_the_directory_is_parsed(good) -> None:
    crowded = rewrite(good, {f"word/media/{index}.bin": b"" for index in range(300)})
    assert declared_member_count(crowded) == 317
    assert _refusal(crowded, Limits(zip_members=100)) == (
        "LimitExceeded: limit zip_members: 317 members declared, over 100"
    )


def test_directory_that_understates_a_member_is_caught_while_streaming(good, gigabyte_of_zeros) -> None:
    """Headers can lie: 1 KB declared, 1 GiB in the stream. Reading stops at the cap, nothing is inflated."""
    stream, crc = gigabyte_of_zeros
    liar = with_raw_deflated_member(good, "word/media/image9.bin", stream, 1000, crc)
    assert _refusal(liar).startswith("DocumentReadError: corrupt zip member word/media/image9.bin")


def test_read_member_stops_at_its_cap() -> None:
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("big.xml", b"<a>" + b" " * (3 << 20) + b"</a>")
    with zipfile.ZipFile(buffer) as archive:
        info = archive.getinfo("big.xml")
        with pytest.raises(LimitExceeded, match="inflates past 1 MiB while read") as error:
            read_member(archive, info, cap=1 << 20)
        assert error.value.limit == "zip_member_mib"
        assert len(read_member(archive, info, cap=4 << 20)) == info.file_size


def test_directory_pointing_before_the_file_is_a_read_error() -> None:
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b"<w:document/>")
    data = bytearray(buffer.getvalue())
    # The end record says the directory starts 2 bytes later than it does, so zipfile shifts every local
    # header offset by -2: the first member's header lies before the start of the file.
    end = data.rindex(b"PK\x05\x06")
    offset = int.from_bytes(data[end + 16 : end + 20], "little")
    data[end + 16 : end + 20] = (offset + 2).to_bytes(4, "little")
    data[end + 20 : end + 22] = b"\x00\x00"
    with pytest.raises(DocumentReadError):
        read_docx(bytes(data) + b"\x00\x00", Path("shifted.docx"))


def test_real_reports_are_far_below_every_default_limit() -> None:
    limits = Limits()
    for report in ("000", "001", "002", "003", "004"):
        with zipfile.ZipFile(corpus_file(report, "docx")) as archive:
            infos = archive.infolist()
        assert len(infos) * 10 < limits.zip_members
        assert sum(i.file_size for i in infos) * 100 < limits.zip_total_bytes
        assert max(i.file_size / i.compress_size for i in infos) * 3 < limits.zip_ratio


def test_batch_with_bombs_fails_them_on_the_limit_and_keeps_the_good_report(tmp_path, good, gigabyte_of_zeros) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    source = corpus_file("003", "docx")
    shutil.copy(source, inputs / source.name)
    stream, crc = gigabyte_of_zeros
    (inputs / "bomb.docx").write_bytes(with_raw_deflated_member(good, "word/media/x.bin", stream, 1 << 30, crc))
    (inputs / "liar.docx").write_bytes(with_raw_deflated_member(good, "word/media/x.bin", stream, 1000, crc))

    run([inputs], tmp_path / "out", workers=1)

    documents = pd.read_parquet(tmp_path / "out" / "documents.parquet").set_index("source_path")
    assert documents.loc[str(inputs / source.name), "status"] == "ok"
    bomb = documents.loc[str(inputs / "bomb.docx")]
    assert bomb.status == "failed" and bomb.error.startswith("ingest: LimitExceeded: limit zip_member_mib")
    liar = documents.loc[str(inputs / "liar.docx")]
    assert liar.status == "failed" and "corrupt zip member word/media/x.bin: Bad CRC-32" in liar.error
