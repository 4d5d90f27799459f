"""The certificate numbers a body has given under a prefix of its numbering rule
(``lifecycle.numbering``), to offer the next one."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from . import tables as t

__all__ = ["numbers_with_prefix"]


def numbers_with_prefix(conn: Connection, body_id: str, prefix: str) -> list[str]:
    """The numbers of ``body_id``'s certificates that begin with ``prefix`` (matched literally:
    ``%`` and ``_`` in it are no wildcards)."""
    c = t.certificates
    literal = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    query = sa.select(c.c.number).where(
        c.c.body_id == body_id, c.c.number.like(f"{literal}%", escape="\\")
    )
    return list(conn.execute(query).scalars())
