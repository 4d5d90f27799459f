"""The audit of real-time evidence: every anchored window recomputed from the blocks stored
now (``qcert ledger audit`` runs it with the ledger's own checks)."""

from __future__ import annotations

import heapq
import json
from collections.abc import Iterator
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from ..evidence.blocks import SEQ_SPAN, TIME_SPAN, ints, texts_of
from ..evidence.window import leaf_hash, window_root
from . import tables as t
from .blocks import EARLIEST_US, LATEST_US, SAID, by_time

__all__ = ["check_windows"]


class _Stored(NamedTuple):
    time_us: int
    seq: int
    body: str


def check_windows(engine: Engine) -> list[str]:
    """Every anchored window recomputed from the readings stored now: a reading edited,
    deleted or added after its window was anchored changes the window's count, sequence
    range or root. Each reading's bytes are rehashed (its stored leaf hash is not trusted)
    and must name the device, seq and time its block files it under; each block's header
    must say what its readings span.

    A reading dated before a device's newest anchored window yet in none of its windows is
    reported too: the intake never takes one (it is late), so it was slipped in around it.

    Streams, device by device: its windows and its blocks are read side by side in time
    order, so memory holds one window's readings (and a minute's blocks) however many
    there are.
    """
    w = t.evidence_windows.c
    problems: list[str] = []
    with engine.connect() as wc, engine.connect() as rc:
        devices = list(wc.execute(sa.select(w.device_id).distinct()).scalars())
        for device_id in sorted(devices):
            windows = wc.execution_options(yield_per=1000).execute(
                sa.select(t.evidence_windows).where(w.device_id == device_id).order_by(w.start_us)
            )
            readings = _in_time_order(rc, device_id, problems)
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
            readings.close()  # readings after the last window are not anchored yet
    return problems


def _in_time_order(conn: Connection, device_id: str, problems: list[str]) -> Iterator[_Stored]:
    """Every reading of ``device_id`` in time order (then seq), merged from its blocks in the
    order they start; a block whose header does not say what it holds is named in
    ``problems`` (its readings are still checked against their windows)."""
    columns = f"end_us, last_seq, count, seqs, times, {SAID}"
    heap: list[_Stored] = []
    for start_us, first_seq, end_us, last_seq, count, seqs, times, *said in by_time(
        conn, device_id, EARLIEST_US, LATEST_US, columns
    ):
        while heap and heap[0].time_us < start_us:
            yield heapq.heappop(heap)
        held, taken = ints(seqs), ints(times)
        try:
            # A block of values is written as the texts the intake hashed: a value changed
            # after anchoring changes its text, and the window's root.
            texts = texts_of(device_id, count, held, taken, *said)
        except (ValueError, OverflowError):  # a table of another size, a time out of range
            texts = [] if said[1] is not None else (said[0].split("\n") if said[0] else [])
        if not (
            count == len(held) == len(taken) == len(texts) > 0
            and held == sorted(set(held))
            and (first_seq, last_seq) == (held[0], held[-1])
            and (start_us, end_us) == (min(taken), max(taken))
            and end_us - start_us < TIME_SPAN
            and last_seq - first_seq < SEQ_SPAN
        ):
            problems.append(
                f"evidence: the block of {device_id} from seq {first_seq} does not hold what "
                "its header says"
            )
        for seq, at, text in zip(held, taken, texts, strict=False):  # shortest, if tampered
            heapq.heappush(heap, _Stored(at, seq, text))
    while heap:
        yield heapq.heappop(heap)


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
