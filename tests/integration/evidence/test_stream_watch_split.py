"""Two processes sharing one device's stream (an MQTT shared subscription splits its messages
between them): in ``settled`` mode each watcher scores every reading once, in seq order from
the store, and an alarm is recorded once; in ``arrival`` mode the same split leaves readings
unscored (the gap ``settled`` closes)."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import timedelta

from qcert.evidence.intake import Intake
from qcert.evidence.monitor_handlers import bundled_graph
from qcert.evidence.watch import Watcher
from qcert.store.replay import check_projections
from qcert.store.watch import StoreWatch
from tests.integration.evidence.test_stream_watch import (
    FAULT,
    NORMAL,
    T0,
    N,
    _events,
    _fit,
    _messages,
    world,  # noqa: F401  (the fixture)
)


class Counting(StoreWatch):
    """The store as a watcher reads it, noting every reading handed over to be scored."""

    def __init__(self, engine) -> None:
        super().__init__(engine)
        self.scored: list[int] = []

    def readings_after(self, device, seq, variables, limit, through=None):
        found = (
            super().readings_after(device, seq, variables, limit)
            if through is None
            else super().readings_after(device, seq, variables, limit, through)
        )
        self.scored.extend(found[0])
        return found


class CountingWatcher(Watcher):
    """A watcher noting in its store's count the readings it scored as the intake handed
    them over (not read back from the store)."""

    given = 0  # readings scored as handed over

    def _score_given(self, device, seqs, times, values):
        done = super()._score_given(device, seqs, times, values)
        if done:
            self.store.scored.extend(sorted(seqs))
            self.given += len(seqs)
        return done


def _two_processes(svc, clock, mode):
    """Process A (the services' intake) and process B over the same store and bus, each with
    its own watcher in ``mode``; their stores count what each scored."""
    a_store, b_store = Counting(svc.engine), Counting(svc.engine)
    svc.intake.watcher = CountingWatcher(a_store, svc.watcher.record, bundled_graph, mode)
    b = Intake(svc.engine, clock, bus=svc.bus)
    b.watcher = CountingWatcher(b_store, svc.watcher.record, bundled_graph, mode)
    return svc.intake, b, a_store, b_store


def _split(line, a, b) -> None:
    """The readings after the normal period, split between A and B out of seq order: A
    commits later readings before B commits the earlier ones, twice over."""
    batches = _messages(line.frame, NORMAL, N)  # 100 readings each: 480.., 580.., ...
    early, late = batches[:2], batches[2:]
    a.take(late[:2])  # 680-879
    b.take(early[:1])  # 480-579
    a.take(late[2:])  # 880-899
    b.take(early[1:])  # 580-679


def test_settled_scoring_scores_every_reading_once_per_process_and_records_alarms_once(
    world,  # noqa: F811
    caplog,
):
    svc, clock, line = world
    _fit(svc)
    a, b, a_store, b_store = _two_processes(svc, clock, "settled")
    clock.now = T0 + timedelta(seconds=N)
    _split(line, a, b)
    assert a_store.scored == b_store.scored == []  # nothing is settled before anchoring
    # The line's last window (ends at N) is anchored once the line has sent nothing more for
    # the idle allowance (300 s) after it; the earlier ones as soon as the line moved past.
    clock.now = T0 + timedelta(seconds=N + 360)
    with caplog.at_level(logging.INFO, logger="qcert.evidence.watch"):
        assert a.anchor_due() > 0
        assert b.anchor_due() == 0  # A anchored everything; B catches up all the same
    expected = list(range(NORMAL, N))
    assert a_store.scored == expected and b_store.scored == expected
    raised = [x["seq"] for _, x in _events(svc.engine, "evidence.alarm-raised")]
    cleared = [x["seq"] for _, x in _events(svc.engine, "evidence.alarm-cleared")]
    assert any(seq >= FAULT for seq in raised), "the planted fault raised no alarm"
    assert len(raised) == len(set(raised)) and len(cleared) == len(set(cleared))
    # B's copies were refused by the ledger's ordering rule, quietly
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert any("recorded already" in r.getMessage() for r in caplog.records)
    assert check_projections(svc.engine) == []


class Unrecorded(StoreWatch):
    """The store as a process would see it had no alarm been recorded yet."""

    def monitors(self, devices=None):
        return [replace(m, last_raised=-1, last_cleared=-1) for m in super().monitors(devices)]


def test_settled_scoring_records_the_alarms_one_process_finds_over_every_reading(
    world,  # noqa: F811
):
    svc, clock, line = world
    _fit(svc)
    a, b, _, _ = _two_processes(svc, clock, "settled")
    clock.now = T0 + timedelta(seconds=N)
    _split(line, a, b)
    clock.now = T0 + timedelta(seconds=N + 360)
    a.anchor_due()
    b.anchor_due()
    split = [x["seq"] for _, x in _events(svc.engine, "evidence.alarm-raised")]
    # one process scoring every stored reading in seq order finds these alarms
    found = []
    alone = Watcher(Unrecorded(svc.engine), lambda f, _: found.append(f), bundled_graph)
    alone.start()
    assert split == [f.seq for f in found if f.kind == "raised"]


def test_arrival_scoring_misses_readings_another_process_commits_later(world):  # noqa: F811
    svc, clock, line = world
    _fit(svc)
    a, b, a_store, b_store = _two_processes(svc, clock, "arrival")
    clock.now = T0 + timedelta(seconds=N)
    _split(line, a, b)
    clock.now = T0 + timedelta(seconds=N + 360)
    a.anchor_due()
    b.anchor_due()
    expected = set(range(NORMAL, N))
    # A moved past 679 before B committed 480-679; B past 579 before 580-679 came
    assert expected - set(a_store.scored) == set(range(NORMAL, 680))
    assert expected - set(b_store.scored) == set(range(580, 680))


def test_readings_the_intake_hands_over_score_as_the_same_readings_read_from_the_store(
    world,  # noqa: F811
):
    svc, clock, line = world
    _fit(svc)
    store = Counting(svc.engine)
    watcher = CountingWatcher(store, svc.watcher.record, bundled_graph, "arrival")
    svc.intake.watcher = watcher
    clock.now = T0 + timedelta(seconds=N)
    for message in _messages(line.frame, NORMAL, N):
        svc.intake.take([message])
    clock.now = T0 + timedelta(seconds=N + 360)
    svc.intake.anchor_due()
    assert store.scored == list(range(NORMAL, N))  # every reading once, in order
    assert watcher.given >= N - NORMAL - 100  # all but the first batch handed over
    recorded = {
        name: [x for _, x in _events(svc.engine, f"evidence.alarm-{name}")]
        for name in ("raised", "cleared")
    }
    assert recorded["raised"], "the planted fault raised no alarm"
    found = []
    alone = Watcher(Unrecorded(svc.engine), lambda f, _: found.append(f), bundled_graph)
    alone.start()
    for name in ("raised", "cleared"):
        assert [x["seq"] for x in recorded[name]] == [f.seq for f in found if f.kind == name]
    first = next(f for f in found if f.kind == "raised")
    assert recorded["raised"][0]["top_variables"] == [dict(v) for v in first.top_variables]
    assert recorded["raised"][0]["statistics"] == dict(first.statistics)


def test_readings_handed_over_after_a_gap_are_read_from_the_store_in_seq_order(
    world,  # noqa: F811
):
    svc, clock, line = world
    _fit(svc)
    store = Counting(svc.engine)
    svc.intake.watcher = CountingWatcher(store, svc.watcher.record, bundled_graph, "arrival")
    clock.now = T0 + timedelta(seconds=N)
    batches = _messages(line.frame, NORMAL, N)
    svc.intake.take(batches[:1])  # 480-579, read from the store (the watcher starts)
    svc.intake.take(batches[2:3])  # 680-779: a gap after 579, so read from the store
    assert store.scored == list(range(NORMAL, 580)) + list(range(680, 780))
    assert svc.intake.watcher.given == 0
