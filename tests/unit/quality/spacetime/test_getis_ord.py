"""G_i* against a value computed by hand, and against PySAL's esda on a random layout."""

import math

import numpy as np
import pytest

from qcert.quality.spacetime.getis_ord import gi_star, hot_spots
from qcert.quality.spacetime.weights import distance_band, k_nearest

# Five lines on a plant floor, 1 m apart:  D(0,1) E(1,1)
#                                          A(0,0) B(1,0) C(2,0)
# with defects x = A 1, B 2, C 3, D 4, E 5 in one shift; neighbours within 1 m, self included.
LAYOUT = [(0, 0), (1, 0), (2, 0), (0, 1), (1, 1)]
DEFECTS = [1.0, 2.0, 3.0, 4.0, 5.0]

# n = 5, xbar = 3, S^2 = (1 + 4 + 9 + 16 + 25)/5 - 3^2 = 11 - 9 = 2, S = sqrt(2).
# Binary weights, so W_i = S1_i = number of neighbours (self included).
# A: {A, B, D}: sum 1+2+4 = 7, W = 3; numerator 7 - 3x3 = -2;
#    denominator sqrt(2) sqrt((5x3 - 3^2)/4) = sqrt(2) sqrt(1.5) = sqrt(3); z = -2/sqrt(3)
# B: {A, B, C, E}: sum 11, W = 4; numerator 11 - 12 = -1;
#    denominator sqrt(2) sqrt((20 - 16)/4) = sqrt(2); z = -1/sqrt(2)
# C: {B, C}: sum 5, W = 2; numerator 5 - 6 = -1; denominator sqrt(2) sqrt((10 - 4)/4) = sqrt(3)
# D: {A, D, E}: sum 10, W = 3; numerator 10 - 9 = 1; z = 1/sqrt(3)
# E: {B, D, E}: sum 11, W = 3; numerator 11 - 9 = 2; z = 2/sqrt(3)
BY_HAND = [
    -2 / math.sqrt(3),
    -1 / math.sqrt(2),
    -1 / math.sqrt(3),
    1 / math.sqrt(3),
    2 / math.sqrt(3),
]


def test_gi_star_equals_the_hand_computation():
    z = gi_star(DEFECTS, distance_band(LAYOUT, 1.0))
    assert z.shape == (1, 5)
    assert z[0] == pytest.approx(BY_HAND, abs=1e-12)


def test_each_slice_is_standardized_on_its_own():
    # Slice 2 is slice 1 in other units (x 10 + 100): G_i* z-scores do not change.
    two = np.array([DEFECTS, [10 * x + 100 for x in DEFECTS]])
    z = gi_star(two, distance_band(LAYOUT, 1.0))
    assert z[1] == pytest.approx(BY_HAND, abs=1e-12)


def test_a_constant_slice_has_no_hot_spot():
    spots = hot_spots([[4.0] * 5, DEFECTS], distance_band(LAYOUT, 1.0))
    assert spots.z[0].tolist() == [0.0] * 5
    assert spots.p[0].tolist() == [1.0] * 5


def test_p_and_fdr_q_by_hand():
    spots = hot_spots(DEFECTS, distance_band(LAYOUT, 1.0))
    # Two-sided p of |z| = 2/sqrt(3) = 1.1547: 2 (1 - Phi(1.1547)) = 0.2482 (A and E);
    # of 1/sqrt(2): 0.4795 (B); of 1/sqrt(3): 0.5637 (C and D).
    assert spots.p[0] == pytest.approx([0.2482, 0.4795, 0.5637, 0.5637, 0.2482], abs=1e-4)
    # BH with m = 5 on the ordered p: 0.2482x5/1, 0.2482x5/2 = 0.6205, 0.4795x5/3 = 0.7992,
    # 0.5637x5/4, 0.5637x5/5 = 0.5637: the running minimum from the top is 0.5637 for all.
    assert spots.q[0] == pytest.approx([0.5637] * 5, abs=1e-4)
    assert not spots.significant.any()


def test_a_planted_hot_block_is_significant_and_its_opposite_cold():
    grid = [(i, j) for i in range(6) for j in range(6)]
    rng = np.random.default_rng(3)
    values = rng.normal(10, 1, (1, 36))
    block = [14, 8, 13, 15, 20]  # (2, 2) and its four neighbours
    values[0, block] += 6
    spots = hot_spots(np.concatenate([values, -values]), distance_band(grid, 1.0))
    assert spots.hot[0, 14] and spots.cold[1, 14]
    assert not spots.cold[0].any() and not spots.hot[1].any()


def test_fdr_control_never_finds_more_than_the_raw_p_values():
    grid = [(i, j) for i in range(8) for j in range(8)]
    values = np.random.default_rng(5).normal(size=(20, 64))
    w = distance_band(grid, 1.5)
    raw, controlled = hot_spots(values, w, fdr=False), hot_spots(values, w)
    assert (controlled.significant <= raw.significant).all()
    assert raw.significant.sum() > controlled.significant.sum()


def test_gi_star_agrees_with_pysal_esda():
    esda = pytest.importorskip("esda")
    libpysal = pytest.importorskip("libpysal")
    rng = np.random.default_rng(11)
    xy, x = rng.uniform(0, 10, (40, 2)), rng.gamma(2.0, 3.0, 40)
    reference = esda.G_Local(
        x, libpysal.weights.KNN(xy, k=5), transform="B", star=True, permutations=0
    )
    assert gi_star(x, k_nearest(xy, 5))[0] == pytest.approx(reference.Zs, abs=1e-10)


def test_weights_without_the_location_itself_are_refused():
    with pytest.raises(ValueError, match=r"^weights: G_i\* needs"):
        gi_star(DEFECTS, distance_band(LAYOUT, 1.0, include_self=False))


def test_values_must_match_the_weights():
    with pytest.raises(ValueError, match=r"^values: 4 locations"):
        gi_star(DEFECTS[:4], distance_band(LAYOUT, 1.0))
