"""Scoring readings as they arrive: alarms with persistence, and the events they raise.

:class:`StreamingScorer` keeps what scoring the next readings needs (the last ``lags``
readings for a dynamic monitor, the length of the current run of exceedances, whether an
alarm is up) and scores one reading (:meth:`~StreamingScorer.update`) or a block of readings
in time order (:meth:`~StreamingScorer.update_many`) with the same result.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .inputs import MonitorInputError, check_names, check_width, matrix, windows
from .monitors import Monitor
from .scores import Scores

__all__ = [
    "AlarmCleared",
    "AlarmRaised",
    "Block",
    "Reading",
    "StreamingScorer",
    "alarm_events",
    "first_alarm",
]

Array = NDArray[np.float64]


@dataclass(frozen=True)
class AlarmRaised:
    """An alarm was raised: ``persistence`` consecutive readings exceeded a control limit.

    ``index`` is the reading at which the rule fired, ``first_exceedance`` the first reading of
    that run; ``statistics`` and ``limits`` are the values at ``index``. Event name
    ``monitoring.alarm_raised``.
    """

    name = "monitoring.alarm_raised"
    index: int
    first_exceedance: int
    statistics: Mapping[str, float]
    limits: Mapping[str, float]


@dataclass(frozen=True)
class AlarmCleared:
    """A raised alarm ended: reading ``index`` was back within all limits. Event name
    ``monitoring.alarm_cleared``."""

    name = "monitoring.alarm_cleared"
    index: int
    raised_at: int


def alarm_events(scores: Scores, persistence: int = 1) -> list[AlarmRaised | AlarmCleared]:
    """The alarm events a :class:`StreamingScorer` would emit for the same readings."""
    return _events(scores.statistics, scores.limits, scores.alarms(persistence), persistence)


def _events(
    statistics: Mapping[str, Array],
    limits: Mapping[str, float],
    alarm: NDArray[np.bool_],
    persistence: int,
    *,
    offset: int = 0,
    raised_at: int = -1,
) -> list[AlarmRaised | AlarmCleared]:
    """Events at the changes of ``alarm``, starting from the state ``raised_at`` (−1: none up).

    Indices are shifted by ``offset``; the loop runs over the changes only, not the readings.
    """
    events: list[AlarmRaised | AlarmCleared] = []
    changes = np.flatnonzero(np.diff(np.r_[raised_at >= 0, alarm].astype(np.int8)))
    for i in changes:
        at = offset + int(i)
        if alarm[i]:
            raised_at = at
            values = {k: float(v[i]) for k, v in statistics.items()}
            events.append(AlarmRaised(at, at - persistence + 1, values, dict(limits)))
        else:
            events.append(AlarmCleared(at, raised_at))
    return events


def first_alarm(scores: Scores, persistence: int = 3, start: int = 0) -> int | None:
    """First reading at or after ``start`` that opens ``persistence`` readings in a row over a
    limit (the run's first exceedance, never before ``start``); None when there is none.

    The reading the streaming scorer's :class:`AlarmRaised` names as ``first_exceedance``.
    """
    hits = np.flatnonzero(scores.alarms(persistence)[start:])
    if not hits.size:
        return None
    return start + max(int(hits[0]) - persistence + 1, 0)


@dataclass(frozen=True)
class Reading:
    """What :meth:`StreamingScorer.update` says about one new reading."""

    index: int
    statistics: Mapping[str, float]
    exceeded: bool
    alarm: bool
    event: AlarmRaised | AlarmCleared | None = None


@dataclass(frozen=True)
class Block:
    """What :meth:`StreamingScorer.update_many` says about a block of readings.

    ``first_index`` is the stream index of the block's first reading; ``statistics`` hold one
    value per reading (NaN while a dynamic monitor's window is filling); ``exceeded`` and
    ``alarm`` one flag per reading; ``events`` the alarm events in order.
    """

    first_index: int
    statistics: Mapping[str, Array]
    exceeded: NDArray[np.bool_]
    alarm: NDArray[np.bool_]
    events: tuple[AlarmRaised | AlarmCleared, ...]

    def __len__(self) -> int:
        return int(self.alarm.shape[0])

    def reading(self, i: int) -> Reading:
        """The :class:`Reading` that :meth:`StreamingScorer.update` gives for row ``i``."""
        at = self.first_index + i
        event = next((e for e in self.events if e.index == at), None)
        values = {k: float(v[i]) for k, v in self.statistics.items()}
        return Reading(at, values, bool(self.exceeded[i]), bool(self.alarm[i]), event)


class StreamingScorer:
    """Scores readings as they arrive and raises alarms with persistence.

    An alarm is raised when ``persistence`` consecutive readings exceed a limit and cleared at
    the first reading within all limits; the statistics equal those of ``monitor.score`` on
    the same readings. :meth:`update_many` scores a block with array operations, O(n·d·a) for
    n readings of d = m·(lags+1) window values and a components (O(n·d²) for CVA), and
    carries the window and the run of exceedances over to the next call; one call with a
    block gives what :meth:`update` gives reading by reading.
    """

    def __init__(self, monitor: Monitor, persistence: int = 3) -> None:
        if not hasattr(monitor, "model_"):
            raise MonitorInputError(
                "monitor: call fit() on normal-operation data first",
                "监控模型：请先用正常运行数据调用 fit()",
            )
        if persistence < 1:
            raise MonitorInputError(
                "persistence: must be at least 1 reading", "persistence：至少为 1 条读数"
            )
        self.monitor, self.persistence = monitor, persistence
        self._tail = np.empty((0, monitor.n_features_in_))  # last `lags` autoscaled readings
        self._index, self._run, self._raised_at = -1, 0, -1

    def update(self, reading: ArrayLike) -> Reading:
        """Score one reading (one value per variable, in the fitted column order)."""
        x = np.asarray(reading, dtype=float).reshape(-1)
        if x.size != self.monitor.n_features_in_ or not np.all(np.isfinite(x)):
            raise MonitorInputError(
                f"reading: needs {self.monitor.n_features_in_} finite values, got {x.size}",
                f"reading：需要 {self.monitor.n_features_in_} 个有限数值，实际 {x.size} 个",
            )
        return self.update_many(x.reshape(1, -1)).reading(0)

    def update_many(self, block: ArrayLike) -> Block:
        """Score readings in time order (rows; columns in the fitted order), as repeated
        :meth:`update` would, and keep the state for the next call."""
        monitor = self.monitor
        A = matrix(block, "block")
        check_width(A, monitor.n_features_in_, "block", type(monitor).__name__)
        check_names(block, getattr(monitor, "feature_names_in_", None), "block")
        n, lags = A.shape[0], monitor.lags
        Z = np.vstack([self._tail, (A - monitor.mean_) / monitor.scale_])
        held = self._tail.shape[0]
        unscored = max(lags - held, 0)  # rows of this block still filling the first window
        values = {k: np.full(n, math.nan) for k in monitor.limits_}
        if n > unscored:
            computed = monitor.model_.statistics(windows(Z[held + unscored - lags :], lags))
            for k, v in computed.items():
                values[k][unscored:] = v
        with np.errstate(invalid="ignore"):
            exceeded = np.logical_or.reduce(
                [
                    np.nan_to_num(values[k], nan=-np.inf) > limit
                    for k, limit in monitor.limits_.items()
                ]
            )
        run = _runs(exceeded, self._run)
        alarm = run >= self.persistence
        events = _events(
            values, monitor.limits_, alarm, self.persistence,
            offset=self._index + 1, raised_at=self._raised_at,
        )  # fmt: skip
        first = self._index + 1
        self._index += n
        if n:
            self._run = int(run[-1])
            self._tail = Z[-lags:] if lags else Z[:0]
        for e in events:
            self._raised_at = e.index if isinstance(e, AlarmRaised) else -1
        return Block(first, values, exceeded, alarm, tuple(events))


def _runs(exceeded: NDArray[np.bool_], carried: int) -> NDArray[np.int_]:
    """Length of the run of exceedances ending at each reading, continuing ``carried``."""
    idx = np.arange(exceeded.shape[0])
    last_within = np.maximum.accumulate(np.where(exceeded, -1, idx))
    run = idx - last_within
    return np.where(last_within < 0, run + carried, run)
