"""The recap's words in Italian and English: labels, dates, and the figures as sentences.

Every format (HTML, Markdown, WordPress) says the same things; they take their words from here
so that a label fixed in one language is fixed everywhere. Dates are formatted once per minute,
not once per post: Babel is the slowest step of a 10,000-post recap otherwise.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.dates import format_timedelta
from babel.numbers import format_decimal

from ..curation import REASONS, SYSTEM_REASONS
from ..model import parse_time
from ..sanitize import is_http_url
from ..views.format import local_datetime

LABELS: dict[str, dict[str, str]] = {
    "it": {
        "day": "Durante la giornata",
        "no_posts": "Nessun post approvato, per ora.",
        "figures": "La giornata in numeri",
        "collected": "post raccolti",
        "from": "da",
        "accounts": "account diversi",
        "by_platform": "Per piattaforma",
        "busiest": "Minuto più intenso",
        "top_hashtags": "Hashtag più usati",
        "top_accounts": "Account più attivi",
        "moderation": "Moderazione",
        "approved": "approvati",
        "rejected": "rifiutati",
        "median": "tempo mediano per decidere",
        "per_session": "Post per sessione",
        "per_quarter": "Post ogni quarto d'ora",
        "engaged": "I post con più interazioni",
        "interactions": "interazioni",
        "image": "Immagine",
        "no_alt": "senza descrizione",
        "image_no_alt": "Immagine senza descrizione",
        "warning": "Avviso",
        "reposted_by": "condiviso da",
        "quoting": "cita",
        "reply_to": "In risposta a",
        "another_post": "un post",
        "with": "Con",
        "show_original": "Mostra il post originale su {platform}",
        "loads_from": "si carica da {host}",
        "native_note": "Il post originale si carica da {host}: la piattaforma riceverà "
                       "i dati della tua visita.",
        "sensitive": "Contenuto sensibile: mostra l'immagine",
        "source": "Fonte",
        "generated": "Racconto curato con Piazza",
    },
    "en": {
        "day": "During the day",
        "no_posts": "No approved posts yet.",
        "figures": "The day in numbers",
        "collected": "posts collected",
        "from": "from",
        "accounts": "different accounts",
        "by_platform": "By platform",
        "busiest": "Busiest minute",
        "top_hashtags": "Top hashtags",
        "top_accounts": "Most active accounts",
        "moderation": "Moderation",
        "approved": "approved",
        "rejected": "rejected",
        "median": "median time to decide",
        "per_session": "Posts per session",
        "per_quarter": "Posts per quarter-hour",
        "engaged": "Most engaged posts",
        "interactions": "interactions",
        "image": "Image",
        "no_alt": "no description",
        "image_no_alt": "Image without a description",
        "warning": "Content warning",
        "reposted_by": "reposted by",
        "quoting": "quoting",
        "reply_to": "Replying to",
        "another_post": "a post",
        "with": "With",
        "show_original": "Show the original post on {platform}",
        "loads_from": "loads from {host}",
        "native_note": "The original post loads from {host}: the platform will receive "
                       "data about your visit.",
        "sensitive": "Sensitive content: show the image",
        "source": "Source",
        "generated": "Story curated with Piazza",
    },
}

PLATFORM_NAMES = {"mastodon": "Mastodon", "bluesky": "Bluesky", "x": "X", "rss": "RSS",
                  "threads": "Threads", "youtube": "YouTube"}


def labels(lang: str) -> dict[str, str]:
    """The labels of a language (Italian for anything but English)."""
    return LABELS["en" if lang == "en" else "it"]


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
    """A rejection reason in words, in the language `lang` (the catalog's)."""
    from ..i18n import translations

    label = REASONS.get(code) or SYSTEM_REASONS.get(code)
    return translations(lang).gettext(label) if label else code


def posts_word(n: int, lang: str) -> str:
    """'post' (Italian, invariable) or 'post'/'posts'."""
    return "posts" if lang == "en" and n != 1 else "post"


_MINUTE = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d")


def when(value: str | None, tz: str, lang: str, style: str = "both") -> str:
    """An ISO UTC time as people read it ('19 novembre 2026, 10:31'), cached per minute."""
    if not value:
        return ""
    # Shown to the minute, so every post of the same minute shares one Babel call.
    key = value[:16] + ":00Z" if _MINUTE.match(value) and value.endswith("Z") else value
    return _when(key, tz, lang, style)


@lru_cache(maxsize=65_536)
def _when(value: str, tz: str, lang: str, style: str) -> str:
    return local_datetime(value, tz, lang, style)


def local_moment(value: str, tz: str) -> datetime:
    """An ISO UTC time in the event's time zone (UTC when the zone is unknown)."""
    try:
        zone = ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    return parse_time(value).astimezone(zone)


def number(value: Any, lang: str) -> str:
    """A count with the language's digit grouping (1.234 / 1,234)."""
    return format_decimal(value or 0, locale=lang)


def duration(seconds: float, lang: str) -> str:
    """A duration in words ('2 minuti')."""
    return format_timedelta(timedelta(seconds=seconds), threshold=1.1, locale=lang)


# -- the figures as sentences --------------------------------------------------------------
# A block is {"kind": "list" | "olist" | "heading" | "chart", ...}; a list item is a list of
# parts: ("text", s), ("strong", s) or ("link", s, url[, anchor]). Each format renders parts its
# way; the HTML page links to the anchor (the post on the page) when the post is there.

def figure_blocks(recap: dict[str, Any]) -> list[dict[str, Any]]:
    """The figures of the day as headings and lists of sentence parts, in the event's language."""
    figures, event = recap["figures"], recap["event"]
    lang, tz = event["language"], event["timezone"]
    w = labels(lang)
    main: list[list[tuple]] = [[
        ("strong", number(figures["posts"], lang)), ("text", f" {w['collected']}, {w['from']} "),
        ("strong", number(figures["accounts"], lang)), ("text", f" {w['accounts']}")]]
    if figures["platforms"]:
        main.append([("text", f"{w['by_platform']}: " + ", ".join(
            f"{platform_name(p)} {number(n, lang)}" for p, n in figures["platforms"].items()))])
    if figures.get("busiest_minute"):
        busiest = figures["busiest_minute"]
        main.append([("text", f"{w['busiest']}: "),
                     ("strong", when(busiest["at"], tz, lang, "time")),
                     ("text", f" ({number(busiest['posts'], lang)} "
                                     f"{posts_word(busiest['posts'], lang)})")])
    if figures.get("top_hashtags"):
        main.append([("text", f"{w['top_hashtags']}: " + ", ".join(
            f"#{tag} ({number(n, lang)})" for tag, n in figures["top_hashtags"]))])
    if figures.get("top_accounts"):
        main.append([("text", f"{w['top_accounts']}: " + ", ".join(
            f"{a['handle']} ({number(a['posts'], lang)})" for a in figures["top_accounts"]))])
    moderation = figures.get("moderation") or {}
    if moderation:
        sentence = (f"{w['moderation']}: {number(moderation['approved'], lang)} {w['approved']}, "
                    f"{number(moderation['rejected'], lang)} {w['rejected']}")
        if moderation.get("rejected_by_reason"):
            sentence += " (" + ", ".join(
                f"{reason_label(code, lang)}: {number(n, lang)}"
                for code, n in moderation["rejected_by_reason"].items()) + ")"
        if (moderation.get("median_seconds_to_decision") or 0) >= 1:
            sentence += (f"; {w['median']}: "
                         f"{duration(moderation['median_seconds_to_decision'], lang)}")
        main.append([("text", sentence)])
    blocks: list[dict[str, Any]] = [{"kind": "list", "items": main}]
    if figures.get("sessions"):
        blocks.append({"kind": "heading", "text": w["per_session"]})
        blocks.append({"kind": "list", "items": [
            [("text", f"{s['title']}: {number(s['posts'], lang)}")] for s in figures["sessions"]]})
    if figures.get("per_quarter_hour"):
        blocks.append({"kind": "chart", "label": w["per_quarter"]})
    if figures.get("most_engaged"):
        blocks.append({"kind": "heading", "text": w["engaged"]})
        blocks.append({"kind": "olist", "items": [
            [("link", p["author"], p["url"], f"post-{p['id']}"),
             ("text", f": «{shortened(p['text'])}» "
                                               f"({number(p['engagement'], lang)} "
                                               f"{w['interactions']})")]
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
        lines.append(f"{labels(lang)['with']} {speakers}")
    return lines


def reply_line(post: dict[str, Any], lang: str) -> tuple[str, str] | None:
    """('In risposta a Anna Verdi', url) for a reply, so it does not read out of context."""
    reply = post.get("reply_to")
    if not reply:
        return None
    author = reply.get("author") or {}
    w = labels(lang)
    who = author.get("name") or author.get("handle") or w["another_post"]
    return f"{w['reply_to']} {who}", reply.get("url") or ""


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
