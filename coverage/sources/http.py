"""What every connector needs from HTTP: bounded reads, rate limits, errors in plain words,
and the request-forgery guard for URLs that posts or editors supply.

Connectors receive an `httpx.Client` (tests hand them one on an `httpx.MockTransport`) and call
`get_json` / `check_response`; they never read an unbounded body or guess at a limit.
"""

from __future__ import annotations

import ipaddress
import json
import socket
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import SplitResult, urljoin, urlsplit

import httpx
from flask_babel import gettext as _
from flask_babel import ngettext

USER_AGENT = "Piazza/0.1 (+https://github.com/piazza-live/piazza; live coverage of public events)"
TIMEOUT = httpx.Timeout(10.0, connect=5.0)
MAX_JSON_BYTES = 5 * 1024 * 1024  # a page of posts is far smaller; anything larger is refused
MAX_REDIRECTS = 5
# A guarded fetch ends within this, however slowly the other side trickles its bytes.
GUARDED_SECONDS = 30.0

Resolver = Callable[[str], list[str]]


class SourceError(Exception):
    """A failure an editor can act on: a plain sentence, and when to try again.

    `health` is what the console shows: "failing" (something is wrong) or "slowed" (the platform
    asked us to wait). `retry_at`, when known, overrides the collector's own backoff.
    """

    health = "failing"

    def __init__(self, message: str, *, retry_at: datetime | None = None,
                 status: int | None = None) -> None:
        super().__init__(message)
        self.retry_at = retry_at
        self.status = status


class RateLimited(SourceError):
    """The platform asked us to slow down (HTTP 429, or a quota used up)."""

    health = "slowed"


class UnsafeURL(SourceError):
    """A URL we will not fetch: not http(s), or pointing at a private or local address."""


def make_client(**kwargs: Any) -> httpx.Client:
    """An httpx client with Piazza's timeouts, user agent and no automatic redirects."""
    headers = {"User-Agent": USER_AGENT, **kwargs.pop("headers", {})}
    return httpx.Client(timeout=kwargs.pop("timeout", TIMEOUT), headers=headers,
                        follow_redirects=False, **kwargs)


# -- rate limits -----------------------------------------------------------------------------

def retry_after(headers: httpx.Headers, now: datetime) -> datetime | None:
    """`Retry-After` as a moment: delay-seconds or an HTTP-date (RFC 9110 §10.2.3)."""
    value = (headers.get("retry-after") or "").strip()
    if not value:
        return None
    if value.isdigit():
        return now + timedelta(seconds=int(value))
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max(moment, now)


def rate_limit_reset(headers: httpx.Headers, now: datetime) -> datetime | None:
    """When the current rate-limit window ends, from whichever header the platform sends.

    Mastodon: `X-RateLimit-Reset` as ISO-8601; X: `x-rate-limit-reset` as epoch seconds;
    Bluesky: `RateLimit-Reset` as epoch seconds.
    """
    for name in ("x-ratelimit-reset", "x-rate-limit-reset", "ratelimit-reset"):
        value = (headers.get(name) or "").strip()
        if not value:
            continue
        if value.isdigit():
            number = int(value)
            # Epoch seconds; a small number would be "seconds from now" (IETF draft style).
            if number > 10**9:
                return datetime.fromtimestamp(number, UTC)
            return now + timedelta(seconds=number)
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)
        except ValueError:
            continue
    return None


def rate_limit_remaining(headers: httpx.Headers) -> int | None:
    """How many requests the window still allows, if the platform says."""
    for name in ("x-ratelimit-remaining", "x-rate-limit-remaining", "ratelimit-remaining"):
        value = (headers.get(name) or "").strip()
        if value.isdigit():
            return int(value)
    return None


# -- responses -------------------------------------------------------------------------------

def _status_words(status: int, name: str) -> str | None:
    """What a refusal means and what to check, for the statuses an editor can act on."""
    if status == 400:
        return _("%(name)s refused the request (400): check the hashtags and accounts set up.",
                 name=name)
    if status == 401:
        return _("%(name)s refused access (401): the token is missing, expired or wrong.",
                 name=name)
    if status == 403:
        return _("%(name)s does not allow this read (403): check the token's permissions.",
                 name=name)
    if status == 404:
        return _("%(name)s did not find the resource (404): check the instance's address and "
                 "the accounts.", name=name)
    if status == 410:
        return _("%(name)s says the resource no longer exists (410).", name=name)
    return None


def check_response(response: httpx.Response, platform: str, now: datetime) -> None:
    """Raise a SourceError in plain words for anything but a success."""
    if response.is_success:
        return
    status = response.status_code
    name = platform_name(platform)
    if status == 429:
        when = retry_after(response.headers, now) or rate_limit_reset(response.headers, now)
        raise RateLimited(_slow_down(name, when, now), retry_at=when, status=status)
    words = _status_words(status, name)
    if words:
        raise SourceError(words, status=status)
    if 500 <= status < 600:
        raise SourceError(
            _("%(name)s has a temporary problem (error %(status)s): Piazza will try again "
              "by itself.", name=name, status=status),
            retry_at=retry_after(response.headers, now), status=status)
    raise SourceError(_("%(name)s answered with HTTP error %(status)s.", name=name,
                        status=status), status=status)


def read_body(response: httpx.Response, max_bytes: int = MAX_JSON_BYTES,
              deadline: float | None = None) -> bytes:
    """The body of a streamed or read response, refusing more than `max_bytes` (and, with a
    `deadline` on the `time.monotonic` clock, a body still arriving after it)."""
    declared = response.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > max_bytes:
        raise SourceError(_("The response is too large (%(size)s kB): ignored.",
                            size=int(declared) // 1024))
    chunks, size = [], 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > max_bytes:
            raise SourceError(_("The response is larger than %(size)s kB: ignored.",
                                size=max_bytes // 1024))
        # httpx's timeouts bound each read, not the whole body: a trickle would never end.
        if deadline is not None and time.monotonic() >= deadline:
            raise SourceError(_("The response is arriving too slowly: reading stopped."))
        chunks.append(chunk)
    return b"".join(chunks)


def parse_json(body: bytes, platform: str, content_type: str = "") -> Any:
    """JSON from a body, with a clear message for an HTML error page or a truncated reply."""
    try:
        return json.loads(body)
    # Deeply nested arrays ("[[[[…") exhaust the parser's recursion before any ValueError.
    except (ValueError, UnicodeDecodeError, RecursionError):
        name = platform_name(platform)
        head = body[:200].lstrip().lower()
        if head.startswith((b"<!doctype", b"<html")) or "html" in content_type:
            raise SourceError(_(
                "%(name)s answered with a web page instead of data: perhaps the instance is "
                "under maintenance, or the address is not the one of its API.",
                name=name)) from None
        raise SourceError(_("%(name)s sent incomplete or invalid data: Piazza will try again.",
                            name=name)) from None


def get_json(client: httpx.Client, url: str, platform: str, now: datetime, *,
             params: Any = None, headers: dict[str, str] | None = None,
             max_bytes: int = MAX_JSON_BYTES) -> tuple[Any, httpx.Response]:
    """GET a JSON document with the checks above; returns (data, response)."""
    try:
        with client.stream("GET", url, params=params, headers=headers) as response:
            check_response(response, platform, now)
            body = read_body(response, max_bytes)
    except httpx.TimeoutException:
        raise SourceError(_("%(name)s did not answer in time (timeout).",
                            name=platform_name(platform))) from None
    except httpx.TransportError:
        raise SourceError(_("Could not connect to %(name)s.",
                            name=platform_name(platform))) from None
    return parse_json(body, platform, response.headers.get("content-type", "")), response


def platform_name(platform: str) -> str:
    """The platform as people write it (the subject of a sentence: "The feed …")."""
    if platform == "rss":
        return _("The feed")
    if platform == "url":
        return _("The site")
    return {"mastodon": "Mastodon", "bluesky": "Bluesky", "x": "X", "threads": "Threads",
            "youtube": "YouTube"}.get(platform, platform)


def _slow_down(name: str, moment: datetime | None, now: datetime) -> str:
    """A 429 in words, with when the next try comes."""
    if moment is None:
        return _("%(name)s asks Piazza to slow down (429): next try shortly.", name=name)
    seconds = int((moment - now).total_seconds())
    if seconds < 90:
        return ngettext("%(name)s asks Piazza to slow down (429): next try in %(num)s second.",
                        "%(name)s asks Piazza to slow down (429): next try in %(num)s seconds.",
                        max(seconds, 1), name=name)
    return _("%(name)s asks Piazza to slow down (429): next try at %(time)s UTC.", name=name,
             time=f"{moment.astimezone(UTC):%H:%M}")


# -- the request-forgery guard ---------------------------------------------------------------

def system_resolver(host: str) -> list[str]:
    """Every address a host name resolves to."""
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError):
        raise UnsafeURL(_("The name %(host)s does not exist or does not resolve.",
                          host=repr(host))) from None
    return sorted({info[4][0] for info in infos})


def is_public_address(address: str) -> bool:
    """Whether an IP address is on the public internet (not loopback, private, link-local…)."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address):
        mapped = ip.ipv4_mapped or ip.sixtofour
        if mapped is not None:
            return is_public_address(str(mapped))
        if ip.teredo:
            return False
    return ip.is_global and not (ip.is_multicast or ip.is_reserved or ip.is_link_local
                                 or ip.is_loopback or ip.is_private or ip.is_unspecified)


def _check_scheme(url: str) -> SplitResult:
    """The URL's parts when it is http(s) with a host and no credentials; UnsafeURL otherwise."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:  # "http://[::1" and the like
        raise UnsafeURL(_("The address is not written correctly.")) from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UnsafeURL(_("Only web addresses (http:// or https://) are accepted."))
    if parts.username or parts.password:
        raise UnsafeURL(_("Addresses with a user name or password are not accepted."))
    return parts


def check_url(url: str, resolver: Resolver = system_resolver) -> str:
    """The URL when it is http(s) to a public host; raises UnsafeURL otherwise."""
    host = _check_scheme(url).hostname
    try:
        addresses = [str(ipaddress.ip_address(host))]
    except ValueError:
        addresses = resolver(host)
    if not addresses or not all(is_public_address(a) for a in addresses):
        raise UnsafeURL(_("The address %(host)s leads to a private or local network: Piazza "
                          "will not open it.", host=repr(host)))
    return url.strip()


def guarded_get(client: httpx.Client, url: str, *, resolver: Resolver = system_resolver,
                max_bytes: int = 2 * 1024 * 1024,
                content_types: Iterable[str] = ("application/json", "text/html"),
                headers: dict[str, str] | None = None, max_seconds: float = GUARDED_SECONDS,
                allow_private: bool = False) -> tuple[bytes, httpx.Response]:
    """GET a URL that a post or an editor supplied: public http(s) targets only, every redirect
    re-checked, size and time capped, content type checked. Returns (body, final response).

    A 304 (the answer to conditional `headers`) returns an empty body. `allow_private` is for
    a server the admin configured and trusts (a self-hosted feed): private addresses are then
    accepted, every other check still applies.
    """
    allowed = tuple(content_types)
    deadline = time.monotonic() + max_seconds
    current = url
    for _attempt in range(MAX_REDIRECTS + 1):
        if allow_private:
            _check_scheme(current)
        else:
            check_url(current, resolver)
        try:
            with client.stream("GET", current, headers=headers) as response:
                # Not `is_redirect`: in httpx that is any 3xx, a 304 or a 300 without Location too.
                if response.has_redirect_location:
                    current = urljoin(current, response.headers["location"])
                    continue
                if response.status_code == 304:
                    return b"", response
                check_response(response, "url", datetime.now(UTC))
                kind = response.headers.get("content-type", "").split(";")[0].strip().lower()
                if allowed and not any(kind == a or kind.endswith("+" + a.split("/")[-1])
                                       for a in allowed):
                    raise SourceError(
                        _("The site answered with unexpected content (%(type)s).", type=kind)
                        if kind else _("The site answered with content of no declared type."))
                return read_body(response, max_bytes, deadline), response
        except httpx.TimeoutException:
            raise SourceError(_("The site did not answer in time (timeout).")) from None
        except httpx.TransportError:
            raise SourceError(_("Could not connect to the site.")) from None
    raise SourceError(_("Too many redirects: the address does not lead to a post."))
