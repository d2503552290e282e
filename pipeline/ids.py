"""Stable identifiers: a document is named by the hash of its bytes, everything else by its place in it."""

from __future__ import annotations

import hashlib


def doc_id_for(data: bytes) -> str:
    """Content hash of the file bytes: the same report under two names is one document.

    >>> doc_id_for(b"")
    'e3b0c44298fc1c14'
    """
    return hashlib.sha256(data).hexdigest()[:16]


def mention_id_for(doc_id: str, char_start: int, char_end: int) -> str:
    """A mention is identified by its document and span, so re-runs give the same id."""
    return f"{doc_id}:{char_start}-{char_end}"
