"""What every connector relies on: rate-limit times, errors in plain words, bounded JSON reads."""

from __future__ import annotations

import time
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from coverage.sources.http import (
    RateLimited,
    SourceError,
    check_response,
    parse_json,
    rate_limit_reset,
    read_body,
    retry_after,
)

# The messages asserted below are the Italian an editor reads: the code runs as in the app.
pytestmark = pytest.mark.usefixtures("italian")

NOW = datetime(2026, 11, 19, 10, 0, tzinfo=UTC)


def headers(**values: str) -> httpx.Headers:
    return httpx.Headers({k.replace("_", "-"): v for k, v in values.items()})


@contextmanager
def streamed(chunks: list[bytes], **response_headers: str):
    """A response whose body arrives in chunks, as `client.stream` hands it over."""
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers=headers(**response_headers), content=iter(chunks))

    with httpx.Client(transport=httpx.MockTransport(handler)) as client, \
            client.stream("GET", "https://api.example/") as response:
        yield response


# -- Retry-After -----------------------------------------------------------------------------

def test_retry_after_in_seconds():
    assert retry_after(headers(retry_after="120"), NOW) == NOW + timedelta(seconds=120)


def test_retry_after_as_an_http_date():
    moment = retry_after(headers(retry_after="Thu, 19 Nov 2026 10:05:00 GMT"), NOW)
    assert moment == datetime(2026, 11, 19, 10, 5, tzinfo=UTC)


def test_retry_after_in_the_past_means_now():
    assert retry_after(headers(retry_after="Wed, 18 Nov 2026 10:05:00 GMT"), NOW) == NOW


@pytest.mark.parametrize("value", ["", "soon", "-5", "1.5"])
def test_retry_after_unreadable_is_unknown(value):
    assert retry_after(headers(retry_after=value), NOW) is None


# -- rate-limit windows ----------------------------------------------------------------------

@pytest.mark.parametrize("name, value", [
    ("X-RateLimit-Reset", "2026-11-19T10:15:00.000Z"),  # Mastodon: ISO-8601
    ("x-rate-limit-reset", str(int(datetime(2026, 11, 19, 10, 15, tzinfo=UTC).timestamp()))),  # X
    ("RateLimit-Reset", str(int(datetime(2026, 11, 19, 10, 15, tzinfo=UTC).timestamp()))),  # Bsky
])
def test_rate_limit_reset_reads_each_platform_style(name, value):
    reset = rate_limit_reset(httpx.Headers({name: value}), NOW)
    assert reset == datetime(2026, 11, 19, 10, 15, tzinfo=UTC)


def test_rate_limit_reset_small_number_is_seconds_from_now():
    assert rate_limit_reset(headers(ratelimit_reset="90"), NOW) == NOW + timedelta(seconds=90)


def test_rate_limit_reset_absent_or_unreadable_is_unknown():
    assert rate_limit_reset(httpx.Headers(), NOW) is None
    assert rate_limit_reset(headers(x_ratelimit_reset="domani"), NOW) is None


# -- statuses in plain words -----------------------------------------------------------------

@pytest.mark.parametrize("status, words", [
    (401, "token"),
    (403, "permessi"),
    (404, "non ha trovato"),
    (500, "problema temporaneo"),
    (503, "problema temporaneo"),
])
def test_check_response_says_what_went_wrong(status, words):
    with pytest.raises(SourceError) as caught:
        check_response(httpx.Response(status), "mastodon", NOW)
    message = str(caught.value)
    assert message.startswith("Mastodon ") and words in message and str(status) in message
    assert caught.value.status == status and caught.value.health == "failing"


def test_check_response_503_keeps_the_retry_time():
    with pytest.raises(SourceError) as caught:
        check_response(httpx.Response(503, headers={"Retry-After": "30"}), "x", NOW)
    assert caught.value.retry_at == NOW + timedelta(seconds=30)


def test_check_response_429_slows_down_until_the_platform_says():
    reset = str(int(datetime(2026, 11, 19, 10, 15, tzinfo=UTC).timestamp()))
    response = httpx.Response(429, headers={"x-rate-limit-reset": reset})
    with pytest.raises(RateLimited) as caught:
        check_response(response, "x", NOW)
    assert caught.value.health == "slowed" and caught.value.status == 429
    assert caught.value.retry_at == datetime(2026, 11, 19, 10, 15, tzinfo=UTC)
    assert "rallentare" in str(caught.value) and "10:15 UTC" in str(caught.value)


def test_check_response_lets_success_through():
    assert check_response(httpx.Response(200), "bluesky", NOW) is None


# -- JSON bodies -----------------------------------------------------------------------------

def test_parse_json_reads_json():
    assert parse_json(b'{"ok": [1, 2]}', "bluesky") == {"ok": [1, 2]}


def test_parse_json_on_an_html_page_says_it_is_a_web_page():
    page = b"<!DOCTYPE html><html><body><h1>Manutenzione</h1></body></html>"
    with pytest.raises(SourceError, match="pagina web invece che con dati"):
        parse_json(page, "mastodon", "text/html; charset=utf-8")


def test_parse_json_on_truncated_json_says_it_is_incomplete():
    with pytest.raises(SourceError, match="^Bluesky ha mandato dati incompleti"):
        parse_json(b'{"posts": [{"uri": "at://did:plc:a/app.bsky.feed.post/1", "te', "bluesky")


def test_parse_json_on_absurdly_nested_json_is_incomplete_not_a_crash():
    with pytest.raises(SourceError, match="dati incompleti o non validi"):
        parse_json(b"[" * 100_000, "mastodon")


# -- bounded reads ---------------------------------------------------------------------------

def test_read_body_returns_what_fits():
    with streamed([b"a" * 1000, b"b" * 1000]) as response:
        assert read_body(response, max_bytes=2000) == b"a" * 1000 + b"b" * 1000


def test_read_body_refuses_a_declared_length_over_the_cap():
    with streamed([b"x" * 10], content_length="10000000") as response:
        with pytest.raises(SourceError, match="troppo grande"):
            read_body(response, max_bytes=5 * 1024 * 1024)


def test_read_body_stops_an_undeclared_body_at_the_cap():
    with streamed([b"x" * 1024] * 64) as response:
        with pytest.raises(SourceError, match="supera 32 kB"):
            read_body(response, max_bytes=32 * 1024)


def test_read_body_stops_a_body_still_arriving_after_the_deadline():
    with streamed([b"x"] * 3) as response:
        with pytest.raises(SourceError, match="troppo lentamente"):
            read_body(response, deadline=time.monotonic() - 1)
