"""Planning reads the team's other audits from the store, in its own transaction, and refuses
a double booking (audit.double-booking) naming the audit in the way."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from qcert.lifecycle import CompleteAudit, PlanAudit, ReviewContract
from qcert.schemes import RuleViolation
from qcert.store import tables as t
from qcert.store.bookings import commitments

from .conftest import TEAM, apply, register_client

MONDAY, FRIDAY = date(2024, 6, 3), date(2024, 6, 7)


@pytest.fixture
def booked(world):
    """lead1 and aud1 on c1's stage 1 from Monday to Wednesday; c2 contract-reviewed."""
    register_client(world, "c2", "booking")
    apply(world, "cert1")
    world(ReviewContract("cert1", "rev1"))
    world(PlanAudit("cert1", "s1", "stage1", TEAM, "FS01", MONDAY, date(2024, 6, 5), 1.5, ["hq"]))
    apply(world, "cert2", "c2")
    world(ReviewContract("cert2", "rev1"))
    return world


def _plan(start: date, end: date, team=TEAM) -> PlanAudit:
    return PlanAudit("cert2", "s1", "stage1", team, "FS01", start, end, 1.5, ["hq"])


def test_an_auditor_on_another_clients_audit_those_days_is_refused(booked, engine):
    with pytest.raises(RuleViolation) as refused:
        booked(_plan(date(2024, 6, 5), FRIDAY))
    err = refused.value
    assert err.rule == "audit.double-booking"
    assert "team.0.auditor: lead1 is already on audit s1 of Example Precision Manufacturing" in (
        err.en
    )
    assert "certification cert1) from 2024-06-03 to 2024-06-05" in err.en
    assert "示例精密制造有限公司" in err.zh
    with engine.connect() as conn:  # nothing of the refused plan was recorded
        rows = conn.execute(
            sa.select(t.audits.c.audit_id).where(t.audits.c.certification_id == "cert2")
        )
        assert rows.all() == []


def test_the_day_after_the_other_audit_the_same_team_may_be_planned(booked, engine):
    booked(_plan(date(2024, 6, 6), FRIDAY))
    with engine.connect() as conn:
        found = commitments(conn, ["lead1"], MONDAY, FRIDAY)
    assert [(c.certification_id, c.audit_id) for c in found] == [("cert1", "s1"), ("cert2", "s1")]
    assert found[0].organisation == "示例精密制造有限公司"
    assert found[0].scheme.endswith(":iso9001:2015")


def test_another_team_may_audit_on_the_same_days(booked):
    booked(_plan(MONDAY, MONDAY, [{"auditor": "dec1", "role": "lead"}]))


def test_an_audit_completed_no_longer_stands_in_the_way(booked, engine, clock):
    booked(CompleteAudit("cert1", "s1", 1.5, date(2024, 6, 4)))
    booked(_plan(date(2024, 6, 4), date(2024, 6, 5)))
    with engine.connect() as conn:  # shown as it was held: to its last day
        found = commitments(conn, ["lead1"], date(2024, 6, 4), FRIDAY)
        still = commitments(conn, ["lead1"], date(2024, 6, 4), FRIDAY, open_only=True)
    assert [(c.certification_id, c.end, c.completed) for c in found] == [
        ("cert1", date(2024, 6, 4), True),
        ("cert2", date(2024, 6, 5), False),
    ]
    assert [c.certification_id for c in still] == ["cert2"]
