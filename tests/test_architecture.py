"""The arrows of DESIGN.md: the ledger depends on nothing else in qcert; its core does no I/O."""

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).parents[1] / "src" / "qcert"
FRAMEWORKS = {"sqlalchemy", "alembic", "fastapi", "starlette", "typer", "rich", "uvicorn"}


def _imports(path: Path) -> set[str]:
    """Absolute module names imported by ``path`` (relative imports resolved)."""
    package = ".".join(path.relative_to(SRC.parent).with_suffix("").parts[:-1])
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                names.add(".".join([*base, node.module] if node.module else base))
            else:
                names.add(node.module or "")
    return names


LEDGER = sorted((SRC / "ledger").rglob("*.py"))
CORE = [p for p in LEDGER if "storage" not in p.parts]


@pytest.mark.parametrize("path", LEDGER, ids=lambda p: str(p.relative_to(SRC)))
def test_ledger_imports_nothing_else_from_qcert(path):
    outside = {
        n for n in _imports(path) if n.startswith("qcert") and not n.startswith("qcert.ledger")
    }
    assert not outside


@pytest.mark.parametrize("path", CORE, ids=lambda p: str(p.relative_to(SRC)))
def test_ledger_core_imports_no_framework_or_storage(path):
    imported = _imports(path)
    assert not {n.split(".")[0] for n in imported} & FRAMEWORKS
    assert not any(n.startswith("qcert.ledger.storage") for n in imported)


def test_the_check_sees_relative_imports():
    assert "qcert.ledger.hashing" in _imports(SRC / "ledger" / "tree.py")
