"""Handlers: open the unit of work, load, call one domain method, commit.

``handle(command, uow)`` is the message bus: it finds the handler by the
command's type and returns the ledger indices of the events it recorded.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any, Protocol

from .. import schemes, security
from ..errors import QcertError
from . import commands as c
from .accounts import Account
from .aggregate import Aggregate, invalid
from .booking import Commitment
from .case_handlers import CASE_HANDLERS
from .certification import Certification
from .documents import PHOTO_TYPES, FileFacts, media_type_of
from .lines import ProcessLine
from .parties import Auditor, Body, Client
from .photos import photo_facts

__all__ = ["UnitOfWork", "handle"]


class UnitOfWork(Protocol):
    reply: dict[str, Any]  # what the command gives back besides its events (a key, shown once)
    actor: str  # who is acting
    tz: str  # the zone the actor works in
    documents: Any  # the document store

    def __enter__(self) -> UnitOfWork: ...
    def __exit__(self, *exc: object) -> None: ...
    def get(self, cls: type[Any], id: str) -> Any: ...
    def exists(self, cls: type[Any], id: str) -> bool: ...
    def add(self, agg: Aggregate) -> None: ...
    def put_secret(self, kind: str, id: str, secret_hash: str | None) -> None: ...
    def secret(self, kind: str, id: str) -> str | None: ...
    def invitation_client(self, invitation_id: str) -> str | None: ...
    def certifications_of(self, client_id: str, body_id: str, scheme_id: str) -> list[str]: ...
    def commitments(
        self, auditor_ids: list[str], first: date, last: date, body_id: str = ""
    ) -> list[Commitment]: ...
    def clock(self) -> datetime: ...
    def commit(self, tenant: str = "") -> list[int]: ...


def _certification(uow: UnitOfWork, cmd: Any) -> Certification:
    return uow.get(Certification, cmd.certification_id)


def register_body(cmd: c.RegisterBody, uow: UnitOfWork) -> None:
    uow.add(
        Body.register(cmd.body_id, cmd.approval_no, cmd.name_zh, cmd.name_en, cmd.accreditation)
    )


def grant_body_scope(cmd: c.GrantBodyScope, uow: UnitOfWork) -> None:
    uow.get(Body, cmd.body_id).grant_scope(cmd.scheme_id, cmd.sectors, cmd.valid_from, cmd.valid_to)


def add_body_key(cmd: c.AddBodyKey, uow: UnitOfWork) -> None:
    uow.get(Body, cmd.body_id).add_key(cmd.key_id, cmd.public_key_multibase, cmd.valid_from)


def revoke_body_key(cmd: c.RevokeBodyKey, uow: UnitOfWork) -> None:
    uow.get(Body, cmd.body_id).revoke_key(cmd.key_id, cmd.revoked, cmd.reason)


def register_auditor(cmd: c.RegisterAuditor, uow: UnitOfWork) -> None:
    uow.get(Body, cmd.body_id)
    uow.add(Auditor.register(cmd.auditor_id, cmd.registration_no, cmd.name_zh, cmd.body_id))


def qualify_auditor(cmd: c.QualifyAuditor, uow: UnitOfWork) -> None:
    uow.get(Auditor, cmd.auditor_id).qualify(cmd.scheme_id, cmd.sectors)


def register_client(cmd: c.RegisterClient, uow: UnitOfWork) -> None:
    uow.add(
        Client.register(
            cmd.client_id,
            cmd.uscc,
            cmd.name_zh,
            cmd.name_en,
            cmd.address,
            cmd.adcode,
            cmd.personnel,
            cmd.sites,
            cmd.confidential,
        )
    )


def _line(uow: UnitOfWork, client_id: str, line: str) -> ProcessLine:
    line_id = ProcessLine.id_for(client_id, line)
    if uow.exists(ProcessLine, line_id):
        return uow.get(ProcessLine, line_id)
    new = ProcessLine(line_id)
    uow.add(new)
    return new


def record_line_alarm(cmd: c.RecordLineAlarm, uow: UnitOfWork) -> None:
    client = uow.get(Client, cmd.client_id)
    _line(uow, cmd.client_id, cmd.line).raise_alarm(
        client,
        cmd.line,
        cmd.reading,
        cmd.onset,
        cmd.statistic,
        cmd.value,
        cmd.limit,
        cmd.top_variables,
        cmd.at,
    )


def clear_line_alarm(cmd: c.ClearLineAlarm, uow: UnitOfWork) -> None:
    uow.get(Client, cmd.client_id)
    _line(uow, cmd.client_id, cmd.line).clear_alarm(cmd.reading, cmd.at)


def not_a_certification_of(certification_id: str, client_id: str) -> Exception:
    """The refusal of a document given for a certification that is not the client's."""
    return invalid(
        "certification_id",
        "certification.not_of_client",
        certification=certification_id,
        client=client_id,
    )


def upload_document(cmd: c.UploadDocument, uow: UnitOfWork) -> None:
    # The bytes come with the upload and are stored under their own hash: a hash alone
    # records nothing, so nobody claims a file they never had.
    content = cmd.content
    if content is None or hashlib.sha256(content).hexdigest() != cmd.sha256:
        raise invalid("file", "upload.content_digest")
    if len(content) != cmd.size or media_type_of(content) != cmd.media_type:
        raise invalid("file", "upload.size_type")
    client = uow.get(Client, cmd.client_id)
    # ISO/IEC 17021-1:2015 8.4: what an organisation gives one body stays with that body, so
    # a document names the certification it serves, and that one must be its own.
    cid = cmd.certification_id
    if cid is not None and uow.get(Certification, cid).client_id != cmd.client_id:
        raise not_a_certification_of(cid, cmd.client_id)
    client.upload_document(
        cmd.sha256,
        cmd.filename,
        cmd.media_type,
        cmd.size,
        cmd.purpose,
        cmd.uploaded_by,
        cmd.certification_id,
        _file_facts(cmd, content),
    )
    if uow.documents is None:
        raise QcertError("upload-document: this installation keeps no documents")
    # Stored before the event commits: a file without an event (a refused upload) is
    # harmless, an event without its file would be a loss.
    uow.documents.put(content)


def _sm3(content: bytes, given: str | None, field_: str) -> str:
    """The SM3 digest (GB/T 32905-2016) of ``content``, which must be ``given`` if given."""
    digest = hashlib.new("sm3", content).hexdigest()
    if given is not None and given != digest:
        raise invalid(field_, "digest.sm3_file")
    return digest


def _file_facts(cmd: c.UploadDocument, content: bytes) -> FileFacts:
    """The SM3 digest and, for a photo, when and where it was taken: from the command (the
    upload form) where it says, else from the photo's EXIF metadata."""
    sm3 = _sm3(content, cmd.sm3, "sm3")
    if cmd.media_type not in PHOTO_TYPES:
        return FileFacts(sm3)
    facts = photo_facts(content)  # refuses an image over the pixel limit
    at = cmd.taken_at.isoformat() if cmd.taken_at is not None else facts.taken_at
    if cmd.taken_lat is not None and cmd.taken_lon is not None:
        return FileFacts(sm3, at, cmd.taken_lat, cmd.taken_lon)
    return FileFacts(sm3, at, facts.lat, facts.lon)


def apply_for_certification(cmd: c.ApplyForCertification, uow: UnitOfWork) -> None:
    body, client = uow.get(Body, cmd.body_id), uow.get(Client, cmd.client_id)
    scheme_id = schemes.get(cmd.scheme_id).id
    held = [
        uow.get(Certification, cid)
        for cid in uow.certifications_of(cmd.client_id, cmd.body_id, scheme_id)
    ]
    uow.add(
        Certification.apply_for(
            cmd.certification_id,
            body,
            client,
            cmd.scheme_id,
            cmd.sectors,
            cmd.sites,
            cmd.complexity,
            on=uow.recording.today,
            held=held,
        )
    )


def review_contract(cmd: c.ReviewContract, uow: UnitOfWork) -> None:
    cert = _certification(uow, cmd)
    client = uow.get(Client, cert.client_id)
    staff = {s: site.get("personnel") for s, site in client.sites.items()}
    cert.review_contract(
        cmd.reviewer,
        uow.get(Body, cert.body_id),
        uow.recording.today,
        cmd.reduction_pct,
        cmd.integrated_pct,
        cmd.site_reduction_pct,
        staff,
    )


def plan_audit(cmd: c.PlanAudit, uow: UnitOfWork) -> None:
    cert = _certification(uow, cmd)
    body = uow.get(Body, cert.body_id)
    auditors = {m["auditor"]: uow.get(Auditor, m["auditor"]) for m in cmd.team if m.get("auditor")}
    # The team's other audits, read in this transaction (their rows locked): two plans naming
    # the same person on the same days cannot both pass.
    busy = uow.commitments(sorted(auditors), cmd.start, cmd.end, cert.body_id)
    cert.plan_audit(
        cmd.audit_id,
        cmd.kind,
        cmd.team,
        cmd.method,
        cmd.start,
        cmd.end,
        cmd.planned_days,
        cmd.sites,
        auditors,
        body,
        cmd.override,
        busy,
    )


def check_in(cmd: c.CheckIn, uow: UnitOfWork) -> None:
    cert = _certification(uow, cmd)
    sites = uow.get(Client, cert.client_id).sites
    photo = _check_in_photo(cmd)
    cert.check_in(
        cmd.audit_id,
        cmd.auditor,
        cmd.lat,
        cmd.lon,
        cmd.out,
        sites,
        uow.recording,
        accuracy_m=cmd.accuracy_m,
        photo=photo,
    )
    if cmd.photo is not None:
        if uow.documents is None:
            raise QcertError("check-in: this installation keeps no documents")
        # Stored before the event commits, as uploads are: a photo without an event is
        # harmless, an event without its photo would be a loss.
        uow.documents.put(cmd.photo)


def _check_in_photo(cmd: c.CheckIn) -> tuple[str, str] | None:
    """The check-in photo's (SHA-256, SM3), checked against its bytes: a hash alone records
    nothing, so the bytes must come with it, be a JPEG or PNG and be within the pixel limit."""
    if cmd.photo is None:
        if cmd.photo_sha256 is not None or cmd.photo_sm3 is not None:
            raise invalid("photo", "photo.digests_without_photo")
        return None
    if media_type_of(cmd.photo) not in PHOTO_TYPES:
        raise invalid("photo", "photo.type")
    photo_facts(cmd.photo)  # refuses an image over the pixel limit (a decompression bomb)
    sha256 = hashlib.sha256(cmd.photo).hexdigest()
    if cmd.photo_sha256 is not None and cmd.photo_sha256 != sha256:
        raise invalid("photo_sha256", "digest.sha256_photo")
    return sha256, _sm3(cmd.photo, cmd.photo_sm3, "photo_sm3")


def complete_audit(cmd: c.CompleteAudit, uow: UnitOfWork) -> None:
    _certification(uow, cmd).complete_audit(
        cmd.audit_id, cmd.actual_days, cmd.last_day, cmd.on_site_days, uow.recording
    )


def record_test(cmd: c.RecordTest, uow: UnitOfWork) -> None:
    _certification(uow, cmd).record_test(
        cmd.test_id,
        cmd.stage,
        cmd.laboratory,
        cmd.report_no,
        cmd.result,
        cmd.on,
        cmd.note,
        uow.recording,
    )


def raise_finding(cmd: c.RaiseFinding, uow: UnitOfWork) -> None:
    _certification(uow, cmd).raise_finding(
        cmd.finding_id, cmd.audit_id, cmd.grade, cmd.clause, cmd.evidence, cmd.auditor
    )


def answer_finding(cmd: c.AnswerFinding, uow: UnitOfWork) -> None:
    _certification(uow, cmd).answer_finding(cmd.finding_id, cmd.correction, cmd.cause, cmd.action)


def close_finding(cmd: c.CloseFinding, uow: UnitOfWork) -> None:
    _certification(uow, cmd).close_finding(cmd.finding_id, cmd.verifier, cmd.on, uow.recording)


def technical_review(cmd: c.TechnicalReview, uow: UnitOfWork) -> None:
    _certification(uow, cmd).technical_review(cmd.reviewer, cmd.recommendation)


def decide(cmd: c.Decide, uow: UnitOfWork) -> None:
    cert = _certification(uow, cmd)
    body = uow.get(Body, cert.body_id)
    cert.decide(
        cmd.decider,
        cmd.outcome,
        cmd.on,
        body,
        cmd.number,
        cmd.scope,
        cmd.site_scopes,
        rec=uow.recording,
    )


def suspend_certificate(cmd: c.SuspendCertificate, uow: UnitOfWork) -> None:
    _certification(uow, cmd).suspend(cmd.reason, cmd.on, cmd.months, uow.recording)


def restore_certificate(cmd: c.RestoreCertificate, uow: UnitOfWork) -> None:
    _certification(uow, cmd).restore(cmd.on, uow.recording)


def withdraw_certificate(cmd: c.WithdrawCertificate, uow: UnitOfWork) -> None:
    _certification(uow, cmd).withdraw(cmd.reason, cmd.on, uow.recording)


def expire_certificate(cmd: c.ExpireCertificate, uow: UnitOfWork) -> None:
    _certification(uow, cmd).expire(cmd.on, uow.recording)


def change_scope(cmd: c.ChangeScope, uow: UnitOfWork) -> None:
    cert = _certification(uow, cmd)
    body = uow.get(Body, cert.body_id)
    cert.change_scope(cmd.change, cmd.scope, cmd.sites, cmd.on, body, uow.recording)


def transfer_certificate(cmd: c.TransferCertificate, uow: UnitOfWork) -> None:
    uow.get(Body, cmd.to_body)
    _certification(uow, cmd).transfer(cmd.to_body, cmd.on, uow.recording)


def accept_transfer(cmd: c.AcceptTransfer, uow: UnitOfWork) -> None:
    source = uow.get(Certification, cmd.from_certification_id)
    uow.add(
        Certification.accept_transfer(
            cmd.certification_id,
            uow.get(Body, cmd.body_id),
            source,
            cmd.reviewer,
            cmd.decider,
            cmd.on,
            cmd.number,
            uow.recording,
        )
    )


def approve_late_record(cmd: c.ApproveLateRecord, uow: UnitOfWork) -> None:
    _certification(uow, cmd).approve_late_record(cmd.action, cmd.on, cmd.reason, uow.recording)


def enforce_clocks(cmd: c.EnforceClocks, uow: UnitOfWork) -> None:
    rec = uow.recording
    for cid in cmd.certification_ids:
        uow.get(Certification, cid).enforce_clocks(cmd.on, rec)


def _open(uow: UnitOfWork, account_id: str, display_name: str, roles: list[str], pw: str) -> None:
    hashed = security.hash_password(pw)
    uow.add(Account.open(account_id, display_name, roles, security.commitment(hashed)))
    uow.put_secret("password", account_id, hashed)


def open_account(cmd: c.OpenAccount, uow: UnitOfWork) -> None:
    _open(uow, cmd.account_id, cmd.display_name, cmd.roles, cmd.password)


def change_password(cmd: c.ChangePassword, uow: UnitOfWork) -> None:
    account = uow.get(Account, cmd.account_id)
    stored = uow.secret("password", cmd.account_id)
    if stored is None or not security.verify_password(stored, cmd.current_password):
        raise invalid("current_password", "password.not_current")
    hashed = security.hash_password(cmd.password)
    account.change_password(security.commitment(hashed))
    uow.put_secret("password", cmd.account_id, hashed)


def set_roles(cmd: c.SetRoles, uow: UnitOfWork) -> None:
    uow.get(Account, cmd.account_id).set_roles(cmd.roles)


def issue_api_key(cmd: c.IssueApiKey, uow: UnitOfWork) -> None:
    account = uow.get(Account, cmd.account_id)
    key_id, key = security.new_api_key()
    while uow.secret("api-key", key_id) is not None:  # 64 random bits: a clash is a marvel
        key_id, key = security.new_api_key()
    hashed = security.hash_api_key(key)
    account.issue_key(key_id, security.commitment(hashed), cmd.label)
    uow.put_secret("api-key", key_id, hashed)
    uow.reply = {"key_id": key_id, "api_key": key}


def revoke_api_key(cmd: c.RevokeApiKey, uow: UnitOfWork) -> None:
    uow.get(Account, cmd.account_id).revoke_key(cmd.key_id)
    uow.put_secret("api-key", cmd.key_id, None)


def revoke_sessions(cmd: c.RevokeSessions, uow: UnitOfWork) -> None:
    uow.get(Account, cmd.account_id).revoke_sessions()


def give_consent(cmd: c.GiveConsent, uow: UnitOfWork) -> None:
    body = uow.get(Body, cmd.body_id)
    uow.get(Client, cmd.client_id).give_consent(body, uow.actor, cmd.note)


def withdraw_consent(cmd: c.WithdrawConsent, uow: UnitOfWork) -> None:
    uow.get(Client, cmd.client_id).withdraw_consent(cmd.body_id, uow.actor)


INVITATION_DAYS = 14  # an invitation's code holds this long


def invite_user(cmd: c.InviteUser, uow: UnitOfWork) -> None:
    client = uow.get(Client, cmd.client_id)
    invitation_id, code = security.new_invitation()
    hashed = security.hash_api_key(code)  # 256 random bits: a plain SHA-256 suffices
    expires = (uow.clock() + timedelta(days=INVITATION_DAYS)).date()
    client.invite(
        invitation_id, cmd.role, uow.actor, expires, security.commitment(hashed), cmd.note
    )
    uow.put_secret("invitation", invitation_id, hashed)
    uow.reply = {"invitation_id": invitation_id, "code": code, "expires": expires.isoformat()}


def _redeem(uow: UnitOfWork, code: str, account_id: str) -> str:
    """Check an invitation's code and record its acceptance; the role it grants."""
    parts = security.split_invitation(code)
    stored = parts and uow.secret("invitation", parts[0])
    client_id = parts and uow.invitation_client(parts[0])
    if not parts or not stored or not client_id or not security.verify_api_key(stored, code):
        raise invalid("code", "invitation.invalid")
    role = uow.get(Client, client_id).accept_invitation(parts[0], account_id, uow.clock().date())
    uow.put_secret("invitation", parts[0], None)  # a code is good for one account only
    return role


def join_with_invitation(cmd: c.JoinWithInvitation, uow: UnitOfWork) -> None:
    role = _redeem(uow, cmd.code, cmd.account_id)
    _open(uow, cmd.account_id, cmd.display_name, [role], cmd.password)


def accept_invitation(cmd: c.AcceptInvitation, uow: UnitOfWork) -> None:
    role = _redeem(uow, cmd.code, cmd.account_id)
    uow.get(Account, cmd.account_id).grant(role)


HANDLERS: dict[type, Callable[[Any, UnitOfWork], None]] = {
    c.AcceptTransfer: accept_transfer,
    c.ApproveLateRecord: approve_late_record,
    c.AddBodyKey: add_body_key,
    c.RevokeBodyKey: revoke_body_key,
    c.OpenAccount: open_account,
    c.ChangePassword: change_password,
    c.SetRoles: set_roles,
    c.IssueApiKey: issue_api_key,
    c.RevokeApiKey: revoke_api_key,
    c.RevokeSessions: revoke_sessions,
    c.GiveConsent: give_consent,
    c.WithdrawConsent: withdraw_consent,
    c.InviteUser: invite_user,
    c.JoinWithInvitation: join_with_invitation,
    c.AcceptInvitation: accept_invitation,
    c.RegisterBody: register_body,
    c.GrantBodyScope: grant_body_scope,
    c.RegisterAuditor: register_auditor,
    c.QualifyAuditor: qualify_auditor,
    c.RegisterClient: register_client,
    c.UploadDocument: upload_document,
    c.RecordLineAlarm: record_line_alarm,
    c.ClearLineAlarm: clear_line_alarm,
    c.ApplyForCertification: apply_for_certification,
    c.ReviewContract: review_contract,
    c.PlanAudit: plan_audit,
    c.CheckIn: check_in,
    c.CompleteAudit: complete_audit,
    c.RecordTest: record_test,
    c.RaiseFinding: raise_finding,
    c.AnswerFinding: answer_finding,
    c.CloseFinding: close_finding,
    c.TechnicalReview: technical_review,
    c.Decide: decide,
    c.SuspendCertificate: suspend_certificate,
    c.RestoreCertificate: restore_certificate,
    c.WithdrawCertificate: withdraw_certificate,
    c.ExpireCertificate: expire_certificate,
    c.ChangeScope: change_scope,
    c.TransferCertificate: transfer_certificate,
    c.EnforceClocks: enforce_clocks,
    **CASE_HANDLERS,
}


def handle(command: Any, uow: UnitOfWork) -> list[int]:
    """Run ``command`` in one unit of work; return the ledger indices of its events."""
    handler = HANDLERS[type(command)]
    with uow:
        handler(command, uow)
        return uow.commit()
