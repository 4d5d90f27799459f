"""Ingest benchmark: process data readings per second end to end over MQTT (publish -> durable
-> anchored), against a bare paho subscriber receiving the same stream in the same run.

A private Mosquitto (on a free port, no cap on what it queues) carries the stream. A publisher
process sends messages of 150 readings (5 variables each) for 8 devices at QoS 1 as fast as it
can while staying at most 300,000 readings ahead of what its reader has taken, so the reader is
always busy and the broker's queue stays bounded.

1. Baseline: a bare paho subscriber (QoS 1, acknowledging on receipt, counting readings without
   parsing them) reads the stream for a fifth of the run (at least 10 s).
2. qcert: ``qcert.evidence.mqtt.Consumer`` (this process) hands batches to the real intake
   (``Intake.take`` on SQLite, a file in WAL mode; or ``--database-url``), acknowledges each
   message once durable, and anchors due windows (10 s windows, 5 s grace) every second, for
   ``--seconds``. The resident memory of this process is sampled every second; what is
   printed is the first minute's peak after warm-up against the last minute's.

Readings/s are counted over the run after a 5 s warm-up. The last line sums it up: qcert's rate,
the ratio to the baseline, and the memory ratio (last / first; flat is about x1.00).

Run: ``make bench`` or ``.venv/bin/python bench/ingest.py [--seconds 300]`` (``--seconds 30``
for a smoke run).
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
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parents[1]))  # tests.mqtt_broker, tests.services

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from tests.mqtt_broker import PrivateBroker, Publisher

VARS = ("temp", "pressure", "flow", "speed", "torque")
DEVICES = 8
PER_MESSAGE = 150
AHEAD = 100_000  # readings the publisher may be ahead of its reader
WARMUP = 5.0  # seconds not counted


def _message(device: int, seq: int) -> bytes:
    now = time.time()
    stamp = datetime.fromtimestamp(now, UTC).isoformat()
    readings = [
        {"seq": s, "time": stamp, "values": {v: 20.0 + (s % 7) * 0.5 for v in VARS}}
        for s in range(seq, seq + PER_MESSAGE)
    ]
    units = dict.fromkeys(VARS, "u")
    return json.dumps({"device": f"dev{device}", "units": units, "readings": readings}).encode()


def publish(port: int, taken: Any, stop: Any, client_id: str) -> None:
    """Publish the stream until ``stop``, never more than AHEAD readings beyond ``taken``."""
    publisher = Publisher(port, client_id)
    seqs = [0] * DEVICES
    sent = 0
    while not stop.is_set():
        if sent - taken.value > AHEAD:
            time.sleep(0.002)
            continue
        for d in range(DEVICES):
            publisher.publish(f"qcert/v1/c1/dev{d}/line", _message(d, seqs[d]), None)
            seqs[d] += PER_MESSAGE
            sent += PER_MESSAGE
    publisher.close()


def bare_subscriber(port: int, taken: Any, stop: Any, ready: Any) -> None:
    """A paho subscriber that only counts: the baseline."""
    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id="bench-bare", protocol=mqtt.MQTTv5)

    def on_message(_c: Any, _u: Any, _m: Any) -> None:
        with taken.get_lock():
            taken.value += PER_MESSAGE

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


def _services(workdir: Path, database_url: str | None) -> Any:
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
    variables = [{"name": v, "unit": "u"} for v in VARS]
    for d in range(DEVICES):
        svc.bus.handle(RegisterDevice(f"dev{d}", "c1", "sensor", variables), SYSTEM)
    # Short windows, so that a run of a few minutes anchors many of them.
    intake = Intake(engine, bus=svc.bus, window_seconds=10, grace_seconds=5)
    return svc, engine, intake


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


def run_qcert(
    port: int, seconds: float, workdir: Path, database_url: str | None, profile: bool = False
) -> dict:
    from qcert.evidence.intake import Message
    from qcert.evidence.mqtt import Broker, ConsumeOptions, Consumer

    svc, engine, intake = _services(workdir, database_url)
    sink = _Counting(intake)
    # 100 messages of 150 readings a batch; at most 400 messages (60,000 readings) held, so a
    # reading waits about a second before it is durable and its window is not yet anchored.
    options = ConsumeOptions(
        group="",
        client_id="bench-qcert",
        session_expiry=60,
        batch_messages=100,
        receive_maximum=400,
    )
    consumer = Consumer(sink, Broker("127.0.0.1", port), options, message=Message)
    ctx = mp.get_context("spawn")
    taken, stop = ctx.Value("q", 0), ctx.Event()
    pub = ctx.Process(target=publish, args=(port, taken, stop, "bench-pub-qcert"))
    samples: list[tuple[float, int]] = []
    memory: list[tuple[float, int]] = []

    def sample() -> None:
        assert consumer.wait_subscribed(20), "the consumer did not subscribe"
        pub.start()
        t0 = time.monotonic()
        while (now := time.monotonic() - t0) < seconds:
            taken.value = consumer.counts.stored
            samples.append((now, consumer.counts.stored))
            if not memory or now - memory[-1][0] >= 1.0:
                memory.append((now, _rss()))
            time.sleep(0.1)
        samples.append((time.monotonic() - t0, consumer.counts.stored))
        stop.set()
        consumer.stop()

    sampler = threading.Thread(target=sample)
    started = time.process_time()
    sampler.start()
    if profile:  # the writer's own time, by function (the network thread is not in it)
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        counts = profiler.runcall(consumer.run)
        pstats.Stats(profiler).sort_stats("tottime").print_stats(18)
    else:
        counts = consumer.run()
    cpu = time.process_time() - started
    sampler.join()
    pub.join(20)
    minute = min(60.0, seconds / 3)
    first = max(m for t, m in memory if WARMUP <= t < WARMUP + minute)
    last = max(m for t, m in memory if t >= memory[-1][0] - minute)
    svc.close()
    engine.dispose()
    return {
        "rate": _rate(samples),
        "counts": counts.as_dict(),
        "windows": sink.windows,
        "take": sink.take_seconds,
        "anchor": sink.anchor_seconds,
        "wall": samples[-1][0],
        "memory": (first, last),
        "cpu": cpu,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--seconds", type=float, default=300, help="length of the qcert run")
    ap.add_argument("--database-url", help="store (default: a SQLite file in a temporary dir)")
    ap.add_argument("--profile", action="store_true", help="print where the writer's time goes")
    args = ap.parse_args()
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
            print(f"  bare paho subscriber (baseline)   {bare:>10,.0f} readings/s  x1.00")
            q = run_qcert(broker.port, seconds, Path(tmp), args.database_url, args.profile)
        finally:
            broker.stop()
    c = q["counts"]
    print(
        f"  qcert publish -> durable -> anchored {q['rate']:>8,.0f} readings/s  "
        f"x{q['rate'] / bare:.2f}  ({c['stored']:,} stored, {c['duplicates']:,} duplicates, "
        f"{c['refused']:,} refused {c['refusals']}, {c['batches']:,} batches, "
        f"{q['windows']} windows anchored, "
        f"{q['cpu']:.0f} s CPU in this process)"
    )
    print(
        f"  where the writer's time went: take {q['take']:.1f} s "
        f"({c['stored'] / q['take']:,.0f} readings/s inside take), anchoring "
        f"{q['anchor']:.1f} s, of {q['wall']:.1f} s"
    )
    first, last = q["memory"]
    print(
        f"  resident memory: first minute peak {first / 2**20:.0f} MiB, last minute peak "
        f"{last / 2**20:.0f} MiB"
    )
    print(
        "  scoring: the quality monitors are not wired to the intake yet; no monitor runs on "
        "ingested readings in this figure"
    )
    print(
        f"ingest: {q['rate']:,.0f} readings/s, x{q['rate'] / bare:.2f} of a bare subscriber, "
        f"memory last/first x{last / first:.2f}"
    )


if __name__ == "__main__":
    main()
