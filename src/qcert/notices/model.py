"""A notice (id: drawn from its recipient, kind, record and due date, so the same notice is
never sent twice) and an account's mailbox (id: the account's), the address notices are
e-mailed to.

What is due, and when (the rules each kind follows):

- ``finding-overdue``: a finding still open (not answered) after ``ANSWER_DAYS`` days from its
  audit's last day. ISO/IEC 17021-1:2015 9.4.9 has the body require the client's correction
  and corrective action "within a defined time"; 90 days is the time this platform defines.
- ``answer-waiting``: the client answered a finding and the body has not closed it yet
  (9.4.10: the body reviews the corrections and corrective actions submitted).
- ``surveillance-due``: a surveillance audit of the programme due within ``AHEAD_DAYS`` days
  (9.1.3.2: at least once a calendar year; 9.6.2.2: the first within 12 months).
- ``suspension-ending``: a suspension whose deadline falls within ``AHEAD_DAYS`` days (9.6.5:
  not restored by then, the certificate is withdrawn or its scope reduced).
- ``case-open``: a complaint or appeal not resolved (9.7, 9.8).
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime

from ..lifecycle.aggregate import Aggregate, invalid, utc_instant
from . import events as ev

__all__ = ["AHEAD_DAYS", "ANSWER_DAYS", "AUDIENCES", "KINDS", "Mailbox", "Notice", "notice_id"]

ANSWER_DAYS = 90  # the defined time for a client's answer to a finding (ISO/IEC 17021-1 9.4.9)
AHEAD_DAYS = 30  # how far ahead surveillance audits and suspension deadlines are announced
KINDS = (
    "finding-overdue",
    "answer-waiting",
    "surveillance-due",
    "suspension-ending",
    "case-open",
)
AUDIENCES = ("body", "client")
# A deliberately plain address check (RFC 5321 4.5.3.1.3: at most 254 characters in all);
# whether it receives mail, only the mail server knows.
_EMAIL = re.compile(r"^[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")


def notice_id(recipient: str, kind: str, certification_id: str, item: str, due: str) -> str:
    """The id of the notice of ``kind`` to ``recipient`` about a record due on ``due``: the same
    inputs give the same id, so a notice is recorded once however often what is due is read."""
    key = "\n".join((recipient, kind, certification_id, item, due)).encode()
    return "n-" + hashlib.sha256(key).hexdigest()[:40]


_ABOUT = (
    "recipient",
    "kind",
    "audience",
    "certification_id",
    "item",
    "due",
    "body_id",
    "client_id",
    "at",
)


class Notice(Aggregate):
    """One notice to one account: what it is about, whether it was read and mailed."""

    kind = "notice"

    def __init__(self, id: str) -> None:
        super().__init__(id)
        # what the notice is about (notice.sent's fields), plain values so that the notice
        # snapshots as any aggregate does
        self.about: dict[str, str] = {}
        self.recipient = ""
        self.body_id = ""  # the tenant of its events: the body whose record it is about
        self.read_at: str | None = None
        self.mailed_to: str | None = None

    @classmethod
    def send(cls, sent: ev.NoticeSent) -> Notice:
        """A new notice; refuse an unknown kind or audience."""
        if sent.kind not in KINDS:
            raise invalid("kind", "choice.one_of", choices=KINDS)
        if sent.audience not in AUDIENCES:
            raise invalid("audience", "choice.one_of", choices=AUDIENCES)
        notice = cls(
            notice_id(sent.recipient, sent.kind, sent.certification_id, sent.item, sent.due)
        )
        notice.record(sent)
        return notice

    def read(self, by: str, at: datetime) -> None:
        """Mark read by its recipient (anyone else is told there is no such notice: whose
        notices exist is not theirs to learn); reading it again changes nothing."""
        if by != self.recipient:
            raise invalid("notice_id", "notice.not_yours", notice=self.id)
        if self.read_at is None:
            self.record(ev.NoticeRead(utc_instant(at)))

    def mailed(self, to: str, at: datetime) -> None:
        """Record its delivery to the mail server, once."""
        if self.mailed_to is None:
            self.record(ev.NoticeMailed(to, utc_instant(at)))

    def _on_sent(self, e: ev.NoticeSent) -> None:
        self.about = {name: getattr(e, name) for name in _ABOUT}
        self.recipient, self.body_id = e.recipient, e.body_id

    def _on_read(self, e: ev.NoticeRead) -> None:
        self.read_at = e.at

    def _on_mailed(self, e: ev.NoticeMailed) -> None:
        self.mailed_to = e.to


class Mailbox(Aggregate):
    """Where an account's notices are e-mailed (empty: nowhere)."""

    kind = "mailbox"

    def __init__(self, id: str) -> None:
        super().__init__(id)
        self.email = ""

    def set_address(self, email: str) -> None:
        email = email.strip()
        if email and (len(email) > 254 or not _EMAIL.match(email)):
            raise invalid("email", "email.format")
        if email != self.email:
            self.record(ev.NoticeAddressSet(email))

    def _on_address_set(self, e: ev.NoticeAddressSet) -> None:
        self.email = e.email
