"""Watching a stream: scoring as readings arrive equals scoring offline; alarms name the planted
fault; the watcher records an alarm only with its anchored window, and after a restart records
no episode twice; a settled watcher scores only anchored readings, and an alarm another
process recorded first is refused quietly."""

from __future__ import annotations

import dataclasses
import logging
from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qcert.errors import QcertError
from qcert.evidence.monitor_handlers import bundled_graph
from qcert.evidence.monitors import fit_monitor
from qcert.evidence.scoring import StreamScoring
from qcert.evidence.watch import Anchor, MonitorRecord, Watcher
from qcert.quality.demo_line import FAULT_VARIABLE, PROCESS, SPECS, line_readings
from qcert.quality.monitoring import alarm_events

LIMITED = {k: (lo, hi) for k, (lo, hi, _) in SPECS.items()}
T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
NORMAL, FAULT, N = 500, 600, 900


@pytest.fixture(scope="module")
def line():
    return line_readings(3, n=N, fault_at=FAULT, drift=0.1)


def _times(seqs):
    return [T0 + timedelta(seconds=int(s)) for s in seqs]


@pytest.mark.parametrize("kind", ["pca", "dpca", "cva", "spc"])
@pytest.mark.parametrize("block", [1, 7, 400])
def test_scoring_as_readings_arrive_equals_scoring_them_offline(line, kind, block):
    fitted = fit_monitor(kind, None, line.frame.iloc[:NORMAL], LIMITED)
    X = line.frame[list(fitted.variables)].to_numpy()[NORMAL:]
    stream = StreamScoring("d", fitted)
    found = []
    for lo in range(0, len(X), block):
        seqs = list(range(NORMAL + lo, NORMAL + min(lo + block, len(X))))
        found += stream.score(seqs, _times(seqs), X[lo : lo + block])
    offline = alarm_events(fitted.monitor.score(X), fitted.persistence)
    assert [(f.kind, f.seq - NORMAL) for f in found] == [
        ("raised" if e.name.endswith("raised") else "cleared", e.index) for e in offline
    ]
    raised = [f for f in found if f.kind == "raised"]
    for f, e in zip(raised, [e for e in offline if e.name.endswith("raised")], strict=True):
        assert f.first_seq - NORMAL == e.first_exceedance
        assert f.statistics == pytest.approx(dict(e.statistics))


def test_the_first_alarm_after_the_planted_fault_names_it_first(line):
    fitted = fit_monitor("pca", None, line.frame.iloc[:NORMAL], LIMITED, PROCESS)
    stream = StreamScoring("d", fitted, bundled_graph("machining"))
    X = line.frame[list(fitted.variables)].to_numpy()
    seqs = list(range(NORMAL, N))
    raised = [f for f in stream.score(seqs, _times(seqs), X[NORMAL:]) if f.kind == "raised"]
    first = next(f for f in raised if f.seq >= FAULT)
    assert first.top_variables[0]["variable"] == FAULT_VARIABLE
    assert first.root_causes[0]["variable"] == FAULT_VARIABLE
    assert first.statistics[first.statistic] > first.limits[first.statistic]
    assert sum(v["share"] for v in first.top_variables) <= 1.0 + 1e-6
    assert first.first_seq == first.seq - fitted.persistence + 1


def test_readings_already_scored_and_incomplete_ones_are_passed_over(line):
    fitted = fit_monitor("pca", None, line.frame.iloc[:NORMAL], LIMITED)
    X = line.frame[list(fitted.variables)].to_numpy()
    stream = StreamScoring("d", fitted)
    stream.score([500, 501], _times([500, 501]), X[500:502])
    holed = X[502:504].copy()
    holed[0, 1] = np.nan
    stream.score([501, 502, 503], _times([501, 502, 503]), np.vstack([X[501], holed]))
    assert stream.last_seq == 503 and stream.skipped == 1
    assert stream.scorer._index == 2  # 500, 501, 503 scored


# ---------------------------------------------------------------- the watcher over a store


class FakeStore:
    """Readings of one device in memory, with windows of 60 readings (one a second) anchored
    up to ``anchored`` (a sequence number)."""

    def __init__(self, frame: pd.DataFrame, record: MonitorRecord) -> None:
        self.data = frame
        self.record = record
        self.stored = NORMAL  # readings 0 .. stored-1 are in the store
        self.anchored = 0  # readings below are in anchored windows

    def monitors(self, devices=None):
        return [self.record] if devices is None or self.record.device in devices else []

    def specs(self, device):
        return LIMITED

    def frame(self, device, start, end):
        lo, hi = int((start - T0).total_seconds()), int((end - T0).total_seconds())
        return self.data.iloc[lo : min(hi, self.stored)]

    def last_seq_before(self, device, end):
        return min(int((end - T0).total_seconds()), self.stored) - 1

    def readings_after(self, device, seq, variables, limit, through=None):
        end = self.stored if through is None else min(self.stored, through + 1)
        seqs = list(range(seq + 1, min(end, seq + 1 + limit)))
        return (
            seqs,
            _times(seqs),
            self.data[list(variables)].to_numpy()[seqs[0] : seqs[-1] + 1]
            if seqs
            else np.empty((0, len(variables))),
        )

    def settled_seq(self, device):
        return min(self.anchored, self.stored) - 1

    def anchors_at(self, device, times):
        found = []
        for at in times:
            seq = int((at - T0).total_seconds())  # one reading a second from T0
            start = seq // 60 * 60
            anchor = Anchor(T0 + timedelta(seconds=start), f"{start:064x}", 1000 + start // 60)
            found.append(None if seq >= self.anchored else anchor)
        return found

    def anchored_until(self, devices):
        return {device: T0 + timedelta(seconds=self.anchored) for device in devices}


@pytest.fixture
def watched(line):
    fitted = fit_monitor("pca", None, line.frame.iloc[:NORMAL], LIMITED, PROCESS)
    record = MonitorRecord(
        "d1",
        "c1",
        "pca",
        fitted.params,
        fitted.variables,
        T0,
        T0 + timedelta(seconds=NORMAL),
        fitted.digest,
        "machining",
    )
    return FakeStore(line.frame, record)


def _watcher(store, recorded):
    return Watcher(store, lambda f, a: recorded.append((f, a)), bundled_graph)


def test_an_alarm_waits_for_its_window_to_be_anchored_and_then_carries_it(watched):
    recorded: list = []
    watcher = _watcher(watched, recorded)
    watcher.start()
    watched.stored = N
    watcher.after_commit(["d1"])
    assert recorded == [] and watcher.pending["d1"]
    first = watcher.pending["d1"][0]
    watched.anchored = first.seq  # the window before the alarm's reading only
    watcher.flush()
    assert recorded == [] or recorded[-1][0].seq < first.seq
    watched.anchored = N
    watcher.flush()
    finding, anchor = next(r for r in recorded if r[0].seq == first.seq)
    assert finding == first
    assert anchor.start == T0 + timedelta(seconds=first.seq // 60 * 60)
    assert [f.seq for f, _ in recorded] == sorted(f.seq for f, _ in recorded)
    assert not watcher.pending["d1"]


def test_a_restarted_watcher_records_no_episode_twice(watched):
    whole: list = []
    watched.stored = watched.anchored = N
    _watcher(watched, whole).start()  # one process that saw every reading
    everything = [(f.kind, f.seq) for f, _ in whole]
    assert len(everything) >= 2, "the planted fault raised and cleared nothing"
    split = everything[0][1] + 1
    watched.stored = watched.anchored = split
    before: list = []
    _watcher(watched, before).start()
    assert [(f.kind, f.seq) for f, _ in before] == everything[:1]
    # The ledger now holds that alarm; a new process starts from the store and goes on.
    watched.record = dataclasses.replace(watched.record, last_raised=everything[0][1])
    after: list = []
    restarted = _watcher(watched, after)
    restarted.start()
    assert after == []
    watched.stored = watched.anchored = N
    restarted.after_commit(["d1"])
    assert [(f.kind, f.seq) for f, _ in after] == everything[1:]


def test_a_settled_watcher_scores_only_anchored_readings_and_catches_up_on_flush(watched):
    whole: list = []
    watched.stored = watched.anchored = N
    _watcher(watched, whole).start()  # one process scoring on arrival, everything anchored
    watched.stored, watched.anchored = N, NORMAL
    recorded: list = []
    watcher = Watcher(watched, lambda f, a: recorded.append((f, a)), bundled_graph, "settled")
    watcher.start()
    watcher.after_commit(["d1"])
    assert watcher.streams["d1"].last_seq == NORMAL - 1  # nothing past the watermark
    watched.anchored = N
    watcher.flush()  # after anchoring: scored up to the new watermark and recorded
    assert watcher.streams["d1"].last_seq == N - 1
    assert [(f.kind, f.seq) for f, _ in recorded] == [(f.kind, f.seq) for f, _ in whole]


def test_an_alarm_another_process_recorded_first_is_refused_quietly(watched, caplog):
    watched.stored = watched.anchored = N
    whole: list = []
    _watcher(watched, whole).start()
    first = whole[0][0]

    after: list = []

    def refuse(finding, anchor):  # the ledger's ordering rule: another process was first
        if finding.seq == first.seq:
            watched.record = dataclasses.replace(watched.record, last_raised=first.seq)
            raise QcertError(f"seq: must come after reading {first.seq}, recorded already")
        after.append((finding, anchor))

    with caplog.at_level(logging.INFO, logger="qcert.evidence.watch"):
        Watcher(watched, refuse, bundled_graph, "settled").start()
    assert [r.levelno for r in caplog.records] == [logging.INFO]
    assert "recorded already" in caplog.records[0].getMessage()
    assert [f for f, _ in after] == [f for f, _ in whole[1:]]  # and it goes on


def test_a_monitor_whose_readings_no_longer_give_its_digest_is_not_watched(watched):
    watched.data = watched.data.copy()
    watched.data.iloc[42, 0] += 5.0  # a training reading edited after the fit
    watcher = _watcher(watched, [])
    watcher.start()
    assert "d1" not in watcher.streams
    assert "digest" in watcher.refused["d1"]


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    cuts=st.lists(st.integers(min_value=1, max_value=N - NORMAL - 1), max_size=12, unique=True),
    holes=st.lists(st.integers(min_value=NORMAL, max_value=N - 1), max_size=5, unique=True),
)
def test_any_cut_of_the_stream_into_batches_gives_the_same_findings(line, cuts, holes):
    fitted = fit_monitor("dpca", {"n_components": 4, "lags": 2}, line.frame.iloc[:NORMAL], LIMITED)
    X = line.frame[list(fitted.variables)].to_numpy().copy()
    X[holes, 0] = np.nan  # readings with a value missing are passed over either way
    seqs = list(range(NORMAL, N))

    def run(edges):
        stream = StreamScoring("d", fitted, bundled_graph("machining"))
        found = []
        for lo, hi in zip([0, *edges], [*edges, len(seqs)], strict=True):
            part = seqs[lo:hi]
            found += stream.score(part, _times(part), X[NORMAL + lo : NORMAL + hi])
        return found

    cut, whole = run(sorted(cuts)), run([])

    def plain(findings):  # what a finding says, its figures aside
        return [
            (f.kind, f.seq, f.first_seq, f.statistic, [v["variable"] for v in f.top_variables])
            for f in findings
        ]

    assert plain(cut) == plain(whole)
    for a, b in zip(cut, whole, strict=True):
        assert a.statistics == pytest.approx(b.statistics, rel=1e-9)


def test_a_monitor_that_cannot_be_refitted_is_refused_and_the_others_still_watched(watched, line):
    class TwoDevices(FakeStore):
        def monitors(self, devices=None):
            broken = dataclasses.replace(self.record, device="d0")
            return [broken, self.record]

        def frame(self, device, start, end):
            full = super().frame(device, start, end)
            return full.iloc[:5] if device == "d0" else full  # its readings are gone

    store = TwoDevices(line.frame, watched.record)
    store.stored = store.anchored = N
    recorded: list = []
    watcher = _watcher(store, recorded)
    watcher.start()
    assert "d0" not in watcher.streams and "start" in watcher.refused["d0"]
    assert recorded and {f.device for f, _ in recorded} == {"d1"}


def test_alarms_found_together_are_recorded_together_in_order(watched):
    one_by_one: list = []
    watched.stored = watched.anchored = N
    _watcher(watched, one_by_one).start()
    assert len(one_by_one) >= 2, "the planted fault raised and cleared nothing"
    batches: list = []
    together = Watcher(
        watched,
        lambda f, a: pytest.fail("recorded alone"),
        bundled_graph,
        record_all=lambda found: batches.append(list(found)),
    )
    together.start()
    assert len(batches) == 1 and batches[0] == one_by_one
    assert not together.pending["d1"]


def test_alarms_the_ledger_refuses_together_are_recorded_one_by_one(watched):
    one_by_one: list = []
    watched.stored = watched.anchored = N
    _watcher(watched, one_by_one).start()
    first = one_by_one[0][0]

    def refuse(found):
        raise QcertError("an alarm of the batch is out of order")

    def record(f, a):
        if f.seq == first.seq:  # another process recorded this one first
            raise QcertError("recorded already")
        alone.append((f, a))

    alone: list = []
    watcher = Watcher(watched, record, bundled_graph, record_all=refuse)
    watcher.start()
    assert alone == one_by_one[1:]  # the rest are recorded, each on its own
    assert not watcher.pending["d1"]
