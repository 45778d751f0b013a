"""Mastodon: Status entities (https://docs.joinmastodon.org/entities/Status/) to Posts."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from coverage.model import Author, Media, NormalizeError, Post, Reference
from coverage.sanitize import clean_html, html_to_text, text_and_links
from coverage.sources.fields import (
    ALT_MAX,
    NAME_MAX,
    TEXT_MAX,
    clip,
    http_url,
    utc_timestamp,
)

PLATFORM = "mastodon"
_MEDIA_TYPES = {"image", "video", "gifv", "audio"}
_METRICS = {
    "replies": "replies_count",
    "reposts": "reblogs_count",
    "likes": "favourites_count",
    "quotes": "quotes_count",
}


def _host(url: object) -> str:
    if not isinstance(url, str):
        return ""
    try:
        return urlsplit(url).hostname or ""
    except ValueError:
        return ""


def _handle(acct: str, profile_url: object) -> str:
    # Local accounts come as a bare "name"; the instance is the host of their profile URL.
    if "@" not in acct:
        host = _host(profile_url)
        if host:
            acct = f"{acct}@{host}"
    return clip("@" + acct, NAME_MAX)


def _author(account: object, what: str) -> Author:
    if not isinstance(account, dict) or not isinstance(account.get("acct"), str):
        raise NormalizeError(f"{what} has no account")
    return Author(
        handle=_handle(account["acct"], account.get("url")),
        name=clip(account.get("display_name") or account.get("username") or "", NAME_MAX),
        avatar=http_url(account.get("avatar_static")) or http_url(account.get("avatar")),
        url=http_url(account.get("url")),
    )


def _check_status(status: object) -> dict[str, Any]:
    if not isinstance(status, dict):
        raise NormalizeError(f"a Mastodon status must be an object, not {type(status).__name__}")
    if not status.get("id") or not isinstance(status.get("uri"), str) or not status["uri"]:
        raise NormalizeError("Mastodon status has no id or uri")
    return status


def _media(attachment: dict[str, Any]) -> Media | None:
    url = http_url(attachment.get("url")) or http_url(attachment.get("remote_url"))
    if not url:
        return None
    original = (attachment.get("meta") or {}).get("original") or {}
    width, height = original.get("width"), original.get("height")
    kind = attachment.get("type")
    return Media(
        type=kind if kind in _MEDIA_TYPES else "unknown",
        url=url,
        alt=clip(attachment.get("description") or "", ALT_MAX),
        preview_url=http_url(attachment.get("preview_url")),
        width=width if isinstance(width, int) else None,
        height=height if isinstance(height, int) else None,
    )


def _reference(status: dict[str, Any]) -> Reference:
    return Reference(
        remote_id=status["uri"],
        url=http_url(status.get("url")) or http_url(status["uri"]),
        author=_author(status.get("account"), "quoted Mastodon status"),
        text=clip(html_to_text(status.get("content") or ""), TEXT_MAX),
    )


def _quote(status: dict[str, Any]) -> Reference | None:
    quote = status.get("quote")
    if not isinstance(quote, dict):
        return None
    quoted = quote.get("quoted_status")
    if isinstance(quoted, dict) and quoted.get("uri"):
        return _reference(_check_status(quoted))
    # A shallow quote (inside a quoted status) only names the quoted status's local id.
    if quote.get("state") == "accepted" and quote.get("quoted_status_id"):
        return Reference(remote_id=str(quote["quoted_status_id"]))
    return None


def _mention_handle(mention: object) -> str:
    if not isinstance(mention, dict):
        return ""
    acct = mention.get("acct")
    return _handle(acct, mention.get("url")) if isinstance(acct, str) and acct else ""


def normalize(status: dict) -> Post:
    """One Mastodon Status as a Post; a boost carries the original's content."""
    status = _check_status(status)
    booster = _author(status.get("account"), f"Mastodon status {status['uri']}")
    reblog = status.get("reblog")
    content_status = _check_status(reblog) if reblog else status
    author = booster if not reblog else _author(content_status.get("account"), "boosted status")

    content = content_status.get("content") or ""
    plain, links = text_and_links(content)
    text = clip(plain, TEXT_MAX)
    in_reply_to = content_status.get("in_reply_to_id")
    media = [
        _media(a) for a in content_status.get("media_attachments") or [] if isinstance(a, dict)
    ]
    metrics = {
        name: content_status[key]
        for name, key in _METRICS.items()
        if isinstance(content_status.get(key), int)
    }
    return Post(
        platform=PLATFORM,
        remote_id=status["uri"],
        url=http_url(content_status.get("url")) or http_url(content_status["uri"]),
        author=author,
        # The time it entered the timeline: for a boost, when it was boosted.
        created_at=utc_timestamp(status.get("created_at"), f"Mastodon status {status['uri']}"),
        text=text,
        html=clean_html(content),
        media=[m for m in media if m],
        reply_to=Reference(remote_id=str(in_reply_to)) if in_reply_to else None,
        repost_of=_reference(content_status) if reblog else None,
        reposted_by=booster if reblog else None,
        quote_of=_quote(content_status),
        language=clip(content_status.get("language") or "", 16),
        metrics=metrics,
        hashtags=[
            clip(tag["name"], NAME_MAX)
            for tag in content_status.get("tags") or []
            if isinstance(tag, dict) and isinstance(tag.get("name"), str)
        ],
        mentions=[
            handle
            for handle in (_mention_handle(m) for m in content_status.get("mentions") or [])
            if handle
        ],
        links=links,
        sensitive=bool(content_status.get("sensitive")),
        spoiler=clip(content_status.get("spoiler_text") or "", ALT_MAX),
        raw=status,
    )


def posts_from_payload(payload: Any) -> list[Post]:
    """Posts from a Status or a list of Statuses (a timeline page)."""
    if isinstance(payload, dict):
        return [normalize(payload)]
    if isinstance(payload, list):
        return [normalize(status) for status in payload]
    raise NormalizeError(
        f"a Mastodon payload must be a status or a list of statuses, not {type(payload).__name__}"
    )
