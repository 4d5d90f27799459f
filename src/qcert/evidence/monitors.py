"""Monitors of a device's stream: fitted on a normal period, recorded so anyone can refit them.

A monitor is one of

- ``pca``: :class:`~qcert.quality.monitoring.PCAMonitor` (T² and SPE; Jackson 1991),
- ``dpca``: :class:`~qcert.quality.monitoring.DynamicPCAMonitor` (Ku, Storer & Georgakis 1995),
- ``cva``: :class:`~qcert.quality.monitoring.CVAMonitor` (Russell, Chiang & Braatz 2000),
- ``spc``: :class:`~qcert.quality.individuals.IndividualsMonitor`, Shewhart I charts of the
  variables that carry specification limits (Montgomery 7th ed. §6.4),

fitted on the device's readings of a normal period ``[start, end)``, with its parameters given
or chosen from the same readings by the library (``select``: :mod:`qcert.quality.selection`).
What a fit gives is deterministic: the same readings, kind and parameters give the same
statistics, limits and digest, so the
``evidence.monitor-fitted`` event that records them lets the watcher (or an auditor) refit the
monitor from the anchored readings and check it is the one recorded.

The digest is SHA-256 of the RFC 8785 canonical JSON of what decides every statistic and
alarm: kind, variables, parameters, the autoscaling mean and σ, the quadratic form of each
statistic (sign-free, unlike loadings, whose signs an SVD may flip between machines) and the
limits, each array divided by its largest magnitude and rounded to 9 decimals, so that the
last bits of floating point arithmetic on another machine do not change it.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from ..ledger.canonical import canonical_json
from ..lifecycle.aggregate import invalid

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "KINDS",
    "MIN_READINGS",
    "Fitted",
    "build_monitor",
    "chart_documents",
    "fit_monitor",
    "model_digest",
    "resolve_params",
]

KINDS = ("pca", "dpca", "cva", "spc")
# The fewest normal readings a fit takes: below it limits are estimated from noise.
MIN_READINGS = 30
# Parameters each kind takes, with their bounds; ``persistence`` (consecutive readings beyond
# a limit before an alarm is raised) is every kind's.
_INTS: dict[str, tuple[int, int]] = {
    "n_components": (1, 200),
    "n_states": (1, 200),
    "lags": (0, 20),
    "persistence": (1, 100),
    "folds": (2, 20),
}
_ALLOWED: dict[str, tuple[str, ...]] = {
    "pca": ("n_components", "alpha", "control_limits", "persistence"),
    "dpca": ("n_components", "lags", "alpha", "control_limits", "persistence"),
    "cva": ("n_states", "lags", "alpha", "control_limits", "folds", "persistence"),
    "spc": ("persistence",),
}
PERSISTENCE = 3  # readings: the default persistence rule of StreamingScorer


@dataclass(frozen=True)
class Fitted:
    """A monitor fitted on ``rows`` normal readings of ``variables`` (column order): its
    resolved parameters, limits (dimensionless statistics), the I charts of the variables
    with specification limits, and the digest of the model."""

    kind: str
    variables: tuple[str, ...]
    params: dict[str, Any]
    monitor: Any
    limits: dict[str, float]
    charts: dict[str, dict[str, float | None]]
    digest: str
    rows: int
    persistence: int = PERSISTENCE
    extra: dict[str, Any] = field(default_factory=dict)


def _bad(name: str, key: str, /, **fields: object) -> Exception:
    return invalid(f"params.{name}", key, **fields)


def _checked(kind: str, params: Mapping[str, Any]) -> dict[str, Any]:
    """``params`` for ``kind`` with every value in its bounds; refusals name the parameter."""
    if kind not in KINDS:
        raise invalid("kind", "choice.one_of", choices=KINDS)
    out: dict[str, Any] = {}
    for name, value in params.items():
        if name not in _ALLOWED[kind]:
            raise _bad(name, "monitor.param_not_taken", kind=kind, allowed=_ALLOWED[kind])
        if name in _INTS:
            lo, hi = _INTS[name]
            if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
                raise _bad(name, "number.whole_between", lo=lo, hi=hi)
        elif name == "alpha":
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise _bad(name, "number.any")
            if not (math.isfinite(value) and 0.5 < value < 1.0):
                raise _bad(name, "monitor.alpha_range")
        elif name == "control_limits" and value not in ("theoretical", "cross-validated"):
            raise _bad(name, "choice.one_of", choices=("theoretical", "cross-validated"))
        out[name] = value
    return out


def resolve_params(kind: str, params: Mapping[str, Any] | None, X: np.ndarray) -> dict[str, Any]:
    """The parameters a fit uses: ``params`` checked, or with ``params`` None (``select``) the
    library's choice from the normal readings ``X`` (n x m), :func:`select_monitor` without
    fault runs: PCA components by parallel analysis (Horn 1965); dynamic PCA's lags by the
    order of a vector autoregression (corrected AIC, Hurvich & Tsai 1993) and its components
    by parallel analysis of the lagged readings; CVA's lags likewise and its states by
    Bartlett's test of the canonical correlations (Bartlett 1941)."""
    if params is not None:
        return _checked(kind, params)
    if kind not in KINDS:
        return _checked(kind, {})
    if kind == "spc":
        return {}
    from ..quality.monitoring import MonitorInputError
    from ..quality.selection import select_monitor

    try:
        chosen = dict(select_monitor(kind, X).params)
    except MonitorInputError as err:
        raise invalid("params", "monitor.select_failed", reason=err) from None
    if "n_components" in chosen:  # at least one component is left for SPE
        width = X.shape[1] * (int(chosen.get("lags", 0)) + 1)
        chosen["n_components"] = max(1, min(int(chosen["n_components"]), width - 1))
    return {k: int(v) for k, v in chosen.items()}


def build_monitor(
    kind: str,
    params: Mapping[str, Any],
    variables: Sequence[str],
    specs: Mapping[str, tuple[float | None, float | None]],
) -> Any:
    """An unfitted monitor of ``kind`` with ``params`` (``persistence`` is the scorer's)."""
    from ..quality.individuals import IndividualsMonitor
    from ..quality.monitoring import CVAMonitor, DynamicPCAMonitor, PCAMonitor

    p = {k: v for k, v in params.items() if k != "persistence"}
    try:
        if kind == "pca":
            return PCAMonitor(**{"n_components": 2, **p})
        if kind == "dpca":
            return DynamicPCAMonitor(**{"n_components": 2, **p})
        if kind == "cva":
            return CVAMonitor(**{"n_states": 2, **p})
        return IndividualsMonitor(variables, specs)
    except ValueError as err:  # the library names the argument it refuses
        raise invalid("params", "monitor.params_unusable", reason=err) from None


def _normalised(values: Any) -> Any:
    """An array as nested lists, divided by its largest magnitude and rounded (module doc)."""
    a = np.asarray(values, dtype=float)
    top = float(np.max(np.abs(a))) if a.size else 0.0
    scaled = a / top if top > 0 else a
    return {"scale": float(f"{top:.9g}"), "values": np.round(scaled, 9).tolist()}


def model_digest(
    kind: str, variables: Sequence[str], params: Mapping[str, Any], monitor: Any
) -> str:
    """SHA-256 (hex) of what decides the fitted monitor's statistics (module doc)."""
    forms = monitor.quadratic_forms() if kind == "spc" else monitor.model_.quadratic_forms()
    document = {
        "kind": kind,
        "variables": list(variables),
        "params": dict(params),
        "mean": _normalised(monitor.mean_),
        "scale": _normalised(monitor.scale_),
        "forms": {name: _normalised(m) for name, m in sorted(forms.items())},
        "limits": {k: float(f"{v:.9g}") for k, v in sorted(monitor.limits_.items())},
    }
    return hashlib.sha256(canonical_json(document)).hexdigest()


def chart_documents(
    frame: pd.DataFrame, specs: Mapping[str, tuple[float | None, float | None]]
) -> dict[str, dict[str, float | None]]:
    """The I chart (phase I on ``frame``) of each variable with specification limits."""
    limited = [v for v in frame.columns if v in specs and any(x is not None for x in specs[v])]
    readings = frame[limited].dropna()
    if not limited or len(readings) < MIN_READINGS:
        return {}
    from ..quality.individuals import IndividualsMonitor

    try:
        charts = IndividualsMonitor(limited, specs).fit(readings.to_numpy(float)).charts_
    except ValueError:  # a characteristic that never moved has no σ to chart
        return {}
    return {c.variable: c.document() for c in charts}


def fit_monitor(
    kind: str,
    params: Mapping[str, Any] | None,
    frame: pd.DataFrame,
    specs: Mapping[str, tuple[float | None, float | None]] | None = None,
    variables: Sequence[str] | None = None,
) -> Fitted:
    """Fit a ``kind`` monitor on the normal readings ``frame`` (time order, one column per
    variable) of ``variables`` (None: every column); ``params`` None selects them
    (:func:`resolve_params`). An ``spc`` monitor charts only the variables with specification
    limits in ``specs``; every kind records the I chart of each such variable of ``frame``."""
    specs = dict(specs or {})
    unknown = [v for v in variables or () if v not in frame.columns]
    if unknown:
        raise invalid("variables", "monitor.unknown_variables", variables=unknown)
    charts = chart_documents(frame, specs)
    frame = frame[list(variables)] if variables else frame
    if kind == "spc":
        frame = frame[[v for v in frame.columns if any(x is not None for x in specs.get(v, ()))]]
        if frame.shape[1] == 0:
            raise invalid("kind", "monitor.spc_no_limits")
    frame = frame.dropna()
    if len(frame) < MIN_READINGS:
        raise invalid("start", "monitor.too_few_readings", rows=len(frame), needed=MIN_READINGS)
    X = frame.to_numpy(dtype=float)
    if np.any(X.std(axis=0) == 0):
        still = [str(v) for v, s in zip(frame.columns, X.std(axis=0), strict=True) if s == 0]
        raise invalid("start", "monitor.constant_variables", variables=still)
    names = tuple(str(c) for c in frame.columns)
    resolved = resolve_params(kind, params, X)
    monitor = build_monitor(kind, resolved, names, specs)
    try:
        monitor.fit(X)
    except ValueError as err:
        raise invalid("params", "monitor.params_unfit", reason=err) from None
    limits = {k: float(v) for k, v in monitor.limits_.items()}
    return Fitted(
        kind,
        names,
        resolved,
        monitor,
        limits,
        charts,
        model_digest(kind, names, resolved, monitor),
        len(frame),
        int(resolved.get("persistence", PERSISTENCE)),
    )
