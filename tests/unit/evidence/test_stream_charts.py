"""A data source's chart as the workspace draws it: the organisation's own registry text (the
unit) reaches plotly, which reads a subset of HTML in titles (links, styled spans), so it is
given as text and shown as typed, never as markup."""

from __future__ import annotations

import json

from qcert.web.stream_charts import device_view

UNIT = '<a href="//ev.il">x</a>&amp;'


def _figure() -> dict:
    device = {
        "id": "d1",
        "kind": "sensor",
        "label": "Oven",
        "retired": False,
        "windows": 0,
        "variables": [{"name": "temp", "unit": UNIT, "lower": 1.0, "upper": 9.0}],
    }
    rows = [{"seq": n, "time_us": n * 1_000_000, "values": {"temp": 5.0 + n % 3}} for n in range(9)]
    view = device_view(device, rows, None, lambda key, **_: key)
    return json.loads(view["charts"][0].figure)


def test_a_unit_with_markup_reaches_plotly_as_text():
    layout = _figure()["layout"]
    for text in (layout["title"]["text"], layout["yaxis"]["title"]["text"]):
        assert "<" not in text and ">" not in text
        assert "&lt;a href=" in text and "&amp;amp;" in text  # shown as typed


def test_the_table_beside_the_chart_keeps_the_unit_as_registered():
    device = {
        "id": "d1",
        "kind": "sensor",
        "label": "",
        "retired": False,
        "windows": 0,
        "variables": [{"name": "temp", "unit": UNIT}],
    }
    view = device_view(device, [], None, lambda key, **_: key)
    assert view["charts"][0].unit == UNIT  # the page's template escapes it once
