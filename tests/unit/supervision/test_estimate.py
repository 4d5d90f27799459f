"""Horvitz-Thompson estimation of a population rate from a random inspection's results:
the textbook stratified case exactly, and unbiasedness over a fixed set of many seeds."""

import math
import statistics
from itertools import product

import numpy as np
import pytest

from qcert.supervision.draw import DrawInputInvalid, draw
from qcert.supervision.estimate import horvitz_thompson

from .test_draw import SEED, inputs, targets

RATE = {"A": 0.6, "B": 0.3, "C": 0.1, "D": 0.05}


def truth() -> dict[str, float]:
    """Which targets are non-compliant (1.0): riskier classes more often, fixed once."""
    rng = np.random.default_rng(11)
    return {t.id: float(rng.random() < RATE[t.risk]) for t in targets()}


def true_variance(params: dict) -> float:
    """Var of the HT rate over the design, from every pair of the frame (no grouping)."""
    result = draw(inputs(**params), SEED)
    n_big, n_c = result.population, result.control_size
    strata = {s.risk: s for s in result.strata}
    y = truth()
    frame = targets()

    def missed_by_strata(a, b):  # P(a and b both missed by the stratified draw)
        sa, sb = strata[a.risk], strata[b.risk]
        if a.id == b.id:
            return 1 - sa.sample / sa.population
        if a.risk == b.risk:
            big, n = sa.population, sa.sample
            return (big - n) * (big - n - 1) / (big * (big - 1))
        return (1 - sa.sample / sa.population) * (1 - sb.sample / sb.population)

    def missed_by_control(a, b):
        if a.id == b.id:
            return 1 - n_c / n_big
        return (n_big - n_c) * (n_big - n_c - 1) / (n_big * (n_big - 1))

    def pi(a):
        return 1 - missed_by_strata(a, a) * missed_by_control(a, a)

    total = 0.0
    for a, b in product(frame, frame):
        if not (y[a.id] and y[b.id]):
            continue
        # P(a in and b in) = 1 - P(a out) - P(b out) + P(both out)
        both_out = missed_by_strata(a, b) * missed_by_control(a, b)
        joint = pi(a) if a.id == b.id else pi(a) + pi(b) - 1 + both_out
        total += (joint - pi(a) * pi(b)) / (pi(a) * pi(b))
    return total / n_big**2


def outcomes(result) -> dict[str, float]:
    y = truth()
    return {s.target.id: y[s.target.id] for s in result.selections}


def test_without_control_it_is_the_stratified_estimate_and_its_variance():
    params = dict(sizes={"A": 6, "B": 5, "C": 4, "D": 3}, floor=2, control_share=0.0)
    result = draw(inputs(**params), SEED)
    estimate = horvitz_thompson(result, outcomes(result))
    y = outcomes(result)
    rate, variance = 0.0, 0.0
    for s in result.strata:
        ys = [y[x.target.id] for x in result.selections if x.stratum == s.risk]
        share = s.population / result.population
        rate += share * statistics.fmean(ys)
        # Cochran (1977) 5.7: N_h^2 (1 - f_h) s_h^2 / n_h, over N^2.
        variance += share**2 * (1 - s.sample / s.population) * statistics.variance(ys) / s.sample
    assert estimate.rate == pytest.approx(rate)
    assert estimate.variance == pytest.approx(variance)
    assert estimate.standard_error == pytest.approx(math.sqrt(variance))
    assert (estimate.sample, estimate.population) == (18, 120)
    assert estimate.variance_unbiased


def test_it_is_unbiased_over_many_seeds():
    params = dict(sizes={"A": 6, "B": 4, "C": 3, "D": 2}, floor=2, control_share=0.2)
    p = sum(truth().values()) / len(truth())
    v = true_variance(params)
    runs = 500
    estimates = [
        horvitz_thompson(r, outcomes(r))
        for r in (draw(inputs(**params), f"{i:040d}") for i in range(runs))
    ]
    rates = np.array([e.rate for e in estimates])
    variances = np.array([e.variance for e in estimates])
    # The mean of the estimates is p within 4 of its standard errors (sqrt(V / runs)).
    assert abs(rates.mean() - p) <= 4 * math.sqrt(v / runs)
    # The spread of the estimates is V: the design's variance is the right one ...
    squares = (rates - p) ** 2
    assert abs(squares.mean() - v) <= 4 * squares.std() / math.sqrt(runs)
    # ... and the variance estimates average to it.
    assert abs(variances.mean() - v) <= 4 * variances.std() / math.sqrt(runs)
    assert all(e.variance_unbiased for e in estimates)


def test_a_missing_result_is_refused():
    result = draw(inputs(), SEED)
    partial = dict(list(outcomes(result).items())[1:])
    with pytest.raises(DrawInputInvalid) as err:
        horvitz_thompson(result, partial)
    assert err.value.rule == "estimate.missing-result"
    assert result.selections[0].target.id in err.value.en
    assert "缺少检查结果" in err.value.zh


def test_a_class_that_could_never_be_drawn_is_refused():
    result = draw(inputs(sizes={"A": 3, "B": 3, "C": 3, "D": 0}, floor=0, control_share=0), SEED)
    with pytest.raises(DrawInputInvalid) as err:
        horvitz_thompson(result, outcomes(result))
    assert err.value.rule == "estimate.zero-probability"


def test_one_per_class_without_control_says_its_variance_is_not_unbiased():
    result = draw(inputs(sizes={}, floor=1, control_share=0), SEED)
    estimate = horvitz_thompson(result, outcomes(result))
    assert not estimate.variance_unbiased
    assert estimate.rate >= 0
