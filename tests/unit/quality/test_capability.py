"""Capability indices computed by hand, interval coverage, and the normality verdict.

χ² quantiles are from the published table (Montgomery, 7th ed., Appendix III); formulas are
Montgomery §8.3, Bissell (1990) for Cpk, Boyles (1991) for Cpm.
"""

import math

import numpy as np
import pytest
from scipy import stats

from qcert.quality.capability import capability, within_sigma
from tests.unit.quality.montgomery import PISTON_RINGS

# Ten readings: mean 10, Σ(x − 10)² = 6 so s = √(6/9) = 0.81650; moving ranges
# 1 1 1 1 2 1 0 1 2, MR̄ = 10/9, σ_within = MR̄/d2(2) = (10/9)(√π/2) = 0.98475.
TEN = [9, 10, 11, 10, 9, 11, 10, 10, 9, 11]
S = math.sqrt(6 / 9)
SW = (10 / 9) * math.sqrt(math.pi) / 2


def test_indices_by_hand_for_centred_limits():
    c = capability(TEN, lsl=7, usl=13)
    assert (c.mean, c.within_method) == (10, "mr")
    assert c.sigma_within == pytest.approx(SW) and c.sigma_overall == pytest.approx(S)
    assert c.cp.estimate == pytest.approx(1 / SW)  # 6 / (6 × 0.98475) = 1.01549
    assert c.cpk.estimate == pytest.approx(1 / SW)
    assert c.pp.estimate == pytest.approx(1.22474, abs=1e-5)  # 6 / (6 × 0.81650)
    assert c.ppk.estimate == pytest.approx(1.22474, abs=1e-5)
    assert c.cpm.estimate == pytest.approx(1.22474, abs=1e-5)  # on target: Cpm = Pp
    assert c.target == 10


def test_off_centre_and_off_target():
    c = capability(TEN, lsl=8, usl=13, target=10.5)
    assert c.cpk.estimate == pytest.approx(2 / (3 * SW))  # min(3, 2) / 3σw = 0.67699
    assert c.ppk.estimate == pytest.approx(0.81650, abs=1e-5)  # 2 / (3 × 0.81650)
    # Cpm = 5 / (6 √(s² + 0.5²)) = 5 / (6 × 0.95743) = 0.87039
    assert c.cpm.estimate == pytest.approx(0.87039, abs=1e-5)


def test_one_sided_limit_gives_cpu_and_ppu_only():
    c = capability(TEN, usl=13)
    assert c.cp is None and c.pp is None and c.cpm is None
    assert c.cpk.estimate == pytest.approx(1 / SW)  # (13 − 10) / 3σw
    assert c.ppk.estimate == pytest.approx(1.22474, abs=1e-5)


def test_pp_interval_uses_the_chi_square_table():
    c = capability(TEN, lsl=7, usl=13)
    # ν = 9: χ²(0.975 lower tail) = 2.700, χ²(0.025) = 19.023 (Appendix III)
    assert c.pp.lower == pytest.approx(1.22474 * math.sqrt(2.700 / 9), abs=1e-3)
    assert c.pp.upper == pytest.approx(1.22474 * math.sqrt(19.023 / 9), abs=1e-3)


def test_ppk_interval_is_bissells():
    c = capability(TEN, lsl=7, usl=13)
    # 1.22474 ± 1.96 √(1/90 + 1.22474²/18) = 1.22474 ± 0.60234
    assert (round(c.ppk.lower, 3), round(c.ppk.upper, 3)) == (0.622, 1.827)


def test_cpm_interval_is_boyles():
    c = capability(TEN, lsl=7, usl=13)
    # on target ξ = 0, so ν = n = 10: χ² quantiles 3.247 and 20.483
    assert c.cpm.lower == pytest.approx(1.22474 * math.sqrt(3.247 / 10), abs=1e-3)
    assert c.cpm.upper == pytest.approx(1.22474 * math.sqrt(20.483 / 10), abs=1e-3)


def test_moving_range_degrees_of_freedom_by_hand():
    # Var(MR̄)/σ² = [9(2 − 4/π) + 2·8·0.1627509] / 81 = 0.1128995; divided by d2² = 4/π and
    # doubled: 1/ν = 0.1773420, ν = 5.6388.
    _, nu, method = within_sigma(TEN)
    assert method == "mr" and nu == pytest.approx(5.6388, abs=1e-3)


def test_moving_range_degrees_of_freedom_agree_with_simulation():
    rng = np.random.default_rng(11)
    x = rng.normal(size=(20000, 10))
    sigma_hat = np.abs(np.diff(x, axis=1)).mean(axis=1) * math.sqrt(math.pi) / 2
    _, nu, _ = within_sigma(TEN)
    # σ̂ ≈ σ√(χ²_ν/ν) has variance ≈ σ²/(2ν)
    assert sigma_hat.var() == pytest.approx(1 / (2 * nu), rel=0.05)


def test_range_degrees_of_freedom_are_about_duncans_0_9_m_n_minus_1():
    _, nu, method = within_sigma(np.array(PISTON_RINGS[:25]))
    assert method == "rbar"
    assert nu == pytest.approx(0.9 * 25 * 4, rel=0.01)


def test_intervals_cover_the_true_value_about_95_percent_of_the_time():
    # N(0, 1) with limits ±3: Cp = Cpk = Pp = Ppk = Cpm = 1.
    rng = np.random.default_rng(2026)
    hits = dict.fromkeys(("cp", "cpk", "pp", "ppk", "cpm"), 0)
    runs = 300
    for _ in range(runs):
        c = capability(rng.normal(size=50), lsl=-3, usl=3)
        for name in hits:
            interval = getattr(c, name)
            hits[name] += interval.lower <= 1.0 <= interval.upper
    for name, count in hits.items():
        assert 0.90 <= count / runs <= 0.99, (name, count)


def test_piston_rings_cp_is_the_books_1_68():
    # Example 6.1: σ̂ = R̄/d2 = 0.023/2.326 = 0.0099, Cp = 0.10 / (6 × 0.0099) = 1.68; the
    # unrounded R̄ = 0.02276 gives 1.703.
    c = capability(np.array(PISTON_RINGS[:25]), lsl=73.95, usl=74.05)
    assert abs(c.cp.estimate - 1.68) < 0.03
    assert c.within_method == "rbar" and c.n == 125
    assert c.quotable


def test_anderson_darling_statistic_and_p_value_by_formula():
    rng = np.random.default_rng(5)
    x = np.sort(rng.normal(10, 2, size=40))
    n = len(x)
    z = stats.norm.cdf((x - x.mean()) / x.std(ddof=1))
    i = np.arange(1, n + 1)
    a2 = -n - np.sum((2 * i - 1) * (np.log(z) + np.log(1 - z[::-1]))) / n
    # D'Agostino & Stephens, Goodness-of-Fit Techniques (1986), for the adjusted
    # A*² = A²(1 + .75/n + 2.25/n²)
    a2s = a2 * (1 + 0.75 / n + 2.25 / n**2)
    if a2s >= 0.6:
        p = math.exp(1.2937 - 5.709 * a2s + 0.0186 * a2s**2)
    elif a2s >= 0.34:
        p = math.exp(0.9177 - 4.279 * a2s - 1.38 * a2s**2)
    elif a2s >= 0.2:
        p = 1 - math.exp(-8.318 + 42.796 * a2s - 59.938 * a2s**2)
    else:
        p = 1 - math.exp(-13.436 + 101.14 * a2s - 223.73 * a2s**2)
    c = capability(x, lsl=0, usl=20)
    assert c.normality.statistic == pytest.approx(a2, rel=1e-9)
    assert c.normality.p_value == pytest.approx(p, rel=1e-6)


def test_skewed_data_are_flagged_not_to_be_quoted_and_say_why():
    rng = np.random.default_rng(3)
    c = capability(rng.exponential(size=100), usl=6)
    assert not c.quotable and not c.normality.normal
    (reason,) = c.reasons
    assert reason.rule == "capability.normality"
    assert "not normal" in reason.en and "do not quote" in reason.en
    assert "不服从正态分布" in reason.zh and "不得引用" in reason.zh


def test_normal_data_are_quotable():
    rng = np.random.default_rng(3)
    c = capability(rng.normal(size=100), lsl=-4, usl=4)
    assert c.normality.normal and c.quotable and c.reasons == ()


def test_an_unstable_process_is_not_quotable_either():
    rng = np.random.default_rng(3)
    c = capability(rng.normal(size=100), lsl=-4, usl=4, in_control=False)
    assert [r.rule for r in c.reasons] == ["capability.stability"]


def test_expected_and_observed_nonconforming():
    c = capability(TEN, lsl=9.5, usl=13)
    # observed: three 9s of ten below 9.5 → 300,000 ppm
    assert c.ppm_observed == pytest.approx(300000)
    # overall: Φ((9.5 − 10)/0.8165) + 1 − Φ(3/0.8165) = 0.27014 + 0.00012
    assert c.ppm_overall == pytest.approx(1e6 * (0.27014 + 0.000119), rel=1e-3)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({}, "lsl: give a lower or an upper"),
        ({"lsl": 13, "usl": 7}, "usl: the upper limit 7 must exceed the lower 13"),
        ({"lsl": 7, "usl": 13, "within": "iqr"}, "within: unknown method 'iqr'"),
    ],
)
def test_bad_arguments_are_refused_naming_the_field(kwargs, message):
    with pytest.raises(ValueError, match=message):
        capability(TEN, **kwargs)


def test_too_few_observations_are_refused():
    with pytest.raises(ValueError, match="data: capability needs at least 8"):
        capability([1.0, 2.0, 3.0], lsl=0, usl=4)
