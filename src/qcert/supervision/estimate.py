"""Horvitz-Thompson estimation of a population rate from a random inspection's results.

The design is the one of ``qcert.supervision.draw``: in each risk class h a simple random sample
of n_h of its N_h targets, and independently a control sample of n_c of all N targets; a target
is inspected when either picks it. Inclusion probabilities, single and joint, follow from those
numbers alone, which ``DrawResult`` keeps.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from fractions import Fraction

from .inspection import DrawInputInvalid, DrawResult

__all__ = ["RateEstimate", "horvitz_thompson"]


@dataclass(frozen=True)
class RateEstimate:
    """A Horvitz-Thompson estimate of a population rate (share, 0-1).

    ``variance``: its Horvitz-Thompson variance estimate (may be slightly negative in rare
    samples; ``standard_error`` clips it at 0); ``variance_unbiased``: every pair of targets
    of the frame could be drawn together (pi_ij > 0), which the variance estimate needs to be
    unbiased; ``sample``: results used; ``population``: frame size N.
    """

    rate: float
    variance: float
    standard_error: float
    variance_unbiased: bool
    sample: int
    population: int


def _joint(result: DrawResult) -> tuple[dict[str, Fraction], Callable[[str, str], Fraction]]:
    """pi_h per stratum and pi_hk(h, k) for two distinct targets of strata h and k."""
    n_big, n_c = result.population, result.control_size
    out_c = 1 - Fraction(n_c, n_big)  # P(a target is not in the control)
    both_out_c = (
        Fraction((n_big - n_c) * (n_big - n_c - 1), n_big * (n_big - 1)) if n_big > 1 else 0
    )
    size = {s.risk: s for s in result.strata}
    out = {r: 1 - Fraction(s.sample, s.population) for r, s in size.items()}
    pi = {r: 1 - out[r] * out_c for r in size}

    def pair(h: str, k: str) -> Fraction:
        s = size[h]
        if h == k:
            big, small = s.population, s.sample
            both_out = (
                Fraction((big - small) * (big - small - 1), big * (big - 1)) if big > 1 else 0
            )
        else:
            both_out = out[h] * out[k]
        return 1 - out[h] * out_c - out[k] * out_c + both_out * both_out_c

    return pi, pair


def horvitz_thompson(result: DrawResult, outcomes: Mapping[str, float]) -> RateEstimate:
    """Horvitz-Thompson estimate of the frame's rate of ``outcomes`` (e.g. 1 = non-compliant).

    ``outcomes`` holds one value for every selected target (by id); the estimate is
    ``sum_s y_i / pi_i / N`` and its variance estimate (Horvitz & Thompson 1952, JASA 47,
    663-685; Särndal, Swensson & Wretman 1992, Model Assisted Survey Sampling, eq. 2.8.6)

        V = (1/N^2) sum_{i,j in s} (pi_ij - pi_i pi_j) / pi_ij * y_i / pi_i * y_j / pi_j

    with pi_ii = pi_i and the pi_ij of the two independent samples of the design.
    Raises ``DrawInputInvalid`` when a selected target has no result or when some target
    could never be drawn (pi_i = 0: the estimate would be biased).
    """
    missing = [s.target.id for s in result.selections if s.target.id not in outcomes]
    if missing:
        raise DrawInputInvalid(
            "outcomes",
            "estimate.missing-result",
            f"no result for selected target {missing[0]}",
            f"已抽中的检查对象 {missing[0]} 缺少检查结果",
        )
    pi, pair = _joint(result)
    if any(v == 0 for v in pi.values()):
        raise DrawInputInvalid(
            "parameters",
            "estimate.zero-probability",
            "some risk class could never be drawn (floor 0, no control)",
            "有风险等级的对象不可能被抽中（下限为 0 且无对照抽样）",
        )
    totals: dict[str, float] = {}
    squares: dict[str, float] = {}
    for s in result.selections:
        y = float(outcomes[s.target.id])
        totals[s.stratum] = totals.get(s.stratum, 0.0) + y
        squares[s.stratum] = squares.get(s.stratum, 0.0) + y * y
    n_big = result.population
    total = sum(t / float(pi[h]) for h, t in totals.items())
    # Pairs grouped by strata: pi_i and pi_ij depend on the strata only.
    variance = sum(float((1 - pi[h]) / pi[h] ** 2) * squares[h] for h in totals)
    risks = [s.risk for s in result.strata]
    for h in risks:
        for k in risks:
            p_hk = pair(h, k)
            if p_hk == 0:
                # Two targets of h are never drawn together: no such pair is in the sample.
                continue
            cross = totals.get(h, 0.0) * totals.get(k, 0.0) - (squares.get(h, 0.0) if h == k else 0)
            variance += float((p_hk - pi[h] * pi[k]) / (p_hk * pi[h] * pi[k])) * cross
    # Different strata always meet (pi_i > 0 each, drawn independently); within a stratum two
    # targets may never meet (n_h = 1, no control), and then V misses their covariance.
    unbiased = all(pair(s.risk, s.risk) > 0 or s.population < 2 for s in result.strata)
    variance /= n_big**2
    return RateEstimate(
        rate=total / n_big,
        variance=variance,
        standard_error=math.sqrt(max(variance, 0.0)),
        variance_unbiased=unbiased,
        sample=len(result.selections),
        population=n_big,
    )
