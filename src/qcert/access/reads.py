"""What a principal may read: the records a read view shows it, and a ledger entry's bytes."""

from __future__ import annotations

from dataclasses import dataclass

from .. import jurisdictions
from .principals import Principal

__all__ = ["EntryOwner", "ReadScope", "may_read_entry", "may_supervise", "read_scope"]


@dataclass(frozen=True)
class EntryOwner:
    """Whose a ledger entry's bytes are: ``public`` ones (status lists, credentials of
    organisations that are not confidential, anything appended by hand) are anyone's; an
    event or a confidential organisation's credential belongs to its ``bodies``, ``clients``
    or ``accounts``."""

    kind: str
    bodies: frozenset[str] = frozenset()
    clients: frozenset[str] = frozenset()
    accounts: frozenset[str] = frozenset()


def may_read_entry(principal: Principal, owner: EntryOwner) -> bool:
    """Whether ``principal`` may read the bytes of an entry owned by ``owner`` (its leaf
    hash and proofs are public whatever this says)."""
    if owner.kind == "public" or principal.platform:
        return True
    return bool(
        owner.bodies & principal.scopes("body")
        or owner.clients & principal.scopes("client")
        or principal.account_id in owner.accounts
    )


@dataclass(frozen=True)
class ReadScope:
    """Whose records a principal reads: every body's and organisation's (``everything``), or
    those of ``bodies`` (its staff see the body's records, and organisations that applied to
    it or consented to it) and of ``clients`` (an organisation's users see all of its own)."""

    everything: bool = False
    bodies: frozenset[str] = frozenset()
    clients: frozenset[str] = frozenset()
    # The divisions (GB/T 2260) whose hub records a regulator reads; the platform reads all.
    jurisdictions: frozenset[str] = frozenset()

    @property
    def nothing(self) -> bool:
        return not (self.everything or self.bodies or self.clients or self.jurisdictions)


def read_scope(principal: Principal) -> ReadScope:
    """What ``principal`` may read of the non-public records (the views filter by it)."""
    if principal.platform:
        return ReadScope(everything=True, jurisdictions=frozenset({jurisdictions.NATION}))
    return ReadScope(
        bodies=frozenset(principal.scopes("body")),
        clients=frozenset(principal.scopes("client")),
        jurisdictions=frozenset(principal.scopes("region", "regulator")),
    )


def may_supervise(principal: Principal, region: str | None) -> bool:
    """Whether ``principal`` may read the hub's confidential records of ``region``: the
    platform, or a regulator whose jurisdiction holds it (国市监认证发〔2025〕72号 (十三): each
    level sees its own area; other areas' only when a case is referred to it)."""
    if principal.platform:
        return True
    return any(jurisdictions.contains(j, region) for j in principal.scopes("region", "regulator"))
