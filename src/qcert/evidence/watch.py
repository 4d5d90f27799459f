"""Watching the streams: each device's new readings scored by its monitor as they arrive.

Policy article (四) of 国市监认证发〔2025〕72号 asks for anomaly early warning on process data.
A device given a monitor (``evidence.monitor-fitted``) is scored reading by reading, in
sequence order (:class:`~qcert.evidence.scoring.StreamScoring`: what an alarm is, and what it
names).

An alarm is evidence only once the readings behind it are: it is recorded
(``evidence.alarm-raised`` / ``evidence.alarm-cleared``) only after the window holding its
reading has been anchored (``evidence.window-anchored``), and carries that window's start,
root and ledger index, so anyone can prove the reading and the alarm together. Until then it
waits here.

Everything is a deterministic function of the stored readings: on start the watcher refits
each monitor from its anchored training readings (refusing one whose digest differs from the
recorded one) and scores the readings since the training period again; the episodes already
on the ledger (by their reading's sequence number) are not recorded twice.

This module is pure: what it reads and records goes through :class:`WatchStore` (its SQL is in
``qcert.store``) and the bus.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, Protocol

import numpy as np
import pandas as pd

from ..errors import QcertError
from ..quality.causality import ProcessGraph
from ..schemes.errors import RuleViolation
from . import monitor_commands as commands
from .monitors import Fitted, fit_monitor
from .scoring import Finding, StreamScoring, instant

__all__ = ["Anchor", "MonitorRecord", "WatchStore", "Watcher", "command_for"]

log = logging.getLogger(__name__)

REFUSALS = (QcertError, RuleViolation)  # what the platform's rules refuse with


@dataclass(frozen=True)
class MonitorRecord:
    """A device's monitor as its newest ``evidence.monitor-fitted`` event recorded it, and the
    alarms recorded since (the newest raised and cleared readings' sequence numbers, -1: none)."""

    device: str
    client_id: str
    kind: str
    params: Mapping[str, Any]
    variables: tuple[str, ...]
    start: datetime
    end: datetime
    digest: str
    graph: str = ""
    last_raised: int = -1
    last_cleared: int = -1


@dataclass(frozen=True)
class Anchor:
    """The anchored window holding a reading: its start (UTC), Merkle root (hex) and the
    ledger index of its ``evidence.window-anchored`` event."""

    start: datetime
    root: str
    ledger_index: int


class WatchStore(Protocol):
    """What the watcher reads (``qcert.store.watch`` answers it from the store)."""

    def monitors(self, devices: Sequence[str] | None = None) -> list[MonitorRecord]: ...

    def specs(self, device: str) -> dict[str, tuple[float | None, float | None]]: ...

    def frame(self, device: str, start: datetime, end: datetime) -> pd.DataFrame: ...

    def readings_after(
        self,
        device: str,
        seq: int,
        variables: Sequence[str],
        limit: int,
        through: int | None = None,
    ) -> tuple[list[int], list[int], np.ndarray]: ...

    def settled_seq(self, device: str) -> int: ...

    def last_seq_before(self, device: str, end: datetime) -> int: ...

    def anchors_at(self, device: str, times: Sequence[datetime]) -> list[Anchor | None]: ...

    def anchored_until(self, devices: Sequence[str]) -> dict[str, datetime]: ...


class Watcher:
    """Scores every watched device's new readings and records its alarms once anchored.

    ``record(finding, anchor)`` records one alarm (the bus, as the platform's watcher), and
    ``record_all`` (optional) several in one transaction, all or none;
    ``graphs`` loads a process graph by the name a monitor gives. Call :meth:`after_commit`
    after readings were committed (the intake does), :meth:`flush` after windows were
    anchored.

    ``mode`` says which readings are scored (``QCERT_EVIDENCE_SCORE``): ``arrival`` scores
    each device's readings after the last one scored as soon as this process commits them,
    which is complete only when one process takes all of a device's readings; ``settled``
    scores only readings up to the device's settled watermark (every reading up to it lies
    in an anchored window, and a later one for such a window is refused as ``evidence.late``),
    read in seq order from the store whoever stored them, so several processes sharing a
    stream each score every reading.
    """

    BATCH = 50_000  # readings read from the store per query

    def __init__(
        self,
        store: WatchStore,
        record: Callable[[Finding, Anchor], None],
        graphs: Callable[[str], ProcessGraph | None] = lambda name: None,
        mode: Literal["arrival", "settled"] = "arrival",
        record_all: Callable[[list[tuple[Finding, Anchor]]], None] | None = None,
    ) -> None:
        self.store, self.record, self.graphs = store, record, graphs
        self.record_all = record_all
        self.mode = mode
        self.streams: dict[str, StreamScoring] = {}
        self.digests: dict[str, str] = {}
        self.pending: dict[str, list[Finding]] = {}
        self.refused: dict[str, str] = {}  # device -> why its monitor is not watched
        self._recorded: dict[str, tuple[int, int]] = {}
        self.started = False
        # The intake may be called from several threads (an HTTP server's, the consumer's):
        # one at a time scores, so each device's readings are scored once and in order.
        self._lock = threading.RLock()

    def start(self) -> None:
        """(Re)build every device's scoring from the store alone, as a new process would:
        refit, check the digest, score the readings since the normal period again, and
        record what the ledger does not hold yet."""
        with self._lock:
            self.streams, self.pending, self.refused = {}, {}, {}
            self.digests, self._recorded = {}, {}
            self.started = True
            for record in self.store.monitors():
                self._watch(record)
            self.flush()

    def _watch(self, record: MonitorRecord) -> None:
        """Watch ``record``'s device with its monitor (replacing any earlier one): refit it
        from the stored normal period, check its digest, and score what came since. A
        monitor that cannot be refitted, or not to its digest, is refused for the device (and
        not tried again until a new one is fitted): no alarm rests on it."""
        device = record.device
        self.digests[device] = record.digest
        self.streams.pop(device, None)
        self.pending[device] = []  # a replaced monitor's waiting alarms are not its successor's
        self.refused.pop(device, None)
        fitted = None
        try:
            fitted = self._refit(record)
        except REFUSALS as err:
            self.refused[device] = str(err)
        if fitted is None or device in self.refused:
            log.warning("watch: %s not watched: %s", device, self.refused[device])
            return
        graph = self.graphs(record.graph) if record.graph else None
        stream = self.streams[device] = StreamScoring(device, fitted, graph)
        self._recorded[device] = (record.last_raised, record.last_cleared)
        # Readings after the normal period are scored; those inside it are its fit.
        stream.last_seq = self.store.last_seq_before(device, record.end)
        self._catch_up(device)

    def _refit(self, record: MonitorRecord) -> Fitted | None:
        frame = self.store.frame(record.device, record.start, record.end)
        missing = [v for v in record.variables if v not in frame.columns]
        if missing:
            self.refused[record.device] = f"training readings lack {', '.join(missing)}"
            return None
        specs = self.store.specs(record.device)
        fitted = fit_monitor(record.kind, dict(record.params), frame, specs, record.variables)
        if fitted.digest != record.digest:
            # The stored readings no longer give the recorded monitor.
            self.refused[record.device] = "refitted monitor differs from the recorded digest"
        return fitted

    def refresh(self, devices: Sequence[str] | None = None) -> None:
        """Watch monitors fitted (or fitted anew) since the last look, of ``devices`` (None:
        all): a monitor matters once its device sends readings, so the intake asks only for
        the devices of its batch."""
        for record in self.store.monitors(devices):
            if self.digests.get(record.device) != record.digest:
                self._watch(record)

    def after_commit(
        self,
        devices: Iterable[str],
        fresh: Mapping[str, tuple[list[int], list[int], list[Table]]] | None = None,
    ) -> None:
        """Score what ``devices`` sent since their last scored reading; record what is due.
        The first call starts the watcher (:meth:`start`); each looks for new monitors.

        ``fresh`` (the intake's) holds each device's readings just committed by this
        process, as sent (their seqs, times and values: tables of names and rows, one row
        per seq in order): in ``arrival`` mode, when they follow the last reading scored
        without a gap, they are scored as given instead of being read back from the store
        (the same readings in the same order); otherwise the store is read."""
        devices = list(dict.fromkeys(devices))
        with self._lock:
            if not self.started:
                self.start()
            else:
                self.refresh(devices)
            for device in devices:
                if device not in self.streams:
                    continue
                given = fresh.get(device) if fresh and self.mode == "arrival" else None
                if given is None or not self._score_given(device, *given):
                    self._catch_up(device)
            self.flush()

    def _score_given(
        self, device: str, seqs: list[int], times: list[int], tables: list[Table]
    ) -> bool:
        """Score readings just committed when they are exactly the next ones (seq after the
        last scored, no gap); False, scoring nothing, when they are not."""
        stream = self.streams[device]
        block = np.vstack(
            [_columns(names, rows, stream.fitted.variables) for names, rows in tables]
        )
        if seqs != list(range(seqs[0], seqs[0] + len(seqs))):  # not in order already
            order = sorted(range(len(seqs)), key=seqs.__getitem__)
            seqs = [seqs[i] for i in order]
            times = [times[i] for i in order]
            block = block[order]
        first, last = seqs[0], seqs[-1]
        if first != stream.last_seq + 1 or last - first + 1 != len(seqs):
            return False
        found = stream.score(seqs, times, block)
        self.pending[device].extend(f for f in found if not self._already(f))
        return True

    def _catch_up(self, device: str) -> None:
        stream = self.streams[device]
        through = self.store.settled_seq(device) if self.mode == "settled" else None
        while True:
            if through is None:
                seqs, times, values = self.store.readings_after(
                    device, stream.last_seq, stream.fitted.variables, self.BATCH
                )
            elif through <= stream.last_seq:
                return
            else:
                seqs, times, values = self.store.readings_after(
                    device, stream.last_seq, stream.fitted.variables, self.BATCH, through
                )
            if not seqs:
                return
            for finding in stream.score(seqs, times, values):
                if not self._already(finding):
                    self.pending[device].append(finding)
            if len(seqs) < self.BATCH:
                return

    def _already(self, finding: Finding) -> bool:
        """Whether the ledger holds this episode's event already (a restart scores again)."""
        raised, cleared = self._recorded.get(finding.device, (-1, -1))
        return finding.seq <= (raised if finding.kind == "raised" else cleared)

    def flush(self) -> None:
        """Record each waiting alarm whose reading's window is anchored, in order per device.
        One the ledger refuses (another process recorded it first, say) is logged and
        dropped: the rules that refused it keep the episodes in order. In ``settled`` mode
        each device is first scored up to its settled watermark, which anchoring moves."""
        with self._lock:
            if not self.started:
                self.start()
                return
            if self.mode == "settled":
                for device in list(self.streams):
                    self._catch_up(device)
            waiting_on = [device for device, waiting in self.pending.items() if waiting]
            if not waiting_on:
                return
            # One look at how far each device is anchored: an alarm whose reading lies at or
            # past it waits, with no look-up of its window (windows are anchored in order).
            until = self.store.anchored_until(waiting_on)
            if self.record_all is not None and self._record_together(until):
                return
            for device in waiting_on:
                self._record_anchored(device, self.pending[device], until.get(device))

    def _record_together(self, until: Mapping[str, datetime]) -> bool:
        """Record every waiting alarm whose window is anchored with one ``record_all`` (one
        transaction); False, recording nothing, when there are fewer than two or the ledger
        refuses any (then they are recorded one by one, each refusal handled on its own)."""
        ready: list[tuple[Finding, Anchor]] = []
        for device, waiting in self.pending.items():
            anchors = self._anchors(device, waiting, until.get(device))
            # Only the first ones may be anchored: those past them wait.
            for finding, anchor in zip(waiting, anchors, strict=False):
                if anchor is None:
                    break
                ready.append((finding, anchor))
        if len(ready) < 2:
            return False
        assert self.record_all is not None
        try:
            self.record_all(ready)
        except REFUSALS as err:
            log.info("watch: %d alarms not recorded together (%s); one by one", len(ready), err)
            return False
        for finding, _ in ready:
            self.pending[finding.device].remove(finding)
            self._mark(finding)
        return True

    def _anchors(
        self, device: str, waiting: list[Finding], until: datetime | None
    ) -> list[Anchor | None]:
        """The anchored window of each of the first of ``waiting`` whose readings may lie in
        one (taken before ``until``), by the time each reading was taken, looked up together:
        an alarm a second is usual on a line read thousands of times a second."""
        count = 0
        while count < len(waiting) and _anchored(waiting[count], until):
            count += 1
        times = [instant(f.time) for f in waiting[:count]]
        return self.store.anchors_at(device, times) if count else []

    def _record_anchored(self, device: str, waiting: list[Finding], until: datetime | None) -> None:
        for anchor in self._anchors(device, waiting, until):
            if anchor is None:
                return
            finding = waiting.pop(0)
            try:
                self.record(finding, anchor)
            except REFUSALS as err:
                if self._recorded_elsewhere(finding):
                    # Another process scoring the same settled readings recorded it first:
                    # the ledger's ordering rule refused the copy, as it should.
                    log.info("watch: %s alarm at %s recorded already", device, finding.seq)
                else:
                    log.warning("watch: %s alarm at %s not recorded: %s", device, finding.seq, err)
                    continue
            self._mark(finding)

    def _recorded_elsewhere(self, finding: Finding) -> bool:
        """Whether the ledger holds ``finding``'s episode (same monitor, its kind recorded at
        its reading or later): recorded by another process."""
        for record in self.store.monitors([finding.device]):
            done = record.last_raised if finding.kind == "raised" else record.last_cleared
            return record.digest == finding.digest and done >= finding.seq
        return False

    def _mark(self, finding: Finding) -> None:
        raised, cleared = self._recorded.get(finding.device, (-1, -1))
        if finding.kind == "raised":
            self._recorded[finding.device] = (finding.seq, cleared)
        else:
            self._recorded[finding.device] = (raised, finding.seq)


def _anchored(finding: Finding, until: datetime | None) -> bool:
    """Whether ``finding``'s reading may lie in an anchored window: taken before the end of
    its device's newest one (``until``; None: nothing anchored)."""
    return until is not None and instant(finding.time) < until


def command_for(finding: Finding, anchor: Anchor) -> Any:
    """The bus command that records ``finding`` with the window ``anchor`` of its reading."""
    window = (anchor.start, anchor.root, anchor.ledger_index)
    if finding.kind == "cleared":
        return commands.ClearStreamAlarm(
            finding.device, finding.seq, finding.time, finding.first_seq, *window
        )
    return commands.RaiseStreamAlarm(
        finding.device,
        finding.seq,
        finding.time,
        finding.first_seq,
        finding.statistic,
        dict(finding.statistics),
        dict(finding.limits),
        [dict(v) for v in finding.top_variables],
        [dict(v) for v in finding.root_causes],
        finding.digest,
        *window,
    )


# Readings' values as sent: the variables' names, and one row per reading (NaN: no value).
Table = tuple[tuple[str, ...], np.ndarray]


def _columns(names: tuple[str, ...], rows: np.ndarray, variables: Sequence[str]) -> np.ndarray:
    """``rows`` (under ``names``) with the columns of ``variables``, in their order; a
    variable the readings do not name is all NaN."""
    if tuple(variables) == names:
        return rows
    at = {name: i for i, name in enumerate(names)}
    out = np.full((len(rows), len(variables)), np.nan)
    for j, variable in enumerate(variables):
        if variable in at:
            out[:, j] = rows[:, at[variable]]
    return out
