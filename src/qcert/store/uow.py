"""The unit of work: events and projections commit together, on the ledger, in one transaction.

``with uow:`` opens a write transaction; aggregates are loaded from their newest snapshot and
the events after it (``store.snapshots``), so a load costs the same however long the history;
``commit`` encodes each new event canonically (RFC 8785), writes the projection rows that
changed and any snapshot due, then appends the events to the ledger in that same
transaction and indexes them. Either everything is committed or nothing is.

Appending takes the ledger's sequence lock (held until the commit, so indices are given out
gap-free and in commit order), so everything that needs no ledger index is done before it:
on PostgreSQL, writers on different aggregates do their work side by side and queue only
for the append, the event rows and the commit.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from ..errors import QcertError
from ..ledger.storage import Indexed, SqlLedgerStorage, plain
from ..lifecycle import events as ev
from ..lifecycle.aggregate import LATE_DAYS, Aggregate, Recording
from ..lifecycle.booking import Commitment
from ..locale.names import field_label
from . import bookings, evidence, hub, identity, projections, snapshots, watch
from . import tables as t
from .cache import AggregateCache, Kept
from .projections import (
    document_rows,
    history_rows,
    hub_record_rows,
    hub_registry_rows,
    window_rows,
)
from .snapshots import EVERY
from .watch_projections import episodes_of

__all__ = ["ConcurrentChange", "NotFound", "UnitOfWork"]

A = TypeVar("A", bound=Aggregate)


class NotFound(QcertError):
    status = 404


class ConcurrentChange(QcertError):
    status = 409


def _named(kind: str) -> str:
    """An aggregate's kind as its id's field is called in Chinese (认证项目编号), else 编号."""
    label = field_label(f"{kind}_id")
    return "编号" if label == f"{kind}_id" else label


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
        cache: AggregateCache | None = None,
    ) -> None:
        self.engine = engine
        self.cache = cache  # aggregates kept between units of work (the bus keeps one)
        self.keys = keys  # the body key store, for handlers that sign
        self.host = host  # the public host credentials name their issuers by (did:web)
        self.clock = clock or (lambda: datetime.now(UTC))  # what signatures and events call now
        self.documents = documents  # the document store, so an upload names a stored file
        self.ledger = SqlLedgerStorage(engine)
        self.actor, self.tz = actor, tz
        self.late_days = LATE_DAYS  # how far back a status change may be dated unapproved
        self.origin: str | None = None  # this installation's log (checkpoint origin)
        self.conn: Connection | None = None
        self._seen: dict[str, Aggregate] = {}
        # per aggregate: how it was loaded, and its projection rows then
        self._loaded: dict[str, Kept] = {}
        self._secrets: list[tuple[str, str, str | None]] = []
        self.recorded: list[tuple[int, ev.Envelope]] = []
        self.reply: dict[str, Any] = {}

    def __enter__(self) -> UnitOfWork:
        self._cm = self.engine.connect()
        self.conn = self._cm.execution_options(qcert_write=True)
        self._tx = self.conn.begin()
        self._seen, self._loaded, self._secrets, self.recorded, self.reply = {}, {}, [], [], {}
        return self

    def __exit__(self, *exc: object) -> None:
        if self._tx.is_active:
            self._tx.rollback()
        self._cm.close()
        self.conn = None

    def fresh(self) -> UnitOfWork:
        """A new unit of work with the same engine, actor and adapters."""
        uow = UnitOfWork(
            self.engine,
            self.actor,
            self.tz,
            self.keys,
            self.host,
            self.clock,
            self.documents,
            self.cache,
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
        """The aggregate ``cls`` with ``id``, from its snapshot and events; NotFound if none."""
        key = f"{cls.kind}:{id}"
        if key in self._seen:
            return self._seen[key]  # type: ignore[return-value]
        assert self.conn is not None
        kept = self.cache.take(key) if self.cache else None
        version = kept.loaded.agg.version if kept else None
        loaded = snapshots.load(self.conn, cls, id, kept.loaded if kept else None)
        if loaded is None:
            raise NotFound(f"no {cls.kind} {id!r}", f"没有{_named(cls.kind)}为 {id!r} 的记录")
        agg = loaded.agg
        if kept is not None and kept.loaded.agg is agg:
            memo = kept.memo
            if agg.version == version:  # nobody changed it since this process committed it
                self._seen[key], self._loaded[key] = agg, kept
                return agg
        else:
            memo = projections.Memo()
        rows = projections.keyed(projections.rows_for(agg, memo), memo)
        self._seen[key] = agg
        self._loaded[key] = Kept(loaded, rows, memo)
        return agg

    def exists(self, cls: type[Aggregate], id: str) -> bool:
        assert self.conn is not None
        return bool(plain.run(self.conn, _ANY_EVENT, (f"{cls.kind}:{id}",)))

    def add(self, agg: Aggregate) -> None:
        """Track a new aggregate; refuse one whose id is taken."""
        if self.exists(type(agg), agg.id):
            raise ConcurrentChange(
                f"{agg.kind} {agg.id!r} already exists", f"{_named(agg.kind)} {agg.id!r} 已存在"
            )
        self._seen[agg.key] = agg
        self._loaded[agg.key] = Kept(snapshots.Loaded(agg, 0, ""), {}, projections.Memo())

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

    def commitments(
        self, auditor_ids: list[str], first: date, last: date, body_id: str = ""
    ) -> list[Commitment]:
        """The audits still to be held that ``auditor_ids`` are on over ``first``..``last``
        (``store.bookings``), as committed so far, their rows locked first so a concurrent
        plan naming one of them waits for this transaction (PostgreSQL; SQLite's writers
        already take turns)."""
        assert self.conn is not None
        bookings.lock_auditors(self.conn, auditor_ids)
        return bookings.commitments(self.conn, auditor_ids, first, last, body_id, open_only=True)

    def hub_known(
        self,
        body_id: str,
        record_ids: list[str],
        numbers: list[str],
        certification_ids: list[str],
    ) -> Any:
        """What the hub holds of a body's earlier records (``store.hub.known``)."""
        assert self.conn is not None
        return hub.known(self.conn, body_id, record_ids, numbers, certification_ids)

    def log_root(self, origin: str, size: int) -> bytes | None:
        """The root of ``origin``'s tree at ``size`` that the hub vouches for, if any."""
        assert self.conn is not None
        return hub.log_root(self.conn, origin, size, self.origin)

    def evidence_pending(self) -> Any:
        """Of each device with readings not anchored yet: its id, the time of the first of
        them and of its newest reading, µs (``store.evidence.pending``)."""
        assert self.conn is not None
        return evidence.pending(self.conn)

    def evidence_due(self, cutoffs: dict[str, int], window: int, limit: int) -> Any:
        """The windows of readings due for anchoring (``store.evidence.due``), their devices
        locked against intake until this commits."""
        assert self.conn is not None
        return evidence.due(self.conn, cutoffs, window, limit)

    def evidence_anchored_until(self, ids: list[str]) -> dict[str, int]:
        """Each device's end of anchoring, µs, locked against intake until this commits
        (``store.evidence.anchored_until``)."""
        assert self.conn is not None
        return evidence.anchored_until(self.conn, ids)

    def evidence_window_summary(self, device_id: str, start: int, end: int) -> Any:
        """Count, lowest and highest seq of a device's readings in [start, end) µs
        (``store.evidence.window_summary``)."""
        assert self.conn is not None
        return evidence.window_summary(self.conn, device_id, start, end)

    def evidence_device(self, device_id: str) -> dict[str, Any]:
        """A data source as a monitor's fit needs it (``store.watch.device_for_fit``)."""
        assert self.conn is not None
        return watch.device_for_fit(self.conn, device_id)

    def evidence_frame(self, device_id: str, start: datetime, end: datetime) -> Any:
        """A device's readings taken in [start, end) as a frame (``store.evidence.frame``)."""
        assert self.conn is not None
        return watch.training_frame(self.conn, device_id, start, end)

    def put_secret(self, kind: str, id: str, secret_hash: str | None) -> None:
        """Store (or, with None, delete) a secret hash when the events committing to it commit."""
        self._secrets.append((kind, id, secret_hash))

    def commit(self, tenant: str = "", at: datetime | None = None) -> list[int]:
        """Record every new event on the ledger and in the projections; return ledger indices."""
        assert self.conn is not None
        changed = [a for a in self._seen.values() if a.pending]
        envelopes = self._envelopes(changed, tenant, at)
        if not envelopes:
            self._tx.commit()
            self._keep()
            return []
        docs = [e.canonical() for e in envelopes]
        rows = {a.key: self._rows(a) for a in changed}
        # An aggregate is snapshotted, and kept for the next unit of work, only when its state
        # is the one a replay gives: when each new event is exactly what its document decodes to.
        unlike = {
            e.aggregate
            for e, d in zip(envelopes, docs, strict=True)
            if not snapshots.as_recorded(e.event, d)
        }
        due = [
            a
            for a in changed
            if a.key not in unlike and a.version - self._loaded[a.key].loaded.snapshot >= EVERY
        ]
        due = self._write_derived(changed, rows, due, envelopes)
        first = self._sequence(envelopes, docs)  # and the commit
        for agg in changed:
            agg.pending.clear()
        self._remember(envelopes, docs, rows, due, unlike)
        indices = list(range(first, first + len(docs)))
        self.recorded += zip(indices, envelopes, strict=True)
        return indices

    def _rows(self, agg: Aggregate) -> projections.Keyed:
        memo = self._loaded[agg.key].memo
        return projections.keyed(projections.rows_for(agg, memo), memo)

    def _envelopes(
        self, changed: list[Aggregate], tenant: str, at: datetime | None
    ) -> list[ev.Envelope]:
        """The pending events of ``changed`` as recorded now, aggregate by aggregate."""
        assert self.conn is not None
        when = _not_before(self.conn, (at or self.clock()).astimezone(UTC))
        envelopes = []
        for agg in changed:
            base = agg.version - len(agg.pending)
            for i, event in enumerate(agg.pending, start=1):
                envelopes.append(
                    ev.Envelope(
                        event, agg.key, base + i, when, self.tz, self.actor, tenant or _tenant(agg)
                    )
                )
        return envelopes

    def _write_derived(
        self,
        changed: list[Aggregate],
        rows: dict[str, projections.Keyed],
        due: list[Aggregate],
        envelopes: list[ev.Envelope],
    ) -> list[Aggregate]:
        """What needs no ledger index, written before the sequence lock is taken: the
        projection rows that changed, the alarm episodes the events begin or end, the
        snapshots due and the secrets; the aggregates snapshotted."""
        assert self.conn is not None
        changes = [
            (a.id, self._loaded[a.key].rows, rows[a.key], self._loaded[a.key].memo) for a in changed
        ]
        episodes = episodes_of(changed, envelopes)
        try:
            projections.write(self.conn, changes)
            if episodes is not None:
                episodes.write(self.conn)
        except sa.exc.IntegrityError as err:
            self._tx.rollback()
            raise ConcurrentChange(_duplicate(err)) from None
        except sa.exc.OperationalError as err:
            raise self._lost(err) from None
        written = snapshots.write(self.conn, due)
        for kind, id_, secret_hash in self._secrets:
            where = (t.secrets.c.kind == kind) & (t.secrets.c.id == id_)
            self.conn.execute(t.secrets.delete().where(where))
            if secret_hash is not None:
                self.conn.execute(t.secrets.insert().values(kind=kind, id=id_, hash=secret_hash))
        return written

    def _sequence(self, envelopes: list[ev.Envelope], docs: list[bytes]) -> int:
        """Append the events to the ledger with the rows that name them by index, and commit;
        the first index. The ledger's sequence lock is held from the append to the commit,
        which goes with it (on PostgreSQL in the same round trip)."""
        assert self.conn is not None
        offsets = list(enumerate(envelopes))
        indexed = [
            Indexed(
                t.events,
                "ledger_index",
                [(i, _event_row(e, d)) for (i, e), d in zip(offsets, docs, strict=True)],
            ),
            Indexed(t.certificate_history, "ledger_index", _by_offset(history_rows(offsets))),
            Indexed(t.documents, "ledger_index", _by_offset(document_rows(offsets))),
            Indexed(t.hub_records, "ledger_index", _by_offset(hub_record_rows(offsets))),
            Indexed(t.hub_registry, "ledger_index", _by_offset(hub_registry_rows(offsets))),
            Indexed(t.evidence_windows, "ledger_index", _by_offset(window_rows(offsets))),
        ]
        try:
            return self.ledger.append_in(self.conn, docs, indexed, commit=True)
        except sa.exc.IntegrityError:
            self._tx.rollback()
            raise ConcurrentChange(
                "someone else changed this record; reload and try again",
                "他人已修改此记录，请重新载入后再试",
            ) from None
        except sa.exc.OperationalError as err:
            raise self._lost(err) from None

    def _remember(
        self,
        envelopes: list[ev.Envelope],
        docs: list[bytes],
        rows: dict[str, projections.Keyed],
        due: list[Aggregate],
        unlike: set[str],
    ) -> None:
        """After the commit: keep the aggregates as committed, for the next unit of work."""
        for env, doc in zip(envelopes, docs, strict=True):
            kept = self._loaded[env.aggregate]
            kept.loaded.last, kept.rows = doc.decode(), rows[env.aggregate]
        for agg in due:
            self._loaded[agg.key].loaded.snapshot = agg.version
        for key in unlike:
            del self._loaded[key]  # the next unit of work loads it from the store
        self._keep()

    def _lost(self, err: sa.exc.OperationalError) -> Exception:
        """A conflict PostgreSQL resolved by aborting this transaction (a deadlock, or a
        serialization failure) is a concurrent change like any other; other errors stand."""
        if getattr(err.orig, "sqlstate", None) not in ("40P01", "40001"):
            return err
        self._tx.rollback()
        return ConcurrentChange("someone else changed this record at the same time; try again")

    def _keep(self) -> None:
        """After a commit: keep every aggregate of this unit of work for the next one."""
        if self.cache is not None:
            for key, kept in self._loaded.items():
                self.cache.put(key, kept)


def _event_row(e: ev.Envelope, document: bytes) -> dict[str, Any]:
    return {
        "aggregate": e.aggregate,
        "seq": e.seq,
        "type": e.event.name,
        "tenant": e.tenant,
        "at": e.at,
        "document": document.decode(),
    }


def _by_offset(rows: list[dict[str, Any]]) -> list[tuple[int, dict[str, Any]]]:
    """Rows computed with each event's offset in the append as its ledger index."""
    return [(row.pop("ledger_index"), row) for row in rows]


# Statements run once or more per unit of work, built once: building one costs several times
# what SQLAlchemy then takes to run it.
_ANY_EVENT = "SELECT seq FROM lc_events WHERE aggregate = ? LIMIT 1"  # plain: every new aggregate
_NEWEST_AT = "SELECT at FROM lc_events ORDER BY ledger_index DESC LIMIT 1"  # plain: every commit


def _not_before(conn: Connection, now: datetime) -> str:
    """``now`` as recorded (ISO 8601, UTC): never earlier than the newest event's time, so
    recorded times never run backwards in ledger order, whatever a clock did."""
    newest = plain.run(conn, _NEWEST_AT)
    last = newest[0][0] if newest else None
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
