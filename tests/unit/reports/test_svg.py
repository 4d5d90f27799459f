"""Inline SVG charts: points land where the scale puts them."""

import re

from qcert.reports.svg import bars, series


def test_series_maps_the_first_and_last_points_to_the_plot_corners():
    chart = series([0.0, 1.0, 2.0], [("UCL", 2.0, "#c00")], marks=[1], shade_from=2)
    points = re.search(r'points="([^"]+)"', chart).group(1).split()
    # x from the left pad (34) to width − 8 (632); y from height − 18 (162) up to 16
    assert points == ["34.0,162.0", "333.0,89.0", "632.0,16.0"]
    assert chart.count("<circle") == 1 and ">UCL<" in chart
    assert chart.startswith("<svg") and chart.endswith("</svg>")


def test_bars_scale_to_the_longest():
    chart = bars([("a", 2.0), ("b", 1.0)])
    widths = re.findall(r'<rect x="156" y="\d+" width="([\d.]+)"', chart)
    assert widths == ["380.0", "190.0"]  # 640 − 260 for the longest, half for half
