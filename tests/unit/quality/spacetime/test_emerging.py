"""Each emerging hot spot category on a constructed series (Esri's rules), then end to end."""

import numpy as np
import pytest

from qcert.quality.spacetime.emerging import Pattern, classify, emerging_hot_spots
from qcert.quality.spacetime.trend import MannKendall
from qcert.quality.spacetime.weights import distance_band

N = 10  # slices, oldest first; "90 percent" is then 9 of them
FLAT = MannKendall(n=N, s=0, var_s=125.0, z=0.0, p=1.0, tau=0.0, slope=0.0)
RISING = MannKendall(n=N, s=31, var_s=125.0, z=2.68, p=0.0074, tau=0.69, slope=0.4)
FALLING = MannKendall(n=N, s=-31, var_s=125.0, z=-2.68, p=0.0074, tau=-0.69, slope=-0.4)


def series(hot=(), cold=()):
    """z = +3 in the hot slices, -3 in the cold ones, 0.5 (not significant) elsewhere."""
    z = np.full(N, 0.5)
    z[list(hot)], z[list(cold)] = 3.0, -3.0
    significant = np.zeros(N, dtype=bool)
    significant[[*hot, *cold]] = True
    return z, significant


ALL = range(N)
CASES = [
    # Esri: hot in the final slice only, never before.
    ("new", dict(hot=[9]), FLAT, Pattern.NEW_HOT),
    # An uninterrupted final run of >= 2, never hot before it, < 90% of the slices.
    ("consecutive", dict(hot=[6, 7, 8, 9]), FLAT, Pattern.CONSECUTIVE_HOT),
    # Hot in >= 90% including the final slice, with a significant rise / fall / no trend.
    ("intensifying", dict(hot=ALL), RISING, Pattern.INTENSIFYING_HOT),
    ("diminishing", dict(hot=ALL), FALLING, Pattern.DIMINISHING_HOT),
    ("persistent", dict(hot=ALL), FLAT, Pattern.PERSISTENT_HOT),
    ("persistent at exactly 90%", dict(hot=range(1, 10)), FLAT, Pattern.PERSISTENT_HOT),
    # Hot now, on and off before, < 90%, never cold.
    ("sporadic", dict(hot=[1, 4, 8, 9]), FLAT, Pattern.SPORADIC_HOT),
    ("sporadic at 80%", dict(hot=[0, 1, 2, 3, 5, 6, 7, 9]), RISING, Pattern.SPORADIC_HOT),
    # Hot now, cold in some earlier slice, < 90% hot.
    ("oscillating", dict(hot=[9], cold=[2, 3]), FLAT, Pattern.OSCILLATING_HOT),
    # Not hot now, but hot in >= 90% of the slices.
    ("historical", dict(hot=range(9)), FALLING, Pattern.HISTORICAL_HOT),
    ("nothing significant", dict(), FLAT, Pattern.NONE),
    ("hot once, not now, not 90%", dict(hot=[3]), FLAT, Pattern.NONE),
]


@pytest.mark.parametrize(
    ("spots", "trend", "pattern"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_hot_categories(spots, trend, pattern):
    z, significant = series(**spots)
    assert classify(z, significant, trend) is pattern


@pytest.mark.parametrize(
    ("spots", "trend", "pattern"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_cold_categories_mirror_the_hot_ones(spots, trend, pattern):
    # Swap hot and cold and turn the trend over: a cold spot intensifies as its z falls.
    z, significant = series(hot=spots.get("cold", ()), cold=spots.get("hot", ()))
    mirrored = {FLAT: FLAT, RISING: FALLING, FALLING: RISING}[trend]
    expected = Pattern(pattern.value.replace("_hot_", "_cold_"))
    assert classify(z, significant, mirrored) is expected


def test_the_final_slice_decides_before_history():
    # Cold now after nine hot slices: both "historical hot" and "oscillating cold" read on
    # Esri's page; qcert takes the final slice first.
    z, significant = series(hot=range(9), cold=[9])
    assert classify(z, significant, FALLING) is Pattern.OSCILLATING_COLD


def test_a_significant_trend_needs_alpha():
    z, significant = series(hot=ALL)
    assert classify(z, significant, RISING, alpha=0.001) is Pattern.PERSISTENT_HOT


def test_labels_in_both_languages():
    assert Pattern.INTENSIFYING_HOT.label() == "intensifying hot spot"
    assert Pattern.INTENSIFYING_HOT.label("zh-CN") == "增强热点"
    assert Pattern.HISTORICAL_COLD.label("zh-CN") == "历史冷点"
    assert Pattern.NONE.label("zh-CN") == "未发现模式"


def test_a_line_that_turns_bad_in_the_last_three_shifts_is_a_consecutive_hot_spot():
    grid = [(i, j) for i in range(5) for j in range(5)]
    rng = np.random.default_rng(2)
    values = rng.normal(10.0, 1.0, (12, 25))
    block = [12, 7, 11, 13, 17]  # (2, 2) and its four neighbours
    values[-3:, block] += 5.0
    result = emerging_hot_spots(values, distance_band(grid, 1.0))
    # Centre: all 5 of its neighbourhood raised by 5 sigma; by hand, xbar = 11, S^2 = 5,
    # z = (75 - 55) / (sqrt(5) sqrt((125 - 25)/24)) = 4.4. An arm has 2 of its 5 raised:
    # z = (2x15 + 3x10 - 55) / 4.56 = 1.1, which FDR control keeps from being significant.
    assert result.hot_spots.hot[-3:, 12].all() and not result.hot_spots.hot[:-3, 12].any()
    assert result.patterns[12] is Pattern.CONSECUTIVE_HOT
    assert result.counts() == {Pattern.CONSECUTIVE_HOT: 1, Pattern.NONE: 24}


def test_a_rising_hot_spot_is_intensifying():
    grid = [(i, j) for i in range(5) for j in range(5)]
    rng = np.random.default_rng(4)
    values = rng.normal(10.0, 1.0, (12, 25))
    values[:, [12, 7, 11, 13, 17]] += np.linspace(4.0, 9.0, 12)[:, None]
    result = emerging_hot_spots(values, distance_band(grid, 1.0))
    assert result.trends[12].increasing()
    assert result.patterns[12] is Pattern.INTENSIFYING_HOT


def test_fewer_than_three_slices_are_refused():
    with pytest.raises(ValueError, match=r"^values: "):
        emerging_hot_spots(np.ones((2, 5)), np.eye(5))
