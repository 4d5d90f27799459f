"""Read views for a body's administration: its complaints and appeals (ISO/IEC 17021-1:2015
9.7, 9.8), one case with its history, and the accounts holding a role at the body.

SQLAlchemy Core selects over the projections, each limited to one body; the caller decides
who may ask for which body.
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from . import tables as t
from .certification_record import event_rows

__all__ = ["account_roles", "body_accounts", "case_page", "case_record", "certification_body"]


def case_page(
    conn: Connection, body_id: str, offset: int, limit: int
) -> tuple[list[dict[str, Any]], int, int]:
    """One page of ``body_id``'s cases, open ones first (then newest id first), with the
    organisation each is about; and the total and open counts."""
    k, cn, cl = t.cases, t.certifications, t.clients
    mine = k.c.body_id == body_id
    total = conn.execute(sa.select(sa.func.count()).select_from(k).where(mine)).scalar()
    still = conn.execute(
        sa.select(sa.func.count()).select_from(k).where(mine, sa.not_(k.c.resolved))
    ).scalar()
    rows = conn.execute(
        sa.select(k, cn.c.client_id, cl.c.name_zh, cl.c.name_en)
        .outerjoin(cn, cn.c.id == k.c.certification_id)
        .outerjoin(cl, cl.c.id == cn.c.client_id)
        .where(mine)
        .order_by(k.c.resolved, k.c.id.desc())
        .offset(offset)
        .limit(limit)
    ).mappings()
    return [dict(r) for r in rows], int(total or 0), int(still or 0)


def case_record(conn: Connection, body_id: str, case_id: str) -> dict[str, Any] | None:
    """Case ``case_id`` of ``body_id`` with the certification and organisation it is about and
    its events in ledger order; None when the body has no such case."""
    k, cn, cl, c = t.cases, t.certifications, t.clients, t.certificates
    row = (
        conn.execute(
            sa.select(
                k,
                cn.c.client_id,
                cn.c.scheme_id,
                cn.c.stage,
                cl.c.name_zh,
                cl.c.name_en,
                c.c.number,
                c.c.status,
            )
            .outerjoin(cn, cn.c.id == k.c.certification_id)
            .outerjoin(cl, cl.c.id == cn.c.client_id)
            .outerjoin(c, c.c.certification_id == k.c.certification_id)
            .where(k.c.id == case_id, k.c.body_id == body_id)
        )
        .mappings()
        .first()
    )
    if row is None:
        return None
    return {**row, "events": event_rows(conn, [f"case:{case_id}"])}


def certification_body(conn: Connection, cid: str) -> str | None:
    """The body holding certification ``cid``, or None when there is no such certification."""
    cn = t.certifications
    return conn.execute(sa.select(cn.c.body_id).where(cn.c.id == cid)).scalar()


def account_roles(conn: Connection, account_id: str) -> list[str] | None:
    """The roles (``role@scope``) account ``account_id`` holds, or None when there is none."""
    a = t.accounts
    found = conn.execute(sa.select(a.c.roles).where(a.c.id == account_id)).scalar()
    return None if found is None else list(json.loads(found))


def _like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def body_accounts(
    conn: Connection, body_id: str, offset: int, limit: int
) -> tuple[list[dict[str, Any]], int]:
    """One page of the accounts holding a role at ``body_id`` (by id) and their total; each
    with all its roles, and those at this body apart (``here``: the role names)."""
    a = t.accounts
    # Roles are stored as canonical JSON: a role at this body ends with the scope and a quote.
    where = a.c.roles.like(f'%@body:{_like(body_id)}"%', escape="\\")
    total = conn.execute(sa.select(sa.func.count()).select_from(a).where(where)).scalar()
    rows = conn.execute(
        sa.select(a.c.id, a.c.display_name, a.c.roles)
        .where(where)
        .order_by(a.c.id)
        .offset(offset)
        .limit(limit)
    ).mappings()
    suffix = f"@body:{body_id}"
    out = []
    for r in rows:
        roles = json.loads(r["roles"])
        here = [x.removesuffix(suffix) for x in roles if x.endswith(suffix)]
        out.append({"id": r["id"], "display_name": r["display_name"], "roles": roles, "here": here})
    return out, int(total or 0)
