"""Read view of the clocks that have run out: the certifications time decides about on a day.

What ``CertificateStatus.enforce_clocks`` acts on, read from the certificates' projection: a
suspended certificate past its deadline (withdrawn, ``clock.suspension-lapsed``) and an active
one past its expiry date (expired, ``clock.expired``). Read in bounded batches, in
certification id order, each batch starting after the last id of the one before, so a
certification that keeps failing is passed over rather than read again and again."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from . import tables as t

__all__ = ["BATCH", "clocks_due"]

BATCH = 500  # certifications per batch (one command, one transaction)


def clocks_due(conn: Connection, on: date, *, after: str = "", limit: int = BATCH) -> list[str]:
    """Ids of the certifications whose clocks have run out on ``on`` (dates are compared in
    the body's calendar, as recorded), the first ``limit`` after ``after``."""
    if not 1 <= limit <= 10_000:
        raise ValueError("limit: 1 to 10,000 certifications per batch")
    c = t.certificates.c
    day = on.isoformat()  # dates are stored as YYYY-MM-DD, so they compare as text
    lapsed = sa.and_(c.status == "suspended", c.deadline.is_not(None), c.deadline < day)
    expired = sa.and_(c.status == "active", c.expiry_date < day)
    query = (
        sa.select(c.certification_id)
        .where(sa.or_(lapsed, expired), c.certification_id > after)
        .order_by(c.certification_id)
        .limit(limit)
    )
    return list(conn.execute(query).scalars())
