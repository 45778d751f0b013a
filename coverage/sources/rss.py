"""RSS and Atom: feed entries (as feedparser reads them) to Posts, and the source that polls a
feed."""

from __future__ import annotations

import hashlib
import io
import json
import re
import time
from datetime import UTC, datetime
from html import escape
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin, urlsplit
from xml.sax import SAXParseException

import feedparser
import httpx
from flask_babel import gettext as _

from coverage.model import Author, Media, NormalizeError, Post
from coverage.sanitize import clean_html, clean_post_html, html_to_text, linkify_spans
from coverage.sources.fields import (
    ALT_MAX,
    NAME_MAX,
    TEXT_MAX,
    clip,
    http_url,
    utc_from_struct,
)
from coverage.sources.http import (
    Resolver,
    SourceError,
    guarded_get,
    make_client,
    system_resolver,
)
from coverage.sources.registry import Batch, register

PLATFORM = "rss"
# A feed is parsed whole; past this size it is not a news feed but a mistake or an attack.
MAX_FEED_BYTES = 5_000_000
MAX_MEDIA = 10
TITLE_MAX = 400
_MEDIA_KINDS = ("image", "video", "audio")
_ELLIPSES = ("…", "...")


class _ImageCollector(HTMLParser):
    """The <img> tags of entry HTML, as (src, alt), in order."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.images: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "img":
            values = dict(attrs)
            self.images.append(((values.get("src") or "").strip(), values.get("alt") or ""))


def _images_in(html: str) -> list[tuple[str, str]]:
    collector = _ImageCollector()
    collector.feed(html[:200_000])
    collector.close()
    return collector.images


def _int(value: object) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _kind(medium: object, mime: object) -> str:
    for candidate in (medium, (mime or "").split("/")[0] if isinstance(mime, str) else ""):
        if candidate in _MEDIA_KINDS:
            return candidate
    return ""


def _media(entry: dict[str, Any], body_html: str) -> list[Media]:
    # feedparser folds <media:description> into the entry summary, so it cannot give the
    # alt text of a picture; the <img alt> of the same picture in the body can.
    body_images = _images_in(body_html)
    alt_by_url = {src: alt for src, alt in body_images if src}
    thumbnails = entry.get("media_thumbnail") or []
    preview = http_url(thumbnails[0].get("url")) if thumbnails else ""
    found: dict[str, Media] = {}
    candidates = [
        (item.get("url"), _kind(item.get("medium"), item.get("type")), item)
        for item in entry.get("media_content") or []
    ]
    candidates += [
        (item.get("href"), _kind(None, item.get("type")), item)
        for item in entry.get("enclosures") or []
    ]
    candidates += [(src, "image", {}) for src, _ in body_images]
    for url, kind, item in candidates:
        url = http_url(url)
        if not url or not kind or url in found or len(found) >= MAX_MEDIA:
            continue
        found[url] = Media(
            type=kind,
            url=url,
            alt=clip(alt_by_url.get(url, ""), ALT_MAX),
            preview_url=preview if kind != "image" else "",
            width=_int(item.get("width")),
            height=_int(item.get("height")),
        )
    return list(found.values())


def _body_html(entry: dict[str, Any]) -> str:
    """The entry's fullest body as HTML: content before summary, plain text escaped."""
    summary_type = (entry.get("summary_detail") or {}).get("type")
    # Not summary_detail's value: feedparser overwrites it with any <media:description>.
    bodies = [*(entry.get("content") or []), {"value": entry.get("summary"), "type": summary_type}]
    for body in bodies:
        value = body.get("value") if isinstance(body, dict) else None
        if not isinstance(value, str) or not value.strip():
            continue
        return linkify_spans(value, []) if body.get("type") == "text/plain" else value
    return ""


def _title(entry: dict[str, Any]) -> str:
    title = entry.get("title") or ""
    if (entry.get("title_detail") or {}).get("type") in ("text/html", "application/xhtml+xml"):
        title = html_to_text(title)
    return clip(" ".join(title.split()), TITLE_MAX)


def _starts_with_title(body_text: str, title: str) -> bool:
    title = title.casefold()
    for ellipsis in _ELLIPSES:
        title = title.removesuffix(ellipsis)
    return " ".join(body_text.split()).casefold().startswith(title.strip())


def _created_at(entry: dict[str, Any], feed: dict[str, Any]) -> str:
    for source, key in (
        (entry, "published_parsed"),
        (entry, "updated_parsed"),
        (feed, "updated_parsed"),
        (feed, "published_parsed"),
    ):
        value = source.get(key)
        if isinstance(value, time.struct_time):
            return utc_from_struct(value)
    raise NormalizeError("feed entry has no date, and neither has its feed")


def _remote_id(entry: dict[str, Any], feed: dict[str, Any], feed_url: str) -> str:
    guid = ""
    for key in ("id", "link"):
        if isinstance(entry.get(key), str) and entry[key].strip():
            guid = entry[key].strip()
            break
    if not guid:
        title, published = entry.get("title") or "", entry.get("published") or ""
        if not title and not published:
            raise NormalizeError("feed entry has no id, link, title or date to be known by")
        guid = "sha256:" + hashlib.sha256(f"{title}\n{published}".encode()).hexdigest()
    if re.match(r"^(https?|tag|urn):", guid, re.IGNORECASE):
        return guid  # globally unique by construction
    # A bare guid ("42") is unique only within its feed: scope it, or two feeds would collide.
    scope = http_url(feed_url) or http_url(feed.get("link")) or clip(feed.get("title") or "", 200)
    return f"{scope}#{guid}" if scope else guid


def _entry_url(entry: dict[str, Any], feed: dict[str, Any], feed_url: str) -> str:
    link = entry.get("link")
    if not isinstance(link, str) or not link.strip():
        return ""
    # feedparser resolves relative links only when it knows where the feed came from.
    base = http_url(feed_url) or http_url(feed.get("link"))
    return http_url(urljoin(base, link.strip()) if base else link)


def _language(entry: dict[str, Any], feed: dict[str, Any]) -> str:
    tag = (entry.get("title_detail") or {}).get("language") or feed.get("language") or ""
    # "it-IT" and "it" are the same language to a reader; keep what Mastodon and X use.
    return clip(tag.split("-")[0].lower(), 16) if isinstance(tag, str) else ""


def _author(entry: dict[str, Any], feed: dict[str, Any], feed_url: str) -> Author:
    feed_title = clip(" ".join((feed.get("title") or "").split()), NAME_MAX)
    entry_author = clip(entry.get("author") or "", NAME_MAX)
    site = http_url(feed.get("link")) or http_url(feed_url)
    host = (urlsplit(site).hostname or "") if site else ""
    image = feed.get("image") or {}
    return Author(
        handle=feed_title or entry_author or host or "RSS",
        name=entry_author or feed_title or host,
        avatar=http_url(image.get("href")) or http_url(feed.get("icon") or feed.get("logo")),
        url=site,
    )


def _plain(value: Any) -> Any:
    """feedparser's dicts as plain JSON-ready data (its struct_times left out)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items() if not isinstance(v, time.struct_time)}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value if not isinstance(v, time.struct_time)]
    return value


def normalize(entry: dict, feed: dict, feed_url: str = "") -> Post:
    """One feedparser entry (with its feed's metadata) as a Post."""
    if not isinstance(entry, dict) or not isinstance(feed, dict):
        raise NormalizeError("a feed entry and its feed must be objects")
    raw_body = _body_html(entry)
    body_html, body_text, body_links = clean_post_html(raw_body)
    title = _title(entry)
    text, html = body_text, body_html
    if title and not _starts_with_title(body_text, title):
        text = f"{title}\n\n{body_text}" if body_text else title
        html = clean_html(f"<p><strong>{escape(title, quote=False)}</strong></p>{body_html}")
    remote_id = _remote_id(entry, feed, feed_url)
    return Post(
        platform=PLATFORM,
        remote_id=remote_id,
        url=_entry_url(entry, feed, feed_url) or http_url(remote_id) or http_url(feed.get("link")),
        author=_author(entry, feed, feed_url),
        created_at=_created_at(entry, feed),
        text=clip(text, TEXT_MAX),
        html=html,
        media=_media(entry, raw_body),
        language=_language(entry, feed),
        links=body_links,
        raw=_plain(entry),
    )


def _parsed(document: str | bytes, feed_url: str = "", content_type: str = "") -> Any:
    """feedparser's reading of a document; `content_type` is the HTTP header, when there was one."""
    if isinstance(document, str):
        document = document.encode("utf-8")
        # The text is already decoded: an encoding named in its XML declaration is stale.
        headers = {"content-type": "application/xml; charset=utf-8"}
    elif isinstance(document, bytes):
        # The HTTP charset, when given, outranks the XML declaration (as RFC 7303 asks).
        headers = {"content-type": content_type} if content_type else {}
    else:
        kind = type(document).__name__
        raise NormalizeError(f"a feed document must be text or bytes, not {kind}")
    if len(document) > MAX_FEED_BYTES:
        raise NormalizeError(f"feed document is larger than {MAX_FEED_BYTES} bytes")
    if feed_url:
        headers["content-location"] = feed_url
    # A stream, never a str: feedparser would fetch a string that looks like a URL or a path.
    return feedparser.parse(io.BytesIO(document), response_headers=headers)


def parse_feed(document: str | bytes, feed_url: str = "") -> list[Post]:
    """Posts from an RSS or Atom document, newest first as the feed lists them."""
    parsed = _parsed(document, feed_url)
    if not parsed.get("version") and not parsed.entries:
        raise NormalizeError("the document is not an RSS or Atom feed")
    return [normalize(entry, parsed.feed, feed_url) for entry in parsed.entries]


def posts_from_payload(payload: Any) -> list[Post]:
    """Posts from a feed document (text or bytes)."""
    return parse_feed(payload)


# -- the source ------------------------------------------------------------------------------

FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/xml", "text/xml")
_PAGE_TYPES = ("text/html", "application/xhtml+xml")
_ACCEPT = "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.8"
SEEN_MAX = 200  # entries remembered in the cursor, newest first, to notice edits
_VALIDATOR_MAX = 512  # an ETag or a date; anything longer is not worth sending back
# A SAX error the lenient parser reads exactly: HTML entities (&nbsp;) in an XML feed.
_HARMLESS_XML_ERRORS = ("undefined entity",)
# Expat's words for a document that stops before its end.
_CUT_SHORT_XML_ERRORS = ("no element found", "unclosed token", "unclosed CDATA section",
                         "partial character")
_FIRST_ELEMENT = re.compile(rb"<([A-Za-z_][\w.:-]*)")


def _short_hash(value: str) -> str:
    return hashlib.blake2b(value.encode("utf-8"), digest_size=8).hexdigest()


def _content_digest(post: Post) -> str:
    """What a reader sees of an entry: its words and pictures.

    Query strings are left out because some CMSs sign image URLs afresh on every request,
    and an approved post must not go back to the queue for that.
    """
    media = [[m.url.split("?", 1)[0].split("#", 1)[0], m.alt] for m in post.media]
    return _short_hash(json.dumps([post.text, media], ensure_ascii=False))


def _date_if_missing(entry: dict[str, Any], feed: dict[str, Any], now: datetime) -> None:
    """Give an undated entry of an undated feed the time it was first seen, as feed readers do."""
    keys = ("published_parsed", "updated_parsed")
    if not any(isinstance(source.get(k), time.struct_time) for source in (entry, feed)
               for k in keys):
        entry["published_parsed"] = now.astimezone(UTC).timetuple()


def _ends_whole(body: bytes) -> bool:
    """Whether the document ends by closing the element it opened with (comments may follow,
    as caching plugins append them)."""
    root = _FIRST_ELEMENT.search(body[:8192])
    tail = body[-8192:].rstrip()
    while tail.endswith(b"-->") and b"<!--" in tail:
        tail = tail[:tail.rfind(b"<!--")].rstrip()
    return bool(root) and re.search(rb"</" + re.escape(root[1]) + rb"\s*>$", tail) is not None


def _xml_problem(parsed: Any, body: bytes) -> tuple[str, str]:
    """What is wrong with the XML, and where: ("", "") for a well-formed document, else
    "cut short", "sloppy" (not well-formed but whole) or "entities" (only HTML entities)."""
    error = parsed.get("bozo_exception")
    if not isinstance(error, SAXParseException):
        return "", ""  # encoding overrides and the like: the text was still read correctly
    message = error.getMessage()
    where = _("line %(line)s, column %(column)s", line=error.getLineNumber(),
              column=error.getColumnNumber())
    # Expat stops at the first fault, so a sloppy feed that was also cut short reports the
    # sloppiness: the missing end of the document tells the rest.
    if any(words in message for words in _CUT_SHORT_XML_ERRORS) or not _ends_whole(body):
        return "cut short", where
    if any(words in message for words in _HARMLESS_XML_ERRORS):
        return "entities", where
    return "sloppy", where


def _validator(value: str | None) -> str:
    return value.strip() if value and len(value) <= _VALIDATOR_MAX else ""


@register("rss")
class RssSource:
    """An RSS or Atom feed, read with conditional GETs through the request-forgery guard.

    Config: `url` (the feed), optional `interval` (seconds, read by the collector) and
    `allow_private` (true only for a self-hosted feed the admin trusts: private addresses
    are then allowed; size, time and content-type checks still apply).

    Cursor: `etag` and `last_modified` (the validators to send back; absent when the server
    gave none) and `seen`, {hash of remote id: hash of content} for the newest `SEEN_MAX`
    entries. Every entry of a changed feed is handed to the store, which counts the known
    ones as duplicates; `seen` only serves to report entries whose words or pictures
    changed as edits (`Batch.updated`), which the store would otherwise never learn of.

    A document cut short is refused whole (SourceError; the cursor stays where it was); one
    that is not well-formed but complete is read leniently, with a note.
    """

    default_interval = 300.0

    def __init__(self, config: dict[str, Any], event: dict[str, Any],
                 client: httpx.Client | None, settings: dict[str, Any], *,
                 resolver: Resolver | None = None) -> None:
        url = config.get("url")
        if not isinstance(url, str) or not url.strip():
            raise SourceError(_("This RSS source has no feed address: add it."))
        self.url = url.strip()
        # Only a real true: a stray "false" string must not open the private network.
        self.allow_private = config.get("allow_private") is True
        self.client = client
        self.resolver = resolver or system_resolver

    def fetch(self, cursor: dict[str, Any], now: datetime) -> Batch:
        """The feed's entries, or an empty batch when it has not changed since `cursor`."""
        if self.client is None:
            with make_client() as client:
                return self._fetch(client, cursor, now)
        return self._fetch(self.client, cursor, now)

    def _fetch(self, client: httpx.Client, cursor: dict[str, Any], now: datetime) -> Batch:
        headers = {"Accept": _ACCEPT}
        if cursor.get("etag"):
            headers["If-None-Match"] = cursor["etag"]
        if cursor.get("last_modified"):
            headers["If-Modified-Since"] = cursor["last_modified"]
        body, response = guarded_get(
            client, self.url, resolver=self.resolver, max_bytes=MAX_FEED_BYTES,
            content_types=FEED_TYPES + _PAGE_TYPES, headers=headers,
            allow_private=self.allow_private)
        if response.status_code == 304:
            return Batch(cursor=dict(cursor))
        content_type = response.headers.get("content-type", "")
        if content_type.split(";")[0].strip().lower() in _PAGE_TYPES:
            raise SourceError(_(
                "The address leads to a web page, not to an RSS or Atom feed: open the page "
                "and copy the feed's link (it often ends with /feed or .xml)."))
        parsed = _parsed(body, self.url, content_type)
        if not parsed.get("version") and not parsed.entries:
            raise SourceError(_("The address holds no readable RSS or Atom feed."))
        problem, where = _xml_problem(parsed, body)
        if problem == "cut short":
            # The lenient parser would still yield entries, the last one half-written.
            raise SourceError(_(
                "The feed is incomplete (XML cut short at %(where)s): perhaps it was truncated "
                "or the site has an error. Nothing of this read was saved; Piazza will try "
                "again later.", where=where))
        batch = self._batch(parsed, cursor, response, now)
        if problem == "sloppy":
            # Sloppy but whole, as many generated feeds are: read as every feed reader does.
            batch.notes.append(_("The feed is not valid XML (%(where)s): it was read anyway, "
                                 "leniently.", where=where))
        return batch

    def _batch(self, parsed: Any, cursor: dict[str, Any], response: httpx.Response,
               now: datetime) -> Batch:
        seen = cursor.get("seen") if isinstance(cursor.get("seen"), dict) else {}
        batch = Batch()
        fresh: dict[str, str] = {}
        for index, entry in enumerate(parsed.entries, start=1):
            _date_if_missing(entry, parsed.feed, now)
            try:
                post = normalize(entry, parsed.feed, self.url)
            except NormalizeError as exc:
                batch.skipped.append(_("feed entry %(index)s: %(problem)s", index=index,
                                       problem=exc))
                continue
            key, digest = _short_hash(post.remote_id), _content_digest(post)
            if key in fresh:
                continue  # the same entry listed twice
            fresh[key] = digest
            batch.posts.append(post)
            if seen.get(key, digest) != digest:
                batch.updated.append(post)
        remembered = {**fresh, **{k: v for k, v in seen.items() if k not in fresh}}
        batch.cursor = {"seen": dict(list(remembered.items())[:SEEN_MAX])}
        for key, header in (("etag", "etag"), ("last_modified", "last-modified")):
            value = _validator(response.headers.get(header))
            if value:
                batch.cursor[key] = value
        return batch
