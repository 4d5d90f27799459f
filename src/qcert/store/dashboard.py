"""Read views for a certification body's workspace: its dashboard, its certifications, its
audit calendar and its auditors.

SQLAlchemy Core selects over the projections, each limited to one body; the caller decides
who may ask for which body. Days are ``YYYY-MM-DD`` strings, as the projections store them,
so comparing them as text compares them as dates.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from . import tables as t
from .reading import event_data, registrations

__all__ = [
    "DUE_SOON_DAYS",
    "LISTS",
    "SHOWN",
    "STAGES",
    "STATUSES",
    "Dashboard",
    "audits_between",
    "body_auditors",
    "body_exists",
    "dashboard",
    "dashboard_list",
    "last_months",
]

# Stages of a certification as the projections name them (store.projections._stage), in order.
STAGES = (
    "applied",
    "contract-reviewed",
    "auditing",
    "reviewed",
    "active",
    "suspended",
    "withdrawn",
    "expired",
)
STATUSES = ("active", "suspended", "withdrawn", "expired")
DUE_SOON_DAYS = 30


@dataclass(frozen=True)
class Dashboard:
    """What a body's dashboard shows, as of ``today``.

    ``stages`` and ``statuses`` count certifications by stage and certificates by status
    (every key present, zero or not); ``audits_per_month`` counts audits by the month they
    start in, for the last 12 months ending with today's; the lists hold the first rows behind
    the other figures, ``totals`` how many rows each list has in all.
    """

    today: date
    clients: int
    stages: dict[str, int]
    statuses: dict[str, int]
    audits_this_month: list[dict[str, Any]] = field(default_factory=list)
    due_soon: list[dict[str, Any]] = field(default_factory=list)
    overdue: list[dict[str, Any]] = field(default_factory=list)
    suspensions: list[dict[str, Any]] = field(default_factory=list)
    open_majors: list[dict[str, Any]] = field(default_factory=list)
    totals: dict[str, int] = field(default_factory=dict)
    audits_per_month: list[tuple[str, int]] = field(default_factory=list)


def body_exists(conn: Connection, body_id: str) -> bool:
    """Whether a body ``body_id`` is registered."""
    query = sa.select(t.bodies.c.id).where(t.bodies.c.id == body_id)
    return conn.execute(query).first() is not None


def last_months(today: date, count: int = 12) -> list[str]:
    """The ``count`` months ending with today's, oldest first, as ``YYYY-MM``."""
    months = []
    year, month = today.year, today.month
    for _ in range(count):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months[::-1]


def _month_bounds(day: date) -> tuple[str, str]:
    first = day.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return first.isoformat(), (following - timedelta(days=1)).isoformat()


def _counts(conn: Connection, column: sa.ColumnElement[Any], where: Any, keys: tuple) -> dict:
    rows = conn.execute(sa.select(column, sa.func.count()).where(where).group_by(column)).all()
    found = {k: int(n) for k, n in rows}
    return {k: found.get(k, 0) for k in keys} | {k: n for k, n in found.items() if k not in keys}


# The lists behind the dashboard's figures, each paged on its own (``dashboard_list``).
LISTS = ("audits_this_month", "due_soon", "overdue", "suspensions", "open_majors")
SHOWN = 10  # rows of each list on the dashboard itself; the rest a page at a time


def _named(query: sa.Select[Any], certification_id: sa.ColumnElement[Any]) -> sa.Select[Any]:
    """``query`` with the certification's organisation (names) and scheme, so a list names a
    certification as people do rather than by its id."""
    cn, cl = t.certifications, t.clients
    return (
        query.add_columns(cn.c.scheme_id, cl.c.name_zh, cl.c.name_en)
        .join(cn, cn.c.id == certification_id)
        .join(cl, cl.c.id == cn.c.client_id)
    )


def _list_query(name: str, body_id: str, today: date) -> sa.Select[Any]:
    """The select behind the dashboard's list ``name`` (one of :data:`LISTS`), in order."""
    a, p, c, f = t.audits, t.programme, t.certificates, t.findings
    if name == "audits_this_month":
        first, last = _month_bounds(today)
        query = (
            sa.select(a.c.certification_id, a.c.audit_id, a.c.kind, a.c.start, a.c.end)
            .where(a.c.body_id == body_id, a.c.start >= first, a.c.start <= last)
            .order_by(a.c.start, a.c.certification_id, a.c.audit_id)
        )
        return _named(query, a.c.certification_id)
    if name in ("due_soon", "overdue"):
        undone = sa.and_(p.c.body_id == body_id, p.c.done_on.is_(None))
        horizon = (today + timedelta(days=DUE_SOON_DAYS)).isoformat()
        when = (
            sa.and_(p.c.due_by >= today.isoformat(), p.c.due_by <= horizon)
            if name == "due_soon"
            else p.c.due_by < today.isoformat()
        )
        query = (
            sa.select(p.c.certification_id, p.c.item, p.c.due_by)
            .where(undone, when)
            .order_by(p.c.due_by, p.c.certification_id, p.c.item)
        )
        return _named(query, p.c.certification_id)
    if name == "suspensions":
        query = (
            sa.select(c.c.certification_id, c.c.number, c.c.deadline)
            .where(c.c.body_id == body_id, c.c.status == "suspended", c.c.deadline.is_not(None))
            .order_by(c.c.deadline, c.c.number)
        )
        return _named(query, c.c.certification_id)
    if name == "open_majors":
        query = (
            sa.select(f.c.certification_id, f.c.finding_id, f.c.audit_id, f.c.clause, f.c.status)
            .where(f.c.body_id == body_id, f.c.grade == "major", f.c.status != "closed")
            .order_by(f.c.certification_id, f.c.finding_id)
        )
        return _named(query, f.c.certification_id)
    raise KeyError(name)


def dashboard_list(
    conn: Connection, body_id: str, name: str, today: date, offset: int, limit: int
) -> tuple[list[dict[str, Any]], int]:
    """One page of the dashboard's list ``name`` for ``body_id`` on ``today``, and its total."""
    query = _list_query(name, body_id, today)
    total = conn.execute(sa.select(sa.func.count()).select_from(query.order_by(None).subquery()))
    rows = [dict(r) for r in conn.execute(query.offset(offset).limit(limit)).mappings()]
    if name == "suspensions":
        # ISO/IEC 17021-1:2015 9.6.5.2: the days left before an unresolved suspension ends.
        rows = [{**r, "days_left": (date.fromisoformat(r["deadline"]) - today).days} for r in rows]
    return rows, int(total.scalar() or 0)


def dashboard(conn: Connection, body_id: str, today: date, shown: int = SHOWN) -> Dashboard:
    """The figures of ``body_id``'s dashboard on ``today``, with the first ``shown`` rows of
    each list behind them (the rest are paged by :func:`dashboard_list`).

    - clients: distinct client organisations with a certification at the body;
    - audits this month: audits starting in today's calendar month;
    - due soon / overdue: audit-programme items (surveillance, recertification) not yet done,
      due within ``DUE_SOON_DAYS`` days from today (inclusive) / due before today
      (ISO/IEC 17021-1:2015 9.1.3.2, 9.6.2.2, 9.6.3.2);
    - suspensions: suspended certificates with their deadline and the days left
      (ISO/IEC 17021-1:2015 9.6.5.2: unresolved by then, the certificate is withdrawn);
    - open major nonconformities: major findings not closed (9.5.3.2 blocks the decision).
    """
    cn, c = t.certifications, t.certificates
    clients = conn.execute(
        sa.select(sa.func.count(sa.distinct(cn.c.client_id))).where(cn.c.body_id == body_id)
    ).scalar()
    lists = {name: dashboard_list(conn, body_id, name, today, 0, shown) for name in LISTS}
    return Dashboard(
        today=today,
        clients=int(clients or 0),
        stages=_counts(conn, cn.c.stage, cn.c.body_id == body_id, STAGES),
        statuses=_counts(conn, c.c.status, c.c.body_id == body_id, STATUSES),
        totals={name: total for name, (_, total) in lists.items()},
        audits_per_month=_audits_per_month(conn, body_id, today),
        **{name: rows for name, (rows, _) in lists.items()},
    )


def _audits_per_month(conn: Connection, body_id: str, today: date) -> list[tuple[str, int]]:
    months = last_months(today)
    a = t.audits
    month = sa.func.substr(a.c.start, 1, 7)
    rows = conn.execute(
        sa.select(month, sa.func.count())
        .where(a.c.body_id == body_id, a.c.start >= f"{months[0]}-01", month <= months[-1])
        .group_by(month)
    ).all()
    found = {m: int(n) for m, n in rows}
    return [(m, found.get(m, 0)) for m in months]


def audits_between(conn: Connection, body_id: str, first: date, last: date) -> list[dict[str, Any]]:
    """``body_id``'s audits that overlap ``first``..``last`` (inclusive), by start date."""
    a = t.audits
    rows = conn.execute(
        sa.select(a.c.certification_id, a.c.audit_id, a.c.kind, a.c.method, a.c.start, a.c.end)
        .where(a.c.body_id == body_id, a.c.start <= last.isoformat(), a.c.end >= first.isoformat())
        .order_by(a.c.start, a.c.certification_id, a.c.audit_id)
    ).mappings()
    return [dict(r) for r in rows]


def body_auditors(conn: Connection, body_id: str) -> list[dict[str, Any]]:
    """``body_id``'s auditors: id, name (from their registration) and qualifications by scheme."""
    au, registered = t.auditors, registrations("auditor.registered")
    rows = conn.execute(
        sa.select(au.c.id, au.c.qualifications, registered.c.document)
        .outerjoin(registered, registered.c.aggregate == sa.literal("auditor:").concat(au.c.id))
        .where(au.c.body_id == body_id)
        .order_by(au.c.id)
    ).mappings()
    return [
        {
            "id": r["id"],
            "name": event_data(r["document"]).get("name_zh", ""),
            "qualifications": {k: set(v) for k, v in json.loads(r["qualifications"]).items()},
        }
        for r in rows
    ]
