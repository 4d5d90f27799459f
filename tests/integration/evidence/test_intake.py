"""The intake stores each reading exactly once, refuses every bad message with its code (and
keeps it as a dead letter) without losing the next good one, on SQLite and PostgreSQL."""

from __future__ import annotations

import base64
import hashlib
import json
import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qcert.evidence.intake import Intake, Message, Verdict
from qcert.evidence.payload import canonical_reading, micros
from qcert.store import evidence as views
from qcert.store import tables as t
from tests.integration.evidence import stored as kept
from tests.integration.evidence.world import NOW, UNITS, message, raw, reading


def _count(engine, table) -> int:
    with engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()


def test_a_reading_resent_is_stored_once(services):
    intake = services.intake
    first = intake.take([message([reading(0), reading(1)])])
    again = intake.take([message([reading(0), reading(1)]), message([reading(1), reading(2)])])
    assert first == [Verdict("stored", 2, 0)]
    assert again == [Verdict("duplicate", 0, 2), Verdict("stored", 1, 1)]
    assert kept.count(services.engine) == 3


def test_a_batch_of_more_readings_than_one_block_holds_is_stored_whole(services):
    # a block holds at most 1,024 readings: 2,537 are stored in three blocks, every reading
    # as sent, and the leaves match the stored bodies.
    messages = [
        message([reading(s, NOW + timedelta(milliseconds=s), temp=float(s % 50)) for s in chunk])
        for chunk in (range(0, 1000), range(1000, 2000), range(2000, 2537))
    ]
    assert [v.stored for v in services.intake.take(messages)] == [1000, 1000, 537]
    rows = kept.stored(services.engine)
    with services.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(t.evidence_blocks)).scalar() == 3
    assert [row.seq for row in rows] == list(range(2537))
    for row in rows[::97]:
        assert json.loads(row.body)["values"]["temp"] == row.seq % 50
        assert bytes(row.leaf) == hashlib.sha256(b"\x00" + row.body.encode()).digest()


def _layouts(engine):
    b = t.evidence_blocks.c
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(b.first_seq, b.variables, b.bodies).order_by(b.first_seq)
        ).all()
    return [(first, variables, bodies != "") for first, variables, bodies in rows]


def test_the_usual_readings_keep_their_values_and_any_other_its_texts(services):
    # a block of usual readings (no quality, the same variables in every one, in one order)
    # keeps their values and gives back the very texts their leaves were hashed from
    at = [NOW + timedelta(seconds=s) for s in range(12)]
    swapped = {"seq": 6, "time": at[6].isoformat(), "values": {"pressure": 1.0, "temp": -0.0}}
    fewer = {"seq": 8, "time": at[8].isoformat(), "values": {"temp": 1e21}}
    batches = [
        [message([reading(s, at[s], temp=0.1 * s) for s in range(3)])],
        [message([reading(3, at[3], quality={"temp": "bad"}), reading(4, at[4])])],
        [message([reading(5, at[5])]), message([swapped])],
        [message([reading(7, at[7]), fewer])],
        [message([reading(9, at[9], temp=5.0), reading(10, at[10], temp=1e-7)])],
    ]
    for batch in batches:
        assert all(v.status == "stored" for v in services.intake.take(batch))
    assert _layouts(services.engine) == [
        (0, "temp,pressure", False),
        (3, None, True),  # a quality flag
        (5, None, True),  # the same variables in another order in the same batch
        (7, None, True),  # a reading without one of the variables
        (9, "temp,pressure", False),
    ]
    sent = {
        r["seq"]: r for batch in batches for m in batch for r in json.loads(m.payload)["readings"]
    }
    rows = kept.stored(services.engine)
    assert [row.seq for row in rows] == list(range(11))
    for row in rows:
        r = sent[row.seq]
        text = canonical_reading("d1", row.seq, row.time_us, r["values"], r.get("quality"))
        assert row.body == text.decode()
        assert bytes(row.leaf) == hashlib.sha256(b"\x00" + text).digest()
    with services.engine.connect() as conn:
        shown = views.readings(conn, "d1", micros(NOW), micros(NOW) + 60_000_000)
    assert [x["reading"]["values"]["temp"] for x in shown if x["seq"] in (9, 10)] == [5, 1e-7]


def test_the_same_seq_twice_in_one_batch_is_one_reading(services):
    verdicts = services.intake.take([message([reading(5)]), message([reading(5)])])
    assert verdicts == [Verdict("stored", 1, 0), Verdict("duplicate", 0, 1)]


def test_another_reading_under_a_used_seq_is_refused_and_the_next_message_still_stored(services):
    services.intake.take([message([reading(0)])])
    verdicts = services.intake.take([message([reading(0, temp=51.0)]), message([reading(1)])])
    assert verdicts[0].status == "refused" and verdicts[0].code == "evidence.replayed"
    assert "seq" in verdicts[0].reason_en and "序号" in verdicts[0].reason_zh
    assert verdicts[1] == Verdict("stored", 1, 0)
    with services.engine.connect() as conn:
        dead = views.dead_letter_rows(conn, ["c1"])
    assert [d["code"] for d in dead] == ["evidence.replayed"]


def _single(**fields):
    doc = {"device": "d1", "units": UNITS, **fields}
    return raw(json.dumps(doc).encode())


BAD = {
    "evidence.json": raw(b"{not json"),
    "evidence.schema": _single(
        readings=[{"seq": -1, "time": NOW.isoformat(), "values": {"temp": 1}}]
    ),
    "evidence.size": raw(b" " * (256 * 1024 + 1)),
    "evidence.topic": Message("qcert/v1/c1/d1", b"{}", NOW),
    "evidence.device": message([reading(0)], device="nope"),
    "evidence.unit": message([reading(0)], units={"temp": "degF", "pressure": "kPa"}),
    "evidence.time": message([reading(0, at=NOW + timedelta(minutes=6))]),
    "evidence.signature": message([reading(0)], device="d2"),
}


@pytest.mark.parametrize("code", sorted(BAD))
def test_each_bad_message_is_refused_with_its_code_and_kept(services, code):
    verdicts = services.intake.take([BAD[code], message([reading(9)])])
    assert verdicts[0].status == "refused" and verdicts[0].code == code, verdicts[0]
    assert verdicts[0].reason_en and verdicts[0].reason_zh
    assert verdicts[1] == Verdict("stored", 1, 0)
    assert _count(services.engine, t.evidence_dead_letters) == 1


def test_other_refusals(services):
    intake = services.intake
    cases = {
        "unknown variable": message(
            [{"seq": 1, "time": NOW.isoformat(), "values": {"humidity": 1.0}}],
            units={"humidity": "%"},
        ),
        "value without unit": message([reading(1)], units={"temp": "degC"}),
        "another's device": message([reading(1)], org="c2"),
        "nan": raw(
            b'{"device":"d1","units":{},"seq":1,"time":"2026-06-01T08:00:00Z","values":{"temp":NaN}}'
        ),
        "before 2000": message([reading(1, at=NOW.replace(year=1999))]),
        "wrong signature": message(
            [reading(1)], device="d2", sign=True, units={"temp": "degC", "pressure": "kPa"}
        ),
    }
    tampered = json.loads(cases["wrong signature"].payload)
    tampered["readings"][0]["values"]["temp"] = 99.0
    cases["wrong signature"] = raw(json.dumps(tampered).encode(), device="d2")
    verdicts = intake.take(list(cases.values()))
    codes = dict(zip(cases, (v.code for v in verdicts), strict=True))
    assert codes == {
        "unknown variable": "evidence.unit",
        "value without unit": "evidence.unit",
        "another's device": "evidence.device",
        "nan": "evidence.schema",
        "before 2000": "evidence.time",
        "wrong signature": "evidence.signature",
    }
    with services.engine.connect() as conn:
        # A message naming another organisation's device is nobody's dead letter but the platform's.
        assert len(views.dead_letter_rows(conn, ["c2"])) == 0
        assert len(views.dead_letter_rows(conn, None)) == len(cases)


def test_a_signed_device_takes_its_signed_message(services):
    assert services.intake.take([message([reading(0)], device="d2", sign=True)]) == [
        Verdict("stored", 1, 0)
    ]


def test_a_single_reading_may_come_without_the_array(services):
    one = _single(
        seq=3, time="2026-06-01T16:00:00+08:00", values={"temp": 1}, quality={"temp": "good"}
    )
    assert services.intake.take([one]) == [Verdict("stored", 1, 0)]
    with services.engine.connect() as conn:
        rows = views.readings(conn, "d1", 0, 2**62)
    assert rows[0]["reading"] == {
        "device": "d1",
        "quality": {"temp": "good"},
        "seq": 3,
        "time": "2026-06-01T08:00:00.000000Z",
        "values": {"temp": 1},
    }


def test_readings_come_back_in_seq_order_and_as_a_frame(services):
    order = [4, 1, 3, 0, 2]
    services.intake.take(
        [message([reading(s, at=NOW + timedelta(seconds=s), temp=float(s)) for s in order])]
    )
    with services.engine.connect() as conn:
        rows = views.readings(conn, "d1", 0, 2**62)
        frame = views.frame(conn, 0, 2**62, device_ids=["d1"], max_rows=3)
    assert [r["seq"] for r in rows] == [0, 1, 2, 3, 4]
    assert list(frame.columns) == ["pressure", "temp"] or set(frame.columns) == {"temp", "pressure"}
    assert list(frame["temp"]) == [0.0, 1.0, 2.0]
    assert str(frame.index.tz) == "UTC"


def test_a_retired_device_is_refused(services):
    from qcert.evidence.commands import RetireDevice
    from tests.services import SYSTEM

    services.bus.handle(RetireDevice("d1", "replaced"), SYSTEM)
    [verdict] = services.intake.take([message([reading(0)])])
    assert verdict.code == "evidence.device" and "retired" in verdict.reason_en


def test_an_intake_without_a_bus_cannot_anchor(engine):
    with pytest.raises(RuntimeError):
        Intake(engine).anchor_due()


def test_a_batch_that_lost_a_race_for_a_key_is_taken_again(services, monkeypatch):
    # Another consumer stores reading 0 between this batch's look-up and its insert: the
    # insert fails on the key, the batch is taken again and reading 0 is a duplicate.
    services.intake.take([message([reading(0)])])
    real, calls = views.existing, []

    def stale(conn, spans):
        calls.append(spans)
        return {} if len(calls) == 1 else real(conn, spans)

    monkeypatch.setattr(views, "existing", stale)
    assert services.intake.take([message([reading(0), reading(1)])]) == [Verdict("stored", 1, 1)]
    assert len(calls) == 2
    assert kept.count(services.engine) == 2


def test_a_batch_that_fails_leaves_nothing_written(services, monkeypatch):
    def broken(conn, rows):
        raise RuntimeError("disk full")

    monkeypatch.setattr(views, "insert_dead_letters", broken)
    with pytest.raises(RuntimeError):  # the consumer acknowledges nothing
        services.intake.take([message([reading(0)]), raw(b"{")])
    assert kept.count(services.engine) == 0


def test_an_organisations_frame_names_each_devices_columns(services):
    services.intake.take(
        [message([reading(0)]), message([reading(0, temp=1.0)], device="d2", sign=True)]
    )
    with services.engine.connect() as conn:
        frame = views.frame(conn, 0, 2**62, client_id="c1")
        other = views.frame(conn, 0, 2**62, client_id="c2")
    assert set(frame.columns) == {"d1.temp", "d1.pressure", "d2.temp", "d2.pressure"}
    assert len(frame) == 2 and other.empty


near_readings = st.lists(
    st.fixed_dictionaries(
        {
            "seq": st.integers(0, 5),
            "time": st.sampled_from(
                [NOW.isoformat(), (NOW + timedelta(hours=1)).isoformat(), "2026-06-01T08:00:00"]
            ),
            "values": st.dictionaries(
                st.sampled_from(["temp", "pressure", "x"]),
                st.floats(allow_nan=False, allow_infinity=False, width=32),
                min_size=1,
            ),
        }
    ),
    min_size=1,
    max_size=4,
)


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(batches=st.lists(st.lists(near_readings, min_size=1, max_size=3), min_size=1, max_size=3))
def test_near_valid_messages_are_stored_once_or_refused(services, batches):
    with services.engine.begin() as conn:  # each example starts from no readings
        conn.execute(t.evidence_blocks.delete())
    stored: dict[int, dict] = {}
    for batch in batches:
        verdicts = services.intake.take([message(readings) for readings in batch])
        for readings, verdict in zip(batch, verdicts, strict=True):
            assert verdict.status in ("stored", "duplicate", "refused")
            if verdict.status != "refused":
                assert verdict.stored + verdict.duplicates == len(readings)
                for r in readings:
                    stored.setdefault(r["seq"], r)
    assert kept.count(services.engine) == len(stored)


def test_a_key_rotated_without_saying_signed_keeps_the_device_signing(services):
    # an administrator replacing a lost key must not, by leaving out a flag, open the device
    # to unsigned readings (nor have its old key's signatures accepted)
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from qcert.evidence.commands import RotateDeviceKey
    from qcert.lifecycle.rules import RuleViolation
    from tests.services import SYSTEM

    old = message([reading(0)], device="d2", sign=True)
    new_key = Ed25519PrivateKey.generate().public_key().public_bytes_raw()
    services.bus.handle(RotateDeviceKey("d2", base64.b64encode(new_key).decode()), SYSTEM)
    unsigned, resigned = services.intake.take([message([reading(1)], device="d2"), old])
    assert unsigned.code == "evidence.signature" and "must sign" in unsigned.reason_en
    assert resigned.code == "evidence.signature"
    with pytest.raises(RuleViolation) as err:
        services.bus.handle(RotateDeviceKey("d2", ""), SYSTEM)  # no key, yet still signing
    assert err.value.en.startswith("signed:")
    services.bus.handle(RotateDeviceKey("d2", "", signed=False), SYSTEM)  # said outright
    assert services.intake.take([message([reading(1)], device="d2")])[0].status == "stored"


def test_a_listing_of_data_sources_is_bounded_and_pages_on(services):
    from qcert.access import read_scope
    from tests.services import SYSTEM

    with services.engine.connect() as conn:
        everything = read_scope(SYSTEM)  # the platform reads every organisation's
        assert [d["id"] for d in views.device_list(conn, everything, limit=1)] == ["d1"]
        assert [d["id"] for d in views.device_list(conn, everything, 1, 1)] == ["d2"]
        huge = views.device_list(conn, everything, limit=10**9)
        assert [d["id"] for d in huge] == ["d1", "d2"]


def test_two_intakes_taking_overlapping_seqs_at_once_store_each_seq_once(services):
    # Two consumers may be handed the same readings in batches that start at different
    # seqs (a redelivery after a reconnection); the key alone refuses only blocks from the
    # same first seq, so each intake must hold the device while it checks and stores.
    other = Intake(services.engine, services.clock)
    rounds = 12
    for n in range(rounds):
        base = 100 * n
        first = [message([reading(base + s, NOW + timedelta(milliseconds=s)) for s in range(60)])]
        second = [
            message([reading(base + s, NOW + timedelta(milliseconds=s)) for s in range(30, 90)])
        ]
        start = threading.Barrier(2)
        answers: dict[str, list[Verdict]] = {}

        def take(name, intake, batch, start=start, answers=answers):
            start.wait()
            answers[name] = intake.take(batch)

        threads = [
            threading.Thread(target=take, args=("a", services.intake, first)),
            threading.Thread(target=take, args=("b", other, second)),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        [a], [b] = answers["a"], answers["b"]
        assert a.stored + b.stored == 90 and a.duplicates + b.duplicates == 30
    seqs = [r.seq for r in kept.stored(services.engine)]
    assert seqs == sorted(set(seqs)) and len(seqs) == 90 * rounds
