"""The console's figures page: what its panel, its CSV and its JSON need.

The numbers come from `recap.build_figures` (the recap's own, plus the editors' and the last
hour); this module adds the moment ("now" on the event's clock, which a replayed demo runs
fast), the reader's words, and the spreadsheet's conventions.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from babel.dates import format_time
from babel.numbers import get_decimal_symbol
from flask_babel import get_locale, lazy_gettext

from ..figures import csv_rows, render_csv
from ..model import time_zone
from ..recap import build_figures
from ..recap.chart import time_chart
from ..recap.wording import (
    duration_words,
    platform_name,
    reason_label,
    safe_href,
    series_words,
    shortened,
)
from . import store
from .public import event_clock_of

REFRESH_SECONDS = 15  # how often an open figures page asks for new numbers (figures.js)


def event_now(event: dict[str, Any]) -> datetime:
    """Now on the event's clock: real time, or the replayed day's time while a replay plays."""
    return datetime.now(UTC) + timedelta(seconds=event_clock_of(event)[0])


def panel(event: dict[str, Any]) -> dict[str, Any]:
    """The figures of the day and everything the panel template needs to word them."""
    lang, tz = str(get_locale()), event["timezone"]
    day = build_figures(store(), event["slug"], now=event_now(event))
    updated = datetime.now(UTC)

    def chart(series: dict[str, Any], chart_id: str) -> str:
        words = series_words(series, tz, lang)
        return time_chart(series, chart_id=chart_id, title=words["title"], desc=words["desc"],
                          tz=tz, tick_text=words["tick"], bar_text=words["bar"])

    return {
        "day": day, "lang": lang, "tz": tz,
        "updated_at": updated.isoformat(),
        "updated_text": format_time(updated, "HH:mm:ss", tzinfo=time_zone(tz), locale=lang),
        "refresh_seconds": REFRESH_SECONDS,
        "chart": chart, "series_words": lambda s: series_words(s, tz, lang),
        "duration": lambda seconds: duration_words(seconds, lang),
        "platform_name": platform_name, "reason_label": lambda code: reason_label(code, lang),
        "safe_href": safe_href, "shortened": shortened,
        "peak": max([1, *(s["posts"] for s in day["sessions"])]),  # the sessions' bars
    }


def csv_download(event: dict[str, Any], separator: str | None) -> str:
    """The figures as a spreadsheet: ';' and a decimal comma where the reader's language
    writes decimals with a comma (Italian: what Excel expects there), ',' and a point
    otherwise; `separator` ('semicolon' or 'comma') overrides."""
    lang = str(get_locale())
    decimal = get_decimal_symbol(lang)
    if separator not in ("semicolon", "comma"):
        separator = "semicolon" if decimal == "," else "comma"
    delimiter = ";" if separator == "semicolon" else ","
    if delimiter == "," and decimal == ",":
        decimal = "."  # never the separator inside a number
    day = build_figures(store(), event["slug"], now=event_now(event))
    rows = csv_rows(day, event["timezone"], describe, platform_name)
    return render_csv(rows, delimiter=delimiter, decimal=decimal)


def describe(figure: str, measure: str) -> str:
    """A CSV row in the reader's words."""
    text = DESCRIPTIONS.get((figure, measure)) or DESCRIPTIONS.get((figure, "*"))
    if text is None and measure.startswith("posts_per_"):
        text = DESCRIPTIONS[(figure, "posts_per_bar")]
    return str(text or "")


DESCRIPTIONS = {
    ("totals", "posts"): lazy_gettext("Posts collected (deleted ones left out)"),
    ("totals", "accounts"): lazy_gettext("Different accounts that posted"),
    ("moderation", "approved"): lazy_gettext("Posts approved (by editors or rules)"),
    ("moderation", "rejected"): lazy_gettext("Posts rejected (by editors or rules)"),
    ("moderation", "pending"): lazy_gettext("Posts waiting in the queue"),
    ("moderation", "decided"): lazy_gettext("Posts approved or rejected"),
    ("moderation", "approval_rate_percent"): lazy_gettext(
        "Approved out of every 100 decided"),
    ("moderation", "median_seconds_to_decision"): lazy_gettext(
        "Median seconds from arrival to the first decision by an editor"),
    ("rules", "approved"): lazy_gettext("Posts the rules approved on arrival"),
    ("rules", "rejected"): lazy_gettext("Posts the rules rejected on arrival"),
    ("rejected_by_reason", "posts"): lazy_gettext("Posts rejected for this reason"),
    ("editors", "approved"): lazy_gettext("Approvals by this editor"),
    ("editors", "rejected"): lazy_gettext("Rejections by this editor"),
    ("editors", "first_decisions"): lazy_gettext("Posts this editor decided first"),
    ("editors", "median_seconds_to_decision"): lazy_gettext(
        "Median seconds from arrival to this editor's decision"),
    ("platforms", "posts"): lazy_gettext("Posts collected on this platform"),
    ("platforms", "likes"): lazy_gettext("Likes, summed"),
    ("platforms", "reposts"): lazy_gettext("Reposts, summed"),
    ("platforms", "replies"): lazy_gettext("Replies, summed"),
    ("platforms", "quotes"): lazy_gettext("Quotes, summed"),
    ("platforms", "engagement"): lazy_gettext("Interactions: likes, reposts, replies, quotes"),
    ("sessions", "posts"): lazy_gettext("Posts during this session or placed in it"),
    ("sessions", "outside_sessions"): lazy_gettext("Posts outside every session"),
    ("top_hashtags", "posts"): lazy_gettext("Posts with this hashtag"),
    ("top_accounts", "approved_posts"): lazy_gettext("Approved posts by this account"),
    ("most_engaged", "likes"): lazy_gettext("Likes of this post"),
    ("most_engaged", "reposts"): lazy_gettext("Reposts of this post"),
    ("most_engaged", "replies"): lazy_gettext("Replies to this post"),
    ("most_engaged", "quotes"): lazy_gettext("Quotes of this post"),
    ("most_engaged", "engagement"): lazy_gettext("Interactions with this post"),
    ("busiest_minute", "posts"): lazy_gettext("Posts in the busiest minute"),
    ("timeline", "posts_per_bar"): lazy_gettext(
        "Posts written in the interval starting at this time (local time)"),
    ("timeline", "posts_before_start"): lazy_gettext("Posts written before the start"),
    ("timeline", "posts_after_end"): lazy_gettext("Posts written after the end"),
    ("last_hour", "posts_per_bar"): lazy_gettext(
        "Posts written in this minute (local time, last hour)"),
}

