"""The database: engine, migrations, and (later) the unit of work and read views."""

from .db import create_engine, migrate

__all__ = ["create_engine", "migrate"]
