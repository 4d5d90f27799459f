"""The same indicator expressions on DuckDB and on Spark (PySpark local mode) agree row for row.

One SparkSession serves the whole test session (local[2], UTC). Without Java or PySpark the
Spark half is skipped on a laptop and fails under ``CI=true``.
"""

from __future__ import annotations

import math
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from qcert.supervision.analytics import INDICATORS
from qcert.supervision.analytics.scan import duckdb, scan, spark
from qcert.supervision.analytics.synthetic import world
from tests.conftest import _need_service

pytestmark = pytest.mark.long  # scheduled first (tests/conftest.py)


@pytest.fixture(scope="session")
def spark_session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    try:
        from pyspark.sql import SparkSession
    except ImportError as err:
        _need_service(f"PySpark is not installed: {err}")
    if not (shutil.which("java") or os.environ.get("JAVA_HOME")):
        _need_service("Java is not installed (PySpark needs a JVM)")
    session = (
        SparkSession.builder.master("local[2]")
        .appName("qcert-tests")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "4")
        # A JVM that lives for a few dozen small queries spends most of its CPU in the C2
        # compiler and the parallel collector's threads; C1 alone and the serial collector
        # halve its CPU time and change nothing Spark computes.
        .config("spark.driver.extraJavaOptions", "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC")
        # The tables it makes go to a folder of this run's own, not ./spark-warehouse in the
        # checkout, which every run (and every parallel worker) would otherwise write.
        .config("spark.sql.warehouse.dir", str(tmp_path_factory.mktemp("spark-warehouse")))
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Path], object]:
    """A small synthetic hub written to parquet, as the bench writes the national one."""
    made = world(scale=0.001, seed=0)
    folder = tmp_path_factory.mktemp("hub")
    paths = {}
    for name, table in made.tables.items():
        paths[name] = folder / f"{name}.parquet"
        pq.write_table(table, paths[name])
    return paths, made


def _rows(table: pa.Table) -> list[tuple]:
    rows = [
        (
            r["indicator"],
            r["entity_kind"],
            r["entity_id"],
            r["body_id"],
            r["org_id"],
            r["day"],
            tuple(r["evidence"]),
            r["value"],
            r["threshold"],
        )
        for r in table.to_pylist()
    ]
    # Rows with the same key differ by value; rounding keeps float noise out of the order.
    return sorted(
        rows, key=lambda r: (*("" if v is None else str(v) for v in r[:7]), round(r[7], 6))
    )


def test_every_indicator_fires_in_the_synthetic_hub(hub):
    paths, made = hub
    found = scan(duckdb(paths), made.as_of)
    assert set(found.column("indicator").to_pylist()) == set(INDICATORS)


def test_duckdb_and_spark_agree_row_for_row(hub, spark_session):
    paths, made = hub
    on_duckdb = _rows(scan(duckdb(paths), made.as_of))
    on_spark = _rows(scan(spark(paths, spark_session), made.as_of))
    assert len(on_duckdb) == len(on_spark) > 0
    for left, right in zip(on_duckdb, on_spark, strict=True):
        assert left[:7] == right[:7]
        for a, b in zip(left[7:], right[7:], strict=True):
            assert math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9), (left, right)
