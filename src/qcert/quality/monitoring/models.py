"""The fitted models behind the monitors: projections and the statistics they give a window."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

from .inputs import MonitorInputError
from .limits import jackson_mudholkar_limit, t2_limit

__all__ = ["CVAModel", "Model", "PCAModel", "inverse_sqrt"]

Array = NDArray[np.float64]


class Model(Protocol):
    """What a monitor needs of its model: statistics, theoretical limits, quadratic forms."""

    def statistics(self, W: Array) -> dict[str, Array]: ...

    def theoretical_limits(self, alpha: float) -> dict[str, float]: ...

    def quadratic_forms(self) -> dict[str, Array]: ...


@dataclass(frozen=True)
class PCAModel:
    """Loadings ``P`` (d x a), all eigenvalues (variances, autoscaled units), training rows."""

    loadings: Array
    eigenvalues: Array
    n_rows: int

    @property
    def _retained(self) -> Array:
        return self.eigenvalues[: self.loadings.shape[1]]

    def statistics(self, W: Array) -> dict[str, Array]:
        # O(d·a) per reading: SPE is |w|² − |t|² because the loadings are orthonormal.
        T = W @ self.loadings
        spe = np.maximum(np.einsum("ij,ij->i", W, W) - np.einsum("ij,ij->i", T, T), 0.0)
        return {"t2": np.einsum("ij,ij->i", T, T / self._retained), "spe": spe}

    def theoretical_limits(self, alpha: float) -> dict[str, float]:
        a = self.loadings.shape[1]
        return {
            "t2": t2_limit(a, self.n_rows, alpha),
            "spe": jackson_mudholkar_limit(self.eigenvalues[a:], alpha),
        }

    def quadratic_forms(self) -> dict[str, Array]:
        P = self.loadings
        return {"t2": (P / self._retained) @ P.T, "spe": np.eye(P.shape[0]) - P @ P.T}


@dataclass(frozen=True)
class CVAModel:
    """State projection ``J`` (k x d) and residual projection ``L`` (d−k x d) of past windows."""

    states: Array
    residual: Array
    n_rows: int
    correlations: Array

    def statistics(self, W: Array) -> dict[str, Array]:
        S, R = W @ self.states.T, W @ self.residual.T
        return {"t2": np.einsum("ij,ij->i", S, S), "t2_residual": np.einsum("ij,ij->i", R, R)}

    def theoretical_limits(self, alpha: float) -> dict[str, float]:
        # Russell, Chiang & Braatz (2000): the phase-II T² limit with k states
        # and with the d − k residual canonical variates.
        k, q = self.states.shape[0], self.residual.shape[0]
        return {
            "t2": t2_limit(k, self.n_rows, alpha),
            "t2_residual": t2_limit(q, self.n_rows, alpha),
        }

    def quadratic_forms(self) -> dict[str, Array]:
        return {"t2": self.states.T @ self.states, "t2_residual": self.residual.T @ self.residual}


def inverse_sqrt(S: Array) -> Array:
    """Σ^{-½} of a covariance matrix, eigenvalues floored at 1e-12 of the largest."""
    eigval, eigvec = np.linalg.eigh(S)
    floor = eigval.max() * 1e-12
    return (eigvec / np.sqrt(np.maximum(eigval, floor))) @ eigvec.T


def canonical_directions(P: Array, F: Array) -> tuple[Array, Array]:
    """Canonical correlations of past ``P`` and future ``F`` windows and the past's directions J.

    SVD of Σff^{-½} Σfp Σpp^{-½} = U S V' (Larimore 1990); J = V' Σpp^{-½} (rows = variates,
    largest correlation first).
    """
    n = P.shape[0]
    root_pp = inverse_sqrt(P.T @ P / (n - 1))
    hankel = inverse_sqrt(F.T @ F / (n - 1)) @ (F.T @ P / (n - 1)) @ root_pp
    _, correlations, vt = np.linalg.svd(hankel)
    return correlations, vt @ root_pp


def past_future(segments: list[Array], lags: int) -> tuple[Array, Array]:
    """Past windows [z_t … z_{t−lags}] and future windows [z_{t+1} … z_{t+lags+1}] of segments.

    Segments shorter than 2 (lags + 1) + 1 readings give none.
    """
    h = lags + 1
    past, future = [], []
    for s in segments:
        if s.shape[0] < 2 * h + 1:
            continue
        n = s.shape[0]
        past.append(np.hstack([s[lags - j : n - h - j] for j in range(h)]))
        future.append(np.hstack([s[lags + j : n - h + j] for j in range(1, h + 1)]))
    if not past:
        raise MonitorInputError(
            f"X: needs a run of at least {2 * h + 1} readings for lags={lags}",
            f"X：滞后阶数 {lags} 至少需要连续 {2 * h + 1} 条读数",
        )
    return np.vstack(past), np.vstack(future)
