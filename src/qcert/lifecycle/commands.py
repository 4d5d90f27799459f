"""Lifecycle commands: what a user asks for, in the imperative. Handlers live in handlers.py."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

__all__ = [
    "AcceptTransfer",
    "AddBodyKey",
    "AnswerFinding",
    "ApplyForCertification",
    "ChangePassword",
    "ChangeScope",
    "CheckIn",
    "ClearLineAlarm",
    "CloseFinding",
    "CompleteAudit",
    "Decide",
    "EnforceClocks",
    "ExpireCertificate",
    "GrantBodyScope",
    "IssueApiKey",
    "OpenAccount",
    "OpenCase",
    "PlanAudit",
    "QualifyAuditor",
    "RaiseFinding",
    "RecordLineAlarm",
    "RegisterAuditor",
    "RegisterBody",
    "RegisterClient",
    "ResolveCase",
    "RestoreCertificate",
    "ReviewContract",
    "RevokeApiKey",
    "RevokeBodyKey",
    "SetRoles",
    "SuspendCertificate",
    "TechnicalReview",
    "TransferCertificate",
    "UploadDocument",
    "WithdrawCertificate",
]


@dataclass(frozen=True)
class RegisterBody:
    body_id: str
    approval_no: str
    name_zh: str
    name_en: str
    accreditation: str


@dataclass(frozen=True)
class GrantBodyScope:
    body_id: str
    scheme_id: str
    sectors: list[int]
    valid_from: date
    valid_to: date | None = None


@dataclass(frozen=True)
class RegisterAuditor:
    auditor_id: str
    registration_no: str
    name_zh: str
    body_id: str


@dataclass(frozen=True)
class QualifyAuditor:
    auditor_id: str
    scheme_id: str
    sectors: list[int]


@dataclass(frozen=True)
class RegisterClient:
    client_id: str
    uscc: str
    name_zh: str
    name_en: str
    address: str
    adcode: str
    personnel: int
    sites: list[dict[str, Any]]
    confidential: bool = False


@dataclass(frozen=True)
class RecordLineAlarm:
    """Record an alarm a line's quality monitor raised (readings counted from 0)."""

    client_id: str
    line: str
    reading: int
    onset: int
    statistic: str
    value: float
    limit: float
    top_variables: list[str]
    at: datetime


@dataclass(frozen=True)
class ClearLineAlarm:
    client_id: str
    line: str
    reading: int
    at: datetime


@dataclass(frozen=True)
class UploadDocument:
    """Record a document whose bytes the document store already holds under ``sha256``, for
    one of the organisation's certifications (its body may read it) or, with none, for the
    organisation alone."""

    client_id: str
    sha256: str
    filename: str
    media_type: str
    size: int
    purpose: str
    uploaded_by: str
    certification_id: str | None = None


@dataclass(frozen=True)
class ApplyForCertification:
    certification_id: str
    body_id: str
    client_id: str
    scheme_id: str
    sectors: list[int]
    sites: list[str]
    complexity: str | None = None


@dataclass(frozen=True)
class ReviewContract:
    certification_id: str
    reviewer: str
    reduction_pct: float = 0.0
    integrated_pct: float = 0.0
    site_reduction_pct: float = 0.0


@dataclass(frozen=True)
class PlanAudit:
    certification_id: str
    audit_id: str
    kind: str
    team: list[dict[str, str]]
    method: str
    start: date
    end: date
    planned_days: float
    sites: list[str]
    override: dict[str, str] | None = None


@dataclass(frozen=True)
class CheckIn:
    certification_id: str
    audit_id: str
    auditor: str
    lat: float
    lon: float
    out: bool = False


@dataclass(frozen=True)
class CompleteAudit:
    certification_id: str
    audit_id: str
    actual_days: float
    last_day: date


@dataclass(frozen=True)
class RaiseFinding:
    certification_id: str
    finding_id: str
    audit_id: str
    grade: str
    clause: str
    evidence: str
    auditor: str


@dataclass(frozen=True)
class AnswerFinding:
    certification_id: str
    finding_id: str
    correction: str
    cause: str
    action: str


@dataclass(frozen=True)
class CloseFinding:
    certification_id: str
    finding_id: str
    verifier: str
    on: date


@dataclass(frozen=True)
class TechnicalReview:
    certification_id: str
    reviewer: str
    recommendation: str


@dataclass(frozen=True)
class Decide:
    certification_id: str
    decider: str
    outcome: str
    on: date
    number: str = ""
    scope: str = ""
    site_scopes: dict[str, str] | None = None


@dataclass(frozen=True)
class SuspendCertificate:
    certification_id: str
    reason: str
    on: date
    months: int = 6


@dataclass(frozen=True)
class RestoreCertificate:
    certification_id: str
    on: date


@dataclass(frozen=True)
class WithdrawCertificate:
    certification_id: str
    reason: str
    on: date


@dataclass(frozen=True)
class ExpireCertificate:
    certification_id: str
    on: date


@dataclass(frozen=True)
class ChangeScope:
    certification_id: str
    change: str
    scope: str
    sites: list[str]
    on: date


@dataclass(frozen=True)
class TransferCertificate:
    certification_id: str
    to_body: str
    on: date


@dataclass(frozen=True)
class EnforceClocks:
    certification_ids: list[str]
    on: date


@dataclass(frozen=True)
class OpenCase:
    case_id: str
    kind: str
    certification_id: str
    handler: str
    summary: str


@dataclass(frozen=True)
class ResolveCase:
    case_id: str
    outcome: str
    on: date = field(default_factory=date.today)


@dataclass(frozen=True)
class OpenAccount:
    account_id: str
    display_name: str
    roles: list[str]
    password: str = field(repr=False)


@dataclass(frozen=True)
class ChangePassword:
    account_id: str
    password: str = field(repr=False)


@dataclass(frozen=True)
class SetRoles:
    account_id: str
    roles: list[str]


@dataclass(frozen=True)
class IssueApiKey:
    account_id: str
    key: str = field(repr=False)


@dataclass(frozen=True)
class RevokeApiKey:
    account_id: str
    key_id: str


@dataclass(frozen=True)
class AcceptTransfer:
    certification_id: str
    body_id: str
    from_certification_id: str
    reviewer: str
    decider: str
    on: date
    number: str


@dataclass(frozen=True)
class AddBodyKey:
    body_id: str
    key_id: str
    public_key_multibase: str
    valid_from: datetime


@dataclass(frozen=True)
class RevokeBodyKey:
    body_id: str
    key_id: str
    revoked: datetime
    reason: str
