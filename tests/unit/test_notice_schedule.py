"""The notices job on the server's schedule: at start, then every ten minutes; a failed run is
logged and tried again; and the notice model's own rules."""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime, timedelta

import pytest
from apscheduler.triggers.interval import IntervalTrigger

from qcert.notices.events import NoticeSent
from qcert.notices.model import Mailbox, Notice, notice_id
from qcert.notices.text import link, title
from qcert.schedule import Schedule
from qcert.schemes import RuleViolation
from tests.unit.test_clocks import _Clocks, _Ledger

SENT = NoticeSent("u1", "finding-overdue", "client", "c1-b", "f1", "2024-01-02", "cb1", "c1", "x")


def test_the_schedule_sends_notices_at_start_and_every_ten_minutes():
    ran = threading.Event()
    schedule = Schedule(_Ledger())  # type: ignore[arg-type]
    schedule.notify = ran.set
    schedule.start()
    try:
        job = schedule._scheduler.get_job("notices")
        assert isinstance(job.trigger, IntervalTrigger)
        assert job.trigger.interval == timedelta(minutes=10)
        assert job.max_instances == 1 and job.coalesce
        assert ran.wait(10)
    finally:
        schedule.stop()


def test_a_start_up_run_that_comes_late_still_runs(monkeypatch):
    # A busy machine takes the scheduler's thread seconds after start: the runs due "now" are
    # then late. Each must still run, once (the clocks' next run is a day away, the hub's
    # report's and the notices' ten minutes).
    import qcert.schedule

    class Earlier(datetime):
        @classmethod
        def now(cls, tz=None):  # the moment the jobs were added: five seconds ago
            return datetime.now(tz) - timedelta(seconds=5)

    ran = {name: threading.Event() for name in ("notices", "report", "clocks")}
    monkeypatch.setattr(qcert.schedule, "datetime", Earlier)
    clocks = _Clocks()
    schedule = Schedule(_Ledger(), clocks=clocks)  # type: ignore[arg-type]
    schedule.notify = ran["notices"].set
    schedule.report = ran["report"].set
    schedule.start()
    try:
        assert ran["notices"].wait(10) and ran["report"].wait(10) and clocks.ran.wait(10)
        assert all(job.misfire_grace_time is None for job in schedule._scheduler.get_jobs())
    finally:
        schedule.stop()


def test_a_failed_run_of_the_notices_is_logged_and_tried_again(caplog):
    def broken() -> None:
        raise RuntimeError("database unavailable")

    schedule = Schedule(_Ledger())  # type: ignore[arg-type]
    assert schedule.send_notices() is None  # no job: nothing to do
    schedule.notify = broken
    with caplog.at_level(logging.ERROR, logger="qcert.schedule"):
        assert schedule.send_notices() is None
    assert "sending notices failed" in caplog.text


def test_a_notice_is_named_by_whom_what_and_when_only():
    notice = Notice.send(SENT)
    assert notice.id == notice_id("u1", "finding-overdue", "c1-b", "f1", "2024-01-02")
    assert notice.id != notice_id("u1", "finding-overdue", "c1-b", "f1", "2024-01-03")
    assert notice.id != notice_id("u2", "finding-overdue", "c1-b", "f1", "2024-01-02")
    assert len(notice.id) <= 64 and notice.body_id == "cb1"


def test_only_the_recipient_reads_a_notice_and_reading_twice_records_once():
    notice = Notice.send(SENT)
    at = datetime(2024, 1, 3, tzinfo=UTC)
    with pytest.raises(RuleViolation, match="notice_id"):
        notice.read("u2", at)
    notice.read("u1", at)
    notice.read("u1", at + timedelta(days=1))
    assert [e.name for e in notice.pending] == ["notice.sent", "notice.read"]
    assert notice.read_at == "2024-01-03T00:00:00Z"


def test_an_unknown_kind_or_audience_is_refused_by_name():
    for bad, field in (
        (SENT.__class__(**{**SENT.data(), "kind": "x"}), "kind"),
        (SENT.__class__(**{**SENT.data(), "audience": "x"}), "audience"),
    ):
        with pytest.raises(RuleViolation, match=field):
            Notice.send(bad)


def test_an_address_must_look_like_one():
    box = Mailbox("u1")
    for bad in ("lead", "a@b", "a b@c.cn", "a@" + "b" * 250 + ".cn"):
        with pytest.raises(RuleViolation, match="email"):
            box.set_address(bad)
    box.set_address(" lead@cb1.example ")
    box.set_address("lead@cb1.example")  # unchanged: nothing recorded
    box.set_address("")
    assert [e.email for e in box.pending] == ["lead@cb1.example", ""]


def test_the_text_names_the_record_in_both_languages_and_links_to_it():
    data = {**SENT.data(), "id": "n-1"}
    assert "f1" in title(data, "zh-CN") and "逾期" in title(data, "zh-CN")
    assert "past its answer deadline of 2024-01-02" in title(data, "en")
    assert link(data) == "/portal/c1/findings#finding-c1-b-f1"
    staff = {**data, "audience": "body", "kind": "case-open", "item": "k/1"}
    assert link(staff) == "/ws/bodies/cb1/cases/k%2F1"  # the case's own page, its id escaped
