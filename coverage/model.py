"""Small dataclasses that cross module boundaries.

Normalizers turn each platform's native payload into a `Post`; the store
persists it; live, views and the recap read it back as plain dicts
(`Post.to_dict`).  Times are ISO-8601 strings in UTC ending in ``Z``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def stage_programme(sessions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The sessions as screens show them: the wall's header (the one on stage by the clock)
    and the console's session chooser (by id)."""
    return [{"id": s["id"], "title": s["title"], "starts_at": s["starts_at"],
             "ends_at": s["ends_at"],
             "room": s.get("room", ""),
             "speakers": [p.get("name") or p.get("handle", "") for p in s.get("speakers", [])
                          if isinstance(p, dict)]}
            for s in sessions]


def parse_time(value: str) -> datetime:
    """ISO-8601 (with Z) to an aware UTC datetime."""
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)


@lru_cache(maxsize=64)
def time_zone(name: str) -> ZoneInfo:
    """An event's time zone by its IANA name; UTC when the name is unknown (a page or an
    export must not fail over it; the settings form refuses unknown names)."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def format_time(value: datetime) -> str:
    """Aware datetime to ISO-8601 UTC with Z (milliseconds)."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


PLATFORMS = ("mastodon", "bluesky", "x", "rss", "threads", "youtube")


@dataclass
class Author:
    handle: str  # "@name@instance", "@name.bsky.social", "@name" (X), feed title (RSS)
    name: str = ""
    avatar: str = ""  # http(s) URL or ""
    url: str = ""  # profile URL or ""


@dataclass
class Media:
    type: str  # "image", "video", "gifv", "audio", "unknown"
    url: str
    alt: str = ""  # the author's alt text, "" when none was given
    preview_url: str = ""
    width: int | None = None
    height: int | None = None


@dataclass
class Reference:
    """A post this one replies to, reposts or quotes (as much as the payload tells)."""

    remote_id: str = ""
    url: str = ""
    author: Author | None = None
    text: str = ""


@dataclass
class Post:
    platform: str  # one of PLATFORMS (threads and youtube come only from posts added by URL)
    remote_id: str  # the platform's own id (Mastodon: the status `uri`, global across instances)
    url: str  # permalink for people
    author: Author
    created_at: str  # ISO-8601 UTC, "2026-11-19T09:31:00Z"
    text: str  # plain text, as the author wrote it (entities decoded)
    html: str  # sanitized HTML, safe to insert into a page
    media: list[Media] = field(default_factory=list)
    reply_to: Reference | None = None
    # Set on reposts/boosts; then author, text and media are the original's.
    repost_of: Reference | None = None
    reposted_by: Author | None = None  # who reposted it, when repost_of is set
    quote_of: Reference | None = None
    language: str = ""
    metrics: dict[str, int] = field(default_factory=dict)  # likes, reposts, replies, quotes
    hashtags: list[str] = field(default_factory=list)  # without '#', as written
    mentions: list[str] = field(default_factory=list)  # handles
    links: list[str] = field(default_factory=list)  # external http(s) links
    sensitive: bool = False
    spoiler: str = ""  # content warning text
    raw: dict[str, Any] = field(default_factory=dict)  # the native payload, untouched

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict (nested dataclasses become dicts; `raw` is shared, not copied).

        `dataclasses.asdict` would deep-copy the raw payload, which is most of the cost of
        ingesting a post.
        """
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        for key in ("author", "reposted_by", "reply_to", "repost_of", "quote_of"):
            if data[key] is not None:
                data[key] = asdict(data[key])
        data["media"] = [asdict(m) for m in self.media]
        for key in ("metrics", "hashtags", "mentions", "links"):
            data[key] = type(data[key])(data[key])
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Post:
        """Inverse of `to_dict`."""
        data = dict(data)
        data["author"] = Author(**data["author"])
        data["media"] = [Media(**m) for m in data.get("media") or []]
        for key in ("reply_to", "repost_of", "quote_of"):
            ref = data.get(key)
            if ref:
                author = ref.get("author")
                data[key] = Reference(**{**ref, "author": Author(**author) if author else None})
        if data.get("reposted_by"):
            data["reposted_by"] = Author(**data["reposted_by"])
        return cls(**data)


class NormalizeError(ValueError):
    """A payload that cannot become a Post; the message says why in plain words."""
