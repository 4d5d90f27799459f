"""The examination: findings from planted faults, and recommendations citing them."""

import numpy as np
import pandas as pd
import pytest

from qcert.quality.demo_line import FAULT_VARIABLE, PROCESS, SPECS, line_readings
from qcert.quality.monitoring import PCAMonitor
from qcert.quality.report import RULES, Characteristic, examination
from qcert.quality.risk import Explanation


def _normal_process(n: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    z = rng.normal(size=(n, 1))
    return pd.DataFrame(z @ np.ones((1, 4)) + 0.3 * rng.normal(size=(n, 4)), columns=list("abcd"))


def _exam(values, lsl, usl, process=None, normal=100, **kw):
    process = _normal_process(len(values)) if process is None else process
    monitor = PCAMonitor(1).fit(process.iloc[:normal])
    chars = {"x": Characteristic(values, lsl, usl)}
    return examination("org", chars, process, monitor, normal, **kw)


def test_a_process_wider_than_its_tolerance_is_called_incapable():
    rng = np.random.default_rng(3)
    values = rng.normal(10.0, 1.0, 200)
    exam = _exam(values, 8.0, 12.0)
    # Cpk = (12 − 10)/(3·1) ≈ 0.67 for σ = 1 (Montgomery §8.3); the interval should hold it.
    cpk = exam.characteristics[0].capability.cpk
    assert cpk.lower < 2 / 3 < cpk.upper
    rules = {r.rule: r for r in exam.recommendations}
    assert rules["R1-incapable"].finding == "capability:x"
    assert rules["R1-incapable"].priority == 1
    assert "Cpk/Ppk" in rules["R1-incapable"].en and "过程无法满足公差" in rules["R1-incapable"].zh
    assert exam.alarm is None  # the process readings are all normal
    assert "R5-alarm" not in rules


def test_a_step_after_the_baseline_gives_signals_a_trend_and_a_low_ppk():
    rng = np.random.default_rng(4)
    values = rng.normal(10.0, 0.2, 200)
    values[100:] += 1.0  # a 5σ step at reading 100
    exam = _exam(values, 8.0, 12.0)
    found = exam.characteristics[0]
    # I-chart limits from the first 100 readings: 10 ± 3σ̂ with σ̂ ≈ 0.2
    assert found.ucl == pytest.approx(10.6, abs=0.1)
    assert min(found.beyond) >= 100 and len(found.beyond) > 80
    assert exam.trend.increasing()
    assert not found.capability.quotable  # the charts signalled
    rules = {r.rule: r for r in exam.recommendations}
    assert rules["R4-spc-signal"].finding == "spc:x"
    assert rules["R6-trend"].finding == "trend:x"
    assert "upward" in rules["R6-trend"].en and "上升" in rules["R6-trend"].zh


def test_the_planted_fault_is_alarmed_and_traced_to_the_coolant():
    line = line_readings(21)
    chars = {name: Characteristic(line.frame[name], *SPECS[name]) for name in SPECS}
    monitor = PCAMonitor(2).fit(line.process.iloc[: line.normal])
    exam = examination("org", chars, line.process, monitor, line.normal)
    assert exam.alarm is not None and exam.alarm.index > line.fault_at
    assert exam.alarm.top[0][0] == FAULT_VARIABLE
    assert exam.alarm.onset is not None
    assert line.fault_at - 10 <= exam.alarm.onset <= exam.alarm.index
    alarm = next(r for r in exam.recommendations if r.rule == "R5-alarm")
    assert FAULT_VARIABLE in alarm.en and FAULT_VARIABLE in alarm.zh
    assert alarm.finding == f"alarm:{exam.alarm.index}"
    assert set(PROCESS) >= {name for name, _ in exam.alarm.top}


def test_peer_percentile_counts_peers_below_with_ties_half():
    rng = np.random.default_rng(5)
    values = rng.normal(10.0, 1.0, 200)
    cpk = _exam(values, 8.0, 12.0).characteristics[0].capability.cpk.estimate
    peers = pd.DataFrame(
        {"characteristic": ["x"] * 4 + ["y"], "cpk": [cpk - 1, cpk + 1, cpk + 2, cpk, 0.0]}
    )
    exam = _exam(values, 8.0, 12.0, peers=peers)
    # one of four below, one tie counted half: (1 + 0.5) / 4 = 37.5%
    assert exam.characteristics[0].peer_percentile == pytest.approx(37.5)
    assert "R7-peers" not in {r.rule for r in exam.recommendations}


def test_a_high_risk_is_recommended_on_with_its_drivers():
    risk = Explanation(0.62, 0.5, -1.0, {"cpk_min": 1.2, "alarm_rate": 0.3, "size": 0.0})
    rng = np.random.default_rng(6)
    exam = _exam(rng.normal(10.0, 0.2, 200), 8.0, 12.0, risk=risk)
    rec = next(r for r in exam.recommendations if r.rule == "R8-risk")
    assert rec.priority == 1 and "62%" in rec.en
    assert "Lowest Cpk of key characteristics, Process alarms" in rec.en
    assert "关键特性最低 Cpk" in rec.zh
    assert all(source for source, _, _ in RULES.values())


def test_bad_arguments_name_the_field():
    with pytest.raises(ValueError, match="key"):
        _exam(np.arange(200.0), 0, 300, key="nope")
    with pytest.raises(ValueError, match="normal"):
        _exam(np.arange(200.0), 0, 300, normal=5)
