"""Mann-Kendall S, its tie-corrected variance and p, and Sen's slope, worked by hand."""

import math

import pytest
from scipy import stats

from qcert.quality.spacetime.trend import mann_kendall


def test_a_strictly_rising_series():
    # n = 10, every pair rises: S = 10x9/2 = 45; Var S = 10x9x25/18 = 125;
    # Z = (45 - 1)/sqrt(125) = 3.9355; p = 2(1 - Phi(3.9355)) = 8.30e-5.
    mk = mann_kendall(range(1, 11))
    assert (mk.s, mk.var_s, mk.tau, mk.slope) == (45, 125.0, 1.0, 1.0)
    assert mk.z == pytest.approx(44 / math.sqrt(125))
    assert mk.p == pytest.approx(8.30e-5, rel=1e-2)
    assert mk.increasing() and not mk.decreasing()


def test_ties_reduce_the_variance():
    # x = 5, 7, 6, 7, 9. Signs of x_j - x_i for i < j:
    #   from 5: + + + +  (4);  from 7: - 0 +  (0);  from 6: + +  (2);  from 7: +  (1);  S = 7.
    # One tie group of size 2 (the two 7s): 2x1x9 = 18.
    # Var S = (5x4x15 - 18)/18 = 282/18 = 15.667; Z = (7 - 1)/sqrt(15.667) = 1.5159;
    # p = 2(1 - Phi(1.5159)) = 0.1295.
    mk = mann_kendall([5, 7, 6, 7, 9])
    assert mk.s == 7
    assert mk.var_s == pytest.approx(282 / 18)
    assert mk.z == pytest.approx(6 / math.sqrt(282 / 18))
    assert mk.p == pytest.approx(2 * stats.norm.sf(1.5159), abs=1e-4)
    assert mk.p == pytest.approx(0.1295, abs=1e-4)
    # Pairwise slopes (x_j - x_i)/(j - i): 2, 1/2, 2/3, 1 | -1, 0, 2/3 | 1, 3/2 | 2; sorted
    # -1, 0, 1/2, 2/3, 2/3, 1, 1, 3/2, 2, 2: the median is (2/3 + 1)/2 = 5/6.
    assert mk.slope == pytest.approx(5 / 6)
    assert not mk.increasing()


def test_a_falling_series_with_continuity_correction_on_the_other_side():
    # x = 4, 3, 1, 2: signs - - -, - -, +: S = -4; Var S = 4x3x13/18 = 8.667; Z = (-4 + 1)/2.944.
    mk = mann_kendall([4, 3, 1, 2])
    assert mk.s == -4
    assert mk.z == pytest.approx(-3 / math.sqrt(156 / 18))
    assert mk.tau == pytest.approx(-4 / 6)


def test_a_flat_series_has_no_trend():
    mk = mann_kendall([3.0] * 8)
    assert (mk.s, mk.var_s, mk.z, mk.p) == (0, 0.0, 0.0, 1.0)


def test_too_short_a_series_is_refused():
    with pytest.raises(ValueError, match=r"^series: "):
        mann_kendall([1.0, 2.0])
