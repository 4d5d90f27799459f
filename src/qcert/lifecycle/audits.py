"""A certification's audits and tests: planning (team, time, sample), check-ins, completion
with the time actually spent, test reports, findings and the audit programme (ISO/IEC 17021-1:2015
9.1-9.4, ISO/IEC 17065:2012 7.4 and 7.9, IAF MD 1 and MD 5).

Which audits and tests there are is the scheme's: its ``stages``, each with the phase of the
cycle it belongs to (initial, surveillance, recertification, special). The code below knows
phases, never a scheme's stage names.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import replace
from datetime import date
from typing import Any

from .. import schemes
from ..locale.names import choices
from ..schemes.model import Scheme, Stage
from . import events as ev
from .aggregate import Recording, add_months, invalid, text_field
from .booking import Commitment, check_free
from .cycle import GRADES, RESULTS, ROLES, Audit, CertStatus, Finding, SampleTest
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


def _metres(value: float | None) -> float | int | None:
    """A position's accuracy to the decimetre, as canonical JSON gives it back."""
    if value is None:
        return None
    rounded = round(float(value), 1)
    return int(rounded) if rounded.is_integer() else rounded


def _json_number(km: float | None) -> float | int | None:
    """``km`` to the metre, as canonical JSON gives it back (a whole number as an int), so
    the event folded now is the event a replay folds."""
    if km is None:
        return None
    metres = round(km, 3)
    return int(metres) if metres.is_integer() else metres


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


# The contract review's figures (its IAF MD 1 sample, a site's time) by phase of the cycle.
_SITE_COLUMN = {"initial": 0, "surveillance": 1, "recertification": 2}
_WHAT = {"audit": ("an audit stage", "审核阶段"), "test": ("a test stage", "试验阶段")}
# Even an override may not reduce past the MD 5 (30%) and MD 11 (20%) caps together; surveillance
# and recertification take their third and two thirds of it.
_CAPPED = 0.7 * 0.8
_FRACTION = {"initial": 1.0, "surveillance": 1 / 3, "recertification": 2 / 3}


class AuditWork:
    """A certification's audits and tests: planning (team, time, sample), check-ins, completion
    with the time actually spent, test reports, findings and the audit programme
    (ISO/IEC 17021-1:2015 9.1-9.4, ISO/IEC 17065:2012 7.4, 7.9, IAF MD 1 and MD 5)."""

    def scheme(self) -> Scheme:
        return schemes.get(self.scheme_id)

    def phase_of(self, kind: str) -> str | None:
        """The phase of the scheme's stage ``kind``; None for a kind the scheme does not have
        (an audit recorded under an earlier version of its file)."""
        try:
            return self.scheme().stage(kind).phase
        except KeyError:
            return None

    def _declared(self, value: str, activity: str, field_: str) -> Stage:
        """The scheme's stage ``value`` of ``activity`` (audit or test), or the refusal."""
        scheme = self.scheme()
        allowed = [s.id for s in scheme.stages if s.activity == activity]
        if value not in allowed:
            what, what_zh = _WHAT[activity]
            raise refuse(
                "stage.declared",
                field=field_,
                value=value,
                what=what,
                what_zh=what_zh,
                scheme=scheme.id,
                allowed=", ".join(allowed) or "none",
                allowed_zh="、".join(scheme.stage(a).title.zh for a in allowed) or "无",
            )
        return scheme.stage(value)

    def _cycle_audits(self, phase: str | None = None) -> list[Audit]:
        return [
            a
            for a in self.audits.values()
            if a.cycle == self.cycle and (phase is None or self.phase_of(a.kind) == phase)
        ]

    def _needs_certificate(self, stage: Stage, action: str, action_zh: str) -> None:
        if stage.phase in ("surveillance", "recertification") and self.certificate is None:
            raise refuse(
                "state.order",
                action=action,
                action_zh=action_zh,
                why="no certificate yet",
                why_zh="尚未发证",
            )

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
        commitments: Iterable[Commitment] = (),
    ) -> None:
        """Plan an audit: team competence and availability (``commitments``: the team's other
        audits, see lifecycle.booking), method, timing and audit time rules."""
        self._require(
            self.contract is not None,
            "planning an audit",
            "策划审核",
            "the contract review comes first",
            "须先完成合同评审",
        )
        if audit_id in self.audits:
            raise invalid("audit_id", f"{audit_id} is already planned", f"审核 {audit_id} 已策划")
        stage = self._declared(kind, "audit", "kind")
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
        check_free(team, start, end, commitments, self.id, self.client_id)
        self._needs_certificate(stage, f"a {kind} audit", "策划该审核")
        if stage.phase == "surveillance":
            self._check_surveillance_timing(start)
        if stage.on_site and method == "FS02":
            # A remote-only audit spends none of its days on site.
            self._check_on_site(stage, "method", planned_days, 0.0)
        if override and not (
            override.get("reason", "").strip() and override.get("approved_by", "").strip()
        ):
            raise refuse("override.reason")
        found = self._time_required(stage, planned_days, sites)
        if found is not None:
            total, minimum, floor, _, _ = found
            if total < minimum and (not override or total < floor):
                raise refuse("audit.time-minimum", planned=total, minimum=minimum)
        drawn = self._check_sample(stage, sites)
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
                    f"须为 {choices(ROLES)} 之一",
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
        cycle_audits = self._cycle_audits()
        if not any(self.phase_of(a.kind) == "surveillance" for a in cycle_audits):
            limit = add_months(self.decided_on, 12)
            if start > limit:
                raise refuse("surveillance.first-12-months", limit=limit.isoformat())
        covered = {
            a.start.year
            for a in cycle_audits
            if self.phase_of(a.kind) in ("surveillance", "recertification")
        }
        for year in range(self.decided_on.year + 1, start.year):
            if year not in covered:
                raise refuse("surveillance.calendar-year", year=year)

    def _closing_stage(self) -> str:
        """The initial audit stage declared last: the one the initial audit time, the IAF MD 1
        sample and the six months for a major nonconformity are counted at (stage 2)."""
        return self.scheme().stages_in("initial", "audit")[-1].id

    @staticmethod
    def _days_spent(a: Audit) -> float:
        return a.actual_days if a.actual_days is not None else a.planned_days

    def _time_required(
        self, stage: Stage, days: float, sites: list[str], audit_id: str | None = None
    ) -> tuple[float, float, float, str, str] | None:
        """(days counted, minimum, floor with an override, what, what in zh) an audit of
        ``stage`` with ``days`` is held to; None when nothing sets it a minimum.

        Fixed-time schemes give a stage its own days. Otherwise the contract review's time: the
        initial stages' audits together meet the initial time (counted at the closing stage, or
        at any initial stage once it is planned; an audit done counts its actual days), each
        surveillance and recertification its own; a multi-site client's audit the sum of the
        visited sites' times (IAF MD 1:2018 7.3, whose 50% cap no override goes past).
        """
        assert self.contract is not None
        rule, phase = self.scheme().audit_time, stage.phase
        if rule.method == "fixed" and phase != "recertification":
            fixed = rule.days.get(stage.id)
            return None if fixed is None else (days, fixed, fixed, "", "")
        what = what_zh = ""
        if phase == "initial":
            closing = self._closing_stage()
            others = [
                a
                for aid, a in self.audits.items()
                if aid != audit_id and a.cycle == self.cycle and self.phase_of(a.kind) == "initial"
            ]
            if stage.id != closing and not any(a.kind == closing for a in others):
                return None
            days += sum(self._days_spent(a) for a in others)
            names = " + ".join(s.id for s in self.scheme().stages_in("initial", "audit"))
            what, what_zh = f" for the initial audit ({names})", f"（初次审核 {names} 合计）"
        column = _SITE_COLUMN.get(phase)
        if column is None:
            return None
        if self.contract.site_days and rule.method != "fixed":
            minimum = sum(self.contract.site_days[s][column] for s in sites)
            return days, minimum, minimum, what, what_zh
        minimum = (
            self.contract.initial_days,
            self.contract.surveillance_days,
            self.contract.recertification_days,
        )[column]
        floor = self.contract.table_days * _CAPPED * _FRACTION[phase]
        if rule.method == "fixed":
            floor = minimum
        return days, minimum, floor, what, what_zh

    def _check_on_site(self, stage: Stage, field_: str, days: float, on_site: float) -> None:
        """An audit of a stage held on site spends at least the scheme's share of its days on
        site (IAF MD 5:2019 4.1 for management systems; the scheme file says its source)."""
        rule = self.scheme().audit_time
        if stage.on_site and on_site < rule.on_site_share * days - 1e-9:
            raise refuse(
                "audit.on-site",
                cite=rule.on_site_source,
                field=field_,
                stage=stage.id,
                stage_zh=stage.title.zh,
                share=f"{rule.on_site_share:.0%}",
                days=f"{days:g}",
                on_site=f"{on_site:g}",
            )

    def check_in(
        self,
        audit_id: str,
        auditor: str,
        lat: float,
        lon: float,
        out: bool = False,
        sites: dict[str, dict[str, Any]] | None = None,
        rec: Recording | None = None,
        *,
        accuracy_m: float | None = None,
        photo: tuple[str, str] | None = None,
    ) -> None:
        """Record presence on site with time (the event's) and position: only on the audit's
        days, and marked "far-from-site" when more than CHECKIN_KM from every site the audit
        visits (``sites``: the client's, with ``lat``/``lon``). 国认监〔2021〕3号: check in at
        the opening meeting and out at the closing one; a position off the audited site is
        recorded with the anomaly, not refused. ``accuracy_m`` is the device's stated accuracy
        (metres) and ``photo`` the (SHA-256, SM3) of the photo taken there, if any."""
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
                _json_number(km),
                "far-from-site" if far else "",
                _metres(accuracy_m),
                photo[0] if photo else None,
                photo[1] if photo else None,
            )
        )

    def complete_audit(
        self,
        audit_id: str,
        actual_days: float,
        last_day: date,
        on_site_days: float | None = None,
        rec: Recording | None = None,
    ) -> None:
        """Record an audit's end and the time actually spent, held to the same minimum as its
        plan (IAF MD 5:2019 3.9: a reduction only as the contract review or a documented
        override allows) and, for a stage held on site, the scheme's on-site share.

        ``on_site_days`` defaults to every day for an on-site audit (FS01) and none for a
        remote one (FS02); a combined audit (FS03) gives it.
        """
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
        on_site = self._on_site_days(audit.method, actual_days, on_site_days)
        try:
            stage = self.scheme().stage(audit.kind)
        except KeyError:
            stage = None
        if stage is not None:
            found = self._time_required(stage, actual_days, audit.sites, audit_id)
            if found is not None:
                total, minimum, floor, what, what_zh = found
                if total < minimum and (not audit.override or total < floor):
                    raise refuse(
                        "audit.actual-time",
                        actual=total,
                        minimum=minimum,
                        what=what,
                        what_zh=what_zh,
                    )
            self._check_on_site(stage, "on_site_days", actual_days, on_site)
        self.record(
            ev.AuditCompleted(audit_id, actual_days, last_day.isoformat(), on_site_days=on_site)
        )

    @staticmethod
    def _on_site_days(method: str, actual: float, given: float | None) -> float:
        if given is None:
            if method == "FS03":
                raise invalid(
                    "on_site_days",
                    "a combined on-site and remote audit (FS03) gives its days on site",
                    "现场与远程结合审核（FS03）须给出现场人日",
                )
            return actual if method == "FS01" else 0.0
        if not 0 <= given <= actual:
            raise invalid(
                "on_site_days", "must be between 0 and actual_days", "须在 0 与实际人日之间"
            )
        if method == "FS02" and given:
            raise invalid(
                "on_site_days",
                "a remote audit (FS02) has no days on site",
                "远程审核（FS02）没有现场人日",
            )
        return given

    def record_test(
        self,
        test_id: str,
        stage: str,
        laboratory: str,
        report_no: str,
        result: str,
        on: date,
        note: str = "",
        rec: Recording | None = None,
    ) -> None:
        """Record the report of a test one of the scheme's test stages asks for (a type test
        before the first decision, a sampling test in surveillance: ISO/IEC 17065:2012 7.4,
        7.9), with its conclusion; the report's date ``on`` is not after today."""
        self._effective("on", on, rec, ordered=False)
        self._require(
            self.contract is not None,
            "recording a test",
            "记录试验",
            "the contract review comes first",
            "须先完成合同评审",
        )
        if test_id in self.tests:
            raise invalid("test_id", f"{test_id} is already recorded", f"试验 {test_id} 已记录")
        declared = self._declared(stage, "test", "stage")
        self._needs_certificate(declared, f"a {stage} test", "记录该试验")
        if result not in RESULTS:
            raise invalid("result", "must be pass or fail", f"须为 {choices(RESULTS)} 之一")
        self.record(
            ev.TestRecorded(
                test_id,
                stage,
                text_field("laboratory", laboratory, 200),
                text_field("report_no", report_no, 64),
                result,
                on.isoformat(),
                note.strip() and text_field("note", note),
            )
        )

    def stage_done(self, stage: str) -> bool:
        """Whether this cycle has a completed audit, or a recorded test, of ``stage``."""
        return any(a.kind == stage and a.last_day for a in self._cycle_audits()) or bool(
            self.tests_of(stage)
        )

    def tests_of(self, stage: str) -> list[SampleTest]:
        """The current cycle's tests of ``stage``, in the order recorded."""
        return [t for t in self.tests.values() if t.cycle == self.cycle and t.stage == stage]

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
                "grade", f"must be one of {', '.join(GRADES)}", f"须为 {choices(GRADES)} 之一"
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
        # ISO/IEC 17021-1:2015 9.5.3.2, for the schemes certified under it.
        under_17021 = self.scheme().accreditation == "ISO/IEC 17021-1"
        if f.grade == "major" and under_17021 and self.phase_of(audit.kind) == "initial":
            stage2 = self._stage2_end()
            if stage2 and on > add_months(stage2, 6):
                raise refuse("nc.major-six-months", finding=finding_id, stage2=stage2.isoformat())
        self.record(
            ev.FindingClosed(finding_id, text_field("verifier", verifier, 64), on.isoformat())
        )

    def _stage2_end(self) -> date | None:
        """The last day of the closing initial audit stage (stage 2) in this cycle."""
        closing = self._closing_stage()
        ends = [a.last_day for a in self._cycle_audits() if a.kind == closing and a.last_day]
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
        surveillance = self._cycle_audits("surveillance")
        rows = []
        first_due = add_months(decided, 12)
        for year in range(decided.year + 1, cert.expiry_date.year):
            due = min(date(year, 12, 31), first_due) if not rows else date(year, 12, 31)
            done = [a.start for a in surveillance if a.start.year == year]
            if year == decided.year + 1 and not done:
                done = [a.start for a in surveillance if a.start <= first_due]
            rows.append(
                {
                    "item": f"surveillance-{year}",
                    "due_by": due,
                    "done_on": min(done) if done else None,
                }
            )
        recert = [a.start for a in self._cycle_audits("recertification")]
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
        nth = sum(1 for a in self._cycle_audits() if a.kind == kind)
        others = [s for s in self.sites if s != self.central_site]
        return schemes.random_sites(others, size, self.id, self.cycle, kind, nth)

    def _sample_size(self, kind: str) -> int:
        """The IAF MD 1 sample of an audit of stage ``kind``: the initial one at the closing
        initial stage, the surveillance and recertification ones at theirs."""
        phase = self.phase_of(kind)
        if phase == "initial" and kind != self._closing_stage():
            return 0
        sample = self.contract.sample if self.contract else None
        return sample[phase] if sample and phase in _SITE_COLUMN else 0

    def _check_sample(self, stage: Stage, sites: list[str]) -> list[str] | None:
        kind = stage.id
        size = self._sample_size(kind)
        if not size:
            return None
        central = self.central_site
        visited = [s for s in sites if s != central]
        if len(visited) < size or (central and central not in sites):
            raise refuse(
                "md1.sample",
                kind=kind,
                kind_zh=stage.title.zh,
                size=size,
                central=f" (and the central function {central})" if central else "",
                central_zh=f"（并须包括中心职能 {central}）" if central else "",
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
            override=e.override,
        )

    def _on_checked_in(self, e: ev.AuditorCheckedIn) -> None:
        self.audits[e.audit_id].presence.append((e.auditor, "in"))

    def _on_checked_out(self, e: ev.AuditorCheckedOut) -> None:
        self.audits[e.audit_id].presence.append((e.auditor, "out"))

    def _on_audit_completed(self, e: ev.AuditCompleted) -> None:
        a = self.audits[e.audit_id]
        a.actual_days, a.last_day = e.actual_days, date.fromisoformat(e.last_day)
        a.on_site_days = e.on_site_days

    def _on_test_recorded(self, e: ev.TestRecorded) -> None:
        self.tests[e.test_id] = SampleTest(
            e.stage, e.result, date.fromisoformat(e.on), self.cycle, e.laboratory, e.report_no
        )

    def _on_finding_raised(self, e: ev.FindingRaised) -> None:
        self.findings[e.finding_id] = Finding(e.audit_id, e.grade, e.clause)

    def _on_corrective_action_submitted(self, e: ev.CorrectiveActionSubmitted) -> None:
        self.findings[e.finding_id] = replace(self.findings[e.finding_id], status="answered")

    def _on_finding_closed(self, e: ev.FindingClosed) -> None:
        self.findings[e.finding_id] = replace(self.findings[e.finding_id], status="closed")
