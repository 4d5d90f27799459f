"""An SPC study end to end on the piston rings: phase I limits, phase II signals, capability."""

import numpy as np
import pytest

from qcert.quality.rules import WESTERN_ELECTRIC
from qcert.quality.spc import Params
from qcert.quality.study import study
from tests.unit.quality.montgomery import ORANGE_JUICE, PISTON_RINGS, SHIFTED_MEAN

RINGS = np.array(PISTON_RINGS)


def test_phase_i_sets_limits_and_phase_ii_is_monitored_against_them():
    s = study("xbar-r", RINGS, phase1=25, lsl=73.95, usl=74.05)
    xbar = s.analysis.chart("xbar")
    assert round(xbar.upper[0], 3) == 74.014  # Example 6.1's trial limit
    assert s.beyond == {"xbar": (36, 37, 38), "r": ()}
    # The run rules see the drift before the limits do: 2 of 3 beyond 2σ at sample 35.
    first = s.violations[0]
    assert (first.rule, first.signal) == ("nelson.5", 34)
    assert s.stable_in_phase1
    # Capability is of the 25 phase I subgroups, which were in control.
    assert s.capability.n == 125 and s.capability.quotable


def test_capability_is_not_quotable_when_phase_i_signals():
    s = study("xbar-s", RINGS, lsl=73.95, usl=74.05)
    assert s.fit.excluded  # samples 37-39 are dropped from the estimate
    assert not s.stable_in_phase1
    assert s.capability.within_method == "sbar"
    assert [r.rule for r in s.capability.reasons] == ["capability.stability"]


def test_rule_set_is_the_callers_choice():
    s = study("xbar-r", RINGS, phase1=25, rules=WESTERN_ELECTRIC)
    assert {v.rule for v in s.violations} == {"we.1", "we.2", "we.3"}
    assert s.capability is None


def test_attribute_and_time_weighted_studies():
    p = study("p", ORANGE_JUICE, sizes=50)
    assert p.fit.rounds[0] == (14, 22) and p.primary == "p"
    c = study("cusum", SHIFTED_MEAN, phase1=20)
    # μ0 and σ from the first 20 (mean, MR̄/d2); no run rules on a CUSUM
    assert c.fit.params.center == pytest.approx(np.mean(SHIFTED_MEAN[:20]))
    assert c.violations == () and c.primary == "cusum-upper"


def test_given_standards_monitor_every_point():
    c = study("cusum", SHIFTED_MEAN, params=Params(10.0, 1.0))
    assert c.phase1 == 0 and c.fit is c.analysis
    assert [(a.signal, a.start) for a in c.analysis.alarms] == [(28, 22)]  # Example 9.1
    # the first 20 observations against μ0 = 10, σ = 1: in control, so capability is quotable
    i = study("imr", SHIFTED_MEAN[:20], params=Params(10.0, 1.0), lsl=6, usl=14)
    assert i.stable_in_phase1 and i.capability.n == 20 and i.capability.quotable


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"kind": "g", "data": [1, 2, 3]}, "chart: unknown chart 'g'"),
        ({"kind": "imr", "data": [1, 2, 3], "phase1": 5}, "phase1: must be between 2 and"),
        ({"kind": "p", "data": [1, 2, 3]}, "sizes: a p chart needs the sample sizes"),
        ({"kind": "u", "data": [1, 2, 3], "sizes": [1, 2]}, "sizes: one sample size per point"),
        (
            {"kind": "p", "data": [1, 2], "sizes": 10, "params": Params(1.5)},
            "center: the standard p0 must be between 0 and 1",
        ),
        (
            {"kind": "c", "data": [1, 2], "params": Params(3.0), "phase1": 2},
            "phase1: not with given parameters",
        ),
    ],
)
def test_bad_studies_are_refused_naming_the_field(kwargs, message):
    with pytest.raises(ValueError, match=message):
        study(**kwargs)
