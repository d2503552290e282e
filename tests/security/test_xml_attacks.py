"""XML entity attacks inside .docx parts: external entities never reach any output, billion laughs fails fast."""

from __future__ import annotations

import resource
import shutil
import time
from pathlib import Path

import pandas as pd
import pytest
from docx.oxml.parser import parse_xml as python_docx_parse_xml
from lxml import etree

from pipeline.batch import run
from pipeline.readers.base import DocumentReadError
from pipeline.readers.docx import read_docx
from pipeline.readers.xml import reject_dtd
from tests.conftest import corpus_file
from tests.hostile.bad_inputs import rewrite
from tests.security.attack_files import billion_laughs_part, external_entity_part, in_limited_worker, member

SECRET = "CHISO-SECRET-7f3a9c"
#: (member, root element) of every kind of XML part a Word package has; each gets its own attack file.
PARTS = (
    ("word/document.xml", b"w:document"),
    ("word/footnotes.xml", b"w:footnotes"),
    ("word/numbering.xml", b"w:numbering"),
    ("word/styles.xml", b"w:styles"),
    ("word/header1.xml", b"w:hdr"),
    ("docProps/core.xml", b"cp:coreProperties"),
    ("[Content_Types].xml", b"Types"),
    ("_rels/.rels", b"Relationships"),
    ("word/_rels/document.xml.rels", b"Relationships"),
)


@pytest.fixture(scope="module")
def good_docx() -> Path:
    return corpus_file("003", "docx")


@pytest.fixture
def secret_file(tmp_path: Path) -> Path:
    path = tmp_path / "secret.txt"
    path.write_text(SECRET)
    return path


def _xxe_docx(good: bytes, part: str, root: bytes, secret: Path, padding: int = 0) -> bytes:
    return rewrite(good, {part: external_entity_part(member(good, part), secret, root, padding)})


@pytest.mark.parametrize(("part", "root"), PARTS)
@pytest.mark.parametrize("padding", [0, 10_000])
def test_external_entity_in_any_part_is_refused(good_docx, secret_file, part, root, padding) -> None:
    attack = _xxe_docx(good_docx.read_bytes(), part, root, secret_file, padding)
    with pytest.raises(DocumentReadError, match="declares a DTD") as error:
        read_docx(attack, Path("xxe.docx"))
    assert part in str(error.value) and SECRET not in str(error.value)


def test_external_entity_under_another_name_with_an_xml_content_type_is_refused(good_docx, secret_file) -> None:
    """python-docx chooses the parser by content type: a styles part named .bin is still parsed as XML."""
    good = good_docx.read_bytes()
    styles = external_entity_part(member(good, "word/styles.xml"), secret_file, b"w:styles")
    types = member(good, "[Content_Types].xml").replace(
        b"</Types>", b'<Default Extension="bin" ContentType="application/xml"/></Types>'
    )
    attack = rewrite(good, {"word/media/styles.bin": styles, "[Content_Types].xml": types})
    with pytest.raises(DocumentReadError, match=r"word/media/styles\.bin declares a DTD"):
        read_docx(attack, Path("xxe.docx"))


def test_utf16_part_with_a_doctype_is_refused(good_docx, secret_file) -> None:
    good = good_docx.read_bytes()
    part = external_entity_part(member(good, "word/document.xml"), secret_file).decode("utf-8")
    utf16 = part.replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16")
    with pytest.raises(DocumentReadError, match="declares a DTD"):
        read_docx(rewrite(good, {"word/document.xml": utf16}), Path("xxe16.docx"))


def test_reject_dtd_sees_a_doctype_hidden_behind_a_long_prolog_in_utf32() -> None:
    xml = '<?xml version="1.0" encoding="UTF-32"?><!--' + " " * 5000 + '--><!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>'
    with pytest.raises(DocumentReadError, match="declares a DTD"):
        reject_dtd(xml.encode("utf-32"), "part")
    reject_dtd("<a>&lt;!DOCTYPE is text here</a>".encode("utf-32"), "part")


def test_python_docx_parser_itself_never_expands_an_external_entity(secret_file) -> None:
    """Defence in depth: even a part that slipped past the check would not be expanded by python-docx."""
    xml = external_entity_part(
        b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        b"<w:body><w:p><w:r><w:t>x</w:t></w:r></w:p></w:body></w:document>",
        secret_file,
    )
    assert SECRET not in etree.tostring(python_docx_parse_xml(xml)).decode()
    assert SECRET.encode() in secret_file.read_bytes()


def _all_output_text(out: Path) -> str:
    texts = []
    for table in sorted(out.glob("*.parquet")):
        frame = pd.read_parquet(table)
        texts.append(frame.astype(str).to_csv())
    return "\n".join(texts)


def test_batch_with_external_entities_leaks_nothing_and_keeps_the_good_report(tmp_path, good_docx, secret_file) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    good = good_docx.read_bytes()
    shutil.copy(good_docx, inputs / good_docx.name)
    passwd = Path("/etc/passwd")
    for index, (part, root) in enumerate(PARTS):
        (inputs / f"xxe_{index}.docx").write_bytes(_xxe_docx(good, part, root, secret_file))
        (inputs / f"xxe_passwd_{index}.docx").write_bytes(_xxe_docx(good, part, root, passwd, padding=5000))
    out = tmp_path / "out"

    run([inputs], out, workers=1)

    documents = pd.read_parquet(out / "documents.parquet")
    status = {
        Path(p).name: (s, e) for p, s, e in zip(documents.source_path, documents.status, documents.error, strict=True)
    }
    assert status.pop(good_docx.name)[0] == "ok"
    assert len(status) == 2 * len(PARTS)
    assert all(s == "failed" and "declares a DTD" in e for s, e in status.values()), status
    everything = _all_output_text(out)
    assert SECRET not in everything
    assert "root:x:0:0" not in everything
    assert len(pd.read_parquet(out / "mentions.parquet")) > 0, "the good report's mentions are in the outputs"


def _read_and_measure(data: bytes) -> tuple[str, float, int]:
    started = time.perf_counter()
    try:
        read_docx(data, Path("lol.docx"))
        outcome = "read"
    except DocumentReadError as exc:
        outcome = str(exc)
    return outcome, time.perf_counter() - started, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


@pytest.mark.parametrize(("part", "root"), [("word/document.xml", b"w:document"), ("word/styles.xml", b"w:styles")])
def test_billion_laughs_fails_within_a_second_under_a_tight_memory_ceiling(good_docx, part, root) -> None:
    good = good_docx.read_bytes()
    attack = rewrite(good, {part: billion_laughs_part(member(good, part), root)})
    # 10^9 "lol"s would need 3 GB; the reader may add no more than 1 GiB of address space.
    message, seconds, peak_rss = in_limited_worker(_read_and_measure, (attack,))
    assert message == f"XML part {part} declares a DTD"
    assert seconds < 1.0
    assert peak_rss < 512 * 1024 * 1024
