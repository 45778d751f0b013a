"""Bar charts of posts over time as inline SVG: no script, no library, nothing to load.

The words (title, description, the time on the axis) come from the caller, in its language;
a chart is an image with a title and a description for screen readers, and each page puts a
table of the same numbers beside it.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import datetime
from html import escape
from typing import Any

from ..model import time_zone

# Minutes between two labels on the time axis: the first that leaves at most MAX_TICKS.
TICKS = (5, 10, 15, 30, 60, 120, 180, 240, 360, 720, 1440, 2880, 10080)
MAX_TICKS = 8
BAR, GRID, INK = "#0b5394", "#d9d9d9", "#333333"  # bars 8.6:1 and text 12.6:1 on white



def time_chart(series: dict[str, Any], *, chart_id: str, title: str, desc: str, tz: str,
               tick_text: Callable[[str], str], bar_text: Callable[[str, int], str],
               width: int = 720, height: int = 220) -> str:
    """SVG markup for a `coverage.figures` time series ({"minutes", "bars": [[iso, n]…],
    "peak"}); '' when it has no bars. `tick_text(iso)` words a time on the axis,
    `bar_text(iso, n)` a bar's tooltip; `chart_id` makes the ids unique on the page."""
    bars = series.get("bars") or []
    if not bars:
        return ""
    left, right, top, bottom = 44, 10, 12, height - 30
    plot = width - left - right
    slot = plot / len(bars)
    gap = min(2.0, slot * 0.2)
    step, ceiling = _y_scale(max(n for _, n in bars))
    parts = []
    for value in range(0, ceiling + 1, step):  # the horizontal grid and its numbers
        y = bottom - (bottom - top) * value / ceiling
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" '
                     f'stroke="{GRID if value else INK}"/>'
                     f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{value}</text>')
    for i, (at, n) in enumerate(bars):
        if n <= 0:
            continue
        h = (bottom - top) * n / ceiling
        parts.append(f'<rect x="{left + i * slot + gap / 2:.1f}" y="{bottom - h:.1f}" '
                     f'width="{slot - gap:.1f}" height="{h:.1f}" fill="{BAR}">'
                     f"<title>{escape(bar_text(at, n))}</title></rect>")
    for i in _ticks(bars, series["minutes"], tz):
        x = left + i * slot
        parts.append(f'<line x1="{x:.1f}" y1="{bottom}" x2="{x:.1f}" y2="{bottom + 5}" '
                     f'stroke="{INK}"/><text x="{x:.1f}" y="{bottom + 18}" '
                     f'text-anchor="middle">{escape(tick_text(bars[i][0]))}</text>')
    return (f'<svg class="piazza-chart" role="img" viewBox="0 0 {width} {height}" '
            f'width="100%" aria-labelledby="{chart_id}-title {chart_id}-desc" '
            f'font-size="12" fill="{INK}" xmlns="http://www.w3.org/2000/svg">'
            f'<title id="{chart_id}-title">{escape(title)}</title>'
            f'<desc id="{chart_id}-desc">{escape(desc)}</desc>' + "".join(parts) + "</svg>")


def _y_scale(peak: int) -> tuple[int, int]:
    """(step, top) of the vertical axis: round steps (1, 2, 5, 10, 20…), at most five lines."""
    peak = max(peak, 1)
    step = 1
    for power in range(0, 12):
        for base in (1, 2, 5):
            step = base * 10 ** power
            if peak / step <= 4:
                return step, step * math.ceil(peak / step)
    return step, step * math.ceil(peak / step)


def _ticks(bars: list[list[Any]], minutes: int, tz: str) -> list[int]:
    """The bars whose start gets a label: those at round local times (every hour, every ten
    minutes…), spaced so that at most MAX_TICKS fit."""
    span = len(bars) * minutes
    every = next((t for t in TICKS if t % minutes == 0 and span / t <= MAX_TICKS),
                 minutes * math.ceil(len(bars) / MAX_TICKS))
    zone = time_zone(tz)
    out = []
    for i, (at, _) in enumerate(bars):
        local = datetime.fromisoformat(at.replace("Z", "+00:00")).astimezone(zone)
        into = local.hour * 60 + local.minute
        if every < 1440 and into % every == 0:
            out.append(i)
        elif every >= 1440 and into == 0 and local.toordinal() % (every // 1440) == 0:
            out.append(i)
    return out or [0]



