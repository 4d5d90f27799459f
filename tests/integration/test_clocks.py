"""The clocks run by themselves: the job as the server runs it, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import threading
import time
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from qcert.clocks import Clocks
from qcert.credentials import multibase_public_key
from qcert.credentials.statuslist import StatusList
from qcert.ledger.storage import SqlLedgerStorage
from qcert.lifecycle import AddBodyKey, SuspendCertificate
from qcert.server import create_app
from qcert.store import create_engine
from qcert.store import tables as t
from qcert.store.replay import check_projections
from tests.clock import ScenarioClock
from tests.integration.lifecycle.conftest import apply, bus, certify, world  # noqa: F401
from tests.services import make_services, system_bus

HOST = "cert.example"
# 2024-03-02 in Beijing: past the deadline of a suspension from 2024-01-10 for one month
# (2024-02-10) and the expiry of a certificate decided 2021-03-01 (2024-02-29).
NOW = datetime(2024, 3, 1, 20, 0, tzinfo=UTC)
TODAY = date(2024, 3, 2)
TRANSITIONS = ("certificate.withdrawn", "certificate.expired")


class Clock:
    """Time that moves only when a test says so."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def services(engine, tmp_path):
    # The world is recorded day by day on a scenario clock; the tests then set it to NOW.
    svc = make_services(engine, tmp_path / "services", host=HOST, clock=ScenarioClock())
    yield svc
    svc.close()


@pytest.fixture
def due(world, services):  # noqa: F811
    """Two certifications whose clocks ran out (one suspension, one expiry) and two whose did
    not, each issued as a credential with its bit in cb1's status lists."""
    run = system_bus(services)
    key_id, key = services.keys.create("cb1")
    valid_from = datetime(2020, 1, 1, tzinfo=UTC)
    run(AddBodyKey("cb1", key_id, multibase_public_key(key.public_key()), valid_from))
    # One organisation's applications, filed before any is granted (it holds one live
    # certificate per scheme and body), then each fact on its day.
    for cid in ("expiring", "lapsing", "suspended", "active"):
        apply(run, cid)
    certify(run, "expiring", date(2021, 3, 1), "N-1", applied=True)
    certify(run, "lapsing", date(2023, 3, 1), "N-2", applied=True)
    certify(run, "suspended", date(2023, 3, 1), "N-3", applied=True)
    certify(run, "active", date(2023, 3, 1), "N-4", applied=True)
    run(SuspendCertificate("lapsing", "r", date(2024, 1, 10), 1))
    run(SuspendCertificate("suspended", "r", date(2024, 2, 20), 6))  # until 2024-08-20
    services.clock.now = NOW
    return services


def _events(engine, *types: str) -> list[dict]:
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(t.events.c.document)
            .where(t.events.c.type.in_(types))
            .order_by(t.events.c.ledger_index)
        ).scalars()
        return [json.loads(doc) for doc in rows]


def _status(engine, cid: str) -> str:
    with engine.connect() as conn:
        query = sa.select(t.certificates.c.status).where(t.certificates.c.certification_id == cid)
        return conn.execute(query).scalar_one()


def _size(engine) -> int:
    return SqlLedgerStorage(engine).size()


def test_due_certifications_are_withdrawn_or_expired_naming_the_rule(due, engine):
    report = due.schedule.clocks.run()
    assert (report.on, report.due, report.failed) == (TODAY, 2, [])
    expired, withdrawn = _events(engine, *TRANSITIONS)  # one batch, in id order
    assert withdrawn["aggregate"] == "certification:lapsing"
    assert withdrawn["actor"] == "system:clocks"
    assert withdrawn["data"] == {
        "reason": "暂停期限届满，导致暂停的问题仍未解决 / suspension not resolved by its deadline",
        "on": "2024-03-02",
        "rule": "clock.suspension-lapsed",
        "source": "ISO/IEC 17021-1:2015 9.6.5",
    }
    assert expired["aggregate"] == "certification:expiring"
    assert expired["data"] == {
        "on": "2024-03-02",
        "rule": "clock.expired",
        "source": "ISO/IEC 17021-1:2015 8.2.2, 9.6.3.2",
    }
    statuses = {cid: _status(engine, cid) for cid in ("expiring", "lapsing", "suspended", "active")}
    assert statuses == {
        "expiring": "expired",
        "lapsing": "withdrawn",
        "suspended": "suspended",  # its deadline is months away: untouched
        "active": "active",
    }
    assert check_projections(engine) == []


def test_running_again_the_same_day_records_nothing(due, engine):
    due.schedule.clocks.run()
    size = _size(engine)
    again = due.schedule.clocks.run()
    assert (again.due, again.recorded, again.failed) == (0, [], [])
    assert _size(engine) == size


def test_a_withdrawal_by_the_clock_republishes_the_status_lists(due, engine):
    with engine.connect() as conn:
        index = conn.execute(
            sa.select(t.certifications.c.status_index).where(t.certifications.c.id == "lapsing")
        ).scalar_one()
    published = len(_events(engine, "status-list.published"))
    due.schedule.clocks.run()
    lists = _events(engine, "status-list.published")[published:]
    assert lists and all(e["actor"] == "system:clocks" for e in lists)
    storage = SqlLedgerStorage(engine)
    for purpose, bit in (("revocation", True), ("suspension", False)):
        with engine.connect() as conn:
            newest = conn.execute(
                sa.select(t.status_lists.c.ledger_index)
                .where(t.status_lists.c.body_id == "cb1", t.status_lists.c.purpose == purpose)
                .order_by(t.status_lists.c.version.desc())
                .limit(1)
            ).scalar_one()
        listed = json.loads(storage.entry(newest))
        assert StatusList.decode(listed["credentialSubject"]["encodedList"])[index] is bit
    assert due.bus.owed() == []  # nothing left for reconcile


def test_a_certification_that_fails_holds_back_no_other(due, engine, caplog):
    # A projection row without events behind it (a store damaged by hand): due, and failing.
    with engine.begin() as conn:
        conn.execute(
            t.certificates.insert().values(
                number="GHOST",
                certification_id="aaa-ghost",
                body_id="cb1",
                client_id="c1",
                scheme_id="iso9001",
                status="active",
                certsearch_status="Active",
                scope="",
                sites="[]",
                issue_date="2017-01-01",
                original_issue_date="2017-01-01",
                expiry_date="2020-01-01",
            )
        )
    report = due.schedule.clocks.run()
    assert [cid for cid, _ in report.failed] == ["aaa-ghost"]
    assert "aaa-ghost could not be enforced" in caplog.text
    assert (_status(engine, "expiring"), _status(engine, "lapsing")) == ("expired", "withdrawn")


def test_two_schedules_at_once_record_each_transition_once(due, engine, monkeypatch):
    second_engine = create_engine(engine.url.render_as_string(hide_password=False))
    other = make_services(second_engine, due.settings.data_dir, host=HOST, clock=Clock(NOW))
    # Both read what is due before either runs a command: the race two workers would run.
    barrier = threading.Barrier(2)
    for svc in (due, other):
        handle = svc.bus.handle

        def racing(cmd, principal, handle=handle, waited=[]):  # noqa: B006
            if not waited:
                waited.append(barrier.wait(timeout=30))
            return handle(cmd, principal)

        monkeypatch.setattr(svc.bus, "handle", racing)
    reports: list = []
    threads = [
        threading.Thread(target=lambda s=svc: reports.append(s.schedule.clocks.run()))
        for svc in (due, other)
    ]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    finally:
        other.close()
    assert len(reports) == 2 and all(r.failed == [] for r in reports)
    done = [e["aggregate"] for e in _events(engine, *TRANSITIONS)]
    assert sorted(done) == ["certification:expiring", "certification:lapsing"]
    assert check_projections(engine) == []


def test_the_served_application_runs_the_clocks_without_a_request(due, engine):
    assert due.schedule.clocks.hours == 24
    with TestClient(create_app(due, schedule=True)):
        job = due.schedule._scheduler.get_job("clocks")
        assert job.trigger.interval == timedelta(hours=24)
        deadline = time.monotonic() + 30
        while len(_events(engine, *TRANSITIONS)) < 2:
            assert time.monotonic() < deadline, "the clocks did not run at start"
            time.sleep(0.02)
    assert (_status(engine, "expiring"), _status(engine, "lapsing")) == ("expired", "withdrawn")


def test_the_clocks_read_today_from_the_installations_clock(due, engine):
    clocks: Clocks = due.schedule.clocks
    due.clock.now = datetime(2024, 2, 10, 15, 59, tzinfo=UTC)  # 23:59 on the deadline day
    assert clocks.run().due == 0
    due.clock.now = datetime(2024, 2, 10, 16, 0, tzinfo=UTC)  # 00:00 the day after, Beijing
    assert clocks.run().on == date(2024, 2, 11)
    assert _status(engine, "lapsing") == "withdrawn"
