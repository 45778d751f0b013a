"""A small bar chart of posts per quarter-hour, as inline SVG: no script, no library."""

from __future__ import annotations

from html import escape
from typing import Any

from ..i18n import LANGUAGES, translations


def posts_chart(per_quarter_hour: list[list[Any]], label: str, time_of: Any,
                width: int = 640, height: int = 160, lang: str = "it") -> str:
    """SVG markup with a title and description for screen readers; '' when there is no data.

    `time_of` turns a "YYYY-MM-DDTHH:MM" key into the local time shown on the axis.
    """
    if not per_quarter_hour:
        return ""
    peak = max(n for _, n in per_quarter_hour) or 1
    bars, gap = len(per_quarter_hour), 2
    bar_width = max((width - 40) / bars - gap, 1)
    top, bottom = 12, height - 24
    parts = []
    for i, (key, n) in enumerate(per_quarter_hour):
        bar_height = (bottom - top) * n / peak
        x = 30 + i * (bar_width + gap)
        parts.append(
            f'<rect x="{x:.1f}" y="{bottom - bar_height:.1f}" width="{bar_width:.1f}" '
            f'height="{bar_height:.1f}" fill="#0b5394"><title>{escape(time_of(key))}: {n}'
            "</title></rect>")
    # Axis labels at the first, middle and last bars.
    for i in sorted({0, bars // 2, bars - 1}):
        x = 30 + i * (bar_width + gap) + bar_width / 2
        parts.append(f'<text x="{x:.1f}" y="{height - 6}" font-size="11" text-anchor="middle" '
                     f'fill="#333">{escape(time_of(per_quarter_hour[i][0]))}</text>')
    parts.append(f'<text x="2" y="{top + 4}" font-size="11" fill="#333">{peak}</text>')
    total = sum(n for _, n in per_quarter_hour)
    first, last = escape(time_of(per_quarter_hour[0][0])), escape(time_of(per_quarter_hour[-1][0]))
    desc = translations(lang if lang in LANGUAGES else "it").ngettext(
        "%(label)s: %(num)s post from %(first)s to %(last)s, at most %(peak)s in a "
        "quarter-hour.",
        "%(label)s: %(num)s posts from %(first)s to %(last)s, at most %(peak)s in a "
        "quarter-hour.", total) % {"label": escape(label), "num": total, "first": first,
                                   "last": last, "peak": peak}
    return (f'<svg class="piazza-chart" role="img" viewBox="0 0 {width} {height}" '
            f'width="100%" aria-labelledby="chart-title chart-desc" '
            f'xmlns="http://www.w3.org/2000/svg"><title id="chart-title">{escape(label)}</title>'
            f'<desc id="chart-desc">{desc}</desc>'
            f'<line x1="28" y1="{bottom}" x2="{width}" y2="{bottom}" stroke="#767676"/>'
            + "".join(parts) + "</svg>")
