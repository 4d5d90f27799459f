"""Rebuild the projections from the ledger's events and compare them with the live tables."""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from ..ledger import LedgerError
from ..ledger.storage import SqlLedgerStorage
from ..lifecycle import events as ev
from ..lifecycle.accounts import Account, ApiKeyIssued
from ..lifecycle.model import (
    Aggregate,
    Auditor,
    Body,
    Case,
    Certification,
    Client,
    ProcessLine,
    PublishedStatusList,
)
from . import projections
from . import tables as t
from .documents import DocumentMissing, DocumentStore

__all__ = ["check_projections", "is_event_document"]

_KINDS: dict[str, type[Aggregate]] = {
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


def _events(engine: Engine) -> list[tuple[int, ev.Envelope]]:
    """Every lifecycle event on the ledger, in ledger order."""
    storage = SqlLedgerStorage(engine)
    out = []
    for index, entry in enumerate(storage.entries(0, storage.size())):
        if is_event_document(entry):
            out.append((index, ev.decode(json.loads(entry))))
    return out


def _missing_documents(
    recorded: list[tuple[int, ev.Envelope]], documents: DocumentStore
) -> list[str]:
    problems = []
    for index, env in recorded:
        e = env.event
        if isinstance(e, ev.DocumentUploaded):
            try:
                documents.read(e.sha256)
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


def _commitments(
    streams: dict[str, list[ev.Event]], problems: list[str]
) -> tuple[dict[tuple[str, str], str], list[str]]:
    """What the ledger commits the secret store to: each account's password, each live API
    key and each open invitation (a key id issued twice is reported, never merged)."""
    commitments: dict[tuple[str, str], str] = {}
    holders: dict[str, str] = {}
    for key, history in streams.items():
        kind, id_ = key.split(":", 1)
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
    return commitments, problems


def check_projections(engine: Engine, documents: DocumentStore | None = None) -> list[str]:
    """Differences between the live projections and a replay of the ledger's events; with
    ``documents``, also each uploaded document whose file is missing or no longer matches."""
    try:
        recorded = _events(engine)
    except LedgerError as err:
        return [f"projections: cannot replay the ledger: {err}"]
    problems = _missing_documents(recorded, documents) if documents is not None else []
    streams: dict[str, list[ev.Event]] = defaultdict(list)
    for _, env in recorded:
        streams[env.aggregate].append(env.event)
    expected: dict[sa.Table, list[dict[str, Any]]] = defaultdict(list)
    for key, history in streams.items():
        kind, id_ = key.split(":", 1)
        for table, rows in projections.rows_for(_KINDS[kind].replay(id_, history)).items():
            expected[table] += rows
    expected[t.certificate_history] = projections.history_rows(recorded)
    expected[t.documents] = projections.document_rows(recorded)
    expected[t.events] = [
        {
            "ledger_index": i,
            "aggregate": e.aggregate,
            "seq": e.seq,
            "type": e.event.name,
            "tenant": e.tenant,
            "at": e.at,
            "document": e.canonical().decode(),
        }
        for i, e in recorded
    ]
    commitments, problems = _commitments(streams, problems)
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
        for table in (*t.PROJECTIONS, t.certificate_history, t.events):
            live = {_normal(dict(r._mapping)) for r in conn.execute(sa.select(table))}
            want = {_normal(r) for r in expected[table]}
            for row in sorted(live - want, key=str)[:20]:
                problems.append(f"{table.name}: row not explained by the ledger: {dict(row)}")
            for row in sorted(want - live, key=str)[:20]:
                problems.append(f"{table.name}: row missing or changed: {dict(row)}")
    return problems
