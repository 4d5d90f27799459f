"""Read views for finding and listing a body's records, and for the public certificate search.

- :func:`body_search`: one query string against a body's organisations (name, part of it, or
  unified social credit code), certifications, certificates (number) and auditors (name,
  registration number), each group limited, with its total;
- :func:`certification_list`: a body's certifications filtered by stage, scheme, certificate
  status and text, sorted by a column, a page at a time, with the total;
- :func:`public_certificates`: the public search, a page at a time, with the total.

Every view is limited to one body (the public one to what IAF CertSearch shows); the caller
decides, through the access policy, who may ask for which body. What a user types is matched
as text: ``\\``, ``%`` and ``_`` are escaped in every LIKE pattern
(:func:`qcert.store.reading.contains`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from . import tables as t
from .dashboard import STAGES
from .reading import ESCAPE, contains, mentions

__all__ = [
    "ESCAPE",
    "SORTS",
    "CertificationFilter",
    "Group",
    "body_schemes",
    "body_search",
    "certification_list",
    "contains",
    "public_certificates",
]

# Columns the certification list sorts by; every sort ends with the certification's id, so
# a page boundary never falls between rows that tie.
SORTS = ("organisation", "scheme", "stage", "next_due", "certificate", "id")


def _starts(column: sa.ColumnElement[Any], text: str) -> sa.ColumnElement[bool]:
    # Credit codes are upper case (GB 32100-2015); a prefix of one finds it.
    return column.like(contains(text.upper())[1:], escape=ESCAPE)


@dataclass(frozen=True)
class Group:
    """Some rows of a search's group (at most the limit asked for) and how many match."""

    rows: list[dict[str, Any]]
    total: int


@dataclass(frozen=True)
class CertificationFilter:
    """What the certification list shows: ``stage``, ``scheme`` (its id), ``status`` (of the
    certificate), ``text`` (part of the organisation's name, its credit code, the certificate
    number or the certification's id), sorted by ``sort`` (one of :data:`SORTS`)."""

    stage: str | None = None
    scheme: str | None = None
    status: str | None = None
    text: str | None = None
    sort: str = "organisation"
    descending: bool = False


def _next_due(body_id: str) -> sa.Subquery:
    """Each certification's next audit-programme item not yet done, and when it is due."""
    p = t.programme
    return (
        sa.select(p.c.certification_id, sa.func.min(p.c.due_by).label("next_due"))
        .where(p.c.body_id == body_id, p.c.done_on.is_(None))
        .group_by(p.c.certification_id)
        .subquery("next_due")
    )


def _text_match(text: str) -> sa.ColumnElement[bool]:
    cn, cl, c = t.certifications, t.clients, t.certificates
    return sa.or_(
        mentions(cl.c.name_zh, text),
        mentions(cl.c.name_en, text),
        _starts(cl.c.uscc, text),
        mentions(c.c.number, text),
        mentions(cn.c.id, text),
    )


def _order(sort: str, descending: bool, nd: sa.Subquery) -> list[Any]:
    cn, cl, c = t.certifications, t.clients, t.certificates
    by = {
        "organisation": cl.c.name_zh,
        "scheme": cn.c.scheme_id,
        "stage": sa.case({s: i for i, s in enumerate(STAGES)}, value=cn.c.stage, else_=99),
        "next_due": nd.c.next_due,
        "certificate": c.c.number,
        "id": cn.c.id,
    }[sort]
    first = by.desc() if descending else by.asc()
    # Rows without a date or a certificate go last whichever way the list is sorted.
    return [first.nulls_last(), cn.c.id]


def certification_list(
    conn: Connection, body_id: str, where: CertificationFilter, offset: int, limit: int
) -> tuple[list[dict[str, Any]], int]:
    """One page of ``body_id``'s certifications as ``where`` filters and sorts them, and how
    many match in all.

    Each row: the certification's id, client (id, names, credit code), scheme, sectors,
    stage and cycle, its next programme item's due date, and its certificate's number,
    status and expiry date when it has one.
    """
    cn, cl, c = t.certifications, t.clients, t.certificates
    nd = _next_due(body_id)
    conditions: list[Any] = [cn.c.body_id == body_id]
    if where.stage:
        conditions.append(cn.c.stage == where.stage)
    if where.scheme:
        conditions.append(cn.c.scheme_id == where.scheme)
    if where.status:
        conditions.append(c.c.status == where.status)
    if where.text:
        conditions.append(_text_match(where.text))
    joined = (
        cn.join(cl, cl.c.id == cn.c.client_id)
        .outerjoin(c, c.c.certification_id == cn.c.id)
        .outerjoin(nd, nd.c.certification_id == cn.c.id)
    )
    total = conn.execute(sa.select(sa.func.count()).select_from(joined).where(*conditions))
    rows = conn.execute(
        sa.select(
            cn.c.id,
            cn.c.client_id,
            cn.c.scheme_id,
            cn.c.sectors,
            cn.c.stage,
            cn.c.cycle,
            cl.c.name_zh,
            cl.c.name_en,
            cl.c.uscc,
            c.c.number,
            c.c.status,
            c.c.expiry_date,
            nd.c.next_due,
        )
        .select_from(joined)
        .where(*conditions)
        .order_by(*_order(where.sort, where.descending, nd))
        .offset(offset)
        .limit(limit)
    ).mappings()
    found = [{**r, "sectors": json.loads(r["sectors"])} for r in rows]
    return found, int(total.scalar() or 0)


def body_schemes(conn: Connection, body_id: str) -> list[str]:
    """The schemes ``body_id`` has certifications of, by id (what the list can filter by)."""
    cn = t.certifications
    query = sa.select(cn.c.scheme_id).where(cn.c.body_id == body_id).distinct()
    return sorted(conn.execute(query).scalars())


def _organisations(conn: Connection, body_id: str, q: str, limit: int) -> Group:
    """Organisations with a certification (or an application) at ``body_id`` matching ``q``."""
    cn, cl = t.certifications, t.clients
    theirs = sa.select(cn.c.client_id).where(cn.c.body_id == body_id)
    match = sa.and_(
        cl.c.id.in_(theirs),
        sa.or_(
            mentions(cl.c.name_zh, q),
            mentions(cl.c.name_en, q),
            _starts(cl.c.uscc, q),
        ),
    )
    total = conn.execute(sa.select(sa.func.count()).select_from(cl).where(match)).scalar()
    rows = conn.execute(
        sa.select(cl.c.id, cl.c.uscc, cl.c.name_zh, cl.c.name_en)
        .where(match)
        .order_by(cl.c.name_zh, cl.c.id)
        .limit(limit)
    ).mappings()
    return Group([dict(r) for r in rows], int(total or 0))


def _certificates(conn: Connection, body_id: str, q: str, limit: int) -> Group:
    """``body_id``'s certificates whose number holds ``q``, or whose organisation ``q`` names
    (part of its name, or its credit code or how that starts)."""
    c, cl = t.certificates, t.clients
    named = sa.or_(mentions(cl.c.name_zh, q), mentions(cl.c.name_en, q), _starts(cl.c.uscc, q))
    match = sa.and_(c.c.body_id == body_id, sa.or_(mentions(c.c.number, q), named))
    joined = c.join(cl, cl.c.id == c.c.client_id)
    total = conn.execute(sa.select(sa.func.count()).select_from(joined).where(match)).scalar()
    rows = conn.execute(
        sa.select(
            c.c.number,
            c.c.certification_id,
            c.c.scheme_id,
            c.c.status,
            c.c.expiry_date,
            cl.c.name_zh,
            cl.c.name_en,
        )
        .join(cl, cl.c.id == c.c.client_id)
        .where(match)
        .order_by(c.c.number)
        .limit(limit)
    ).mappings()
    return Group([dict(r) for r in rows], int(total or 0))


def body_auditors(conn: Connection, body_id: str) -> list[dict[str, Any]]:
    """``body_id``'s auditors: id, name and registration number (from their registration)."""
    au, e = t.auditors, t.events
    registered = (
        sa.select(e.c.aggregate, e.c.document)
        .where(e.c.type == "auditor.registered")
        .subquery("registered")
    )
    rows = conn.execute(
        sa.select(au.c.id, registered.c.document)
        .outerjoin(registered, registered.c.aggregate == sa.literal("auditor:").concat(au.c.id))
        .where(au.c.body_id == body_id)
        .order_by(au.c.id)
    )
    found = []
    for auditor_id, document in rows:
        data = json.loads(document)["data"] if document else {}
        found.append(
            {
                "id": auditor_id,
                "name": data.get("name_zh", ""),
                "registration_no": data.get("registration_no", ""),
            }
        )
    return found


def _auditors(conn: Connection, body_id: str, q: str, limit: int) -> Group:
    # Names live in the registration events' documents, so they are matched here, over one
    # body's auditors (a few hundred at the largest bodies), not by a LIKE over JSON text.
    needle = q.casefold()
    hits = [
        a
        for a in body_auditors(conn, body_id)
        if any(needle in a[k].casefold() for k in ("id", "name", "registration_no"))
    ]
    return Group(hits[:limit], len(hits))


def body_search(conn: Connection, body_id: str, q: str, limit: int) -> dict[str, Group]:
    """``q`` searched in ``body_id``'s records: organisations, certifications, certificates
    and auditors, at most ``limit`` rows of each with the number that match."""
    certifications, total = certification_list(conn, body_id, CertificationFilter(text=q), 0, limit)
    return {
        "organisations": _organisations(conn, body_id, q, limit),
        "certifications": Group(certifications, total),
        "certificates": _certificates(conn, body_id, q, limit),
        "auditors": _auditors(conn, body_id, q, limit),
    }


def public_certificates(
    conn: Connection, q: str, offset: int, limit: int
) -> tuple[list[dict[str, Any]], int]:
    """Certificates found by number (exactly), or, for clients that are not confidential,
    by credit code (exactly) or part of the organisation's name: one page, by number, and
    how many there are in all. IAF CertSearch lists a confidential client only to someone
    holding the certificate's number."""
    c, cl = t.certificates, t.clients
    match = sa.or_(
        c.c.number == q,
        sa.and_(
            cl.c.confidential.is_(False),
            sa.or_(cl.c.uscc == q, mentions(cl.c.name_zh, q), mentions(cl.c.name_en, q)),
        ),
    )
    joined = c.join(cl, cl.c.id == c.c.client_id)
    total = conn.execute(sa.select(sa.func.count()).select_from(joined).where(match)).scalar()
    rows = conn.execute(
        sa.select(c)
        .select_from(joined)
        .where(match)
        .order_by(c.c.number)
        .offset(offset)
        .limit(limit)
    ).mappings()
    return [dict(r) for r in rows], int(total or 0)
