"""Control charts against Montgomery's worked examples and limits derived by hand.

Book figures are Montgomery, Introduction to Statistical Quality Control, 7th ed.; where the
book rounds intermediate values (R̄ = 0.023, σ̂ = 0.0099) the tolerance says so.
"""

import math

import numpy as np
import pytest

from qcert.quality import spc
from tests.unit.quality.montgomery import (
    CIRCUIT_BOARDS,
    ORANGE_JUICE,
    PERSONAL_COMPUTERS,
    PISTON_RINGS,
    SHIFTED_MEAN,
)

RINGS = np.array(PISTON_RINGS)


def limits(chart, i=0):
    return chart.lower[i], chart.center[i], chart.upper[i]


def test_piston_rings_xbar_r_trial_limits_match_example_6_1():
    a = spc.xbar_r(RINGS[:25])
    xbar, r = a.chart("xbar"), a.chart("r")
    # Book: x̿ = 74.001, R̄ = 0.023, X-bar limits 73.988 / 74.014, R limits 0 / 0.049
    # (D4 R̄ = 2.114 × 0.023 = 0.0486 with the rounded R̄; unrounded R̄ = 0.02276 gives 0.0481).
    lcl, cl, ucl = limits(xbar)
    assert (round(lcl, 3), round(cl, 3), round(ucl, 3)) == (73.988, 74.001, 74.014)
    r_lcl, r_cl, r_ucl = limits(r)
    assert r_lcl == 0 and round(r_cl, 3) == 0.023 and abs(r_ucl - 0.049) < 0.001
    assert a.excluded == () and a.phase == 1
    # and by the table: x̿ ± A2 R̄ with A2(5) = 0.577, D4(5) = 2.114
    rbar = float(np.mean(RINGS[:25].max(axis=1) - RINGS[:25].min(axis=1)))
    assert ucl == pytest.approx(RINGS[:25].mean() + 0.577 * rbar, abs=2e-5)
    assert r_ucl == pytest.approx(2.114 * rbar, abs=2e-5)


def test_piston_rings_phase_ii_flags_samples_37_to_39():
    trial = spc.xbar_r(RINGS[:25])
    monitor = spc.xbar_r(RINGS[25:], params=trial.params)
    # Hand: sample means 37-39 are 74.0166, 74.0196, 74.0234 > UCL 74.0143; 40 is 74.0128.
    assert [i + 26 for i in monitor.chart("xbar").signals()] == [37, 38, 39]
    assert monitor.chart("r").signals() == ()
    assert monitor.phase == 2 and monitor.params == trial.params


def test_xbar_s_limits_are_the_textbook_b3_b4_a3_forms():
    a = spc.xbar_s(RINGS[:25])
    sbar = float(RINGS[:25].std(axis=1, ddof=1).mean())
    grand = float(RINGS[:25].mean())
    # Appendix VI, n = 5: A3 = 1.427, B3 = 0, B4 = 2.089 (three decimals, hence the tolerance)
    _lcl, cl, ucl = limits(a.chart("xbar"))
    assert cl == pytest.approx(grand)
    assert ucl == pytest.approx(grand + 1.427 * sbar, abs=1e-5)
    s_lcl, s_cl, s_ucl = limits(a.chart("s"))
    assert s_cl == pytest.approx(sbar) and s_lcl == 0
    assert s_ucl == pytest.approx(2.089 * sbar, abs=1e-5)


def test_unequal_subgroups_get_limits_from_their_own_size():
    rows = np.full((4, 5), np.nan)
    rows[0, :3] = [1, 2, 3]
    rows[1] = [1, 2, 3, 4, 5]
    rows[2, :3] = [2, 3, 4]
    rows[3] = [1, 3, 5, 2, 4]
    a = spc.xbar_s(rows)
    xbar, s = a.chart("xbar"), a.chart("s")
    assert list(a.sizes) == [3, 5, 3, 5]
    # half-widths 3σ/√n: the n = 3 rows are √(5/3) wider than the n = 5 rows
    width = xbar.upper - xbar.center
    assert width[0] / width[1] == pytest.approx(math.sqrt(5 / 3))
    # S centre line c4(n)·σ̂: c4(3) = 0.8862, c4(5) = 0.9400 (Appendix VI)
    assert s.center[0] / s.center[1] == pytest.approx(0.8862 / 0.9400, abs=1e-4)


def test_phase_i_drops_a_shifted_subgroup_and_re_estimates():
    rows = np.array([[0.0, 1.0]] * 10 + [[10.0, 11.0]])
    a = spc.xbar_r(rows)
    # Round 1: x̿ = 15.5/11 = 1.409, σ̂ = 1/1.128, UCL = 1.409 + 1.880 = 3.289 < 10.5: dropped.
    # Round 2: x̿ = 0.5, limits 0.5 ± A2(2)·R̄ = 0.5 ± 1.880; nothing else beyond.
    assert a.rounds == ((10,),) and a.excluded == (10,)
    lcl, cl, ucl = limits(a.chart("xbar"))
    assert (round(lcl, 3), cl, round(ucl, 3)) == (-1.38, 0.5, 2.38)
    assert a.chart("xbar").signals() == (10,)


def test_individuals_and_moving_range_by_hand():
    a = spc.imr([10, 12, 11, 13, 12])
    # x̄ = 11.6; MR = 2, 1, 2, 1, MR̄ = 1.5; σ̂ = 1.5/1.128 = 1.3298
    # I: 11.6 ± 3σ̂ = 7.611 / 15.589; MR: UCL = D4(2)·MR̄ = 3.267 × 1.5 = 4.9005
    lcl, cl, ucl = limits(a.chart("i"))
    assert (round(lcl, 2), cl, round(ucl, 2)) == (7.61, 11.6, 15.59)
    mr = a.chart("mr")
    assert math.isnan(mr.statistic[0]) and list(mr.statistic[1:]) == [2, 1, 2, 1]
    assert mr.center[1] == pytest.approx(1.5) and mr.upper[1] == pytest.approx(4.9005, abs=1e-3)


def test_individuals_phase_i_drops_an_outlier_and_its_moving_ranges():
    base = [10, 12, 11, 13, 12, 11, 10, 12, 11, 12, 13, 11, 10, 12, 11, 12]
    values = [*base[:8], 40, *base[8:]]
    a = spc.imr(values)
    assert a.excluded == (8,)
    # Revised: the mean of the 16 others; MR̄ from the 14 moving ranges not touching index 8.
    mrs = [abs(b - c) for b, c in zip(values[1:], values[:-1], strict=True)]
    kept = [m for i, m in enumerate(mrs, start=1) if i not in (8, 9)]
    assert a.params.center == pytest.approx(np.mean(base))
    assert a.params.sigma == pytest.approx(np.mean(kept) / 1.128, rel=5e-4)


def test_orange_juice_p_chart_matches_example_7_1():
    trial = spc.p_chart(ORANGE_JUICE, 50, revise=False)
    # Book: p̄ = 0.2313, UCL = 0.4102, LCL = 0.0524; samples 15 and 23 above the UCL.
    lcl, cl, ucl = limits(trial.chart("p"))
    assert (round(cl, 4), round(ucl, 4), round(lcl, 4)) == (0.2313, 0.4102, 0.0524)
    assert trial.chart("p").signals() == (14, 22)
    # Book, after removing 15 and 23: p̄ = 0.2150, UCL = 0.3893, LCL = 0.0407.
    full = spc.p_chart(ORANGE_JUICE, 50)
    assert full.rounds[0] == (14, 22)
    # The book keeps sample 21 (0.40 > 0.3893) after finding no assignable cause; automatic
    # revision cannot know that and drops it in round 2.
    assert full.rounds[1] == (20,)
    kept = [d for i, d in enumerate(ORANGE_JUICE) if i not in (14, 22)]
    second = spc.p_chart(kept, 50, revise=False).chart("p")
    assert (round(second.center[0], 4), round(second.upper[0], 4)) == (0.2150, 0.3893)
    assert round(second.lower[0], 4) == 0.0407


def test_np_chart_by_hand():
    a = spc.np_chart(ORANGE_JUICE, 50, revise=False)
    # n p̄ = 11.567; 3√(n p̄ (1 − p̄)) = 3√(11.567 × 0.7687) = 8.945 → 2.62 / 20.51
    lcl, cl, ucl = limits(a.chart("np"))
    assert (round(lcl, 2), round(cl, 2), round(ucl, 2)) == (2.62, 11.57, 20.51)


def test_p_chart_limits_vary_with_sample_size():
    a = spc.p_chart([5, 10], [50, 200], revise=False)
    # p̄ = 15/250 = 0.06; 3√(0.06 × 0.94 / n) = 0.1008 (n = 50) and 0.0504 (n = 200)
    p = a.chart("p")
    assert p.upper[0] == pytest.approx(0.06 + 0.10076, abs=1e-4)
    assert p.upper[1] == pytest.approx(0.06 + 0.05038, abs=1e-4)
    assert p.lower[0] == 0.0 and p.lower[1] == pytest.approx(0.06 - 0.05038, abs=1e-4)


def test_circuit_board_c_chart_matches_the_book():
    trial = spc.c_chart(CIRCUIT_BOARDS, revise=False)
    # Book: c̄ = 516/26 = 19.85, UCL = 33.22, LCL = 6.48; samples 6 and 20 beyond. (The book
    # adds 3√c̄ to the rounded 19.85; unrounded, the UCL is 33.211.)
    lcl, cl, ucl = limits(trial.chart("c"))
    assert (round(cl, 2), round(lcl, 2)) == (19.85, 6.48) and abs(ucl - 33.22) < 0.01
    assert trial.chart("c").signals() == (5, 19)
    # Book's revised limits without them: c̄ = 19.67, UCL = 32.97, LCL = 6.36.
    revised = spc.c_chart(CIRCUIT_BOARDS)
    assert revised.excluded == (5, 19)
    lcl, cl, ucl = limits(revised.chart("c"))
    assert (round(cl, 2), round(ucl, 2), round(lcl, 2)) == (19.67, 32.97, 6.36)


def test_personal_computer_u_chart_matches_the_book():
    a = spc.u_chart(PERSONAL_COMPUTERS, 5)
    # Book: ū = 1.93, UCL = 3.79, LCL = 0.07
    lcl, cl, ucl = limits(a.chart("u"))
    assert (round(cl, 2), round(ucl, 2), round(lcl, 2)) == (1.93, 3.79, 0.07)
    assert a.excluded == ()


def test_u_chart_with_fractional_units_by_hand():
    counts = [14, 12, 20, 11, 7, 10, 21, 16, 19, 23]
    units = [10.0, 8.0, 13.0, 10.0, 9.5, 10.0, 12.0, 10.5, 12.0, 12.5]
    u = spc.u_chart(counts, units, revise=False).chart("u")
    # ū = 153 / 107.5 = 1.42326; for n = 10: ± 3√(1.42326/10) = ± 1.13178
    assert u.center[0] == pytest.approx(153 / 107.5)
    assert (round(u.lower[0], 4), round(u.upper[0], 4)) == (0.2915, 2.555)


def test_cusum_matches_example_9_1():
    a = spc.cusum(SHIFTED_MEAN, k=0.5, h=5, params=spc.Params(10.0, 1.0))
    upper = a.chart("cusum-upper").statistic
    # Book (the tabular CUSUM of Example 9.1): C⁺ first exceeds H = 5 at period 29 with 5.28;
    # N⁺ = 7, so the shift began after period 22, and μ̂ = 10 + 0.5 + 5.28/7 = 11.25.
    assert round(upper[28], 2) == 5.28 and upper[27] < 5
    (alarm,) = a.alarms
    assert (alarm.side, alarm.signal, alarm.start) == ("up", 28, 22)
    assert round(alarm.shifted_mean, 2) == 11.25
    assert a.chart("cusum-lower").signals() == ()


def test_ewma_matches_example_9_2():
    a = spc.ewma(SHIFTED_MEAN, lam=0.1, L=2.7, params=spc.Params(10.0, 1.0))
    e = a.chart("ewma")
    # Book: z1 = 0.1 × 9.45 + 0.9 × 10 = 9.945; limits at period 1: 10 ± 2.7√(0.1/1.9 × 0.19)
    # = 10 ± 0.27; asymptotically 10 ± 2.7√(0.1/1.9) = 10 ± 0.6194.
    assert e.statistic[0] == pytest.approx(9.945)
    assert (round(e.lower[0], 2), round(e.upper[0], 2)) == (9.73, 10.27)
    assert (round(e.lower[-1], 2), round(e.upper[-1], 2)) == (9.38, 10.62)
    # Hand: z28 = 10.5731 < 10.6186, z29 = 10.6468 > 10.6187 — the first signal is period 29.
    assert e.signals()[0] == 28 and not e.shewhart


def test_ewma_steady_state_limits_on_request():
    e = spc.ewma(SHIFTED_MEAN, params=spc.Params(10.0, 1.0), exact_limits=False).chart("ewma")
    # 10 ± 2.7 √(0.1/1.9) = 10 ± 0.61942 from the first point on
    assert np.allclose(e.upper, 10.61942, atol=1e-5) and np.allclose(e.lower, 9.38058, atol=1e-5)


def test_time_weighted_charts_estimate_from_the_data_when_not_given():
    a = spc.cusum(SHIFTED_MEAN[:20])
    mr = np.abs(np.diff(SHIFTED_MEAN[:20])).mean()
    assert a.phase == 1
    assert a.params.center == pytest.approx(np.mean(SHIFTED_MEAN[:20]))
    assert a.params.sigma == pytest.approx(mr / 1.128, rel=5e-4)  # d2(2) = 1.128 to 4 figures


def test_subgroups_by_size_and_by_label():
    assert spc.subgroups([1, 2, 3, 4], size=2).tolist() == [[1, 2], [3, 4]]
    rows = spc.subgroups([1, 2, 3, 4, 5], labels=["b", "a", "b", "a", "b"])
    assert rows[0].tolist() == [1, 3, 5]
    assert rows[1, :2].tolist() == [2, 4] and math.isnan(rows[1, 2])


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: spc.xbar_r([1.0, 2.0, 3.0]), "subgroups: expected a 2-D array"),
        (lambda: spc.xbar_r([[1.0, np.nan], [1.0, 2.0]]), "subgroups: subgroup 0 has 1"),
        (lambda: spc.c_chart([3, -1, 2]), "counts: counts cannot be negative"),
        (lambda: spc.p_chart([3, 60], 50), "defectives: sample 1 has more than its size"),
        (lambda: spc.subgroups([1, 2, 3], size=2), "subgroup: 3 values do not split"),
        (lambda: spc.ewma([1.0, 2.0], params=spc.Params(0.0)), "sigma: a positive"),
        (lambda: spc.imr([5.0, np.nan, 4.0]), "values: value 1 is missing"),
    ],
)
def test_bad_input_is_refused_naming_the_field(call, message):
    with pytest.raises(ValueError, match=message):
        call()
