"""Read views of an organisation's live streams: its data sources, their newest readings,
their newest anchored windows, its refused messages, and the peer group of the examination.

Read-only; the caller has checked, through the access policy, that its viewer may read the
organisation (:func:`client_readable_by_body` is that check for a body's workspace). Every
read is bounded: a number of readings per data source, a number of peers.
"""

from __future__ import annotations

import heapq
import json
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ..evidence.blocks import TIME_SPAN, ints, texts_of
from . import tables as t
from .blocks import EARLIEST_US, LATEST_US, SAID, by_time

__all__ = [
    "MAX_DEVICES",
    "MAX_LATEST",
    "client_readable_by_body",
    "dead_letter_count",
    "devices",
    "latest",
    "latest_windows",
    "owner",
    "sector_peers",
]

MAX_LATEST = 5_000  # readings of one data source a read returns at most
MAX_DEVICES = 200  # data sources a read returns at most


def devices(
    conn: Connection, client_ids: Sequence[str], limit: int = MAX_DEVICES
) -> list[dict[str, Any]]:
    """The data sources of ``client_ids`` by id (the first ``limit``): organisation, kind,
    label, variables (name, unit, ``lower``/``upper`` specification limits when registered),
    whether retired, how many windows are anchored and where the newest ends
    (``anchored_until``, µs since the epoch, 0 before the first)."""
    d = t.evidence_devices.c
    query = (
        sa.select(
            d.id, d.client_id, d.kind, d.label, d.variables, d.retired, d.windows, d.anchored_until
        )
        .where(d.client_id.in_(list(client_ids)))
        .order_by(d.id)
        .limit(limit)
    )
    return [
        {**row, "variables": json.loads(row["variables"]), "retired": bool(row["retired"])}
        for row in conn.execute(query).mappings()
    ]


def owner(conn: Connection, device_id: str) -> str | None:
    """The organisation a data source belongs to, or None when there is no such source."""
    d = t.evidence_devices.c
    return conn.execute(sa.select(d.client_id).where(d.id == device_id)).scalar()


def latest(
    conn: Connection,
    device_id: str,
    count: int,
    start_us: int | None = None,
    end_us: int | None = None,
) -> list[dict[str, Any]]:
    """The newest ``count`` readings (at most :data:`MAX_LATEST`) of ``device_id`` taken in
    [start_us, end_us) (µs since the epoch, UTC; open when None), oldest first: each its
    ``seq``, ``time_us`` and ``values`` (variable -> number)."""
    wanted = max(0, min(count, MAX_LATEST))
    low = EARLIEST_US if start_us is None else start_us
    high = LATEST_US if end_us is None else end_us
    newest: list[tuple[int, int, str]] = []  # a heap of the newest seen: (time, seq, text)
    columns = f"count, seqs, times, {SAID}"
    for start, _, n, seqs, times, *said in by_time(
        conn, device_id, low, high, columns, descending=True
    ):
        if not wanted or (len(newest) == wanted and newest[0][0] >= start + TIME_SPAN):
            break  # every block left starts earlier, so all its readings are older
        held, taken = ints(seqs), ints(times)
        for seq, at, text in zip(
            held, taken, texts_of(device_id, n, held, taken, *said), strict=True
        ):
            if low <= at < high:
                if len(newest) < wanted:
                    heapq.heappush(newest, (at, seq, text))
                else:
                    heapq.heappushpop(newest, (at, seq, text))
    return [
        {"seq": seq, "time_us": at, "values": json.loads(text)["values"]}
        for at, seq, text in sorted(newest)
    ]


def latest_windows(conn: Connection, device_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    """The newest anchored window of each of ``device_ids`` that has one: the ledger index of
    its ``evidence.window-anchored`` event, start and end (µs), first and last seq, count and
    Merkle root (hex)."""
    w = t.evidence_windows.c
    newest = (
        sa.select(w.device_id, sa.func.max(w.ledger_index).label("ledger_index"))
        .where(w.device_id.in_(list(device_ids)))
        .group_by(w.device_id)
        .subquery()
    )
    query = sa.select(t.evidence_windows).join(
        newest, newest.c.ledger_index == t.evidence_windows.c.ledger_index
    )
    return {row["device_id"]: dict(row) for row in conn.execute(query).mappings()}


def dead_letter_count(conn: Connection, client_id: str) -> int:
    """How many messages addressed to the organisation's data sources were refused."""
    x = t.evidence_dead_letters.c
    query = sa.select(sa.func.count()).select_from(t.evidence_dead_letters)
    return int(conn.execute(query.where(x.client_id == client_id)).scalar() or 0)


def client_readable_by_body(conn: Connection, body_id: str, client_id: str) -> bool:
    """Whether ``body_id``'s staff read the organisation's records: the body holds a
    certification of it, or the organisation consented to it (as the read scope has it)."""
    c, k = t.certifications.c, t.consents.c
    held = sa.select(c.id).where(c.body_id == body_id, c.client_id == client_id).limit(1)
    consented = sa.select(k.body_id).where(k.body_id == body_id, k.client_id == client_id)
    return bool(conn.execute(held).first() or conn.execute(consented).first())


def sector_peers(conn: Connection, client_id: str, sectors: Sequence[int], limit: int) -> list[str]:
    """Up to ``limit`` other organisations (by id) with a data source and a certification in
    one of the IAF ``sectors``."""
    if not sectors:
        return []
    c, d = t.certifications.c, t.evidence_devices.c
    with_sources = sa.select(d.client_id).distinct()
    query = (
        sa.select(c.client_id, c.sectors)
        .where(c.client_id != client_id, c.client_id.in_(with_sources))
        .order_by(c.client_id)
    )
    wanted, found = set(sectors), []
    for other, text in conn.execute(query):
        if other not in found and wanted & {int(s) for s in json.loads(text)}:
            found.append(other)
            if len(found) >= limit:
                break
    return found
