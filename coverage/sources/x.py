"""X: API v2 tweet objects (with their `includes`) to Posts."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote, urlsplit

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

PLATFORM = "x"
SITE = "https://x.com"
# X escapes exactly these three in `text`; nothing else is an entity there.
_ESCAPES = (("&amp;", "&"), ("&lt;", "<"), ("&gt;", ">"))
_MEDIA_TYPES = {"photo": "image", "video": "video", "animated_gif": "gifv"}
_METRICS = {
    "replies": "reply_count",
    "reposts": "retweet_count",
    "likes": "like_count",
    "quotes": "quote_count",
    "views": "impression_count",
}
_RETWEET_PREFIX = re.compile(r"RT @(\w{1,15}): ")
_SIGNS = {"#": "#＃", "@": "@＠", "$": "$＄"}
_MEDIA_PATH = re.compile(r"/status/\d+/(photo|video)/\d+$")


def _unescape_with_offsets(text: str) -> tuple[str, list[int]]:
    """X's text unescaped, and for each offset in the escaped text its offset in the plain."""
    plain: list[str] = []
    offsets: list[int] = []
    i = 0
    while i < len(text):
        for escaped, char in _ESCAPES if text[i] == "&" else ():
            if text.startswith(escaped, i):
                offsets.extend([len(plain)] * len(escaped))
                plain.append(char)
                i += len(escaped)
                break
        else:
            offsets.append(len(plain))
            plain.append(text[i])
            i += 1
    offsets.append(len(plain))
    return "".join(plain), offsets


def _literal(kind: str, entity: dict[str, Any]) -> str:
    """What the entity's slice of the plain text must read, for checking its offsets."""
    if kind == "urls":
        return entity.get("url") or ""
    if kind == "mentions":
        return "@" + (entity.get("username") or "")
    if kind == "hashtags":
        return "#" + (entity.get("tag") or "")
    return "$" + (entity.get("tag") or "")


def _reads(plain: str, start: int, end: int, literal: str) -> bool:
    piece = plain[start:end] if 0 <= start < end <= len(plain) else ""
    if len(literal) < 2 or len(piece) != len(literal):
        return False
    # Hashtags and mentions may be typed with full-width signs, and in any letter case.
    signs = _SIGNS.get(literal[0], literal[0])
    return piece[0] in signs and piece[1:].casefold() == literal[1:].casefold()


def _locate_entities(
    plain: str, offsets: list[int], entities: object
) -> list[tuple[int, int, str, dict[str, Any]]]:
    """Entities with their offsets in the plain text, checked against what they must read.

    X documents start/end as code-point offsets into `text`, and `text` arrives
    HTML-escaped; whether "&amp;" counts as one character or five, documentation and
    client libraries disagree. So both readings are tried, the one under which more
    entities read right wins for the whole post, and an entity that still does not fit
    is looked up by its literal nearest to where it claims to be (or dropped).
    """
    found: list[tuple[int, int, str, dict[str, Any], str]] = []
    entities = entities if isinstance(entities, dict) else {}
    for kind in ("urls", "hashtags", "mentions", "cashtags"):
        for entity in entities.get(kind) or []:
            if not isinstance(entity, dict):
                continue
            start, end = entity.get("start"), entity.get("end")
            if isinstance(start, int) and isinstance(end, int):
                found.append((start, end, kind, entity, _literal(kind, entity)))

    def escaped_reading(start: int, end: int) -> tuple[int, int]:
        if 0 <= start < end < len(offsets):
            return offsets[start], offsets[end]
        return -1, -1

    def plain_reading(start: int, end: int) -> tuple[int, int]:
        return start, end

    def score(reading: Any) -> int:
        return sum(_reads(plain, *reading(s, e), lit) for s, e, _, _, lit in found)

    reading = escaped_reading if score(escaped_reading) >= score(plain_reading) else plain_reading
    located: list[tuple[int, int, str, dict[str, Any]]] = []
    for start, end, kind, entity, literal in found:
        p_start, p_end = reading(start, end)
        if not _reads(plain, p_start, p_end, literal):
            p_start = _nearest(plain, literal, start)
            p_end = p_start + len(literal)
            if p_start < 0:
                continue
        located.append((p_start, p_end, kind, entity))
    located.sort(key=lambda item: item[0])
    kept: list[tuple[int, int, str, dict[str, Any]]] = []
    for item in located:
        if not kept or item[0] >= kept[-1][1]:
            kept.append(item)
    return kept


def _nearest(plain: str, literal: str, near: int) -> int:
    if len(literal) < 2:
        return -1
    folded, wanted = plain.casefold(), literal.casefold()
    if len(folded) != len(plain):  # casefolding changed lengths: offsets would not line up
        folded, wanted = plain, literal
    best, position = -1, folded.find(wanted)
    while position >= 0:
        if best < 0 or abs(position - near) < abs(best - near):
            best = position
        position = folded.find(wanted, position + 1)
    return best


def _is_media_link(entity: dict[str, Any]) -> bool:
    expanded = entity.get("expanded_url") or ""
    try:
        path = urlsplit(expanded).path
    except ValueError:
        return False
    return bool(entity.get("media_key")) or bool(_MEDIA_PATH.search(path))


def _text_and_spans(
    tweet: dict[str, Any],
) -> tuple[str, list[tuple[int, int, str, str]], list[str], list[str], list[str]]:
    """Plain text (t.co expanded, media links dropped), spans, hashtags, mentions, links."""
    note = tweet.get("note_tweet")
    source = note if isinstance(note, dict) and isinstance(note.get("text"), str) else tweet
    plain, offsets = _unescape_with_offsets(source.get("text") or "")
    pieces: list[str] = []
    spans: list[tuple[int, int, str, str]] = []
    tags: list[str] = []
    mentions: list[str] = []
    links: list[str] = []
    length, position = 0, 0

    def emit(piece: str) -> None:
        nonlocal length
        pieces.append(piece)
        length += len(piece)

    for start, end, kind, entity in _locate_entities(plain, offsets, source.get("entities")):
        emit(plain[position:start])
        position = end
        if kind == "urls" and _is_media_link(entity):
            # The photo is shown as media; its t.co link would only repeat it.
            if not plain[end:].strip() or (plain[end : end + 1] == " " and length):
                while pieces and pieces[-1].endswith(" "):
                    pieces[-1] = pieces[-1][:-1]
                    length -= 1
            continue
        if kind == "urls":
            target = http_url(entity.get("expanded_url")) or http_url(entity.get("url"))
            shown = target or plain[start:end]
            if target:
                spans.append((length, length + len(shown), "link", target))
                links.append(target)
            emit(shown)
            continue
        written = plain[start:end]
        if kind == "mentions":
            username = entity.get("username") or ""
            spans.append((length, length + len(written), "mention", f"{SITE}/{username}"))
            mentions.append(clip("@" + username, NAME_MAX))
        elif kind == "hashtags":
            tag = entity.get("tag") or ""
            spans.append((length, length + len(written), "tag", _hashtag_url(tag)))
            tags.append(clip(tag, NAME_MAX))
        else:
            query = quote("$" + (entity.get("tag") or ""), safe="")
            spans.append((length, length + len(written), "tag", f"{SITE}/search?q={query}"))
        emit(written)
    emit(plain[position:])
    text = "".join(pieces).rstrip()
    return clip(text, TEXT_MAX), spans, tags, mentions, links


def _hashtag_url(tag: str) -> str:
    return f"{SITE}/hashtag/{quote(tag, safe='')}"


def _author(user: object) -> Author:
    if not isinstance(user, dict) or not isinstance(user.get("username"), str):
        raise NormalizeError("X user has no username")
    username = user["username"]
    return Author(
        handle=clip("@" + username, NAME_MAX),
        name=clip(user.get("name") or username, NAME_MAX),
        avatar=http_url(user.get("profile_image_url")),
        url=f"{SITE}/{quote(username, safe='')}",
    )


def _by_key(items: object, key: str) -> dict[str, dict[str, Any]]:
    if not isinstance(items, list):
        return {}
    return {str(i[key]): i for i in items if isinstance(i, dict) and i.get(key) is not None}


def _status_url(tweet_id: str, author: Author | None) -> str:
    who = author.handle.removeprefix("@") if author else "i"
    return f"{SITE}/{quote(who, safe='')}/status/{quote(tweet_id, safe='')}"


def _best_video_url(media: dict[str, Any]) -> str:
    variants = [
        v
        for v in media.get("variants") or []
        if isinstance(v, dict) and v.get("content_type") == "video/mp4" and http_url(v.get("url"))
    ]
    if not variants:
        return ""
    return http_url(max(variants, key=lambda v: v.get("bit_rate") or 0)["url"])


def _media(tweet: dict[str, Any], media_by_key: dict[str, dict[str, Any]]) -> list[Media]:
    result = []
    for key in (tweet.get("attachments") or {}).get("media_keys") or []:
        item = media_by_key.get(str(key))
        if not item:
            continue
        preview = http_url(item.get("preview_image_url"))
        # Without a playable variant in the payload, a video is represented by its still.
        url = http_url(item.get("url")) or _best_video_url(item) or preview
        if not url:
            continue
        width, height = item.get("width"), item.get("height")
        result.append(
            Media(
                type=_MEDIA_TYPES.get(item.get("type"), "unknown"),
                url=url,
                alt=clip(item.get("alt_text") or "", ALT_MAX),
                preview_url=preview,
                width=width if isinstance(width, int) else None,
                height=height if isinstance(height, int) else None,
            )
        )
    return result


def _check_tweet(tweet: object) -> dict[str, Any]:
    if not isinstance(tweet, dict):
        raise NormalizeError(f"an X post must be an object, not {type(tweet).__name__}")
    if not tweet.get("id") or not isinstance(tweet.get("text"), str):
        raise NormalizeError("X post has no id or no text")
    return tweet


class _Includes:
    """The `includes` of a response, indexed by id and key."""

    def __init__(self, includes: object) -> None:
        includes = includes if isinstance(includes, dict) else {}
        self.users = _by_key(includes.get("users"), "id")
        self.usernames = {
            u["username"].casefold(): u
            for u in self.users.values()
            if isinstance(u.get("username"), str)
        }
        self.media = _by_key(includes.get("media"), "media_key")
        self.tweets = _by_key(includes.get("tweets"), "id")

    def author_of(self, tweet: dict[str, Any]) -> Author:
        user = self.users.get(str(tweet.get("author_id")))
        if not user:
            raise NormalizeError(
                f"X post {tweet['id']}: its author {tweet.get('author_id')} is not in "
                "includes.users (ask for expansions=author_id)"
            )
        return _author(user)

    def reference(self, tweet_id: str) -> Reference:
        tweet = self.tweets.get(tweet_id)
        user = self.users.get(str(tweet.get("author_id"))) if tweet else None
        author = _author(user) if user else None
        text = _text_and_spans(tweet)[0] if tweet and isinstance(tweet.get("text"), str) else ""
        return Reference(
            remote_id=tweet_id,
            url=_status_url(tweet_id, author),
            author=author,
            text=text,
        )


def _referenced(tweet: dict[str, Any], kind: str) -> str:
    for ref in tweet.get("referenced_tweets") or []:
        if isinstance(ref, dict) and ref.get("type") == kind and ref.get("id"):
            return str(ref["id"])
    return ""


def _retweeted_author(tweet: dict[str, Any], includes: _Includes) -> Author | None:
    """The original author of a retweet whose original is not included, from "RT @name: "."""
    match = _RETWEET_PREFIX.match(tweet["text"])
    if not match:
        return None
    user = includes.usernames.get(match.group(1).casefold())
    if user:
        return _author(user)
    name = match.group(1)
    return Author(handle="@" + name, name=name, url=f"{SITE}/{name}")


def _language(lang: object) -> str:
    # "und", "zxx" and the "q…" codes (media only, hashtags only…) name no language.
    if not isinstance(lang, str) or lang in ("und", "zxx") or lang.startswith("q"):
        return ""
    return clip(lang, 16)


def _normalize(tweet: dict[str, Any], includes: _Includes) -> Post:
    tweet = _check_tweet(tweet)
    tweet_id = str(tweet["id"])
    poster = includes.author_of(tweet)
    retweeted_id = _referenced(tweet, "retweeted")
    original = includes.tweets.get(retweeted_id) if retweeted_id else None
    content = _check_tweet(original) if original else tweet
    author = poster
    if original:
        author = includes.author_of(original)
    elif retweeted_id:
        author = _retweeted_author(tweet, includes) or poster

    text, spans, tags, mentions, links = _text_and_spans(content)
    replied_id, quoted_id = (
        _referenced(content, "replied_to"),
        _referenced(content, "quoted"),
    )
    metrics = content.get("public_metrics") or {}
    repost_of = None
    if retweeted_id:
        repost_of = Reference(
            remote_id=retweeted_id,
            url=_status_url(retweeted_id, author),
            author=author,
            text=text,
        )
    return Post(
        platform=PLATFORM,
        remote_id=tweet_id,
        url=_status_url(retweeted_id or tweet_id, author),
        author=author,
        # The time it entered the timeline: for a retweet, when it was retweeted.
        created_at=utc_timestamp(tweet.get("created_at"), f"X post {tweet_id}"),
        text=text,
        html=linkify_spans(text, spans),
        media=_media(content, includes.media),
        reply_to=includes.reference(replied_id) if replied_id else None,
        repost_of=repost_of,
        reposted_by=poster if retweeted_id else None,
        quote_of=includes.reference(quoted_id) if quoted_id else None,
        language=_language(content.get("lang")),
        metrics={
            name: metrics[key]
            for name, key in _METRICS.items()
            if isinstance(metrics.get(key), int)
        },
        hashtags=list(dict.fromkeys(tags)),
        mentions=list(dict.fromkeys(mentions)),
        links=list(dict.fromkeys(links)),
        sensitive=bool(content.get("possibly_sensitive")),
        raw=tweet,
    )


def normalize(tweet: dict, includes: dict) -> Post:
    """One X API v2 tweet as a Post, with users, media and tweets taken from `includes`."""
    return _normalize(tweet, _Includes(includes))


def posts_from_payload(payload: Any) -> list[Post]:
    """Posts from a search response {data: [...], includes} or a lookup {data: {...}}."""
    if not isinstance(payload, dict):
        kind = type(payload).__name__
        raise NormalizeError(f"an X payload must be an object, not {kind}")
    data = payload.get("data")
    if data is None:
        errors = payload.get("errors")
        if isinstance(errors, list) and errors:
            first = errors[0] if isinstance(errors[0], dict) else {}
            detail = first.get("detail") or first.get("title") or "no detail"
            raise NormalizeError(f"X answered with errors and no posts: {detail}")
        if isinstance(payload.get("meta"), dict):
            return []  # a search with no results
        raise NormalizeError("X payload has no data")
    includes = _Includes(payload.get("includes"))
    tweets = data if isinstance(data, list) else [data]
    return [_normalize(tweet, includes) for tweet in tweets]
