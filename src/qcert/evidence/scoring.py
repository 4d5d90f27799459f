"""Scoring one device's readings as they arrive: findings (alarms raised and cleared) with the
variables that carry them and, on a process graph, their likely root causes.

:class:`StreamScoring` carries one device's :class:`~qcert.quality.monitoring.StreamingScorer`
between calls, in sequence order: an alarm is raised when ``persistence`` consecutive readings
exceed a control limit and cleared at the first reading within all limits. Each alarm names
the statistic furthest beyond its limit, the variables that carry it (reconstruction-based
contributions, Alcala & Qin 2009, averaged over the readings that raised it) and, when the
monitor names a process graph, the ranked root causes
(:func:`~qcert.quality.causality.rank_root_causes`). What becomes of a finding (waiting for its
window, recorded on the ledger) is the watcher's (:mod:`qcert.evidence.watch`).
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

import numpy as np

from ..quality.causality import ProcessGraph, rank_root_causes
from .monitors import Fitted

__all__ = ["TOP", "Finding", "StreamScoring", "instant"]

TOP = 5  # variables and root causes an alarm names
# Readings kept to say when each variable started to deviate before an alarm.
HISTORY = 120
DEVIATION = 3.0  # σ of its EWMA: a variable whose EWMA lies beyond it has deviated
EWMA = 0.2  # λ of that EWMA (Montgomery 7th ed. §9.2 suggests 0.05-0.25)


@dataclass(frozen=True)
class Finding:
    """An alarm raised or cleared at reading ``seq`` (taken at ``time``, UTC) of ``device``.

    For a raised alarm: ``first_seq`` is the first reading of the run that raised it,
    ``statistic`` the statistic furthest beyond its limit, ``statistics``/``limits`` the values
    at ``seq`` (dimensionless), ``top_variables`` ``[{"variable", "contribution", "share"}]``
    (mean reconstruction-based contribution over the run, its share of their sum) and
    ``root_causes`` ``[{"variable", "score"}]`` (empty without a process graph). For a cleared
    alarm: ``first_seq`` is the reading that raised it.
    """

    kind: Literal["raised", "cleared"]
    device: str
    seq: int
    time: datetime
    first_seq: int
    statistic: str = ""
    statistics: Mapping[str, float] = field(default_factory=dict)
    limits: Mapping[str, float] = field(default_factory=dict)
    top_variables: tuple[Mapping[str, Any], ...] = ()
    root_causes: tuple[Mapping[str, Any], ...] = ()
    digest: str = ""  # the monitor's


class StreamScoring:
    """One device's scorer: readings in, findings out, state carried between calls.

    Rows with a value missing are skipped (a monitor scores complete readings only) and
    counted in ``skipped``.
    """

    def __init__(
        self, device: str, fitted: Fitted, graph: ProcessGraph | None = None, top: int = TOP
    ) -> None:
        # Imported here, not at the top: scikit-learn and scipy.stats come with it, which
        # every process that loads the bus (each command, each consumer) would pay at start.
        from ..quality.monitoring import StreamingScorer

        self.device, self.fitted, self.graph, self.top = device, fitted, graph, top
        self.monitor = fitted.monitor
        self.scorer = StreamingScorer(self.monitor, persistence=fitted.persistence)
        self._keep = max(HISTORY, self.monitor.lags + fitted.persistence)
        self._recent: deque[tuple[int, datetime | int, np.ndarray]] = deque(maxlen=self._keep)
        self.last_seq = -1
        self.skipped = 0
        self.open_seq: int | None = None

    def score(
        self, seqs: Sequence[int], times: Sequence[datetime | int], values: np.ndarray
    ) -> list[Finding]:
        """Score readings (``values``: n x variables, the fitted column order; ``times``:
        aware instants or µs since the epoch) in sequence order; readings at or before the
        last one scored are ignored."""
        if not len(seqs):
            return []
        order = np.asarray(seqs, dtype=np.int64)
        # A reading counts when its seq is beyond every one before it (the last scored too).
        before_it = np.maximum.accumulate(np.concatenate(([self.last_seq], order[:-1])))
        new = order > before_it
        self.last_seq = max(self.last_seq, int(order.max()))
        block = np.asarray(values, dtype=float).reshape(len(order), -1)
        complete = np.isfinite(block).all(axis=1)
        self.skipped += int(np.count_nonzero(new & ~complete))
        rows = np.flatnonzero(new & complete)
        if not rows.size:
            return []
        kept = block[rows]
        before = list(self._recent)

        def seen_through(offset: int, count: int) -> list[tuple[int, datetime | int, np.ndarray]]:
            # the last `count` readings as they stood when an event fired
            first = max(0, offset + 1 - count)
            tail = [(int(order[i]), times[i], block[i]) for i in rows[first : offset + 1]]
            return (before[-count:] + tail)[-count:]

        # What an alarm reads of the readings before it: the raising run and the monitor's
        # lags (its contributions), or the whole history (where the line's graph says when
        # each variable started to deviate); a cleared alarm only the reading that cleared it.
        raising = (
            self._keep if self.graph is not None else self.fitted.persistence + self.monitor.lags
        )
        found = []
        for offset, event in self._events(kept):
            if event.name.endswith("raised"):
                found.append(self._raised(event, seen_through(offset, raising)))
            else:
                found.append(self._cleared(seen_through(offset, 1)))
        self._recent.extend((int(order[i]), times[i], block[i]) for i in rows[-self._keep :])
        return found

    def _events(self, block: np.ndarray) -> list[tuple[int, Any]]:
        """The scorer's alarm events over ``block`` (complete readings in order), each with
        its row in the block: one vectorised call (``update_many``, equal to repeated
        ``update``)."""
        scored = self.scorer.update_many(block)
        return [(e.index - scored.first_index, e) for e in scored.events]

    def _raised(self, event: Any, seen: list[tuple[int, Any, np.ndarray]]) -> Finding:
        seq, time, _ = seen[-1]
        time = instant(time)
        statistics = {k: float(v) for k, v in event.statistics.items()}
        limits = dict(self.fitted.limits)
        statistic = max(limits, key=lambda k: statistics[k] / limits[k] if limits[k] else 0.0)
        contributions = self._contributions(statistic, seen)
        top = self._top(contributions)
        causes = self._causes(contributions, seen) if self.graph is not None else ()
        self.open_seq = seq
        first = seen[-self.fitted.persistence][0]
        return Finding(
            "raised",
            self.device,
            seq,
            time,
            first,
            statistic,
            statistics,
            limits,
            top,
            causes,
            self.fitted.digest,
        )

    def _cleared(self, seen: list[tuple[int, Any, np.ndarray]]) -> Finding:
        seq, time, _ = seen[-1]
        time = instant(time)
        raised = self.open_seq if self.open_seq is not None else seq
        self.open_seq = None
        return Finding("cleared", self.device, seq, time, raised, digest=self.fitted.digest)

    def _contributions(
        self, statistic: str, seen: list[tuple[int, datetime, np.ndarray]]
    ) -> np.ndarray:
        """Mean reconstruction-based contribution of each variable over the raising run."""
        p, lags = self.fitted.persistence, self.monitor.lags
        rows = np.vstack([r[2] for r in seen[-(p + lags) :]])
        rbc = self.monitor.reconstruction_contributions(rows, statistic)
        finite = rbc[np.all(np.isfinite(rbc), axis=1)]
        return finite.mean(axis=0) if finite.size else np.zeros(rows.shape[1])

    def _top(self, contributions: np.ndarray) -> tuple[Mapping[str, Any], ...]:
        total = float(contributions.sum())
        order = np.argsort(-contributions, kind="stable")[: self.top]
        return tuple(
            {
                "variable": self.fitted.variables[i],
                "contribution": _rounded(contributions[i]),
                "share": _rounded(contributions[i] / total if total > 0 else 0.0),
            }
            for i in order
        )

    def _causes(
        self, contributions: np.ndarray, seen: list[tuple[int, datetime, np.ndarray]]
    ) -> tuple[Mapping[str, Any], ...]:
        """Root causes ranked on the process graph, over the variables it names."""
        assert self.graph is not None
        names = [v for v in self.fitted.variables if v in self.graph.ids]
        if not names:
            return ()
        index = [self.fitted.variables.index(v) for v in names]
        recent = np.vstack([r[2] for r in seen])
        z = ((recent - self.monitor.mean_) / self.monitor.scale_)[:, index]
        first = [float(t) for t in _excursion_starts(z)]
        ranked = rank_root_causes(contributions[index], first, self.graph, names)
        return tuple(
            {"variable": c.variable, "score": _rounded(c.score)} for c in ranked[: self.top]
        )


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def instant(time: datetime | int) -> datetime:
    """A reading's time as an aware instant (µs since the epoch are converted exactly)."""
    if isinstance(time, datetime):
        return time
    return _EPOCH + timedelta(microseconds=int(time))


def _excursion_starts(z: np.ndarray) -> np.ndarray:
    """Per column of autoscaled readings ``z`` (oldest first), the reading at which its EWMA
    (λ = 0.2) last went beyond ±3σ of the EWMA and stayed there to the newest reading; inf for
    a column within its limits at the newest reading. An EWMA rather than single readings, so
    one noisy reading does not count as the start of a deviation (Montgomery, 7th ed., §9.2:
    σ of the EWMA is √(λ/(2−λ)) in σ of a reading)."""
    limit = DEVIATION * math.sqrt(EWMA / (2 - EWMA))
    smoothed = np.zeros_like(z)
    level = np.zeros(z.shape[1])
    for i, row in enumerate(z):
        level = EWMA * row + (1 - EWMA) * level
        smoothed[i] = level
    beyond = np.abs(smoothed) > limit
    starts = np.full(z.shape[1], math.inf)
    for j in range(z.shape[1]):
        if beyond[-1, j]:
            within = np.flatnonzero(~beyond[:, j])
            starts[j] = float(within[-1] + 1) if within.size else 0.0
    return starts


def _rounded(value: float) -> float:
    """A figure as an event records it: 6 significant digits (the statistics' precision)."""
    return float(f"{float(value):.6g}")
