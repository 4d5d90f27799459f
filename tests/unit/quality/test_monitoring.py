"""Multivariate monitoring: limits by hand, a planted fault, streaming, persistence, TEP."""

from __future__ import annotations

import math
import os
from statistics import NormalDist

import numpy as np
import pytest

from qcert.quality.monitoring import (
    AlarmCleared,
    AlarmRaised,
    CVAMonitor,
    DynamicPCAMonitor,
    PCAMonitor,
    StreamingScorer,
    alarm_events,
    change_points,
    jackson_mudholkar_limit,
    onset,
    parallel_analysis,
    persistent,
    t2_limit,
)
from tests.shared_data import shared_data

TEP = shared_data("tep")
SHIFTED = 5  # the variable the planted fault moves
MIXING = np.array(
    [[1.0, 0.8, 0.6, 0.0, 0.3, -0.5, 0.9, 0.2], [0.0, 0.5, -0.7, 1.0, 0.6, 0.4, -0.2, 0.8]]
)


def _process(n: int, seed: int) -> np.ndarray:
    """Eight variables driven by two latent factors plus independent noise."""
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, 2)) @ MIXING * 3 + rng.standard_normal((n, 8)) * 0.5


def _ar_process(n: int, seed: int) -> np.ndarray:
    """The same variables with first-order autocorrelation in the factors (for dynamic models)."""
    rng = np.random.default_rng(seed)
    factors = np.zeros((n, 2))
    for t in range(1, n):
        factors[t] = 0.8 * factors[t - 1] + rng.standard_normal(2)
    return factors @ MIXING * 3 + rng.standard_normal((n, 8)) * 0.5


@pytest.fixture(scope="module")
def normal() -> np.ndarray:
    return _process(500, seed=1)


@pytest.fixture(scope="module")
def faulty() -> np.ndarray:
    """200 normal readings, then a step of 3 (6 noise standard deviations) in one variable."""
    X = _process(300, seed=2)
    X[200:, SHIFTED] += 3.0
    return X


# --------------------------------------------------------------------------- limits by hand


def test_t2_limit_is_the_phase_two_f_limit():
    # a = 2 components, n = 20 readings, 95%: a(n-1)(n+1)/(n(n-a)) = 798/360. F(2, v2) has the
    # closed-form quantile (v2/2)((1-p)^(-2/v2) - 1), so F_0.95(2, 18) = 9 (20^(1/9) - 1) = 3.5546,
    # the 3.55 of printed F tables.
    f_quantile = 9 * (20 ** (1 / 9) - 1)
    assert f_quantile == pytest.approx(3.5546, abs=1e-4)
    assert t2_limit(2, 20, 0.95) == pytest.approx(798 / 360 * f_quantile, rel=1e-9)


def test_jackson_mudholkar_limit_by_hand():
    # Residual eigenvalues 1 and 0.5: theta = 1.5, 1.25, 1.125; h0 = 1 - 2*1.5*1.125/(3*1.25^2)
    # = 0.28; c = z_0.99 = 2.3263 (normal table).
    theta1, theta2, h0 = 1.5, 1.25, 0.28
    c = NormalDist().inv_cdf(0.99)
    assert c == pytest.approx(2.3263, abs=1e-4)
    base = c * math.sqrt(2 * theta2 * h0**2) / theta1 + 1 + theta2 * h0 * (h0 - 1) / theta1**2
    assert base == pytest.approx(1.574613, abs=1e-5)
    assert jackson_mudholkar_limit([1.0, 0.5], 0.99) == pytest.approx(theta1 * base ** (1 / h0))
    assert jackson_mudholkar_limit([1.0, 0.5], 0.99) == pytest.approx(7.591, abs=1e-3)


def test_jackson_mudholkar_limit_is_close_to_the_quantile_of_weighted_chi_squares():
    # Under normality SPE = sum of lambda_j chi2_1 (Jackson & Mudholkar 1979, §2); with many
    # residual components of similar size the approximation is within about 1%.
    lam = np.linspace(1.0, 0.1, 20)
    draws = np.random.default_rng(0).chisquare(1, size=(200_000, lam.size)) @ lam
    assert jackson_mudholkar_limit(lam, 0.99) == pytest.approx(np.quantile(draws, 0.99), rel=0.02)


def test_fitted_limits_use_the_training_size_and_discarded_eigenvalues(normal):
    monitor = PCAMonitor(n_components=2).fit(normal)
    assert monitor.limits_["t2"] == pytest.approx(t2_limit(2, 500, 0.99))
    expected = jackson_mudholkar_limit(monitor.eigenvalues_[2:], 0.99)
    assert monitor.limits_["spe"] == pytest.approx(expected)
    # autoscaled: the eigenvalues of the correlation matrix sum to the number of variables
    assert monitor.eigenvalues_.sum() == pytest.approx(8.0)


def test_parallel_analysis_finds_the_two_factors(normal):
    assert parallel_analysis(normal) == 2


# --------------------------------------------------------------------------- a planted fault


def test_the_alarm_fires_after_the_shift_and_not_much_before(normal, faulty):
    scores = PCAMonitor(n_components=2).fit(normal).score(faulty)
    alarms = scores.alarms(persistence=3)
    assert alarms[:200].sum() <= 2
    first = int(np.flatnonzero(alarms)[np.flatnonzero(alarms) >= 200][0])
    assert 200 <= first <= 205
    assert scores.exceeded["spe"][200:].mean() > 0.95


@pytest.mark.parametrize("kind", ["contributions", "reconstruction_contributions"])
def test_contributions_rank_the_shifted_variable_first(normal, faulty, kind):
    monitor = PCAMonitor(n_components=2).fit(normal)
    contributions = getattr(monitor, kind)(faulty[200:], statistic="spe")
    assert int(np.argmax(contributions.mean(axis=0))) == SHIFTED
    assert np.mean(np.argmax(contributions, axis=1) == SHIFTED) > 0.9


def test_complete_contributions_add_up_to_the_statistic(normal, faulty):
    monitor = DynamicPCAMonitor(n_components=4, lags=1).fit(normal)
    scores = monitor.score(faulty)
    for statistic in ("t2", "spe"):
        total = monitor.contributions(faulty, statistic).sum(axis=1)
        assert np.isnan(total[0])
        assert np.allclose(total[1:], scores.statistics[statistic][1:])


def test_reconstruction_contribution_to_spe_matches_the_closed_form(normal, faulty):
    # Alcala & Qin (2009), RBC of SPE: RBC_i = (xi_i' C~ x)^2 / c~_ii with C~ = I - P P'.
    monitor = PCAMonitor(n_components=2).fit(normal)
    z = (faulty[250] - monitor.mean_) / monitor.scale_
    residual_projector = np.eye(8) - monitor.loadings_ @ monitor.loadings_.T
    by_hand = (residual_projector @ z) ** 2 / np.diag(residual_projector)
    assert np.allclose(monitor.reconstruction_contributions(faulty[250:251])[0], by_hand)


# --------------------------------------------------------------------------- streaming


def _key(event: AlarmRaised | AlarmCleared) -> tuple:
    if isinstance(event, AlarmRaised):
        return event.name, event.index, event.first_exceedance
    return event.name, event.index, event.raised_at


@pytest.mark.parametrize(
    "monitor",
    [
        PCAMonitor(n_components=2),
        DynamicPCAMonitor(n_components=4, lags=2),
        CVAMonitor(n_states=3, lags=1),
    ],
    ids=["pca", "dpca", "cva"],
)
def test_streaming_scores_equal_batch_scores(monitor, faulty):
    monitor.fit(_ar_process(500, seed=3))
    batch = monitor.score(faulty)
    scorer = StreamingScorer(monitor, persistence=3)
    readings = [scorer.update(x) for x in faulty]
    for name, values in batch.statistics.items():
        streamed = np.array([r.statistics[name] for r in readings])
        assert np.allclose(streamed, values, equal_nan=True)
    assert [r.alarm for r in readings] == list(batch.alarms(3))
    streamed_events = [_key(r.event) for r in readings if r.event is not None]
    assert streamed_events == [_key(e) for e in alarm_events(batch, persistence=3)]
    assert streamed_events[0][0] == "monitoring.alarm_raised"


def test_alarms_become_events_with_where_they_started():
    monitor = PCAMonitor(n_components=2).fit(_process(500, seed=1))
    X = _process(40, seed=4)
    X[10:20, SHIFTED] += 5.0
    scorer = StreamingScorer(monitor, persistence=2)
    events = [e for e in (scorer.update(x).event for x in X) if e is not None]
    assert events[0] == AlarmRaised(
        11, 10, events[0].statistics, {"t2": monitor.limits_["t2"], "spe": monitor.limits_["spe"]}
    )
    assert events[1] == AlarmCleared(20, 11)
    assert events[0].name == "monitoring.alarm_raised"


def test_persistence_reduces_false_alarms_on_normal_data(normal):
    scores = PCAMonitor(n_components=2).fit(normal).score(_process(5000, seed=5))
    single, three = scores.alarms(1).mean(), scores.alarms(3).mean()
    assert 0.005 < single < 0.05  # two statistics at 99%: about 2%
    assert three < single / 10


def test_persistent_needs_k_in_a_row():
    flags = [1, 1, 0, 1, 1, 1, 1, 0]
    assert persistent(flags, 3).tolist() == [0, 0, 0, 0, 0, 1, 1, 0]
    with pytest.raises(ValueError, match="persistence"):
        persistent(flags, 0)


# --------------------------------------------------------------------------- CVA


def test_cva_detects_a_shift_in_an_autocorrelated_process():
    monitor = CVAMonitor(n_states=2, lags=1).fit(_ar_process(600, seed=6))
    X = _ar_process(300, seed=7)
    X[150:, SHIFTED] += 2.5
    scores = monitor.score(X)
    assert scores.alarms(3)[:150].mean() < 0.02
    assert scores.alarm[150:].mean() > 0.9
    assert set(scores.limits) == {"t2", "t2_residual"}
    assert np.all(np.diff(monitor.canonical_correlations_) <= 1e-12)


# --------------------------------------------------------------------------- change points


def test_change_points_find_a_planted_step():
    rng = np.random.default_rng(8)
    series = np.r_[rng.normal(0.0, 1.0, 120), rng.normal(1.5, 1.0, 80)]
    (point,) = change_points(series)
    assert abs(point - 120) <= 3
    assert change_points(rng.normal(0.0, 1.0, 200)) == ()


def test_onset_is_where_the_alarm_deviation_started(normal, faulty):
    scores = PCAMonitor(n_components=2).fit(normal).score(faulty)
    raised = int(np.flatnonzero(scores.alarms(3))[-1])  # an alarm well inside the fault
    assert abs(onset(scores.spe, raised) - 200) <= 2


# --------------------------------------------------------------------------- refusals


def test_refusals_name_the_field():
    X = _process(50, seed=9)
    X[:, 3] = 1.0
    with pytest.raises(ValueError, match="column 3 is constant"):
        PCAMonitor(n_components=2).fit(X)
    with pytest.raises(ValueError, match="call fit"):
        PCAMonitor(n_components=2).score(X)
    with pytest.raises(ValueError, match="n_components"):
        PCAMonitor(n_components=8).fit(_process(50, seed=9))
    with pytest.raises(ValueError, match="X has 3 features, but PCAMonitor is expecting 8"):
        PCAMonitor(n_components=2).fit(_process(50, seed=9)).score(np.zeros((4, 3)))


# --------------------------------------------------------------------------- TEP


def test_tep_fault_1_is_detected_as_published():
    """Chiang, Russell & Braatz (2001) ch. 8: PCA (a = 9, 99%) misses 0.8% (T²) and 0.3% (Q)
    of fault 1's readings 161-960."""
    if not (TEP / "d00.dat").exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"the Tennessee Eastman data are missing from {TEP}")
        pytest.skip(f"the Tennessee Eastman data are not in {TEP}")
    monitor = PCAMonitor(n_components=9, alpha=0.99).fit(np.loadtxt(TEP / "d00.dat").T)
    scores = monitor.score(np.loadtxt(TEP / "d01_te.dat"))
    assert scores.exceeded["t2"][160:].mean() >= 0.99
    assert scores.exceeded["spe"][160:].mean() >= 0.99
    assert scores.alarms(3)[:160].mean() < 0.05


def test_reconstruction_contributions_follow_the_monitor_when_it_is_fitted_again():
    rng = np.random.default_rng(3)
    first = rng.normal(size=(300, 4))
    second = rng.normal(size=(300, 4)) @ np.array(
        [[1, 0.8, 0, 0], [0, 1, 0.5, 0], [0, 0, 1, 0.9], [0.3, 0, 0, 1]]
    )
    monitor = PCAMonitor(n_components=2).fit(first)
    before = monitor.reconstruction_contributions(second[:5], "spe")
    monitor.fit(second)
    fresh = PCAMonitor(n_components=2).fit(second)
    after = monitor.reconstruction_contributions(second[:5], "spe")
    assert np.allclose(after, fresh.reconstruction_contributions(second[:5], "spe"))
    assert not np.allclose(after, before)
