"""The intake over two processes (``qcert evidence consume --writer-process``): a batch prepared
in one process and committed in another gets the verdicts ``take`` gives; readings consumed
over MQTT through a writer process are stored once, each with a proof; a writer that cannot
start, or dies, is reported, never waited for. The kill loop (``test_mqtt_faults``) runs the
real intake with a writer process too."""

from __future__ import annotations

import json
import os
import pickle
import signal
import threading
import time
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from qcert.evidence.intake import Message, prepare
from qcert.evidence.mqtt import Broker, ConsumeOptions, Consumer
from qcert.evidence.prepare import DEAD_LETTER_BYTES, PayloadsWanted, leaves_of
from qcert.evidence.proofs import proof_of_reading
from qcert.evidence.window import verify_reading_proof
from qcert.evidence.writer import WriterGone, WriterProcess
from qcert.store import create_engine, migrate
from qcert.store import evidence as views
from tests.integration.evidence import stored as kept
from tests.integration.evidence.test_intake import BAD
from tests.integration.evidence.world import NOW, UNITS, build, message, raw, reading
from tests.mqtt_broker import Publisher, wait_for
from tests.services import make_services


def _writer_side(url: str, data: str) -> tuple[Any, Any]:
    """A writer process's intake on the store at ``url`` (run in that process)."""
    engine = create_engine(url)
    svc = make_services(engine, Path(data), clock=lambda: NOW + timedelta(minutes=5))

    def finish() -> None:
        svc.close()
        engine.dispose()

    return svc.intake, finish


def _cannot_start() -> tuple[Any, Any]:
    raise OSError("no such store")


def _url(engine: sa.Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def _batch() -> list[Message]:
    """Every kind of refusal, a reading with a variable its message gives no unit for, a
    reading sent twice, and good readings between them."""
    doc = {
        "device": "d1",
        "units": UNITS,
        "readings": [
            {"seq": 20, "time": NOW.isoformat(), "values": {"temp": 1.0}},
            {"seq": 21, "time": NOW.isoformat(), "values": {"humidity": 1.0}},
        ],
    }
    good = [message([reading(s)]) for s in range(3)]
    return [good[0], *BAD.values(), raw(json.dumps(doc).encode()), good[1], good[1], good[2]]


@pytest.mark.parametrize("ahead", [0, 2, 100], ids=["none", "some", "all"])
def test_a_batch_committed_in_another_process_gets_the_verdicts_take_gives(
    services, tmp_path, ahead
):
    # ``ahead``: messages whose texts and leaves the consumer worked out while the writer
    # was busy, sent with them
    batch = _batch()
    # The same batch taken whole in a twin store, and prepared here, sent as the writer
    # process receives it (pickled), and committed there.
    twin_engine = create_engine(f"sqlite:///{tmp_path / 'twin.db'}")
    migrate(twin_engine)
    twin = make_services(twin_engine, tmp_path / "twin", clock=lambda: NOW + timedelta(minutes=5))
    build(twin)
    expected = twin.intake.take(batch)
    twin.close()
    twin_engine.dispose()
    prepared = prepare(batch)
    while prepared._ahead < ahead and prepared.work_ahead():
        pass
    travelled = pickle.loads(pickle.dumps(prepared, protocol=pickle.HIGHEST_PROTOCOL))
    worked = [p for p in travelled.parsed[:ahead] if p.leaves]
    assert (worked or ahead == 0) and all(not p.texts for p in worked if p.tabular)
    for p in worked:  # the usual message's texts were written to be hashed, not sent
        p.write_texts()
        assert p.leaves == leaves_of(p.texts)
    # The bytes of an unsigned message stay behind: refusing one, the commit writes nothing
    # and asks for the bytes of each it refused, then commits again with them.
    assert all(p.message.payload is None for p in travelled.parsed if p.signature is None)
    with pytest.raises(PayloadsWanted) as wanted:
        services.intake.commit(travelled)
    refused_here = [i for i, v in enumerate(expected) if v.status == "refused"]
    refused_here = [i for i in refused_here if i in {p.position for p in travelled.parsed}]
    assert wanted.value.positions == refused_here and refused_here
    assert kept.count(services.engine) == 0
    with services.engine.connect() as conn:
        assert views.dead_letter_rows(conn, None) == []
    travelled.give_payloads(prepared.payloads(wanted.value.positions))
    verdicts = services.intake.commit(travelled)
    assert verdicts == expected
    with services.engine.connect() as conn:
        dead = sorted(d["payload"] for d in views.dead_letter_rows(conn, None))
    refused = [m for m, v in zip(batch, expected, strict=True) if v.status == "refused"]
    kept_bytes = [m.payload[:DEAD_LETTER_BYTES] for m in refused]  # an oversized one's first 64 KiB
    assert dead == sorted(b.decode("utf-8", "replace") for b in kept_bytes)
    codes = [v.code for v in verdicts if v.status == "refused"]
    assert codes == [*BAD, "evidence.unit"]
    assert [v.status for v in verdicts[-3:]] == ["stored", "duplicate", "stored"]
    found = [(r.seq, r.body) for r in kept.stored(services.engine, "d1")]
    assert sorted(seq for seq, _ in found) == [0, 1, 2]
    assert all(json.loads(body)["device"] == "d1" for _, body in found)


def test_a_writer_process_asks_for_the_bytes_of_what_it_refuses_and_keeps_them(services, tmp_path):
    # every kind of refusal, through a real writer process: the verdicts are take's, and
    # each refusal's dead letter holds the message's bytes as sent
    writer = WriterProcess(partial(_writer_side, _url(services.engine), str(tmp_path)))
    try:
        batch = _batch()
        verdicts = writer.take(batch)
        assert writer.take([message([reading(7)])])[0].stored == 1  # and it goes on
    finally:
        writer.close()
    assert [v.code for v in verdicts if v.status == "refused"] == [*BAD, "evidence.unit"]
    with services.engine.connect() as conn:
        dead = views.dead_letter_rows(conn, None)
    sent = {m.payload[:DEAD_LETTER_BYTES].decode("utf-8", "replace") for m in batch}
    assert len(dead) == len(BAD) + 1 and all(d["payload"] in sent for d in dead)
    assert [r.seq for r in kept.stored(services.engine, "d1")] == [0, 1, 2, 7]


def test_readings_consumed_through_a_writer_process_are_stored_once_each_with_a_proof(
    services, private_broker, tmp_path
):
    writer = WriterProcess(partial(_writer_side, _url(services.engine), str(tmp_path)))
    options = ConsumeOptions(
        group="", client_id="qcert-test-writer", session_expiry=60, batch_messages=3
    )
    clock = lambda: NOW + timedelta(seconds=60)  # noqa: E731
    consumer = Consumer(
        writer, Broker("127.0.0.1", private_broker.port), options, message=Message, clock=clock
    )
    thread = threading.Thread(target=consumer.run, daemon=True)
    thread.start()
    publisher = Publisher(private_broker.port)
    try:
        assert consumer.wait_subscribed(10)
        batches = [
            message([reading(s, at=NOW + timedelta(seconds=s)) for s in range(n * 5, n * 5 + 5)])
            for n in range(12)
        ]
        for n, msg in enumerate(batches):
            publisher.publish(msg.topic, msg.payload, n)
        publisher.publish(batches[4].topic, batches[4].payload, "again")  # a gateway's retry
        publisher.wait()
        wait_for(lambda: consumer.counts.acked == 13, 20, "13 messages acknowledged")
    finally:
        consumer.stop()
        thread.join(30)
        publisher.close()
    assert not thread.is_alive()
    assert (consumer.counts.stored, consumer.counts.duplicates) == (60, 5)
    assert [r.seq for r in kept.stored(services.engine, "d1")] == list(range(60))
    assert services.intake.anchor_due(NOW + timedelta(minutes=6)) == 1
    services.ledger.sign_due()
    vkeys = [v.vkey() for v in services.ledger.verifiers()]
    for seq in (0, 31, 59):
        proof = proof_of_reading(services.engine, services.ledger, "d1", seq)
        assert verify_reading_proof(proof, vkeys) is not None


def test_a_writer_that_cannot_start_says_why_in_both_languages():
    with pytest.raises(WriterGone) as refused:
        WriterProcess(_cannot_start)
    assert "could not start: OSError: no such store" in refused.value.en
    assert "写入进程无法启动" in refused.value.zh


def test_a_killed_writer_is_reported_and_its_batch_never_answered(services, tmp_path):
    writer = WriterProcess(partial(_writer_side, _url(services.engine), str(tmp_path)))
    assert writer.take([message([reading(0)])])[0].stored == 1
    assert writer.pid is not None
    os.kill(writer.pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    with pytest.raises(WriterGone) as gone:
        while time.monotonic() < deadline:
            writer.submit(writer.prepare([message([reading(1)])]))
            writer.done(0.5)
    assert "exit code -9" in gone.value.en and "退出码 -9" in gone.value.zh
    writer.close()


def _unreachable_side() -> tuple[Any, Any]:
    """A writer whose store refuses every connection (nothing listens on port 1)."""
    from qcert.evidence.intake import Intake

    engine = create_engine("postgresql+psycopg://postgres@127.0.0.1:1/none")
    return Intake(engine), engine.dispose


def test_a_writer_retrying_an_unreachable_store_gives_the_batch_up_when_told_to_stop():
    writer = WriterProcess(_unreachable_side)
    writer.submit(writer.prepare([message([reading(0)])]))
    assert writer.done(1.0) == []  # retrying: nothing committed, nothing to acknowledge
    started = time.monotonic()
    writer.interrupt()  # what the consumer's stop (SIGTERM) does
    with pytest.raises(WriterGone):
        while time.monotonic() - started < 15:
            writer.done(0.5)
    assert time.monotonic() - started < 15  # not the backoff's retries until the store returns
    writer.close()
