"""The hub's records as the analytic tables (``supervision.analytics.tables``): what the intake
took in, laid out for the indicators.

Pure: the store hands over the newest revision of every record, every revision's reporting
times, the enrolled bodies and the registers' rows; this builds one pandas frame per table of
the contract. Audits are numbered by the hub (a body's audit ids are unique only within it).
Times are UTC without a zone, days are dates, as the contract says.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime
from typing import Any

import pandas as pd

__all__ = ["frames", "regions"]

_STATUS_ORDER = ("active", "suspended", "withdrawn", "expired")


def _province(code: str) -> str:
    return code[:2] + "0000" if code else ""


def _city(code: str) -> str:
    return code[:4] + "00" if code else ""


def _utc(text: str | None) -> datetime | None:
    if not text:
        return None
    return pd.Timestamp(text).tz_convert("UTC").tz_localize(None).to_pydatetime()


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text[:10]) if text else None


def _sector(sectors: list[int] | None) -> str:
    return f"{int(sectors[0]):02d}" if sectors else ""


def _audit_key(r: Mapping[str, Any]) -> tuple[str, str, str]:
    """An audit is known by its body, its certification, and its id within the certification."""
    return (r["body_id"], r["record"]["certification_id"], r["record"]["audit_id"])


def regions(tables: Mapping[str, pd.DataFrame]) -> Callable[[Mapping[str, Any]], str]:
    """Where a firing row lies: its organisation's city, else its body's (both cities read once,
    so a scan's rows cost a dictionary look-up each)."""
    orgs = dict(
        zip(tables["organisations"]["org_id"], tables["organisations"]["city"], strict=True)
    )
    bodies = dict(zip(tables["bodies"]["body_id"], tables["bodies"]["city"], strict=True))

    def region_of(hit: Mapping[str, Any]) -> str:
        return str(orgs.get(hit.get("org_id") or "") or bodies.get(hit.get("body_id") or "") or "")

    return region_of


def _frame(rows: list[dict[str, Any]], columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=columns)


def frames(
    records: Iterable[Mapping[str, Any]],
    revisions: Iterable[Mapping[str, Any]],
    bodies: Iterable[Mapping[str, Any]],
    registry: Iterable[tuple[str, Mapping[str, Any]]],
) -> dict[str, pd.DataFrame]:
    """The analytic tables from the newest revision of each record (``body_id``, ``kind``,
    ``record``, ``certification_id``, ``region``), every revision (``body_id``, ``record_id``,
    ``kind``, ``occurred_at``, ``received_at``, ``revision``), the enrolled bodies and the
    registers' ``(source, row)`` pairs."""
    by_kind: dict[str, list[Mapping[str, Any]]] = {}
    for r in records:
        by_kind.setdefault(r["kind"], []).append(r)
    sources: dict[str, list[Mapping[str, Any]]] = {}
    for source, row in registry:
        sources.setdefault(source, []).append(row)

    body_rows = [
        {
            "body_id": b["id"],
            "name": b["name_zh"],
            "province": _province(b["region"]),
            "city": _city(b["region"]),
            "enrolled_on": b.get("enrolled_on") or "",
        }
        for b in bodies
    ]
    applications = {
        (r["body_id"], r["record"]["certification_id"]): r for r in by_kind.get("application", [])
    }
    numbers = {
        (r["body_id"], r["record"]["certification_id"]): r["record"]["certificate_no"]
        for r in by_kind.get("certificate", [])
    }
    orgs: dict[str, dict[str, Any]] = {}
    for r in applications.values():
        o = r["record"]["organisation"]
        orgs[o["uscc"]] = {
            "org_id": o["uscc"],
            "name": o["name"],
            "province": _province(o["region"]),
            "city": _city(o["region"]),
            "size": o.get("size") or "small",
            "deregistered_on": None,
        }
    for row in sources.get("organisations", []):
        known = orgs.setdefault(
            row["org_id"],
            {
                "org_id": row["org_id"],
                "name": row["name"],
                "province": _province(row["region"]),
                "city": _city(row["region"]),
                "size": row.get("size") or "small",
                "deregistered_on": None,
            },
        )
        known["deregistered_on"] = _day(row.get("deregistered_on"))

    changes = [
        {
            "cert_no": r["record"]["certificate_no"],
            "status": r["record"]["status"],
            "effective_on": _day(r["record"]["effective_on"]),
            "recorded_at": _utc(r["record"]["occurred_at"]),
        }
        for r in by_kind.get("status-change", [])
    ]
    latest: dict[str, tuple[Any, str]] = {}
    for c in changes:
        if (
            c["cert_no"] not in latest
            or (c["effective_on"], c["recorded_at"]) > latest[c["cert_no"]][0]
        ):
            latest[c["cert_no"]] = ((c["effective_on"], c["recorded_at"]), c["status"])
    certificates = []
    for r in by_kind.get("certificate", []):
        rec = r["record"]
        application = applications.get((r["body_id"], rec["certification_id"]))
        applied = application["record"]["occurred_at"] if application else rec["occurred_at"]
        certificates.append(
            {
                "cert_no": rec["certificate_no"],
                "body_id": r["body_id"],
                "org_id": rec["uscc"],
                "scheme": rec["scheme_id"],
                "sector": _sector(rec.get("sectors")),
                "applied_at": _utc(applied),
                "issued_on": _day(rec["issued_on"]),
                "expires_on": _day(rec["expires_on"]),
                "status": latest.get(rec["certificate_no"], (None, "active"))[1],
            }
        )

    results = {_audit_key(r): r["record"] for r in by_kind.get("audit-result", [])}
    numbered: dict[tuple[str, str, str], int] = {}
    audits, team = [], []
    for r in by_kind.get("audit-plan", []):
        rec = r["record"]
        key = _audit_key(r)
        number = numbered.setdefault(key, len(numbered) + 1)
        done = results.get(key, {})
        findings = done.get("findings") or []
        application = applications.get((r["body_id"], rec["certification_id"]))
        site = (rec.get("sites") or [{}])[0]
        audits.append(
            {
                "audit_id": number,
                "body_id": r["body_id"],
                "cert_no": numbers.get(
                    (r["body_id"], rec["certification_id"]), rec["certification_id"]
                ),
                "org_id": application["record"]["organisation"]["uscc"] if application else "",
                "kind": rec["audit_kind"],
                "method": rec["method"],
                "start_on": _day(rec["start_on"]),
                "end_on": _day(done.get("end_on") or rec["end_on"]),
                "planned_days": float(rec["planned_days"]),
                "actual_days": float(done.get("actual_days", 0.0)),
                "onsite_days": float(done.get("onsite_days", 0.0)),
                "md5_days": float(rec.get("minimum_days") or 0.0),
                "site_lat": site.get("lat"),
                "site_lon": site.get("lon"),
                "findings_major": sum(1 for f in findings if f["grade"] == "major"),
                "findings_minor": sum(1 for f in findings if f["grade"] == "minor"),
            }
        )
        team += [
            {"audit_id": number, "registration_id": m["registration_no"], "role": m["role"]}
            for m in rec["team"]
        ]
    checkins = [
        {
            "audit_id": numbered[_audit_key(r)],
            "registration_id": r["record"]["registration_no"],
            "kind": r["record"]["direction"],
            "at": _utc(r["record"]["at"]),
            "lat": r["record"]["lat"],
            "lon": r["record"]["lon"],
        }
        for r in by_kind.get("check-in", [])
        if _audit_key(r) in numbered
    ]
    # A first report of what happened before a body's enrolment is a backfill: its duty to
    # report on time starts the day it enrolled. An edit is an edit whenever the fact happened.
    enrolled = {b["body_id"]: b["enrolled_on"] for b in body_rows}
    reports = [
        {
            "body_id": v["body_id"],
            "record_id": v["record_id"],
            "kind": v["kind"],
            "occurred_at": _utc(v["occurred_at"]),
            "received_at": _utc(v["received_at"]),
            "revision": int(v["revision"]),
        }
        for v in revisions
        if v["revision"] > 1 or v["occurred_at"][:10] >= enrolled.get(v["body_id"], "")
    ]

    def registered(source: str, columns: list[str], days: tuple[str, ...] = ()) -> pd.DataFrame:
        rows = [
            {c: (_day(row.get(c)) if c in days else row.get(c)) for c in columns}
            for row in sources.get(source, [])
        ]
        return _frame(rows, columns)

    queries = [
        {"cert_no": q["cert_no"], "queried_at": _utc(q["queried_at"])}
        for q in sources.get("public-queries", [])
    ]
    return {
        "bodies": _frame(body_rows, ["body_id", "name", "province", "city", "enrolled_on"]),
        "body_scopes": registered(
            "body-scopes",
            ["body_id", "scheme", "sector", "granted_on", "revoked_on"],
            ("granted_on", "revoked_on"),
        ),
        "auditors": registered("auditors", ["registration_id", "name", "registered"]),
        "auditor_employments": registered(
            "employments", ["registration_id", "body_id", "since", "until"], ("since", "until")
        ),
        "organisations": _frame(
            list(orgs.values()),
            ["org_id", "name", "province", "city", "size", "deregistered_on"],
        ),
        "certificates": _frame(
            certificates,
            [
                "cert_no",
                "body_id",
                "org_id",
                "scheme",
                "sector",
                "applied_at",
                "issued_on",
                "expires_on",
                "status",
            ],
        ),
        "status_changes": _frame(changes, ["cert_no", "status", "effective_on", "recorded_at"]),
        "audits": _frame(
            audits,
            [
                "audit_id",
                "body_id",
                "cert_no",
                "org_id",
                "kind",
                "method",
                "start_on",
                "end_on",
                "planned_days",
                "actual_days",
                "onsite_days",
                "md5_days",
                "site_lat",
                "site_lon",
                "findings_major",
                "findings_minor",
            ],
        ),
        "audit_team": _frame(team, ["audit_id", "registration_id", "role"]),
        "checkins": _frame(checkins, ["audit_id", "registration_id", "kind", "at", "lat", "lon"]),
        "sampling_results": registered(
            "sampling", ["org_id", "sampled_on", "failed"], ("sampled_on",)
        ),
        "reports": _frame(
            reports, ["body_id", "record_id", "kind", "occurred_at", "received_at", "revision"]
        ),
        "public_queries": _frame(queries, ["cert_no", "queried_at"]),
    }
