"""The time-series store of real-time evidence: readings, refused messages, data sources.

Readings are keyed by (device, seq), so a reading is stored once however often it is sent.
The intake writes a batch of messages in one transaction of plain multi-row statements (no
ORM objects); anchoring reads each due window in sequence order. Reads return rows in seq
order, or a pandas frame over a window, always bounded.

On PostgreSQL the intake takes a share lock on the devices it writes for and anchoring an
update lock on the devices it anchors, so a reading never slips into a window while the
window is being anchored; on SQLite every writer holds the database (``BEGIN IMMEDIATE``).
"""

from __future__ import annotations

import functools
import json
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import chain
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from ..access import ReadScope
from ..evidence.window import leaf_hash, window_root
from . import tables as t
from .scoping import visible

__all__ = [
    "MAX_DEVICES",
    "DeviceRow",
    "anchored_until",
    "check_windows",
    "dead_letter_rows",
    "device_list",
    "devices",
    "due",
    "existing",
    "frame",
    "insert_dead_letters",
    "insert_readings",
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
    """The data sources among ``ids``; with ``lock`` (PostgreSQL), share-locked until the
    transaction ends, so none is anchored meanwhile."""
    d = t.evidence_devices.c
    query = sa.select(
        d.id, d.client_id, d.variables, d.public_key, d.signed, d.retired, d.anchored_until
    ).where(d.id.in_(sorted(set(ids))))
    if lock and _postgres(conn):
        query = query.order_by(d.id).with_for_update(read=True)
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
    r = t.evidence_readings.c
    found: dict[tuple[str, int], bytes] = {}
    for device_id, (low, high) in spans.items():
        query = sa.select(r.seq, r.leaf).where(
            r.device_id == device_id, r.seq >= low, r.seq <= high
        )
        for seq, leaf in conn.execute(query):
            found[(device_id, int(seq))] = bytes(leaf)
    return found


_COLUMNS = ("device_id", "seq", "time_us", "received_us", "body", "leaf")
_TYPES = ("varchar", "int8", "int8", "int8", "text", "bytea")  # PostgreSQL's, for COPY BINARY


def insert_readings(conn: Connection, rows: list[tuple[str, int, int, int, str, bytes]]) -> None:
    """Insert readings ``(device, seq, time_us, received_us, body, leaf)``: on PostgreSQL with
    one binary COPY (rows streamed in the transaction), elsewhere with one executemany."""
    if not rows:
        return
    if _postgres(conn):
        raw = conn.connection.dbapi_connection
        assert raw is not None
        with raw.cursor() as cursor:  # type: ignore[attr-defined]
            sql = f"COPY evidence_readings ({', '.join(_COLUMNS)}) FROM STDIN (FORMAT BINARY)"
            with cursor.copy(sql) as copy:
                # Binary rows: no text to escape or to parse on either side.
                copy.set_types(_TYPES)
                for row in rows:
                    copy.write_row(row)
        return
    if conn.dialect.name != "sqlite":
        mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
        conn.exec_driver_sql(_insert_sql(1, mark), rows)
        return
    # Many rows a statement: SQLite then steps and resets once per chunk, not once per row,
    # which takes about a fifth off the insert. Chunks hold 1,000, 100, 10 or 1 rows, so the
    # connection's statement cache holds at most four of these statements.
    #
    # Each leaf is bound as a bytearray: Python's sqlite3 binds str, int, float and bytearray
    # as they are, but looks a bytes value up in its adapter registry first, which on 3.11
    # costs more than the B-tree's work on the row's leaf (it raises and drops an
    # AttributeError per value). SQLite stores the same BLOB either way.
    most = _chunk_rows(conn.connection.dbapi_connection)
    start = 0
    for size in _CHUNKS:
        while size <= most and len(rows) - start >= size:
            chunk = rows[start : start + size]
            params = list(chain.from_iterable(chunk))
            params[5::6] = map(bytearray, params[5::6])  # each row's leaf
            conn.exec_driver_sql(_insert_sql(size, "?"), tuple(params))
            start += size


_CHUNKS = (1000, 100, 10, 1)


@functools.cache
def _insert_sql(rows: int, mark: str) -> str:
    """The INSERT of ``rows`` readings in one statement."""
    row = f"({', '.join([mark] * len(_COLUMNS))})"
    return f"INSERT INTO evidence_readings ({', '.join(_COLUMNS)}) VALUES {', '.join([row] * rows)}"


def _chunk_rows(raw: Any) -> int:
    """Rows per INSERT on SQLite: as many as its limit on bound parameters allows (999 before
    SQLite 3.32, 32,766 since), at most 1,000."""
    try:
        limit = raw.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    except (AttributeError, sqlite3.Error):
        limit = 999
    return max(1, min(1000, limit // len(_COLUMNS)))


def insert_dead_letters(conn: Connection, rows: list[dict[str, Any]]) -> None:
    """Keep refused messages (their rows as ``evidence_dead_letters`` holds them)."""
    if rows:
        conn.execute(t.evidence_dead_letters.insert(), rows)


def pending(conn: Connection) -> list[tuple[str, int, int]]:
    """Of each device with readings dated at or after its newest anchored window's end:
    ``(device, first, latest)``, the time (µs) of the first such reading and of its newest
    reading, by device id. Two seeks in the (device, time) index per device: what decides
    which of its windows are due is the device's own progress, read here."""
    d, r = t.evidence_devices.c, t.evidence_readings.c
    latest = (
        sa.select(sa.func.max(r.time_us))
        .where(r.device_id == d.id)
        .correlate(t.evidence_devices)
        .scalar_subquery()
    )
    first = (
        sa.select(sa.func.min(r.time_us))
        .where(r.device_id == d.id, r.time_us >= d.anchored_until)
        .correlate(t.evidence_devices)
        .scalar_subquery()
    )
    query = sa.select(d.id, first, latest).order_by(d.id)
    return [
        (device_id, int(low), int(high))
        for device_id, low, high in conn.execute(query)
        if low is not None
    ]


def due(
    conn: Connection, cutoffs: dict[str, int], window: int, limit: int, lock: bool = True
) -> list[tuple[str, int, list[tuple[int, int, list[int], list[bytes]]]]]:
    """Per device of ``cutoffs`` (with ``lock``, update-locked on PostgreSQL), its unanchored
    windows ending at or before its cutoff (µs) that hold readings, oldest first, at most
    ``limit`` in all: ``(device, anchored until µs, windows)``, each window as ``(start, end,
    seqs, leaves)`` in seq order. A window starts where the device's last anchored one ended
    if that is later than its boundary (the window length may change)."""
    if not cutoffs:
        return []
    out = []
    budget = limit
    # Read under the lock: another anchoring may have moved a device on meanwhile.
    for device_id, since in anchored_until(conn, list(cutoffs), lock).items():
        if budget <= 0:
            break
        cutoff = cutoffs[device_id]
        rows = _window_rows(conn, device_id, int(since), cutoff)
        groups: dict[int, list[tuple[int, bytes]]] = {}
        for seq, time_us, leaf in rows:
            groups.setdefault(time_us // window * window, []).append((int(seq), bytes(leaf)))
        starts = sorted(groups)
        if len(rows) == _DUE_ROWS and len(starts) > 1:
            starts = starts[:-1]  # the last window may go on past what was read
        windows = []
        for start in starts[:budget]:
            members = sorted(groups[start])
            windows.append(
                (
                    max(start, int(since)),
                    start + window,
                    [s for s, _ in members],
                    [h for _, h in members],
                )
            )
        budget -= len(windows)
        if windows:
            out.append((device_id, int(since), windows))
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
    highest seq (-1, -1 for none): one range of the (device, time) index."""
    r = t.evidence_readings.c
    query = sa.select(sa.func.count(), sa.func.min(r.seq), sa.func.max(r.seq)).where(
        r.device_id == device_id, r.time_us >= start, r.time_us < end
    )
    count, low, high = conn.execute(query).one()
    return int(count), -1 if low is None else int(low), -1 if high is None else int(high)


def window_counts(
    conn: Connection, device_id: str, since: int, cutoff: int, window: int
) -> dict[int, int]:
    """How many readings of ``device_id`` were taken in each window of ``window`` µs within
    [since, cutoff), by window start (µs; windows holding none are left out): one range of
    the (device, time, seq) index, no reading looked up."""
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    sql = (
        f"SELECT time_us / {int(window):d}, count(*) FROM evidence_readings "
        f"WHERE device_id = {mark} AND time_us >= {mark} AND time_us < {mark} GROUP BY 1"
    )
    rows = conn.exec_driver_sql(sql, (device_id, since, cutoff)).all()
    return {int(k) * window: int(n) for k, n in rows}


def _window_rows(
    conn: Connection, device_id: str, since: int, cutoff: int
) -> list[tuple[int, int, bytes]]:
    """``(seq, time_us, leaf)`` of a device's readings taken in [since, cutoff), in time order,
    at most ``_DUE_ROWS``: read with the driver's own cursor in the transaction, as plain
    tuples (a window holds up to millions of rows; result rows cost more than the reading)."""
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    sql = (
        "SELECT seq, time_us, leaf FROM evidence_readings "
        f"WHERE device_id = {mark} AND time_us >= {mark} AND time_us < {mark} "
        f"ORDER BY time_us LIMIT {_DUE_ROWS:d}"
    )
    raw = conn.connection.dbapi_connection
    assert raw is not None
    cursor = raw.cursor()
    try:
        cursor.execute(sql, (device_id, since, cutoff))
        return cursor.fetchall()  # type: ignore[no-any-return]
    finally:
        cursor.close()


def readings(
    conn: Connection, device_id: str, start: int, end: int, limit: int = MAX_ROWS
) -> list[dict[str, Any]]:
    """The readings of ``device_id`` taken in [start, end) (µs), in seq order, at most
    ``limit`` (each its seq, canonical document, and when it was received, µs)."""
    r = t.evidence_readings.c
    query = (
        sa.select(r.seq, r.body, r.received_us)
        .where(r.device_id == device_id, r.time_us >= start, r.time_us < end)
        .order_by(r.seq)
        .limit(min(limit, MAX_ROWS))
    )
    return [
        {"seq": int(seq), "reading": json.loads(body), "received_us": int(received)}
        for seq, body, received in conn.execute(query)
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
    ``device.variable`` when several devices are read), at most ``max_rows`` readings."""
    import pandas as pd

    r, d = t.evidence_readings.c, t.evidence_devices.c
    query = sa.select(r.device_id, r.time_us, r.body).where(r.time_us >= start, r.time_us < end)
    if device_ids:
        query = query.where(r.device_id.in_(list(device_ids)))
    if client_id is not None:
        query = query.where(r.device_id.in_(sa.select(d.id).where(d.client_id == client_id)))
    query = query.order_by(r.time_us, r.device_id, r.seq).limit(min(max_rows, MAX_ROWS))
    rows = conn.execute(query).all()
    several = len({row.device_id for row in rows}) > 1
    records, index = [], []
    for device_id, time_us, body in rows:
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
    r, w = t.evidence_readings.c, t.evidence_windows.c
    row = conn.execute(
        sa.select(r.time_us, r.body).where(r.device_id == device_id, r.seq == seq)
    ).first()
    if row is None:
        return None
    win = conn.execute(
        sa.select(w.ledger_index, w.start_us, w.end_us).where(
            w.device_id == device_id, w.start_us <= row.time_us, w.end_us > row.time_us
        )
    ).first()
    if win is None:
        return {"reading": row.body, "window": None}
    members = conn.execute(
        sa.select(r.seq, r.leaf)
        .where(r.device_id == device_id, r.time_us >= win.start_us, r.time_us < win.end_us)
        .order_by(r.seq)
    ).all()
    seqs = [int(s) for s, _ in members]
    return {
        "reading": row.body,
        "window": {"ledger_index": int(win.ledger_index), "start_us": win.start_us},
        "index": seqs.index(seq),
        "leaves": [bytes(h) for _, h in members],
    }


def check_windows(engine: Engine) -> list[str]:
    """Every anchored window recomputed from the readings stored now: a reading edited,
    deleted or added after its window was anchored changes the window's count, sequence
    range or root. Each reading's bytes are rehashed (its stored leaf hash is not trusted)
    and must name the device, seq and time its row is filed under.

    A reading dated before a device's newest anchored window yet in none of its windows is
    reported too: the intake never takes one (it is late), so it was slipped in around it.

    Streams, device by device: its windows and its readings are read side by side in time
    order, so memory holds one window's readings however many there are.
    """
    w, r = t.evidence_windows.c, t.evidence_readings.c
    problems: list[str] = []
    with engine.connect() as wc, engine.connect() as rc:
        devices = list(wc.execute(sa.select(w.device_id).distinct()).scalars())
        for device_id in sorted(devices):
            windows = wc.execution_options(yield_per=1000).execute(
                sa.select(t.evidence_windows).where(w.device_id == device_id).order_by(w.start_us)
            )
            result = rc.execution_options(yield_per=5000).execute(
                sa.select(r.seq, r.time_us, r.body)
                .where(r.device_id == device_id)
                .order_by(r.time_us)
            )
            readings = iter(result)
            pending = next(readings, None)
            for win in windows:
                while pending is not None and pending.time_us < win.start_us:
                    # Windows are anchored in time order over every reading then stored, and
                    # the intake refuses one dated before the newest anchored end: a reading
                    # before a window and in none was written around the intake.
                    problems.append(
                        f"evidence: reading {pending.seq} of {device_id} lies before the "
                        f"window anchored at entry {win.ledger_index} and in no anchored window"
                    )
                    pending = next(readings, None)
                members = []
                while pending is not None and pending.time_us < win.end_us:
                    members.append(pending)
                    pending = next(readings, None)
                problems += _check_window(win, sorted(members, key=lambda m: m.seq))
            result.close()  # readings after the last window are not anchored yet
    return problems


def _check_window(win: Any, rows: list[Any]) -> list[str]:
    """What is wrong with one anchored window, given its readings in seq order."""
    where = f"evidence: window of {win.device_id} anchored at entry {win.ledger_index}"
    problems = []
    leaves = []
    for row in rows:
        leaves.append(leaf_hash(row.body.encode()))
        if not _filed(row.body, win.device_id, int(row.seq), int(row.time_us)):
            problems.append(f"{where}: reading {row.seq}'s bytes do not match its row")
    seqs = [int(row.seq) for row in rows]
    found = (len(rows), seqs[0] if seqs else None, seqs[-1] if seqs else None)
    if found != (win.count, win.first_seq, win.last_seq):
        problems.append(
            f"{where}: {win.count} readings {win.first_seq}..{win.last_seq} were "
            f"anchored, {found[0]} are stored ({found[1]}..{found[2]})"
        )
    elif window_root(leaves).hex() != win.root:
        problems.append(f"{where}: a reading was changed after anchoring (root differs)")
    return problems


def _filed(body: str, device_id: str, seq: int, time_us: int) -> bool:
    from datetime import datetime

    from ..evidence.payload import micros

    try:
        doc = json.loads(body)
        at = datetime.fromisoformat(doc["time"].replace("Z", "+00:00"))
        return doc["device"] == device_id and doc["seq"] == seq and micros(at) == time_us
    except (ValueError, KeyError, TypeError, AttributeError):
        return False
