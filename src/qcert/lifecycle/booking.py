"""An auditor's days: no one is on two audits on overlapping days.

ISO/IEC 17021-1:2015 9.2.2 has the body select and assign an audit team for each audit, and
9.2.3 has the audit plan name the team and the dates; 9.1.4 has the audit time (IAF MD 5) be
the days those people actually spend on the audit. The standard does not spell out "one audit
at a time"; it follows from it: days counted for one client's audit cannot also be spent on
another's. The rule is checked when an audit is planned with its team, against the person's
other audits (any certification, any body) whose days overlap, and the refusal names the
audit in the way.

The check is against the audits still to be held (planned, not yet completed): planning looks
ahead, and a completed audit's days are history, recorded as they happened (where each
auditor was on them is the check-ins' record, timed and placed).

Days are whole calendar days, both ends included: an audit from the 3rd to the 5th overlaps
one on the 5th, not one starting on the 6th. Audits of one organisation do not stand in each
other's way: a stage 1 and a stage 2 held on one visit, or the audits of its several
certifications held together (an integrated audit, IAF MD 11:2019), share days at the same
client, and the days each takes are held to the audit time on their own
(``audit.time-minimum``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from .. import schemes
from ..locale.problems import problem
from ..schemes.errors import RuleViolation, SchemeNotFound
from .rules import refuse

__all__ = ["Commitment", "check_free", "overlaps"]


@dataclass(frozen=True)
class Commitment:
    """One auditor on one audit: the audit, its days, and whom and what it is for."""

    auditor: str
    certification_id: str
    audit_id: str
    start: date
    end: date
    organisation: str = ""  # the client's name in Chinese
    organisation_en: str = ""
    scheme: str = ""  # the scheme's id
    completed: bool = False  # the audit was completed: its days are history
    client_id: str = ""  # the organisation audited


def overlaps(start: date, end: date, other_start: date, other_end: date) -> bool:
    """Whether the days ``start``..``end`` and ``other_start``..``other_end`` (both ends
    included) share at least one day."""
    return start <= other_end and other_start <= end


def check_free(
    team: list[dict[str, str]],
    start: date,
    end: date,
    commitments: Iterable[Commitment],
    certification_id: str,
    client_id: str = "",
) -> None:
    """Refuse (``audit.double-booking``) when a member of ``team`` is on another audit whose
    days overlap ``start``..``end``; the refusal names the field (``team.<i>.auditor``), the
    person and the audit in the way. ``commitments`` may hold anyone's audits; this audit's
    certification's audits (``certification_id``) and the audits of the same organisation
    (``client_id``) are not in each other's way, nor are audits already completed."""
    by_person: dict[str, list[Commitment]] = {}
    for c in commitments:
        same_client = bool(client_id) and c.client_id == client_id
        if c.certification_id != certification_id and not same_client and not c.completed:
            by_person.setdefault(c.auditor, []).append(c)
    for i, member in enumerate(team):
        who = member.get("auditor", "")
        busy = sorted(
            (c for c in by_person.get(who, []) if overlaps(start, end, c.start, c.end)),
            key=lambda c: (c.start, c.certification_id, c.audit_id),
        )
        if busy:
            raise _refusal(i, who, busy[0])


def _scheme_titles(scheme_id: str) -> tuple[str, str]:
    """(en, zh) of the scheme as people know it; its id when this installation lacks it."""
    try:
        title = schemes.get(scheme_id).title
    except SchemeNotFound:
        return scheme_id, scheme_id
    return title.en, title.zh


def _refusal(i: int, who: str, c: Commitment) -> RuleViolation:
    scheme_en, scheme_zh = _scheme_titles(c.scheme)
    _, member_zh = problem("team.member", number=i + 1)  # the field's id says it in English
    return refuse(
        "audit.double-booking",
        field=f"team.{i}.auditor",
        field_zh=member_zh,
        auditor=who,
        audit=c.audit_id,
        certification=c.certification_id,
        organisation=c.organisation_en or c.organisation or c.certification_id,
        organisation_zh=c.organisation or c.organisation_en or c.certification_id,
        scheme=scheme_en,
        scheme_zh=scheme_zh,
        start=c.start.isoformat(),
        end=c.end.isoformat(),
    )
