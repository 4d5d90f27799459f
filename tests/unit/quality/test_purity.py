"""qcert.quality is pure analysis: it imports no framework, no storage and nothing else of qcert."""

from pathlib import Path

import pytest

from tests.test_architecture import FRAMEWORKS, _imports

SRC = Path(__file__).parents[3] / "src" / "qcert" / "quality"
MODULES = sorted(SRC.rglob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_quality_imports_no_framework_and_nothing_else_of_qcert(path):
    imported = _imports(path)
    assert not {n.split(".")[0] for n in imported} & (FRAMEWORKS | {"psycopg", "httpx"})
    assert all(n.startswith("qcert.quality") for n in imported if n.startswith("qcert"))
