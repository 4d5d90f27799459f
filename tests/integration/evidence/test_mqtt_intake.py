"""The MQTT consumer in front of the real intake (SQLite and PostgreSQL): readings published
are stored once, each with a proof that verifies against a signed checkpoint, also when two
consumer processes share the stream; bad input over MQTT lands in the dead-letter table with
its code, and good readings after it are stored."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from qcert.evidence.intake import Intake, Message
from qcert.evidence.mqtt import Broker, ConsumeOptions, Consumer
from qcert.evidence.proofs import proof_of_reading
from qcert.evidence.window import verify_reading_proof
from qcert.store import tables as t
from tests.integration.evidence import stored as kept
from tests.integration.evidence.world import NOW, UNITS, build, message, reading
from tests.mqtt_broker import Publisher, wait_for
from tests.services import make_services


class Clock:
    def __init__(self) -> None:
        self.now = NOW + timedelta(seconds=60)

    def __call__(self) -> Any:
        return self.now


@pytest.fixture
def world(engine, tmp_path):
    clock = Clock()
    svc = make_services(engine, tmp_path, clock=clock)
    build(svc)
    yield svc, clock
    svc.close()


@contextmanager
def consuming(
    svc: Any, clock: Clock, port: int, intake: Any = None, group: str = "", client: str = ""
) -> Iterator[Consumer]:
    options = ConsumeOptions(
        group=group,
        client_id=client or "qcert-test-intake",
        session_expiry=60,
        batch_messages=4,
    )
    consumer = Consumer(
        intake or svc.intake, Broker("127.0.0.1", port), options, message=Message, clock=clock
    )
    thread = threading.Thread(target=consumer.run, daemon=True)
    thread.start()
    try:
        assert consumer.wait_subscribed(10)
        yield consumer
    finally:
        consumer.stop()
        thread.join(10)
        assert not thread.is_alive()


def _publish(publisher: Publisher, msg: Message, tag: Any) -> None:
    publisher.publish(msg.topic, msg.payload, tag)


def _seqs(engine: sa.Engine, device: str) -> list[int]:
    return [r.seq for r in kept.stored(engine, device)]


def test_readings_over_mqtt_are_stored_once_and_each_has_a_proof(world, private_broker):
    svc, clock = world
    publisher = Publisher(private_broker.port)
    batches = [
        message([reading(s, at=NOW + timedelta(seconds=s)) for s in range(n * 5, n * 5 + 5)])
        for n in range(10)
    ]
    with consuming(svc, clock, private_broker.port) as consumer:
        for n, msg in enumerate(batches):
            _publish(publisher, msg, n)
        _publish(publisher, batches[3], "again")  # a gateway's retry
        publisher.wait()
        wait_for(lambda: consumer.counts.acked == 11, 15, "11 messages acknowledged")
    publisher.close()
    assert (consumer.counts.stored, consumer.counts.duplicates) == (50, 5)
    assert _seqs(svc.engine, "d1") == list(range(50))
    # d1 sent nothing past 08:01 plus the grace: its window is anchored by the clock, once
    # 08:01 plus the idle allowance (5 minutes) has passed
    clock.now = NOW + timedelta(minutes=6)
    assert svc.intake.anchor_due() == 1
    svc.ledger.sign_due()
    vkeys = [v.vkey() for v in svc.ledger.verifiers()]
    for seq in (0, 17, 49):
        verified = verify_reading_proof(proof_of_reading(svc.engine, svc.ledger, "d1", seq), vkeys)
        assert verified is not None


def test_bad_input_over_mqtt_is_dead_lettered_with_its_code_and_consuming_goes_on(
    world, private_broker
):
    svc, clock = world
    replayed = message([reading(0, temp=61.0)])  # seq 0 again, with another value
    tampered = json.loads(message([reading(0)], device="d2", sign=True).payload)
    tampered["readings"][0]["values"]["temp"] = 79.0  # after signing: the signature fails
    bad = {
        "evidence.json": b"{not json",
        "evidence.schema": json.dumps({"device": "d1", "units": UNITS, "readings": "no"}),
        "evidence.device": message([reading(0)], device="nope").payload,
        "evidence.signature": json.dumps(tampered),
        "evidence.replayed": replayed.payload,
        "evidence.time": message([reading(1, at=NOW.replace(year=1990))]).payload,
        "evidence.size": b" " * (300 * 1024),
    }
    topics = {"evidence.device": "qcert/v1/c1/nope/line", "evidence.signature": "qcert/v1/c1/d2/l"}
    publisher = Publisher(private_broker.port)
    with consuming(svc, clock, private_broker.port) as consumer:
        _publish(publisher, message([reading(0)]), "first")
        publisher.wait()
        wait_for(lambda: consumer.counts.acked == 1, 10, "the first message acknowledged")
        for code, payload in bad.items():
            data = payload.encode() if isinstance(payload, str) else payload
            publisher.publish(topics.get(code, "qcert/v1/c1/d1/line"), data, code)
        _publish(publisher, message([reading(2), reading(3)]), "after")
        publisher.wait()
        wait_for(lambda: consumer.counts.acked == 9, 15, "9 messages acknowledged")
    publisher.close()
    assert consumer.counts.refusals == dict.fromkeys(bad, 1)
    assert _seqs(svc.engine, "d1") == [0, 2, 3]
    d = t.evidence_dead_letters
    with svc.engine.connect() as conn:
        rows = conn.execute(sa.select(d.c.code, d.c.size, d.c.reason_en, d.c.reason_zh)).all()
    assert sorted(r.code for r in rows) == sorted(bad)
    assert all(r.reason_en and r.reason_zh for r in rows)
    assert {r.code: r.size for r in rows}["evidence.size"] == 300 * 1024


def test_two_consumers_sharing_the_stream_store_each_reading_exactly_once(world, private_broker):
    """Two intakes on one store behind one shared subscription (MQTT 5.0, 4.8.2), as two
    processes would be: messages resent, and messages overlapping others' readings, may land
    on either consumer at once; each reading is stored once, the rest counted duplicates."""
    svc, clock = world
    other = Intake(svc.engine, clock)  # the second process's intake: same store, no bus
    publisher = Publisher(private_broker.port)
    sent = [
        message([reading(s, at=NOW + timedelta(seconds=s)) for s in range(n * 5, n * 5 + 5)])
        for n in range(40)
    ]
    # Each resent, and readings 2..6 of every 10 again in one message of their own.
    again = sent[::2] + [
        message([reading(s, at=NOW + timedelta(seconds=s)) for s in range(n + 2, n + 7)])
        for n in range(0, 200, 10)
    ]
    with (
        consuming(svc, clock, private_broker.port, group="g2", client="qcert-test-a") as one,
        consuming(svc, clock, private_broker.port, other, "g2", "qcert-test-b") as two,
    ):
        for n, msg in enumerate(sent + again):
            _publish(publisher, msg, n)
        publisher.wait()
        total = len(sent) + len(again)
        wait_for(lambda: one.counts.acked + two.counts.acked == total, 30, "all acknowledged")
    publisher.close()
    assert one.counts.messages and two.counts.messages, "both consumers took a share"
    assert one.counts.refused + two.counts.refused == 0
    assert one.counts.stored + two.counts.stored == 200
    assert one.counts.duplicates + two.counts.duplicates == 5 * len(again)
    assert _seqs(svc.engine, "d1") == list(range(200))
