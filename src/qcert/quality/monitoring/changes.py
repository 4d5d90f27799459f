"""When a deviation started: change points of a series, and the onset behind an alarm."""

from __future__ import annotations

import math
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike

__all__ = ["change_points", "onset"]


def change_points(
    signal: ArrayLike,
    *,
    penalty: float | None = None,
    min_size: int = 5,
    kernel: Literal["linear", "rbf"] = "linear",
) -> tuple[int, ...]:
    """Indices where a new segment starts, by penalised optimal partitioning (PELT).

    ``signal`` is one series or readings x variables. With the linear kernel the cost is the
    within-segment sum of squares (changes in mean); ``"rbf"`` detects changes in distribution.
    Each column is divided by a robust estimate of its noise, σ = MAD(Δx) / (0.6745 √2), and
    the default penalty is the BIC one, (d + 1) ln n per change for d columns (Killick,
    Fearnhead & Eckley 2012, JASA 107:1590-1598; Schwarz 1978). Uses ``ruptures``
    (Truong, Oudre & Vayatis 2020).
    """
    x = np.asarray(signal, dtype=float)
    x = x.reshape(-1, 1) if x.ndim == 1 else x
    if x.ndim != 2 or not np.all(np.isfinite(x)):
        raise ValueError("signal: must be a finite 1-D or 2-D array")
    n, d = x.shape
    if n < 2 * min_size:
        return ()
    noise = np.median(np.abs(np.diff(x, axis=0) - np.median(np.diff(x, axis=0), axis=0)), axis=0)
    noise = noise / (0.6745 * math.sqrt(2.0))
    x = (x - x.mean(axis=0)) / np.where(noise > 0, noise, 1.0)
    pen = (d + 1) * math.log(n) if penalty is None else penalty
    # Imported here: ruptures brings in much of SciPy, which fitting and watching a monitor
    # (the demo's build, the server's watcher) never use.
    import ruptures

    ends = ruptures.KernelCPD(kernel=kernel, min_size=min_size).fit(x).predict(pen=pen)
    return tuple(int(e) for e in ends[:-1])


def onset(
    statistic: ArrayLike,
    alarm_index: int,
    *,
    after: int = 20,
    penalty: float | None = None,
    min_size: int = 5,
) -> int | None:
    """When the deviation behind an alarm started: the start of the segment holding the alarm.

    Change points (:func:`change_points`) of log(statistic) over the readings up to
    ``alarm_index + after`` (the log brings the chi-square-like statistic closer to Gaussian);
    the last change point at or before the alarm is the onset. The ``after`` readings past the
    alarm (as many as exist) let the alarm's segment reach its full length, so the estimate is
    not pulled to the alarm itself. None when there is no change point before the alarm.
    Unscored readings (NaN) are skipped; indices refer to the original series.
    """
    if alarm_index < 0 or after < 0:
        raise ValueError("alarm_index: must be 0 or more, and after too")
    values = np.asarray(statistic, dtype=float)[: alarm_index + after + 1]
    scored = np.flatnonzero(np.isfinite(values))
    if scored.size == 0:
        return None
    series = np.log(np.maximum(values[scored], np.finfo(float).tiny))
    points = [int(scored[p]) for p in change_points(series, penalty=penalty, min_size=min_size)]
    before = [p for p in points if p <= alarm_index]
    return before[-1] if before else None
