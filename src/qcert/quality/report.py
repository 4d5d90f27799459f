"""The "quality physical examination" of one organisation: findings and what to do about them.

Pure data, no rendering: :func:`examination` runs, on the organisation's own readings, an
individuals (I-MR) study of each key characteristic with its capability (:mod:`.study`,
:mod:`.capability`), the multivariate monitor's alarms with their onset and the variables
carrying them (:mod:`.monitoring`), the Mann-Kendall trend of the key characteristic
(:mod:`.spacetime.trend`), the percentile of each Cpk among peers, and optionally the risk
model's explanation (:mod:`.risk`). Recommendations come from fixed rules over those findings
(:data:`RULES`); each names the finding that triggered it. Thresholds and their sources are
given with each rule.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from .capability import Capability, capability
from .monitoring import PCAMonitor, onset
from .risk import LABELS as RISK_LABELS
from .risk import Explanation
from .rules import Violation
from .spacetime.trend import MannKendall, mann_kendall
from .study import study

__all__ = [
    "RULES",
    "Alarm",
    "Characteristic",
    "CharacteristicFinding",
    "Examination",
    "Recommendation",
    "examination",
    "recommend",
]

Array = NDArray[np.float64]

# Cpk below which a process is not capable, and below which it is only marginal: Montgomery,
# Introduction to Statistical Quality Control, 7th ed., §8.3.3 Table 8.2 (1.33 for existing
# two-sided processes); 1.0 means about 2700 ppm out of specification at best.
CPK_INCAPABLE = 1.0
CPK_MARGINAL = 1.33
PEER_LOW_PERCENTILE = 25.0  # bottom quartile of peers
RISK_HIGH = 0.3  # probability of failing the next sampling inspection
PERSISTENCE = 3  # consecutive readings above a limit before an alarm counts


@dataclass(frozen=True)
class Characteristic:
    """A key characteristic's readings (time order, its unit) and specification limits."""

    values: ArrayLike
    lsl: float | None = None
    usl: float | None = None
    target: float | None = None
    unit: str = ""


@dataclass(frozen=True)
class CharacteristicFinding:
    """One characteristic: capability (all readings), I-chart signals after the normal period.

    ``violations`` are run-rule episodes whose signal falls at or after ``normal`` (phase II);
    ``beyond`` are phase II points beyond the I chart's limits. ``peer_percentile`` is the
    percentage of peers with a lower Cpk (None without peers).
    """

    name: str
    unit: str
    values: Array
    center: float
    lcl: float
    ucl: float
    lsl: float | None
    usl: float | None
    capability: Capability
    violations: tuple[Violation, ...]
    beyond: tuple[int, ...]
    peer_percentile: float | None


@dataclass(frozen=True)
class Alarm:
    """The multivariate monitor's first persistent alarm after the normal period.

    ``index``: first reading of the alarm; ``onset``: estimated start of the deviation (None
    if no change point precedes it); ``statistic``: ``"spe"`` or ``"t2"``; ``top``: variables
    ranked by mean reconstruction-based contribution over the alarm's first readings;
    ``value``: the statistic at ``index`` (dimensionless, like its limit).
    """

    index: int
    onset: int | None
    statistic: str
    top: tuple[tuple[str, float], ...]
    value: float = float("nan")


@dataclass(frozen=True)
class Recommendation:
    """One recommended improvement, the rule that made it and the finding that triggered it."""

    rule: str
    finding: str
    priority: int  # 1 = act now, 2 = plan, 3 = watch
    en: str
    zh: str
    source: str


@dataclass(frozen=True)
class Examination:
    """Everything the report shows (see :func:`examination`). Series are per reading."""

    organisation: str
    readings: int
    normal: int
    characteristics: tuple[CharacteristicFinding, ...]
    key: str
    trend: MannKendall
    monitor_statistics: Mapping[str, Array]
    monitor_limits: Mapping[str, float]
    alarm_rate: float  # alarms per 1000 readings after the normal period
    alarm: Alarm | None
    risk: Explanation | None
    recommendations: tuple[Recommendation, ...] = field(default=())

    @property
    def cpk_min(self) -> float:
        """The lowest Cpk among the key characteristics."""
        return min(c.capability.cpk.estimate for c in self.characteristics)


def examination(
    organisation: str,
    characteristics: Mapping[str, Characteristic],
    process: pd.DataFrame,
    monitor: PCAMonitor,
    normal: int,
    peers: pd.DataFrame | None = None,
    risk: Explanation | None = None,
    key: str | None = None,
) -> Examination:
    """Examine one organisation's line.

    ``process``: readings x variables, scored by ``monitor`` (fitted on the first ``normal``
    readings, which also set the I charts' phase I limits). ``peers``: columns
    ``characteristic`` and ``cpk``, one row per peer organisation and characteristic. ``key``:
    the characteristic whose trend is tested (default: the first).
    """
    if not characteristics:
        raise ValueError("characteristics: give at least one key characteristic")
    key = key or next(iter(characteristics))
    if key not in characteristics:
        raise ValueError(f"key: {key!r} is not one of the characteristics")
    n = len(process)
    if not 20 <= normal <= n:
        raise ValueError(f"normal: must be between 20 and the {n} readings")
    findings = tuple(_characteristic(name, c, normal, peers) for name, c in characteristics.items())
    scores = monitor.score(process.to_numpy(dtype=float))
    flags = scores.alarms(PERSISTENCE)
    after = flags[normal:]
    rate = 1000.0 * float(after.mean()) if after.size else 0.0
    alarm = _first_alarm(monitor, scores.statistics, scores.exceeded, flags, process, normal)
    found = next(f for f in findings if f.name == key)
    exam = Examination(
        organisation=organisation,
        readings=n,
        normal=normal,
        characteristics=findings,
        key=key,
        trend=mann_kendall(found.values),
        monitor_statistics=dict(scores.statistics),
        monitor_limits=dict(scores.limits),
        alarm_rate=rate,
        alarm=alarm,
        risk=risk,
    )
    return replace(exam, recommendations=recommend(exam))


def _characteristic(
    name: str, c: Characteristic, normal: int, peers: pd.DataFrame | None
) -> CharacteristicFinding:
    values = np.asarray(c.values, dtype=float)
    run = study("imr", values, phase1=normal, lsl=c.lsl, usl=c.usl, target=c.target)
    chart = run.analysis.chart("i")
    late = tuple(v for v in run.violations if v.signal >= normal)
    beyond = tuple(i for i in run.beyond.get("i", ()) if i >= normal)
    # Capability of every reading, so a late fault lowers it; quoting is refused when the
    # charts signalled (Montgomery §8.3: capability presumes a stable process).
    cap = capability(values, c.lsl, c.usl, c.target, "mr", in_control=not (late or beyond))
    percentile = None
    if peers is not None:
        theirs = peers.loc[peers["characteristic"] == name, "cpk"].to_numpy(dtype=float)
        percentile = _percentile(theirs, cap.cpk.estimate) if theirs.size else None
    return CharacteristicFinding(
        name=name,
        unit=c.unit,
        values=values,
        center=float(np.asarray(chart.center).ravel()[0]),
        lcl=float(np.asarray(chart.lower).ravel()[0]),
        ucl=float(np.asarray(chart.upper).ravel()[0]),
        lsl=c.lsl,
        usl=c.usl,
        capability=cap,
        violations=late,
        beyond=beyond,
        peer_percentile=percentile,
    )


def _percentile(population: Array, value: float) -> float:
    """Percentage of ``population`` below ``value``, ties counted half (mid-rank)."""
    below = float(np.sum(population < value)) + 0.5 * float(np.sum(population == value))
    return 100.0 * below / population.size


def _first_alarm(
    monitor: PCAMonitor,
    statistics: Mapping[str, Array],
    exceeded: Mapping[str, NDArray[np.bool_]],
    flags: NDArray[np.bool_],
    process: pd.DataFrame,
    normal: int,
) -> Alarm | None:
    hits = np.flatnonzero(flags[normal:])
    if hits.size == 0:
        return None
    first = int(hits[0]) + normal
    # The statistic that crossed its limit at the alarm; SPE first, as a broken correlation
    # (a sensor or a single-variable fault) shows there before it shows in T².
    name = next((k for k in ("spe", "t2") if k in exceeded and exceeded[k][first]), "t2")
    window = process.to_numpy(dtype=float)[first : first + 20]
    rbc = monitor.reconstruction_contributions(window, name)
    mean = np.nanmean(rbc, axis=0)
    order = np.argsort(mean)[::-1][:3]
    top = tuple((str(process.columns[i]), float(mean[i])) for i in order)
    value = float(statistics[name][first])
    return Alarm(first, onset(statistics[name], first), name, top, value)


# ----------------------------------------------------------------------------- recommendations

# rule id: (source, en template, zh template); templates take the finding's fields.
RULES: dict[str, tuple[str, str, str]] = {
    "R1-incapable": (
        "Montgomery 7th ed. §8.3.3; ISO 9001:2015 8.5.1",
        "{name}: Cpk/Ppk {cpk:.2f} < 1.00 — the process cannot hold the tolerance; "
        "contain output (100% inspection) and reduce variation or re-centre the mean.",
        "{name}：Cpk/Ppk {cpk:.2f} < 1.00，过程无法满足公差；"
        "先对产品全检隔离，再减小波动或调整均值。",
    ),
    "R2-marginal": (
        "Montgomery 7th ed. §8.3.3 Table 8.2",
        "{name}: Cpk/Ppk {cpk:.2f} below 1.33 — plan a variation-reduction project (DOE, "
        "measurement system check).",
        "{name}：Cpk/Ppk {cpk:.2f} 低于 1.33，应立项减小波动（试验设计、测量系统分析）。",
    ),
    "R3-not-normal": (
        "Montgomery 7th ed. §8.3.2; ISO 22514-2:2017",
        "{name}: readings are not normal (Anderson-Darling p = {p:.3f}) — quote capability "
        "from a fitted distribution or percentiles, not the normal formulas.",
        "{name}：数据不服从正态分布（AD 检验 p = {p:.3f}），应按拟合分布或分位数评价能力。",
    ),
    "R4-spc-signal": (
        "Montgomery 7th ed. §5.3; ISO 9001:2015 10.2",
        "{name}: {count} control-chart signal(s) after the baseline, first at reading "
        "{first} — find the assignable cause and record the corrective action.",
        "{name}：基线期后出现 {count} 次控制图信号，首次在第 {first} 个读数，"
        "应查明异常原因并记录纠正措施。",
    ),
    "R5-alarm": (
        "MacGregor & Kourti 1995; Alcala & Qin 2009; ISO 9001:2015 10.2",
        "Process alarm ({statistic}) from reading {index} (deviation began near {onset}); "
        "check {variables} first, in that order.",
        "过程多变量报警（{statistic}）始于第 {index} 个读数（偏离约从第 {onset} 个开始）；"
        "请依次排查 {variables}。",
    ),
    "R6-trend": (
        "Gilbert 1987 §16.4; ISO 9001:2015 9.1.3",
        "{name}: significant {direction} trend (Mann-Kendall p = {p:.3g}, Sen slope "
        "{slope:.3g} per reading) — look for wear, drift or calibration.",
        "{name}：存在显著{direction_zh}趋势（Mann-Kendall p = {p:.3g}，"
        "Sen 斜率 {slope:.3g}/读数），"
        "应排查磨损、漂移或校准。",
    ),
    "R7-peers": (
        "ISO 9004:2018 11.4 (benchmarking)",
        "{name}: Cpk in the bottom quarter of peers ({percentile:.0f}th percentile) — "
        "benchmark against the sector's better performers.",
        "{name}：Cpk 处于同行后四分之一（第 {percentile:.0f} 百分位），应对标同行先进水平。",
    ),
    "R8-risk": (
        "ISO/IEC 17065:2012 7.9; ISO/IEC 17021-1:2015 9.6.3",
        "Risk of failing the next sampling inspection {probability:.0%}; main drivers: "
        "{drivers} — address these before the next surveillance.",
        "下次抽检不合格风险 {probability:.0%}；主要因素：{drivers_zh}，应在下次监督前整改。",
    ),
}


def _make(rule: str, finding: str, priority: int, **fields: object) -> Recommendation:
    source, en, zh = RULES[rule]
    return Recommendation(rule, finding, priority, en.format(**fields), zh.format(**fields), source)


def recommend(exam: Examination) -> tuple[Recommendation, ...]:
    """Recommendations from :data:`RULES` over ``exam``'s findings, most urgent first."""
    out: list[Recommendation] = []
    for c in exam.characteristics:
        # An unstable process performs at Ppk, not at its within-σ Cpk (Montgomery §8.3.6).
        cpk = min(c.capability.cpk.estimate, c.capability.ppk.estimate)
        finding = f"capability:{c.name}"
        if cpk < CPK_INCAPABLE:
            out.append(_make("R1-incapable", finding, 1, name=c.name, cpk=cpk))
        elif cpk < CPK_MARGINAL:
            out.append(_make("R2-marginal", finding, 2, name=c.name, cpk=cpk))
        if not c.capability.normality.normal:
            p = c.capability.normality.p_value
            out.append(_make("R3-not-normal", f"normality:{c.name}", 3, name=c.name, p=p))
        signals = sorted({v.signal for v in c.violations} | set(c.beyond))
        if signals:
            out.append(
                _make(
                    "R4-spc-signal",
                    f"spc:{c.name}",
                    1 if c.beyond else 2,
                    name=c.name,
                    count=len(signals),
                    first=signals[0],
                )
            )
        if c.peer_percentile is not None and c.peer_percentile < PEER_LOW_PERCENTILE:
            out.append(
                _make("R7-peers", f"peers:{c.name}", 3, name=c.name, percentile=c.peer_percentile)
            )
    if exam.alarm is not None:
        a = exam.alarm
        variables = ", ".join(name for name, _ in a.top)
        out.append(
            _make(
                "R5-alarm",
                f"alarm:{a.index}",
                1,
                statistic=a.statistic.upper(),
                index=a.index,
                onset="?" if a.onset is None else a.onset,
                variables=variables,
            )
        )
    t = exam.trend
    if t.increasing() or t.decreasing():
        up = t.increasing()
        out.append(
            _make(
                "R6-trend",
                f"trend:{exam.key}",
                2,
                name=exam.key,
                p=t.p,
                slope=t.slope,
                direction="upward" if up else "downward",
                direction_zh="上升" if up else "下降",
            )
        )
    if exam.risk is not None and exam.risk.probability >= RISK_HIGH:
        drivers = exam.risk.top(3)
        out.append(
            _make(
                "R8-risk",
                "risk",
                1 if exam.risk.probability >= 0.5 else 2,
                probability=exam.risk.probability,
                drivers=", ".join(RISK_LABELS[n][1] for n, _ in drivers) or "-",
                drivers_zh="、".join(RISK_LABELS[n][0] for n, _ in drivers) or "-",
            )
        )
    return tuple(sorted(out, key=lambda r: r.priority))
