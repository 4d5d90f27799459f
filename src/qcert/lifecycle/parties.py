"""The parties to certification: bodies and the scopes they are approved for, auditors and their
qualifications, client organisations and their sites."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from .. import schemes
from . import events as ev
from .aggregate import Aggregate, invalid, out_of_order, text_field, utc_instant
from .documents import FileFacts, check_document
from .identifiers import check_adcode, check_uscc
from .rules import refuse

__all__ = ["Auditor", "Body", "Client", "check_sectors"]


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
        body = cls(text_field("body_id", body_id, 64))
        body.record(
            ev.BodyRegistered(
                body.id,
                text_field("approval_no", approval_no, 64),
                text_field("name_zh", name_zh),
                text_field("name_en", name_en),
                text_field("accreditation", accreditation, 64),
            )
        )
        return body

    def grant_scope(
        self, scheme_id: str, sectors: list[int], valid_from: date, valid_to: date | None = None
    ) -> None:
        scheme = schemes.get(scheme_id)
        check_sectors(sectors)
        if valid_to and valid_to < valid_from:
            raise invalid("valid_to", "date.before_valid_from")
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
            raise invalid("key_id", "key.id_format")
        if key_id in self.keys:
            raise invalid("key_id", "key.exists", key_id=key_id, body=self.id)
        if not re.fullmatch(r"z6Mk[1-9A-HJ-NP-Za-km-z]{44}", public_key_multibase):
            raise invalid("public_key_multibase", "key.not_multikey")
        self.record(ev.BodyKeyAdded(key_id, public_key_multibase, utc_instant(valid_from)))

    def revoke_key(self, key_id: str, revoked: datetime, reason: str) -> None:
        key = self.keys.get(key_id)
        if key is None or key["revoked"]:
            raise invalid("key_id", "key.not_live", key_id=key_id, body=self.id)
        self.record(ev.BodyKeyRevoked(key_id, utc_instant(revoked), text_field("reason", reason)))

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


def check_sectors(sectors: list[int]) -> None:
    if not sectors:
        raise invalid("sectors", "sectors.none")
    bad = [s for s in sectors if s not in schemes.sectors()]
    if bad:
        raise invalid("sectors", "sectors.unknown", sectors=str(bad))


class Auditor(Aggregate):
    """A registered auditor, the body employing them, and their qualifications."""

    kind = "auditor"

    def __init__(self, id: str) -> None:
        super().__init__(id)
        self.body_id = ""
        self.qualifications: dict[str, set[int]] = {}

    @classmethod
    def register(cls, auditor_id: str, registration_no: str, name_zh: str, body_id: str) -> Auditor:
        a = cls(text_field("auditor_id", auditor_id, 64))
        a.record(
            ev.AuditorRegistered(
                a.id,
                text_field("registration_no", registration_no, 64),
                text_field("name_zh", name_zh),
                text_field("body_id", body_id, 64),
            )
        )
        return a

    def qualify(self, scheme_id: str, sectors: list[int]) -> None:
        scheme = schemes.get(scheme_id)
        check_sectors(sectors)
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
            raise invalid("personnel", "number.whole_at_least_one")
        clean = [_site(i, s) for i, s in enumerate(sites)]
        if len({s["id"] for s in clean}) != len(clean):
            raise invalid("sites", "sites.duplicate_ids")
        c = cls(text_field("client_id", client_id, 64))
        c.record(
            ev.ClientRegistered(
                c.id,
                uscc,
                text_field("name_zh", name_zh),
                name_en.strip(),
                text_field("address", address),
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
        facts: FileFacts | None = None,
    ) -> None:
        """Record a document whose bytes are stored under ``sha256`` (see ``check_document``),
        for one of the organisation's certifications (its body may read it) or, with none, for
        the organisation alone, with ``facts`` (its SM3 digest; for a photo, when and where it
        was taken). The same file twice for the same use is refused, since its hash already
        names it; the caller checks that the certification is this one's."""
        facts = facts or FileFacts()
        name, why = check_document(sha256, filename, media_type, size, purpose)
        if (sha256, certification_id) in self.documents:
            raise invalid("file", "document.duplicate", owner=self.id)
        self.record(
            ev.DocumentUploaded(
                sha256,
                name,
                media_type,
                size,
                why,
                text_field("uploaded_by", uploaded_by, 64),
                certification_id,
                facts.sm3,
                facts.taken_at,
                facts.taken_lat,
                facts.taken_lon,
            )
        )

    def give_consent(self, body: Body, given_by: str, note: str = "") -> None:
        """Consent that ``body``'s application reviewers may file applications for this
        organisation (the organisation applies itself otherwise)."""
        if body.id in self.consents:
            raise out_of_order("action.consent", "why.consented", client=self.id, body=body.id)
        note = note.strip() and text_field("note", note)
        self.record(ev.ConsentGiven(body.id, text_field("given_by", given_by, 64), note))

    def withdraw_consent(self, body_id: str, by: str) -> None:
        if body_id not in self.consents:
            raise out_of_order(
                "action.withdraw_consent", "why.no_consent", client=self.id, body=body_id
            )
        self.record(ev.ConsentWithdrawn(body_id, text_field("withdrawn_by", by, 64)))

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
            raise invalid("role", "choice.one_of", choices=("client-user", "client-admin"))
        note = note.strip() and text_field("note", note)
        self.record(
            ev.UserInvited(invitation_id, role, invited_by, expires.isoformat(), commitment, note)
        )

    def accept_invitation(self, invitation_id: str, account_id: str, today: date) -> str:
        """Redeem an open invitation for ``account_id``; the role it grants, as role@scope."""
        found = self.invitations.get(invitation_id)
        if found is None or found.get("account_id") or found["expires"] < today.isoformat():
            raise out_of_order("action.accept_invitation", "why.invitation_spent")
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
            raise invalid(f"{where}.{key}", "value.required")
    if (problem := check_adcode(s["adcode"])) is not None:
        raise refuse(
            "adcode.format", field=f"{where}.adcode", problem=problem, problem_zh=problem.zh
        )
    lat, lon = s.get("lat"), s.get("lon")
    if not isinstance(lat, int | float) or not -90 <= lat <= 90:
        raise invalid(f"{where}.lat", "position.latitude")
    if not isinstance(lon, int | float) or not -180 <= lon <= 180:
        raise invalid(f"{where}.lon", "position.longitude")
    central = bool(s.get("central", False))
    staff = s.get("personnel")
    if staff is not None and (not isinstance(staff, int) or staff < 1):
        raise invalid(f"{where}.personnel", "number.whole_at_least_one")
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
