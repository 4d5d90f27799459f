"""Emerging hot spot categories: how each location's hot or cold spot status evolved.

The rules are those of Esri's "How Emerging Hot Spot Analysis works" (ArcGIS Pro tool
reference, Space Time Pattern Mining toolbox,
https://pro.arcgis.com/en/pro-app/latest/tool-reference/space-time-pattern-mining/learnmoreemerging.htm),
applied to per-slice G_i* with FDR control and the Mann-Kendall trend of each location's
z-scores. "90 percent" there is read as at least 90% of the slices.

Where the page lets two categories apply, qcert decides as follows (and tests it):
a location is classified by the status of its final slice first (hot, then cold), so a
location cold now but hot in 90% of the past is an oscillating cold spot, not a historical
hot spot; and a location with any significant opposite spot before its final run is
oscillating, never new or consecutive.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..inputs_error import InputError
from .getis_ord import HotSpots, hot_spots
from .trend import MannKendall, mann_kendall

__all__ = ["EmergingHotSpots", "Pattern", "classify", "emerging_hot_spots"]


class Pattern(StrEnum):
    """An emerging hot spot category (Esri's eight, for hot and for cold, and none)."""

    NEW_HOT = "new_hot_spot"
    CONSECUTIVE_HOT = "consecutive_hot_spot"
    INTENSIFYING_HOT = "intensifying_hot_spot"
    PERSISTENT_HOT = "persistent_hot_spot"
    DIMINISHING_HOT = "diminishing_hot_spot"
    SPORADIC_HOT = "sporadic_hot_spot"
    OSCILLATING_HOT = "oscillating_hot_spot"
    HISTORICAL_HOT = "historical_hot_spot"
    NEW_COLD = "new_cold_spot"
    CONSECUTIVE_COLD = "consecutive_cold_spot"
    INTENSIFYING_COLD = "intensifying_cold_spot"
    PERSISTENT_COLD = "persistent_cold_spot"
    DIMINISHING_COLD = "diminishing_cold_spot"
    SPORADIC_COLD = "sporadic_cold_spot"
    OSCILLATING_COLD = "oscillating_cold_spot"
    HISTORICAL_COLD = "historical_cold_spot"
    NONE = "no_pattern"

    def label(self, lang: str = "en") -> str:
        """The category's name for people, in ``en`` or ``zh-CN``."""
        if self is Pattern.NONE:
            return "no pattern detected" if lang == "en" else "未发现模式"
        kind, side = self.value.removesuffix("_spot").rsplit("_", 1)
        if lang == "en":
            return f"{kind} {side} spot"
        return f"{_KIND_ZH[kind]}{'热点' if side == 'hot' else '冷点'}"


_KIND_ZH = {
    "new": "新增",
    "consecutive": "连续",
    "intensifying": "增强",
    "persistent": "持续",
    "diminishing": "减弱",
    "sporadic": "零星",
    "oscillating": "振荡",
    "historical": "历史",
}


@dataclass(frozen=True, eq=False)
class EmergingHotSpots:
    """Per location: its ``patterns`` and the Mann-Kendall ``trends`` of its z-scores; and
    the per-slice ``hot_spots`` they were read from."""

    patterns: tuple[Pattern, ...]
    trends: tuple[MannKendall, ...]
    hot_spots: HotSpots

    def counts(self) -> dict[Pattern, int]:
        """How many locations fall in each category (categories with none left out)."""
        return dict(Counter(self.patterns))


def _share_at_least_90(flags: NDArray[np.bool_]) -> bool:
    # Integer form of "at least 90 percent" so that 9 of 10 is not lost to rounding.
    return 10 * int(flags.sum()) >= 9 * flags.size


def _final_run(flags: NDArray[np.bool_]) -> int:
    """Length of the run of True that ends at the last slice."""
    breaks = np.flatnonzero(~flags[::-1])
    return int(breaks[0]) if breaks.size else flags.size


def _final_side(spot: NDArray[np.bool_], opposite: NDArray[np.bool_], up: bool, down: bool) -> str:
    """The kind ("new", ..., "sporadic") of a location that is a spot in its final slice.

    ``spot``/``opposite``: significant slices on this side and the other; ``up``/``down``:
    a significant trend of the z-scores towards / away from this side.
    """
    if _share_at_least_90(spot):
        # Esri: hot in 90% of the slices including the final one; the trend decides.
        return "intensifying" if up else "diminishing" if down else "persistent"
    if opposite.any():
        return "oscillating"
    run = _final_run(spot)
    if not spot[: spot.size - run].any():
        return "new" if run == 1 else "consecutive"
    return "sporadic"


def classify(
    z: ArrayLike, significant: ArrayLike, trend: MannKendall, *, alpha: float = 0.05
) -> Pattern:
    """The category of one location from its G_i* z-scores and significance per slice.

    ``z`` and ``significant`` run oldest slice first; ``trend`` is the Mann-Kendall test of
    ``z``, significant when its p-value is below ``alpha``. Rules: Esri, "How Emerging Hot
    Spot Analysis works" (see the module docstring for the page and the tie-breaks).
    """
    zs = np.asarray(z, dtype=float)
    sig = np.asarray(significant, dtype=bool)
    if zs.ndim != 1 or zs.shape != sig.shape or zs.size < 1:
        raise InputError(
            "significant: expected one flag per z-score", "每个 z 值须对应一个显著性标记"
        )
    hot, cold = sig & (zs > 0), sig & (zs < 0)
    rising, falling = trend.increasing(alpha), trend.decreasing(alpha)
    if hot[-1]:
        return Pattern(f"{_final_side(hot, cold, rising, falling)}_hot_spot")
    if cold[-1]:
        return Pattern(f"{_final_side(cold, hot, falling, rising)}_cold_spot")
    if _share_at_least_90(hot):
        return Pattern.HISTORICAL_HOT
    if _share_at_least_90(cold):
        return Pattern.HISTORICAL_COLD
    return Pattern.NONE


def emerging_hot_spots(
    values: ArrayLike, weights: ArrayLike, *, alpha: float = 0.05, fdr: bool = True
) -> EmergingHotSpots:
    """Emerging hot spot analysis of ``values`` (n_slices, n_locations; oldest slice first).

    Per slice: G_i* with ``weights`` (see ``hot_spots``), significant at ``alpha`` after
    Benjamini-Hochberg within the slice when ``fdr``. Per location: the Mann-Kendall trend of
    its z-scores (significant at the same ``alpha``) and the category from ``classify``.
    Esri's tool needs at least 10 slices for the trend to mean much; fewer than 3 are refused.
    """
    spots = hot_spots(values, weights, alpha=alpha, fdr=fdr)
    if spots.z.shape[0] < 3:
        raise InputError(
            "values: emerging hot spot analysis needs at least 3 time slices",
            "新兴热点分析至少需要 3 个时间片",
        )
    significant = spots.significant
    trends = tuple(mann_kendall(spots.z[:, i]) for i in range(spots.z.shape[1]))
    patterns = tuple(
        classify(spots.z[:, i], significant[:, i], trend, alpha=alpha)
        for i, trend in enumerate(trends)
    )
    return EmergingHotSpots(patterns=patterns, trends=trends, hot_spots=spots)
