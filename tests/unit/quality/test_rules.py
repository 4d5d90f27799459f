"""Each of the 12 run rules on a hand-built series that triggers exactly it, and a near miss.

Series are written in σ units about a centre of 0 (z = (x − CL)/σ), so the zones can be read
off the numbers: beyond 3σ is |z| > 3, zone A 2-3, zone B 1-2, zone C within 1. Each series
was checked by hand against every rule of its family (see the comment above it); the near miss
changes one point so the rule falls one short.
"""

import numpy as np
import pytest

from qcert.quality.rules import NELSON, RULES, WESTERN_ELECTRIC, check


def fired(series, family, center=0.0, sigma=1.0):
    """{rule: [indices of each violation]} for one family."""
    out: dict[str, list[tuple[int, ...]]] = {}
    for v in check(series, center, sigma, family):
        out.setdefault(v.rule, []).append(v.indices)
    return out


# One point beyond 3σ at index 3; the rest alternate in zone C, so nothing else can fire.
ONE_BEYOND = [0.5, -0.5, 0.5, 3.5, 0.5, -0.5, 0.5]
# Nine above the centre line at indices 2-10, all in zone C, no run of 6 up or down
# (steps +.2 +.5 +.4 −.5 +.3 −.1 +.4 −.5 +.3 −.2 −.7 +.2), 13 points (< 14, < 15).
NINE_ABOVE = [-0.5, -0.3, 0.2, 0.6, 0.1, 0.4, 0.3, 0.7, 0.2, 0.5, 0.3, -0.4, -0.2]
# The same with index 10 moved below: eight above (2-9) — Western Electric 4, not Nelson 2.
EIGHT_ABOVE = [-0.5, -0.3, 0.2, 0.6, 0.1, 0.4, 0.3, 0.7, 0.2, 0.5, -0.3, -0.4, -0.2]
# Seven above (2-8).
SEVEN_ABOVE = [-0.5, -0.3, 0.2, 0.6, 0.1, 0.4, 0.3, 0.7, 0.2, -0.5, -0.3, -0.4, -0.2]
# Six points rising at indices 2-7 (−.6 −.2 .1 .3 .6 .8); at most five on one side.
SIX_RISING = [0.3, -0.4, -0.6, -0.2, 0.1, 0.3, 0.6, 0.8, 0.2, -0.3, 0.4]
# Fourteen alternating at indices 1-14 (thirteen steps down/up/down...); index 0 sits in zone
# B so the run of points within 1σ is only 14 long (Nelson 7 needs 15), and the step from it
# (1.5 → 0.2, down) has the same sign as the next, so the alternation starts at index 1.
FOURTEEN_ALTERNATING = [
    1.5, 0.2, -0.2, 0.4, -0.1, 0.3, -0.3, 0.5, 0.0, 0.4, -0.2, 0.3, -0.4, 0.1, -0.1,
]  # fmt: skip
# Two of three beyond 2σ above (indices 2 and 4); only those two are beyond 1σ.
TWO_OF_THREE = [0.3, -0.5, 2.5, 0.4, 2.2, -0.3, 0.5, -0.2]
# Four of five beyond 1σ above (2, 3, 5, 6); none beyond 2σ; six above in a row at most.
FOUR_OF_FIVE = [-0.3, 0.2, 1.5, 1.2, 0.4, 1.8, 1.3, -0.2, 0.3]
# Fifteen within 1σ at indices 1-15, index 0 in zone B; the alternation breaks every few steps
# (.4 → .5 up after an up, −.2 → −.4 down after a down, ...), same-side runs are at most 2.
FIFTEEN_WITHIN = [
    1.5, 0.2, -0.3, 0.4, 0.5, -0.2, -0.4, 0.3, -0.1, -0.5, 0.6, 0.1, -0.3, 0.2, 0.4, -0.6,
]  # fmt: skip
# Eight beyond 1σ at indices 1-8 on both sides, none beyond 2σ; at most 3 of any 5 on a side.
EIGHT_OUTSIDE = [0.2, 1.5, -1.4, -1.6, 1.3, 1.8, -1.2, 1.4, -1.7, 0.3]

TRIGGERS = [
    ("we.1", WESTERN_ELECTRIC, ONE_BEYOND, [(3,)]),
    ("we.2", WESTERN_ELECTRIC, TWO_OF_THREE, [(2, 4)]),
    ("we.3", WESTERN_ELECTRIC, FOUR_OF_FIVE, [(2, 3, 5, 6)]),
    ("we.4", WESTERN_ELECTRIC, EIGHT_ABOVE, [tuple(range(2, 10))]),
    ("nelson.1", NELSON, ONE_BEYOND, [(3,)]),
    ("nelson.2", NELSON, NINE_ABOVE, [tuple(range(2, 11))]),
    ("nelson.3", NELSON, SIX_RISING, [tuple(range(2, 8))]),
    ("nelson.4", NELSON, FOURTEEN_ALTERNATING, [tuple(range(1, 15))]),
    ("nelson.5", NELSON, TWO_OF_THREE, [(2, 4)]),
    ("nelson.6", NELSON, FOUR_OF_FIVE, [(2, 3, 5, 6)]),
    ("nelson.7", NELSON, FIFTEEN_WITHIN, [tuple(range(1, 16))]),
    ("nelson.8", NELSON, EIGHT_OUTSIDE, [tuple(range(1, 9))]),
]

NEAR_MISSES = [
    # exactly on the 3σ limit is not beyond it
    ("we.1", WESTERN_ELECTRIC, [0.5, -0.5, 0.5, 3.0, 0.5, -0.5, 0.5]),
    # the two points beyond 2σ are three apart, never two in one window of three
    ("we.2", WESTERN_ELECTRIC, [0.3, -0.5, 2.5, 0.4, 0.3, 2.2, -0.3, 0.5]),
    # three of five beyond 1σ (index 6 back in zone C)
    ("we.3", WESTERN_ELECTRIC, [-0.3, 0.2, 1.5, 1.2, 0.4, 1.8, 0.9, -0.2, 0.3]),
    ("we.4", WESTERN_ELECTRIC, SEVEN_ABOVE),
    ("nelson.1", NELSON, [0.5, -0.5, 0.5, -3.0, 0.5, -0.5, 0.5]),
    ("nelson.2", NELSON, EIGHT_ABOVE),
    # five rising (index 7 falls back to 0.5)
    ("nelson.3", NELSON, [0.3, -0.4, -0.6, -0.2, 0.1, 0.3, 0.6, 0.5, 0.2, -0.3, 0.4]),
    # the last step goes up after an up: thirteen alternating, not fourteen
    ("nelson.4", NELSON, [*FOURTEEN_ALTERNATING[:-1], 0.2]),
    # two beyond 2σ within three points, but on opposite sides
    ("nelson.5", NELSON, [0.3, -0.5, 2.5, 0.4, -2.2, -0.3, 0.5, -0.2]),
    ("nelson.6", NELSON, [-0.3, 0.2, 1.5, 1.2, 0.4, 1.8, 0.9, -0.2, 0.3]),
    # the last point leaves zone C: fourteen within
    ("nelson.7", NELSON, [*FIFTEEN_WITHIN[:-1], -1.1]),
    # seven beyond 1σ: index 8 back in zone C
    ("nelson.8", NELSON, [*EIGHT_OUTSIDE[:8], -0.7, 0.3]),
]


@pytest.mark.parametrize(("rule", "family", "series", "indices"), TRIGGERS, ids=lambda v: v)
def test_series_triggers_exactly_this_rule_at_known_points(rule, family, series, indices):
    assert fired(series, family) == {rule: indices}


@pytest.mark.parametrize(("rule", "family", "series"), NEAR_MISSES, ids=lambda v: v)
def test_near_miss_does_not_trigger(rule, family, series):
    assert rule not in fired(series, family)


def test_every_rule_has_a_trigger_and_a_near_miss():
    assert {t[0] for t in TRIGGERS} == {n[0] for n in NEAR_MISSES} == set(RULES)


def test_rules_read_zones_in_the_charts_own_units():
    # The same pattern on a chart with CL = 74 and σ = 0.01 (a piston-ring X-bar chart).
    series = 74.0 + 0.01 * np.array(FOUR_OF_FIVE)
    assert fired(series, NELSON, center=74.0, sigma=0.01) == {"nelson.6": [(2, 3, 5, 6)]}


def test_sigma_may_vary_point_by_point():
    # A p chart with unequal samples: 0.20 is 2.5σ out where σ = 0.04 but 1.25σ where 0.08.
    stat = [0.10, 0.20, 0.10, 0.20]
    assert fired(stat, NELSON, center=0.10, sigma=[0.04, 0.04, 0.08, 0.08]) == {}
    assert fired(stat, NELSON, center=0.10, sigma=0.04) == {"nelson.5": [(1, 3)]}


def test_falling_trend_is_reported_as_decreasing():
    (v,) = check([-x for x in SIX_RISING], 0.0, 1.0, ["nelson.3"])
    assert (v.indices, v.direction, v.signal) == (tuple(range(2, 8)), "decreasing", 7)


def test_a_longer_run_is_one_violation_naming_every_point_and_signalling_at_the_ninth():
    series = [-0.5] + [0.3] * 12 + [-0.5]
    (v,) = check(series, 0.0, 1.0, ["nelson.2"])
    assert v.indices == tuple(range(1, 13))
    assert (v.direction, v.signal) == ("above", 9)


def test_a_point_on_the_centre_line_or_missing_breaks_a_run():
    on_line = [0.3] * 4 + [0.0] + [0.3] * 4
    missing = [0.3] * 4 + [np.nan] + [0.3] * 4
    assert fired(on_line, ["nelson.2"]) == {}
    assert fired(missing, ["nelson.2"]) == {}
    assert fired([0.3] * 9, ["nelson.2"]) == {"nelson.2": [tuple(range(9))]}


def test_eight_beyond_one_sigma_on_one_side_is_rule_six_not_rule_eight():
    one_side = [0.2] + [1.5] * 8 + [0.2]
    found = fired(one_side, NELSON)
    assert "nelson.8" not in found
    assert found["nelson.6"] == [tuple(range(1, 9))]


def test_two_separate_points_beyond_three_sigma_are_two_violations():
    assert fired([0.1, 3.2, 0.1, -0.1, -3.4, 0.1], ["nelson.1"]) == {"nelson.1": [(1,), (4,)]}


def test_violations_carry_both_languages_and_order_by_signal():
    found = check([0.1, 3.2, 0.1] + [0.5] * 9, 0.0, 1.0, NELSON)
    assert [v.rule for v in found] == ["nelson.1", "nelson.2"]
    assert found[1].zh == "连续 9 点落在中心线同一侧"
    assert found[1].en.startswith("Nine points")


def test_unknown_rule_is_refused_naming_it():
    with pytest.raises(ValueError, match=r"rules: unknown rule 'nelson\.9'"):
        check([0.0, 1.0], 0.0, 1.0, ["nelson.9"])
