"""Multivariate process monitoring: PCA, dynamic PCA and CVA monitors, alarms and their causes.

Every monitor is fitted on readings taken while the process ran normally (rows = readings in
time order, columns = variables) and scores new readings with monitoring statistics and
control limits:

- :class:`PCAMonitor`: Hotelling's T² on the retained principal components and the squared
  prediction error SPE (Q) on the residuals (Jackson 1991; MacGregor & Kourti 1995).
- :class:`DynamicPCAMonitor`: the same on a window of lagged readings (Ku, Storer &
  Georgakis 1995), which takes in the autocorrelation of a controlled process.
- :class:`CVAMonitor`: canonical variate analysis of past against future readings, with T² on
  the state variables and T² on the residual canonical variates (Russell, Chiang & Braatz 2000).

Statistics are dimensionless: quadratic forms of readings autoscaled with the training mean
and standard deviation. :class:`StreamingScorer` scores one reading at a time and applies an
alarm persistence rule; alarms become :class:`AlarmRaised` / :class:`AlarmCleared` events.
Contributions and reconstruction-based contributions (Alcala & Qin 2009) say which variables
carry an alarm; :func:`change_points` and :func:`onset` say when a deviation started.
"""

from __future__ import annotations

import itertools
import math
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal, Protocol, Self

import numpy as np
import ruptures
from numpy.typing import ArrayLike, NDArray
from scipy import stats

__all__ = [
    "AlarmCleared",
    "AlarmRaised",
    "CVAMonitor",
    "DynamicPCAMonitor",
    "PCAMonitor",
    "Reading",
    "Scores",
    "StreamingScorer",
    "alarm_events",
    "change_points",
    "jackson_mudholkar_limit",
    "onset",
    "parallel_analysis",
    "persistent",
    "t2_limit",
]

Array = NDArray[np.float64]
ControlLimits = Literal["theoretical", "cross-validated"]


# --------------------------------------------------------------------------- control limits


def t2_limit(n_components: int, n_samples: int, alpha: float = 0.99) -> float:
    """Phase-II upper control limit of Hotelling's T² for a new single reading.

    ``T²_α = a (n−1)(n+1) / (n (n−a)) · F_α(a, n−a)`` with ``a`` retained components and
    ``n`` training readings: the new reading is independent of the estimates (Tracy, Young &
    Mason 1992, J. Qual. Technol. 24(2):88-95; Montgomery, Introduction to Statistical Quality
    Control, 7th ed., §11.3.2). Dimensionless.
    """
    a, n = n_components, n_samples
    if not 0 < a < n:
        raise ValueError(f"n_components: must be between 1 and {n - 1} for {n} readings")
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
    Z = _autoscale(_matrix(X, "X"))[0]
    n, m = Z.shape
    observed = np.linalg.svd(Z, compute_uv=False) ** 2 / (n - 1)
    rng = np.random.default_rng(seed)
    chance = np.mean(
        [np.linalg.svd(rng.standard_normal((n, m)), compute_uv=False) ** 2 for _ in range(repeats)],
        axis=0,
    ) / (n - 1)
    below = np.flatnonzero(observed <= chance)
    return int(below[0]) if below.size else len(observed)


# --------------------------------------------------------------------------- results


def _frozen(mapping: Mapping[str, object]) -> Mapping[str, object]:
    return MappingProxyType(dict(mapping))


@dataclass(frozen=True)
class Scores:
    """Per-reading monitoring statistics of one monitor, their control limits and alarm flags.

    ``statistics`` maps a statistic's name (``"t2"``, ``"spe"``, ``"t2_residual"``) to one value
    per reading (dimensionless; NaN for the first ``first_scored`` readings, which a dynamic
    monitor cannot score yet); ``limits`` holds the upper control limit of each.
    """

    statistics: Mapping[str, Array]
    limits: Mapping[str, float]
    first_scored: int = 0
    exceeded: Mapping[str, NDArray[np.bool_]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "statistics", _frozen(self.statistics))
        object.__setattr__(self, "limits", _frozen(self.limits))
        with np.errstate(invalid="ignore"):
            above = {
                k: np.nan_to_num(v, nan=-np.inf) > self.limits[k]
                for k, v in self.statistics.items()
            }
        object.__setattr__(self, "exceeded", _frozen(above))

    @property
    def alarm(self) -> NDArray[np.bool_]:
        """True where any statistic is above its limit (no persistence rule)."""
        return np.logical_or.reduce(list(self.exceeded.values()))

    def alarms(self, persistence: int = 1) -> NDArray[np.bool_]:
        """True where this and the previous ``persistence − 1`` readings were all in alarm."""
        return persistent(self.alarm, persistence)

    @property
    def t2(self) -> Array:
        """Hotelling's T² of each reading."""
        return self.statistics["t2"]

    @property
    def spe(self) -> Array:
        """Squared prediction error (Q) of each reading; PCA monitors only."""
        return self.statistics["spe"]

    @property
    def t2_limit(self) -> float:
        """Upper control limit of T²."""
        return self.limits["t2"]

    @property
    def spe_limit(self) -> float:
        """Upper control limit of SPE."""
        return self.limits["spe"]


def persistent(flags: ArrayLike, persistence: int) -> NDArray[np.bool_]:
    """Flags kept only where ``persistence`` consecutive readings (this one included) are flagged.

    The k-in-a-row rule trades a delay of ``k − 1`` readings for fewer false alarms: with
    independent exceedances of probability p, a false alarm needs p^k (Montgomery, 7th ed.,
    ch. 5 on sensitizing rules).
    """
    if persistence < 1:
        raise ValueError("persistence: must be at least 1 reading")
    f = np.asarray(flags, dtype=bool)
    if persistence == 1:
        return f.copy()
    runs = np.convolve(f.astype(int), np.ones(persistence, dtype=int))[: f.size]
    return runs >= persistence


# --------------------------------------------------------------------------- models


class _Model(Protocol):
    def statistics(self, W: Array) -> dict[str, Array]: ...

    def theoretical_limits(self, alpha: float) -> dict[str, float]: ...

    def quadratic_forms(self) -> dict[str, Array]: ...


@dataclass(frozen=True)
class _PCAModel:
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
class _CVAModel:
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


def _matrix(X: ArrayLike, name: str) -> Array:
    A = np.asarray(X, dtype=float)
    if A.ndim != 2:
        raise ValueError(f"{name}: must be a 2-D array (readings x variables)")
    if not np.all(np.isfinite(A)):
        raise ValueError(f"{name}: contains NaN or infinite values")
    return A


def _autoscale(X: Array) -> tuple[Array, Array, Array]:
    if X.shape[0] < 3:
        raise ValueError("X: needs at least 3 readings")
    mean, scale = X.mean(axis=0), X.std(axis=0, ddof=1)
    constant = np.flatnonzero(scale == 0.0)
    if constant.size:
        raise ValueError(f"X: column {int(constant[0])} is constant and cannot be autoscaled")
    return (X - mean) / scale, mean, scale


def _windows(Z: Array, lags: int) -> Array:
    """Row t − lags holds [z_t, z_{t−1}, …, z_{t−lags}] (Ku, Storer & Georgakis 1995)."""
    n = Z.shape[0]
    return np.hstack([Z[lags - j : n - j] for j in range(lags + 1)])


# --------------------------------------------------------------------------- monitors


class _Monitor:
    """What every monitor shares: autoscaling, windows of lagged readings, limits, scoring."""

    lags: int = 0

    def __init__(self, *, alpha: float, control_limits: ControlLimits, folds: int) -> None:
        if not 0.5 < alpha < 1.0:
            raise ValueError("alpha: must be a confidence level between 0.5 and 1")
        if control_limits not in ("theoretical", "cross-validated"):
            raise ValueError("control_limits: must be 'theoretical' or 'cross-validated'")
        if folds < 2:
            raise ValueError("folds: must be at least 2")
        self.alpha, self.control_limits, self.folds = alpha, control_limits, folds

    # subclasses build their model from autoscaled, contiguous segments of readings
    def _fit_model(self, segments: list[Array]) -> _Model:
        raise NotImplementedError

    def fit(self, X: ArrayLike) -> Self:
        """Fit on normal-operation readings (rows in time order); returns the monitor."""
        A = _matrix(X, "X")
        Z, self.mean_, self.scale_ = _autoscale(A)
        self.n_features_in_ = A.shape[1]
        self.model_ = self._fit_model([Z])
        if self.control_limits == "theoretical":
            self.limits_ = self.model_.theoretical_limits(self.alpha)
        else:
            self.limits_ = self._cross_validated_limits(A)
        return self

    def _cross_validated_limits(self, A: Array) -> dict[str, float]:
        """The alpha quantile of each statistic on readings the model was not fitted on.

        The training readings are cut into ``folds`` contiguous blocks; each block is scored by
        a model (and scaling) fitted on the other blocks, and the pooled out-of-block values
        give the limit. Limits computed on the fitting data itself are too tight when the
        model has many parameters for its readings, as CVA and dynamic PCA do.
        """
        edges = np.linspace(0, A.shape[0], self.folds + 1).astype(int)
        pooled: dict[str, list[Array]] = {}
        for lo, hi in itertools.pairwise(edges):
            train = [s for s in (A[:lo], A[hi:]) if s.shape[0] > 2 * (self.lags + 1)]
            mean, scale = np.vstack(train).mean(axis=0), np.vstack(train).std(axis=0, ddof=1)
            model = self._fit_model([(s - mean) / scale for s in train])
            held = _windows((A[lo:hi] - mean) / scale, self.lags)
            for name, values in model.statistics(held).items():
                pooled.setdefault(name, []).append(values)
        return {k: float(np.quantile(np.concatenate(v), self.alpha)) for k, v in pooled.items()}

    def _check(self, X: ArrayLike) -> Array:
        if not hasattr(self, "model_"):
            raise ValueError("monitor: call fit() on normal-operation data first")
        A = _matrix(X, "X")
        if A.shape[1] != self.n_features_in_:
            raise ValueError(
                f"X: has {A.shape[1]} columns, the monitor was fitted on {self.n_features_in_}"
            )
        return (A - self.mean_) / self.scale_

    def score(self, X: ArrayLike) -> Scores:
        """Statistics, limits and alarm flags for each reading of ``X`` (rows in time order)."""
        Z = self._check(X)
        pad = np.full(min(self.lags, Z.shape[0]), np.nan)
        if Z.shape[0] <= self.lags:
            values = {k: pad.copy() for k in self.limits_}
        else:
            values = {
                k: np.r_[pad, v] for k, v in self.model_.statistics(_windows(Z, self.lags)).items()
            }
        return Scores(values, self.limits_, first_scored=self.lags)

    def score_window(self, window: ArrayLike) -> dict[str, float]:
        """Statistics of one window [z_t, z_{t−1}, …] of autoscaled readings (streaming use)."""
        w = np.asarray(window, dtype=float).reshape(1, -1)
        return {k: float(v[0]) for k, v in self.model_.statistics(w).items()}

    # ----------------------------------------------------------------- contributions

    def _forms(self, statistic: str) -> Array:
        forms = self.model_.quadratic_forms()
        if statistic not in forms:
            raise ValueError(f"statistic: must be one of {', '.join(forms)}")
        return forms[statistic]

    def contributions(self, X: ArrayLike, statistic: str = "spe") -> Array:
        """Complete-decomposition contribution of each variable to ``statistic`` (n x m).

        For an index ``w' M w`` the contribution of variable i is ``(ξi' M^½ w)²`` summed over
        its lagged copies, so that a row sums to the statistic (Alcala & Qin 2009, Automatica
        45(7):1593-1600; Westerhuis, Gurden & Smilde 2000 for T²). Rows the monitor
        cannot score are NaN.
        """
        M = self._forms(statistic)
        eigval, eigvec = np.linalg.eigh(M)
        half = (eigvec * np.sqrt(np.clip(eigval, 0.0, None))) @ eigvec.T
        return self._per_variable(X, lambda W: (W @ half) ** 2)

    def reconstruction_contributions(self, X: ArrayLike, statistic: str = "spe") -> Array:
        """Reconstruction-based contribution (RBC) of each variable to ``statistic`` (n x m).

        RBC_i is the amount by which the statistic falls when variable i (all its lagged
        copies, directions Ξi) is reconstructed: ``w' M Ξi (Ξi' M Ξi)⁺ Ξi' M w`` (Alcala &
        Qin 2009, single and multidimensional directions). A variable the index cannot see
        contributes 0.
        """
        M = self._forms(statistic)
        m = self.n_features_in_
        blocks = [np.arange(i, M.shape[0], m) for i in range(m)]
        inverses = [np.linalg.pinv(M[np.ix_(b, b)], hermitian=True) for b in blocks]

        def rbc(W: Array) -> Array:
            MW = W @ M
            out = np.empty((W.shape[0], m))
            for i, (b, inv) in enumerate(zip(blocks, inverses, strict=True)):
                out[:, i] = np.einsum("ij,jk,ik->i", MW[:, b], inv, MW[:, b])
            return out

        return self._per_variable(X, rbc, summed=False)

    def _per_variable(
        self, X: ArrayLike, per_column: Callable[[Array], Array], summed: bool = True
    ) -> Array:
        Z = self._check(X)
        m = self.n_features_in_
        out = np.full(Z.shape, np.nan)
        if Z.shape[0] > self.lags:
            values = per_column(_windows(Z, self.lags))
            if summed:
                values = values.reshape(values.shape[0], self.lags + 1, m).sum(axis=1)
            out[self.lags :] = values
        return out


class PCAMonitor(_Monitor):
    """Static PCA monitor: T² on ``n_components`` principal components, SPE on the rest.

    ``PCAMonitor(n_components=9, alpha=0.99).fit(X_normal).score(X_new)``. Limits are by default
    the phase-II F limit for T² (:func:`t2_limit`) and the Jackson-Mudholkar limit for SPE
    (:func:`jackson_mudholkar_limit`); ``control_limits="cross-validated"`` uses held-out
    quantiles instead. Method: Jackson (1991) ch. 1-2; Chiang, Russell & Braatz, Fault
    Detection and Diagnosis in Industrial Systems (2001) ch. 4.
    """

    def __init__(
        self,
        n_components: int,
        alpha: float = 0.99,
        *,
        control_limits: ControlLimits = "theoretical",
        folds: int = 5,
    ) -> None:
        super().__init__(alpha=alpha, control_limits=control_limits, folds=folds)
        if n_components < 1:
            raise ValueError("n_components: must be at least 1")
        self.n_components = n_components

    def _fit_model(self, segments: list[Array]) -> _PCAModel:
        W = np.vstack([_windows(s, self.lags) for s in segments])
        if self.n_components >= min(W.shape):
            raise ValueError(f"n_components: must be below {min(W.shape)} for this data")
        # Autoscaled readings are centred already; scoring uses the same origin.
        _, sv, vt = np.linalg.svd(W, full_matrices=False)
        eigenvalues = sv**2 / (W.shape[0] - 1)
        return _PCAModel(vt[: self.n_components].T, eigenvalues, W.shape[0])

    @property
    def loadings_(self) -> Array:
        """Loadings of the retained components (variables x components)."""
        return self.model_.loadings

    @property
    def eigenvalues_(self) -> Array:
        """Variance of every principal component (autoscaled units), largest first."""
        return self.model_.eigenvalues


class DynamicPCAMonitor(PCAMonitor):
    """Dynamic PCA: PCA on windows [x_t, x_{t−1}, …, x_{t−lags}] of readings.

    Ku, Storer & Georgakis (1995), Chemometr. Intell. Lab. Syst. 30:179-196. The first ``lags``
    readings of a scored block cannot be scored (NaN). Contributions sum each variable's
    lagged copies.
    """

    def __init__(
        self,
        n_components: int,
        lags: int = 2,
        alpha: float = 0.99,
        *,
        control_limits: ControlLimits = "theoretical",
        folds: int = 5,
    ) -> None:
        super().__init__(n_components, alpha, control_limits=control_limits, folds=folds)
        if lags < 1:
            raise ValueError("lags: must be at least 1 (use PCAMonitor for none)")
        self.lags = lags


def _inverse_sqrt(S: Array) -> Array:
    eigval, eigvec = np.linalg.eigh(S)
    floor = eigval.max() * 1e-12
    return (eigvec / np.sqrt(np.maximum(eigval, floor))) @ eigvec.T


class CVAMonitor(_Monitor):
    """Canonical variate analysis monitor (Russell, Chiang & Braatz 2000).

    The past window p_t = [z_t, …, z_{t−lags}] and the future f_t = [z_{t+1}, …, z_{t+lags+1}]
    of autoscaled readings are related by the SVD of Σff^{-½} Σfp Σpp^{-½} = U S V'
    (Larimore 1990). The first ``n_states`` canonical variates J p_t (J = V_k' Σpp^{-½}) are the
    process states, with statistic ``t2`` = |J p|²; the rest give ``t2_residual`` = |L p|².
    Russell et al. (2000), Chemometr. Intell. Lab. Syst. 51:81-93, §2.

    By default the limits are cross-validated: the F limits of the paper treat the canonical
    directions as known, but with d = m (lags+1) past dimensions and a few hundred readings
    they are fitted to noise. On the Tennessee Eastman data (500 training readings, 52
    variables, lags=2, 20 states) the F limits put 30% (T²) and 21% (residual T²) of the
    normal test run in alarm; the cross-validated ones 2.4% and 0.1%.
    """

    def __init__(
        self,
        n_states: int,
        lags: int = 2,
        alpha: float = 0.99,
        *,
        control_limits: ControlLimits = "cross-validated",
        folds: int = 5,
    ) -> None:
        super().__init__(alpha=alpha, control_limits=control_limits, folds=folds)
        if n_states < 1:
            raise ValueError("n_states: must be at least 1")
        if lags < 0:
            raise ValueError("lags: must be 0 or more")
        self.n_states, self.lags = n_states, lags

    def _fit_model(self, segments: list[Array]) -> _CVAModel:
        h = self.lags + 1
        past, future = [], []
        for s in segments:
            if s.shape[0] < 2 * h + 1:
                continue
            windows = _windows(s, self.lags)  # row r is the window ending at reading r + lags
            past.append(windows[:-h])
            future.append(
                np.hstack([s[self.lags + j : s.shape[0] - h + j] for j in range(1, h + 1)])
            )
        P, F = np.vstack(past), np.vstack(future)
        n, d = P.shape
        if not 0 < self.n_states < d:
            raise ValueError(f"n_states: must be between 1 and {d - 1}")
        root_pp = _inverse_sqrt(P.T @ P / (n - 1))
        hankel = _inverse_sqrt(F.T @ F / (n - 1)) @ (F.T @ P / (n - 1)) @ root_pp
        _, correlations, vt = np.linalg.svd(hankel)
        J = vt @ root_pp
        return _CVAModel(J[: self.n_states], J[self.n_states :], n, correlations)

    @property
    def canonical_correlations_(self) -> Array:
        """Canonical correlations between past and future windows, largest first."""
        return self.model_.correlations


# --------------------------------------------------------------------------- alarms


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
    flags = scores.alarms(persistence)
    events: list[AlarmRaised | AlarmCleared] = []
    raised = -1
    for i in np.flatnonzero(np.diff(np.r_[False, flags].astype(int))):
        if flags[i]:
            raised = int(i)
            values = {k: float(v[i]) for k, v in scores.statistics.items()}
            events.append(
                AlarmRaised(raised, raised - persistence + 1, values, dict(scores.limits))
            )
        else:
            events.append(AlarmCleared(int(i), raised))
    return events


@dataclass(frozen=True)
class Reading:
    """What :meth:`StreamingScorer.update` says about one new reading."""

    index: int
    statistics: Mapping[str, float]
    exceeded: bool
    alarm: bool
    event: AlarmRaised | AlarmCleared | None = None


class StreamingScorer:
    """Scores readings one at a time as they arrive and raises alarms with persistence.

    Each update costs one window product with the fitted model: O(m·(lags+1)·a) for (dynamic)
    PCA with m variables and a components, O((m·(lags+1))²) for CVA. An alarm is raised when
    ``persistence`` consecutive readings exceed a limit and cleared at the first reading within
    all limits; the statistics equal those of :meth:`score` on the same readings.
    """

    def __init__(self, monitor: _Monitor, persistence: int = 3) -> None:
        if not hasattr(monitor, "model_"):
            raise ValueError("monitor: call fit() on normal-operation data first")
        if persistence < 1:
            raise ValueError("persistence: must be at least 1 reading")
        self.monitor, self.persistence = monitor, persistence
        self._recent: deque[Array] = deque(maxlen=monitor.lags + 1)
        self._index, self._run, self._raised_at = -1, 0, -1

    def update(self, reading: ArrayLike) -> Reading:
        """Score one reading (one value per variable, in the fitted column order)."""
        x = np.asarray(reading, dtype=float).reshape(-1)
        if x.size != self.monitor.n_features_in_ or not np.all(np.isfinite(x)):
            raise ValueError(f"reading: needs {self.monitor.n_features_in_} finite values")
        self._index += 1
        self._recent.appendleft((x - self.monitor.mean_) / self.monitor.scale_)
        if len(self._recent) <= self.monitor.lags:
            return Reading(self._index, {k: math.nan for k in self.monitor.limits_}, False, False)
        values = self.monitor.score_window(np.concatenate(self._recent))
        exceeded = any(values[k] > limit for k, limit in self.monitor.limits_.items())
        self._run = self._run + 1 if exceeded else 0
        event: AlarmRaised | AlarmCleared | None = None
        alarm = self._run >= self.persistence
        if alarm and self._raised_at < 0:
            self._raised_at = self._index
            first = self._index - self.persistence + 1
            event = AlarmRaised(self._index, first, values, dict(self.monitor.limits_))
        elif not alarm and self._raised_at >= 0:
            event, self._raised_at = AlarmCleared(self._index, self._raised_at), -1
        return Reading(self._index, values, exceeded, alarm, event)


# --------------------------------------------------------------------------- change points


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
