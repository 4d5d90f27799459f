"""What the stream watcher reads from the store: monitors, training and new readings, and the
anchored window holding a reading (:class:`qcert.evidence.watch.WatchStore`), and the read
views of monitors and alarms."""

from __future__ import annotations

import json
from bisect import bisect_right
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from operator import itemgetter
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from ..evidence.blocks import SEQ_SPAN, ints, split_texts, values_of
from ..evidence.payload import MAX_SEQ, micros
from ..evidence.watch import Anchor, MonitorRecord
from ..lifecycle.aggregate import invalid
from . import evidence
from . import tables as t
from .blocks import SAID, by_seq, by_time

__all__ = [
    "StoreWatch",
    "alarm_list",
    "device_for_fit",
    "first_alarm_after",
    "monitor_of",
    "training_frame",
]


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _from_us(us: int) -> datetime:
    """µs since the epoch as an exact UTC instant (no float on the way)."""
    return _EPOCH + timedelta(microseconds=us)


def _specs(variables: list[dict[str, Any]]) -> dict[str, tuple[float | None, float | None]]:
    return {
        v["name"]: (v.get("lower"), v.get("upper"))
        for v in variables
        if v.get("lower") is not None or v.get("upper") is not None
    }


def device_for_fit(conn: Connection, device: str) -> dict[str, Any]:
    """What fitting a device's monitor needs: its organisation, the end of its newest
    anchored window (UTC) and the specification limits of its variables; refuses a device
    not registered, or retired."""
    d = t.evidence_devices.c
    row = conn.execute(
        sa.select(d.client_id, d.anchored_until, d.variables, d.retired).where(d.id == device)
    ).first()
    if row is None:
        raise invalid("device_id", "device.unknown", device=device)
    if row.retired:
        raise invalid("device_id", "device.retired", device=device)
    return {
        "client_id": row.client_id,
        "anchored_until": _from_us(int(row.anchored_until)),
        "specs": _specs(json.loads(row.variables)),
    }


def training_frame(conn: Connection, device: str, start: datetime, end: datetime) -> pd.DataFrame:
    """The device's readings taken in [start, end), one column per variable (bounded by
    ``store.evidence.MAX_ROWS``: a longer normal period is refused rather than cut)."""
    found = evidence.frame(conn, micros(start), micros(end), device_ids=[device])
    if len(found) >= evidence.MAX_ROWS:
        raise invalid("end", "stream.too_many_readings", max_rows=evidence.MAX_ROWS)
    return found


class StoreWatch:
    """The watcher's view of the store (one short read transaction per question)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def monitors(self, devices: Sequence[str] | None = None) -> list[MonitorRecord]:
        """The current monitor of each of ``devices`` that has one (None: every device's),
        by device id."""
        m = t.evidence_monitors.c
        query = sa.select(t.evidence_monitors).order_by(m.device_id)
        if devices is not None:
            query = query.where(m.device_id.in_(list(devices)))
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        return [
            MonitorRecord(
                r.device_id,
                r.client_id,
                r.kind,
                json.loads(r.params),
                tuple(json.loads(r.variables)),
                _instant(r.start),
                _instant(r.end),
                r.digest,
                r.graph,
                int(r.last_raised),
                int(r.last_cleared),
            )
            for r in rows
        ]

    def specs(self, device: str) -> dict[str, tuple[float | None, float | None]]:
        """The specification limits of the device's variables that have any."""
        d = t.evidence_devices.c
        with self.engine.connect() as conn:
            text = conn.execute(sa.select(d.variables).where(d.id == device)).scalar()
        return _specs(json.loads(text)) if text else {}

    def frame(self, device: str, start: datetime, end: datetime) -> pd.DataFrame:
        """The device's readings taken in [start, end), one column per variable."""
        with self.engine.connect() as conn:
            return training_frame(conn, device, start, end)

    def last_seq_before(self, device: str, end: datetime) -> int:
        """The newest sequence number of a reading taken before ``end`` (-1: none)."""
        until = micros(end)
        b = t.evidence_blocks.c
        with self.engine.connect() as conn:
            whole = conn.execute(
                sa.select(sa.func.max(b.last_seq)).where(
                    b.device_id == device, b.start_us < until, b.end_us < until
                )
            ).scalar()
            found = [] if whole is None else [int(whole)]
            for _, _, seqs, times in by_time(conn, device, until, until + 1, "seqs, times"):
                found += [s for s, at in zip(ints(seqs), ints(times), strict=True) if at < until]
        return max(found, default=-1)

    def settled_seq(self, device: str) -> int:
        """The device's settled watermark: the highest seq such that it and every stored
        reading before it were taken before the end of the device's newest anchored window
        (-1: none). Readings up to it are final: one arriving later for an anchored window is
        refused as ``evidence.late``."""
        b, d = t.evidence_blocks.c, t.evidence_devices.c
        with self.engine.connect() as conn:
            until = conn.execute(sa.select(d.anchored_until).where(d.id == device)).scalar()
            if until is None:
                return -1
            until = int(until)
            later = conn.execute(
                sa.select(sa.func.min(b.first_seq)).where(
                    b.device_id == device, b.start_us >= until
                )
            ).scalar()
            open_seqs = [] if later is None else [int(later)]
            for _, _, seqs, times in by_time(conn, device, until, until + 1, "seqs, times"):
                held = zip(ints(seqs), ints(times), strict=True)
                open_seqs += [s for s, at in held if at >= until]
            if open_seqs:
                return min(open_seqs) - 1
            newest = sa.select(sa.func.max(b.first_seq)).where(b.device_id == device)
            last = conn.execute(
                sa.select(sa.func.max(b.last_seq)).where(
                    b.device_id == device, b.first_seq > newest.scalar_subquery() - SEQ_SPAN
                )
            ).scalar()
        return -1 if last is None else int(last)

    def readings_after(
        self,
        device: str,
        seq: int,
        variables: Sequence[str],
        limit: int,
        through: int | None = None,
    ) -> tuple[list[int], list[int], np.ndarray]:
        """Up to ``limit`` readings after ``seq`` (and at most ``through``, when given) in seq
        order: their sequence numbers, times (µs since the epoch) and values of ``variables``
        (NaN where a reading lacks one)."""
        high = MAX_SEQ if through is None else int(through)
        # (seq, time, values or canonical text) of each reading found
        found: list[tuple[int, int, Any]] = []
        with self.engine.connect() as conn:
            columns = f"count, seqs, times, {SAID}"
            for first, count, seqs, times, bodies, names, table in by_seq(
                conn, device, seq + 1, high, columns
            ):
                if len(found) >= limit:
                    found.sort(key=itemgetter(0))
                    del found[limit:]
                    if not found or first > found[-1][0]:
                        break  # every block left holds only later seqs
                said = values_of(count, names, table, variables) or split_texts(bodies, count)
                for s, at, got in zip(ints(seqs), ints(times), said, strict=True):
                    if seq < s <= high:
                        found.append((s, at, got))
        found.sort(key=itemgetter(0))
        del found[max(0, limit) :]
        values = np.array(_values_of([r[2] for r in found], variables), dtype=float)
        return (
            [r[0] for r in found],
            [r[1] for r in found],
            values.reshape(len(found), len(variables)),
        )

    def anchors_at(self, device: str, times: Sequence[datetime]) -> list[Anchor | None]:
        """The anchored window of ``device`` holding each instant of ``times`` (aware), None
        for one that lies in none: one read of the windows spanning them all."""
        w = t.evidence_windows.c
        if not times:
            return []
        at = [micros(x.astimezone(UTC)) for x in times]
        with self.engine.connect() as conn:
            windows = conn.execute(
                sa.select(w.start_us, w.end_us, w.root, w.ledger_index)
                .where(w.device_id == device, w.start_us <= max(at), w.end_us > min(at))
                .order_by(w.start_us)
            ).all()
        starts = [int(row[0]) for row in windows]
        found: list[Anchor | None] = []
        for us in at:
            i = bisect_right(starts, us) - 1
            if i < 0 or int(windows[i][1]) <= us:
                found.append(None)
                continue
            start, _, root, index = windows[i]
            found.append(Anchor(_from_us(int(start)), root, int(index)))
        return found

    def anchored_until(self, devices: Sequence[str]) -> dict[str, datetime]:
        """Of each of ``devices`` anchored at all: the end of its newest anchored window."""
        d = t.evidence_devices.c
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(d.id, d.anchored_until).where(d.id.in_(list(devices)))
            ).all()
        return {device: _from_us(int(until)) for device, until in rows}


def monitor_of(conn: Connection, device: str) -> dict[str, Any] | None:
    """A device's current monitor as its projection row holds it (JSON fields parsed)."""
    row = conn.execute(
        sa.select(t.evidence_monitors).where(t.evidence_monitors.c.device_id == device)
    ).first()
    if row is None:
        return None
    out = dict(row._mapping)
    for key in ("params", "variables", "limits", "charts"):
        out[key] = json.loads(out[key])
    return out


def alarm_list(conn: Connection, device: str, limit: int = 1000) -> list[dict[str, Any]]:
    """A device's alarm episodes, newest first (at most ``limit``)."""
    a = t.evidence_alarms.c
    rows = conn.execute(
        sa.select(t.evidence_alarms)
        .where(a.device_id == device)
        .order_by(a.seq.desc())
        .limit(min(limit, 10_000))
    ).all()
    return [{**dict(r._mapping), "top_variables": json.loads(r.top_variables)} for r in rows]


def first_alarm_after(conn: Connection, device: str, seq: int) -> dict[str, Any] | None:
    """The first alarm of ``device`` raised at reading ``seq`` or later, if any."""
    a = t.evidence_alarms.c
    row = conn.execute(
        sa.select(t.evidence_alarms)
        .where(a.device_id == device, a.seq >= seq)
        .order_by(a.seq)
        .limit(1)
    ).first()
    return None if row is None else {**row._mapping, "top_variables": json.loads(row.top_variables)}


def _values_of(said: Sequence[Any], variables: Sequence[str]) -> list[Any]:
    """Each stored reading's values of ``variables`` (NaN where one lacks it), in order, from
    what each one said: its values, read from a block's table already, or its canonical
    text."""
    where = [i for i, got in enumerate(said) if isinstance(got, str)]
    if not where:
        return list(said)
    out = list(said)
    for i, values in zip(where, _parsed([said[i] for i in where], variables), strict=True):
        out[i] = values
    return out


def _parsed(bodies: Sequence[str], variables: Sequence[str]) -> list[Any]:
    """The values of ``variables`` in each canonical text (NaN where one lacks it).

    Texts are canonical (RFC 8785), so each one's values object is its text from
    ``"values":`` to the last "}" (names and values hold no "}"; "values" sorts last of a
    reading's members): the objects of every text are parsed in one call, not one a text."""
    objects = []
    for body in bodies:
        at = body.find(',"values":{')
        if at < 0 or not body.endswith("}}"):
            return [_values_one(b, variables) for b in bodies]
        objects.append(body[at + 10 : -1])
    parsed = json.loads("[" + ",".join(objects) + "]")
    if len(parsed) != len(bodies) or not all(isinstance(got, dict) for got in parsed):
        return [_values_one(b, variables) for b in bodies]  # not canonical: one at a time
    pick = itemgetter(*variables) if len(variables) > 1 else None
    try:
        if pick is not None:
            return list(map(pick, parsed))
        return [(got[variables[0]],) for got in parsed]
    except KeyError:
        nan = np.nan
        return [[got.get(v, nan) for v in variables] for got in parsed]


def _values_one(body: str, variables: Sequence[str]) -> list[float]:
    got = json.loads(body)["values"]
    return [got.get(v, np.nan) for v in variables]
