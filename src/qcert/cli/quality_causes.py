"""``qcert quality causes``: likely root causes of an alarm, from data and the process graph."""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import numpy as np
import typer

from ..errors import QcertError
from ._common import console, errors, print_json, refusal
from ._words import both
from .quality_monitor import read_bounded_csv

if TYPE_CHECKING:
    import pandas as pd

    from ..quality.causality import Candidate, ProcessGraph

__all__ = ["causes"]

BUILT_IN = {"tep"}
PERSISTENCE = 3  # readings in a row over a limit that make the alarm, as in `quality examine`
LOOKBACK = 10  # readings before the alarm searched for the first deviation


@errors
def causes(
    file: Annotated[
        Path, typer.Argument(help="CSV of the readings to diagnose, one column per variable")
    ],
    normal: Annotated[
        Path, typer.Option(help="CSV of normal readings, same columns / 正常运行数据 CSV")
    ],
    graph: Annotated[
        str, typer.Option(help="Process graph: a YAML file, or 'tep' / 过程因果图")
    ] = "tep",
    alarm: Annotated[
        int | None,
        typer.Option(
            min=1,
            help="Reading (1-based) of the alarm; default: the first persistent "
            "PCA alarm / 报警读数",
        ),
    ] = None,
    from_: Annotated[
        int,
        typer.Option(
            "--from",
            min=1,
            help="Reading from which the alarm is searched / 从第几条读数起查找报警",
        ),
    ] = 1,
    components: Annotated[
        int | None,
        typer.Option(
            min=1, help="PCA components of the alarm monitor (default: parallel analysis) / 主元数"
        ),
    ] = None,
    window: Annotated[
        int, typer.Option(min=1, help="Readings after the alarm weighed / 报警后读数窗口")
    ] = 80,
    lags: Annotated[
        int, typer.Option(min=1, help="Readings each mechanism model looks back / 滞后阶数")
    ] = 4,
    top: Annotated[int, typer.Option(min=1, help="Candidates shown / 显示候选数")] = 5,
    json_: Annotated[bool, typer.Option("--json", help="Machine-readable output / JSON 输出")] = (
        False
    ),
) -> None:
    """Rank likely root causes of an alarm with the process graph. / 结合因果图的根因定位。"""
    from ..quality.causality import GraphError, load_graph, rank_root_causes, tep_graph
    from ..quality.mechanism import MechanismModel

    try:
        process = tep_graph() if graph in BUILT_IN else load_graph(Path(graph))
    except GraphError as err:
        zh = getattr(err, "zh", str(err))
        raise refusal("causes.graph_invalid", graph=graph, error=err, error_zh=zh) from None
    except OSError as err:
        raise refusal("causes.graph_unreadable", graph=graph, error=err.strerror) from None
    ids = _measured(process)
    train = _readings(normal, ids, "--normal")
    data = _readings(file, ids, "FILE")
    try:
        model = MechanismModel(process, lags=lags).fit(train, ids)
        start = _alarm(train, data, alarm, from_ - 1, components)
        span = slice(start, start + window)
        evidence = model.contributions(data)[span]
        times = model.first_deviations(data, start - LOOKBACK, start + window)
        ranked = rank_root_causes(evidence, times, process, ids)
    except ValueError as err:
        failure = QcertError(str(err))
        failure.zh = getattr(err, "zh", None)  # type: ignore[attr-defined]
        raise failure from None
    first = (
        [ids[i] for i in np.flatnonzero(times == times.min())] if np.isfinite(times).any() else []
    )
    report = _report(process, ranked[:top], start, window, first)
    if json_:
        print_json(report)
        return
    _print(report)


def _measured(process: ProcessGraph) -> list[str]:
    ids = list(process.by_column())
    if not ids:
        raise refusal("causes.no_columns")
    return ids


def _readings(path: Path, ids: list[str], name: str) -> np.ndarray:
    """The columns ``ids`` of the CSV at ``path`` as floats; errors name the file and column."""
    import pandas as pd

    frame: pd.DataFrame = read_bounded_csv(path, f"{name} {path}")
    missing = [v for v in ids if v not in frame.columns]
    if missing:
        raise refusal("causes.missing_columns", name=name, path=path, columns=", ".join(missing))
    values = frame[ids].apply(pd.to_numeric, errors="coerce")
    bad = values.isna().any()
    if bad.any():
        column = str(bad[bad].index[0])
        row = int(values[column].isna().to_numpy().argmax()) + 2  # header is line 1
        raise refusal("causes.not_a_number", name=name, path=path, column=column, row=row)
    return values.to_numpy(dtype=float)


def _alarm(
    train: np.ndarray, data: np.ndarray, given: int | None, search_from: int, components: int | None
) -> int:
    """0-based reading of the alarm: the one given, or the first exceedance of the first
    PERSISTENCE-in-a-row PCA alarm at or after ``search_from``, the reading the streaming
    scorer's ``monitoring.alarm_raised`` event names, so a lone false alarm is not diagnosed."""
    from ..quality.monitoring import PCAMonitor, first_alarm

    if given is not None:
        if given > data.shape[0]:
            raise refusal("causes.alarm_past", reading=given, readings=data.shape[0])
        return given - 1
    if search_from >= data.shape[0]:
        raise refusal("causes.from_past", reading=search_from + 1, readings=data.shape[0])
    monitor = PCAMonitor(components, 0.99).fit(train)
    found = first_alarm(monitor.score(data), PERSISTENCE, search_from)
    if found is None:
        raise refusal("causes.no_alarm", persistence=PERSISTENCE)
    return found


def _number(value: float) -> float | None:
    return None if not math.isfinite(value) else round(float(value), 4)


def _report(
    process: ProcessGraph, ranked: tuple[Candidate, ...], start: int, window: int, first: list
) -> dict[str, Any]:
    def candidate(rank: int, c: Candidate) -> dict[str, Any]:
        v = process.variable(c.variable)
        paths = [list(p) for p in _paths(process, c.variable, first)]
        return {
            "rank": rank,
            "variable": c.variable,
            "name": v.name,
            "unit": v.unit,
            "score": _number(c.score),
            "evidence": _number(c.contribution),
            "explained": _number(c.explained),
            "precedence": _number(c.precedence),
            "first_deviation_reading": None
            if not math.isfinite(c.first_deviation)
            else int(c.first_deviation) + 1,
            "paths_to_first_deviating": paths,
        }

    return {
        "graph": process.name,
        "alarm_reading": start + 1,
        "window": window,
        "first_deviating": first,
        "candidates": [candidate(i + 1, c) for i, c in enumerate(ranked)],
    }


def _paths(process: ProcessGraph, source: str, targets: list[str]) -> list[tuple[str, ...]]:
    """The shortest propagation path from ``source`` to each first deviator it is not."""
    found = []
    for target in targets:
        if target != source:
            paths = process.paths(source, target, max_length=4)
            if paths:
                found.append(paths[0])
    return found


def _print(report: dict[str, Any]) -> None:
    said_ = both(
        "causes.header",
        graph=report["graph"],
        reading=report["alarm_reading"],
        window=report["window"],
    )
    console.print(said_)
    if report["first_deviating"]:
        console.print(both("causes.first") + ": " + ", ".join(report["first_deviating"]))
    for c in report["candidates"]:
        when = c["first_deviation_reading"]
        said_ = both(
            "causes.candidate",
            name=c["name"],
            variable=c["variable"],
            score=c["score"],
            evidence=c["evidence"],
        )
        deviated = both("causes.deviated", reading=when) if when else both("causes.not_deviated")
        console.print(f"{c['rank']:>2}. {said_}; {deviated}")
        for path in c["paths_to_first_deviating"]:
            console.print(f"      {both('causes.path')}: " + " → ".join(path))
