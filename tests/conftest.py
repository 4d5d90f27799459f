"""Shared fixtures: a migrated database on SQLite and on PostgreSQL.

PostgreSQL is taken from ``QCERT_TEST_POSTGRES_URL`` (default
``postgresql+psycopg://postgres@127.0.0.1:5432/postgres``); each test session
creates its own database there and drops it at the end. When PostgreSQL is not
reachable the PostgreSQL half of the suite is skipped on a laptop and fails
under ``CI=true``.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from qcert.store import create_engine, migrate

DATA = Path(__file__).parent / "data"
PG_ADMIN_URL = os.environ.get(
    "QCERT_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


def _all_tables() -> list[str]:
    from qcert.ledger.storage import metadata as ledger
    from qcert.store.tables import metadata

    return [*ledger.tables, *metadata.tables]


def _need_service(reason: str) -> None:
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"{reason} (CI=true: a missing service is a failure)")
    pytest.skip(reason)


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
    url = sa.make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    engine = create_engine(url)
    migrate(engine)
    engine.dispose()
    yield url
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A migrated, empty database: a SQLite file, or the session's PostgreSQL database."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'qcert.db'}"
        engine = create_engine(url)
        migrate(engine)
        engine.dispose()
        yield url
        return
    url = request.getfixturevalue("postgres_url")
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("TRUNCATE " + ", ".join(f'"{name}"' for name in _all_tables()))
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
