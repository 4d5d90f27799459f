"""Process capability: Cp, Cpk, Pp, Ppk, Cpm with confidence intervals, and whether to quote them.

Within-subgroup σ (for Cp, Cpk) comes from R̄/d2, s̄/c4 or MR̄/d2; overall σ (for Pp, Ppk,
Cpm) is the sample standard deviation of every observation (Montgomery, *Introduction to
Statistical Quality Control*, 7th ed., §8.3; AIAG SPC manual, 2nd ed., ch. IV). Indices
assume a normal, stable process: an Anderson-Darling test runs first, and a failed test (or a
chart out of control, when the caller says so) makes the result say the indices must not be
quoted, and why.

Units: specification limits, target, means and σ are in the measurement's unit; indices are
dimensionless; expected nonconforming is in parts per million.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import stats
from statsmodels.stats.diagnostic import normal_ad

from .factors import c4, d2, d3
from .inputs_error import InputError

__all__ = ["Capability", "Interval", "Normality", "Reason", "capability", "within_sigma"]


@dataclass(frozen=True)
class Interval:
    """An estimate with its two-sided confidence interval."""

    estimate: float
    lower: float
    upper: float


@dataclass(frozen=True)
class Normality:
    """Anderson-Darling test for normality with mean and σ estimated from the data.

    ``statistic`` is A²; ``p_value`` is D'Agostino & Stephens' (*Goodness-of-Fit Techniques*,
    1986) for the adjusted A*² = A²(1 + 0.75/n + 2.25/n²), as Minitab reports it.
    """

    statistic: float
    p_value: float
    alpha: float

    @property
    def normal(self) -> bool:
        """Whether normality is not rejected at ``alpha``."""
        return self.p_value >= self.alpha


@dataclass(frozen=True)
class Reason:
    """Why the indices must not be quoted: a rule id and the explanation in en and zh-CN."""

    rule: str
    en: str
    zh: str


@dataclass(frozen=True)
class Capability:
    """Capability indices of one characteristic, with their intervals and a verdict.

    Cp and Cpm need both specification limits; with one limit Cpk and Ppk are the one-sided
    Cpu / Cpl and Ppu / Ppl. ``within_df`` is the degrees of freedom of the within σ
    (Patnaik's χ² approximation), used by the Cp and Cpk intervals.
    """

    n: int
    mean: float
    within_method: str
    sigma_within: float
    within_df: float
    sigma_overall: float
    lsl: float | None
    usl: float | None
    target: float | None
    confidence: float
    cp: Interval | None
    cpk: Interval
    pp: Interval | None
    ppk: Interval
    cpm: Interval | None
    ppm_within: float
    ppm_overall: float
    ppm_observed: float
    normality: Normality
    reasons: tuple[Reason, ...]

    @property
    def quotable(self) -> bool:
        """True when nothing stands against quoting the indices."""
        return not self.reasons


def within_sigma(data: ArrayLike, method: str = "auto") -> tuple[float, float, str]:
    """Within-subgroup σ, its degrees of freedom and the method used.

    ``data`` is a 1-D series (method ``mr``) or subgroup rows padded with NaN (``rbar`` or
    ``sbar``); ``auto`` picks ``mr`` for a series, ``rbar`` for subgroups of at most 10 and
    ``sbar`` above (Montgomery, 7th ed., §6.3: S is preferred for n > 10).

    - ``rbar``: mean of R_i/d2(n_i) (Montgomery §6.2.1); Var = σ² Σ (d3/d2)² / m².
    - ``sbar``: mean of s_i/c4(n_i) (§6.3.1); Var = σ² Σ (1 − c4²)/c4² / m².
    - ``mr``: MR̄/d2(2) (§6.4); adjacent moving ranges are correlated, so
      Var(MR̄) = σ²[k(2 − 4/π) + 2(k − 1)·c] / k² over k ranges, with
      c = Cov(|U|, |V|) = (4/π)(√3/2 + π/12) − 4/π for U, V adjacent differences (ρ = −½;
      E|UV| from Nabeya, Ann. Inst. Stat. Math. 1951).

    The degrees of freedom ν make σ̂ behave as σ√(χ²_ν/ν): ν = 1 / (2 Var(σ̂)/σ²)
    (Patnaik, Biometrika 37, 1950), e.g. about 0.9·m(n − 1) for R̄/d2 with n = 5, as Duncan
    tabulates.
    """
    x = np.asarray(data, dtype=float)
    if method == "auto":
        method = "mr" if x.ndim == 1 else ("rbar" if x.shape[1] <= 10 else "sbar")
    if method not in ("mr", "rbar", "sbar"):
        raise InputError(
            f"within: unknown method {method!r}; use rbar, sbar or mr",
            f"组内 σ 的估计方法 {method!r} 未知，可用 'rbar'、'sbar' 或 'mr'",
        )
    if method == "mr":
        return _mr_sigma(x)
    if x.ndim != 2:
        raise InputError(
            f"within: {method} needs subgroups (a 2-D array), not a series",
            f"组内 σ 的估计方法 {method!r} 需要子组数据（二维数组），不能是一列数值",
        )
    sizes = np.sum(~np.isnan(x), axis=1)
    if (sizes < 2).any():
        raise InputError(
            f"within: {method} needs every subgroup to have at least 2 values",
            f"组内 σ 的估计方法 {method!r} 要求每个子组至少有 2 个数值",
        )
    m = len(x)
    if method == "rbar":
        ranges = np.nanmax(x, axis=1) - np.nanmin(x, axis=1)
        d2n = np.array([d2(int(n)) for n in sizes])
        rel_var = sum((d3(int(n)) / d2(int(n))) ** 2 for n in sizes) / m**2
        return float(np.mean(ranges / d2n)), 1.0 / (2.0 * rel_var), method
    c4n = np.array([c4(int(n)) for n in sizes])
    rel_var = float(np.sum((1.0 - c4n**2) / c4n**2)) / m**2
    return float(np.mean(np.nanstd(x, axis=1, ddof=1) / c4n)), 1.0 / (2.0 * rel_var), method


def _mr_sigma(x: NDArray[np.float64]) -> tuple[float, float, str]:
    series = x.ravel() if x.ndim == 2 else x
    series = series[~np.isnan(series)]
    k = len(series) - 1
    if k < 1:
        raise InputError(
            "within: mr needs at least 2 observations", "用移动极差估计组内 σ 至少需要 2 个观测值"
        )
    var_one = 2.0 - 4.0 / math.pi
    cov_adjacent = (4.0 / math.pi) * (math.sqrt(3.0) / 2.0 + math.pi / 12.0) - 4.0 / math.pi
    var_mean = (k * var_one + 2.0 * (k - 1) * cov_adjacent) / k**2
    rel_var = var_mean / d2(2) ** 2
    sigma = float(np.mean(np.abs(np.diff(series))) / d2(2))
    return sigma, 1.0 / (2.0 * rel_var), "mr"


def capability(
    data: ArrayLike,
    lsl: float | None = None,
    usl: float | None = None,
    target: float | None = None,
    within: str = "auto",
    confidence: float = 0.95,
    alpha: float = 0.05,
    in_control: bool | None = None,
) -> Capability:
    """Capability of one characteristic: indices, intervals, normality and whether to quote.

    Formulas (Montgomery, 7th ed., §8.3): Cp = (USL − LSL)/6σ_w, Cpk = min(USL − x̄,
    x̄ − LSL)/3σ_w, Pp and Ppk the same with the overall s, Cpm = (USL − LSL)/6√(s² + (x̄ − T)²)
    (§8.3.4; T defaults to the mid-point). Intervals (§8.3.5) at ``confidence``:

    - Cp, Pp: Ĉ·√(χ²_(α/2,ν)/ν) to Ĉ·√(χ²_(1−α/2,ν)/ν) (ν = n − 1 for Pp, the
      within σ's ν for Cp);
    - Cpk, Ppk: Ĉ ∓ z_(α/2)·√(1/(9n) + Ĉ²/(2ν)) (Bissell, Applied Statistics 39, 1990;
      Montgomery §8.3.5);
    - Cpm: the χ² interval with ν = n(1 + ξ²)² / (1 + 2ξ²), ξ = (x̄ − T)/s (Boyles,
      J. Quality Technology 23(1), 1991).

    ``in_control=False`` (the caller's charts signalled) adds a reason not to quote.
    """
    x = np.asarray(data, dtype=float)
    values = x[~np.isnan(x)].ravel()
    n = len(values)
    if n < 8:  # D'Agostino & Stephens' p-value formula for A*² holds from n = 8
        raise InputError(
            f"data: capability needs at least 8 observations, got {n}",
            f"过程能力分析至少需要 8 个观测值，实际只有 {n} 个",
        )
    if lsl is None and usl is None:
        raise InputError(
            "lsl: give a lower or an upper specification limit (or both)",
            "请给出规格下限 --lsl 或规格上限 --usl（或两者都给）",
        )
    if lsl is not None and usl is not None and not lsl < usl:
        raise InputError(
            f"usl: the upper limit {usl} must exceed the lower {lsl}",
            f"--usl：规格上限 {usl} 须大于规格下限 {lsl}",
        )
    if not 0.0 < confidence < 1.0:
        raise InputError("confidence: must be between 0 and 1", "置信水平须在 0 与 1 之间")
    mean = float(values.mean())
    s = float(values.std(ddof=1))
    sw, nu, method = within_sigma(x, within)
    if not (sw > 0 and s > 0):
        raise InputError(
            "data: σ is zero; capability needs variation to measure",
            "σ 为零：数据没有波动，无法计算过程能力",
        )
    tail = (1.0 - confidence) / 2.0
    z = float(stats.norm.ppf(1.0 - tail))

    def chi_interval(value: float, df: float) -> Interval:
        lo = value * math.sqrt(stats.chi2.ppf(tail, df) / df)
        hi = value * math.sqrt(stats.chi2.ppf(1.0 - tail, df) / df)
        return Interval(value, lo, hi)

    def bissell(value: float, df: float) -> Interval:
        half = z * math.sqrt(1.0 / (9.0 * n) + value**2 / (2.0 * df))
        return Interval(value, value - half, value + half)

    def k_index(sigma: float) -> float:
        sides = []
        if usl is not None:
            sides.append((usl - mean) / (3.0 * sigma))
        if lsl is not None:
            sides.append((mean - lsl) / (3.0 * sigma))
        return min(sides)

    cp = pp = cpm = None
    if lsl is not None and usl is not None:
        width = usl - lsl
        target = (lsl + usl) / 2.0 if target is None else target
        cp = chi_interval(width / (6.0 * sw), nu)
        pp = chi_interval(width / (6.0 * s), n - 1)
        xi = (mean - target) / s
        boyles_df = n * (1.0 + xi**2) ** 2 / (1.0 + 2.0 * xi**2)
        cpm = chi_interval(width / (6.0 * math.hypot(s, mean - target)), boyles_df)
    normality = _anderson_darling(values, alpha)
    return Capability(
        n=n,
        mean=mean,
        within_method=method,
        sigma_within=sw,
        within_df=nu,
        sigma_overall=s,
        lsl=lsl,
        usl=usl,
        target=target,
        confidence=confidence,
        cp=cp,
        cpk=bissell(k_index(sw), nu),
        pp=pp,
        ppk=bissell(k_index(s), n - 1),
        cpm=cpm,
        ppm_within=_ppm(mean, sw, lsl, usl),
        ppm_overall=_ppm(mean, s, lsl, usl),
        ppm_observed=1e6 * _outside(values, lsl, usl) / n,
        normality=normality,
        reasons=_reasons(normality, in_control),
    )


def _anderson_darling(values: NDArray[np.float64], alpha: float) -> Normality:
    statistic, p_value = normal_ad(values)
    return Normality(float(statistic), float(p_value), alpha)


def _ppm(mean: float, sigma: float, lsl: float | None, usl: float | None) -> float:
    """Expected parts per million outside the limits under a normal model."""
    below = stats.norm.cdf((lsl - mean) / sigma) if lsl is not None else 0.0
    above = stats.norm.sf((usl - mean) / sigma) if usl is not None else 0.0
    return float(1e6 * (below + above))


def _outside(values: NDArray[np.float64], lsl: float | None, usl: float | None) -> int:
    out = np.zeros(len(values), dtype=bool)
    if lsl is not None:
        out |= values < lsl
    if usl is not None:
        out |= values > usl
    return int(out.sum())


def _reasons(normality: Normality, in_control: bool | None) -> tuple[Reason, ...]:
    reasons = []
    if not normality.normal:
        p, a = normality.p_value, normality.alpha
        reasons.append(
            Reason(
                "capability.normality",
                f"the data are not normal (Anderson-Darling A² = {normality.statistic:.3f}, "
                f"p = {p:.4f} < {a}): normal-theory indices misstate the nonconforming "
                "fraction; do not quote them, transform the data or fit its distribution",
                f"数据不服从正态分布（Anderson-Darling A² = {normality.statistic:.3f}，"
                f"p = {p:.4f} < {a}）：基于正态假设的能力指数会误估不合格率，不得引用；"
                "请先变换数据或拟合其分布",
            )
        )
    if in_control is False:
        reasons.append(
            Reason(
                "capability.stability",
                "the control chart signals: the process is not stable, so its capability "
                "is not defined; remove the special causes first",
                "控制图判异：过程不稳定，能力指数无意义；请先消除特殊原因",
            )
        )
    return tuple(reasons)
