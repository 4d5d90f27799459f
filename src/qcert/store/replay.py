"""Rebuild the projections from the ledger's events and compare them with the live tables.

The comparison streams: each table's expected rows and its live rows are folded into an
order-independent digest (the sum, modulo 2^256, of each row's SHA-256, with the row count),
so memory holds one chunk of the ledger and one aggregate's history at a time, however long
the ledger. Only a table whose digests differ is compared row by row, to name the rows.

The ledger's events are checked against ``lc_events`` first; aggregates are then replayed
from ``lc_events`` in (aggregate, seq) order, which is the ledger's order within each one.
Each snapshot (``lc_snapshots``) is checked on the way: the replay of its aggregate's first
``seq`` events must encode to its state byte for byte, and it must stand at one of them.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from ..credentials.status_lists import PublishedStatusList
from ..evidence.model import Device
from ..evidence.monitor_model import StreamMonitor
from ..ledger import LedgerError
from ..ledger.storage import SqlLedgerStorage
from ..lifecycle import events as ev
from ..lifecycle.accounts import Account, ApiKeyIssued
from ..lifecycle.aggregate import Aggregate
from ..lifecycle.cases import Case
from ..lifecycle.certification import Certification
from ..lifecycle.lines import ProcessLine
from ..lifecycle.parties import Auditor, Body, Client
from ..notices.model import Mailbox, Notice
from ..supervision.campaigns import Campaign
from ..supervision.model import Registry, ReportingBody, Scan
from ..supervision.warnings import Warning
from . import evidence_audit, projections, snapshots
from . import tables as t
from .documents import DocumentMissing, DocumentStore
from .watch_projections import Episodes, alarm_rows

__all__ = ["KINDS", "check_projections", "is_event_document"]

KINDS: dict[str, type[Aggregate]] = {
    cls.kind: cls
    for cls in (
        Body,
        Auditor,
        Client,
        Certification,
        Case,
        Account,
        PublishedStatusList,
        ProcessLine,
        ReportingBody,
        Campaign,
        Warning,
        Registry,
        Scan,
        Device,
        StreamMonitor,
        Notice,
        Mailbox,
    )
}


def is_event_document(entry: bytes) -> bool:
    """Whether ``entry`` reads as a lifecycle event (such entries may come only from the bus)."""
    try:
        doc = json.loads(entry)
    except ValueError:
        return False
    kind = doc.get("type") if isinstance(doc, dict) else None
    return isinstance(kind, str) and kind in ev.EVENTS and "aggregate" in doc


_CHUNK = 1 << 14  # ledger entries read at a time


def _stream_events(engine: Engine) -> Iterator[tuple[int, ev.Envelope]]:
    """Every lifecycle event on the ledger, in ledger order, read a chunk at a time."""
    storage = SqlLedgerStorage(engine)
    size = storage.size()
    for begin in range(0, size, _CHUNK):
        for offset, entry in enumerate(storage.entries(begin, min(begin + _CHUNK, size))):
            if is_event_document(entry):
                yield begin + offset, ev.decode(json.loads(entry))


def _events(engine: Engine) -> list[tuple[int, ev.Envelope]]:
    """Every lifecycle event on the ledger, in ledger order (in memory: for naming rows)."""
    return list(_stream_events(engine))


def _histories(
    engine: Engine,
) -> Iterator[tuple[str, list[ev.Event], tuple[int, str] | None]]:
    """Each aggregate's events from ``lc_events``, one aggregate at a time, with its snapshot
    ``(seq, state)`` when one stands at one of its events (joined to the event at its seq)."""
    e, s = t.events.c, t.snapshots.c
    on = (s.aggregate == e.aggregate) & (s.seq == e.seq) & (s.format == snapshots.FORMAT)
    query = (
        sa.select(e.aggregate, e.document, s.seq, s.state)
        .select_from(t.events.outerjoin(t.snapshots, on))
        .order_by(e.aggregate, e.seq)
    )
    key, history, snap = None, [], None
    with engine.connect() as conn:
        rows = conn.execution_options(yield_per=2000).execute(query)
        for aggregate, document, snap_seq, state in rows:
            if aggregate != key:
                if key is not None:
                    yield key, history, snap
                key, history, snap = aggregate, [], None
            history.append(ev.decode(json.loads(document)).event)
            if state is not None:
                snap = (int(snap_seq), state)
    if key is not None:
        yield key, history, snap


def _stray_snapshots(engine: Engine) -> list[str]:
    """Snapshots that stand at no event of their aggregate (past its last, or of none)."""
    e, s = t.events.c, t.snapshots.c
    at_event = sa.exists().where(e.aggregate == s.aggregate, e.seq == s.seq)
    query = sa.select(s.aggregate, s.seq).where(s.format == snapshots.FORMAT, ~at_event)
    with engine.connect() as conn:
        return [
            f"lc_snapshots: the snapshot of {key} stands at event {seq}, which {key} does not have"
            for key, seq in conn.execute(query.order_by(s.aggregate))
        ]


def _canon(value: Any) -> Any:
    """A JSON-able stand-in for a column value that is equal exactly when the values compare
    equal as :func:`_normal` makes them (numbers as floats)."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int | float | Decimal):
        return ["n", repr(float(value))]
    if isinstance(value, datetime | date):
        return ["d", type(value).__name__, value.isoformat()]
    if isinstance(value, bytes | memoryview):
        return ["x", bytes(value).hex()]
    return ["r", repr(value)]


class Multiset:
    """An order-independent digest of rows: their count and the sum of their SHA-256s."""

    __slots__ = ("count", "total")

    def __init__(self) -> None:
        self.count = 0
        self.total = 0

    def add(self, row: dict[str, Any]) -> None:
        text = json.dumps(sorted((k, _canon(v)) for k, v in row.items()), ensure_ascii=False)
        digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()
        self.total = (self.total + int.from_bytes(digest, "big")) & ((1 << 256) - 1)
        self.count += 1

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Multiset) and (self.count, self.total) == (
            other.count,
            other.total,
        )

    __hash__ = None  # type: ignore[assignment]


def _event_row(index: int, e: ev.Envelope) -> dict[str, Any]:
    return {
        "ledger_index": index,
        "aggregate": e.aggregate,
        "seq": e.seq,
        "type": e.event.name,
        "tenant": e.tenant,
        "at": e.at,
        "document": e.canonical().decode(),
    }


def _missing_documents(
    recorded: list[tuple[int, ev.Envelope]], documents: DocumentStore
) -> list[str]:
    problems = []
    for index, env in recorded:
        e = env.event
        # Each stored file is checked against both digests the ledger holds for it.
        if isinstance(e, ev.DocumentUploaded):
            found = (e.sha256, e.sm3)
        elif isinstance(e, ev.AuditorCheckedIn | ev.AuditorCheckedOut) and e.photo_sha256:
            found = (e.photo_sha256, e.photo_sm3)
        else:
            continue
        try:
            documents.read(*found)
        except DocumentMissing as err:
            problems.append(f"documents: entry {index} ({env.aggregate}): {err}")
    return problems


def _normal(row: dict[str, Any]) -> tuple[tuple[str, Any], ...]:
    return tuple(
        sorted(
            (k, float(v) if isinstance(v, int | float) and not isinstance(v, bool) else v)
            for k, v in row.items()
        )
    )


def check_projections(engine: Engine, documents: DocumentStore | None = None) -> list[str]:
    """Differences between the live projections and a replay of the ledger's events; with
    ``documents``, also each uploaded document whose file is missing or no longer matches.

    Streams (see the module's note); a table whose digest differs is then compared row by
    row, which holds that table's rows in memory to name the ones that differ.
    """
    expected: dict[sa.Table, Multiset] = defaultdict(Multiset)
    problems: list[str] = []
    episodes = Episodes()
    try:
        for index, env in _stream_events(engine):
            expected[t.events].add(_event_row(index, env))
            for row in projections.history_rows([(index, env)]):
                expected[t.certificate_history].add(row)
            for row in projections.document_rows([(index, env)]):
                expected[t.documents].add(row)
            for row in projections.hub_record_rows([(index, env)]):
                expected[t.hub_records].add(row)
            for row in projections.hub_registry_rows([(index, env)]):
                expected[t.hub_registry].add(row)
            for row in projections.window_rows([(index, env)]):
                expected[t.evidence_windows].add(row)
            episodes.add(env)
            for row in episodes.pop_closed():
                expected[t.evidence_alarms].add(row)
            if documents is not None:
                problems += _missing_documents([(index, env)], documents)
    except LedgerError as err:
        return [f"projections: cannot replay the ledger: {err}"]
    for row in episodes.rows.values():
        expected[t.evidence_alarms].add(row)
    commitments = Multiset()
    holders: dict[str, str] = {}
    for key, history, snap in _histories(engine):
        kind, id_ = key.split(":", 1)
        agg = KINDS[kind](id_)
        if snap is not None:
            problems += snapshots.check(key, agg, history, *snap)
        snapshots.fold(agg, history[agg.version :])
        for table, rows in projections.rows_for(agg).items():
            for row in rows:
                expected[table].add(row)
        streamed: dict[tuple[str, str], str] = {}
        problems += _commit(kind, id_, history, streamed, holders)
        for (what, name), commitment in streamed.items():
            commitments.add({"kind": what, "id": name, "commitment": commitment})
    problems += _stray_snapshots(engine)
    differ = []
    with engine.connect() as conn:
        for table in (*t.PROJECTIONS, t.certificate_history, t.events):
            live = Multiset()
            for row in conn.execution_options(yield_per=2000).execute(sa.select(table)):
                live.add(dict(row._mapping))
            if live != expected[table]:
                differ.append(table)
        stored = Multiset()
        for kind, id_, secret in conn.execute(sa.select(t.secrets)):
            stored.add(
                {"kind": kind, "id": id_, "commitment": hashlib.sha256(secret.encode()).hexdigest()}
            )
    if differ or stored != commitments:
        problems += _diff(engine, differ, secrets=stored != commitments)
    return problems + evidence_audit.check_windows(engine)


def _commit(
    kind: str,
    id_: str,
    history: list[ev.Event],
    commitments: dict[tuple[str, str], str],
    holders: dict[str, str],
) -> list[str]:
    """Add what one aggregate commits the secret store to: an account's password and live API
    keys, a client's open invitations. A key id issued to two accounts is reported."""
    problems = []
    if kind == "account":
        for event in history:
            if isinstance(event, ApiKeyIssued) and holders.setdefault(event.key_id, id_) != id_:
                problems.append(
                    f"api key {event.key_id} was issued to {holders[event.key_id]} and {id_}"
                )
        acc = Account.replay(id_, history)
        commitments[("password", acc.id)] = acc.commitment
        commitments.update({("api-key", k): c for k, c in acc.keys.items()})
    elif kind == "client":
        for event in history:
            if isinstance(event, ev.UserInvited):
                commitments[("invitation", event.invitation_id)] = event.secret_commitment
            elif isinstance(event, ev.InvitationAccepted):
                commitments.pop(("invitation", event.invitation_id), None)
    return problems


def _diff(engine: Engine, tables: list[sa.Table], secrets: bool) -> list[str]:
    """Row-by-row differences for ``tables`` (and the secret store): the rows each table holds
    that a replay does not explain, and the rows a replay expects that it lacks."""
    recorded = _events(engine)
    streams: dict[str, list[ev.Event]] = defaultdict(list)
    for _, env in recorded:
        streams[env.aggregate].append(env.event)
    expected: dict[sa.Table, list[dict[str, Any]]] = defaultdict(list)
    for key, history in streams.items():
        kind, id_ = key.split(":", 1)
        for table, rows in projections.rows_for(KINDS[kind].replay(id_, history)).items():
            expected[table] += rows
    expected[t.certificate_history] = projections.history_rows(recorded)
    expected[t.documents] = projections.document_rows(recorded)
    expected[t.hub_records] = projections.hub_record_rows(recorded)
    expected[t.hub_registry] = projections.hub_registry_rows(recorded)
    expected[t.evidence_windows] = projections.window_rows(recorded)
    expected[t.evidence_alarms] = alarm_rows(recorded)
    expected[t.events] = [_event_row(i, e) for i, e in recorded]
    problems: list[str] = []
    if secrets:
        commitments: dict[tuple[str, str], str] = {}
        for key, history in streams.items():
            _commit(*key.split(":", 1), history, commitments, {})
        with engine.connect() as conn:
            stored = {(k, i): h for k, i, h in conn.execute(sa.select(t.secrets))}
        for key in sorted(set(stored) | set(commitments)):
            if key not in commitments:
                problems.append(f"auth_secrets: {key[0]} {key[1]} has no event committing to it")
            elif key not in stored:
                problems.append(f"auth_secrets: {key[0]} {key[1]} is missing")
            elif hashlib.sha256(stored[key].encode()).hexdigest() != commitments[key]:
                problems.append(f"auth_secrets: {key[0]} {key[1]} differs from its commitment")
    with engine.connect() as conn:
        for table in tables:
            live = {_normal(dict(r._mapping)) for r in conn.execute(sa.select(table))}
            want = {_normal(r) for r in expected[table]}
            for row in sorted(live - want, key=str)[:20]:
                problems.append(f"{table.name}: row not explained by the ledger: {dict(row)}")
            for row in sorted(want - live, key=str)[:20]:
                problems.append(f"{table.name}: row missing or changed: {dict(row)}")
            if live == want:
                # Equal as sets but not as multisets: a row stored twice.
                problems.append(f"{table.name}: a row is stored more than once")
    return problems
