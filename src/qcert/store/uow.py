"""The unit of work: events and projections commit together, on the ledger, in one transaction.

``with uow:`` opens a write transaction; aggregates are loaded by replaying
their events; ``commit`` encodes each new event canonically (RFC 8785),
appends them all to the ledger in that same transaction, indexes them, and
updates the projections. Either everything is committed or nothing is.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from ..errors import QcertError
from ..ledger.storage import SqlLedgerStorage
from ..lifecycle import events as ev
from ..lifecycle.aggregate import LATE_DAYS, Aggregate, Recording
from . import identity, projections
from . import tables as t

__all__ = ["ConcurrentChange", "NotFound", "UnitOfWork"]

A = TypeVar("A", bound=Aggregate)


class NotFound(QcertError):
    status = 404


class ConcurrentChange(QcertError):
    status = 409


class UnitOfWork:
    """One business transaction over the event store, the ledger and the projections."""

    def __init__(
        self,
        engine: Engine,
        actor: str = "system",
        tz: str = "Asia/Shanghai",
        keys: Any = None,
        host: str | None = None,
        clock: Callable[[], datetime] | None = None,
        documents: Any = None,
    ) -> None:
        self.engine = engine
        self.keys = keys  # the body key store, for handlers that sign
        self.host = host  # the public host credentials name their issuers by (did:web)
        self.clock = clock or (lambda: datetime.now(UTC))  # what signatures and events call now
        self.documents = documents  # the document store, so an upload names a stored file
        self.ledger = SqlLedgerStorage(engine)
        self.actor, self.tz = actor, tz
        self.late_days = LATE_DAYS  # how far back a status change may be dated unapproved
        self.conn: Connection | None = None
        self._seen: dict[str, Aggregate] = {}
        self._secrets: list[tuple[str, str, str | None]] = []
        self.recorded: list[tuple[int, ev.Envelope]] = []
        self.reply: dict[str, Any] = {}

    def __enter__(self) -> UnitOfWork:
        self._cm = self.engine.connect()
        self.conn = self._cm.execution_options(qcert_write=True)
        self._tx = self.conn.begin()
        self._seen, self._secrets, self.recorded, self.reply = {}, [], [], {}
        return self

    def __exit__(self, *exc: object) -> None:
        if self._tx.is_active:
            self._tx.rollback()
        self._cm.close()
        self.conn = None

    def fresh(self) -> UnitOfWork:
        """A new unit of work with the same engine, actor and adapters."""
        uow = UnitOfWork(
            self.engine, self.actor, self.tz, self.keys, self.host, self.clock, self.documents
        )
        uow.late_days = self.late_days
        return uow

    @property
    def recording(self) -> Recording:
        """Now, by the installation's clock: the instant, the day in the body's zone, who
        acts, and how far back a status change may be dated without approval."""
        at = self.clock()
        return Recording(at, at.astimezone(ZoneInfo(self.tz)).date(), self.actor, self.late_days)

    def get(self, cls: type[A], id: str) -> A:
        """The aggregate ``cls`` with ``id``, rebuilt from its events; NotFound if none."""
        key = f"{cls.kind}:{id}"
        if key in self._seen:
            return self._seen[key]  # type: ignore[return-value]
        assert self.conn is not None
        docs = (
            self.conn.execute(
                sa.select(t.events.c.document)
                .where(t.events.c.aggregate == key)
                .order_by(t.events.c.seq)
            )
            .scalars()
            .all()
        )
        if not docs:
            raise NotFound(f"no {cls.kind} {id!r}")
        agg = cls.replay(id, [ev.decode(json.loads(d)).event for d in docs])
        self._seen[key] = agg
        return agg

    def exists(self, cls: type[Aggregate], id: str) -> bool:
        assert self.conn is not None
        return (
            self.conn.execute(
                sa.select(t.events.c.seq).where(t.events.c.aggregate == f"{cls.kind}:{id}").limit(1)
            ).first()
            is not None
        )

    def add(self, agg: Aggregate) -> None:
        """Track a new aggregate; refuse one whose id is taken."""
        if self.exists(type(agg), agg.id):
            raise ConcurrentChange(f"{agg.kind} {agg.id!r} already exists")
        self._seen[agg.key] = agg

    def append_entry(self, data: bytes) -> int:
        """Append a non-event entry (a credential, say) in this transaction; its ledger index."""
        assert self.conn is not None
        return self.ledger.append_in(self.conn, [data])

    def status_entries_used(self, body_id: str) -> int:
        """How many status-list bits ``body_id`` has given out so far."""
        assert self.conn is not None
        c = t.certifications.c
        query = sa.select(sa.func.count()).where(c.body_id == body_id, c.status_index.is_not(None))
        return int(self.conn.execute(query).scalar_one())

    def status_entry_taken(self, body_id: str, list_no: int, index: int) -> bool:
        """Whether bit ``index`` of list ``list_no`` of ``body_id`` belongs to a certificate."""
        assert self.conn is not None
        c = t.certifications.c
        query = sa.select(c.id).where(
            c.body_id == body_id, c.status_list == list_no, c.status_index == index
        )
        return self.conn.execute(query).first() is not None

    def secret(self, kind: str, id: str) -> str | None:
        """The stored hash of secret ``kind`` ``id`` (as committed so far), or None."""
        assert self.conn is not None
        return identity.secret(self.conn, kind, id)

    def invitation_client(self, invitation_id: str) -> str | None:
        """The organisation an invitation is to, or None."""
        assert self.conn is not None
        return identity.invitation_client(self.conn, invitation_id)

    def certifications_of(self, client_id: str, body_id: str, scheme_id: str) -> list[str]:
        """The ids of ``client_id``'s certifications to ``scheme_id`` at ``body_id``, as the
        projections hold them in this transaction."""
        assert self.conn is not None
        cn = t.certifications.c
        query = (
            sa.select(cn.id)
            .where(cn.client_id == client_id, cn.body_id == body_id, cn.scheme_id == scheme_id)
            .order_by(cn.id)
        )
        return list(self.conn.execute(query).scalars())

    def put_secret(self, kind: str, id: str, secret_hash: str | None) -> None:
        """Store (or, with None, delete) a secret hash when the events committing to it commit."""
        self._secrets.append((kind, id, secret_hash))

    def commit(self, tenant: str = "", at: datetime | None = None) -> list[int]:
        """Record every new event on the ledger and in the projections; return ledger indices."""
        assert self.conn is not None
        when = _not_before(self.conn, (at or self.clock()).astimezone(UTC))
        envelopes: list[ev.Envelope] = []
        changed = [a for a in self._seen.values() if a.pending]
        for agg in changed:
            base = agg.version - len(agg.pending)
            for i, event in enumerate(agg.pending, start=1):
                envelopes.append(
                    ev.Envelope(
                        event, agg.key, base + i, when, self.tz, self.actor, tenant or _tenant(agg)
                    )
                )
        if not envelopes:
            self._tx.commit()
            return []
        docs = [e.canonical() for e in envelopes]
        first = self.ledger.append_in(self.conn, docs)
        indices = list(range(first, first + len(docs)))
        try:
            self.conn.execute(
                t.events.insert(),
                [
                    {
                        "ledger_index": i,
                        "aggregate": e.aggregate,
                        "seq": e.seq,
                        "type": e.event.name,
                        "tenant": e.tenant,
                        "at": e.at,
                        "document": d.decode(),
                    }
                    for i, e, d in zip(indices, envelopes, docs, strict=True)
                ],
            )
        except sa.exc.IntegrityError:
            self._tx.rollback()
            raise ConcurrentChange(
                "someone else changed this record; reload and try again"
            ) from None
        recorded = list(zip(indices, envelopes, strict=True))
        try:
            projections.write(self.conn, changed, recorded)
        except sa.exc.IntegrityError as err:
            self._tx.rollback()
            raise ConcurrentChange(_duplicate(err)) from None
        for kind, id_, secret_hash in self._secrets:
            where = (t.secrets.c.kind == kind) & (t.secrets.c.id == id_)
            self.conn.execute(t.secrets.delete().where(where))
            if secret_hash is not None:
                self.conn.execute(t.secrets.insert().values(kind=kind, id=id_, hash=secret_hash))
        self._tx.commit()
        for agg in changed:
            agg.pending.clear()
        self.recorded += recorded
        return indices


def _not_before(conn: Connection, now: datetime) -> str:
    """``now`` as recorded (ISO 8601, UTC): never earlier than the newest event's time, so
    recorded times never run backwards in ledger order, whatever a clock did."""
    last = conn.execute(
        sa.select(t.events.c.at).order_by(t.events.c.ledger_index.desc()).limit(1)
    ).scalar()
    stamp = now.isoformat().replace("+00:00", "Z")
    if last is not None and _instant(last) > now:
        return str(last)
    return stamp


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _tenant(agg: Aggregate) -> str:
    """The body an aggregate belongs to (clients belong to no single body)."""
    return str(getattr(agg, "body_id", "") or (agg.id if agg.kind == "body" else ""))


def _duplicate(err: sa.exc.IntegrityError) -> str:
    """A one-line reason for a unique key the projections refused."""
    text = str(err.orig)
    if "uscc" in text:
        return "uscc: a client with this unified social credit code is already registered"
    if "certification_id" in text or "number" in text:
        return "number: this certificate number or certification is already taken"
    return "a record with the same identifier already exists"
