"""A data source's chart as the workspace draws it: the organisation's own registry text (the
unit) reaches plotly, which reads a subset of HTML in titles (links, styled spans), so it is
given as text and shown as typed, never as markup; its times are the viewer's clock."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from qcert.web.stream_charts import device_view

UNIT = '<a href="//ev.il">x</a>&amp;'


def _device(**variable: object) -> dict:
    """A data source registering one variable, ``temp``."""
    return {
        "id": "d1",
        "kind": "sensor",
        "label": "Oven",
        "retired": False,
        "windows": 0,
        "variables": [{"name": "temp", **variable}],
    }


def _figure() -> dict:
    device = _device(unit=UNIT, lower=1.0, upper=9.0)
    rows = [{"seq": n, "time_us": n * 1_000_000, "values": {"temp": 5.0 + n % 3}} for n in range(9)]
    view = device_view(device, rows, None)
    return json.loads(view["charts"][0].figure)


def test_a_unit_with_markup_reaches_plotly_as_text():
    layout = _figure()["layout"]
    for text in (layout["title"]["text"], layout["yaxis"]["title"]["text"]):
        assert "<" not in text and ">" not in text
        assert "&lt;a href=" in text and "&amp;amp;" in text  # shown as typed


def test_the_table_beside_the_chart_keeps_the_unit_as_registered():
    view = device_view(_device(unit=UNIT), [], None)
    assert view["charts"][0].unit == UNIT  # the page's template escapes it once


# 23:30 UTC on 1 May is already 2 May in Shanghai (UTC+8), still 1 May in New York (UTC-4).
LATE = datetime(2026, 5, 1, 23, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("zone", "shown"),
    [
        ("Asia/Shanghai", "2026-05-02 07:30:00.000"),
        ("UTC", "2026-05-01 23:30:00.000"),
        ("America/New_York", "2026-05-01 19:30:00.000"),
    ],
)
def test_a_reading_is_charted_at_the_viewers_clock_and_day(zone, shown):
    device = _device(unit="C")
    at = int(LATE.timestamp() * 1_000_000)
    rows = [{"seq": n, "time_us": at + n * 1000, "values": {"temp": 5.0 + n % 3}} for n in range(4)]
    figure = json.loads(device_view(device, rows, None, zone, "en")["charts"][0].figure)
    # plotly.js drops any UTC offset in a date: the text given is the time it draws.
    assert figure["data"][0]["x"][0] == shown
    assert figure["data"][0]["x"][-1] == shown[:-3] + "003"
    assert figure["layout"]["xaxis"]["title"]["text"] == f"Time ({zone})"
    zh = json.loads(device_view(device, rows, None, zone, "zh-CN")["charts"][0].figure)
    assert zh["layout"]["xaxis"]["title"]["text"] == f"时间（{zone}）"
