"""Posts added by their permalink: an editor pastes a URL and Piazza fetches that one post.

The URL is the editor's, so it is trusted for nothing. Only a Mastodon permalink makes us
fetch its own host (anyone's server), and always through the request-forgery guard. For the
other platforms the URL is only parsed, and its ids travel as parameters to the platform's
API or oEmbed endpoint; those bases come from the settings (the admin's), so a local test
server works the same way.

oEmbed answers carry the platform's HTML: only plain text is taken from it, and the markup is
neither inserted anywhere nor kept in `Post.raw`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import Any
from urllib.parse import SplitResult, parse_qs, quote, unquote, urlsplit

import httpx
from flask_babel import gettext as _

from coverage.model import Author, Media, NormalizeError, Post, Reference
from coverage.sanitize import linkify_spans
from coverage.sources import bluesky, mastodon, x
from coverage.sources.fields import ALT_MAX, NAME_MAX, TEXT_MAX, clip, http_url
from coverage.sources.http import (
    RateLimited,
    Resolver,
    SourceError,
    UnsafeURL,
    get_json,
    guarded_get,
    parse_json,
    system_resolver,
)

MAX_URL = 2048
BLUESKY_APPVIEW = "https://public.api.bsky.app"
X_API = "https://api.x.com"
X_OEMBED = "https://publish.twitter.com/oembed"
THREADS_API = "https://graph.threads.net"
YOUTUBE_OEMBED = "https://www.youtube.com/oembed"
# The fields a post needs to read well on the wall (the lookup answers with `data` + `includes`).
X_LOOKUP_PARAMS = {
    "expansions": "author_id,attachments.media_keys,referenced_tweets.id,"
                  "referenced_tweets.id.author_id",
    "tweet.fields": "author_id,created_at,lang,public_metrics,possibly_sensitive,entities,"
                    "attachments,referenced_tweets,note_tweet,conversation_id",
    "user.fields": "name,username,profile_image_url",
    "media.fields": "media_key,type,url,preview_image_url,alt_text,width,height,variants",
}
TWITTER_EPOCH_MS = 1288834974657  # snowflake ids count milliseconds from here
_FIRST_SNOWFLAKE = 1 << 32  # older, sequential X ids carry no time

_X_HOSTS = {"x.com", "www.x.com", "mobile.x.com", "twitter.com", "www.twitter.com",
            "mobile.twitter.com"}
_BLUESKY_HOSTS = {"bsky.app", "www.bsky.app"}
_THREADS_HOSTS = {"threads.net", "www.threads.net", "threads.com", "www.threads.com"}
_YOUTUBE_HOSTS = {"youtube.com", "www.youtube.com", "m.youtube.com"}
_YOUTU_BE = "youtu.be"

_X_PATH = re.compile(r"^/(?:(?P<user>[A-Za-z0-9_]{1,15})|i(?:/web)?)/status(?:es)?/"
                     r"(?P<id>\d{1,20})(?:/.*)?$")
_BLUESKY_PATH = re.compile(r"^/profile/(?P<actor>[^/]{1,256})/post/"
                           r"(?P<rkey>[A-Za-z0-9._:~-]{1,512})/?$")
_HANDLE = re.compile(r"^([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+"
                     r"[A-Za-z]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$")
_DID = re.compile(r"^did:[a-z]+:[A-Za-z0-9._:%-]{1,2048}$")
_THREADS_PATH = re.compile(r"^/(?:@(?P<user>[A-Za-z0-9._]{1,30})/post|t)/"
                           r"(?P<code>[A-Za-z0-9_-]{1,64})/?$")
_YOUTUBE_ID = re.compile(r"^[A-Za-z0-9_-]{11}$")
_YOUTUBE_PATH = re.compile(r"^/(?:shorts|live|embed)/(?P<id>[A-Za-z0-9_-]{11})/?$")
_MASTODON_PATH = re.compile(r"^/(?:@(?P<user>[^/]{1,256})|users/(?P<legacy>[^/]{1,256})/statuses)/"
                            r"(?P<id>\d{1,30})/?$")
_MASTODON_URI = re.compile(r"^/users/[^/]{1,256}/statuses/(?P<id>\d{1,30})$")
_MONTHS = {name: number for number, name in enumerate(
    ("january", "february", "march", "april", "may", "june", "july", "august", "september",
     "october", "november", "december"), start=1)}
_DATE = re.compile(r"^([A-Za-z]+) (\d{1,2}), (\d{4})$")

_HIDDEN_TAGS = frozenset({"script", "style", "template", "noscript", "iframe", "svg", "title"})

@dataclass(frozen=True)
class _Target:
    """What a permalink names: the platform and the ids needed to ask for the post."""

    platform: str
    post_id: str
    user: str = ""
    base: str = ""  # Mastodon: scheme://host[:port] of the instance


def _split(url: object) -> SplitResult:
    if not isinstance(url, str) or not url.strip():
        raise SourceError(_("Paste the address of a post."))
    url = url.strip()
    if len(url) > MAX_URL:
        raise SourceError(_("The address is too long to be the one of a post."))
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (raises on a port out of range)
    except ValueError:
        raise UnsafeURL(_("The address is not written correctly.")) from None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise UnsafeURL(_("Only web addresses (http:// or https://) are accepted."))
    if parts.username or parts.password:
        raise UnsafeURL(_("Addresses with a user name or password are not accepted."))
    return parts


def _target(url: str) -> _Target:
    """Parse a permalink; UnsafeURL or SourceError in plain words when it is not one."""
    parts = _split(url)
    host = parts.hostname.lower().rstrip(".")
    path = parts.path or "/"
    if host in _X_HOSTS:
        match = _X_PATH.match(path)
        if match:
            return _Target("x", match["id"], match["user"] or "")
    elif host in _BLUESKY_HOSTS:
        match = _BLUESKY_PATH.match(path)
        actor = unquote(match["actor"]) if match else ""
        if match and _DID.match(actor):
            return _Target("bluesky", match["rkey"], actor)
        if match and _HANDLE.match(actor):
            actor = actor.lower()  # handles are case-insensitive; DIDs are not
            return _Target("bluesky", match["rkey"], actor)
    elif host in _THREADS_HOSTS:
        match = _THREADS_PATH.match(path)
        if match:
            return _Target("threads", match["code"], match["user"] or "")
    elif host in _YOUTUBE_HOSTS or host == _YOUTU_BE:
        video = _youtube_id(host, path, parts.query)
        if video:
            return _Target("youtube", video)
    else:
        match = _MASTODON_PATH.match(path)
        if match:
            base = f"{parts.scheme.lower()}://{parts.netloc}"
            return _Target("mastodon", match["id"], match["user"] or match["legacy"], base)
    raise SourceError(_("This address is not recognised as a post on Mastodon, Bluesky, X, "
                        "Threads or YouTube: copy the link of the single post."))


def _youtube_id(host: str, path: str, query: str) -> str:
    if host == _YOUTU_BE:
        candidate = path.strip("/")
    elif path.rstrip("/") == "/watch":
        candidate = (parse_qs(query).get("v") or [""])[0]
    else:
        match = _YOUTUBE_PATH.match(path)
        candidate = match["id"] if match else ""
    return candidate if _YOUTUBE_ID.match(candidate) else ""


def platform_of(url: str) -> str:
    """The platform a post's permalink belongs to: mastodon, bluesky, x, threads or youtube."""
    return _target(url).platform


def fetch_post(url: str, settings: dict[str, Any], client: httpx.Client, now: datetime,
               resolver: Resolver = system_resolver) -> Post:
    """The post a permalink points to, fetched from its platform; SourceError in plain words."""
    target = _target(url)
    if target.platform == "mastodon":
        return _mastodon(target, client, now, resolver)
    if target.platform == "bluesky":
        return _bluesky(target, settings, client, now)
    if target.platform == "x":
        return _x(target, settings, client, now)
    if target.platform == "threads":
        return _threads(target, settings, client, now)
    return _youtube(target, settings, client, now)


def _reworded(exc: SourceError, messages: dict[int, str]) -> SourceError:
    """The same failure with words that fit a single post, where the status says more."""
    if exc.status in messages:
        return SourceError(messages[exc.status], retry_at=exc.retry_at, status=exc.status)
    return exc


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# -- Mastodon --------------------------------------------------------------------------------

def _mastodon(target: _Target, client: httpx.Client, now: datetime, resolver: Resolver) -> Post:
    host = urlsplit(target.base).hostname or ""
    status = _mastodon_status(target.base, target.post_id, client, resolver)
    if status.get("reblog"):
        raise SourceError(_("This is a repost: add the link of the original post."))
    uri = status.get("uri") if isinstance(status.get("uri"), str) else ""
    origin = urlsplit(uri) if http_url(uri) else None
    if origin and origin.hostname != host:
        # Seen through another instance, which could write anything in a stranger's name:
        # only the post's own server vouches for it, so ask that one.
        match = _MASTODON_URI.match(origin.path)
        elsewhere = _("The post comes from %(host)s and cannot be checked there: add the "
                      "link of the post on its home instance.", host=origin.hostname)
        if not match:
            raise SourceError(elsewhere)
        base = f"{origin.scheme}://{origin.netloc}"
        status = _mastodon_status(base, match["id"], client, resolver)
        if status.get("uri") != uri:
            raise SourceError(elsewhere)
        host = origin.hostname or ""
    account = status.get("account") if isinstance(status.get("account"), dict) else {}
    acct, profile = account.get("acct"), http_url(account.get("url"))
    # A server speaks only for its own accounts: a "local" author with a profile elsewhere
    # would put words in the mouth of someone it does not host.
    if not isinstance(acct, str) or "@" in acct or not profile \
            or urlsplit(profile).hostname != host:
        raise SourceError(_("%(host)s attributes the post to an account it does not host: "
                            "it is not added.", host=host))
    if status.get("visibility") not in (None, "public", "unlisted"):
        raise SourceError(_("The post is not public: it is not added."))
    try:
        return mastodon.normalize(status)
    except NormalizeError:
        raise SourceError(_("%(host)s did not answer with a readable Mastodon post: perhaps "
                            "it is not a Mastodon instance.", host=host)) from None


def _mastodon_status(base: str, status_id: str, client: httpx.Client,
                     resolver: Resolver) -> dict[str, Any]:
    """GET /api/v1/statuses/:id of an instance named by a URL, through the guard."""
    host = urlsplit(base).hostname
    gone = _("The post does not exist, is not public or was deleted.")
    try:
        # No token goes with it: ours belongs to the instances we configured, not to this one.
        body, response = guarded_get(client, f"{base}/api/v1/statuses/{status_id}",
                                     resolver=resolver, content_types=("application/json",),
                                     headers={"Accept": "application/json"})
    except SourceError as exc:
        raise _reworded(exc, {
            401: _("%(host)s shows posts only to people who are logged in: use the link of "
                   "the post on its author's instance.", host=host),
            403: _("%(host)s does not allow reading this post.", host=host),
            404: gone, 410: gone}) from None
    status = parse_json(body, "mastodon", response.headers.get("content-type", ""))
    if not isinstance(status, dict) or not status.get("id") or not status.get("uri"):
        raise SourceError(_("%(host)s did not answer with a readable Mastodon post: perhaps "
                            "it is not a Mastodon instance.", host=host))
    return status


# -- Bluesky ---------------------------------------------------------------------------------

def _bluesky(target: _Target, settings: dict[str, Any], client: httpx.Client,
             now: datetime) -> Post:
    base = (settings.get("BLUESKY_APPVIEW") or BLUESKY_APPVIEW).rstrip("/")
    did = target.user
    if not did.startswith("did:"):
        try:
            data, _response = get_json(client, f"{base}/xrpc/com.atproto.identity.resolveHandle",
                               "bluesky", now, params={"handle": target.user})
        except SourceError as exc:
            raise _reworded(exc, {400: _("Bluesky cannot find the user @%(user)s.",
                                         user=target.user)}) from None
        did = data.get("did") if isinstance(data, dict) else None
        if not isinstance(did, str) or not _DID.match(did):
            raise SourceError(_("Bluesky cannot find the user @%(user)s.", user=target.user))
    uri = f"at://{did}/app.bsky.feed.post/{target.post_id}"
    gone = _("The Bluesky post no longer exists or is not publicly visible.")
    try:
        data, _response = get_json(client, f"{base}/xrpc/app.bsky.feed.getPosts", "bluesky", now,
                           params={"uris": uri})
    except SourceError as exc:
        raise _reworded(exc, {400: gone}) from None
    views = data.get("posts") if isinstance(data, dict) else None
    if not isinstance(views, list) or not views or not isinstance(views[0], dict):
        raise SourceError(gone)
    view = views[0]
    if bluesky.requires_login(view):
        raise SourceError(_("The author asked for their Bluesky posts to be seen only by "
                            "logged-in users: it is not shown in public."))
    try:
        post = bluesky.normalize(view)
    except NormalizeError:
        raise SourceError(gone) from None
    _hide_login_only_quote(post, view)
    return post


def _hide_login_only_quote(post: Post, view: dict[str, Any]) -> None:
    """A quoted post whose author asked for logged-in readers only keeps its link, no words."""
    embed = view.get("embed")
    if isinstance(embed, dict) and embed.get("$type") == "app.bsky.embed.recordWithMedia#view":
        embed = embed.get("record")
    record = embed.get("record") if isinstance(embed, dict) else None
    if post.quote_of and isinstance(record, dict) and bluesky.requires_login(
            {"author": record.get("author"), "labels": record.get("labels"),
             "record": record.get("value")}):
        post.quote_of = Reference(remote_id=post.quote_of.remote_id, url=post.quote_of.url)


# -- X ---------------------------------------------------------------------------------------

def _x(target: _Target, settings: dict[str, Any], client: httpx.Client, now: datetime) -> Post:
    token = str(settings.get("X_BEARER_TOKEN") or "").strip()
    if token:
        try:
            return _x_lookup(target, token, settings, client, now)
        except RateLimited:
            pass  # the quota is for collecting; one post can still come through oEmbed
        except SourceError as exc:
            if exc.status != 403:  # 403: the plan does not include the lookup
                raise
    return _x_oembed(target, settings, client, now)


def _x_lookup(target: _Target, token: str, settings: dict[str, Any], client: httpx.Client,
              now: datetime) -> Post:
    base = (settings.get("X_API") or X_API).rstrip("/")
    data, _response = get_json(client, f"{base}/2/tweets/{target.post_id}", "x", now,
                       params=X_LOOKUP_PARAMS, headers={"Authorization": f"Bearer {token}"})
    try:
        posts = x.posts_from_payload(data)
    except NormalizeError:
        # X answers 200 with `errors` for a deleted, protected or suspended post.
        raise SourceError(_("X cannot find the post: perhaps it was deleted, is protected or "
                            "the account is suspended.")) from None
    if not posts:
        raise SourceError(_("X cannot find the post."))
    return posts[0]


def _x_oembed(target: _Target, settings: dict[str, Any], client: httpx.Client,
              now: datetime) -> Post:
    endpoint = settings.get("X_OEMBED") or X_OEMBED
    permalink = f"https://twitter.com/{target.user or 'i'}/status/{target.post_id}"
    gone = _("The X post does not exist, is protected or was deleted.")
    try:
        data, _response = get_json(client, endpoint, "x", now, params={
            "url": permalink, "omit_script": "1", "dnt": "true", "lang": "en"})
    except SourceError as exc:
        raise _reworded(exc, {403: gone, 404: gone}) from None
    if not isinstance(data, dict):
        raise SourceError(_("X answered the oEmbed request with invalid data."))
    embed = _Blockquote.read(data.get("html"))
    screen_name = _x_screen_name(data.get("author_url")) or target.user
    if not screen_name:
        raise SourceError(_("X does not say who wrote the post."))
    author = Author(
        handle="@" + screen_name,
        name=clip(data.get("author_name") or screen_name, NAME_MAX),
        url=f"{x.SITE}/{screen_name}",
    )
    text, spans, hashtags, mentions, links = embed.text_and_spans(x.SITE)
    created = _snowflake_time(target.post_id, now) or embed.date() or now
    return Post(
        platform="x",
        remote_id=target.post_id,
        url=f"{x.SITE}/{screen_name}/status/{target.post_id}",
        author=author,
        created_at=_iso(created),
        text=text,
        html=linkify_spans(text, spans),
        language=embed.language if embed.language not in ("", "und", "zxx") else "",
        hashtags=hashtags,
        mentions=mentions,
        links=links,
        raw=_oembed_raw(data, endpoint),
    )


def _x_screen_name(author_url: object) -> str:
    url = http_url(author_url)
    if not url or (urlsplit(url).hostname or "").lower() not in _X_HOSTS:
        return ""
    name = urlsplit(url).path.strip("/")
    return name if re.fullmatch(r"[A-Za-z0-9_]{1,15}", name) else ""


def _snowflake_time(post_id: str, now: datetime) -> datetime | None:
    """When an X post was made, from the time its id carries; None for pre-2010 ids."""
    number = int(post_id)
    if number < _FIRST_SNOWFLAKE:
        return None
    moment = datetime.fromtimestamp(((number >> 22) + TWITTER_EPOCH_MS) / 1000, UTC)
    return moment.replace(microsecond=0) if moment <= now else None


def _oembed_raw(data: dict[str, Any], endpoint: str) -> dict[str, Any]:
    """The oEmbed answer without its markup, marked as such (it is not the platform's post)."""
    return {"via": "oembed", "endpoint": endpoint,
            "oembed": {k: v for k, v in data.items() if k != "html"}}


class _Blockquote(HTMLParser):
    """Plain text of the first <p> of an embed's blockquote, its links, and the links after it.

    Only text is ever taken from this markup; nothing of it is inserted into a page.
    """

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.pieces: list[str] = []
        self.size = 0
        self.anchors: list[tuple[int, int, str]] = []  # (start, end, href) inside the <p>
        self.after: list[tuple[str, str]] = []  # (href, text) of links after the <p>
        self.language = ""
        self.permalink = ""
        self._quote_depth = 0
        self._state = "before"  # before, in_p, after
        self._href: str | None = None
        self._start = 0
        self._after_text: list[str] = []
        self._hidden = 0  # inside <script>, <style>…: code, not words

    @classmethod
    def read(cls, html: object) -> _Blockquote:
        reader = cls()
        if isinstance(html, str):
            reader.feed(html[:200_000])
            reader.close()
        return reader

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag in _HIDDEN_TAGS:
            self._hidden += 1
        elif tag == "blockquote":
            self._quote_depth += 1
            self.permalink = self.permalink or values.get("data-text-post-permalink", "")
        elif not self._quote_depth:
            return
        elif tag == "p" and self._state == "before":
            self._state, self.language = "in_p", clip(values.get("lang", ""), 16)
        elif tag == "br" and self._state == "in_p":
            self._add("\n")
        elif tag == "a":
            self._href, self._start, self._after_text = values.get("href", ""), self.size, []

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN_TAGS:
            self._hidden = max(self._hidden - 1, 0)
        elif tag == "blockquote" and self._quote_depth:
            self._quote_depth -= 1
            if not self._quote_depth and self._state == "in_p":
                self._state = "after"
        elif tag == "p" and self._state == "in_p":
            self._state = "after"
        elif tag == "a" and self._href is not None:
            if self._state == "in_p" and self.size > self._start:
                self.anchors.append((self._start, self.size, self._href))
            elif self._state == "after":
                self.after.append((self._href, "".join(self._after_text).strip()))
            self._href = None

    def handle_data(self, data: str) -> None:
        if self._hidden:
            return
        if self._state == "in_p":
            self._add(data)
        elif self._state == "after" and self._href is not None:
            self._after_text.append(data)

    def _add(self, text: str) -> None:
        if self.size < TEXT_MAX:
            self.pieces.append(text)
            self.size += len(text)

    def text_and_spans(self, site: str
                       ) -> tuple[str, list[tuple[int, int, str, str]], list[str], list[str],
                                  list[str]]:
        """(text, spans for linkify_spans, hashtags, mentions, links) of the first paragraph."""
        raw = "".join(self.pieces)
        text = raw.strip()
        shift = len(raw) - len(raw.lstrip())
        spans: list[tuple[int, int, str, str]] = []
        hashtags, mentions, links = [], [], []
        for start, end, href in self.anchors:
            start, end = start - shift, end - shift
            if start < 0 or end > len(text):
                continue
            label = text[start:end]
            if label.startswith("#") and "/hashtag/" in href:
                tag = label[1:]
                hashtags.append(tag)
                spans.append((start, end, "tag", f"{site}/hashtag/{quote(tag, safe='')}"))
            elif re.fullmatch(r"@[A-Za-z0-9_]{1,15}", label):
                mentions.append(label)
                spans.append((start, end, "mention", f"{site}/{label[1:]}"))
            elif http_url(href):
                links.append(href)
                spans.append((start, end, "link", href))
        return clip(text, TEXT_MAX), spans, _unique(hashtags), _unique(mentions), _unique(links)

    def date(self) -> datetime | None:
        """The date written in the link after the text ("May 5, 2014"), at midnight UTC."""
        for _kind, label in reversed(self.after):
            match = _DATE.match(label)
            month = _MONTHS.get(match[1].lower()) if match else None
            if match and month:
                try:
                    return datetime(int(match[3]), month, int(match[2]), tzinfo=UTC)
                except ValueError:
                    return None
        return None


def _unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))


# -- Threads ---------------------------------------------------------------------------------

def _threads(target: _Target, settings: dict[str, Any], client: httpx.Client,
             now: datetime) -> Post:
    token = str(settings.get("THREADS_TOKEN") or "").strip()
    if not token:
        raise SourceError(_("Adding a Threads post needs a Threads access token (setting "
                            "PIAZZA_THREADS_TOKEN): ask whoever runs Piazza."))
    base = (settings.get("THREADS_API") or THREADS_API).rstrip("/")
    permalink = (f"https://www.threads.com/@{target.user}/post/{target.post_id}" if target.user
                 else f"https://www.threads.com/t/{target.post_id}")
    refused = _("Threads does not show this post: the token is not valid, or the post is "
                "private, from an age-restricted account, or does not exist.")
    try:
        data, _response = get_json(client, f"{base}/v1.0/oembed", "threads", now,
                           params={"url": permalink, "access_token": token})
    except SourceError as exc:
        raise _reworded(exc, {400: refused, 401: refused, 403: refused, 404: refused}) from None
    if not isinstance(data, dict):
        raise SourceError(_("Threads answered the oEmbed request with invalid data."))
    embed = _Blockquote.read(data.get("html"))
    user = target.user or _threads_user(embed.permalink)
    if user:
        permalink = f"https://www.threads.com/@{user}/post/{target.post_id}"
    # Threads' oEmbed gives neither text nor date: the words stay in the native embed.
    text, spans, hashtags, mentions, links = embed.text_and_spans("https://www.threads.com")
    return Post(
        platform="threads",
        remote_id=target.post_id,
        url=permalink,
        author=Author(handle=f"@{user}" if user else "Threads", name=user,
                      url=f"https://www.threads.com/@{user}" if user else ""),
        created_at=_iso(now),
        text=text,
        html=linkify_spans(text, spans),
        hashtags=hashtags,
        mentions=mentions,
        links=links,
        raw=_oembed_raw(data, f"{base}/v1.0/oembed"),
    )


def _threads_user(permalink: str) -> str:
    parts = urlsplit(http_url(permalink)) if http_url(permalink) else None
    if not parts or (parts.hostname or "").lower() not in _THREADS_HOSTS:
        return ""
    match = _THREADS_PATH.match(parts.path)
    return (match["user"] or "") if match else ""


# -- YouTube ---------------------------------------------------------------------------------

def _youtube(target: _Target, settings: dict[str, Any], client: httpx.Client,
             now: datetime) -> Post:
    endpoint = settings.get("YOUTUBE_OEMBED") or YOUTUBE_OEMBED
    watch = f"https://www.youtube.com/watch?v={target.post_id}"
    private = _("The YouTube video is private, or its author does not allow embedding it: "
                "it cannot be added.")
    try:
        data, _response = get_json(client, endpoint, "youtube", now,
                           params={"url": watch, "format": "json"})
    except SourceError as exc:
        raise _reworded(exc, {
            400: _("YouTube does not recognise this address as a video."),
            401: private, 403: private,
            404: _("The YouTube video does not exist or was removed.")}) from None
    if not isinstance(data, dict) or not isinstance(data.get("title"), str):
        raise SourceError(_("YouTube answered the oEmbed request with invalid data."))
    title = clip(" ".join(data["title"].split()), TEXT_MAX)
    name = clip(data.get("author_name") or "", NAME_MAX)
    channel = http_url(data.get("author_url"))
    # A channel URL of the form youtube.com/@name carries the handle people know.
    first = urlsplit(channel).path.strip("/").split("/")[0] if channel else ""
    handle = first if first.startswith("@") else name or "YouTube"
    thumbnail = http_url(data.get("thumbnail_url"))
    width, height = data.get("thumbnail_width"), data.get("thumbnail_height")
    media = [Media("image", thumbnail, alt=clip(title, ALT_MAX),
                   width=width if isinstance(width, int) else None,
                   height=height if isinstance(height, int) else None)] if thumbnail else []
    return Post(
        platform="youtube",
        remote_id=target.post_id,
        url=watch,
        author=Author(handle=clip(handle, NAME_MAX), name=name, url=channel),
        created_at=_iso(now),  # oEmbed does not say when the video was published
        text=title,
        html=linkify_spans(title, []),
        media=media,
        raw=_oembed_raw(data, endpoint),
    )
