"""A small hand-built hub: a clean certification history to plant one deviation in at a time."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pyarrow as pa

from qcert.supervision.analytics.tables import TABLES, arrow_schema

AS_OF = date(2025, 7, 1)
SITE = (31.23, 121.47)  # Shanghai


def at(day: date, hour: int = 0, minute: int = 0) -> datetime:
    """``day`` at ``hour``:``minute`` UTC."""
    return datetime(day.year, day.month, day.day, hour, minute)


class World:
    """Rows of every hub table, added through helpers that fill sensible defaults."""

    def __init__(self) -> None:
        self.rows: dict[str, list[dict[str, Any]]] = {name: [] for name in TABLES}
        self.next_audit = 1

    def add(self, table: str, **values: Any) -> dict[str, Any]:
        names = [c.name for c in TABLES[table]]
        extra = set(values) - set(names)
        assert not extra, f"{table}: unknown column(s) {extra}"
        values = {name: values.get(name) for name in names}
        self.rows[table].append(values)
        return values

    def body(self, body_id: str = "B1", scopes=(("QMS", "29"),), granted=date(2015, 1, 1)):
        self.add("bodies", body_id=body_id, name=body_id, province="310000", city="310100")
        for scheme, sector in scopes:
            self.add(
                "body_scopes", body_id=body_id, scheme=scheme, sector=sector, granted_on=granted
            )

    def auditor(self, reg: str = "A1", body: str = "B1", registered: bool = True, **kw: Any):
        self.add("auditors", registration_id=reg, name=reg, registered=registered)
        self.add(
            "auditor_employments",
            registration_id=reg,
            body_id=body,
            since=kw.get("since", date(2015, 1, 1)),
            until=kw.get("until"),
        )

    def org(self, org_id: str = "O1", size: str = "small", deregistered_on: date | None = None):
        self.add(
            "organisations",
            org_id=org_id,
            name=org_id,
            province="310000",
            city="310100",
            size=size,
            deregistered_on=deregistered_on,
        )

    def certificate(
        self,
        cert_no: str = "C1",
        body: str = "B1",
        org: str = "O1",
        issued_on: date = date(2022, 2, 20),
        applied: datetime | None = None,
        scheme: str = "QMS",
        sector: str = "29",
        expires_on: date | None = None,
    ):
        self.add(
            "certificates",
            cert_no=cert_no,
            body_id=body,
            org_id=org,
            scheme=scheme,
            sector=sector,
            applied_at=applied or at(issued_on - timedelta(days=48)),
            issued_on=issued_on,
            expires_on=expires_on or issued_on + timedelta(days=6 * 365),
            status="active",
        )
        self.status(cert_no, "active", issued_on)
        self.report(body, f"{cert_no}/cert", "certificate", at(issued_on, 2))

    def status(self, cert_no: str, status: str, on: date):
        self.add(
            "status_changes", cert_no=cert_no, status=status, effective_on=on, recorded_at=at(on, 3)
        )

    def report(
        self,
        body: str,
        record: str,
        kind: str,
        when: datetime,
        delay=timedelta(0),
        revision: int = 1,
    ):
        self.add(
            "reports",
            body_id=body,
            record_id=record,
            kind=kind,
            occurred_at=when,
            received_at=when + delay + timedelta(hours=1),
            revision=revision,
        )

    def audit(
        self,
        cert_no: str = "C1",
        kind: str = "surveillance",
        start: date = date(2023, 1, 16),
        days: int = 2,
        body: str = "B1",
        org: str = "O1",
        method: str = "FS01",
        team=(("A1", "lead"),),
        site=SITE,
        checks=True,
        findings=(0, 2),
        actual: float | None = None,
        onsite: float | None = None,
        md5: float | None = None,
    ) -> int:
        audit_id = self.next_audit
        self.next_audit += 1
        actual = float(days) if actual is None else actual
        if onsite is None:
            onsite = 0.0 if method == "FS02" else actual
        end = start + timedelta(days=days - 1)
        self.add(
            "audits",
            audit_id=audit_id,
            body_id=body,
            cert_no=cert_no,
            org_id=org,
            kind=kind,
            method=method,
            start_on=start,
            end_on=end,
            planned_days=float(days),
            actual_days=actual,
            onsite_days=onsite,
            md5_days=float(days) if md5 is None else md5,
            site_lat=site[0],
            site_lon=site[1],
            findings_major=findings[0],
            findings_minor=findings[1],
        )
        for reg, role in team:
            self.add("audit_team", audit_id=audit_id, registration_id=reg, role=role)
            if checks and method != "FS02":
                self.checkin(audit_id, reg, "in", at(start, 0, 30), site)
                self.checkin(audit_id, reg, "out", at(end, 9), site)
        self.report(body, f"{cert_no}/audit/{audit_id}", "audit-result", at(end, 10))
        return audit_id

    def checkin(self, audit_id: int, reg: str, kind: str, when: datetime, where=SITE):
        self.add(
            "checkins",
            audit_id=audit_id,
            registration_id=reg,
            kind=kind,
            at=when,
            lat=where[0],
            lon=where[1],
        )

    def tables(self) -> dict[str, pa.Table]:
        return {
            name: pa.Table.from_pylist(rows, schema=arrow_schema(name))
            for name, rows in self.rows.items()
        }


def clean(
    world: World | None = None,
    cert_no: str = "C1",
    org: str = "O1",
    body: str = "B1",
    lead: str = "A1",
) -> World:
    """One body, auditor, organisation and certificate with a by-the-book history: stage 1 and
    2 in early 2022, surveillance each January, recertification in December 2024."""
    w = world or World()
    if not any(b["body_id"] == body for b in w.rows["bodies"]):
        w.body(body)
    if not any(a["registration_id"] == lead for a in w.rows["auditors"]):
        w.auditor(lead, body)
    w.org(org)
    w.certificate(cert_no, body, org, applied=at(date(2022, 1, 3), 2))
    team = ((lead, "lead"),)
    w.audit(cert_no, "stage1", date(2022, 1, 10), 1, body, org, team=team)
    w.audit(cert_no, "stage2", date(2022, 2, 7), 2, body, org, team=team)
    w.audit(cert_no, "surveillance", date(2023, 1, 16), 1, body, org, team=team)
    w.audit(cert_no, "surveillance", date(2024, 1, 15), 1, body, org, team=team)
    w.audit(cert_no, "recertification", date(2024, 12, 2), 2, body, org, team=team)
    return w
