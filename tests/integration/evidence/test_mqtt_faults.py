"""Faults: the consumer process killed (SIGKILL) at random moments while a numbered stream is
published, the broker restarted, and a clean stop on SIGTERM. Afterwards every message the
broker acknowledged to the publisher (PUBACK) is in the store, every reading exactly once, in
seq order per device."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

import qcert
from qcert.store import tables as t
from tests.integration.evidence import stored as kept
from tests.integration.evidence.sink import rows
from tests.mqtt_broker import PrivateBroker, Publisher, payload, wait_for

pytestmark = pytest.mark.long  # scheduled first (tests/conftest.py)

ROOT = Path(__file__).parents[3]
DEVICES = ("d1", "d2", "d3", "d4")
PER_MESSAGE = 20  # readings per message


def _consumer(broker: PrivateBroker, db: Path, *extra: str) -> subprocess.Popen[bytes]:
    """A consumer process over the test sink (``tests.integration.evidence.sink``)."""
    env = {**os.environ, "PYTHONPATH": f"{Path(qcert.__file__).parents[1]}:{ROOT}"}
    command = [sys.executable, "-m", "tests.integration.evidence.sink"]
    command += ["--port", str(broker.port), "--db", str(db), *extra]
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE)


def _expected(acked: list[tuple[str, int]]) -> set[tuple[str, int]]:
    """(device, seq) of every reading in the messages PUBACKed as (device, message number)."""
    return {(device, n * PER_MESSAGE + i) for device, n in acked for i in range(PER_MESSAGE)}


def _publish_stream(publisher: Publisher, stop: threading.Event, sent: list[int]) -> None:
    """Message n of every device, n = 0, 1, …, about 400 messages a second, until ``stop``."""
    n = 0
    while not stop.is_set():
        for device in DEVICES:
            seqs = range(n * PER_MESSAGE, (n + 1) * PER_MESSAGE)
            publisher.publish(f"qcert/v1/org/{device}/line", payload(device, seqs), (device, n))
        n += 1
        sent[0] = n
        time.sleep(0.01)


def _assert_exactly_once_in_order(db: Path, acked: list[tuple[str, int]]) -> None:
    stored = rows(db)
    assert len(stored) == len(set(stored)), "a reading was stored twice"
    missing = _expected(acked) - set(stored)
    assert not missing, f"{len(missing)} acknowledged readings lost, e.g. {sorted(missing)[:5]}"
    for device in DEVICES:
        seqs = [s for d, s in stored if d == device]
        assert seqs == sorted(seqs), f"{device}'s readings out of seq order"


def _subscribed(publisher: Publisher, db: Path, seq: int = 0) -> int:
    """Publish a probe until it is stored: from then on the consumer's subscription exists and
    the broker queues for its session, whether it runs or not. Returns the probes sent."""
    deadline, probes = time.monotonic() + 15, 0
    while time.monotonic() < deadline:
        probes += 1
        publisher.publish("qcert/v1/org/probe/line", payload("probe", [seq]), ("probe", seq))
        end = time.monotonic() + 1
        while time.monotonic() < end:
            if ("probe", seq) in rows(db):
                return probes
            time.sleep(0.05)
    raise AssertionError("the consumer did not subscribe within 15 s")


def _drain(broker: PrivateBroker, db: Path) -> dict[str, int]:
    """Run a consumer until it has been idle 2 s; return its counts."""
    last = _consumer(broker, db, "--once-idle", "2")
    out, _ = last.communicate(timeout=60)
    assert last.returncode == 0
    return json.loads(out)  # type: ignore[no-any-return]


@pytest.mark.slow
def test_a_consumer_killed_again_and_again_loses_nothing_acknowledged(private_broker, tmp_path):
    db = tmp_path / "store.db"
    first = _consumer(private_broker, db)
    publisher = Publisher(private_broker.port)
    _subscribed(publisher, db)

    stop, sent = threading.Event(), [0]
    stream = threading.Thread(target=_publish_stream, args=(publisher, stop, sent))
    stream.start()
    rng = random.Random(20261205)
    consumer, kills = first, 0
    try:
        for kills in range(1, 16):  # noqa: B007 (counted for the message below)
            time.sleep(rng.uniform(0.3, 1.5))
            consumer.send_signal(signal.SIGKILL)
            consumer.wait(10)
            if rng.random() < 0.3:
                time.sleep(rng.uniform(0.1, 1.0))  # messages queue on the broker meanwhile
            consumer = _consumer(private_broker, db)
    finally:
        stop.set()
        stream.join(10)
        publisher.wait(30)
        consumer.send_signal(signal.SIGKILL)
        consumer.wait(10)
    _drain(private_broker, db)
    publisher.close()
    acked = [tag for tag in publisher.acked if tag[0] != "probe"]
    assert not [t for t in publisher.refused if t[0][0] != "probe"], publisher.refused[:3]
    assert len(acked) == sent[0] * len(DEVICES) > 1000, "the stream ran"
    _assert_exactly_once_in_order(db, acked)
    assert kills == 15


@pytest.mark.slow
def test_a_broker_restart_loses_nothing_acknowledged(private_broker, tmp_path):
    # A plain subscription (no group): Mosquitto 2.0.11 restores the session and its queue.
    db = tmp_path / "store.db"
    consumer = _consumer(private_broker, db, "--group", "")
    publisher = Publisher(private_broker.port)
    _subscribed(publisher, db)
    for n in range(100):
        publisher.publish("qcert/v1/org/d1/line", payload("d1", range(n * 20, n * 20 + 20)), n)
    publisher.wait()
    publisher.close()
    private_broker.stop()  # SIGTERM: Mosquitto saves its sessions and queues
    private_broker.start()
    # Published while the consumer is still away: queued for its session, delivered later.
    publisher = Publisher(private_broker.port)
    for n in range(100, 200):
        publisher.publish("qcert/v1/org/d1/line", payload("d1", range(n * 20, n * 20 + 20)), n)
    publisher.wait()
    publisher.close()
    assert not publisher.refused, f"{len(publisher.refused)} refused: {publisher.refused[:3]}"
    wait_for(lambda: len(rows(db)) == 1 + 200 * 20, 30, "every reading stored after the restart")
    counts = _stop(consumer)
    assert counts["connections"] >= 2, "the consumer connected again"
    assert [s for d, s in rows(db) if d == "d1"] == list(range(200 * 20))


def test_a_shared_consumer_resumes_after_a_broker_restart(private_broker, tmp_path):
    db = tmp_path / "store.db"
    consumer = _consumer(private_broker, db)
    publisher = Publisher(private_broker.port)
    _subscribed(publisher, db)
    publisher.close()
    private_broker.stop()
    private_broker.start()
    publisher = Publisher(private_broker.port)
    # Mosquitto 2.0.11 does not deliver what it queued for a shared subscription between a
    # restart and the consumer's return: publish once the consumer is back (README).
    _subscribed(publisher, db, seq=1)
    for n in range(100):
        publisher.publish("qcert/v1/org/d1/line", payload("d1", range(n * 20, n * 20 + 20)), n)
    publisher.wait()
    publisher.close()
    wait_for(lambda: len(rows(db)) == 2 + 100 * 20, 30, "every reading stored after the restart")
    counts = _stop(consumer)
    assert counts["connections"] >= 2


def _stop(consumer: subprocess.Popen[bytes]) -> dict[str, int]:
    """SIGTERM, then the counts it printed; it has acknowledged everything it took."""
    consumer.send_signal(signal.SIGTERM)
    out, _ = consumer.communicate(timeout=20)
    assert consumer.returncode == 0
    counts = json.loads(out)
    assert counts["acked"] == counts["messages"]
    return counts  # type: ignore[no-any-return]


def test_sigterm_finishes_the_batch_in_hand_and_acknowledges_it(private_broker, tmp_path):
    db = tmp_path / "store.db"
    consumer = _consumer(private_broker, db)
    publisher = Publisher(private_broker.port)
    probes = _subscribed(publisher, db)
    for n in range(300):
        publisher.publish("qcert/v1/org/d1/line", payload("d1", range(n * 20, n * 20 + 20)), n)
    publisher.wait()
    consumer.send_signal(signal.SIGTERM)
    out, _ = consumer.communicate(timeout=20)
    assert consumer.returncode == 0
    counts = json.loads(out)
    # Everything it took it stored and acknowledged: nothing of it comes back.
    assert counts["acked"] == counts["messages"] > 0
    # Only a probe sent again may come back; nothing of the stream the consumer took.
    rest = _drain(private_broker, db)
    assert counts["duplicates"] + rest["duplicates"] <= probes - 1
    publisher.close()
    assert len(rows(db)) == 1 + 300 * 20


def _intake_consumer(
    broker: PrivateBroker, data: Path, url: str, *extra: str
) -> subprocess.Popen[bytes]:
    """A consumer process in front of the real intake of the installation in ``data``."""
    env = {
        **os.environ,
        "PYTHONPATH": f"{Path(qcert.__file__).parents[1]}:{ROOT}",
        # No window is due during the test (no device moves an hour past a window, nor is
        # silent a day after one): a reading sent again is a duplicate, never late.
        "QCERT_EVIDENCE_GRACE_SECONDS": "3600",
        "QCERT_EVIDENCE_IDLE_SECONDS": "86400",
    }
    command = [sys.executable, "-m", "tests.integration.evidence.intake_consumer"]
    command += ["--port", str(broker.port), "--data-dir", str(data), "--database-url", url]
    return subprocess.Popen([*command, *extra], cwd=ROOT, env=env, stdout=subprocess.PIPE)


def _writer_of(consumer: subprocess.Popen[bytes]) -> int | None:
    """The pid of the consumer's writer process (``--writer-process``), once it runs."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            command = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if int(stat[1]) == consumer.pid and b"spawn_main" in command:
            return int(entry.name)
    return None


def _gone(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return True
    return state == "Z"  # ended, not yet reaped


@pytest.mark.slow
@pytest.mark.parametrize("writer", ["", "--writer-process"], ids=["one-process", "writer-process"])
def test_the_real_intake_killed_again_and_again_keeps_each_acknowledged_reading_once(
    private_broker, tmp_path, writer
):
    from qcert.evidence.commands import RegisterDevice
    from qcert.lifecycle import RegisterClient
    from qcert.store import create_engine, migrate
    from tests.integration.lifecycle.conftest import SITES
    from tests.services import SYSTEM, make_services

    url, data = f"sqlite:///{tmp_path / 'q.db'}", tmp_path / "data"
    engine = create_engine(url)
    migrate(engine)
    svc = make_services(engine, data)
    run = lambda cmd: svc.bus.handle(cmd, SYSTEM)  # noqa: E731
    run(RegisterClient("org", "91110108551385082Q", "公司", "Co", "北京", "110108", 20, SITES))
    variables = [{"name": "temp", "unit": "Cel"}, {"name": "pressure", "unit": "kPa"}]
    for device in DEVICES:
        run(RegisterDevice(device, "org", "sensor", variables))
    svc.close()

    def stored() -> dict[str, list[int]]:
        out: dict[str, list[int]] = {}
        for r in sorted(kept.stored(engine), key=lambda r: r.seq):
            out.setdefault(r.device_id, []).append(r.seq)
        return out

    def count() -> int:
        with engine.connect() as conn:
            b = t.evidence_blocks.c
            return conn.execute(sa.select(sa.func.coalesce(sa.func.sum(b.count), 0))).one()[0]

    def taking(before: int) -> None:
        """Wait until the consumer has stored readings beyond ``before``: it has started,
        connected and is working through batches."""
        deadline = time.monotonic() + 30
        while count() <= before:
            assert time.monotonic() < deadline, "the consumer took nothing within 30 s"
            time.sleep(0.05)

    extra = (writer,) if writer else ()
    consumer = _intake_consumer(private_broker, data, url, *extra)
    publisher = Publisher(private_broker.port)
    deadline = time.monotonic() + 30
    while "d1" not in stored():  # the subscription exists once a reading is stored
        assert time.monotonic() < deadline, "the consumer did not subscribe within 30 s"
        publisher.publish("qcert/v1/org/d1/line", payload("d1", [0], start=time.time()), "p")
        end = time.monotonic() + 1  # a probe a second, looked for more often
        while time.monotonic() < end and "d1" not in stored():
            time.sleep(0.05)
    sent = [0]

    def stream() -> None:
        n = 1
        while not stop.is_set():
            for device in DEVICES:
                seqs = range(n * PER_MESSAGE, (n + 1) * PER_MESSAGE)
                data = payload(device, seqs, start=time.time(), step=0)
                publisher.publish(f"qcert/v1/org/{device}/line", data, (device, n))
            sent[0] = n
            n += 1
            time.sleep(0.02)

    stop = threading.Event()
    streaming = threading.Thread(target=stream)
    streaming.start()
    rng = random.Random(7)
    try:
        # With a writer process each start is two interpreters: four kills, two of each.
        for kill in range(4 if writer else 6):
            # Each kill lands amid batches of a consumer that has started and taken some:
            # waited for, rather than a fixed pause sized for the slowest start.
            taking(count())
            time.sleep(rng.uniform(0.0, 1.0))
            child = _writer_of(consumer) if writer else None
            assert child is not None or not writer, "the consumer's writer process is running"
            if child is not None and kill % 2:
                # The writer killed: its consumer stops by itself, acknowledging nothing more.
                os.kill(child, signal.SIGKILL)
                assert consumer.wait(30) != 0
            else:
                consumer.send_signal(signal.SIGKILL)
                consumer.wait(10)
                if child is not None:  # its writer ends too, holding nothing
                    deadline = time.monotonic() + 30
                    while not _gone(child):
                        assert time.monotonic() < deadline, "the writer outlived its consumer"
                        time.sleep(0.05)
            consumer = _intake_consumer(private_broker, data, url, *extra)
    finally:
        stop.set()
        streaming.join(10)
        publisher.wait(30)
        consumer.send_signal(signal.SIGTERM)
        consumer.communicate(timeout=30)
    last = _intake_consumer(private_broker, data, url, "--once-idle", "3", *extra)
    out, _ = last.communicate(timeout=120)
    assert last.returncode == 0, out
    publisher.close()
    acked = [tag for tag in publisher.acked if tag != "p"]
    assert len(acked) == sent[0] * len(DEVICES) > 200, "the stream ran"
    found = stored()
    for device in DEVICES:
        seqs = found.get(device, [])
        assert len(seqs) == len(set(seqs)), f"{device}: a reading stored twice"
        expected = {
            n * PER_MESSAGE + i for d, n in acked if d == device for i in range(PER_MESSAGE)
        }
        assert expected <= set(seqs), f"{device}: {len(expected - set(seqs))} acknowledged lost"
    d = t.evidence_dead_letters
    with engine.connect() as conn:
        codes = list(conn.execute(sa.select(d.c.code)).scalars())
    assert codes == [], codes
    engine.dispose()
