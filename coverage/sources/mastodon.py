"""Mastodon: Status entities (https://docs.joinmastodon.org/entities/Status/) to Posts, and the
live source that reads them from an instance's REST and streaming APIs."""

from __future__ import annotations

import json
import logging
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, quote, urlencode, urljoin, urlsplit

import httpx
from flask_babel import gettext as _

from coverage.model import Author, Media, NormalizeError, Post, Reference, format_time, parse_time
from coverage.sanitize import clean_post_html, html_to_text
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
    get_json,
    make_client,
    rate_limit_remaining,
    rate_limit_reset,
)
from coverage.sources.registry import Batch, register

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


def _reference(status: dict[str, Any], text: str) -> Reference:
    return Reference(
        remote_id=status["uri"],
        url=http_url(status.get("url")) or http_url(status["uri"]),
        author=_author(status.get("account"), "quoted Mastodon status"),
        text=text,
    )


def _quote(status: dict[str, Any]) -> Reference | None:
    quote = status.get("quote")
    if not isinstance(quote, dict):
        return None
    quoted = quote.get("quoted_status")
    if isinstance(quoted, dict) and quoted.get("uri"):
        text = clip(html_to_text(quoted.get("content") or ""), TEXT_MAX)
        return _reference(_check_status(quoted), text)
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

    content = clean_post_html(content_status.get("content") or "")
    text = clip(content.text, TEXT_MAX)
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
        html=content.html,
        media=[m for m in media if m],
        reply_to=Reference(remote_id=str(in_reply_to)) if in_reply_to else None,
        repost_of=_reference(content_status, text) if reblog else None,
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
        links=content.links,
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


# -- the live source: REST polling, the hashtag stream, re-checks ----------------------------

PAGE_SIZE = 40  # the most Mastodon returns in one page
PAGE_CAP = 10  # pages per timeline per run; the cursor carries on from there next run
LOOKUP_RETRY = timedelta(minutes=15)  # before looking up again a handle the instance lacked
ACCESS_RECHECK = timedelta(hours=1)  # before asking /api/v2/instance again
RECHECK_REQUESTS = 30  # status look-ups per `recheck` call
SEEN_MAX = 20_000  # id ↔ uri pairs remembered per instance in this process
# Mastodon writes a heartbeat comment every 15 s: a minute of silence is a dead connection.
STREAM_TIMEOUT = httpx.Timeout(10.0, connect=5.0, read=60.0)
MAX_EVENT_CHARS = 1_000_000  # a Status is a few kB; a larger event is dropped
MAX_WAIT = 15 * 60.0  # longest pause of the stream loop, even when asked to wait longer

log = logging.getLogger(__name__)


def page_links(header: str) -> dict[str, str]:
    """The URLs of a `Link` header (RFC 8288) by relation: {"next": …, "prev": …}."""
    links: dict[str, str] = {}
    for part in re.split(r",\s*(?=<)", header or ""):
        match = re.match(r"\s*<([^>]*)>(.*)", part, re.S)
        rel = match and re.search(r';\s*rel\s*=\s*"?([^";]+)"?', match.group(2), re.I)
        if match and rel:
            for name in rel.group(1).lower().split():
                links.setdefault(name, match.group(1))
    return links


def link_cursor(header: str, rel: str) -> str | None:
    """The id a `Link` relation pages from: `min_id` (or an older server's `since_id`) for
    "prev", the newer side; `max_id` for "next", the older side."""
    url = page_links(header).get(rel)
    if not url:
        return None
    query = parse_qs(urlsplit(url).query)
    for name in ("min_id", "since_id") if rel == "prev" else ("max_id",):
        if query.get(name) and query[name][0]:
            return query[name][0]
    return None


def _id_order(value: str) -> tuple[int, str]:
    # Snowflake ids are digit strings of growing length (and other servers' flake ids are
    # fixed-length strings): length first, then the characters, sorts them by age.
    return len(value), value


def newest_id(*ids: object) -> str | None:
    """The newest of some status ids (None and empty values ignored)."""
    found = [str(i) for i in ids if isinstance(i, str | int) and str(i)]
    return max(found, key=_id_order) if found else None


def hashtag_access(instance: object) -> dict[str, str]:
    """`configuration.timelines_access.hashtag_feeds` of /api/v2/instance (Mastodon 4.5+):
    {"local": …, "remote": …} with "public", "authenticated" or "disabled"; {} when absent."""
    feeds: Any = instance
    for key in ("configuration", "timelines_access", "hashtag_feeds"):
        feeds = feeds.get(key) if isinstance(feeds, dict) else None
    if not isinstance(feeds, dict):
        return {}
    return {k: v for k, v in feeds.items() if k in ("local", "remote") and isinstance(v, str)}


def sse_events(lines: Iterable[str]) -> Iterator[tuple[str, str]]:
    """(event, data) pairs from the lines of a server-sent event stream. Comments (":thump")
    are skipped; an event cut off before its closing blank line is never yielded."""
    event, data, size = "", [], 0
    for line in lines:
        if not line:
            if data and size <= MAX_EVENT_CHARS:
                yield event or "message", "\n".join(data)
            event, data, size = "", [], 0
            continue
        if line.startswith(":"):
            continue
        name, _colon, value = line.partition(":")
        value = value[1:] if value.startswith(" ") else value
        if name == "event":
            event = value
        elif name == "data":
            size += len(value)
            if size <= MAX_EVENT_CHARS:
                data.append(value)


class _Seen:
    """Status ids of one instance ↔ their uris, as met in this process (bounded).

    The stream's `delete` names only the instance's id, and a re-check only has the uri: this
    links the two for statuses of other servers, whose uri does not carry the local id.
    """

    def __init__(self, size: int = SEEN_MAX) -> None:
        self.size = size
        self.lock = threading.Lock()
        self.uris: OrderedDict[str, str] = OrderedDict()
        self.ids: dict[str, str] = {}

    def add(self, local_id: str, uri: str) -> None:
        """Remember a status, forgetting the oldest beyond `size`."""
        with self.lock:
            self.uris[local_id] = uri
            self.uris.move_to_end(local_id)
            self.ids[uri] = local_id
            while len(self.uris) > self.size:
                old_id, old_uri = self.uris.popitem(last=False)
                if self.ids.get(old_uri) == old_id:
                    del self.ids[old_uri]

    def uri(self, local_id: str) -> str | None:
        """The uri of an id met before, or None."""
        with self.lock:
            return self.uris.get(local_id)

    def local_id(self, uri: str) -> str | None:
        """The instance's id of a uri met before, or None."""
        with self.lock:
            return self.ids.get(uri)


_SEEN: dict[str, _Seen] = {}  # by instance base URL
_RECHECK_START: dict[str, int] = {}  # where the next re-check round begins, by instance
_SEEN_LOCK = threading.Lock()


def _seen_for(instance: str) -> _Seen:
    with _SEEN_LOCK:
        return _SEEN.setdefault(instance, _Seen())


def _listed(value: object) -> list[Any]:
    # A single word typed where a list was expected is still one entry, not its letters.
    if isinstance(value, str):
        return [value]
    return list(value) if isinstance(value, list | tuple) else []


def _clean_tags(values: list[Any]) -> list[str]:
    tags: dict[str, str] = {}
    for value in values:
        tag = str(value or "").strip().lstrip("#").strip()
        if tag:
            tags.setdefault(tag.lower(), tag)
    return list(tags.values())


def _clean_handles(values: list[Any]) -> tuple[list[str], list[str]]:
    """Handles as "@name@server" or "@name" (local to the instance), lower case, no repeats;
    and the entries that are not handles."""
    handles: dict[str, None] = {}
    invalid = []
    for value in values:
        if isinstance(value, dict):
            if value.get("platform") != PLATFORM:
                continue
            value = value.get("handle")
        acct = str(value or "").strip().lstrip("@").lower()
        if re.fullmatch(r"[\w.-]+(@[\w.-]+(:\d+)?)?", acct):
            handles["@" + acct] = None
        elif acct:
            invalid.append(str(value))
    return list(handles), invalid


class _Run:
    """What one fetch carries from request to request: the time, rate limit, remarks."""

    def __init__(self, now: datetime) -> None:
        self.now = now
        self.exhausted = False  # X-RateLimit-Remaining reached 0: no more requests this run
        self.reset: datetime | None = None
        self.notes: list[str] = []
        self.skipped: list[str] = []


@register("mastodon")
class MastodonSource:
    """A Mastodon instance: the event's hashtags and followed accounts, polled with `min_id`
    cursors, streamed live (first hashtag), and re-checked for deletions."""

    default_interval = 20.0

    def __init__(self, config: dict[str, Any], event: dict[str, Any],
                 client: httpx.Client | None, settings: dict[str, Any]) -> None:
        instance = str(config.get("instance") or "").strip().rstrip("/")
        parts = urlsplit(instance)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise SourceError(_("The Mastodon instance's address is missing (or not valid): "
                                "give it in full, for example https://mastodon.social."))
        # The admin configured this address: a private or loopback server is allowed here.
        self.instance = instance
        self.host = parts.hostname.lower()
        # An empty list in the config (what `sources add` writes) means "the event's".
        self.hashtags = _clean_tags(_listed(config.get("hashtags") or event.get("hashtags")))
        self.accounts, self.invalid = _clean_handles(
            _listed(config.get("accounts") or event.get("accounts")))
        self.token_setting = str(config.get("token_setting") or "MASTODON_TOKEN")
        if not self.token_setting.startswith("MASTODON_TOKEN"):
            # The setting's value is sent to the instance: never another secret of Piazza.
            raise SourceError(_("token_setting must be the name of a Mastodon token "
                                "(MASTODON_TOKEN or MASTODON_TOKEN_…)."))
        self._token = str(settings.get(self.token_setting) or "").strip()
        self.client = client or make_client()
        self.page_cap = PAGE_CAP
        self.seen = _seen_for(instance)

    # -- requests ----------------------------------------------------------------------------
    def _headers(self) -> dict[str, str] | None:
        return {"Authorization": f"Bearer {self._token}"} if self._token else None

    def _get(self, path: str, run: _Run, params: Any = None) -> tuple[Any, httpx.Response]:
        data, response = get_json(self.client, self.instance + path, PLATFORM, run.now,
                                  params=params, headers=self._headers())
        if rate_limit_remaining(response.headers) == 0:
            run.exhausted = True
            run.reset = rate_limit_reset(response.headers, run.now)
        return data, response

    def _token_needed(self) -> str:
        return _("The instance %(host)s shows hashtags only to people who are logged in: set "
                 "%(setting)s (or the file %(file)s in the instance folder) to the token of an "
                 "account on that instance, with read permission only, and restart Piazza.",
                 host=self.host, setting=f"PIAZZA_{self.token_setting}",
                 file=self.token_setting.lower())

    # -- polling -----------------------------------------------------------------------------
    def fetch(self, cursor: dict[str, Any], now: datetime) -> Batch:
        """Statuses newer than the cursor on the hashtag timeline and each followed account."""
        if not self.hashtags and not self.accounts:
            raise SourceError(_("No Mastodon hashtag or account to follow: add at least one "
                                "to the event or to the source."))
        cursor = json.loads(json.dumps(cursor or {}))  # a private copy, JSON-shaped
        run = _Run(now)
        statuses: list[Any] = []
        if self.hashtags:
            statuses += self._hashtag_timeline(cursor, run)
        failures: list[SourceError] = []
        for handle in self.accounts:
            if run.exhausted:
                break
            try:
                statuses += self._account_timeline(handle, cursor, run)
            except RateLimited:
                raise
            except SourceError as exc:  # one account gone wrong never hides the others
                failures.append(exc)
                run.skipped.append(str(exc))
        if failures and not self.hashtags and len(failures) == len(self.accounts):
            raise failures[0]
        batch = self._batch(statuses, run)
        batch.cursor = cursor
        batch.notes += [_("Mastodon account not valid, ignored: %(account)s (write it as "
                          "@name@instance).", account=repr(a)) for a in self.invalid]
        if run.exhausted and run.reset:
            batch.notes.append(_("%(host)s has used up the requests allowed for now: the rest "
                                 "comes after %(time)s UTC.", host=self.host,
                                 time=f"{run.reset:%H:%M}"))
        elif run.exhausted:
            batch.notes.append(_("%(host)s has used up the requests allowed for now: the rest "
                                 "comes at the next round.", host=self.host))
        return batch

    def _batch(self, statuses: list[Any], run: _Run) -> Batch:
        """Posts, oldest first, each status once (a hashtag post by a followed account comes
        from both timelines)."""
        batch = Batch(notes=run.notes, skipped=run.skipped)
        unique: dict[str, dict[str, Any]] = {}
        for status in statuses:
            if isinstance(status, dict) and isinstance(status.get("uri"), str):
                unique.setdefault(status["uri"], status)
            else:
                batch.skipped.append(_("An item of the response is not a Mastodon post."))
        for status in sorted(unique.values(), key=lambda s: _id_order(str(s.get("id") or ""))):
            try:
                post = normalize(status)
            except NormalizeError as exc:
                log.warning("mastodon status %s skipped: %s", status.get("id"), exc)
                batch.skipped.append(_("Post %(id)s: %(problem)s", id=status.get("id"),
                                       problem=exc))
                continue
            self.seen.add(str(status["id"]), status["uri"])
            batch.posts.append(post)
        return batch

    def _newer(self, path: str, params: list[tuple[str, str]], min_id: str | None,
               run: _Run) -> tuple[list[Any], str | None]:
        """Statuses newer than `min_id`, page after page, and the id to continue from.

        With `min_id` Mastodon answers the statuses *immediately* newer, newest first, and
        `Link: rel="prev"` names the newest of them. The request is rebuilt from that id rather
        than following the link: Mastodon's links drop `any[]`, which would narrow the query
        to the first hashtag. Without a cursor (a first run) only the latest page is read.
        """
        found: list[Any] = []
        boundary = min_id
        for _page in range(self.page_cap):
            query = [*params, ("limit", str(PAGE_SIZE))]
            if boundary:
                query.append(("min_id", boundary))
            data, response = self._get(path, run, query)
            if not isinstance(data, list):
                raise SourceError(_("Mastodon answered with unexpected data instead of a list "
                                    "of posts."))
            found += data
            newer = newest_id(boundary, link_cursor(response.headers.get("link", ""), "prev"),
                              *(s.get("id") for s in data if isinstance(s, dict)))
            # A short page is the last one for now; whatever arrives later is newer than
            # `boundary`, so stopping early never loses a status.
            if (not data or min_id is None or len(data) < PAGE_SIZE or newer == boundary
                    or run.exhausted):
                return found, newer
            boundary = newer
        log.info("mastodon %s: page cap reached, continuing next run", path)
        return found, boundary

    def _hashtag_timeline(self, cursor: dict[str, Any], run: _Run) -> list[Any]:
        """One request covers every hashtag: the first in the path, the others as `any[]`."""
        first, *others = self.hashtags
        path = f"/api/v1/timelines/tag/{quote(first, safe='')}"
        try:
            found, boundary = self._newer(path, [("any[]", t) for t in others],
                                          cursor.get("tag_min_id"), run)
        except RateLimited:
            raise
        except SourceError as exc:
            # Mastodon 4.5+ can close hashtag feeds to anonymous readers (401, or 422/403
            # from the user checks); with a token, the plain message says what is wrong.
            if not self._token and exc.status in (401, 403, 422):
                raise SourceError(self._token_needed(), status=exc.status) from None
            raise
        if boundary:
            cursor["tag_min_id"] = boundary
        if not found and not self._token and not run.exhausted:
            self._check_access(cursor, run)
        return found

    def _check_access(self, cursor: dict[str, Any], run: _Run) -> None:
        """An empty hashtag timeline read anonymously: is the instance hiding it? Asked at
        most once per run, and again only after ACCESS_RECHECK."""
        checked = cursor.get("access_checked_at")
        if isinstance(checked, str) and parse_time(checked) > run.now - ACCESS_RECHECK:
            return
        try:
            data, _response = self._get("/api/v2/instance", run)
        except RateLimited:
            raise
        except SourceError as exc:  # an older server without v2/instance: nothing to learn
            log.info("mastodon %s: /api/v2/instance not readable: %s", self.host, exc)
            data = {}
        access = hashtag_access(data)
        if "authenticated" in access.values():
            raise SourceError(self._token_needed(), status=401)
        if access and set(access.values()) == {"disabled"}:
            raise SourceError(_("The instance %(host)s has turned hashtag feeds off: choose "
                                "another instance for this source.", host=self.host),
                              status=403)
        if access.get("local") == "disabled":
            run.notes.append(_("%(host)s does not show its own posts in hashtag feeds.",
                               host=self.host))
        if access.get("remote") == "disabled":
            run.notes.append(_("%(host)s does not show posts from other instances in hashtag "
                               "feeds: follow a larger instance too.", host=self.host))
        cursor["access_checked_at"] = format_time(run.now)

    def _account_timeline(self, handle: str, cursor: dict[str, Any], run: _Run) -> list[Any]:
        """One followed account: its id looked up once (kept in the cursor), then its new
        statuses, replies and boosts included."""
        accounts = cursor.setdefault("accounts", {})
        entry = accounts.get(handle) if isinstance(accounts.get(handle), dict) else {}
        if not entry.get("id"):
            missing = entry.get("missing_at")
            if isinstance(missing, str) and parse_time(missing) > run.now - LOOKUP_RETRY:
                raise SourceError(self._missing(handle), status=404)
            try:
                data, _response = self._get("/api/v1/accounts/lookup", run, [("acct", handle[1:])])
            except SourceError as exc:
                if exc.status in (404, 410):
                    accounts[handle] = {"missing_at": format_time(run.now)}
                    raise SourceError(self._missing(handle), status=exc.status) from None
                raise
            if not isinstance(data, dict) or not data.get("id"):
                raise SourceError(_("Mastodon answered with unexpected data when looking up "
                                    "%(handle)s.", handle=handle))
            entry = accounts[handle] = {"id": str(data["id"])}
            if run.exhausted:
                return []
        path = f"/api/v1/accounts/{quote(entry['id'], safe='')}/statuses"
        try:
            found, boundary = self._newer(path, [], entry.get("min_id"), run)
        except SourceError as exc:
            if exc.status in (404, 410):  # suspended, moved or gone: look it up again later
                accounts[handle] = {"missing_at": format_time(run.now)}
                raise SourceError(self._missing(handle), status=exc.status) from None
            raise
        if boundary:
            entry["min_id"] = boundary
        return found

    def _missing(self, handle: str) -> str:
        return _("The account %(handle)s is not found on %(host)s (it does not exist, is "
                 "suspended, or the instance never saw it): check how it is written; Piazza "
                 "will try again in a while.", handle=handle, host=self.host)

    # -- live stream -------------------------------------------------------------------------
    def stream(self, cursor: dict[str, Any], emit: Callable[[Batch], None],
               stop: threading.Event, *, reconnect_delay: float = 1.0,
               max_delay: float = 60.0, clock: Callable[[], datetime] | None = None) -> None:
        """Follow the first hashtag live (server-sent events) until `stop` is set.

        Every (re)connection starts with a REST backfill (`fetch`, emitted with its cursor);
        live batches carry an empty cursor, which keeps the saved polling cursor. A dropped
        stream is reopened after `reconnect_delay`, doubling up to `max_delay`. An instance
        without a usable stream (401/403/404: Mastodon 4.2+ wants a user token) ends the call
        quietly: polling goes on. The other hashtags and the accounts come from polling.
        `stop` is noticed at the next line of the stream: within a heartbeat (15 s).
        """
        clock = clock or (lambda: datetime.now(UTC))
        if not self.hashtags:
            log.info("mastodon %s: no hashtag to stream; polling only", self.host)
            return
        cursor = dict(cursor or {})
        failures = 0
        while not stop.is_set():
            try:
                batch = self.fetch(cursor, clock())
            except SourceError as exc:
                if exc.status in (401, 403, 404, 410, 422):
                    log.warning("mastodon %s: stream not started: %s", self.host, exc)
                    return
                failures += 1
                delay = min(reconnect_delay * 2 ** (failures - 1), max_delay)
                if exc.retry_at is not None:
                    delay = max(delay, (exc.retry_at - clock()).total_seconds())
                log.warning("mastodon %s: backfill failed (%s); retrying in %.0f s",
                            self.host, exc, delay)
                if stop.wait(min(delay, MAX_WAIT)):
                    return
                continue
            cursor = batch.cursor
            emit(batch)
            if stop.is_set():
                return
            available, connected = self._listen(self.hashtags[0], emit, stop)
            if not available or stop.is_set():
                return
            failures = 1 if connected else failures + 1
            if stop.wait(min(reconnect_delay * 2 ** (failures - 1), max_delay)):
                return

    def _listen(self, tag: str, emit: Callable[[Batch], None],
                stop: threading.Event) -> tuple[bool, bool]:
        """One connection to the hashtag stream: (stream available, connection was opened)."""
        url = f"{self.instance}/api/v1/streaming/hashtag?{urlencode({'tag': tag})}"
        headers = {"Accept": "text/event-stream", **(self._headers() or {})}
        connected = False
        try:
            for _hop in range(2):  # one redirect at most: to the instance's streaming host
                with self.client.stream("GET", url, headers=headers,
                                        timeout=STREAM_TIMEOUT) as response:
                    if response.is_redirect:
                        target = self._streaming_host(url, response.headers.get("location"))
                        if target is None:
                            break
                        url = target
                        continue
                    status = response.status_code
                    if status == 429 or status >= 500:
                        log.info("mastodon %s: stream answered %s", self.host, status)
                        return True, False
                    kind = response.headers.get("content-type", "")
                    if not response.is_success or "text/event-stream" not in kind:
                        log.info("mastodon %s: no live stream (HTTP %s); polling only",
                                 self.host, status)
                        return False, False
                    connected = True
                    for event, data in sse_events(_until(response.iter_lines(), stop)):
                        batch = self._event_batch(event, data)
                        if batch is not None:
                            emit(batch)
                        if stop.is_set():
                            break
                    return True, True
        except httpx.HTTPError as exc:  # the class only: a message could quote a header
            log.info("mastodon %s: stream interrupted (%s)", self.host, type(exc).__name__)
            return True, connected
        log.info("mastodon %s: stream redirected elsewhere; polling only", self.host)
        return False, False

    def _streaming_host(self, url: str, location: str | None) -> str | None:
        """Where Mastodon redirects its streaming API (a host of its own, e.g.
        streaming.mastodon.social), if it stays within the instance's domain: the token
        goes along."""
        if not location:
            return None
        target = urljoin(url, location)
        parts = urlsplit(target)
        host = (parts.hostname or "").lower()
        labels = self.host.split(".")
        domain = ".".join(labels[1:]) if len(labels) > 2 else self.host
        same_site = host == self.host or host.endswith("." + domain)
        downgrade = urlsplit(url).scheme == "https" and parts.scheme != "https"
        if parts.scheme not in ("http", "https") or not same_site or downgrade:
            return None
        return target

    def _event_batch(self, event: str, data: str) -> Batch | None:
        """A stream event as a batch: `update` → a new post, `status.update` → an edit,
        `delete` → a deletion (when this process has seen the status); None otherwise."""
        if event in ("update", "status.update"):
            try:
                status = json.loads(data)
                post = normalize(status)
            except (ValueError, NormalizeError) as exc:
                log.warning("mastodon %s: %s event skipped: %s", self.host, event, exc)
                return None
            self.seen.add(str(status["id"]), status["uri"])
            return Batch(posts=[post]) if event == "update" else Batch(updated=[post])
        if event == "delete":
            uri = self.seen.uri(data.strip().strip('"'))
            # Unknown ids are statuses never stored here; the re-check covers the rest.
            return Batch(deleted=[(PLATFORM, uri)]) if uri else None
        return None

    # -- re-checks ---------------------------------------------------------------------------
    def _local_id(self, uri: str) -> str | None:
        """The instance's id for a status uri: remembered from a fetch or the stream, or read
        from the uri of a status of this instance (…/statuses/ID, …/statuses/ID/activity)."""
        known = self.seen.local_id(uri)
        if known:
            return known
        parts = urlsplit(uri)
        match = re.search(r"/statuses/(\d+)(?:/activity)?/?$", parts.path)
        if (parts.hostname or "").lower() == self.host and match:
            return match.group(1)
        return None

    def recheck(self, remote_ids: list[str], now: datetime) -> list[str]:
        """The uris among those given that the instance no longer shows (deleted, or no longer
        public). At most RECHECK_REQUESTS look-ups per call, taking turns across calls.

        Statuses of other servers are checked only when this process has met their local id:
        a search by uri finds nothing without `resolve=true`, and a miss is no proof.
        """
        run = _Run(now)
        candidates = [(uri, local) for uri in remote_ids if (local := self._local_id(uri))]
        if not candidates:
            return []
        start = _RECHECK_START.get(self.instance, 0) % len(candidates)
        chosen = (candidates[start:] + candidates[:start])[:RECHECK_REQUESTS]
        _RECHECK_START[self.instance] = start + len(chosen)
        gone = []
        for uri, local_id in chosen:
            try:
                self._get(f"/api/v1/statuses/{quote(local_id, safe='')}", run)
            except SourceError as exc:
                if exc.status in (404, 410):
                    gone.append(uri)
                    continue
                log.info("mastodon %s: re-check paused: %s", self.host, exc)
                break
            if run.exhausted:
                break
        return gone


def _until(lines: Iterable[str], stop: threading.Event) -> Iterator[str]:
    """Lines until `stop` is set (checked on heartbeats too, not only on events)."""
    for line in lines:
        if stop.is_set():
            return
        yield line
