"""Per-document result shards: what makes runs incremental and resumable.

Every processed document leaves one shard in ``OUT/.chiso/shards/<pipeline_key>/``, named by the
document's content hash, written atomically (temporary file + rename). A shard is only ever complete
or absent, so a run killed at any moment (even ``kill -9``) loses at most the documents in flight;
started again, it reuses every finished shard. The pipeline key combines the chiso version, the hash
of chiso's Python sources and the hash of ``patterns/``: changing a pattern or the code makes every
document be processed again.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

SHARD_DIR = Path(".chiso") / "shards"


def chiso_version() -> str:
    try:
        return version("chiso")
    except PackageNotFoundError:
        return "0+unknown"


def code_hash() -> str:
    """Hash of the pipeline's own Python sources, so a code change (not only a release) invalidates shards."""
    root = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256()
    for package in ("extractors", "pipeline"):
        for source in sorted((root / package).rglob("*.py")):
            digest.update(source.relative_to(root).as_posix().encode())
            digest.update(source.read_bytes())
    return digest.hexdigest()[:16]


def pipeline_key(patterns_hash: str) -> str:
    """Which code and rules produced a shard: the same document is reprocessed when this changes."""
    return hashlib.sha256(f"{chiso_version()}\x1f{code_hash()}\x1f{patterns_hash}".encode()).hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class ShardStore:
    out_dir: Path
    key: str

    @property
    def directory(self) -> Path:
        return self.out_dir / SHARD_DIR / self.key

    def path_for(self, doc_id: str) -> Path:
        if not doc_id.isalnum():
            raise ValueError(f"not a content hash: {doc_id!r}")
        return self.directory / f"{doc_id}.json.gz"

    def has(self, doc_id: str) -> bool:
        return self.path_for(doc_id).exists()

    def save(self, doc_id: str, rows: dict[str, list[dict[str, Any]]]) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=f".{doc_id}.", suffix=".tmp", dir=self.directory)
        try:
            with os.fdopen(handle, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=3) as out:
                out.write(json.dumps(rows, ensure_ascii=False).encode("utf-8"))
            os.replace(temporary, self.path_for(doc_id))
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def load(self, doc_id: str) -> dict[str, list[dict[str, Any]]]:
        with gzip.open(self.path_for(doc_id), "rb") as handle:
            rows: dict[str, list[dict[str, Any]]] = json.loads(handle.read().decode("utf-8"))
        return rows
