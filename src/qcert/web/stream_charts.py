"""The live streams' charts: an individuals control chart per variable, with its
specification limits, built on the server as a plotly figure and sent as JSON.

As on the body's dashboard (:mod:`qcert.web.body_charts`), the page carries each figure in a
data attribute and ``/static/charts.js`` draws it with the locally served plotly bundle;
``/static/streams.js`` polls the live view's JSON and redraws. The control limits are trial
limits of the readings shown (I chart, x̄ ± 3σ̂ with σ̂ = MR̄/1.128: Montgomery, *Introduction
to Statistical Quality Control*, 7th ed., §6.4); the specification limits are those the
device registry holds. Every chart has a table of the same limits and the newest value.

Times on a chart's axis are the viewer's, as everywhere else on the pages: plotly.js reads a
date as the wall-clock text it is given and drops any UTC offset in it, so each reading's
instant is given as the clock in the viewer's zone reads it, and the axis names that zone.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import plotly.graph_objects as go

from ..quality import spc
from .chart_text import MESSAGES as CHART_TEXT

__all__ = ["CHART_READINGS", "VariableChart", "device_view", "utc", "wall_time"]

CHART_READINGS = 300  # newest readings a chart draws

_SPEC, _CONTROL, _CENTRE = "#e08a00", "#c00", "#555"


@dataclass(frozen=True)
class VariableChart:
    """One variable's chart: its id, name and unit, its limits (None when there are none),
    the newest value, how many readings it draws, and the figure as JSON."""

    id: str
    variable: str
    unit: str
    lsl: float | None
    usl: float | None
    center: float | None
    lcl: float | None
    ucl: float | None
    latest: float | None
    points: int
    figure: str


def utc(micros: int) -> str:
    """An instant in µs since the epoch as RFC 3339 UTC text (to the millisecond)."""
    at = datetime.fromtimestamp(micros / 1_000_000, tz=UTC)
    return at.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def wall_time(micros: int, zone: ZoneInfo) -> str:
    """An instant in µs since the epoch as the clock in ``zone`` reads it, to the millisecond
    and with no offset (``2026-05-02 07:30:00.000``): what a plotly date axis draws as given."""
    at = datetime.fromtimestamp(micros / 1_000_000, tz=UTC).astimezone(zone)
    return at.strftime("%Y-%m-%d %H:%M:%S.") + f"{at.microsecond // 1000:03d}"


def _axis_title(zone: ZoneInfo, lang: str) -> str:
    zh, en = CHART_TEXT["chart.time_in"]
    return (zh if lang == "zh-CN" else en).format(zone=zone.key)


def _limits(values: np.ndarray) -> tuple[float, float, float] | None:
    """Trial I-chart centre and limits of ``values``; None for too few or no variation."""
    if values.size < 3:
        return None
    try:
        chart = spc.imr(values).chart("i")
    except ValueError:
        return None
    centre, lower, upper = (
        float(np.asarray(a).ravel()[0]) for a in (chart.center, chart.lower, chart.upper)
    )
    if not all(math.isfinite(v) for v in (centre, lower, upper)) or lower == upper:
        return None
    return centre, lower, upper


def _plain(text: str) -> str:
    """``text`` as plotly shows it verbatim: plotly.js reads a subset of HTML in titles
    (``<a href>``, ``<span style>``), so an organisation's unit could put a link or styled
    text in a body's workspace; escaped, its entities are shown as the characters typed."""
    return html.escape(text, quote=False)


def _line(value: float, colour: str, label: str) -> tuple[dict[str, Any], dict[str, Any]]:
    shape = {
        "type": "line",
        "xref": "paper",
        "x0": 0,
        "x1": 1,
        "y0": value,
        "y1": value,
        "line": {"color": colour, "width": 1, "dash": "dash"},
    }
    note = {
        "xref": "paper",
        "x": 1,
        "y": value,
        "text": label,
        "showarrow": False,
        "xanchor": "left",
        "font": {"size": 10, "color": colour},
    }
    return shape, note


def _chart(
    device: str,
    variable: dict[str, Any],
    rows: Sequence[dict[str, Any]],
    zone: ZoneInfo,
    lang: str,
) -> VariableChart:
    name = str(variable["name"])
    unit = str(variable["unit"])
    lsl, usl = variable.get("lower"), variable.get("upper")
    points = [
        (wall_time(r["time_us"], zone), r["values"][name]) for r in rows if name in r["values"]
    ]
    values = np.asarray([v for _, v in points], dtype=float)
    limits = _limits(values)
    lines = [(lsl, _SPEC, "LSL"), (usl, _SPEC, "USL")]
    if limits is not None:
        lines += [
            (limits[0], _CENTRE, "CL"),
            (limits[1], _CONTROL, "LCL"),
            (limits[2], _CONTROL, "UCL"),
        ]
    drawn = [_line(float(v), colour, label) for v, colour, label in lines if v is not None]
    layout = go.Layout(
        template="none",
        title={"text": _plain(f"{name} ({unit})")},
        margin={"l": 56, "r": 48, "t": 40, "b": 48},
        height=260,
        showlegend=False,
        shapes=[s for s, _ in drawn],
        annotations=[n for _, n in drawn],
        xaxis={"title": {"text": _axis_title(zone, lang)}},
        yaxis={"title": {"text": _plain(unit)}},
    )
    trace = go.Scatter(
        x=[x for x, _ in points], y=values.tolist(), mode="lines+markers", marker={"size": 3}
    )
    figure = go.Figure(data=[trace], layout=layout).to_json()
    return VariableChart(
        f"{device}.{name}",
        name,
        unit,
        lsl,
        usl,
        *(limits if limits is not None else (None, None, None)),
        float(values[-1]) if values.size else None,
        int(values.size),
        figure,
    )


def device_view(
    device: dict[str, Any],
    rows: Sequence[dict[str, Any]],
    window: dict[str, Any] | None,
    zone: str = "Asia/Shanghai",
    lang: str = "zh-CN",
    charts: int | None = None,
) -> dict[str, Any]:
    """What the live view shows of one data source: its registry entry, its newest reading,
    its newest anchored window (with the reading whose proof can be downloaded: the window's
    last) and one chart per variable over ``rows`` (its newest readings, oldest first), for
    its first ``charts`` variables when given (``uncharted``: how many are left out). The
    charts' times are the clock in the viewer's ``zone``, their words in ``lang``."""
    here = ZoneInfo(zone)
    variables = device["variables"] if charts is None else device["variables"][: max(0, charts)]
    newest = rows[-1] if rows else None
    anchored = None
    if window is not None:
        anchored = {
            "ledger_index": int(window["ledger_index"]),
            "start": utc(int(window["start_us"])),
            "end": utc(int(window["end_us"])),
            "first_seq": int(window["first_seq"]),
            "last_seq": int(window["last_seq"]),
            "count": int(window["count"]),
            "root": str(window["root"]),
        }
    return {
        "id": device["id"],
        "kind": device["kind"],
        "label": device["label"],
        "retired": device["retired"],
        "windows": int(device["windows"]),
        "latest": None
        if newest is None
        else {"seq": newest["seq"], "time": utc(newest["time_us"]), "values": newest["values"]},
        "window": anchored,
        "charts": [_chart(device["id"], v, rows, here, lang) for v in variables],
        "uncharted": len(device["variables"]) - len(variables),
    }
