"""Commands of notices. Handlers live in handlers.py; who may run each, in the access policy:
the platform itself sends notices and records their delivery; an account reads its own notices
and sets its own address."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Literal

from annotated_types import MaxLen, MinLen
from pydantic import ConfigDict, StringConstraints

from ..lifecycle.inputs import Id

__all__ = ["Due", "MarkNoticeRead", "RecordNoticeMailed", "SendNotices", "SetNoticeAddress"]

MaybeId = Annotated[str, StringConstraints(pattern=r"^([A-Za-z0-9][A-Za-z0-9._-]{0,63})?$")]
MaybeDay = Annotated[str, StringConstraints(pattern=r"^(\d{4}-\d{2}-\d{2})?$")]
Email = Annotated[str, StringConstraints(max_length=254)]
Kind = Literal[
    "finding-overdue", "answer-waiting", "surveillance-due", "suspension-ending", "case-open"
]
BATCH = 200  # notices per SendNotices (one transaction)


@dataclass(frozen=True)
class Due:
    """One notice owed: to whom, of what kind, about which record (a certification and, within
    it, a finding, programme item or case), due when (``YYYY-MM-DD`` or empty), and whether the
    recipient reads it as the body's staff or the organisation's user."""

    recipient: Id
    kind: Kind
    audience: Literal["body", "client"]
    certification_id: Id
    item: MaybeId
    due: MaybeDay
    body_id: Id
    client_id: MaybeId


@dataclass(frozen=True)
class SendNotices:
    """Send the notices owed (the platform's own notices job); one already sent is skipped."""

    notices: Annotated[tuple[Due, ...], MinLen(1), MaxLen(BATCH)]


@dataclass(frozen=True)
class MarkNoticeRead:
    """Mark one of one's own notices read."""

    notice_id: Id
    account_id: Id


@dataclass(frozen=True)
class RecordNoticeMailed:
    """Record that a notice was handed to the mail server for ``to``."""

    notice_id: Id
    to: Email


@dataclass(frozen=True)
class SetNoticeAddress:
    """Set the e-mail address one's notices are sent to (empty: in-app only)."""

    account_id: Id
    email: Email


for _name in ("Due", *__all__):
    globals()[_name].__pydantic_config__ = ConfigDict(extra="forbid")
