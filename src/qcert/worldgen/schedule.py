"""The world as a schedule: every command with the business day it happens on.

Commands are run in day order across the whole world, each with the clock set to an instant of
its day, so events, credential proofs and status-list versions carry realistic past instants that
never go back in time (a status list refuses a version older than its newest).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

__all__ = ["WORKDAY", "Schedule", "Step"]

SHANGHAI = ZoneInfo("Asia/Shanghai")
# Commands of one day are spread over office hours, 09:00 to 17:00 Beijing time.
WORKDAY = (time(9, 0), timedelta(hours=8))
_MAX_GAP = timedelta(minutes=2)


@dataclass(frozen=True)
class Step:
    """One command and the day (Asia/Shanghai) it is issued on."""

    day: date
    command: Any


@dataclass
class Schedule:
    """Dated commands, kept in the order they were written; ``timed`` runs them by day."""

    steps: list[Step] = field(default_factory=list)

    def add(self, day: date, command: Any) -> None:
        self.steps.append(Step(day, command))

    def ordered(self) -> list[Step]:
        """Steps by day; a stable sort, so one story's steps of a day keep their order."""
        return sorted(self.steps, key=lambda s: s.day)

    def timed(self) -> Iterator[tuple[datetime, Any]]:
        """``(instant, command)`` in run order: the k-th command of a day at 09:00 plus k gaps
        (at most two minutes, and all within office hours)."""
        steps = self.ordered()
        per_day = Counter(s.day for s in steps)
        start, hours = WORKDAY
        k, day = 0, None
        for s in steps:
            k = k + 1 if s.day == day else 0
            day = s.day
            gap = min(_MAX_GAP, hours / per_day[s.day])
            yield datetime.combine(s.day, start, SHANGHAI) + k * gap, s.command

    def __len__(self) -> int:
        return len(self.steps)
