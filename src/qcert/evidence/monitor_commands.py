"""Commands of watching a stream. Handlers live in monitor_handlers.py; who may run each, in
the access policy."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Literal

from annotated_types import Ge, Le, MaxLen
from pydantic import ConfigDict, Field, Strict, StringConstraints

from ..lifecycle.inputs import Id, Instant, Word

__all__ = ["ClearStreamAlarm", "FitMonitor", "RaiseStreamAlarm"]

Seq = Annotated[int, Strict(), Ge(0), Le(2**63 - 1)]
Figure = Annotated[float, Field(allow_inf_nan=False), Ge(-1e300), Le(1e300)]
Figures = Annotated[dict[Annotated[str, StringConstraints(max_length=64)], Figure], MaxLen(200)]
Param = int | float | str
Params = Annotated[dict[Annotated[str, StringConstraints(max_length=32)], Param], MaxLen(8)]
Hex64 = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
Ranked = Annotated[list[Annotated[dict[str, Any], MaxLen(3)]], MaxLen(10)]
Variable = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$")]
GraphName = Annotated[str, StringConstraints(pattern=r"^([a-z0-9][a-z0-9_-]{0,63})?$")]


@dataclass(frozen=True)
class FitMonitor:
    """Fit a monitor on a device's readings of a normal period ``[start, end)``: ``kind`` pca,
    dpca, cva or spc, with ``params`` (``n_components``, ``n_states``, ``lags``, ``alpha``,
    ``control_limits``, ``folds``, ``persistence`` as the kind takes) or ``"select"`` (the
    library chooses them from the same readings); ``graph`` names a bundled process graph
    for root-cause ranking (empty: none); ``variables`` the device's variables it watches
    (empty: all). The period's readings must all be anchored."""

    device_id: Id
    kind: Literal["pca", "dpca", "cva", "spc"]
    start: Instant
    end: Instant
    params: Params | Literal["select"] = "select"
    graph: GraphName = ""
    variables: Annotated[tuple[Variable, ...], MaxLen(200)] = ()


@dataclass(frozen=True)
class RaiseStreamAlarm:
    """Record an alarm the watcher raised on a device's stream, with the anchored window of its
    reading (the platform's own watcher only)."""

    device_id: Id
    seq: Seq
    time: Instant
    first_seq: Seq
    statistic: Word
    statistics: Figures
    limits: Figures
    top_variables: Ranked
    root_causes: Ranked
    digest: Hex64
    window_start: Instant
    window_root: Hex64
    window_index: Seq


@dataclass(frozen=True)
class ClearStreamAlarm:
    """Record that a device's open alarm cleared, with the anchored window of the reading."""

    device_id: Id
    seq: Seq
    time: Instant
    raised_seq: Seq
    window_start: Instant
    window_root: Hex64
    window_index: Seq


for _name in __all__:
    globals()[_name].__pydantic_config__ = ConfigDict(extra="forbid")
