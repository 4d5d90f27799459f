"""The sampling-failure risk model of :mod:`qcert.quality.risk`, fed from the hub's tables.

:func:`risk_features` builds one row per organisation sampled after a cutoff day, with the
model's features as the hub knows them on that day and the outcome of its first national
sampling inspection in the following year; :func:`evaluate` fits the model on part of the rows
and checks it on the rest. The hub receives no process data, so the two process features are
held at neutral values (lowest Cpk 1.33, no alarms) and the model learns nothing from them.
"""

from __future__ import annotations

from datetime import date, timedelta

import ibis
import numpy as np
import pandas as pd

from qcert.quality.risk import FEATURES, TARGET, Calibration, RiskModel, calibration

from ._common import days_between, literal_day
from .tables import HubTables

__all__ = ["evaluate", "risk_features"]

NEUTRAL_CPK = 1.33  # the capability most schemes ask for (ISO 22514-2 reading of Cpk ≥ 1.33)
HISTORY_DAYS = 3 * 365
HORIZON_DAYS = 365


def risk_features(tables: HubTables, cutoff: date) -> pd.DataFrame:
    """One row per organisation with a sampling inspection in the year after ``cutoff``:
    :data:`qcert.quality.risk.FEATURES` from the hub's records before it, and ``failed_next``.

    open_major_ncs: major nonconformities of the organisation's latest audit; ncs_per_audit:
    mean nonconformities per audit over three years; suspensions: suspensions of its
    certificates over three years; days_overdue: days past 12 months since its latest audit
    ended (ISO/IEC 17021-1:2015 9.6.2.2); sector: the broad industry of its certificates' IAF
    sectors (IAF ID 1: 01-02 primary, 03 food, 04-23 manufacturing, 24-27 utilities, 28
    construction, 29-39 services; the first by name when several), since 39 sector levels
    over a few dozen failures overfit the model's cross-validated calibration; size: its size
    class.
    """
    day = literal_day(cutoff)
    since = literal_day(cutoff - timedelta(days=HISTORY_DAYS))
    a = tables.audits.filter(tables.audits.end_on < day)
    recent = a.filter(a.end_on >= since)
    per = recent.group_by("org_id").aggregate(
        ncs_per_audit=(recent.findings_major + recent.findings_minor).mean()
    )
    latest = ibis.window(group_by="org_id", order_by=[ibis.desc("end_on"), ibis.desc("audit_id")])
    last = a.mutate(rank=ibis.row_number().over(latest))
    last = last.filter(last["rank"] == 0).select(
        "org_id",
        open_major_ncs=last.findings_major.cast("float64"),
        days_overdue=ibis.greatest(days_between(last.end_on, day) - 365, 0).cast("float64"),
    )
    c = tables.certificates.filter(tables.certificates.issued_on < day)
    s = tables.status_changes
    s = s.filter(s.status == "suspended", s.effective_on >= since, s.effective_on < day)
    suspended = s.join(c.select("cert_no", "org_id"), "cert_no")
    suspended = suspended.group_by("org_id").aggregate(suspensions=suspended.count())
    code = c.sector.cast("int64")
    group = ibis.cases(
        (code <= 2, "primary"),
        (code == 3, "food"),
        (code <= 23, "manufacturing"),
        (code <= 27, "utilities"),
        (code == 28, "construction"),
        else_="services",
    )
    sector = c.mutate(group=group).group_by("org_id").aggregate(sector=ibis._.group.min())
    q = tables.sampling_results
    q = q.filter(q.sampled_on >= day, q.sampled_on < literal_day(cutoff + timedelta(HORIZON_DAYS)))
    first = ibis.window(group_by="org_id", order_by=["sampled_on", ibis.desc("failed")])
    q = q.mutate(rank=ibis.row_number().over(first))
    outcome = q.filter(q["rank"] == 0).select("org_id", failed_next=q.failed)
    orgs = tables.organisations.select("org_id", "size")
    rows = (
        outcome.join(orgs, "org_id")
        .join(sector, "org_id")
        .left_join(last, "org_id")
        .left_join(per, "org_id")
        .left_join(suspended, "org_id")
    )
    frame = (
        rows.select(
            "org_id",
            "size",
            "sector",
            "failed_next",
            open_major_ncs=ibis.coalesce(rows.open_major_ncs, 0.0),
            ncs_per_audit=ibis.coalesce(rows.ncs_per_audit, 0.0),
            suspensions=ibis.coalesce(rows.suspensions, 0).cast("float64"),
            days_overdue=ibis.coalesce(rows.days_overdue, 0.0),
        )
        .to_pyarrow()
        .to_pandas()
    )
    frame["cpk_min"] = NEUTRAL_CPK
    frame["alarm_rate"] = 0.0
    frame = frame.sort_values("org_id", ignore_index=True)
    return frame[["org_id", *FEATURES, TARGET]]


def evaluate(
    tables: HubTables, cutoff: date, held_out: float = 0.3, seed: int = 0
) -> tuple[RiskModel, Calibration]:
    """Fit :class:`qcert.quality.risk.RiskModel` on a random ``1 − held_out`` of the rows of
    :func:`risk_features` and check it on the rest (Brier, AUC, reliability bins)."""
    frame = risk_features(tables, cutoff)
    test = np.random.default_rng(seed).random(len(frame)) < held_out
    model = RiskModel().fit(frame[~test])
    checked = frame[test]
    bins = max(2, min(10, len(checked) // 20))
    return model, calibration(
        checked[TARGET].astype(float), model.predict_proba(checked), bins=bins
    )
