"""Streaming throughput: readings per second of ``StreamingScorer.update_many`` against ``update``.

Monitors fitted on the Tennessee Eastman normal run ``d00.dat`` (52 variables) score the 22 test
runs ``dNN_te.dat`` stacked (21,120 readings) in blocks of ``--block`` readings, as the
ingestion pipeline hands them over; one-at-a-time ``update`` is timed on the first 2,000
readings. Both give the same statistics, alarms and events (tests/unit/quality/
test_monitoring_streaming.py). Target: ``update_many`` at least 20,000 readings/s for every
monitor; exits 1 when missed. BLAS threads compete with other work on a shared machine: run
with ``OPENBLAS_NUM_THREADS=1`` for steadier figures.

Run: ``.venv/bin/python bench/streaming.py [--block N] [--json]``.
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np

from qcert.quality.monitoring import CVAMonitor, DynamicPCAMonitor, PCAMonitor, StreamingScorer
from tep import DATA

TARGET = 20_000  # readings per second, the order of an ingestion batch stream
ONE_AT_A_TIME = 2_000


def run(block: int) -> dict:
    """Readings per second for each monitor, blocks and one at a time."""
    train = np.loadtxt(DATA / "d00.dat").T
    test = np.vstack([np.loadtxt(DATA / f"d{f:02d}_te.dat") for f in range(22)])
    monitors = {
        "pca": PCAMonitor(9),
        "dpca": DynamicPCAMonitor(lags=2),
        "cva": CVAMonitor(20, lags=2),
    }
    out = {}
    for name, monitor in monitors.items():
        monitor.fit(train)
        scorer = StreamingScorer(monitor)
        started = time.perf_counter()
        for lo in range(0, test.shape[0], block):
            scorer.update_many(test[lo : lo + block])
        many = test.shape[0] / (time.perf_counter() - started)
        single = StreamingScorer(monitor)
        started = time.perf_counter()
        for x in test[:ONE_AT_A_TIME]:
            single.update(x)
        one = ONE_AT_A_TIME / (time.perf_counter() - started)
        out[name] = {"update_many_per_s": many, "update_per_s": one}
    return {
        "readings": int(test.shape[0]),
        "block": block,
        "monitors": out,
        "target_met": all(v["update_many_per_s"] >= TARGET for v in out.values()),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--block", type=int, default=1000, help="readings per update_many call")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    result = run(args.block)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(f"{result['readings']} readings in blocks of {result['block']} (readings/s)")
        for name, v in result["monitors"].items():
            print(
                f"  {name:<5} update_many {v['update_many_per_s']:>12,.0f}   "
                f"update {v['update_per_s']:>9,.0f}"
            )
        print(f"target >= {TARGET:,}/s for update_many: "
              f"{'met' if result['target_met'] else 'NOT met'}")  # fmt: skip
    return 0 if result["target_met"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
