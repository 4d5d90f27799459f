"""A client's production line as the platform records it: the alarms its quality monitor raised."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from . import events as ev
from .aggregate import Aggregate, invalid, text_field, utc_instant
from .parties import Client

__all__ = ["ProcessLine"]


class ProcessLine(Aggregate):
    """A client's production line as its quality monitor sees it: the alarms it raised and
    cleared (id ``<client>.<line>``). The readings stay with the client; the alarms are facts."""

    kind = "line"

    def __init__(self, id: str) -> None:
        super().__init__(id)
        self.client_id = self.line = ""
        self.alarms: list[dict[str, Any]] = []

    @staticmethod
    def id_for(client_id: str, line: str) -> str:
        if not re.fullmatch(r"[A-Za-z0-9_-]{1,64}", line):
            raise invalid("line", "line.id_format")
        return f"{client_id}.{line}"

    @property
    def open_alarm(self) -> dict[str, Any] | None:
        return self.alarms[-1] if self.alarms and self.alarms[-1]["cleared"] is None else None

    def raise_alarm(
        self,
        client: Client,
        line: str,
        reading: int,
        onset: int,
        statistic: str,
        value: float,
        limit: float,
        top_variables: list[str],
        at: datetime,
    ) -> None:
        """Record an alarm; refuse a second one while one is open, or one that is no alarm."""
        if self.id != self.id_for(client.id, line):
            raise invalid(
                "line", "line.not_of_client", line_id=self.id, line=line, client=client.id
            )
        if self.open_alarm is not None:
            raise invalid("reading", "line.alarm_open", reading=self.open_alarm["reading"])
        if not 0 <= onset <= reading:
            raise invalid("onset", "line.onset_after_alarm")
        if not value > limit:
            raise invalid("value", "line.not_over_limit", value=value, limit=limit)
        self.record(
            ev.LineAlarmRaised(
                client.id,
                line,
                reading,
                onset,
                text_field("statistic", statistic, 32),
                float(value),
                float(limit),
                [text_field("top_variables", v, 64) for v in top_variables[:10]],
                utc_instant(at),
            )
        )

    def clear_alarm(self, reading: int, at: datetime) -> None:
        """End the open alarm at ``reading``."""
        open_ = self.open_alarm
        if open_ is None:
            raise invalid("reading", "line.no_open_alarm", line=self.id)
        if reading <= open_["reading"]:
            raise invalid("reading", "line.clear_before_alarm", reading=open_["reading"])
        self.record(ev.LineAlarmCleared(reading, utc_instant(at)))

    def _on_alarm_raised(self, e: ev.LineAlarmRaised) -> None:
        self.client_id, self.line = e.client_id, e.line
        self.alarms.append({**e.data(), "cleared": None, "cleared_at": None})

    def _on_alarm_cleared(self, e: ev.LineAlarmCleared) -> None:
        self.alarms[-1]["cleared"], self.alarms[-1]["cleared_at"] = e.reading, e.at
