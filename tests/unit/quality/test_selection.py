"""Choosing lags, components and states: from normal data, and by detection on fault runs."""

from __future__ import annotations

import os

import numpy as np
import pytest

from qcert.quality.monitoring import CVAMonitor, MonitorInputError
from qcert.quality.selection import cva_states, select_monitor, var_order
from tests.shared_data import shared_data
from tests.unit.quality.test_monitoring import MIXING, SHIFTED, _ar_process, _process

pytestmark = pytest.mark.long  # scheduled first (tests/conftest.py)

TEP = shared_data("tep")
EIGHTEEN = [f for f in range(1, 22) if f not in (3, 9, 15)]


def _var2(n: int, seed: int) -> np.ndarray:
    """Two factors following x_t = 0.5 x_{t−1} + 0.4 x_{t−2} + e_t, seen through 8 variables."""
    rng = np.random.default_rng(seed)
    f = np.zeros((n, 2))
    for t in range(2, n):
        f[t] = 0.5 * f[t - 1] + 0.4 * f[t - 2] + rng.standard_normal(2)
    return f @ MIXING * 3 + rng.standard_normal((n, 8)) * 0.3


def test_the_autoregression_order_is_found():
    assert var_order(_process(2000, seed=1)) == 1  # no dynamics: the least order
    assert var_order(_var2(3000, seed=1)) == 2


def test_cva_states_count_the_dynamic_factors():
    # two AR(1) factors: two canonical correlations stand out, the rest are noise
    assert cva_states(_ar_process(3000, seed=2), lags=0) == 2


def test_from_normal_data_alone():
    pca = select_monitor("pca", _process(500, seed=1))
    assert pca.params == {"n_components": 2} and pca.criterion == "normal-data"
    cva = select_monitor("cva", _var2(3000, seed=3))
    assert cva.params["lags"] == 1  # p = 2 readings = the window [z_t, z_{t−1}]
    monitor = cva.monitor()
    assert isinstance(monitor, CVAMonitor) and monitor.n_states == cva.params["n_states"]


def test_with_fault_runs_the_grid_point_that_detects_most_is_kept():
    normal = _process(600, seed=1)
    runs = [_process(200, seed=s) for s in (2, 3)]
    for run in runs:
        run[:, SHIFTED] += 1.0
    chosen = select_monitor("pca", normal, runs, grid={"n_components": (1, 2, 3)})
    rates = [rate for _, rate in chosen.table]
    assert len(rates) == 3 and chosen.detection == max(rates)
    assert chosen.params["n_components"] == 1 + rates.index(max(rates))
    assert chosen.params["control_limits"] == "cross-validated"
    fitted = chosen.monitor().fit(normal)
    assert np.mean([fitted.score(r).alarm.mean() for r in runs]) == pytest.approx(max(rates))


def test_refusals_name_the_argument():
    with pytest.raises(MonitorInputError, match="method: must be"):
        select_monitor("pls", _process(100, seed=1))  # type: ignore[arg-type]
    with pytest.raises(MonitorInputError, match="faults: no fault run"):
        select_monitor("pca", _process(100, seed=1), [])


def _tep() -> tuple[np.ndarray, dict[int, np.ndarray]]:
    if not (TEP / "d00.dat").exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"the Tennessee Eastman data are missing from {TEP}")
        pytest.skip(f"the Tennessee Eastman data are not in {TEP}")
    runs = {f: np.loadtxt(TEP / f"d{f:02d}.dat") for f in EIGHTEEN}
    return np.loadtxt(TEP / "d00.dat").T, runs


def test_tep_with_the_training_fault_runs_gives_the_benchmark_cva():
    """bench/tep.py's CVA: lags 2, 20 states, 93.2% mean detection on the training runs."""
    normal, runs = _tep()
    chosen = select_monitor("cva", normal, list(runs.values()))
    assert (chosen.params["lags"], chosen.params["n_states"]) == (2, 20)
    assert chosen.detection == pytest.approx(0.9321, abs=1e-4)


def test_tep_from_normal_data_alone_comes_within_two_points():
    """Without fault runs: lags 1 (AICc order 2), 34 states (Bartlett); 91.1% mean detection
    on the training runs against the benchmark's 93.2%."""
    normal, runs = _tep()
    chosen = select_monitor("cva", normal)
    assert (chosen.params["lags"], chosen.params["n_states"]) == (1, 34)
    monitor = chosen.monitor().fit(normal)
    detection = np.mean([monitor.score(r).alarm[monitor.lags :].mean() for r in runs.values()])
    assert 0.9321 - 0.025 < detection < 0.9321


def test_with_normal_validation_readings_every_size_is_judged_at_the_same_false_alarm_rate():
    normal, validation = _process(600, seed=1), _process(2000, seed=4)
    runs = [_process(200, seed=s) for s in (2, 3)]
    for run in runs:
        run[:, SHIFTED] += 1.0
    grid = {"n_components": (1, 2, 3)}
    chosen = select_monitor("pca", normal, runs, grid=grid, alpha=0.95, validation=validation)
    assert chosen.criterion == "detection-at-validation-false-alarm-rate"
    monitor = chosen.monitor().fit(normal)
    ratio = monitor.score(validation).ratio
    threshold = np.quantile(ratio, 0.95)
    assert np.mean(ratio > threshold) == pytest.approx(0.05, abs=0.001)
    detected = np.mean([(monitor.score(r).ratio > threshold).mean() for r in runs])
    assert chosen.detection == pytest.approx(detected)
    assert chosen.detection == max(rate for _, rate in chosen.table)
