"""Projection rows of real-time evidence: data sources and their anchored windows."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..evidence import events as evidence_events
from ..evidence.model import Device
from ..evidence.payload import micros
from ..ledger.canonical import canonical_json
from ..lifecycle import events as ev
from ..lifecycle.aggregate import Aggregate
from . import tables as t

__all__ = ["device_rows", "window_rows"]


def device_rows(agg: Aggregate) -> dict[Any, list[dict[str, Any]]] | None:
    """The rows of a data source by table; None for an aggregate of another part."""
    if not isinstance(agg, Device):
        return None
    return {
        t.evidence_devices: [
            {
                "id": agg.id,
                "client_id": agg.client_id,
                "kind": agg.device_kind,
                "label": agg.label,
                "variables": canonical_json(agg.variables).decode(),
                "public_key": agg.public_key,
                "signed": agg.signed,
                "retired": agg.retired,
                "anchored_until": agg.anchored_until,
                "windows": agg.windows,
            }
        ]
    }


def _us(text: str) -> int:
    from datetime import datetime

    return micros(datetime.fromisoformat(text.replace("Z", "+00:00")))


def window_rows(recorded: Iterable[tuple[int, ev.Envelope]]) -> list[dict[str, Any]]:
    """One row per ``evidence.window-anchored`` event, keyed by its ledger index."""
    rows = []
    for index, env in recorded:
        e = env.event
        if isinstance(e, evidence_events.WindowAnchored):
            rows.append(
                {
                    "ledger_index": index,
                    "device_id": e.device_id,
                    "client_id": e.client_id,
                    "start_us": _us(e.start),
                    "end_us": _us(e.end),
                    "first_seq": e.first_seq,
                    "last_seq": e.last_seq,
                    "count": e.count,
                    "root": e.root,
                }
            )
    return rows
