"""Where a consumer's CPU goes per reading, stage by stage, against what a bare subscriber does.

``bench/ingest.py`` compares whole rates; this says why they differ. The messages are those of
the ingest bench (8 devices, 150 readings a message, 5 variables a reading, normal operation)
and nothing goes over the network: each stage runs on the same batches in this process, and
its CPU time (``time.process_time``, so the machine's other load moves it little) is divided
by the readings it handled. Baseline: ``json.loads`` of each message, which is what the
ingest bench's bare subscriber does with a message besides receiving it.

Stages:
1. ``json.loads`` (baseline).
2. ``ReadingMessage.model_validate_json``: the message checked against its schema.
3. ``read_usual``: the same messages read by the usual message's own decoder (msgspec).
4. ``prepare``: the consumer's first stage with a writer process (the decoder, each reading's
   time, its values as one table; no text, no hash).
5. ``work_out``: each reading's time, canonical text (RFC 8785) and leaf hash (RFC 9162).
6. ``Intake.take`` with scoring off: stages 4 and 5, then the batch's look-ups and insert in
   one transaction, on SQLite (a file in WAL mode: the database works in this process, so
   its CPU is counted; PostgreSQL's would be another process's).
7. ``Intake.take`` with scoring on (a PCA monitor per device, as in the ingest bench): 6 and
   the stream watcher's scoring of every reading.

Each stage runs ``--repeat`` times (fresh readings for the intake each time); the median is
printed with its ratio to the baseline. What ``Intake.take`` costs beyond json.loads is what a
consumer cannot share with a bare subscriber: the MQTT client's own cost (paho, in Python)
comes on top of both.

Run: ``.venv/bin/python bench/intake_stages.py [--batches 12] [--repeat 3] [--json]``.
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parents[1]))  # tests.services, bench.ingest

from bench import ingest

from qcert.evidence.intake import Message
from qcert.evidence.payload import ReadingMessage
from qcert.evidence.prepare import prepare, work_out
from qcert.evidence.usual import read_usual

MESSAGES = 100  # a batch, as the consumer takes it by default


class _Stream:
    """The ingest bench's stream: each device's next readings, message by message."""

    def __init__(self) -> None:
        self.seqs = [ingest.TRAINING] * ingest.DEVICES

    def batch(self) -> list[Message]:
        now = time.time()
        out = []
        for m in range(MESSAGES):
            d = m % ingest.DEVICES
            payload = ingest._message(d, self.seqs[d])
            out.append(Message(f"qcert/v1/c1/dev{d}/line", payload, ingest._utc(now)))
            self.seqs[d] += ingest.PER_MESSAGE
        return out


def _cpu(run: Callable[[], Any]) -> float:
    started = time.process_time()
    run()
    return time.process_time() - started


def _median(
    repeat: int, make: Callable[[], Any], run: Callable[[Any], Any], readings: int
) -> float:
    """Median µs per reading of ``run`` over ``repeat`` inputs from ``make``."""
    times = []
    for _ in range(repeat):
        given = make()
        times.append(_cpu(lambda: run(given)) / readings * 1e6)  # noqa: B023
    return statistics.median(times)


def measure(batches: int, repeat: int) -> dict[str, float]:
    """µs of CPU per reading of each stage (see the module's doc)."""
    out: dict[str, float] = {}
    for scoring in (False, True):
        work = Path(tempfile.mkdtemp(prefix="qcert-stages-"))
        svc, engine, intake = ingest._services(work, None, scoring)
        stream = _Stream()
        readings = batches * MESSAGES * ingest.PER_MESSAGE
        gc.freeze()  # as the consumer does (qcert.evidence.mqtt.settle_collector)
        gc.set_threshold(50_000, 20, 100)

        def make() -> list[list[Message]]:
            return [stream.batch() for _ in range(batches)]  # noqa: B023

        if not scoring:
            out["json.loads (baseline)"] = _median(
                repeat,
                make,
                lambda b: [json.loads(m.payload) for ms in b for m in ms],
                readings,
            )
            out["schema check"] = _median(
                repeat,
                make,
                lambda b: [ReadingMessage.model_validate_json(m.payload) for ms in b for m in ms],
                readings,
            )
            out["usual reader (msgspec)"] = _median(
                repeat, make, lambda b: [read_usual(m.payload) for ms in b for m in ms], readings
            )
            out["prepare (consumer's stage)"] = _median(
                repeat, make, lambda b: [prepare(ms) for ms in b], readings
            )
            out["canonical texts and leaves"] = _median(
                repeat,
                lambda: [
                    ReadingMessage.model_validate_json(m.payload) for ms in make() for m in ms
                ],
                lambda models: [work_out(x) for x in models],
                readings,
            )
            key = "take, scoring off"
        else:
            key = "take, scoring on"
        out[key] = _median(repeat, make, lambda b: [intake.take(ms) for ms in b], readings)  # noqa: B023
        gc.unfreeze()
        svc.close()
        engine.dispose()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--batches", type=int, default=12, help="batches of 100 messages a stage")
    ap.add_argument("--repeat", type=int, default=3, help="runs of each stage (median)")
    ap.add_argument("--json", action="store_true", help="machine-readable output")
    args = ap.parse_args()
    found = measure(args.batches, args.repeat)
    if args.json:
        print(json.dumps(found, indent=2))
        return
    base = found["json.loads (baseline)"]
    readings = args.batches * MESSAGES * ingest.PER_MESSAGE
    print(f"# CPU per reading, median of {args.repeat} runs of {readings:,} readings each")
    for name, micros in found.items():
        print(f"  {name:32s} {micros:6.2f} µs   x{micros / base:4.2f}")
    print(
        f"intake stages: take with scoring on costs x{found['take, scoring on'] / base:.2f} "
        "the CPU of json.loads per reading"
    )


if __name__ == "__main__":
    main()
