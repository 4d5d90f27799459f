"""The planner's help on a certification's page: who is free over some days (each auditor's
audits, with organisation and scheme, from ``store.bookings``), the planned days the
contract review gives the audit to plan next, and the decision maker's next certificate number
by the body's numbering rule (``lifecycle.numbering``)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy.engine import Connection

from .. import schemes
from ..lifecycle import numbering
from ..store import bookings, numbers

__all__ = [
    "MAX_SPAN_DAYS",
    "Period",
    "availability",
    "default_period",
    "offered_number",
    "parse_period",
    "prefill",
]

MAX_SPAN_DAYS = 62  # at most two months in one view: the query stays small


@dataclass(frozen=True)
class Period:
    """The days the planner asked about (both ends included)."""

    first: date
    last: date


def parse_period(start: str | None, end: str | None) -> Period | None:
    """``start``..``end`` (ISO dates) when both are given and make a period of at most
    MAX_SPAN_DAYS; None otherwise (the caller shows its month and says why)."""
    if not start or not end or len(start) > 10 or len(end) > 10:
        return None
    try:
        first, last = date.fromisoformat(start), date.fromisoformat(end)
    except ValueError:
        return None
    if last < first or (last - first).days >= MAX_SPAN_DAYS:
        return None
    return Period(first, last)


def availability(
    conn: Connection, body_id: str, auditors: list[dict[str, Any]], period: Period
) -> list[dict[str, Any]]:
    """Each auditor with their audits at the body over ``period`` and whether they are free on
    every one of its days; each commitment with its scheme's title in both languages."""
    rows = bookings.schedule(conn, body_id, auditors, period.first, period.last)
    for row in rows:
        row["free"] = not row["busy"]
        for c in row["commitments"]:
            c["scheme_title"] = _title(c["scheme"])
    return rows


def _title(scheme_id: str) -> dict[str, str]:
    try:
        title = schemes.get(scheme_id).title
    except schemes.SchemeNotFound:
        return {"zh": scheme_id, "en": scheme_id}
    return {"zh": title.zh, "en": title.en}


def _half_days(days: float) -> float:
    return max(0.5, math.ceil(days * 2 - 1e-9) / 2)


def prefill(record: dict[str, Any]) -> dict[str, Any] | None:
    """The audit to plan next (the first of the scheme's audit stages not yet planned, or the
    next surveillance) and the days the contract review gives it: ``{"kind", "days", "why",
    "values"}``, or None when it sets none (a preliminary stage, no contract review)."""
    contract = record.get("contract")
    if not contract:
        return None
    scheme = schemes.get(record["scheme_id"])
    stages = [s for s in scheme.stages if s.activity == "audit"]
    planned = [a["kind"] for a in record["audits"]]
    initial = [s for s in stages if s.phase == "initial"]
    if record.get("certificate") is None:
        todo = [s for s in initial if s.id not in planned]
    else:
        todo = [s for s in stages if s.phase == "surveillance"]
    if not todo:
        return None
    stage = todo[0]
    rule = scheme.audit_time
    if rule.method == "fixed" and stage.id in rule.days:
        return _offer(stage.id, rule.days[stage.id], "prefill.fixed", {})
    if stage.phase == "surveillance":
        return _offer(stage.id, contract["surveillance_days"], "prefill.surveillance", {})
    if stage.phase == "initial" and stage.id == initial[-1].id:
        spent = sum(
            a["actual_days"] if a["actual_days"] is not None else a["planned_days"]
            for a in record["audits"]
            if a["kind"] in {s.id for s in initial}
        )
        total = contract["initial_days"]
        values = {"total": f"{total:g}", "spent": f"{spent:g}"}
        return _offer(stage.id, total - spent, "prefill.initial", values)
    return {"kind": stage.id, "days": None, "why": None, "values": {}}


def _offer(kind: str, days: float, why: str, values: dict[str, str]) -> dict[str, Any]:
    return {"kind": kind, "days": _half_days(days), "why": why, "values": values}


def default_period(today: date) -> Period:
    """The next four weeks from ``today``: the days a planner usually looks at."""
    return Period(today, today + timedelta(days=27))


def offered_number(
    conn: Connection, body: dict[str, Any], record: dict[str, Any], today: date
) -> str | None:
    """The next certificate number by the body's numbering rule for a grant decided today;
    None for a renewal (the number stays) or when the rule cannot form one."""
    if record.get("certificate") is not None:
        return None
    prefix = numbering.number_prefix(body.get("approval_no", ""), today.year, record["scheme_id"])
    if prefix is None:
        return None
    application = record.get("application") or {}
    personnel = application.get("personnel") or (record.get("client") or {}).get("personnel", 0)
    taken = numbers.numbers_with_prefix(conn, body["id"], prefix)
    return numbering.next_number(prefix, taken, int(personnel or 0))
