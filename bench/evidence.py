"""Evidence intake benchmark: readings per second through ``Intake.take``, and anchoring.

Messages are built as a device gateway sends them (JSON bytes, one device's readings each, 5
variables a reading) before the clock starts; what is timed is ``take`` itself: parsing and
validating each message once, the checks (device, units, times, seq), canonical bytes and leaf
hash per reading, the look-up of earlier readings and one multi-row insert per batch, committed.
Then the anchoring of everything sent, and a resend of one batch (all duplicates).

1. SQLite (a file, WAL, ``synchronous=FULL``) and PostgreSQL (a database of its own), batches
   of 50 messages of 200 readings (10,000 readings a ``take``), 20 batches over 10 devices.
2. The same over 1-reading messages (500 a batch), the slowest shape: per-message costs.

Run: ``.venv/bin/python bench/evidence.py [--postgres URL] [--batches N]``; prints one line per
case with readings/s (wall clock, and per CPU second of this process, which other work on a
busy machine does not skew; PostgreSQL's own CPU is not in it), and the anchoring time. Not a
test: figures depend on the machine.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from tests.services import SYSTEM, make_services

from qcert.evidence.commands import RegisterDevice
from qcert.evidence.intake import Message
from qcert.lifecycle import RegisterClient

AT = datetime(2026, 6, 1, tzinfo=UTC)
VARS = ["temp", "pressure", "flow", "speed", "torque"]
SITE = {"id": "hq", "name": "HQ", "address": "北京", "adcode": "110108", "lat": 39.9, "lon": 116.3}


def _messages(devices: int, batches: int, per_message: int, messages: int) -> list[list[Message]]:
    out, seqs = [], dict.fromkeys(range(devices), 0)
    for b in range(batches):
        batch = []
        for m in range(messages):
            d = (b * messages + m) % devices
            readings = []
            for _ in range(per_message):
                s = seqs[d]
                seqs[d] += 1
                at = (AT + timedelta(milliseconds=10 * s)).isoformat()
                readings.append(
                    {"seq": s, "time": at, "values": {v: 20.0 + s % 7 * 0.5 for v in VARS}}
                )
            doc = {"device": f"dev{d}", "units": dict.fromkeys(VARS, "u"), "readings": readings}
            batch.append(Message(f"qcert/v1/c1/dev{d}/line", json.dumps(doc).encode(), AT))
        out.append(batch)
    return out


def _run(url: str, data: Path, per_message: int, messages: int, batches: int) -> None:
    from qcert.store import create_engine, migrate

    engine = create_engine(url)
    migrate(engine)
    svc = make_services(engine, data, clock=lambda: AT + timedelta(days=1))
    svc.bus.handle(
        RegisterClient("c1", "91110108551385082Q", "公司", "Co", "北京", "110108", 9, [SITE]),
        SYSTEM,
    )
    for d in range(10):
        variables = [{"name": v, "unit": "u"} for v in VARS]
        svc.bus.handle(RegisterDevice(f"dev{d}", "c1", "sensor", variables), SYSTEM)
    work = _messages(10, batches, per_message, messages)
    total = batches * messages * per_message
    start, cpu = time.perf_counter(), time.process_time()
    for batch in work:
        verdicts = svc.intake.take(batch)
        assert all(v.status == "stored" for v in verdicts), verdicts[0]
    took, cpu = time.perf_counter() - start, time.process_time() - cpu
    again = time.perf_counter()
    assert all(v.status == "duplicate" for v in svc.intake.take(work[0]))
    resend = time.perf_counter() - again
    anchor = time.perf_counter()
    windows = svc.intake.anchor_due(AT + timedelta(days=1))
    anchored = time.perf_counter() - anchor
    with engine.connect() as conn:
        stored = conn.execute(sa.text("SELECT sum(count) FROM evidence_blocks")).scalar_one()
    assert stored == total
    kind = url.split(":", 1)[0]
    print(
        f"{kind:18s} {per_message:4d} readings/message  {total / took:9,.0f} readings/s "
        f"({total / cpu:9,.0f} per CPU second of this process)  "
        f"resend {messages * per_message / resend:9,.0f}/s  anchoring {windows} windows "
        f"in {anchored:.2f} s"
    )
    svc.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--postgres", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
    )
    parser.add_argument("--batches", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for per_message, messages in ((200, 50), (1, 500)):
            root = Path(tmp) / f"s{per_message}"
            _run(f"sqlite:///{root}.db", root, per_message, messages, args.batches)
        name = f"qcert_bench_{uuid.uuid4().hex[:8]}"
        admin = sa.create_engine(args.postgres, isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as conn:
                conn.exec_driver_sql(f"CREATE DATABASE {name}")
        except sa.exc.OperationalError as err:
            print(f"postgresql: skipped ({str(err.orig).splitlines()[0]})")
            return
        url = args.postgres.rsplit("/", 1)[0] + "/" + name
        try:
            for per_message, messages in ((200, 50), (1, 500)):
                _run(url, Path(tmp) / f"p{per_message}", per_message, messages, args.batches)
                engine = sa.create_engine(url)
                with engine.begin() as conn:
                    for table in (
                        "evidence_blocks",
                        "evidence_dead_letters",
                        "evidence_windows",
                        "evidence_devices",
                        "lc_events",
                    ):
                        conn.exec_driver_sql(f"TRUNCATE {table} CASCADE")
                engine.dispose()
                break  # a second PostgreSQL case would need a fresh ledger too
        finally:
            with admin.connect() as conn:
                conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            admin.dispose()


if __name__ == "__main__":
    main()
