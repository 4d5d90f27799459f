"""Reading the secret store (argon2id password hashes, API-key hashes)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from . import tables as t

__all__ = ["password_hash"]


def password_hash(conn: Connection, account_id: str) -> str | None:
    """The stored password hash of ``account_id``, or None."""
    return conn.execute(
        sa.select(t.secrets.c.hash).where(
            t.secrets.c.kind == "password", t.secrets.c.id == account_id
        )
    ).scalar()
