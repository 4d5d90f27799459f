"""The demonstration line: correlated readings, a planted coolant drift from fault_at."""

import numpy as np
import pytest

from qcert.quality.demo_line import FAULT_VARIABLE, PROCESS, SPECS, line_readings
from qcert.quality.monitoring import PCAMonitor


def test_the_fault_is_a_drift_in_the_coolant_only():
    faulty = line_readings(5, n=300, fault_at=200, drift=0.05)
    clean = line_readings(5, n=300, fault_at=None)
    diff = faulty.frame - clean.frame
    # Same seed, same noise: before the fault the lines are identical.
    assert np.allclose(diff.iloc[:200], 0.0)
    # The coolant's σ is √(0.3² + 1.2² + 0.25²) ≈ 1.262 °C; 0.05σ per reading, 100 readings.
    assert diff[FAULT_VARIABLE].iloc[-1] == pytest.approx(100 * 0.05 * 1.262, rel=1e-3)
    others = [c for c in PROCESS if c != FAULT_VARIABLE]
    assert np.allclose(diff[others], 0.0)
    # The bore grows 4 µm per °C of coolant.
    assert diff["bore_diameter"].iloc[-1] == pytest.approx(0.004 * 100 * 0.05 * 1.262, rel=1e-3)
    assert (faulty.fault_at, faulty.normal, clean.normal) == (200, 200, 300)


def test_process_variables_are_correlated_and_in_spec_when_normal():
    line = line_readings(1, n=2000, fault_at=None)
    corr = np.corrcoef(line.process.to_numpy().T)
    # spindle_load and feed_rate share the load factor: 6·25 / √((36+1)(625+25)) ≈ 0.97
    assert corr[0, 1] == pytest.approx(6 * 25 / np.sqrt(37 * 650), abs=0.03)
    for name, (lsl, usl, _) in SPECS.items():
        values = line.frame[name]
        assert (lsl is None or (values > lsl).mean() > 0.99) and (values < usl).mean() > 0.99


def test_a_pca_monitor_alarms_after_the_fault_and_blames_the_coolant():
    line = line_readings(11)
    monitor = PCAMonitor(2).fit(line.process.iloc[: line.normal])
    alarms = monitor.score(line.process).alarms(3)
    assert not alarms[: line.fault_at].any()
    first = int(np.flatnonzero(alarms)[0])
    assert line.fault_at < first < line.fault_at + 100
    rbc = monitor.reconstruction_contributions(line.process.iloc[first : first + 20])
    assert PROCESS[int(np.nanmean(rbc, axis=0).argmax())] == FAULT_VARIABLE


def test_bad_arguments_name_the_field():
    with pytest.raises(ValueError, match="fault_at"):
        line_readings(0, n=100, fault_at=100)
    with pytest.raises(ValueError, match="n:"):
        line_readings(0, n=10)
