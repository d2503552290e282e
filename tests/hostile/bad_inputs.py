"""Builders of bad and legacy inputs for the hostile-input tests, and the script that writes OUTCOMES.md.

Each builder returns bytes; :func:`write_bad_inputs` puts one file per kind in a folder together with a
good report, so a batch run shows both that every bad file is recorded and that the good one still
comes out ok. Run ``.venv/bin/python -m tests.hostile.bad_inputs`` to regenerate tests/hostile/OUTCOMES.md.
"""

from __future__ import annotations

import random
import re
import sys
import tempfile
import unicodedata
import zipfile
from io import BytesIO
from pathlib import Path
from typing import Any

from tests.conftest import ROOT, corpus_file

OUTCOMES = Path(__file__).resolve().parent / "OUTCOMES.md"
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def rewrite(docx: bytes, changes: dict[str, bytes | None]) -> bytes:
    """The package with members replaced, added or (value None) removed; the rest copied unchanged."""
    source = zipfile.ZipFile(BytesIO(docx))
    buffer = BytesIO()
    with source, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if info.filename not in changes:
                target.writestr(info, source.read(info))
        for name, content in changes.items():
            if content is not None:
                target.writestr(name, content)
    return buffer.getvalue()


def member(docx: bytes, name: str) -> bytes:
    with zipfile.ZipFile(BytesIO(docx)) as archive:
        return archive.read(name)


def pdf_file(objects: list[bytes], trailer: bytes = b"") -> bytes:
    """A PDF whose objects 1..n are ``objects`` (object 1 the catalog), with a correct xref table."""
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R %s>>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, trailer, xref)
    return bytes(out)


def text_pdf(lines: list[tuple[bytes, bytes]]) -> bytes:
    """A one-page PDF showing each (font name, 8-bit text) line in a non-embedded WinAnsi TrueType font."""
    fonts = sorted({font for font, _ in lines})
    font_ids = {font: 4 + index for index, font in enumerate(fonts)}
    content = b"BT\n"
    for row, (font, text) in enumerate(lines):
        escaped = text.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")
        content += b"/F%d 12 Tf 1 0 0 1 72 %d Tm (%s) Tj\n" % (font_ids[font], 760 - 20 * row, escaped)
    content += b"ET"
    resources = b" ".join(b"/F%d %d 0 R" % (i, i) for i in font_ids.values())
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << "
        + resources
        + b" >> >> /Contents %d 0 R >>" % (4 + len(fonts)),
    ]
    objects += [b"<< /Type /Font /Subtype /TrueType /BaseFont /" + f + b" /Encoding /WinAnsiEncoding >>" for f in fonts]
    objects.append(b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream")
    return pdf_file(objects)


def zero_page_pdf() -> bytes:
    return pdf_file([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [] /Count 0 >>"])


def encrypted_pdf() -> bytes:
    """A PDF under the standard security handler (RC4, revision 2) whose user password is not empty."""
    base = text_pdf([(b"Helvetica", b"secret")])
    rng = random.Random(7)
    owner, user = rng.randbytes(32), rng.randbytes(32)
    encrypt = b"<< /Filter /Standard /V 1 /R 2 /O <%s> /U <%s> /P -44 >>" % (owner.hex().encode(), user.hex().encode())
    body = base[: base.index(b"xref\n")]
    objects = [m.group(1) for m in re.finditer(rb"\d+ 0 obj\n(.*?)\nendobj\n", body, re.DOTALL)]
    objects.append(encrypt)
    file_id = rng.randbytes(16).hex().encode()
    return pdf_file(objects, b"/Encrypt %d 0 R /ID [<%s> <%s>] " % (len(objects), file_id, file_id))


def nested_tables_docx(good: bytes, depth: int = 50) -> bytes:
    """The good report with a table nested ``depth`` levels deep (a cell holding a table holding...) appended."""
    inner = "<w:p><w:r><w:t>Tổng thu ngân sách đạt 97,62% kế hoạch.</w:t></w:r></w:p>"
    for level in range(depth):
        inner = f"<w:tbl><w:tr><w:tc><w:p><w:r><w:t>Mức {level}</w:t></w:r></w:p>{inner}<w:p/></w:tc></w:tr></w:tbl>"
    document = member(good, "word/document.xml").decode("utf-8")
    document = document.replace("<w:sectPr", inner + "<w:p/><w:sectPr", 1)
    return rewrite(good, {"word/document.xml": document.encode("utf-8")})


def footnotes_without_namespace(good: bytes) -> bytes:
    """footnotes.xml with its namespace declarations stripped: every w: prefix is undeclared."""
    footnotes = member(good, "word/footnotes.xml")
    stripped = re.sub(rb'\sxmlns:\w+="[^"]*"', b"", footnotes)
    return rewrite(good, {"word/footnotes.xml": stripped})


def to_cp1258(text: str) -> bytes:
    """Windows-1258 bytes: letters with a tone mark are written as the toneless letter plus a combining tone."""
    out = bytearray()
    for char in unicodedata.normalize("NFC", text):
        try:
            out += char.encode("cp1258")
        except UnicodeEncodeError:
            decomposed = unicodedata.normalize("NFD", char)
            base = unicodedata.normalize("NFC", decomposed[:-1])
            out += base.encode("cp1258") + decomposed[-1].encode("cp1258")
    return bytes(out)


def bad_inputs() -> dict[str, tuple[str, bytes]]:
    """file name -> (what is wrong with it, bytes)."""
    good = corpus_file("003", "docx").read_bytes()
    document_xml = member(good, "word/document.xml")
    rng = random.Random(2024)
    sentence = "Tổng thu ngân sách nhà nước trên địa bàn ước đạt 1.234,5 tỷ đồng, tăng 7,5% so với cùng kỳ. "
    return {
        "good_report.docx": ("a good report (003) in the same batch", good),
        "truncated.docx": ("the first half of a good .docx", good[: len(good) // 2]),
        "bad_zip.docx": ("zip signature followed by junk", b"PK\x03\x04" + rng.randbytes(4000)),
        "missing_document_xml.docx": (
            "zip without word/document.xml",
            rewrite(good, {"word/document.xml": None}),
        ),
        "half_document_xml.docx": (
            "word/document.xml cut in the middle",
            rewrite(good, {"word/document.xml": document_xml[: len(document_xml) // 2]}),
        ),
        "footnotes_no_namespace.docx": (
            "footnotes.xml without namespace declarations",
            footnotes_without_namespace(good),
        ),
        "nested_tables.docx": ("tables nested 50 deep", nested_tables_docx(good)),
        "not_a_pdf.pdf": ("%PDF- header followed by junk", b"%PDF-1.7\n" + rng.randbytes(3000)),
        "html_named.pdf": ("an HTML page named .pdf", b"<html><body><p>Trang web</p></body></html>\n"),
        "encrypted.pdf": ("PDF encrypted with a user password", encrypted_pdf()),
        "zero_pages.pdf": ("PDF whose page tree is empty", zero_page_pdf()),
        "empty.pdf": ("0 bytes", b""),
        "blank.txt": ("only whitespace", b" \n\t\r\n  \n"),
        "junk.txt": ("random binary bytes named .txt", rng.randbytes(20_000)),
        "utf16.txt": ("UTF-16 LE with BOM", ("\ufeff" + sentence * 20).encode("utf-16-le")),
        "cp1258.txt": ("Windows-1258 bytes", to_cp1258(sentence * 20)),
        "crlf.txt": ("CRLF line endings", (sentence.strip() + "\r\n").encode("utf-8") * 30),
        "one_line_10mb.txt": ("one 10 MB line of letters, no line break", b"abcdefghij" * 1_000_000),
        "legacy.doc": (
            "Word 97-2003 OLE header followed by junk",
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + rng.randbytes(8000),
        ),
        "tcvn3.docx": ("legacy TCVN3 fonts (.VnTime/.VnTimeH)", (ROOT / "corpus/variants/tcvn3.docx").read_bytes()),
    }


def write_bad_inputs(folder: Path) -> dict[str, str]:
    """Write every input of :func:`bad_inputs` into ``folder``; returns file name -> what is wrong with it."""
    folder.mkdir(parents=True, exist_ok=True)
    described = {}
    for name, (what, data) in bad_inputs().items():
        (folder / name).write_bytes(data)
        described[name] = what
    return described


def outcomes_table(folder: Path, out_dir: Path, described: dict[str, str]) -> tuple[str, dict[str, dict]]:
    """Run the batch over ``folder`` and render the Markdown table; returns (markdown, name -> documents row)."""
    import pandas as pd

    from pipeline.batch import run

    run([folder], out_dir, workers=1)
    documents = pd.read_parquet(out_dir / "documents.parquet")
    rows = {
        Path(row["source_path"]).name: {key: _cell(value) for key, value in row.items()}
        for row in documents.to_dict("records")
    }
    lines = [
        "# Hostile and legacy inputs: outcomes",
        "",
        "Generated by `.venv/bin/python -m tests.hostile.bad_inputs` (one batch run, `workers=1`);",
        "tests/hostile/test_bad_inputs.py checks the same outcomes.",
        "",
        "| input | bad-input kind | status | error / warnings |",
        "|---|---|---|---|",
    ]
    for name in sorted(described):
        row = rows.get(name, {})
        detail = _cell(row.get("error")) or "; ".join(_cell(row.get("warnings")) or [])
        if _cell(row.get("encoding")):
            detail += f" (encoding {row['encoding']})"
        lines.append(f"| `{name}` | {described[name]} | {row.get('status', 'missing')} | {detail.replace('|', '/')} |")
    return "\n".join(lines) + "\n", rows


def _cell(value: Any) -> Any:
    """A documents-row value with pandas' missing markers (None, NaN) turned into None."""
    if value is None or (isinstance(value, float) and value != value):
        return None
    return list(value) if hasattr(value, "tolist") else value


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        described = write_bad_inputs(Path(folder) / "inputs")
        markdown, _ = outcomes_table(Path(folder) / "inputs", Path(folder) / "out", described)
    OUTCOMES.write_text(markdown, encoding="utf-8")
    sys.stdout.write(markdown)


if __name__ == "__main__":
    main()
