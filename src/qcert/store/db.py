"""Database engine and schema migrations (Alembic)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Connection, Engine

from ..ledger.storage.engine import create_engine
from .documents import DiskBlobs

__all__ = ["BulkBuild", "create_engine", "migrate"]

_MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(engine: Engine) -> Config:
    """An Alembic configuration bound to ``engine`` (no alembic.ini needed)."""
    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def migrate(engine: Engine, revision: str = "head") -> None:
    """Move the schema of ``engine``'s database to ``revision`` (up or down)."""
    if engine.dialect.name == "sqlite" and engine.url.database:
        Path(engine.url.database).parent.mkdir(parents=True, exist_ok=True)
    config = alembic_config(engine)
    with engine.connect() as conn:
        current = _current(conn)
    # Revision ids are zero-padded sequence numbers, so they compare as strings.
    if revision != "head" and current and current > revision:
        command.downgrade(config, revision)
    else:
        command.upgrade(config, revision)


def _current(conn: Connection) -> str | None:
    from alembic.migration import MigrationContext

    return MigrationContext.configure(conn).get_current_revision()


class BulkBuild:
    """Writes that do not wait for the disk while a store is built from nothing (the demo).

    Every command still runs through the bus, its events on the ledger and its projections in
    one transaction; only the waits for each write to reach the disk are skipped: SQLite's at
    each commit (``synchronous=OFF`` instead of ``FULL``) and, with ``documents`` on disk,
    the document store's at each file. The demo store is rebuilt from nothing on every run
    (with fresh keys, so no checkpoint signed before a crash is ever contradicted by one
    signed after it), so a crash mid-build loses nothing. ``close`` restores full durability
    and puts everything written so far on the disk at once (the log checkpointed into the
    database file, then one system-wide sync), before the store is served.
    """

    def __init__(self, engine: Engine, documents: Any = None) -> None:
        self.engine, self.on = engine, engine.dialect.name == "sqlite"
        blobs = getattr(documents, "blobs", None)
        self.blobs = blobs if isinstance(blobs, DiskBlobs) else None
        if self.blobs is not None:
            self.blobs.durable = False
        if self.on:
            sa.event.listen(engine, "connect", self._fast)
            engine.dispose()  # so every connection from now on is a fast one

    def _fast(self, dbapi_conn: Any, _record: Any) -> None:
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA synchronous=OFF")
        cursor.close()

    def close(self) -> None:
        """Back to full durability, with everything written so far on the disk."""
        relaxed = self.on or self.blobs is not None
        if self.blobs is not None:
            self.blobs.durable = True
            self.blobs = None
        if self.on:
            sa.event.remove(self.engine, "connect", self._fast)
            # The last connection to close checkpoints the log into the database file (under
            # OFF, unsynced); a connection still open elsewhere keeps it, so checkpoint anyway.
            self.engine.dispose()
            with self.engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA wal_checkpoint(FULL)")
            self.on = False
        if relaxed:
            os.sync()  # one flush for the database and every document written, not a wait each
