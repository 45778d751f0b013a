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

_STATUS_WORDS = {
    400: "ha rifiutato la richiesta (400): controlla hashtag e account configurati",
    401: "ha rifiutato l'accesso (401): il token manca, è scaduto o è sbagliato",
    403: "non permette questa lettura (403): controlla i permessi del token",
    404: "non ha trovato la risorsa (404): controlla l'indirizzo dell'istanza e gli account",
    410: "dice che la risorsa non esiste più (410)",
}


def check_response(response: httpx.Response, platform: str, now: datetime) -> None:
    """Raise a SourceError in plain words for anything but a success."""
    if response.is_success:
        return
    status = response.status_code
    name = platform_name(platform)
    if status == 429:
        when = retry_after(response.headers, now) or rate_limit_reset(response.headers, now)
        raise RateLimited(
            f"{name} chiede di rallentare (429): nuovo tentativo "
            f"{_when(when, now) if when else 'tra poco'}.", retry_at=when, status=status)
    if status in _STATUS_WORDS:
        raise SourceError(f"{name} {_STATUS_WORDS[status]}.", status=status)
    if 500 <= status < 600:
        raise SourceError(
            f"{name} ha un problema temporaneo (errore {status}): riprovo da solo.",
            retry_at=retry_after(response.headers, now), status=status)
    raise SourceError(f"{name} ha risposto con l'errore HTTP {status}.", status=status)


def read_body(response: httpx.Response, max_bytes: int = MAX_JSON_BYTES,
              deadline: float | None = None) -> bytes:
    """The body of a streamed or read response, refusing more than `max_bytes` (and, with a
    `deadline` on the `time.monotonic` clock, a body still arriving after it)."""
    declared = response.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > max_bytes:
        raise SourceError(f"La risposta è troppo grande ({int(declared) // 1024} kB): ignorata.")
    chunks, size = [], 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > max_bytes:
            raise SourceError(f"La risposta supera {max_bytes // 1024} kB: ignorata.")
        # httpx's timeouts bound each read, not the whole body: a trickle would never end.
        if deadline is not None and time.monotonic() >= deadline:
            raise SourceError("La risposta arriva troppo lentamente: lettura interrotta.")
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
            raise SourceError(
                f"{name} ha risposto con una pagina web invece che con dati: forse l'istanza "
                "è in manutenzione o l'indirizzo non è quello delle API.") from None
        raise SourceError(f"{name} ha mandato dati incompleti o non validi: riprovo.") from None


def get_json(client: httpx.Client, url: str, platform: str, now: datetime, *,
             params: Any = None, headers: dict[str, str] | None = None,
             max_bytes: int = MAX_JSON_BYTES) -> tuple[Any, httpx.Response]:
    """GET a JSON document with the checks above; returns (data, response)."""
    try:
        with client.stream("GET", url, params=params, headers=headers) as response:
            check_response(response, platform, now)
            body = read_body(response, max_bytes)
    except httpx.TimeoutException:
        raise SourceError(f"{platform_name(platform)} non ha risposto in tempo (timeout).") \
            from None
    except httpx.TransportError:
        raise SourceError(f"Connessione a {platform_name(platform)} non riuscita.") from None
    return parse_json(body, platform, response.headers.get("content-type", "")), response


def platform_name(platform: str) -> str:
    """The platform as people write it."""
    return {"mastodon": "Mastodon", "bluesky": "Bluesky", "x": "X", "rss": "Il feed",
            "threads": "Threads", "youtube": "YouTube", "url": "Il sito"}.get(platform, platform)


def _when(moment: datetime, now: datetime) -> str:
    seconds = int((moment - now).total_seconds())
    if seconds < 90:
        return f"tra {max(seconds, 1)} secondi"
    return f"alle {moment.astimezone(UTC):%H:%M} UTC"


# -- the request-forgery guard ---------------------------------------------------------------

def system_resolver(host: str) -> list[str]:
    """Every address a host name resolves to."""
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError):
        raise UnsafeURL(f"Il nome {host!r} non esiste o non si risolve.") from None
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
        raise UnsafeURL("L'indirizzo non è scritto correttamente.") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UnsafeURL("Sono accettati solo indirizzi web http:// o https://.")
    if parts.username or parts.password:
        raise UnsafeURL("Indirizzi con nome utente o password non sono accettati.")
    return parts


def check_url(url: str, resolver: Resolver = system_resolver) -> str:
    """The URL when it is http(s) to a public host; raises UnsafeURL otherwise."""
    host = _check_scheme(url).hostname
    try:
        addresses = [str(ipaddress.ip_address(host))]
    except ValueError:
        addresses = resolver(host)
    if not addresses or not all(is_public_address(a) for a in addresses):
        raise UnsafeURL(f"L'indirizzo {host!r} porta a una rete privata o locale: non lo apro.")
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
    for _ in range(MAX_REDIRECTS + 1):
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
                    raise SourceError("Il sito ha risposto con un contenuto inatteso "
                                      f"({kind or 'tipo non dichiarato'}).")
                return read_body(response, max_bytes, deadline), response
        except httpx.TimeoutException:
            raise SourceError("Il sito non ha risposto in tempo (timeout).") from None
        except httpx.TransportError:
            raise SourceError("Connessione al sito non riuscita.") from None
    raise SourceError("Troppi reindirizzamenti: l'indirizzo non porta a un post.")
