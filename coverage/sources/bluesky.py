"""Bluesky: app.bsky.feed.defs#postView and #feedViewPost to Posts, and the live XRPC source."""

from __future__ import annotations

import hashlib
import json
import os
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote, urlsplit

import httpx
from flask_babel import gettext as _

from coverage.model import Author, Media, NormalizeError, Post, Reference
from coverage.sanitize import linkify_spans
from coverage.settings import instance_path
from coverage.sources.fields import (
    ALT_MAX,
    NAME_MAX,
    TEXT_MAX,
    clip,
    http_url,
    utc_timestamp,
)
from coverage.sources.http import (
    RateLimited,
    SourceError,
    check_response,
    make_client,
    parse_json,
    read_body,
)
from coverage.sources.registry import Batch, register

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


def _code_point_offset(text: str, encoded: bytes, offset: object) -> int | None:
    """The code-point offset in `text` of a UTF-8 byte offset into it (`encoded`); None when
    the offset is not an int, falls inside a character or lies past the end."""
    if not isinstance(offset, int) or not 0 <= offset <= len(encoded):
        return None
    if len(encoded) == len(text):  # ASCII: bytes are characters
        return offset
    if offset < len(encoded) and encoded[offset] & 0xC0 == 0x80:  # a continuation byte
        return None
    return len(encoded[:offset].decode("utf-8"))


def _facet_spans(
    text: str, facets: object
) -> tuple[list[tuple[int, int, str, str]], list[str], list[str], list[str]]:
    """Spans for linkify_spans, plus hashtags, mentions and links, from richtext facets."""
    spans: list[tuple[int, int, str, str]] = []
    tags: list[str] = []
    mentions: list[str] = []
    links: list[str] = []
    encoded = text.encode("utf-8")
    for facet in facets if isinstance(facets, list) else []:
        if not isinstance(facet, dict):
            continue
        index = facet.get("index") or {}
        start = _code_point_offset(text, encoded, index.get("byteStart"))
        end = _code_point_offset(text, encoded, index.get("byteEnd"))
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


# -- the live source -------------------------------------------------------------------------
#
# Search, author feeds and re-checks go through one XRPC base (`instance`), logged in with an
# app password. Sessions are cached in the instance folder, because Bluesky allows only a few
# createSession calls per account per day; the cache file is the only place tokens are kept.

DEFAULT_INSTANCE = "https://bsky.social"
PAGE_LIMIT = 100  # the most searchPosts and getAuthorFeed return per page
MAX_PAGES = 10  # per query and run: a generous cap, so one busy hashtag cannot run forever
GET_POSTS_MAX = 25  # app.bsky.feed.getPosts accepts at most 25 uris
# Posts reach the search index out of order by a few seconds to minutes; a post indexed this
# long before the newest one seen may still be new, so it is checked against `recent`.
OVERLAP = timedelta(minutes=5)
RECENT_MAX = 300  # ids remembered per query inside the overlap window
ERROR_BODY_MAX = 64 * 1024
LOGIN_ONLY_LABEL = "!no-unauthenticated"
# Bluesky's own hosts: the PDS entryway (bsky.social, *.bsky.network) serves app.bsky.* only to
# logged-in accounts, and the public AppView (*.bsky.app) has turned off anonymous post search
# (lexicon note "may require authentication"; atproto issues #3423, #3891).
_LOGIN_REQUIRED_HOSTS = ("bsky.social", "bsky.network", "bsky.app")
_TOKEN_ERRORS = {"ExpiredToken", "InvalidToken"}
# getAuthorFeed answers 400 with these when an account cannot be read; the others carry on.
_ACCOUNT_ERRORS = {"InvalidRequest", "BlockedActor", "BlockedByActor", "AccountTakedown",
                   "AccountDeactivated", "NotFound"}
_SESSION_LOCK = threading.RLock()  # one refresh at a time inside a process

def credentials_needed() -> str:
    """What to set for Bluesky's search, in the language of the moment."""
    return _("Bluesky requires a login to search posts: set PIAZZA_BLUESKY_HANDLE (e.g. "
             "ente.bsky.social) and PIAZZA_BLUESKY_APP_PASSWORD to an app password (Settings → "
             "Privacy and security → App passwords), not to the account's password.")


class XrpcRefused(SourceError):
    """An XRPC error answer (400/401/403) with its `error` code, e.g. ExpiredToken."""

    def __init__(self, message: str, *, status: int, error: str = "", detail: str = "") -> None:
        super().__init__(message, status=status)
        self.error = error
        self.detail = detail  # the server's own words, e.g. "Profile not found"


@dataclass
class _Query:
    key: str  # stable name in the cursor: "tag:pasocial", "q:…", "author:ente.bsky.social"
    nsid: str
    params: dict[str, Any]
    items: str  # "posts" (searchPosts) or "feed" (getAuthorFeed)
    label: str  # for people: "#pasocial", "@ente.bsky.social"


def _moment(value: object) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _item_time(item: dict[str, Any]) -> datetime | None:
    """When an item entered the listing: the repost's time for reposts, else the post's."""
    reason = item.get("reason")
    if isinstance(reason, dict) and reason.get("$type") == _REPOST_REASON:
        return _moment(reason.get("indexedAt"))
    view = item.get("post") if isinstance(item.get("post"), dict) else item
    return _moment(view.get("indexedAt"))


class _Seen:
    """What one query has already brought: the newest time and the ids just before it."""

    def __init__(self, saved: object) -> None:
        saved = saved if isinstance(saved, dict) else {}
        self.first_run = not saved
        # `mark` stays as earlier runs left it; `newest` moves with this run's items.
        self.mark = self.newest = _moment(saved.get("newest"))
        recent = saved.get("recent")
        self.recent: dict[str, str] = {
            k: v for k, v in (recent.items() if isinstance(recent, dict) else ())
            if isinstance(k, str) and isinstance(v, str)}
        self.before = set(self.recent)

    def is_old(self, when: datetime | None) -> bool:
        """Older than the overlap window of earlier runs: seen before, by construction."""
        return bool(self.mark and when and when < self.mark - OVERLAP)

    def knows(self, item_id: str, when: datetime | None) -> bool:
        """Whether this item was already read, by an earlier run or earlier in this one."""
        return self.is_old(when) or item_id in self.recent

    def seen_before(self, item_id: str, when: datetime | None) -> bool:
        """Whether an earlier run read it: paging can stop after this page."""
        return self.is_old(when) or item_id in self.before

    def add(self, item_id: str, when: datetime | None) -> None:
        """Remember an item read in this run."""
        if when is None:
            return
        if self.newest is None or when > self.newest:
            self.newest = when
        self.recent[item_id] = _iso(when)

    def to_cursor(self) -> dict[str, Any]:
        """The JSON kept in the source's cursor: no tokens, no texts, only ids and times."""
        if self.newest is None:
            return {}
        floor = self.newest - OVERLAP
        kept = sorted(((t, i) for i, t in self.recent.items()
                       if (_moment(t) or floor) >= floor), reverse=True)[:RECENT_MAX]
        return {"newest": _iso(self.newest), "recent": {i: t for t, i in kept}}


def _error_of(body: bytes) -> tuple[str, str]:
    """(error, message) from an XRPC error body, ("", "") when it is not one."""
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return "", ""
    if not isinstance(data, dict):
        return "", ""
    error, message = data.get("error"), data.get("message")
    return (error if isinstance(error, str) else "")[:64], \
        (message if isinstance(message, str) else "")[:160]


def _login_required_host(instance: str) -> bool:
    host = (urlsplit(instance).hostname or "").lower()
    return any(host == h or host.endswith("." + h) for h in _LOGIN_REQUIRED_HOSTS)


def _handles(values: object) -> list[str]:
    handles = []
    for value in values if isinstance(values, list) else []:
        if isinstance(value, dict):
            if value.get("platform", PLATFORM) != PLATFORM:
                continue
            value = value.get("handle")
        if isinstance(value, str):
            handle = value.strip().removeprefix("bluesky:").lstrip("@").strip()
            if handle:
                handles.append(handle)
    return list(dict.fromkeys(handles))


def _hide_login_only_references(post: Post, item: dict[str, Any]) -> None:
    """Keep the link, drop the words and names of quoted or answered login-only posts."""
    quoted = (post.raw.get("post", post.raw) if isinstance(post.raw, dict) else {}).get("embed")
    if isinstance(quoted, dict) and quoted.get("$type") == "app.bsky.embed.recordWithMedia#view":
        quoted = quoted.get("record")
    record = quoted.get("record") if isinstance(quoted, dict) else None
    if post.quote_of and isinstance(record, dict) and requires_login(
            {"author": record.get("author"), "labels": record.get("labels"),
             "record": record.get("value")}):
        post.quote_of = Reference(remote_id=post.quote_of.remote_id, url=post.quote_of.url)
    parent = (item.get("reply") or {}).get("parent") if isinstance(item, dict) else None
    if post.reply_to and isinstance(parent, dict) and requires_login(parent):
        post.reply_to = Reference(remote_id=post.reply_to.remote_id, url=post.reply_to.url)


@register("bluesky")
class BlueskySource:
    """Bluesky over XRPC: hashtag and text search, followed accounts' feeds, deletions.

    Config: `instance` (default https://bsky.social), `hashtags` (default: the event's),
    `query` (free text), `accounts` (handles; default: the event's Bluesky accounts),
    `interval`. Posts whose authors ask not to be shown to logged-out readers
    (`!no-unauthenticated`) are left out: the wall is public.
    """

    default_interval = 30.0

    def __init__(self, config: dict[str, Any], event: dict[str, Any],
                 client: httpx.Client | None, settings: dict[str, Any]) -> None:
        self.instance = str(config.get("instance") or DEFAULT_INSTANCE).strip().rstrip("/")
        if urlsplit(self.instance).scheme not in ("http", "https"):
            raise SourceError(_("The Bluesky instance %(address)s is not an http(s) address.",
                                address=repr(self.instance)))
        hashtags = config.get("hashtags") or event.get("hashtags") or []
        self.hashtags = list(dict.fromkeys(
            t.strip().lstrip("#") for t in hashtags if isinstance(t, str) and t.strip("# ")))
        self.query = str(config.get("query") or "").strip()
        self.accounts = _handles(config.get("accounts") or event.get("accounts") or [])
        # The collector always hands a client; a bare make_source() call gets a default one.
        self.client = client or make_client()
        self.handle = str(settings.get("BLUESKY_HANDLE") or "").strip().lstrip("@")
        self._password = str(settings.get("BLUESKY_APP_PASSWORD") or "")
        key = hashlib.sha256(f"{self.instance}\n{self.handle.lower()}".encode()).hexdigest()[:12]
        self.session_file = instance_path(settings) / f"bluesky-session-{key}.json"
        self._session: dict[str, str] | None = None

    # -- what to read ------------------------------------------------------------------------
    def queries(self) -> list[_Query]:
        """One search per hashtag (the `tag` filter ANDs several), the free text, each feed."""
        search = "app.bsky.feed.searchPosts"
        found = [
            # `q` is required by the lexicon; "#tag" is what bsky.app itself sends for a hashtag.
            _Query(f"tag:{tag.lower()}", search,
                   {"q": f"#{tag}", "tag": tag, "sort": "latest", "limit": PAGE_LIMIT},
                   "posts", f"#{tag}")
            for tag in self.hashtags
        ]
        if self.query:
            found.append(_Query(f"q:{self.query}", search,
                                {"q": self.query, "sort": "latest", "limit": PAGE_LIMIT},
                                "posts", f"«{self.query}»"))
        found.extend(
            _Query(f"author:{handle.lower()}", "app.bsky.feed.getAuthorFeed",
                   {"actor": handle, "filter": "posts_with_replies", "limit": PAGE_LIMIT},
                   "feed", f"@{handle}")
            for handle in self.accounts
        )
        return found

    # -- the Source interface ----------------------------------------------------------------
    def fetch(self, cursor: dict[str, Any], now: datetime) -> Batch:
        """Everything new since the cursor: per query, newest first, until known posts."""
        saved = cursor.get("queries") if isinstance(cursor.get("queries"), dict) else {}
        batch = Batch(cursor={"queries": {}})
        queries = self.queries()
        if not queries:
            raise SourceError(_("The Bluesky source has no hashtag or account to follow: add "
                                "them to the event or to the source."))
        taken: set[str] = set()
        failed: list[str] = []
        for query in queries:
            seen = _Seen(saved.get(query.key))
            try:
                self._read(query, seen, now, batch, taken)
            except XrpcRefused as exc:
                if query.items != "feed" or exc.error not in _ACCOUNT_ERRORS:
                    raise
                # One unreadable account (renamed, deleted, blocking us) must not stop the
                # rest; its cursor stays where it was, so nothing in between is skipped.
                failed.append(self._redact(_(
                    "Bluesky cannot read the account %(account)s (%(error)s): check the "
                    "accounts set up.", account=query.label,
                    error=exc.error + (": " + exc.detail if exc.detail else ""))))
                batch.cursor["queries"][query.key] = saved.get(query.key) or {}
                continue
            batch.cursor["queries"][query.key] = seen.to_cursor() or saved.get(query.key) or {}
        if failed and len(failed) == len(queries):
            raise SourceError(" ".join(failed))
        batch.notes.extend(failed)
        return batch

    def recheck(self, remote_ids: list[str], now: datetime) -> list[str]:
        """The ids among these whose post no longer exists (reposts follow their original)."""
        by_uri: dict[str, list[str]] = {}
        for remote_id in remote_ids:
            uri = remote_id.split("#", 1)[0]
            if uri.startswith("at://"):
                by_uri.setdefault(uri, []).append(remote_id)
        uris, gone = list(by_uri), []
        for start in range(0, len(uris), GET_POSTS_MAX):
            chunk = uris[start:start + GET_POSTS_MAX]
            data = self._get("app.bsky.feed.getPosts", {"uris": chunk}, now)
            posts = data.get("posts") if isinstance(data, dict) else None
            if not isinstance(posts, list):
                raise SourceError(_("Bluesky answered getPosts with unexpected data."))
            present = {p.get("uri") for p in posts if isinstance(p, dict)}
            # getPosts leaves out what it cannot find: deleted, or taken down.
            gone.extend(rid for uri in chunk if uri not in present for rid in by_uri[uri])
        return gone

    # -- reading one query -------------------------------------------------------------------
    def _read(self, query: _Query, seen: _Seen, now: datetime, batch: Batch,
              taken: set[str]) -> None:
        """Page through one query into the batch, stopping at what earlier runs brought."""
        first_run, page_cursor = seen.first_run, None
        for page in range(MAX_PAGES):
            params = dict(query.params)
            if page_cursor:
                params["cursor"] = page_cursor
            data = self._get(query.nsid, params, now)
            items = data.get(query.items) if isinstance(data, dict) else None
            if not isinstance(items, list):
                raise SourceError(_("Bluesky answered with unexpected data for %(query)s.",
                                    query=query.label))
            # Stop after the page that reaches what earlier runs read; the rest of that page is
            # still checked one by one, which catches posts the index took late.
            reached_known = not items
            for item in items:
                if not isinstance(item, dict):
                    continue
                when = _item_time(item)
                item_id = self._take(item, query, batch, taken, seen, when)
                reached_known = reached_known or seen.seen_before(item_id, when)
                seen.add(item_id, when)
            page_cursor = data.get("cursor") if isinstance(data.get("cursor"), str) else None
            # First run: the latest page is enough; the wall is about what happens from now on.
            if first_run or reached_known or not page_cursor:
                return
            if page == MAX_PAGES - 1:
                batch.notes.append(_(
                    "Bluesky %(query)s: more than %(num)s new posts in one round; the newest "
                    "were read, the oldest may be missing.", query=query.label,
                    num=MAX_PAGES * PAGE_LIMIT))

    def _take(self, item: dict[str, Any], query: _Query, batch: Batch, taken: set[str],
              seen: _Seen, when: datetime | None) -> str:
        """Add one item to the batch unless known or login-only; returns its id."""
        uri = str((item.get("post") or {}).get("uri") if query.items == "feed"
                  else item.get("uri"))
        try:
            post = normalize_feed_item(item) if query.items == "feed" else normalize(item)
        except NormalizeError as exc:
            if not seen.knows(uri, when):
                batch.skipped.append(_("Bluesky %(query)s: unreadable item (%(problem)s).",
                                       query=query.label, problem=exc))
            return uri
        if seen.knows(post.remote_id, when) or post.remote_id in taken:
            return post.remote_id
        taken.add(post.remote_id)
        view = item.get("post") if query.items == "feed" else item
        reason = item.get("reason") if query.items == "feed" else None
        reposter = reason.get("by") if isinstance(reason, dict) else None
        reposter_asks = isinstance(reposter, dict) and post.reposted_by is not None \
            and LOGIN_ONLY_LABEL in _label_values(reposter.get("labels"))
        if requires_login(view) or reposter_asks:
            # Their author asked Bluesky not to show them to logged-out people; the wall and
            # the recap are public, so they stay out (a moderation choice would be too late).
            who = post.author.handle if requires_login(view) else post.reposted_by.handle
            batch.skipped.append(_(
                "Bluesky post by %(who)s not collected: the author asked not to be shown to "
                "people who are not logged in (%(id)s).", who=who, id=post.remote_id))
            return post.remote_id
        _hide_login_only_references(post, item)
        batch.posts.append(post)
        return post.remote_id

    # -- XRPC with a session -----------------------------------------------------------------
    def _get(self, nsid: str, params: dict[str, Any], now: datetime) -> Any:
        """GET an app.bsky query, logged in when credentials exist, renewing an old session."""
        session = self._current_session(now)
        token = session["accessJwt"] if session else None
        try:
            return self._xrpc("GET", nsid, now, params=params, token=token)
        except XrpcRefused as exc:
            if session is None:
                if exc.status in (401, 403):
                    raise SourceError(credentials_needed(), status=exc.status) from None
                raise
            if exc.error not in _TOKEN_ERRORS and exc.status != 401:
                raise
        session = self._renew(session, now)
        return self._xrpc("GET", nsid, now, params=params, token=session["accessJwt"])

    def _xrpc(self, method: str, nsid: str, now: datetime, *, params: Any = None,
              body: dict[str, Any] | None = None, token: str | None = None) -> Any:
        """One XRPC call: JSON back, or a SourceError in plain words (never with a secret)."""
        url = f"{self.instance}/xrpc/{nsid}"
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        try:
            with self.client.stream(method, url, params=params, json=body,
                                    headers=headers) as response:
                try:
                    check_response(response, PLATFORM, now)
                except SourceError as exc:
                    if response.status_code not in (400, 401, 403):
                        raise
                    error, message = _error_of(read_body(response, ERROR_BODY_MAX))
                    detail = f" ({error}: {message})" if error and message else \
                        (f" ({error})" if error else "")
                    raise XrpcRefused(self._redact(f"{exc}{detail}"),
                                      status=response.status_code, error=error,
                                      detail=self._redact(message)) from None
                data = read_body(response)
        except httpx.TimeoutException:
            raise SourceError(_("Bluesky did not answer in time (timeout).")) from None
        except httpx.TransportError:
            raise SourceError(_("Could not connect to Bluesky (%(address)s).",
                                address=self.instance)) from None
        return parse_json(data, PLATFORM, response.headers.get("content-type", ""))

    def _redact(self, text: str) -> str:
        """Belt and braces: no server answer may carry a secret into a message."""
        session = self._session or {}
        for secret in (self._password, session.get("accessJwt"), session.get("refreshJwt")):
            if secret:
                text = text.replace(secret, "***")
        return text

    def _current_session(self, now: datetime) -> dict[str, str] | None:
        """The cached session, a new one, or None when reading anonymously is possible."""
        if self._session is not None:
            return self._session
        if not (self.handle and self._password):
            if self.handle or self._password or _login_required_host(self.instance):
                raise SourceError(credentials_needed())
            return None  # a self-hosted AppView may serve search without login: try it
        with _SESSION_LOCK:
            self._session = self._load_session() or self._create_session(now)
        return self._session

    def _renew(self, used: dict[str, str], now: datetime) -> dict[str, str]:
        """After ExpiredToken: another source's fresher session, a refresh, or a new login."""
        with _SESSION_LOCK:
            cached = self._load_session()
            if cached and cached["accessJwt"] != used["accessJwt"]:
                self._session = cached
                return cached
            try:
                data = self._xrpc("POST", "com.atproto.server.refreshSession", now,
                                  token=used["refreshJwt"])
                self._session = self._save_session(data)
            except XrpcRefused:
                # The refresh token is dead too (expired, revoked): log in again, once.
                self.session_file.unlink(missing_ok=True)
                self._session = self._create_session(now)
            return self._session

    def _create_session(self, now: datetime) -> dict[str, str]:
        try:
            data = self._xrpc("POST", "com.atproto.server.createSession", now,
                              body={"identifier": self.handle, "password": self._password})
        except XrpcRefused as exc:
            raise SourceError(_(
                "Bluesky does not accept the login of @%(handle)s (%(error)s): check "
                "PIAZZA_BLUESKY_HANDLE and PIAZZA_BLUESKY_APP_PASSWORD (an app password, not "
                "the account's password).", handle=self.handle,
                error=exc.error or exc.status), status=exc.status) from None
        except RateLimited as exc:
            raise RateLimited(_("Too many logins to Bluesky with the app password: %(problem)s",
                                problem=exc),
                              retry_at=exc.retry_at, status=exc.status) from None
        return self._save_session(data)

    def _save_session(self, data: Any) -> dict[str, str]:
        """Keep the four session fields in the instance folder, readable by us only."""
        keys = ("accessJwt", "refreshJwt", "did", "handle")
        if not isinstance(data, dict) or not all(isinstance(data.get(k), str) for k in keys):
            raise SourceError(_("Bluesky answered the login with incomplete data."))
        session = {k: data[k] for k in keys}
        self.session_file.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.session_file.with_name(f"{self.session_file.name}.{os.getpid()}.tmp")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            json.dump(session, handle)
        os.chmod(temporary, 0o600)  # O_CREAT's mode does not apply to a leftover file
        os.replace(temporary, self.session_file)
        return session

    def _load_session(self) -> dict[str, str] | None:
        try:
            data = json.loads(self.session_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        keys = ("accessJwt", "refreshJwt", "did", "handle")
        if not isinstance(data, dict) or not all(isinstance(data.get(k), str) for k in keys):
            return None
        return {k: data[k] for k in keys}
