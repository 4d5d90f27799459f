"""Effective dates: every rule refuses with its id, source and both languages, beside its
accepted twin; a late status change needs a second person; recorded times never run back."""

from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from qcert.lifecycle import (
    ApproveLateRecord,
    RegisterAuditor,
    RestoreCertificate,
    SuspendCertificate,
    WithdrawCertificate,
    handle,
)
from qcert.schemes import RuleViolation
from qcert.store import tables as t
from qcert.store.replay import check_projections
from qcert.store.uow import UnitOfWork

from .conftest import certify

DECIDED = date(2024, 1, 10)


@pytest.fixture
def certified(world, clock):
    certify(world, on=DECIDED)
    return world


def _as(engine, clock, actor):
    """Run commands as ``actor`` at the clock as it stands."""
    return lambda cmd: handle(cmd, UnitOfWork(engine, actor=actor, clock=clock))


def _refused(run, cmd, rule):
    with pytest.raises(RuleViolation) as refused:
        run(cmd)
    assert refused.value.rule == rule, refused.value
    return refused.value


def test_an_effective_date_after_today_is_refused(certified, clock, engine):
    clock.to_day(date(2024, 5, 1))
    run = _as(engine, clock, "dec1")
    err = _refused(run, SuspendCertificate("cert1", "r", date(2024, 5, 2)), "date.future")
    assert err.source.startswith("国市监认证发〔2025〕72号 (二)")
    assert "2024-05-02 is after today (2024-05-01)" in err.en and "晚于今天" in err.zh
    assert run(SuspendCertificate("cert1", "r", date(2024, 5, 1)))  # the twin: today


def test_a_status_change_before_the_certifications_last_record_is_refused(certified, clock, engine):
    # The case: a certificate issued in 2025 suspended and withdrawn "in 1999".
    clock.to_day(DECIDED)
    run = _as(engine, clock, "dec1")
    err = _refused(run, WithdrawCertificate("cert1", "r", date(1999, 1, 1)), "date.order")
    assert "before 2024-01-10, the date of an earlier record of cert1" in err.en
    assert "早于" in err.zh
    _refused(run, SuspendCertificate("cert1", "r", DECIDED - timedelta(days=1)), "date.order")
    assert run(SuspendCertificate("cert1", "r", DECIDED))
    # Restored before it was suspended: refused; the same day: accepted.
    _refused(run, RestoreCertificate("cert1", DECIDED - timedelta(days=1)), "date.order")
    assert run(RestoreCertificate("cert1", DECIDED))


def test_a_decision_dated_before_the_application_was_received_is_refused(world, clock):
    from qcert.lifecycle import (
        ApplyForCertification,
        CompleteAudit,
        Decide,
        PlanAudit,
        ReviewContract,
        TechnicalReview,
    )
    from tests.integration.lifecycle.conftest import TEAM

    clock.to_day(date(2025, 3, 1))
    world(ApplyForCertification("late", "cb1", "c1", "iso9001", [17], ["hq", "plant"]))
    world(ReviewContract("late", "rev1"))
    for audit, kind, days in (("s1", "stage1", 1.5), ("s2", "stage2", 3.5)):
        day = date(2025, 3, 3)
        sites = ["hq"] if kind == "stage1" else ["hq", "plant"]
        world(PlanAudit("late", audit, kind, TEAM, "FS01", day, day, days, sites))
        world(CompleteAudit("late", audit, days, day))
    world(TechnicalReview("late", "rev1", "grant"))
    # The case: a decision dated 2020 on audits of 2025.
    decide = Decide("late", "dec1", "grant", date(2020, 1, 1), "N-LATE", "scope")
    err = _refused(lambda c: world(c, follow=False), decide, "decision.date")
    assert "2025-03-03" in err.en
    world(Decide("late", "dec1", "grant", date(2025, 3, 3), "N-LATE", "scope"))


def test_a_status_change_further_back_than_the_window_is_refused(certified, clock, engine):
    clock.to_day(date(2024, 6, 1))
    dec1 = _as(engine, clock, "dec1")
    err = _refused(dec1, SuspendCertificate("cert1", "r", date(2024, 5, 20)), "date.late")
    assert "12 days before today (2024-06-01)" in err.en and "more than 3 days" in err.en
    assert "approve-late-record" in err.zh and "补记" in err.zh
    assert dec1(SuspendCertificate("cert1", "r", date(2024, 5, 29)))  # 3 days back: the twin


def test_a_late_status_change_needs_a_second_persons_approval(certified, clock, engine):
    clock.to_day(date(2024, 6, 1))
    dec1, dec2 = _as(engine, clock, "dec1"), _as(engine, clock, "dec2")
    back = date(2024, 5, 20)
    # A date within the window needs no approval, and none can be given for it.
    _refused(dec2, ApproveLateRecord("cert1", "suspend", date(2024, 5, 30), "r"), "input.invalid")
    _refused(dec2, ApproveLateRecord("cert1", "fly", back, "r"), "input.invalid")
    dec2(ApproveLateRecord("cert1", "suspend", back, "found in the 20 May board minutes"))
    # The approver cannot also record it; the approval is for that action and day only.
    _refused(dec2, SuspendCertificate("cert1", "r", back), "date.late-approver")
    _refused(dec1, WithdrawCertificate("cert1", "r", back), "date.late")
    assert dec1(SuspendCertificate("cert1", "r", back))
    # Spent: restoring on that day is another late record, needing its own approval.
    _refused(dec1, RestoreCertificate("cert1", back), "date.late")
    with engine.connect() as conn:
        kinds = conn.execute(
            sa.select(t.events.c.type)
            .where(t.events.c.aggregate == "certification:cert1")
            .order_by(t.events.c.ledger_index)
        ).scalars()
    assert list(kinds)[-2:] == ["certification.late-record-approved", "certificate.suspended"]
    assert check_projections(engine) == []


def test_recorded_times_never_run_backwards_whatever_the_clock_does(certified, clock, engine):
    clock.to_day(date(2024, 6, 1))
    late = datetime(2024, 6, 1, 5, tzinfo=UTC)
    _as(engine, clock, "dec1")(SuspendCertificate("cert1", "r", date(2024, 6, 1)))
    back = lambda: late - timedelta(days=400)  # noqa: E731  a clock set a year back
    handle(
        RegisterAuditor("a9", "2024-N1QMS-a9", "审核员", "cb1"),
        UnitOfWork(engine, actor="admin", clock=back),
    )
    with engine.connect() as conn:
        times = conn.execute(sa.select(t.events.c.at).order_by(t.events.c.ledger_index)).scalars()
        times = [datetime.fromisoformat(x.replace("Z", "+00:00")) for x in times]
    assert times == sorted(times) and times[-1] == times[-2]


def test_the_clocks_are_not_run_for_a_day_yet_to_come(certified, clock, engine):
    from qcert.lifecycle import EnforceClocks

    clock.to_day(date(2024, 6, 1))
    run = _as(engine, clock, "dec1")
    run(SuspendCertificate("cert1", "r", date(2024, 6, 1), 1))  # deadline 2024-07-01
    # Run "as of" a day to come, the suspension would end in withdrawal ahead of its time.
    _refused(run, EnforceClocks(["cert1"], date(2024, 7, 2)), "date.future")
    clock.to_day(date(2024, 7, 2))
    assert run(EnforceClocks(["cert1"], date(2024, 7, 2)))  # the twin: on the day
