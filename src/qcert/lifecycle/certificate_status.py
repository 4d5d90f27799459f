"""A certificate's life after the decision: credentials and status bits, suspension, restoration,
withdrawal, expiry, scope changes and transfers (ISO/IEC 17021-1:2015 9.6, IAF MD 2)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from ..locale.problems import problem
from . import events as ev
from .aggregate import Recording, add_months, invalid, out_of_order, text_field
from .cycle import Certificate, CertStatus
from .parties import Body
from .rules import RULES, refuse

if TYPE_CHECKING:
    from .certification import Certification

__all__ = ["CertificateStatus"]

# The action of each scope change, as the catalogs name it.
_SCOPE_CHANGES = {"reduce": "action.reduce_scope", "extend": "action.extend_scope"}


def _transition(cert: Certificate, action: str) -> Exception:
    """The refusal of ``action`` (a key ``action.*`` of the catalogs) on ``cert`` as it is."""
    en, zh = problem(action)
    return refuse(
        "status.transition", number=cert.number, action=en, action_zh=zh, status=cert.status.value
    )


class CertificateStatus:
    """A certificate's life after the decision: credentials and status bits, suspension,
    restoration, withdrawal, expiry, scope changes and transfers (ISO/IEC 17021-1:2015 9.6,
    IAF MD 2)."""

    def _cert(self, action: str, allowed: tuple[CertStatus, ...]) -> Certificate:
        """The live certificate, if its status is one of ``allowed`` for ``action`` (a key
        ``action.*`` of the catalogs)."""
        cert = self.certificate
        if cert is None:
            raise out_of_order(action, "why.no_certificate")
        if cert.status not in allowed:
            raise _transition(cert, action)
        return cert

    def record_credential(self, key_id: str, ledger_index: int, sha256: str) -> None:
        """Note that the live certificate was issued as a credential at ``ledger_index``."""
        cert = self._cert("action.issue_credential", (CertStatus.active,))
        self.record(ev.CredentialIssued(cert.number, key_id, ledger_index, sha256))

    def assign_status_entry(self, list_no: int, index: int) -> None:
        """Give the certificate its bit in the body's status lists; once, for good, so every
        credential of this certification points at the same bit."""
        self._cert("action.assign_status_entry", tuple(CertStatus))
        if self.status_entry is not None:
            raise invalid(
                "status_entry", "status.entry_taken", certificate=self.id, entry=self.status_entry
            )
        if list_no < 1 or index < 0:
            raise invalid("index", "status.counting")
        self.record(ev.StatusEntryAssigned(list_no, index))

    def suspend(self, reason: str, on: date, months: int = 6, rec: Recording | None = None) -> None:
        """Suspend, with a deadline after which the certificate is withdrawn (9.6.5.2)."""
        self._cert("action.suspend", (CertStatus.active,))
        self._status_date("suspend", "on", on, rec)
        if not 1 <= months <= 6:
            raise invalid("months", "suspension.months")
        self.record(
            ev.CertificateSuspended(
                text_field("reason", reason), on.isoformat(), add_months(on, months).isoformat()
            )
        )

    def restore(self, on: date, rec: Recording | None = None) -> None:
        cert = self._cert("action.restore", (CertStatus.suspended,))
        self._status_date("restore", "on", on, rec)
        assert cert.deadline is not None
        if on > cert.deadline:
            raise _transition(cert, "action.restore_after_deadline")
        self.record(ev.CertificateRestored(on.isoformat()))

    def withdraw(self, reason: str, on: date, rec: Recording | None = None) -> None:
        self._cert("action.withdraw", (CertStatus.active, CertStatus.suspended))
        self._status_date("withdraw", "on", on, rec)
        self.record(ev.CertificateWithdrawn(text_field("reason", reason), on.isoformat()))

    def expire(self, on: date, rec: Recording | None = None) -> None:
        cert = self._cert("action.expire", (CertStatus.active, CertStatus.suspended))
        self._effective("on", on, rec)
        if on <= cert.expiry_date:
            raise _transition(cert, "action.expire_early")
        self.record(ev.CertificateExpired(on.isoformat()))

    def enforce_clocks(self, on: date, rec: Recording | None = None) -> list[str]:
        """Apply what time decides: unresolved suspensions end in withdrawal
        (``clock.suspension-lapsed``, ISO/IEC 17021-1:2015 9.6.5), lapsed certificates expire
        (``clock.expired``, 8.2.2, 9.6.3.2). Each event names the rule that fired and its
        source; a certificate with nothing due records nothing, so running twice is harmless.
        ``on`` is an effective date like any other: never after today (a day yet to come would
        withdraw or expire ahead of time) nor before the certification's latest record."""
        self._effective("on", on, rec)
        cert, done = self.certificate, []
        if cert and cert.status == CertStatus.suspended and cert.deadline and on > cert.deadline:
            rule = RULES["clock.suspension-lapsed"]
            reason = f"{rule.zh} / {rule.en}"
            self.record(ev.CertificateWithdrawn(reason, on.isoformat(), rule.id, rule.source))
            done.append("withdrawn")
        elif cert and cert.status == CertStatus.active and on > cert.expiry_date:
            rule = RULES["clock.expired"]
            self.record(ev.CertificateExpired(on.isoformat(), rule.id, rule.source))
            done.append("expired")
        return done

    def change_scope(
        self,
        change: str,
        scope: str,
        sites: list[str],
        on: date,
        body: Body,
        rec: Recording | None = None,
    ) -> None:
        self._cert(_SCOPE_CHANGES.get(change, "action.change_scope"), (CertStatus.active,))
        self._status_date("change-scope", "on", on, rec)
        if change not in ("reduce", "extend"):
            raise invalid("change", "choice.one_of", choices=("reduce", "extend"))
        if not sites or any(s not in self.sites for s in sites):
            raise invalid("sites", "sites.not_of_certification")
        if change == "extend":
            body.require_scope(self.scheme_id, self.sectors, on)
        self.record(
            ev.CertificateScopeChanged(
                change, text_field("scope", scope, 2000), list(sites), on.isoformat()
            )
        )

    @classmethod
    def accept_transfer(
        cls,
        certification_id: str,
        body: Body,
        source: Certification,
        reviewer: str,
        decider: str,
        on: date,
        number: str,
        rec: Recording | None = None,
    ) -> Certification:
        """Take over ``source`` at ``body`` (IAF MD 2:2017): same cycle, new certificate number.

        The source must be active (not suspended or about to lapse), the accepting body
        approved for its scheme and sectors on ``on``, and the reviewer and decider two people.
        """
        cert = source.certificate
        if cert is not None and cert.status == CertStatus.suspended:
            raise refuse("transfer.suspended", number=cert.number)
        source._cert("action.transfer", (CertStatus.active,))
        assert cert is not None
        if body.id == source.body_id:
            raise invalid("body_id", "body.not_issuer")
        body.require_scope(source.scheme_id, source.sectors, on)
        if reviewer == decider:
            raise refuse("decision.independence", person=decider)
        if on > cert.expiry_date:
            raise _transition(cert, "action.transfer_after_expiry")
        new = cls(text_field("certification_id", certification_id, 64))
        new.record(
            ev.TransferAccepted(
                new.id,
                body.id,
                source.client_id,
                source.scheme_id,
                source.sectors,
                source.sites,
                source.personnel,
                source.id,
                source.body_id,
                text_field("reviewer", reviewer, 64),
                text_field("decider", decider, 64),
                on.isoformat(),
            )
        )
        new.record(
            ev.CertificateIssued(
                text_field("number", number, 64),
                cert.scope,
                list(cert.sites),
                on.isoformat(),
                cert.original_issue_date.isoformat(),
                cert.expiry_date.isoformat(),
                cert.site_scopes,
            )
        )
        source.transfer(body.id, on, rec)
        return new

    def transfer(self, to_body: str, on: date, rec: Recording | None = None) -> None:
        """Hand the certification to another accredited body (IAF MD 2)."""
        cert = self.certificate
        if cert is not None and cert.status == CertStatus.suspended:
            raise refuse("transfer.suspended", number=cert.number)
        self._cert("action.transfer", (CertStatus.active,))
        self._status_date("transfer", "on", on, rec)
        if to_body == self.body_id:
            raise invalid("to_body", "body.same")
        self.record(ev.CertificateTransferred(text_field("to_body", to_body, 64), on.isoformat()))

    def _on_transfer_accepted(self, e: ev.TransferAccepted) -> None:
        self.body_id, self.client_id, self.scheme_id = e.body_id, e.client_id, e.scheme_id
        self.sectors, self.sites, self.personnel = e.sectors, e.sites, e.personnel
        self.reviewers.add(e.reviewer)
        self.deciders.add(e.decider)
        self.decided_on = date.fromisoformat(e.on)
        self.cycle = 1
        self.transferred_from = e.from_certification

    def _on_credential_issued(self, e: ev.CredentialIssued) -> None:
        self.credentials.append(e)

    def _on_status_entry_assigned(self, e: ev.StatusEntryAssigned) -> None:
        self.status_entry = (e.list_no, e.index)

    def _on_suspended(self, e: ev.CertificateSuspended) -> None:
        assert self.certificate
        self.certificate.status = CertStatus.suspended
        self.certificate.deadline = date.fromisoformat(e.deadline)

    def _on_restored(self, e: ev.CertificateRestored) -> None:
        assert self.certificate
        self.certificate.status, self.certificate.deadline = CertStatus.active, None

    def _on_withdrawn(self, e: ev.CertificateWithdrawn) -> None:
        assert self.certificate
        self.certificate.status, self.certificate.deadline = CertStatus.withdrawn, None

    def _on_expired(self, e: ev.CertificateExpired) -> None:
        assert self.certificate
        self.certificate.status, self.certificate.deadline = CertStatus.expired, None

    def _on_scope_changed(self, e: ev.CertificateScopeChanged) -> None:
        assert self.certificate
        self.certificate.scope, self.certificate.sites = e.scope, e.sites

    def _on_transferred(self, e: ev.CertificateTransferred) -> None:
        assert self.certificate
        self.certificate.status = CertStatus.withdrawn
        self.certificate.transferred_to = e.to_body
