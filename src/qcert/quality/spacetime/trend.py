"""Monotonic trend of one series: the Mann-Kendall test and Sen's slope."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy import stats

from ..inputs_error import InputError

__all__ = ["MannKendall", "mann_kendall"]


@dataclass(frozen=True)
class MannKendall:
    """Mann-Kendall trend test of a series observed at equally spaced times.

    ``s``: the statistic S; ``var_s``: its variance under no trend, corrected for ties;
    ``z``: the continuity-corrected normal score; ``p``: two-sided p-value; ``tau``:
    Kendall's tau-a, S / (n (n - 1) / 2); ``slope``: Sen's slope in series units per time
    step.
    """

    n: int
    s: int
    var_s: float
    z: float
    p: float
    tau: float
    slope: float

    def increasing(self, alpha: float = 0.05) -> bool:
        """A significant upward trend at level ``alpha`` (two-sided test)."""
        return self.s > 0 and self.p < alpha

    def decreasing(self, alpha: float = 0.05) -> bool:
        """A significant downward trend at level ``alpha`` (two-sided test)."""
        return self.s < 0 and self.p < alpha


def mann_kendall(series: ArrayLike) -> MannKendall:
    """Mann-Kendall test of ``series`` (one value per time step, oldest first).

    Gilbert (1987), Statistical Methods for Environmental Pollution Monitoring, §16.4
    (after Mann 1945, Econometrica 13, 245-259; Kendall 1975, Rank Correlation Methods):

        S = sum_{i<j} sign(x_j - x_i)
        Var(S) = [n(n-1)(2n+5) - sum_p t_p(t_p-1)(2t_p+5)] / 18   (t_p: size of tie group p)
        Z = (S - 1)/sqrt(Var S) if S > 0;  0 if S = 0;  (S + 1)/sqrt(Var S) if S < 0

    and p = 2 (1 - Phi(|Z|)). The normal approximation is what Gilbert recommends from
    n = 10 on; below that p is approximate. Sen's slope is the median of (x_j - x_i)/(j - i)
    over i < j (Sen 1968, JASA 63, 1379-1389).
    """
    x = np.asarray(series, dtype=float)
    if x.ndim != 1 or x.size < 3:
        raise InputError(
            "series: expected a one-dimensional series of at least 3 values",
            "趋势检验需要一列至少 3 个数值",
        )
    if not np.isfinite(x).all():
        raise InputError("series: every value must be a finite number", "每个数值须为有限数")
    n = x.size
    i, j = np.triu_indices(n, k=1)
    diff = x[j] - x[i]
    s = int(np.sign(diff).sum())
    _, ties = np.unique(x, return_counts=True)
    var_s = float((n * (n - 1) * (2 * n + 5) - (ties * (ties - 1) * (2 * ties + 5)).sum()) / 18)
    z = (s - np.sign(s)) / np.sqrt(var_s) if var_s > 0 and s != 0 else 0.0
    return MannKendall(
        n=n,
        s=s,
        var_s=var_s,
        z=float(z),
        p=float(2 * stats.norm.sf(abs(z))),
        tau=s / (n * (n - 1) / 2),
        slope=float(np.median(diff / (j - i))),
    )
