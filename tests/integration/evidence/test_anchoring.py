"""Windows are anchored on the ledger once due, by the device's own time (a reading of it past
the window's end plus the grace) or, for a silent device, by the clock after the idle
allowance; a reading's proof verifies offline against a signed checkpoint and fails for any
changed byte; the audit finds a reading edited, deleted or added after anchoring; a reading
late for its device is refused, one merely held up on the consumer's side is not."""

from __future__ import annotations

import copy
import json
from datetime import timedelta

import pytest
import sqlalchemy as sa

from qcert.evidence.blocks import floats, pack_floats
from qcert.evidence.payload import canonical_reading, micros
from qcert.evidence.proofs import NotAnchored, ReadingNotFound, proof_of_reading
from qcert.evidence.window import ProofInvalid, leaf_hash, verify_reading_proof, window_root
from qcert.store import tables as t
from qcert.store.replay import check_projections
from tests.integration.evidence import stored as kept
from tests.integration.evidence.world import NOW, build, message, reading
from tests.services import make_services


class Clock:
    def __init__(self):
        self.now = NOW

    def __call__(self):
        return self.now


@pytest.fixture
def world(engine, tmp_path):
    clock = Clock()
    svc = make_services(engine, tmp_path, clock=clock)
    build(svc)
    # window 08:00 holds seqs 0-4 (sent out of order), window 08:01 holds 5-6 (08:01:10 and
    # 08:01:15: the device has moved past 08:00's end plus the 10 s grace, not past 08:01's)
    first = [reading(s, at=NOW + timedelta(seconds=10 * s)) for s in (3, 0, 4, 1, 2)]
    later = [reading(s, at=NOW + timedelta(seconds=45 + 5 * s)) for s in (5, 6)]
    svc.intake.take([message(first), message(later, received=NOW + timedelta(seconds=70))])
    yield svc, clock
    svc.close()


def _windows(engine):
    with engine.connect() as conn:
        return conn.execute(
            sa.select(t.evidence_windows).order_by(t.evidence_windows.c.start_us)
        ).all()


def test_a_window_is_anchored_once_its_device_has_moved_past_its_end_and_grace(world):
    svc, _ = world
    # 08:00 is due (d1 sent 08:01:10); 08:01 is not, its device has sent nothing past 08:02:10
    assert svc.intake.anchor_due(NOW + timedelta(seconds=75)) == 1
    assert svc.intake.anchor_due(NOW + timedelta(seconds=75)) == 0  # nothing twice
    [w] = _windows(svc.engine)
    assert (w.first_seq, w.last_seq, w.count) == (0, 4, 5)
    # The clock past 08:02:10 does not make 08:01 due while the device may still be sending.
    assert svc.intake.anchor_due(NOW + timedelta(seconds=130)) == 0
    svc.intake.take([message([reading(7, at=NOW + timedelta(seconds=130))])])
    assert svc.intake.anchor_due(NOW + timedelta(seconds=131)) == 1
    assert check_projections(svc.engine) == []


def test_a_consumers_backlog_is_not_late_and_is_anchored_once_the_device_moves_on(world):
    # 08:01's readings 8-9 reach the intake at 08:04, long after the window's end plus the
    # grace by the clock (a backlog in a consumer's inbox or at the broker), but the device
    # has sent nothing past 08:02:10 yet: they are timely for it, so they are stored
    svc, _ = world
    held = NOW + timedelta(minutes=4)
    assert svc.intake.anchor_due(held) == 1  # 08:00 only
    backlog = [reading(s, at=NOW + timedelta(seconds=60 + 5 * s)) for s in (8, 9)]
    [verdict] = svc.intake.take([message(backlog, received=held)])
    assert (verdict.status, verdict.stored) == ("stored", 2)
    assert svc.intake.anchor_due(held) == 0
    moved_on = message([reading(10, at=NOW + timedelta(seconds=130))], received=held)
    assert svc.intake.take([moved_on])[0].status == "stored"
    assert svc.intake.anchor_due(held) == 1
    w = _windows(svc.engine)[1]
    assert (w.first_seq, w.last_seq, w.count) == (5, 9, 4)
    assert check_projections(svc.engine) == []


def test_a_silent_devices_windows_are_anchored_after_the_idle_allowance(world):
    # d1 sends nothing after 08:01:15: its window 08:01 (ends 08:02) is anchored by the clock
    # once 08:02 plus the idle allowance (300 s) has passed, and not before
    svc, _ = world
    assert svc.intake.idle_seconds == 300
    assert svc.intake.anchor_due(NOW + timedelta(seconds=120 + 299)) == 1  # 08:00 only
    assert svc.intake.anchor_due(NOW + timedelta(seconds=120 + 300)) == 1
    assert [(w.first_seq, w.last_seq) for w in _windows(svc.engine)] == [(0, 4), (5, 6)]
    late = message(
        [reading(8, at=NOW + timedelta(seconds=90))], received=NOW + timedelta(minutes=8)
    )
    assert svc.intake.take([late])[0].code == "evidence.late"
    assert check_projections(svc.engine) == []


def test_a_reading_late_for_its_device_is_refused_though_sent_at_once(world):
    # the device is at 08:01:15 and 08:00 is anchored: a reading it dates 08:00:50 is late for
    # the device itself, however soon after that time it is received
    svc, _ = world
    assert svc.intake.anchor_due(NOW + timedelta(seconds=76)) == 1
    [verdict] = svc.intake.take(
        [
            message(
                [reading(8, at=NOW + timedelta(seconds=50))], received=NOW + timedelta(seconds=76)
            )
        ]
    )
    assert verdict.code == "evidence.late"
    assert "anchored" in verdict.reason_en and "固化" in verdict.reason_zh
    with svc.engine.connect() as conn:
        codes = conn.execute(sa.select(t.evidence_dead_letters.c.code)).scalars().all()
    assert codes == ["evidence.late"]


def test_a_reading_of_an_anchored_window_is_late(world):
    svc, _ = world
    svc.intake.anchor_due(NOW + timedelta(seconds=75))
    [verdict] = svc.intake.take(
        [
            message(
                [reading(7, at=NOW + timedelta(seconds=30))], received=NOW + timedelta(seconds=80)
            )
        ]
    )
    assert verdict.code == "evidence.late"


def test_a_reading_sent_again_after_its_window_was_anchored_is_a_duplicate_not_refused(world):
    # at-least-once delivery: a gateway that never saw its answer sends the batch again,
    # after anchoring; the same reading is no error, another one under its seq still is
    svc, _ = world
    svc.intake.anchor_due(NOW + timedelta(seconds=75))
    again = [reading(s, at=NOW + timedelta(seconds=10 * s)) for s in (3, 0, 4, 1, 2)]
    late = NOW + timedelta(seconds=80)
    resent, changed = svc.intake.take(
        [
            message(again, received=late),
            message([reading(2, at=NOW + timedelta(seconds=20), temp=49.0)], received=late),
        ]
    )
    assert (resent.status, resent.duplicates) == ("duplicate", 5)
    assert changed.status == "refused" and changed.code in ("evidence.late", "evidence.replayed")
    assert check_projections(svc.engine) == []


def _proof(svc, seq):
    svc.ledger.sign_due()
    return proof_of_reading(svc.engine, svc.ledger, "d1", seq)


def test_a_proof_verifies_and_fails_for_a_changed_byte(world):
    svc, _ = world
    with pytest.raises(NotAnchored):
        proof_of_reading(svc.engine, svc.ledger, "d1", 2)
    with pytest.raises(ReadingNotFound):
        proof_of_reading(svc.engine, svc.ledger, "d1", 99)
    svc.intake.anchor_due(NOW + timedelta(seconds=75))
    doc = _proof(svc, 2)
    vkeys = [v.vkey() for v in svc.ledger.verifiers()]
    ok = verify_reading_proof(json.loads(json.dumps(doc)), vkeys)
    assert (ok.device, ok.seq, ok.index) == ("d1", 2, doc["entry_index"])
    changed = copy.deepcopy(doc)
    changed["reading"] = doc["reading"].replace('"temp":50', '"temp":51')
    assert changed["reading"] != doc["reading"]
    with pytest.raises(ProofInvalid):
        verify_reading_proof(changed, vkeys)
    for field in ("entry", "bundle"):
        broken = copy.deepcopy(doc)
        text = broken[field]
        broken[field] = text[:40] + ("A" if text[40] != "A" else "B") + text[41:]
        with pytest.raises(ProofInvalid):
            verify_reading_proof(broken, vkeys)
    broken = copy.deepcopy(doc)
    broken["window"]["hashes"][0] = "00" * 32
    with pytest.raises(ProofInvalid):
        verify_reading_proof(broken, vkeys)


def _edited(rows):
    return [
        r._replace(body=r.body.replace('"temp":50', '"temp":49')) if r.seq == 1 else r for r in rows
    ]


@pytest.mark.parametrize(
    "tamper",
    [
        _edited,
        lambda rows: [r._replace(time_us=r.time_us + 1) if r.seq == 1 else r for r in rows],
        lambda rows: [r for r in rows if r.seq != 4],
    ],
    ids=["edited", "moved", "deleted"],
)
def test_the_audit_finds_a_reading_changed_after_anchoring(world, tamper):
    svc, _ = world
    svc.intake.anchor_due(NOW + timedelta(seconds=75))
    assert check_projections(svc.engine) == []
    kept.rewrite(svc.engine, tamper)
    problems = check_projections(svc.engine)
    assert problems and all("evidence" in p for p in problems), problems


def test_the_audit_finds_a_reading_slipped_into_an_anchored_window(world):
    svc, _ = world
    svc.intake.anchor_due(NOW + timedelta(seconds=75))

    def slipped(rows):
        [one] = [r for r in rows if r.seq == 1]
        return [*rows, one._replace(seq=100, body=one.body.replace('"seq":1', '"seq":100'))]

    kept.rewrite(svc.engine, slipped)
    assert any("anchored" in p for p in check_projections(svc.engine))


@pytest.mark.parametrize(
    "header",
    ["count = count + 1", "start_us = start_us + 1", "last_seq = last_seq + 1"],
)
def test_the_audit_finds_a_block_whose_header_does_not_say_what_it_holds(world, header):
    # a header that lies would hide readings from the look-ups that trust it
    svc, _ = world
    svc.intake.anchor_due(NOW + timedelta(seconds=75))
    with svc.engine.begin() as conn:
        conn.exec_driver_sql(f"UPDATE evidence_blocks SET {header}")
    problems = check_projections(svc.engine)
    assert any("does not hold what its header says" in p for p in problems), problems


def _value_blocks(engine):
    b = t.evidence_blocks.c
    with engine.connect() as conn:
        return conn.execute(
            sa.select(b.device_id, b.first_seq, b.variables, b.value_table)
            .where(b.variables.is_not(None))
            .order_by(b.first_seq)
        ).all()


def _set_table(engine, device_id, first_seq, table):
    b = t.evidence_blocks.c
    with engine.begin() as conn:
        conn.execute(
            t.evidence_blocks.update()
            .where(b.device_id == device_id, b.first_seq == first_seq)
            .values(value_table=table)
        )


def test_the_audit_finds_a_value_changed_in_a_block_that_keeps_values(world):
    # the usual readings keep their values, not their texts: a value changed after anchoring
    # changes the text written from it, and so the window's root
    svc, _ = world
    svc.intake.anchor_due(NOW + timedelta(seconds=75))
    blocks = _value_blocks(svc.engine)
    assert blocks and check_projections(svc.engine) == []
    device_id, first_seq, variables, table = blocks[0]
    assert variables.split(",") == ["temp", "pressure"]
    values = floats(table)
    values[1] += 0.5
    _set_table(svc.engine, device_id, first_seq, pack_floats(values))
    problems = check_projections(svc.engine)
    assert any("root differs" in p for p in problems), problems


def test_the_audit_finds_a_block_of_values_that_does_not_hold_its_count(world):
    svc, _ = world
    svc.intake.anchor_due(NOW + timedelta(seconds=75))
    device_id, first_seq, _, table = _value_blocks(svc.engine)[0]
    _set_table(svc.engine, device_id, first_seq, bytes(table)[:-8])
    problems = check_projections(svc.engine)
    assert any("does not hold what its header says" in p for p in problems), problems
    assert any("readings" in p and "anchored" in p for p in problems), problems


@pytest.mark.parametrize("offset", [-3600, 130], ids=["before-the-first-window", "in-a-gap"])
def test_the_audit_finds_a_reading_slipped_into_an_anchored_past_outside_every_window(
    world, offset
):
    # windows 08:00 and 08:01 are anchored, and 08:03 (seq 7); nothing was sent for 08:02 nor
    # before 08:00, so the intake refuses any reading dated there as late: one that appears
    # there was written around it, and lies in no window a proof could come from
    svc, _ = world
    later = message([reading(7, at=NOW + timedelta(seconds=200))], received=NOW)
    assert svc.intake.take([later])[0].status == "stored"
    svc.intake.anchor_due(NOW + timedelta(seconds=600))  # 08:03 by the idle allowance
    assert check_projections(svc.engine) == []
    at = micros(NOW + timedelta(seconds=offset))
    body = canonical_reading("d1", 50, at, {"temp": 99.0, "pressure": 1.0}, None)
    added = kept.Stored("d1", 50, at, at, body.decode(), leaf_hash(body))
    kept.rewrite(svc.engine, lambda rows: [*rows, added])
    problems = check_projections(svc.engine)
    assert any("reading 50" in p and "no anchored window" in p for p in problems), problems


def test_the_servers_schedule_anchors_what_is_due(world):
    svc, clock = world
    clock.now = NOW + timedelta(minutes=10)
    assert svc.schedule.anchor is not None
    assert svc.schedule.anchor_due() == 2  # what `qcert serve` runs every few seconds
    assert len(_windows(svc.engine)) == 2


def test_an_anchoring_event_is_the_organisations_and_its_bodies(world):
    from qcert.store.entries import entry_owner

    svc, _ = world
    svc.intake.anchor_due(NOW + timedelta(seconds=75))
    [w] = _windows(svc.engine)
    with svc.engine.connect() as conn:
        owner = entry_owner(conn, w.ledger_index)
    assert owner.kind == "event" and owner.clients == frozenset({"c1"})


def _root_of(engine, seqs):
    """The tree root of d1's stored readings ``seqs``."""
    leaves = [r.leaf for r in kept.stored(engine, "d1") if r.seq in seqs]
    return window_root(leaves).hex()


def _anchor(svc, at, prepared):
    from qcert.access import Principal
    from qcert.evidence.commands import AnchorWindows

    intake = svc.intake
    command = AnchorWindows(
        at,
        intake.window_seconds,
        intake.grace_seconds,
        idle_seconds=intake.idle_seconds,
        prepared=prepared,
    )
    return svc.bus.handle(command, Principal.system("evidence-anchor")).reply["anchored"]


def test_a_window_prepared_outside_the_transaction_is_recorded_as_prepared(world):
    svc, _ = world
    at = NOW + timedelta(seconds=75)
    [prepared] = svc.intake._prepare_windows(at, 100)
    assert (prepared.first_seq, prepared.last_seq, prepared.count) == (0, 4, 5)
    assert _anchor(svc, at, (prepared,)) == 1
    [w] = _windows(svc.engine)
    assert (w.count, w.root) == (5, prepared.root)
    assert w.root == _root_of(svc.engine, [0, 1, 2, 3, 4])
    assert check_projections(svc.engine) == []


def test_a_prepared_window_that_took_a_reading_meanwhile_is_anchored_from_the_store(world):
    # 08:00 is prepared with 5 readings; a sixth, dated inside it, is stored before the
    # anchoring transaction: the stale tree is not recorded, the window's 6 readings are
    svc, _ = world
    at = NOW + timedelta(seconds=75)
    [prepared] = svc.intake._prepare_windows(at, 100)
    extra = message([reading(8, at=NOW + timedelta(seconds=55))], received=at)
    assert svc.intake.take([extra])[0].status == "stored"
    assert _anchor(svc, at, (prepared,)) == 1
    [w] = _windows(svc.engine)
    assert (w.first_seq, w.last_seq, w.count) == (0, 8, 6)
    assert w.root != prepared.root
    assert w.root == _root_of(svc.engine, [0, 1, 2, 3, 4, 8])


def test_no_reading_stored_before_a_prepared_window_is_passed_over(world):
    # 08:00 and 08:01 are anchored (the device fell silent); it comes back with readings in
    # 08:08 and 08:09, so 08:08 is prepared, with 08:02-08:07 empty. A reading dated 08:05,
    # stored before the anchoring transaction, is not late (d1 is anchored up to 08:02 only):
    # it must be anchored in 08:05, not passed over by recording 08:08 alone
    svc, _ = world
    assert svc.intake.anchor_due(NOW + timedelta(minutes=7)) == 2
    at = NOW + timedelta(minutes=9, seconds=30)
    back = [reading(20, at=NOW + timedelta(minutes=8, seconds=5))]
    back.append(reading(21, at=NOW + timedelta(minutes=9, seconds=20)))
    svc.intake.take([message(back, received=at)])
    prepared = svc.intake._prepare_windows(at, 100)
    assert [(p.first_seq, p.last_seq) for p in prepared] == [(20, 20)]
    gap = message([reading(9, at=NOW + timedelta(minutes=5))], received=at)
    assert svc.intake.take([gap])[0].status == "stored"
    assert _anchor(svc, at, prepared) == 2
    assert [(w.first_seq, w.last_seq, w.count) for w in _windows(svc.engine)] == [
        (0, 4, 5),
        (5, 6, 2),
        (9, 9, 1),
        (20, 20, 1),
    ]
    assert check_projections(svc.engine) == []


def test_windows_prepared_before_another_anchoring_are_not_anchored_twice(world):
    svc, _ = world
    at = NOW + timedelta(seconds=75)
    stale = svc.intake._prepare_windows(at, 100)
    assert svc.intake.anchor_due(at) == 1
    assert _anchor(svc, at, stale) == 0
    assert len(_windows(svc.engine)) == 1
    assert check_projections(svc.engine) == []
