"""Bluesky: app.bsky.feed.defs#postView and #feedViewPost to Posts."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from coverage.model import Author, Media, NormalizeError, Post, Reference
from coverage.sanitize import linkify_spans
from coverage.sources.fields import (
    ALT_MAX,
    NAME_MAX,
    TEXT_MAX,
    clip,
    http_url,
    utc_timestamp,
)

PLATFORM = "bluesky"
APP = "https://bsky.app"
_POST_TYPE = "app.bsky.feed.post"
_REPOST_REASON = "app.bsky.feed.defs#reasonRepost"
_QUOTED_POST = "app.bsky.embed.record#viewRecord"
# Quoted posts that exist but cannot be shown; only their uri is known.
_QUOTED_UNAVAILABLE = {
    "app.bsky.embed.record#viewNotFound",
    "app.bsky.embed.record#viewBlocked",
    "app.bsky.embed.record#viewDetached",
}
_SENSITIVE_LABELS = {"porn", "sexual", "nudity", "graphic-media", "gore"}
_METRICS = {
    "replies": "replyCount",
    "reposts": "repostCount",
    "likes": "likeCount",
    "quotes": "quoteCount",
}


def _profile_url(actor: str) -> str:
    return f"{APP}/profile/{quote(actor, safe=':.')}"


def _post_url(uri: str, handle: str = "") -> str:
    """The bsky.app page for an at:// post uri, by handle when known, else by DID."""
    parts = uri.removeprefix("at://").split("/")
    if len(parts) != 3 or parts[1] != _POST_TYPE:
        return ""
    actor = handle if handle and handle != "handle.invalid" else parts[0]
    return f"{_profile_url(actor)}/post/{quote(parts[2], safe='')}"


def _author(profile: object, what: str) -> Author:
    if not isinstance(profile, dict) or not isinstance(profile.get("handle"), str):
        raise NormalizeError(f"{what} has no author handle")
    handle = profile["handle"]
    actor = handle if handle != "handle.invalid" else profile.get("did") or handle
    return Author(
        handle=clip("@" + handle, NAME_MAX),
        name=clip(profile.get("displayName") or handle, NAME_MAX),
        avatar=http_url(profile.get("avatar")),
        url=_profile_url(actor),
    )


def _label_values(labels: object) -> set[str]:
    # Labels come as a list of {val} on views, or as {values: [{val}]} self-labels on records.
    if isinstance(labels, dict):
        labels = labels.get("values")
    if not isinstance(labels, list):
        return set()
    return {label["val"] for label in labels if isinstance(label, dict) and "val" in label}


def requires_login(post_view: dict) -> bool:
    """True when the author or the post asks not to be shown to logged-out readers."""
    author = post_view.get("author") or {}
    record = post_view.get("record") or {}
    values = (
        _label_values(author.get("labels"))
        | _label_values(post_view.get("labels"))
        | _label_values(record.get("labels"))
    )
    return "!no-unauthenticated" in values


def _code_point_offsets(text: str) -> dict[int, int]:
    """Map each UTF-8 byte offset that starts a character to its code-point offset."""
    offsets, position = {}, 0
    for index, char in enumerate(text):
        offsets[position] = index
        position += len(char.encode("utf-8"))
    offsets[position] = len(text)
    return offsets


def _facet_spans(
    text: str, facets: object
) -> tuple[list[tuple[int, int, str, str]], list[str], list[str], list[str]]:
    """Spans for linkify_spans, plus hashtags, mentions and links, from richtext facets."""
    spans: list[tuple[int, int, str, str]] = []
    tags: list[str] = []
    mentions: list[str] = []
    links: list[str] = []
    offsets = _code_point_offsets(text)
    for facet in facets if isinstance(facets, list) else []:
        if not isinstance(facet, dict):
            continue
        index = facet.get("index") or {}
        start = offsets.get(index.get("byteStart"))
        end = offsets.get(index.get("byteEnd"))
        # Offsets that fall inside a character, or past the text, come from a broken client.
        if start is None or end is None or start >= end:
            continue
        for feature in facet.get("features") or []:
            kind = feature.get("$type") if isinstance(feature, dict) else None
            if kind == "app.bsky.richtext.facet#link" and http_url(feature.get("uri")):
                spans.append((start, end, "link", feature["uri"]))
                links.append(feature["uri"].strip())
            elif kind == "app.bsky.richtext.facet#mention" and feature.get("did"):
                spans.append((start, end, "mention", _profile_url(feature["did"])))
                mentions.append(clip("@" + text[start:end].lstrip("@"), NAME_MAX))
            elif kind == "app.bsky.richtext.facet#tag" and isinstance(feature.get("tag"), str):
                tag = feature["tag"]
                spans.append((start, end, "tag", f"{APP}/hashtag/{quote(tag, safe='')}"))
                tags.append(clip(tag, NAME_MAX))
            else:
                continue
            break
    return spans, tags, mentions, links


def _media(embed: object) -> list[Media]:
    if not isinstance(embed, dict):
        return []
    kind = embed.get("$type")
    if kind == "app.bsky.embed.recordWithMedia#view":
        return _media(embed.get("media"))
    if kind == "app.bsky.embed.images#view":
        media = []
        for image in embed.get("images") or []:
            if not isinstance(image, dict) or not http_url(image.get("fullsize")):
                continue
            ratio = image.get("aspectRatio") or {}
            media.append(
                Media(
                    type="image",
                    url=http_url(image["fullsize"]),
                    alt=clip(image.get("alt") or "", ALT_MAX),
                    preview_url=http_url(image.get("thumb")),
                    width=ratio.get("width") if isinstance(ratio.get("width"), int) else None,
                    height=ratio.get("height") if isinstance(ratio.get("height"), int) else None,
                )
            )
        return media
    if kind == "app.bsky.embed.video#view" and http_url(embed.get("playlist")):
        ratio = embed.get("aspectRatio") or {}
        return [
            Media(
                type="video",
                url=http_url(embed["playlist"]),
                alt=clip(embed.get("alt") or "", ALT_MAX),
                preview_url=http_url(embed.get("thumbnail")),
                width=ratio.get("width") if isinstance(ratio.get("width"), int) else None,
                height=ratio.get("height") if isinstance(ratio.get("height"), int) else None,
            )
        ]
    return []


def _external_link(embed: object) -> str:
    if not isinstance(embed, dict):
        return ""
    if embed.get("$type") == "app.bsky.embed.recordWithMedia#view":
        return _external_link(embed.get("media"))
    if embed.get("$type") == "app.bsky.embed.external#view":
        return http_url((embed.get("external") or {}).get("uri"))
    return ""


def _quote(embed: object) -> Reference | None:
    if not isinstance(embed, dict):
        return None
    if embed.get("$type") == "app.bsky.embed.recordWithMedia#view":
        embed = embed.get("record") or {}
    if embed.get("$type") not in ("app.bsky.embed.record#view", None):
        return None
    record = embed.get("record")
    if not isinstance(record, dict) or not isinstance(record.get("uri"), str):
        return None
    if record.get("$type") == _QUOTED_POST:
        value = record.get("value") or {}
        author = _author(record.get("author"), "quoted Bluesky post")
        return Reference(
            remote_id=record["uri"],
            url=_post_url(record["uri"], author.handle.removeprefix("@")),
            author=author,
            text=clip(value.get("text") or "", TEXT_MAX),
        )
    if record.get("$type") in _QUOTED_UNAVAILABLE:
        return Reference(remote_id=record["uri"], url=_post_url(record["uri"]))
    # Feed generators, lists and starter packs can be embedded too; they are not quotes.
    return None


def _reply_to(record: dict[str, Any]) -> Reference | None:
    parent = (record.get("reply") or {}).get("parent")
    if isinstance(parent, dict) and isinstance(parent.get("uri"), str):
        return Reference(remote_id=parent["uri"], url=_post_url(parent["uri"]))
    return None


def _check_post_view(post_view: object) -> dict[str, Any]:
    if not isinstance(post_view, dict):
        kind = type(post_view).__name__
        raise NormalizeError(f"a Bluesky post view must be an object, not {kind}")
    uri = post_view.get("uri")
    if not isinstance(uri, str) or not uri.startswith("at://"):
        raise NormalizeError("Bluesky post has no at:// uri")
    record = post_view.get("record")
    if not isinstance(record, dict) or record.get("$type", _POST_TYPE) != _POST_TYPE:
        raise NormalizeError(f"Bluesky item {uri} is not a post (its record is not {_POST_TYPE})")
    return post_view


def _unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(v for v in values if v))


def normalize(post_view: dict) -> Post:
    """One app.bsky.feed.defs#postView as a Post."""
    post_view = _check_post_view(post_view)
    uri, record = post_view["uri"], post_view["record"]
    author = _author(post_view.get("author"), f"Bluesky post {uri}")
    text = clip(record.get("text") or "", TEXT_MAX)
    spans, tags, mentions, links = _facet_spans(text, record.get("facets"))
    extra_tags = [clip(t, NAME_MAX) for t in record.get("tags") or [] if isinstance(t, str)]
    embed = post_view.get("embed")
    langs = record.get("langs")
    labels = _label_values(post_view.get("labels")) | _label_values(record.get("labels"))
    return Post(
        platform=PLATFORM,
        remote_id=uri,
        url=_post_url(uri, author.handle.removeprefix("@")),
        author=author,
        created_at=utc_timestamp(
            record.get("createdAt") or post_view.get("indexedAt"), f"Bluesky post {uri}"
        ),
        text=text,
        html=linkify_spans(text, spans),
        media=_media(embed),
        reply_to=_reply_to(record),
        quote_of=_quote(embed),
        language=clip(langs[0], 16) if isinstance(langs, list) and langs else "",
        metrics={
            name: post_view[key]
            for name, key in _METRICS.items()
            if isinstance(post_view.get(key), int)
        },
        hashtags=_unique(tags + extra_tags),
        mentions=_unique(mentions),
        links=_unique([*links, _external_link(embed)]),
        sensitive=bool(labels & _SENSITIVE_LABELS),
        raw=post_view,
    )


def normalize_feed_item(item: dict) -> Post:
    """One app.bsky.feed.defs#feedViewPost as a Post; a repost carries the original."""
    if not isinstance(item, dict) or not isinstance(item.get("post"), dict):
        raise NormalizeError("a Bluesky feed item must be an object with a post")
    post = normalize(item["post"])
    post.raw = item
    parent = (item.get("reply") or {}).get("parent")
    # The feed item carries the parent's view: fill in who is being answered, and what.
    if post.reply_to and isinstance(parent, dict) and parent.get("uri") == post.reply_to.remote_id:
        try:
            post.reply_to = _reference(normalize(parent))
        except NormalizeError:
            pass
    reason = item.get("reason")
    if isinstance(reason, dict) and reason.get("$type") == _REPOST_REASON:
        by = reason.get("by")
        reposter = _author(by, f"repost of {post.remote_id}")
        post.repost_of = _reference(post)
        post.reposted_by = reposter
        post.remote_id = f"{post.repost_of.remote_id}#repost-by-{by.get('did') or reposter.handle}"
        if reason.get("indexedAt"):
            post.created_at = utc_timestamp(reason["indexedAt"], f"repost of {post.url}")
    return post


def _reference(post: Post) -> Reference:
    return Reference(remote_id=post.remote_id, url=post.url, author=post.author, text=post.text)


def posts_from_payload(payload: Any) -> list[Post]:
    """Posts from a postView, a feedViewPost, or a searchPosts / getAuthorFeed response."""
    if isinstance(payload, list):
        return [post for item in payload for post in posts_from_payload(item)]
    if not isinstance(payload, dict):
        kind = type(payload).__name__
        raise NormalizeError(f"a Bluesky payload must be an object or a list, not {kind}")
    if isinstance(payload.get("posts"), list):
        return [normalize(view) for view in payload["posts"]]
    if isinstance(payload.get("feed"), list):
        return [normalize_feed_item(item) for item in payload["feed"]]
    if "post" in payload:
        return [normalize_feed_item(payload)]
    return [normalize(payload)]
