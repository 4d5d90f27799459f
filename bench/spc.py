"""SPC figures beside their published values: textbook examples, then run lengths by simulation.

1. Montgomery, *Introduction to Statistical Quality Control*, 7th ed.: the limits, signals and
   capability of Examples 6.1 (piston rings, X-bar/R), 7.1 (orange juice, p), the circuit-board
   c chart and the personal-computer u chart of §7.3.1, and Examples 9.1 (tabular CUSUM) and
   9.2 (EWMA). The book rounds intermediate values, so differences of a unit in the last printed
   place are the book's rounding.
2. Average run lengths (ARL, in points) by Monte Carlo with N(0, 1) data and known parameters,
   beside the published ARLs: Shewhart 3σ (1/0.0027 = 370.4; 43.9 for a 1σ shift), the four
   Western Electric rules together (91.75, Champ & Woodall, Technometrics 29(4), 1987), the
   tabular CUSUM k = 0.5, h = 5 (465 and 10.4, Montgomery §9.1.3) and the EWMA λ = 0.1,
   L = 2.814 (500 and 10.3, Lucas & Saccucci, Technometrics 32(1), 1990; Montgomery
   §9.2.2).
   The EWMA table assumes the asymptotic limits; qcert draws the exact, narrower early limits
   by default, which shorten the runs, so both are simulated.

Run: ``make bench`` or ``.venv/bin/python bench/spc.py [--runs N] [--seed S] [--json]``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the published data sets

from tests.unit.quality.montgomery import (
    CIRCUIT_BOARDS,
    ORANGE_JUICE,
    PERSONAL_COMPUTERS,
    PISTON_RINGS,
    SHIFTED_MEAN,
)

from qcert.quality import spc
from qcert.quality.capability import capability
from qcert.quality.rules import WESTERN_ELECTRIC, check

Row = tuple[str, float, float]


def textbook() -> list[Row]:
    """(figure, qcert, published) for the worked examples."""
    rings = np.array(PISTON_RINGS)
    trial = spc.xbar_r(rings[:25])
    xbar, r = trial.chart("xbar"), trial.chart("r")
    monitor = spc.xbar_r(rings[25:], params=trial.params).chart("xbar")
    p1 = spc.p_chart(ORANGE_JUICE, 50, revise=False).chart("p")
    kept = [d for i, d in enumerate(ORANGE_JUICE) if i not in (14, 22)]
    p2 = spc.p_chart(kept, 50, revise=False).chart("p")
    c1 = spc.c_chart(CIRCUIT_BOARDS, revise=False).chart("c")
    c2 = spc.c_chart(CIRCUIT_BOARDS).chart("c")
    u = spc.u_chart(PERSONAL_COMPUTERS, 5).chart("u")
    cusum = spc.cusum(SHIFTED_MEAN, params=spc.Params(10.0, 1.0))
    ewma = spc.ewma(SHIFTED_MEAN, params=spc.Params(10.0, 1.0)).chart("ewma")
    cap = capability(rings[:25], lsl=73.95, usl=74.05)
    return [
        ("6.1 X-bar centre x̿", xbar.center[0], 74.001),
        ("6.1 X-bar UCL", xbar.upper[0], 74.014),
        ("6.1 X-bar LCL", xbar.lower[0], 73.988),
        ("6.1 R centre R̄", r.center[0], 0.023),
        ("6.1 R UCL", r.upper[0], 0.049),
        ("6.1 phase II: first sample above the UCL", monitor.signals()[0] + 26, 37),
        ("6.1 Cp (book: σ̂ = 0.0099)", cap.cp.estimate, 1.68),
        ("7.1 p̄", p1.center[0], 0.2313),
        ("7.1 p UCL", p1.upper[0], 0.4102),
        ("7.1 p LCL", p1.lower[0], 0.0524),
        ("7.1 revised p̄ (without 15, 23)", p2.center[0], 0.2150),
        ("7.1 revised p UCL", p2.upper[0], 0.3893),
        ("7.3.1 c̄", c1.center[0], 19.85),
        ("7.3.1 c UCL", c1.upper[0], 33.22),
        ("7.3.1 c LCL", c1.lower[0], 6.48),
        ("7.3.1 revised c̄ (phase I drops 6, 20)", c2.center[0], 19.67),
        ("7.3.1 revised c UCL", c2.upper[0], 32.97),
        ("7.3.1 ū", u.center[0], 1.93),
        ("7.3.1 u UCL", u.upper[0], 3.79),
        ("9.1 CUSUM C⁺ at period 29", cusum.chart("cusum-upper").statistic[28], 5.28),
        ("9.1 CUSUM signal (period)", cusum.alarms[0].signal + 1, 29),
        ("9.1 CUSUM shifted mean μ̂", cusum.alarms[0].shifted_mean, 11.25),
        ("9.2 EWMA UCL at period 1", ewma.upper[0], 10.27),
        ("9.2 EWMA UCL, steady state", ewma.upper[-1], 10.62),
    ]


def _first_signal(series_signal: Callable[[np.ndarray], int | None], shift: float, rng) -> int:
    """Points until the first signal on N(shift, 1) data, extending the series as needed."""
    x = rng.normal(shift, 1.0, size=1024)
    while (found := series_signal(x)) is None:
        x = np.concatenate([x, rng.normal(shift, 1.0, size=3 * len(x))])
    return found + 1


def _shewhart(x: np.ndarray) -> int | None:
    out = np.flatnonzero(np.abs(x) > 3.0)
    return int(out[0]) if out.size else None


def _western_electric(x: np.ndarray) -> int | None:
    found = check(x, 0.0, 1.0, WESTERN_ELECTRIC)
    return min(v.signal for v in found) if found else None


def _cusum(x: np.ndarray) -> int | None:
    alarms = spc.cusum(x, 0.5, 5.0, spc.Params(0.0, 1.0)).alarms
    return alarms[0].signal if alarms else None


def _ewma(x: np.ndarray, exact: bool = True) -> int | None:
    chart = spc.ewma(x, 0.1, 2.814, spc.Params(0.0, 1.0), exact_limits=exact).chart("ewma")
    signals = chart.signals()
    return signals[0] if signals else None


def _ewma_asymptotic(x: np.ndarray) -> int | None:
    return _ewma(x, exact=False)


SCHEMES: list[tuple[str, Callable[[np.ndarray], int | None], float, float]] = [
    ("Shewhart 3σ, in control", _shewhart, 0.0, 370.4),
    ("Shewhart 3σ, 1σ shift", _shewhart, 1.0, 43.9),
    ("Western Electric 1-4, in control", _western_electric, 0.0, 91.75),
    ("CUSUM k = 0.5, h = 5, in control", _cusum, 0.0, 465.0),
    ("CUSUM k = 0.5, h = 5, 1σ shift", _cusum, 1.0, 10.4),
    ("EWMA λ = 0.1, L = 2.814, asymptotic limits, in control", _ewma_asymptotic, 0.0, 500.0),
    ("EWMA λ = 0.1, L = 2.814, asymptotic limits, 1σ shift", _ewma_asymptotic, 1.0, 10.3),
    ("EWMA λ = 0.1, L = 2.814, exact limits, in control", _ewma, 0.0, 500.0),
    ("EWMA λ = 0.1, L = 2.814, exact limits, 1σ shift", _ewma, 1.0, 10.3),
]


def run_lengths(runs: int, seed: int) -> list[tuple[str, float, float, float]]:
    """(scheme, mean run length, its standard error, published ARL)."""
    rows = []
    for name, signal, shift, published in SCHEMES:
        rng = np.random.default_rng(seed)
        lengths = np.array([_first_signal(signal, shift, rng) for _ in range(runs)])
        rows.append((name, lengths.mean(), lengths.std(ddof=1) / np.sqrt(runs), published))
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--runs", type=int, default=4000, help="simulated runs per ARL (default 4000)")
    ap.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = ap.parse_args()
    started = time.perf_counter()
    book = textbook()
    arl = run_lengths(args.runs, args.seed)
    seconds = time.perf_counter() - started
    if args.json:
        print(
            json.dumps(
                {
                    "textbook": [
                        {"figure": f, "qcert": q, "published": p, "difference": q - p}
                        for f, q, p in book
                    ],
                    "arl": [
                        {"scheme": s, "qcert": m, "se": se, "published": p, "ratio": m / p}
                        for s, m, se, p in arl
                    ],
                    "runs": args.runs,
                    "seconds": seconds,
                },
                ensure_ascii=False,
                indent=2,
            )
        )
        return
    print("Montgomery, 7th ed.: worked examples")
    print(f"  {'figure':<44} {'qcert':>11} {'published':>11} {'difference':>11}")
    for figure, ours, published in book:
        print(f"  {figure:<44} {ours:>11.5g} {published:>11.5g} {ours - published:>+11.4f}")
    print(f"\nAverage run length, {args.runs} simulated runs each (seed {args.seed})")
    print(f"  {'scheme':<54} {'qcert':>8} {'± s.e.':>7} {'published':>10} {'ratio':>7}")
    for scheme, mean, se, published in arl:
        print(f"  {scheme:<54} {mean:>8.1f} {se:>7.1f} {published:>10.2f} {mean / published:>7.3f}")
    print(f"\n{seconds:.1f} s")


if __name__ == "__main__":
    main()
