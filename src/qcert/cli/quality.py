"""``qcert quality ...``: quality diagnosis on process data read from a CSV file."""

from __future__ import annotations

import math
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import numpy as np
import typer

from ._common import bad, console, errors, ok, print_json, read_csv, refusal
from ._words import both, header
from .quality_causes import causes
from .quality_examine import examine
from .quality_monitor import monitor
from .quality_spacetime import hotspots

if TYPE_CHECKING:
    from ..quality.capability import Capability, Interval
    from ..quality.study import Study

app = typer.Typer(
    help="Quality diagnosis on process data: SPC, capability, monitoring, hot spots, root "
    "causes. / 质量诊断。",
    no_args_is_help=True,
)
app.command("hotspots")(hotspots)
app.command("examine")(examine)
app.command("causes")(causes)
app.command("monitor")(monitor)
JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable output / JSON 输出")]

# a row of the limits table: the chart, its LCL, CL and UCL, the points beyond them
ROW = "  {0:<12} {1:>14} {2:>14} {3:>14}  {4}"
# each kind of chart -> the key of its title in the catalogs
TITLES = {
    "imr": "quality.title.imr",
    "xbar-r": "quality.title.xbar_r",
    "xbar-s": "quality.title.xbar_s",
    "p": "quality.title.p",
    "np": "quality.title.np",
    "c": "quality.title.c",
    "u": "quality.title.u",
    "ewma": "quality.title.ewma",
    "cusum": "quality.title.cusum",
}


class ChartKind(StrEnum):
    imr = "imr"
    xbar_r = "xbar-r"
    xbar_s = "xbar-s"
    p = "p"
    np = "np"
    c = "c"
    u = "u"
    ewma = "ewma"
    cusum = "cusum"


class RuleSet(StrEnum):
    nelson = "nelson"
    we = "we"


@app.command("spc")
@errors
def spc_(
    file: Annotated[Path, typer.Argument(help="CSV file with a header row / 带表头的 CSV 文件")],
    chart: Annotated[ChartKind, typer.Option(help="Chart / 控制图类型")],
    column: Annotated[
        str | None, typer.Option(help="Column charted (default: the first numeric one)")
    ] = None,
    subgroup: Annotated[
        int | None,
        typer.Option(min=1, help="X-bar: consecutive rows per subgroup; p/np: sample size"),
    ] = None,
    by: Annotated[str | None, typer.Option(help="X-bar: column labelling the subgroups")] = None,
    size_column: Annotated[
        str | None, typer.Option(help="p/u: column with each sample's size or units")
    ] = None,
    phase1: Annotated[
        int | None,
        typer.Option(min=2, help="Points (subgroups) that set the limits; the rest are phase II"),
    ] = None,
    center: Annotated[
        float | None,
        typer.Option(help="Given standard centre μ0, p0, c0 or u0: monitor every point"),
    ] = None,
    sigma: Annotated[
        float | None, typer.Option(help="Given standard σ (variables, EWMA, CUSUM)")
    ] = None,
    rules: Annotated[RuleSet, typer.Option(help="Run rules / 判异准则")] = RuleSet.nelson,
    lsl: Annotated[float | None, typer.Option(help="Lower specification limit")] = None,
    usl: Annotated[float | None, typer.Option(help="Upper specification limit")] = None,
    target: Annotated[float | None, typer.Option(help="Target (default: mid-point)")] = None,
    lam: Annotated[float, typer.Option("--lambda", help="EWMA weight λ")] = 0.1,
    width: Annotated[float, typer.Option("--L", help="EWMA limit width L, in σ")] = 2.7,
    k: Annotated[float, typer.Option("--k", help="CUSUM reference value k, in σ")] = 0.5,
    h: Annotated[float, typer.Option("--h", help="CUSUM decision interval h, in σ")] = 5.0,
    json_: JsonOpt = False,
) -> None:
    """Control chart, run rules and capability from a CSV column. / 控制图、判异与过程能力。"""
    # imported here: SciPy and statsmodels take seconds to load, which every other qcert
    # command would otherwise pay
    from ..quality import spc
    from ..quality.rules import NELSON, WESTERN_ELECTRIC
    from ..quality.study import study

    frame = read_csv(file, str(file))
    kind = chart.value
    try:
        values = _column(frame, column, skip=(by, size_column))
        data: Any = values
        sizes: Any = None
        if kind in ("xbar-r", "xbar-s"):
            labels = _labels(frame, by) if by else None
            data = spc.subgroups(values, subgroup if labels is None else None, labels)
        elif kind in ("p", "u"):
            sizes = _column(frame, size_column, option="size_column") if size_column else subgroup
        elif kind == "np":
            sizes = subgroup
        if sigma is not None and center is None:
            raise refusal("quality.sigma_without_centre")
        result = study(
            kind,
            data,
            sizes=sizes,
            phase1=phase1,
            params=None if center is None else spc.Params(center, sigma),
            rules=NELSON if rules is RuleSet.nelson else WESTERN_ELECTRIC,
            lsl=lsl,
            usl=usl,
            target=target,
            lam=lam,
            L=width,
            k=k,
            h=h,
        )
    except ValueError as err:
        zh = getattr(err, "zh", str(err))
        raise refusal("quality.not_analysed", error=err, error_zh=zh) from None
    if json_:
        print_json(_as_json(result))
        return
    _print(result)


def _column(
    frame: Any, name: str | None, skip: tuple[str | None, ...] = (), option: str = "column"
) -> np.ndarray:
    """The column ``name``, or the first numeric one not in ``skip``, as floats; a refusal
    names ``option``, the option that named the column (``column`` or ``size_column``)."""
    import pandas as pd

    flag = "--" + option.replace("_", "-")
    if name is None:
        numeric = [
            c for c in frame.columns if pd.api.types.is_numeric_dtype(frame[c]) and c not in skip
        ]
        if not numeric:
            raise refusal("quality.no_numeric_column")
        name = numeric[0]
    if name not in frame.columns:
        columns = [str(c) for c in frame.columns]
        raise refusal(
            "quality.no_column", option=option, option_zh=flag, name=repr(name), columns=columns
        )
    series = pd.to_numeric(frame[name], errors="coerce")
    bad_rows = np.flatnonzero(series.isna().to_numpy())
    if bad_rows.size:
        row = int(bad_rows[0]) + 1
        raise refusal(
            "quality.not_a_number", option=option, option_zh=flag, name=repr(name), row=row
        )
    return series.to_numpy(dtype=float)


def _labels(frame: Any, name: str) -> list[Any]:
    if name not in frame.columns:
        raise refusal("quality.no_by_column", name=repr(name))
    return frame[name].tolist()


# --- output ------------------------------------------------------------------------------------


def _num(value: float) -> float | None:
    """JSON has no NaN or infinity: an absent limit is null."""
    return None if value is None or not math.isfinite(value) else float(value)


def _points(indices: tuple[int, ...]) -> list[int]:
    return [i + 1 for i in indices]


def _as_json(s: Study) -> dict[str, Any]:
    a = s.analysis
    return {
        "chart": s.kind,
        "points": len(a.sizes),
        "phase1_points": s.phase1,
        "params": {"center": a.params.center, "sigma": a.params.sigma},
        "excluded": _points(s.fit.excluded),
        "rounds": [_points(r) for r in s.fit.rounds],
        "charts": [
            {
                "name": c.name,
                "statistic": [_num(v) for v in c.statistic],
                "center": [_num(v) for v in c.center],
                "lower": [_num(v) for v in c.lower],
                "upper": [_num(v) for v in c.upper],
                "beyond": _points(s.beyond[c.name]),
            }
            for c in a.charts
        ],
        "violations": [
            {
                "chart": s.primary,
                "rule": v.rule,
                "en": v.en,
                "zh": v.zh,
                "points": _points(v.indices),
                "direction": v.direction,
                "signal": v.signal + 1,
            }
            for v in s.violations
        ],
        "alarms": [
            {
                "side": al.side,
                "signal": al.signal + 1,
                "start": al.start + 1,
                "shifted_mean": al.shifted_mean,
            }
            for al in a.alarms
        ],
        "capability": _capability_json(s.capability) if s.capability else None,
    }


def _interval(iv: Interval | None) -> dict[str, float] | None:
    if iv is None:
        return None
    return {"estimate": iv.estimate, "lower": iv.lower, "upper": iv.upper}


def _capability_json(c: Capability) -> dict[str, Any]:
    return {
        "n": c.n,
        "mean": c.mean,
        "sigma_within": c.sigma_within,
        "within_method": c.within_method,
        "within_df": c.within_df,
        "sigma_overall": c.sigma_overall,
        "lsl": c.lsl,
        "usl": c.usl,
        "target": c.target,
        "confidence": c.confidence,
        **{name: _interval(getattr(c, name)) for name in ("cp", "cpk", "pp", "ppk", "cpm")},
        "ppm": {"within": c.ppm_within, "overall": c.ppm_overall, "observed": c.ppm_observed},
        "normality": {
            "test": "anderson-darling",
            "statistic": c.normality.statistic,
            "p_value": c.normality.p_value,
            "normal": c.normality.normal,
        },
        "quotable": c.quotable,
        "reasons": [{"rule": r.rule, "en": r.en, "zh": r.zh} for r in c.reasons],
    }


def _fmt(value: float) -> str:
    return "-" if not math.isfinite(value) else f"{value:.6g}"


def _span(values: np.ndarray) -> str:
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return "-"
    lo, hi = float(finite.min()), float(finite.max())
    return (
        _fmt(lo)
        if math.isclose(lo, hi, rel_tol=1e-12, abs_tol=1e-15)
        else (f"{_fmt(lo)}…{_fmt(hi)}")
    )


def _runs(points: list[int]) -> list[str]:
    """1, 2, 3, 5 → ``["1-3", "5"]`` (a message joins them as its language does)."""
    parts: list[str] = []
    for p in points:
        if parts and p == int(parts[-1].split("-")[-1]) + 1:
            parts[-1] = f"{parts[-1].split('-')[0]}-{p}"
        else:
            parts.append(str(p))
    return parts


def _ranges(points: list[int]) -> str:
    """1, 2, 3, 5 → ``1-3, 5``."""
    return ", ".join(_runs(points))


def _print(s: Study) -> None:
    a = s.analysis
    m = len(a.sizes)
    if s.phase1 == 0:
        phase = both("quality.phase2_standard")
    elif s.phase1 < m:
        phase = both("quality.phases", end=s.phase1, next=s.phase1 + 1, last=m)
    else:
        phase = both("quality.phase1", end=s.phase1)
    console.print(f"{both(TITLES[s.kind])}  ({both('quality.points', points=m)}; {phase})")
    sigma = f"  σ = {_fmt(a.params.sigma)}" if a.params.sigma is not None else ""
    console.print(f"{both('quality.centre')} = {_fmt(a.params.center)}{sigma}")
    columns = ("quality.col.chart", "quality.col.lcl", "quality.col.cl", "quality.col.ucl")
    for line in header(ROW, *columns, "quality.beyond"):
        console.print(line.rstrip())
    for c in a.charts:
        out = _ranges(_points(s.beyond[c.name])) or both("quality.none")
        console.print(ROW.format(c.name, _span(c.lower), _span(c.center), _span(c.upper), out))
    dropped = "; ".join(
        f"{both('quality.round', round=i)}: {_ranges(_points(r))}"
        for i, r in enumerate(s.fit.rounds, 1)
    )
    dropped = dropped or both("quality.none")
    console.print(f"{both('quality.excluded')}: {dropped}")
    for al in a.alarms:
        said_ = both(
            "quality.alarm",
            side=al.side,
            point=al.signal + 1,
            start=al.start + 1,
            mean=_fmt(al.shifted_mean),
        )
        console.print(bad(said_))
    if not s.violations and a.chart(s.primary).shewhart:
        console.print(ok(both("quality.no_violation", chart=s.primary)))
    for v in s.violations:
        said_ = both(
            "quality.violation",
            rule=v.rule,
            chart=s.primary,
            points=_runs(_points(v.indices)),
            what=v.en,
            what_zh=v.zh,
        )
        console.print(bad(said_))
    if s.capability is not None:
        _print_capability(s.capability)


def _print_capability(c: Capability) -> None:
    said_ = both(
        "quality.capability",
        n=c.n,
        mean=_fmt(c.mean),
        within=_fmt(c.sigma_within),
        method=c.within_method,
        overall=_fmt(c.sigma_overall),
        confidence=c.confidence,
    )
    console.print(said_ + ":")
    for name in ("cp", "cpk", "pp", "ppk", "cpm"):
        iv = getattr(c, name)
        if iv is not None:
            console.print(
                f"  {name.capitalize():<4} {iv.estimate:7.3f}  [{iv.lower:.3f}, {iv.upper:.3f}]"
            )
    said_ = both("quality.ppm", within=c.ppm_within, overall=c.ppm_overall, observed=c.ppm_observed)
    console.print(f"  {said_}")
    nm = c.normality
    console.print("  " + both("quality.normality", statistic=nm.statistic, p=nm.p_value))
    if c.quotable:
        console.print(ok(both("quality.quotable")))
    for r in c.reasons:
        console.print(bad(f"[{r.rule}] {r.en}\n       {r.zh}"))
