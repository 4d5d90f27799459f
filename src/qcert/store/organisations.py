"""Read views of a body's client organisations: the list of them, and one organisation as the
body's staff see it (its record, and what it has at that body: certifications, audits, open
findings, complaints and appeals, the documents it gave the body).

Read-only, and scoped: ``scope`` gives, for a table, the condition on the rows the viewer may
read (``qcert.store.scoping.visible`` bound to the viewer's read scope narrowed to the body),
so nothing of another body's dealings with the organisation shows. Facts the projections do
not carry (the registered address and division code) come from the ``client.registered``
event documents indexed in ``lc_events``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from . import tables as t
from .reading import event_data, mentions, registrations

__all__ = ["ClientQuery", "Scope", "client_page", "organisation"]

Scope = Callable[[sa.Table], sa.ColumnElement[bool]]


@dataclass(frozen=True)
class ClientQuery:
    """What the list asks for: a text found in the name, credit code or id (any case), the
    order of names (``descending``) and in which language they sort, and the page's rows."""

    text: str = ""
    descending: bool = False
    lang: str = "zh-CN"
    offset: int = 0
    limit: int = 25


def client_page(
    conn: Connection, scope: Scope, body_id: str, query: ClientQuery
) -> tuple[list[dict[str, Any]], int]:
    """One page of the organisations ``body_id``'s staff read (a certification at the body or
    a consent to it), by name, and how many match.

    Each row: id, credit code, names, registered division code, and the body's certifications
    of it and its certificates that are active (0 for an organisation that only consented).
    """
    cl, cn, ce = t.clients, t.certifications, t.certificates
    where = [scope(cl)]
    if query.text:
        columns = (cl.c.name_zh, cl.c.name_en, cl.c.uscc, cl.c.id)
        where.append(sa.or_(*(mentions(col, query.text) for col in columns)))
    total = conn.execute(sa.select(sa.func.count()).select_from(cl).where(*where)).scalar()
    held = (
        sa.select(sa.func.count())
        .where(cn.c.client_id == cl.c.id, cn.c.body_id == body_id, scope(cn))
        .scalar_subquery()
    )
    active = (
        sa.select(sa.func.count())
        .where(
            ce.c.client_id == cl.c.id,
            ce.c.body_id == body_id,
            ce.c.status == "active",
            scope(ce),
        )
        .scalar_subquery()
    )
    # The name people read in their language: an English name where there is one.
    name = cl.c.name_zh
    if query.lang == "en":
        name = sa.func.coalesce(sa.func.nullif(cl.c.name_en, ""), cl.c.name_zh)
    order = name.desc() if query.descending else name.asc()
    reg = registrations("client.registered")
    rows = conn.execute(
        sa.select(
            cl.c.id,
            cl.c.uscc,
            cl.c.name_zh,
            cl.c.name_en,
            held.label("certifications"),
            active.label("active"),
            reg.c.document,
        )
        .outerjoin(reg, reg.c.aggregate == sa.literal("client:").concat(cl.c.id))
        .where(*where)
        .order_by(order, cl.c.id)
        .offset(query.offset)
        .limit(query.limit)
    ).mappings()
    out = []
    for r in rows:
        data = event_data(r["document"])
        out.append(
            {
                **{k: r[k] for k in ("id", "uscc", "name_zh", "name_en", "active")},
                "certifications": int(r["certifications"] or 0),
                "adcode": data.get("adcode", ""),
            }
        )
    return out, int(total or 0)


def organisation(
    conn: Connection, scope: Scope, body_id: str, client_id: str
) -> dict[str, Any] | None:
    """Organisation ``client_id`` as ``body_id``'s staff see it; None when there is no such
    organisation or the body does not read it (no certification at it, no consent to it).

    The record: credit code, names, registered address and division code, personnel, sites,
    whether it is confidential, and whether it consented to the body; then, at this body
    only, its certifications (each with its certificate and the next audit-programme item
    due), audits (with their teams), findings not closed, complaints and appeals, and the
    documents it gave for the body's certifications.
    """
    cl = t.clients
    row = conn.execute(sa.select(cl).where(cl.c.id == client_id, scope(cl))).mappings().first()
    if row is None:
        return None
    reg = registrations("client.registered")
    document = conn.execute(
        sa.select(reg.c.document).where(reg.c.aggregate == f"client:{client_id}")
    ).scalar()
    data = event_data(document)
    k = t.consents
    consent = (
        conn.execute(
            sa.select(k).where(k.c.client_id == client_id, k.c.body_id == body_id, scope(k))
        )
        .mappings()
        .first()
    )
    ids = _certification_ids(conn, scope, body_id, client_id)
    return {
        **{c: row[c] for c in ("id", "uscc", "name_zh", "name_en", "personnel")},
        "confidential": bool(row["confidential"]),
        "sites": json.loads(row["sites"]),
        "address": data.get("address", ""),
        "adcode": data.get("adcode", ""),
        "consent": dict(consent) if consent else None,
        "certifications": _certifications(conn, scope, body_id, client_id),
        "audits": _audits(conn, scope, body_id, ids),
        "findings": _open_findings(conn, scope, body_id, ids),
        "cases": _cases(conn, scope, body_id, ids),
        "documents": _documents(conn, scope, client_id, ids),
    }


def _certification_ids(conn: Connection, scope: Scope, body_id: str, client_id: str) -> list[str]:
    cn = t.certifications
    query = sa.select(cn.c.id).where(
        cn.c.client_id == client_id, cn.c.body_id == body_id, scope(cn)
    )
    return list(conn.execute(query).scalars())


def _certifications(
    conn: Connection, scope: Scope, body_id: str, client_id: str
) -> list[dict[str, Any]]:
    cn, ce, p = t.certifications, t.certificates, t.programme
    due = (
        sa.select(sa.func.min(p.c.due_by))
        .where(p.c.certification_id == cn.c.id, p.c.done_on.is_(None))
        .scalar_subquery()
    )
    rows = conn.execute(
        sa.select(
            cn.c.id,
            cn.c.scheme_id,
            cn.c.sectors,
            cn.c.stage,
            cn.c.cycle,
            ce.c.number,
            ce.c.status,
            ce.c.expiry_date,
            ce.c.deadline,
            due.label("next_due"),
        )
        .outerjoin(ce, ce.c.certification_id == cn.c.id)
        .where(cn.c.client_id == client_id, cn.c.body_id == body_id, scope(cn))
        .order_by(cn.c.id)
    ).mappings()
    return [{**r, "sectors": json.loads(r["sectors"])} for r in rows]


def _audits(conn: Connection, scope: Scope, body_id: str, ids: list[str]) -> list[dict[str, Any]]:
    a = t.audits
    rows = conn.execute(
        sa.select(a)
        .where(a.c.certification_id.in_(ids), a.c.body_id == body_id, scope(a))
        .order_by(a.c.start.desc(), a.c.certification_id, a.c.audit_id)
    ).mappings()
    return [{**r, "team": json.loads(r["team"])} for r in rows]


def _open_findings(
    conn: Connection, scope: Scope, body_id: str, ids: list[str]
) -> list[dict[str, Any]]:
    f = t.findings
    rows = conn.execute(
        sa.select(f)
        .where(
            f.c.certification_id.in_(ids),
            f.c.body_id == body_id,
            f.c.status != "closed",
            scope(f),
        )
        .order_by(f.c.certification_id, f.c.audit_id, f.c.finding_id)
    ).mappings()
    return [dict(r) for r in rows]


def _cases(conn: Connection, scope: Scope, body_id: str, ids: list[str]) -> list[dict[str, Any]]:
    c = t.cases
    rows = conn.execute(
        sa.select(c)
        .where(c.c.certification_id.in_(ids), c.c.body_id == body_id, scope(c))
        .order_by(c.c.resolved, c.c.id)
    ).mappings()
    return [dict(r) for r in rows]


def _documents(
    conn: Connection, scope: Scope, client_id: str, ids: list[str]
) -> list[dict[str, Any]]:
    """The documents given for the body's certifications (what the organisation keeps for
    itself or gave another body stays out of sight, ISO/IEC 17021-1:2015 8.4), newest first."""
    d = t.documents
    rows = conn.execute(
        sa.select(d)
        .where(d.c.client_id == client_id, d.c.certification_id.in_(ids), scope(d))
        .order_by(d.c.ledger_index.desc())
    ).mappings()
    return [dict(r) for r in rows]
