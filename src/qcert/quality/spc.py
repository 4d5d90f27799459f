"""Control charts: X-bar/R, X-bar/S, I-MR, p, np, c, u (Shewhart), EWMA and tabular CUSUM.

Every chart has two uses. Phase I (``params`` not given) estimates the centre and spread from
the data, drops the subgroups beyond the limits and estimates again until none is left
(Montgomery, *Introduction to Statistical Quality Control*, 7th ed., §6.2.1 "trial control
limits", §7.2.1); the limits it ends with are ``Analysis.params``. Phase II (``params`` given,
from a phase I or from a standard) only plots new data against them (§6.2.1, §5.3.3).

Arrays in, arrays out: subgroups are a 2-D array, one row per subgroup, padded with NaN when
sizes differ; every returned array has one entry per subgroup (or observation), in order, and
indices are 0-based. Units: variables charts are in the unit of the measurements, p in
proportion nonconforming, np and c in counts, u in nonconformities per inspection unit.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .factors import c4, d2, d3
from .inputs_error import InputError

__all__ = [
    "Analysis",
    "Chart",
    "CusumAlarm",
    "Params",
    "c_chart",
    "cusum",
    "ewma",
    "imr",
    "np_chart",
    "p_chart",
    "subgroups",
    "u_chart",
    "xbar_r",
    "xbar_s",
]

Floats = NDArray[np.float64]
# Phase I gives up re-estimating after this many rounds; a process needing more is not stable.
MAX_ROUNDS = 25
# What a series argument is called in a Chinese error: the reader typed a column, not a name.
_ZH = {
    "values": "数据",
    "defectives": "不合格品数",
    "counts": "缺陷数",
    "sizes": "样本量",
    "units": "检验单位数",
}


@dataclass(frozen=True)
class Params:
    """What limits are built from: the in-control centre and, for variables charts, σ.

    ``center`` is μ (variables, EWMA, CUSUM), p̄ (p, np), c̄ (c) or ū (u); ``sigma`` is the
    process standard deviation of one observation, in the measurement's unit.
    """

    center: float
    sigma: float | None = None


@dataclass(frozen=True, eq=False)
class Chart:
    """One plotted chart: a statistic per point with its centre line, σ and limits.

    ``sigma`` is the standard error of the statistic at each point (the width of one zone for
    the run rules); ``shewhart`` is False for EWMA and CUSUM, whose points are not independent,
    so only their limits apply, never the run rules.
    """

    name: str
    statistic: Floats
    center: Floats
    sigma: Floats
    lower: Floats
    upper: Floats
    shewhart: bool = True

    def beyond(self) -> NDArray[np.bool_]:
        """Points above the upper or below the lower limit (NaN points never are)."""
        with np.errstate(invalid="ignore"):
            return (self.statistic > self.upper) | (self.statistic < self.lower)

    def signals(self) -> tuple[int, ...]:
        """Indices of the points beyond the limits."""
        return tuple(int(i) for i in np.flatnonzero(self.beyond()))


@dataclass(frozen=True)
class CusumAlarm:
    """A tabular CUSUM excursion above H: when it signalled, when it began, the shifted mean.

    ``start`` is the first point of the excursion (the period after the sum was last zero),
    the estimate of when the shift happened; ``shifted_mean`` is μ0 ± K ± C/N (Montgomery,
    7th ed., §9.1.2), in the measurement's unit.
    """

    side: str
    signal: int
    start: int
    shifted_mean: float


@dataclass(frozen=True, eq=False)
class Analysis:
    """A chart family's result: the charts, the parameters behind them, and phase I's drops.

    ``excluded`` are the subgroups (or observations) phase I left out of the estimate;
    ``rounds`` lists what each round of re-estimation dropped. Limits are those of the last
    estimate, drawn for every point, excluded or not.
    """

    kind: str
    phase: int
    params: Params
    charts: tuple[Chart, ...]
    sizes: NDArray[np.int_]
    excluded: tuple[int, ...] = ()
    rounds: tuple[tuple[int, ...], ...] = ()
    alarms: tuple[CusumAlarm, ...] = ()

    def chart(self, name: str) -> Chart:
        """The chart called ``name`` (``xbar``, ``r``, ``s``, ``i``, ``mr``, ``p``, ...)."""
        for c in self.charts:
            if c.name == name:
                return c
        raise KeyError(name)


def subgroups(
    values: ArrayLike, size: int | None = None, labels: Sequence[Hashable] | None = None
) -> Floats:
    """Group a series into subgroup rows: consecutive runs of ``size``, or by ``labels``.

    Labels keep their order of first appearance; shorter groups are padded with NaN.
    A trailing incomplete run of ``size`` is an error (it would bias the last subgroup).
    """
    x = np.asarray(values, dtype=float)
    if x.ndim != 1:
        raise InputError("values: expected a 1-D series", "数据须为一列数值（一维序列）")
    if (size is None) == (labels is None):
        raise InputError(
            "subgroups: give exactly one of size or labels",
            "子组须由 --subgroup（每组行数）或 --by（标签列）给出，且只能给其中一个",
        )
    if size is not None:
        if size < 1 or len(x) % size:
            raise InputError(
                f"subgroup: {len(x)} values do not split into subgroups of {size}",
                f"--subgroup：{len(x)} 个数值无法均分为每组 {size} 个的子组",
            )
        return x.reshape(-1, size)
    keys = list(labels) if labels is not None else []
    if len(keys) != len(x):
        raise InputError(
            "labels: one label per value is required", "--by：每个数值须有一个子组标签"
        )
    order = list(dict.fromkeys(keys))
    rows = [x[[k == key for k in keys]] for key in order]
    out = np.full((len(rows), max(len(r) for r in rows)), np.nan)
    for i, r in enumerate(rows):
        out[i, : len(r)] = r
    return out


# --- shared machinery -------------------------------------------------------------------------


def _rows(data: ArrayLike, least: int) -> tuple[Floats, NDArray[np.int_]]:
    """Subgroup rows and their sizes (non-NaN counts), each at least ``least``."""
    x = np.asarray(data, dtype=float)
    if x.ndim != 2:
        raise InputError(
            "subgroups: expected a 2-D array, one row per subgroup",
            "子组数据须为二维数组，每行一个子组",
        )
    sizes = np.sum(~np.isnan(x), axis=1)
    if len(sizes) < 2:
        raise InputError("subgroups: at least 2 subgroups are needed", "至少需要 2 个子组")
    small = np.flatnonzero(sizes < least)
    if small.size:
        raise InputError(
            f"subgroups: subgroup {small[0]} has {sizes[small[0]]} values, at least {least} needed",
            f"序号 {small[0]} 的子组只有 {sizes[small[0]]} 个数值，至少需要 {least} 个",
        )
    return x, sizes


def _series(values: ArrayLike, name: str, least: int = 2) -> Floats:
    x = np.asarray(values, dtype=float)
    zh = _ZH[name]
    if x.ndim != 1 or len(x) < least:
        raise InputError(
            f"{name}: expected a 1-D series of at least {least} values",
            f"{zh}须为一列至少 {least} 个数值",
        )
    if np.isnan(x).any():
        at = int(np.flatnonzero(np.isnan(x))[0])
        raise InputError(f"{name}: value {at} is missing", f"{zh}中序号 {at} 的值缺失")
    return x


def _shewhart(
    name: str, stat: Floats, center: Floats, sigma: Floats, floor: float | None, ceil: float | None
) -> Chart:
    """A three-sigma chart; limits a statistic cannot pass (0 for counts, 1 for p) are clipped."""
    lower = center - 3.0 * sigma
    upper = center + 3.0 * sigma
    if floor is not None:
        lower = np.maximum(lower, floor)
    if ceil is not None:
        upper = np.minimum(upper, ceil)
    return Chart(name, stat, center, sigma, lower, upper)


def _phase1(
    m: int,
    estimate: Callable[[NDArray[np.bool_]], Params],
    draw: Callable[[Params], tuple[Chart, ...]],
    params: Params | None,
    revise: bool,
    minimum: int = 2,
) -> tuple[Params, tuple[Chart, ...], tuple[int, ...], tuple[tuple[int, ...], ...]]:
    """Estimate, drop subgroups beyond the limits of any chart, estimate again (§6.2.1)."""
    if params is not None:
        return params, draw(params), (), ()
    keep = np.ones(m, dtype=bool)
    rounds: list[tuple[int, ...]] = []
    for _ in range(MAX_ROUNDS):
        est = estimate(keep)
        charts = draw(est)
        out = np.zeros(m, dtype=bool)
        for chart in charts:
            out |= chart.beyond()
        out &= keep
        if not revise or not out.any():
            break
        if keep.sum() - out.sum() < minimum:
            dropped = int((~keep).sum() + out.sum())
            raise InputError(
                f"subgroups: fewer than {minimum} remain in control after dropping "
                f"{dropped}; the process is not stable enough for limits",
                f"剔除 {dropped} 个超限点后，受控的点不足 {minimum} 个：过程不够稳定，"
                "无法确定控制限",
            )
        keep &= ~out
        rounds.append(tuple(int(i) for i in np.flatnonzero(out)))
    else:  # out of rounds: the limits must still be those of the points kept
        est = estimate(keep)
        charts = draw(est)
    return est, charts, tuple(int(i) for i in np.flatnonzero(~keep)), tuple(rounds)


def _sigma(p: Params) -> float:
    if p.sigma is None or not p.sigma > 0:
        raise InputError(
            "sigma: a positive process standard deviation is required",
            "--sigma：须给出大于 0 的过程标准差",
        )
    return p.sigma


def _positive_center(p: Params | None, name: str, below_one: bool = False) -> None:
    """Given attribute standards must be usable: 0 < p0 < 1, c0 and u0 > 0."""
    if p is not None and not (p.center > 0 and (p.center < 1 or not below_one)):
        bound = "between 0 and 1" if below_one else "positive"
        bound_zh = "在 0 与 1 之间" if below_one else "大于 0"
        raise InputError(
            f"center: the standard {name} must be {bound}, got {p.center}",
            f"--center：给定的标准值 {name} 须{bound_zh}，实际为 {p.center}",
        )


def _vector(fn: Callable[[int], float], sizes: NDArray[np.int_]) -> Floats:
    table = {int(n): fn(int(n)) for n in np.unique(sizes)}
    return np.array([table[int(n)] for n in sizes])


# --- variables charts ------------------------------------------------------------------------


def _xbar_chart(x: Floats, sizes: NDArray[np.int_], p: Params) -> Chart:
    means = np.nanmean(x, axis=1)
    sigma = _sigma(p) / np.sqrt(sizes)
    return _shewhart("xbar", means, np.full(len(x), p.center), sigma, None, None)


def xbar_r(data: ArrayLike, params: Params | None = None, revise: bool = True) -> Analysis:
    """X-bar and R charts (Montgomery, 7th ed., §6.2).

    σ̂ = mean of R_i / d2(n_i), which for equal sizes is R̄/d2; limits
    x̿ ± 3σ̂/√n_i = x̿ ± A2 R̄ and, for R, d2σ̂ ± 3 d3σ̂ = [D3 R̄, D4 R̄]. Unequal
    sizes use the unweighted mean of R_i/d2(n_i), as R's qcc does ("UWAVE-R").
    """
    x, sizes = _rows(data, 2)
    ranges = np.nanmax(x, axis=1) - np.nanmin(x, axis=1)
    d2n, d3n = _vector(d2, sizes), _vector(d3, sizes)

    def estimate(keep: NDArray[np.bool_]) -> Params:
        return Params(float(np.nanmean(x[keep])), float(np.mean(ranges[keep] / d2n[keep])))

    def draw(p: Params) -> tuple[Chart, ...]:
        r = _shewhart("r", ranges, d2n * _sigma(p), d3n * _sigma(p), 0.0, None)
        return _xbar_chart(x, sizes, p), r

    est, charts, excluded, rounds = _phase1(len(x), estimate, draw, params, revise)
    return Analysis("xbar-r", 1 if params is None else 2, est, charts, sizes, excluded, rounds)


def xbar_s(data: ArrayLike, params: Params | None = None, revise: bool = True) -> Analysis:
    """X-bar and S charts (Montgomery, 7th ed., §6.3.1).

    σ̂ = mean of s_i / c4(n_i), for equal sizes s̄/c4; limits x̿ ± A3 s̄ and
    c4σ̂ ± 3σ̂√(1 − c4²) = [B3 s̄, B4 s̄]; unequal sizes get limits per
    subgroup from their own n_i (§6.3.2).
    """
    x, sizes = _rows(data, 2)
    sds = np.nanstd(x, axis=1, ddof=1)
    c4n = _vector(c4, sizes)

    def estimate(keep: NDArray[np.bool_]) -> Params:
        return Params(float(np.nanmean(x[keep])), float(np.mean(sds[keep] / c4n[keep])))

    def draw(p: Params) -> tuple[Chart, ...]:
        spread = _sigma(p) * np.sqrt(1.0 - c4n**2)
        s = _shewhart("s", sds, c4n * _sigma(p), spread, 0.0, None)
        return _xbar_chart(x, sizes, p), s

    est, charts, excluded, rounds = _phase1(len(x), estimate, draw, params, revise)
    return Analysis("xbar-s", 1 if params is None else 2, est, charts, sizes, excluded, rounds)


def _moving_ranges(x: Floats) -> Floats:
    """|x_i − x_(i−1)|, NaN at index 0 so that index i is the range ending at observation i."""
    return np.concatenate([[np.nan], np.abs(np.diff(x))])


def imr(values: ArrayLike, params: Params | None = None, revise: bool = True) -> Analysis:
    """Individuals and moving-range charts (Montgomery, 7th ed., §6.4).

    σ̂ = MR̄/d2(2) = MR̄/1.128; I limits x̄ ± 3σ̂, MR limits [0, D4(2) MR̄].
    Phase I drops observations beyond the I limits from the mean and every moving range
    touching them; a moving range beyond its own limit leaves MR̄ but not its observations.
    """
    x = _series(values, "values", 3)
    mr = _moving_ranges(x)
    m = len(x)
    d2_2, d3_2 = d2(2), d3(2)

    def draw(p: Params) -> tuple[Chart, ...]:
        sigma = np.full(m, _sigma(p))
        i_chart = _shewhart("i", x, np.full(m, p.center), sigma, None, None)
        mr_chart = _shewhart("mr", mr, d2_2 * sigma, d3_2 * sigma, 0.0, None)
        return i_chart, mr_chart

    if params is not None:
        return Analysis("imr", 2, params, draw(params), np.ones(m, dtype=int))
    keep = np.ones(m, dtype=bool)
    mr_keep = np.concatenate([[False], np.ones(m - 1, dtype=bool)])
    rounds: list[tuple[int, ...]] = []

    def estimate() -> tuple[Params, NDArray[np.bool_]]:
        usable = mr_keep & keep & np.roll(keep, 1)
        if usable.sum() < 1 or keep.sum() < 2:
            raise InputError(
                "values: too few in-control observations remain to estimate σ",
                "剩下的受控观测值太少，无法估计 σ",
            )
        return Params(float(x[keep].mean()), float(mr[usable].mean() / d2_2)), usable

    for _ in range(MAX_ROUNDS):
        est, usable = estimate()
        charts = draw(est)
        out = charts[0].beyond() & keep
        mr_out = charts[1].beyond() & usable
        if not revise or not (out.any() or mr_out.any()):
            break
        keep &= ~out
        mr_keep &= ~mr_out
        if out.any():
            rounds.append(tuple(int(i) for i in np.flatnonzero(out)))
    else:  # out of rounds: the limits must still be those of the points kept
        est = estimate()[0]
        charts = draw(est)
    excluded = tuple(int(i) for i in np.flatnonzero(~keep))
    return Analysis("imr", 1, est, charts, np.ones(m, dtype=int), excluded, tuple(rounds))


# --- attributes charts -----------------------------------------------------------------------


def _counts(values: ArrayLike, name: str) -> Floats:
    x = _series(values, name)
    if (x < 0).any():
        at = int(np.argmax(x < 0))
        raise InputError(
            f"{name}: counts cannot be negative (value {at})",
            f"{_ZH[name]}不能为负数（序号 {at} 的值）",
        )
    return x


def _sizes(sizes: ArrayLike | float, m: int, name: str) -> Floats:
    n = np.broadcast_to(np.asarray(sizes, dtype=float), (m,)).copy()
    if (n <= 0).any():
        raise InputError(f"{name}: every sample size must be positive", f"{_ZH[name]}须全部大于 0")
    return n


def p_chart(
    defectives: ArrayLike,
    sizes: ArrayLike | float,
    params: Params | None = None,
    revise: bool = True,
) -> Analysis:
    """Fraction-nonconforming chart, sizes may vary (Montgomery, 7th ed., §7.2.1-7.2.2).

    p̄ = Σd_i / Σn_i; limits p̄ ± 3√(p̄(1 − p̄)/n_i), clipped to [0, 1].
    """
    d = _counts(defectives, "defectives")
    n = _sizes(sizes, len(d), "sizes")
    _positive_center(params, "p0", below_one=True)
    if (d > n).any():
        at = int(np.argmax(d > n))
        raise InputError(
            f"defectives: sample {at} has more than its size",
            f"序号 {at} 的样本，不合格品数超过了样本量",
        )

    def estimate(keep: NDArray[np.bool_]) -> Params:
        return Params(float(d[keep].sum() / n[keep].sum()))

    def draw(p: Params) -> tuple[Chart, ...]:
        sigma = np.sqrt(p.center * (1.0 - p.center) / n)
        return (_shewhart("p", d / n, np.full(len(d), p.center), sigma, 0.0, 1.0),)

    est, charts, excluded, rounds = _phase1(len(d), estimate, draw, params, revise)
    sizes_int = n.astype(int)
    return Analysis("p", 1 if params is None else 2, est, charts, sizes_int, excluded, rounds)


def np_chart(
    defectives: ArrayLike, size: int, params: Params | None = None, revise: bool = True
) -> Analysis:
    """Number-nonconforming chart for a constant sample size (Montgomery, 7th ed., §7.2.1).

    Centre n p̄, limits n p̄ ± 3√(n p̄ (1 − p̄)) clipped at 0 and n.
    """
    d = _counts(defectives, "defectives")
    if size < 1 or (d > size).any():
        raise InputError(
            f"size: the constant sample size {size} must cover every count",
            f"--subgroup：固定样本量 {size} 须不小于每个不合格品数",
        )
    _positive_center(params, "p0", below_one=True)

    def estimate(keep: NDArray[np.bool_]) -> Params:
        return Params(float(d[keep].mean() / size))

    def draw(p: Params) -> tuple[Chart, ...]:
        m = len(d)
        sigma = np.full(m, np.sqrt(size * p.center * (1.0 - p.center)))
        return (_shewhart("np", d, np.full(m, size * p.center), sigma, 0.0, float(size)),)

    est, charts, excluded, rounds = _phase1(len(d), estimate, draw, params, revise)
    sizes = np.full(len(d), size, dtype=int)
    return Analysis("np", 1 if params is None else 2, est, charts, sizes, excluded, rounds)


def c_chart(counts: ArrayLike, params: Params | None = None, revise: bool = True) -> Analysis:
    """Nonconformities per constant inspection unit (Montgomery, 7th ed., §7.3.1).

    c̄ = mean count; limits c̄ ± 3√c̄ clipped at 0.
    """
    c = _counts(counts, "counts")
    _positive_center(params, "c0")

    def estimate(keep: NDArray[np.bool_]) -> Params:
        return Params(float(c[keep].mean()))

    def draw(p: Params) -> tuple[Chart, ...]:
        m = len(c)
        sigma = np.full(m, np.sqrt(p.center))
        return (_shewhart("c", c, np.full(m, p.center), sigma, 0.0, None),)

    est, charts, excluded, rounds = _phase1(len(c), estimate, draw, params, revise)
    sizes = np.ones(len(c), dtype=int)
    return Analysis("c", 1 if params is None else 2, est, charts, sizes, excluded, rounds)


def u_chart(
    counts: ArrayLike,
    units: ArrayLike | float,
    params: Params | None = None,
    revise: bool = True,
) -> Analysis:
    """Nonconformities per unit with a varying number of units (Montgomery, 7th ed., §7.3.1).

    u_i = c_i/n_i, ū = Σc_i / Σn_i; limits ū ± 3√(ū/n_i) clipped at 0.
    ``units`` may be fractional (e.g. square metres of cloth per 50 m²).
    """
    c = _counts(counts, "counts")
    n = _sizes(units, len(c), "units")
    _positive_center(params, "u0")

    def estimate(keep: NDArray[np.bool_]) -> Params:
        return Params(float(c[keep].sum() / n[keep].sum()))

    def draw(p: Params) -> tuple[Chart, ...]:
        sigma = np.sqrt(p.center / n)
        return (_shewhart("u", c / n, np.full(len(c), p.center), sigma, 0.0, None),)

    est, charts, excluded, rounds = _phase1(len(c), estimate, draw, params, revise)
    sizes = np.round(n).astype(int)
    return Analysis("u", 1 if params is None else 2, est, charts, sizes, excluded, rounds)


# --- time-weighted charts --------------------------------------------------------------------


def _mean_and_sigma(x: Floats, params: Params | None) -> tuple[Params, int]:
    """Given parameters (phase II), or the mean and MR̄/d2 of the data itself (phase I)."""
    if params is not None:
        _sigma(params)
        return params, 2
    sigma = float(np.mean(np.abs(np.diff(x))) / d2(2))
    if sigma <= 0:
        raise InputError(
            "values: all values are equal, σ cannot be estimated", "所有数值都相同，无法估计 σ"
        )
    return Params(float(x.mean()), sigma), 1


def ewma(
    values: ArrayLike,
    lam: float = 0.1,
    L: float = 2.7,
    params: Params | None = None,
    exact_limits: bool = True,
) -> Analysis:
    """EWMA chart with exact time-varying limits (Montgomery, 7th ed., §9.2.1).

    z_i = λ x_i + (1 − λ) z_(i−1), z_0 = μ0; limits μ0 ± L σ √(λ/(2 − λ) · [1 − (1 − λ)^(2i)]),
    or with ``exact_limits=False`` the steady-state μ0 ± L σ √(λ/(2 − λ)) that the published
    ARL tables assume (λ = 0.1 with L = 2.814 gives an in-control ARL of 500: Lucas & Saccucci,
    Technometrics 32(1), 1990). The defaults are Example 9.2's λ = 0.1, L = 2.7. The exact
    limits are narrower at first, so they catch an early shift sooner and signal a little more
    often in control. ``values`` are individual observations, or subgroup means with
    ``params.sigma`` their standard error.
    """
    x = _series(values, "values")
    if not 0.0 < lam <= 1.0 or L <= 0:
        raise InputError(
            "lam: λ must be in (0, 1] and L positive", "--lambda 须在 (0, 1] 之内，--L 须大于 0"
        )
    p, phase = _mean_and_sigma(x, params)
    z = np.empty_like(x)
    prev = p.center
    for i, xi in enumerate(x):
        prev = lam * xi + (1.0 - lam) * prev
        z[i] = prev
    t = np.arange(1, len(x) + 1)
    growth = 1.0 - (1.0 - lam) ** (2 * t) if exact_limits else np.ones(len(x))
    se = _sigma(p) * np.sqrt(lam / (2.0 - lam) * growth)
    center = np.full(len(x), p.center)
    chart = Chart("ewma", z, center, se, center - L * se, center + L * se, shewhart=False)
    return Analysis("ewma", phase, p, (chart,), np.ones(len(x), dtype=int))


def cusum(
    values: ArrayLike, k: float = 0.5, h: float = 5.0, params: Params | None = None
) -> Analysis:
    """Tabular CUSUM for the mean, with k and h in units of σ (Montgomery, 7th ed., §9.1.2).

    C⁺_i = max(0, x_i − (μ0 + K) + C⁺_(i−1)), C⁻_i = max(0, (μ0 − K) − x_i + C⁻_(i−1)),
    K = kσ, H = hσ, C_0 = 0; a sum above H signals. Each excursion above H is one
    alarm, with the period it began and the shifted mean μ0 + K + C⁺/N⁺.
    k = 0.5, h = 5 detect a 1σ shift in about 10 points with an in-control ARL of 465 (§9.1.3).
    """
    x = _series(values, "values")
    if k < 0 or h <= 0:
        raise InputError(
            "h: k must be ≥ 0 and h > 0 (both in σ)", "--k 须 ≥ 0，--h 须 > 0（均以 σ 为单位）"
        )
    p, phase = _mean_and_sigma(x, params)
    big_k, big_h = k * _sigma(p), h * _sigma(p)
    upper, lower = np.zeros_like(x), np.zeros_like(x)
    n_up, n_down = np.zeros(len(x), dtype=int), np.zeros(len(x), dtype=int)
    cu = cl = 0.0
    nu = nd = 0
    for i, xi in enumerate(x):
        cu = max(0.0, xi - (p.center + big_k) + cu)
        cl = max(0.0, (p.center - big_k) - xi + cl)
        nu = nu + 1 if cu > 0 else 0
        nd = nd + 1 if cl > 0 else 0
        upper[i], lower[i], n_up[i], n_down[i] = cu, cl, nu, nd
    m = len(x)
    zero, inf = np.zeros(m), np.full(m, np.inf)
    nan = np.full(m, np.nan)
    charts = (
        Chart("cusum-upper", upper, zero, nan, -inf, np.full(m, big_h), shewhart=False),
        Chart("cusum-lower", lower, zero, nan, -inf, np.full(m, big_h), shewhart=False),
    )
    alarms = [
        *_excursions("up", upper, n_up, big_h, lambda c, n: p.center + big_k + c / n),
        *_excursions("down", lower, n_down, big_h, lambda c, n: p.center - big_k - c / n),
    ]
    alarms.sort(key=lambda a: a.signal)
    sizes = np.ones(m, dtype=int)
    return Analysis("cusum", phase, p, charts, sizes, alarms=tuple(alarms))


def _excursions(
    side: str, c: Floats, runs: NDArray[np.int_], h: float, mean: Callable[[float, int], float]
) -> list[CusumAlarm]:
    """One alarm per crossing of H: the first point above it, counted back to the last zero."""
    above = c > h
    firsts = np.flatnonzero(above & ~np.concatenate([[False], above[:-1]]))
    return [
        CusumAlarm(side, int(i), int(i - runs[i] + 1), float(mean(c[i], int(runs[i]))))
        for i in firsts
    ]
