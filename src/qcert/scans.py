"""The hub's risk scan: every indicator over everything reported, as the platform itself.

Reads the hub's records and registers, lays them out as the analytic tables, runs every risk
indicator on DuckDB in process (:mod:`qcert.supervision.analytics`), grades the bodies and
classes the organisations, then records, through the bus as ``system:hub-scan``:

- each firing row as an early warning routed to the division its entity lies in (firing again
  on the same evidence records nothing; on new evidence it updates the warning);
- the scan's figures (indicator counts, body grades with their explanations, the riskiest
  organisations), which set inspection odds and are never a public verdict.

Scanning again on the same day records only what changed.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from .access import Principal
from .store import hub as hub_views
from .supervision.commands import RaiseWarnings, RecordScan
from .supervision.hub_frames import frames, regions

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from .bus import MessageBus

__all__ = ["ACTOR", "ScanRun", "scan"]

log = logging.getLogger(__name__)

ACTOR = Principal.system("hub-scan")
BATCH = 2000  # warnings a command
RISKIEST = 1000  # organisations kept by name in a scan's figures


@dataclass
class ScanRun:
    """What a scan found and recorded: rows per indicator, new and updated warnings, and the
    body grades (worst first)."""

    as_of: date
    counts: dict[str, int] = field(default_factory=dict)
    new: int = 0
    updated: int = 0
    grades: list[dict[str, Any]] = field(default_factory=list)
    classes: dict[str, int] = field(default_factory=dict)


def _plain(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, float) and not math.isfinite(value):
        return 0.0
    return value


def _hit(row: dict[str, Any], region_of: Any) -> dict[str, Any]:
    hit = {
        "indicator": str(row["indicator"]),
        "entity_kind": str(row["entity_kind"]),
        "entity_id": str(row["entity_id"]),
        "body_id": str(row.get("body_id") or ""),
        "org_id": str(row.get("org_id") or ""),
        "value": float(_plain(row["value"]) or 0.0),
        "threshold": float(_plain(row["threshold"]) or 0.0),
        "evidence": [str(e) for e in (row.get("evidence") or [])][:200],
        "day": _plain(row["day"]),
    }
    hit["region"] = region_of(hit)
    return hit


def _graded(frame: Any, key: str) -> list[dict[str, Any]]:
    return [
        {
            key: str(r.entity_id),
            "grade": str(r.grade),
            "score": round(float(r.score), 4),
            "exposure": int(r.exposure),
            "top": list(r.top),
        }
        for r in frame.itertuples()
    ]


def scan(bus: MessageBus, engine: Engine, as_of: date) -> ScanRun:
    """Scan everything the hub holds as of ``as_of`` and record what it finds."""
    from .supervision.analytics import scan as analytics
    from .supervision.analytics import scores

    with engine.connect() as conn:
        inputs = hub_views.analytic_inputs(conn)
    tables = frames(*inputs)
    hub = analytics.duckdb(tables)
    found = analytics.scan(hub, as_of)
    rows = found.to_pylist()
    run = ScanRun(as_of)
    for row in rows:
        run.counts[row["indicator"]] = run.counts.get(row["indicator"], 0) + 1
    region_of = regions(tables)
    hits = [_hit(r, region_of) for r in rows]
    for start in range(0, len(hits), BATCH):
        reply = bus.handle(RaiseWarnings(hits[start : start + BATCH]), ACTOR).reply
        run.new += reply["new"]
        run.updated += reply["updated"]
    frame = found.to_pandas()
    grades = scores.body_grades(frame, hub, as_of)
    classes = scores.org_classes(frame, hub, as_of)
    run.grades = _graded(grades, "body_id")
    run.classes = {str(k): int(v) for k, v in classes["grade"].value_counts().items()}
    riskiest = _graded(classes.head(RISKIEST), "org_id")
    bus.handle(RecordScan(as_of, run.counts, run.grades, run.classes, riskiest), ACTOR)
    return run
