"""Run the indicators: one call, the rows of every indicator that fires, on any backend.

The default engine is DuckDB in process; :func:`spark` gives the same tables on a PySpark
session (local mode in tests, a cluster at national scale). Nothing here opens the
application's database: the tables come from frames or parquet files.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

import ibis
import pyarrow as pa
from ibis.backends import BaseBackend

from ._common import ROW
from .registry import INDICATORS
from .tables import HubTables, load

__all__ = ["backend_of", "duckdb", "scan", "spark"]


def duckdb(sources: Mapping[str, Any], threads: int | None = None) -> HubTables:
    """The hub's tables on a new in-process DuckDB (``threads``: its worker threads)."""
    backend = ibis.duckdb.connect()
    if threads:
        backend.raw_sql(f"SET threads = {int(threads)}")
    return load(backend, sources)


def spark(sources: Mapping[str, Any], session: Any) -> HubTables:
    """The hub's tables on a PySpark ``session`` (its time zone should be UTC)."""
    return load(ibis.pyspark.connect(session), sources)


def backend_of(tables: HubTables) -> BaseBackend:
    """The backend holding ``tables``."""
    return tables.audits.get_backend()


def scan(tables: HubTables, as_of: date, indicators: Iterable[str] | None = None) -> pa.Table:
    """Every firing row of the ``indicators`` (default: all registered) on ``as_of``, as one
    Arrow table of the :data:`ROW` shape, sorted by indicator, entity and day."""
    target = ROW.to_pyarrow()
    parts = [
        INDICATORS[name](tables, as_of).to_pyarrow().cast(target)
        for name in (indicators if indicators is not None else INDICATORS)
    ]
    out = pa.concat_tables(parts) if parts else target.empty_table()
    return out.sort_by(
        [("indicator", "ascending"), ("entity_id", "ascending"), ("day", "ascending")]
    )
