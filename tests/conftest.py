"""Shared fixtures: a migrated database on SQLite and on PostgreSQL.

PostgreSQL is taken from ``QCERT_TEST_POSTGRES_URL`` (default
``postgresql+psycopg://postgres@127.0.0.1:5432/postgres``); each test session
creates its own database there and drops it at the end. When PostgreSQL is not
reachable the PostgreSQL half of the suite is skipped on a laptop and fails
under ``CI=true``.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import settings

from qcert.store import create_engine, migrate

DATA = Path(__file__).parent / "data"

# Time is measured in the benchmarks, never in tests: a property test on a busy machine must not
# fail for taking longer than Hypothesis's default 200 ms per example.
settings.register_profile("qcert", deadline=None)
settings.load_profile("qcert")
PG_ADMIN_URL = os.environ.get(
    "QCERT_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


def _all_tables() -> list[sa.Table]:
    """Every table of the schema, each after the tables its foreign keys point to."""
    from qcert.ledger.storage import metadata as ledger
    from qcert.store.tables import metadata

    return sa.schema.sort_tables([*ledger.tables.values(), *metadata.tables.values()])


def _need_service(reason: str) -> None:
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"{reason} (CI=true: a missing service is a failure)")
    pytest.skip(reason)


@pytest.fixture(autouse=True, scope="session")
def light_password_hashes() -> Iterator[Any]:
    """Passwords set in tests are hashed with argon2id at its lightest cost (one pass over
    1 MiB, one lane) instead of the product's (three passes over 64 MiB, four lanes).

    Verification reads the cost from the stored hash, so every sign-in still runs a real
    argon2id check that refuses a wrong password; it takes a millisecond instead of half a
    second on a loaded machine, and the suite signs in thousands of times. The product's
    parameters are checked in tests/unit/test_security.py with the hasher this yields.
    """
    from argon2 import PasswordHasher

    from qcert import security

    real = security._hasher
    security._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    # The hash checked for unknown names, so the time taken does not tell who exists: made
    # anew on first use, at the same light cost as the accounts' own.
    security._dummy.cache_clear()
    yield real
    security._hasher = real
    security._dummy.cache_clear()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """URL of a fresh, migrated PostgreSQL database for this test session."""
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
    except sa.exc.OperationalError as err:
        admin.dispose()
        _need_service(f"PostgreSQL is not reachable at {PG_ADMIN_URL}: {err.orig}")
    name = f"qcert_test_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        # A commit returns once it is in the server's WAL buffers, not on disk: what every
        # other connection sees is unchanged; only a crash of the server itself could lose the
        # last commits, and no test crashes it. Commits stop waiting on the shared disk.
        conn.exec_driver_sql(f'ALTER DATABASE "{name}" SET synchronous_commit = off')
    url = sa.make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    engine = create_engine(url)
    migrate(engine)
    engine.dispose()
    yield url
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated to head once per session; each test gets a copy of it."""
    path = tmp_path_factory.mktemp("template") / "qcert.db"
    engine = create_engine(f"sqlite:///{path}")
    migrate(engine)
    engine.dispose()
    # Closing the last connection checkpoints the WAL into the file and removes it, so the
    # file alone is the whole migrated database.
    assert not path.with_name("qcert.db-wal").exists()
    return path


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A migrated, empty database: a SQLite file, or the session's PostgreSQL database."""
    if request.param == "sqlite":
        # A copy of the session's migrated file (mode 0600 kept): the same schema as running
        # every migration again, in a millisecond instead of a third of a second.
        path = tmp_path / "qcert.db"
        shutil.copy2(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    url = request.getfixturevalue("postgres_url")
    engine = create_engine(url)
    # DELETE, children first, empties these small tables in tens of milliseconds; TRUNCATE
    # takes most of a second, as it makes new files for every table and index.
    with engine.begin() as conn:
        for table in reversed(_all_tables()):
            conn.execute(table.delete())
    engine.dispose()
    yield url


@pytest.fixture
def engine(database_url: str) -> Iterator[sa.Engine]:
    """An engine on :func:`database_url`, disposed after the test."""
    eng = create_engine(database_url)
    yield eng
    eng.dispose()


@pytest.fixture
def clock():
    """The installation's clock in a test world, driven by its scenario (tests/clock.py)."""
    from tests.clock import ScenarioClock

    return ScenarioClock()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Modules marked ``long`` run first, the rest in their usual order: each worker takes
    whole files, and a long one left to the end keeps one worker busy while the other waits."""
    items.sort(key=lambda item: item.get_closest_marker("long") is None)
