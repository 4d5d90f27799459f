"""The clocks' job by itself: batches, failures and races, with a fake store and bus."""

from __future__ import annotations

import logging
import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from apscheduler.triggers.interval import IntervalTrigger

from qcert.clocks import ACTOR, Clocks, enforce
from qcert.config import CLOCK_HOURS, SettingInvalid, Settings
from qcert.lifecycle.commands import EnforceClocks
from qcert.schedule import Schedule
from qcert.store.uow import ConcurrentChange, NotFound

ON = date(2024, 9, 11)


class Store:
    """Certifications due, listed as the read view does: in id order, after an id."""

    def __init__(self, ids: list[str]) -> None:
        self.ids = sorted(ids)
        self.reads: list[tuple[str, int]] = []

    def due(self, after: str, limit: int) -> list[str]:
        self.reads.append((after, limit))
        return [i for i in self.ids if i > after][:limit]


class Bus:
    """Runs EnforceClocks: what each id records, a refusal for ``broken``, a lost race for
    ``raced``; a due id is done once enforced (the store no longer lists it)."""

    def __init__(self, store: Store, broken=(), raced=()) -> None:
        self.store, self.broken, self.raced = store, set(broken), set(raced)
        self.commands: list[EnforceClocks] = []

    def run(self, command: EnforceClocks) -> list[int]:
        self.commands.append(command)
        ids = command.certification_ids
        if bad := self.broken & set(ids):
            raise NotFound(f"no certification {sorted(bad)[0]!r}")
        if self.raced & set(ids):
            raise ConcurrentChange("someone else changed this record; reload and try again")
        self.store.ids = [i for i in self.store.ids if i not in ids]
        return list(range(len(ids)))  # one entry per certification enforced


def test_due_certifications_are_enforced_in_bounded_batches_each_one_command():
    store = Store([f"c{i:02}" for i in range(7)])
    bus = Bus(store)
    report = enforce(ON, store.due, bus.run, batch=3)
    assert [c.certification_ids for c in bus.commands] == [
        ["c00", "c01", "c02"],
        ["c03", "c04", "c05"],
        ["c06"],
    ]
    assert all(c.on == ON for c in bus.commands)
    assert (report.on, report.due, len(report.recorded), report.failed) == (ON, 7, 7, [])
    assert [after for after, _ in store.reads] == ["", "c02", "c05"]  # each batch after the last


def test_nothing_due_runs_nothing():
    store = Store([])
    bus = Bus(store)
    report = enforce(ON, store.due, bus.run)
    assert (bus.commands, report.due, report.recorded) == ([], 0, [])


def test_a_failing_certification_is_logged_and_holds_back_no_other(caplog):
    store = Store(["a", "b", "c", "d"])
    bus = Bus(store, broken={"b"})
    with caplog.at_level(logging.INFO, logger="qcert.clocks"):
        report = enforce(ON, store.due, bus.run, batch=3)
    assert report.failed == [("b", "no certification 'b'")]
    assert store.ids == ["b"]  # the others are done
    assert len(report.recorded) == 3
    # The batch failed as a whole, then ran one at a time; the next batch started after it.
    assert [c.certification_ids for c in bus.commands] == [
        ["a", "b", "c"],
        ["a"],
        ["b"],
        ["c"],
        ["d"],
    ]
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1 and "b could not be enforced on 2024-09-11" in errors[0].getMessage()


def test_a_certification_that_keeps_failing_is_read_once_per_run():
    store = Store(["a", "b"])
    bus = Bus(store, broken={"a", "b"})
    report = enforce(ON, store.due, bus.run, batch=1)
    assert [i for i, _ in report.failed] == ["a", "b"]
    assert [after for after, _ in store.reads] == ["", "a", "b"]


def test_a_race_lost_to_another_worker_is_quiet(caplog):
    store = Store(["a", "b"])
    bus = Bus(store, raced={"a"})
    with caplog.at_level(logging.INFO, logger="qcert.clocks"):
        report = enforce(ON, store.due, bus.run)
    assert report.failed == []  # not a failure: the other worker recorded it (or will)
    assert store.ids == ["a"] and len(report.recorded) == 1
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert any("a changed concurrently" in r.getMessage() for r in caplog.records)


class _Bus:
    tz = "Asia/Shanghai"


def test_today_is_the_bodys_date_by_the_installations_clock():
    late = datetime(2024, 9, 10, 16, 30, tzinfo=UTC)  # 00:30 on the 11th in Beijing
    assert Clocks(_Bus(), lambda: late).today() == date(2024, 9, 11)  # type: ignore[arg-type]
    early = datetime(2024, 9, 10, 15, 59, tzinfo=UTC)
    assert Clocks(_Bus(), lambda: early).today() == date(2024, 9, 10)  # type: ignore[arg-type]


def test_the_clocks_act_as_the_platform_itself():
    assert ACTOR.is_system and ACTOR.account_id == "system:clocks"


class _Ledger:
    def sign_due(self) -> dict[str, int]:
        return {}


class _Clocks:
    hours = 6.0

    def __init__(self) -> None:
        self.ran = threading.Event()

    def run(self) -> str:
        self.ran.set()
        return "ran"


def test_the_schedule_runs_the_clocks_at_start_and_every_interval():
    clocks = _Clocks()
    schedule = Schedule(_Ledger(), clocks=clocks)  # type: ignore[arg-type]
    schedule.start()
    try:
        job = schedule._scheduler.get_job("clocks")
        assert isinstance(job.trigger, IntervalTrigger)
        assert job.trigger.interval == timedelta(hours=6)
        assert job.max_instances == 1 and job.coalesce
        assert clocks.ran.wait(10)  # once at start, not a day later
    finally:
        schedule.stop()


def test_a_failed_run_of_the_clocks_is_logged_and_tried_again(caplog):
    class Broken(_Clocks):
        def run(self) -> str:
            raise RuntimeError("database unavailable")

    schedule = Schedule(_Ledger(), clocks=Broken())  # type: ignore[arg-type]
    with caplog.at_level(logging.ERROR, logger="qcert.schedule"):
        assert schedule.enforce_clocks() is None
    assert "enforcing the clocks failed" in caplog.text
    assert Schedule(_Ledger()).enforce_clocks() is None  # type: ignore[arg-type]


def test_the_interval_is_a_setting(monkeypatch, tmp_path):
    monkeypatch.delenv("QCERT_CLOCK_HOURS", raising=False)
    assert Settings.from_env(tmp_path).clock_hours == CLOCK_HOURS == 24
    monkeypatch.setenv("QCERT_CLOCK_HOURS", "0.5")
    assert Settings.from_env(tmp_path).clock_hours == 0.5
    for bad in ("0", "-1", "nan", "inf", "daily", "9000"):
        monkeypatch.setenv("QCERT_CLOCK_HOURS", bad)
        with pytest.raises(SettingInvalid, match="QCERT_CLOCK_HOURS") as refused:
            Settings.from_env(tmp_path)
        assert "小时" in refused.value.zh
