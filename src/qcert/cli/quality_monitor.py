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

if TYPE_CHECKING:
    import pandas as pd

    from ..quality.monitoring import Block, Monitor

__all__ = ["MAX_BYTES", "MAX_ROWS", "monitor", "numeric_frame", "read_bounded_csv"]

MAX_BYTES = 64 * 1024 * 1024  # a CSV file larger than this is refused before it is read
MAX_ROWS = 500_000  # readings per file
WINDOW = 20  # readings from the alarm over which contributions are averaged


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
        raise _error(
            f"{label}: not a readable CSV file ({err})", f"{label}：不是可读取的 CSV 文件"
        ) from None
    if len(frame) > MAX_ROWS:
        raise _error(f"{label}: more than {MAX_ROWS} readings", f"{label}：读数超过 {MAX_ROWS} 条")
    return frame


def numeric_frame(frame: pd.DataFrame, columns: list[str], label: str) -> pd.DataFrame:
    """``columns`` of ``frame`` as floats; the error names the column and the file's line."""
    import pandas as pd

    values = frame[columns].apply(pd.to_numeric, errors="coerce")
    bad_cells = values.isna() & ~frame[columns].isna()
    empty = frame[columns].isna()
    for mask, en, zh in ((bad_cells, "not a number", "不是数值"), (empty, "empty", "为空")):
        if mask.to_numpy().any():
            row, col = (int(i) for i in np.argwhere(mask.to_numpy())[0])
            raise _error(
                f"{label}: column {columns[col]}, line {row + 2}: {en}",  # header is line 1
                f"{label}：第 {row + 2} 行 {columns[col]} 列{zh}",
            )
    return values.astype(float)


def _error(en: str, zh: str) -> QcertError:
    err = QcertError(en)
    err.zh = zh  # type: ignore[attr-defined]
    return err


def _variables(normal: pd.DataFrame, test: pd.DataFrame, time: str | None) -> list[str]:
    """The normal file's columns (but the time column, which only the scored file needs);
    the scored file must hold the same."""
    if time is not None and time not in test.columns:
        raise _error(f"FILE: no time column {time!r}", f"FILE：没有时间列 {time!r}")
    columns = [str(c) for c in normal.columns if c != time]
    if not columns:
        raise _error("--normal: no variable column", "--normal：没有变量列")
    given = [str(c) for c in test.columns if c != time]
    missing = [c for c in columns if c not in given]
    extra = [c for c in given if c not in columns]
    if missing or extra:
        raise _error(
            f"FILE: columns differ from --normal: missing {missing or 'none'}, "
            f"unexpected {extra or 'none'}",
            f"FILE：列与 --normal 不同：缺少 {missing or '无'}，多出 {extra or '无'}",
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
    from ..quality.monitoring import MonitorInputError, StreamingScorer
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
    except MonitorInputError as err:
        raise _error(err.en, err.zh) from None
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
    console.print(
        f"{report['method'].upper()} monitor / 监控 ({sizes}; {report['alpha']:.0%} limits), "
        f"fitted on {report['normal_readings']} normal readings, {report['readings']} scored"
    )
    console.print(f"  {'statistic':<12} {'limit':>12} {'max':>12} {'mean':>12}  over limit / 超限")
    for name, s in report["statistics"].items():
        cells = [s["limit"], s["max"], s["mean"]]
        text = " ".join(f"{'-' if v is None else f'{v:.4g}':>12}" for v in cells)
        share = "-" if s["share_over_limit"] is None else f"{s['share_over_limit']:.1%}"
        console.print(f"  {name:<12} {text}  {share}")
    alarm = report["alarm"]
    if alarm is None:
        console.print(
            ok(f"no alarm: never {report['persistence']} readings in a row over a limit / 无报警")
        )
        return
    when = f" ({alarm['time']})" if alarm["time"] else ""
    console.print(
        bad(
            f"alarm at reading {alarm['reading']}{when}, raised at {alarm['raised_at_reading']} "
            f"after {report['persistence']} in a row / 第 {alarm['reading']} 条读数起报警"
        )
    )
    console.print("top contributing variables / 主要贡献变量:")
    for i, v in enumerate(alarm["top"], 1):
        console.print(f"  {i}. {v['variable']}  {v['share']:.1%}")
