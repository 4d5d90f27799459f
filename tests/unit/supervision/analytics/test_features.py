"""The sampling-failure risk model (qcert.quality.risk) fed from the hub's tables."""

from datetime import date

import pytest

from qcert.quality.risk import FEATURES, TARGET
from qcert.supervision.analytics.features import evaluate, risk_features
from qcert.supervision.analytics.scan import duckdb
from qcert.supervision.analytics.synthetic import world

from .world import clean


def test_features_of_an_organisation_are_read_from_its_records():
    w = clean()  # audits with (0 major, 2 minor) each; last one ends 3 December 2024
    w.status("C1", "suspended", date(2024, 3, 1))
    w.add("sampling_results", org_id="O1", sampled_on=date(2026, 6, 1), failed=True)
    w.org("O2")  # sampled, never certified: no row
    w.add("sampling_results", org_id="O2", sampled_on=date(2026, 6, 1), failed=False)
    rows = risk_features(duckdb(w.tables()), date(2026, 3, 1))
    assert list(rows.columns) == ["org_id", *FEATURES, TARGET]
    assert rows.org_id.tolist() == ["O1"]
    row = rows.iloc[0]
    # Audits ending after 1 March 2023: surveillance 2024 and the recertification.
    assert row.ncs_per_audit == 2.0
    assert row.open_major_ncs == 0.0
    assert row.suspensions == 1.0
    assert row.days_overdue == (date(2026, 3, 1) - date(2024, 12, 3)).days - 365
    assert row.sector == "services"  # IAF 29
    assert bool(row.failed_next)


@pytest.fixture(scope="module")
def hub():
    return duckdb(world(scale=0.05, seed=0).tables)


def test_the_model_learns_failures_from_the_hubs_records(hub):
    model, checked = evaluate(hub, date(2024, 7, 1))
    assert checked.auc > 0.55
    assert model.importance()["ncs_per_audit"] > model.importance()["cpk_min"]
