"""The time-series store of real-time evidence: readings, refused messages, data sources.

Readings are stored a block at a time (``qcert.evidence.blocks``; the SQL in
:mod:`qcert.store.blocks`), each seq of a device once however often it is sent. The intake
writes a batch's blocks and refusals in one transaction of plain statements (no ORM
objects); anchoring reads each due window's readings from the blocks that may hold them.
Reads return readings in seq or time order, or a pandas frame over a window, always bounded.

On PostgreSQL the intake and anchoring each take an update lock on the devices they write
for, so a reading never slips into a window while the window is being anchored, and two
consumers never store the same seq of a device in blocks that start apart (the key only
refuses blocks from the same first seq); on SQLite every writer holds the database
(``BEGIN IMMEDIATE``).
"""

from __future__ import annotations

import heapq
import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import pairwise
from operator import itemgetter
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from ..access import ReadScope
from ..evidence.blocks import TIME_SPAN, Block, ints, texts_of
from . import blocks as blocks_sql
from . import tables as t
from .blocks import SAID, by_seq, by_time
from .scoping import visible

__all__ = [
    "MAX_DEVICES",
    "DeviceRow",
    "anchored_until",
    "dead_letter_rows",
    "device_list",
    "devices",
    "due",
    "existing",
    "frame",
    "insert_blocks",
    "insert_dead_letters",
    "pending",
    "proof_material",
    "readers_of",
    "readings",
    "window_counts",
    "window_summary",
    "write_transaction",
]

MAX_ROWS = 100_000  # rows a read returns at most
_DUE_ROWS = 2_000_000  # readings one device's anchoring reads at a time


@dataclass(frozen=True)
class DeviceRow:
    """What the intake needs of a data source: its organisation, each variable's unit, its
    key (base64, "" for none), whether it must sign, whether it is retired, and the end of
    its newest anchored window (µs)."""

    id: str
    client_id: str
    units: dict[str, str]
    public_key: str
    signed: bool
    retired: bool
    anchored_until: int


def _postgres(conn: Connection) -> bool:
    return conn.dialect.name == "postgresql"


@contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """A write transaction (``BEGIN IMMEDIATE`` on SQLite), committed when the block ends."""
    with engine.connect() as conn:
        conn = conn.execution_options(qcert_write=True)
        with conn.begin():
            yield conn


def devices(conn: Connection, ids: Sequence[str], lock: bool = False) -> dict[str, DeviceRow]:
    """The data sources among ``ids``; with ``lock`` (PostgreSQL), update-locked until the
    transaction ends (in id order), so none is anchored meanwhile nor written by another
    intake: the seqs a batch checks are still new when it stores them."""
    d = t.evidence_devices.c
    query = sa.select(
        d.id, d.client_id, d.variables, d.public_key, d.signed, d.retired, d.anchored_until
    ).where(d.id.in_(sorted(set(ids))))
    if lock and _postgres(conn):
        query = query.order_by(d.id).with_for_update()
    out = {}
    for row in conn.execute(query):
        units = {v["name"]: v["unit"] for v in json.loads(row.variables)}
        out[row.id] = DeviceRow(
            row.id,
            row.client_id,
            units,
            row.public_key,
            bool(row.signed),
            bool(row.retired),
            int(row.anchored_until),
        )
    return out


def existing(conn: Connection, spans: dict[str, tuple[int, int]]) -> dict[tuple[str, int], bytes]:
    """The leaf hashes of readings already stored with a seq in each device's [low, high]."""
    found: dict[tuple[str, int], bytes] = {}
    for device_id, (low, high) in spans.items():
        for _, seqs, leaves in by_seq(conn, device_id, low, high, "seqs, leaves"):
            for i, seq in enumerate(ints(seqs)):
                if low <= seq <= high:
                    found[(device_id, seq)] = bytes(leaves[32 * i : 32 * i + 32])
    return found


def insert_blocks(conn: Connection, blocks: Sequence[Block]) -> None:
    """Store blocks of new readings (``qcert.evidence.blocks.cut`` made them)."""
    blocks_sql.insert(conn, blocks)


def insert_dead_letters(conn: Connection, rows: list[dict[str, Any]]) -> None:
    """Keep refused messages (their rows as ``evidence_dead_letters`` holds them)."""
    if rows:
        conn.execute(t.evidence_dead_letters.insert(), rows)


def pending(conn: Connection) -> list[tuple[str, int, int]]:
    """Of each device with readings dated at or after its newest anchored window's end:
    ``(device, first, latest)``, the time (µs) of the first such reading and of its newest
    reading, by device id. A seek in the (device, start) and the (device, end) index per
    device, and the times of the blocks that straddle its anchored end: what decides which
    of its windows are due is the device's own progress, read here."""
    d, b = t.evidence_devices.c, t.evidence_blocks
    mine = b.c.device_id == d.id
    # Ordered, not max(): the planner then walks the (device, end) index from its end.
    latest = (
        sa.select(b.c.end_us)
        .where(mine)
        .order_by(b.c.end_us.desc())
        .limit(1)
        .correlate(t.evidence_devices)
        .scalar_subquery()
    )
    first = (
        sa.select(sa.func.min(b.c.start_us))
        .where(mine, b.c.start_us >= d.anchored_until)
        .correlate(t.evidence_devices)
        .scalar_subquery()
    )
    rows = conn.execute(sa.select(d.id, d.anchored_until, first, latest).order_by(d.id)).all()
    # The blocks straddling each device's anchored end, devices first: a CROSS JOIN keeps
    # SQLite from scanning every block for them (PostgreSQL plans it as the inner join it is).
    straddling = conn.exec_driver_sql(
        "SELECT b.device_id, b.times, d.anchored_until "
        "FROM evidence_devices AS d CROSS JOIN evidence_blocks AS b "
        f"WHERE b.device_id = d.id AND b.start_us > d.anchored_until - {TIME_SPAN:d} "
        "AND b.start_us < d.anchored_until AND b.end_us >= d.anchored_until"
    )
    earliest: dict[str, int] = {}
    for device_id, times, until in straddling:
        found = min((at for at in ints(times) if at >= until), default=None)
        if found is not None:
            earliest[device_id] = min(found, earliest.get(device_id, found))
    out = []
    for device_id, _, low, high in rows:
        candidates = [x for x in (low, earliest.get(device_id)) if x is not None]
        if candidates and high is not None:
            out.append((device_id, int(min(candidates)), int(high)))
    return out


DueWindow = tuple[int, int, int, int, int, bytes]


def due(
    conn: Connection, cutoffs: dict[str, int], window: int, limit: int, lock: bool = True
) -> list[tuple[str, int, list[DueWindow]]]:
    """Per device of ``cutoffs`` (with ``lock``, update-locked on PostgreSQL), its unanchored
    windows ending at or before its cutoff (µs) that hold readings, oldest first, at most
    ``limit`` in all: ``(device, anchored until µs, windows)``, each window as ``(start, end,
    first seq, last seq, count, leaves)``, the leaf hashes packed in seq order. A window
    starts where the device's last anchored one ended if that is later than its boundary
    (the window length may change)."""
    if not cutoffs:
        return []
    out = []
    budget = limit
    # Read under the lock: another anchoring may have moved a device on meanwhile.
    for device_id, since in anchored_until(conn, list(cutoffs), lock).items():
        if budget <= 0:
            break
        windows = _due_windows(conn, device_id, int(since), cutoffs[device_id], window)
        windows = windows[:budget]
        budget -= len(windows)
        if windows:
            out.append((device_id, int(since), windows))
    return out


def _due_windows(
    conn: Connection, device_id: str, since: int, cutoff: int, window: int
) -> list[DueWindow]:
    """A device's windows holding readings taken in [since, cutoff), from its blocks: a
    block lying wholly in one window gives its packed leaves as they are, any other is
    unpacked reading by reading. Past ``_DUE_ROWS`` readings, reading stops once the first
    window is whole; the windows then left incomplete wait for the next pass."""
    whole: dict[int, list[tuple[int, int, int, bytes, bytes]]] = {}
    single: dict[int, list[tuple[int, bytes]]] = {}
    read, complete_before, first_end = 0, None, None
    columns = "end_us, last_seq, count, seqs, times, leaves"
    for start_us, first_seq, end_us, last_seq, count, seqs, times, leaves in by_time(
        conn, device_id, since, cutoff, columns
    ):
        # A block starting here holds nothing earlier: once enough is read, stop as soon as
        # the first window is whole (however many readings it holds, it is anchored whole).
        if read >= _DUE_ROWS and first_end is not None and start_us >= first_end:
            complete_before = start_us
            break
        read += count
        key = start_us // window
        ends = (max(start_us, since) // window + 1) * window  # its earliest reading's window's end
        first_end = ends if first_end is None else min(first_end, ends)
        if since <= start_us and end_us < cutoff and key == end_us // window:
            whole.setdefault(key, []).append(
                (first_seq, last_seq, count, bytes(leaves), bytes(seqs))
            )
            continue
        for i, (seq, at) in enumerate(zip(ints(seqs), ints(times), strict=True)):
            if since <= at < cutoff:
                single.setdefault(at // window, []).append((seq, leaves[32 * i : 32 * i + 32]))
    out = []
    for key in sorted(whole.keys() | single.keys()):
        start, end = key * window, key * window + window
        if complete_before is not None and end > complete_before:
            break  # the window may go on past what was read
        parts = sorted(whole.get(key, []))
        if key not in single and all(a[1] < b[0] for a, b in pairwise(parts)):
            # The usual window: whole blocks whose seqs follow one another.
            leaves = b"".join(p[3] for p in parts)
            first, last, count = parts[0][0], parts[-1][1], sum(p[2] for p in parts)
        else:
            members = sorted(
                [*single.get(key, [])]
                + [
                    (seq, part[3][32 * i : 32 * i + 32])
                    for part in parts
                    for i, seq in enumerate(ints(part[4]))
                ]
            )
            leaves = b"".join(bytes(leaf) for _, leaf in members)
            first, last, count = members[0][0], members[-1][0], len(members)
        out.append((max(start, since), end, first, last, count, leaves))
    return out


def anchored_until(conn: Connection, ids: Sequence[str], lock: bool = True) -> dict[str, int]:
    """The end (µs) of each device's newest anchored window, of ``ids``, by id; with ``lock``
    update-locked on PostgreSQL (on SQLite the write transaction holds the database)."""
    d = t.evidence_devices.c
    query = sa.select(d.id, d.anchored_until).where(d.id.in_(sorted(set(ids)))).order_by(d.id)
    if lock and _postgres(conn):
        query = query.with_for_update()
    return {device_id: int(until) for device_id, until in conn.execute(query)}


def window_summary(conn: Connection, device_id: str, start: int, end: int) -> tuple[int, int, int]:
    """How many readings of ``device_id`` were taken in [start, end) µs, and their lowest and
    highest seq (-1, -1 for none): a block lying wholly inside counts by its header, only one
    that straddles an end is unpacked."""
    count, low, high = 0, -1, -1
    columns = "end_us, count, last_seq, seqs, times"
    for first_start, first_seq, end_us, n, last_seq, seqs, times in by_time(
        conn, device_id, start, end, columns
    ):
        if first_start >= start and end_us < end:
            lo, hi = first_seq, last_seq
            count += n
        else:
            inside = [s for s, at in zip(ints(seqs), ints(times), strict=True) if start <= at < end]
            if not inside:
                continue
            lo, hi = min(inside), max(inside)
            count += len(inside)
        low = lo if low < 0 else min(low, lo)
        high = max(high, hi)
    return count, low, high


def window_counts(
    conn: Connection, device_id: str, since: int, cutoff: int, window: int
) -> dict[int, int]:
    """How many readings of ``device_id`` were taken in each window of ``window`` µs within
    [since, cutoff), by window start (µs; windows holding none are left out): a block lying
    wholly in one window counts by its header, any other is unpacked."""
    out: dict[int, int] = {}
    for start_us, _, end_us, n, times in by_time(
        conn, device_id, since, cutoff, "end_us, count, times"
    ):
        if since <= start_us and end_us < cutoff and start_us // window == end_us // window:
            key = start_us // window * window
            out[key] = out.get(key, 0) + n
            continue
        for at in ints(times):
            if since <= at < cutoff:
                key = at // window * window
                out[key] = out.get(key, 0) + 1
    return out


def _taken_in(
    conn: Connection, device_id: str, start: int, end: int
) -> Iterator[tuple[int, int, int, str]]:
    """``(seq, time_us, received_us, body)`` of each reading of ``device_id`` taken in
    [start, end) (µs), block by block (in no particular order within a block)."""
    columns = f"count, seqs, times, received, {SAID}"
    for _, _, count, seqs, times, received, *said in by_time(conn, device_id, start, end, columns):
        held, taken = ints(seqs), ints(times)
        texts = texts_of(device_id, count, held, taken, *said)
        for seq, at, got, text in zip(held, taken, ints(received), texts, strict=True):
            if start <= at < end:
                yield seq, at, got, text


def readings(
    conn: Connection, device_id: str, start: int, end: int, limit: int = MAX_ROWS
) -> list[dict[str, Any]]:
    """The readings of ``device_id`` taken in [start, end) (µs), in seq order, at most
    ``limit`` (each its seq, canonical document, and when it was received, µs)."""
    found = heapq.nsmallest(
        max(0, min(limit, MAX_ROWS)), _taken_in(conn, device_id, start, end), key=itemgetter(0)
    )
    return [
        {"seq": seq, "reading": json.loads(body), "received_us": received}
        for seq, _, received, body in found
    ]


def frame(
    conn: Connection,
    start: int,
    end: int,
    *,
    device_ids: Sequence[str] = (),
    client_id: str | None = None,
    variables: Sequence[str] = (),
    max_rows: int = MAX_ROWS,
) -> Any:
    """A pandas DataFrame of readings taken in [start, end) (µs) of ``device_ids``, or of
    every device of ``client_id``: a UTC time index, one column per variable (named
    ``device.variable`` when several devices are read), at most ``max_rows`` readings (the
    earliest)."""
    import pandas as pd

    d = t.evidence_devices.c
    ids = list(device_ids)
    if client_id is not None:
        owned = conn.execute(sa.select(d.id).where(d.client_id == client_id).order_by(d.id))
        ids = [i for i in owned.scalars() if not device_ids or i in device_ids]
    taken = (
        ((at, device_id, seq), body)
        for device_id in sorted(set(ids))
        for seq, at, _, body in _taken_in(conn, device_id, start, end)
    )
    # A generator: memory holds the readings kept, not every one of the range.
    rows = heapq.nsmallest(max(0, min(max_rows, MAX_ROWS)), taken, key=itemgetter(0))
    several = len({key[1] for key, _ in rows}) > 1
    records, index = [], []
    for (time_us, device_id, _), body in rows:
        values = json.loads(body)["values"]
        if variables:
            values = {k: v for k, v in values.items() if k in variables}
        records.append({(f"{device_id}.{k}" if several else k): v for k, v in values.items()})
        index.append(time_us)
    at = pd.to_datetime(pd.Series(index, dtype="int64"), unit="us", utc=True)
    return pd.DataFrame.from_records(records, index=pd.DatetimeIndex(at, name="time"))


MAX_DEVICES = 10_000  # data sources one listing returns at most


def device_list(
    conn: Connection, scope: ReadScope, limit: int = 1_000, offset: int = 0
) -> list[dict[str, Any]]:
    """The data sources of the organisations ``scope`` reads (its own, or those its bodies
    certify or were consented to), by id: ``limit`` of them (at most :data:`MAX_DEVICES`)
    from ``offset`` (the platform reads every organisation's, so a listing is bounded)."""
    d = t.evidence_devices.c
    readable = sa.select(t.clients.c.id).where(visible(scope, t.clients))
    bounded = max(1, min(limit, MAX_DEVICES))
    query = sa.select(t.evidence_devices).order_by(d.id).limit(bounded).offset(max(0, offset))
    if not scope.everything:
        query = query.where(d.client_id.in_(readable))
    out = []
    for row in conn.execute(query):
        item = dict(row._mapping)
        item["variables"] = json.loads(item["variables"])
        item["signed"], item["retired"] = bool(item["signed"]), bool(item["retired"])
        out.append(item)
    return out


def readers_of(conn: Connection, device_id: str) -> tuple[str, frozenset[str]] | None:
    """A device's organisation and the bodies that read that organisation's records (those
    holding a certification of it, and those it consented to), or None for no such device."""
    d, c, k = t.evidence_devices.c, t.certifications.c, t.consents.c
    client = conn.execute(sa.select(d.client_id).where(d.id == device_id)).scalar()
    if client is None:
        return None
    bodies = set(conn.execute(sa.select(c.body_id).where(c.client_id == client)).scalars())
    bodies |= set(conn.execute(sa.select(k.body_id).where(k.client_id == client)).scalars())
    return client, frozenset(bodies)


def dead_letter_rows(
    conn: Connection, clients: Sequence[str] | None, limit: int = 200, offset: int = 0
) -> list[dict[str, Any]]:
    """Refused messages of ``clients`` (None: all), newest first, the payload as text (its
    first 64 KiB, undecodable bytes replaced)."""
    x = t.evidence_dead_letters.c
    query = sa.select(t.evidence_dead_letters).order_by(x.id.desc()).limit(limit).offset(offset)
    if clients is not None:
        query = query.where(x.client_id.in_(list(clients)))
    out = []
    for row in conn.execute(query):
        item = dict(row._mapping)
        item["payload"] = bytes(item["payload"]).decode("utf-8", "replace")
        out.append(item)
    return out


def proof_material(conn: Connection, device_id: str, seq: int) -> dict[str, Any] | None:
    """What a reading's proof is made of: its canonical bytes, its window (ledger index,
    span) and the leaf hashes of the window in seq order; None when there is no such
    reading; ``window`` None when it is not anchored yet."""
    w = t.evidence_windows.c
    hit = None
    for _, count, seqs, times, *said in by_seq(
        conn, device_id, seq, seq, f"count, seqs, times, {SAID}"
    ):
        held = ints(seqs)
        if seq in held:
            i, taken = held.index(seq), ints(times)
            hit = taken[i], texts_of(device_id, count, held, taken, *said)[i]
            break
    if hit is None:
        return None
    time_us, body = hit
    win = conn.execute(
        sa.select(w.ledger_index, w.start_us, w.end_us).where(
            w.device_id == device_id, w.start_us <= time_us, w.end_us > time_us
        )
    ).first()
    if win is None:
        return {"reading": body, "window": None}
    members = sorted(
        (s, bytes(leaves[32 * i : 32 * i + 32]))
        for _, _, seqs, times, leaves in by_time(
            conn, device_id, win.start_us, win.end_us, "seqs, times, leaves"
        )
        for i, (s, at) in enumerate(zip(ints(seqs), ints(times), strict=True))
        if win.start_us <= at < win.end_us
    )
    return {
        "reading": body,
        "window": {"ledger_index": int(win.ledger_index), "start_us": win.start_us},
        "index": [s for s, _ in members].index(seq),
        "leaves": [leaf for _, leaf in members],
    }
