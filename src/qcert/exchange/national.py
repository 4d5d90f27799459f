"""The national reporting set of one certification body, as one versioned JSON document.

What a body reports to the market regulator's supervision hub (国市监认证发〔2025〕72号 asks
bodies to report certification activity through one standard interface): audit plans with
the audit method code (CNCA audit method codes FS01-FS03, ``schemes/reference/audit_methods.yaml``)
and the team's auditor ids and registration numbers; audit results; certificates; and
certificate status changes from the status history. Pure functions over the rows of
``store.views``; nothing here reads a database.

A period, when given, is inclusive at both ends and selects: audit plans by their start, audit
results by the audit's last day, certificates by their (latest) issue date, status changes by
their day. Dates are ISO 8601 (``2024-03-01``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from .. import schemes
from ..errors import QcertError

__all__ = ["GRADES", "SCHEMA", "VERSION", "PeriodInvalid", "check_period", "report"]

SCHEMA = "urn:qcert:schema:national-report"
VERSION = "1.0.0"
GRADES = ("major", "minor", "observation", "improvement")


class PeriodInvalid(QcertError):
    """A reporting period that ends before it starts."""

    status = 422


def check_period(start: date | None, end: date | None) -> None:
    """Refuse a period whose end comes before its start."""
    if start and end and end < start:
        raise PeriodInvalid(
            f"to: {end.isoformat()} is before from {start.isoformat()} / 截止日期早于起始日期"
        )


def _within(day: str | None, start: date | None, end: date | None) -> bool:
    if day is None:
        return False
    d = date.fromisoformat(day)
    return (start is None or d >= start) and (end is None or d <= end)


def _method(code: str) -> dict[str, str]:
    known = schemes.audit_methods().get(code)
    return {"code": code, "en": known.en if known else "", "zh-CN": known.zh if known else ""}


def audit_plan(audit: Mapping[str, Any], registrations: Mapping[str, str]) -> dict[str, Any]:
    """One planned audit: client, scheme, sectors, kind, method, dates, days and team."""
    return {
        "certification_id": audit["certification_id"],
        "audit_id": audit["audit_id"],
        "client_id": audit["client_id"],
        "uscc": audit["uscc"],
        "scheme_id": audit["scheme_id"],
        "sectors": list(audit["sectors"]),
        "kind": audit["kind"],
        "method": _method(audit["method"]),
        "start": audit["start"],
        "end": audit["end"],
        "planned_days": audit["planned_days"],
        "auditors": [
            {
                "id": m["auditor"],
                "registration_no": registrations.get(m["auditor"], ""),
                "role": m["role"],
            }
            for m in audit["team"]
        ],
    }


def audit_result(audit: Mapping[str, Any], findings: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """One completed audit: its days on record and its findings by grade (open ones apart)."""
    mine = [f for f in findings if f["audit_id"] == audit["audit_id"]]
    graded = Counter(f["grade"] for f in mine)
    return {
        "certification_id": audit["certification_id"],
        "audit_id": audit["audit_id"],
        "kind": audit["kind"],
        "last_day": audit["last_day"],
        "planned_days": audit["planned_days"],
        "actual_days": audit["actual_days"],
        "findings": {g: graded.get(g, 0) for g in GRADES},
        "findings_not_closed": sum(1 for f in mine if f["status"] != "closed"),
    }


def certificate(row: Mapping[str, Any]) -> dict[str, Any]:
    """One certificate as the hub keeps it (the regulator sees confidential clients too)."""
    return {
        "number": row["number"],
        "certification_id": row["certification_id"],
        "client_id": row["client_id"],
        "uscc": row["client"]["uscc"],
        "scheme_id": row["scheme_id"],
        "sectors": list(row["sectors"]),
        "status": row["status"],
        "scope": row["scope"],
        "sites": [s["site"] for s in row["sites"]],
        "issue_date": row["issue_date"],
        "original_issue_date": row["original_issue_date"],
        "expiry_date": row["expiry_date"],
    }


def status_change(row: Mapping[str, Any]) -> dict[str, Any]:
    """One status change, with the ledger index that proves it."""
    return {
        "ledger_index": row["ledger_index"],
        "certification_id": row["certification_id"],
        "certificate_number": row["number"],
        "event": row["event"],
        "status": row["status"],
        "on": row["on"],
    }


def report(
    body: Mapping[str, Any],
    audits: Iterable[Mapping[str, Any]],
    findings: Iterable[Mapping[str, Any]],
    certificates: Iterable[Mapping[str, Any]],
    history: Iterable[Mapping[str, Any]],
    registrations: Mapping[str, str],
    start: date | None = None,
    end: date | None = None,
) -> dict[str, Any]:
    """The national reporting document of ``body`` for the period ``start``..``end``.

    Rows are those of ``store.views`` for the body (``audit_rows``, ``finding_rows``,
    ``certificate_rows``, ``history_rows``, ``auditor_registrations``).
    """
    check_period(start, end)
    audits = list(audits)
    by_certification: dict[str, list[Mapping[str, Any]]] = {}
    for f in findings:
        by_certification.setdefault(f["certification_id"], []).append(f)
    sections = {
        "audit_plans": [
            audit_plan(a, registrations) for a in audits if _within(a["start"], start, end)
        ],
        "audit_results": [
            audit_result(a, by_certification.get(a["certification_id"], []))
            for a in audits
            if _within(a["last_day"], start, end)
        ],
        "certificates": [
            certificate(c) for c in certificates if _within(c["issue_date"], start, end)
        ],
        "status_changes": [status_change(h) for h in history if _within(h["on"], start, end)],
    }
    return {
        "schema": SCHEMA,
        "version": VERSION,
        "body": {
            "id": body["id"],
            "approval_no": body["approval_no"],
            "name": {"zh-CN": body["name_zh"], "en": body["name_en"]},
            "accreditation": body["accreditation"],
        },
        "period": {
            "from": start.isoformat() if start else None,
            "to": end.isoformat() if end else None,
        },
        "counts": {name: len(items) for name, items in sections.items()},
        **sections,
    }
