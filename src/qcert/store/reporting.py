"""What a body's reporting reads: its events since an index, and the context records need
(``qcert.exchange.mapping.Context``) from the projections and the registering events."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ..lifecycle import events as ev
from . import tables as t

__all__ = ["StoreContext", "cursor", "events_of", "move_cursor"]

_REPORTED = (
    "certification.applied",
    "certification.transfer-accepted",
    "certification.audit-planned",
    "certification.checked-in",
    "certification.checked-out",
    "certification.audit-completed",
    "certification.decided",
    "certificate.issued",
    "certificate.suspended",
    "certificate.restored",
    "certificate.withdrawn",
    "certificate.expired",
    "certificate.scope-changed",
    "certificate.transferred",
)


def events_of(
    conn: Connection, body_id: str, after: int, before: int, limit: int
) -> Iterator[tuple[int, ev.Envelope]]:
    """The body's reportable events with ledger index in ``after`` < index < ``before``, in
    ledger order, at most ``limit``."""
    e = t.events.c
    query = (
        sa.select(e.ledger_index, e.document)
        .where(
            e.tenant == body_id,
            e.type.in_(_REPORTED),
            e.ledger_index > after,
            e.ledger_index < before,
        )
        .order_by(e.ledger_index)
        .limit(limit)
    )
    for index, document in conn.execute(query):
        yield index, ev.decode(json.loads(document))


def cursor(conn: Connection, hub: str, body_id: str) -> int:
    """The newest ledger index ``body_id`` sent to ``hub`` (-1 before the first)."""
    c = t.exchange_cursors.c
    up_to = conn.execute(sa.select(c.up_to).where(c.hub == hub, c.body_id == body_id)).scalar()
    return -1 if up_to is None else int(up_to)


def move_cursor(conn: Connection, hub: str, body_id: str, up_to: int, at: str) -> None:
    """Remember that ``body_id`` sent ``hub`` everything up to ledger index ``up_to``."""
    c = t.exchange_cursors
    conn.execute(c.delete().where(c.c.hub == hub, c.c.body_id == body_id))
    conn.execute(c.insert().values(hub=hub, body_id=body_id, up_to=up_to, at=at))


# The lookups below run once per reported record or so (thousands a report): built once, as
# building a statement costs several times what running it then takes.
_FIRST_EVENT = sa.select(t.events.c.document).where(
    t.events.c.aggregate == sa.bindparam("key"), t.events.c.seq == 1
)
_CLIENT = sa.select(t.clients.c.sites, t.clients.c.personnel).where(
    t.clients.c.id == sa.bindparam("id")
)
_CERTIFICATION = (
    sa.select(
        t.certifications.c.client_id,
        t.certifications.c.scheme_id,
        t.certifications.c.sectors,
        t.certifications.c.initial_days,
        t.certificates.c.number,
    )
    .outerjoin(t.certificates, t.certificates.c.certification_id == t.certifications.c.id)
    .where(t.certifications.c.id == sa.bindparam("id"))
)
_FINDINGS = sa.select(t.findings.c.grade, t.findings.c.clause).where(
    t.findings.c.certification_id == sa.bindparam("cid"),
    t.findings.c.audit_id == sa.bindparam("audit"),
)


class StoreContext:
    """The mapping's context over one connection, each lookup read once."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self._registered: dict[str, dict[str, Any] | None] = {}
        self._certifications: dict[str, dict[str, Any] | None] = {}

    def _first(self, aggregate: str) -> dict[str, Any] | None:
        if aggregate not in self._registered:
            doc = self.conn.execute(_FIRST_EVENT, {"key": aggregate}).scalar()
            self._registered[aggregate] = json.loads(doc)["data"] if doc else None
        return self._registered[aggregate]

    def client(self, client_id: str) -> dict[str, Any] | None:
        data = self._first(f"client:{client_id}")
        if data is None:
            return None
        row = self.conn.execute(_CLIENT, {"id": client_id}).first()
        sites = json.loads(row.sites) if row else data.get("sites", [])
        return {**data, "sites": sites, "personnel": row.personnel if row else data["personnel"]}

    def auditor(self, auditor_id: str) -> dict[str, Any] | None:
        return self._first(f"auditor:{auditor_id}")

    def certification(self, certification_id: str) -> dict[str, Any] | None:
        if certification_id not in self._certifications:
            row = self.conn.execute(_CERTIFICATION, {"id": certification_id}).first()
            self._certifications[certification_id] = (
                {
                    "client_id": row.client_id,
                    "scheme_id": row.scheme_id,
                    "sectors": json.loads(row.sectors),
                    "number": row.number,
                    "initial_days": row.initial_days,
                }
                if row
                else None
            )
        return self._certifications[certification_id]

    def findings(self, certification_id: str, audit_id: str) -> list[dict[str, Any]]:
        rows = self.conn.execute(_FINDINGS, {"cid": certification_id, "audit": audit_id})
        return [{"grade": g, "clause": c} for g, c in rows]
