"""An intake anchors the windows it committed from the leaves it holds, and only when the
store counts exactly the readings it holds: a window part of which another consumer stored,
or whose readings came out of order, is read from the store. Either way the root recorded is
the tree of the readings stored (the audit recomputes every window from the rows), and a
window's count and seq range come from the (device, time, seq) index alone."""

from __future__ import annotations

import shutil
from datetime import timedelta

import pytest

from qcert.evidence.intake import Intake
from qcert.evidence.window import packed_window_root, window_root
from qcert.store import create_engine
from qcert.store import evidence as store
from qcert.store.evidence_audit import check_windows
from qcert.store.replay import check_projections
from tests.integration.evidence import stored as kept
from tests.integration.evidence.world import NOW, build, message, reading
from tests.services import make_services


@pytest.fixture
def svc(engine, tmp_path):
    services = make_services(engine, tmp_path, clock=lambda: NOW)
    build(services)
    yield services
    services.close()


@pytest.fixture
def reads(monkeypatch):
    """The devices whose readings anchoring read from the store, in order."""
    devices: list[str] = []
    real = store._due_windows

    def spy(conn, device_id, since, cutoff, window):
        devices.append(device_id)
        return real(conn, device_id, since, cutoff, window)

    monkeypatch.setattr(store, "_due_windows", spy)
    return devices


def _minute(first: int, count: int, minute: int = 0) -> list[dict]:
    """``count`` readings from seq ``first``, in order, in the window at NOW + ``minute``."""
    at = NOW + timedelta(minutes=minute)
    return [reading(s, at=at + timedelta(seconds=s % 50)) for s in range(first, first + count)]


def _moved_on(svc, seq: int, minutes: int = 2) -> None:
    """d1 sends a reading past the windows before, so they are due."""
    late = NOW + timedelta(minutes=minutes, seconds=15)
    svc.intake.take([message([reading(seq, at=late)], received=late)])


def test_windows_committed_in_order_are_anchored_from_what_the_intake_holds(svc, reads):
    intake = svc.intake
    intake.take([message(_minute(0, 20)), message(_minute(20, 30))])
    intake.take([message(_minute(50, 25, minute=1))])
    assert intake.held.held == 75
    _moved_on(svc, 75)
    assert intake.anchor_due(NOW + timedelta(minutes=2, seconds=20)) == 2
    assert reads == []  # neither window was read from the store
    assert check_windows(svc.engine) == []  # the roots are the stored readings' trees
    assert check_projections(svc.engine) == []
    # Once anchored, their leaves are let go.
    _moved_on(svc, 76, minutes=3)
    assert intake.held.held == 2


def test_a_window_of_many_readings_is_anchored_from_its_folded_subtrees(svc, reads):
    # 1,100 readings in batches that do not line up with the subtrees the intake folds, so
    # its root is whole subtrees and a tail; the audit recomputes it from the stored rows.
    intake = svc.intake
    for first in range(0, 1100, 275):
        intake.take([message(_minute(first, 275))])
    (start,) = intake.held.windows["d1"]
    held = intake.held.window_of("d1", start)
    assert held is not None and held.count == 1100 and held.sizes
    _moved_on(svc, 1100)
    assert intake.anchor_due(NOW + timedelta(minutes=2, seconds=20)) == 1
    assert reads == []
    assert check_windows(svc.engine) == []


def test_a_window_another_consumer_stored_part_of_is_read_from_the_store(svc, reads):
    other = Intake(svc.engine)  # a second consumer of the same stream, same store
    svc.intake.take([message(_minute(0, 20))])
    other.take([message(_minute(20, 10))])  # the rest of the window, through the other
    svc.intake.take([message(_minute(30, 10, minute=1))])
    _moved_on(svc, 40)
    assert svc.intake.anchor_due(NOW + timedelta(minutes=2, seconds=20)) == 2
    assert reads == ["d1"]  # its count was short of the store's: read whole
    assert check_windows(svc.engine) == []


def test_a_window_whose_readings_came_out_of_order_is_read_from_the_store(svc, reads):
    later, earlier = _minute(10, 10), _minute(0, 10)
    svc.intake.take([message(later)])
    svc.intake.take([message(earlier)])
    _moved_on(svc, 20)
    assert svc.intake.anchor_due(NOW + timedelta(minutes=2, seconds=20)) == 1
    assert reads == ["d1"]
    assert check_windows(svc.engine) == []


def test_an_intake_started_afresh_reads_its_windows_from_the_store(svc, reads):
    svc.intake.take([message(_minute(0, 10))])
    fresh = Intake(svc.engine, bus=svc.bus)  # a restart: it holds nothing
    late = NOW + timedelta(minutes=2, seconds=15)
    fresh.take([message([reading(10, at=late)], received=late)])
    assert fresh.anchor_due(NOW + timedelta(minutes=2, seconds=20)) == 1
    assert reads == ["d1"]
    assert check_windows(svc.engine) == []


def test_each_look_up_of_blocks_is_one_range_of_an_index(svc, sqlite_template, tmp_path):
    # what the intake and anchoring run after every batch: none may scan a device's blocks
    path = tmp_path / "plan.db"
    shutil.copy2(sqlite_template, path)
    engine = create_engine(f"sqlite:///{path}")
    statements: list[str] = []
    try:
        with engine.connect() as conn:
            raw = conn.connection.dbapi_connection
            raw.set_trace_callback(statements.append)
            assert store.window_counts(conn, "d1", 0, 10, 5) == {}
            assert store.window_summary(conn, "d1", 0, 10) == (0, -1, -1)
            assert store.existing(conn, {"d1": (0, 10)}) == {}
            assert store.pending(conn) == []
            raw.set_trace_callback(None)
            blocks = [s for s in statements if "evidence_blocks" in s]
            plans = [
                " ".join(str(row[-1]) for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {s}"))
                for s in blocks
            ]
    finally:
        engine.dispose()
    assert len(plans) == 5
    by_start = "SEARCH evidence_blocks USING INDEX ix_evidence_blocks_device_start"
    by_key = "SEARCH evidence_blocks USING INDEX sqlite_autoindex_evidence_blocks_1"
    assert by_start in plans[0] and by_start in plans[1], plans
    assert by_key in plans[2], plans
    assert not any("SCAN" in p for p in plans[:3]), plans
    # which windows are due: a seek or two per device, never a scan of the blocks
    assert all("SCAN evidence_blocks" not in p and "SCAN b " not in p + " " for p in plans), plans


def test_window_counts_counts_each_window_of_a_range(svc):
    svc.intake.take([message(_minute(0, 5)), message(_minute(5, 3, minute=1))])
    since = int(NOW.timestamp()) * 1_000_000
    minute = 60_000_000
    with svc.engine.connect() as conn:
        assert store.window_counts(conn, "d1", since, since + 2 * minute, minute) == {
            since: 5,
            since + minute: 3,
        }
        # The range's end is not in it; nor is another device's reading.
        assert store.window_counts(conn, "d1", since, since + minute, minute) == {since: 5}
        assert store.window_counts(conn, "d2", since, since + 2 * minute, minute) == {}


@pytest.mark.parametrize("layout", ["whole", "interleaved", "straddling"])
def test_the_store_gives_each_due_window_the_root_of_its_readings_in_seq_order(
    svc, monkeypatch, layout
):
    # whole blocks whose seqs follow one another are joined as they lie; blocks whose seqs
    # interleave (two consumers), or that straddle a window's edge (a shorter window than
    # the blocks were cut for), are unpacked and merged by seq
    svc.intake.take([message(_minute(0, 40)), message(_minute(40, 30, minute=1))])
    since = int(NOW.timestamp()) * 1_000_000
    window = 30_000_000 if layout == "straddling" else 60_000_000
    if layout == "interleaved":
        kept.rewrite(svc.engine, lambda rows: rows, split=lambda rows: [rows[0::2], rows[1::2]])
    expected: dict[int, list] = {}
    for r in kept.stored(svc.engine, "d1"):
        expected.setdefault(r.time_us // window * window, []).append((r.seq, r.leaf))
    cutoff = since + 120_000_000
    with svc.engine.connect() as conn:
        [(_, _, windows)] = store.due(conn, {"d1": cutoff}, window, 10)
        # past the bound, a pass stops once its first window is whole, however many
        # blocks that window holds
        monkeypatch.setattr(store, "_DUE_ROWS", 1)
        [(_, _, first)] = store.due(conn, {"d1": cutoff}, window, 10)
    assert [w[0] for w in windows] == sorted(expected)
    for start, end, low, high, count, leaves in windows:
        members = sorted(expected[start])
        assert (end - start, low, high) == (window, members[0][0], members[-1][0])
        assert count == len(members)
        assert packed_window_root(leaves) == window_root([leaf for _, leaf in members])
    # a pass that reads short of a window's end leaves it, whole, to the next
    assert first and first == windows[: len(first)] and len(first) < len(windows)
