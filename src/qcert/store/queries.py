"""Read views of the API: lists and one certification, each scoped by the caller's read scope.

Read-only. Every query adds :func:`qcert.store.scoping.visible` for the caller's
:class:`qcert.access.ReadScope`, so a record out of scope is simply not found.
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ..access import ReadScope
from . import tables as t
from .scoping import visible

__all__ = [
    "LISTS",
    "certification",
    "certification_client",
    "certification_events",
    "page",
    "rows",
]

_JSON = {"sectors", "team", "sites", "roles", "scopes", "qualifications"}

# What the API lists, by name: the table and the filters it takes.
LISTS: dict[str, sa.Table] = {
    "certifications": t.certifications,
    "certificates": t.certificates,
    "audits": t.audits,
    "findings": t.findings,
    "clients": t.clients,
    "bodies": t.bodies,
    "auditors": t.auditors,
    "cases": t.cases,
    "programme": t.programme,
}


def _row(r: sa.RowMapping) -> dict[str, Any]:
    return {k: json.loads(v) if k in _JSON and isinstance(v, str) else v for k, v in r.items()}


def page(
    conn: Connection,
    scope: ReadScope,
    name: str,
    limit: int,
    offset: int,
    filters: dict[str, str] | None = None,
    overdue_on: str | None = None,
) -> tuple[list[dict[str, Any]], int]:
    """One page of list ``name`` in ``scope``: its rows (by primary key, or by due date for
    the programme) and how many there are in all. ``filters`` are equalities on columns
    (stage, status); ``overdue_on`` keeps programme items not done by that day."""
    table = LISTS[name]
    cond = [visible(scope, table)]
    cond += [table.c[k] == v for k, v in (filters or {}).items()]
    order: list[Any] = list(table.primary_key)
    if table is t.programme:
        order = [t.programme.c.due_by, *order]
        if overdue_on:
            cond += [t.programme.c.done_on.is_(None), t.programme.c.due_by < overdue_on]
    where = sa.and_(*cond)
    total = conn.execute(sa.select(sa.func.count()).select_from(table).where(where)).scalar()
    rows = conn.execute(
        sa.select(table).where(where).order_by(*order).limit(limit).offset(offset)
    ).mappings()
    return [_row(r) for r in rows], int(total or 0)


def certification(conn: Connection, scope: ReadScope, cid: str) -> dict[str, Any] | None:
    """One certification in ``scope`` with its audits, tests (type tests, sampling tests, from
    their events), findings, certificate, status history and complaints and appeals; None when
    there is none the scope may see."""
    c = t.certifications
    row = conn.execute(sa.select(c).where(c.c.id == cid, visible(scope, c))).mappings().first()
    if row is None:
        return None

    def rows(table: sa.Table) -> list[dict[str, Any]]:
        q = sa.select(table).where(table.c.certification_id == cid)
        return [_row(r) for r in conn.execute(q).mappings()]

    e = t.events.c
    tests = conn.execute(
        sa.select(e.document)
        .where(e.aggregate == f"certification:{cid}", e.type == "certification.test-recorded")
        .order_by(e.ledger_index)
    ).scalars()
    return {
        **_row(row),
        "audits": rows(t.audits),
        "tests": [json.loads(doc)["data"] for doc in tests],
        "findings": rows(t.findings),
        "certificate": next(iter(rows(t.certificates)), None),
        "history": rows(t.certificate_history),
        "cases": rows(t.cases),
    }


def rows(
    conn: Connection, scope: ReadScope, name: str, filters: dict[str, str | None] | None = None
) -> list[dict[str, Any]]:
    """Every row of list ``name`` in ``scope`` (the command line's listings), by primary key;
    ``filters`` are equalities on columns, None meaning no filter."""
    table = LISTS[name]
    cond = [visible(scope, table)]
    cond += [table.c[k] == v for k, v in (filters or {}).items() if v is not None]
    query = sa.select(table).where(*cond).order_by(*table.primary_key)
    return [_row(r) for r in conn.execute(query).mappings()]


def certification_events(conn: Connection, cid: str) -> list[dict[str, Any]]:
    """A certification's events and those of its complaints and appeals, in ledger order:
    ledger index, type and when it was recorded (the caller has checked the certification is
    in its scope)."""
    e = t.events.c
    cases = sa.select(sa.literal("case:") + t.cases.c.id).where(t.cases.c.certification_id == cid)
    found = conn.execute(
        sa.select(e.ledger_index, e.type, e.at)
        .where(sa.or_(e.aggregate == f"certification:{cid}", e.aggregate.in_(cases)))
        .order_by(e.ledger_index)
    )
    return [{"ledger_index": i, "type": ty, "at": at} for i, ty, at in found]


def certification_client(conn: Connection, cid: str) -> str:
    """The organisation a certification is of (the caller knows it exists)."""
    c = t.certifications.c
    return str(conn.execute(sa.select(c.client_id).where(c.id == cid)).scalar_one())
