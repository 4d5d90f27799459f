"""Engines for the ledger's SQL driver: SQLite tuned for durability, or PostgreSQL."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from . import plain

__all__ = ["create_engine"]


def create_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for ``url`` with qcert's durability and locking settings.

    SQLite: WAL journal, ``synchronous=FULL`` (a commit is on disk before it
    returns), foreign keys on, a 30 s busy timeout, and ``BEGIN IMMEDIATE`` for
    write transactions so two writers queue instead of failing mid-transaction.
    """
    engine = sa.create_engine(url, **kwargs)
    if engine.dialect.name == "sqlite":
        _private_file(engine.url.database)
        _tune_sqlite(engine)
    return engine


def _private_file(database: str | None) -> None:
    """Create the SQLite file readable by its owner only (0600, in a 0700 folder when we make
    it): it holds every record and the secrets' hashes. SQLite gives its -wal and -shm files
    the database file's mode."""
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    path = Path(database)
    if not path.parent.exists():
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    if not path.exists():
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))


def _tune_sqlite(engine: Engine) -> None:
    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
        # Take transaction control from the driver so BEGIN is ours to issue.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=FULL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.close()

    @sa.event.listens_for(engine, "begin")
    def _on_begin(conn) -> None:  # type: ignore[no-untyped-def]
        immediate = conn.get_execution_options().get("qcert_write", False)
        plain.begin(conn, "BEGIN IMMEDIATE" if immediate else "BEGIN")
