"""Real-time collection of process data over MQTT (policy article (三): 实时在线采集过程数据).

A :class:`Consumer` subscribes to ``$share/{group}/qcert/v1/+/+/+`` (topic scheme
``qcert/v1/{organisation}/{device}/{stream}``) with an MQTT 5 persistent session and QoS 1, hands
the messages it receives to the intake in batches and acknowledges each message only once the
intake's ``take`` has returned for it, i.e. once it is durable:

- at least once from the broker: the session outlives the connection (``clean_start`` false, a
  session expiry interval, a fixed client id), so whatever was not acknowledged is sent again
  after a crash, a reconnection or a broker restart (MQTT 5.0, 4.4 "Message delivery retry");
- exactly once in the store: the intake keeps one row per (device, seq) and counts the rest as
  duplicates;
- back-pressure, not unbounded memory: the CONNECT packet's Receive Maximum (MQTT 5.0, 3.1.2.11.3)
  caps how many unacknowledged messages the broker sends, its Maximum Packet Size (3.1.2.11.4)
  caps each one, and the inbox between the network thread and the writer is bounded in messages
  and bytes (a full inbox stalls the socket, which stalls the broker);
- several consumer processes share one stream through a shared subscription (MQTT 5.0, 4.8.2),
  each with its own client id;
- with a pipelined sink (:class:`qcert.evidence.writer.WriterProcess`), a batch is stored in
  another process while the next one is read, and still acknowledged only once committed.

The consumer never dies on input: malformed payloads are the intake's to refuse (its dead-letter
table). A failing ``take`` (the database down) is retried with backoff and nothing is
acknowledged until it succeeds.
"""

from __future__ import annotations

import gc
import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, Protocol
from urllib.parse import unquote, urlsplit

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

__all__ = [
    "TOPIC_FILTER",
    "Broker",
    "BrokerUrlInvalid",
    "ConsumeOptions",
    "Consumer",
    "Counts",
    "PipelinedSink",
    "Sink",
    "parse_broker_url",
    "settle_collector",
    "subscription",
]

log = logging.getLogger("qcert.evidence.mqtt")

TOPIC_FILTER = "qcert/v1/+/+/+"  # qcert/v1/{organisation}/{device}/{stream}
RECEIVE_MAXIMUM = 1000  # messages the broker may send before our acknowledgements
MAX_PACKET = 2 * 1024 * 1024  # bytes: larger messages are never sent to us (MQTT 5.0 3.1.2.11.4)
INBOX_BYTES = 64 * 1024 * 1024  # bytes held between the network thread and the writer
SESSION_EXPIRY = 7 * 24 * 3600  # seconds the broker keeps our session while we are away


def settle_collector() -> None:
    """Tune the garbage collector for a process that takes readings for hours: what was
    built before the stream starts (modules, the services, fitted monitors) is moved out of
    the collector's view (``gc.freeze``), and the youngest generation is collected every
    50,000 new objects instead of 700. A batch of readings allocates hundreds of thousands
    of short-lived, acyclic objects, freed by reference counting; with the defaults the
    collector walks them, and every long-lived object, again and again: about a fifth of
    the consumer's time (``bench/ingest.py``), for no garbage found. Cycles are still
    collected, only less often."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)


class Sink(Protocol):
    """Where messages go: the evidence intake (``qcert.evidence.intake.Intake``)."""

    def take(self, messages: Sequence[Any]) -> list[Any]:
        """Store ``messages``; durable when it returns; one verdict per message."""
        ...

    def anchor_due(self, now: datetime) -> Any:
        """Anchor the windows closed by ``now`` on the ledger."""
        ...


class PipelinedSink(Sink, Protocol):
    """A sink that stores batches while the consumer reads the next ones
    (:class:`qcert.evidence.writer.WriterProcess`): ``prepare`` reads and checks a batch in
    the consumer's process, ``submit`` hands it over, ``done`` gives back the verdicts of each
    batch committed since, oldest first; at most ``depth`` batches are in hand."""

    depth: int

    def prepare(self, messages: Sequence[Any]) -> Any:
        """Read and check ``messages`` here, without the store: what ``submit`` hands over."""
        ...

    def submit(self, prepared: Any) -> None:
        """Hand a prepared batch over to be stored."""
        ...

    def done(self, wait: float) -> list[list[Any]]:
        """The verdicts of the batches committed since the last call, waiting up to ``wait``
        s for the first."""
        ...

    def interrupt(self) -> None:
        """Give up a batch that cannot be stored now, instead of retrying: the consumer is
        stopping."""
        ...

    def close(self) -> None:
        """Stop storing, after what is in hand."""
        ...


@dataclass(frozen=True)
class Broker:
    """Where the broker listens, and how to sign in to it."""

    host: str
    port: int
    tls: bool = False
    username: str | None = None
    password: str | None = None

    def __str__(self) -> str:
        return f"{'mqtts' if self.tls else 'mqtt'}://{self.host}:{self.port}"


class BrokerUrlInvalid(ValueError):
    """A broker URL that cannot be used: ``en`` and ``zh`` say why."""

    def __init__(self, en: str, zh: str) -> None:
        super().__init__(f"{en} / {zh}")
        self.en, self.zh = en, zh


def parse_broker_url(url: str) -> Broker:
    """``mqtt://[user[:password]@]host[:port]`` (1883) or ``mqtts://…`` (8883, TLS).

    Raises :class:`BrokerUrlInvalid` naming what is wrong, in en and zh-CN.
    """
    if len(url) > 2048:
        raise BrokerUrlInvalid("longer than 2048 characters", "长度超过 2048 个字符")
    parts = urlsplit(url.strip())
    if parts.scheme not in ("mqtt", "mqtts") or not parts.hostname:
        raise BrokerUrlInvalid(
            f"{url!r} is not mqtt://host:port or mqtts://host:port",
            f"{url!r} 不是 mqtt://主机:端口 或 mqtts://主机:端口 格式",
        )
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise BrokerUrlInvalid(
            f"{url!r}: a broker URL has no path", f"{url!r}：代理地址不应包含路径"
        )
    try:
        port = parts.port
    except ValueError:
        port = -1
    if port is not None and not 1 <= port <= 65535:
        raise BrokerUrlInvalid(
            f"{url!r}: port out of 1-65535", f"{url!r}：端口须在 1 至 65535 之间"
        )
    tls = parts.scheme == "mqtts"
    return Broker(
        parts.hostname,
        port or (8883 if tls else 1883),
        tls,
        unquote(parts.username) if parts.username else None,
        unquote(parts.password) if parts.password else None,
    )


def subscription(group: str) -> str:
    """The shared subscription of consumer group ``group`` (MQTT 5.0, 4.8.2), or with no
    group the plain one (a single consumer; on Mosquitto 2.0 the only kind whose queued
    messages survive a broker restart)."""
    return f"$share/{group}/{TOPIC_FILTER}" if group else TOPIC_FILTER


@dataclass(frozen=True)
class ConsumeOptions:
    """How a consumer batches, anchors and stops (times in seconds)."""

    group: str = "qcert"
    client_id: str = "qcert-evidence"
    batch_messages: int = 500  # at most this many messages per ``take``
    batch_seconds: float = 0.05  # a batch closes this long after its first message
    receive_maximum: int = RECEIVE_MAXIMUM
    inbox_bytes: int = INBOX_BYTES
    max_packet: int = MAX_PACKET
    session_expiry: int = SESSION_EXPIRY
    keepalive: int = 30
    anchor_seconds: float = 1.0  # how often ``anchor_due`` runs; 0: never (another process does)
    report_seconds: float = 10.0  # how often the counts are logged
    max_messages: int | None = None  # stop after taking this many messages
    once_idle: float | None = None  # stop after this long without a message
    reconnect_min: int = 1  # reconnection backoff, doubling up to reconnect_max
    reconnect_max: int = 30


@dataclass
class Counts:
    """What a consumer has done: messages taken and acknowledged, readings stored and
    duplicated, messages refused (dead-lettered), batches, failed ``take`` calls, connections."""

    messages: int = 0
    acked: int = 0
    stored: int = 0
    duplicates: int = 0
    refused: int = 0
    batches: int = 0
    failures: int = 0
    connections: int = 0
    anchored: int = 0
    refusals: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """The counts as a JSON-ready mapping."""
        return {
            "messages": self.messages,
            "acked": self.acked,
            "stored": self.stored,
            "duplicates": self.duplicates,
            "refused": self.refused,
            "refusals": dict(sorted(self.refusals.items())),
            "batches": self.batches,
            "failures": self.failures,
            "connections": self.connections,
            "anchor_calls": self.anchored,
        }


@dataclass(frozen=True)
class _Delivery:
    mid: int
    qos: int
    generation: int  # the connection it came on: its mid means nothing on another
    message: Any
    size: int


class _Inbox:
    """A queue bounded in messages and bytes; ``put`` blocks while it is full (back-pressure
    on the socket), one message larger than the byte budget still passes when it is empty."""

    def __init__(self, messages: int, size: int) -> None:
        self._items: deque[_Delivery] = deque()
        self._bytes = 0
        self._limit = (messages, size)
        self._cond = threading.Condition()
        self.closed = False

    def put(self, item: _Delivery) -> bool:
        with self._cond:
            while not self.closed and self._items and self._full(item.size):
                self._cond.wait(0.5)
            if self.closed:
                return False
            self._items.append(item)
            self._bytes += item.size
            self._cond.notify_all()
            return True

    def _full(self, size: int) -> bool:
        return len(self._items) >= self._limit[0] or self._bytes + size > self._limit[1]

    def batch(self, most: int, linger: float, wait: float) -> list[_Delivery]:
        """Up to ``most`` items: waits ``wait`` s for the first, then ``linger`` s for more."""
        with self._cond:
            if not self._items:
                self._cond.wait(wait)
            if not self._items:
                return []
            deadline = time.monotonic() + linger
            while len(self._items) < most and (left := deadline - time.monotonic()) > 0:
                self._cond.wait(left)
            return self._drain(most)

    def drain(self) -> list[_Delivery]:
        """Everything held, at once (the last batch before stopping)."""
        with self._cond:
            return self._drain(len(self._items))

    def _drain(self, most: int) -> list[_Delivery]:
        taken = [self._items.popleft() for _ in range(min(most, len(self._items)))]
        self._bytes -= sum(d.size for d in taken)
        self._cond.notify_all()
        return taken

    def close(self) -> None:
        with self._cond:
            self.closed = True
            self._cond.notify_all()


class Consumer:
    """Moves messages from an MQTT broker into ``sink`` and acknowledges them once durable.

    ``message`` builds what ``sink.take`` receives from (topic, payload, received_at);
    ``clock`` gives the UTC time of receipt and of anchoring.
    """

    def __init__(
        self,
        sink: Sink,
        broker: Broker,
        options: ConsumeOptions,
        *,
        message: Callable[[str, bytes, datetime], Any],
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.sink, self.broker, self.options = sink, broker, options
        # A pipelined sink stores a batch while the next one is read; batches handed over
        # and not yet answered wait here, oldest first, to be acknowledged.
        pipelined = callable(getattr(sink, "submit", None))
        self._pipe: PipelinedSink | None = sink if pipelined else None  # type: ignore[assignment]
        self._in_hand: deque[list[_Delivery]] = deque()
        if self._pipe is not None:
            # The broker sends at most the receive maximum unacknowledged: room for the
            # batches in hand, the one being read (or read and waiting for room) and the next
            # one filling.
            most = max(1, options.receive_maximum // (self._pipe.depth + 2))
            if options.batch_messages > most:
                self.options = options = replace(options, batch_messages=most)
        self.counts = Counts()
        self._message, self._clock = message, clock
        self._inbox = _Inbox(options.receive_maximum, options.inbox_bytes)
        self._stop = threading.Event()
        self._generation = 0
        self._subscribed = threading.Event()
        self.client = self._client()

    def wait_subscribed(self, timeout: float) -> bool:
        """Wait up to ``timeout`` s until the broker has confirmed the subscription."""
        return self._subscribed.wait(timeout)

    # .. the network thread ..................................................

    def _client(self) -> mqtt.Client:
        o = self.options
        client = mqtt.Client(
            CallbackAPIVersion.VERSION2,
            client_id=o.client_id,
            protocol=mqtt.MQTTv5,
            manual_ack=True,  # acknowledged by the writer, after ``take`` returned
        )
        client.suppress_exceptions = True  # a bug in a callback must not end the network loop
        if self.broker.username is not None:
            client.username_pw_set(self.broker.username, self.broker.password)
        if self.broker.tls:
            client.tls_set()
        client.reconnect_delay_set(o.reconnect_min, o.reconnect_max)
        client.on_connect = self._on_connect
        client.on_disconnect = self._on_disconnect
        client.on_message = self._on_message
        client.on_subscribe = self._on_subscribe
        return client

    def _connect_properties(self) -> Properties:
        props = Properties(PacketTypes.CONNECT)
        props.SessionExpiryInterval = self.options.session_expiry
        props.ReceiveMaximum = self.options.receive_maximum
        props.MaximumPacketSize = self.options.max_packet
        return props

    def _on_connect(self, client: mqtt.Client, _ud: Any, flags: Any, reason: Any, _p: Any) -> None:
        if reason.is_failure:
            log.warning("broker %s refused the connection: %s", self.broker, reason)
            return
        self._generation += 1
        self.counts.connections += 1
        log.info(
            "connected to %s as %s (session %s)",
            self.broker,
            self.options.client_id,
            "resumed" if flags.session_present else "new",
        )
        # Subscribing again on a resumed session is harmless; on a new one it is needed.
        client.subscribe(subscription(self.options.group), qos=1)

    def _on_subscribe(self, _c: mqtt.Client, _ud: Any, _mid: int, reasons: Any, _p: Any) -> None:
        if any(r.is_failure for r in reasons):
            log.error("broker %s refused the subscription: %s", self.broker, reasons)
        else:
            self._subscribed.set()

    def _on_disconnect(self, _c: mqtt.Client, _ud: Any, _f: Any, reason: Any, _p: Any) -> None:
        self._subscribed.clear()
        if not self._stop.is_set():
            log.warning("disconnected from %s (%s); reconnecting", self.broker, reason)

    def _on_message(self, _c: mqtt.Client, _ud: Any, msg: mqtt.MQTTMessage) -> None:
        if self._stop.is_set():
            return  # not acknowledged: the broker sends it again to the next session
        try:
            # The raw bytes: paho's ``topic`` raises on invalid UTF-8, and the intake refuses
            # such a topic by its own rule (a dead letter, not a lost message).
            topic = msg._topic.decode("utf-8", "replace")
            payload = bytes(msg.payload)
            message = self._message(topic, payload, self._clock())
        except Exception:  # the consumer never dies on input
            log.exception("a message could not be read; it will be sent again")
            return
        self._inbox.put(_Delivery(msg.mid, msg.qos, self._generation, message, len(payload)))

    # .. the writer ..........................................................

    def stop(self) -> None:
        """Ask the consumer to finish the batch in hand, acknowledge it and disconnect."""
        self._stop.set()
        if self._pipe is not None:
            # A writer retrying a batch it cannot store gives it up, unacknowledged.
            self._pipe.interrupt()

    def run(self) -> Counts:
        """Consume until :meth:`stop`, ``max_messages`` or ``once_idle``; return the counts."""
        o = self.options
        self.client.connect_async(
            self.broker.host,
            self.broker.port,
            keepalive=o.keepalive,
            clean_start=False,
            properties=self._connect_properties(),
        )
        self.client.loop_start()
        last_message = last_anchor = last_report = time.monotonic()
        try:
            while not self._stop.is_set():
                # With batches in hand, look for their answers often: they are acknowledged
                # only then.
                wait = 0.02 if self._in_hand else 0.2
                batch = self._inbox.batch(o.batch_messages, o.batch_seconds, wait)
                now = time.monotonic()
                if batch:
                    self._store(batch)
                    last_message = now
                if self._in_hand:
                    self._settle(0)
                if o.anchor_seconds and now - last_anchor >= o.anchor_seconds:
                    self._anchor()
                    last_anchor = now
                if now - last_report >= o.report_seconds:
                    log.info("counts %s", self.counts.as_dict())
                    last_report = now
                if o.max_messages is not None and self.counts.messages >= o.max_messages:
                    break
                if o.once_idle is not None and now - last_message >= o.once_idle:
                    break
        finally:
            self._stop.set()
            self._finish()
        return self.counts

    def _finish(self) -> None:
        """The last batch (what the inbox holds), its acknowledgements, then a clean
        DISCONNECT: the session stays on the broker for the next start."""
        self._inbox.close()
        try:
            rest = self._inbox.drain()
            if rest:
                self._store(rest, retry=False)
            if self._pipe is not None:
                deadline = time.monotonic() + 60
                while self._in_hand and time.monotonic() < deadline:
                    self._settle(1.0)
            if self.options.anchor_seconds:
                self._anchor()
        except Exception:
            if self._pipe is None:
                raise
            # The writer is gone or gave up: what it did not answer stays unacknowledged,
            # and the broker sends it again to the next start.
            log.exception(
                "the writer could not finish; %d batches unacknowledged", len(self._in_hand)
            )
        finally:
            if self._pipe is not None:
                self._pipe.close()
            self.client.disconnect()
            self.client.loop_stop()

    def _store(self, batch: list[_Delivery], *, retry: bool = True) -> None:
        if self._pipe is not None:
            # Read while the writer commits what it has; then wait for room to hand it over.
            prepared = self._pipe.prepare([d.message for d in batch])
            while len(self._in_hand) >= self._pipe.depth:
                # The writer is behind: do its first step for this batch meanwhile, a
                # message at a time, looking for room between them.
                self._settle(0.0 if prepared.work_ahead() else 1.0)
            self._pipe.submit(prepared)
            self._in_hand.append(batch)
            return
        delay = 0.1
        while True:
            try:
                verdicts = self.sink.take([d.message for d in batch])
                break
            except Exception:
                # The store is out of reach: nothing is acknowledged, so nothing is lost.
                self.counts.failures += 1
                log.exception("take failed for %d messages; retrying in %.1f s", len(batch), delay)
                if not retry or self._stop.wait(delay):
                    return
                delay = min(delay * 2, 10.0)
        self._acknowledge(batch, verdicts)

    def _settle(self, wait: float) -> None:
        """Acknowledge each batch in hand the pipelined sink has committed since."""
        assert self._pipe is not None
        for verdicts in self._pipe.done(wait):
            self._acknowledge(self._in_hand.popleft(), verdicts)

    def _acknowledge(self, batch: list[_Delivery], verdicts: list[Any]) -> None:
        self._count(batch, verdicts)
        generation = self._generation
        for d in batch:
            # A mid of an earlier connection may name another message now: leave it
            # unacknowledged, the broker sends it again and the store counts a duplicate.
            if d.generation == generation and d.qos > 0:
                self.client.ack(d.mid, d.qos)
                self.counts.acked += 1

    def _count(self, batch: list[_Delivery], verdicts: list[Any]) -> None:
        c = self.counts
        c.batches += 1
        c.messages += len(batch)
        for v in verdicts:
            c.stored += v.stored
            c.duplicates += v.duplicates
            if v.status == "refused":
                c.refused += 1
                c.refusals[v.code] = c.refusals.get(v.code, 0) + 1

    def _anchor(self) -> None:
        try:
            self.sink.anchor_due(self._clock())
            self.counts.anchored += 1
        except Exception:
            log.exception("anchoring failed; it runs again at the next interval")
