"""Projection rows of the supervision hub's aggregates and events (the hub's tables)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..ledger.canonical import canonical_json
from ..lifecycle import events as ev
from ..lifecycle.aggregate import Aggregate
from ..supervision import events as hub_events
from ..supervision.campaigns import Campaign
from ..supervision.model import Registry, ReportingBody, Scan
from ..supervision.warnings import Warning
from . import tables as t

__all__ = ["hub_record_rows", "hub_registry_rows", "hub_rows"]

Rows = dict[Any, list[dict[str, Any]]]


def _json(value: Any) -> str:
    """RFC 8785 canonical JSON, as on the ledger (so a replay writes the same text)."""
    return canonical_json(value).decode()


def hub_rows(agg: Aggregate) -> Rows | None:
    """The rows of a hub aggregate by table; None for an aggregate of another part."""
    if isinstance(agg, ReportingBody):
        return {
            t.hub_bodies: [
                {
                    "id": agg.id,
                    "name_zh": agg.name_zh,
                    "name_en": agg.name_en,
                    "region": agg.region,
                    "origin": agg.origin,
                    "vkey": agg.vkey,
                    "enrolled_on": agg.enrolled_on,
                    "signing_keys": _json(agg.keys),
                    "reported": agg.reported,
                    "submissions": agg.submissions,
                    "last_received": agg.last_received,
                    "refusals": _json(agg.refusals),
                }
            ]
        }
    if isinstance(agg, Campaign):
        return {
            t.hub_draws: [
                {
                    "id": agg.id,
                    "name_zh": agg.name_zh,
                    "name_en": agg.name_en,
                    "jurisdiction": agg.jurisdiction,
                    "commitment": agg.commitment,
                    "inputs_sha256": agg.inputs_sha256,
                    "committed_on": agg.committed_at,
                    "seed": agg.seed,
                    "digest": agg.digest,
                    "population": agg.population,
                    "strata": _json(agg.strata),
                    "selections": _json(agg.selections),
                    "results": _json(agg.results),
                }
            ]
        }
    if isinstance(agg, Registry):
        return {}
    if isinstance(agg, Scan):
        return {
            t.hub_scans: [
                {
                    "as_of": agg.id,
                    "counts": _json(agg.counts),
                    "grades": _json(agg.grades),
                    "classes": _json(agg.classes),
                    "riskiest": _json(agg.riskiest),
                }
            ]
        }
    if isinstance(agg, Warning):
        return {
            t.hub_warnings: [
                {
                    "id": agg.id,
                    "indicator": agg.indicator,
                    "entity_kind": agg.entity_kind,
                    "entity_id": agg.entity_id,
                    "body_id": agg.body_id,
                    "org_id": agg.org_id,
                    "region": agg.region,
                    "value": agg.value,
                    "threshold": agg.threshold,
                    "evidence": _json(agg.evidence),
                    "day": agg.day,
                    "status": agg.status,
                    "priority": agg.priority,
                    "raised": agg.raised,
                    "referred_to": "".join(f",{r}" for r in sorted(agg.referred_to))
                    + ("," if agg.referrals else ""),
                    "history": _json(agg.history),
                }
            ]
        }
    return None


def hub_record_rows(recorded: Iterable[tuple[int, ev.Envelope]]) -> list[dict[str, Any]]:
    """Hub record rows (one per record a submission added, with the hub's ledger index)."""
    rows = []
    for index, env in recorded:
        e = env.event
        if not isinstance(e, hub_events.ReportAccepted):
            continue
        body_id = env.aggregate.split(":", 1)[1]
        for position, r in enumerate(e.records):
            rows.append(
                {
                    "ledger_index": index,
                    "position": position,
                    "body_id": body_id,
                    "record_id": r["id"],
                    "kind": r["kind"],
                    "revision": r["revision"],
                    "hash": r["hash"],
                    "certification_id": r.get("certification_id"),
                    "audit_id": r["record"].get("audit_id"),
                    "certificate_no": r["record"].get("certificate_no"),
                    "region": r.get("region"),
                    "occurred_at": r["record"]["occurred_at"],
                    "received_at": e.received_at,
                    "lag_s": r["lag_s"],
                    "body_ledger_index": r.get("ledger_index"),
                    "record": _json(r["record"]),
                }
            )
    return rows


def hub_registry_rows(recorded: Iterable[tuple[int, ev.Envelope]]) -> list[dict[str, Any]]:
    """Register rows (one per row imported, with the hub's ledger index) from events."""
    return [
        {
            "ledger_index": index,
            "position": position,
            "source": env.event.source,
            "key": row["key"],
            "data": _json(row["data"]),
        }
        for index, env in recorded
        if isinstance(env.event, hub_events.RegistryImported)
        for position, row in enumerate(env.event.rows)
    ]
