"""The certification lifecycle's domain: event-sourced aggregates that enforce the rules.

Each aggregate is rebuilt from its events (``replay``) and changes only by
recording new events (``record``), after its rules allow the change. Nothing
here knows of databases, HTTP or terminals.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import Any, ClassVar

from .. import schemes
from . import events as ev
from .documents import MAX_DOCUMENT_BYTES
from .identifiers import check_adcode, check_uscc
from .rules import RULES, refuse

__all__ = [
    "AUDIT_KINDS",
    "CERTSEARCH_STATUS",
    "DOCUMENT_TYPES",
    "MAX_DOCUMENT_BYTES",
    "Aggregate",
    "Auditor",
    "Body",
    "Case",
    "CertStatus",
    "Certification",
    "Client",
    "ProcessLine",
    "PublishedStatusList",
    "add_months",
    "check_document",
    "status_flags",
]

AUDIT_KINDS = ("stage1", "stage2", "surveillance", "recertification", "special", "short-notice")
ROLES = ("lead", "auditor", "technical-expert", "trainee")
GRADES = ("major", "minor", "observation", "improvement")


class CertStatus(StrEnum):
    """Certificate status; restoration, scope changes and transfers are transitions between them."""

    active = "active"
    suspended = "suspended"
    withdrawn = "withdrawn"
    expired = "expired"


# IAF CertSearch certification status for each of ours, one to one.
CERTSEARCH_STATUS = {
    CertStatus.active: "Active",
    CertStatus.suspended: "Suspended",
    CertStatus.withdrawn: "Withdrawn",
    CertStatus.expired: "Expired",
}


def add_months(day: date, months: int) -> date:
    """``day`` plus calendar months, clamped to the month's last day."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return date(year, month, d)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def _invalid(field_: str, problem: str, problem_zh: str) -> Exception:
    return refuse("input.invalid", field=field_, problem=problem, problem_zh=problem_zh)


def _text(field_: str, value: str, limit: int = 500) -> str:
    value = value.strip()
    if not value:
        return _raise(_invalid(field_, "must not be empty", "不能为空"))
    if len(value) > limit:
        return _raise(_invalid(field_, f"at most {limit} characters", f"最多 {limit} 个字符"))
    return value


def _instant(at: datetime) -> str:
    if at.tzinfo is None:
        raise _invalid("time", "must carry a time zone", "须带时区")
    return at.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _raise(err: Exception) -> Any:
    raise err


# The documents an organisation may upload, by media type (always found from the content, never
# from the name), and the file-name endings each may carry, so a downloaded file opens as what
# it is and never as a page or a program.
DOCUMENT_TYPES: dict[str, tuple[str, ...]] = {
    "application/pdf": (".pdf",),
    "image/png": (".png",),
    "image/jpeg": (".jpg", ".jpeg"),
    "text/plain": (".txt", ".csv"),
}
_SHA256 = re.compile(r"[0-9a-f]{64}")


def check_document(
    sha256: str, filename: str, media_type: str, size: int, purpose: str
) -> tuple[str, str]:
    """Refuse a document record that breaks a rule; return its (file name, purpose) cleaned.

    ``sha256`` is 64 lowercase hex digits, ``size`` in bytes (1 to 10 MiB), ``media_type`` one
    of DOCUMENT_TYPES, and ``filename`` 1-200 characters with no path or control characters,
    ending as its media type does.
    """
    if not isinstance(sha256, str) or not _SHA256.fullmatch(sha256):
        raise _invalid(
            "sha256", "must be 64 lowercase hexadecimal digits", "须为 64 位小写十六进制数字"
        )
    if media_type not in DOCUMENT_TYPES:
        raise _invalid(
            "media_type",
            f"must be one of {', '.join(DOCUMENT_TYPES)}",
            f"须为 {'、'.join(DOCUMENT_TYPES)} 之一",
        )
    if not isinstance(size, int) or not 1 <= size <= MAX_DOCUMENT_BYTES:
        raise _invalid(
            "size",
            f"must be 1 to {MAX_DOCUMENT_BYTES} bytes (10 MiB)",
            f"须为 1 至 {MAX_DOCUMENT_BYTES} 字节（10 MiB）",
        )
    name = filename.strip() if isinstance(filename, str) else ""
    if not 1 <= len(name) <= 200:
        raise _invalid("filename", "must be 1 to 200 characters", "须为 1 至 200 个字符")
    if any(ch in "/\\" or ord(ch) < 32 or ord(ch) == 127 for ch in name) or name in (".", ".."):
        raise _invalid(
            "filename",
            "must be a plain name, without folders or control characters",
            "须为单纯的文件名，不能含文件夹或控制字符",
        )
    endings = DOCUMENT_TYPES[media_type]
    if not name.lower().endswith(endings):
        raise _invalid(
            "filename",
            f"a {media_type} file's name must end in {' or '.join(endings)}",
            f"{media_type} 文件的名称须以 {' 或 '.join(endings)} 结尾",
        )
    return name, _text("purpose", purpose, 500)


class Aggregate:
    """An event-sourced entity: its state is the fold of its events."""

    kind: ClassVar[str] = ""

    def __init__(self, id: str) -> None:
        self.id = id
        self.version = 0
        self.pending: list[ev.Event] = []

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.id}"

    @classmethod
    def replay(cls, id: str, history: list[ev.Event]):  # type: ignore[no-untyped-def]
        agg = cls(id)
        for e in history:
            agg._apply(e)
        return agg

    def record(self, event: ev.Event) -> None:
        self._apply(event)
        self.pending.append(event)

    def _apply(self, event: ev.Event) -> None:
        handler = "_on_" + event.name.split(".", 1)[1].replace("-", "_")
        getattr(self, handler)(event)
        self.version += 1


# -- bodies, auditors, clients ------------------------------------------------


@dataclass
class _Scope:
    scheme_id: str
    sectors: set[int]
    valid_from: date
    valid_to: date | None


class Body(Aggregate):
    """A certification body and the scopes it is approved for over time."""

    kind = "body"

    def __init__(self, id: str) -> None:
        super().__init__(id)
        self.approval_no = ""
        self.name_zh = self.name_en = ""
        self.keys: dict[str, dict[str, Any]] = {}
        self.scopes: list[_Scope] = []

    @classmethod
    def register(
        cls, body_id: str, approval_no: str, name_zh: str, name_en: str, accreditation: str
    ) -> Body:
        body = cls(_text("body_id", body_id, 64))
        body.record(
            ev.BodyRegistered(
                body.id,
                _text("approval_no", approval_no, 64),
                _text("name_zh", name_zh),
                _text("name_en", name_en),
                _text("accreditation", accreditation, 64),
            )
        )
        return body

    def grant_scope(
        self, scheme_id: str, sectors: list[int], valid_from: date, valid_to: date | None = None
    ) -> None:
        scheme = schemes.get(scheme_id)
        _check_sectors(sectors)
        if valid_to and valid_to < valid_from:
            raise _invalid("valid_to", "must not be before valid_from", "不能早于 valid_from")
        self.record(
            ev.BodyScopeGranted(
                scheme.id,
                sorted(set(sectors)),
                valid_from.isoformat(),
                valid_to.isoformat() if valid_to else None,
            )
        )

    def require_scope(self, scheme_id: str, sectors: list[int], on: date) -> None:
        """Refuse unless the body was approved for the scheme and sectors on ``on``."""
        if not self.covers(scheme_id, sectors, on):
            raise refuse(
                "body.scope", body=self.id, scheme=scheme_id, sectors=sectors, on=on.isoformat()
            )

    def covers(self, scheme_id: str, sectors: list[int], on: date) -> bool:
        """Whether the body was approved for ``scheme_id`` and every sector on ``on``."""
        allowed: set[int] = set()
        for s in self.scopes:
            if (
                s.scheme_id == scheme_id
                and s.valid_from <= on
                and (s.valid_to is None or on <= s.valid_to)
            ):
                allowed |= s.sectors
        return set(sectors) <= allowed

    def _on_registered(self, e: ev.BodyRegistered) -> None:
        self.approval_no, self.name_zh, self.name_en = e.approval_no, e.name_zh, e.name_en

    def add_key(self, key_id: str, public_key_multibase: str, valid_from: datetime) -> None:
        """Publish a credential-signing key; its history stays in the body's DID document."""
        if not re.fullmatch(r"[A-Za-z0-9._-]{1,64}", key_id):
            raise _invalid(
                "key_id",
                "1-64 of letters, digits, '.', '_', '-'",
                "须为 1-64 个字母、数字、'.'、'_' 或 '-'",
            )
        if key_id in self.keys:
            raise _invalid(
                "key_id",
                f"{key_id} is already a key of {self.id}",
                f"{key_id} 已是 {self.id} 的密钥",
            )
        if not re.fullmatch(r"z6Mk[1-9A-HJ-NP-Za-km-z]{44}", public_key_multibase):
            raise _invalid(
                "public_key_multibase",
                "must be an Ed25519 Multikey (z6Mk…)",
                "须为 Ed25519 Multikey 公钥（z6Mk…）",
            )
        self.record(ev.BodyKeyAdded(key_id, public_key_multibase, _instant(valid_from)))

    def revoke_key(self, key_id: str, revoked: datetime, reason: str) -> None:
        key = self.keys.get(key_id)
        if key is None or key["revoked"]:
            raise _invalid(
                "key_id",
                f"{key_id} is not a live key of {self.id}",
                f"{key_id} 不是 {self.id} 的有效密钥",
            )
        self.record(ev.BodyKeyRevoked(key_id, _instant(revoked), _text("reason", reason)))

    def _on_key_added(self, e: ev.BodyKeyAdded) -> None:
        self.keys[e.key_id] = {
            "public_key_multibase": e.public_key_multibase,
            "valid_from": e.valid_from,
            "revoked": None,
        }

    def _on_key_revoked(self, e: ev.BodyKeyRevoked) -> None:
        self.keys[e.key_id]["revoked"] = e.revoked

    def _on_scope_granted(self, e: ev.BodyScopeGranted) -> None:
        self.scopes.append(
            _Scope(
                e.scheme_id,
                set(e.sectors),
                date.fromisoformat(e.valid_from),
                date.fromisoformat(e.valid_to) if e.valid_to else None,
            )
        )


def _check_sectors(sectors: list[int]) -> None:
    if not sectors:
        raise _invalid(
            "sectors", "at least one IAF sector code is required", "须至少有一个 IAF 行业代码"
        )
    bad = [s for s in sectors if s not in schemes.sectors()]
    if bad:
        raise _invalid(
            "sectors", f"{bad} are not IAF sector codes (1-39)", f"{bad} 不是 IAF 行业代码（1-39）"
        )


class Auditor(Aggregate):
    """A registered auditor, the body employing them, and their qualifications."""

    kind = "auditor"

    def __init__(self, id: str) -> None:
        super().__init__(id)
        self.body_id = ""
        self.qualifications: dict[str, set[int]] = {}

    @classmethod
    def register(cls, auditor_id: str, registration_no: str, name_zh: str, body_id: str) -> Auditor:
        a = cls(_text("auditor_id", auditor_id, 64))
        a.record(
            ev.AuditorRegistered(
                a.id,
                _text("registration_no", registration_no, 64),
                _text("name_zh", name_zh),
                _text("body_id", body_id, 64),
            )
        )
        return a

    def qualify(self, scheme_id: str, sectors: list[int]) -> None:
        scheme = schemes.get(scheme_id)
        _check_sectors(sectors)
        self.record(ev.AuditorQualified(scheme.id, sorted(set(sectors))))

    def qualified(self, scheme_id: str, sectors: list[int]) -> bool:
        return set(sectors) <= self.qualifications.get(scheme_id, set())

    def _on_registered(self, e: ev.AuditorRegistered) -> None:
        self.body_id = e.body_id

    def _on_qualified(self, e: ev.AuditorQualified) -> None:
        self.qualifications.setdefault(e.scheme_id, set()).update(e.sectors)


class Client(Aggregate):
    """A client organisation: credit code, names, address, division code, sites, personnel."""

    kind = "client"

    def __init__(self, id: str) -> None:
        super().__init__(id)
        self.uscc = ""
        self.sites: dict[str, dict[str, Any]] = {}
        self.personnel = 0
        # (SHA-256, certification or None) of every document uploaded
        self.documents: set[tuple[str, str | None]] = set()
        self.consents: dict[str, dict[str, str]] = {}  # body -> who consented and why
        self.invitations: dict[str, dict[str, str]] = {}  # id -> role, expiry, who took it

    @classmethod
    def register(
        cls,
        client_id: str,
        uscc: str,
        name_zh: str,
        name_en: str,
        address: str,
        adcode: str,
        personnel: int,
        sites: list[dict[str, Any]],
        confidential: bool = False,
    ) -> Client:
        problem = check_uscc(uscc)
        if problem:
            raise refuse("uscc.check", problem=problem, problem_zh=problem.zh)
        if (problem := check_adcode(adcode)) is not None:
            raise refuse("adcode.format", field="adcode", problem=problem, problem_zh=problem.zh)
        if not isinstance(personnel, int) or personnel < 1:
            raise _invalid(
                "personnel", "must be a whole number of at least 1", "须为不小于 1 的整数"
            )
        clean = [_site(i, s) for i, s in enumerate(sites)]
        if len({s["id"] for s in clean}) != len(clean):
            raise _invalid("sites", "site ids must be unique", "场所 id 不能重复")
        c = cls(_text("client_id", client_id, 64))
        c.record(
            ev.ClientRegistered(
                c.id,
                uscc,
                _text("name_zh", name_zh),
                name_en.strip(),
                _text("address", address),
                adcode,
                personnel,
                clean,
                confidential,
            )
        )
        return c

    def upload_document(
        self,
        sha256: str,
        filename: str,
        media_type: str,
        size: int,
        purpose: str,
        uploaded_by: str,
        certification_id: str | None = None,
    ) -> None:
        """Record a document whose bytes are stored under ``sha256`` (see ``check_document``),
        for one of the organisation's certifications (its body may read it) or, with none, for
        the organisation alone. The same file twice for the same use is refused, since its
        hash already names it; the caller checks that the certification is this one's."""
        name, why = check_document(sha256, filename, media_type, size, purpose)
        if (sha256, certification_id) in self.documents:
            raise _invalid(
                "file",
                f"this file is already among the documents of {self.id}",
                f"{self.id} 的文件中已有该文件",
            )
        self.record(
            ev.DocumentUploaded(
                sha256,
                name,
                media_type,
                size,
                why,
                _text("uploaded_by", uploaded_by, 64),
                certification_id,
            )
        )

    def give_consent(self, body: Body, given_by: str, note: str = "") -> None:
        """Consent that ``body``'s application reviewers may file applications for this
        organisation (the organisation applies itself otherwise)."""
        if body.id in self.consents:
            raise refuse(
                "state.order",
                action="consenting",
                action_zh="同意",
                why=f"{self.id} already consented to {body.id}",
                why_zh=f"{self.id} 已同意 {body.id}",
            )
        note = note.strip() and _text("note", note)
        self.record(ev.ConsentGiven(body.id, _text("given_by", given_by, 64), note))

    def withdraw_consent(self, body_id: str, by: str) -> None:
        if body_id not in self.consents:
            raise refuse(
                "state.order",
                action="withdrawing the consent",
                action_zh="撤回同意",
                why=f"{self.id} gave {body_id} no consent",
                why_zh=f"{self.id} 未曾同意 {body_id}",
            )
        self.record(ev.ConsentWithdrawn(body_id, _text("withdrawn_by", by, 64)))

    def invite(
        self,
        invitation_id: str,
        role: str,
        invited_by: str,
        expires: date,
        commitment: str,
        note: str = "",
    ) -> None:
        """Invite someone to take ``role`` (client-user or client-admin) here until ``expires``."""
        if role not in ("client-user", "client-admin"):
            raise _invalid(
                "role", "must be client-user or client-admin", "须为 client-user 或 client-admin"
            )
        note = note.strip() and _text("note", note)
        self.record(
            ev.UserInvited(invitation_id, role, invited_by, expires.isoformat(), commitment, note)
        )

    def accept_invitation(self, invitation_id: str, account_id: str, today: date) -> str:
        """Redeem an open invitation for ``account_id``; the role it grants, as role@scope."""
        found = self.invitations.get(invitation_id)
        if found is None or found.get("account_id") or found["expires"] < today.isoformat():
            raise refuse(
                "state.order",
                action="accepting the invitation",
                action_zh="接受邀请",
                why="it was already used, or it has expired",
                why_zh="邀请已被使用或已过期",
            )
        self.record(ev.InvitationAccepted(invitation_id, account_id))
        return f"{found['role']}@client:{self.id}"

    def _on_consent_given(self, e: ev.ConsentGiven) -> None:
        self.consents[e.body_id] = {"given_by": e.given_by, "note": e.note}

    def _on_consent_withdrawn(self, e: ev.ConsentWithdrawn) -> None:
        self.consents.pop(e.body_id, None)

    def _on_user_invited(self, e: ev.UserInvited) -> None:
        self.invitations[e.invitation_id] = {"role": e.role, "expires": e.expires}

    def _on_invitation_accepted(self, e: ev.InvitationAccepted) -> None:
        self.invitations[e.invitation_id]["account_id"] = e.account_id

    def _on_registered(self, e: ev.ClientRegistered) -> None:
        self.uscc, self.personnel = e.uscc, e.personnel
        self.name_zh, self.name_en = e.name_zh, e.name_en
        self.confidential = e.confidential
        self.sites = {s["id"]: s for s in e.sites}

    def _on_document_uploaded(self, e: ev.DocumentUploaded) -> None:
        self.documents.add((e.sha256, e.certification_id))


def _site(i: int, s: dict[str, Any]) -> dict[str, Any]:
    where = f"sites.{i}"
    for key in ("id", "name", "address", "adcode"):
        if not isinstance(s.get(key), str) or not s[key].strip():
            raise _invalid(f"{where}.{key}", "is required", "为必填项")
    if (problem := check_adcode(s["adcode"])) is not None:
        raise refuse(
            "adcode.format", field=f"{where}.adcode", problem=problem, problem_zh=problem.zh
        )
    lat, lon = s.get("lat"), s.get("lon")
    if not isinstance(lat, int | float) or not -90 <= lat <= 90:
        raise _invalid(
            f"{where}.lat", "must be a latitude between -90 and 90", "须为 -90 至 90 之间的纬度"
        )
    if not isinstance(lon, int | float) or not -180 <= lon <= 180:
        raise _invalid(
            f"{where}.lon",
            "must be a longitude between -180 and 180",
            "须为 -180 至 180 之间的经度",
        )
    central = bool(s.get("central", False))
    staff = s.get("personnel")
    if staff is not None and (not isinstance(staff, int) or staff < 1):
        raise _invalid(
            f"{where}.personnel", "must be a whole number of at least 1", "须为不小于 1 的整数"
        )
    extra = {"personnel": staff} if staff is not None else {}
    return extra | {
        "id": s["id"].strip(),
        "name": s["name"].strip(),
        "address": s["address"].strip(),
        "adcode": s["adcode"],
        "lat": float(lat),
        "lon": float(lon),
        "central": central,
    }


# -- the certification cycle --------------------------------------------------


@dataclass
class Audit:
    kind: str
    team: list[dict[str, str]]
    method: str
    start: date
    end: date
    planned_days: float
    sites: list[str]
    cycle: int
    actual_days: float | None = None
    last_day: date | None = None
    presence: list[tuple[str, str]] = field(default_factory=list)

    def members(self) -> set[str]:
        return {m["auditor"] for m in self.team}


@dataclass
class Finding:
    audit_id: str
    grade: str
    clause: str
    status: str = "open"  # open -> answered -> closed


@dataclass
class Certificate:
    number: str
    status: CertStatus
    scope: str
    sites: list[str]
    issue_date: date
    original_issue_date: date
    expiry_date: date
    deadline: date | None = None
    transferred_to: str | None = None
    site_scopes: dict[str, str] | None = None

    def scope_of(self, site: str) -> str:
        """The certified scope at ``site`` (ISO/IEC 17021-1 8.2.2: scope per site)."""
        return (self.site_scopes or {}).get(site, self.scope)


class Certification(Aggregate):
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

    # .. application and contract review ......................................

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
    ) -> Certification:
        """A client's application (ISO/IEC 17021-1 9.1.1)."""
        scheme = schemes.get(scheme_id)
        _check_sectors(sectors)
        unknown = [s for s in sites if s not in client.sites]
        if not sites or unknown:
            raise _invalid(
                "sites",
                f"unknown site(s) {unknown}" if unknown else "at least one site",
                f"未知的场所 {unknown}" if unknown else "须至少有一个场所",
            )
        staff = client.personnel if personnel is None else personnel
        if staff < 1:
            raise _invalid("personnel", "must be at least 1", "须不小于 1")
        # The contract review will need the audit time: refuse now what it could never compute
        # (a complexity the scheme's table does not have, say), not after the application.
        schemes.scheme_audit_time(scheme, staff, complexity)
        c = cls(_text("certification_id", certification_id, 64))
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
            )
        )
        return c

    def review_contract(
        self,
        reviewer: str,
        reduction_pct: float = 0.0,
        integrated_pct: float = 0.0,
        site_reduction_pct: float = 0.0,
        site_personnel: dict[str, int] | None = None,
    ) -> None:
        """Determine audit time and multi-site sample (ISO/IEC 17021-1 9.1.2, 9.1.4).

        For a multi-site organisation whose sites all give their personnel, each
        site also gets its own time (IAF MD 1:2018 7.3), reduced by at most 50%.
        """
        # A certification taken over by transfer gets its audit time set by the accepting
        # body, which plans the rest of the programme (IAF MD 2:2017 2.4).
        taken_over = self.transferred_from is not None and self.contract is None
        self._require(
            self.client_id != "" and (taken_over or (self.decided_on is None and not self.audits)),
            "contract review",
            "合同评审",
            "only before the first audit",
            "仅可在首次审核之前进行",
        )
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
                _text("reviewer", reviewer, 64),
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

    # .. audits ...............................................................

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
    ) -> None:
        """Plan an audit: team competence, method, timing and audit time rules."""
        self._require(
            self.contract is not None,
            "planning an audit",
            "策划审核",
            "the contract review comes first",
            "须先完成合同评审",
        )
        if audit_id in self.audits:
            raise _invalid("audit_id", f"{audit_id} is already planned", f"审核 {audit_id} 已策划")
        if kind not in AUDIT_KINDS:
            raise _invalid(
                "kind",
                f"must be one of {', '.join(AUDIT_KINDS)}",
                f"须为 {'、'.join(AUDIT_KINDS)} 之一",
            )
        if method not in schemes.audit_methods():
            raise refuse("audit.method", method=method)
        if end < start:
            raise _invalid("end", "must not be before start", "不能早于开始日期")
        if planned_days <= 0 or planned_days * 2 != math.floor(planned_days * 2):
            raise _invalid(
                "planned_days",
                "must be a positive number of half days",
                "须为半天（0.5 人日）的正整数倍",
            )
        if not sites or any(s not in self.sites for s in sites):
            raise _invalid("sites", "must be sites of this certification", "须为本认证项目的场所")
        self._check_team(team, auditors, body)
        if kind in ("surveillance", "recertification") and self.certificate is None:
            raise refuse(
                "state.order",
                action=f"a {kind} audit",
                action_zh="策划该审核",
                why="no certificate yet",
                why_zh="尚未发证",
            )
        if kind == "surveillance":
            self._check_surveillance_timing(start)
        if override and not (
            override.get("reason", "").strip() and override.get("approved_by", "").strip()
        ):
            raise refuse("override.reason")
        self._check_audit_time(kind, planned_days, override, sites)
        drawn = self._check_sample(kind, sites)
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
                raise _invalid(
                    f"team.{i}.role",
                    f"must be one of {', '.join(ROLES)}",
                    f"须为 {'、'.join(ROLES)} 之一",
                )
            who = m.get("auditor", "")
            a = auditors.get(who)
            if a is None:
                raise _invalid(
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
        cycle_audits = [a for a in self.audits.values() if a.cycle == self.cycle]
        if not any(a.kind == "surveillance" for a in cycle_audits):
            limit = add_months(self.decided_on, 12)
            if start > limit:
                raise refuse("surveillance.first-12-months", limit=limit.isoformat())
        covered = {
            a.start.year for a in cycle_audits if a.kind in ("surveillance", "recertification")
        }
        for year in range(self.decided_on.year + 1, start.year):
            if year not in covered:
                raise refuse("surveillance.calendar-year", year=year)

    def _check_audit_time(
        self, kind: str, planned: float, override: dict[str, str] | None, sites: list[str]
    ) -> None:
        assert self.contract is not None
        if self.contract.site_days:
            self._check_site_time(kind, planned, sites)
            return
        # Even an override may not reduce past the MD 5 (30%) and MD 11 (20%) caps together.
        floor = self.contract.table_days * 0.7 * 0.8
        if kind in ("stage1", "stage2"):
            other = sum(
                a.planned_days
                for a in self.audits.values()
                if a.cycle == self.cycle and a.kind in ("stage1", "stage2")
            )
            minimum, planned_total = self.contract.initial_days, planned + other
            if kind == "stage1":
                return  # stage 1 + stage 2 together are checked when stage 2 is planned
        elif kind == "surveillance":
            minimum, planned_total = self.contract.surveillance_days, planned
            floor /= 3
        elif kind == "recertification":
            minimum, planned_total = self.contract.recertification_days, planned
            floor *= 2 / 3
        else:
            return
        if planned_total < minimum and (not override or planned_total < floor):
            raise refuse("audit.time-minimum", planned=planned_total, minimum=minimum)

    def _check_site_time(self, kind: str, planned: float, sites: list[str]) -> None:
        """Multi-site: at least the sum of the visited sites' own times (IAF MD 1:2018 7.3).

        Their reductions already reach MD 1's 50% cap, so no override goes lower.
        """
        assert self.contract is not None and self.contract.site_days is not None
        column = {"stage2": 0, "surveillance": 1, "recertification": 2}.get(kind)
        if column is None:
            return
        minimum = sum(self.contract.site_days[s][column] for s in sites)
        if kind == "stage2":
            planned += sum(
                a.planned_days
                for a in self.audits.values()
                if a.cycle == self.cycle and a.kind == "stage1"
            )
        if planned < minimum:
            raise refuse("audit.time-minimum", planned=planned, minimum=minimum)

    def check_in(
        self, audit_id: str, auditor: str, lat: float, lon: float, out: bool = False
    ) -> None:
        """Record presence on site with time (the event's) and position."""
        audit = self._audit(audit_id)
        if auditor not in audit.members():
            raise _invalid(
                "auditor",
                f"{auditor} is not on the team of {audit_id}",
                f"{auditor} 不是审核 {audit_id} 的审核组成员",
            )
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise _invalid(
                "position",
                "latitude -90..90 and longitude -180..180",
                "纬度须在 -90 至 90 之间，经度须在 -180 至 180 之间",
            )
        cls = ev.AuditorCheckedOut if out else ev.AuditorCheckedIn
        self.record(cls(audit_id, auditor, float(lat), float(lon)))

    def complete_audit(self, audit_id: str, actual_days: float, last_day: date) -> None:
        audit = self._audit(audit_id)
        self._require(
            audit.last_day is None,
            "completing the audit",
            "完成审核",
            "it is already completed",
            "该审核已完成",
        )
        if actual_days <= 0:
            raise _invalid("actual_days", "must be positive", "须为正数")
        if last_day < audit.start:
            raise _invalid(
                "last_day", "must not be before the audit's start", "不能早于审核开始日期"
            )
        self.record(ev.AuditCompleted(audit_id, actual_days, last_day.isoformat()))

    def _audit(self, audit_id: str) -> Audit:
        if audit_id not in self.audits:
            raise _invalid(
                "audit_id",
                f"no audit {audit_id!r} in {self.id}",
                f"{self.id} 中没有审核 {audit_id!r}",
            )
        return self.audits[audit_id]

    # .. findings .............................................................

    def raise_finding(
        self, finding_id: str, audit_id: str, grade: str, clause: str, evidence: str, auditor: str
    ) -> None:
        audit = self._audit(audit_id)
        if finding_id in self.findings:
            raise _invalid(
                "finding_id", f"{finding_id} already exists", f"不符合项 {finding_id} 已存在"
            )
        if grade not in GRADES:
            raise _invalid(
                "grade", f"must be one of {', '.join(GRADES)}", f"须为 {'、'.join(GRADES)} 之一"
            )
        if auditor not in audit.members():
            raise _invalid(
                "auditor",
                f"{auditor} is not on the team of {audit_id}",
                f"{auditor} 不是审核 {audit_id} 的审核组成员",
            )
        scheme = schemes.get(self.scheme_id)
        if clause not in {c.id for c in scheme.all_clauses()}:
            raise refuse("finding.clause", clause=clause, scheme=scheme.id)
        self.record(
            ev.FindingRaised(
                finding_id, audit_id, grade, clause, _text("evidence", evidence, 4000), auditor
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
                _text("correction", correction, 4000),
                _text("cause", cause, 4000),
                _text("action", action, 4000),
            )
        )

    def close_finding(self, finding_id: str, verifier: str, on: date) -> None:
        f = self._finding(finding_id)
        self._require(
            f.status == "answered" or f.grade in ("observation", "improvement"),
            "closing the finding",
            "关闭该发现",
            "its corrective action is not in yet",
            "尚未提交纠正措施",
        )
        audit = self.audits[f.audit_id]
        if f.grade == "major" and audit.kind in ("stage1", "stage2"):
            stage2 = self._stage2_end()
            if stage2 and on > add_months(stage2, 6):
                raise refuse("nc.major-six-months", finding=finding_id, stage2=stage2.isoformat())
        self.record(ev.FindingClosed(finding_id, _text("verifier", verifier, 64), on.isoformat()))

    def _stage2_end(self) -> date | None:
        ends = [
            a.last_day
            for a in self.audits.values()
            if a.kind == "stage2" and a.cycle == self.cycle and a.last_day
        ]
        return max(ends) if ends else None

    def _finding(self, finding_id: str) -> Finding:
        if finding_id not in self.findings:
            raise _invalid(
                "finding_id",
                f"no finding {finding_id!r} in {self.id}",
                f"{self.id} 中没有不符合项 {finding_id!r}",
            )
        return self.findings[finding_id]

    # .. review and decision ..................................................

    def team_members(self) -> set[str]:
        return {m for a in self.audits.values() if a.cycle == self.cycle for m in a.members()}

    def involved(self) -> set[str]:
        """Everyone who audited, reviewed or decided in any cycle."""
        audited = {m for a in self.audits.values() for m in a.members()}
        return audited | self.reviewers | self.deciders

    def technical_review(self, reviewer: str, recommendation: str) -> None:
        self._require(
            any(a.last_day for a in self.audits.values() if a.cycle == self.cycle),
            "technical review",
            "技术评审",
            "no audit of this cycle is completed",
            "本周期尚无完成的审核",
        )
        if reviewer in self.team_members():
            raise refuse("review.independence", person=reviewer)
        if recommendation not in ("grant", "refuse", "renew"):
            raise _invalid(
                "recommendation", "must be grant, refuse or renew", "须为 grant、refuse 或 renew"
            )
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
    ) -> None:
        """Grant, renew (restore) or refuse certification (ISO/IEC 17021-1 9.5).

        ``site_scopes`` gives a site its own scope where it differs from ``scope``.
        """
        if outcome not in ("grant", "renew", "refuse"):
            raise _invalid(
                "outcome", "must be grant, renew or refuse", "须为 grant、renew 或 refuse"
            )
        for site, text in (site_scopes or {}).items():
            if site not in self.sites:
                raise _invalid(
                    f"site_scopes.{site}",
                    "is not a site of this certification",
                    "不是本认证项目的场所",
                )
            _text(f"site_scopes.{site}", text, 2000)
        self._require(
            self.reviewer is not None,
            "a decision",
            "认证决定",
            "the technical review comes first",
            "须先完成技术评审",
        )
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
                "renewal",
                "再认证",
                "there is no live certificate",
                "没有有效证书",
            )
            assert cert is not None
            if on > cert.expiry_date and on > add_months(cert.expiry_date, 6):
                raise refuse(
                    "recertification.before-expiry",
                    expiry=cert.expiry_date.isoformat(),
                    limit=add_months(cert.expiry_date, 6).isoformat(),
                )
        if outcome == "grant":
            self._require(
                self.certificate is None,
                "a grant",
                "初次认证决定",
                "a certificate exists; renew it instead",
                "已有证书，应进行再认证",
            )
        self.record(ev.CertificationDecided(_text("decider", decider, 64), outcome, on.isoformat()))
        if outcome == "refuse":
            return
        years = schemes.get(self.scheme_id).validity_years
        if outcome == "grant":
            issue = original = on
            expiry = add_months(on, 12 * years) - timedelta(days=1)
            cert_no = _text("number", number, 64)
            scope_text = _text("scope", scope, 2000)
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

    # .. the audit programme ..................................................

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
        cycle = [a for a in self.audits.values() if a.cycle == self.cycle]
        rows = []
        first_due = add_months(decided, 12)
        for year in range(decided.year + 1, cert.expiry_date.year):
            due = min(date(year, 12, 31), first_due) if not rows else date(year, 12, 31)
            done = [a.start for a in cycle if a.kind == "surveillance" and a.start.year == year]
            if year == decided.year + 1 and not done:
                done = [a.start for a in cycle if a.kind == "surveillance" and a.start <= first_due]
            rows.append(
                {
                    "item": f"surveillance-{year}",
                    "due_by": due,
                    "done_on": min(done) if done else None,
                }
            )
        recert = [a.start for a in cycle if a.kind == "recertification"]
        rows.append(
            {
                "item": "recertification",
                "due_by": cert.expiry_date,
                "done_on": min(recert) if recert else None,
            }
        )
        return rows

    # .. certificate status ...................................................

    def _cert(self, action: str, action_zh: str, allowed: tuple[CertStatus, ...]) -> Certificate:
        cert = self.certificate
        if cert is None:
            raise refuse(
                "state.order",
                action=action,
                action_zh=action_zh,
                why="no certificate",
                why_zh="尚未发证",
            )
        if cert.status not in allowed:
            raise refuse(
                "status.transition",
                number=cert.number,
                action=action,
                action_zh=action_zh,
                status=cert.status.value,
            )
        return cert

    def record_credential(self, key_id: str, ledger_index: int, sha256: str) -> None:
        """Note that the live certificate was issued as a credential at ``ledger_index``."""
        cert = self._cert("issue a credential for", "签发电子证书", (CertStatus.active,))
        self.record(ev.CredentialIssued(cert.number, key_id, ledger_index, sha256))

    def assign_status_entry(self, list_no: int, index: int) -> None:
        """Give the certificate its bit in the body's status lists; once, for good, so every
        credential of this certification points at the same bit."""
        self._cert("assign a status entry to", "分配状态位给", tuple(CertStatus))
        if self.status_entry is not None:
            raise _invalid(
                "status_entry",
                f"{self.id} already has status entry {self.status_entry}",
                f"{self.id} 已分配状态位 {self.status_entry}",
            )
        if list_no < 1 or index < 0:
            raise _invalid(
                "index",
                "list_no counts from 1 and index from 0",
                "list_no 从 1 起计，index 从 0 起计",
            )
        self.record(ev.StatusEntryAssigned(list_no, index))

    def status_flags(self) -> dict[str, bool]:
        """The certificate's bits by status purpose (see :func:`status_flags`)."""
        return status_flags(self.certificate.status if self.certificate else None)

    def suspend(self, reason: str, on: date, months: int = 6) -> None:
        """Suspend, with a deadline after which the certificate is withdrawn (9.6.5.2)."""
        self._cert("suspend", "暂停", (CertStatus.active,))
        if not 1 <= months <= 6:
            raise _invalid("months", "suspension lasts 1 to 6 months", "暂停期限为 1 至 6 个月")
        self.record(
            ev.CertificateSuspended(
                _text("reason", reason), on.isoformat(), add_months(on, months).isoformat()
            )
        )

    def restore(self, on: date) -> None:
        cert = self._cert("restore", "恢复", (CertStatus.suspended,))
        assert cert.deadline is not None
        if on > cert.deadline:
            raise refuse(
                "status.transition",
                number=cert.number,
                action="restore after the deadline",
                action_zh="在期限后恢复",
                status=cert.status.value,
            )
        self.record(ev.CertificateRestored(on.isoformat()))

    def withdraw(self, reason: str, on: date) -> None:
        self._cert("withdraw", "撤销", (CertStatus.active, CertStatus.suspended))
        self.record(ev.CertificateWithdrawn(_text("reason", reason), on.isoformat()))

    def expire(self, on: date) -> None:
        cert = self._cert("expire", "到期", (CertStatus.active, CertStatus.suspended))
        if on <= cert.expiry_date:
            raise refuse(
                "status.transition",
                number=cert.number,
                action="expire before its date",
                action_zh="提前到期",
                status=cert.status.value,
            )
        self.record(ev.CertificateExpired(on.isoformat()))

    def enforce_clocks(self, on: date) -> list[str]:
        """Apply what time decides: unresolved suspensions end in withdrawal
        (``clock.suspension-lapsed``, ISO/IEC 17021-1:2015 9.6.5), lapsed certificates expire
        (``clock.expired``, 8.2.2, 9.6.3.2). Each event names the rule that fired and its
        source; a certificate with nothing due records nothing, so running twice is harmless."""
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

    def change_scope(self, change: str, scope: str, sites: list[str], on: date, body: Body) -> None:
        self._cert(f"{change} the scope of", "变更范围", (CertStatus.active,))
        if change not in ("reduce", "extend"):
            raise _invalid("change", "must be reduce or extend", "须为 reduce 或 extend")
        if not sites or any(s not in self.sites for s in sites):
            raise _invalid("sites", "must be sites of this certification", "须为本认证项目的场所")
        if change == "extend":
            body.require_scope(self.scheme_id, self.sectors, on)
        self.record(
            ev.CertificateScopeChanged(
                change, _text("scope", scope, 2000), list(sites), on.isoformat()
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
    ) -> Certification:
        """Take over ``source`` at ``body`` (IAF MD 2:2017): same cycle, new certificate number.

        The source must be active (not suspended or about to lapse), the accepting body
        approved for its scheme and sectors on ``on``, and the reviewer and decider two people.
        """
        cert = source.certificate
        if cert is not None and cert.status == CertStatus.suspended:
            raise refuse("transfer.suspended", number=cert.number)
        source._cert("transfer", "转换", (CertStatus.active,))
        assert cert is not None
        if body.id == source.body_id:
            raise _invalid(
                "body_id",
                "must be another body than the issuing one",
                "须为发证认证机构以外的另一认证机构",
            )
        body.require_scope(source.scheme_id, source.sectors, on)
        if reviewer == decider:
            raise refuse("decision.independence", person=decider)
        if on > cert.expiry_date:
            raise refuse(
                "status.transition",
                number=cert.number,
                action="transfer after expiry",
                action_zh="到期后转换",
                status=cert.status.value,
            )
        new = cls(_text("certification_id", certification_id, 64))
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
                _text("reviewer", reviewer, 64),
                _text("decider", decider, 64),
                on.isoformat(),
            )
        )
        new.record(
            ev.CertificateIssued(
                _text("number", number, 64),
                cert.scope,
                list(cert.sites),
                on.isoformat(),
                cert.original_issue_date.isoformat(),
                cert.expiry_date.isoformat(),
                cert.site_scopes,
            )
        )
        source.transfer(body.id, on)
        return new

    def transfer(self, to_body: str, on: date) -> None:
        """Hand the certification to another accredited body (IAF MD 2)."""
        cert = self.certificate
        if cert is not None and cert.status == CertStatus.suspended:
            raise refuse("transfer.suspended", number=cert.number)
        self._cert("transfer", "转换", (CertStatus.active,))
        if to_body == self.body_id:
            raise _invalid("to_body", "must be another body", "须为另一认证机构")
        self.record(ev.CertificateTransferred(_text("to_body", to_body, 64), on.isoformat()))

    def _require(self, ok: bool, action: str, action_zh: str, why: str, why_zh: str) -> None:
        if not ok:
            raise refuse("state.order", action=action, action_zh=action_zh, why=why, why_zh=why_zh)

    # .. event application ....................................................

    def required_random_sites(self, kind: str) -> list[str]:
        """Sites the next ``kind`` audit must include, drawn at random (IAF MD 1 6.1)."""
        size = self._sample_size(kind)
        if not size:
            return []
        nth = sum(1 for a in self.audits.values() if a.cycle == self.cycle and a.kind == kind)
        others = [s for s in self.sites if s != self.central_site]
        return schemes.random_sites(others, size, self.id, self.cycle, kind, nth)

    def _sample_size(self, kind: str) -> int:
        key = {
            "stage2": "initial",
            "surveillance": "surveillance",
            "recertification": "recertification",
        }.get(kind)
        sample = self.contract.sample if self.contract else None
        return sample[key] if sample and key else 0

    def _check_sample(self, kind: str, sites: list[str]) -> list[str] | None:
        size = self._sample_size(kind)
        if not size:
            return None
        central = self.central_site
        visited = [s for s in sites if s != central]
        if len(visited) < size or (central and central not in sites):
            raise refuse(
                "md1.sample",
                kind=kind,
                size=size,
                central=f" (and the central function {central})" if central else "",
            )
        drawn = self.required_random_sites(kind)
        if not set(drawn) <= set(sites):
            raise refuse("md1.random", sites=drawn)
        return drawn

    def _on_applied(self, e: ev.ApplicationSubmitted) -> None:
        self.body_id, self.client_id, self.scheme_id = e.body_id, e.client_id, e.scheme_id
        self.sectors, self.sites, self.personnel, self.complexity = (
            e.sectors,
            e.sites,
            e.personnel,
            e.complexity,
        )
        self.central_site = e.central_site

    def _on_transfer_accepted(self, e: ev.TransferAccepted) -> None:
        self.body_id, self.client_id, self.scheme_id = e.body_id, e.client_id, e.scheme_id
        self.sectors, self.sites, self.personnel = e.sectors, e.sites, e.personnel
        self.reviewers.add(e.reviewer)
        self.deciders.add(e.decider)
        self.decided_on = date.fromisoformat(e.on)
        self.cycle = 1
        self.transferred_from = e.from_certification

    def _on_contract_reviewed(self, e: ev.ContractReviewed) -> None:
        self.contract = e

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
        )

    def _on_checked_in(self, e: ev.AuditorCheckedIn) -> None:
        self.audits[e.audit_id].presence.append((e.auditor, "in"))

    def _on_checked_out(self, e: ev.AuditorCheckedOut) -> None:
        self.audits[e.audit_id].presence.append((e.auditor, "out"))

    def _on_audit_completed(self, e: ev.AuditCompleted) -> None:
        a = self.audits[e.audit_id]
        a.actual_days, a.last_day = e.actual_days, date.fromisoformat(e.last_day)

    def _on_finding_raised(self, e: ev.FindingRaised) -> None:
        self.findings[e.finding_id] = Finding(e.audit_id, e.grade, e.clause)

    def _on_corrective_action_submitted(self, e: ev.CorrectiveActionSubmitted) -> None:
        self.findings[e.finding_id].status = "answered"

    def _on_finding_closed(self, e: ev.FindingClosed) -> None:
        self.findings[e.finding_id].status = "closed"

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


STATUS_PURPOSES = ("revocation", "suspension")


def status_flags(status: str | None) -> dict[str, bool]:
    """A certificate status's bits by status purpose: revocation for a withdrawal (a transfer
    withdraws too), suspension while suspended (W3C Bitstring Status List v1.0 2.1)."""
    return {
        "revocation": status == CertStatus.withdrawn,
        "suspension": status == CertStatus.suspended,
    }


class PublishedStatusList(Aggregate):
    """One status list of a body (``<body>.<purpose>.<list_no>``) and every version it published.

    Only the newest bitstring is kept in state; every version's signed list credential stays on
    the ledger, so the list as it stood at any instant can be fetched and proved.
    """

    kind = "status-list"

    def __init__(self, id: str) -> None:
        super().__init__(id)
        self.body_id = self.purpose = ""
        self.list_no = 0
        self.encoded_list: str | None = None
        self.versions: list[ev.StatusListPublished] = []

    @staticmethod
    def id_for(body_id: str, purpose: str, list_no: int) -> str:
        if purpose not in STATUS_PURPOSES:
            raise _invalid(
                "purpose", "must be revocation or suspension", "须为 revocation 或 suspension"
            )
        return f"{body_id}.{purpose}.{list_no}"

    def publish(
        self,
        body_id: str,
        purpose: str,
        list_no: int,
        valid_from: datetime,
        encoded_list: str,
        ledger_index: int,
        sha256: str,
    ) -> None:
        """Record a new version; refuse one that goes back in time (versions are ordered)."""
        if self.id != self.id_for(body_id, purpose, list_no):
            raise _invalid(
                "list",
                f"{self.id} is not list {list_no} of {purpose} of {body_id}",
                f"{self.id} 不是 {body_id} 的第 {list_no} 号 {purpose} 状态列表",
            )
        at = _instant(valid_from)
        if self.versions and at < self.versions[-1].valid_from:
            raise _invalid(
                "valid_from",
                f"must not be before {self.versions[-1].valid_from}",
                f"不能早于 {self.versions[-1].valid_from}",
            )
        self.record(
            ev.StatusListPublished(
                body_id,
                purpose,
                list_no,
                len(self.versions) + 1,
                at,
                encoded_list,
                ledger_index,
                sha256,
            )
        )

    def _on_published(self, e: ev.StatusListPublished) -> None:
        self.body_id, self.purpose, self.list_no = e.body_id, e.purpose, e.list_no
        self.encoded_list = e.encoded_list
        self.versions.append(e)


class ProcessLine(Aggregate):
    """A client's production line as its quality monitor sees it: the alarms it raised and
    cleared (id ``<client>.<line>``). The readings stay with the client; the alarms are facts."""

    kind = "line"

    def __init__(self, id: str) -> None:
        super().__init__(id)
        self.client_id = self.line = ""
        self.alarms: list[dict[str, Any]] = []

    @staticmethod
    def id_for(client_id: str, line: str) -> str:
        if not re.fullmatch(r"[A-Za-z0-9_-]{1,64}", line):
            raise _invalid(
                "line", "1-64 of letters, digits, '_', '-'", "须为 1-64 个字母、数字、'_' 或 '-'"
            )
        return f"{client_id}.{line}"

    @property
    def open_alarm(self) -> dict[str, Any] | None:
        return self.alarms[-1] if self.alarms and self.alarms[-1]["cleared"] is None else None

    def raise_alarm(
        self,
        client: Client,
        line: str,
        reading: int,
        onset: int,
        statistic: str,
        value: float,
        limit: float,
        top_variables: list[str],
        at: datetime,
    ) -> None:
        """Record an alarm; refuse a second one while one is open, or one that is no alarm."""
        if self.id != self.id_for(client.id, line):
            raise _invalid(
                "line",
                f"{self.id} is not line {line} of {client.id}",
                f"{self.id} 不是 {client.id} 的生产线 {line}",
            )
        if self.open_alarm is not None:
            raise _invalid(
                "reading",
                f"an alarm raised at reading {self.open_alarm['reading']} is open",
                f"第 {self.open_alarm['reading']} 个读数处的报警尚未解除",
            )
        if not 0 <= onset <= reading:
            raise _invalid(
                "onset", "must be a reading at or before the alarm's", "须为报警读数或其之前的读数"
            )
        if not value > limit:
            raise _invalid(
                "value", f"{value} does not exceed the limit {limit}", f"{value} 未超过限值 {limit}"
            )
        self.record(
            ev.LineAlarmRaised(
                client.id,
                line,
                reading,
                onset,
                _text("statistic", statistic, 32),
                float(value),
                float(limit),
                [_text("top_variables", v, 64) for v in top_variables[:10]],
                _instant(at),
            )
        )

    def clear_alarm(self, reading: int, at: datetime) -> None:
        """End the open alarm at ``reading``."""
        open_ = self.open_alarm
        if open_ is None:
            raise _invalid(
                "reading", f"line {self.id} has no open alarm", f"生产线 {self.id} 没有未解除的报警"
            )
        if reading <= open_["reading"]:
            raise _invalid(
                "reading",
                f"must come after the alarm's reading {open_['reading']}",
                f"须在报警读数 {open_['reading']} 之后",
            )
        self.record(ev.LineAlarmCleared(reading, _instant(at)))

    def _on_alarm_raised(self, e: ev.LineAlarmRaised) -> None:
        self.client_id, self.line = e.client_id, e.line
        self.alarms.append({**e.data(), "cleared": None, "cleared_at": None})

    def _on_alarm_cleared(self, e: ev.LineAlarmCleared) -> None:
        self.alarms[-1]["cleared"], self.alarms[-1]["cleared_at"] = e.reading, e.at


class Case(Aggregate):
    """A complaint or an appeal, handled by someone independent of what it is about."""

    kind = "case"

    def __init__(self, id: str) -> None:
        super().__init__(id)
        self.kind_ = self.body_id = self.certification_id = self.handler = ""
        self.summary = self.outcome = ""
        self.resolved_on: str | None = None
        self.resolved = False

    @classmethod
    def open(
        cls, case_id: str, kind: str, certification: Certification, handler: str, summary: str
    ) -> Case:
        if kind not in ("complaint", "appeal"):
            raise _invalid("kind", "must be complaint or appeal", "须为 complaint 或 appeal")
        if handler in certification.involved():
            raise refuse(
                "case.independence",
                person=handler,
                kind=kind,
                kind_zh="投诉" if kind == "complaint" else "申诉",
            )
        c = cls(_text("case_id", case_id, 64))
        c.record(
            ev.CaseOpened(
                c.id,
                kind,
                certification.id,
                certification.body_id,
                _text("handler", handler, 64),
                _text("summary", summary, 4000),
            )
        )
        return c

    def resolve(self, outcome: str, on: date) -> None:
        if self.resolved:
            raise refuse(
                "state.order",
                action="resolving",
                action_zh="处理",
                why="already resolved",
                why_zh="已处理完毕",
            )
        self.record(ev.CaseResolved(_text("outcome", outcome, 4000), on.isoformat()))

    def _on_opened(self, e: ev.CaseOpened) -> None:
        self.kind_, self.body_id = e.kind, e.body_id
        self.certification_id, self.handler = e.certification_id, e.handler
        self.summary = e.summary

    def _on_resolved(self, e: ev.CaseResolved) -> None:
        self.resolved = True
        self.outcome, self.resolved_on = e.outcome, e.on
