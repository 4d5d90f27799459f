"""The quality physical examination report: building it for a client, and HTML / PDF output.

:func:`demo_examination` examines one client's line: its readings come from the demonstration
generator (:func:`qcert.quality.demo_line.line_readings`, seeded by the client id, with a
planted coolant drift) unless a table of readings is given; peers are fault-free generated
lines; the risk model is fitted on synthetic history (:func:`qcert.quality.risk.
synthetic_history`) because no inspection outcomes exist here. :func:`render_html` and
:func:`render_pdf` are pure functions of the :class:`~qcert.quality.report.Examination`.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import date
from functools import cache
from typing import Any

import numpy as np
import pandas as pd
from jinja2 import Environment, PackageLoader, select_autoescape

from ..quality import demo_line
from ..quality.capability import capability
from ..quality.monitoring import PCAMonitor
from ..quality.report import Characteristic, Examination, examination, recommend
from ..quality.risk import LABELS as RISK_LABELS
from ..quality.risk import RiskModel, synthetic_history
from . import svg

__all__ = ["LABELS", "demo_examination", "render_html", "render_pdf", "seed_of", "summary"]

# Every heading and label of the report, as (zh-CN, en).
LABELS: dict[str, tuple[str, str]] = {
    "title": ("质量体检报告", "Quality Physical Examination Report"),
    "organisation": ("受检组织", "Organisation"),
    "date": ("报告日期", "Report date"),
    "readings": ("读数（基线期）", "Readings (baseline)"),
    "summary": ("结论摘要", "Summary"),
    "capability": ("关键特性过程能力", "Capability of key characteristics"),
    "characteristic": ("特性", "Characteristic"),
    "ci": ("95% 置信区间", "95% CI"),
    "normal": ("正态性", "Normality"),
    "yes": ("正态", "normal"),
    "no": ("非正态", "not normal"),
    "signals": ("基线后控制图信号", "Chart signals after baseline"),
    "peers": ("同行百分位", "Peer percentile"),
    "charts": ("单值控制图", "Individuals charts"),
    "alarms": ("多变量报警与可能原因", "Process alarms and likely causes"),
    "no_alarm": ("基线期后无持续报警", "No persistent alarm after the baseline"),
    "alarm_at": ("首次持续报警读数", "First persistent alarm at reading"),
    "onset": ("偏离起始（变点）", "Deviation began (change point)"),
    "statistic": ("统计量", "Statistic"),
    "contributors": ("主要贡献变量（重构贡献）", "Top contributing variables (RBC)"),
    "alarm_rate": ("基线后报警率（每千读数）", "Alarm rate after baseline (per 1000)"),
    "trend": ("趋势", "Trend"),
    "risk": ("下次抽检不合格风险", "Risk of failing the next sampling inspection"),
    "risk_note": (
        "模型以合成的认证历史训练（无真实抽检数据）；认证记录未提供时按无不符合项计。",
        "Model trained on synthetic certification history (no real inspection outcomes); "
        "certification records not supplied are taken as clean.",
    ),
    "drivers": ("风险因素（对数几率贡献）", "Risk drivers (log-odds contribution)"),
    "recommendations": ("改进建议", "Recommended improvements"),
    "priority": ("优先级", "Priority"),
    "finding": ("依据的发现", "Finding"),
    "source": ("依据", "Source"),
    "none": ("无", "none"),
    "shaded": ("阴影：基线期之后", "Shaded: after the baseline"),
}
LANGS = ("en", "zh-CN", "both")


def seed_of(client_id: str) -> int:
    """A stable 32-bit seed from a client id (first 4 bytes of its SHA-256)."""
    return int.from_bytes(hashlib.sha256(client_id.encode()).digest()[:4], "big")


@cache
def _risk_model() -> RiskModel:
    return RiskModel().fit(synthetic_history(3000, seed=0))


def _peers(seed: int, count: int = 12) -> pd.DataFrame:
    """Cpk of each characteristic on ``count`` fault-free generated lines (the peer group)."""
    rows = []
    for k in range(count):
        line = demo_line.line_readings(seed + 1 + k, fault_at=None)
        for name, (lsl, usl, target) in demo_line.SPECS.items():
            cap = capability(line.frame[name], lsl, usl, target, "mr")
            rows.append({"characteristic": name, "cpk": cap.cpk.estimate})
    return pd.DataFrame(rows)


def demo_examination(
    client_id: str, readings: pd.DataFrame | None = None, normal: int | None = None
) -> Examination:
    """Examine ``client_id``'s line (generated, or ``readings`` with the demo line's columns).

    ``normal``: leading readings of normal operation (default: the planted fault's start for
    generated readings, half of given ones).
    """
    seed = seed_of(client_id)
    if readings is None:
        line = demo_line.line_readings(seed)
        frame, normal = line.frame, normal or line.normal
    else:
        missing = [c for c in (*demo_line.PROCESS, *demo_line.SPECS) if c not in readings]
        if missing:
            raise ValueError(f"readings: missing column(s) {', '.join(missing)}")
        frame, normal = readings, normal or len(readings) // 2
    process = frame[list(demo_line.PROCESS)].astype(float)
    monitor = PCAMonitor(n_components=2, alpha=0.99).fit(process.iloc[:normal])
    characteristics = {
        name: Characteristic(frame[name].to_numpy(float), lsl, usl, target, demo_line.UNITS[name])
        for name, (lsl, usl, target) in demo_line.SPECS.items()
    }
    exam = examination(client_id, characteristics, process, monitor, normal, _peers(seed))
    row = pd.DataFrame(
        [
            {
                "open_major_ncs": 0.0,
                "ncs_per_audit": 1.0,
                "suspensions": 0.0,
                "days_overdue": 0.0,
                "cpk_min": min(
                    min(c.capability.cpk.estimate, c.capability.ppk.estimate)
                    for c in exam.characteristics
                ),
                "alarm_rate": exam.alarm_rate,
                "sector": "electronics",
                "size": "medium",
            }
        ]
    )
    risk = _risk_model().explain(row)
    with_risk = replace(exam, risk=risk)
    return replace(with_risk, recommendations=recommend(with_risk))


def summary(exam: Examination) -> dict[str, Any]:
    """The examination's findings as plain JSON-ready values."""
    alarm = exam.alarm
    return {
        "organisation": exam.organisation,
        "readings": exam.readings,
        "normal": exam.normal,
        "characteristics": [
            {
                "name": c.name,
                "cpk": round(c.capability.cpk.estimate, 3),
                "cpk_ci": [round(c.capability.cpk.lower, 3), round(c.capability.cpk.upper, 3)],
                "ppk": round(c.capability.ppk.estimate, 3),
                "normal": c.capability.normality.normal,
                "signals_after_baseline": len({v.signal for v in c.violations} | set(c.beyond)),
                "peer_percentile": c.peer_percentile,
            }
            for c in exam.characteristics
        ],
        "alarm": None
        if alarm is None
        else {
            "index": alarm.index,
            "onset": alarm.onset,
            "statistic": alarm.statistic,
            "top": [name for name, _ in alarm.top],
        },
        "alarm_rate_per_1000": round(exam.alarm_rate, 1),
        "trend": {"key": exam.key, "p": exam.trend.p, "slope": exam.trend.slope},
        "risk": None if exam.risk is None else round(exam.risk.probability, 3),
        "recommendations": [
            {"rule": r.rule, "finding": r.finding, "priority": r.priority, "en": r.en, "zh": r.zh}
            for r in exam.recommendations
        ],
    }


def _charts(exam: Examination) -> dict[str, str]:
    out: dict[str, str] = {}
    for c in exam.characteristics:
        lines = [("UCL", c.ucl, "#c00"), ("CL", c.center, "#555"), ("LCL", c.lcl, "#c00")]
        lines += [(k, v, "#e08a00") for k, v in (("USL", c.usl), ("LSL", c.lsl)) if v is not None]
        marks = sorted({i for v in c.violations for i in v.indices} | set(c.beyond))
        out[c.name] = svg.series(c.values, lines, marks, exam.normal, c.name)
    stat = exam.alarm.statistic if exam.alarm else "spe"
    if stat in exam.monitor_statistics:
        limit = exam.monitor_limits[stat]
        out["monitor"] = svg.series(
            exam.monitor_statistics[stat], [("UCL", limit, "#c00")], (), exam.normal, stat
        )
    if exam.alarm is not None:
        out["contributors"] = svg.bars(list(exam.alarm.top), "RBC")
    return out


_env = Environment(
    loader=PackageLoader("qcert.reports", "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


def render_html(exam: Examination, lang: str = "both", today: date | None = None) -> str:
    """The report as one HTML page; ``lang`` is ``en``, ``zh-CN`` or ``both`` (bilingual)."""
    if lang not in LANGS:
        raise ValueError(f"lang: must be one of {', '.join(LANGS)}")
    return _env.get_template("examination.html").render(
        exam=exam,
        L=LABELS,
        RL=RISK_LABELS,
        lang=lang,
        charts=_charts(exam),
        today=(today or date.today()).isoformat(),
        drivers=sorted(exam.risk.contributions.items(), key=lambda kv: -kv[1]) if exam.risk else [],
        np=np,
    )


def render_pdf(exam: Examination, today: date | None = None) -> bytes:
    """The bilingual report as PDF bytes (A4); Chinese needs the Noto CJK SC font."""
    # Imported here: weasyprint takes about a second to load, which other commands skip.
    from weasyprint import HTML

    return HTML(string=render_html(exam, "both", today)).write_pdf()
