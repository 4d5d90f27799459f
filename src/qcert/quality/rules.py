"""Run rules on a Shewhart chart: Western Electric 1-4 and Nelson 1-8.

Each rule reads the chart's points as z = (statistic − centre) / σ, σ being the standard error
of the statistic at that point, so charts with varying limits (p and u with unequal samples)
are handled as they are drawn. Zones follow Montgomery, *Introduction to Statistical Quality
Control*, 7th ed., §5.3.6 and Table 5.1: "beyond kσ" is |z| > k, "within 1σ" is |z| ≤ 1, and a
point exactly on the centre line is on neither side, so it breaks a same-side run. A missing
point (NaN, e.g. the first moving range) breaks every run.

A violation is one episode: every window that fires, merged with the windows it overlaps.
It names the points that make it: for "k of m beyond" rules the points beyond the zone, for
runs and trends every point of the run. ``signal`` is where the rule first fires, the last
point of the first complete window, which is when an operator watching the chart would know.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from numpy.typing import ArrayLike, NDArray

from .inputs_error import InputError

__all__ = ["NELSON", "RULES", "WESTERN_ELECTRIC", "Rule", "Violation", "check"]

Bools = NDArray[np.bool_]


@dataclass(frozen=True)
class Rule:
    """A run rule: its id, its wording in en and zh-CN, and where it comes from."""

    id: str
    en: str
    zh: str
    source: str


@dataclass(frozen=True)
class Violation:
    """One episode of a rule: the points that make it, their side or direction, its signal.

    ``direction`` is ``above`` / ``below`` (a side of the centre line), ``increasing`` /
    ``decreasing`` (Nelson 3), ``alternating`` (Nelson 4), ``within`` (Nelson 7) or
    ``outside`` (Nelson 8). Indices are 0-based positions in the chart.
    """

    rule: str
    en: str
    zh: str
    indices: tuple[int, ...]
    direction: str
    signal: int


_WE = "Western Electric Statistical Quality Control Handbook (1956); Montgomery §5.3.6"
_NELSON = "Nelson, J. Quality Technology 16(4) 1984; GB/T 4091-2001 判异准则"

RULES: dict[str, Rule] = {
    r.id: r
    for r in (
        Rule("we.1", "One point beyond 3σ", "1 个点落在 3σ 控制限以外", _WE),
        Rule(
            "we.2",
            "Two of three consecutive points beyond 2σ on the same side",
            "连续 3 点中有 2 点落在中心线同一侧 2σ 以外",
            _WE,
        ),
        Rule(
            "we.3",
            "Four of five consecutive points beyond 1σ on the same side",
            "连续 5 点中有 4 点落在中心线同一侧 1σ 以外",
            _WE,
        ),
        Rule(
            "we.4",
            "Eight consecutive points on the same side of the centre line",
            "连续 8 点落在中心线同一侧",
            _WE,
        ),
        Rule("nelson.1", "One point beyond 3σ (zone A)", "1 个点落在 A 区以外", _NELSON),
        Rule(
            "nelson.2",
            "Nine points in a row on the same side of the centre line",
            "连续 9 点落在中心线同一侧",
            _NELSON,
        ),
        Rule(
            "nelson.3",
            "Six points in a row steadily increasing or decreasing",
            "连续 6 点递增或递减",
            _NELSON,
        ),
        Rule(
            "nelson.4",
            "Fourteen points in a row alternating up and down",
            "连续 14 点中相邻点交替上下",
            _NELSON,
        ),
        Rule(
            "nelson.5",
            "Two of three points in a row beyond 2σ on the same side",
            "连续 3 点中有 2 点落在中心线同一侧的 B 区以外",
            _NELSON,
        ),
        Rule(
            "nelson.6",
            "Four of five points in a row beyond 1σ on the same side",
            "连续 5 点中有 4 点落在中心线同一侧的 C 区以外",
            _NELSON,
        ),
        Rule(
            "nelson.7",
            "Fifteen points in a row within 1σ of the centre line, either side",
            "连续 15 点落在中心线两侧的 C 区内",
            _NELSON,
        ),
        Rule(
            "nelson.8",
            "Eight points in a row beyond 1σ, on both sides of the centre line",
            "连续 8 点落在中心线两侧且无一在 C 区内",
            _NELSON,
        ),
    )
}
WESTERN_ELECTRIC: tuple[str, ...] = ("we.1", "we.2", "we.3", "we.4")
NELSON: tuple[str, ...] = tuple(f"nelson.{i}" for i in range(1, 9))

# (fires per window end, window length, which points of a firing window to report, direction)
Finding = tuple[Bools, int, Bools, str]


def check(
    statistic: ArrayLike,
    center: ArrayLike,
    sigma: ArrayLike,
    rules: Iterable[str] = NELSON,
) -> tuple[Violation, ...]:
    """Every violation of ``rules`` on a chart, ordered by where each first signals.

    ``center`` and ``sigma`` are scalars or one value per point, in the statistic's unit.
    """
    x = np.asarray(statistic, dtype=float)
    if x.ndim != 1:
        raise InputError("statistic: expected a 1-D series", "判异的统计量须为一列数值")
    c = np.broadcast_to(np.asarray(center, dtype=float), x.shape)
    s = np.broadcast_to(np.asarray(sigma, dtype=float), x.shape)
    with np.errstate(invalid="ignore", divide="ignore"):
        z = np.where(s > 0, (x - c) / s, np.nan)
    found: list[Violation] = []
    for rule_id in rules:
        if rule_id not in RULES:
            raise InputError(
                f"rules: unknown rule {rule_id!r}; known: {', '.join(RULES)}",
                f"未知的判异准则 {rule_id!r}，已知：{'、'.join(map(repr, RULES))}",
            )
        rule = RULES[rule_id]
        for fires, width, report, direction in _CHECKS[rule_id](z, x):
            found += [
                Violation(rule.id, rule.en, rule.zh, indices, direction, signal)
                for indices, signal in _episodes(fires, width, report)
            ]
    order = {r: i for i, r in enumerate(RULES)}
    return tuple(sorted(found, key=lambda v: (v.signal, order[v.rule], v.indices)))


def _episodes(fires: Bools, width: int, report: Bools) -> list[tuple[tuple[int, ...], int]]:
    """Merge overlapping firing windows (given by their last index) into episodes."""
    episodes: list[tuple[tuple[int, ...], int]] = []
    start = end = signal = -1
    for last in np.flatnonzero(fires):
        first = int(last) - width + 1
        if first > end:
            if end >= 0:
                episodes.append((_points(report, start, end), signal))
            start, signal = first, int(last)
        end = int(last)
    if end >= 0:
        episodes.append((_points(report, start, end), signal))
    return episodes


def _points(report: Bools, start: int, end: int) -> tuple[int, ...]:
    return tuple(int(i) + start for i in np.flatnonzero(report[start : end + 1]))


def _windows(flags: Bools, width: int, least: int) -> Bools:
    """For each index, whether the window of ``width`` ending there has ≥ ``least`` flags."""
    fires = np.zeros(len(flags), dtype=bool)
    if len(flags) >= width:
        fires[width - 1 :] = sliding_window_view(flags, width).sum(axis=1) >= least
    return fires


def _sides(z: NDArray[np.float64], limit: float) -> list[tuple[Bools, str]]:
    with np.errstate(invalid="ignore"):
        return [(z > limit, "above"), (z < -limit, "below")]


def _beyond(limit: float, least: int, width: int) -> Callable[..., list[Finding]]:
    """``least`` of ``width`` consecutive points beyond ``limit``σ, all on one side."""

    def run(z: NDArray[np.float64], _x: NDArray[np.float64]) -> list[Finding]:
        return [(_windows(f, width, least), width, f, d) for f, d in _sides(z, limit)]

    return run


def _same_side(length: int) -> Callable[..., list[Finding]]:
    """``length`` points in a row strictly on one side of the centre line."""

    def run(z: NDArray[np.float64], _x: NDArray[np.float64]) -> list[Finding]:
        return [(_windows(f, length, length), length, f, d) for f, d in _sides(z, 0.0)]

    return run


def _trend(z: NDArray[np.float64], x: NDArray[np.float64]) -> list[Finding]:
    """Nelson 3: six points, i.e. five steps, each strictly up (or each strictly down)."""
    steps = np.diff(x)
    found: list[Finding] = []
    with np.errstate(invalid="ignore"):
        for moves, direction in ((steps > 0, "increasing"), (steps < 0, "decreasing")):
            # a window of 5 moves ending at step j covers points j-4 .. j+1
            fires = np.concatenate([[False], _windows(moves, 5, 5)])
            found.append((fires, 6, np.ones(len(x), dtype=bool), direction))
    return found


def _alternating(z: NDArray[np.float64], x: NDArray[np.float64]) -> list[Finding]:
    """Nelson 4: fourteen points whose thirteen steps alternate in sign (a tie breaks it)."""
    steps = np.diff(x)
    with np.errstate(invalid="ignore"):
        flips = steps[1:] * steps[:-1] < 0  # flips[j]: steps j and j+1 have opposite signs
    # 12 flips in a row, ending at flip j, cover points j-11 .. j+2
    fires = np.concatenate([[False, False], _windows(flips, 12, 12)])
    return [(fires, 14, np.ones(len(x), dtype=bool), "alternating")]


def _within(z: NDArray[np.float64], x: NDArray[np.float64]) -> list[Finding]:
    """Nelson 7: fifteen points in a row with |z| ≤ 1 (stratification)."""
    with np.errstate(invalid="ignore"):
        inside = np.abs(z) <= 1.0
    return [(_windows(inside, 15, 15), 15, inside, "within")]


def _outside(z: NDArray[np.float64], x: NDArray[np.float64]) -> list[Finding]:
    """Nelson 8: eight points in a row with |z| > 1, on both sides (a mixture).

    Nelson's wording, "on both sides of the centre line", is read as R's qcc reads it: the
    eight points include some above and some below; eight on one side are rule 6's pattern.
    """
    with np.errstate(invalid="ignore"):
        above, below = z > 1.0, z < -1.0
    fires = _windows(above | below, 8, 8) & _windows(above, 8, 1) & _windows(below, 8, 1)
    return [(fires, 8, above | below, "outside")]


def _one_point(z: NDArray[np.float64], x: NDArray[np.float64]) -> list[Finding]:
    """One point beyond 3σ; each such point is its own violation."""
    return [(f, 1, f, d) for f, d in _sides(z, 3.0)]


_CHECKS: dict[str, Callable[[NDArray[np.float64], NDArray[np.float64]], list[Finding]]] = {
    "we.1": _one_point,
    "we.2": _beyond(2.0, 2, 3),
    "we.3": _beyond(1.0, 4, 5),
    "we.4": _same_side(8),
    "nelson.1": _one_point,
    "nelson.2": _same_side(9),
    "nelson.3": _trend,
    "nelson.4": _alternating,
    "nelson.5": _beyond(2.0, 2, 3),
    "nelson.6": _beyond(1.0, 4, 5),
    "nelson.7": _within,
    "nelson.8": _outside,
}
