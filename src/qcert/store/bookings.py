"""Who is on which audit when: auditors' commitments, for the double-booking rule
(``lifecycle.booking``) and the planner's view of who is free.

Read from the ``lc_audits`` projection (its team is JSON) with the certification's scheme and
the client's names. An audit's days run from its start to its last day once completed (the
days actually spent), else to its planned end. Days are ``YYYY-MM-DD`` text, so comparing
them as text compares them as dates.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ..lifecycle.booking import Commitment, overlaps
from . import tables as t

__all__ = ["commitments", "lock_auditors", "organisations", "schedule"]


def lock_auditors(conn: Connection, auditor_ids: Iterable[str]) -> None:
    """Lock the auditors' rows until this transaction ends, so two plans naming the same person
    are checked one after the other. PostgreSQL takes the row locks (FOR UPDATE); SQLite's
    write transactions already run one at a time (BEGIN IMMEDIATE), and it ignores the clause."""
    ids = sorted(set(auditor_ids))  # one order for every transaction: no deadlock between two
    if ids:
        conn.execute(_LOCK, {"ids": ids}).all()


def _bodies_of(conn: Connection, auditor_ids: list[str]) -> list[str]:
    return sorted(conn.execute(_BODIES, {"ids": auditor_ids}).scalars())


# Built once (each plan runs them): building a statement costs more than running it.
_IDS = sa.bindparam("ids", expanding=True)
_LOCK = sa.select(t.auditors.c.id).where(t.auditors.c.id.in_(_IDS)).with_for_update()
_BODIES = sa.select(t.auditors.c.body_id).where(t.auditors.c.id.in_(_IDS)).distinct()


def _audits(open_only: bool) -> sa.Select:
    a, cn, cl = t.audits, t.certifications, t.clients
    since, until = sa.bindparam("since"), sa.bindparam("until")
    return (
        sa.select(
            a.c.certification_id,
            a.c.audit_id,
            a.c.kind,
            a.c.start,
            a.c.end,
            a.c.last_day,
            a.c.team,
            cn.c.scheme_id,
            cn.c.client_id,
            cl.c.name_zh,
            cl.c.name_en,
        )
        .join(cn, cn.c.id == a.c.certification_id)
        .outerjoin(cl, cl.c.id == cn.c.client_id)
        .where(
            a.c.body_id.in_(sa.bindparam("bodies", expanding=True)),
            a.c.start <= until,
            sa.or_(a.c.end >= since, a.c.last_day >= since),
            *([a.c.last_day.is_(None)] if open_only else []),
        )
        .order_by(a.c.start, a.c.certification_id, a.c.audit_id)
    )


_AUDITS = {open_only: _audits(open_only) for open_only in (False, True)}


def _audit_rows(
    conn: Connection, bodies: list[str], first: date, last: date, open_only: bool = False
) -> Any:
    """The audits of ``bodies`` whose days may reach into ``first``..``last`` (only those not
    yet completed, with ``open_only``)."""
    params = {"bodies": bodies, "since": first.isoformat(), "until": last.isoformat()}
    return conn.execute(_AUDITS[open_only], params).mappings()


def _commitments_in(rows: Any, people: set[str] | None, first: date, last: date) -> list:
    found: list[tuple[Commitment, str]] = []
    for r in rows:
        start = date.fromisoformat(r["start"])
        end = date.fromisoformat(r["last_day"] or r["end"])
        if not overlaps(start, end, first, last):
            continue
        for member in json.loads(r["team"]):
            who = member.get("auditor", "")
            if people is None or who in people:
                c = Commitment(
                    who,
                    r["certification_id"],
                    r["audit_id"],
                    start,
                    end,
                    r["name_zh"] or "",
                    r["name_en"] or "",
                    r["scheme_id"],
                    r["last_day"] is not None,
                    r["client_id"],
                )
                found.append((c, r["kind"]))
    return found


def commitments(
    conn: Connection,
    auditor_ids: Iterable[str],
    first: date,
    last: date,
    body_id: str = "",
    open_only: bool = False,
) -> list[Commitment]:
    """The audits ``auditor_ids`` are on whose days overlap ``first``..``last``: at the bodies
    that employ them and at ``body_id`` (where a technical expert from elsewhere may be); with
    ``open_only`` only those still to be held (all the double-booking rule weighs)."""
    people = set(auditor_ids)
    if not people:
        return []
    bodies = sorted(set(_bodies_of(conn, sorted(people))) | ({body_id} if body_id else set()))
    rows = _audit_rows(conn, bodies, first, last, open_only)
    return [c for c, _ in _commitments_in(rows, people, first, last)]


def schedule(
    conn: Connection, body_id: str, auditors: list[dict[str, Any]], first: date, last: date
) -> list[dict[str, Any]]:
    """Each of ``auditors`` (the body's, as ``dashboard.body_auditors`` lists them) with their
    audits at the body over ``first``..``last``: ``commitments`` (each a dict with the audit,
    its kind, days, organisation and scheme) and ``busy`` (the days taken, ISO strings)."""
    taken: dict[str, list[dict[str, Any]]] = {a["id"]: [] for a in auditors}
    for c, kind in _commitments_in(_audit_rows(conn, [body_id], first, last), None, first, last):
        if c.auditor in taken:
            taken[c.auditor].append({**c.__dict__, "kind": kind})
    out = []
    for a in auditors:
        days: set[str] = set()
        for c in taken[a["id"]]:
            lo, hi = max(c["start"], first), min(c["end"], last)
            span = range(lo.toordinal(), hi.toordinal() + 1)
            days |= {date.fromordinal(n).isoformat() for n in span}
        out.append({**a, "commitments": taken[a["id"]], "busy": days})
    return out


def organisations(conn: Connection, body_id: str, first: date, last: date) -> dict[str, dict]:
    """The organisation (``zh``, ``en`` names) of each certification with an audit at
    ``body_id`` over ``first``..``last``, by certification id."""
    return {
        r["certification_id"]: {"zh": r["name_zh"] or "", "en": r["name_en"] or ""}
        for r in _audit_rows(conn, [body_id], first, last)
    }
