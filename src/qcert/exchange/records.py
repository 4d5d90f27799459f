"""The reporting standard: what a certification body reports to the supervision hub.

国市监认证发〔2025〕72号 (十一) asks every body to feed one supervision centre through one standard
interface. A report is a list of records, each one fact the regulator supervises: an application,
an audit plan (with the CNCA audit method code and the team's registration numbers), a check-in or
check-out, an audit result with its findings, a decision, a certificate, or a certificate's status
change. Every record has an id the body chooses, unique among its records; sending the same id with
the same content again changes nothing, with other content it is a revision (and the hub says so).

A record from a body that keeps a verifiable log carries ``ledger``: the log entry it was drawn
from, its index, and an inclusion proof to a checkpoint of the body's log that the hub has
witnessed, so the regulator can prove what the body recorded and when. Records typed into a
spreadsheet carry none.

The models are the standard: the JSON Schema the hub publishes is generated from them
(:mod:`qcert.exchange.schema`), and the hub validates every record with them.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator
from pydantic_core import PydanticCustomError

from ..lifecycle.identifiers import check_adcode, check_uscc
from ..lifecycle.inputs import Day, Days, Instant, Latitude, Longitude, Name, Note, Sector

__all__ = [
    "KINDS",
    "RECORD_LIMIT",
    "VERSION",
    "Application",
    "AuditPlan",
    "AuditResult",
    "CertificateRecord",
    "CheckIn",
    "Decision",
    "Finding",
    "LedgerProof",
    "Member",
    "Organisation",
    "Record",
    "Site",
    "StatusChange",
]

VERSION = "1.0.0"
RECORD_LIMIT = 1000  # records in one submission

RecordId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:#/-]{0,127}$")]
Ref = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$")]
Registration = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]
CertificateNo = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._/()-]{0,63}$")]
Base64 = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9+/_-]*={0,2}$", max_length=90_000)]
Hash64 = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9+/]{43}=$")]
Hex64 = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
Method = Literal["FS01", "FS02", "FS03"]
# The scheme's stage id: stage1, stage2, surveillance, recertification, special, short-notice
# (ISO/IEC 17021-1); type-test, initial-inspection, sampling (ISO/IEC 17065); or another the
# scheme file declares.
AuditKind = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9-]{0,31}$")]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LedgerProof(_Strict):
    """Where the record stands in the body's log: the entry's bytes (base64), its index, and an
    inclusion proof (RFC 9162 2.1.3, base64 hashes) to the tree of ``size`` entries."""

    index: Annotated[int, Field(ge=0, le=10**15)]
    entry: Base64
    size: Annotated[int, Field(ge=1, le=10**15)]
    proof: Annotated[list[Hash64], Field(max_length=63)]


class _Record(_Strict):
    id: RecordId = Field(description="The body's own id of this record, unique among its records")
    occurred_at: Instant = Field(description="When the fact was recorded at the body (ISO 8601)")
    ledger: LedgerProof | None = Field(
        None, description="The log entry the record was drawn from, with its inclusion proof"
    )


def _uscc(code: str) -> str:
    problem = check_uscc(code)
    if problem is not None:
        raise PydanticCustomError("qcert_uscc", str(problem), {"zh": problem.zh})
    return code


def _adcode(code: str) -> str:
    problem = check_adcode(code)
    if problem is not None:
        raise PydanticCustomError("qcert_adcode", str(problem), {"zh": problem.zh})
    return code


class Organisation(_Strict):
    """The applicant: its unified social credit code (GB 32100), name, the administrative division
    it is registered in (GB/T 2260) and its size class (micro to large, GB/T 34002 tiers)."""

    uscc: Annotated[str, StringConstraints(max_length=18)]
    name: Name
    region: Annotated[str, StringConstraints(max_length=6)]
    size: Literal["micro", "small", "medium", "large"] | None = None

    _check_uscc = field_validator("uscc")(_uscc)
    _check_region = field_validator("region")(_adcode)


class Site(_Strict):
    """An audited site: its name, division code and position (WGS 84 degrees)."""

    name: Name
    region: Annotated[str, StringConstraints(max_length=6)] | None = None
    lat: Latitude | None = None
    lon: Longitude | None = None

    _check_region = field_validator("region")(lambda v: v if v is None else _adcode(v))


class Member(_Strict):
    """An auditor of the team: national registration number, name and role."""

    registration_no: Registration
    name: Name | None = None
    role: Literal["leader", "auditor", "expert", "observer", "inspector"] = "auditor"


class Application(_Record):
    """A client applied for certification under a scheme."""

    kind: Literal["application"] = "application"
    certification_id: Ref
    organisation: Organisation
    scheme_id: Ref
    sectors: Annotated[list[Sector], Field(max_length=39)] = []
    received_on: Day


class AuditPlan(_Record):
    """An audit planned: kind, audit method (CNCA codes FS01 on site, FS02 remote, FS03 combined),
    dates, planned auditor-days and the team."""

    kind: Literal["audit-plan"] = "audit-plan"
    certification_id: Ref
    audit_id: Ref
    audit_kind: AuditKind
    method: Method
    start_on: Day
    end_on: Day
    planned_days: Days
    minimum_days: Days | None = Field(
        None, description="The audit's minimum time by the IAF MD 5 tables, where the body set one"
    )
    team: Annotated[list[Member], Field(min_length=1, max_length=50)]
    sites: Annotated[list[Site], Field(max_length=50)] = []


class CheckIn(_Record):
    """An auditor checked in on site, or out: time, position and the hash of the photo taken.
    An audit's id is unique within its certification, so the check-in names both."""

    kind: Literal["check-in"] = "check-in"
    certification_id: Ref
    audit_id: Ref
    registration_no: Registration
    direction: Literal["in", "out"]
    at: Instant
    lat: Latitude
    lon: Longitude
    photo_sha256: Hex64 | None = None
    photo_sm3: Hex64 | None = Field(
        None, description="The SM3 digest (GB/T 32905-2016) of the same photo, where recorded"
    )


class Finding(_Strict):
    """A nonconformity or observation: grade and the clause it is against."""

    grade: Literal["major", "minor", "observation", "improvement"]
    clause: Annotated[str, StringConstraints(max_length=64)] = ""


class AuditResult(_Record):
    """An audit done: its last day, the auditor-days spent (on site apart) and its findings."""

    kind: Literal["audit-result"] = "audit-result"
    certification_id: Ref
    audit_id: Ref
    end_on: Day
    actual_days: Days
    onsite_days: Days
    findings: Annotated[list[Finding], Field(max_length=500)] = []


class Decision(_Record):
    """The certification decision: grant or refuse, on which day, and by whom."""

    kind: Literal["decision"] = "decision"
    certification_id: Ref
    outcome: Literal["grant", "refuse", "recertify", "extend-scope"]
    decided_on: Day
    decided_by: Registration | None = None


class CertificateRecord(_Record):
    """A certificate issued: its number, holder, scheme, sectors, scope and validity."""

    kind: Literal["certificate"] = "certificate"
    certification_id: Ref
    certificate_no: CertificateNo
    uscc: Annotated[str, StringConstraints(max_length=18)]
    scheme_id: Ref
    sectors: Annotated[list[Sector], Field(max_length=39)] = []
    scope: Annotated[str, StringConstraints(max_length=2000)] = ""
    issued_on: Day
    expires_on: Day

    _check_uscc = field_validator("uscc")(_uscc)


class StatusChange(_Record):
    """A certificate's status changed (suspended, restored, withdrawn, expired) on a day."""

    kind: Literal["status-change"] = "status-change"
    certificate_no: CertificateNo
    status: Literal["active", "suspended", "withdrawn", "expired"]
    effective_on: Day
    reason: Note = ""


Record = Annotated[
    Application | AuditPlan | CheckIn | AuditResult | Decision | CertificateRecord | StatusChange,
    Field(discriminator="kind"),
]
KINDS = (
    "application",
    "audit-plan",
    "check-in",
    "audit-result",
    "decision",
    "certificate",
    "status-change",
)
