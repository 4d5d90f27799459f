"""What every aggregate of the lifecycle shares: the event fold, and the checks of plain inputs
(bounded text, instants with a zone) whose refusals name the field in both languages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, ClassVar

from ..locale.problems import problem
from . import events as ev
from .rules import refuse

__all__ = [
    "LATE_DAYS",
    "Aggregate",
    "Recording",
    "add_months",
    "invalid",
    "out_of_order",
    "raise_",
    "text_field",
    "utc_instant",
]

# How many days back a status change may be dated without a second person's approval
# (QCERT_LATE_DAYS); the record stays marked as late whenever its date lies before the day
# it was recorded.
LATE_DAYS = 3


@dataclass(frozen=True)
class Recording:
    """When and by whom a change is being recorded: the installation's clock (``at``, UTC),
    the day it is in the body's zone (``today``), the acting account, and the late window
    (days)."""

    at: datetime
    today: date
    actor: str
    late_days: int = LATE_DAYS


def add_months(day: date, months: int) -> date:
    """``day`` plus calendar months, clamped to the month's last day."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return date(year, month, d)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def invalid(field_: str, key: str, /, **fields: object) -> Exception:
    """The refusal of ``field_``'s value: ``input.invalid`` with the problem ``key`` of the
    catalogs (``locale.problems``), ``fields`` filled in, in both languages."""
    en, zh = problem(key, **fields)
    return refuse("input.invalid", field=field_, problem=en, problem_zh=zh)


def out_of_order(action: str, why: str, /, **fields: object) -> Exception:
    """The refusal ``state.order``: the action ``action`` is not possible now because of
    ``why``, both keys of the catalogs (``locale.problems``: ``action.*``, ``why.*``),
    ``fields`` filled in, in both languages."""
    action_en, action_zh = problem(action, **fields)
    why_en, why_zh = problem(why, **fields)
    return refuse("state.order", action=action_en, action_zh=action_zh, why=why_en, why_zh=why_zh)


def text_field(field_: str, value: str, limit: int = 500) -> str:
    value = value.strip()
    if not value:
        return raise_(invalid(field_, "text.empty"))
    if len(value) > limit:
        return raise_(invalid(field_, "text.too_long", limit=limit))
    return value


def utc_instant(at: datetime) -> str:
    if at.tzinfo is None:
        raise invalid("time", "time.no_zone")
    return at.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def raise_(err: Exception) -> Any:
    raise err


class Aggregate:
    """An event-sourced entity: its state is the fold of its events."""

    kind: ClassVar[str] = ""

    def __init__(self, id: str) -> None:
        self.id = id
        self.version = 0
        self.pending: list[ev.Event] = []

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.id}"

    @classmethod
    def replay(cls, id: str, history: list[ev.Event]):  # type: ignore[no-untyped-def]
        agg = cls(id)
        for e in history:
            agg._apply(e)
        return agg

    def record(self, event: ev.Event) -> None:
        event = ev.read_back_event(event)  # folded as a replay will fold it
        self._apply(event)
        self.pending.append(event)

    def _apply(self, event: ev.Event) -> None:
        handler = "_on_" + event.name.split(".", 1)[1].replace("-", "_")
        getattr(self, handler)(event)
        self.version += 1
