"""Whole-pipeline throughput on a synthetic archive, against baselines run in the same invocation.

The archive replicates the bundled corpus (txt, docx, pdf) to N documents; every copy gets a few
bytes of its own (a trailing comment in PDFs, an extra zip member in .docx, a trailing line in
.txt) so that content hashes differ and nothing is deduplicated. The script then measures:

* the floor: reading every file's bytes;
* the peers a user would otherwise start from: pdfplumber ``extract_text`` for the PDFs and
  docx2python for the .docx files (bare text, no structure, no figures);
* ``chiso run`` on the archive (subprocess, fresh output folder, so nothing is reused), for each
  worker count asked, sampling the resident memory of the whole process tree.

Because copies of one report cost the same to read, the peers can be timed on one copy of each
distinct file and scaled by the number of copies (``--peer-sample``): the expected time is the same
and the benchmark stays short. Figures are printed as a table and written as JSON with ``--json``.

Usage: python benchmarks/bench_pipeline.py --docs 1000 --workers 1 2 [--also-docs 100]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = [p for fmt in ("txt", "docx", "pdf") for p in sorted((ROOT / "corpus" / fmt).glob(f"*.{fmt}"))]


def perturb(data: bytes, suffix: str, serial: int) -> bytes:
    """A valid copy of a file whose bytes (and so content hash) differ from every other copy."""
    tag = f"chiso-bench-{serial}"
    if suffix == ".pdf":
        return data + f"\n%{tag}\n".encode()
    if suffix == ".docx":
        out = io.BytesIO()
        with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
            for item in source.infolist():
                target.writestr(item, source.read(item.filename))
            target.writestr(f"customXml/{tag}.txt", tag)
        return out.getvalue()
    return data + f"\n{tag}\n".encode()


def build_archive(folder: Path, n_docs: int) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    originals = {p: p.read_bytes() for p in CORPUS}
    for serial in range(n_docs):
        source = CORPUS[serial % len(CORPUS)]
        target = folder / source.suffix[1:] / f"{serial:05d}_{source.name}"
        target.parent.mkdir(exist_ok=True)
        target.write_bytes(perturb(originals[source], source.suffix, serial))
        paths.append(target)
    return paths


def tree_rss(pid: int) -> int:
    """Resident bytes of a process and all its descendants (Linux /proc)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(entry))
            rss[int(entry)] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, IndexError, ValueError):
            continue
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        total += rss.get(current, 0)
        stack.extend(children.get(current, []))
    return total


def run_chiso(archive: Path, workers: int) -> dict[str, float]:
    out = Path(tempfile.mkdtemp(prefix="chiso-bench-out-"))
    command = [sys.executable, "-m", "pipeline.cli", "run", str(archive), "-o", str(out), "--workers", str(workers)]
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, tree_rss(process.pid))
            time.sleep(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, stderr = process.communicate()
    seconds = time.perf_counter() - started
    done.set()
    sampler.join()
    if process.returncode != 0:
        raise RuntimeError(f"chiso run failed: {stderr.decode()[-2000:]}")
    shutil.rmtree(out, ignore_errors=True)
    return {"seconds": seconds, "peak_rss_mb": peak / 2**20}


def time_reading(paths: list[Path]) -> float:
    started = time.perf_counter()
    for path in paths:
        path.read_bytes()
    return time.perf_counter() - started


def time_peers(paths: list[Path], sample: bool) -> tuple[float, dict[str, float]]:
    """Seconds pdfplumber extract_text (PDFs) + docx2python (.docx) take over the archive."""
    import pdfplumber
    from docx2python import docx2python

    by_source = Counter(p.name.split("_", 1)[1] for p in paths)
    chosen = {p.name.split("_", 1)[1]: p for p in paths} if sample else None
    targets = list(chosen.values()) if chosen else paths
    per_format = {"pdf": 0.0, "docx": 0.0}
    for path in targets:
        weight = by_source[path.name.split("_", 1)[1]] if chosen else 1
        started = time.perf_counter()
        if path.suffix == ".pdf":
            with pdfplumber.open(path) as pdf:
                for page in pdf.pages:
                    page.extract_text()
        elif path.suffix == ".docx":
            with docx2python(path) as document:
                _ = document.text
        else:
            continue
        per_format[path.suffix[1:]] += (time.perf_counter() - started) * weight
    return sum(per_format.values()), per_format


def pdf_pages(paths: list[Path]) -> int:
    import pypdfium2

    counts: dict[str, int] = {}
    total = 0
    for path in paths:
        if path.suffix != ".pdf":
            continue
        key = path.name.split("_", 1)[1]
        if key not in counts:
            document = pypdfium2.PdfDocument(str(path))
            counts[key] = len(document)
            document.close()
        total += counts[key]
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=1000, help="documents in the synthetic archive")
    parser.add_argument("--also-docs", type=int, default=0, help="a smaller archive to compare peak memory with")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2], help="worker counts to time")
    parser.add_argument("--peer-sample", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument("--peers", action=argparse.BooleanOptionalAction, default=True, help="time the peers")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()

    scratch = Path(tempfile.mkdtemp(prefix="chiso-bench-"))
    results: dict[str, object] = {"docs": args.docs, "cores": os.cpu_count()}
    try:
        paths = build_archive(scratch / "archive", args.docs)
        size_mb = sum(p.stat().st_size for p in paths) / 2**20
        pages = pdf_pages(paths)
        results.update(archive_mb=round(size_mb, 1), pdf_pages=pages)
        results["read_seconds"] = round(time_reading(paths), 3)
        peers, per_format = time_peers(paths, args.peer_sample) if args.peers else (float("nan"), {})
        results.update(peers_seconds=round(peers, 1), peers_by_format={k: round(v, 1) for k, v in per_format.items()})
        runs = {}
        for workers in args.workers:
            measured = run_chiso(scratch / "archive", workers)
            runs[workers] = {
                "seconds": round(measured["seconds"], 1),
                "docs_per_s": round(args.docs / measured["seconds"], 2),
                "mb_per_s": round(size_mb / measured["seconds"], 2),
                "pdf_pages_per_s": round(pages / measured["seconds"], 1),
                "peak_rss_mb": round(measured["peak_rss_mb"]),
                "vs_peers": round(measured["seconds"] / peers, 3),
            }
        results["chiso"] = runs
        if len(args.workers) > 1:
            low, high = min(args.workers), max(args.workers)
            results["speedup"] = round(runs[low]["seconds"] / runs[high]["seconds"], 2)
        if args.also_docs:
            small = build_archive(scratch / "small", args.also_docs)
            del small
            measured = run_chiso(scratch / "small", max(args.workers))
            results["small"] = {"docs": args.also_docs, "peak_rss_mb": round(measured["peak_rss_mb"])}
    finally:
        shutil.rmtree(scratch, ignore_errors=True)

    print(f"archive: {args.docs} documents, {results['archive_mb']} MB, {results['pdf_pages']} PDF pages")
    print(f"floor (read bytes):            {results['read_seconds']:>8} s")
    print(f"peers (pdfplumber+docx2python): {results['peers_seconds']:>8} s  {results['peers_by_format']}")
    for workers, figures in results["chiso"].items():
        print(
            f"chiso --workers {workers}:             {figures['seconds']:>8} s  {figures['docs_per_s']} docs/s  "
            f"{figures['mb_per_s']} MB/s  {figures['pdf_pages_per_s']} PDF pages/s  peak {figures['peak_rss_mb']} MB  "
            f"= {figures['vs_peers']} x the peers' time"
        )
    if "speedup" in results:
        print(f"speed-up {min(args.workers)} -> {max(args.workers)} workers: {results['speedup']}x")
    if "small" in results:
        print(f"peak memory at {args.also_docs} documents: {results['small']['peak_rss_mb']} MB")
    if args.json:
        args.json.write_text(json.dumps(results, indent=1) + "\n")


if __name__ == "__main__":
    main()
