"""Lifecycle events: what happened, in past tense, with a stable dotted name.

Fields hold JSON values only (dates as ``YYYY-MM-DD``, instants as ISO 8601
UTC), so an event's canonical JSON (RFC 8785) is exactly what was decided.
Each event's docstring is its reference documentation.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields, replace
from functools import cache
from typing import Any, ClassVar

from ..ledger.canonical import canonical_json, read_back

__all__ = ["EVENTS", "Envelope", "Event", "decode", "read_back_event", "reference"]

EVENTS: dict[str, type[Event]] = {}


@dataclass(frozen=True)
class Event:
    """Base of every event."""

    name: ClassVar[str] = ""
    # Fields added after events of this type were first recorded: absent when empty, so those
    # older events decode and re-encode to the very bytes on the ledger.
    optional: ClassVar[tuple[str, ...]] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.name:
            EVENTS[cls.name] = cls

    def data(self) -> dict[str, Any]:
        try:
            out = {name: _copy(getattr(self, name)) for name in _field_order(type(self))}
        except _Unusual:
            out = asdict(self)  # a field holds a dataclass or another kind: asdict's rules
        for name in self.optional:
            if out[name] is None or out[name] == "":
                del out[name]
        return out


class _Unusual(Exception):
    """A value :func:`_copy` leaves to ``dataclasses.asdict``."""


_SCALARS = frozenset({str, int, float, bool, type(None)})


def _copy(value: Any) -> Any:
    """``value`` as ``dataclasses.asdict`` copies a JSON value (new lists, tuples and dicts,
    the same immutable scalars), without its generic machinery: an event's data is copied
    every time it is recorded, reported or checked. _Unusual for any other kind."""
    kind = type(value)
    if kind in _SCALARS:
        return value
    if kind is list:
        return [_copy(item) for item in value]
    if kind is dict:
        return {_copy(key): _copy(item) for key, item in value.items()}
    if kind is tuple:
        return tuple([_copy(item) for item in value])
    raise _Unusual


@cache
def _field_order(cls: type[Event]) -> tuple[str, ...]:
    return tuple(f.name for f in fields(cls))


@dataclass(frozen=True)
class Envelope:
    """An event as recorded: on which aggregate, at which version, when, where and by whom."""

    event: Event
    aggregate: str
    seq: int
    at: str
    tz: str
    actor: str
    tenant: str

    def document(self) -> dict[str, Any]:
        return {
            "type": self.event.name,
            "aggregate": self.aggregate,
            "seq": self.seq,
            "at": self.at,
            "tz": self.tz,
            "actor": self.actor,
            "tenant": self.tenant,
            "data": self.event.data(),
        }

    def canonical(self) -> bytes:
        """RFC 8785 canonical JSON: the bytes that become a ledger leaf."""
        return canonical_json(self.document())


def read_back_event(event: Event) -> Event:
    """``event`` as a replay folds it, read back from its canonical document: ``5.0`` as ``5``,
    a tuple as a list, an object's members in canonical order; ``event`` itself when nothing
    changes. Recorded in this form, the state a command leaves is the state a replay gives,
    so the unit of work can keep it and snapshot it."""
    changes = {}
    for name in _field_order(type(event)):
        value = getattr(event, name)
        if type(value) is str:  # most are, and read back as themselves
            continue
        done = read_back(value)
        if done is not value:
            changes[name] = done
    return replace(event, **changes) if changes else event


@cache
def _field_names(cls: type[Event]) -> frozenset[str]:
    # Asked at every event read (each aggregate's load folds its events): once per class.
    return frozenset(f.name for f in fields(cls))


def decode(doc: dict[str, Any]) -> Envelope:
    """An envelope from its JSON document."""
    cls = EVENTS[doc["type"]]
    names = _field_names(cls)
    event = cls(**{k: v for k, v in doc["data"].items() if k in names})
    return Envelope(
        event, doc["aggregate"], doc["seq"], doc["at"], doc["tz"], doc["actor"], doc["tenant"]
    )


# -- certification bodies, auditors, clients ----------------------------------


@dataclass(frozen=True)
class BodyRegistered(Event):
    """A certification body was registered with its approval number and accreditation."""

    name: ClassVar[str] = "body.registered"
    body_id: str
    approval_no: str
    name_zh: str
    name_en: str
    accreditation: str


@dataclass(frozen=True)
class BodyScopeGranted(Event):
    """The regulator approved a body to certify a scheme for some sectors, from a date."""

    name: ClassVar[str] = "body.scope-granted"
    scheme_id: str
    sectors: list[int]
    valid_from: str
    valid_to: str | None = None


@dataclass(frozen=True)
class BodyKeyAdded(Event):
    """A body published a credential-signing key (Ed25519 Multikey), valid from an instant."""

    name: ClassVar[str] = "body.key-added"
    key_id: str
    public_key_multibase: str
    valid_from: str


@dataclass(frozen=True)
class BodyKeyRevoked(Event):
    """A body revoked a signing key; credentials it signed after this instant do not verify."""

    name: ClassVar[str] = "body.key-revoked"
    key_id: str
    revoked: str
    reason: str


@dataclass(frozen=True)
class AuditorRegistered(Event):
    """An auditor was registered, with registration number and employing body."""

    name: ClassVar[str] = "auditor.registered"
    auditor_id: str
    registration_no: str
    name_zh: str
    body_id: str


@dataclass(frozen=True)
class AuditorQualified(Event):
    """An auditor was found competent for a scheme and sectors (ISO/IEC 17021-1 7.2)."""

    name: ClassVar[str] = "auditor.qualified"
    scheme_id: str
    sectors: list[int]


@dataclass(frozen=True)
class ClientRegistered(Event):
    """An organisation became a client: credit code, names, address, division, sites, personnel."""

    name: ClassVar[str] = "client.registered"
    client_id: str
    uscc: str
    name_zh: str
    name_en: str
    address: str
    adcode: str
    personnel: int
    sites: list[dict[str, Any]] = field(default_factory=list)
    confidential: bool = False


@dataclass(frozen=True)
class DocumentUploaded(Event):
    """A document of the organisation was stored by its SHA-256: file name, media type (checked
    from the content), size in bytes, what it is for, who uploaded it, and the certification it
    was given for (whose body may read it; absent: the organisation's alone); its SM3 digest
    and, for a photo, when and where it was taken (uploads before these fields lack them).
    The bytes are kept outside the ledger, content-addressed; the ledger holds the hashes that
    bind them."""

    name: ClassVar[str] = "client.document-uploaded"
    sha256: str
    filename: str
    media_type: str
    size: int
    purpose: str
    uploaded_by: str
    certification_id: str | None = None
    # Added later, absent on older uploads: the SM3 digest (GB/T 32905-2016) of the same
    # bytes, and for a photo when and where it was taken (from the upload form, else from its
    # EXIF metadata; ISO 8601, WGS 84 degrees).
    sm3: str | None = None
    taken_at: str | None = None
    taken_lat: float | None = None
    taken_lon: float | None = None
    optional: ClassVar[tuple[str, ...]] = (
        "certification_id",
        "sm3",
        "taken_at",
        "taken_lat",
        "taken_lon",
    )


@dataclass(frozen=True)
class ConsentGiven(Event):
    """The organisation consented, in writing, that a body's application reviewers may file
    applications for it (until it withdraws the consent); who gave it and what it says."""

    name: ClassVar[str] = "client.consent-given"
    body_id: str
    given_by: str
    note: str = ""


@dataclass(frozen=True)
class ConsentWithdrawn(Event):
    """The organisation withdrew its consent to a body's filing applications for it."""

    name: ClassVar[str] = "client.consent-withdrawn"
    body_id: str
    withdrawn_by: str


@dataclass(frozen=True)
class UserInvited(Event):
    """The organisation's administrator (or, for its first administrator, the platform) invited
    someone to take a role at the organisation: the invitation's id, the role, until when it
    holds (a date), and a commitment to the hash of its code (the code itself is shown once)."""

    name: ClassVar[str] = "client.user-invited"
    invitation_id: str
    role: str
    invited_by: str
    expires: str
    secret_commitment: str
    note: str = ""


@dataclass(frozen=True)
class InvitationAccepted(Event):
    """An invitation's code was redeemed: the account that took its role."""

    name: ClassVar[str] = "client.invitation-accepted"
    invitation_id: str
    account_id: str


# -- the certification cycle --------------------------------------------------


@dataclass(frozen=True)
class ApplicationSubmitted(Event):
    """A client applied to a body for certification to a scheme."""

    name: ClassVar[str] = "certification.applied"
    certification_id: str
    body_id: str
    client_id: str
    scheme_id: str
    sectors: list[int]
    sites: list[str]
    personnel: int
    complexity: str | None = None
    central_site: str | None = None
    # The day it was received (the recording day, in the body's zone): nothing of this
    # certification happened before. Empty on applications recorded before it was kept.
    on: str = ""
    optional: ClassVar[tuple[str, ...]] = ("on",)


@dataclass(frozen=True)
class ContractReviewed(Event):
    """The application was reviewed and the audit time determined, with its justification."""

    name: ClassVar[str] = "certification.contract-reviewed"
    reviewer: str
    initial_days: float
    surveillance_days: float
    recertification_days: float
    reduction_pct: float
    reasons: list[str]
    sample: dict[str, int] | None = None
    table_days: float = 0.0
    site_days: dict[str, list[float]] | None = None


@dataclass(frozen=True)
class AuditPlanned(Event):
    """An audit was planned: kind, team with roles, method code, dates, days and sites."""

    name: ClassVar[str] = "certification.audit-planned"
    audit_id: str
    kind: str
    team: list[dict[str, str]]
    method: str
    start: str
    end: str
    planned_days: float
    sites: list[str]
    override: dict[str, str] | None = None
    random_sites: list[str] | None = None


@dataclass(frozen=True)
class AuditorCheckedIn(Event):
    """An auditor checked in on site, with time (the server's) and position: the audited site
    nearest, how far (km), "far-from-site" past the check-in rules' limit, and where given the
    position's accuracy (m) and the photo taken (SHA-256 and SM3 of the stored file)."""

    name: ClassVar[str] = "certification.checked-in"
    audit_id: str
    auditor: str
    lat: float
    lon: float
    # The audited site nearest the position, how far it is (km), and "far-from-site" when
    # further than the check-in rules allow; empty on check-ins recorded before.
    site: str = ""
    distance_km: float | None = None
    anomaly: str = ""
    # The device's stated accuracy of the position (metres, W3C Geolocation API) and the
    # photo taken there (SHA-256 and SM3 of the stored file); absent when none was given.
    accuracy_m: float | None = None
    photo_sha256: str | None = None
    photo_sm3: str | None = None
    optional: ClassVar[tuple[str, ...]] = (
        "site",
        "distance_km",
        "anomaly",
        "accuracy_m",
        "photo_sha256",
        "photo_sm3",
    )


@dataclass(frozen=True)
class AuditorCheckedOut(Event):
    """An auditor checked out, with time (the server's) and position: the audited site
    nearest, how far (km), "far-from-site" past the check-in rules' limit, and where given the
    position's accuracy (m) and the photo taken (SHA-256 and SM3 of the stored file)."""

    name: ClassVar[str] = "certification.checked-out"
    audit_id: str
    auditor: str
    lat: float
    lon: float
    # The audited site nearest the position, how far it is (km), and "far-from-site" when
    # further than the check-in rules allow; empty on check-ins recorded before.
    site: str = ""
    distance_km: float | None = None
    anomaly: str = ""
    # The device's stated accuracy of the position (metres, W3C Geolocation API) and the
    # photo taken there (SHA-256 and SM3 of the stored file); absent when none was given.
    accuracy_m: float | None = None
    photo_sha256: str | None = None
    photo_sm3: str | None = None
    optional: ClassVar[tuple[str, ...]] = (
        "site",
        "distance_km",
        "anomaly",
        "accuracy_m",
        "photo_sha256",
        "photo_sm3",
    )


@dataclass(frozen=True)
class AuditCompleted(Event):
    """An audit ended; its actual days, of them the days on site, and last day are recorded."""

    name: ClassVar[str] = "certification.audit-completed"
    audit_id: str
    actual_days: float
    last_day: str
    on_site_days: float | None = None
    optional: ClassVar[tuple[str, ...]] = ("on_site_days",)


@dataclass(frozen=True)
class TestRecorded(Event):
    """A test one of the scheme's test stages asks for (a type test, a surveillance sampling
    test) was reported: the laboratory, its report number, the conclusion (pass or fail) and
    the report's date."""

    name: ClassVar[str] = "certification.test-recorded"
    __test__ = False  # a test report, not a test case for pytest
    test_id: str
    stage: str
    laboratory: str
    report_no: str
    result: str
    on: str
    note: str = ""


@dataclass(frozen=True)
class FindingRaised(Event):
    """An auditor recorded a finding against a clause, with evidence."""

    name: ClassVar[str] = "certification.finding-raised"
    finding_id: str
    audit_id: str
    grade: str
    clause: str
    evidence: str
    auditor: str


@dataclass(frozen=True)
class CorrectiveActionSubmitted(Event):
    """The client answered a finding: correction, cause and corrective action."""

    name: ClassVar[str] = "certification.corrective-action-submitted"
    finding_id: str
    correction: str
    cause: str
    action: str


@dataclass(frozen=True)
class FindingClosed(Event):
    """The body verified the correction and corrective action of a finding."""

    name: ClassVar[str] = "certification.finding-closed"
    finding_id: str
    verifier: str
    on: str


@dataclass(frozen=True)
class TechnicalReviewed(Event):
    """The audit's records were reviewed before the decision (ISO/IEC 17021-1 9.5.1)."""

    name: ClassVar[str] = "certification.technical-reviewed"
    reviewer: str
    recommendation: str


@dataclass(frozen=True)
class CertificationDecided(Event):
    """The decision maker granted, renewed, restored or refused certification."""

    name: ClassVar[str] = "certification.decided"
    decider: str
    outcome: str
    on: str


@dataclass(frozen=True)
class CertificateIssued(Event):
    """A certificate was issued (or reissued on renewal), with scope per site and dates."""

    name: ClassVar[str] = "certificate.issued"
    number: str
    scope: str
    sites: list[str]
    issue_date: str
    original_issue_date: str
    expiry_date: str
    site_scopes: dict[str, str] | None = None


@dataclass(frozen=True)
class CredentialIssued(Event):
    """The certificate was issued as a signed credential: a ledger entry of its own."""

    name: ClassVar[str] = "certificate.credential-issued"
    number: str
    key_id: str
    ledger_index: int
    sha256: str


@dataclass(frozen=True)
class StatusEntryAssigned(Event):
    """The certificate was given its bit in the body's status lists (W3C Bitstring Status List
    v1.0): the same index in list ``list_no`` of each purpose, revocation and suspension."""

    name: ClassVar[str] = "certificate.status-entry-assigned"
    list_no: int
    index: int


@dataclass(frozen=True)
class LateRecordApproved(Event):
    """A decision-maker approved recording a status change dated more than the allowed window
    back: the action, its effective date and why it comes late. Another person records it."""

    name: ClassVar[str] = "certification.late-record-approved"
    action: str
    on: str
    reason: str
    approver: str


@dataclass(frozen=True)
class CertificateSuspended(Event):
    """The certificate was suspended until a deadline (ISO/IEC 17021-1 9.6.5)."""

    name: ClassVar[str] = "certificate.suspended"
    reason: str
    on: str
    deadline: str


@dataclass(frozen=True)
class CertificateRestored(Event):
    """A suspension was lifted."""

    name: ClassVar[str] = "certificate.restored"
    on: str


@dataclass(frozen=True)
class CertificateWithdrawn(Event):
    """The certificate was withdrawn. When time decided it (a suspension unresolved by its
    deadline), ``rule`` names the rule that fired and ``source`` its clause; a person's
    withdrawal has neither."""

    name: ClassVar[str] = "certificate.withdrawn"
    reason: str
    on: str
    rule: str = ""
    source: str = ""
    optional: ClassVar[tuple[str, ...]] = ("rule", "source")


@dataclass(frozen=True)
class CertificateExpired(Event):
    """The certificate reached its expiry date without renewal. When time decided it,
    ``rule`` names the rule that fired and ``source`` its clause."""

    name: ClassVar[str] = "certificate.expired"
    on: str
    rule: str = ""
    source: str = ""
    optional: ClassVar[tuple[str, ...]] = ("rule", "source")


@dataclass(frozen=True)
class CertificateScopeChanged(Event):
    """The certified scope was reduced or extended."""

    name: ClassVar[str] = "certificate.scope-changed"
    change: str
    scope: str
    sites: list[str]
    on: str


@dataclass(frozen=True)
class CertificateTransferred(Event):
    """The certification moved to another accredited body (IAF MD 2)."""

    name: ClassVar[str] = "certificate.transferred"
    to_body: str
    on: str


@dataclass(frozen=True)
class TransferAccepted(Event):
    """A body took over a certification from another after its pre-transfer review (IAF MD 2)."""

    name: ClassVar[str] = "certification.transfer-accepted"
    certification_id: str
    body_id: str
    client_id: str
    scheme_id: str
    sectors: list[int]
    sites: list[str]
    personnel: int
    from_certification: str
    from_body: str
    reviewer: str
    decider: str
    on: str


@dataclass(frozen=True)
class StatusListPublished(Event):
    """A body published a new version of one of its status lists (W3C Bitstring Status List
    v1.0): the signed list credential is a ledger entry of its own, so which certificates were
    revoked or suspended at any past instant is provable."""

    name: ClassVar[str] = "status-list.published"
    body_id: str
    purpose: str
    list_no: int
    version: int
    valid_from: str
    encoded_list: str
    ledger_index: int
    sha256: str
    # Where the list is published (its credential's id). A list keeps its address for good:
    # every credential pointing at it was signed with that address. Empty on versions
    # recorded before addresses were.
    url: str = ""
    optional: ClassVar[tuple[str, ...]] = ("url",)


@dataclass(frozen=True)
class LineAlarmRaised(Event):
    """A production line's monitor raised an alarm: a statistic stayed beyond its control limit
    for the persistence rule's run of readings; the variables contributing most are named."""

    name: ClassVar[str] = "line.alarm-raised"
    client_id: str
    line: str
    reading: int
    onset: int
    statistic: str
    value: float
    limit: float
    top_variables: list[str]
    at: str


@dataclass(frozen=True)
class LineAlarmCleared(Event):
    """The line's readings came back within every limit: its open alarm ended."""

    name: ClassVar[str] = "line.alarm-cleared"
    reading: int
    at: str


@dataclass(frozen=True)
class CaseOpened(Event):
    """A complaint or appeal was received and given to a handler."""

    name: ClassVar[str] = "case.opened"
    case_id: str
    kind: str
    certification_id: str
    body_id: str
    handler: str
    summary: str


@dataclass(frozen=True)
class CaseAcknowledged(Event):
    """Receipt of a complaint or appeal was acknowledged to whoever raised it (ISO/IEC
    17021-1:2015 9.7.7, 9.8.7), with what was said; ``at`` is the server's clock."""

    name: ClassVar[str] = "case.acknowledged"
    note: str
    at: str


@dataclass(frozen=True)
class CaseProgressRecorded(Event):
    """Information on an open complaint or appeal was gathered and verified, or a progress
    report given (ISO/IEC 17021-1:2015 9.7.6-9.7.7, 9.8.6-9.8.7); ``at`` is the server's
    clock."""

    name: ClassVar[str] = "case.progress-recorded"
    note: str
    at: str


@dataclass(frozen=True)
class CaseResolved(Event):
    """A complaint or appeal was decided and closed, by ``decider`` (the account that decided,
    not involved in its subject: ISO/IEC 17021-1:2015 9.7.8, 9.8.8); cases decided before the
    decider was recorded have none."""

    name: ClassVar[str] = "case.resolved"
    optional: ClassVar[tuple[str, ...]] = ("decider",)
    outcome: str
    on: str
    decider: str = ""


# The parts whose events the reference lists, in this order (each in the order its events are
# defined), whatever order the modules happened to be imported in.
_PARTS = ("qcert.lifecycle.", "qcert.supervision.", "qcert.evidence.")


def _part(cls: type) -> int:
    return next((i for i, p in enumerate(_PARTS) if cls.__module__.startswith(p)), len(_PARTS))


def reference() -> str:
    """The event reference (docs/events.md), from the events' docstrings and fields."""
    lines = [
        "# Lifecycle events",
        "",
        "Every change of the certification lifecycle is one of these events, recorded as a ledger",
        "leaf in canonical JSON (RFC 8785): `{type, aggregate, seq, at, tz, actor, tenant, data}`.",
        "Generated from `qcert.lifecycle.events`; a test keeps this page current.",
        "",
    ]
    for name, cls in sorted(EVENTS.items(), key=lambda item: _part(item[1])):
        doc = " ".join((cls.__doc__ or "").split())
        lines += [f"## `{name}`", "", doc, ""]
        lines += [f"- `{f.name}`: {f.type}" for f in fields(cls)]
        lines.append("")
    return "\n".join(lines)
