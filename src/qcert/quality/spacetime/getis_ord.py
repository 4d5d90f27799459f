"""Getis-Ord G_i* hot and cold spots, one time slice at a time, with FDR control.

A hot spot is a location whose neighbourhood (itself included) holds values significantly
higher than the slice's mean; a cold spot, significantly lower.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import stats

from ..inputs_error import InputError
from .fdr import benjamini_hochberg

__all__ = ["HotSpots", "gi_star", "hot_spots"]


@dataclass(frozen=True, eq=False)
class HotSpots:
    """G_i* per slice and location; every array is (n_slices, n_locations).

    ``z``: standardized G_i* (a z-score, dimensionless); ``p``: its two-sided normal p-value;
    ``q``: ``p`` adjusted by Benjamini-Hochberg within each slice, or ``p`` itself when no
    correction was asked; ``significant``: ``q <= alpha``.
    """

    z: NDArray[np.float64]
    p: NDArray[np.float64]
    q: NDArray[np.float64]
    alpha: float
    fdr: bool

    @property
    def significant(self) -> NDArray[np.bool_]:
        """Slices x locations where G_i* is significant at ``alpha``."""
        return self.q <= self.alpha

    @property
    def hot(self) -> NDArray[np.bool_]:
        """Significant with z > 0: high values cluster there."""
        return self.significant & (self.z > 0)

    @property
    def cold(self) -> NDArray[np.bool_]:
        """Significant with z < 0: low values cluster there."""
        return self.significant & (self.z < 0)


def slices(values: ArrayLike, n_locations: int | None = None) -> NDArray[np.float64]:
    """``values`` as a (n_slices, n_locations) float array: rows are time slices."""
    x = np.asarray(values, dtype=float)
    if x.ndim == 1:
        x = x[None, :]
    if x.ndim != 2 or x.shape[1] < 2:
        raise InputError(
            "values: expected (n_slices, n_locations) with n_locations >= 2",
            "数据须为“时间片 × 位置”的二维表，且至少有 2 个位置",
        )
    if n_locations is not None and x.shape[1] != n_locations:
        raise InputError(
            f"values: {x.shape[1]} locations but the weights have {n_locations}",
            f"数据有 {x.shape[1]} 个位置，而空间权重有 {n_locations} 个",
        )
    if not np.isfinite(x).all():
        raise InputError(
            "values: every value must be a finite number (fill gaps first)",
            "每个数值须为有限数（请先填补缺失值）",
        )
    return x


def gi_star(values: ArrayLike, weights: ArrayLike) -> NDArray[np.float64]:
    """Standardized G_i* z-scores, (n_slices, n_locations), for each slice of ``values``.

    Ord & Getis (1995), "Local spatial autocorrelation statistics: distributional issues and
    an application", Geographical Analysis 27(4), 286-306, standardized G_i* with the sample
    mean and variance of the slice:

        z_i = (sum_j w_ij x_j - xbar W_i) / (S sqrt((n S1_i - W_i^2) / (n - 1)))

    where W_i = sum_j w_ij and S1_i = sum_j w_ij^2 run over all j including i, xbar is the
    slice mean and S^2 = sum_j x_j^2 / n - xbar^2. ``weights`` is (n, n), row i holding the
    weights of location i's neighbours, with w_ii > 0. A slice whose values are all equal
    carries no information: its z-scores are 0. Units: the z-scores are dimensionless, so
    ``values`` may be in any unit.
    """
    w = np.asarray(weights, dtype=float)
    if w.ndim != 2 or w.shape[0] != w.shape[1]:
        raise InputError("weights: expected a square (n, n) matrix", "空间权重须为方阵")
    if (w < 0).any() or not np.isfinite(w).all():
        raise InputError(
            "weights: every weight must be a finite number >= 0",
            "每个空间权重须为不小于 0 的有限数",
        )
    if (np.diag(w) <= 0).any():
        raise InputError(
            "weights: G_i* needs each location in its own neighbourhood (w_ii > 0)",
            "Gi* 统计量要求每个位置属于自身的邻域（对角线上的权重须大于 0）",
        )
    x = slices(values, w.shape[0])
    n = x.shape[1]
    w_sum = w.sum(axis=1)
    w_sq = (w**2).sum(axis=1)
    mean = x.mean(axis=1, keepdims=True)
    s = np.sqrt(np.maximum((x**2).mean(axis=1, keepdims=True) - mean**2, 0.0))
    spread = np.sqrt((n * w_sq - w_sum**2) / (n - 1))
    numerator = x @ w.T - mean * w_sum
    denominator = s * spread
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(denominator > 0, numerator / denominator, 0.0)
    # A constant slice's numerator is rounding noise; give it exactly 0 rather than 1e-16/1e-17.
    z[np.broadcast_to(s <= 1e-12 * np.maximum(np.abs(mean), 1.0), z.shape)] = 0.0
    return z


def hot_spots(
    values: ArrayLike, weights: ArrayLike, *, alpha: float = 0.05, fdr: bool = True
) -> HotSpots:
    """G_i* hot and cold spots per slice of ``values`` (n_slices, n_locations).

    p-values are two-sided under the normal approximation (Ord & Getis 1995, §3); with
    ``fdr`` they are adjusted by Benjamini-Hochberg within each slice, the correction ArcGIS
    applies in Hot Spot Analysis and Emerging Hot Spot Analysis.
    """
    if not 0 < alpha < 1:
        raise InputError("alpha: must lie strictly between 0 and 1", "--alpha 须大于 0 且小于 1")
    z = gi_star(values, weights)
    p = 2 * stats.norm.sf(np.abs(z))
    q = benjamini_hochberg(p, axis=1) if fdr else p
    return HotSpots(z=z, p=p, q=q, alpha=alpha, fdr=fdr)
