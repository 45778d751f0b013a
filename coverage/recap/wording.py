"""The recap's words in the event's language: labels, dates, and the figures as sentences.

Every format (HTML, Markdown, WordPress) says the same things; they take their words from here
so that a label fixed in one language is fixed everywhere. The words come from the catalog
(English msgids, Italian in translations/it) through `coverage.i18n.translations`, which needs no
Flask context: `flask export` and the benchmarks render the same recap as the app. Labels are
looked up once per language, not once per post, and dates once per minute: gettext and Babel
would otherwise be the slowest steps of a 10,000-post recap.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from babel.dates import format_date, format_timedelta
from babel.numbers import format_decimal
from babel.support import NullTranslations

from ..curation import REASONS, SYSTEM_REASONS
from ..i18n import LANGUAGES, translations
from ..model import parse_time, time_zone
from ..sanitize import is_http_url
from ..views.format import local_datetime

PLATFORM_NAMES = {"mastodon": "Mastodon", "bluesky": "Bluesky", "x": "X", "rss": "RSS",
                  "threads": "Threads", "youtube": "YouTube"}


def language(lang: str) -> str:
    """The recap's language: the event's, Italian for anything Piazza does not speak."""
    return lang if lang in LANGUAGES else "it"


def catalog(lang: str) -> NullTranslations:
    """The event language's catalog (English, the msgids, has none of its own)."""
    return translations(language(lang))


@lru_cache(maxsize=8)
def labels(lang: str) -> dict[str, str]:
    """The labels a recap repeats (per post, per format) in one language, looked up once."""
    _ = catalog(lang).gettext
    return {
        "day": _("During the day"),
        "no_posts": _("No approved posts yet."),
        "figures": _("The day in numbers"),
        "by_platform": _("By platform"),
        "top_hashtags": _("Top hashtags"),
        "top_accounts": _("Most active accounts"),
        "per_session": _("Posts per session"),
        "engaged": _("Most engaged posts"),
        "image": _("Image"),
        "no_alt": _("no description"),
        "image_no_alt": _("Image without a description"),
        "warning": _("Content warning"),
        "reposted_by": _("reposted by"),
        "quoting": _("quoting"),
        "another_post": _("a post"),
        "sensitive": _("Sensitive content: show the image"),
        # With placeholders: filled with `%` by the caller.
        "reply_to": _("Replying to %(who)s"),
        "with": _("With %(speakers)s"),
        "show_original": _("Show the original post on %(platform)s"),
        "loads_from": _("loads from %(host)s"),
    }


def safe_href(url: str | None) -> str:
    """A link target only when it is http(s), or a path on the same site (the bundled demo's
    /static/…); '' for anything else (javascript:, data:, //host, …): such a link is not made."""
    url = (url or "").strip()
    if is_http_url(url):
        return url
    if url.startswith("/") and not url.startswith("//") and url.isprintable() \
            and "\\" not in url:
        return url
    return ""


def platform_name(platform: str) -> str:
    """The platform as people write it."""
    return PLATFORM_NAMES.get(platform, platform)


def reason_label(code: str, lang: str) -> str:
    """A rejection reason in words, in the event's language (the catalog's)."""
    label = REASONS.get(code) or SYSTEM_REASONS.get(code)
    return catalog(lang).gettext(label) if label else code


_MINUTE = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d")


def when(value: str | None, tz: str, lang: str, style: str = "both") -> str:
    """An ISO UTC time as people read it ('19 novembre 2026, 10:31'), cached per minute."""
    if not value:
        return ""
    # Shown to the minute, so every post of the same minute shares one Babel call.
    key = value[:16] + ":00Z" if _MINUTE.match(value) and value.endswith("Z") else value
    return _when(key, tz, language(lang), style)


@lru_cache(maxsize=65_536)
def _when(value: str, tz: str, lang: str, style: str) -> str:
    return local_datetime(value, tz, lang, style)


def local_moment(value: str, tz: str) -> datetime:
    """An ISO UTC time in the event's time zone (UTC when the zone is unknown)."""
    return parse_time(value).astimezone(time_zone(tz))


def number(value: Any, lang: str) -> str:
    """A count with the language's digit grouping (1.234 / 1,234)."""
    return format_decimal(value or 0, locale=language(lang))


def duration(seconds: float, lang: str) -> str:
    """A duration in words ('2 minuti')."""
    return format_timedelta(timedelta(seconds=seconds), threshold=1.1, locale=language(lang))


_PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def sentence(template: str, strong: tuple[str, ...] = (), **values: Any) -> list[tuple]:
    """A translated sentence as parts (see below): the placeholders named in `strong` become
    ("strong", value), the rest of it text. '%(num)s posts collected' with strong=("num",)
    gives [("strong", "1.234"), ("text", " post raccolti")] in Italian."""
    parts: list[tuple] = []
    for index, piece in enumerate(_PLACEHOLDER.split(template)):
        if index % 2 == 0:
            text = piece
        elif piece in strong:
            parts.append(("strong", str(values[piece])))
            continue
        else:
            text = str(values[piece])
        if not text:
            continue
        if parts and parts[-1][0] == "text":
            parts[-1] = ("text", parts[-1][1] + text)
        else:
            parts.append(("text", text))
    return parts


# -- the figures as sentences --------------------------------------------------------------
# A block is {"kind": "list" | "olist" | "heading" | "chart", ...}; a list item is a list of
# parts: ("text", s), ("strong", s) or ("link", s, url[, anchor]). Each format renders parts its
# way; the HTML page links to the anchor (the post on the page) when the post is there.

def figure_blocks(recap: dict[str, Any]) -> list[dict[str, Any]]:
    """The figures of the day as headings and lists of sentence parts, in the event's language."""
    figures, event = recap["figures"], recap["event"]
    lang, tz = event["language"], event["timezone"]
    w, ngettext = labels(lang), catalog(lang).ngettext
    posts, accounts = figures["posts"], figures["accounts"]
    main: list[list[tuple]] = [
        sentence(ngettext("%(num)s post collected", "%(num)s posts collected", posts),
                 ("num",), num=number(posts, lang))
        + sentence(ngettext(", from %(num)s account", ", from %(num)s different accounts",
                            accounts), ("num",), num=number(accounts, lang))]
    if figures["platforms"]:
        main.append([("text", f"{w['by_platform']}: " + ", ".join(
            f"{platform_name(p)} {number(n, lang)}" for p, n in figures["platforms"].items()))])
    if figures.get("busiest_minute"):
        busiest = figures["busiest_minute"]
        main.append(sentence(
            ngettext("Busiest minute: %(time)s (%(num)s post)",
                     "Busiest minute: %(time)s (%(num)s posts)", busiest["posts"]),
            ("time",), time=when(busiest["at"], tz, lang, "time"),
            num=number(busiest["posts"], lang)))
    if figures.get("top_hashtags"):
        main.append([("text", f"{w['top_hashtags']}: " + ", ".join(
            f"#{tag} ({number(n, lang)})" for tag, n in figures["top_hashtags"][:5]))])
    if figures.get("top_accounts"):
        main.append([("text", f"{w['top_accounts']}: " + ", ".join(
            f"{a['handle']} ({number(a['posts'], lang)})"
            for a in figures["top_accounts"][:5]))])
    moderation = figures.get("moderation") or {}
    if moderation:
        approved, rejected = moderation["approved"], moderation["rejected"]
        words = catalog(lang).gettext("Moderation: %(approved)s, %(rejected)s") % {
            "approved": ngettext("%(num)s approved", "%(num)s approved", approved)
            % {"num": number(approved, lang)},
            "rejected": ngettext("%(num)s rejected", "%(num)s rejected", rejected)
            % {"num": number(rejected, lang)}}
        if moderation.get("rejected_by_reason"):
            words += " (" + ", ".join(
                f"{reason_label(code, lang)}: {number(n, lang)}"
                for code, n in moderation["rejected_by_reason"].items()) + ")"
        if (moderation.get("median_seconds_to_decision") or 0) >= 1:
            words += catalog(lang).gettext("; median time to decide: %(duration)s") % {
                "duration": duration(moderation["median_seconds_to_decision"], lang)}
        main.append([("text", words)])
    blocks: list[dict[str, Any]] = [{"kind": "list", "items": main}]
    sessions = [s for s in figures.get("sessions") or [] if s["posts"]]
    if sessions:
        blocks.append({"kind": "heading", "text": w["per_session"]})
        blocks.append({"kind": "list", "items": [
            [("text", f"{s['title']}: {number(s['posts'], lang)}")] for s in sessions]})
    if (figures.get("timeline") or {}).get("posts"):
        blocks.append({"kind": "chart", "label": series_words(figures["timeline"], tz,
                                                              lang)["title"]})
    if figures.get("most_engaged"):
        blocks.append({"kind": "heading", "text": w["engaged"]})
        blocks.append({"kind": "olist", "items": [
            [("link", p["author"], p["url"], f"post-{p['id']}"),
             ("text", ": " + ngettext("«%(text)s» (%(num)s interaction)",
                                      "«%(text)s» (%(num)s interactions)", p["engagement"])
              % {"text": shortened(p["text"]), "num": number(p["engagement"], lang)})]
            for p in figures["most_engaged"]]})
    return blocks


def session_lines(session: dict[str, Any], tz: str, lang: str) -> list[str]:
    """['09:30–10:00 · Sala Grande', 'Con Anna Verdi (ANSD), Luca Neri']: when and where, then
    who speaks (when the programme names them)."""
    where = [f"{when(session['starts_at'], tz, lang, 'time')}–"
             f"{when(session['ends_at'], tz, lang, 'time')}"]
    if session.get("room"):
        where.append(session["room"])
    lines = [" · ".join(where)]
    speakers = ", ".join(s["name"] + (f" ({s['role']})" if s.get("role") else "")
                         for s in session.get("speakers") or [] if s.get("name"))
    if speakers:
        lines.append(labels(lang)["with"] % {"speakers": speakers})
    return lines


def reply_line(post: dict[str, Any], lang: str) -> tuple[str, str] | None:
    """('In risposta a Anna Verdi', url) for a reply, so it does not read out of context."""
    reply = post.get("reply_to")
    if not reply:
        return None
    author = reply.get("author") or {}
    w = labels(lang)
    who = author.get("name") or author.get("handle") or w["another_post"]
    return w["reply_to"] % {"who": who}, reply.get("url") or ""


def shortened(text: str, limit: int = 140) -> str:
    """A quote cut at a word, with an ellipsis, when it had to be cut."""
    text = " ".join(text.split())
    if len(text) < limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(" ,;:.") + "…"


def paragraphs(text: str) -> list[str]:
    """The editor's plain words as paragraphs (a blank line starts a new one)."""
    return [b.strip() for b in (text or "").replace("\r\n", "\n").split("\n\n") if b.strip()]


def description(recap: dict[str, Any], limit: int = 160) -> str:
    """One line for search results and feeds: the intro's first paragraph, cut at a word."""
    first = next(iter(paragraphs(recap.get("intro") or "")), "") or recap["event"]["name"]
    first = " ".join(first.split())
    if len(first) <= limit:
        return first
    return first[:limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:.") + "…"


# -- charts of posts over time (the recap's and the console's) ------------------------------
def series_words(series: dict[str, Any], tz: str, lang: str) -> dict[str, Any]:
    """The words of a chart of posts over time and of its table, in `lang`: title,
    description (for screen readers), what the chart leaves out, the table's headings, and
    `tick(iso)` / `bar(iso, n)` / `span(iso)` for the axis, a bar's tooltip and a table row."""
    t = catalog(lang)
    minutes, bars = series["minutes"], series["bars"]
    style = "date" if minutes >= 1440 else "both" if _days(bars, tz) > 1 else "time"

    def moment(iso: str) -> str:
        if style == "date":
            return format_date(local_moment(iso, tz).date(), "d MMM", locale=lang)
        return when(iso, tz, lang, style)

    def span(iso: str) -> str:
        if minutes == 1:
            return moment(iso)
        end = parse_time(iso) + timedelta(minutes=minutes)
        return f"{moment(iso)}–{when(format_time_z(end), tz, lang, 'time')}" \
            if minutes < 1440 else moment(iso)

    def bar(iso: str, n: int) -> str:
        return t.ngettext("%(when)s: %(num)s post", "%(when)s: %(num)s posts", n) % {
            "when": span(iso), "num": number(n, lang)}

    peak_at = next((at for at, n in bars if n == series["peak"]), bars[0][0]) if bars else ""
    every = width_words(minutes, lang)
    title = {1: t.gettext("Posts per minute"), 60: t.gettext("Posts per hour"),
             1440: t.gettext("Posts per day")}.get(minutes) \
        or t.gettext("Posts every %(width)s") % {"width": every}
    values = {"num": number(series["posts"], lang), "start": moment(series["start"]),
              "end": moment(series["end"])}
    if style == "date":
        desc = t.ngettext("%(num)s post between %(start)s and %(end)s.",
                          "%(num)s posts between %(start)s and %(end)s.", series["posts"])
    else:
        desc = t.ngettext("%(num)s post from %(start)s to %(end)s.",
                          "%(num)s posts from %(start)s to %(end)s.", series["posts"])
    desc = desc % values + " " + ({1: t.gettext("One bar a minute."),
                                   60: t.gettext("One bar an hour."),
                                   1440: t.gettext("One bar a day.")}.get(minutes)
                                  or t.gettext("One bar every %(width)s.") % {"width": every})
    if series["posts"]:
        desc += " " + t.ngettext("The busiest: %(when)s, %(num)s post.",
                                 "The busiest: %(when)s, %(num)s posts.", series["peak"]) % {
            "when": span(peak_at), "num": number(series["peak"], lang)}
    outside = []
    if series.get("before"):
        outside.append(t.ngettext("%(num)s post before the start", "%(num)s posts before the start",
                                  series["before"]) % {"num": number(series["before"], lang)})
    if series.get("after"):
        outside.append(t.ngettext("%(num)s post after the end", "%(num)s posts after the end",
                                  series["after"]) % {"num": number(series["after"], lang)})
    return {"title": title, "desc": desc, "every": every,
            "outside": t.gettext("Not in the chart: %(what)s.") % {
                "what": ", ".join(outside)} if outside else "",
            "time": t.gettext("Time"), "posts": t.gettext("Posts"),
            "table": t.gettext("The chart's numbers"),
            "tick": moment, "bar": bar, "span": span}


def width_words(minutes: int, lang: str) -> str:
    """'15 minuti', '1 hour', '2 days': how wide a bar is, in the language's own unit names."""
    return format_timedelta(timedelta(minutes=minutes), threshold=1, locale=language(lang))


def format_time_z(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _days(bars: list[list[Any]], tz: str) -> int:
    if not bars:
        return 0
    return len({local_moment(bars[0][0], tz).date(), local_moment(bars[-1][0], tz).date()})


def duration_words(seconds: float | None, lang: str) -> str:
    """A wait as '45 s', '1 min 35 s' or '2 h 05 min' (to the second, so two editors' paces
    can be told apart); '' when there is none."""
    if seconds is None:
        return ""
    t = catalog(lang)
    whole = int(seconds + 0.5)
    if whole < 60:
        return t.gettext("%(seconds)s s") % {"seconds": whole}
    if whole < 3600:
        return t.gettext("%(minutes)s min %(seconds)s s") % {
            "minutes": whole // 60, "seconds": f"{whole % 60:02d}"}
    return t.gettext("%(hours)s h %(minutes)s min") % {
        "hours": whole // 3600, "minutes": f"{whole % 3600 // 60:02d}"}
