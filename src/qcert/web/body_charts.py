"""The dashboard's charts, built on the server as plotly figures and sent as JSON.

The page carries each figure in a data attribute; ``/static/charts.js`` (ours) hands it to
the plotly bundle installed with the Python package (``/static/plotly.min.js``), so no
inline script runs and nothing is fetched from elsewhere. Every chart also has a table
with the same numbers, for screen readers and for browsers without scripts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import plotly.graph_objects as go

from ..store.dashboard import Dashboard

__all__ = ["Chart", "charts"]

_COLOURS = {
    "active": "#1b6e3a",
    "suspended": "#9a5b00",
    "withdrawn": "#a4161a",
    "expired": "#5f6368",
}


@dataclass(frozen=True)
class Chart:
    """One chart: its id, title key, the figure as JSON, and its rows as (label, value)."""

    id: str
    title: str
    figure: str
    rows: list[tuple[str, int]]


def _figure(trace: go.Bar | go.Pie, title: str, counts: list[int] | None = None) -> str:
    # The empty template keeps the JSON to the data: plotly's default adds some 6 kB a chart.
    layout = go.Layout(
        template="none",
        title={"text": title},
        # Room on the right for the last category label, which a slanted axis label overhangs.
        margin={"l": 48, "r": 40, "t": 48, "b": 64},
        height=320,
    )
    if counts is not None:
        # Category labels as given (plotly would read "2026-05" as a date), whole-number ticks.
        top = max(counts, default=0)
        layout.update(
            # Slanted at a fixed angle, with the margin grown to fit them (automargin), the
            # labels are never cut, whatever their number or the chart's width.
            xaxis={"type": "category", "tickangle": -45, "automargin": True},
            yaxis={"rangemode": "tozero", "dtick": max(1, -(-top // 5))},
        )
    return go.Figure(data=[trace], layout=layout).to_json()


def charts(board: Dashboard, t: Callable[..., str]) -> list[Chart]:
    """Certifications by stage, audits per month (last 12 months), certificates by status,
    labelled in the language of ``t``."""
    stages = [(t(f"stage.{s}"), n) for s, n in board.stages.items()]
    months = list(board.audits_per_month)
    statuses = [(t(f"stage.{s}"), n) for s, n in board.statuses.items()]
    # A pie has no room for empty slices; the table beside it lists every status.
    sliced = [
        (t(f"stage.{s}"), n, _COLOURS.get(s, "#1a56a5")) for s, n in board.statuses.items() if n
    ]
    return [
        Chart(
            "stages",
            "body.chart.stages",
            _figure(
                go.Bar(x=[k for k, _ in stages], y=[v for _, v in stages], marker_color="#1a56a5"),
                t("body.chart.stages"),
                [v for _, v in stages],
            ),
            stages,
        ),
        Chart(
            "audits",
            "body.chart.audits",
            _figure(
                go.Bar(x=[k for k, _ in months], y=[v for _, v in months], marker_color="#1a56a5"),
                t("body.chart.audits"),
                [v for _, v in months],
            ),
            months,
        ),
        Chart(
            "statuses",
            "body.chart.statuses",
            _figure(
                go.Pie(
                    labels=[k for k, _, _ in sliced],
                    values=[v for _, v, _ in sliced],
                    marker={"colors": [c for _, _, c in sliced]},
                    sort=False,
                ),
                t("body.chart.statuses"),
            ),
            statuses,
        ),
    ]
