"""A small durable sink with the intake's ``take`` signature, for the consumer's tests only.

It keeps one row per (device, seq) in a SQLite file (committed before ``take`` returns, as the
intake does) and refuses what it cannot read, so that the consumer's delivery guarantees can be
tested with the process killed at any moment. Run as a module it is a consumer process:
``python -m tests.integration.evidence.sink --port P --db FILE --client-id ID``.
"""

from __future__ import annotations

import argparse
import json
import logging
import signal
import sqlite3
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from qcert.evidence.mqtt import Broker, ConsumeOptions, Consumer
from qcert.evidence.prepare import Message, Verdict


class SqliteSink:
    """Readings by (device, seq), in arrival order (rowid), and refused payloads."""

    def __init__(self, path: Path, only: str = "") -> None:
        # ``only``: a topic prefix; messages of others (on a shared broker) are set aside.
        self.only = only
        self.ours = 0
        self.db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=FULL")
        self.db.execute(
            "CREATE TABLE IF NOT EXISTS readings (device TEXT, seq INTEGER, topic TEXT,"
            " PRIMARY KEY (device, seq))"
        )
        self.db.execute("CREATE TABLE IF NOT EXISTS refused (code TEXT, payload BLOB)")
        self.db.execute("CREATE TABLE IF NOT EXISTS anchors (at TEXT)")
        self.batches: list[int] = []

    def take(self, messages: Sequence[Message]) -> list[Verdict]:
        verdicts = []
        self.db.execute("BEGIN IMMEDIATE")
        for m in messages:
            if not m.topic.startswith(self.only):
                verdicts.append(Verdict("refused", 0, 0, "not-ours"))
                continue
            self.ours += 1
            try:
                doc = json.loads(m.payload)
                rows = [(doc["device"], int(r["seq"]), m.topic) for r in doc["readings"]]
            except (ValueError, KeyError, TypeError):
                self.db.execute("INSERT INTO refused VALUES ('malformed', ?)", (m.payload,))
                verdicts.append(Verdict("refused", 0, 0, "malformed"))
                continue
            before = self.db.total_changes
            self.db.executemany("INSERT OR IGNORE INTO readings VALUES (?, ?, ?)", rows)
            stored = self.db.total_changes - before
            status = "stored" if stored else "duplicate"
            verdicts.append(Verdict(status, stored, len(rows) - stored))
        self.db.execute("COMMIT")
        self.batches.append(len(messages))
        return verdicts

    def anchor_due(self, now: datetime) -> None:
        self.db.execute("INSERT INTO anchors VALUES (?)", (now.isoformat(),))


def rows(path: Path) -> list[tuple[str, int]]:
    """(device, seq) of every stored reading, in the order they were stored."""
    if not path.exists():
        return []
    with sqlite3.connect(path) as db:
        try:
            return list(db.execute("SELECT device, seq FROM readings ORDER BY rowid"))
        except sqlite3.OperationalError:  # the consumer has not made its table yet
            return []


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--db", type=Path, required=True)
    ap.add_argument("--client-id", default="qcert-test-consumer")
    ap.add_argument("--group", default="qcert-test")
    ap.add_argument("--once-idle", type=float)
    args = ap.parse_args()
    logging.basicConfig(level=logging.WARNING)
    options = ConsumeOptions(
        group=args.group, client_id=args.client_id, once_idle=args.once_idle, reconnect_min=1
    )
    consumer = Consumer(
        SqliteSink(args.db), Broker("127.0.0.1", args.port), options, message=Message
    )
    signal.signal(signal.SIGTERM, lambda *_: consumer.stop())
    print(json.dumps(consumer.run().as_dict()), flush=True)


if __name__ == "__main__":
    main()
