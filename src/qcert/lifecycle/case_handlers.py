"""Handlers of the complaint and appeal commands (ISO/IEC 17021-1:2015 9.7, 9.8): load the
case (and the certification it is about where independence is checked), call one domain
method. Times come from the unit of work's clock, never from the caller."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from . import commands as c
from .cases import Case
from .certification import Certification

if TYPE_CHECKING:
    from .handlers import UnitOfWork

__all__ = ["CASE_HANDLERS"]


def open_case(cmd: c.OpenCase, uow: UnitOfWork) -> None:
    cert = uow.get(Certification, cmd.certification_id)
    uow.add(Case.open(cmd.case_id, cmd.kind, cert, cmd.handler, cmd.summary))


def acknowledge_case(cmd: c.AcknowledgeCase, uow: UnitOfWork) -> None:
    uow.get(Case, cmd.case_id).acknowledge(cmd.note, uow.clock())


def record_case_progress(cmd: c.RecordCaseProgress, uow: UnitOfWork) -> None:
    uow.get(Case, cmd.case_id).record_progress(cmd.note, uow.clock())


def resolve_case(cmd: c.ResolveCase, uow: UnitOfWork) -> None:
    case = uow.get(Case, cmd.case_id)
    # The decider is the acting account unless the command names one (the access policy
    # allows only the caller's own name, or the platform recording a past decision).
    decider = cmd.decider or uow.actor
    cert = uow.get(Certification, case.certification_id)
    case.resolve(cmd.outcome, cmd.on, decider, cert)


CASE_HANDLERS: dict[type, Callable[[Any, Any], None]] = {
    c.OpenCase: open_case,
    c.AcknowledgeCase: acknowledge_case,
    c.RecordCaseProgress: record_case_progress,
    c.ResolveCase: resolve_case,
}
