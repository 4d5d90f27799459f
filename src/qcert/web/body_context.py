"""What the body's pages show, gathered from the read views: the template contexts of the
dashboard, the certification list and a certification's page (with its forms' data)."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.engine import Connection

from .. import schemes
from ..lifecycle.cycle import GRADES, ROLES
from ..store import bookings, portal
from ..store import dashboard as views
from .body_forms import offered, preview_audit_time
from .body_text import EVENT_LABELS, WEEKDAYS
from .planning import (
    Period,
    availability,
    default_period,
    offered_number,
    parse_period,
    prefill,
)
from .render import Viewer

__all__ = ["Month", "certification_context", "month_grid", "parse_month"]


@dataclass(frozen=True)
class Month:
    """A calendar month: its first day, and the first days of the months around it."""

    first: date

    @property
    def last(self) -> date:
        return self.first.replace(day=calendar.monthrange(self.first.year, self.first.month)[1])

    @property
    def label(self) -> str:
        return f"{self.first:%Y-%m}"

    @property
    def previous(self) -> str:
        y, m = self.first.year, self.first.month
        return f"{y - 1:04d}-12" if m == 1 else f"{y:04d}-{m - 1:02d}"

    @property
    def following(self) -> str:
        y, m = self.first.year, self.first.month
        return f"{y + 1:04d}-01" if m == 12 else f"{y:04d}-{m + 1:02d}"


def parse_month(text: str | None, today: date) -> Month | None:
    """The month ``YYYY-MM`` (today's when not given); None when ``text`` is not one."""
    if not text:
        return Month(today.replace(day=1))
    try:
        year, month = (int(p) for p in text.split("-"))
        return Month(date(year, month, 1))
    except (ValueError, OverflowError):  # a year past a C long overflows date() itself
        return None


def month_grid(conn: Connection, body_id: str, month: Month) -> list[list[dict[str, Any]]]:
    """The weeks (Monday first) of ``month``, each day with the body's audits running on it."""
    audits = views.audits_between(conn, body_id, month.first, month.last)
    weeks = calendar.Calendar(firstweekday=0).monthdatescalendar(
        month.first.year, month.first.month
    )
    return [
        [
            {
                "day": day,
                "in_month": day.month == month.first.month,
                "audits": [a for a in audits if a["start"] <= day.isoformat() <= a["end"]],
            }
            for day in week
        ]
        for week in weeks
    ]


def _team_choices(conn: Connection, body_id: str, record: dict[str, Any]) -> list[dict[str, Any]]:
    """The body's auditors with the competence check for this certification: qualified for its
    scheme and every one of its sectors (ISO/IEC 17021-1:2015 7.2.4)."""
    need = set(record["sectors"])
    return [
        {**a, "qualified": need <= a["qualifications"].get(record["scheme_id"], set())}
        for a in views.body_auditors(conn, body_id)
    ]


def certification_context(
    conn: Connection,
    who: Viewer,
    body: dict[str, Any],
    record: dict[str, Any],
    today: date,
    month: Month,
    failed: str | None = None,
    values: dict[str, Any] | None = None,
    period: Period | None = None,
) -> dict[str, Any]:
    """The template context of a certification's page for ``who``; ``period`` the days the
    planner asked who is free on (a refused plan's own days, else the next four weeks)."""
    forms = offered(who.principal, body["id"], record, failed)
    scheme = schemes.get(record["scheme_id"])
    values = values or {}
    context: dict[str, Any] = {
        "body": body,
        "record": record,
        "scheme": scheme,
        "forms": forms,
        "failed": failed,
        "values": values,
        "today": today.isoformat(),
        "labelled": set(EVENT_LABELS),
        # The audits and tests the planner may choose from are the scheme's stages.
        "kinds": [s for s in scheme.stages if s.activity == "audit"],
        "test_stages": [s for s in scheme.stages if s.activity == "test"],
        "roles": ROLES,
        "grades": GRADES,
        "methods": list(schemes.audit_methods().values()),
        "clauses": scheme.all_clauses(),
        "preview": None,
        "offered_number": None,
        "prefill": None,
        "availability": [],
        "organisations": {},
        "period": None,
        "auditors": [],
        "weeks": [],
        "month": month,
        "weekdays": list(WEEKDAYS.values()),
        "documents": portal.documents_for(conn, record["id"]),
    }
    if "review-contract" in forms:
        context["preview"] = preview_audit_time(
            record, values if failed == "review-contract" else {}
        )
    if "decide" in forms:
        context["offered_number"] = offered_number(conn, body, record, today)
    if "plan-audit" in forms:
        context["auditors"] = _team_choices(conn, body["id"], record)
        context["weeks"] = month_grid(conn, body["id"], month)
        if failed == "plan-audit":
            period = parse_period(values.get("start"), values.get("end")) or period
        context["period"] = period = period or default_period(today)
        context["availability"] = availability(conn, body["id"], context["auditors"], period)
        context["prefill"] = prefill(record)
        # The calendar names each audit by its organisation, as planners know them.
        context["organisations"] = bookings.organisations(conn, body["id"], month.first, month.last)
    return context
