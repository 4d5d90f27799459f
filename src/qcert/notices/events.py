"""Events of notices: sent to one account, read by it, delivered to its e-mail address; and
the address an account receives notices at. Kept small: what the notice is about is named by
its record's ids, and its text is written when it is shown or mailed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from ..lifecycle.events import Event

__all__ = ["NoticeAddressSet", "NoticeMailed", "NoticeRead", "NoticeSent"]


@dataclass(frozen=True)
class NoticeSent(Event):
    """The platform told ``recipient`` (an account) of something due: ``kind`` (finding-overdue,
    answer-waiting, surveillance-due, suspension-ending, case-open), the record (a
    certification and, within it, a finding, programme item or case: ``item``), the due date
    (``YYYY-MM-DD``, or empty when nothing is dated), the body and organisation the record
    belongs to, whether the recipient reads it as the body's staff or the organisation's user
    (``audience``), and when it was sent (``at``, UTC). Sent once per recipient, kind, record
    and due date."""

    name: ClassVar[str] = "notice.sent"
    recipient: str
    kind: str
    audience: str
    certification_id: str
    item: str
    due: str
    body_id: str
    client_id: str
    at: str


@dataclass(frozen=True)
class NoticeRead(Event):
    """The recipient marked the notice read, at ``at`` (UTC)."""

    name: ClassVar[str] = "notice.read"
    at: str


@dataclass(frozen=True)
class NoticeMailed(Event):
    """The notice was handed to the mail server for ``to`` (the recipient's address then), at
    ``at`` (UTC)."""

    name: ClassVar[str] = "notice.mailed"
    to: str
    at: str


@dataclass(frozen=True)
class NoticeAddressSet(Event):
    """An account set the e-mail address its notices are sent to (empty: none, in-app only)."""

    name: ClassVar[str] = "notice.address-set"
    email: str
