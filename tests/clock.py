"""The installation's clock in a test world: the scenario drives it, as the demo's is driven.

A command dated in the past is recorded on its day (noon in Beijing), the way a body records
facts as they happen; the clock never runs backwards and never passes the real now. A test of
a late or future record sets the clock itself and runs its command without following.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone
from typing import Any

__all__ = ["ScenarioClock"]

_BEIJING = timezone(timedelta(hours=8))
# Command fields naming the day a fact took effect, or an audit's first day (a check-in's).
_DAYS = ("on", "last_day", "start", "valid_from")


class ScenarioClock:
    """A callable clock (UTC instants) that a scenario moves forward."""

    def __init__(self, start: datetime = datetime(2015, 1, 1, 4, tzinfo=UTC)) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def set(self, at: datetime) -> None:
        """Move to ``at`` (never back, never past the real now)."""
        self.now = max(self.now, min(at, datetime.now(UTC)))

    def to_day(self, day: date) -> None:
        """Move to noon of ``day`` in Beijing."""
        self.set(datetime.combine(day, time(12), _BEIJING).astimezone(UTC))

    def follow(self, command: Any) -> None:
        """Move to the day ``command`` names, if it names one."""
        for name in _DAYS:
            value = getattr(command, name, None)
            if isinstance(value, datetime):
                self.set(value.astimezone(UTC))
                return
            if isinstance(value, date):
                self.to_day(value)
                return
