"""``qcert quality monitor``: a multivariate monitor fitted on normal readings scores new ones."""

from __future__ import annotations

import io
import math
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import numpy as np
import typer

from ..errors import QcertError
from ._common import bad, console, errors, ok, print_json, read_file
from ._words import both, header, said

if TYPE_CHECKING:
    import pandas as pd

    from ..quality.monitoring import Block, Monitor

__all__ = ["MAX_BYTES", "MAX_ROWS", "monitor", "numeric_frame", "read_bounded_csv"]

MAX_BYTES = 64 * 1024 * 1024  # a CSV file larger than this is refused before it is read
MAX_ROWS = 500_000  # readings per file
WINDOW = 20  # readings from the alarm over which contributions are averaged
# a row of the statistics table: the statistic, its limit, max and mean, the share over it
ROW = "  {0:<12} {1:>12} {2:>12} {3:>12}  {4}"


class Method(StrEnum):
    pca = "pca"
    dpca = "dpca"
    cva = "cva"


def read_bounded_csv(path: Path, label: str) -> pd.DataFrame:
    """The CSV at ``path`` as a data frame, refused above :data:`MAX_BYTES` or :data:`MAX_ROWS`."""
    import pandas as pd

    data = read_file(path, MAX_BYTES)
    try:
        frame = pd.read_csv(io.BytesIO(data), nrows=MAX_ROWS + 1)
    except (ValueError, UnicodeDecodeError) as err:
        raise _error("common.unreadable_csv", label=label, error=err) from None
    if len(frame) > MAX_ROWS:
        raise _error("monitor.too_many", label=label, limit=MAX_ROWS)
    return frame


def numeric_frame(frame: pd.DataFrame, columns: list[str], label: str) -> pd.DataFrame:
    """``columns`` of ``frame`` as floats; the error names the column and the file's line."""
    import pandas as pd

    values = frame[columns].apply(pd.to_numeric, errors="coerce")
    bad_cells = values.isna() & ~frame[columns].isna()
    empty = frame[columns].isna()
    for mask, key in ((bad_cells, "monitor.not_a_number"), (empty, "monitor.empty")):
        if mask.to_numpy().any():
            row, col = (int(i) for i in np.argwhere(mask.to_numpy())[0])
            # the header is line 1
            raise _error(key, label=label, column=columns[col], line=row + 2)
    return values.astype(float)


def _error(key: str, /, **fields: object) -> QcertError:
    """The error for the message ``key`` of the ``cli`` catalogs, told in both languages."""
    return _bilingual(*said(key, **fields))


def _bilingual(en: str, zh: str) -> QcertError:
    err = QcertError(en)
    err.zh = zh  # type: ignore[attr-defined]
    return err


def _variables(normal: pd.DataFrame, test: pd.DataFrame, time: str | None) -> list[str]:
    """The normal file's columns (but the time column, which only the scored file needs);
    the scored file must hold the same."""
    if time is not None and time not in test.columns:
        raise _error("monitor.no_time_column", time=repr(time))
    columns = [str(c) for c in normal.columns if c != time]
    if not columns:
        raise _error("monitor.no_variables")
    given = [str(c) for c in test.columns if c != time]
    missing = [c for c in columns if c not in given]
    extra = [c for c in given if c not in columns]
    if missing or extra:
        none, none_zh = said("quality.none")
        raise _error(
            "monitor.columns_differ",
            missing=missing or none,
            missing_zh=missing or none_zh,
            extra=extra or none,
            extra_zh=extra or none_zh,
        )
    return columns


def _build(
    method: Method,
    normal: pd.DataFrame,
    select: bool,
    sizes: dict[str, int | None],
    alpha: float,
) -> Monitor:
    from ..quality.monitoring import CVAMonitor, DynamicPCAMonitor, PCAMonitor
    from ..quality.selection import select_monitor

    given = {k: v for k, v in sizes.items() if v is not None}
    if method is Method.pca:
        given.pop("lags", None)
    if method is not Method.cva:
        given.pop("n_states", None)
    else:
        given.pop("n_components", None)
    if select:
        return select_monitor(method.value, normal).monitor(**given, alpha=alpha)
    build = {Method.pca: PCAMonitor, Method.dpca: DynamicPCAMonitor, Method.cva: CVAMonitor}
    return build[method](**given, alpha=alpha)  # type: ignore[no-any-return]


@errors
def monitor(
    file: Annotated[
        Path,
        typer.Argument(
            help="CSV of the readings to score, one column per variable / 待监控数据 CSV"
        ),
    ],
    normal: Annotated[
        Path, typer.Option(help="CSV of normal readings, same columns / 正常运行数据 CSV")
    ],
    method: Annotated[Method, typer.Option(help="Monitor / 监控方法")] = Method.cva,
    components: Annotated[
        int | None,
        typer.Option(min=1, help="PCA/DPCA components (default: parallel analysis) / 主元数"),
    ] = None,
    lags: Annotated[int | None, typer.Option(min=0, help="DPCA/CVA lags / 滞后阶数")] = None,
    states: Annotated[
        int | None, typer.Option(min=1, help="CVA states (default: Bartlett's test) / 状态数")
    ] = None,
    select: Annotated[
        bool, typer.Option("--select", help="Choose the sizes from the normal readings / 自动选择")
    ] = False,
    alpha: Annotated[float, typer.Option(help="Confidence of the limits / 控制限置信度")] = 0.99,
    persistence: Annotated[
        int,
        typer.Option(
            min=1, help="Readings in a row over a limit that raise the alarm / 连续超限读数"
        ),
    ] = 3,
    time: Annotated[
        str | None, typer.Option(help="Column holding each reading's time / 时间列")
    ] = None,
    top: Annotated[int, typer.Option(min=1, help="Contributing variables shown / 显示变量数")] = 5,
    json_: Annotated[bool, typer.Option("--json", help="Machine-readable output / JSON 输出")] = (
        False
    ),
) -> None:
    """Score readings with a PCA, DPCA or CVA monitor fitted on normal ones. / 多元统计过程监控。"""
    from ..quality.inputs_error import InputError
    from ..quality.monitoring import StreamingScorer
    from ..quality.monitoring.inputs import check_rows

    train_frame = read_bounded_csv(normal, f"--normal {normal}")
    test_frame = read_bounded_csv(file, f"FILE {file}")
    columns = _variables(train_frame, test_frame, time)
    train = numeric_frame(train_frame, columns, f"--normal {normal}")
    test = numeric_frame(test_frame, columns, f"FILE {file}")
    sizes = {"n_components": components, "lags": lags, "n_states": states}
    try:
        fitted = _build(method, train, select, sizes, alpha).fit(train)
        check_rows(test.to_numpy(), fitted.lags, "FILE")
        block = StreamingScorer(fitted, persistence).update_many(test.to_numpy())
        report = _report(method, fitted, block, test, test_frame, time, persistence, top)
    except InputError as err:
        raise _bilingual(err.en, err.zh) from None
    report["normal_readings"] = len(train)
    if json_:
        print_json(report)
        return
    _print(report)


def _number(value: float) -> float | None:
    return round(float(value), 6) if math.isfinite(value) else None


def _report(
    method: Method,
    fitted: Monitor,
    block: Block,
    test: pd.DataFrame,
    raw: pd.DataFrame,
    time: str | None,
    persistence: int,
    top: int,
) -> dict[str, Any]:
    from ..quality.monitoring import AlarmRaised

    params = {
        k: v for k, v in fitted.get_params().items() if k in ("n_components", "lags", "n_states")
    }
    for name in ("n_components", "n_states"):
        if name in params:
            params[name] = int(getattr(fitted, name + "_"))
    statistics = {}
    for name, values in block.statistics.items():
        scored = values[np.isfinite(values)]
        limit = float(fitted.limits_[name])
        statistics[name] = {
            "limit": _number(limit),
            "max": _number(scored.max()) if scored.size else None,
            "mean": _number(scored.mean()) if scored.size else None,
            "share_over_limit": _number(float(np.mean(scored > limit))) if scored.size else None,
        }
    raised = [e for e in block.events if isinstance(e, AlarmRaised)]
    alarm = None
    if raised:
        first = raised[0]
        alarm = {
            "reading": first.first_exceedance + 1,
            "raised_at_reading": first.index + 1,
            "time": None if time is None else str(raw[time].iloc[first.first_exceedance]),
            "statistics": {k: _number(v) for k, v in first.statistics.items()},
            "top": _top(fitted, test, first.first_exceedance, top),
        }
    return {
        "method": method.value,
        "params": params,
        "alpha": fitted.alpha,
        "persistence": persistence,
        "readings": len(test),
        "statistics": statistics,
        "alarms_raised": len(raised),
        "alarm": alarm,
    }


def _top(fitted: Monitor, test: pd.DataFrame, start: int, top: int) -> list[dict[str, Any]]:
    """Variables by mean reconstruction-based contribution, each statistic divided by its
    limit (Alcala & Qin 2009), over the WINDOW readings from the alarm's first exceedance."""
    lo = max(start - fitted.lags, 0)  # the window's earliest readings complete the lags
    span = test.iloc[lo : start + WINDOW]
    total = sum(
        fitted.reconstruction_contributions(span, name)[start - lo :] / limit
        for name, limit in fitted.limits_.items()
    )
    mean = np.nanmean(total, axis=0)
    share = mean / mean.sum() if mean.sum() > 0 else mean
    order = np.argsort(-mean, kind="stable")[:top]
    return [
        {
            "variable": str(test.columns[i]),
            "contribution": _number(mean[i]),
            "share": _number(share[i]),
        }
        for i in order
    ]


def _print(report: dict[str, Any]) -> None:
    sizes = ", ".join(f"{k} {v}" for k, v in report["params"].items())
    said_ = both(
        "monitor.header",
        method=report["method"].upper(),
        sizes=sizes,
        alpha=report["alpha"],
        normal=report["normal_readings"],
        readings=report["readings"],
    )
    console.print(said_)
    columns = ("monitor.col.statistic", "monitor.col.limit", "monitor.col.max", "monitor.col.mean")
    for line in header(ROW, *columns, "monitor.over_limit"):
        console.print(line.rstrip())
    for name, s in report["statistics"].items():
        cells = ["-" if v is None else f"{v:.4g}" for v in (s["limit"], s["max"], s["mean"])]
        share = "-" if s["share_over_limit"] is None else f"{s['share_over_limit']:.1%}"
        console.print(ROW.format(name, *cells, share))
    alarm = report["alarm"]
    if alarm is None:
        console.print(ok(both("monitor.no_alarm", persistence=report["persistence"])))
        return
    fields = {
        "reading": alarm["reading"],
        "raised": alarm["raised_at_reading"],
        "persistence": report["persistence"],
    }
    if alarm["time"]:
        said_ = both("monitor.alarm_at", time=alarm["time"], **fields)
    else:
        said_ = both("monitor.alarm", **fields)
    console.print(bad(said_))
    console.print(both("monitor.top") + ":")
    for i, v in enumerate(alarm["top"], 1):
        console.print(f"  {i}. {v['variable']}  {v['share']:.1%}")
