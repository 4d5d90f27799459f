"""Spatio-temporal patterns: each method beside its reference figure.

1. G_i* (``qcert.quality.spacetime.gi_star``) against PySAL's ``esda.G_Local(star=True)``
   on 1,000 random locations x 24 slices, 8 nearest neighbours: largest |difference| of the
   z-scores and the time each takes.
2. Benjamini-Hochberg FDR over 1,000 independent tests of which 900 are true nulls:
   the false discovery rate observed, beside the bound of Benjamini & Hochberg (1995),
   Theorem 1: FDR = (m0 / m) q.
3. Mann-Kendall test of 12-point white-noise series: the rejection rate at 5%, beside the
   nominal 5% (the normal approximation is known to be close from n = 10; Gilbert 1987,
   §16.4).
4. Space-time permutation scan (Kulldorff et al. 2005) on a 6 x 6 grid of locations and 20
   slices, prospective, 99 replications per data set: the share of null data sets (no
   space-time interaction) with p <= 0.05, beside the nominal 5%; then the detection rate of a
   planted 5-location, 3-slice emerging cluster by relative risk (no published figure exists
   for this layout: these are our own).
5. The scan at the size of a nation's counties: 2,850 locations (random points in China's
   longitude and latitude span, great-circle distances) x 52 weekly slices, prospective,
   circles of up to 5% of the locations: seconds per replication (no baseline: it sizes the
   work, which grows as replications x locations x circle sizes x windows).

Each rate is printed with its binomial 95% interval (Wilson). Run: ``make bench`` or
``.venv/bin/python bench/spacetime.py [--quick]``.
"""

from __future__ import annotations

import argparse
import math
import time
import warnings

import esda
import libpysal
import numpy as np
from scipy import stats

from qcert.quality.spacetime import (
    benjamini_hochberg,
    gi_star,
    k_nearest,
    mann_kendall,
    space_time_permutation_scan,
)


def wilson(hits: int, n: int) -> tuple[float, float]:
    """Wilson score 95% interval for a binomial proportion (Wilson 1927, JASA 22, 209-212)."""
    z, p = 1.959964, hits / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


def rate_row(label: str, hits: int, n: int, baseline: float | None) -> str:
    low, high = wilson(hits, n)
    base = "   (no published figure)" if baseline is None else f"   baseline {baseline:6.3f}"
    ratio = "" if baseline is None else f"   ratio {hits / n / baseline:5.2f}"
    return f"  {label:<40} {hits / n:6.3f}  [{low:5.3f}, {high:5.3f}]{base}{ratio}"


def bench_gi_star() -> None:
    rng = np.random.default_rng(0)
    xy, values = rng.uniform(0, 100, (1000, 2)), rng.gamma(2.0, 3.0, (24, 1000))
    start = time.perf_counter()
    ours = gi_star(values, k_nearest(xy, 8))
    ours_s = time.perf_counter() - start
    start = time.perf_counter()
    w = libpysal.weights.KNN(xy, k=8)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = np.array(
            [esda.G_Local(x, w, transform="B", star=True, permutations=0).Zs for x in values]
        )
    theirs_s = time.perf_counter() - start
    print("1. G_i*, 1,000 locations x 24 slices, k = 8 (baseline: esda.G_Local, star=True)")
    print(f"  largest |z qcert - z esda|                 {np.abs(ours - theirs).max():.2e}")
    print(f"  time qcert / esda                          {ours_s:.3f} s / {theirs_s:.3f} s")


def bench_fdr(rounds: int) -> None:
    rng = np.random.default_rng(1)
    m, m0, q = 1000, 900, 0.05
    fdp, power = [], []
    for _ in range(rounds):
        z = np.concatenate([rng.normal(size=m0), rng.normal(3.0, 1.0, m - m0)])
        rejected = benjamini_hochberg(2 * stats.norm.sf(np.abs(z))) <= q
        fdp.append(rejected[:m0].sum() / max(rejected.sum(), 1))
        power.append(rejected[m0:].mean())
    bound = q * m0 / m
    print(f"2. Benjamini-Hochberg, m = {m}, m0 = {m0}, q = {q}, {rounds} rounds")
    se = np.std(fdp) / math.sqrt(rounds)
    print(f"  false discovery rate {np.mean(fdp):6.4f} (standard error {se:.4f})", end="")
    print(f"   baseline (m0/m) q = {bound:.4f}   ratio {np.mean(fdp) / bound:4.2f}")
    print(f"  power (share of the 100 alternatives, z ~ N(3, 1), found)   {np.mean(power):.3f}")


def bench_mann_kendall(rounds: int) -> None:
    rng = np.random.default_rng(2)
    hits = sum(mann_kendall(rng.normal(size=12)).p <= 0.05 for _ in range(rounds))
    print(f"3. Mann-Kendall, n = 12 white noise, {rounds} series")
    print(rate_row("rejection rate at 5%", hits, rounds, 0.05))


def grid_counts(rng: np.random.Generator, rr: float) -> np.ndarray:
    """Poisson counts, rates by location and rising over time; cluster at relative risk rr."""
    rate = np.outer(np.linspace(1.0, 1.5, 20), rng.uniform(2.0, 6.0, 36))
    rate[-3:, [14, 8, 13, 15, 20]] *= rr
    return rng.poisson(rate)


def bench_scan(rounds: int) -> None:
    grid = [(i, j) for i in range(6) for j in range(6)]
    print(f"4. Space-time permutation scan, 6 x 6 locations, 20 slices, {rounds} data sets each")
    plus = {14, 8, 13, 15, 20}
    for rr in (1.0, 1.5, 2.0, 3.0):
        rng = np.random.default_rng(int(rr * 10))
        hits = found = 0
        start = time.perf_counter()
        for i in range(rounds):
            result = space_time_permutation_scan(
                grid_counts(rng, rr), grid, replications=99, seed=i
            )
            top = result.clusters[0]
            hits += top.p_value <= 0.05
            found += top.p_value <= 0.05 and len(set(top.locations) & plus) >= 3
        each = (time.perf_counter() - start) / rounds
        if rr == 1.0:
            print(rate_row("null: share with p <= 0.05", hits, rounds, 0.05) + f"   {each:.3f} s")
        else:
            label = f"RR {rr}: p <= 0.05 and >= 3 of 5 lines"
            print(rate_row(label, found, rounds, None) + f"   {each:.3f} s")


def bench_scan_at_scale(replications: int) -> None:
    rng = np.random.default_rng(2850)
    coords = np.column_stack([rng.uniform(75, 134, 2850), rng.uniform(18, 53, 2850)])
    counts = rng.poisson(2.0, (52, 2850))
    print("5. Space-time permutation scan, 2,850 locations x 52 weeks, circles up to 5%")
    start = time.perf_counter()
    space_time_permutation_scan(
        counts, coords, metric="haversine", max_fraction=0.05, replications=replications, seed=1
    )
    each = (time.perf_counter() - start) / (1 + replications)
    print(f"  seconds per replication ({1 + replications} scans)      {each:.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds (a smoke run)")
    quick = parser.parse_args().quick
    bench_gi_star()
    bench_fdr(200 if quick else 3000)
    bench_mann_kendall(500 if quick else 5000)
    bench_scan(40 if quick else 400)
    bench_scan_at_scale(1 if quick else 4)


if __name__ == "__main__":
    main()
