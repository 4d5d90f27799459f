"""A certification's audits: planning (team, time, sample), check-ins, completion, findings
and the audit programme (ISO/IEC 17021-1:2015 9.1-9.4, IAF MD 1 and MD 5)."""

from __future__ import annotations

import math
from datetime import date
from typing import Any

from .. import schemes
from . import events as ev
from .aggregate import Recording, add_months, invalid, text_field
from .cycle import AUDIT_KINDS, GRADES, ROLES, Audit, CertStatus, Finding
from .parties import Auditor, Body
from .rules import refuse

__all__ = ["CHECKIN_KM", "AuditWork"]

# How far from the audited site a check-in may be before it is marked an anomaly (km): the
# national check-in system's "location deviation" rule (国认监〔2021〕3号, deviation over 5 km).
CHECKIN_KM = 5.0
_EARTH_KM = 6371.0088  # mean Earth radius (IUGG)


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * _EARTH_KM * math.asin(min(1.0, math.sqrt(h)))


def _nearest(
    audited: list[str], sites: dict[str, dict[str, Any]], lat: float, lon: float
) -> tuple[str, float | None]:
    """The audited site nearest (lat, lon) and its distance (km); ("", None) without sites."""
    found = [
        (_km(lat, lon, sites[s]["lat"], sites[s]["lon"]), s)
        for s in audited
        if s in sites and "lat" in sites[s] and "lon" in sites[s]
    ]
    if not found:
        return "", None
    km, site = min(found)
    return site, km


class AuditWork:
    """A certification's audits: planning (team, time, sample), check-ins, completion, findings
    and the audit programme (ISO/IEC 17021-1:2015 9.1-9.4, IAF MD 1 and MD 5)."""

    def plan_audit(
        self,
        audit_id: str,
        kind: str,
        team: list[dict[str, str]],
        method: str,
        start: date,
        end: date,
        planned_days: float,
        sites: list[str],
        auditors: dict[str, Auditor],
        body: Body,
        override: dict[str, str] | None = None,
    ) -> None:
        """Plan an audit: team competence, method, timing and audit time rules."""
        self._require(
            self.contract is not None,
            "planning an audit",
            "策划审核",
            "the contract review comes first",
            "须先完成合同评审",
        )
        if audit_id in self.audits:
            raise invalid("audit_id", f"{audit_id} is already planned", f"审核 {audit_id} 已策划")
        if kind not in AUDIT_KINDS:
            raise invalid(
                "kind",
                f"must be one of {', '.join(AUDIT_KINDS)}",
                f"须为 {'、'.join(AUDIT_KINDS)} 之一",
            )
        if method not in schemes.audit_methods():
            raise refuse("audit.method", method=method)
        if end < start:
            raise invalid("end", "must not be before start", "不能早于开始日期")
        if planned_days <= 0 or planned_days * 2 != math.floor(planned_days * 2):
            raise invalid(
                "planned_days",
                "must be a positive number of half days",
                "须为半天（0.5 人日）的正整数倍",
            )
        if not sites or any(s not in self.sites for s in sites):
            raise invalid("sites", "must be sites of this certification", "须为本认证项目的场所")
        self._check_team(team, auditors, body)
        if kind in ("surveillance", "recertification") and self.certificate is None:
            raise refuse(
                "state.order",
                action=f"a {kind} audit",
                action_zh="策划该审核",
                why="no certificate yet",
                why_zh="尚未发证",
            )
        if kind == "surveillance":
            self._check_surveillance_timing(start)
        if override and not (
            override.get("reason", "").strip() and override.get("approved_by", "").strip()
        ):
            raise refuse("override.reason")
        self._check_audit_time(kind, planned_days, override, sites)
        drawn = self._check_sample(kind, sites)
        self.record(
            ev.AuditPlanned(
                audit_id,
                kind,
                [dict(m) for m in team],
                method,
                start.isoformat(),
                end.isoformat(),
                planned_days,
                list(sites),
                override,
                drawn,
            )
        )

    def _check_team(
        self, team: list[dict[str, str]], auditors: dict[str, Auditor], body: Body
    ) -> None:
        if sum(1 for m in team if m.get("role") == "lead") != 1:
            raise refuse("audit.team-lead")
        for i, m in enumerate(team):
            if m.get("role") not in ROLES:
                raise invalid(
                    f"team.{i}.role",
                    f"must be one of {', '.join(ROLES)}",
                    f"须为 {'、'.join(ROLES)} 之一",
                )
            who = m.get("auditor", "")
            a = auditors.get(who)
            if a is None:
                raise invalid(
                    f"team.{i}.auditor", f"unknown auditor {who!r}", f"未知的审核员 {who!r}"
                )
            if m["role"] in ("lead", "auditor"):
                if a.body_id != body.id:
                    raise refuse("auditor.employer", auditor=who, body=body.id)
                if not a.qualified(self.scheme_id, self.sectors):
                    raise refuse(
                        "auditor.qualified",
                        auditor=who,
                        scheme=self.scheme_id,
                        sectors=self.sectors,
                    )

    def _check_surveillance_timing(self, start: date) -> None:
        assert self.decided_on is not None
        cycle_audits = [a for a in self.audits.values() if a.cycle == self.cycle]
        if not any(a.kind == "surveillance" for a in cycle_audits):
            limit = add_months(self.decided_on, 12)
            if start > limit:
                raise refuse("surveillance.first-12-months", limit=limit.isoformat())
        covered = {
            a.start.year for a in cycle_audits if a.kind in ("surveillance", "recertification")
        }
        for year in range(self.decided_on.year + 1, start.year):
            if year not in covered:
                raise refuse("surveillance.calendar-year", year=year)

    def _check_audit_time(
        self, kind: str, planned: float, override: dict[str, str] | None, sites: list[str]
    ) -> None:
        assert self.contract is not None
        if self.contract.site_days:
            self._check_site_time(kind, planned, sites)
            return
        # Even an override may not reduce past the MD 5 (30%) and MD 11 (20%) caps together.
        floor = self.contract.table_days * 0.7 * 0.8
        if kind in ("stage1", "stage2"):
            other = sum(
                a.planned_days
                for a in self.audits.values()
                if a.cycle == self.cycle and a.kind in ("stage1", "stage2")
            )
            minimum, planned_total = self.contract.initial_days, planned + other
            if kind == "stage1":
                return  # stage 1 + stage 2 together are checked when stage 2 is planned
        elif kind == "surveillance":
            minimum, planned_total = self.contract.surveillance_days, planned
            floor /= 3
        elif kind == "recertification":
            minimum, planned_total = self.contract.recertification_days, planned
            floor *= 2 / 3
        else:
            return
        if planned_total < minimum and (not override or planned_total < floor):
            raise refuse("audit.time-minimum", planned=planned_total, minimum=minimum)

    def _check_site_time(self, kind: str, planned: float, sites: list[str]) -> None:
        """Multi-site: at least the sum of the visited sites' own times (IAF MD 1:2018 7.3).

        Their reductions already reach MD 1's 50% cap, so no override goes lower.
        """
        assert self.contract is not None and self.contract.site_days is not None
        column = {"stage2": 0, "surveillance": 1, "recertification": 2}.get(kind)
        if column is None:
            return
        minimum = sum(self.contract.site_days[s][column] for s in sites)
        if kind == "stage2":
            planned += sum(
                a.planned_days
                for a in self.audits.values()
                if a.cycle == self.cycle and a.kind == "stage1"
            )
        if planned < minimum:
            raise refuse("audit.time-minimum", planned=planned, minimum=minimum)

    def check_in(
        self,
        audit_id: str,
        auditor: str,
        lat: float,
        lon: float,
        out: bool = False,
        sites: dict[str, dict[str, Any]] | None = None,
        rec: Recording | None = None,
    ) -> None:
        """Record presence on site with time (the event's) and position: only on the audit's
        days, and marked "far-from-site" when more than CHECKIN_KM from every site the audit
        visits (``sites``: the client's, with ``lat``/``lon``). 国认监〔2021〕3号: check in at
        the opening meeting and out at the closing one; a position off the audited site is
        recorded with the anomaly, not refused."""
        audit = self._audit(audit_id)
        if auditor not in audit.members():
            raise invalid(
                "auditor",
                f"{auditor} is not on the team of {audit_id}",
                f"{auditor} 不是审核 {audit_id} 的审核组成员",
            )
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise invalid(
                "position",
                "latitude -90..90 and longitude -180..180",
                "纬度须在 -90 至 90 之间，经度须在 -180 至 180 之间",
            )
        last = audit.last_day or audit.end
        if rec is not None and not audit.start <= rec.today <= last:
            raise refuse(
                "checkin.window",
                auditor=auditor,
                direction="out" if out else "in",
                direction_zh="退" if out else "到",
                audit=audit_id,
                today=rec.today.isoformat(),
                start=audit.start.isoformat(),
                end=last.isoformat(),
            )
        site, km = _nearest(audit.sites, sites or {}, lat, lon)
        # A remote audit (FS02) is not held on the site: its position is no anomaly.
        far = km is not None and km > CHECKIN_KM and audit.method != "FS02"
        cls = ev.AuditorCheckedOut if out else ev.AuditorCheckedIn
        self.record(
            cls(
                audit_id,
                auditor,
                float(lat),
                float(lon),
                site,
                None if km is None else round(km, 3),
                "far-from-site" if far else "",
            )
        )

    def complete_audit(
        self, audit_id: str, actual_days: float, last_day: date, rec: Recording | None = None
    ) -> None:
        audit = self._audit(audit_id)
        self._effective("last_day", last_day, rec, ordered=False)
        self._require(
            audit.last_day is None,
            "completing the audit",
            "完成审核",
            "it is already completed",
            "该审核已完成",
        )
        if actual_days <= 0:
            raise invalid("actual_days", "must be positive", "须为正数")
        if last_day < audit.start:
            raise invalid(
                "last_day", "must not be before the audit's start", "不能早于审核开始日期"
            )
        self.record(ev.AuditCompleted(audit_id, actual_days, last_day.isoformat()))

    def _audit(self, audit_id: str) -> Audit:
        if audit_id not in self.audits:
            raise invalid(
                "audit_id",
                f"no audit {audit_id!r} in {self.id}",
                f"{self.id} 中没有审核 {audit_id!r}",
            )
        return self.audits[audit_id]

    def raise_finding(
        self, finding_id: str, audit_id: str, grade: str, clause: str, evidence: str, auditor: str
    ) -> None:
        audit = self._audit(audit_id)
        if finding_id in self.findings:
            raise invalid(
                "finding_id", f"{finding_id} already exists", f"不符合项 {finding_id} 已存在"
            )
        if grade not in GRADES:
            raise invalid(
                "grade", f"must be one of {', '.join(GRADES)}", f"须为 {'、'.join(GRADES)} 之一"
            )
        if auditor not in audit.members():
            raise invalid(
                "auditor",
                f"{auditor} is not on the team of {audit_id}",
                f"{auditor} 不是审核 {audit_id} 的审核组成员",
            )
        scheme = schemes.get(self.scheme_id)
        if clause not in {c.id for c in scheme.all_clauses()}:
            raise refuse("finding.clause", clause=clause, scheme=scheme.id)
        self.record(
            ev.FindingRaised(
                finding_id, audit_id, grade, clause, text_field("evidence", evidence, 4000), auditor
            )
        )

    def answer_finding(self, finding_id: str, correction: str, cause: str, action: str) -> None:
        f = self._finding(finding_id)
        self._require(
            f.grade in ("major", "minor") and f.status != "closed",
            "answering",
            "回复",
            "only open nonconformities take corrective action",
            "仅未关闭的不符合项需要纠正措施",
        )
        self.record(
            ev.CorrectiveActionSubmitted(
                finding_id,
                text_field("correction", correction, 4000),
                text_field("cause", cause, 4000),
                text_field("action", action, 4000),
            )
        )

    def close_finding(
        self, finding_id: str, verifier: str, on: date, rec: Recording | None = None
    ) -> None:
        f = self._finding(finding_id)
        self._effective("on", on, rec, ordered=False)
        self._require(
            f.status == "answered" or f.grade in ("observation", "improvement"),
            "closing the finding",
            "关闭该发现",
            "its corrective action is not in yet",
            "尚未提交纠正措施",
        )
        audit = self.audits[f.audit_id]
        if f.grade == "major" and audit.kind in ("stage1", "stage2"):
            stage2 = self._stage2_end()
            if stage2 and on > add_months(stage2, 6):
                raise refuse("nc.major-six-months", finding=finding_id, stage2=stage2.isoformat())
        self.record(
            ev.FindingClosed(finding_id, text_field("verifier", verifier, 64), on.isoformat())
        )

    def _stage2_end(self) -> date | None:
        ends = [
            a.last_day
            for a in self.audits.values()
            if a.kind == "stage2" and a.cycle == self.cycle and a.last_day
        ]
        return max(ends) if ends else None

    def _finding(self, finding_id: str) -> Finding:
        if finding_id not in self.findings:
            raise invalid(
                "finding_id",
                f"no finding {finding_id!r} in {self.id}",
                f"{self.id} 中没有不符合项 {finding_id!r}",
            )
        return self.findings[finding_id]

    def team_members(self) -> set[str]:
        return {m for a in self.audits.values() if a.cycle == self.cycle for m in a.members()}

    def programme(self) -> list[dict[str, Any]]:
        """The current cycle's programme: what is due by when, and when it was done.

        ISO/IEC 17021-1:2015 9.1.3.2 (a surveillance every calendar year but the
        recertification year), 9.6.2.2 (the first within 12 months of the
        decision) and 9.6.3.2 (recertification decided before expiry).
        """
        cert, decided = self.certificate, self.decided_on
        if (
            cert is None
            or decided is None
            or cert.status in (CertStatus.withdrawn, CertStatus.expired)
        ):
            return []
        cycle = [a for a in self.audits.values() if a.cycle == self.cycle]
        rows = []
        first_due = add_months(decided, 12)
        for year in range(decided.year + 1, cert.expiry_date.year):
            due = min(date(year, 12, 31), first_due) if not rows else date(year, 12, 31)
            done = [a.start for a in cycle if a.kind == "surveillance" and a.start.year == year]
            if year == decided.year + 1 and not done:
                done = [a.start for a in cycle if a.kind == "surveillance" and a.start <= first_due]
            rows.append(
                {
                    "item": f"surveillance-{year}",
                    "due_by": due,
                    "done_on": min(done) if done else None,
                }
            )
        recert = [a.start for a in cycle if a.kind == "recertification"]
        rows.append(
            {
                "item": "recertification",
                "due_by": cert.expiry_date,
                "done_on": min(recert) if recert else None,
            }
        )
        return rows

    def required_random_sites(self, kind: str) -> list[str]:
        """Sites the next ``kind`` audit must include, drawn at random (IAF MD 1 6.1)."""
        size = self._sample_size(kind)
        if not size:
            return []
        nth = sum(1 for a in self.audits.values() if a.cycle == self.cycle and a.kind == kind)
        others = [s for s in self.sites if s != self.central_site]
        return schemes.random_sites(others, size, self.id, self.cycle, kind, nth)

    def _sample_size(self, kind: str) -> int:
        key = {
            "stage2": "initial",
            "surveillance": "surveillance",
            "recertification": "recertification",
        }.get(kind)
        sample = self.contract.sample if self.contract else None
        return sample[key] if sample and key else 0

    def _check_sample(self, kind: str, sites: list[str]) -> list[str] | None:
        size = self._sample_size(kind)
        if not size:
            return None
        central = self.central_site
        visited = [s for s in sites if s != central]
        if len(visited) < size or (central and central not in sites):
            raise refuse(
                "md1.sample",
                kind=kind,
                size=size,
                central=f" (and the central function {central})" if central else "",
            )
        drawn = self.required_random_sites(kind)
        if not set(drawn) <= set(sites):
            raise refuse("md1.random", sites=drawn)
        return drawn

    def _on_audit_planned(self, e: ev.AuditPlanned) -> None:
        self.audits[e.audit_id] = Audit(
            e.kind,
            e.team,
            e.method,
            date.fromisoformat(e.start),
            date.fromisoformat(e.end),
            e.planned_days,
            e.sites,
            self.cycle,
        )

    def _on_checked_in(self, e: ev.AuditorCheckedIn) -> None:
        self.audits[e.audit_id].presence.append((e.auditor, "in"))

    def _on_checked_out(self, e: ev.AuditorCheckedOut) -> None:
        self.audits[e.audit_id].presence.append((e.auditor, "out"))

    def _on_audit_completed(self, e: ev.AuditCompleted) -> None:
        a = self.audits[e.audit_id]
        a.actual_days, a.last_day = e.actual_days, date.fromisoformat(e.last_day)

    def _on_finding_raised(self, e: ev.FindingRaised) -> None:
        self.findings[e.finding_id] = Finding(e.audit_id, e.grade, e.clause)

    def _on_corrective_action_submitted(self, e: ev.CorrectiveActionSubmitted) -> None:
        self.findings[e.finding_id].status = "answered"

    def _on_finding_closed(self, e: ev.FindingClosed) -> None:
        self.findings[e.finding_id].status = "closed"
