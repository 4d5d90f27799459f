"""``qcert quality hotspots``: emerging hot spots and space-time clusters from a CSV file."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import typer

from ..quality.spacetime import (
    EmergingHotSpots,
    Pattern,
    ScanResult,
    cube_from_frame,
    distance_band,
    emerging_hot_spots,
    k_nearest,
    space_time_permutation_scan,
)
from ._common import bad, console, errors, ok, print_json, read_csv, refusal
from ._words import both

__all__ = ["hotspots"]


class MetricKind(StrEnum):
    euclidean = "euclidean"
    haversine = "haversine"


def _plain(value: Any) -> Any:
    """A pandas / NumPy scalar as the Python value JSON can hold."""
    return value.item() if isinstance(value, np.generic) else value


@errors
def hotspots(
    file: Annotated[Path, typer.Argument(help="CSV file, one row per location and slice")],
    location: Annotated[str, typer.Option(help="Column naming the location / 位置列")] = (
        "location"
    ),
    time: Annotated[str, typer.Option(help="Column naming the time slice / 时间片列")] = "time",
    value: Annotated[str, typer.Option(help="Column of counts or values / 数值列")] = "value",
    x: Annotated[str, typer.Option(help="Column of x, or longitude in degrees")] = "x",
    y: Annotated[str, typer.Option(help="Column of y, or latitude in degrees")] = "y",
    metric: Annotated[
        MetricKind, typer.Option(help="haversine: x, y are lon, lat; distances in km")
    ] = MetricKind.euclidean,
    distance: Annotated[
        float | None, typer.Option(help="Neighbours within this distance (else --k)")
    ] = None,
    k: Annotated[int | None, typer.Option(help="Neighbours: the k nearest (default 8)")] = None,
    fill: Annotated[
        float | None, typer.Option(help="Value of a missing location and slice (0 for counts)")
    ] = None,
    alpha: Annotated[float, typer.Option(help="Significance level / 显著性水平")] = 0.05,
    fdr: Annotated[bool, typer.Option(help="Benjamini-Hochberg within each slice")] = True,
    scan: Annotated[
        bool, typer.Option(help="Also run the space-time permutation scan (counts only)")
    ] = False,
    retrospective: Annotated[
        bool, typer.Option(help="Scan every window, not only those ending now")
    ] = False,
    max_fraction: Annotated[
        float, typer.Option(help="Scan: largest circle, as a share of the locations")
    ] = 0.5,
    max_duration: Annotated[
        int | None, typer.Option(help="Scan: longest window in slices (default: half)")
    ] = None,
    replications: Annotated[int, typer.Option(min=1, help="Monte Carlo replications")] = 999,
    seed: Annotated[int | None, typer.Option(help="Seed of the permutations, to repeat")] = None,
    json_: Annotated[bool, typer.Option("--json", help="Machine-readable output / JSON 输出")] = (
        False
    ),
) -> None:
    """Emerging hot spots (G_i*, Mann-Kendall) and clusters. / 新兴热点与时空聚集。"""
    frame = read_csv(file, str(file))
    try:
        cube = cube_from_frame(frame, location=location, time=time, value=value, fill=fill)
        coords = _coordinates(frame, cube.locations, location, x, y)
        weights = (
            distance_band(coords, distance, metric=metric.value)
            if distance is not None
            else k_nearest(coords, k or min(8, len(coords) - 1), metric=metric.value)
        )
        result = emerging_hot_spots(cube.values, weights, alpha=alpha, fdr=fdr)
        clusters = (
            space_time_permutation_scan(
                cube.values,
                coords,
                metric=metric.value,
                prospective=not retrospective,
                max_fraction=max_fraction,
                max_duration=max_duration,
                replications=replications,
                seed=seed,
            )
            if scan
            else None
        )
    except ValueError as err:
        zh = getattr(err, "zh", str(err))
        raise refusal("spacetime.not_analysed", error=err, error_zh=zh) from None
    report = _as_json(result, clusters, cube.locations, cube.slices, seed)
    if json_:
        print_json(report)
    else:
        _print(report)


def _coordinates(frame: Any, locations: tuple[Any, ...], column: str, x: str, y: str) -> Any:
    """One (x, y) per location, in the cube's order; a location with two is an error."""
    import pandas as pd

    for name in (x, y):
        if name not in frame.columns:
            raise refusal("spacetime.no_coordinate_column", name=name, name_zh=repr(name))
        numbers = pd.to_numeric(frame[name], errors="coerce")
        if numbers.isna().any():
            line = int(numbers.isna().to_numpy().argmax()) + 2  # the header is line 1
            raise refusal(
                "spacetime.coordinate_not_a_number", name=name, name_zh=repr(name), line=line
            )
    points = frame[[column, x, y]].drop_duplicates()
    twice = points[column].duplicated()
    if twice.any():
        where = repr(points[column][twice].iloc[0])
        raise refusal("spacetime.two_positions", x=x, y=y, location=where)
    by_location = points.set_index(column)
    return by_location.loc[list(locations), [x, y]].to_numpy(dtype=float)


def _as_json(
    result: EmergingHotSpots,
    clusters: ScanResult | None,
    locations: tuple[Any, ...],
    slices: tuple[Any, ...],
    seed: int | None,
) -> dict[str, Any]:
    spots = result.hot_spots
    rows = []
    for i, (pattern, trend) in enumerate(zip(result.patterns, result.trends, strict=True)):
        rows.append(
            {
                "location": _plain(locations[i]),
                "pattern": pattern.value,
                "en": pattern.label("en"),
                "zh": pattern.label("zh-CN"),
                "z_last": float(spots.z[-1, i]),
                "q_last": float(spots.q[-1, i]),
                "hot_slices": int(spots.hot[:, i].sum()),
                "cold_slices": int(spots.cold[:, i].sum()),
                "trend": {"s": trend.s, "z": trend.z, "p": trend.p, "slope": trend.slope},
            }
        )
    return {
        "slices": [_plain(s) for s in slices],
        "alpha": spots.alpha,
        "fdr": spots.fdr,
        "counts": {p.value: n for p, n in sorted(result.counts().items())},
        "locations": rows,
        "scan": None
        if clusters is None
        else {
            "replications": int(clusters.null_llr.size),
            "seed": seed,
            "clusters": [
                {
                    "locations": [_plain(locations[m]) for m in c.locations],
                    "start": _plain(slices[c.start]),
                    "end": _plain(slices[c.end]),
                    "observed": c.observed,
                    "expected": c.expected,
                    "relative_risk": c.relative_risk,
                    "llr": c.llr,
                    "p_value": c.p_value,
                    "significant": c.p_value <= spots.alpha,
                }
                for c in clusters.clusters
            ],
        },
    }


def _print(report: dict[str, Any]) -> None:
    slices = report["slices"]
    size = both(
        "spacetime.size",
        locations=len(report["locations"]),
        slices=len(slices),
        first=slices[0],
        last=slices[-1],
    )
    console.print(f"{size}; α = {report['alpha']}{', FDR' if report['fdr'] else ''}")
    found = [r for r in report["locations"] if r["pattern"] != Pattern.NONE.value]
    if not found:
        console.print(ok(both("spacetime.no_spot")))
    for r in found:
        said_ = both(
            "spacetime.spot",
            z=r["z_last"],
            hot=r["hot_slices"],
            cold=r["cold_slices"],
            p=r["trend"]["p"],
        )
        console.print(f"  {r['location']!s:<16} {r['en']} / {r['zh']}  ({said_})")
    if report["scan"] is None:
        return
    significant = [c for c in report["scan"]["clusters"] if c["significant"]]
    if not significant:
        console.print(ok(both("spacetime.no_cluster")))
    for c in significant:
        said_ = both(
            "spacetime.cluster",
            locations=[str(m) for m in c["locations"]],
            start=c["start"],
            end=c["end"],
            observed=c["observed"],
            expected=c["expected"],
            rr=c["relative_risk"],
            p=c["p_value"],
        )
        console.print(bad(said_))
