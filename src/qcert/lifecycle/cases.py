"""Complaints and appeals (ISO/IEC 17021-1:2015 9.7 appeals, 9.8 complaints).

A case is received and given to a handler, acknowledged, worked on (information gathered and
verified, progress reported: 9.7.6-9.7.7, 9.8.6-9.8.7), and decided, which closes it for good
(the outcome and the formal end of the process: 9.7.7, 9.7.9, 9.8.7, 9.8.9). Whoever decides
must not have been involved in the subject of the case (9.7.8, 9.8.8; for an appeal also
9.7.3: not who audited or decided the certification).
"""

from __future__ import annotations

from datetime import date, datetime

from ..locale.problems import problem
from . import events as ev
from .aggregate import Aggregate, invalid, out_of_order, text_field, utc_instant
from .certification import Certification
from .rules import refuse

__all__ = ["Case"]

# Where ISO/IEC 17021-1:2015 asks for independence, per kind of case: for an appeal the persons
# handling it differ from those who audited and decided (9.7.3) and the decision is made, or
# reviewed and approved, by persons not previously involved in its subject (9.7.8); for a
# complaint the decision is (9.8.8).
DECIDER_SOURCE = {
    "appeal": "ISO/IEC 17021-1:2015 9.7.3, 9.7.8",
    "complaint": "ISO/IEC 17021-1:2015 9.8.8",
}
# Who handles a case: 9.7.3 for an appeal; for a complaint 9.8.8 asks it of who decides, and
# qcert asks it of the handler too, who prepares that decision.
HANDLER_SOURCE = {
    "appeal": "ISO/IEC 17021-1:2015 9.7.3",
    "complaint": "ISO/IEC 17021-1:2015 9.8.8",
}


class Case(Aggregate):
    """A complaint or an appeal, handled by someone independent of what it is about."""

    kind = "case"

    def __init__(self, id: str) -> None:
        super().__init__(id)
        self.kind_ = self.body_id = self.certification_id = self.handler = ""
        self.summary = self.outcome = self.decider = ""
        self.resolved_on: str | None = None
        self.acknowledged_at: str | None = None
        self.resolved = False
        self.progress: list[tuple[str, str]] = []  # (recorded at, note), in order

    @classmethod
    def open(
        cls, case_id: str, kind: str, certification: Certification, handler: str, summary: str
    ) -> Case:
        if kind not in ("complaint", "appeal"):
            raise invalid("kind", "choice.one_of", choices=("complaint", "appeal"))
        if handler in certification.involved():
            raise refuse(
                "case.independence",
                cite=HANDLER_SOURCE[kind],
                person=handler,
                kind=kind,
            )
        c = cls(text_field("case_id", case_id, 64))
        c.record(
            ev.CaseOpened(
                c.id,
                kind,
                certification.id,
                certification.body_id,
                text_field("handler", handler, 64),
                text_field("summary", summary, 4000),
            )
        )
        return c

    def _still_open(self, action: str) -> None:
        if self.resolved:
            action, action_zh = problem(action)
            raise refuse(
                "case.closed",
                case=self.id,
                action=action,
                action_zh=action_zh,
                on=self.resolved_on or "",
                kind=self.kind_,
            )

    def acknowledge(self, note: str, at: datetime) -> None:
        """Record that receipt was acknowledged to whoever raised the case (9.7.7, 9.8.7),
        once, while the case is open; ``at`` is the server's clock."""
        self._still_open("action.acknowledge_case")
        if self.acknowledged_at is not None:
            raise refuse(
                "case.acknowledged", case=self.id, at=self.acknowledged_at, kind=self.kind_
            )
        self.record(ev.CaseAcknowledged(text_field("note", note, 2000), utc_instant(at)))

    def record_progress(self, note: str, at: datetime) -> None:
        """Record information gathered and verified, or a progress report given (9.7.6-9.7.7,
        9.8.6-9.8.7), while the case is open; ``at`` is the server's clock."""
        self._still_open("action.record_case_progress")
        self.record(ev.CaseProgressRecorded(text_field("note", note, 2000), utc_instant(at)))

    def resolve(
        self, outcome: str, on: date, decider: str = "", certification: Certification | None = None
    ) -> None:
        """Decide the case and close it, as ``decider``, who must not have audited, reviewed
        or decided ``certification`` (the one the case is about): 9.7.8, 9.8.8."""
        if self.resolved:
            raise out_of_order("action.resolve_case", "why.case_resolved")
        if certification is not None and decider in certification.involved():
            raise refuse(
                "case.decider-independence",
                cite=DECIDER_SOURCE.get(self.kind_),
                person=decider,
                kind=self.kind_,
                cid=certification.id,
            )
        self.record(ev.CaseResolved(text_field("outcome", outcome, 4000), on.isoformat(), decider))

    def _on_opened(self, e: ev.CaseOpened) -> None:
        self.kind_, self.body_id = e.kind, e.body_id
        self.certification_id, self.handler = e.certification_id, e.handler
        self.summary = e.summary

    def _on_acknowledged(self, e: ev.CaseAcknowledged) -> None:
        self.acknowledged_at = e.at

    def _on_progress_recorded(self, e: ev.CaseProgressRecorded) -> None:
        self.progress.append((e.at, e.note))

    def _on_resolved(self, e: ev.CaseResolved) -> None:
        # A case decided before deciders were recorded replays with none ("").
        self.resolved, self.decider = True, e.decider
        self.outcome, self.resolved_on = e.outcome, e.on
