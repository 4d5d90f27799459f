"""Control-chart factors against Montgomery, Introduction to SQC, 7th ed., Appendix VI."""

import math

import pytest

from qcert.quality.factors import c4, d2, d3, factors

# n: (d2, d3, c4, A2, A3, B3, B4, D3, D4) as printed in Appendix VI.
TABLE = {
    2: (1.128, 0.853, 0.7979, 1.880, 2.659, 0.000, 3.267, 0.000, 3.267),
    3: (1.693, 0.888, 0.8862, 1.023, 1.954, 0.000, 2.568, 0.000, 2.574),
    4: (2.059, 0.880, 0.9213, 0.729, 1.628, 0.000, 2.266, 0.000, 2.282),
    5: (2.326, 0.864, 0.9400, 0.577, 1.427, 0.000, 2.089, 0.000, 2.114),
    6: (2.534, 0.848, 0.9515, 0.483, 1.287, 0.030, 1.970, 0.000, 2.004),
    7: (2.704, 0.833, 0.9594, 0.419, 1.182, 0.118, 1.882, 0.076, 1.924),
    8: (2.847, 0.820, 0.9650, 0.373, 1.099, 0.185, 1.815, 0.136, 1.864),
    10: (3.078, 0.797, 0.9727, 0.308, 0.975, 0.284, 1.716, 0.223, 1.777),
    15: (3.472, 0.756, 0.9823, 0.223, 0.789, 0.428, 1.572, 0.347, 1.653),
    20: (3.735, 0.729, 0.9869, 0.180, 0.680, 0.510, 1.490, 0.415, 1.585),
    25: (3.931, 0.708, 0.9896, 0.153, 0.606, 0.565, 1.435, 0.459, 1.541),
}
# n: (A, B5, B6, D1, D2), the factors for limits from a given standard σ.
STANDARD = {
    5: (1.342, 0.000, 1.964, 0.000, 4.918),
    10: (0.949, 0.276, 1.669, 0.687, 5.469),
    25: (0.600, 0.559, 1.420, 1.806, 6.056),
}


@pytest.mark.parametrize("n", sorted(TABLE))
def test_d2_d3_c4_round_to_the_published_table(n):
    t_d2, t_d3, t_c4 = TABLE[n][:3]
    # the table rounds d2 and d3 to three decimals and c4 to four
    assert abs(d2(n) - t_d2) <= 0.0005 + 1e-9
    assert abs(d3(n) - t_d3) <= 0.0005 + 1e-9
    assert abs(c4(n) - t_c4) <= 0.00005 + 1e-9


@pytest.mark.parametrize("n", sorted(TABLE))
def test_derived_factors_match_the_published_table(n):
    f = factors(n)
    got = (f.A2, f.A3, f.B3, f.B4, f.D3, f.D4)
    # the book derives these from d2, d3, c4 already rounded, so allow one unit more
    for value, printed in zip(got, TABLE[n][3:], strict=True):
        assert abs(value - printed) <= 0.0015


@pytest.mark.parametrize("n", sorted(STANDARD))
def test_standard_sigma_factors_match_the_published_table(n):
    f = factors(n)
    for value, printed in zip((f.A, f.B5, f.B6, f.D1, f.D2), STANDARD[n], strict=True):
        assert abs(value - printed) <= 0.0015


def test_exact_values_for_two_observations():
    # For n = 2 the range is |X1 − X2| ~ σ√2·|Z|: E = 2/√π, Var = 2 − 4/π (half-normal moments).
    assert d2(2) == pytest.approx(2 / math.sqrt(math.pi), abs=1e-9)
    assert d3(2) == pytest.approx(math.sqrt(2 - 4 / math.pi), abs=1e-7)
    assert c4(2) == pytest.approx(math.sqrt(2 / math.pi), abs=1e-12)


def test_sizes_below_two_are_refused():
    with pytest.raises(ValueError, match="n: a subgroup size"):
        d2(1)
