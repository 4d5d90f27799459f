"""Read views of published status lists: the version in effect at an instant, and the history."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from . import tables as t

__all__ = [
    "certificate_entry",
    "credentials_owed",
    "list_version",
    "list_versions",
    "status_entries",
]


def _z(at: datetime) -> str:
    return at.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def list_version(
    conn: Connection, body_id: str, purpose: str, list_no: int, at: datetime | None = None
) -> dict[str, Any] | None:
    """The version of a list in effect at ``at`` (default: the newest), or None if none was
    published by then. Rows carry ``version``, ``valid_from``, ``ledger_index``, ``sha256``."""
    s = t.status_lists.c
    query = sa.select(t.status_lists).where(
        s.body_id == body_id, s.purpose == purpose, s.list_no == list_no
    )
    if at is not None:
        query = query.where(s.valid_from <= _z(at))
    row = conn.execute(query.order_by(s.version.desc()).limit(1)).mappings().first()
    return dict(row) if row else None


def list_versions(
    conn: Connection, body_id: str, purpose: str, list_no: int
) -> list[dict[str, Any]]:
    """Every published version of a list, oldest first."""
    s = t.status_lists.c
    rows = conn.execute(
        sa.select(s.version, s.valid_from, s.ledger_index, s.sha256)
        .where(s.body_id == body_id, s.purpose == purpose, s.list_no == list_no)
        .order_by(s.version)
    )
    return [dict(r) for r in rows.mappings()]


def certificate_entry(conn: Connection, number: str) -> dict[str, Any] | None:
    """A certificate's body, certification and status bit (``status_list`` is None when no
    credential was ever issued for it)."""
    c, cf = t.certificates.c, t.certifications.c
    row = (
        conn.execute(
            sa.select(c.number, c.body_id, c.certification_id, cf.status_list, cf.status_index)
            .join(t.certifications, cf.id == c.certification_id)
            .where(c.number == number)
        )
        .mappings()
        .first()
    )
    return dict(row) if row else None


def credentials_owed(conn: Connection) -> list[str]:
    """Certifications whose live certificate was (re)issued after their newest credential."""
    h, cr, c = t.certificate_history.c, t.credentials.c, t.certificates.c
    issued = (
        sa.select(h.certification_id, sa.func.max(h.ledger_index).label("at"))
        .where(h.event == "certificate.issued")
        .group_by(h.certification_id)
        .subquery()
    )
    signed = (
        sa.select(cr.certification_id, sa.func.max(cr.ledger_index).label("at"))
        .group_by(cr.certification_id)
        .subquery()
    )
    rows = conn.execute(
        sa.select(c.certification_id)
        .join(issued, issued.c.certification_id == c.certification_id)
        .outerjoin(signed, signed.c.certification_id == c.certification_id)
        .where(c.status == "active", sa.or_(signed.c.at.is_(None), signed.c.at < issued.c.at))
        .order_by(c.certification_id)
    )
    return [r[0] for r in rows]


def status_entries(conn: Connection) -> list[dict[str, Any]]:
    """Every certificate holding a status bit, with its status now."""
    c, cf = t.certificates.c, t.certifications.c
    rows = conn.execute(
        sa.select(c.certification_id, c.body_id, c.status, cf.status_list, cf.status_index)
        .join(t.certifications, cf.id == c.certification_id)
        .where(cf.status_index.is_not(None))
        .order_by(c.body_id, cf.status_list, c.certification_id)
    )
    return [dict(r) for r in rows.mappings()]
