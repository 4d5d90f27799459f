"""Notices of what is due: open findings past their answer deadline, surveillance audits due
soon, suspensions running out, clients' answers waiting for review, complaints and appeals
to handle. Each notice sent is a fact on the ledger (``notice.sent``), once per recipient,
kind, record and due date; reading one is its recipient's command (``notice.read``), and an
e-mail delivered is recorded too (``notice.mailed``)."""

from .commands import Due, MarkNoticeRead, RecordNoticeMailed, SendNotices, SetNoticeAddress
from .model import KINDS, Mailbox, Notice, notice_id

__all__ = [
    "KINDS",
    "Due",
    "Mailbox",
    "MarkNoticeRead",
    "Notice",
    "RecordNoticeMailed",
    "SendNotices",
    "SetNoticeAddress",
    "notice_id",
]
