"""What a certification cycle holds: its audits, tests, findings and certificate, and their
vocabularies. Which audits and tests there are is the scheme's to say (its ``stages``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

__all__ = [
    "GRADES",
    "RESULTS",
    "ROLES",
    "Audit",
    "CertStatus",
    "Certificate",
    "Finding",
    "SampleTest",
]


ROLES = ("lead", "auditor", "technical-expert", "trainee")


GRADES = ("major", "minor", "observation", "improvement")


RESULTS = ("pass", "fail")  # a test report's conclusion


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
    on_site_days: float | None = None
    override: dict[str, str] | None = None

    def members(self) -> set[str]:
        return {m["auditor"] for m in self.team}


@dataclass
class SampleTest:
    """A test of samples a scheme's test stage asks for (a type test, a surveillance sampling
    test): the laboratory's report and its conclusion."""

    stage: str
    result: str
    on: date
    cycle: int
    laboratory: str
    report_no: str


@dataclass(frozen=True)
class Finding:
    """A finding of an audit; replaced, never changed in place, when its status moves on (so
    an unchanged finding is the very same object: the projections find the changed ones by
    identity)."""

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
