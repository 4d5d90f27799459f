"""A watched stream as the platform records it: its monitor, and the alarms it raised and
cleared (id: the device's). The readings stay in the time-series store; the monitor and the
alarms are facts on the ledger.

The aggregate holds what its rules need (the monitor, the open alarm, the last seqs), not the
alarms of its history: a stream raises thousands, and a state that grew with them would cost
memory, snapshots and projection rows in proportion on every alarm. Their episodes are a
projection of the events (``store.watch_projections.Episodes``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ..lifecycle.aggregate import Aggregate, invalid, utc_instant
from . import monitor_events as ev
from .monitors import Fitted

__all__ = ["StreamMonitor"]


def _at(at: datetime) -> str:
    """An instant as events record readings' times: UTC to the microsecond (RFC 3339)."""
    if at.tzinfo is None:
        raise invalid("time", "time.no_zone")
    return utc_instant(at)[:-1] + f".{at.microsecond:06d}Z"


def _plain(value: Any) -> Any:
    """``value`` as its canonical JSON decodes: a whole float as an int (RFC 8785 writes 5.0
    as 5), keys in canonical order (ASCII names: Python's order is RFC 8785's), so the event
    recorded is value for value the one a replay folds, and can be snapshotted."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in sorted(value.items())}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


class StreamMonitor(Aggregate):
    """A device's monitor (the newest fitted) and its open alarm episode, if any."""

    kind = "stream"

    def __init__(self, id: str) -> None:
        super().__init__(id)
        self.client_id = ""
        self.monitor: dict[str, Any] = {}
        self.open_seq: int | None = None  # the reading the open alarm was raised at
        self.last_raised = self.last_cleared = -1

    def fit(
        self,
        client_id: str,
        fitted: Fitted,
        start: datetime,
        end: datetime,
        selected: bool,
        graph: str,
    ) -> None:
        """Record ``fitted`` as the device's monitor, fitted on readings of [start, end)."""
        self.record(
            ev.MonitorFitted(
                self.id,
                client_id,
                fitted.kind,
                _plain(dict(fitted.params)),
                selected,
                list(fitted.variables),
                _at(start),
                _at(end),
                fitted.rows,
                _plain(dict(fitted.limits)),
                _plain(dict(fitted.charts)),
                fitted.persistence,
                graph,
                fitted.digest,
            )
        )

    def raise_alarm(self, alarm: dict[str, Any]) -> None:
        """Record an alarm (the fields of :class:`~.monitor_events.StreamAlarmRaised` but the
        device's id); refuse one while another is open, one not after the last recorded
        reading, or one of another monitor than the device's."""
        if not self.monitor:
            raise invalid("device_id", "monitor.none", device=self.id)
        if alarm["digest"] != self.monitor["digest"]:
            raise invalid("digest", "monitor.not_current")
        if self.open_seq is not None:
            raise invalid("seq", "stream.alarm_open", seq=self.open_seq)
        self._after(alarm["seq"])
        if not alarm["first_seq"] <= alarm["seq"]:
            raise invalid("first_seq", "stream.first_after_seq")
        self.record(ev.StreamAlarmRaised(self.id, **_plain(alarm)))

    def clear_alarm(self, alarm: dict[str, Any]) -> None:
        """End the open alarm at a later reading."""
        if self.open_seq is None:
            raise invalid("seq", "stream.no_open_alarm", device=self.id)
        if alarm["raised_seq"] != self.open_seq:
            raise invalid("raised_seq", "stream.alarm_raised_at", seq=self.open_seq)
        self._after(alarm["seq"])
        self.record(ev.StreamAlarmCleared(self.id, **alarm))

    def _after(self, seq: int) -> None:
        last = max(self.last_raised, self.last_cleared)
        if seq <= last:
            raise invalid("seq", "stream.seq_after", seq=last)

    def _on_monitor_fitted(self, e: ev.MonitorFitted) -> None:
        self.client_id = e.client_id
        self.monitor = e.data()
        self.open_seq = None  # its monitor is gone: an open episode ends unresolved

    def _on_alarm_raised(self, e: ev.StreamAlarmRaised) -> None:
        self.last_raised = self.open_seq = e.seq

    def _on_alarm_cleared(self, e: ev.StreamAlarmCleared) -> None:
        self.last_cleared = e.seq
        self.open_seq = None
