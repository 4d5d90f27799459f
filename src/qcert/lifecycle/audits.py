"""A certification's audits and tests: planning (team, time, sample), check-ins, completion
with the time actually spent, test reports, findings and the audit programme (ISO/IEC 17021-1:2015
9.1-9.4, ISO/IEC 17065:2012 7.4 and 7.9, IAF MD 1 and MD 5).

Which audits and tests there are is the scheme's: its ``stages``, each with the phase of the
cycle it belongs to (initial, surveillance, recertification, special). The code below knows
phases, never a scheme's stage names.

This module plans and completes audits; each rule they are held to that changes for its own
reasons has a module of its own, mixed into :class:`AuditWork`: the audit time
(:mod:`.audit_time`), the multi-site sample (:mod:`.sampling`), the programme
(:mod:`.programme`), check-ins (:mod:`.checkins`), findings (:mod:`.findings`) and test
reports (:mod:`.sample_tests`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import date

from .. import schemes
from ..locale.problems import problem
from ..schemes.model import Scheme, Stage
from . import events as ev
from .aggregate import Recording, invalid, out_of_order
from .audit_time import AuditTime
from .booking import Commitment, check_free
from .checkins import CHECKIN_KM, CheckIns
from .cycle import ROLES, Audit
from .findings import FindingWork
from .parties import Auditor, Body
from .programme import Programme
from .rules import refuse
from .sample_tests import SampleTests
from .sampling import Sampling

__all__ = ["CHECKIN_KM", "AuditWork"]

# What kind of stage a declared stage should have been: a key of the catalogs.
_WHAT = {"audit": "stage.of_audit", "test": "stage.of_test"}


class AuditWork(AuditTime, Sampling, Programme, CheckIns, FindingWork, SampleTests):
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
            what, what_zh = problem(_WHAT[activity])
            none, none_zh = problem("stage.none")
            raise refuse(
                "stage.declared",
                field=field_,
                value=value,
                what=what,
                what_zh=what_zh,
                scheme=scheme.id,
                allowed=", ".join(allowed) or none,
                allowed_zh="、".join(scheme.stage(a).title.zh for a in allowed) or none_zh,
            )
        return scheme.stage(value)

    def _cycle_audits(self, phase: str | None = None) -> list[Audit]:
        return [
            a
            for a in self.audits.values()
            if a.cycle == self.cycle and (phase is None or self.phase_of(a.kind) == phase)
        ]

    def _after_contract_review(self, action: str) -> None:
        """Refuse ``action`` before the contract review (ISO/IEC 17021-1:2015 9.1.2)."""
        self._require(self.contract is not None, action, "why.contract_review_first")

    def _needs_certificate(self, stage: Stage, action: str, /, **fields: object) -> None:
        if stage.phase in ("surveillance", "recertification") and self.certificate is None:
            raise out_of_order(action, "why.no_certificate_yet", **fields)

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
        self._after_contract_review("action.plan_audit")
        if audit_id in self.audits:
            raise invalid("audit_id", "audit.planned", audit_id=audit_id)
        stage = self._declared(kind, "audit", "kind")
        if method not in schemes.audit_methods():
            raise refuse("audit.method", method=method)
        if end < start:
            raise invalid("end", "date.before_start")
        if planned_days <= 0 or planned_days * 2 != math.floor(planned_days * 2):
            raise invalid("planned_days", "days.half_days")
        if not sites or any(s not in self.sites for s in sites):
            raise invalid("sites", "sites.not_of_certification")
        self._check_team(team, auditors, body)
        check_free(team, start, end, commitments, self.id, self.client_id)
        self._needs_certificate(stage, "action.plan_stage_audit", kind=kind, kind_zh=stage.title.zh)
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
                raise invalid(f"team.{i}.role", "choice.one_of", choices=ROLES)
            who = m.get("auditor", "")
            a = auditors.get(who)
            if a is None:
                raise invalid(f"team.{i}.auditor", "auditor.unknown", auditor=who)
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
        self._require(audit.last_day is None, "action.complete_audit", "why.audit_completed")
        if actual_days <= 0:
            raise invalid("actual_days", "number.positive")
        if last_day < audit.start:
            raise invalid("last_day", "date.before_audit_start")
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

    def stage_done(self, stage: str) -> bool:
        """Whether this cycle has a completed audit, or a recorded test, of ``stage``."""
        return any(a.kind == stage and a.last_day for a in self._cycle_audits()) or bool(
            self.tests_of(stage)
        )

    def _audit(self, audit_id: str) -> Audit:
        if audit_id not in self.audits:
            raise invalid("audit_id", "audit.unknown", audit_id=audit_id, certification=self.id)
        return self.audits[audit_id]

    def team_members(self) -> set[str]:
        """Everyone on a team of an audit of the current cycle."""
        return {m for a in self.audits.values() if a.cycle == self.cycle for m in a.members()}

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

    def _on_audit_completed(self, e: ev.AuditCompleted) -> None:
        a = self.audits[e.audit_id]
        a.actual_days, a.last_day = e.actual_days, date.fromisoformat(e.last_day)
        a.on_site_days = e.on_site_days
