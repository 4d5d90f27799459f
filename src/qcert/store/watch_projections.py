"""Projection rows of watched streams: each device's monitor and its alarm episodes."""

from __future__ import annotations

from typing import Any

from ..evidence.monitor_model import StreamMonitor
from ..ledger.canonical import canonical_json
from ..lifecycle.aggregate import Aggregate
from . import tables as t

__all__ = ["stream_rows"]


def _json(value: Any) -> str:
    """RFC 8785 canonical JSON, as on the ledger (so a replay writes the same text)."""
    return canonical_json(value).decode()


def stream_rows(agg: Aggregate) -> dict[Any, list[dict[str, Any]]] | None:
    """The rows of a watched stream by table; None for an aggregate of another part."""
    if not isinstance(agg, StreamMonitor):
        return None
    m = agg.monitor
    open_ = agg.open_alarm
    return {
        t.evidence_monitors: [
            {
                "device_id": agg.id,
                "client_id": agg.client_id,
                "kind": m["kind"],
                "params": _json(m["params"]),
                "variables": _json(m["variables"]),
                "start": m["start"],
                "end": m["end"],
                "readings": m["readings"],
                "limits": _json(m["limits"]),
                "charts": _json(m["charts"]),
                "persistence": m["persistence"],
                "graph": m["graph"],
                "digest": m["digest"],
                "last_raised": agg.last_raised,
                "last_cleared": agg.last_cleared,
                "open_seq": open_["seq"] if open_ is not None else None,
            }
        ],
        t.evidence_alarms: [
            {
                "device_id": agg.id,
                "seq": a["seq"],
                "client_id": agg.client_id,
                "time": a["time"],
                "statistic": a["statistic"],
                "top_variables": _json(a["top"]),
                "cleared": a["cleared"],
            }
            for a in agg.alarms
        ],
    }
