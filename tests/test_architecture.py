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


# .. one wiring, one policy, thin faces ......................................

FACES = ("api", "web", "cli")


def _modules(part: str) -> list[Path]:
    return sorted((SRC / part).rglob("*.py"))


@pytest.mark.parametrize(
    ("face", "other"), [("api", "web"), ("web", "api")], ids=["api-imports-web", "web-imports-api"]
)
def test_the_api_and_the_pages_never_import_each_other(face, other):
    for path in _modules(face):
        assert not any(n.startswith(f"qcert.{other}") for n in _imports(path)), path


# Calls that build a piece of the wiring: only qcert.bootstrap (and the parts themselves) may.
WIRING = {"UnitOfWork", "KeyStore", "DocumentStore", "Ledger", "SqlLedgerStorage", "MessageBus"}


def _calls(path: Path) -> set[str]:
    """Names called in ``path``: ``f(...)`` as ``f``, ``a.b(...)`` as ``a.b``."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name):
                found.add(func.id)
            elif isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
                found.add(f"{func.value.id}.{func.attr}")
    return found


@pytest.mark.parametrize("face", FACES)
def test_no_face_builds_a_unit_of_work_a_key_store_or_a_ledger(face):
    for path in _modules(face):
        built = _calls(path) & (WIRING | {"create_engine", "open_ledger"})
        assert not built, f"{path.relative_to(SRC)} builds {sorted(built)}: ask bootstrap"


@pytest.mark.parametrize("face", FACES)
def test_no_face_acts_as_the_platform_itself(face):
    # ``Principal.system`` is the platform's own process: the bus's side effects, the demo,
    # installation. A face that could build it would let a request act as anyone.
    for path in _modules(face):
        assert "Principal.system" not in _calls(path), path.relative_to(SRC)


def test_every_command_of_the_bus_has_an_access_rule():
    from qcert.access import COMMANDS
    from qcert.bus import HANDLERS

    assert set(HANDLERS) == set(COMMANDS)


_SQL_CALLS = {"select", "insert", "update", "delete", "text", "join", "outerjoin"}
# Modules outside store/ and ledger/storage/ that still hold SQL. This list may only shrink:
# a file that no longer holds SQL fails the second test until it is taken off.
SQL_ALLOWED = {"credentials/lookup.py", "credentials/printable.py"}


def _holds_sql(path: Path) -> bool:
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            func = node.func
            if (
                isinstance(func.value, ast.Name)
                and func.value.id == "sa"
                and func.attr in _SQL_CALLS
            ):
                return True
            if func.attr in ("execute", "exec_driver_sql", "executescript"):
                return True
    return False


def _sql_outside_the_store() -> set[str]:
    found = set()
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC)
        if rel.parts[0] == "store" or rel.parts[:2] == ("ledger", "storage"):
            continue
        if _holds_sql(path):
            found.add(str(rel))
    return found


def test_sql_lives_in_the_store_and_the_ledgers_storage_only():
    assert _sql_outside_the_store() <= SQL_ALLOWED


def test_the_sql_allow_list_only_shrinks():
    assert _sql_outside_the_store() >= SQL_ALLOWED, "take the files without SQL off the list"


def test_the_sql_check_sees_sql():
    assert _holds_sql(SRC / "store" / "queries.py")
    assert not _holds_sql(SRC / "access" / "commands.py")


# .. words: parts read the catalogs, never the faces .........................

LOCALE = sorted((SRC / "locale").rglob("*.py"))
# The served application composes the faces; everything else is a part below them.
PARTS = [
    p
    for p in sorted(SRC.rglob("*.py"))
    if p.relative_to(SRC).parts[0] not in FACES and p.name != "server.py"
]


@pytest.mark.parametrize("path", LOCALE, ids=lambda p: str(p.relative_to(SRC)))
def test_the_catalogs_import_nothing_else_from_qcert(path):
    # A part keeps its words in qcert.locale; the catalogs pointing back at a part (or a face)
    # would turn that into a cycle.
    outside = {
        n for n in _imports(path) if n.startswith("qcert") and not n.startswith("qcert.locale")
    }
    assert not outside


def test_no_part_imports_a_face():
    faces = {f"qcert.{face}" for face in FACES}
    found = {
        str(p.relative_to(SRC)): sorted(
            n for n in _imports(p) if ".".join(n.split(".")[:2]) in faces
        )
        for p in PARTS
    }
    assert {path: names for path, names in found.items() if names} == {}
    assert len(PARTS) > 100
