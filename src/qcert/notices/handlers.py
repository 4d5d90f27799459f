"""Handlers of notices: open the unit of work, load, call one domain method, commit."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..lifecycle.aggregate import utc_instant
from . import commands as c
from . import events as ev
from .model import Mailbox, Notice, notice_id

__all__ = ["HANDLERS"]


def send_notices(cmd: c.SendNotices, uow: Any) -> None:
    """Record each notice not sent yet; one sent already (by an earlier run, or another worker
    at the same moment: the unit of work refuses that one) is passed over."""
    at = utc_instant(uow.recording.at)
    sent = 0
    for due in cmd.notices:
        nid = notice_id(due.recipient, due.kind, due.certification_id, due.item, due.due)
        if uow.exists(Notice, nid):
            continue
        fields = {k: getattr(due, k) for k in c.Due.__dataclass_fields__}
        uow.add(Notice.send(ev.NoticeSent(**fields, at=at)))
        sent += 1
    uow.reply["sent"] = sent


def mark_notice_read(cmd: c.MarkNoticeRead, uow: Any) -> None:
    uow.get(Notice, cmd.notice_id).read(cmd.account_id, uow.recording.at)


def record_notice_mailed(cmd: c.RecordNoticeMailed, uow: Any) -> None:
    uow.get(Notice, cmd.notice_id).mailed(cmd.to, uow.recording.at)


def set_notice_address(cmd: c.SetNoticeAddress, uow: Any) -> None:
    if uow.exists(Mailbox, cmd.account_id):
        box = uow.get(Mailbox, cmd.account_id)
    else:
        box = Mailbox(cmd.account_id)
        uow.add(box)
    box.set_address(cmd.email)


HANDLERS: dict[type, Callable[[Any, Any], None]] = {
    c.SendNotices: send_notices,
    c.MarkNoticeRead: mark_notice_read,
    c.RecordNoticeMailed: record_notice_mailed,
    c.SetNoticeAddress: set_notice_address,
}
