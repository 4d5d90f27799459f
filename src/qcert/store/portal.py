"""Read views for an organisation's portal: its record, certifications, certificates,
findings and documents, each scoped by the caller.

Read-only. ``scope`` is a function giving, for a table, the condition on the rows the
viewer may read (``qcert.store.scoping.visible`` bound to the viewer's read scope), so a
body's staff see only their body's certifications of the organisation. Facts the projections
do not carry (the registered address, a finding's evidence, the answers to it) come from the
event documents indexed in ``lc_events``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from . import tables as t

__all__ = [
    "Scope",
    "audits",
    "bodies",
    "certificate",
    "certificates",
    "certifications",
    "client",
    "clients_named",
    "consents",
    "document",
    "documents",
    "documents_for",
    "findings",
    "invitations",
    "newest_credential",
    "visible_client",
]

Scope = Callable[[sa.Table], sa.ColumnElement[bool]]


def visible_client(conn: Connection, scope: Scope, client_id: str) -> bool:
    """Whether the viewer may see organisation ``client_id`` (False when there is none)."""
    c = t.clients
    query = sa.select(c.c.id).where(c.c.id == client_id, scope(c))
    return conn.execute(query).first() is not None


def client(conn: Connection, client_id: str) -> dict[str, Any] | None:
    """An organisation: id, credit code, names, personnel, sites, and its registered address
    and division code; None when there is no such organisation."""
    c, e = t.clients, t.events
    row = conn.execute(sa.select(c).where(c.c.id == client_id)).mappings().first()
    if row is None:
        return None
    registered = conn.execute(
        sa.select(e.c.document).where(
            e.c.aggregate == f"client:{client_id}", e.c.type == "client.registered"
        )
    ).scalar()
    data = json.loads(registered)["data"] if registered else {}
    return {
        **row,
        "sites": json.loads(row["sites"]),
        "address": data.get("address", ""),
        "adcode": data.get("adcode", ""),
    }


def certifications(conn: Connection, scope: Scope, client_id: str) -> list[dict[str, Any]]:
    """The organisation's certifications the viewer may see, with their body's names and the
    certificate's number and status when there is one."""
    cn, b, ce = t.certifications, t.bodies, t.certificates
    query = (
        sa.select(
            cn,
            b.c.name_zh.label("body_zh"),
            b.c.name_en.label("body_en"),
            ce.c.number,
            ce.c.status,
        )
        .join(b, b.c.id == cn.c.body_id)
        .outerjoin(ce, ce.c.certification_id == cn.c.id)
        .where(cn.c.client_id == client_id, scope(cn))
        .order_by(cn.c.id)
    )
    return [
        {**row, "sectors": json.loads(row["sectors"])} for row in conn.execute(query).mappings()
    ]


def _newest_credentials() -> sa.Subquery:
    cr = t.credentials
    return (
        sa.select(cr.c.number, sa.func.max(cr.c.ledger_index).label("credential_index"))
        .group_by(cr.c.number)
        .subquery("newest_credentials")
    )


def certificates(conn: Connection, scope: Scope, client_id: str) -> list[dict[str, Any]]:
    """The organisation's certificates the viewer may see, by number, each with the ledger
    index of its newest credential (None before one is issued)."""
    ce, b = t.certificates, t.bodies
    newest = _newest_credentials()
    query = (
        sa.select(
            ce,
            b.c.name_zh.label("body_zh"),
            b.c.name_en.label("body_en"),
            newest.c.credential_index,
        )
        .join(b, b.c.id == ce.c.body_id)
        .outerjoin(newest, newest.c.number == ce.c.number)
        .where(ce.c.client_id == client_id, scope(ce))
        .order_by(ce.c.number)
    )
    return [{**row, "sites": json.loads(row["sites"])} for row in conn.execute(query).mappings()]


def certificate(
    conn: Connection, scope: Scope, client_id: str, number: str
) -> dict[str, Any] | None:
    """One certificate of the organisation the viewer may see, or None."""
    found = [c for c in certificates(conn, scope, client_id) if c["number"] == number]
    return found[0] if found else None


def newest_credential(conn: Connection, number: str) -> int | None:
    """The ledger index of the newest credential issued for certificate ``number``."""
    cr = t.credentials
    query = sa.select(sa.func.max(cr.c.ledger_index)).where(cr.c.number == number)
    return conn.execute(query).scalar()


_FINDING_EVENTS = ("certification.finding-raised", "certification.corrective-action-submitted")


def audits(conn: Connection, scope: Scope, client_id: str) -> list[dict[str, Any]]:
    """The audits of the organisation's certifications the viewer may see, by start date: kind,
    method, dates, planned and actual days, and the team with each auditor's name as
    registered (``auditor.registered``)."""
    a, cn, e = t.audits, t.certifications, t.events
    rows = (
        conn.execute(
            sa.select(a, cn.c.scheme_id)
            .join(cn, cn.c.id == a.c.certification_id)
            .where(cn.c.client_id == client_id, scope(a))
            .order_by(a.c.start, a.c.certification_id, a.c.audit_id)
        )
        .mappings()
        .all()
    )
    teams = {(r["certification_id"], r["audit_id"]): json.loads(r["team"]) for r in rows}
    ids = sorted({f"auditor:{m['auditor']}" for team in teams.values() for m in team})
    names: dict[str, str] = {}
    if ids:
        found = conn.execute(
            sa.select(e.c.aggregate, e.c.document).where(
                e.c.aggregate.in_(ids), e.c.type == "auditor.registered"
            )
        )
        for aggregate, document in found:
            names[aggregate.split(":", 1)[1]] = json.loads(document)["data"].get("name_zh", "")
    return [
        {
            **{k: v for k, v in r.items() if k != "team"},
            "team": [
                {**m, "name": names.get(m["auditor"], "")}
                for m in teams[(r["certification_id"], r["audit_id"])]
            ],
        }
        for r in rows
    ]


def findings(conn: Connection, scope: Scope, client_id: str) -> list[dict[str, Any]]:
    """The findings of the organisation's certifications the viewer may see, by certification
    and finding: grade, clause, status, the evidence, and the last answer (correction, cause,
    corrective action) when there is one."""
    f, cn, e = t.findings, t.certifications, t.events
    rows = (
        conn.execute(
            sa.select(f, cn.c.scheme_id, t.audits.c.end.label("audit_end"), t.audits.c.last_day)
            .join(cn, cn.c.id == f.c.certification_id)
            .outerjoin(
                t.audits,
                sa.and_(
                    t.audits.c.certification_id == f.c.certification_id,
                    t.audits.c.audit_id == f.c.audit_id,
                ),
            )
            .where(cn.c.client_id == client_id, scope(f))
            .order_by(f.c.certification_id, f.c.audit_id, f.c.finding_id)
        )
        .mappings()
        .all()
    )
    aggregates = sorted({f"certification:{r['certification_id']}" for r in rows})
    texts: dict[tuple[str, str], dict[str, Any]] = {}
    if aggregates:
        documents = conn.execute(
            sa.select(e.c.aggregate, e.c.document)
            .where(e.c.aggregate.in_(aggregates), e.c.type.in_(_FINDING_EVENTS))
            .order_by(e.c.ledger_index)
        )
        for aggregate, document in documents:
            data = json.loads(document)["data"]
            key = (aggregate.split(":", 1)[1], data["finding_id"])
            texts.setdefault(key, {}).update(data)
    out = []
    for row in rows:
        text = texts.get((row["certification_id"], row["finding_id"]), {})
        answer = {k: text[k] for k in ("correction", "cause", "action") if k in text}
        out.append({**row, "evidence": text.get("evidence", ""), "answer": answer or None})
    return out


def documents(conn: Connection, scope: Scope, client_id: str) -> list[dict[str, Any]]:
    """The organisation's uploaded documents the viewer may read, newest first, each with its
    ledger index: all of them for its own users, those given for a body's certifications for
    that body's staff."""
    d = t.documents
    query = (
        sa.select(d).where(d.c.client_id == client_id, scope(d)).order_by(d.c.ledger_index.desc())
    )
    return [dict(row) for row in conn.execute(query).mappings()]


def documents_for(conn: Connection, certification_id: str) -> list[dict[str, Any]]:
    """The documents the organisation gave for one certification, newest first (for the
    staff of the body holding it, whose access the caller has checked)."""
    d = t.documents
    query = (
        sa.select(d)
        .where(d.c.certification_id == certification_id)
        .order_by(d.c.ledger_index.desc())
    )
    return [dict(row) for row in conn.execute(query).mappings()]


def document(conn: Connection, scope: Scope, client_id: str, sha256: str) -> dict[str, Any] | None:
    """The newest upload the viewer may read of the organisation's document with this SHA-256,
    or None."""
    d = t.documents
    query = (
        sa.select(d)
        .where(d.c.client_id == client_id, d.c.sha256 == sha256, scope(d))
        .order_by(d.c.ledger_index.desc())
        .limit(1)
    )
    row = conn.execute(query).mappings().first()
    return dict(row) if row else None


def bodies(conn: Connection, only: set[str] | None = None) -> list[dict[str, Any]]:
    """Certification bodies by id (those in ``only``, when given), with names and scopes."""
    b = t.bodies
    query = sa.select(b.c.id, b.c.name_zh, b.c.name_en, b.c.scopes).order_by(b.c.id)
    if only is not None:
        query = query.where(b.c.id.in_(only))
    return [{**row, "scopes": json.loads(row["scopes"])} for row in conn.execute(query).mappings()]


def clients_named(conn: Connection, ids: set[str]) -> list[dict[str, Any]]:
    """The organisations ``ids`` by id, with their names (for a user's landing page)."""
    c = t.clients
    query = sa.select(c.c.id, c.c.name_zh, c.c.name_en).where(c.c.id.in_(ids)).order_by(c.c.id)
    return [dict(r) for r in conn.execute(query).mappings()]


def consents(conn: Connection, client_id: str) -> list[dict[str, Any]]:
    """The bodies the organisation consented to filing applications for it, with who gave
    each consent and its note."""
    k = t.consents.c
    query = sa.select(t.consents).where(k.client_id == client_id).order_by(k.body_id)
    return [dict(r) for r in conn.execute(query).mappings()]


def invitations(conn: Connection, client_id: str) -> list[dict[str, Any]]:
    """The organisation's invitations: id, role, until when, and who took each."""
    i = t.invitations.c
    query = sa.select(t.invitations).where(i.client_id == client_id).order_by(i.expires.desc())
    return [dict(r) for r in conn.execute(query).mappings()]
