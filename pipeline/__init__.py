"""chiso's pipeline: readers, stages, tables and the command line.

The public Python API is re-exported here lazily (``import pipeline as chiso; chiso.load("mentions")``)
so that importing the command line stays fast.
"""

from __future__ import annotations

from typing import Any

__all__ = ["compare", "load", "query", "run"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from pipeline import api

        return getattr(api, name)
    raise AttributeError(f"module 'pipeline' has no attribute {name!r}")
