"""Clocks that run by themselves: what time decides, applied by the server's own schedule.

Once when ``qcert serve`` starts and then every ``QCERT_CLOCK_HOURS`` hours (daily by
default), the schedule reads which certifications' clocks have run out today, in the body's
time zone (Asia/Shanghai) by the installation's clock, and runs ``EnforceClocks`` for them
through the bus as the platform itself (``system:clocks``), a bounded batch per command:

- a suspension past its deadline ends in withdrawal (``clock.suspension-lapsed``,
  ISO/IEC 17021-1:2015 9.6.5), and the status lists are re-published;
- a certificate past its expiry date expires (``clock.expired``, 8.2.2, 9.6.3.2).

Each event names the rule that fired and its source. Running again finds nothing due, so a
second run on the same day records nothing; several workers running at once record each
transition once (the unit of work refuses the loser with ConcurrentChange, which is quiet
here). A certification that fails is logged and passed over; the others go on.

An overdue surveillance audit (ISO/IEC 17021-1:2015 9.1.3.2: one every calendar year; 9.6.2.2:
the first within 12 months of the decision) is not acted on: whether it means the client does
not allow surveillance at the required frequency, for which 9.6.5 has the body suspend, is the
body's judgment. The body's dashboard lists what is overdue.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from .access import Principal
from .config import CLOCK_HOURS
from .lifecycle.commands import EnforceClocks
from .store.clocks import BATCH, clocks_due
from .store.uow import ConcurrentChange

if TYPE_CHECKING:
    from .bus import MessageBus

__all__ = ["ACTOR", "ClockRun", "Clocks", "enforce"]

log = logging.getLogger(__name__)

ACTOR = Principal.system("clocks")  # recorded as the actor of what the clocks do


@dataclass
class ClockRun:
    """What one run did: the day it ran for, how many certifications were due, the ledger
    indices it recorded (status lists re-published included) and those that failed, with why."""

    on: date
    due: int = 0
    recorded: list[int] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)


def enforce(
    on: date,
    due: Callable[[str, int], list[str]],
    run: Callable[[EnforceClocks], list[int]],
    batch: int = BATCH,
) -> ClockRun:
    """Enforce the clocks due on ``on``: ``due(after, limit)`` lists the ids due after
    ``after``, ``run(command)`` runs a command and gives its ledger indices. A batch is one
    command; when it fails, its certifications are run one at a time."""
    report, after = ClockRun(on), ""
    while ids := due(after, batch):
        report.due += len(ids)
        _batch(ids, on, run, report)
        if len(ids) < batch:
            break
        after = ids[-1]
    return report


def _batch(
    ids: list[str], on: date, run: Callable[[EnforceClocks], list[int]], report: ClockRun
) -> None:
    if len(ids) > 1:
        try:
            report.recorded += run(EnforceClocks(ids, on))
            return
        except Exception as err:  # one of them failed, or another worker changed one
            log.info("clocks: a batch of %d failed (%s); one at a time", len(ids), err)
    for cid in ids:
        try:
            report.recorded += run(EnforceClocks([cid], on))
        except ConcurrentChange:
            # Another worker's schedule (or a person) changed it at the same moment: what
            # is still due, the next run finds.
            log.info("clocks: %s changed concurrently; left to the next run", cid)
        except Exception as err:
            log.exception("clocks: %s could not be enforced on %s", cid, on)
            report.failed.append((cid, str(err) or type(err).__name__))


class Clocks:
    """The installation's clocks: the bus they act through, the clock that says what day
    it is, and how often the schedule runs them."""

    def __init__(
        self,
        bus: MessageBus,
        clock: Callable[[], datetime],
        hours: float = CLOCK_HOURS,
        batch: int = BATCH,
    ) -> None:
        self.bus, self.clock, self.hours, self.batch = bus, clock, hours, batch

    def today(self) -> date:
        """Today in the body's time zone, by the installation's clock."""
        return self.clock().astimezone(ZoneInfo(self.bus.tz)).date()

    def run(self, on: date | None = None) -> ClockRun:
        """Apply what time decides on ``on`` (default today) as ``system:clocks``."""
        day = on or self.today()

        def due(after: str, limit: int) -> list[str]:
            with self.bus.engine.connect() as conn:
                return clocks_due(conn, day, after=after, limit=limit)

        report = enforce(day, due, lambda cmd: self.bus.handle(cmd, ACTOR).indices, self.batch)
        if report.due:
            log.info(
                "clocks on %s: %d due, %d entries recorded, %d failed",
                day,
                report.due,
                len(report.recorded),
                len(report.failed),
            )
        return report
