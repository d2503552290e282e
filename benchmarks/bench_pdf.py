"""Pages per second of the chiso PDF reader against pdfplumber's ``extract_text`` on the corpus PDFs.

Both run in the same process over every page of corpus/pdf/*.pdf; one untimed warm-up pass loads the
libraries first so import time is not counted. Usage::

    .venv/bin/python benchmarks/bench_pdf.py --repeat 3
"""

from __future__ import annotations

import argparse
import sys
import time
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pdfplumber  # noqa: E402

from pipeline.readers.pdf import read_pdf  # noqa: E402


def _chiso(files: list[tuple[Path, bytes]]) -> int:
    pages = 0
    for path, data in files:
        document = read_pdf(data, path)
        pages += document.n_pages or 0
    return pages


def _plumber(files: list[tuple[Path, bytes]]) -> int:
    pages = 0
    for _, data in files:
        with pdfplumber.open(BytesIO(data)) as pdf:
            for page in pdf.pages:
                page.extract_text()
                pages += 1
    return pages


def _time(function, files: list[tuple[Path, bytes]], repeat: int) -> tuple[int, float]:  # type: ignore[no-untyped-def]
    best = float("inf")
    pages = 0
    for _ in range(repeat):
        start = time.perf_counter()
        pages = function(files)
        best = min(best, time.perf_counter() - start)
    return pages, best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1, help="timed passes per tool; the best one is reported")
    parser.add_argument("--corpus", type=Path, default=ROOT / "corpus" / "pdf")
    args = parser.parse_args()
    files = [(path, path.read_bytes()) for path in sorted(args.corpus.glob("*.pdf"))]
    if not files:
        raise SystemExit(f"no PDF in {args.corpus}")
    _chiso(files[:1])
    _plumber(files[:1])
    pages, chiso_seconds = _time(_chiso, files, args.repeat)
    plumber_pages, plumber_seconds = _time(_plumber, files, args.repeat)
    chiso_rate = pages / chiso_seconds
    plumber_rate = plumber_pages / plumber_seconds
    print(f"{len(files)} files, {pages} pages, best of {args.repeat}")
    print(f"chiso read_pdf           {chiso_seconds:7.3f} s  {chiso_rate:8.1f} pages/s")
    print(f"pdfplumber extract_text  {plumber_seconds:7.3f} s  {plumber_rate:8.1f} pages/s")
    print(f"ratio                    {chiso_rate / plumber_rate:7.1f}x")


if __name__ == "__main__":
    main()
