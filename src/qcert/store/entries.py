"""Whose a ledger entry is: what the access policy needs to decide who may read its bytes.

Leaf hashes, proofs and checkpoints are public; an entry's bytes are not always. A lifecycle
event belongs to the records it is about; a certificate credential to its certificate (public
unless the organisation is confidential); a status list to everyone.
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ..access import EntryOwner
from . import evidence
from . import tables as t

__all__ = ["entry_owner"]

_PUBLIC = EntryOwner("public")


def entry_owner(conn: Connection, index: int) -> EntryOwner:
    """Whose entry ``index`` is (a public one when it is neither an event nor a credential)."""
    e = t.events.c
    row = conn.execute(
        sa.select(e.aggregate, e.tenant, e.document).where(e.ledger_index == index)
    ).first()
    if row is not None:
        return _event_owner(conn, row[0], row[1], json.loads(row[2]))
    cr, cn, cl = t.credentials.c, t.certifications.c, t.clients.c
    found = conn.execute(
        sa.select(cr.body_id, cn.client_id, cl.confidential)
        .join_from(t.credentials, t.certifications, cn.id == cr.certification_id)
        .join(t.clients, cl.id == cn.client_id)
        .where(cr.ledger_index == index)
    ).first()
    if found is not None:
        body, client, confidential = found
        if not confidential:
            return _PUBLIC
        return EntryOwner("credential", frozenset({body}), frozenset({client}))
    return _PUBLIC


def _event_owner(conn: Connection, aggregate: str, tenant: str, doc: dict) -> EntryOwner:  # type: ignore[type-arg]
    kind, ident = aggregate.split(":", 1)
    data = doc.get("data", {})
    if kind == "certification":
        client = conn.execute(
            sa.select(t.certifications.c.client_id).where(t.certifications.c.id == ident)
        ).scalar()
        return EntryOwner("event", frozenset({tenant}), frozenset({client} if client else ()))
    if kind == "client":
        bodies: set[str] = set()
        if doc.get("type") == "client.document-uploaded" and data.get("certification_id"):
            holder = conn.execute(
                sa.select(t.certifications.c.body_id).where(
                    t.certifications.c.id == data["certification_id"]
                )
            ).scalar()
            bodies |= {holder} if holder else set()
        elif doc.get("type", "").startswith("client.consent-"):
            bodies.add(data.get("body_id", ""))
        return EntryOwner("event", frozenset(bodies), frozenset({ident}))
    if kind == "account":
        return EntryOwner("event", accounts=frozenset({ident}))
    if kind == "mailbox":  # an account's e-mail address: the account's own
        return EntryOwner("event", accounts=frozenset({ident}))
    if kind == "notice":  # its recipient's, and the staff of the body whose record it is about
        recipient = conn.execute(
            sa.select(t.notices.c.recipient).where(t.notices.c.id == ident)
        ).scalar()
        return EntryOwner("event", frozenset({tenant}), accounts=frozenset({recipient or "?"}))
    if kind == "line":
        la = t.line_alarms.c
        client = (
            data.get("client_id")
            or conn.execute(sa.select(la.client_id).where(la.line_id == ident).limit(1)).scalar()
        )
        return EntryOwner("event", clients=frozenset({client or "?"}))
    if kind == "status-list":
        return _PUBLIC
    if kind == "device":
        # A data source's events (and its windows' roots): its organisation's, and the bodies
        # that read the organisation's records, as its readings are.
        found = evidence.readers_of(conn, ident)
        client, bodies = found if found is not None else ("?", frozenset())
        return EntryOwner("event", bodies, frozenset({client}))
    # bodies, auditors, cases: the body's own
    return EntryOwner("event", frozenset({tenant or ident}))
