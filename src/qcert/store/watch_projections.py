"""Projection rows of watched streams: each device's monitor (from its state) and its alarm
episodes (from its events, as they are recorded).

An episode's row is written when its alarm is raised and updated once when it ends: cleared
at a later reading, or ended unresolved (``cleared`` -1) when a new monitor is fitted while it
is open. The aggregate keeps no list of them (``evidence.monitor_model``), so a unit of work
writes the episodes its own events begin or end, and the audit folds every stream's events in
ledger order (:class:`Episodes`) to know what the table must hold.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ..evidence import monitor_events as mev
from ..evidence.monitor_model import StreamMonitor
from ..ledger.canonical import canonical_json
from ..lifecycle import events as ev
from ..lifecycle.aggregate import Aggregate
from . import tables as t

__all__ = ["Episodes", "alarm_rows", "episodes_of", "stream_rows"]


def _json(value: Any) -> str:
    """RFC 8785 canonical JSON, as on the ledger (so a replay writes the same text)."""
    return canonical_json(value).decode()


def stream_rows(agg: Aggregate) -> dict[Any, list[dict[str, Any]]] | None:
    """The rows of a watched stream's state by table; None for an aggregate of another part."""
    if not isinstance(agg, StreamMonitor):
        return None
    m = agg.monitor
    return {
        t.evidence_monitors: [
            {
                "device_id": agg.id,
                "client_id": agg.client_id,
                "kind": m["kind"],
                "params": _json(m["params"]),
                "variables": _json(m["variables"]),
                "start": m["start"],
                "end": m["end"],
                "readings": m["readings"],
                "limits": _json(m["limits"]),
                "charts": _json(m["charts"]),
                "persistence": m["persistence"],
                "graph": m["graph"],
                "digest": m["digest"],
                "last_raised": agg.last_raised,
                "last_cleared": agg.last_cleared,
                "open_seq": agg.open_seq,
            }
        ]
    }


_EPISODE_EVENTS = (mev.StreamAlarmRaised, mev.StreamAlarmCleared, mev.MonitorFitted)


class Episodes:
    """Alarm episode rows folded from watched streams' events, given in ledger order.

    ``rows`` are the episodes raised by the events folded, with their ends as far as those
    events tell. An event ending an episode raised before them (the events of one unit of
    work, after the ones already stored) is kept apart: ``cleared`` (device, raised seq, the
    reading that cleared it) and ``ended`` (devices whose open episode, if any, ends
    unresolved); :meth:`write` applies those before it inserts the new rows.
    """

    def __init__(self, clients: dict[str, str] | None = None) -> None:
        self.rows: dict[tuple[str, int], dict[str, Any]] = {}
        self.cleared: list[tuple[str, int, int]] = []
        self.ended: list[str] = []
        self._open: dict[str, tuple[str, int]] = {}
        self._raised: set[str] = set()
        self._closed: list[tuple[str, int]] = []
        self._clients = dict(clients or {})  # device -> client, as its monitor names it

    def add(self, env: ev.Envelope) -> None:
        """Fold one recorded event (events other than a stream's monitor and alarms are
        ignored)."""
        e = env.event
        if not isinstance(e, _EPISODE_EVENTS):
            return
        device = env.aggregate.split(":", 1)[1]
        if isinstance(e, mev.StreamAlarmRaised):
            key = (device, e.seq)
            self.rows[key] = {
                "device_id": device,
                "seq": e.seq,
                "client_id": self._clients.get(device, ""),
                "time": e.time,
                "statistic": e.statistic,
                "top_variables": _json([v["variable"] for v in e.top_variables]),
                "cleared": None,
            }
            self._open[device] = key
            self._raised.add(device)
        elif isinstance(e, mev.StreamAlarmCleared):
            key = (device, e.raised_seq)
            if key in self.rows:
                self.rows[key]["cleared"] = e.seq
                self._open.pop(device, None)
                self._closed.append(key)
            else:
                self.cleared.append((device, e.raised_seq, e.seq))
        elif isinstance(e, mev.MonitorFitted):
            self._clients[device] = e.client_id
            key = self._open.pop(device, None)  # type: ignore[assignment]
            if key is not None:
                self.rows[key]["cleared"] = -1
                self._closed.append(key)
            elif device not in self._raised:
                # A device that raised an episode among these events closed any stored
                # before it; only one that raised none here may have one stored open.
                self.ended.append(device)

    def pop_closed(self) -> list[dict[str, Any]]:
        """The rows whose episodes ended since the last call, no longer kept here (an audit
        streaming the ledger holds only the open episodes)."""
        closed = [self.rows.pop(key) for key in self._closed]
        self._closed = []
        return closed

    def write(self, conn: Connection) -> None:
        """Apply the folded events to ``evidence_alarms``: ends of stored episodes first,
        then the new rows (so an end never touches an episode begun by these events)."""
        a = t.evidence_alarms.c
        if self.cleared:
            conn.execute(
                t.evidence_alarms.update()
                .where(a.device_id == sa.bindparam("d"), a.seq == sa.bindparam("s"))
                .values(cleared=sa.bindparam("c")),
                [{"d": d, "s": s, "c": c} for d, s, c in self.cleared],
            )
        for device in self.ended:
            conn.execute(
                t.evidence_alarms.update()
                .where(a.device_id == device, a.cleared.is_(None))
                .values(cleared=-1)
            )
        if self.rows:
            conn.execute(t.evidence_alarms.insert(), sorted(self.rows.values(), key=_key))


def episodes_of(changed: Iterable[Aggregate], recorded: Iterable[ev.Envelope]) -> Episodes | None:
    """The episodes a unit of work's events begin or end (None when it changed no stream):
    ``changed`` its aggregates, ``recorded`` its events in order."""
    clients = {a.id: a.client_id for a in changed if isinstance(a, StreamMonitor)}
    if not clients:
        return None
    episodes = Episodes(clients)
    for env in recorded:
        episodes.add(env)
    return episodes


def _key(row: dict[str, Any]) -> tuple[str, int]:
    return row["device_id"], row["seq"]


def alarm_rows(recorded: Iterable[tuple[int, ev.Envelope]]) -> list[dict[str, Any]]:
    """Every alarm episode row the events of ``recorded`` (the whole ledger, in order) make."""
    episodes = Episodes()
    for _, env in recorded:
        episodes.add(env)
    return list(episodes.rows.values())
