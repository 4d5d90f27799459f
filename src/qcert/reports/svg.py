"""Small inline SVG charts drawn from numbers, so a PDF needs no image renderer."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

import numpy as np
from numpy.typing import ArrayLike

__all__ = ["bars", "series"]

_W, _H, _PAD = 640.0, 180.0, 34.0


def _scale(lo: float, hi: float, a: float, b: float) -> tuple[float, float]:
    """Slope and offset mapping [lo, hi] onto [a, b]."""
    span = (hi - lo) or 1.0
    k = (b - a) / span
    return k, a - k * lo


def series(
    values: ArrayLike,
    lines: Sequence[tuple[str, float, str]] = (),
    marks: Sequence[int] = (),
    shade_from: int | None = None,
    title: str = "",
) -> str:
    """A line chart of ``values`` (one per reading) with horizontal ``lines`` and red ``marks``.

    ``lines`` are (label, value, colour); ``shade_from`` greys the readings from that index on
    (e.g. after the normal period). Returns an ``<svg>`` element (640 x 180 user units).
    """
    y = np.asarray(values, dtype=float)
    finite = y[np.isfinite(y)]
    levels = [v for _, v, _ in lines if v is not None and np.isfinite(v)]
    lo = float(min(finite.min(initial=np.inf), *levels)) if levels else float(finite.min())
    hi = float(max(finite.max(initial=-np.inf), *levels)) if levels else float(finite.max())
    kx, bx = _scale(0, max(len(y) - 1, 1), _PAD, _W - 8)
    ky, by = _scale(lo, hi, _H - 18, 16)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_W:.0f} {_H:.0f}" '
        f'class="chart" role="img"><title>{escape(title)}</title>'
    ]
    parts.append(
        f'<rect x="{_PAD}" y="8" width="{_W - 8 - _PAD}" height="{_H - 20}" '
        'fill="none" stroke="#9aa8bd" stroke-width="0.6"/>'
    )
    if shade_from is not None and 0 <= shade_from < len(y):
        x0 = kx * shade_from + bx
        parts.append(
            f'<rect x="{x0:.1f}" y="8" width="{_W - 8 - x0:.1f}" height="{_H - 20}" '
            'fill="#f3e9e9"/>'
        )
    for label, value, colour in lines:
        yy = ky * value + by
        parts.append(
            f'<line x1="{_PAD}" x2="{_W - 8}" y1="{yy:.1f}" y2="{yy:.1f}" '
            f'stroke="{colour}" stroke-width="0.8" stroke-dasharray="4 2"/>'
        )
        parts.append(
            f'<text x="{_W - 10}" y="{yy - 2:.1f}" font-size="8" text-anchor="end" '
            f'fill="{colour}">{escape(label)}</text>'
        )
    points = " ".join(
        f"{kx * i + bx:.1f},{ky * v + by:.1f}" for i, v in enumerate(y) if np.isfinite(v)
    )
    parts.append(f'<polyline points="{points}" fill="none" stroke="#1d3f72" stroke-width="0.8"/>')
    for i in marks:
        if 0 <= i < len(y) and np.isfinite(y[i]):
            parts.append(
                f'<circle cx="{kx * i + bx:.1f}" cy="{ky * y[i] + by:.1f}" r="1.6" fill="#c00"/>'
            )
    for v in (lo, hi):
        parts.append(
            f'<text x="{_PAD - 3}" y="{ky * v + by + 3:.1f}" font-size="8" '
            f'text-anchor="end">{v:.4g}</text>'
        )
    parts.append(f'<text x="{_PAD}" y="{_H - 4}" font-size="8">0</text>')
    parts.append(
        f'<text x="{_W - 8}" y="{_H - 4}" font-size="8" text-anchor="end">{len(y) - 1}</text></svg>'
    )
    return "".join(parts)


def bars(items: Sequence[tuple[str, float]], title: str = "") -> str:
    """Horizontal bars, one per (label, value ≥ 0), longest scaled to the width."""
    height = 16.0 * len(items) + 8
    top = max((v for _, v in items), default=1.0) or 1.0
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_W:.0f} {height:.0f}" '
        f'class="chart bars" role="img"><title>{escape(title)}</title>'
    ]
    for row, (label, value) in enumerate(items):
        y = 4 + 16 * row
        width = max(value, 0.0) / top * (_W - 260)
        parts.append(
            f'<text x="150" y="{y + 10}" font-size="9" text-anchor="end">{escape(label)}</text>'
        )
        parts.append(f'<rect x="156" y="{y}" width="{width:.1f}" height="11" fill="#1d3f72"/>')
        parts.append(f'<text x="{160 + width:.1f}" y="{y + 9}" font-size="8">{value:.3g}</text>')
    parts.append("</svg>")
    return "".join(parts)
