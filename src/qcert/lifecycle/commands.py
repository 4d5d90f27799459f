"""Lifecycle commands: what a user asks for, in the imperative. Handlers live in handlers.py."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Annotated

from annotated_types import Ge, Le, MaxLen
from pydantic import ConfigDict, Field, Strict, StrictBool

from .documents import MAX_DOCUMENT_BYTES
from .inputs import (
    Code,
    Count,
    Day,
    Days,
    Id,
    Instant,
    Latitude,
    Long,
    Longitude,
    MediaType,
    Name,
    Note,
    Password,
    Percent,
    Real,
    Secret,
    Sector,
    Sha256,
    Site,
    Word,
)

Roles = Annotated[list[Name], MaxLen(100)]
# A position's stated accuracy, metres (0 to 100 km: a fix worse than that locates nothing).
Accuracy = Annotated[float, Field(allow_inf_nan=False), Ge(0), Le(100_000)]

__all__ = [
    "AcceptInvitation",
    "AcceptTransfer",
    "AcknowledgeCase",
    "AddBodyKey",
    "AnswerFinding",
    "ApplyForCertification",
    "ApproveLateRecord",
    "ChangePassword",
    "ChangeScope",
    "CheckIn",
    "ClearLineAlarm",
    "CloseFinding",
    "CompleteAudit",
    "Decide",
    "EnforceClocks",
    "ExpireCertificate",
    "GiveConsent",
    "GrantBodyScope",
    "InviteUser",
    "IssueApiKey",
    "JoinWithInvitation",
    "OpenAccount",
    "OpenCase",
    "PlanAudit",
    "QualifyAuditor",
    "RaiseFinding",
    "RecordCaseProgress",
    "RecordLineAlarm",
    "RecordTest",
    "RegisterAuditor",
    "RegisterBody",
    "RegisterClient",
    "ResolveCase",
    "RestoreCertificate",
    "ReviewContract",
    "RevokeApiKey",
    "RevokeBodyKey",
    "RevokeSessions",
    "SetRoles",
    "SuspendCertificate",
    "TechnicalReview",
    "TransferCertificate",
    "UploadDocument",
    "WithdrawCertificate",
    "WithdrawConsent",
]


@dataclass(frozen=True)
class RegisterBody:
    body_id: Id
    approval_no: Code
    name_zh: Name
    name_en: Name
    accreditation: Name


@dataclass(frozen=True)
class GrantBodyScope:
    body_id: Id
    scheme_id: Code
    sectors: Annotated[list[Sector], MaxLen(39)]
    valid_from: Day
    valid_to: Day | None = None


@dataclass(frozen=True)
class RegisterAuditor:
    auditor_id: Id
    registration_no: Code
    name_zh: Name
    body_id: Id


@dataclass(frozen=True)
class QualifyAuditor:
    auditor_id: Id
    scheme_id: Code
    sectors: Annotated[list[Sector], MaxLen(39)]


@dataclass(frozen=True)
class RegisterClient:
    client_id: Id
    uscc: Code
    name_zh: Name
    name_en: Name
    address: Note
    adcode: Code
    personnel: Count
    sites: Annotated[list[Site], MaxLen(1000)]
    confidential: StrictBool = False


@dataclass(frozen=True)
class RecordLineAlarm:
    """Record an alarm a line's quality monitor raised (readings counted from 0)."""

    client_id: Id
    line: Id
    reading: Count
    onset: Count
    statistic: Word
    value: Real
    limit: Real
    top_variables: Annotated[list[Word], MaxLen(100)]
    at: Instant


@dataclass(frozen=True)
class ClearLineAlarm:
    client_id: Id
    line: Id
    reading: Count
    at: Instant


@dataclass(frozen=True)
class UploadDocument:
    """Give a document: its bytes (``content``, stored under their SHA-256, which must be
    ``sha256``) for one of the organisation's certifications (its body may read it) or, with
    none, for the organisation alone."""

    client_id: Id
    sha256: Sha256
    filename: Name
    media_type: MediaType
    size: Count
    purpose: Note
    uploaded_by: Id
    certification_id: Id | None = None
    # Optional facts of the file: its SM3 digest (checked against the bytes; computed when
    # absent) and, for a photo, when and where it was taken (else read from its EXIF).
    sm3: Sha256 | None = None
    taken_at: Instant | None = None
    taken_lat: Latitude | None = None
    taken_lon: Longitude | None = None
    # The file itself: stored under its hash by the handler, never part of the event.
    content: Annotated[bytes, MaxLen(MAX_DOCUMENT_BYTES)] | None = field(
        default=None, repr=False, compare=False
    )


@dataclass(frozen=True)
class ApplyForCertification:
    certification_id: Id
    body_id: Id
    client_id: Id
    scheme_id: Code
    sectors: Annotated[list[Sector], MaxLen(39)]
    sites: Annotated[list[Id], MaxLen(1000)]
    complexity: Word | None = None


@dataclass(frozen=True)
class ReviewContract:
    certification_id: Id
    reviewer: Id
    reduction_pct: Percent = 0.0
    integrated_pct: Percent = 0.0
    site_reduction_pct: Percent = 0.0


@dataclass(frozen=True)
class PlanAudit:
    certification_id: Id
    audit_id: Id
    kind: Word
    team: Annotated[list[dict[Word, Id]], MaxLen(50)]
    method: Word
    start: Day
    end: Day
    planned_days: Days
    sites: Annotated[list[Id], MaxLen(1000)]
    override: Annotated[dict[Word, Note], MaxLen(10)] | None = None


@dataclass(frozen=True)
class CheckIn:
    """Check in on site (or out, with ``out``): the position (WGS 84 degrees) and, optionally,
    its accuracy in metres and a photo taken there, whose bytes (``photo``, a JPEG or PNG of at
    most 10 MiB) must hash to ``photo_sha256`` and ``photo_sm3``. The time is the server's."""

    certification_id: Id
    audit_id: Id
    auditor: Id
    lat: Latitude
    lon: Longitude
    out: StrictBool = False
    accuracy_m: Accuracy | None = None
    photo_sha256: Sha256 | None = None
    photo_sm3: Sha256 | None = None
    # The photo itself: stored under its hash by the handler, never part of the event.
    photo: Annotated[bytes, MaxLen(MAX_DOCUMENT_BYTES)] | None = field(
        default=None, repr=False, compare=False
    )


@dataclass(frozen=True)
class CompleteAudit:
    """End an audit with the days actually spent and, of them, the days on site (by default
    all for an on-site audit, FS01, and none for a remote one, FS02; a combined one gives it)."""

    certification_id: Id
    audit_id: Id
    actual_days: Days
    last_day: Day
    on_site_days: Days | None = None


@dataclass(frozen=True)
class RecordTest:
    """Record the report of a test one of the scheme's test stages asks for (a type test, a
    surveillance sampling test): laboratory, report number, result (pass or fail), its date."""

    certification_id: Id
    test_id: Id
    stage: Word
    laboratory: Name
    report_no: Code
    result: Word
    on: Day
    note: Note = ""


@dataclass(frozen=True)
class RaiseFinding:
    certification_id: Id
    finding_id: Id
    audit_id: Id
    grade: Word
    clause: Word
    evidence: Long
    auditor: Id


@dataclass(frozen=True)
class AnswerFinding:
    certification_id: Id
    finding_id: Id
    correction: Long
    cause: Long
    action: Long


@dataclass(frozen=True)
class CloseFinding:
    certification_id: Id
    finding_id: Id
    verifier: Id
    on: Day


@dataclass(frozen=True)
class TechnicalReview:
    certification_id: Id
    reviewer: Id
    recommendation: Word


@dataclass(frozen=True)
class Decide:
    certification_id: Id
    decider: Id
    outcome: Word
    on: Day
    number: Code = ""
    scope: Long = ""
    site_scopes: Annotated[dict[Id, Long], MaxLen(1000)] | None = None


@dataclass(frozen=True)
class SuspendCertificate:
    certification_id: Id
    reason: Note
    on: Day
    months: Annotated[int, Strict(), Ge(1), Le(12)] = 6


@dataclass(frozen=True)
class RestoreCertificate:
    certification_id: Id
    on: Day


@dataclass(frozen=True)
class WithdrawCertificate:
    certification_id: Id
    reason: Note
    on: Day


@dataclass(frozen=True)
class ExpireCertificate:
    certification_id: Id
    on: Day


@dataclass(frozen=True)
class ChangeScope:
    certification_id: Id
    change: Word
    scope: Long
    sites: Annotated[list[Id], MaxLen(1000)]
    on: Day


@dataclass(frozen=True)
class TransferCertificate:
    certification_id: Id
    to_body: Id
    on: Day


@dataclass(frozen=True)
class ApproveLateRecord:
    """Approve recording a status change (``action``: suspend, restore, withdraw,
    change-scope or transfer) dated ``on``, more than the allowed days back; another person
    then records it."""

    certification_id: Id
    action: Word
    on: Day
    reason: Long


@dataclass(frozen=True)
class EnforceClocks:
    certification_ids: Annotated[list[Id], MaxLen(10_000)]
    on: Day


@dataclass(frozen=True)
class OpenCase:
    case_id: Id
    kind: Word
    certification_id: Id
    handler: Id
    summary: Long


@dataclass(frozen=True)
class AcknowledgeCase:
    """Record that receipt of a complaint or appeal was acknowledged (ISO/IEC 17021-1:2015
    9.7.7, 9.8.7); the time is the server's."""

    case_id: Id
    note: Note


@dataclass(frozen=True)
class RecordCaseProgress:
    """Record information gathered and verified on an open case, or a progress report given
    (ISO/IEC 17021-1:2015 9.7.6-9.7.7, 9.8.6-9.8.7); the time is the server's."""

    case_id: Id
    note: Note


@dataclass(frozen=True)
class ResolveCase:
    """Decide a case and close it. ``decider`` is the acting account (the access policy lets
    nobody name another); left out, the acting account is recorded as the decider."""

    case_id: Id
    outcome: Long
    on: Day = field(default_factory=date.today)
    decider: Id | None = None


@dataclass(frozen=True)
class OpenAccount:
    account_id: Id
    display_name: Name
    roles: Roles
    password: Password = field(repr=False)


@dataclass(frozen=True)
class ChangePassword:
    """Change one's own password, proving it with the current one."""

    account_id: Id
    current_password: Secret = field(repr=False)
    password: Password = field(repr=False)


@dataclass(frozen=True)
class SetRoles:
    """Replace an account's roles; every role added or removed must be the caller's to manage."""

    account_id: Id
    roles: Roles


@dataclass(frozen=True)
class IssueApiKey:
    """Issue an API key to one's own account; the server draws it and shows it once."""

    account_id: Id
    label: Name = ""


@dataclass(frozen=True)
class RevokeApiKey:
    account_id: Id
    key_id: Word


@dataclass(frozen=True)
class RevokeSessions:
    """End every session and bearer token of an account at once (sign-out everywhere)."""

    account_id: Id


@dataclass(frozen=True)
class GiveConsent:
    """An organisation's written consent that ``body_id``'s application reviewers may file
    applications for it (recorded; until withdrawn)."""

    client_id: Id
    body_id: Id
    note: Note = ""


@dataclass(frozen=True)
class WithdrawConsent:
    client_id: Id
    body_id: Id


@dataclass(frozen=True)
class InviteUser:
    """Invite someone to an organisation with ``role`` (client-user or client-admin); the
    server draws the invitation's code and shows it once."""

    client_id: Id
    role: Word
    note: Note = ""


@dataclass(frozen=True)
class JoinWithInvitation:
    """Open a new account with an invitation's code and take its role."""

    code: Secret = field(repr=False)
    account_id: Id
    display_name: Name
    password: Password = field(repr=False)


@dataclass(frozen=True)
class AcceptInvitation:
    """Take an invitation's role on one's own, existing account."""

    account_id: Id
    code: Secret = field(repr=False)


@dataclass(frozen=True)
class AcceptTransfer:
    certification_id: Id
    body_id: Id
    from_certification_id: Id
    reviewer: Id
    decider: Id
    on: Day
    number: Code


@dataclass(frozen=True)
class AddBodyKey:
    body_id: Id
    key_id: Word
    public_key_multibase: Code
    valid_from: Instant


@dataclass(frozen=True)
class RevokeBodyKey:
    body_id: Id
    key_id: Word
    revoked: Instant
    reason: Note


# A field a command does not have is refused, never ignored: a caller who sends ``key`` to
# issue-api-key or ``host`` to issue-credential learns that the server chooses those.
for _name in __all__:
    globals()[_name].__pydantic_config__ = ConfigDict(extra="forbid")
