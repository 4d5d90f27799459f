"""Shewhart individuals charts of several characteristics, scored like a multivariate monitor.

Each characteristic gets its own individuals (I) chart, its centre and σ estimated in phase I
from readings of a normal period (:func:`qcert.quality.spc.imr`: σ̂ = MR̄/d2(2), points beyond
the limits dropped and the estimate repeated; Montgomery, *Introduction to Statistical Quality
Control*, 7th ed., §6.4). A new reading's statistic for a characteristic is its distance from
the centre in σ, ``|x − μ| / σ``, with the 3σ limit of the I chart: exceeding it is exactly the
I chart's signal. The charts keep their specification limits beside them, which say whether the
product is still conforming (ISO 22514-2 capability), not whether the process is in control.

The class offers what :class:`qcert.quality.monitoring.StreamingScorer` reads of a monitor
(``mean_``, ``scale_``, ``limits_``, ``lags``, ``n_features_in_``, ``model_``,
``score_window``), so the same persistence rule raises and clears its alarms.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Self

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .monitoring import Scores
from .spc import imr

__all__ = ["Chart", "IndividualsMonitor"]

Array = NDArray[np.float64]
SIGMAS = 3.0  # Shewhart's 3σ limits (Montgomery 7th ed. §5.3.2)


@dataclass(frozen=True)
class Chart:
    """One characteristic's I chart: centre and σ (the measurement's unit), control limits at
    centre ± 3σ, and its specification limits (None where the specification sets none)."""

    variable: str
    center: float
    sigma: float
    lower_spec: float | None = None
    upper_spec: float | None = None

    @property
    def lower(self) -> float:
        return self.center - SIGMAS * self.sigma

    @property
    def upper(self) -> float:
        return self.center + SIGMAS * self.sigma

    def document(self) -> dict[str, float | None]:
        """The chart's figures as plain JSON values (what an event records)."""
        return {
            "center": self.center,
            "sigma": self.sigma,
            "lcl": self.lower,
            "ucl": self.upper,
            "lsl": self.lower_spec,
            "usl": self.upper_spec,
        }


class IndividualsMonitor:
    """I charts of ``variables`` as one monitor: statistic per characteristic ``|x − μ| / σ``
    (dimensionless), limit 3 each; ``specs`` maps a characteristic to its (lower, upper)
    specification limits."""

    lags = 0

    def __init__(
        self,
        variables: Sequence[str],
        specs: Mapping[str, tuple[float | None, float | None]] | None = None,
    ) -> None:
        if not variables:
            raise ValueError("variables: an individuals monitor needs at least one")
        self.variables = tuple(variables)
        self.specs = dict(specs or {})

    def fit(self, X: ArrayLike) -> Self:
        """Phase I of every characteristic's I chart on normal readings (rows in time order)."""
        A = np.asarray(X, dtype=float)
        if A.ndim != 2 or A.shape[1] != len(self.variables):
            raise ValueError(f"X: needs {len(self.variables)} columns, one per characteristic")
        charts = []
        for i, name in enumerate(self.variables):
            params = imr(A[:, i]).params
            sigma = float(params.sigma or 0.0)
            if not sigma > 0:
                raise ValueError(f"{name}: does not vary in the normal period; no σ to chart")
            lsl, usl = self.specs.get(name, (None, None))
            charts.append(Chart(name, float(params.center), sigma, lsl, usl))
        self.charts_ = tuple(charts)
        self.mean_ = np.array([c.center for c in charts])
        self.scale_ = np.array([c.sigma for c in charts])
        self.n_features_in_ = len(charts)
        self.limits_ = {name: SIGMAS for name in self.variables}
        self.model_ = self  # what a scorer checks to know the monitor was fitted
        return self

    def statistics(self, W: ArrayLike) -> dict[str, Array]:
        """Statistics of autoscaled readings (rows): each one's distance from each centre."""
        Z = np.abs(np.asarray(W, dtype=float))
        return {name: Z[:, i] for i, name in enumerate(self.variables)}

    def score_window(self, window: ArrayLike) -> dict[str, float]:
        """Statistics of one autoscaled reading: its distance from each centre in σ."""
        z = np.abs(np.asarray(window, dtype=float).reshape(-1))
        return {name: float(z[i]) for i, name in enumerate(self.variables)}

    def score(self, X: ArrayLike) -> Scores:
        """Each reading's statistics (rows in time order) against the 3σ limits, offline."""
        Z = np.abs((np.asarray(X, dtype=float) - self.mean_) / self.scale_)
        values = {name: Z[:, i] for i, name in enumerate(self.variables)}
        return Scores(values, dict(self.limits_))

    def quadratic_forms(self) -> dict[str, Array]:
        """Each statistic squared is ``z' E_i z``: the form selects its own characteristic."""
        m = len(self.variables)
        return {name: np.diag(np.eye(m)[i]) for i, name in enumerate(self.variables)}

    def reconstruction_contributions(self, X: ArrayLike, statistic: str | None = None) -> Array:
        """Each characteristic's squared distance from its centre in σ (n x m): reconstructing
        a characteristic at its centre removes exactly that much of its own statistic."""
        A = np.asarray(X, dtype=float)
        return ((A - self.mean_) / self.scale_) ** 2
