"""Who asks, and the two ways the policy says no."""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import QcertError
from .refusals import refusal

__all__ = ["ANONYMOUS", "Forbidden", "Principal", "Unauthenticated"]


class Unauthenticated(QcertError):
    """No valid sign-in came with the request."""

    status = 401

    def __init__(self, message: str | None = None, message_zh: str | None = None) -> None:
        en, zh = refusal("policy.sign-in")
        super().__init__(en if message is None else message)
        self.zh = zh if message_zh is None else message_zh


class Forbidden(QcertError):
    """The policy refuses: ``rule`` names which of its rules, in both languages."""

    status = 403

    def __init__(self, rule: str, message: str, message_zh: str) -> None:
        super().__init__(message)
        self.rule, self.zh = rule, message_zh


@dataclass(frozen=True)
class Principal:
    """Who is asking: an account and its roles as ``(role, scope)`` pairs, nobody
    (anonymous), or the platform's own process (``system:<job>``: side effects, the scheduler,
    installation and the demo), which no face can be signed in as."""

    account_id: str
    roles: frozenset[tuple[str, str]] = frozenset()
    kind: str = "account"  # "account", "anonymous" or "system"
    session: str | None = None  # the session (its hash) the principal came with

    @classmethod
    def system(cls, job: str) -> Principal:
        """The platform acting on its own for ``job`` (recorded as actor ``system:<job>``)."""
        return cls(f"system:{job}", frozenset(), "system")

    @property
    def signed_in(self) -> bool:
        return self.kind == "account"

    @property
    def is_system(self) -> bool:
        return self.kind == "system"

    @property
    def platform(self) -> bool:
        """Whether the principal administers the platform (or is the platform itself)."""
        return self.is_system or ("platform-admin", "platform") in self.roles

    def has(self, role: str, scope: str) -> bool:
        """Whether the principal holds exactly ``role`` at ``scope`` (no one holds all)."""
        return (role, scope) in self.roles

    def scopes(self, prefix: str, role: str | None = None) -> set[str]:
        """Ids of the ``prefix`` scopes (``body`` or ``client``) where a role is held."""
        return {
            s.split(":", 1)[1]
            for r, s in self.roles
            if s.startswith(prefix + ":") and (role is None or r == role)
        }


ANONYMOUS = Principal("", frozenset(), "anonymous")
