"""Events of watching a stream: a monitor fitted on a device's normal period, and the alarms
its scoring raised and cleared (国市监认证发〔2025〕72号 (四): anomaly early warning on process
data). Each alarm carries the anchored window of the reading that raised or cleared it, so the
reading and the alarm are provable together."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from ..lifecycle.events import Event

__all__ = ["MonitorFitted", "StreamAlarmCleared", "StreamAlarmRaised"]


@dataclass(frozen=True)
class MonitorFitted(Event):
    """A monitor was fitted on a device's readings of a normal period ``[start, end)`` (UTC):
    its kind (pca, dpca, cva, spc), parameters (as used: chosen by the library when
    ``selected``), the variables in column order, how many readings it was fitted on, its
    control limits (dimensionless statistics), the I chart of each variable with
    specification limits (centre, σ, control and specification limits, in the variable's
    unit), the persistence rule (readings), the process graph it names (empty: none) and the
    SHA-256 digest of the fitted model, which a refit from the anchored readings must give
    again. A monitor fitted anew replaces the device's previous one and ends its open alarm's
    episode."""

    name: ClassVar[str] = "evidence.monitor-fitted"
    device_id: str
    client_id: str
    kind: str
    params: dict[str, Any]
    selected: bool
    variables: list[str]
    start: str
    end: str
    readings: int
    limits: dict[str, float]
    charts: dict[str, Any]
    persistence: int
    graph: str
    digest: str


@dataclass(frozen=True)
class StreamAlarmRaised(Event):
    """The device's monitor raised an alarm at reading ``seq`` (taken at ``time``): the run of
    ``persistence`` readings from ``first_seq`` exceeded a limit. ``statistic`` is the one
    furthest beyond its limit; ``statistics`` and ``limits`` their values at ``seq``;
    ``top_variables`` the variables carrying it (mean reconstruction-based contribution over
    the run and its share); ``root_causes`` the candidates ranked on the process graph (empty
    without one); ``digest`` the monitor's. ``window_start``, ``window_root`` and
    ``window_index`` name the anchored window holding reading ``seq`` (its start, Merkle root
    and the ledger index of its ``evidence.window-anchored`` event)."""

    name: ClassVar[str] = "evidence.alarm-raised"
    device_id: str
    seq: int
    time: str
    first_seq: int
    statistic: str
    statistics: dict[str, float]
    limits: dict[str, float]
    top_variables: list[dict[str, Any]]
    root_causes: list[dict[str, Any]]
    digest: str
    window_start: str
    window_root: str
    window_index: int


@dataclass(frozen=True)
class StreamAlarmCleared(Event):
    """The device's open alarm (raised at ``raised_seq``) ended: reading ``seq``, taken at
    ``time``, was within all limits. The window fields name the anchored window holding
    ``seq``, as for a raised alarm."""

    name: ClassVar[str] = "evidence.alarm-cleared"
    device_id: str
    seq: int
    time: str
    raised_seq: int
    window_start: str
    window_root: str
    window_index: int
