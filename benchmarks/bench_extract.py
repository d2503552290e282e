"""Throughput of the extract stage (MB of report text per second per core) on the corpus.

Every document of corpus/{txt,docx,pdf} is read and segmented once, untimed; then the extract stage
(`pipeline.stages.extract`: period scopes, every sentence and table cell) runs over all of them, and,
in the same process over the same sentences, a baseline that only scans for number tokens with one
`regex` pattern (the scan repeated BASELINE_LOOPS times, so that it runs long enough to time). Extract
and baseline passes alternate, so a slower spell of a shared machine hits both; the ratio of each
adjacent pair is reported (median). CPU time (time.process_time) is the figure that counts on a shared
machine; wall time is printed too. Usage::

    .venv/bin/python benchmarks/bench_extract.py --repeat 3
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import regex  # noqa: E402

from pipeline.process import detect_format, extract_doc_meta, load_run_context, read_document  # noqa: E402
from pipeline.stages import extract, segment  # noqa: E402

#: The baseline: number tokens as a plain scanner would find them.
NUMBER_TOKEN = regex.compile(r"\d+(?:[.,]\d+)*")
BASELINE_LOOPS = 20
FORMATS = ("txt", "docx", "pdf")


def _prepared():
    context = load_run_context()
    documents = []
    for fmt in FORMATS:
        for path in sorted((ROOT / "corpus" / fmt).glob(f"*.{fmt}")):
            data = path.read_bytes()
            document = read_document(data, path, detect_format(data, path))
            segmentation = segment(document, context.section_rules, context.table_rules)
            meta = extract_doc_meta(document, context.meta_rules)
            documents.append((path, document, segmentation, meta))
    return context, documents


def _sentences(documents) -> list[str]:
    return [
        document.text[start:end]
        for _, document, segmentation, _ in documents
        for start, end, _ in segmentation.sentences
    ]


def _timed(function) -> tuple[float, float, int]:
    wall, cpu = time.perf_counter(), time.process_time()
    count = function()
    return time.perf_counter() - wall, time.process_time() - cpu, count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="timed passes; the best one is reported")
    args = parser.parse_args()
    context, documents = _prepared()
    sentences = _sentences(documents)
    megabytes = sum(len(s.encode("utf-8")) for s in sentences) / 1e6

    def run_extract() -> int:
        return sum(
            len(extract("bench", str(path), document, segmentation, meta, context.lexicon))
            for path, document, segmentation, meta in documents
        )

    def run_baseline() -> int:
        return sum(1 for _ in range(BASELINE_LOOPS) for sentence in sentences for _ in NUMBER_TOKEN.finditer(sentence))

    run_extract()  # warm-up: lazy imports and pattern caches are not part of the throughput
    pairs = [(_timed(run_extract), _timed(run_baseline)) for _ in range(args.repeat)]
    best_extract = min((extract_pass for extract_pass, _ in pairs), key=lambda t: t[1])
    best_baseline = min((baseline_pass for _, baseline_pass in pairs), key=lambda t: t[1])
    print(f"{len(documents)} documents, {len(sentences)} sentences, {megabytes:.2f} MB of sentence text")
    for name, (wall, cpu, count), volume in (
        ("extract", best_extract, megabytes),
        ("regex baseline", best_baseline, megabytes * BASELINE_LOOPS),
    ):
        print(
            f"{name:<15} {count:>6} items  cpu {cpu:7.3f} s  {volume / cpu:8.2f} MB/s/core  "
            f"wall {wall:7.3f} s  {volume / wall:8.2f} MB/s"
        )
    ratios = sorted((baseline[1] / BASELINE_LOOPS) / extract_pass[1] for extract_pass, baseline in pairs)
    median = ratios[len(ratios) // 2]
    print(f"extract / baseline CPU throughput ratio (median of {len(ratios)} adjacent pairs): {median:.4f}")


if __name__ == "__main__":
    main()
