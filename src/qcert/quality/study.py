"""An SPC study as a quality engineer runs one: limits, run rules, then capability.

The first ``phase1`` points (all, by default) estimate the limits as phase I does, dropping
points beyond them; every point is then drawn against those limits, so the points after
``phase1`` are monitored as phase II (Montgomery, *Introduction to Statistical Quality
Control*, 7th ed., §5.3.3, §6.2.1). The run rules read the chart of location or count (X-bar,
I, p, np, c, u); R, S and MR charts get their limits only, since their points are skewed and,
for MR, correlated (Montgomery §6.4), which the zone rules do not allow for. Capability is
computed on the phase I data of a variables chart (on all of it when the parameters are
given standards), and is not to be quoted if the charts signalled there.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from . import spc
from .capability import Capability, capability
from .inputs_error import InputError
from .rules import NELSON, Violation, check

__all__ = ["KINDS", "Study", "study"]

KINDS: tuple[str, ...] = ("imr", "xbar-r", "xbar-s", "p", "np", "c", "u", "ewma", "cusum")
# The chart the run rules read, and (for these three) the variables charts with a capability.
_PRIMARY = {"imr": "i", "xbar-r": "xbar", "xbar-s": "xbar"}
_WITHIN = {"imr": "mr", "xbar-r": "rbar", "xbar-s": "sbar"}


@dataclass(frozen=True, eq=False)
class Study:
    """The result: phase I's fit, every point against its limits, signals and capability.

    ``beyond`` maps each chart to the points beyond its limits; ``violations`` are the run
    rules' findings on the primary chart (``primary``). Indices are 0-based.
    """

    kind: str
    phase1: int
    fit: spc.Analysis
    analysis: spc.Analysis
    primary: str
    violations: tuple[Violation, ...]
    beyond: dict[str, tuple[int, ...]]
    capability: Capability | None

    @property
    def stable_in_phase1(self) -> bool:
        """No point dropped, beyond a limit or signalling a rule among the phase I points.

        With given parameters (``phase1`` = 0) every point counts.
        """
        end = self.phase1 or len(self.analysis.sizes)
        beyond = any(i < end for idx in self.beyond.values() for i in idx)
        signalled = any(v.signal < end for v in self.violations)
        return not self.fit.excluded and not beyond and not signalled


def study(
    kind: str,
    data: ArrayLike,
    sizes: ArrayLike | float | None = None,
    phase1: int | None = None,
    params: spc.Params | None = None,
    rules: Iterable[str] = NELSON,
    lsl: float | None = None,
    usl: float | None = None,
    target: float | None = None,
    lam: float = 0.1,
    L: float = 2.7,
    k: float = 0.5,
    h: float = 5.0,
) -> Study:
    """Run one study. ``data`` is subgroup rows for X-bar charts, else a 1-D series.

    ``sizes`` are the sample sizes of p (per point or one number), np (one number) and u
    (inspection units per point). ``params`` are given standards (μ0 and σ, p0, c0 or u0):
    then no phase I runs, every point is monitored and ``phase1`` is 0. ``lam`` and ``L`` are
    the EWMA's λ and limit width, ``k`` and ``h`` the CUSUM's reference value and decision
    interval, both in σ.
    """
    if kind not in KINDS:
        raise InputError(
            f"chart: unknown chart {kind!r}; one of {', '.join(KINDS)}",
            f"--chart：未知的控制图 {kind!r}，可选 {'、'.join(map(repr, KINDS))}",
        )
    x = np.asarray(data, dtype=float)
    m = len(x)
    n1 = m if phase1 is None else phase1
    if params is not None and phase1 is not None:
        raise InputError(
            "phase1: not with given parameters, which leave no phase I",
            "--phase1 不能与 --center 同用：给定标准参数时没有第一阶段",
        )
    if params is None and not 2 <= n1 <= m:
        raise InputError(
            f"phase1: must be between 2 and the {m} points of the data",
            f"--phase1 须在 2 与数据的点数 {m} 之间",
        )
    per_point = sizes is not None and np.ndim(sizes) == 1
    if per_point and np.size(sizes) != m:
        raise InputError(
            f"sizes: one sample size per point is required ({m})",
            f"每个点须有一个样本量（共 {m} 个点）",
        )

    def run(part: slice, given: spc.Params | None) -> spc.Analysis:
        part_sizes = np.asarray(sizes)[part] if per_point else sizes
        return _chart(kind, x[part], part_sizes, given, lam, L, k, h)

    if params is not None:
        n1 = 0
        fit = analysis = run(slice(0, m), params)
    else:
        fit = run(slice(0, n1), None)
        analysis = run(slice(0, m), fit.params)
    primary = _PRIMARY.get(kind, "cusum-upper" if kind == "cusum" else kind)
    main = analysis.chart(primary)
    violations = check(main.statistic, main.center, main.sigma, rules) if main.shewhart else ()
    beyond = {c.name: c.signals() for c in analysis.charts}
    result = Study(kind, n1, fit, analysis, primary, violations, beyond, None)
    if kind in _PRIMARY and (lsl is not None or usl is not None):
        stable = result.stable_in_phase1
        cap = capability(x[: n1 or m], lsl, usl, target, _WITHIN[kind], in_control=stable)
        result = Study(kind, n1, fit, analysis, primary, violations, beyond, cap)
    return result


def _chart(
    kind: str,
    x: np.ndarray,
    sizes: ArrayLike | float | None,
    params: spc.Params | None,
    lam: float,
    L: float,
    k: float,
    h: float,
) -> spc.Analysis:
    if kind == "xbar-r":
        return spc.xbar_r(x, params)
    if kind == "xbar-s":
        return spc.xbar_s(x, params)
    if kind == "imr":
        return spc.imr(x, params)
    if kind == "c":
        return spc.c_chart(x, params)
    if kind == "ewma":
        return spc.ewma(x, lam, L, params)
    if kind == "cusum":
        return spc.cusum(x, k, h, params)
    if sizes is None:
        raise InputError(
            f"sizes: a {kind} chart needs the sample sizes",
            f"{kind} 控制图需要样本量：请给出 --subgroup 或 --size-column",
        )
    if kind == "p":
        return spc.p_chart(x, sizes, params)
    if kind == "np":
        if np.ndim(sizes) != 0:
            raise InputError(
                "sizes: an np chart needs one constant sample size",
                "np 控制图需要一个固定的样本量（--subgroup）",
            )
        return spc.np_chart(x, int(np.asarray(sizes)), params)
    return spc.u_chart(x, sizes, params)
