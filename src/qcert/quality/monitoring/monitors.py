"""PCA, dynamic PCA and CVA monitors as scikit-learn estimators.

Every monitor is fitted on readings taken while the process ran normally and scores new
readings with monitoring statistics and control limits. The monitors follow scikit-learn's
estimator conventions: constructor arguments are stored as given and checked at ``fit``, so
``get_params`` / ``set_params``, ``sklearn.base.clone``, ``Pipeline`` and ``GridSearchCV``
work; what ``fit`` learns ends in ``_`` (``n_features_in_``, ``feature_names_in_`` for a data
frame, ``mean_``, ``scale_``, ``limits_``, ``model_``).

One departure, kept for the callers that exist: ``score(X)`` returns the per-reading
:class:`~qcert.quality.monitoring.scores.Scores`, not one float. ``GridSearchCV`` therefore
needs ``scoring=``: :mod:`qcert.quality.monitoring.scorers` holds the scorers (false-alarm
rate, detection rate, detection at a fixed false-alarm rate, detection delay).

``fit(X, y=None)`` ignores ``y`` (scikit-learn's rule for unsupervised estimators): to search
over normal and labelled fault runs stacked together, let the cross-validation splits say
what is fitted on (:func:`~qcert.quality.monitoring.scorers.detection_splits`: normal
readings only).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Literal, Self

import numpy as np
from numpy.typing import ArrayLike, NDArray
from sklearn.base import BaseEstimator

from .inputs import (
    MonitorInputError,
    autoscale,
    check_names,
    check_rows,
    check_same_width,
    check_width,
    feature_names,
    matrix,
    windows,
)
from .limits import parallel_analysis
from .models import CVAModel, Model, PCAModel, canonical_directions, past_future
from .scores import Scores

__all__ = ["CVAMonitor", "DynamicPCAMonitor", "Monitor", "PCAMonitor"]

Array = NDArray[np.float64]
ControlLimits = Literal["theoretical", "cross-validated"]


def _refuse(field: str, en: str, zh: str) -> MonitorInputError:
    return MonitorInputError(f"{field}: {en}", f"{field}：{zh}")


class Monitor(BaseEstimator):  # type: ignore[misc]
    """What every monitor shares: autoscaling, windows of lagged readings, limits, scoring."""

    lags: int = 0
    alpha: float
    control_limits: ControlLimits
    folds: int

    # ------------------------------------------------------------------ fitting

    def _check_params(self) -> None:
        if not 0.5 < self.alpha < 1.0:
            raise _refuse(
                "alpha", "must be a confidence level between 0.5 and 1", "须在 0.5 与 1 之间"
            )
        if self.control_limits not in ("theoretical", "cross-validated"):
            raise _refuse(
                "control_limits",
                "must be 'theoretical' or 'cross-validated'",
                "须为 'theoretical' 或 'cross-validated'",
            )
        if self.folds < 2:
            raise _refuse("folds", "must be at least 2", "至少为 2")
        if self.lags < 0:
            raise _refuse("lags", "must be 0 or more", "须不小于 0")

    def _fit_model(self, segments: list[Array]) -> Model:
        """Build the model from autoscaled, contiguous segments of readings (subclasses)."""
        raise NotImplementedError

    def _resolve(self, segments: list[Array]) -> None:
        """Settle sizes left to the data (``None`` arguments) before fitting; subclasses."""

    def fit(self, X: ArrayLike, y: ArrayLike | None = None) -> Self:
        """Fit on normal-operation readings (rows in time order); returns the monitor.

        ``y`` is accepted for scikit-learn's calling convention and not used.
        """
        return self.fit_segments([X])

    def fit_segments(self, runs: list[ArrayLike]) -> Self:
        """Fit on several runs of normal readings (each in time order; no window spans two)."""
        self._check_params()
        if not runs:
            raise _refuse("X", "no run of readings given", "未提供读数")
        segments = [matrix(r, "X") for r in runs]
        check_same_width(segments)
        longest = max(s.shape[0] for s in segments)
        if longest <= 2 * self.lags + 1:
            raise _refuse(
                "X",
                f"the longest run has {longest} reading(s) (n_samples={longest}); "
                f"lags={self.lags} needs more than {2 * self.lags + 1} to fit",
                f"最长一段仅 {longest} 条读数；滞后阶数 {self.lags} 拟合至少需要 "
                f"{2 * self.lags + 2} 条",
            )
        names = feature_names(runs[0])
        _, self.mean_, self.scale_ = autoscale(np.vstack(segments))
        self.n_features_in_ = segments[0].shape[1]
        if names is not None:
            self.feature_names_in_ = names
        elif hasattr(self, "feature_names_in_"):
            del self.feature_names_in_
        scaled = [(s - self.mean_) / self.scale_ for s in segments]
        self._resolve(scaled)
        self.model_ = self._fit_model(scaled)
        if self.control_limits == "theoretical":
            self.limits_ = self.model_.theoretical_limits(self.alpha)
        else:
            self.limits_ = self._cross_validated_limits(segments)
        return self

    def _cross_validated_limits(self, segments: list[Array]) -> dict[str, float]:
        """The alpha quantile of each statistic on readings the model was not fitted on.

        The training readings are cut into ``folds`` contiguous blocks; each block is scored by
        a model (and scaling) fitted on the other blocks, and the pooled out-of-block values
        give the limit. Limits computed on the fitting data itself are too tight when the
        model has many parameters for its readings, as CVA and dynamic PCA do.
        """
        starts = np.cumsum([0] + [s.shape[0] for s in segments])
        edges = np.linspace(0, starts[-1], self.folds + 1).astype(int)
        pooled: dict[str, list[Array]] = {}
        for lo, hi in itertools.pairwise(edges):
            train, held = _split(segments, starts, lo, hi)
            train = [s for s in train if s.shape[0] > 2 * (self.lags + 1)]
            if not train:
                raise _refuse(
                    "folds",
                    f"{self.folds} folds leave too few readings to fit on; use fewer folds, "
                    "more readings or control_limits='theoretical'",
                    f"{self.folds} 折交叉验证后可用于拟合的读数过少；"
                    "请减少折数、增加读数或使用理论控制限",
                )
            stacked = np.vstack(train)
            mean, scale = stacked.mean(axis=0), stacked.std(axis=0, ddof=1)
            model = self._fit_model([(s - mean) / scale for s in train])
            for piece in held:
                if piece.shape[0] <= self.lags:
                    continue
                for name, values in model.statistics(
                    windows((piece - mean) / scale, self.lags)
                ).items():
                    pooled.setdefault(name, []).append(values)
        return {k: float(np.quantile(np.concatenate(v), self.alpha)) for k, v in pooled.items()}

    # ------------------------------------------------------------------ scoring

    def _check(self, X: ArrayLike, name: str = "X") -> Array:
        """``X`` autoscaled, after checking it against what the monitor was fitted on."""
        if not hasattr(self, "model_"):
            raise MonitorInputError(
                "monitor: call fit() on normal-operation data first",
                "监控模型：请先用正常运行数据调用 fit()",
            )
        A = matrix(X, name)
        check_width(A, self.n_features_in_, name, type(self).__name__)
        check_names(X, getattr(self, "feature_names_in_", None), name)
        check_rows(A, self.lags, name)
        return (A - self.mean_) / self.scale_

    def score(self, X: ArrayLike, y: ArrayLike | None = None) -> Scores:
        """Statistics, limits and alarm flags for each reading of ``X`` (rows in time order).

        ``y`` is accepted for scikit-learn's calling convention and not used. The first
        ``lags`` readings cannot be scored (NaN).
        """
        Z = self._check(X)
        pad = np.full(self.lags, np.nan)
        values = self.model_.statistics(windows(Z, self.lags))
        return Scores({k: np.r_[pad, v] for k, v in values.items()}, self.limits_, self.lags)

    def score_window(self, window: ArrayLike) -> dict[str, float]:
        """Statistics of one window [z_t, z_{t−1}, …] of autoscaled readings (streaming use)."""
        w = np.asarray(window, dtype=float).reshape(1, -1)
        return {k: float(v[0]) for k, v in self.model_.statistics(w).items()}

    # ------------------------------------------------------------------ contributions

    def _forms(self, statistic: str) -> Array:
        forms = self.model_.quadratic_forms()
        if statistic not in forms:
            raise _refuse(
                "statistic", f"must be one of {', '.join(forms)}", f"须为 {', '.join(forms)} 之一"
            )
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
        M, blocks, inverses = self._reconstruction(statistic)
        m = self.n_features_in_

        def rbc(W: Array) -> Array:
            MW = W @ M
            out = np.empty((W.shape[0], m))
            for i, (b, inv) in enumerate(zip(blocks, inverses, strict=True)):
                out[:, i] = np.einsum("ij,jk,ik->i", MW[:, b], inv, MW[:, b])
            return out

        return self._per_variable(X, rbc, summed=False)

    def _reconstruction(self, statistic: str) -> tuple[Array, list[Array], list[Array]]:
        """``statistic``'s quadratic form, each variable's block of (lagged) directions and
        the pseudo-inverse of the form on that block: worked out once per fitted model (a
        stream asks for them at every alarm) and forgotten when the monitor is fitted again."""
        cache = self.__dict__.get("_reconstruction_cache")
        if cache is None or cache["model"] is not self.model_:  # the model itself, held
            cache = self.__dict__["_reconstruction_cache"] = {"model": self.model_}
        if statistic not in cache:
            M = self._forms(statistic)
            m = self.n_features_in_
            blocks = [np.arange(i, M.shape[0], m) for i in range(m)]
            inverses = [np.linalg.pinv(M[np.ix_(b, b)], hermitian=True) for b in blocks]
            cache[statistic] = (M, blocks, inverses)
        return cache[statistic]  # type: ignore[no-any-return]

    def _per_variable(
        self, X: ArrayLike, per_column: Callable[[Array], Array], summed: bool = True
    ) -> Array:
        Z = self._check(X)
        m = self.n_features_in_
        out = np.full(Z.shape, np.nan)
        values = per_column(windows(Z, self.lags))
        if summed:
            values = values.reshape(values.shape[0], self.lags + 1, m).sum(axis=1)
        out[self.lags :] = values
        return out


def _split(
    segments: list[Array], starts: NDArray[np.int_], lo: int, hi: int
) -> tuple[list[Array], list[Array]]:
    """Pieces of the segments outside and inside positions [lo, hi) of their concatenation."""
    train, held = [], []
    for s, start in zip(segments, starts, strict=False):
        a, b = np.clip([lo - start, hi - start], 0, s.shape[0])
        train += [p for p in (s[:a], s[b:]) if p.shape[0]]
        if b > a:
            held.append(s[a:b])
    return train, held


class PCAMonitor(Monitor):
    """Static PCA monitor: T² on ``n_components`` principal components, SPE on the rest.

    ``PCAMonitor(n_components=9, alpha=0.99).fit(X_normal).score(X_new)``;
    ``n_components=None`` keeps as many as parallel analysis finds on the training readings
    (:func:`~qcert.quality.monitoring.limits.parallel_analysis`; ``n_components_`` after fit).
    Limits are by default the phase-II F limit for T² and the Jackson-Mudholkar limit for SPE;
    ``control_limits="cross-validated"`` uses held-out quantiles instead. Method: Jackson
    (1991) ch. 1-2; Chiang, Russell & Braatz, Fault Detection and Diagnosis in Industrial
    Systems (2001) ch. 4.
    """

    def __init__(
        self,
        n_components: int | None = None,
        alpha: float = 0.99,
        *,
        control_limits: ControlLimits = "theoretical",
        folds: int = 5,
    ) -> None:
        self.n_components = n_components
        self.alpha = alpha
        self.control_limits = control_limits
        self.folds = folds

    def _resolve(self, segments: list[Array]) -> None:
        if self.n_components is None:
            W = np.vstack([windows(s, self.lags) for s in segments if s.shape[0] > self.lags])
            self.n_components_ = max(parallel_analysis(W), 1)
        elif self.n_components < 1:
            raise _refuse("n_components", "must be at least 1", "至少为 1")
        else:
            self.n_components_ = int(self.n_components)

    def _fit_model(self, segments: list[Array]) -> PCAModel:
        W = np.vstack([windows(s, self.lags) for s in segments if s.shape[0] > self.lags])
        if self.n_components_ >= min(W.shape):
            raise _refuse(
                "n_components",
                f"must be below {min(W.shape)} for this data ({W.shape[0]} windows of "
                f"{W.shape[1]} feature(s)), got {self.n_components_}",
                f"须小于 {min(W.shape)}（{W.shape[0]} 个窗口、{W.shape[1]} 个特征），"
                f"实际为 {self.n_components_}",
            )
        # Autoscaled readings are centred already; scoring uses the same origin.
        _, sv, vt = np.linalg.svd(W, full_matrices=False)
        eigenvalues = sv**2 / (W.shape[0] - 1)
        return PCAModel(vt[: self.n_components_].T, eigenvalues, W.shape[0])

    @property
    def loadings_(self) -> Array:
        """Loadings of the retained components (variables x components)."""
        return self.model_.loadings  # type: ignore[attr-defined,no-any-return]

    @property
    def eigenvalues_(self) -> Array:
        """Variance of every principal component (autoscaled units), largest first."""
        return self.model_.eigenvalues  # type: ignore[attr-defined,no-any-return]


class DynamicPCAMonitor(PCAMonitor):
    """Dynamic PCA: PCA on windows [x_t, x_{t−1}, …, x_{t−lags}] of readings.

    Ku, Storer & Georgakis (1995), Chemometr. Intell. Lab. Syst. 30:179-196. The first ``lags``
    readings of a scored block cannot be scored (NaN). Contributions sum each variable's
    lagged copies. ``n_components=None``: parallel analysis on the lagged windows.
    """

    def __init__(
        self,
        n_components: int | None = None,
        lags: int = 2,
        alpha: float = 0.99,
        *,
        control_limits: ControlLimits = "theoretical",
        folds: int = 5,
    ) -> None:
        super().__init__(n_components, alpha, control_limits=control_limits, folds=folds)
        self.lags = lags

    def _check_params(self) -> None:
        super()._check_params()
        if self.lags < 1:
            raise _refuse(
                "lags",
                "must be at least 1 (use PCAMonitor for none)",
                "至少为 1（无滞后请用 PCAMonitor）",
            )


class CVAMonitor(Monitor):
    """Canonical variate analysis monitor (Russell, Chiang & Braatz 2000).

    The past window p_t = [z_t, …, z_{t−lags}] and the future f_t = [z_{t+1}, …, z_{t+lags+1}]
    of autoscaled readings are related by the SVD of Σff^{-½} Σfp Σpp^{-½} = U S V'
    (Larimore 1990). The first ``n_states`` canonical variates J p_t (J = V_k' Σpp^{-½}) are the
    process states, with statistic ``t2`` = |J p|²; the rest give ``t2_residual`` = |L p|².
    Russell et al. (2000), Chemometr. Intell. Lab. Syst. 51:81-93, §2. ``n_states=None``:
    the states whose canonical correlation beats chance
    (:func:`qcert.quality.selection.cva_states`; ``n_states_`` after fit).

    By default the limits are cross-validated: the F limits of the paper treat the canonical
    directions as known, but with d = m (lags+1) past dimensions and a few hundred readings
    they are fitted to noise. On the Tennessee Eastman data (500 training readings, 52
    variables, lags=2, 20 states) the F limits put 30% (T²) and 21% (residual T²) of the
    normal test run in alarm; the cross-validated ones 2.4% and 0.1%.
    """

    def __init__(
        self,
        n_states: int | None = None,
        lags: int = 2,
        alpha: float = 0.99,
        *,
        control_limits: ControlLimits = "cross-validated",
        folds: int = 5,
    ) -> None:
        self.n_states = n_states
        self.lags = lags
        self.alpha = alpha
        self.control_limits = control_limits
        self.folds = folds

    def _resolve(self, segments: list[Array]) -> None:
        if self.n_states is None:
            from ..selection import cva_states  # selection builds on the monitors

            self.n_states_ = cva_states(segments, self.lags)
        elif self.n_states < 1:
            raise _refuse("n_states", "must be at least 1", "至少为 1")
        else:
            self.n_states_ = int(self.n_states)

    def _fit_model(self, segments: list[Array]) -> CVAModel:
        P, F = past_future(segments, self.lags)
        n, d = P.shape
        if not 0 < self.n_states_ < d:
            raise _refuse(
                "n_states",
                f"must be between 1 and {d - 1} for windows of {d} feature(s), "
                f"got {self.n_states_}",
                f"须在 1 与 {d - 1} 之间（窗口 {d} 个特征），实际为 {self.n_states_}",
            )
        correlations, J = canonical_directions(P, F)
        return CVAModel(J[: self.n_states_], J[self.n_states_ :], n, correlations)

    @property
    def canonical_correlations_(self) -> Array:
        """Canonical correlations between past and future windows, largest first."""
        return self.model_.correlations  # type: ignore[attr-defined,no-any-return]
