"""A certification's technical review and decision (ISO/IEC 17021-1:2015 9.5, ISO/IEC 17065:2012
7.5-7.6): the engine's own checks, then the scheme file's decision rules."""

from __future__ import annotations

from datetime import date, timedelta

from .. import schemes
from ..locale.problems import problem
from . import events as ev
from .aggregate import Recording, add_months, invalid, text_field
from .cycle import Certificate, CertStatus
from .decision_rules import check_decision_rules
from .parties import Body
from .rules import refuse

__all__ = ["DecisionWork"]


class DecisionWork:
    """A certification's technical review and decision (ISO/IEC 17021-1:2015 9.5, ISO/IEC 17065:2012
    7.5-7.6): the engine's own checks, then the scheme file's decision rules."""

    def involved(self) -> set[str]:
        """Everyone who audited, reviewed or decided in any cycle."""
        audited = {m for a in self.audits.values() for m in a.members()}
        return audited | self.reviewers | self.deciders

    def technical_review(self, reviewer: str, recommendation: str) -> None:
        self._require(
            any(a.last_day for a in self.audits.values() if a.cycle == self.cycle),
            "action.technical_review",
            "why.no_audit_completed",
        )
        if reviewer in self.team_members():
            raise refuse("review.independence", person=reviewer)
        if recommendation not in ("grant", "refuse", "renew"):
            raise invalid("recommendation", "choice.one_of", choices=("grant", "refuse", "renew"))
        self.record(ev.TechnicalReviewed(reviewer, recommendation))

    def decide(
        self,
        decider: str,
        outcome: str,
        on: date,
        body: Body,
        number: str = "",
        scope: str = "",
        site_scopes: dict[str, str] | None = None,
        rec: Recording | None = None,
    ) -> None:
        """Grant, renew (restore) or refuse certification (ISO/IEC 17021-1 9.5), on ``on``:
        not after today, nor before the certification's latest dated record.

        ``site_scopes`` gives a site its own scope where it differs from ``scope``.
        """
        if outcome not in ("grant", "renew", "refuse"):
            raise invalid("outcome", "choice.one_of", choices=("grant", "renew", "refuse"))
        for site, text in (site_scopes or {}).items():
            if site not in self.sites:
                raise invalid(f"site_scopes.{site}", "sites.not_a_site")
            text_field(f"site_scopes.{site}", text, 2000)
        self._require(self.reviewer is not None, "action.decision", "why.technical_review_first")
        if decider in self.team_members() or decider == self.reviewer:
            raise refuse("decision.independence", person=decider)
        open_majors = sorted(
            fid
            for fid, f in self.findings.items()
            if f.grade == "major"
            and f.status != "closed"
            and self.audits[f.audit_id].cycle == self.cycle
        )
        if outcome != "refuse" and open_majors:
            raise refuse("decision.majors-open", findings=open_majors)
        if outcome != "refuse":
            body.require_scope(self.scheme_id, self.sectors, on)
        if outcome == "renew":
            cert = self.certificate
            self._require(
                cert is not None and cert.status != CertStatus.withdrawn,
                "action.renewal",
                "why.no_live_certificate",
            )
            assert cert is not None
            if on > cert.expiry_date and on > add_months(cert.expiry_date, 6):
                raise refuse(
                    "recertification.before-expiry",
                    expiry=cert.expiry_date.isoformat(),
                    limit=add_months(cert.expiry_date, 6).isoformat(),
                )
        if outcome == "grant":
            self._require(self.certificate is None, "action.grant", "why.certificate_exists")
        self._check_decision_date(on)
        self._effective("on", on, rec)
        if outcome != "refuse":
            check_decision_rules(self, outcome, decider)
        self.record(
            ev.CertificationDecided(text_field("decider", decider, 64), outcome, on.isoformat())
        )
        if outcome == "refuse":
            return
        years = schemes.get(self.scheme_id).validity_years
        if outcome == "grant":
            issue = original = on
            expiry = add_months(on, 12 * years) - timedelta(days=1)
            cert_no = text_field("number", number, 64)
            scope_text = text_field("scope", scope, 2000)
            per_site = site_scopes or None
        else:
            assert self.certificate is not None
            cert = self.certificate
            issue, original, cert_no, scope_text = (
                on,
                cert.original_issue_date,
                cert.number,
                cert.scope,
            )
            per_site = site_scopes or cert.site_scopes
            # ISO/IEC 17021-1 9.6.3.2.3: the new cycle runs from the old expiry date.
            base = cert.expiry_date if on <= cert.expiry_date else on
            expiry = add_months(base, 12 * years)
        self.record(
            ev.CertificateIssued(
                cert_no,
                scope_text,
                list(self.sites),
                issue.isoformat(),
                original.isoformat(),
                expiry.isoformat(),
                dict(per_site) if per_site else None,
            )
        )

    def _check_decision_date(self, on: date) -> None:
        """A decision rests on the cycle's audits and tests: it is not dated before the last of
        them ended (ISO/IEC 17021-1:2015 9.5.2; ISO/IEC 17065:2012 7.5, 7.6)."""
        ends = [
            (a.last_day, "audit", aid)
            for aid, a in self.audits.items()
            if a.cycle == self.cycle and a.last_day
        ]
        ends += [(t.on, "test", tid) for tid, t in self.tests.items() if t.cycle == self.cycle]
        if not ends:
            return
        last, kind, name = max(ends)
        if on < last:
            ended = problem("ended.audit", name=name) if kind == "audit" else None
            what, what_zh = ended or problem("ended.test", name=name)
            raise refuse(
                "decision.date",
                on=on.isoformat(),
                what=what,
                what_zh=what_zh,
                last=last.isoformat(),
            )

    def _on_technical_reviewed(self, e: ev.TechnicalReviewed) -> None:
        self.reviewer = e.reviewer
        self.reviewers.add(e.reviewer)

    def _on_decided(self, e: ev.CertificationDecided) -> None:
        self.deciders.add(e.decider)
        if e.outcome != "refuse":
            self.decided_on = date.fromisoformat(e.on)
            self.reviewer = None
            self.cycle += 1

    def _on_issued(self, e: ev.CertificateIssued) -> None:
        self.certificate = Certificate(
            e.number,
            CertStatus.active,
            e.scope,
            e.sites,
            date.fromisoformat(e.issue_date),
            date.fromisoformat(e.original_issue_date),
            date.fromisoformat(e.expiry_date),
            site_scopes=e.site_scopes,
        )
