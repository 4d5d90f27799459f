"""Check-ins: only on the audit's days; a position far from every audited site is recorded
with the anomaly marked (国认监〔2021〕3号), and shown on the certification's record."""

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from qcert.lifecycle import (
    ApplyForCertification,
    CheckIn,
    CompleteAudit,
    PlanAudit,
    ReviewContract,
)
from qcert.lifecycle.audits import CHECKIN_KM
from qcert.schemes import RuleViolation
from qcert.store import tables as t

from .conftest import SITES, TEAM

START, END = date(2024, 5, 6), date(2024, 5, 8)
HQ = SITES[0]
KM_PER_DEGREE = 111.195  # of latitude, on the mean Earth radius


@pytest.fixture
def planned(world, clock):
    clock.to_day(START - timedelta(days=30))  # planned a month ahead
    world(ApplyForCertification("cert1", "cb1", "c1", "iso9001", [17], ["hq", "plant"]))
    world(ReviewContract("cert1", "rev1"))
    for audit, method in (("s1", "FS01"), ("r1", "FS02")):
        plan = PlanAudit("cert1", audit, "stage1", TEAM, method, START, END, 1.5, ["hq"])
        world(plan, follow=False)
    return lambda cmd: world(cmd, follow=False)


def _checkins(engine):
    with engine.connect() as conn:
        docs = conn.execute(
            sa.select(t.events.c.document)
            .where(t.events.c.type.in_(["certification.checked-in", "certification.checked-out"]))
            .order_by(t.events.c.ledger_index)
        ).scalars()
        import json

        return [json.loads(d)["data"] for d in docs]


def test_a_check_in_outside_the_audits_days_is_refused(planned, clock):
    clock.to_day(START - timedelta(days=9))  # the case: 9 days before the audit
    with pytest.raises(RuleViolation) as refused:
        planned(CheckIn("cert1", "s1", "lead1", HQ["lat"], HQ["lon"]))
    err = refused.value
    assert err.rule == "checkin.window" and err.source.startswith("国认监〔2021〕3号")
    assert "cannot check in to s1 on 2024-04-27: the audit runs from 2024-05-06" in err.en
    assert "签到" in err.zh
    clock.to_day(START)  # the twin: on its first day
    assert planned(CheckIn("cert1", "s1", "lead1", HQ["lat"], HQ["lon"]))


def test_after_the_audit_ended_nobody_checks_in_or_out(planned, clock, engine):
    clock.to_day(START)
    planned(CheckIn("cert1", "s1", "lead1", HQ["lat"], HQ["lon"]))
    planned(CompleteAudit("cert1", "s1", 1.5, START))  # it ended early, on its first day
    clock.to_day(START + timedelta(days=1))
    with pytest.raises(RuleViolation, match=r"checkin\.window"):
        planned(CheckIn("cert1", "s1", "lead1", HQ["lat"], HQ["lon"], out=True))


def test_a_check_in_far_from_the_site_is_recorded_with_the_anomaly(planned, clock, engine):
    clock.to_day(START)
    planned(CheckIn("cert1", "s1", "lead1", 0.0, 0.0))  # the case: at (0, 0)
    just_in = HQ["lat"] + (CHECKIN_KM - 0.1) / KM_PER_DEGREE
    just_out = HQ["lat"] + (CHECKIN_KM + 0.1) / KM_PER_DEGREE
    planned(CheckIn("cert1", "s1", "aud1", just_in, HQ["lon"]))
    planned(CheckIn("cert1", "s1", "aud1", just_out, HQ["lon"], out=True))
    planned(CheckIn("cert1", "r1", "aud1", 0.0, 0.0))  # a remote audit: no anomaly
    far, near, out, remote = _checkins(engine)
    assert far["site"] == "hq" and far["anomaly"] == "far-from-site"
    assert 12_000 < far["distance_km"] < 13_000
    assert "anomaly" not in near and near["distance_km"] == pytest.approx(4.9, abs=0.01)
    assert out["anomaly"] == "far-from-site" and out["distance_km"] == pytest.approx(5.1, abs=0.01)
    assert "anomaly" not in remote


def test_the_record_shows_the_distance_and_the_anomaly(planned, clock, engine):
    from qcert.store.certification_record import certification_record

    clock.to_day(START)
    planned(CheckIn("cert1", "s1", "lead1", 0.0, 0.0))
    planned(CheckIn("cert1", "s1", "aud1", HQ["lat"], HQ["lon"]))
    with engine.connect() as conn:
        record = certification_record(conn, "cb1", "cert1")
    (audit,) = [a for a in record["audits"] if a["audit_id"] == "s1"]
    far, near = audit["presence"]
    assert (far["auditor"], far["anomaly"], far["site"]) == ("lead1", "far-from-site", "hq")
    assert (near["auditor"], near.get("anomaly"), near["distance_km"]) == ("aud1", None, 0.0)
