"""A body reporting to a hub by itself: its events as the standard's records, each with an
inclusion proof to a checkpoint of its log that the hub has witnessed, signed and sent in bulk.

One round (:func:`report_round`):

1. sign the log's checkpoints and have the witnesses cosign them (the hub is one of them: a
   body whose log the hub does not witness cannot prove what it reports);
2. take the size ``N`` the hub cosigned; every reportable event of the body after the cursor
   and before ``N`` becomes a record with its inclusion proof to ``N``;
3. send them 1,000 at a time, signed with the body's key; after each accepted call the cursor
   moves on. The hub answers what it accepted and refused (field and rule, both languages).

Resending is harmless (the hub's intake is idempotent), so a lost cursor costs only time.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx

from ..ledger.hashing import SHA256
from ..store import reporting
from .mapping import record_of
from .records import RECORD_LIMIT
from .submission import envelope, sign

__all__ = ["HubUnreachable", "Round", "build_records", "report_round"]

TIMEOUT = 30.0  # seconds per call to the hub


class HubUnreachable(Exception):
    """The hub did not take a submission (its status and answer)."""


@dataclass
class Round:
    """What one round did: records sent, accepted, unchanged and refused (with the hub's
    reasons), the checkpoint size the proofs lead to, and the cursor after it."""

    size: int = 0
    sent: int = 0
    accepted: int = 0
    unchanged: int = 0
    rejected: list[dict[str, Any]] = field(default_factory=list)
    cursor: int = -1
    problems: list[str] = field(default_factory=list)

    def document(self) -> dict[str, Any]:
        return {
            "size": self.size,
            "sent": self.sent,
            "accepted": self.accepted,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "cursor": self.cursor,
            "problems": self.problems,
        }


def build_records(
    services: Any, body_id: str, after: int, size: int, limit: int = RECORD_LIMIT
) -> tuple[list[dict[str, Any]], int]:
    """Up to ``limit`` records of ``body_id``'s events after index ``after`` and below
    ``size``, each with its inclusion proof to the tree of ``size``; and the last index read."""
    records: list[dict[str, Any]] = []
    last = after
    with services.engine.connect() as conn:
        context = reporting.StoreContext(conn)
        events = list(reporting.events_of(conn, body_id, after, size, limit))
        kept: list[tuple[int, dict[str, Any]]] = []
        for index, env in events:
            last = index
            record = record_of(index, env, context)
            if record is not None:
                kept.append((index, record))
    indices = [index for index, _ in kept]
    entries = services.ledger.storage.entries_at(indices)
    proofs = services.ledger.inclusion_proofs(indices, size, SHA256)
    for (index, record), proof in zip(kept, proofs, strict=True):
        record["ledger"] = {
            "index": index,
            "entry": base64.b64encode(entries[index]).decode(),
            "size": size,
            "proof": [base64.b64encode(h).decode() for h in proof],
        }
        records.append(record)
    return records, last


def report_round(
    services: Any,
    body_id: str,
    key_id: str,
    hub: str,
    send: Callable[[dict[str, Any]], dict[str, Any]],
    size: int,
    progress: Callable[[int], None] | None = None,
) -> Round:
    """Send ``body_id``'s records below ``size`` (a size the hub witnessed) that the cursor for
    ``hub`` has not passed, signed with the body's key ``key_id``, through ``send`` (which
    returns the hub's answer or raises :class:`HubUnreachable`)."""
    key = services.keys.load(body_id, key_id)
    with services.engine.connect() as conn:
        done = reporting.cursor(conn, hub, body_id)
    out = Round(size=size, cursor=done)
    while True:
        records, last = build_records(services, body_id, out.cursor, size)
        if last == out.cursor:
            return out
        if records:
            sent_at = services.clock().astimezone(UTC).isoformat().replace("+00:00", "Z")
            signed = sign(envelope(body_id, sent_at, records), key, key_id)
            try:
                answer = send(signed)
            except HubUnreachable as err:
                out.problems.append(str(err))
                return out
            out.sent += len(records)
            out.accepted += int(answer.get("accepted", 0))
            out.unchanged += int(answer.get("unchanged", 0))
            out.rejected += list(answer.get("rejected", []))
        with services.engine.begin() as conn:
            reporting.move_cursor(conn, hub, body_id, last, _now())
        out.cursor = last
        if progress is not None:
            progress(len(records))


def http_sender(hub: str, client: httpx.Client) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """``send`` for :func:`report_round` over HTTP to the hub at ``hub`` (its base URL)."""

    def send(signed: dict[str, Any]) -> dict[str, Any]:
        try:
            answer = client.post(f"{hub.rstrip('/')}/hub/v1/reports", json=signed)
        except httpx.HTTPError as err:
            raise HubUnreachable(f"hub {hub}: {err}") from None
        if answer.status_code != 200:
            raise HubUnreachable(f"hub {hub} answered {answer.status_code}: {answer.text[:500]}")
        return dict(answer.json())

    return send


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
