"""The platform's own schedule: work the server does by itself, never because a request asked.

Every few seconds it signs a checkpoint of each tree if entries were appended since the last
one, so anonymous readers of proofs and checkpoints only ever read what is signed already, and
asks the log's witnesses (if it has any) to cosign the newest. Several workers may run it at
once: a tree size is signed once, the first checkpoint stored for it is the one kept, and a
witness's cosignature is kept once.

With the installation's clocks (:mod:`qcert.clocks`), it also applies what time decides, once
at start and then every ``QCERT_CLOCK_HOURS`` hours: suspensions past their deadline are
withdrawn, certificates past their expiry date expire, each transition recorded once however
many workers run it.

Every few seconds it also anchors the windows of process data readings that are due
(:meth:`qcert.evidence.intake.Intake.anchor_due`): each becomes one ledger event.

Every ten minutes it sends the notices of what is due (:mod:`qcert.notifying`), and e-mails
them when an SMTP server is configured.

When the installation reports to a supervision hub (``QCERT_HUB_URL``), it sends each body's
new records every ten minutes (:mod:`qcert.reporting`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler

from .clocks import ClockRun, Clocks
from .ledger import Ledger
from .notifying import MINUTES as NOTICE_MINUTES
from .reporting import MINUTES
from .witnessing import Policy, witness_due

__all__ = ["ANCHOR_SECONDS", "CHECKPOINT_SECONDS", "Schedule"]

log = logging.getLogger(__name__)

CHECKPOINT_SECONDS = 2.0  # at most this long between an append and a checkpoint covering it
ANCHOR_SECONDS = 5.0  # how often due windows of readings are anchored


class Schedule:
    """A background scheduler running the platform's periodic work."""

    def __init__(
        self,
        ledger: Ledger,
        policy: Policy | None = None,
        interval: float = CHECKPOINT_SECONDS,
        clocks: Clocks | None = None,
    ) -> None:
        self.ledger, self.interval = ledger, interval
        self.policy = policy or Policy()
        self.clocks = clocks
        # Reporting to the supervision hub (``qcert.reporting``), set once the services exist.
        self.report: Callable[[], Any] | None = None
        self.report_minutes = MINUTES
        # Anchoring due windows of process data (``Intake.anchor_due``), set by bootstrap.
        self.anchor: Callable[[], Any] | None = None
        # Sending notices of what is due (``Notifier.run``), set by bootstrap.
        self.notify: Callable[[], Any] | None = None
        self.notify_minutes = NOTICE_MINUTES
        self._scheduler: Any = None

    def sign_checkpoints(self) -> dict[str, int]:
        """Sign what is due now (each suite's tree at the sequenced size), then ask the
        witnesses to cosign; the sizes signed."""
        try:
            signed = self.ledger.sign_due()
        except Exception:  # a failed round is logged and tried again next time
            log.exception("signing checkpoints failed")
            return {}
        try:
            witness_due(self.ledger, self.policy)
        except Exception:
            log.exception("asking the witnesses failed")
        return signed

    def enforce_clocks(self) -> ClockRun | None:
        """Apply what time decides today (:mod:`qcert.clocks`); what the run did, or None
        without clocks or when the run failed (logged, and tried again next time)."""
        if self.clocks is None:
            return None
        try:
            return self.clocks.run()
        except Exception:
            log.exception("enforcing the clocks failed")
            return None

    def anchor_due(self) -> int:
        """Anchor the windows of readings that are due; how many (0 when it failed: logged,
        and tried again next time)."""
        if self.anchor is None:
            return 0
        try:
            return int(self.anchor())
        except Exception:
            log.exception("anchoring evidence windows failed")
            return 0

    def send_notices(self) -> Any:
        """Send (and mail) the notices due; what the run did, or None when it failed (logged,
        and tried again next time)."""
        if self.notify is None:
            return None
        try:
            return self.notify()
        except Exception:
            log.exception("sending notices failed")
            return None

    def start(self) -> None:
        """Run the work in a background thread, starting now: checkpoints every ``interval``
        seconds, the clocks (if any) every ``clocks.hours`` hours, reporting to the hub (if
        configured) every ``report_minutes`` minutes."""
        if self._scheduler is not None:
            return
        scheduler = BackgroundScheduler(daemon=True, timezone=UTC)

        def every(job: Callable[[], Any], name: str, **interval: float) -> None:
            # Once at start, then at each interval; never two runs of one job at once. A run
            # started late (a busy machine) still runs, once: APScheduler's default skips a
            # run more than a second late, and the next of a daily or ten-minute job is that
            # far away (the clocks a day late, the hub's first report ten minutes late).
            scheduler.add_job(
                job,
                "interval",
                **interval,
                max_instances=1,
                coalesce=True,
                misfire_grace_time=None,
                next_run_time=datetime.now(UTC),
                id=name,
            )

        every(self.sign_checkpoints, "checkpoints", seconds=self.interval)
        if self.clocks is not None:
            every(self.enforce_clocks, "clocks", hours=self.clocks.hours)
        if self.report is not None:
            every(self.report, "reporting", minutes=self.report_minutes)
        if self.notify is not None:
            every(self.send_notices, "notices", minutes=self.notify_minutes)
        if self.anchor is not None:
            every(self.anchor_due, "anchoring", seconds=ANCHOR_SECONDS)
        scheduler.start()
        self._scheduler = scheduler

    def stop(self) -> None:
        if self._scheduler is not None:
            self._scheduler.shutdown(wait=True)
            self._scheduler = None
