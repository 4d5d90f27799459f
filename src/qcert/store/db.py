"""Database engine and schema migrations (Alembic)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Connection, Engine

from ..ledger.storage.engine import create_engine

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
    """SQLite commits without waiting for the disk while a store is built from nothing (the demo).

    Every command still runs through the bus, its events on the ledger and its projections in
    one transaction; only the wait for each commit to reach the disk (``synchronous=FULL``, a
    few milliseconds) is skipped. The demo store is rebuilt from nothing on every run, so a
    crash mid-build loses nothing. ``close`` restores full durability before the checkpoints
    are signed.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine, self.on = engine, engine.dialect.name == "sqlite"
        if self.on:
            sa.event.listen(engine, "connect", self._fast)
            engine.dispose()  # so every connection from now on is a fast one

    def _fast(self, dbapi_conn: Any, _record: Any) -> None:
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA synchronous=OFF")
        cursor.close()

    def close(self) -> None:
        if self.on:
            sa.event.remove(self.engine, "connect", self._fast)
            self.engine.dispose()
            self.on = False
