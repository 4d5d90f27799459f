"""Control limits of the monitoring statistics, and the number of components worth keeping."""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike
from scipy import stats

from .inputs import MonitorInputError, autoscale, matrix

__all__ = ["jackson_mudholkar_limit", "parallel_analysis", "t2_limit"]


def t2_limit(n_components: int, n_samples: int, alpha: float = 0.99) -> float:
    """Phase-II upper control limit of Hotelling's T² for a new single reading.

    ``T²_α = a (n−1)(n+1) / (n (n−a)) · F_α(a, n−a)`` with ``a`` retained components and
    ``n`` training readings: the new reading is independent of the estimates (Tracy, Young &
    Mason 1992, J. Qual. Technol. 24(2):88-95; Montgomery, Introduction to Statistical Quality
    Control, 7th ed., §11.3.2). Dimensionless.
    """
    a, n = n_components, n_samples
    if not 0 < a < n:
        raise MonitorInputError(
            f"n_components: must be between 1 and {n - 1} for {n} readings",
            f"--components 须在 1 与 {n - 1} 之间（正常运行数据共 {n} 条读数）",
        )
    return a * (n - 1) * (n + 1) / (n * (n - a)) * float(stats.f.ppf(alpha, a, n - a))


def jackson_mudholkar_limit(residual_eigenvalues: ArrayLike, alpha: float = 0.99) -> float:
    """Upper control limit of the SPE (Q) statistic from the residual eigenvalues.

    ``Q_α = θ1 [c_α √(2 θ2 h0²) / θ1 + 1 + θ2 h0 (h0 − 1) / θ1²]^(1/h0)`` with
    ``θi = Σ λj^i`` over the discarded components, ``h0 = 1 − 2 θ1 θ3 / (3 θ2²)`` and ``c_α``
    the standard normal quantile (Jackson & Mudholkar 1979, Technometrics 21(3):341-349;
    Jackson, A User's Guide to Principal Components, 1991, §2.7). Eigenvalues are
    variances in autoscaled units; the limit is in the same squared units.
    """
    lam = np.asarray(residual_eigenvalues, dtype=float)
    theta1, theta2, theta3 = (float(np.sum(lam**i)) for i in (1, 2, 3))
    if theta1 <= 0.0:
        return 0.0
    h0 = 1.0 - 2.0 * theta1 * theta3 / (3.0 * theta2**2)
    c = float(stats.norm.ppf(alpha))
    base = c * math.sqrt(2.0 * theta2 * h0**2) / theta1 + 1.0 + theta2 * h0 * (h0 - 1.0) / theta1**2
    return theta1 * base ** (1.0 / h0)


def parallel_analysis(X: ArrayLike, *, repeats: int = 50, seed: int = 0) -> int:
    """Number of principal components whose eigenvalue beats chance (Horn 1965).

    Components are kept while the eigenvalue of the autoscaled data exceeds the mean eigenvalue
    of the same rank over ``repeats`` normal random matrices of the same shape (Horn 1965,
    Psychometrika 30(2):179-185; discussed for process monitoring by Chiang, Russell &
    Braatz 2001, ch. 4). ``seed`` makes the answer repeatable.
    """
    Z = autoscale(matrix(X, "X"))[0]
    n, m = Z.shape
    observed = np.linalg.svd(Z, compute_uv=False) ** 2 / (n - 1)
    rng = np.random.default_rng(seed)
    chance = np.mean(
        [np.linalg.svd(rng.standard_normal((n, m)), compute_uv=False) ** 2 for _ in range(repeats)],
        axis=0,
    ) / (n - 1)
    below = np.flatnonzero(observed <= chance)
    return int(below[0]) if below.size else len(observed)
