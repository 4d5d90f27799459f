"""What a certification cycle holds: its audits, findings and certificate, and their
vocabularies."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

__all__ = ["AUDIT_KINDS", "GRADES", "ROLES", "Audit", "CertStatus", "Certificate", "Finding"]


AUDIT_KINDS = ("stage1", "stage2", "surveillance", "recertification", "special", "short-notice")


ROLES = ("lead", "auditor", "technical-expert", "trainee")


GRADES = ("major", "minor", "observation", "improvement")


class CertStatus(StrEnum):
    """Certificate status; restoration, scope changes and transfers are transitions between them."""

    active = "active"
    suspended = "suspended"
    withdrawn = "withdrawn"
    expired = "expired"


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
