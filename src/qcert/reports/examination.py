"""The quality physical examination report of one organisation, from its own records.

:func:`build` is pure: it takes the organisation's stream readings (one frame per data source,
a UTC time index and one column per variable, with each variable's unit and specification
limits from the device registry), its certification history and the peer group's readings,
and examines each stream with :func:`qcert.quality.report.examination`. The first half of a
stream's readings in the window is its normal period (the monitor's training set and the
control charts' phase I). The multivariate monitor watches the process parameters (the
variables without specification limits); the specified ones are the key characteristics,
each charted with its capability. A stream too short, without a specified variable, or with a single
variable is listed with the reason it was not examined. Nothing is made up: with no readings
the report says so and draws no process conclusions, and there is no risk figure, as no
inspection outcomes exist to fit a risk model on (:mod:`qcert.quality.risk` is fitted on
synthetic history only). :func:`render_html` and :func:`render_pdf` are pure functions of the
:class:`Report`; gathering its inputs from the store is :mod:`qcert.examinations`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd
from jinja2 import Environment, PackageLoader, select_autoescape

from ..quality.capability import capability
from ..quality.monitoring import PCAMonitor
from ..quality.report import Characteristic, Examination, examination
from . import svg
from .examination_text import LABELS, LANGS, SKIPPED

__all__ = [
    "LABELS",
    "MAX_READINGS",
    "MIN_READINGS",
    "History",
    "Report",
    "Stream",
    "StreamExamination",
    "Variable",
    "build",
    "peer_capabilities",
    "render_html",
    "render_pdf",
    "summary",
]

MIN_READINGS = 40  # complete readings a stream needs: 20 to train on, 20 to watch
MAX_READINGS = 5_000  # newest readings examined per stream: its charts draw every one
ALPHA = 0.99  # the monitor's control limits: 99 % (Jackson 1991 ch. 2)


@dataclass(frozen=True)
class Variable:
    """A variable a data source reports: its unit and specification limits (if any)."""

    name: str
    unit: str = ""
    lsl: float | None = None
    usl: float | None = None
    target: float | None = None

    @property
    def specified(self) -> bool:
        """Whether a capability can be computed: a lower or an upper limit is given."""
        return self.lsl is not None or self.usl is not None


@dataclass(frozen=True)
class Stream:
    """One data source's readings over the window, in time order.

    ``frame``: a UTC time index, one column per variable (values in the variable's unit);
    ``anchored_until``: the end of the source's newest window anchored on the ledger (None
    before the first).
    """

    device: str
    variables: tuple[Variable, ...]
    frame: pd.DataFrame
    label: str = ""
    anchored_until: datetime | None = None  # readings before it are anchored on the ledger


@dataclass(frozen=True)
class History:
    """The organisation's certification history as the viewer may read it.

    ``certificates``: number, status, body and scheme of each; ``findings``: count by grade;
    ``suspensions``: how many times a certificate was suspended; ``sectors``: IAF codes of its
    certifications.
    """

    certifications: int = 0
    certificates: tuple[Mapping[str, str], ...] = ()
    audits: int = 0
    findings: Mapping[str, int] = field(default_factory=dict)
    open_findings: int = 0
    open_major: int = 0
    suspensions: int = 0
    sectors: tuple[int, ...] = ()

    @property
    def empty(self) -> bool:
        """Whether no certification of the organisation is on record (for this viewer)."""
        return self.certifications == 0


@dataclass(frozen=True)
class StreamExamination:
    """One stream's result: its examination, or the reason (a key of :data:`SKIPPED`) why
    none was made. ``alarm_time`` is the time of the reading that raised the first alarm;
    ``anchored`` how many of its readings lie in windows anchored on the ledger."""

    device: str
    label: str
    readings: int
    start: datetime | None
    end: datetime | None
    exam: Examination | None = None
    skipped: str | None = None
    detail: str = ""
    alarm_time: datetime | None = None
    anchored: int = 0  # of the readings, those in windows anchored on the ledger


@dataclass(frozen=True)
class Report:
    """The whole report: who, which window, the history, each stream, and the peer group."""

    organisation: str
    name_zh: str
    name_en: str
    start: datetime
    end: datetime
    history: History
    streams: tuple[StreamExamination, ...]
    peers: int = 0

    @property
    def readings(self) -> int:
        """Readings of every stream in the window."""
        return sum(s.readings for s in self.streams)

    @property
    def examined(self) -> tuple[StreamExamination, ...]:
        return tuple(s for s in self.streams if s.exam is not None)


def _complete(stream: Stream) -> pd.DataFrame:
    """The stream's readings where every variable has a finite value, newest MAX_READINGS."""
    names = [v.name for v in stream.variables if v.name in stream.frame.columns]
    frame = stream.frame[names].apply(pd.to_numeric, errors="coerce").astype(float)
    frame = frame.replace([np.inf, -np.inf], np.nan).dropna().sort_index()
    return frame.iloc[-MAX_READINGS:]


def _cpk(values: Any, v: Variable) -> float | None:
    try:
        found = capability(np.asarray(values, dtype=float), v.lsl, v.usl, v.target, "mr")
    except ValueError:
        return None  # too few readings or no variation: no index to compare
    return found.cpk.estimate


def peer_capabilities(peers: Mapping[str, Sequence[Stream]]) -> pd.DataFrame:
    """Cpk of each specified variable of each peer organisation: columns ``characteristic``
    and ``cpk``, one row per organisation and variable (its lowest Cpk over its sources)."""
    rows: dict[tuple[str, str], float] = {}
    for org, streams in peers.items():
        for stream in streams:
            frame = _complete(stream)
            for v in stream.variables:
                if v.specified and v.name in frame and len(frame) >= MIN_READINGS:
                    cpk = _cpk(frame[v.name], v)
                    if cpk is not None and math.isfinite(cpk):
                        key = (org, v.name)
                        rows[key] = min(cpk, rows.get(key, cpk))
    return pd.DataFrame(
        [{"characteristic": name, "cpk": cpk} for (_, name), cpk in sorted(rows.items())],
        columns=["characteristic", "cpk"],
    )


def _examine(organisation: str, stream: Stream, peers: pd.DataFrame) -> StreamExamination:
    frame = _complete(stream)
    n = len(frame)
    index = stream.frame.index
    until = stream.anchored_until
    base = {
        "device": stream.device,
        "label": stream.label,
        "readings": len(stream.frame),
        "anchored": int((index < pd.Timestamp(until)).sum()) if until and len(index) else 0,
        "start": _time(stream.frame.index.min()) if len(stream.frame) else None,
        "end": _time(stream.frame.index.max()) if len(stream.frame) else None,
    }
    specified = [v for v in stream.variables if v.specified and v.name in frame]
    if n < MIN_READINGS:
        return StreamExamination(**base, skipped="few_readings", detail=str(n))
    if not specified:
        return StreamExamination(**base, skipped="no_limits")
    if frame.shape[1] < 2:
        return StreamExamination(**base, skipped="one_variable")
    normal = n // 2
    process = frame.reset_index(drop=True)
    characteristics = {
        v.name: Characteristic(process[v.name].to_numpy(float), v.lsl, v.usl, v.target, v.unit)
        for v in specified
    }
    # The monitor watches the process parameters (variables without limits), whose broken
    # correlations show a fault before the characteristics drift out; with fewer than two of
    # them it watches every variable.
    watched = [v.name for v in stream.variables if not v.specified and v.name in frame]
    watched = watched if len(watched) >= 2 else list(frame.columns)
    try:
        monitor = PCAMonitor(max(1, min(2, len(watched) - 1)), alpha=ALPHA)
        monitor.fit(process[watched].iloc[:normal])
        exam = examination(organisation, characteristics, process[watched], monitor, normal, peers)
    except ValueError as err:  # e.g. a variable without variation in the normal period
        return StreamExamination(**base, skipped="unexaminable", detail=str(err))
    at = _time(frame.index[exam.alarm.index]) if exam.alarm is not None else None
    return StreamExamination(**base, exam=exam, alarm_time=at)


def _time(value: Any) -> datetime | None:
    return pd.Timestamp(value).to_pydatetime() if value is not None and value == value else None


def build(
    organisation: str,
    names: tuple[str, str],
    start: datetime,
    end: datetime,
    history: History,
    streams: Sequence[Stream],
    peers: Mapping[str, Sequence[Stream]] | None = None,
) -> Report:
    """Examine ``organisation`` (``names``: zh-CN and en) over [``start``, ``end``).

    ``streams``: its data sources' readings in the window; ``peers``: the readings of the
    peer group's data sources (organisations of the same IAF sector), by organisation.
    """
    peer_table = peer_capabilities(peers or {})
    found = tuple(_examine(organisation, s, peer_table) for s in streams)
    # Peers counted are those with readings in the window: the ones compared with.
    compared = sum(any(len(s.frame) for s in ss) for ss in (peers or {}).values())
    return Report(organisation, *names, start, end, history, found, compared)


# ----------------------------------------------------------------------------- output


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, float):
        return round(value, 3) if math.isfinite(value) else None
    return value


def _exam_summary(exam: Examination) -> dict[str, Any]:
    alarm = exam.alarm
    return {
        "readings": exam.readings,
        "normal": exam.normal,
        "characteristics": [
            {
                "name": c.name,
                "unit": c.unit,
                "cpk": _plain(c.capability.cpk.estimate),
                "cpk_ci": [_plain(c.capability.cpk.lower), _plain(c.capability.cpk.upper)],
                "ppk": _plain(c.capability.ppk.estimate),
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
        "trend": {"key": exam.key, "p": _plain(exam.trend.p), "slope": _plain(exam.trend.slope)},
        "recommendations": [
            {"rule": r.rule, "finding": r.finding, "priority": r.priority, "en": r.en, "zh": r.zh}
            for r in exam.recommendations
        ],
    }


def summary(report: Report) -> dict[str, Any]:
    """The report's findings as plain JSON-ready values; ``notes`` say, in zh-CN and en, what
    the report could not conclude for lack of data."""
    h = report.history
    missing = [
        k for k, gone in (("no_streams", report.readings == 0), ("no_history", h.empty)) if gone
    ]
    notes = [{"code": k, "zh": LABELS[k][0], "en": LABELS[k][1]} for k in missing]
    streams = []
    for s in report.streams:
        item: dict[str, Any] = {
            "device": s.device,
            "label": s.label,
            "readings": s.readings,
            "anchored": s.anchored,
            "start": _plain(s.start),
            "end": _plain(s.end),
        }
        if s.exam is None:
            zh, en = SKIPPED[s.skipped or "unexaminable"]
            item["skipped"] = {"code": s.skipped, "zh": zh, "en": en, "detail": s.detail}
        else:
            item.update(_exam_summary(s.exam))
            if item["alarm"] is not None:
                item["alarm"]["time"] = _plain(s.alarm_time)
        streams.append(item)
    return {
        "organisation": report.organisation,
        "name": {"zh": report.name_zh, "en": report.name_en},
        "from": report.start.isoformat(),
        "to": report.end.isoformat(),
        "readings": report.readings,
        "history": {
            "certifications": h.certifications,
            "certificates": [dict(c) for c in h.certificates],
            "audits": h.audits,
            "findings": dict(h.findings),
            "open_findings": h.open_findings,
            "open_major": h.open_major,
            "suspensions": h.suspensions,
            "sectors": list(h.sectors),
        },
        "peers": report.peers,
        "streams": streams,
        "risk": None,
        "notes": notes,
    }


def _charts(s: StreamExamination) -> dict[str, str]:
    exam = s.exam
    assert exam is not None
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


def render_html(report: Report, lang: str = "both", today: date | None = None) -> str:
    """The report as one HTML page; ``lang`` is ``en``, ``zh-CN`` or ``both`` (bilingual)."""
    if lang not in LANGS:
        raise ValueError(f"lang: must be one of {', '.join(LANGS)}")
    return _env.get_template("examination.html").render(
        report=report,
        L=LABELS,
        SKIPPED=SKIPPED,
        lang=lang,
        charts={s.device: _charts(s) for s in report.examined},
        today=(today or date.today()).isoformat(),
    )


def render_pdf(report: Report, today: date | None = None) -> bytes:
    """The bilingual report as PDF bytes (A4); Chinese needs the Noto CJK SC font."""
    # Imported here: weasyprint takes about a second to load, which other commands skip.
    from weasyprint import HTML

    return HTML(string=render_html(report, "both", today)).write_pdf()
