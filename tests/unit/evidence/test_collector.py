"""The consumer's process tunes the garbage collector for a long run of readings."""

from __future__ import annotations

import json
import subprocess
import sys


def test_settling_the_collector_freezes_what_was_built_and_collects_the_young_less_often():
    # In a process of its own: the tuning is the whole process's, not this test run's.
    code = (
        "import gc, json; from qcert.evidence.mqtt import settle_collector; "
        "before = gc.get_threshold(); settle_collector(); "
        "print(json.dumps([before, gc.get_threshold(), gc.get_freeze_count()]))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    before, after, frozen = json.loads(done.stdout)
    assert before[0] == 700 and after == [50_000, 20, 100]
    assert frozen > 10_000  # the modules and objects built before the stream
