"""Command line start time: ``qcert --help`` and ``qcert --version`` as whole processes.

Each command is started as a new process, as a user's shell starts it, several times in turn
with two baselines: ``python -c pass`` (the interpreter alone) and ``python -c "import typer"``
(the command line library qcert's command is built on, the least any Typer command pays). The
output gives each one's median and fastest wall time and the ratio of the median to each
baseline's, side by side, with the target (``qcert --help`` under 0.5 s).

``qcert`` is the installed script next to this Python when there is one (``.venv/bin/qcert``),
else ``python -c "from qcert.cli.main import app; app()"``, which is what that script runs.

Run: ``make bench`` or ``.venv/bin/python bench/cli_start.py [--runs N] [--json]``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

TARGET_SECONDS = 0.5  # `qcert --help`, the figure a newcomer meets first


def _qcert() -> list[str]:
    script = Path(sys.executable).parent / "qcert"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from qcert.cli.main import app; app()"]


def _rows() -> dict[str, list[str]]:
    qcert = _qcert()
    return {
        "python -c pass (baseline)": [sys.executable, "-c", "pass"],
        'python -c "import typer" (baseline)': [sys.executable, "-c", "import typer"],
        "qcert --help": [*qcert, "--help"],
        "qcert --version": [*qcert, "--version"],
    }


def _time(argv: list[str]) -> float:
    env = {**os.environ, "COLUMNS": "100"}
    start = time.perf_counter()
    done = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed: {done.stderr.decode()[-500:]}")
    return seconds


def measure(runs: int) -> dict[str, list[float]]:
    """Wall seconds of each row, ``runs`` times, the rows taken in turn (after one warm-up
    round, so that every row starts with the files in the page cache)."""
    rows = _rows()
    for argv in rows.values():
        _time(argv)
    times: dict[str, list[float]] = {name: [] for name in rows}
    for _ in range(runs):
        for name, argv in rows.items():
            times[name].append(_time(argv))
    return times


def main() -> None:
    """Measure and print the table (or JSON)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="runs of each command (default 15)")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    args = parser.parse_args()
    times = measure(max(1, args.runs))
    medians = {name: statistics.median(ts) for name, ts in times.items()}
    bare, typer = list(medians.values())[:2]
    result = {
        name: {
            "median_s": round(median, 4),
            "min_s": round(min(times[name]), 4),
            "x_python": round(median / bare, 1),
            "x_typer": round(median / typer, 2),
        }
        for name, median in medians.items()
    }
    met = medians["qcert --help"] < TARGET_SECONDS
    if args.json:
        print(json.dumps({"runs": args.runs, "rows": result, "target_met": met}, indent=2))
        return
    print(f"command line start, {args.runs} runs each (wall time of the whole process)")
    print(f"{'command':<38} {'median':>9} {'fastest':>9} {'× python':>9} {'× typer':>8}")
    for name, row in result.items():
        print(
            f"{name:<38} {row['median_s'] * 1000:>7.0f}ms {row['min_s'] * 1000:>7.0f}ms "
            f"{row['x_python']:>9.1f} {row['x_typer']:>8.2f}"
        )
    verdict = "met" if met else "NOT met"
    print(f"target: qcert --help under {TARGET_SECONDS * 1000:.0f} ms, {verdict}")


if __name__ == "__main__":
    main()
