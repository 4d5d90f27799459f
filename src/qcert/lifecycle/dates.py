"""Effective dates: when a certification's facts happened, beside when they were recorded.

Every event carries the instant it was recorded (the installation's clock, in ledger order).
Where a fact happened earlier, its command names the day it took effect, within rules: never
after today, never before an earlier record of the same certification, and a status change
at most a short window back unless a second person approved recording it late. A late record
adds to the history; what was published before it (status lists, checkpoints) stays as it was.
"""

from __future__ import annotations

from datetime import date

from . import events as ev
from .aggregate import Recording, invalid, text_field
from .rules import refuse

__all__ = ["STATUS_ACTIONS", "EffectiveDates"]

# The status changes a late record may be approved for, and the events that record them.
STATUS_ACTIONS = {
    "suspend": "certificate.suspended",
    "restore": "certificate.restored",
    "withdraw": "certificate.withdrawn",
    "change-scope": "certificate.scope-changed",
    "transfer": "certificate.transferred",
}
_ACTION_OF = {event: action for action, event in STATUS_ACTIONS.items()}
# Event fields that hold the day a fact took effect (a plan's dates look ahead: not these).
_DATED = ("on", "last_day")


class EffectiveDates:
    """A certification's effective dates: the latest it has recorded, and the late records a
    decision-maker approved (mixed into Certification)."""

    id: str
    dated: tuple[date, str] | None
    late_approvals: dict[tuple[str, str], str]

    def _effective(
        self, field: str, on: date, rec: Recording | None, *, ordered: bool = True
    ) -> None:
        """Refuse ``on`` after today or (when ``ordered``) before the certification's latest
        dated record. Audits and findings run side by side, so their ends are not ordered
        among themselves: only decisions and status changes are."""
        if rec is not None and on > rec.today:
            raise refuse("date.future", field=field, on=on.isoformat(), today=rec.today)
        if ordered and self.dated is not None and on < self.dated[0]:
            raise refuse(
                "date.order",
                field=field,
                on=on.isoformat(),
                previous=self.dated[0].isoformat(),
                cid=self.id,
                what=self.dated[1],
            )

    def _status_date(self, action: str, field: str, on: date, rec: Recording | None) -> None:
        """A status change's date: an effective date, and more than the window back only with
        another person's approval for this action and day (ISO/IEC 17021-1:2015 9.6.5)."""
        self._effective(field, on, rec)
        if rec is None or (rec.today - on).days <= rec.late_days:
            return
        approver = self.late_approvals.get((action, on.isoformat()))
        if approver is None:
            raise refuse(
                "date.late",
                field=field,
                on=on.isoformat(),
                days=(rec.today - on).days,
                today=rec.today.isoformat(),
                window=rec.late_days,
            )
        if approver == rec.actor:
            raise refuse("date.late-approver", on=on.isoformat(), person=approver)

    def approve_late_record(self, action: str, on: date, reason: str, rec: Recording) -> None:
        """Approve recording ``action`` dated ``on``, beyond the window back; once, for that
        action and day, by someone other than who records it."""
        if action not in STATUS_ACTIONS:
            raise invalid("action", "choice.one_of", choices=STATUS_ACTIONS)
        self._effective("on", on, rec)
        if (rec.today - on).days <= rec.late_days:
            raise invalid("on", "date.not_late", on=on, days=rec.late_days)
        self.record(  # type: ignore[attr-defined]
            ev.LateRecordApproved(
                action, on.isoformat(), text_field("reason", reason, 2000), rec.actor
            )
        )

    def _note_dated(self, event: ev.Event) -> None:
        """Keep the latest effective date, and spend an approval its late record used."""
        if isinstance(event, ev.LateRecordApproved):
            return
        for name in _DATED:
            value = getattr(event, name, "")
            if value and (self.dated is None or date.fromisoformat(value) > self.dated[0]):
                self.dated = (date.fromisoformat(value), event.name)
        action = _ACTION_OF.get(event.name)
        if action is not None:
            self.late_approvals.pop((action, getattr(event, "on", "")), None)

    def _on_late_record_approved(self, e: ev.LateRecordApproved) -> None:
        self.late_approvals[(e.action, e.on)] = e.approver
