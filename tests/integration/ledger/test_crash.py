"""Crash safety: SIGKILL an appending process at random points, many times, then check."""

import hashlib
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from qcert.ledger import SHA256, SM3, verify_checkpoint

pytestmark = pytest.mark.long  # scheduled first (tests/conftest.py)

CHILD = Path(__file__).with_name("crash_child.py")
KILLS = 12


def _run_and_kill(url, seed, skeys, delay, tmp_path):
    out_path, err_path = tmp_path / f"out{seed}", tmp_path / f"err{seed}"
    with out_path.open("wb") as out, err_path.open("wb") as err:
        proc = subprocess.Popen(
            [sys.executable, str(CHILD), url, str(seed)],
            stdin=subprocess.PIPE,
            stdout=out,
            stderr=err,
            env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
        )
        proc.stdin.write("\n".join(skeys).encode())
        proc.stdin.close()
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    assert proc.returncode == -signal.SIGKILL, err_path.read_text()[-2000:]
    # A line cut by the kill was never reported whole; only complete lines count.
    lines = out_path.read_text().split("\n")[:-1]
    return [(int(i), h) for i, h in (line.split() for line in lines)]


def test_every_reported_index_survives_sigkill(ledger, database_url, signers, vkeys, tmp_path):
    rng = random.Random(2026)
    skeys = [s.skey() for s in signers]
    reported = []
    for round_ in range(KILLS):
        reported += _run_and_kill(database_url, round_, skeys, rng.uniform(0.8, 2.0), tmp_path)
    assert reported, "the child never got to report an index"
    assert ledger.size() >= max(i for i, _ in reported) + 1
    stored = ledger.storage.entries(0, ledger.size())
    for index, digest in reported:
        assert hashlib.sha256(stored[index]).hexdigest() == digest
    last = ledger.storage.latest_checkpoint(SHA256)
    ledger.integrate()
    report = ledger.audit()
    assert report.ok, report.problems
    if last is not None:
        checkpoint, _, _ = verify_checkpoint(last, vkeys[:1])
        assert ledger.root(checkpoint.size) == checkpoint.root
    final = ledger.checkpoint(SM3)
    verify_checkpoint(final, vkeys[1:])
