"""How well a monitor does, as numbers: for reports and for scikit-learn's model selection.

The metrics take a monitor's :class:`~qcert.quality.monitoring.scores.Scores` and, where
needed, one label per reading (0 = normal, anything else = faulty); readings a dynamic monitor
cannot score are left out. :func:`make_monitor_scorer` turns a metric into a scorer
``scorer(estimator, X, y)`` for ``GridSearchCV(scoring=...)`` or ``cross_validate``, the
larger the better (rates of false alarms and delays are negated, as scikit-learn's ``neg_``
scorers are):

    GridSearchCV(PCAMonitor(), {"n_components": [2, 3, 4]},
                 scoring=make_monitor_scorer("detection_at_false_alarm_rate", rate=0.01),
                 cv=detection_splits(y, 3)).fit(X, y)

Fault detection is judged by detection rate at a stated false-alarm rate (Chiang, Russell &
Braatz 2001, ch. 8; Russell, Chiang & Braatz 2000 §4), which compares monitors whose limits
are not equally tight.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .inputs import MonitorInputError
from .scores import Scores

__all__ = [
    "MonitorScorer",
    "detection_at_false_alarm_rate",
    "detection_delay",
    "detection_rate",
    "detection_splits",
    "false_alarm_rate",
    "make_monitor_scorer",
]

Metric = Literal[
    "false_alarm_rate", "detection_rate", "detection_at_false_alarm_rate", "detection_delay"
]


def _labels(scores: Scores, y: ArrayLike | None, needed: bool) -> NDArray[np.bool_]:
    """True for faulty readings; all False without labels, when that is allowed."""
    n = scores.alarm.shape[0]
    if y is None:
        if needed:
            raise MonitorInputError(
                "y: labelled readings (0 = normal, 1 = faulty) are needed for this metric",
                "y：此指标需要带标签的读数（0 = 正常，1 = 故障）",
            )
        return np.zeros(n, dtype=bool)
    labels = np.asarray(y).reshape(-1)
    if labels.shape[0] != n:
        raise MonitorInputError(
            f"y: has {labels.shape[0]} labels for {n} readings",
            f"y：{labels.shape[0]} 个标签对 {n} 条读数",
        )
    return labels != 0


def _scored(scores: Scores) -> NDArray[np.bool_]:
    return np.isfinite(scores.ratio)


def false_alarm_rate(scores: Scores, y: ArrayLike | None = None, persistence: int = 1) -> float:
    """Share of the normal readings (label 0, or all without labels) in alarm (0-1)."""
    normal = _scored(scores) & ~_labels(scores, y, needed=False)
    return float(scores.alarms(persistence)[normal].mean()) if normal.any() else float("nan")


def detection_rate(scores: Scores, y: ArrayLike, persistence: int = 1) -> float:
    """Share of the faulty readings (label not 0) in alarm (0-1)."""
    faulty = _scored(scores) & _labels(scores, y, needed=True)
    return float(scores.alarms(persistence)[faulty].mean()) if faulty.any() else float("nan")


def detection_at_false_alarm_rate(scores: Scores, y: ArrayLike, rate: float = 0.01) -> float:
    """Detection rate (0-1) when the alarm threshold is set so that a share ``rate`` of the
    normal readings is in alarm.

    The threshold is the (1 − rate) quantile, over the normal readings, of each reading's
    largest statistic / limit (:attr:`Scores.ratio`); a faulty reading is detected when its
    ratio is above it.
    """
    if not 0 < rate < 1:
        raise MonitorInputError("rate: must be between 0 and 1", "rate：须在 0 与 1 之间")
    faulty, scored = _labels(scores, y, needed=True), _scored(scores)
    normal, faulty = scored & ~faulty, scored & faulty
    if not normal.any() or not faulty.any():
        return float("nan")
    threshold = np.quantile(scores.ratio[normal], 1 - rate)
    return float(np.mean(scores.ratio[faulty] > threshold))


def detection_delay(scores: Scores, y: ArrayLike, persistence: int = 1) -> float:
    """Readings from the first faulty reading to the first alarm at or after it.

    The number of readings left when no alarm follows (the fault went undetected in the data).
    """
    faulty = _labels(scores, y, needed=True)
    if not faulty.any():
        return float("nan")
    start = int(np.argmax(faulty))
    hits = np.flatnonzero(scores.alarms(persistence)[start:])
    return float(hits[0]) if hits.size else float(faulty.shape[0] - start)


def detection_splits(
    y: ArrayLike, n_splits: int = 3
) -> list[tuple[NDArray[np.int_], NDArray[np.int_]]]:
    """Cross-validation splits for readings stacked in time order with labels ``y``.

    The readings are cut into ``n_splits`` contiguous blocks; each block is tested on whole,
    and the monitor is fitted on the normal readings (label 0) of the other blocks only, so a
    fault run never enters a fit. For ``GridSearchCV(cv=...)`` and ``cross_validate``.
    """
    labels = np.asarray(y).reshape(-1)
    if n_splits < 2 or n_splits > labels.shape[0]:
        raise MonitorInputError(
            f"n_splits: must be between 2 and {labels.shape[0]}",
            f"n_splits：须在 2 与 {labels.shape[0]} 之间",
        )
    edges = np.linspace(0, labels.shape[0], n_splits + 1).astype(int)
    index = np.arange(labels.shape[0])
    splits = []
    for lo, hi in itertools.pairwise(edges):
        outside = (index < lo) | (index >= hi)
        splits.append((index[outside & (labels == 0)], index[lo:hi]))
    return splits


_METRICS = {
    "false_alarm_rate": (false_alarm_rate, -1.0),
    "detection_rate": (detection_rate, 1.0),
    "detection_at_false_alarm_rate": (detection_at_false_alarm_rate, 1.0),
    "detection_delay": (detection_delay, -1.0),
}


@dataclass(frozen=True)
class MonitorScorer:
    """``scorer(estimator, X, y)``: a metric of ``estimator.score(X)``, larger is better.

    ``estimator`` is a fitted monitor or a ``Pipeline`` ending in one. Picklable, so a grid
    search may run in several processes.
    """

    metric: Metric
    options: tuple[tuple[str, Any], ...] = ()

    def __call__(self, estimator: Any, X: ArrayLike, y: ArrayLike | None = None) -> float:
        function, sign = _METRICS[self.metric]
        scores = estimator.score(X)
        return sign * function(scores, y, **dict(self.options))


def make_monitor_scorer(metric: Metric, **options: Any) -> MonitorScorer:
    """A scorer for ``GridSearchCV(scoring=...)`` from a metric's name and its options
    (``persistence=`` for the rates and delay, ``rate=`` for detection at a false-alarm rate).

    ``false_alarm_rate`` and ``detection_delay`` are negated so that larger is better.
    """
    if metric not in _METRICS:
        raise MonitorInputError(
            f"metric: must be one of {', '.join(_METRICS)}",
            f"metric：须为 {', '.join(_METRICS)} 之一",
        )
    return MonitorScorer(metric, tuple(sorted(options.items())))
