"""Watching a stream through the store: a monitor fitted on anchored readings through the bus
by the organisation's users only; alarms recorded by the watcher after the readings behind them
are anchored, carrying the window; a restarted watcher records no episode twice; everything
replays to the same projections."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from qcert.access import ANONYMOUS, Forbidden, Principal, Unauthenticated
from qcert.evidence.commands import RegisterDevice
from qcert.evidence.intake import Message
from qcert.evidence.monitor_commands import ClearStreamAlarm, FitMonitor, RaiseStreamAlarm
from qcert.evidence.monitor_handlers import bundled_graph
from qcert.evidence.monitor_model import StreamMonitor
from qcert.evidence.watch import Watcher
from qcert.quality.demo_line import FAULT_VARIABLE, PROCESS, SPECS, UNITS, line_readings
from qcert.schemes import RuleViolation
from qcert.store import snapshots
from qcert.store import tables as t
from qcert.store.replay import check_projections
from qcert.store.watch import StoreWatch, monitor_of
from tests.integration.evidence.world import build
from tests.services import SYSTEM, make_services

T0 = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)
NORMAL, FAULT, N = 480, 600, 900  # readings, one a second from T0
VARIABLES = [
    {
        "name": name,
        "unit": UNITS[name],
        **({"lower": SPECS[name][0]} if name in SPECS and SPECS[name][0] is not None else {}),
        **({"upper": SPECS[name][1]} if name in SPECS and SPECS[name][1] is not None else {}),
    }
    for name in UNITS
]
USER = Principal("c1-user", frozenset({("client-user", "client:c1")}))


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


def _messages(frame, lo: int, hi: int) -> list[Message]:
    out = []
    for start in range(lo, hi, 100):
        readings = [
            {
                "seq": i,
                "time": (T0 + timedelta(seconds=i)).isoformat(),
                "values": {k: float(v) for k, v in frame.iloc[i].items()},
            }
            for i in range(start, min(start + 100, hi))
        ]
        doc = {"device": "line1", "units": UNITS, "readings": readings}
        out.append(
            Message(
                "qcert/v1/c1/line1/readings",
                json.dumps(doc).encode(),
                T0 + timedelta(seconds=min(start + 100, hi)),
            )
        )
    return out


@pytest.fixture
def world(engine, tmp_path):
    clock = Clock()
    svc = make_services(engine, tmp_path, clock=clock)
    build(svc)
    svc.bus.handle(RegisterDevice("line1", "c1", "line", VARIABLES, "Line 1"), SYSTEM)
    line = line_readings(3, n=N, fault_at=FAULT, drift=0.1)
    svc.intake.take(_messages(line.frame, 0, NORMAL))
    # The line sends nothing more for now: its normal start's last window is anchored once
    # the clock is past that window's end plus the idle allowance (300 s).
    clock.now = T0 + timedelta(seconds=NORMAL + 300)
    svc.intake.anchor_due()
    yield svc, clock, line
    svc.close()


def _fit(svc, principal=USER, **kw):
    command = FitMonitor(
        "line1",
        kw.pop("kind", "pca"),
        T0,
        T0 + timedelta(seconds=NORMAL),
        graph="machining",
        variables=list(PROCESS),
        **kw,
    )
    return svc.bus.handle(command, principal)


def test_commands_run_together_are_each_checked_against_their_own_devices_organisation(world):
    # a unit of work looks each device's organisation up once: another organisation's
    # device, after the user's own, is still refused, and undoes the first
    svc, _, _ = world
    svc.bus.handle(RegisterDevice("c2-line", "c2", "line", VARIABLES, "Line"), SYSTEM)
    theirs = FitMonitor("c2-line", "pca", T0, T0 + timedelta(seconds=NORMAL))
    mine = FitMonitor("line1", "pca", T0, T0 + timedelta(seconds=NORMAL), variables=list(PROCESS))
    with pytest.raises(Forbidden):
        svc.bus.handle_all([mine, theirs], USER)
    with pytest.raises(Forbidden):
        svc.bus.handle_all([mine, mine, theirs, mine], USER)
    with svc.engine.connect() as conn:
        assert monitor_of(conn, "line1") is None
    assert svc.bus.handle_all([mine, mine], USER).indices


def _events(engine, name):
    e = t.events.c
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(e.ledger_index, e.document).where(e.type == name).order_by(e.ledger_index)
        ).all()
    return [(i, json.loads(doc)["data"]) for i, doc in rows]


def test_the_organisations_user_fits_a_monitor_recorded_with_its_limits_and_digest(world):
    svc, _, _ = world
    outcome = _fit(svc)
    [(_, fitted)] = _events(svc.engine, "evidence.monitor-fitted")
    assert fitted["device_id"] == "line1" and fitted["client_id"] == "c1"
    assert fitted["variables"] == list(PROCESS) and fitted["selected"] is True
    assert fitted["digest"] == outcome.reply["digest"]
    assert fitted["readings"] == NORMAL
    assert set(fitted["limits"]) == {"t2", "spe"}
    assert fitted["charts"]["bore_diameter"]["usl"] == SPECS["bore_diameter"][1]
    with svc.engine.connect() as conn:
        assert monitor_of(conn, "line1")["digest"] == fitted["digest"]


@pytest.mark.parametrize(
    ("principal", "error"),
    [
        (ANONYMOUS, Unauthenticated),
        (Principal("c2-user", frozenset({("client-user", "client:c2")})), Forbidden),
        (Principal("cb1-auditor", frozenset({("auditor", "body:cb1")})), Forbidden),
        (Principal("cb1-admin", frozenset({("cb-admin", "body:cb1")})), Forbidden),
        (Principal("admin", frozenset({("platform-admin", "platform")})), Forbidden),
    ],
)
def test_nobody_but_the_organisations_users_fits_its_monitor(world, principal, error):
    svc, _, _ = world
    with pytest.raises(error):
        _fit(svc, principal)
    assert _events(svc.engine, "evidence.monitor-fitted") == []


def test_only_the_platform_itself_records_an_alarm(world):
    svc, _, _ = world
    _fit(svc)
    at = T0 + timedelta(seconds=100)
    for command in (
        RaiseStreamAlarm(
            "line1",
            100,
            at,
            98,
            "spe",
            {"spe": 9.0},
            {"spe": 1.0},
            [],
            [],
            "0" * 64,
            T0,
            "0" * 64,
            1,
        ),
        ClearStreamAlarm("line1", 101, at, 100, T0, "0" * 64, 1),
    ):
        with pytest.raises(Forbidden):
            svc.bus.handle(command, USER)


def test_a_normal_period_not_yet_anchored_is_refused(world):
    svc, _, _ = world
    command = FitMonitor("line1", "pca", T0, T0 + timedelta(seconds=NORMAL + 60))
    with pytest.raises(RuleViolation, match=r"^end"):
        svc.bus.handle(command, USER)


def test_an_alarm_is_recorded_once_its_window_is_anchored_and_names_the_fault(world):
    svc, clock, line = world
    _fit(svc)
    clock.now = T0 + timedelta(seconds=N)
    svc.intake.take(_messages(line.frame, NORMAL, N))
    assert _events(svc.engine, "evidence.alarm-raised") == []  # its window is not anchored
    clock.now = T0 + timedelta(seconds=N + 75)
    svc.intake.anchor_due()
    raised = _events(svc.engine, "evidence.alarm-raised")
    assert raised, "the planted fault raised no alarm"
    index, first = next((i, a) for i, a in raised if a["seq"] >= FAULT)
    assert first["top_variables"][0]["variable"] == FAULT_VARIABLE
    assert first["root_causes"][0]["variable"] == FAULT_VARIABLE
    assert first["seq"] - FAULT <= 60  # bench/stream_watch.py: within 60 readings (s)
    windows = dict(_events(svc.engine, "evidence.window-anchored"))
    window = windows[first["window_index"]]
    assert window["device_id"] == "line1" and window["root"] == first["window_root"]
    assert window["first_seq"] <= first["seq"] <= window["last_seq"]
    assert first["window_index"] < index  # the window's event came first
    assert check_projections(svc.engine) == []


def test_a_restarted_watcher_goes_on_without_recording_an_episode_twice(world):
    svc, clock, line = world
    _fit(svc)
    clock.now = T0 + timedelta(seconds=700)
    svc.intake.take(_messages(line.frame, NORMAL, 700))
    clock.now = T0 + timedelta(seconds=700 + 75)
    svc.intake.anchor_due()
    before = _events(svc.engine, "evidence.alarm-raised") + _events(
        svc.engine, "evidence.alarm-cleared"
    )
    # a new process: nothing of the old watcher but the store
    svc.intake.watcher = Watcher(StoreWatch(svc.engine), svc.watcher.record, bundled_graph)
    svc.intake.watcher.start()
    after = _events(svc.engine, "evidence.alarm-raised") + _events(
        svc.engine, "evidence.alarm-cleared"
    )
    assert after == before
    clock.now = T0 + timedelta(seconds=N + 75)
    svc.intake.take(_messages(line.frame, 700, N))
    svc.intake.anchor_due()
    seqs = [a["seq"] for _, a in _events(svc.engine, "evidence.alarm-raised")]
    assert len(seqs) == len(set(seqs))
    assert check_projections(svc.engine) == []


def test_a_long_history_of_alarms_is_snapshotted_and_replays_to_the_same_state(world):
    svc, _, _ = world
    digest = _fit(svc).reply["digest"]
    at, root = T0 + timedelta(seconds=100), "0" * 64
    for k in range(40):  # 80 events: past the snapshot interval
        seq = 1000 + 10 * k
        svc.bus.handle(
            RaiseStreamAlarm(
                "line1", seq, at, seq - 2, "spe", {"spe": 9.5}, {"spe": 4.0},
                [{"variable": "coolant_temp", "contribution": 5.0, "share": 0.8}], [],
                digest, T0, root, 1,
            ),
            SYSTEM,
        )  # fmt: skip
        svc.bus.handle(ClearStreamAlarm("line1", seq + 3, at, seq, T0, root, 1), SYSTEM)
    with svc.engine.connect() as conn:
        snapshot = conn.execute(
            sa.select(t.snapshots.c.seq).where(t.snapshots.c.aggregate == "stream:line1")
        ).scalar()
        alarms = conn.execute(sa.select(sa.func.count()).select_from(t.evidence_alarms)).scalar()
    assert snapshot is not None and alarms == 40
    assert check_projections(svc.engine) == []


def _raise(seq, digest):
    at = T0 + timedelta(seconds=100)
    top = [{"variable": "coolant_temp", "contribution": 5.0, "share": 0.8}]
    return RaiseStreamAlarm(
        "line1", seq, at, seq - 2, "spe", {"spe": 9.5}, {"spe": 4.0}, top, [], digest, T0,
        "0" * 64, 1,
    )  # fmt: skip


def _clear(seq, raised):
    return ClearStreamAlarm("line1", seq, T0 + timedelta(seconds=100), raised, T0, "0" * 64, 1)


def _episodes(engine):
    a = t.evidence_alarms.c
    with engine.connect() as conn:
        rows = conn.execute(sa.select(a.seq, a.cleared, a.client_id).order_by(a.seq)).all()
    return [tuple(r) for r in rows]


def test_alarm_episodes_follow_their_events_however_the_units_of_work_group_them(world):
    # The episodes are written from the events each unit of work records: one raised and
    # cleared within a unit, one cleared in a later unit, one ended by a monitor fitted anew,
    # and the new monitor's own, open. The audit's replay of the ledger must agree.
    svc, _, _ = world
    digest = _fit(svc).reply["digest"]
    svc.bus.handle_all([_raise(1000, digest), _clear(1003, 1000), _raise(1010, digest)], SYSTEM)
    assert _episodes(svc.engine) == [(1000, 1003, "c1"), (1010, None, "c1")]
    svc.bus.handle(_clear(1015, 1010), SYSTEM)
    svc.bus.handle(_raise(1020, digest), SYSTEM)
    again = _fit(svc, kind="dpca").reply["digest"]
    svc.bus.handle_all([_raise(1030, again), _clear(1031, 1030), _raise(1040, again)], SYSTEM)
    assert _episodes(svc.engine) == [
        (1000, 1003, "c1"),
        (1010, 1015, "c1"),
        (1020, -1, "c1"),  # its monitor was replaced while it was open
        (1030, 1031, "c1"),
        (1040, None, "c1"),
    ]
    with svc.engine.connect() as conn:
        assert monitor_of(conn, "line1")["open_seq"] == 1040
    assert check_projections(svc.engine) == []


def test_an_alarm_episode_edited_or_removed_is_named_by_the_audit(world):
    svc, _, _ = world
    digest = _fit(svc).reply["digest"]
    svc.bus.handle_all([_raise(1000, digest), _clear(1003, 1000), _raise(1010, digest)], SYSTEM)
    a = t.evidence_alarms.c
    with svc.engine.begin() as conn:
        conn.execute(t.evidence_alarms.update().where(a.seq == 1000).values(cleared=1001))
    problems = check_projections(svc.engine)
    assert any("evidence_alarms: row missing or changed" in p and "1003" in p for p in problems)
    assert all(p.startswith("evidence_alarms") for p in problems), problems
    with svc.engine.begin() as conn:
        conn.execute(t.evidence_alarms.update().where(a.seq == 1000).values(cleared=1003))
        conn.execute(t.evidence_alarms.delete().where(a.seq == 1010))
    (problem,) = check_projections(svc.engine)
    assert problem.startswith("evidence_alarms: row missing or changed") and "1010" in problem


def test_a_streams_state_does_not_grow_with_its_alarms(world):
    # A stream raises thousands of alarms: its state (kept in memory between units of work,
    # snapshotted every 64 events) must hold the open one, not the history.
    svc, _, _ = world
    digest = _fit(svc).reply["digest"]
    sizes = []
    for k in range(3):
        for j in range(40):
            seq = 10_000 * (k + 1) + 10 * j
            svc.bus.handle_all([_raise(seq, digest), _clear(seq + 3, seq)], SYSTEM)
        with svc.bus.unit_of_work("t") as uow:
            stream = uow.get(StreamMonitor, "line1")
        sizes.append(len(snapshots.encode(stream)))
    assert len(_episodes(svc.engine)) == 120 and stream.last_cleared == 30_393
    assert max(sizes) - min(sizes) <= 4  # the digits of the last seqs


def test_a_reading_lies_in_an_anchored_window_exactly_when_it_was_taken_before_anchored_until(
    world,
):
    # The watcher looks up an alarm's window only for a reading taken before its device's
    # anchored end; the store must agree that every such reading has its window, and no other.
    svc, clock, line = world
    clock.now = T0 + timedelta(seconds=700)
    svc.intake.take(_messages(line.frame, NORMAL, 700))
    clock.now = T0 + timedelta(seconds=700 + 75)
    svc.intake.anchor_due()
    store = StoreWatch(svc.engine)
    until = store.anchored_until(["line1", "nobody"])
    assert set(until) == {"line1"}
    assert T0 + timedelta(seconds=NORMAL) < until["line1"] < T0 + timedelta(seconds=700)
    taken = [T0 + timedelta(seconds=seq) for seq in range(0, 700, 7)]  # one a second from T0
    anchors = store.anchors_at("line1", taken)
    for at, anchor in zip(taken, anchors, strict=True):
        assert (anchor is not None) == (at < until["line1"]), at
        if anchor is not None:  # the window that holds it, and no other
            assert anchor.start <= at < anchor.start + timedelta(seconds=60), at
    # Asked one by one, the same answers; before everything, none.
    assert [store.anchors_at("line1", [at])[0] for at in taken] == anchors
    assert store.anchors_at("line1", [T0 - timedelta(days=1)]) == [None]
    assert store.anchors_at("nobody", taken[:2]) == [None, None]
    assert store.anchors_at("line1", []) == []
