"""Read views of notices: what is due (derived from the projections) and who is told of it,
an account's notices, and the notices still to be e-mailed.

What is due follows :mod:`qcert.notices.model`; who is told follows roles:

- a finding past its answer deadline: the organisation's users (client-admin, client-user),
  and the body's cb-admins and the auditors of the audit's team;
- a client's answer waiting: the body's cb-admins and the audit team's auditors;
- a surveillance audit due: the body's planners and cb-admins;
- a suspension running out: the body's decision-makers and cb-admins;
- a complaint or appeal open: its handler and the body's cb-admins.

Only notices not sent yet are given: the ``notices`` table says which were.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ..notices.commands import Due
from ..notices.model import AHEAD_DAYS, ANSWER_DAYS, notice_id
from . import tables as t

__all__ = [
    "PAGE",
    "address_of",
    "due_notices",
    "notice",
    "notices_of",
    "to_mail",
    "unread_count",
]

PAGE = 20  # notices per page


def _holders(conn: Connection) -> dict[str, list[str]]:
    """Accounts by ``role@scope`` they hold."""
    out: dict[str, list[str]] = defaultdict(list)
    for account, roles in conn.execute(sa.select(t.accounts.c.id, t.accounts.c.roles)):
        for role in json.loads(roles):
            out[role].append(account)
    return out


def _team(team: str) -> list[str]:
    return [m["auditor"] for m in json.loads(team or "[]") if "auditor" in m]


def due_notices(conn: Connection, today: date) -> list[Due]:
    """Every notice owed on ``today`` (the body's calendar day) and not sent yet."""
    holders = _holders(conn)
    out: list[Due] = []

    def to(accounts: Iterable[str], kind: str, audience: str, row: Any, item: str, due: str):
        for account in dict.fromkeys(accounts):
            out.append(
                Due(
                    account,
                    kind,  # type: ignore[arg-type]
                    audience,  # type: ignore[arg-type]
                    row.certification_id,
                    item,
                    due,
                    row.body_id,
                    row.client_id,
                )
            )

    def staff(body: str, *roles: str) -> list[str]:
        return [a for r in roles for a in holders.get(f"{r}@body:{body}", [])]

    def users(client: str) -> list[str]:
        return [
            a
            for r in ("client-admin", "client-user")
            for a in holders.get(f"{r}@client:{client}", [])
        ]

    for row in _findings(conn, today):
        auditors = [a for a in _team(row.team) if a in staff(row.body_id, "auditor")]
        crew = [*staff(row.body_id, "cb-admin"), *auditors]
        if row.status == "open":
            due = (date.fromisoformat(row.held) + timedelta(days=ANSWER_DAYS)).isoformat()
            to(users(row.client_id), "finding-overdue", "client", row, row.finding_id, due)
            to(crew, "finding-overdue", "body", row, row.finding_id, due)
        else:
            to(crew, "answer-waiting", "body", row, row.finding_id, "")
    horizon = (today + timedelta(days=AHEAD_DAYS)).isoformat()
    for row in _programme(conn, horizon):
        to(
            staff(row.body_id, "planner", "cb-admin"),
            "surveillance-due",
            "body",
            row,
            row.item,
            row.due_by,
        )
    for row in _suspensions(conn, horizon):
        to(
            staff(row.body_id, "decision-maker", "cb-admin"),
            "suspension-ending",
            "body",
            row,
            "",
            row.deadline,
        )
    staff_of: dict[str, set[str]] = defaultdict(set)  # any role at the body
    for role, accounts in holders.items():
        if "@body:" in role:
            staff_of[role.split("@body:", 1)[1]].update(accounts)
    for row in _cases(conn):
        handler = [row.handler] if row.handler in staff_of[row.body_id] else []
        to([*handler, *staff(row.body_id, "cb-admin")], "case-open", "body", row, row.id, "")
    return _unsent(conn, out)


def _findings(conn: Connection, today: date) -> Any:
    """Open findings past their answer deadline, and answered ones, with their audit."""
    f, a, cn = t.findings.c, t.audits.c, t.certifications.c
    held = sa.func.coalesce(a.last_day, a.end)
    late = (today - timedelta(days=ANSWER_DAYS)).isoformat()  # held before this: overdue
    query = (
        sa.select(
            f.certification_id,
            f.finding_id,
            f.body_id,
            f.status,
            cn.client_id,
            a.team,
            held.label("held"),
        )
        .join(t.audits, sa.and_(a.certification_id == f.certification_id, a.audit_id == f.audit_id))
        .join(t.certifications, cn.id == f.certification_id)
        .where(sa.or_(sa.and_(f.status == "open", held < late), f.status == "answered"))
        .order_by(f.certification_id, f.finding_id)
    )
    return conn.execute(query).all()


def _programme(conn: Connection, horizon: str) -> Any:
    p, cn = t.programme.c, t.certifications.c
    query = (
        sa.select(p.certification_id, p.item, p.due_by, p.body_id, cn.client_id)
        .join(t.certifications, cn.id == p.certification_id)
        .where(p.done_on.is_(None), p.due_by <= horizon, p.item.like("surveillance-%"))
        .order_by(p.certification_id, p.item)
    )
    return conn.execute(query).all()


def _suspensions(conn: Connection, horizon: str) -> Any:
    c = t.certificates.c
    query = (
        sa.select(c.certification_id, c.body_id, c.client_id, c.deadline)
        .where(c.status == "suspended", c.deadline.is_not(None), c.deadline <= horizon)
        .order_by(c.certification_id)
    )
    return conn.execute(query).all()


def _cases(conn: Connection) -> Any:
    k, cn = t.cases.c, t.certifications.c
    query = (
        sa.select(k.id, k.certification_id, k.body_id, k.handler, cn.client_id)
        .join(t.certifications, cn.id == k.certification_id)
        .where(k.resolved.is_(False))
        .order_by(k.id)
    )
    return conn.execute(query).all()


def _unsent(conn: Connection, owed: list[Due]) -> list[Due]:
    """``owed`` without the notices recorded already (looked up in chunks)."""
    ids = [notice_id(d.recipient, d.kind, d.certification_id, d.item, d.due) for d in owed]
    sent: set[str] = set()
    for i in range(0, len(ids), 500):
        chunk = ids[i : i + 500]
        sent |= set(
            conn.execute(sa.select(t.notices.c.id).where(t.notices.c.id.in_(chunk))).scalars()
        )
    return [d for d, nid in zip(owed, ids, strict=True) if nid not in sent]


def notices_of(
    conn: Connection, account_id: str, *, page: int = 1, unread_only: bool = False
) -> tuple[list[dict[str, Any]], int]:
    """One page (``PAGE`` rows) of ``account_id``'s notices, and how many in all: newest first,
    and of those sent together (a run of the clocks sends many at once) the most pressing
    first, by due date, undated last. Each row carries its certification's organisation
    (``name_zh``, ``name_en``) and ``scheme_id``, so the page names it as people do."""
    n, c, k = t.notices.c, t.certifications.c, t.clients.c
    where = [n.recipient == account_id, *([n.read_at.is_(None)] if unread_only else [])]
    total = conn.execute(sa.select(sa.func.count()).where(*where)).scalar_one()
    named = t.notices.outerjoin(t.certifications, c.id == n.certification_id).outerjoin(
        t.clients, k.id == c.client_id
    )
    rows = conn.execute(
        sa.select(t.notices, k.name_zh, k.name_en, c.scheme_id)
        .select_from(named)
        .where(*where)
        .order_by(n.at.desc(), sa.case((n.due == "", 1), else_=0), n.due, n.id)
        .offset((max(page, 1) - 1) * PAGE)
        .limit(PAGE)
    ).mappings()
    return [dict(r) for r in rows], int(total)


def notice(conn: Connection, notice_id_: str) -> dict[str, Any] | None:
    row = conn.execute(sa.select(t.notices).where(t.notices.c.id == notice_id_)).mappings().first()
    return dict(row) if row else None


def unread_count(conn: Connection, account_id: str) -> int:
    """How many of ``account_id``'s notices are unread."""
    n = t.notices.c
    query = sa.select(sa.func.count()).where(n.recipient == account_id, n.read_at.is_(None))
    return int(conn.execute(query).scalar_one())


def address_of(conn: Connection, account_id: str) -> str:
    """The address ``account_id``'s notices are e-mailed to ("" for none)."""
    a = t.notice_addresses.c
    found = conn.execute(sa.select(a.email).where(a.account_id == account_id)).scalar()
    return str(found or "")


def to_mail(conn: Connection, limit: int = 200) -> list[dict[str, Any]]:
    """Notices not mailed yet to accounts that have an address, oldest first (with it, and
    the certification's organisation and scheme, as :func:`notices_of` gives them)."""
    n, a, c, k = t.notices.c, t.notice_addresses.c, t.certifications.c, t.clients.c
    query = (
        sa.select(t.notices, a.email, k.name_zh, k.name_en, c.scheme_id)
        .join(t.notice_addresses, a.account_id == n.recipient)
        .outerjoin(t.certifications, c.id == n.certification_id)
        .outerjoin(t.clients, k.id == c.client_id)
        .where(n.mailed_to.is_(None))
        .order_by(n.at, n.id)
        .limit(limit)
    )
    return [dict(r) for r in conn.execute(query).mappings()]
