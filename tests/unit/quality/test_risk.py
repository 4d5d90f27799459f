"""The risk model recovers the planted effects of synthetic history and is calibrated."""

import math

import numpy as np
import pandas as pd
import pytest

from qcert.quality.risk import FEATURES, PLANTED, RiskModel, calibration, synthetic_history


@pytest.fixture(scope="module")
def fitted():
    return RiskModel().fit(synthetic_history(5000, seed=1)), synthetic_history(3000, seed=2)


def test_standardised_coefficients_match_the_generative_model(fitted):
    model, _ = fitted
    importance = model.importance()
    # Planted β × the feature's standard deviation under synthetic_history's distributions:
    # Cpk ~ N(1.33, 0.3) → 2.5 × 0.3 = 0.75; open major NCs ~ Poisson(0.5) → 0.7 × √0.5 ≈ 0.49;
    # suspensions ~ Poisson(0.2) → 0.9 × √0.2 ≈ 0.40; NCs per audit ~ Gamma(2, 1) → 0.3 × √2.
    expected = {
        "cpk_min": 2.5 * 0.3,
        "open_major_ncs": 0.7 * math.sqrt(0.5),
        "suspensions": 0.9 * math.sqrt(0.2),
        "ncs_per_audit": 0.3 * math.sqrt(2.0),
    }
    for name, value in expected.items():
        assert importance[name] == pytest.approx(value, rel=0.3), name
    ranked = sorted(importance, key=importance.get, reverse=True)
    assert ranked[0] == "cpk_min"
    assert ranked[-1] == "size"  # planted with no effect
    assert importance["size"] < 0.1


def test_held_out_probabilities_are_calibrated_and_beat_the_base_rate(fitted):
    model, test = fitted
    check = calibration(test["failed_next"], model.predict_proba(test))
    assert check.brier < check.brier_base_rate
    assert check.skill > 0.1
    assert check.auc > 0.7  # the base-rate forecast has AUC 0.5
    assert check.ece < 0.04
    for predicted, observed, count in check.bins:
        # 300 per bin: a binomial proportion's 3σ is at most 3 × √(0.25/300) ≈ 0.087
        assert abs(predicted - observed) < 0.09 and count == 300


def test_explanation_sums_to_the_linear_log_odds(fitted):
    model, test = fitted
    row = test.iloc[0]
    e = model.explain(row)
    assert set(e.contributions) == set(FEATURES)
    assert e.intercept + sum(e.contributions.values()) == pytest.approx(e.log_odds)
    linear = model.linear_.predict_proba(test.iloc[:1][list(FEATURES)])[0, 1]
    assert 1 / (1 + math.exp(-e.log_odds)) == pytest.approx(linear)


def test_a_bad_cpk_is_the_top_driver_of_a_risky_row(fitted):
    model, _ = fitted
    row = pd.Series(
        {
            "open_major_ncs": 0.0,
            "ncs_per_audit": 2.0,
            "suspensions": 0.0,
            "days_overdue": 0.0,
            "cpk_min": 0.6,
            "alarm_rate": 60.0,
            "sector": "electronics",
            "size": "small",
        }
    )
    e = model.explain(row)
    assert e.top(1)[0][0] == "cpk_min"
    # Generative log-odds: −2.6 + 0.3·2 − 2.5·(0.6 − 1.33) + 0.01·60 = 0.425 → p ≈ 0.60
    assert e.probability == pytest.approx(1 / (1 + math.exp(-0.425)), abs=0.1)


def test_brier_and_bins_by_hand():
    c = calibration(np.array([0, 0, 1, 1]), np.array([0.1, 0.3, 0.6, 0.8]), bins=2)
    # (0.01 + 0.09 + 0.16 + 0.04) / 4 = 0.075; base rate 0.5 → 0.25
    assert c.brier == pytest.approx(0.075) and c.brier_base_rate == pytest.approx(0.25)
    assert c.bins == ((pytest.approx(0.2), 0.0, 2), (pytest.approx(0.7), 1.0, 2))
    assert c.auc == 1.0


def test_history_needs_both_outcomes():
    h = synthetic_history(50, seed=0).assign(failed_next=False)
    with pytest.raises(ValueError, match="failed_next"):
        RiskModel().fit(h)
    assert PLANTED["intercept"] < 0
