"""Local mechanism models: a planted break in one variable's mechanism, limits, refusals, TEP."""

import os

import numpy as np
import pytest

from qcert.quality.causality import GraphError, load_graph, rank_root_causes, tep_graph
from qcert.quality.mechanism import MechanismModel, ewma, first_deviations
from tests.shared_data import shared_data

TEP = shared_data("tep")
CHAIN = {
    "name": "chain",
    "variables": [
        {"id": "a", "column": 0},
        {"id": "b", "column": 1},
        {"id": "c", "column": 2},
    ],
    "edges": [{"from": "a", "to": ["b"]}, {"from": "b", "to": ["c"]}],
}
BREAK = 300  # reading from which b's mechanism gets an unmeasured input


def _chain(n: int, seed: int, offset: float = 0.0) -> np.ndarray:
    """a (autocorrelated input) -> b -> c; from BREAK an unmeasured input adds ``offset`` to b.

    c amplifies b threefold, so c moves more than b: a ranking by size alone points at c.
    """
    rng = np.random.default_rng(seed)
    X = np.zeros((n, 3))
    for t in range(1, n):
        a = 0.7 * X[t - 1, 0] + rng.normal()
        b = 0.8 * a + 0.3 * X[t - 1, 1] + 0.3 * rng.normal() + (offset if t >= BREAK else 0.0)
        c = 3.0 * b + 0.3 * rng.normal()
        X[t] = a, b, c
    return X


@pytest.fixture(scope="module")
def model() -> MechanismModel:
    return MechanismModel(load_graph(CHAIN), lags=2).fit(_chain(600, seed=1))


@pytest.fixture(scope="module")
def broken() -> np.ndarray:
    return _chain(500, seed=2, offset=1.5)


def test_the_broken_mechanism_is_found_though_its_child_moves_more(model, broken):
    after = slice(BREAK, BREAK + 100)
    moved = np.abs(broken[after].mean(axis=0) - broken[:BREAK].mean(axis=0)) / broken[:BREAK].std(
        axis=0
    )
    assert moved.argmax() != 1  # by size alone b is not first: a plain ranking misses it
    evidence = np.nanmean(model.contributions(broken)[after], axis=0)
    assert evidence.argmax() == 1
    assert evidence[1] > 20 * max(evidence[0], evidence[2])


def test_intact_mechanisms_stay_near_one_squared_unit(model):
    normal = _chain(800, seed=3)
    evidence = np.nanmean(model.contributions(normal), axis=0)
    assert np.all((evidence > 0.6) & (evidence < 1.6))


def test_first_deviation_is_the_break_and_only_there(model, broken):
    times = model.first_deviations(broken, BREAK - 50, BREAK + 100)
    assert BREAK <= times[1] <= BREAK + 5
    assert np.isinf(times[0]) and np.isinf(times[2])


def test_the_fused_ranking_puts_the_broken_mechanism_first(model, broken):
    span = slice(BREAK, BREAK + 100)
    times = model.first_deviations(broken, BREAK - 50, BREAK + 100)
    ranked = rank_root_causes(
        model.contributions(broken)[span], times, model.graph, ["a", "b", "c"]
    )
    assert ranked[0].variable == "b"
    assert {c.variable for c in ranked} == {"a", "b"}  # c is downstream of the first deviator


def test_residuals_have_no_value_before_a_full_past(model, broken):
    R = model.residuals(broken)
    assert np.isnan(R[:2]).all() and np.isfinite(R[2:]).all()
    assert np.isnan(model.residuals(broken[:2])).all()


def test_ewma_and_first_deviations_by_hand():
    np.testing.assert_allclose(ewma([[1.0], [1.0], [np.nan]], 0.5), [[0.5], [0.75], [0.375]])
    E = np.array([[0.0, 3.0], [2.0, 0.0], [2.0, 3.0], [2.0, 3.0]])
    np.testing.assert_array_equal(first_deviations(E, [1.0, 2.0], 0, 4), [1.0, 2.0])
    np.testing.assert_array_equal(first_deviations(E, [1.0, 2.0], 2, 4, run=3), [np.inf] * 2)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"lags": 0}, "lags"),
        ({"ridge": -1.0}, "ridge"),
        ({"folds": 1}, "folds"),
        ({"quantile": 1.0}, "quantile"),
        ({"smoothing": 0.0}, "smoothing"),
    ],
)
def test_settings_are_checked(kwargs, field):
    with pytest.raises(ValueError, match=f"^{field}:"):
        MechanismModel(load_graph(CHAIN), **kwargs)


def test_data_are_checked_and_named():
    model = MechanismModel(load_graph(CHAIN), lags=2)
    good = _chain(200, seed=4)
    with pytest.raises(GraphError, match="columns: unknown variable 'z'"):
        model.fit(good, ["a", "b", "z"])
    with pytest.raises(ValueError, match="columns: must not repeat"):
        model.fit(good, ["a", "b", "b"])
    with pytest.raises(ValueError, match="X: must be a 2-D array with 3 columns"):
        model.fit(good[:, :2])
    with pytest.raises(ValueError, match="X: readings must be finite"):
        model.fit(np.where(np.arange(600).reshape(200, 3) == 7, np.nan, good))
    with pytest.raises(ValueError, match="X: needs at least"):
        model.fit(good[:11])
    constant = good.copy()
    constant[:, 2] = 1.0
    with pytest.raises(ValueError, match="X: variable 'c' is constant"):
        model.fit(constant)
    with pytest.raises(RuntimeError, match="model: call fit"):
        model.residuals(good)


def test_on_tennessee_eastman_a_feed_loss_breaks_the_a_feed():
    """IDV(6), loss of the A feed: the A-feed flow or its valve carry the largest evidence."""
    if not (TEP / "d00.dat").exists():
        if os.environ.get("CI"):
            pytest.fail(f"the Tennessee Eastman data are missing from {TEP}")
        pytest.skip(f"the Tennessee Eastman data are not in {TEP}")
    graph = tep_graph()
    model = MechanismModel(graph).fit(np.loadtxt(TEP / "d00.dat").T)
    X = np.loadtxt(TEP / "d06_te.dat")
    evidence = np.nanmean(model.contributions(X)[160:240], axis=0)
    top = {model.columns_[i] for i in np.argsort(-evidence)[:2]}
    assert top == {"xmeas1", "xmv3"}
    before = np.nanmean(model.contributions(X)[20:160], axis=0)
    assert before.max() < 0.1 * evidence.max()
