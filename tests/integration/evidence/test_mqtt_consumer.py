"""The MQTT consumer against a real Mosquitto: exactly once in the store, in order per device,
acknowledged only once durable, bounded by Receive Maximum, shared between consumers, and
never stopped by what it receives."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

from qcert.evidence.mqtt import Broker, ConsumeOptions, Consumer
from tests.integration.evidence.sink import Message, SqliteSink, rows
from tests.mqtt_broker import Publisher, clear_session, payload, wait_for


def _options(tag: str, **kw: Any) -> ConsumeOptions:
    # A short session: a test's leftovers must not pile up on the machine's broker.
    base = ConsumeOptions(group=f"g{tag}", client_id=f"qcert-test-{tag}", session_expiry=60)
    return replace(base, **kw)


@contextmanager
def consuming(sink: Any, port: int, options: ConsumeOptions) -> Iterator[Consumer]:
    """A consumer running in a thread until the block ends, subscribed when the block starts."""
    consumer = Consumer(sink, Broker("127.0.0.1", port), options, message=Message)
    thread = threading.Thread(target=consumer.run, daemon=True)
    thread.start()
    try:
        assert consumer.wait_subscribed(10), "the consumer did not subscribe within 10 s"
        yield consumer
    finally:
        consumer.stop()
        thread.join(10)
        assert not thread.is_alive(), "the consumer did not stop within 10 s"
        clear_session(port, options.client_id)


def _stored(path: Path) -> int:
    return len(rows(path))


def test_readings_are_stored_exactly_once_in_seq_order_per_device(mosquitto, tag, tmp_path):
    sink = SqliteSink(tmp_path / "s.db", only=f"qcert/v1/org{tag}/")
    publisher = Publisher(mosquitto, f"pub-{tag}")
    with consuming(sink, mosquitto, _options(tag)) as consumer:
        for n in range(20):
            for device in ("d1", "d2", "d3"):
                seqs = range(n * 10, n * 10 + 10)
                publisher.publish(f"qcert/v1/org{tag}/{device}/line", payload(device, seqs), n)
        # The same message again (a device that retried): counted, not stored twice.
        publisher.publish(f"qcert/v1/org{tag}/d2/line", payload("d2", range(50, 60)), "again")
        publisher.wait()
        wait_for(lambda: sink.ours == 61, 10, "61 messages taken")
    publisher.close()
    stored = rows(tmp_path / "s.db")
    assert len(stored) == len(set(stored)) == 600
    for device in ("d1", "d2", "d3"):
        assert [s for d, s in stored if d == device] == list(range(200))
    # Only our messages are counted stored or duplicate: others' are refused "not-ours".
    assert consumer.counts.stored == 600
    assert consumer.counts.duplicates == 10
    assert consumer.counts.acked == consumer.counts.messages >= 61
    assert max(sink.batches) > 1, "messages are taken in batches"


class _Spy:
    """A sink recording, in one timeline, when each ``take`` returned, and the consumer's
    acknowledgements (wrapped around ``client.ack``)."""

    def __init__(self, inner: SqliteSink, fail_first: int = 0) -> None:
        self.inner, self.fail_first = inner, fail_first
        self.timeline: list[tuple[str, Any]] = []
        self.lock = threading.Lock()

    def take(self, messages: list[Message]) -> list[Any]:
        if self.fail_first:
            self.fail_first -= 1
            raise OSError("the database is out of reach")
        verdicts = self.inner.take(messages)
        with self.lock:
            self.timeline.append(("durable", len(messages)))
        return verdicts

    def anchor_due(self, now: Any) -> None:
        self.inner.anchor_due(now)

    def watch(self, consumer: Consumer) -> None:
        ack = consumer.client.ack

        def acking(mid: int, qos: int) -> Any:
            with self.lock:
                self.timeline.append(("ack", mid))
            return ack(mid, qos)

        consumer.client.ack = acking  # type: ignore[method-assign]


def test_nothing_is_acknowledged_before_take_returned_and_a_failing_take_is_retried(
    private_broker, tag, tmp_path
):
    spy = _Spy(SqliteSink(tmp_path / "s.db"), fail_first=3)
    publisher = Publisher(private_broker.port)
    options = _options(tag, batch_seconds=0.2)
    with consuming(spy, private_broker.port, options) as consumer:
        spy.watch(consumer)
        for n in range(5):
            publisher.publish(f"qcert/v1/o/d/s{n}", payload("d", range(n * 3, n * 3 + 3)), n)
        publisher.wait()
        wait_for(lambda: consumer.counts.acked == 5, 15, "5 messages acknowledged")
    publisher.close()
    assert consumer.counts.failures == 3
    # Every acknowledgement follows the durable take of the batch it belongs to.
    durable = 0
    for event, value in spy.timeline:
        if event == "durable":
            durable += value
        else:
            assert durable > 0, "acknowledged before its take returned"
    acks = sum(1 for event, _ in spy.timeline if event == "ack")
    assert acks == 5 and durable == 5
    assert _stored(tmp_path / "s.db") == 15


class _Slow(SqliteSink):
    """A sink that takes 20 ms per batch and records the most messages the consumer held that
    were received but not yet durable."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.delivered = 0
        self.durable = 0
        self.most_held = 0

    def take(self, messages: Any) -> Any:
        time.sleep(0.02)
        verdicts = super().take(messages)
        self.durable += len(messages)
        return verdicts


def test_the_consumer_holds_a_bounded_number_of_messages_however_fast_they_come(
    private_broker, tag, tmp_path
):
    sink = _Slow(tmp_path / "s.db")
    publisher = Publisher(private_broker.port)
    options = _options(tag, receive_maximum=8, batch_messages=4)
    with consuming(sink, private_broker.port, options) as consumer:
        on_message = consumer.client.on_message

        def counted(client: Any, userdata: Any, msg: Any) -> None:
            sink.delivered += 1
            sink.most_held = max(sink.most_held, sink.delivered - sink.durable)
            on_message(client, userdata, msg)

        consumer.client.on_message = counted
        for n in range(300):
            publisher.publish("qcert/v1/o/d/s", payload("d", [n]), n)
        publisher.wait()
        wait_for(lambda: consumer.counts.acked == 300, 30, "300 messages acknowledged")
    publisher.close()
    assert _stored(tmp_path / "s.db") == 300
    # At most the inbox (Receive Maximum, 8), the batch in hand (4) and the message waiting
    # to enter the inbox: the rest waits in the socket and on the broker.
    assert sink.most_held <= 8 + 4 + 1


def test_a_shared_subscription_splits_the_stream_between_consumers(mosquitto, tag, tmp_path):
    ours = f"qcert/v1/org{tag}/"
    first, second = SqliteSink(tmp_path / "a.db", ours), SqliteSink(tmp_path / "b.db", ours)
    publisher = Publisher(mosquitto, f"pub-{tag}")
    one = _options(tag, client_id=f"qcert-test-{tag}-1", batch_messages=5)
    two = _options(tag, client_id=f"qcert-test-{tag}-2", batch_messages=5)
    with consuming(first, mosquitto, one), consuming(second, mosquitto, two):
        for n in range(60):
            publisher.publish(f"qcert/v1/org{tag}/d/line", payload("d", [n]), n)
        publisher.wait()
        wait_for(lambda: first.ours + second.ours == 60, 10, "60 messages taken")
    publisher.close()
    got_a, got_b = set(rows(tmp_path / "a.db")), set(rows(tmp_path / "b.db"))
    assert got_a and got_b, "both consumers of the group took a share"
    assert not got_a & got_b
    assert got_a | got_b == {("d", n) for n in range(60)}


def test_what_cannot_be_read_goes_to_the_sink_and_consuming_goes_on(mosquitto, tag, tmp_path):
    sink = SqliteSink(tmp_path / "s.db", only=f"qcert/v1/org{tag}/")
    publisher = Publisher(mosquitto, f"pub-{tag}")
    topic = f"qcert/v1/org{tag}/d/line"
    with consuming(sink, mosquitto, _options(tag)) as consumer:
        publisher.publish(topic, payload("d", [1]), 1)
        publisher.publish(topic, b"\xff\xfe not json", "bad")
        publisher.publish(topic, b"", "empty")
        publisher.publish(topic, b'{"device": "d", "readings": "no"}', "schema")
        publisher.publish(topic, payload("d", [2]), 2)
        publisher.wait()
        wait_for(lambda: sink.ours == 5, 10, "5 messages taken")
    publisher.close()
    assert rows(tmp_path / "s.db") == [("d", 1), ("d", 2)]
    assert consumer.counts.refusals["malformed"] == 3
    # A refusal is durable too: acknowledged, it is not sent again.
    assert consumer.counts.acked == consumer.counts.messages >= 5


def test_a_consumer_anchors_at_its_interval_or_leaves_anchoring_to_another_process(
    mosquitto, tag, tmp_path
):
    anchored = {}
    for every in (0.05, 0.0):
        sink = SqliteSink(tmp_path / f"s{every}.db")
        with consuming(sink, mosquitto, _options(tag, anchor_seconds=every)):
            time.sleep(0.6)
        anchored[every] = sink.db.execute("SELECT count(*) FROM anchors").fetchone()[0]
    assert anchored[0.05] >= 3  # every 50 ms while it ran, and once more as it stopped
    assert anchored[0.0] == 0
