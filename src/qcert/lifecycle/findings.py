"""Audit findings: raised by a member of the team against a clause of the scheme, answered
with a corrective action, verified and closed (ISO/IEC 17021-1:2015 9.4.9, 9.5.3.2).

A mixin of the certification (see :class:`qcert.lifecycle.audits.AuditWork`).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from .. import schemes
from . import events as ev
from .aggregate import Recording, add_months, invalid, text_field
from .cycle import GRADES, Finding
from .rules import refuse

__all__ = ["FindingWork"]


class FindingWork:
    """Nonconformities and other findings, from raised to closed."""

    def raise_finding(
        self, finding_id: str, audit_id: str, grade: str, clause: str, evidence: str, auditor: str
    ) -> None:
        """Raise a finding of ``grade`` against a clause of the scheme, by a member of the
        audit's team, with its objective evidence."""
        audit = self._audit(audit_id)
        if finding_id in self.findings:
            raise invalid("finding_id", "finding.exists", finding_id=finding_id)
        if grade not in GRADES:
            raise invalid("grade", "choice.one_of", choices=GRADES)
        if auditor not in audit.members():
            raise invalid("auditor", "auditor.not_on_team", auditor=auditor, audit_id=audit_id)
        scheme = schemes.get(self.scheme_id)
        if clause not in {c.id for c in scheme.all_clauses()}:
            raise refuse("finding.clause", clause=clause, scheme=scheme.id)
        self.record(
            ev.FindingRaised(
                finding_id, audit_id, grade, clause, text_field("evidence", evidence, 4000), auditor
            )
        )

    def answer_finding(self, finding_id: str, correction: str, cause: str, action: str) -> None:
        """Submit an open nonconformity's correction, root cause and corrective action."""
        f = self._finding(finding_id)
        self._require(
            f.grade in ("major", "minor") and f.status != "closed",
            "action.answer_finding",
            "why.finding_not_open",
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
        """Close a finding verified on ``on``: a nonconformity once answered, and a major one
        of an initial audit within six months of stage 2 (ISO/IEC 17021-1:2015 9.5.3.2)."""
        f = self._finding(finding_id)
        self._effective("on", on, rec, ordered=False)
        self._require(
            f.status == "answered" or f.grade in ("observation", "improvement"),
            "action.close_finding",
            "why.no_corrective_action",
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
                "finding_id", "finding.unknown", finding_id=finding_id, certification=self.id
            )
        return self.findings[finding_id]

    def _on_finding_raised(self, e: ev.FindingRaised) -> None:
        self.findings[e.finding_id] = Finding(e.audit_id, e.grade, e.clause)

    def _on_corrective_action_submitted(self, e: ev.CorrectiveActionSubmitted) -> None:
        self.findings[e.finding_id] = replace(self.findings[e.finding_id], status="answered")

    def _on_finding_closed(self, e: ev.FindingClosed) -> None:
        self.findings[e.finding_id] = replace(self.findings[e.finding_id], status="closed")
