"""The monitors as scikit-learn estimators: parameters, clone, pipelines, grid search, checks."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import check_estimator

from qcert.quality.monitoring import (
    CVAMonitor,
    DynamicPCAMonitor,
    MonitorInputError,
    PCAMonitor,
    Scores,
    detection_at_false_alarm_rate,
    detection_delay,
    detection_rate,
    detection_splits,
    false_alarm_rate,
    make_monitor_scorer,
)
from tests.unit.quality.test_monitoring import SHIFTED, _ar_process, _process

COLUMNS = [f"v{i}" for i in range(8)]
MONITORS = [
    PCAMonitor(n_components=2),
    DynamicPCAMonitor(n_components=4, lags=2),
    CVAMonitor(n_states=3, lags=1),
]
IDS = ["pca", "dpca", "cva"]


def _frame(X: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame(X, columns=COLUMNS)


@pytest.mark.parametrize("monitor", MONITORS, ids=IDS)
def test_parameters_are_stored_as_given_and_a_clone_scores_the_same(monitor):
    params = monitor.get_params()
    assert params["alpha"] == 0.99
    twin = clone(monitor).set_params(alpha=0.95)
    assert twin.get_params()["alpha"] == 0.95 and monitor.get_params() == params
    X, Y = _ar_process(400, seed=1), _ar_process(100, seed=2)
    fitted, refitted = clone(monitor).fit(X), clone(monitor).fit(X)
    assert not hasattr(monitor, "model_")  # clone leaves the original unfitted
    for name, values in fitted.score(Y).statistics.items():
        assert np.allclose(values, refitted.score(Y).statistics[name], equal_nan=True)


def test_arguments_are_checked_at_fit_with_the_field_named():
    monitor = PCAMonitor(n_components=2, alpha=1.5)  # sklearn: no checks in the constructor
    with pytest.raises(MonitorInputError, match="alpha") as err:
        monitor.fit(_process(100, seed=1))
    assert "alpha" in err.value.zh
    with pytest.raises(MonitorInputError, match="lags: must be at least 1"):
        DynamicPCAMonitor(n_components=2, lags=0).fit(_process(100, seed=1))


def test_sizes_left_to_the_data_are_recorded_after_fit():
    pca = PCAMonitor().fit(_process(500, seed=1))
    assert pca.n_components is None and pca.n_components_ == 2  # parallel analysis
    cva = CVAMonitor(lags=1).fit(_ar_process(500, seed=1))
    assert cva.n_states is None and 1 <= cva.n_states_ < 16


def test_frame_columns_are_recorded_and_checked():
    monitor = PCAMonitor(n_components=2).fit(_frame(_process(300, seed=1)))
    assert list(monitor.feature_names_in_) == COLUMNS and monitor.n_features_in_ == 8
    Y = _frame(_process(50, seed=2))
    assert monitor.score(Y).t2.shape == (50,)
    assert monitor.score(Y.to_numpy()).t2.shape == (50,)  # an array is taken by position
    with pytest.raises(MonitorInputError, match="another order") as err:
        monitor.score(Y[COLUMNS[::-1]])
    assert "顺序" in err.value.zh
    renamed = Y.rename(columns={"v3": "pressure"})
    with pytest.raises(MonitorInputError, match=r"missing \['v3'\], unexpected \['pressure'\]"):
        monitor.reconstruction_contributions(renamed)
    with pytest.raises(MonitorInputError, match="X has 7 features, but PCAMonitor is expecting 8"):
        monitor.contributions(Y.drop(columns="v0"))
    assert not hasattr(PCAMonitor(n_components=2).fit(_process(300, 1)), "feature_names_in_")


def test_bad_readings_are_named_by_row_and_column():
    monitor = DynamicPCAMonitor(n_components=3, lags=2).fit(_frame(_ar_process(300, seed=1)))
    Y = _frame(_ar_process(20, seed=2))
    Y.iloc[4, 2] = np.nan
    with pytest.raises(MonitorInputError, match="row 5, column 'v2' is NaN or infinite"):
        monitor.score(Y)
    Y.iloc[4, 2] = np.inf
    with pytest.raises(MonitorInputError, match="row 5, column 'v2'"):
        monitor.score(Y)
    with pytest.raises(MonitorInputError, match=r"2 reading.*lags=2 needs at least 3") as err:
        monitor.score(_frame(_ar_process(2, seed=3)))
    assert "滞后" in err.value.zh
    text = _frame(_ar_process(20, seed=2)).astype({"v6": object})
    text.iloc[3, 6] = "hot"
    with pytest.raises(MonitorInputError, match="column 'v6' holds values that are not numbers"):
        monitor.score(text)


def test_a_pipeline_scales_then_monitors():
    pipe = Pipeline([("scale", StandardScaler()), ("monitor", PCAMonitor(n_components=2))])
    X, Y = _process(500, seed=1), _process(300, seed=2)
    Y[200:, SHIFTED] += 3.0
    scores = pipe.fit(X).score(Y)
    assert isinstance(scores, Scores)
    alone = PCAMonitor(n_components=2).fit(X).score(Y)
    assert np.allclose(scores.spe, alone.spe)  # autoscaling twice changes nothing
    assert clone(pipe).get_params()["monitor__n_components"] == 2


def test_metrics_by_hand():
    # limit 1 on one statistic: readings 0-3 normal, 4-7 faulty; alarms at 2 and 5, 6, 7
    scores = Scores({"t2": np.array([0.5, 0.2, 2.0, 0.1, 0.3, 3.0, 4.0, 5.0])}, {"t2": 1.0})
    y = np.r_[np.zeros(4), np.ones(4)]
    assert false_alarm_rate(scores, y) == 0.25
    assert detection_rate(scores, y) == 0.75
    assert detection_rate(scores, y, persistence=3) == 0.25  # only reading 7 ends 3 in a row
    assert detection_delay(scores, y) == 1.0
    # threshold at the 75% quantile of the normal ratios (0.5..2.0): 0.875; 3 of 4 above
    assert detection_at_false_alarm_rate(scores, y, rate=0.25) == 0.75
    with pytest.raises(MonitorInputError, match="y: labelled readings"):
        detection_rate(scores, None)


def test_grid_search_over_components_by_detection_at_a_false_alarm_rate():
    # three runs, each 200 normal readings then 100 with a shift: one run per fold
    runs = [_process(300, seed=s) for s in (1, 2, 3)]
    for run in runs:
        run[200:, SHIFTED] += 1.5
    X, y = np.vstack(runs), np.tile(np.r_[np.zeros(200), np.ones(100)], 3)
    scorer = make_monitor_scorer("detection_at_false_alarm_rate", rate=0.01)
    search = GridSearchCV(
        PCAMonitor(), {"n_components": [1, 2, 3]}, scoring=scorer, cv=detection_splits(y, 3)
    ).fit(X, y)
    # one factor cannot hold the two-factor structure: its SPE sees the fault less clearly
    assert search.best_params_["n_components"] in (2, 3)
    means = search.cv_results_["mean_test_score"]
    assert means[0] < max(means)
    assert isinstance(search.best_estimator_, PCAMonitor)


def test_grid_search_over_lags_by_false_alarms_on_normal_data():
    X = _ar_process(900, seed=4)
    search = GridSearchCV(
        DynamicPCAMonitor(n_components=4, control_limits="cross-validated"),
        {"lags": [1, 2]},
        scoring=make_monitor_scorer("false_alarm_rate", persistence=2),
        cv=KFold(3),
    ).fit(X)
    assert set(search.cv_results_["param_lags"]) == {1, 2}
    assert all(-0.05 < s <= 0 for s in search.cv_results_["mean_test_score"])


@pytest.mark.parametrize(
    "small",
    [PCAMonitor(n_components=1), DynamicPCAMonitor(n_components=1, lags=1), CVAMonitor(1, lags=0)],
    ids=IDS,
)
def test_scikit_learn_estimator_checks(small):
    """sklearn's own checks (on its small test data: one component, few lags), less two
    departures kept on purpose."""
    check_estimator(
        small,
        expected_failed_checks={
            "check_pipeline_consistency": "score() returns the per-reading Scores, not a float",
            "check_dtype_object": "non-numbers are refused with a ValueError naming the column",
        },
    )


def test_runs_fitted_apart_are_not_joined_by_a_window():
    a, b = _ar_process(300, seed=1), _ar_process(300, seed=2) + 5.0  # b sits elsewhere
    apart = CVAMonitor(n_states=3, lags=1).fit_segments([a, b])
    joined = CVAMonitor(n_states=3, lags=1).fit(np.vstack([a, b]))
    assert apart.model_.n_rows == joined.model_.n_rows - 3  # the 3 windows across the join
    with pytest.raises(MonitorInputError, match="run 2 has 7 columns, run 1 has 8"):
        PCAMonitor(n_components=2).fit_segments([a, b[:, :7]])


def test_too_few_readings_to_fit_are_refused_with_the_reason():
    with pytest.raises(MonitorInputError, match="lags=3 needs more than 7 to fit") as err:
        DynamicPCAMonitor(n_components=1, lags=3).fit(_process(6, seed=1))
    assert "滞后阶数 3" in err.value.zh
    with pytest.raises(MonitorInputError, match="folds: 5 folds leave too few readings"):
        CVAMonitor(n_states=1, lags=2).fit(_ar_process(12, seed=1))
