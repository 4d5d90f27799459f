"""Early warnings: a risk indicator that fires becomes a warning routed to the regulator of the
division the entity lies in, with its evidence, a status workflow, the reason for every change,
and referral to another region with a deadline (国市监认证发〔2025〕72号 (十二) risk early warning,
(十三) cases shared between levels and regions).

A warning is one (indicator, entity) pair: firing again on new evidence updates it, never
duplicates it. Its priority comes from the indicator's ranking until a person overrides it, and
an override needs a reason, as every status change does.
"""

from __future__ import annotations

import hashlib
from datetime import date
from typing import Any

from .. import jurisdictions
from ..lifecycle.aggregate import Aggregate, invalid, out_of_order, text_field
from . import events as ev

__all__ = ["STATUSES", "Warning", "warning_id"]

# open -> acknowledged -> investigating -> confirmed | dismissed; a closed one reopens only by
# firing again on new evidence.
STATUSES = ("open", "acknowledged", "investigating", "confirmed", "dismissed")
_NEXT = {
    "open": {"acknowledged", "investigating", "dismissed"},
    "acknowledged": {"investigating", "dismissed"},
    "investigating": {"confirmed", "dismissed"},
    "confirmed": set(),
    "dismissed": set(),
}


def warning_id(indicator: str, entity_kind: str, entity_id: str) -> str:
    """The warning's id: the same indicator on the same entity is the same warning."""
    digest = hashlib.sha256(f"{indicator}\n{entity_kind}\n{entity_id}".encode()).hexdigest()
    return f"w-{digest[:20]}"


class Warning(Aggregate):
    """A risk warning on one entity by one indicator."""

    kind = "hub-warning"

    def __init__(self, id: str) -> None:
        super().__init__(id)
        self.indicator = self.entity_kind = self.entity_id = ""
        self.body_id = self.org_id = self.region = self.day = ""
        self.value = self.threshold = 0.0
        self.evidence: list[str] = []
        self.status = "open"
        self.priority: int | None = None  # a person's override; None: the indicator's ranking
        self.raised = 0
        self.history: list[dict[str, Any]] = []
        self.referrals: list[dict[str, Any]] = []

    @classmethod
    def first(cls, hit: dict[str, Any]) -> Warning:
        """A new warning from an indicator's firing row."""
        found = cls(warning_id(hit["indicator"], hit["entity_kind"], hit["entity_id"]))
        found.fire(hit)
        return found

    def fire(self, hit: dict[str, Any]) -> bool:
        """Record the indicator firing again; False (nothing recorded) when nothing is new."""
        evidence = sorted({str(e) for e in hit.get("evidence") or []})[:200]
        if self.raised and evidence == self.evidence and hit["day"] == self.day:
            return False
        self.record(
            ev.WarningRaised(
                hit["indicator"],
                hit["entity_kind"],
                str(hit["entity_id"]),
                str(hit.get("body_id") or ""),
                str(hit.get("org_id") or ""),
                str(hit.get("region") or ""),
                float(hit["value"]),
                float(hit["threshold"]),
                evidence,
                str(hit["day"]),
            )
        )
        return True

    def change(self, status: str, reason: str) -> None:
        """Move the warning on (see :data:`STATUSES`), saying why."""
        if status not in STATUSES:
            raise invalid("status", "choice.one_of", choices=STATUSES)
        if status not in _NEXT[self.status]:
            raise out_of_order(
                "action.set_warning_status",
                "why.warning_status",
                status=status,
                current=self.status,
            )
        self.record(ev.WarningChanged(status, text_field("reason", reason)))

    def rank(self, priority: int, reason: str) -> None:
        """Override the ranking: priority 1 (highest) to 5, with the reason."""
        if not 1 <= priority <= 5:
            raise invalid("priority", "warning.priority")
        self.record(ev.WarningRanked(priority, text_field("reason", reason)))

    def refer(self, to: str, due: date, reason: str, today: date) -> None:
        """Refer the warning to the regulators of ``to``, to be handled by ``due``."""
        if not jurisdictions.valid(to) or to == jurisdictions.NATION:
            raise invalid("to", "region.division")
        if jurisdictions.contains(to, self.region):
            raise invalid("to", "warning.refer_within", to=to, region=self.region)
        if due <= today:
            raise invalid("due", "date.after_today")
        self.record(ev.WarningReferred(to, due.isoformat(), text_field("reason", reason)))

    @property
    def referred_to(self) -> frozenset[str]:
        return frozenset(r["to"] for r in self.referrals)

    # -- folding ------------------------------------------------------------------------

    def _on_warning_raised(self, e: ev.WarningRaised) -> None:
        self.indicator, self.entity_kind, self.entity_id = e.indicator, e.entity_kind, e.entity_id
        self.body_id, self.org_id, self.region = e.body_id, e.org_id, e.region
        self.value, self.threshold, self.evidence, self.day = (
            e.value,
            e.threshold,
            e.evidence,
            e.day,
        )
        self.raised += 1
        if self.status in ("confirmed", "dismissed"):
            self.status = "open"  # new evidence after closing reopens it
        self.history.append({"event": "raised", "day": e.day})

    def _on_warning_changed(self, e: ev.WarningChanged) -> None:
        self.status = e.status
        self.history.append({"event": e.status, "reason": e.reason})

    def _on_warning_ranked(self, e: ev.WarningRanked) -> None:
        self.priority = e.priority
        self.history.append({"event": "ranked", "priority": e.priority, "reason": e.reason})

    def _on_warning_referred(self, e: ev.WarningReferred) -> None:
        self.referrals.append({"to": e.to, "due": e.due, "reason": e.reason})
        self.history.append({"event": "referred", "to": e.to, "due": e.due, "reason": e.reason})
