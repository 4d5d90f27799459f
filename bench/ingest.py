"""Ingest benchmark: process data readings per second end to end over MQTT (publish -> durable
-> anchored), against a bare paho subscriber receiving the same stream in the same run.

A private Mosquitto (on a free port, no cap on what it queues) carries the stream. A publisher
process sends messages of 150 readings (the demonstration machining line's 5 process variables,
synthetic, normal operation) for 8 devices at QoS 1 as fast as it can while staying at most
400,000 readings ahead of what its reader has taken (more than a consumer holds
unacknowledged), so the reader is always busy and the broker's queue stays bounded. It
writes each message from readings encoded once (the bytes ``json.dumps`` writes, checked at
the start), as it stands for devices on other machines and should take little of the two
cores the consumers and the broker share.

1. Baseline: a bare paho subscriber (QoS 1, acknowledging on receipt, parsing each message's
   JSON and counting its readings: the least any consumer does) reads the same stream, from
   the same publisher, for a fifth of the run (at least 10 s).
2. qcert: ``qcert.evidence.mqtt.Consumer`` (this process) hands batches to the real intake
   (``Intake.take`` on SQLite, a file in WAL mode; or ``--database-url``), acknowledges each
   message once durable, and anchors due windows (10 s windows, 30 s grace) every second, for
   ``--seconds``. Scoring is on (``--no-scoring`` turns it off): each device's first 480
   readings are taken and anchored before the run and a PCA monitor is fitted on them, and the
   stream watcher scores every reading stored. ``--consumers N`` runs N consumer processes on
   one shared subscription (MQTT 5.0, 4.8.2) over the same store; the first also anchors and
   scores, as a consumer in a group does: settled readings (each device's readings up to
   its newest anchored window, read in seq order from the store whoever stored them).
   ``--anchor-apart`` anchors in a process of its own instead (``qcert evidence anchor
   --every 1`` beside consumers run with ``--anchor-every 0``). ``--writer-process`` splits
   the first consumer as ``qcert evidence consume --writer-process`` does: its process
   receives and checks each batch, a writer process hashes, stores, scores and anchors it;
   memory and CPU are then both processes' together. Every consumer process tunes
   its garbage collector as ``qcert evidence consume`` does (``settle_collector``). The
   resident memory of the first process is sampled every second; what is printed is the
   first minute's peak after warm-up against the last minute's.

Readings/s are counted over the run after a 5 s warm-up. The last line sums it up: qcert's rate,
the ratio to the baseline, and the memory ratio (last / first; flat is about x1.00). On a
machine others share, the wall-clock rates move with the load (printed before and after each
run); readings per CPU second of the consumer processes move much less.

Run: ``make bench`` or ``.venv/bin/python bench/ingest.py [--seconds 300] [--writer-process]``
(``--seconds 30`` for a smoke run).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import sys
import tempfile
import threading
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parents[1]))  # tests.mqtt_broker, tests.services

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from tests.mqtt_broker import PrivateBroker, Publisher

from qcert.quality.demo_line import PROCESS, line_readings
from qcert.quality.demo_line import UNITS as LINE_UNITS

VARS = PROCESS  # the demonstration machining line's five process variables
UNITS = {v: LINE_UNITS[v] for v in VARS}
ROWS = 2000  # a device's values repeat after this many readings (normal operation, no fault)
TRAINING = 480  # readings a device's monitor is fitted on (one a second, before the stream)
DEVICES = 8
PER_MESSAGE = 150
# Readings the publisher may be ahead of what its reader has taken: more than the consumers
# may hold unacknowledged (a consumer's receive maximum, 1,000 messages of 150 readings),
# so that they are never kept waiting for it.
AHEAD = 400_000
WARMUP = 5.0  # seconds not counted
# Short windows, so that a run of a few minutes anchors many of them; a grace longer than
# the publisher's lead (AHEAD readings, ~10 s at the slowest rate seen), so that consumers
# sharing a device's messages never store one more than the grace ahead of another.
WINDOW, GRACE = 10, 30  # seconds


_LINES: dict[int, list[dict[str, float]]] = {}


def _values(device: int, seq: int) -> dict[str, float]:
    """Reading ``seq`` of a device's line (synthetic, normal, seeded by the device)."""
    if device not in _LINES:
        frame = line_readings(device, n=ROWS, fault_at=None).frame
        _LINES[device] = [{v: float(row[v]) for v in VARS} for row in frame.to_dict("records")]
    return _LINES[device][seq % ROWS]


def _message(device: int, seq: int, at: float | None = None, count: int = PER_MESSAGE) -> bytes:
    """Readings ``seq`` to ``seq + count - 1`` of a device, all taken at ``at`` (default:
    now), as one message: the bytes ``json.dumps`` writes for it."""
    stamp = datetime.fromtimestamp(time.time() if at is None else at, UTC).isoformat()
    readings = [
        {"seq": s, "time": stamp, "values": _values(device, s)} for s in range(seq, seq + count)
    ]
    return json.dumps({"device": f"dev{device}", "units": UNITS, "readings": readings}).encode()


_ENCODED: dict[int, tuple[str, list[str]]] = {}


def _encoded(device: int, seq: int, at: float | None = None, count: int = PER_MESSAGE) -> bytes:
    """:func:`_message`, written from each reading's values encoded once: the publisher
    stands for devices on other machines, so it should take as little as it can of the two
    cores the consumers and the broker run on."""
    if device not in _ENCODED:
        head = json.dumps({"device": f"dev{device}", "units": UNITS})[:-1] + ', "readings": ['
        _ENCODED[device] = (head, [json.dumps(_values(device, s)) for s in range(ROWS)])
    head, values = _ENCODED[device]
    stamp = (datetime.now(UTC) if at is None else datetime.fromtimestamp(at, UTC)).isoformat()
    body = ", ".join(
        [
            f'{{"seq": {s}, "time": "{stamp}", "values": {values[s % ROWS]}}}'
            for s in range(seq, seq + count)
        ]
    )
    return f"{head}{body}]}}".encode()


def publish(port: int, taken: Any, stop: Any, client_id: str) -> None:
    """Publish the stream until ``stop``, never more than AHEAD readings beyond ``taken``."""
    publisher = Publisher(port, client_id)
    seqs = [TRAINING] * DEVICES  # after the readings the monitors were fitted on
    sent = 0
    while not stop.is_set():
        if sent - taken.value > AHEAD:
            time.sleep(0.002)
            continue
        for d in range(DEVICES):
            publisher.publish(f"qcert/v1/c1/dev{d}/line", _encoded(d, seqs[d]), None)
            seqs[d] += PER_MESSAGE
            sent += PER_MESSAGE
    publisher.close()


def bare_subscriber(port: int, taken: Any, stop: Any, ready: Any) -> None:
    """The baseline: a paho subscriber that parses each message's JSON (the least any
    consumer does with it) and counts its readings."""
    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id="bench-bare", protocol=mqtt.MQTTv5)

    def on_message(_c: Any, _u: Any, m: Any) -> None:
        readings = len(json.loads(m.payload)["readings"])
        with taken.get_lock():
            taken.value += readings

    client.on_message = on_message
    client.on_subscribe = lambda *_: ready.set()
    client.on_connect = lambda c, *_: c.subscribe("qcert/v1/+/+/+", qos=1)
    client.connect("127.0.0.1", port)
    client.loop_start()
    stop.wait()
    client.disconnect()
    client.loop_stop()


def _rss() -> int:
    """Resident memory of this process, bytes (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


def _rate(samples: list[tuple[float, int]]) -> float:
    """Readings per second between the first sample after the warm-up and the last."""
    start = next(s for s in samples if s[0] >= WARMUP)
    end = samples[-1]
    return (end[1] - start[1]) / (end[0] - start[0])


def _span(samples: list[tuple[float, int]], start: float, end: float) -> float:
    """Readings per second between the samples nearest ``start`` and ``end`` (s)."""
    a = min(samples, key=lambda s: abs(s[0] - start))
    b = min(samples, key=lambda s: abs(s[0] - end))
    return (b[1] - a[1]) / (b[0] - a[0]) if b[0] > a[0] else 0.0


def run_bare(port: int, seconds: float) -> float:
    ctx = mp.get_context("spawn")
    taken, stop, ready = ctx.Value("q", 0), ctx.Event(), ctx.Event()
    sub = ctx.Process(target=bare_subscriber, args=(port, taken, stop, ready))
    sub.start()
    ready.wait(10)
    pub = ctx.Process(target=publish, args=(port, taken, stop, "bench-pub-bare"))
    pub.start()
    samples, t0 = [], time.monotonic()
    while (now := time.monotonic() - t0) < seconds:
        samples.append((now, taken.value))
        time.sleep(0.5)
    samples.append((time.monotonic() - t0, taken.value))
    stop.set()
    pub.join(20)
    sub.join(20)
    return _rate(samples)


def _services(workdir: Path, database_url: str | None, scoring: bool) -> Any:
    from tests.services import SYSTEM, make_services

    from qcert.evidence.commands import RegisterDevice
    from qcert.evidence.intake import Intake
    from qcert.lifecycle import RegisterClient
    from qcert.store import create_engine, migrate

    engine = create_engine(database_url or f"sqlite:///{workdir / 'ingest.db'}")
    migrate(engine)
    svc = make_services(engine, workdir)
    site = {"id": "hq", "name": "HQ", "address": "北京", "adcode": "110108", "lat": 39.9}
    site["lon"] = 116.3
    client = RegisterClient("c1", "91110108551385082Q", "公司", "Co", "北京", "110108", 9, [site])
    svc.bus.handle(client, SYSTEM)
    variables = [{"name": v, "unit": UNITS[v]} for v in VARS]
    for d in range(DEVICES):
        svc.bus.handle(RegisterDevice(f"dev{d}", "c1", "sensor", variables), SYSTEM)
    intake = Intake(engine, bus=svc.bus, window_seconds=WINDOW, grace_seconds=GRACE)
    if scoring:
        _fit_monitors(svc, intake)
    return svc, engine, intake


def _fit_monitors(svc: Any, intake: Any) -> None:
    """Each device's first TRAINING readings (one a second, ending 60 s ago) taken and
    anchored, and a PCA monitor fitted on them; the watcher then scores the stream."""
    from tests.services import SYSTEM

    from qcert.evidence.intake import IDLE_SECONDS, Message
    from qcert.evidence.monitor_commands import FitMonitor

    now = time.time()
    # Ends more than the idle allowance ago (the devices send nothing later until the stream
    # starts): all of it is anchored now.
    start = float(int(now) - 60 - IDLE_SECONDS - TRAINING)
    batch = []
    for d in range(DEVICES):
        readings = [
            {
                "seq": s,
                "time": datetime.fromtimestamp(start + s, UTC).isoformat(),
                "values": _values(d, s),
            }
            for s in range(TRAINING)
        ]
        doc = {"device": f"dev{d}", "units": UNITS, "readings": readings}
        batch.append(Message(f"qcert/v1/c1/dev{d}/line", json.dumps(doc).encode(), _utc(now)))
    assert all(v.status == "stored" for v in intake.take(batch))
    intake.anchor_due(_utc(now))
    for d in range(DEVICES):
        fit = FitMonitor(f"dev{d}", "pca", _utc(start), _utc(start + TRAINING), variables=VARS)
        svc.bus.handle(fit, SYSTEM)
    intake.watcher = svc.watcher


def _utc(at: float) -> datetime:
    return datetime.fromtimestamp(at, UTC)


class _Counting:
    """The intake, counting windows anchored."""

    def __init__(self, intake: Any) -> None:
        self.intake, self.windows = intake, 0
        self.take_seconds = self.anchor_seconds = 0.0

    def take(self, messages: Any) -> Any:
        start = time.perf_counter()
        verdicts = self.intake.take(messages)
        self.take_seconds += time.perf_counter() - start
        return verdicts

    def anchor_due(self, now: datetime) -> int:
        start = time.perf_counter()
        anchored = self.intake.anchor_due(now)
        self.anchor_seconds += time.perf_counter() - start
        self.windows += anchored
        return anchored  # type: ignore[no-any-return]


def _options(client_id: str, group: str, batch: int | None, anchor_seconds: float = 1.0) -> Any:
    from qcert.evidence.mqtt import ConsumeOptions

    # By default as ``qcert evidence consume`` runs: 500 messages of 150 readings a batch
    # (250 with a writer process, so that four batches fit in the receive maximum) and 1,000
    # messages unacknowledged at most. ``--batch N``: N a batch, at most four held.
    options = ConsumeOptions(
        group=group, client_id=client_id, session_expiry=60, anchor_seconds=anchor_seconds
    )
    if batch is None:
        return options
    return replace(options, batch_messages=batch, receive_maximum=4 * batch)


class _TakeOnly:
    """A further consumer's intake: it takes, and leaves anchoring to the first consumer."""

    def __init__(self, intake: Any, stored: Any) -> None:
        self.intake, self.stored = intake, stored

    def take(self, messages: Any) -> Any:
        verdicts = self.intake.take(messages)
        self.stored.value += sum(v.stored for v in verdicts)
        return verdicts

    def anchor_due(self, now: datetime) -> int:
        return 0


def further_consumer(
    port: int, url: str, n: int, stored: Any, stop: Any, ready: Any, cpu: Any, batch: int | None
) -> None:
    """Consumer ``n`` of a shared subscription, in a process of its own (same store)."""
    from qcert.evidence.intake import Intake, Message
    from qcert.evidence.mqtt import Broker, Consumer, settle_collector
    from qcert.store import create_engine

    engine = create_engine(url)
    sink = _TakeOnly(Intake(engine), stored)
    options = _options(f"bench-qcert-{n}", "bench", batch)
    consumer = Consumer(sink, Broker("127.0.0.1", port), options, message=Message)
    threading.Thread(target=lambda: (stop.wait(), consumer.stop()), daemon=True).start()
    threading.Thread(
        target=lambda: consumer.wait_subscribed(20) and ready.set(), daemon=True
    ).start()
    settle_collector()  # as ``qcert evidence consume`` does
    started = time.process_time()
    consumer.run()
    cpu.value = time.process_time() - started
    engine.dispose()


def anchoring(url: str, workdir: str, stop: Any, windows: Any, cpu: Any) -> None:
    """Anchoring in a process of its own, as ``qcert evidence anchor --every 1`` beside
    consumers run with ``--anchor-every 0``: due windows every second, over the same store."""
    from tests.services import make_services

    from qcert.evidence.intake import Intake
    from qcert.evidence.mqtt import settle_collector
    from qcert.store import create_engine

    engine = create_engine(url)
    svc = make_services(engine, Path(workdir))
    intake = Intake(engine, bus=svc.bus, window_seconds=WINDOW, grace_seconds=GRACE)
    settle_collector()
    started = time.process_time()
    while not stop.wait(1.0):
        windows.value += intake.anchor_due(datetime.now(UTC))
    cpu.value = time.process_time() - started
    svc.close()
    engine.dispose()


def writer_side(url: str, workdir: str, scoring: bool) -> tuple[Any, Any]:
    """The writer process's intake (``--writer-process``): the same store and services as
    the consumer's, its watcher scoring what it commits; when it stops, it writes how many
    readings it scored to ``workdir``/scored."""
    from tests.services import make_services

    from qcert.evidence.intake import Intake
    from qcert.store import create_engine

    engine = create_engine(url)
    svc = make_services(engine, Path(workdir))
    intake = Intake(engine, bus=svc.bus, window_seconds=WINDOW, grace_seconds=GRACE)
    if scoring:
        intake.watcher = svc.watcher

    def finish() -> None:
        watcher = intake.watcher
        if watcher is not None:
            scored = sum(max(0, st.last_seq + 1 - TRAINING) for st in watcher.streams.values())
            (Path(workdir) / "scored").write_text(f"{scored} {len(watcher.streams)}")
        svc.close()
        engine.dispose()

    return intake, finish


def _proc_rss(pid: int) -> int:
    """Resident memory of process ``pid``, bytes (Linux); 0 once it is gone."""
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    return next((int(ln.split()[1]) * 1024 for ln in text.splitlines() if "VmRSS:" in ln), 0)


def _proc_cpu(pid: int) -> float:
    """User and system CPU seconds of process ``pid`` so far (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _windows(engine: Any) -> int:
    import sqlalchemy as sa

    with engine.connect() as conn:
        return int(conn.execute(sa.text("SELECT count(*) FROM evidence_windows")).scalar_one())


def _alarms(engine: Any) -> int:
    """Alarm episodes recorded (each an ``evidence.alarm-raised`` event on the ledger)."""
    import sqlalchemy as sa

    with engine.connect() as conn:
        return int(conn.execute(sa.text("SELECT count(*) FROM evidence_alarms")).scalar_one())


def run_qcert(
    port: int,
    seconds: float,
    workdir: Path,
    database_url: str | None,
    profile: bool = False,
    consumers: int = 1,
    batch: int | None = None,
    scoring: bool = True,
    anchor_apart: bool = False,
    writer_process: bool = False,
) -> dict:
    from qcert.evidence.intake import Message
    from qcert.evidence.mqtt import Broker, Consumer, settle_collector

    svc, engine, intake = _services(workdir, database_url, scoring)
    windows_before = _windows(engine)
    if consumers > 1 and intake.watcher is not None:
        # What the consumer command does in a group (qcert.config.score_mode): the group
        # splits each device's readings between processes, so only settled ones are complete.
        intake.watcher.mode = "settled"
    url = engine.url.render_as_string(hide_password=False)
    writer = None
    if writer_process:
        from functools import partial

        from qcert.evidence.writer import WriterProcess

        writer = WriterProcess(partial(writer_side, url, str(workdir), scoring))
        sink: Any = writer
    else:
        sink = _Counting(intake)
    group = "bench" if consumers > 1 else ""
    options = _options("bench-qcert", group, batch, anchor_seconds=0.0 if anchor_apart else 1.0)
    consumer = Consumer(sink, Broker("127.0.0.1", port), options, message=Message)
    ctx = mp.get_context("spawn")
    taken, stop = ctx.Value("q", 0), ctx.Event()
    others = []
    cpus = []
    for n in range(1, consumers):
        stored, ready, cpu_used = ctx.Value("q", 0), ctx.Event(), ctx.Value("d", 0.0)
        proc = ctx.Process(
            target=further_consumer, args=(port, url, n, stored, stop, ready, cpu_used, batch)
        )
        proc.start()
        others.append((proc, stored, ready))
        cpus.append(cpu_used)
    for _, _, ready in others:
        assert ready.wait(60), "a further consumer did not subscribe"
    anchorer = None
    apart_windows, apart_cpu = ctx.Value("q", 0), ctx.Value("d", 0.0)
    if anchor_apart:
        anchorer = ctx.Process(
            target=anchoring, args=(url, str(workdir), stop, apart_windows, apart_cpu)
        )
        anchorer.start()
        cpus.append(apart_cpu)

    def stored_now() -> int:
        return consumer.counts.stored + sum(v.value for _, v, _ in others)

    pub = ctx.Process(target=publish, args=(port, taken, stop, "bench-pub-qcert"))
    samples: list[tuple[float, int]] = []
    memory: list[tuple[float, int]] = []

    def sample() -> None:
        assert consumer.wait_subscribed(20), "the consumer did not subscribe"
        pub.start()
        t0 = time.monotonic()
        while (now := time.monotonic() - t0) < seconds:
            taken.value = stored = stored_now()
            samples.append((now, stored))
            if not memory or now - memory[-1][0] >= 1.0:
                writer_rss = _proc_rss(writer.pid) if writer is not None and writer.pid else 0
                memory.append((now, _rss() + writer_rss))
            time.sleep(0.1)
        samples.append((time.monotonic() - t0, stored_now()))
        if writer is not None and writer.pid:
            writer_cpu[0] = _proc_cpu(writer.pid) - writer_cpu[0]
        stop.set()
        consumer.stop()

    writer_cpu = [_proc_cpu(writer.pid) if writer is not None and writer.pid else 0.0]
    sampler = threading.Thread(target=sample)
    settle_collector()  # as ``qcert evidence consume`` does
    started = time.process_time()
    sampler.start()
    if profile:  # the writer's own time, by function (the network thread is not in it)
        import cProfile
        import pstats

        profiler = cProfile.Profile(time.thread_time)  # CPU, not the others' share of it
        counts = profiler.runcall(consumer.run)
        pstats.Stats(profiler).sort_stats("tottime").print_stats(18)
    else:
        counts = consumer.run()
    cpu = time.process_time() - started
    sampler.join()
    pub.join(20)
    for proc, _, _ in others:
        proc.join(60)
    if anchorer is not None:
        anchorer.join(60)
    minute = min(60.0, seconds / 3)
    first = max(m for t, m in memory if WARMUP <= t < WARMUP + minute)
    last = max(m for t, m in memory if t >= memory[-1][0] - minute)
    watcher = intake.watcher
    if watcher is None:
        scoring = "off (--no-scoring)"
    elif writer is not None:
        scored, streams = (workdir / "scored").read_text().split()
        scoring = (
            f"a PCA monitor on each of {streams} devices, {int(scored):,} readings scored "
            f"({watcher.mode}) in the writer process"
        )
    else:
        scored = sum(max(0, st.last_seq + 1 - TRAINING) for st in watcher.streams.values())
        scoring = (
            f"a PCA monitor on each of {len(watcher.streams)} devices, "
            f"{scored:,} readings scored ({watcher.mode}) in the first consumer's process"
        )
    windows = _windows(engine) - windows_before
    if watcher is not None:
        # Normal data scored at thousands of readings a second per device still crosses the
        # limits now and then: each episode is two events on the ledger.
        scoring += f"; {_alarms(engine):,} alarms raised"
    svc.close()
    engine.dispose()
    minutes = [
        _span(samples, start, min(start + 60.0, samples[-1][0]))
        for start in range(int(WARMUP), int(samples[-1][0]) - 30, 60)
    ]
    return {
        "scoring": scoring,
        "rate": _rate(samples),
        "minutes": minutes,
        "consumers": consumers,
        "stored": stored_now(),
        "counts": counts.as_dict(),
        "windows": windows,
        "anchoring": "in a process of its own"
        if anchor_apart
        else "in the writer process"
        if writer_process
        else "in the first consumer",
        "take": getattr(sink, "take_seconds", 0.0),
        "anchor": getattr(sink, "anchor_seconds", 0.0),
        "wall": samples[-1][0],
        "memory": (first, last),
        "cpu": cpu,
        "cpu_all": cpu + sum(c.value for c in cpus) + writer_cpu[0],
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--seconds", type=float, default=300, help="length of the qcert run")
    ap.add_argument("--database-url", help="store (default: a SQLite file in a temporary dir)")
    ap.add_argument("--profile", action="store_true", help="print where the writer's time goes")
    ap.add_argument(
        "--no-scoring", action="store_true", help="no monitor scores the ingested readings"
    )
    ap.add_argument(
        "--consumers",
        type=int,
        default=1,
        help="consumer processes sharing the stream (MQTT 5 shared subscription); the first "
        "also anchors and scores",
    )
    ap.add_argument(
        "--batch",
        type=int,
        default=None,
        help="messages a consumer takes in one transaction, at most 4 batches held (default: "
        "as qcert evidence consume, 500, or 250 with a writer process, 1,000 held)",
    )
    ap.add_argument(
        "--anchor-apart",
        action="store_true",
        help="anchor in a process of its own (qcert evidence anchor --every 1), the consumers "
        "with --anchor-every 0",
    )
    ap.add_argument(
        "--writer-process",
        action="store_true",
        help="the first consumer stores, scores and anchors in a writer process of its own "
        "(qcert evidence consume --writer-process)",
    )
    args = ap.parse_args()
    at = time.time()
    assert _encoded(1, 480, at) == _message(1, 480, at), "the publisher's bytes differ"
    seconds = max(20.0, args.seconds)
    with tempfile.TemporaryDirectory(prefix="qcert-bench-") as tmp:
        broker = PrivateBroker(Path(tmp) / "broker")
        broker.start()
        try:
            print(
                f"# ingest over MQTT: {DEVICES} devices, {PER_MESSAGE} readings a message, "
                f"{len(VARS)} variables a reading; {os.cpu_count()} CPUs, load average "
                f"{os.getloadavg()[0]:.2f}"
            )
            bare = run_bare(broker.port, max(10.0, seconds / 5))
            print(
                f"  bare paho subscriber, parsing JSON (baseline) {bare:>10,.0f} readings/s  x1.00"
                f"  (load average after it {os.getloadavg()[0]:.2f})"
            )
            q = run_qcert(
                broker.port,
                seconds,
                Path(tmp),
                args.database_url,
                args.profile,
                args.consumers,
                args.batch,
                not args.no_scoring,
                args.anchor_apart,
                args.writer_process,
            )
        finally:
            broker.stop()
    c = q["counts"]
    print(
        f"  qcert publish -> durable -> anchored {q['rate']:>8,.0f} readings/s  "
        f"x{q['rate'] / bare:.2f}  ({q['consumers']} consumer process(es), {q['stored']:,} stored; "
        f"the first: {c['stored']:,} stored, {c['duplicates']:,} duplicates, "
        f"{c['refused']:,} refused {c['refusals']}, {c['batches']:,} batches, "
        f"{q['windows']} windows anchored {q['anchoring']}, "
        f"{q['cpu']:.0f} s CPU in its process)"
    )
    if q["take"]:
        print(
            f"  where the first writer's time went: take {q['take']:.1f} s "
            f"({c['stored'] / q['take']:,.0f} readings/s inside take), anchoring "
            f"{q['anchor']:.1f} s, of {q['wall']:.1f} s"
        )
    print("  readings/s minute by minute: " + ", ".join(f"{r:,.0f}" for r in q["minutes"]))
    first, last = q["memory"]
    print(
        f"  resident memory: first minute peak {first / 2**20:.0f} MiB, last minute peak "
        f"{last / 2**20:.0f} MiB"
    )
    print(f"  scoring: {q['scoring']}")
    print(
        f"  CPU: {q['stored'] / q['cpu_all']:,.0f} readings per CPU second of the consumer "
        f"process(es) ({q['cpu_all']:.0f} s in all); load average after the run "
        f"{os.getloadavg()[0]:.2f}"
    )
    print(
        f"ingest: {q['rate']:,.0f} readings/s, x{q['rate'] / bare:.2f} of a bare subscriber, "
        f"memory last/first x{last / first:.2f}"
    )


if __name__ == "__main__":
    main()
