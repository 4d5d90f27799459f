"""Accounts of people and machines, their roles, and commitments to their secrets.

Secrets (password hashes, API-key hashes) never enter an event: the event
carries a SHA-256 commitment to the stored hash, so the secret store can be
checked against the ledger without publishing it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, ClassVar

from .. import jurisdictions as jurisdiction
from . import events as ev
from .aggregate import Aggregate, invalid, out_of_order, text_field

__all__ = ["CLIENT_ROLES", "ROLES", "Account", "parse_role"]

# Roles and what they may do; a role holds for one scope: a body, a client, or the platform.
ROLES = {
    "platform-admin": "register bodies, grant their scopes, onboard their and organisations' "
    "administrators, read everything",
    "cb-admin": "manage a body's auditors, clients, staff accounts and cases",
    "application-reviewer": "review applications and contracts",
    "planner": "plan audits",
    "auditor": "check in, record findings, complete audits, verify corrective actions",
    "technical-reviewer": "review audits before the decision",
    "decision-maker": "decide, and suspend, restore, withdraw, change or transfer certificates",
    "client-admin": "invite an organisation's users, give its consents, act as its user",
    "client-user": "apply, answer findings, upload documents, read its own organisation's records",
    "regulator": "supervise a jurisdiction at the hub: enrol bodies, read their reports, warnings "
    "and inspections within it, and aggregates above it",
    "reporter": "upload a body's reports to the hub (xlsx or CSV) for bodies without an API",
}
CLIENT_ROLES = ("client-admin", "client-user")
_ROLE = re.compile(
    r"(?P<role>[a-z-]+)@(?P<scope>platform|body:[^\s@]+|client:[^\s@]+|region:[0-9]{6})"
)


def parse_role(text: str) -> tuple[str, str]:
    """``role@scope`` into ``(role, scope)``; refuse unknown roles and scopes."""
    m = _ROLE.fullmatch(text)
    if not m or m["role"] not in ROLES:
        raise invalid("roles", "role.format", text=text, roles=ROLES)
    role, scope = m["role"], m["scope"]
    if (role == "platform-admin") != (scope == "platform"):
        raise invalid("roles", "role.platform_scope", text=text)
    if role in CLIENT_ROLES and not scope.startswith("client:"):
        raise invalid("roles", "role.client_scope", text=text, role=role)
    if (role == "regulator") != scope.startswith("region:"):
        raise invalid("roles", "role.region_scope", text=text)
    if role == "regulator" and not jurisdiction.valid(scope.partition(":")[2]):
        raise invalid("roles", "role.jurisdiction", text=text, nation=jurisdiction.NATION)
    if role not in ("platform-admin", "regulator", *CLIENT_ROLES) and not scope.startswith("body:"):
        raise invalid("roles", "role.body_scope", text=text, role=role)
    return role, scope


@dataclass(frozen=True)
class AccountOpened(ev.Event):
    """An account was opened with its roles and a commitment to its password hash."""

    name: ClassVar[str] = "account.opened"
    account_id: str
    display_name: str
    roles: list[str]
    secret_commitment: str


@dataclass(frozen=True)
class PasswordChanged(ev.Event):
    """An account's password was changed (commitment to the new hash)."""

    name: ClassVar[str] = "account.password-changed"
    secret_commitment: str


@dataclass(frozen=True)
class RolesChanged(ev.Event):
    """An account's roles were replaced."""

    name: ClassVar[str] = "account.roles-changed"
    roles: list[str]


@dataclass(frozen=True)
class ApiKeyIssued(ev.Event):
    """An API key the server drew was issued to an account (commitment to the key's hash),
    with the label its holder gave it."""

    name: ClassVar[str] = "account.api-key-issued"
    key_id: str
    secret_commitment: str
    label: str = ""

    def data(self) -> dict[str, Any]:
        out = super().data()
        if not out["label"]:
            del out["label"]  # keys issued before labels re-encode to the same bytes
        return out


@dataclass(frozen=True)
class SessionsRevoked(ev.Event):
    """Every session and bearer token of the account was ended (sign-out everywhere)."""

    name: ClassVar[str] = "account.sessions-revoked"


@dataclass(frozen=True)
class ApiKeyRevoked(ev.Event):
    """An API key was revoked."""

    name: ClassVar[str] = "account.api-key-revoked"
    key_id: str


class Account(Aggregate):
    """A person's or a machine's account."""

    kind = "account"

    def __init__(self, id: str) -> None:
        super().__init__(id)
        self.display_name = ""
        self.roles: list[str] = []
        self.commitment = ""
        self.keys: dict[str, str] = {}  # key id -> commitment, for live keys
        self.labels: dict[str, str] = {}  # key id -> its holder's label, for live keys

    @classmethod
    def open(cls, account_id: str, display_name: str, roles: list[str], commitment: str) -> Account:
        if not re.fullmatch(r"[a-z0-9][a-z0-9._-]{1,63}", account_id):
            raise invalid("account_id", "account.id_format")
        for r in roles:
            parse_role(r)
        a = cls(account_id)
        a.record(
            AccountOpened(
                account_id,
                text_field("display_name", display_name, 200),
                sorted(set(roles)),
                commitment,
            )
        )
        return a

    def change_password(self, commitment: str) -> None:
        self.record(PasswordChanged(commitment))

    def set_roles(self, roles: list[str]) -> None:
        for r in roles:
            parse_role(r)
        self.record(RolesChanged(sorted(set(roles))))

    def issue_key(self, key_id: str, commitment: str, label: str = "") -> None:
        self.record(ApiKeyIssued(key_id, commitment, _label(label)))

    def grant(self, role: str) -> None:
        """Add one role (an accepted invitation's)."""
        parse_role(role)
        if role not in self.roles:
            self.record(RolesChanged(sorted({*self.roles, role})))

    def revoke_sessions(self) -> None:
        self.record(SessionsRevoked())

    def revoke_key(self, key_id: str) -> None:
        if key_id not in self.keys:
            raise out_of_order("action.revoke_key", "why.no_live_key", key_id=key_id)
        self.record(ApiKeyRevoked(key_id))

    @property
    def body_id(self) -> str:
        bodies = [r.split("@body:")[1] for r in self.roles if "@body:" in r]
        return bodies[0] if len(bodies) == 1 else ""

    def _on_opened(self, e: AccountOpened) -> None:
        self.display_name, self.roles, self.commitment = (
            e.display_name,
            e.roles,
            e.secret_commitment,
        )

    def _on_password_changed(self, e: PasswordChanged) -> None:
        self.commitment = e.secret_commitment

    def _on_roles_changed(self, e: RolesChanged) -> None:
        self.roles = e.roles

    def _on_api_key_issued(self, e: ApiKeyIssued) -> None:
        self.keys[e.key_id] = e.secret_commitment
        self.labels[e.key_id] = e.label

    def _on_api_key_revoked(self, e: ApiKeyRevoked) -> None:
        self.keys.pop(e.key_id, None)
        self.labels.pop(e.key_id, None)

    def _on_sessions_revoked(self, e: SessionsRevoked) -> None:
        pass  # sessions are not part of the account's state: the bus ends them


def _label(label: str) -> str:
    return label.strip() and text_field("label", label, 200)
