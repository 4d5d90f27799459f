"""Write docs/indicators/<id>.md for every registered indicator and docs/hub-tables.md:
``python -m qcert.supervision.analytics.docs [DOCS_DIR]``."""

from __future__ import annotations

import sys
from pathlib import Path

from . import INDICATORS
from .registry import page
from .tables import reference

__all__ = ["write"]


def write(docs: Path) -> list[Path]:
    """Write the pages under ``docs``; the paths written."""
    folder = docs / "indicators"
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for item in INDICATORS.values():
        path = folder / f"{item.id}.md"
        path.write_text(page(item), encoding="utf-8")
        written.append(path)
    tables = docs / "hub-tables.md"
    tables.write_text(reference(), encoding="utf-8")
    return [*written, tables]


if __name__ == "__main__":
    print(len(write(Path(sys.argv[1] if len(sys.argv) > 1 else "docs"))), "pages")
