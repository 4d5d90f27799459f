"""Local mechanism models: each variable explained by its causes in the process graph.

A fault enters a process at one place: a changed feed composition, a warmer cooling-water
supply, a stuck valve, a lost supply pressure. Everywhere else each variable still obeys its
mechanism given its causes, and only the variable at that place stops obeying it. So each
variable gets a model fitted on normal operation,

    x_i(t) ~ x_i(t-1 .. t-L) and x_p(t .. t-L) for every parent p of i in the graph,

and the standardized residual of that model says whose mechanism broke. This is the
structured-residual idea of model-based diagnosis (Gertler 1998, *Fault Detection and
Diagnosis in Engineering Systems*, ch. 6) with the structure taken from the cause-and-effect
graph, and the "changed conditional mechanism" view of root cause (Budhathoki, Minorics,
Blöbaum & Janzing 2022, ICML, "Causal structure-based root cause analysis of outliers").

A deviation that only propagates (a pressure that follows the feed, a valve that answers its
controller) is explained by its parents and leaves a small residual, however large the
variable's own deviation or its contribution to T² and SPE. The squared residuals are
per-variable evidence in the same shape as contributions, for
:func:`qcert.quality.causality.rank_root_causes`.

Models are linear in autoscaled units with a ridge penalty (scikit-learn ``Ridge``); the
residual spread of each is measured on held-out blocks of the normal readings, so a model that
fits its training rows too well is not mistaken for a precise one.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Self

import numpy as np
from numpy.typing import ArrayLike, NDArray
from sklearn.linear_model import Ridge

from qcert.quality.causality import GraphError, ProcessGraph
from qcert.quality.inputs_error import InputError
from qcert.quality.monitoring import persistent

__all__ = ["MechanismModel", "ewma", "first_deviations"]

Array = NDArray[np.float64]


def ewma(Z: ArrayLike, smoothing: float = 0.2) -> Array:
    """Column-wise exponentially weighted moving average, started at 0 (the in-control mean).

    ``Z`` holds readings in autoscaled or standardized units (rows in time order); NaN readings
    count as 0, i.e. as in control. ``smoothing`` is λ in (0, 1] (Montgomery, *Introduction to
    Statistical Quality Control*, 7th ed., §9.2).
    """
    if not 0 < smoothing <= 1:
        raise InputError("smoothing: must be in (0, 1]", "平滑系数 λ 须在 (0, 1] 之内")
    A = np.nan_to_num(np.asarray(Z, dtype=float))
    out = np.empty_like(A)
    level = np.zeros(A.shape[1])
    for i, row in enumerate(A):
        level = smoothing * row + (1 - smoothing) * level
        out[i] = level
    return out


def first_deviations(E: ArrayLike, limits: ArrayLike, start: int, stop: int, run: int = 2) -> Array:
    """Row at which each column of ``E`` first stays beyond ±``limits`` for ``run`` rows.

    Only rows ``start`` to ``stop`` (exclusive) are searched; a column that never does gets
    ``inf``. Rows are readings, so the result is in readings from the first row of ``E``.
    """
    A = np.asarray(E, dtype=float)
    lim = np.broadcast_to(np.asarray(limits, dtype=float), (A.shape[1],))
    if run < 1:
        raise InputError("run: must be at least 1", "连续超限的读数个数须至少为 1")
    start, stop = max(int(start), 0), min(int(stop), A.shape[0])
    over = np.abs(A[start:stop]) > lim
    times = np.full(A.shape[1], np.inf)
    for j in range(A.shape[1]):
        fired = np.flatnonzero(persistent(over[:, j], run))  # last reading of each full run
        if fired.size:
            times[j] = start + int(fired[0]) - run + 1
    return times


class MechanismModel:
    """One linear model per variable on its own past and its graph parents, fitted on normal data.

    ``lags`` (readings): how far back each model looks; it should cover the slowest
    measurement's delay (an analyser's dead time plus its sampling interval). ``ridge``: the
    penalty, in autoscaled units. ``folds``: contiguous held-out blocks for the residual
    spread. ``smoothing`` and ``quantile`` set the deviation limits of :meth:`first_deviations`:
    the ``quantile`` of |EWMA| of the held-out residuals.
    """

    def __init__(
        self,
        graph: ProcessGraph,
        *,
        lags: int = 4,
        ridge: float = 1.0,
        folds: int = 5,
        smoothing: float = 0.2,
        quantile: float = 0.999,
    ) -> None:
        if not isinstance(lags, int) or lags < 1:
            raise InputError("lags: must be an integer >= 1", "--lags 须为不小于 1 的整数")
        if not ridge >= 0:
            raise InputError("ridge: must be >= 0", "岭回归惩罚系数须不小于 0")
        if not isinstance(folds, int) or folds < 2:
            raise InputError("folds: must be an integer >= 2", "留出块数须为不小于 2 的整数")
        if not 0 < quantile < 1:
            raise InputError("quantile: must be in (0, 1)", "偏离限的分位数须大于 0 且小于 1")
        if not 0 < smoothing <= 1:
            raise InputError("smoothing: must be in (0, 1]", "平滑系数 λ 须在 (0, 1] 之内")
        self.graph = graph
        self.lags = lags
        self.ridge = ridge
        self.folds = folds
        self.smoothing = smoothing
        self.quantile = quantile

    def fit(self, X: ArrayLike, columns: Sequence[str] | None = None) -> Self:
        """Fit every variable's model on normal readings ``X`` (rows in time order).

        ``columns``: the graph ids of ``X``'s columns (default: the graph's data columns in
        order). Parents without a column are unmeasured and left out of the models.
        """
        ids = tuple(self.graph.by_column() if columns is None else columns)
        for vid in ids:
            if vid not in self.graph.ids:
                raise GraphError(
                    f"columns: unknown variable {vid!r}", f"过程因果图中没有变量 {vid!r}"
                )
        if len(set(ids)) != len(ids):
            raise InputError("columns: must not repeat a variable", "变量列不能重复")
        A = self._matrix(X, len(ids))
        self.columns_ = ids
        self.mean_ = A.mean(axis=0)
        self.scale_ = A.std(axis=0, ddof=1)
        if np.any(self.scale_ == 0):
            constant = ids[int(np.flatnonzero(self.scale_ == 0)[0])]
            raise InputError(
                f"X: variable {constant!r} is constant in the normal readings",
                f"变量 {constant!r} 在正常运行数据（--normal）中恒定不变",
            )
        column = {vid: i for i, vid in enumerate(ids)}
        self.parents_ = tuple(
            tuple(column[p] for p in self.graph.parents(vid) if p in column) for vid in ids
        )
        widest = max(self.lags + (self.lags + 1) * len(p) for p in self.parents_)
        needed = self.lags + max(2 * widest, 2 * self.folds)  # two readings per term
        if A.shape[0] < needed:
            raise InputError(
                f"X: needs at least {needed} readings to fit {widest} terms per model "
                f"with {self.folds} held-out blocks, got {A.shape[0]}",
                f"正常运行数据（--normal）至少需要 {needed} 条读数，才能在 {self.folds} 个留出块下"
                f"拟合每个模型的 {widest} 项，实际只有 {A.shape[0]} 条",
            )
        Z = (A - self.mean_) / self.scale_
        self.models_: list[Ridge] = []
        spreads, held_out = [], []
        for i in range(len(ids)):
            D, y = self._design(Z, i)
            block = np.arange(y.size) * self.folds // y.size
            residual = np.empty_like(y)
            for k in range(self.folds):
                out = block == k
                fitted = Ridge(alpha=self.ridge).fit(D[~out], y[~out])
                residual[out] = y[out] - fitted.predict(D[out])
            self.models_.append(Ridge(alpha=self.ridge).fit(D, y))
            spreads.append(float(residual.std(ddof=1)))
            held_out.append(residual)
        self.spread_ = np.asarray(spreads)
        R = np.column_stack(held_out) / self.spread_
        self.limits_ = np.quantile(np.abs(ewma(R, self.smoothing)), self.quantile, axis=0)
        return self

    def residuals(self, X: ArrayLike) -> Array:
        """Standardized residual of each variable's model at each reading (n x m).

        In units of the model's held-out residual spread; the first ``lags`` rows, which have
        no full past, are NaN.
        """
        self._fitted()
        Z = (self._matrix(X, len(self.columns_), fitting=False) - self.mean_) / self.scale_
        out = np.full(Z.shape, np.nan)
        if Z.shape[0] <= self.lags:
            return out
        for i, model in enumerate(self.models_):
            D, y = self._design(Z, i)
            out[self.lags :, i] = (y - model.predict(D)) / self.spread_[i]
        return out

    def contributions(self, X: ArrayLike) -> Array:
        """Squared standardized residuals (n x m): per-variable evidence of a broken mechanism."""
        return self.residuals(X) ** 2

    def first_deviations(self, X: ArrayLike, start: int, stop: int, run: int = 2) -> Array:
        """Reading at which each variable's mechanism first stays broken for ``run`` readings.

        EWMA (λ = ``smoothing``) of the standardized residuals against the fitted limits,
        searched from reading ``start`` to ``stop`` (exclusive) of ``X``; ``inf`` if never.
        """
        E = ewma(self.residuals(X), self.smoothing)
        return first_deviations(E, self.limits_, start, stop, run)

    # ------------------------------------------------------------------ helpers

    def _design(self, Z: Array, i: int) -> tuple[Array, Array]:
        n, L = Z.shape[0], self.lags
        own = [Z[L - k : n - k, i] for k in range(1, L + 1)]
        causes = [Z[L - k : n - k, p] for p in self.parents_[i] for k in range(L + 1)]
        return np.column_stack(own + causes), Z[L:, i]

    def _matrix(self, X: ArrayLike, m: int, fitting: bool = True) -> Array:
        A = np.asarray(X, dtype=float)
        if A.ndim != 2 or A.shape[1] != m:
            raise InputError(
                f"X: must be a 2-D array with {m} columns, one per variable",
                f"读数须为二维表，共 {m} 列，每个变量一列",
            )
        if not np.all(np.isfinite(A)):
            raise InputError("X: readings must be finite numbers", "读数须为有限数")
        if fitting and A.shape[0] < 2:
            raise InputError("X: needs at least 2 readings", "至少需要 2 条读数")
        return A

    def _fitted(self) -> None:
        if not hasattr(self, "models_"):
            raise RuntimeError("model: call fit() on normal readings first")

    def __repr__(self) -> str:
        return (
            f"MechanismModel({self.graph.name!r}, lags={self.lags}, ridge={self.ridge}, "
            f"folds={self.folds})"
        )
