"""Where the public datasets the tests read live: ``$QCERT_SHARED_DATA``, else the first
``shared/data`` found beside the repository or one of its parent folders."""

from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def shared_data(name: str) -> Path:
    """The folder of dataset ``name`` (it may not exist: callers skip or fail with its path)."""
    if env := os.environ.get("QCERT_SHARED_DATA"):
        return Path(env) / name
    for parent in REPO.parents:
        candidate = parent / "shared" / "data" / name
        if candidate.is_dir():
            return candidate
    return REPO.parent / "shared" / "data" / name
