"""The notices job: what is due, told to whom it concerns, in the workspace and by e-mail.

Every ``MINUTES`` minutes while ``qcert serve`` runs (and at once with ``qcert notices run``),
it reads what is due today in the body's time zone (:mod:`qcert.store.notices`) and records
each notice not sent yet through the bus as the platform itself (``system:notices``), in
bounded batches; a notice is sent once per recipient, kind, record and due date, however many
runs or workers find it. Then, when an SMTP server is configured (``QCERT_SMTP_URL``), it
e-mails every notice not mailed yet to accounts that gave an address, and records each one
the server took (``notice.mailed``). A message the server refuses, or a server that cannot be
reached, is logged and tried again on the next run: nothing is dropped silently.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from .access import Principal
from .notices.commands import BATCH, RecordNoticeMailed, SendNotices
from .notices.mail import Mailer, message
from .store import notices as views
from .store.uow import ConcurrentChange

if TYPE_CHECKING:
    from .bus import MessageBus

__all__ = ["ACTOR", "MINUTES", "NoticeRun", "Notifier"]

log = logging.getLogger(__name__)

ACTOR = Principal.system("notices")  # recorded as the actor of notices sent and mailed
MINUTES = 10.0  # how often the server's schedule runs the job
MAIL_BATCH = 200  # notices mailed over one connection to the mail server
MAIL_BATCHES = 10  # at most this many connections a run; the rest waits for the next run


@dataclass
class NoticeRun:
    """What one run did: the day, notices sent, e-mails sent and those that failed (why)."""

    on: date
    sent: int = 0
    mailed: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "on": self.on.isoformat(),
            "sent": self.sent,
            "mailed": self.mailed,
            "failed": [{"notice": n, "why": why} for n, why in self.failed],
        }


class Notifier:
    """The installation's notices: the bus they are recorded through, the clock that says what
    day it is, and the mailer (None: in-app only) with the address its links start with."""

    def __init__(
        self,
        bus: MessageBus,
        clock: Callable[[], datetime],
        mailer: Mailer | None = None,
        base_url: str = "",
    ) -> None:
        self.bus, self.clock, self.mailer, self.base_url = bus, clock, mailer, base_url

    def today(self) -> date:
        return self.clock().astimezone(ZoneInfo(self.bus.tz)).date()

    def run(self, on: date | None = None) -> NoticeRun:
        """Send the notices due on ``on`` (default today), then mail what is owed."""
        report = NoticeRun(on or self.today())
        with self.bus.engine.connect() as conn:
            owed = views.due_notices(conn, report.on)
        for i in range(0, len(owed), BATCH):
            batch = tuple(owed[i : i + BATCH])
            try:
                report.sent += int(self.bus.handle(SendNotices(batch), ACTOR).reply.get("sent", 0))
            except ConcurrentChange:
                # Another worker sent some of them at the same moment: the next run sends
                # whatever of this batch is still owed.
                log.info("notices: a batch raced another worker; left to the next run")
        if self.mailer is not None:
            # Batch after batch while the server takes everything; a failure leaves the rest
            # to the next run, which starts again from the oldest not mailed.
            for _ in range(MAIL_BATCHES):
                if self._mail(report) < MAIL_BATCH:
                    break
        if report.sent or report.mailed or report.failed:
            log.info(
                "notices on %s: %d sent, %d mailed, %d not mailed",
                report.on,
                report.sent,
                report.mailed,
                len(report.failed),
            )
        return report

    def _mail(self, report: NoticeRun) -> int:
        """Mail one batch of the notices not mailed yet; how many the server took."""
        assert self.mailer is not None
        with self.bus.engine.connect() as conn:
            pending = views.to_mail(conn, MAIL_BATCH)
        if not pending:
            return 0
        sender = self.mailer.settings.sender
        messages = [message(n, n["email"], sender, self.base_url) for n in pending]
        try:
            results = self.mailer.send(messages)
        except Exception as err:  # the server is unreachable or refused us: all are retried
            log.warning("notices: the mail server failed (%s); %d retried later", err, len(pending))
            report.failed += [(n["id"], str(err) or type(err).__name__) for n in pending]
            return 0
        taken = 0
        for n, why in zip(pending, results, strict=True):
            if why is not None:
                log.warning(
                    "notices: %s not mailed to %s (%s); retried later", n["id"], n["email"], why
                )
                report.failed.append((n["id"], why))
                continue
            self.bus.handle(RecordNoticeMailed(n["id"], n["email"]), ACTOR)
            report.mailed += 1
            taken += 1
        return taken
