"""params.yaml: the tunable parameters of the pipeline, one top-level key per stage (DVC convention).

The only module that reads params.yaml for the pipeline; stages get plain values from it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

DEFAULT_PARAMS = Path(__file__).resolve().parent.parent / "params.yaml"


def load_params(path: Path | None = None) -> dict[str, Any]:
    """The parsed params.yaml (an empty mapping when the file does not exist)."""
    path = path or DEFAULT_PARAMS
    if not path.exists():
        return {}
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a mapping of stage names to parameters")
    return data
