"""The supervision hub's full risk scan at national scale, beside a pandas baseline and Spark.

1. Generates the synthetic national hub (``qcert.supervision.analytics.synthetic``: about 1,100
   bodies, 1,000,000 organisations, 3,500,000 certificates and 10,000,000 audits at
   ``--scale 1``, misconduct planted) into parquet files in a temporary directory.
2. Runs the full scan on DuckDB in process (all 22 indicators, body grades, organisation
   classes) and times it; reports, per indicator, the planted cases found and rows fired.
3. Runs the straightforward pandas implementation of the same indicators
   (bench/supervision_pandas.py) on the same files, checks it fires the same number of rows per
   indicator, and prints the time ratio.
4. Runs the same ibis expressions on PySpark in local mode (local[2]) at ``--spark-scale``
   (default the smaller of ``--scale`` and 0.05: local mode on 2 cores is for agreement, not
   speed), beside DuckDB at that scale.

Each phase runs in its own process, so its peak RSS is its own. Targets: scan ≤ 120 s and ≥ 5×
pandas at full scale, each process within 24 GiB. Run: ``make bench`` or
``.venv/bin/python bench/supervision.py [--scale S] [--spark-scale S] [--no-spark]``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

TARGET_SECONDS, TARGET_RATIO, MEMORY_GIB = 120.0, 5.0, 24.0


def _peak_gib() -> float:
    """Peak resident memory of this process (GiB; Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20


def _paths(folder: Path) -> dict[str, Path]:
    from qcert.supervision.analytics.tables import TABLES

    return {name: folder / f"{name}.parquet" for name in TABLES}


def generate(folder: Path, scale: float, seed: int) -> dict:
    import pyarrow.parquet as pq

    from qcert.supervision.analytics.synthetic import world

    start = time.perf_counter()
    made = world(scale, seed)
    built = time.perf_counter() - start
    for name, path in _paths(folder).items():
        pq.write_table(made.tables[name], path, row_group_size=1 << 20)
    (folder / "planted.json").write_text(
        json.dumps({k: sorted(v) for k, v in made.planted.items()})
    )
    rows = {name: t.num_rows for name, t in made.tables.items()}
    return {
        "seconds": built,
        "written": time.perf_counter() - start,
        "rows": rows,
        "as_of": made.as_of.isoformat(),
        "peak_gib": _peak_gib(),
    }


def run_duckdb(folder: Path, as_of: str) -> dict:
    from datetime import date

    from qcert.supervision.analytics.scan import duckdb, scan
    from qcert.supervision.analytics.scores import body_grades, org_classes

    day = date.fromisoformat(as_of)
    start = time.perf_counter()
    tables = duckdb(_paths(folder))
    rows = scan(tables, day)
    grades = body_grades(rows, tables, day)
    classes = org_classes(rows, tables, day)
    seconds = time.perf_counter() - start
    planted = json.loads((folder / "planted.json").read_text())
    frame = rows.select(["indicator", "entity_id"]).to_pandas()
    per = {}
    for name, group in frame.groupby("indicator"):
        fired = set(group.entity_id)
        want = set(planted.get(name, []))
        per[name] = {"rows": len(group), "planted": len(want), "found": len(want & fired)}
    return {
        "seconds": seconds,
        "indicators": per,
        "grades": grades.grade.value_counts().to_dict(),
        "classes": classes.grade.value_counts().to_dict(),
        "peak_gib": _peak_gib(),
    }


def run_pandas(folder: Path, as_of: str) -> dict:
    from datetime import date

    from bench import supervision_pandas

    start = time.perf_counter()
    frames = supervision_pandas.load(_paths(folder))
    found = supervision_pandas.scan(frames, date.fromisoformat(as_of))
    seconds = time.perf_counter() - start
    return {
        "seconds": seconds,
        "rows": {k: len(v) for k, v in found.items()},
        "peak_gib": _peak_gib(),
    }


def run_spark(folder: Path, as_of: str) -> dict:
    from datetime import date

    from pyspark.sql import SparkSession

    from qcert.supervision.analytics.scan import duckdb, scan, spark

    day = date.fromisoformat(as_of)
    session = (
        SparkSession.builder.master("local[2]")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.memory", "8g")
        .config("spark.sql.shuffle.partitions", "8")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    start = time.perf_counter()
    on_spark = scan(spark(_paths(folder), session), day)
    seconds = time.perf_counter() - start
    session.stop()
    start = time.perf_counter()
    on_duckdb = scan(duckdb(_paths(folder)), day)
    return {
        "seconds": seconds,
        "duckdb_seconds": time.perf_counter() - start,
        "rows": on_spark.num_rows,
        "duckdb_rows": on_duckdb.num_rows,
        "peak_gib": _peak_gib(),
    }


PHASES = {"duckdb": run_duckdb, "pandas": run_pandas, "spark": run_spark}


def _phase(name: str, *args: str) -> dict:
    """Run one phase in a fresh process; its last output line is its JSON result."""
    done = subprocess.run(
        [sys.executable, __file__, "--phase", name, *args],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--spark-scale", type=float, default=None)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-spark", action="store_true")
    parser.add_argument("--phase", choices=["generate", *PHASES], help=argparse.SUPPRESS)
    parser.add_argument("--folder", help=argparse.SUPPRESS)
    parser.add_argument("--as-of", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase == "generate":
        print(json.dumps(generate(Path(args.folder), args.scale, args.seed)))
        return 0
    if args.phase:
        print(json.dumps(PHASES[args.phase](Path(args.folder), args.as_of)))
        return 0
    print(f"load average {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f}, {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory(prefix="qcert-hub-") as tmp:
        made = _phase(
            "generate", "--folder", tmp, "--scale", str(args.scale), "--seed", str(args.seed)
        )
        rows = made["rows"]
        print(f"hub at scale {args.scale:g}: " + ", ".join(f"{k} {v:,}" for k, v in rows.items()))
        print(
            f"generated in {made['seconds']:.1f} s, written in {made['written']:.1f} s, "
            f"peak {made['peak_gib']:.1f} GiB"
        )
        common = ["--folder", tmp, "--as-of", made["as_of"]]
        duck = _phase("duckdb", *common)
        print(
            f"\nDuckDB full scan (22 indicators + grades + classes): {duck['seconds']:.1f} s, "
            f"peak {duck['peak_gib']:.1f} GiB"
        )
        print(f"{'indicator':28s} {'rows':>9s} {'planted':>8s} {'found':>6s}")
        for name, got in sorted(duck["indicators"].items()):
            print(f"{name:28s} {got['rows']:9,d} {got['planted']:8,d} {got['found']:6,d}")
        print(f"body grades {duck['grades']}; organisation classes {duck['classes']}")
        base = _phase("pandas", *common)
        ratio = base["seconds"] / duck["seconds"]
        same = all(base["rows"].get(k, 0) == v["rows"] for k, v in duck["indicators"].items())
        same &= all(v == 0 or k in duck["indicators"] for k, v in base["rows"].items())
        print(
            f"\npandas baseline: {base['seconds']:.1f} s, peak {base['peak_gib']:.1f} GiB, "
            f"x{ratio:.1f} slower; same rows per indicator: {same}"
        )
        if not same:
            for k in sorted(set(base["rows"]) | set(duck["indicators"])):
                d = duck["indicators"].get(k, {}).get("rows", 0)
                if base["rows"].get(k, 0) != d:
                    print(f"  {k}: pandas {base['rows'].get(k, 0)}, ibis {d}")
    spark_text = "spark skipped"
    if not args.no_spark:
        scale = args.spark_scale or min(args.scale, 0.05)
        with tempfile.TemporaryDirectory(prefix="qcert-hub-spark-") as tmp:
            made = _phase(
                "generate", "--folder", tmp, "--scale", str(scale), "--seed", str(args.seed)
            )
            sp = _phase("spark", "--folder", tmp, "--as-of", made["as_of"])
        print(
            f"\nSpark local[2] at scale {scale:g} ({made['rows']['audits']:,} audits): "
            f"{sp['seconds']:.1f} s (DuckDB {sp['duckdb_seconds']:.1f} s); rows "
            f"{sp['rows']:,} vs {sp['duckdb_rows']:,}"
        )
        spark_text = f"spark {sp['seconds']:.0f} s at scale {scale:g}"
    ok = duck["seconds"] <= TARGET_SECONDS and ratio >= TARGET_RATIO
    ok &= max(duck["peak_gib"], base["peak_gib"], made["peak_gib"]) <= MEMORY_GIB
    print(
        f"supervision: scan {duck['seconds']:.1f} s, x{ratio:.1f} pandas, {spark_text}"
        f"{'' if ok or args.scale < 1 else ' (target missed)'}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
