"""Database engine and schema migrations (Alembic)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Connection, Engine

from ..ledger.storage.engine import create_engine

__all__ = ["create_engine", "migrate"]

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
