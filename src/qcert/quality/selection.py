"""Choosing a monitor's sizes: lags, principal components and CVA states.

Two ways, both from data only:

- from normal readings alone (:func:`var_order`, :func:`parallel_analysis`,
  :func:`cva_states`): lags from the order of a vector autoregression by the small-sample
  corrected AIC (Hurvich & Tsai 1993, Biometrika 80(4):771-785, multivariate form; the lag
  choice of Russell, Chiang & Braatz 2000 §3), components by parallel analysis (Horn 1965),
  CVA states by Bartlett's sequential test of the canonical correlations (Bartlett 1941,
  Ann. Eugen. 11:177-185);
- with labelled fault runs (readings known to be faulty), over a grid: the sizes whose
  monitor detects the largest mean share of faulty readings at a fixed false-alarm rate on
  normal validation readings. The rate is fixed by cross-validated limits: each limit is the
  ``alpha`` quantile of the statistic on normal readings held out of the fit (so about
  1 − alpha of unseen normal readings alarm whatever the sizes), or, given a normal
  ``validation`` run, by thresholds set on it to the same rate. Among equal scores the
  smaller model, met first in the grid, stays.

``select_monitor("cva", normal, faults)`` with the default grid gives the CVA configuration of
``bench/tep.py`` (lags 2, 20 states on the Tennessee Eastman training runs).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import stats

from .monitoring.inputs import MonitorInputError, autoscale, matrix, windows
from .monitoring.limits import parallel_analysis
from .monitoring.models import canonical_directions, past_future
from .monitoring.monitors import CVAMonitor, DynamicPCAMonitor, Monitor, PCAMonitor

__all__ = [
    "GRIDS",
    "Selection",
    "cva_states",
    "select_monitor",
    "var_order",
]

Array = NDArray[np.float64]
Method = Literal["pca", "dpca", "cva"]

# Grids searched with fault runs; CVA's is the one bench/tep.py has always used.
GRIDS: Mapping[str, Mapping[str, tuple[int, ...]]] = {
    "pca": {"n_components": (2, 3, 4, 5, 6, 8, 10, 12, 15, 20)},
    "dpca": {"lags": (1, 2, 3), "n_components": (5, 10, 15, 20, 25, 30, 40)},
    "cva": {"lags": (0, 1, 2, 3), "n_states": (5, 10, 15, 20, 25, 30, 40, 50)},
}
_BUILD = {"pca": PCAMonitor, "dpca": DynamicPCAMonitor, "cva": CVAMonitor}


@dataclass(frozen=True)
class Selection:
    """The chosen sizes of one kind of monitor, how they were chosen and what they scored.

    ``params``: constructor arguments of the monitor (:meth:`monitor` builds it, unfitted);
    ``criterion``: ``"normal-data"`` or ``"detection"``; ``detection``: the mean detection
    rate (0-1) over the fault runs at the chosen sizes (None without fault runs); ``table``:
    every grid point tried with its mean detection, in grid order.
    """

    method: Method
    params: Mapping[str, Any]
    criterion: str
    detection: float | None = None
    table: tuple[tuple[Mapping[str, Any], float], ...] = ()

    def monitor(self, **overrides: Any) -> Monitor:
        """A new, unfitted monitor with the chosen sizes (``overrides`` replace arguments)."""
        return _BUILD[self.method](**{**self.params, **overrides})  # type: ignore[no-any-return]


def var_order(X: ArrayLike, max_order: int = 5) -> int:
    """Order p (readings) of the vector autoregression of ``X`` with the least corrected AIC.

    ``AICc(p) = N ln|Σ̂_p| + N m (N + k) / (N − k − m − 1)``, k = m p + 1 regressors per
    equation, N readings predicted (the same N for every p), Σ̂_p the residual covariance of
    the least-squares fit on autoscaled readings (Hurvich & Tsai 1993). Orders whose fit
    leaves too few readings are not tried. At least 1.
    """
    Z = autoscale(matrix(X, "X"))[0]
    n, m = Z.shape
    best, order = np.inf, 1
    for p in range(1, max_order + 1):
        N, k = n - max_order, m * p + 1
        if N - k - m - 1 <= 0:
            break
        Y = Z[max_order:]
        R = np.hstack([np.ones((N, 1))] + [Z[max_order - j : n - j] for j in range(1, p + 1)])
        B, *_ = np.linalg.lstsq(R, Y, rcond=None)
        E = Y - R @ B
        _, logdet = np.linalg.slogdet(E.T @ E / N)
        aicc = N * logdet + N * m * (N + k) / (N - k - m - 1)
        if aicc < best:
            best, order = aicc, p
    return order


def cva_states(segments: Sequence[Array] | ArrayLike, lags: int, alpha: float = 0.01) -> int:
    """Number of canonical correlations between past and future windows that are not zero.

    Bartlett's sequential test: the first k for which
    ``−(n − 1 − (2d + 1)/2) Σ_{i>k} ln(1 − c_i²)`` is below the χ² quantile 1 − ``alpha`` with
    (d − k)² degrees of freedom (d past = future dimensions, n windows). ``segments``:
    autoscaled runs of normal readings (or one array of readings, autoscaled here). At least 1.
    """
    if isinstance(segments, np.ndarray) or not isinstance(segments, list | tuple):
        segments = [autoscale(matrix(segments, "X"))[0]]
    P, F = past_future(list(segments), lags)
    correlations, _ = canonical_directions(P, F)
    c = np.clip(correlations, 0.0, 1.0 - 1e-12)
    n, d = P.shape
    for k in range(d):
        statistic = -(n - 1 - (2 * d + 1) / 2) * float(np.sum(np.log(1 - c[k:] ** 2)))
        if statistic < stats.chi2.ppf(1 - alpha, (d - k) ** 2):
            return max(k, 1)
    return d - 1


def _from_normal(method: Method, X: Array, max_lags: int) -> dict[str, Any]:
    if method == "pca":
        return {"n_components": max(parallel_analysis(X), 1)}
    order = var_order(X, max_lags + 1)
    if method == "dpca":
        # DPCA's window must hold the p readings the autoregression needs (Ku et al. 1995).
        Z = autoscale(X)[0]
        return {"lags": order, "n_components": max(parallel_analysis(windows(Z, order)), 1)}
    lags = order - 1  # CVA's past window [z_t … z_{t−lags}] holds p = lags + 1 readings
    return {"lags": lags, "n_states": cva_states(X, lags)}


def _grid(grid: Mapping[str, Iterable[int]]) -> list[dict[str, int]]:
    points: list[dict[str, int]] = [{}]
    for name, values in grid.items():
        points = [{**p, name: int(v)} for p in points for v in values]
    return points


def select_monitor(
    method: Method,
    normal: ArrayLike,
    faults: Sequence[ArrayLike] | Mapping[Any, ArrayLike] | None = None,
    *,
    grid: Mapping[str, Iterable[int]] | None = None,
    alpha: float = 0.99,
    max_lags: int = 4,
    validation: ArrayLike | None = None,
) -> Selection:
    """Sizes of a ``"pca"``, ``"dpca"`` or ``"cva"`` monitor for the readings ``normal``.

    Without ``faults``: from the normal readings alone (see the module). With ``faults``
    (runs of readings, each faulty from its first reading): the point of ``grid`` (default
    :data:`GRIDS`) whose monitor, fitted on ``normal`` with cross-validated ``alpha`` limits,
    has the highest mean share of alarmed readings over the runs (any statistic over its
    limit; a dynamic monitor's first ``lags`` readings of a run are not counted).
    ``validation``: normal readings the monitors are not fitted on (a later normal run); when
    given, each grid point alarms above the ``alpha`` quantile of its largest statistic / limit
    over them instead of at its limits, so every point is judged at the same false-alarm rate,
    1 − ``alpha`` on these readings. ``max_lags``: the largest lag tried from normal readings.
    Errors name the argument.
    """
    if method not in _BUILD:
        raise MonitorInputError(
            "method: must be 'pca', 'dpca' or 'cva'", "method：须为 'pca'、'dpca' 或 'cva'"
        )
    X = matrix(normal, "normal")
    if faults is None:
        return Selection(method, _from_normal(method, X, max_lags), "normal-data")
    runs = [
        matrix(r, "faults") for r in (faults.values() if isinstance(faults, Mapping) else faults)
    ]
    if not runs:
        raise MonitorInputError("faults: no fault run given", "faults：未提供故障数据")
    held = None if validation is None else matrix(validation, "validation")
    table, best = [], (-1.0, {})
    for point in _grid(grid if grid is not None else GRIDS[method]):
        params = {**point, "alpha": alpha, "control_limits": "cross-validated"}
        try:
            monitor = _BUILD[method](**params).fit(normal)
        except MonitorInputError:
            continue  # a size this data cannot carry (more components than it has)
        rate = _detection(monitor, runs, held, alpha)
        table.append((params, rate))
        # Strictly better only: among equals the smaller model, met first, stays.
        if rate > best[0] + 1e-12:
            best = (rate, params)
    if not table:
        raise MonitorInputError("grid: no size fits these data", "grid：没有适合此数据的模型规模")
    criterion = "detection" if held is None else "detection-at-validation-false-alarm-rate"
    return Selection(method, best[1], criterion, best[0], tuple(table))


def _detection(monitor: Monitor, runs: list[Array], held: Array | None, alpha: float) -> float:
    """Mean share of alarmed readings over the fault runs (a run's first ``lags`` not counted):
    at the monitor's limits, or above the ``alpha`` quantile of its ratios on ``held``."""
    lags = monitor.lags
    if held is None:
        return float(np.mean([monitor.score(r).alarm[lags:].mean() for r in runs]))
    threshold = float(np.nanquantile(monitor.score(held).ratio, alpha))
    return float(np.mean([(monitor.score(r).ratio[lags:] > threshold).mean() for r in runs]))
