"""The figures of the day: plain numbers from the plain rows `Store.figure_data` reads.

One source of truth: the console's figures page, its CSV and the recap's "figures of the day"
all come from `figures()`; the recap publishes `public_figures()` of it (no editor's name, no
live-only chart). No Flask, no SQL: rows in, numbers out, so tests can feed rows they wrote.

Times are ISO-8601 UTC; the time axis is cut in the event's time zone (a bar starts at 10:15
local time, not at 09:15 UTC) and shown there by the templates.
"""

from __future__ import annotations

import csv
import io
import math
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from .curation import RULES_ACTOR
from .model import parse_time, time_zone

METRICS = ("likes", "reposts", "replies", "quotes")
TOP = 10  # hashtags and accounts listed
ENGAGED = 5  # most engaged posts listed
# Bar widths a time axis may use, in minutes (each divides a day, so bars start at round
# local times), and how many bars make a readable chart.
WIDTHS = (1, 2, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440)
MAX_BARS = 60
LIVE_MARGIN = timedelta(hours=1)  # the "last hour" chart shows from an hour before the start


def figures(data: dict[str, Any], event: dict[str, Any], now: datetime | None = None,
            removed: Iterable[int] = ()) -> dict[str, Any]:
    """The day in numbers from `Store.figure_data` rows.

    `now` (aware) adds the last hour, per minute, while the event runs (from an hour before
    its start to an hour after its end); `removed` are posts the lead took out of the recap,
    never quoted among the most engaged.
    """
    removed = set(removed)
    minutes = _minutes(data["minutes"])
    states = _states(data["states"])
    platforms = sorted(data["platforms"], key=lambda r: (-r["posts"], r["platform"]))
    editors, rules, overall = _editors(data["editors"], data["waits"])
    tags: Counter[str] = Counter()
    for row in data["hashtags"]:
        tags[row["tag"].lower()] += row["posts"]
    busiest = max(minutes.items(), key=lambda kv: (kv[1], -kv[0].timestamp()), default=None)
    decided = states["approved"] + states["rejected"]
    return {
        "posts": sum(r["posts"] for r in data["platforms"]),
        "accounts": data["accounts"],
        "platforms": {r["platform"]: r["posts"] for r in platforms},
        "engagement": {
            "platforms": [{"platform": r["platform"], "posts": r["posts"],
                           **{k: r[k] for k in METRICS},
                           "engagement": sum(r[k] for k in METRICS)} for r in platforms],
            **{k: sum(r[k] for r in platforms) for k in METRICS},
            "engagement": sum(r[k] for r in platforms for k in METRICS),
        },
        **_sessions(data["placed"], data["unplaced"], event["sessions"]),
        "busiest_minute": {"at": _iso(busiest[0]), "posts": busiest[1]} if busiest else None,
        "timeline": timeline(minutes, event),
        "last_hour": last_hour(minutes, event, now) if now is not None else None,
        "top_hashtags": [[tag, n] for tag, n in sorted(tags.items(),
                                                        key=lambda kv: (-kv[1], kv[0]))[:TOP]],
        "top_accounts": [{"platform": r["platform"], "handle": r["handle"],
                          "posts": r["approved"]} for r in data["top_accounts"][:TOP]],
        "most_engaged": [{
            "id": r["id"], "platform": r["platform"], "handle": r["author_handle"],
            "author": r["author_name"] or r["author_handle"], "url": r["url"],
            "text": r["text"], "engagement": r["engagement"],
            **{k: _count(r["metrics"].get(k)) for k in METRICS}}
            for r in data["engaged"] if r["id"] not in removed][:ENGAGED],
        "moderation": {
            "approved": states["approved"], "rejected": states["rejected"],
            "pending": states["pending"], "decided": decided,
            "approval_rate": states["approved"] / decided if decided else None,
            "rejected_by_reason": dict(sorted(states["reasons"].items(),
                                              key=lambda kv: (-kv[1], kv[0]))),
            "median_seconds_to_decision": overall,
            "by_rules": rules,
        },
        "editors": editors,
    }


def public_figures(day: dict[str, Any]) -> dict[str, Any]:
    """What a published recap may say: no editor's name or pace, no live-only chart."""
    return {k: v for k, v in day.items() if k not in ("editors", "last_hour")}


# -- time ------------------------------------------------------------------------------------
def timeline(minutes: dict[datetime, int], event: dict[str, Any]) -> dict[str, Any] | None:
    """Posts over the event's day: the planned start to end when the event has them (posts
    outside go to `before` and `after`), else the first to the last post; bars as wide as
    keeps them at most MAX_BARS (see `bar_width`). None when there is nothing to show."""
    start, end = _event_window(event)
    if start is None or end is None:
        if not minutes:
            return None
        start, end = min(minutes), max(minutes) + timedelta(minutes=1)
    width = bar_width((end - start).total_seconds() / 60)
    return _bars(minutes, start, end, width, event.get("timezone") or "UTC")


def last_hour(minutes: dict[datetime, int], event: dict[str, Any],
              now: datetime) -> dict[str, Any] | None:
    """The sixty minutes up to `now`, one bar a minute; None when the event is not running
    (more than an hour before its start or after its end; without planned times, more than an
    hour after its last post)."""
    start, end = _event_window(event)
    if start is not None and end is not None:
        if not start - LIVE_MARGIN <= now <= end + LIVE_MARGIN:
            return None
    elif not minutes or now - max(minutes) > LIVE_MARGIN:
        return None
    until = now.astimezone(UTC).replace(second=0, microsecond=0) + timedelta(minutes=1)
    hour = _bars(minutes, until - timedelta(hours=1), until, 1, event.get("timezone") or "UTC")
    return {**hour, "before": 0, "after": 0}  # the rest of the day is the other chart's


def bar_width(span_minutes: float) -> int:
    """The narrowest bar (minutes) that shows `span_minutes` in at most MAX_BARS bars: per
    minute for an hour, 5 minutes up to 5 hours, 15 minutes for a working day (9 hours: 36
    bars), 30 minutes for a whole day, then hours, then days."""
    for width in WIDTHS:
        if span_minutes <= width * MAX_BARS:
            return width
    return 1440 * math.ceil(span_minutes / (1440 * MAX_BARS))


def _bars(minutes: dict[datetime, int], start: datetime, end: datetime, width: int,
          tz: str) -> dict[str, Any]:
    first = _round_down(start, width, time_zone(tz))
    count = max(math.ceil((end - first).total_seconds() / 60 / width), 1)
    bars = [0] * count
    before = after = 0
    for minute, n in minutes.items():
        index = int((minute - first).total_seconds() // 60) // width
        if index < 0:
            before += n
        elif index >= count:
            after += n
        else:
            bars[index] += n
    step = timedelta(minutes=width)
    return {"minutes": width, "start": _iso(first), "end": _iso(first + step * count),
            "bars": [[_iso(first + step * i), n] for i, n in enumerate(bars)],
            "posts": sum(bars), "peak": max(bars), "before": before, "after": after}


def _round_down(moment: datetime, width: int, zone: ZoneInfo) -> datetime:
    """The start of the bar holding `moment`: a multiple of `width` minutes after local
    midnight (widths divide a day), or of whole days."""
    local = moment.astimezone(zone)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    if width >= 1440:
        return midnight.astimezone(UTC)
    into = local.hour * 60 + local.minute
    return (midnight + timedelta(minutes=into - into % width)).astimezone(UTC)


def _event_window(event: dict[str, Any]) -> tuple[datetime | None, datetime | None]:
    try:
        start = parse_time(event["starts_at"]) if event.get("starts_at") else None
        end = parse_time(event["ends_at"]) if event.get("ends_at") else None
    except ValueError:
        return None, None
    if start is not None and end is not None and end <= start:
        return None, None
    return start, end


def _minutes(rows: list[dict[str, Any]]) -> dict[datetime, int]:
    """Posts per minute, by aware UTC datetimes."""
    out: dict[datetime, int] = {}
    for row in rows:
        minute = _minute(row["minute"])
        if minute is not None:
            out[minute] = out.get(minute, 0) + row["posts"]
    return out


def _minute(key: str) -> datetime | None:
    try:
        return datetime.fromisoformat(key[:16]).replace(tzinfo=UTC)
    except ValueError:
        return None


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:00Z")



# -- the programme ---------------------------------------------------------------------------
def _sessions(placed: list[dict[str, Any]], unplaced: list[dict[str, Any]],
              sessions: list[dict[str, Any]]) -> dict[str, Any]:
    """Posts per session in programme order: the session an editor placed a post in
    (`placed`: posts per session id), else the one running when it was written, to the minute
    (`unplaced`: posts per minute); the rest are outside the programme."""
    spans = []  # (session, first minute, first minute after), as "YYYY-MM-DDTHH:MM" in UTC
    for session in sessions:
        try:
            spans.append((session, _key(session["starts_at"]), _key(session["ends_at"])))
        except (KeyError, ValueError):
            continue
    by_id = {session["id"]: session for session, _, _ in spans}
    counts: Counter[int] = Counter()
    outside = 0
    for row in placed:
        if row["session_id"] in by_id:
            counts[row["session_id"]] += row["posts"]
        else:  # a session no longer in the programme
            outside += row["posts"]
    for row in unplaced:
        minute = row["minute"][:16]
        session = next((s for s, start, end in spans if start <= minute < end), None)
        if session is None:
            outside += row["posts"]
        else:
            counts[session["id"]] += row["posts"]
    return {"sessions": [{"id": s["id"], "title": s["title"], "starts_at": s["starts_at"],
                          "ends_at": s["ends_at"], "posts": counts[s["id"]]}
                         for s, _, _ in spans],
            "outside_sessions": outside}


def _key(iso: str) -> str:
    return parse_time(iso).strftime("%Y-%m-%dT%H:%M")


# -- moderation ------------------------------------------------------------------------------
def _states(rows: list[dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {"pending": 0, "approved": 0, "rejected": 0, "reasons": Counter()}
    for row in rows:
        if row["state"] in ("pending", "approved", "rejected"):
            out[row["state"]] += row["posts"]
        if row["state"] == "rejected":
            out["reasons"][row["reason"] or "other"] += row["posts"]
    return out


def _editors(decisions: list[dict[str, Any]], waits: list[dict[str, Any]]
             ) -> tuple[list[dict[str, Any]], dict[str, Any], float | None]:
    """Per editor: approvals, rejections, the posts they decided first and the median time
    those posts waited; the rules' share apart; the median over every editor's first
    decisions (rules left out: they decide on arrival)."""
    histograms: dict[str, Counter[int]] = {}
    for row in waits:
        histograms.setdefault(row["actor"], Counter())[row["seconds"]] += row["posts"]
    counts = {row["actor"]: row for row in decisions}
    editors = []
    for actor in (set(counts) | set(histograms)) - {RULES_ACTOR}:
        row = counts.get(actor, {"approved": 0, "rejected": 0})
        histogram = histograms.get(actor, Counter())
        editors.append({"name": actor, "approved": row["approved"],
                        "rejected": row["rejected"],
                        "decisions": row["approved"] + row["rejected"],
                        "first_decisions": sum(histogram.values()),
                        "median_seconds": median(histogram)})
    editors.sort(key=lambda e: (-e["decisions"], e["name"].lower()))
    rule_row = counts.get(RULES_ACTOR, {"approved": 0, "rejected": 0})
    rules = {"approved": rule_row["approved"], "rejected": rule_row["rejected"],
             "decisions": rule_row["approved"] + rule_row["rejected"]}
    people: Counter[int] = Counter()
    for actor, histogram in histograms.items():
        if actor != RULES_ACTOR:
            people.update(histogram)
    return editors, rules, median(people)


def median(histogram: Counter[int] | dict[int, int]) -> float | None:
    """The median of values given as {value: how many times}: the middle one, or the mean of
    the two middle ones when there is an even number of them. None when empty."""
    total = sum(histogram.values())
    if total <= 0:
        return None
    wanted = [(total - 1) // 2, total // 2]  # 0-based positions of the middle value(s)
    found: list[int] = []
    seen = 0
    for value in sorted(histogram):
        seen += histogram[value]
        while wanted and wanted[0] < seen:
            found.append(value)
            wanted.pop(0)
        if not wanted:
            break
    return sum(found) / 2


def _count(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


# -- the CSV ---------------------------------------------------------------------------------
# Each row is one number: figure, item (what it is about), measure, value, and a description
# in the reader's words. Keys stay in English, whatever the language, for scripts and pivots.
CSV_FIELDS = ("figure", "item", "measure", "value", "description")


def csv_rows(day: dict[str, Any], tz: str, describe: Callable[[str, str], str],
             platform_name: Callable[[str], str] = str) -> Iterator[tuple[str, str, str, Any]]:
    """The figures in long ("tidy") form: (figure, item, measure, value, description).

    `describe(figure, measure)` words a row for people; times are local ("2026-11-19 10:15",
    the bar's start in the event's time zone); seconds are whole seconds.
    """
    zone = time_zone(tz)

    def local(iso: str) -> str:
        return parse_time(iso).astimezone(zone).strftime("%Y-%m-%d %H:%M")

    def row(figure: str, item: str, measure: str, value: Any):
        return (figure, item, measure, value, describe(figure, measure))

    moderation = day["moderation"]
    yield row("totals", "", "posts", day["posts"])
    yield row("totals", "", "accounts", day["accounts"])
    for key in ("approved", "rejected", "pending", "decided"):
        yield row("moderation", "", key, moderation[key])
    if moderation["approval_rate"] is not None:
        yield row("moderation", "", "approval_rate_percent",
                  round(moderation["approval_rate"] * 100, 1))
    if moderation["median_seconds_to_decision"] is not None:
        yield row("moderation", "", "median_seconds_to_decision",
                  moderation["median_seconds_to_decision"])
    for key in ("approved", "rejected"):
        yield row("rules", "", key, moderation["by_rules"][key])
    for reason, n in moderation["rejected_by_reason"].items():
        yield row("rejected_by_reason", reason, "posts", n)
    for editor in day.get("editors") or []:
        for key in ("approved", "rejected", "first_decisions"):
            yield row("editors", editor["name"], key, editor[key])
        if editor["median_seconds"] is not None:
            yield row("editors", editor["name"], "median_seconds_to_decision",
                      editor["median_seconds"])
    for platform in day["engagement"]["platforms"]:
        name = platform_name(platform["platform"])
        for key in ("posts", *METRICS, "engagement"):
            yield row("platforms", name, key, platform[key])
    for session in day["sessions"]:
        yield row("sessions", session["title"], "posts", session["posts"])
    yield row("sessions", "", "outside_sessions", day["outside_sessions"])
    for tag, n in day["top_hashtags"]:
        yield row("top_hashtags", f"#{tag}", "posts", n)
    for account in day["top_accounts"]:
        yield row("top_accounts", f"{account['handle']} ({platform_name(account['platform'])})",
                  "approved_posts", account["posts"])
    for post in day["most_engaged"]:
        for key in (*METRICS, "engagement"):
            yield row("most_engaged", post["url"] or f"#{post['id']}", key, post[key])
    if day.get("busiest_minute"):
        yield row("busiest_minute", local(day["busiest_minute"]["at"]), "posts",
                  day["busiest_minute"]["posts"])
    for name in ("timeline", "last_hour"):
        series = day.get(name)
        if series:
            for at, n in series["bars"]:
                yield row(name, local(at), f"posts_per_{series['minutes']}_minutes", n)
            if name == "timeline":
                yield row(name, "", "posts_before_start", series["before"])
                yield row(name, "", "posts_after_end", series["after"])


def render_csv(rows: Iterable[tuple[str, str, str, Any, str]], delimiter: str = ",",
               decimal: str = ".", header: Iterable[str] = CSV_FIELDS) -> str:
    """The rows as CSV text for spreadsheets: a byte-order mark so Excel reads UTF-8 (accents
    intact), `decimal` as the decimal separator (',' with ';' between fields, as Excel and
    LibreOffice expect in Italy), cells that a spreadsheet would run as a formula made text."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_number(v, decimal) if isinstance(v, float) else _text(v)
                         for v in row])
    return out.getvalue()


def _number(value: float, decimal: str) -> str:
    text = f"{value:.1f}".rstrip("0").rstrip(".") if value != int(value) else str(int(value))
    return text.replace(".", decimal)


def _text(value: Any) -> Any:
    # Spreadsheets run cells that start with these as formulas: keep them as text.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value
