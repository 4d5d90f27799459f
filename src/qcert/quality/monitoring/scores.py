"""Per-reading monitoring statistics with their limits, and the k-in-a-row alarm rule."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .inputs import MonitorInputError

__all__ = ["Scores", "persistent"]

Array = NDArray[np.float64]


def _frozen(mapping: Mapping[str, object]) -> Mapping[str, object]:
    return MappingProxyType(dict(mapping))


@dataclass(frozen=True)
class Scores:
    """Per-reading monitoring statistics of one monitor, their control limits and alarm flags.

    ``statistics`` maps a statistic's name (``"t2"``, ``"spe"``, ``"t2_residual"``) to one value
    per reading (dimensionless; NaN for the first ``first_scored`` readings, which a dynamic
    monitor cannot score yet); ``limits`` holds the upper control limit of each.
    """

    statistics: Mapping[str, Array]
    limits: Mapping[str, float]
    first_scored: int = 0
    exceeded: Mapping[str, NDArray[np.bool_]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "statistics", _frozen(self.statistics))
        object.__setattr__(self, "limits", _frozen(self.limits))
        with np.errstate(invalid="ignore"):
            above = {
                k: np.nan_to_num(v, nan=-np.inf) > self.limits[k]
                for k, v in self.statistics.items()
            }
        object.__setattr__(self, "exceeded", _frozen(above))

    @property
    def alarm(self) -> NDArray[np.bool_]:
        """True where any statistic is above its limit (no persistence rule)."""
        return np.logical_or.reduce(list(self.exceeded.values()))

    def alarms(self, persistence: int = 1) -> NDArray[np.bool_]:
        """True where this and the previous ``persistence − 1`` readings were all in alarm."""
        return persistent(self.alarm, persistence)

    @property
    def ratio(self) -> Array:
        """Largest statistic / limit of each reading (NaN where not scored); > 1 is an alarm."""
        with np.errstate(invalid="ignore", divide="ignore"):
            ratios = [v / self.limits[k] for k, v in self.statistics.items()]
        return np.fmax.reduce(ratios)

    @property
    def t2(self) -> Array:
        """Hotelling's T² of each reading."""
        return self.statistics["t2"]

    @property
    def spe(self) -> Array:
        """Squared prediction error (Q) of each reading; PCA monitors only."""
        return self.statistics["spe"]

    @property
    def t2_limit(self) -> float:
        """Upper control limit of T²."""
        return self.limits["t2"]

    @property
    def spe_limit(self) -> float:
        """Upper control limit of SPE."""
        return self.limits["spe"]


def persistent(flags: ArrayLike, persistence: int) -> NDArray[np.bool_]:
    """Flags kept only where ``persistence`` consecutive readings (this one included) are flagged.

    The k-in-a-row rule trades a delay of ``k − 1`` readings for fewer false alarms: with
    independent exceedances of probability p, a false alarm needs p^k (Montgomery, 7th ed.,
    ch. 5 on sensitizing rules).
    """
    if persistence < 1:
        raise MonitorInputError(
            "persistence: must be at least 1 reading", "--persistence 须至少为 1 条读数"
        )
    f = np.asarray(flags, dtype=bool)
    if persistence == 1:
        return f.copy()
    runs = np.convolve(f.astype(int), np.ones(persistence, dtype=int))[: f.size]
    return runs >= persistence
