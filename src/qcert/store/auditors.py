"""Read views of a body's auditors: the list of them, and one auditor's record (registration,
employer, competence by scheme and IAF sector with the event each came from, audits).

Read-only, and scoped like :mod:`qcert.store.organisations`. What an auditor is in qcert is
what the ledger recorded: ``auditor.registered`` (registration number, name, employing body)
and ``auditor.qualified`` (a scheme and sectors, ISO/IEC 17021-1:2015 7.2); nothing here adds
to that.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from . import tables as t
from .organisations import Scope
from .reading import ESCAPE, contains, event_data, mentions, registrations

__all__ = ["AuditorQuery", "auditor", "auditor_page"]


@dataclass(frozen=True)
class AuditorQuery:
    """A text found in the auditor's id, name or registration number, and the page's rows."""

    text: str = ""
    offset: int = 0
    limit: int = 25


def auditor_page(
    conn: Connection, scope: Scope, body_id: str, query: AuditorQuery
) -> tuple[list[dict[str, Any]], int]:
    """One page of ``body_id``'s auditors by id, and how many match: each with its name and
    registration number (as registered) and its qualifications by scheme."""
    au = t.auditors
    reg = registrations("auditor.registered")
    where = [au.c.body_id == body_id, scope(au)]
    if query.text:
        # The name and number live in the registration's document (JSON text): matched there
        # (whatever the case; the document keeps CJK as is), then checked field by field below.
        where.append(sa.or_(mentions(au.c.id, query.text), mentions(reg.c.document, query.text)))
    base = sa.select(au.c.id, au.c.qualifications, reg.c.document).outerjoin(
        reg, reg.c.aggregate == sa.literal("auditor:").concat(au.c.id)
    )
    rows = [_summary(r) for r in conn.execute(base.where(*where).order_by(au.c.id)).mappings()]
    if query.text:
        needle = query.text.lower()
        rows = [
            r
            for r in rows
            if any(needle in r[k].lower() for k in ("id", "name", "registration_no"))
        ]
    return rows[query.offset : query.offset + query.limit], len(rows)


def _summary(row: Any) -> dict[str, Any]:
    data = event_data(row["document"])
    return {
        "id": row["id"],
        "name": data.get("name_zh", ""),
        "registration_no": data.get("registration_no", ""),
        "qualifications": {k: sorted(v) for k, v in json.loads(row["qualifications"]).items()},
    }


def auditor(
    conn: Connection, scope: Scope, body_id: str, auditor_id: str, today: str
) -> dict[str, Any] | None:
    """Auditor ``auditor_id`` of ``body_id`` (None when the body employs no such auditor).

    The record: name and registration number as registered, the employing body, the
    competence matrix (each scheme and IAF sector with the ``auditor.qualified`` event that
    first recorded it: ledger index, when, by whom), every qualification event, and the
    body's audits with the auditor on the team (organisation, scheme, dates, role), split
    into those ending on or after ``today`` (``YYYY-MM-DD``, the commitments) and the rest.
    """
    au = t.auditors
    reg = registrations("auditor.registered")
    row = (
        conn.execute(
            sa.select(au, reg.c.document)
            .outerjoin(reg, reg.c.aggregate == sa.literal("auditor:").concat(au.c.id))
            .where(au.c.id == auditor_id, au.c.body_id == body_id, scope(au))
        )
        .mappings()
        .first()
    )
    if row is None:
        return None
    data = event_data(row["document"])
    grants = _qualifications(conn, auditor_id)
    audits = _audits(conn, scope, body_id, auditor_id)
    return {
        "id": row["id"],
        "name": data.get("name_zh", ""),
        "registration_no": data.get("registration_no", ""),
        "employer": data.get("body_id", row["body_id"]),
        "grants": grants,
        "matrix": _matrix(grants),
        "upcoming": sorted(
            (a for a in audits if a["end"] >= today), key=lambda a: (a["start"], a["audit_id"])
        ),
        "history": [a for a in audits if a["end"] < today],
    }


def _qualifications(conn: Connection, auditor_id: str) -> list[dict[str, Any]]:
    """The auditor's ``auditor.qualified`` events in ledger order."""
    e = t.events
    rows = conn.execute(
        sa.select(e.c.ledger_index, e.c.at, e.c.document)
        .where(e.c.aggregate == f"auditor:{auditor_id}", e.c.type == "auditor.qualified")
        .order_by(e.c.ledger_index)
    ).mappings()
    out = []
    for r in rows:
        doc = json.loads(r["document"])
        out.append(
            {
                "ledger_index": r["ledger_index"],
                "at": r["at"],
                "actor": doc.get("actor", ""),
                "scheme_id": doc["data"]["scheme_id"],
                "sectors": doc["data"]["sectors"],
            }
        )
    return out


def _matrix(grants: list[dict[str, Any]]) -> dict[str, dict[int, dict[str, Any]]]:
    """Scheme -> IAF sector -> the qualification event that first recorded it."""
    matrix: dict[str, dict[int, dict[str, Any]]] = {}
    for g in grants:
        for sector in g["sectors"]:
            matrix.setdefault(g["scheme_id"], {}).setdefault(int(sector), g)
    return {s: dict(sorted(by.items())) for s, by in sorted(matrix.items())}


def _audits(conn: Connection, scope: Scope, body_id: str, auditor_id: str) -> list[dict[str, Any]]:
    """The body's audits with ``auditor_id`` on the team, newest first, each with the
    organisation, scheme and the auditor's role."""
    a, cn, cl = t.audits, t.certifications, t.clients
    # Teams are canonical JSON (RFC 8785): the member's text narrows the rows, and each team
    # is then read to be sure.
    member = contains(
        json.dumps({"auditor": auditor_id}, ensure_ascii=False, separators=(",", ":"))[1:-1]
    )
    rows = conn.execute(
        sa.select(a, cn.c.client_id, cn.c.scheme_id, cl.c.name_zh, cl.c.name_en)
        .join(cn, cn.c.id == a.c.certification_id)
        .join(cl, cl.c.id == cn.c.client_id)
        .where(a.c.body_id == body_id, a.c.team.like(member, escape=ESCAPE), scope(a))
        .order_by(a.c.start.desc(), a.c.certification_id, a.c.audit_id)
    ).mappings()
    out = []
    for r in rows:
        roles = [m["role"] for m in json.loads(r["team"]) if m.get("auditor") == auditor_id]
        if roles:
            out.append({**{k: v for k, v in r.items() if k != "team"}, "role": roles[0]})
    return out
