"""Read views for the quality examination report: the organisation, its certification
history and its peer group, each scoped by the caller.

Read-only. A record out of the caller's :class:`qcert.access.ReadScope` is simply not found:
the organisation itself (so an unknown one and one the caller may not read look the same),
and each certification, audit, finding and certificate (so a body's staff count only their
own body's). The peer group is read whole, as the report shows only percentiles of it and
never a peer's name or figures.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ..access import ReadScope
from . import tables as t
from .scoping import visible

__all__ = ["MAX_PEERS", "history", "organisation"]

MAX_PEERS = 50  # peer organisations compared with (the first by id)


def organisation(conn: Connection, scope: ReadScope, client_id: str) -> dict[str, Any] | None:
    """The organisation's id and names, or None when there is none the scope may read."""
    c = t.clients
    row = (
        conn.execute(
            sa.select(c.c.id, c.c.name_zh, c.c.name_en).where(
                c.c.id == client_id, visible(scope, c)
            )
        )
        .mappings()
        .first()
    )
    return dict(row) if row else None


def history(conn: Connection, scope: ReadScope, client_id: str) -> dict[str, Any]:
    """The organisation's certification history in ``scope``: how many certifications, its
    certificates (number, status, body, scheme), how many audits, findings by grade, open
    findings and open major ones, how many times a certificate was suspended, and the IAF
    sectors of its certifications (sorted)."""
    cn, ce, a, f, h = t.certifications, t.certificates, t.audits, t.findings, t.certificate_history
    ids = sa.select(cn.c.id).where(cn.c.client_id == client_id, visible(scope, cn))
    certifications = conn.execute(
        sa.select(cn.c.sectors).where(cn.c.client_id == client_id, visible(scope, cn))
    ).scalars()
    sectors: set[int] = set()
    count = 0
    for text in certifications:
        count += 1
        sectors.update(int(s) for s in json.loads(text))
    certificates = [
        dict(r)
        for r in conn.execute(
            sa.select(ce.c.number, ce.c.status, ce.c.body_id, ce.c.scheme_id)
            .where(ce.c.certification_id.in_(ids))
            .order_by(ce.c.number)
        ).mappings()
    ]
    audits = conn.execute(
        sa.select(sa.func.count()).select_from(a).where(a.c.certification_id.in_(ids))
    ).scalar()
    grades: Counter[str] = Counter()
    open_findings = open_major = 0
    for grade, status in conn.execute(
        sa.select(f.c.grade, f.c.status).where(f.c.certification_id.in_(ids))
    ):
        grades[grade] += 1
        if status != "closed":
            open_findings += 1
            open_major += grade == "major"
    suspensions = conn.execute(
        sa.select(sa.func.count())
        .select_from(h)
        .where(h.c.certification_id.in_(ids), h.c.status == "suspended")
    ).scalar()
    return {
        "certifications": count,
        "certificates": certificates,
        "audits": int(audits or 0),
        "findings": dict(sorted(grades.items())),
        "open_findings": open_findings,
        "open_major": open_major,
        "suspensions": int(suspensions or 0),
        "sectors": sorted(sectors),
    }
