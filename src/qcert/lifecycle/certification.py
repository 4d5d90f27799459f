"""A client's certification to one scheme at one body: the application, contract review and the
state the audits, decision and certificate build on."""

from __future__ import annotations

from datetime import date

from .. import schemes
from . import events as ev
from .aggregate import Aggregate, invalid, out_of_order, text_field
from .audits import AuditWork
from .certificate_status import CertificateStatus
from .cycle import Audit, Certificate, CertStatus, Finding, SampleTest
from .dates import EffectiveDates
from .decision import DecisionWork
from .parties import Body, Client, check_sectors
from .rules import refuse

__all__ = ["Certification"]


class Certification(AuditWork, DecisionWork, CertificateStatus, EffectiveDates, Aggregate):
    """One client's certification to one scheme at one body, across its cycles.

    Holds the application, contract review, audits, findings, reviews,
    decisions and the certificate with its status history.
    """

    kind = "certification"

    def __init__(self, id: str) -> None:
        super().__init__(id)
        self.body_id = self.client_id = self.scheme_id = ""
        self.sectors: list[int] = []
        self.sites: list[str] = []
        self.personnel = 0
        self.complexity: str | None = None
        self.central_site: str | None = None
        self.contract: ev.ContractReviewed | None = None
        self.audits: dict[str, Audit] = {}
        self.tests: dict[str, SampleTest] = {}
        self.findings: dict[str, Finding] = {}
        self.reviewer: str | None = None
        self.reviewers: set[str] = set()
        self.deciders: set[str] = set()
        self.cycle = 0
        self.decided_on: date | None = None
        self.certificate: Certificate | None = None
        self.credentials: list[ev.CredentialIssued] = []
        self.status_entry: tuple[int, int] | None = None  # (list_no, index)
        self.transferred_from: str | None = None  # the certification taken over, if any
        self.dated: tuple[date, str] | None = None  # the latest effective date, and of what
        self.late_approvals: dict[tuple[str, str], str] = {}  # (action, day) -> approver

    @classmethod
    def apply_for(
        cls,
        certification_id: str,
        body: Body,
        client: Client,
        scheme_id: str,
        sectors: list[int],
        sites: list[str],
        complexity: str | None = None,
        personnel: int | None = None,
        *,
        on: date,
        held: list[Certification] | None = None,
    ) -> Certification:
        """A client's application (ISO/IEC 17021-1 9.1.1, ISO/IEC 17065 7.2), received ``on``.

        The body must be approved for the scheme and sectors that day (its application review
        could not otherwise find it able to certify: ISO/IEC 17021-1:2015 9.1.2.2 c),
        ISO/IEC 17065:2012 7.3.1 e)); ``held`` are the client's certifications at this body for
        this scheme, none of which may hold a live certificate.
        """
        scheme = schemes.get(scheme_id)
        check_sectors(sectors)
        unknown = [s for s in sites if s not in client.sites]
        if unknown:
            raise invalid("sites", "sites.unknown", sites=str(unknown))
        if not sites:
            raise invalid("sites", "sites.none")
        staff = client.personnel if personnel is None else personnel
        if staff < 1:
            raise invalid("personnel", "number.at_least_one")
        # The contract review will need the audit time: refuse now what it could never compute
        # (a complexity the scheme's table does not have, say), not after the application.
        schemes.scheme_audit_time(scheme, staff, complexity)
        body.require_scope(scheme.id, sectors, on)
        for other in held or []:
            _not_held(other, body, client, scheme.id)
        c = cls(text_field("certification_id", certification_id, 64))
        c.record(
            ev.ApplicationSubmitted(
                c.id,
                body.id,
                client.id,
                scheme.id,
                sorted(set(sectors)),
                list(sites),
                staff,
                complexity,
                next((s for s in sites if client.sites[s].get("central")), None),
                on.isoformat(),
            )
        )
        return c

    def review_contract(
        self,
        reviewer: str,
        body: Body,
        on: date,
        reduction_pct: float = 0.0,
        integrated_pct: float = 0.0,
        site_reduction_pct: float = 0.0,
        site_personnel: dict[str, int] | None = None,
    ) -> None:
        """Determine audit time and multi-site sample (ISO/IEC 17021-1 9.1.2, 9.1.4).

        For a multi-site organisation whose sites all give their personnel, each
        site also gets its own time (IAF MD 1:2018 7.3), reduced by at most 50%.
        The body must still be approved for the scheme and sectors ``on`` the review's day.
        """
        # A certification taken over by transfer gets its audit time set by the accepting
        # body, which plans the rest of the programme (IAF MD 2:2017 2.4).
        taken_over = self.transferred_from is not None and self.contract is None
        self._require(
            self.client_id != "" and (taken_over or (self.decided_on is None and not self.audits)),
            "action.contract_review",
            "why.before_first_audit",
        )
        body.require_scope(self.scheme_id, self.sectors, on)
        time = schemes.scheme_audit_time(
            schemes.get(self.scheme_id),
            self.personnel,
            self.complexity,
            reduction_pct,
            integrated_pct,
        )
        sample, site_days = None, None
        remote = len(self.sites) - 1
        scheme = schemes.get(self.scheme_id)
        staffed = site_personnel or {}
        if (
            remote >= 1
            and scheme.audit_time.method != "fixed"
            and all(staffed.get(s) for s in self.sites)
        ):
            site_days = {}
            for s in self.sites:
                t = schemes.scheme_audit_time(
                    scheme,
                    staffed[s],
                    self.complexity,
                    site_reduction_pct,
                    integrated_pct,
                    per_site=True,
                )
                site_days[s] = [t.initial_days, t.surveillance_days, t.recertification_days]
        if remote >= 1:
            s = schemes.sample_sizes(remote)
            sample = {
                "initial": s.initial,
                "surveillance": s.surveillance,
                "recertification": s.recertification,
            }
        self.record(
            ev.ContractReviewed(
                text_field("reviewer", reviewer, 64),
                time.initial_days,
                time.surveillance_days,
                time.recertification_days,
                time.reduction_pct,
                [f"{r.en} [{r.rule}]" for r in time.reasons],
                sample,
                time.table_days,
                site_days,
            )
        )

    def _require(self, ok: bool, action: str, why: str, /, **fields: object) -> None:
        """Refuse ``action`` because of ``why`` (keys of the catalogs) unless ``ok``."""
        if not ok:
            raise out_of_order(action, why, **fields)

    def _apply(self, event: ev.Event) -> None:
        super()._apply(event)
        self._note_dated(event)

    def _on_applied(self, e: ev.ApplicationSubmitted) -> None:
        self.body_id, self.client_id, self.scheme_id = e.body_id, e.client_id, e.scheme_id
        self.sectors, self.sites, self.personnel, self.complexity = (
            e.sectors,
            e.sites,
            e.personnel,
            e.complexity,
        )
        self.central_site = e.central_site

    def _on_contract_reviewed(self, e: ev.ContractReviewed) -> None:
        self.contract = e


# The statuses of a certificate still held: another application for it is refused.
_HELD = (CertStatus.active, CertStatus.suspended)


def _not_held(other: Certification, body: Body, client: Client, scheme_id: str) -> None:
    """Refuse a second application while ``other`` holds a live certificate for the same
    scheme at the same body: that one is renewed or its scope extended instead."""
    cert = other.certificate
    if (
        cert is None
        or cert.status not in _HELD
        or (other.body_id, other.client_id, other.scheme_id) != (body.id, client.id, scheme_id)
    ):
        return
    raise refuse(
        "application.duplicate",
        client=client.id,
        number=cert.number,
        status=cert.status.value,
        scheme=scheme_id,
        body=body.id,
        held=other.id,
    )
