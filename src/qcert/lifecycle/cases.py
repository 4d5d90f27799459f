"""Complaints and appeals (ISO/IEC 17021-1:2015 9.7, 9.8)."""

from __future__ import annotations

from datetime import date

from . import events as ev
from .aggregate import Aggregate, invalid, text_field
from .certification import Certification
from .rules import refuse

__all__ = ["Case"]


class Case(Aggregate):
    """A complaint or an appeal, handled by someone independent of what it is about."""

    kind = "case"

    def __init__(self, id: str) -> None:
        super().__init__(id)
        self.kind_ = self.body_id = self.certification_id = self.handler = ""
        self.summary = self.outcome = ""
        self.resolved_on: str | None = None
        self.resolved = False

    @classmethod
    def open(
        cls, case_id: str, kind: str, certification: Certification, handler: str, summary: str
    ) -> Case:
        if kind not in ("complaint", "appeal"):
            raise invalid("kind", "must be complaint or appeal", "须为 complaint 或 appeal")
        if handler in certification.involved():
            raise refuse(
                "case.independence",
                person=handler,
                kind=kind,
                kind_zh="投诉" if kind == "complaint" else "申诉",
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

    def resolve(self, outcome: str, on: date) -> None:
        if self.resolved:
            raise refuse(
                "state.order",
                action="resolving",
                action_zh="处理",
                why="already resolved",
                why_zh="已处理完毕",
            )
        self.record(ev.CaseResolved(text_field("outcome", outcome, 4000), on.isoformat()))

    def _on_opened(self, e: ev.CaseOpened) -> None:
        self.kind_, self.body_id = e.kind, e.body_id
        self.certification_id, self.handler = e.certification_id, e.handler
        self.summary = e.summary

    def _on_resolved(self, e: ev.CaseResolved) -> None:
        self.resolved = True
        self.outcome, self.resolved_on = e.outcome, e.on
