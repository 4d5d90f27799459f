"""Scoring in blocks gives what scoring reading by reading gives, whatever the cut."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qcert.quality.monitoring import (
    AlarmCleared,
    CVAMonitor,
    DynamicPCAMonitor,
    MonitorInputError,
    PCAMonitor,
    StreamingScorer,
    alarm_events,
    first_alarm,
)
from tests.unit.quality.test_monitoring import SHIFTED, _ar_process

TRAIN = _ar_process(500, seed=3)
FITTED = {
    "pca": PCAMonitor(n_components=2).fit(TRAIN),
    "dpca": DynamicPCAMonitor(n_components=4, lags=2).fit(TRAIN),
    "cva": CVAMonitor(n_states=3, lags=1).fit(TRAIN),
}


def _same(a, b) -> bool:
    """Equal events; statistics to rounding (a block's products may differ in the last bit)."""
    if a is None or b is None or type(a) is not type(b):
        return a is b
    if isinstance(a, AlarmCleared):
        return a == b
    return (a.index, a.first_exceedance, a.limits) == (b.index, b.first_exceedance, b.limits) and (
        np.allclose(list(a.statistics.values()), list(b.statistics.values()))
    )


def _readings(n: int, seed: int, shift: float, start: int, stop: int) -> np.ndarray:
    X = _ar_process(n, seed=seed)
    X[start:stop, SHIFTED] += shift
    return X


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    kind=st.sampled_from(sorted(FITTED)),
    persistence=st.integers(1, 4),
    seed=st.integers(0, 10_000),
    n=st.integers(1, 120),
    shift=st.sampled_from([0.0, 2.0, 6.0]),
    start=st.integers(0, 119),
    length=st.integers(0, 60),
    cuts=st.lists(st.integers(0, 120), max_size=6),
)
def test_blocks_equal_one_reading_at_a_time(kind, persistence, seed, n, shift, start, length, cuts):
    X = _readings(n, seed, shift, start, start + length)
    one = StreamingScorer(FITTED[kind], persistence)
    singles = [one.update(x) for x in X]
    many = StreamingScorer(FITTED[kind], persistence)
    edges = sorted({0, n, *(c for c in cuts if c <= n)})
    blocks = [many.update_many(X[lo:hi]) for lo, hi in itertools.pairwise(edges)]
    readings = [b.reading(i) for b in blocks for i in range(len(b))]
    assert [r.index for r in readings] == list(range(n))
    assert [r.alarm for r in readings] == [r.alarm for r in singles]
    assert [r.exceeded for r in readings] == [r.exceeded for r in singles]
    assert all(_same(r.event, s.event) for r, s in zip(readings, singles, strict=True))
    for name in FITTED[kind].limits_:
        assert np.allclose(
            [r.statistics[name] for r in readings],
            [r.statistics[name] for r in singles],
            equal_nan=True,
        )
    events = [e for b in blocks for e in b.events]
    expected = [r.event for r in singles if r.event is not None]
    assert len(events) == len(expected) and all(map(_same, events, expected))


@pytest.mark.parametrize("kind", sorted(FITTED))
def test_one_block_gives_the_batch_scores_and_events(kind):
    X = _readings(400, seed=5, shift=8.0, start=150, stop=260)
    batch = FITTED[kind].score(X)
    block = StreamingScorer(FITTED[kind], persistence=3).update_many(X)
    for name, values in batch.statistics.items():
        assert np.allclose(block.statistics[name], values, equal_nan=True)
    assert block.alarm.tolist() == batch.alarms(3).tolist()
    expected = alarm_events(batch, persistence=3)
    assert len(block.events) == len(expected) and all(map(_same, block.events, expected))
    raised = block.events[0]
    assert raised.name == "monitoring.alarm_raised"
    assert raised.first_exceedance == first_alarm(batch, 3)
    assert 150 <= raised.first_exceedance <= 160


def test_an_alarm_raised_in_one_block_is_cleared_in_the_next():
    X = _readings(60, seed=6, shift=8.0, start=20, stop=30)
    scorer = StreamingScorer(FITTED["pca"], persistence=2)
    first, second = scorer.update_many(X[:25]), scorer.update_many(X[25:])
    assert [e.name for e in first.events] == ["monitoring.alarm_raised"]
    cleared = second.events[0]
    assert cleared.name == "monitoring.alarm_cleared"
    assert cleared.raised_at == first.events[0].index and cleared.index >= 30


def test_blocks_are_checked():
    scorer = StreamingScorer(FITTED["dpca"])
    with pytest.raises(MonitorInputError, match="block has 3 features"):
        scorer.update_many(np.zeros((4, 3)))
    bad = np.zeros((4, 8))
    bad[2, 1] = np.nan
    with pytest.raises(MonitorInputError, match="block: row 3, column 1"):
        scorer.update_many(bad)
    assert scorer.update_many(np.zeros((0, 8))).events == ()
    named = [f"v{i}" for i in range(8)]
    fitted = PCAMonitor(n_components=2).fit(pd.DataFrame(TRAIN, columns=named))
    with pytest.raises(MonitorInputError, match="block: columns are in another order"):
        StreamingScorer(fitted).update_many(pd.DataFrame(TRAIN[:5], columns=named[::-1]))
