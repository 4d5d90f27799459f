"""Read views for the exchange formats: SQLAlchemy Core selects over the projections.

Read-only: nothing here writes. Facts the projections do not carry (a client's registered
address and division code, a body's accreditation, an auditor's registration number) are read
from the ``*.registered`` event documents indexed in ``lc_events``, the same documents the
projections come from.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from . import tables as t

__all__ = [
    "audit_rows",
    "auditor_registrations",
    "body_keys",
    "body_row",
    "certificate_rows",
    "count_certificates",
    "finding_rows",
    "history_rows",
]


def _registered(kind: str) -> sa.Subquery:
    """The ``<kind>.registered`` event documents, keyed by the aggregate's id."""
    e = t.events
    return (
        sa.select(e.c.aggregate, e.c.document)
        .where(e.c.type == f"{kind}.registered")
        .subquery(f"{kind}_registered")
    )


def _data(document: str | None) -> dict[str, Any]:
    return json.loads(document)["data"] if document else {}


def body_row(conn: Connection, body_id: str) -> dict[str, Any] | None:
    """A body: id, approval number, names and accreditation; None when there is no such body."""
    b = t.bodies
    reg = _registered("body")
    row = (
        conn.execute(
            sa.select(b, reg.c.document)
            .outerjoin(reg, reg.c.aggregate == sa.literal("body:").concat(b.c.id))
            .where(b.c.id == body_id)
        )
        .mappings()
        .first()
    )
    if row is None:
        return None
    return {
        "id": row["id"],
        "approval_no": row["approval_no"],
        "name_zh": row["name_zh"],
        "name_en": row["name_en"],
        "accreditation": _data(row["document"]).get("accreditation", ""),
    }


def count_certificates(conn: Connection, body_id: str) -> int:
    """How many certificates ``body_id`` holds (of any status)."""
    c = t.certificates
    query = sa.select(sa.func.count()).select_from(c).where(c.c.body_id == body_id)
    return int(conn.execute(query).scalar() or 0)


def certificate_rows(
    conn: Connection, body_id: str, offset: int = 0, limit: int | None = None
) -> Iterator[dict[str, Any]]:
    """A body's certificates by number, each with its certification's sectors and its client.

    Each row: the certificate's columns (``sites`` decoded), ``sectors`` (IAF codes) and
    ``client`` (id, uscc, names, confidential, registered address and division code, and its
    sites by id).
    """
    c, cn, cl = t.certificates, t.certifications, t.clients
    reg = _registered("client")
    query = (
        sa.select(
            c,
            cn.c.sectors,
            cl.c.uscc,
            cl.c.name_zh,
            cl.c.name_en,
            cl.c.confidential,
            cl.c.sites.label("client_sites"),
            reg.c.document,
        )
        .join(cn, cn.c.id == c.c.certification_id)
        .join(cl, cl.c.id == c.c.client_id)
        .outerjoin(reg, reg.c.aggregate == sa.literal("client:").concat(cl.c.id))
        .where(c.c.body_id == body_id)
        .order_by(c.c.number)
        .offset(offset)
        .limit(limit)
    )
    for row in conn.execute(query).mappings():
        registered = _data(row["document"])
        yield {
            **{col.name: row[col.name] for col in c.columns},
            "sites": json.loads(row["sites"]),
            "sectors": json.loads(row["sectors"]),
            "client": {
                "id": row["client_id"],
                "uscc": row["uscc"],
                "name_zh": row["name_zh"],
                "name_en": row["name_en"],
                "confidential": bool(row["confidential"]),
                "address": registered.get("address", ""),
                "adcode": registered.get("adcode", ""),
                "sites": {s["id"]: s for s in json.loads(row["client_sites"])},
            },
        }


def audit_rows(conn: Connection, body_id: str) -> list[dict[str, Any]]:
    """A body's audits with their certification's client, scheme and sectors, by start date."""
    a, cn, cl = t.audits, t.certifications, t.clients
    query = (
        sa.select(a, cn.c.client_id, cn.c.scheme_id, cn.c.sectors, cl.c.uscc)
        .join(cn, cn.c.id == a.c.certification_id)
        .join(cl, cl.c.id == cn.c.client_id)
        .where(a.c.body_id == body_id)
        .order_by(a.c.start, a.c.certification_id, a.c.audit_id)
    )
    return [
        {**row, "team": json.loads(row["team"]), "sectors": json.loads(row["sectors"])}
        for row in conn.execute(query).mappings()
    ]


def finding_rows(conn: Connection, body_id: str) -> list[dict[str, Any]]:
    """A body's findings (grade, clause, status), by certification and audit."""
    f = t.findings
    query = (
        sa.select(f)
        .where(f.c.body_id == body_id)
        .order_by(f.c.certification_id, f.c.audit_id, f.c.finding_id)
    )
    return [dict(row) for row in conn.execute(query).mappings()]


def history_rows(conn: Connection, body_id: str) -> list[dict[str, Any]]:
    """Status changes of the certificates of a body's certifications, in ledger order.

    Each row: ledger index, certification, event, status after it, the day, and the
    certificate number (None when the certificate has since moved to another record).
    """
    h, cn, c = t.certificate_history, t.certifications, t.certificates
    query = (
        sa.select(h, c.c.number)
        .join(cn, cn.c.id == h.c.certification_id)
        .outerjoin(c, c.c.certification_id == h.c.certification_id)
        .where(cn.c.body_id == body_id)
        .order_by(h.c.ledger_index)
    )
    return [dict(row) for row in conn.execute(query).mappings()]


def auditor_registrations(conn: Connection, body_id: str) -> dict[str, str]:
    """Registration numbers of a body's auditors, by auditor id."""
    au = t.auditors
    reg = _registered("auditor")
    query = (
        sa.select(au.c.id, reg.c.document)
        .outerjoin(reg, reg.c.aggregate == sa.literal("auditor:").concat(au.c.id))
        .where(au.c.body_id == body_id)
    )
    return {
        row["id"]: _data(row["document"]).get("registration_no", "")
        for row in conn.execute(query).mappings()
    }


def body_keys(conn: Connection, body_id: str) -> list[dict[str, Any]] | None:
    """Every signing key a body published, oldest first; None when there is no such body."""
    if conn.execute(sa.select(t.bodies.c.id).where(t.bodies.c.id == body_id)).first() is None:
        return None
    k = t.body_keys
    rows = conn.execute(
        sa.select(k).where(k.c.body_id == body_id).order_by(k.c.valid_from)
    ).mappings()
    return [dict(r) for r in rows]
