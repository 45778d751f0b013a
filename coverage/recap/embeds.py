"""The platforms' own embeds, offered per post and loaded only when a reader asks.

Each supported post gets the platform's native blockquote (X `twitter-tweet`, Mastodon
`mastodon-embed`, Bluesky `bluesky-embed`, Threads `text-post-media`) with the post's full text,
author and date inside, so that a blocked script or a deleted post still reads as a quote, never
as an empty "— name (@handle) date" line. The page keeps that blockquote in a `<template>`
(inert: no platform script sees it, nothing loads) until the reader opens the
"Mostra il post originale" disclosure; `templates/recap/embeds.js` then inserts it and adds the
platform's script.
"""

from __future__ import annotations

import re
from html import escape
from typing import Any

from markupsafe import Markup

from .wording import labels, platform_name, when

X_SCRIPT = "https://platform.twitter.com/widgets.js"
BLUESKY_SCRIPT = "https://embed.bsky.app/static/embed.js"
_MASTODON_STATUS = re.compile(r"^https://[^/@]+/@[^/]+/\d+$")
_X_STATUS = re.compile(r"^https://(?:www\.)?(?:x|twitter)\.com/[^/]+/status/\d+$")
_THREADS_POST = re.compile(
    r"^https://(?:www\.)?threads\.(?:net|com)/(?:@[^/]+/post|t)/(?P<code>[A-Za-z0-9_-]+)$")
_LANGUAGE = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z0-9]{1,8})*$")


def native_embed(post: dict[str, Any], tz: str, lang: str) -> dict[str, Any] | None:
    """How the platform embeds this post: {platform, script, host, summary, hint, html}, or None
    when the platform has no embed (RSS, YouTube) or the post's address does not fit one."""
    platform, url = post["platform"], post.get("url") or ""
    # Plain strings and html.escape: this runs once per post, 10,000 times in a large recap.
    if platform == "x" and _X_STATUS.match(url):
        attrs, script = f'class="twitter-tweet" data-dnt="true" data-lang="{escape(lang)}"', \
            X_SCRIPT
    elif platform == "bluesky" and str(post.get("remote_id", "")).startswith("at://"):
        attrs = (f'class="bluesky-embed" data-bluesky-uri="{escape(post["remote_id"])}" '
                 'data-bluesky-embed-color-mode="light"')
        script = BLUESKY_SCRIPT
    elif platform == "mastodon" and _MASTODON_STATUS.match(url):
        attrs = f'class="mastodon-embed" data-embed-url="{escape(url)}/embed"'
        script = f"https://{_host(url)}/embed.js"
    elif platform == "threads" and (match := _THREADS_POST.match(url)):
        attrs = (f'class="text-post-media" data-text-post-permalink="{escape(url)}" '
                 f'data-text-post-version="0" id="ig-tp-{escape(match["code"])}"')
        script = f"https://{_host(url)}/embed.js"
    else:
        return None
    host = _host(script)
    w = labels(lang)
    return {
        "platform": platform, "script": script, "host": host,
        "summary": w["show_original"] % {"platform": platform_name(platform)},
        "hint": w["loads_from"] % {"host": host},
        "html": Markup(f"<blockquote {attrs}{lang_attr(post)}>{_body(post, tz, lang)}"
                       "</blockquote>"),
    }


def _host(url: str) -> str:
    # The patterns above matched "https://host/…": the host is what lies between.
    return url[len("https://"):].split("/", 1)[0]


def lang_attr(post: dict[str, Any]) -> Markup:
    """` lang="…"` for the post's own language, when the platform gave a valid one."""
    language = post.get("language") or ""
    return Markup(f' lang="{language}"') if _LANGUAGE.match(language) else Markup("")


def _body(post: dict[str, Any], tz: str, lang: str) -> str:
    """The post as the platform's own fallback shows it: text, images' descriptions, then
    '— Name (@handle) date' with the permalink on the date."""
    w = labels(lang)
    author = post["author"]
    parts = [post.get("html") or f"<p>{escape(post['text'])}</p>"]
    for media in post.get("media") or []:
        parts.append(f"<p>{escape(w['image'])}: {escape(media.get('alt') or w['no_alt'])}</p>")
    name = author.get("name") or author.get("handle") or ""
    handle = author.get("handle") or ""
    who = escape(name) if not handle or handle == name else f"{escape(name)} ({escape(handle)})"
    # The patterns in native_embed accepted only https permalinks of the platform.
    parts.append(f'&mdash; {who} <a href="{escape(post["url"])}">'
                 f"{escape(when(post['created_at'], tz, lang, 'date'))}</a>")
    return "".join(parts)
