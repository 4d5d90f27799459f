"""Monitors fitted on a normal period: deterministic, digested, refused with the field named."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from qcert.evidence.monitors import KINDS, fit_monitor, model_digest
from qcert.quality.demo_line import CHARACTERISTICS, SPECS, line_readings
from qcert.schemes import RuleViolation

LIMITED = {k: (lo, hi) for k, (lo, hi, _) in SPECS.items()}


@pytest.fixture(scope="module")
def normal():
    return line_readings(11, n=500, fault_at=None).frame.iloc[:300]


@pytest.mark.parametrize("kind", KINDS)
def test_a_refit_on_the_same_readings_gives_the_same_digest_and_limits(kind, normal):
    first = fit_monitor(kind, None, normal, LIMITED)
    again = fit_monitor(kind, dict(first.params), normal.copy(), LIMITED)
    assert again.digest == first.digest
    assert again.limits == first.limits
    assert again.params == first.params


@pytest.mark.parametrize("kind", ["pca", "cva", "spc"])
def test_one_changed_training_reading_changes_the_digest(kind, normal):
    first = fit_monitor(kind, None, normal, LIMITED)
    edited = normal.copy()
    edited.iloc[17, list(edited.columns).index("bore_diameter")] += 0.01
    assert fit_monitor(kind, dict(first.params), edited, LIMITED).digest != first.digest


def test_the_digest_does_not_depend_on_the_signs_an_svd_picks(normal):
    fitted = fit_monitor("pca", {"n_components": 3}, normal, LIMITED)
    monitor = fitted.monitor
    # what another BLAS may give: the same components with the opposite signs
    monitor.model_ = dataclasses.replace(monitor.model_, loadings=-monitor.model_.loadings)
    assert model_digest("pca", fitted.variables, fitted.params, monitor) == fitted.digest


def test_selection_records_the_parameters_it_chose(normal):
    fitted = fit_monitor("dpca", None, normal, LIMITED)
    assert set(fitted.params) == {"n_components", "lags"}
    assert 1 <= fitted.params["n_components"] < normal.shape[1] * 3


def test_every_variable_with_specification_limits_gets_its_i_chart(normal):
    fitted = fit_monitor("pca", {"n_components": 3}, normal, LIMITED)
    assert set(fitted.charts) == set(CHARACTERISTICS)
    bore = fitted.charts["bore_diameter"]
    assert (bore["lsl"], bore["usl"]) == (24.97, 25.03)
    assert bore["lcl"] < bore["center"] < bore["ucl"]
    assert bore["ucl"] - bore["center"] == pytest.approx(3 * bore["sigma"])


def test_an_spc_monitor_charts_only_the_limited_characteristics(normal):
    fitted = fit_monitor("spc", None, normal, LIMITED)
    assert fitted.variables == CHARACTERISTICS
    assert fitted.limits == {v: 3.0 for v in CHARACTERISTICS}


@pytest.mark.parametrize(
    ("kind", "params", "field"),
    [
        ("pca", {"n_components": 0}, "params.n_components"),
        ("pca", {"lags": 2}, "params.lags"),
        ("cva", {"alpha": 1.5}, "params.alpha"),
        ("dpca", {"n_components": True}, "params.n_components"),
        ("pca", {"control_limits": "guess"}, "params.control_limits"),
        ("pca", {"n_components": 40}, "params"),
        ("svm", {}, "kind"),
    ],
)
def test_bad_parameters_are_refused_naming_the_parameter(kind, params, field, normal):
    with pytest.raises(RuleViolation) as caught:
        fit_monitor(kind, params, normal, LIMITED)
    assert caught.value.rule == "input.invalid"
    assert str(caught.value).startswith(field)


def test_too_short_a_normal_period_is_refused(normal):
    with pytest.raises(RuleViolation, match="start"):
        fit_monitor("pca", None, normal.iloc[:10], LIMITED)


def test_a_variable_that_never_moved_is_refused_by_name(normal):
    flat = normal.assign(feed_rate=480.0)
    with pytest.raises(RuleViolation, match="feed_rate"):
        fit_monitor("pca", None, flat, LIMITED)


def test_spc_on_a_device_without_limits_is_refused(normal):
    with pytest.raises(RuleViolation, match="kind"):
        fit_monitor("spc", None, normal, {})


def test_missing_readings_are_left_out_of_the_fit(normal):
    holed = normal.copy()
    holed.iloc[5, 0] = np.nan
    assert fit_monitor("pca", None, holed, LIMITED).rows == len(normal) - 1
