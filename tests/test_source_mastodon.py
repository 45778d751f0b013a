"""The live Mastodon source: hashtag and account timelines, cursors, limits, stream, re-checks.

Every answer comes from `FakeMastodon`, an `httpx.MockTransport` handler that behaves like a
Mastodon 4.6 server: full Status entities, newest first, `min_id` paging, `Link` headers that
keep only `limit` (as Mastodon's do), `X-RateLimit-*` headers with an ISO-8601 reset.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest

from coverage.sources import mastodon
from coverage.sources.http import RateLimited, SourceError, make_client
from coverage.sources.mastodon import (
    MastodonSource,
    hashtag_access,
    link_cursor,
    newest_id,
    page_links,
    sse_events,
)
from coverage.sources.registry import REGISTRY, Batch

# The messages asserted below are the Italian an editor reads: the code runs as in the app.
pytestmark = pytest.mark.usefixtures("italian")

INSTANCE = "https://social.example"
NOW = datetime(2026, 11, 19, 9, 30, tzinfo=UTC)
RESET = "2026-11-19T09:35:00.000000Z"
FIRST_ID = 117_020_000_000_000_000
TOKEN = "tok-3f9a-never-show-me"
RECORDINGS = Path(__file__).parents[2] / "shared" / "acceptance" / "mastodon"


def account(username: str, host: str = INSTANCE, account_id: str = "1001") -> dict[str, Any]:
    """A full Account entity; `acct` is bare for accounts of the instance answering."""
    local = host == INSTANCE
    return {
        "id": account_id, "username": username,
        "acct": username if local else f"{username}@{host.split('//')[1]}",
        "display_name": username.title(), "locked": False, "bot": False,
        "discoverable": True, "indexable": True, "group": False,
        "created_at": "2026-01-01T00:00:00.000Z", "note": "<p>Ufficio stampa</p>",
        "url": f"{host}/@{username}", "uri": f"{host}/users/{username}",
        "avatar": f"{host}/avatars/{username}.png",
        "avatar_static": f"{host}/avatars/{username}.png", "avatar_description": "",
        "header": f"{host}/headers/original/missing.png",
        "header_static": f"{host}/headers/original/missing.png", "header_description": "",
        "followers_count": 12, "following_count": 3, "statuses_count": 40,
        "last_status_at": "2026-11-19", "hide_collections": None, "noindex": False,
        "emojis": [], "roles": [], "fields": [],
    }


def status(number: int, text: str = "Si comincia", tags: tuple[str, ...] = ("pasocial",),
           user: str = "anna", host: str = INSTANCE, account_id: str = "1001",
           reblog: dict | None = None) -> dict[str, Any]:
    """A full public Status entity, as Mastodon 4.6 serializes it to anonymous readers."""
    sid = str(FIRST_ID + number)
    tag_html = " ".join(f'<a href="{host}/tags/{t}" class="mention hashtag" rel="tag">'
                        f"#<span>{t}</span></a>" for t in tags)
    created = NOW - timedelta(hours=2) + timedelta(seconds=number)
    return {
        "id": sid, "created_at": created.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
        "in_reply_to_id": None, "in_reply_to_account_id": None, "sensitive": False,
        "spoiler_text": "", "visibility": "public", "language": "it",
        "uri": f"{host}/ap/users/{account_id}/statuses/{sid}" + ("/activity" if reblog else ""),
        "url": None if reblog else f"{host}/@{user}/{sid}",
        "replies_count": 0, "reblogs_count": 0, "favourites_count": 2, "quotes_count": 0,
        "edited_at": None, "content": "" if reblog else f"<p>{text} {tag_html}</p>",
        "reblog": reblog, "application": {"name": "Web", "website": None},
        "account": account(user, host, account_id), "media_attachments": [],
        "mentions": [], "tags": [] if reblog else [
            {"name": t, "url": f"{host}/tags/{t}"} for t in tags],
        "emojis": [], "card": None, "poll": None, "quote": None,
    }


class FakeMastodon:
    """Answers like a Mastodon instance; records every request."""

    def __init__(self, statuses: list[dict] | None = None) -> None:
        self.statuses = list(statuses or [])  # oldest first
        self.accounts = {"ufficiostampa@pa.example": account(
            "ufficiostampa", "https://pa.example", "2002")}
        self.access = {"local": "public", "remote": "public"}
        self.remaining = 299
        self.requests: list[httpx.Request] = []
        self.override: dict[str, Any] = {}  # path → httpx.Response or callable(request)
        self.streams: list[Any] = []  # one per connection: a list of byte chunks, or a response

    def client(self) -> httpx.Client:
        return make_client(transport=httpx.MockTransport(self.handle))

    def paths(self) -> list[str]:
        return [r.url.path for r in self.requests]

    def headers(self) -> dict[str, str]:
        return {"X-RateLimit-Limit": "300", "X-RateLimit-Remaining": str(self.remaining),
                "X-RateLimit-Reset": RESET}

    def json(self, body: Any, status: int = 200, **extra: str) -> httpx.Response:
        return httpx.Response(status, json=body, headers={**self.headers(), **extra})

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        path, args = request.url.path, request.url.params
        if path in self.override:
            answer = self.override[path]
            return answer(request) if callable(answer) else answer
        if path.startswith("/api/v1/timelines/tag/"):
            tags = {path.rsplit("/", 1)[1].lower(), *(t.lower() for t in args.get_list("any[]"))}
            return self.page([s for s in self.statuses
                              if tags & {t["name"].lower() for t in s["tags"]}], request)
        if path == "/api/v1/accounts/lookup":
            found = self.accounts.get(args.get("acct", ""))
            return self.json(found) if found else self.json({"error": "Record not found"}, 404)
        if path.startswith("/api/v1/accounts/") and path.endswith("/statuses"):
            account_id = path.split("/")[4]
            return self.page([s for s in self.statuses if s["account"]["id"] == account_id],
                             request)
        if path.startswith("/api/v1/statuses/"):
            found = [s for s in self.statuses if s["id"] == path.rsplit("/", 1)[1]]
            return self.json(found[0]) if found else self.json({"error": "Not Found"}, 404)
        if path == "/api/v2/instance":
            return self.json({"domain": "social.example", "version": "4.6.0", "configuration": {
                "timelines_access": {"live_feeds": {"local": "public", "remote": "public"},
                                     "hashtag_feeds": dict(self.access)}}})
        if path == "/api/v1/streaming/hashtag" and self.streams:
            answer = self.streams.pop(0)
            if isinstance(answer, httpx.Response):
                return answer
            return httpx.Response(200, headers={"content-type": "text/event-stream"},
                                  content=_chunks(answer))
        return self.json({"error": "Not Found"}, 404)

    def page(self, chosen: list[dict], request: httpx.Request) -> httpx.Response:
        """Mastodon's paging: newest first; `min_id` gives the ones immediately newer."""
        args = request.url.params
        limit = min(int(args.get("limit", 20)), 40)
        key = lambda s: int(s["id"])  # noqa: E731
        if args.get("max_id"):
            chosen = [s for s in chosen if key(s) < int(args["max_id"])]
        if args.get("since_id"):
            chosen = [s for s in chosen if key(s) > int(args["since_id"])]
        if args.get("min_id"):
            chosen = sorted((s for s in chosen if key(s) > int(args["min_id"])), key=key)[:limit]
        else:
            chosen = sorted(chosen, key=key)[-limit:]
        page = sorted(chosen, key=key, reverse=True)
        headers = {}
        if page:
            # Like Mastodon's controllers: the links keep `limit` (and local/only_media) only.
            base = f"{request.url.scheme}://{request.url.host}{request.url.path}"
            keep = [("limit", args["limit"])] if "limit" in args else []
            headers["Link"] = (
                f'<{base}?{urlencode([*keep, ("max_id", page[-1]["id"])])}>; rel="next", '
                f'<{base}?{urlencode([*keep, ("min_id", page[0]["id"])])}>; rel="prev"')
        return self.json(page, **headers)


def _chunks(parts: list[Any]):
    for part in parts:
        if isinstance(part, Exception):
            raise part
        yield part


def source(fake: FakeMastodon, token: str = "", **config: Any) -> MastodonSource:
    """A source on the fake; an empty `hashtags` means none (the event here has none)."""
    config = {"instance": INSTANCE, "hashtags": ["pasocial"], **config}
    return MastodonSource(config, {}, fake.client(), {"MASTODON_TOKEN": token})


@pytest.fixture(autouse=True)
def fresh_memory():
    """Each test starts with no ids remembered from another test's statuses."""
    mastodon._SEEN.clear()
    mastodon._RECHECK_START.clear()
    yield
    mastodon._SEEN.clear()
    mastodon._RECHECK_START.clear()


# -- hashtags and cursors ----------------------------------------------------------------------

def test_the_source_is_registered_with_a_twenty_second_interval():
    assert REGISTRY["mastodon"] is MastodonSource
    assert MastodonSource.default_interval == 20.0


def test_several_hashtags_are_one_request_with_any():
    fake = FakeMastodon([status(1, tags=("pasocial",)), status(2, tags=("prova",)),
                         status(3, tags=("altro",)), status(4, tags=("PAsocial2026",))])
    batch = source(fake, hashtags=["#pasocial", "prova", "PAsocial2026"]).fetch({}, NOW)
    (request,) = fake.requests
    assert request.url.path == "/api/v1/timelines/tag/pasocial"
    assert request.url.params.get_list("any[]") == ["prova", "PAsocial2026"]
    assert request.url.params["limit"] == "40"
    assert [p.remote_id for p in batch.posts] == [
        status(n)["uri"] for n in (1, 2, 4)]  # oldest first
    assert batch.cursor == {"tag_min_id": str(FIRST_ID + 4)}


def test_hashtags_default_to_the_events():
    fake = FakeMastodon([status(1, tags=("prova",))])
    src = MastodonSource({"instance": INSTANCE}, {"hashtags": ["pasocial", "prova"]},
                         fake.client(), {})
    assert len(src.fetch({}, NOW).posts) == 1
    assert fake.requests[0].url.params.get_list("any[]") == ["prova"]


def test_first_run_takes_only_the_latest_page_and_sets_the_cursor():
    fake = FakeMastodon([status(n) for n in range(1, 101)])
    batch = source(fake).fetch({}, NOW)
    assert len(fake.requests) == 1 and "min_id" not in fake.requests[0].url.params
    assert [p.remote_id for p in batch.posts] == [status(n)["uri"] for n in range(61, 101)]
    assert batch.cursor["tag_min_id"] == str(FIRST_ID + 100)


def test_min_id_cursor_progresses_across_two_fetches():
    fake = FakeMastodon([status(n) for n in range(1, 4)])
    src = source(fake)
    first = src.fetch({}, NOW)
    fake.statuses += [status(n) for n in range(4, 7)]
    second = src.fetch(first.cursor, NOW)
    assert fake.requests[1].url.params["min_id"] == str(FIRST_ID + 3)
    assert [p.remote_id for p in second.posts] == [status(n)["uri"] for n in (4, 5, 6)]
    assert second.cursor["tag_min_id"] == str(FIRST_ID + 6)
    third = src.fetch(second.cursor, NOW)
    assert third.posts == [] and third.cursor["tag_min_id"] == str(FIRST_ID + 6)


def test_link_pagination_follows_newer_pages_until_exhausted_keeping_every_hashtag():
    fake = FakeMastodon([status(n, tags=("prova",) if n % 2 else ("pasocial",))
                         for n in range(1, 97)])
    batch = source(fake, hashtags=["pasocial", "prova"]).fetch(
        {"tag_min_id": str(FIRST_ID + 1)}, NOW)
    assert [r.url.params["min_id"] for r in fake.requests] == [
        str(FIRST_ID + 1), str(FIRST_ID + 41), str(FIRST_ID + 81)]
    # Mastodon's Link drops any[]: every page must still ask for both hashtags.
    assert all(r.url.params.get_list("any[]") == ["prova"] for r in fake.requests)
    assert [p.remote_id for p in batch.posts] == [status(n)["uri"] for n in range(2, 97)]
    assert batch.cursor["tag_min_id"] == str(FIRST_ID + 96)


def test_page_cap_ends_a_run_and_the_next_run_carries_on():
    fake = FakeMastodon([status(n) for n in range(1, 101)])
    src = source(fake)
    src.page_cap = 2
    first = src.fetch({"tag_min_id": str(FIRST_ID)}, NOW)
    assert len(first.posts) == 80 and first.cursor["tag_min_id"] == str(FIRST_ID + 80)
    second = src.fetch(first.cursor, NOW)
    assert [p.remote_id for p in second.posts] == [status(n)["uri"] for n in range(81, 101)]


def test_a_post_in_both_a_hashtag_and_a_followed_account_comes_once():
    shared = status(1, user="ufficiostampa", host="https://pa.example", account_id="2002")
    fake = FakeMastodon([shared])
    batch = source(fake, accounts=["@ufficiostampa@pa.example"]).fetch({}, NOW)
    assert [p.remote_id for p in batch.posts] == [shared["uri"]]


# -- accounts ----------------------------------------------------------------------------------

def test_account_lookup_is_cached_in_the_cursor_and_boosts_are_kept():
    original = status(1, user="sindaca", host="https://comune.example", account_id="3003")
    boost = status(2, user="ufficiostampa", host="https://pa.example", account_id="2002",
                   reblog=original)
    fake = FakeMastodon([boost])
    src = source(fake, hashtags=[], accounts=["@UfficioStampa@pa.example"])
    first = src.fetch({}, NOW)
    assert fake.paths() == ["/api/v1/accounts/lookup", "/api/v1/accounts/2002/statuses"]
    assert fake.requests[0].url.params["acct"] == "ufficiostampa@pa.example"
    assert not {"exclude_reblogs", "exclude_replies"} & set(fake.requests[1].url.params)
    assert first.cursor == {"accounts": {"@ufficiostampa@pa.example": {
        "id": "2002", "min_id": boost["id"]}}}
    (post,) = first.posts
    assert post.repost_of is not None and post.reposted_by.handle == "@ufficiostampa@pa.example"
    fake.statuses.append(status(3, user="ufficiostampa", host="https://pa.example",
                                account_id="2002"))
    second = src.fetch(first.cursor, NOW)
    assert fake.paths()[2:] == ["/api/v1/accounts/2002/statuses"]
    assert fake.requests[2].url.params["min_id"] == boost["id"]
    assert len(second.posts) == 1


def test_event_accounts_on_mastodon_are_the_default():
    fake = FakeMastodon()
    event = {"hashtags": [], "accounts": [
        {"platform": "bluesky", "handle": "@ente.bsky.social"},
        {"platform": "mastodon", "handle": "@ufficiostampa@pa.example"}]}
    src = MastodonSource({"instance": INSTANCE}, event, fake.client(), {})
    assert src.accounts == ["@ufficiostampa@pa.example"]


def test_an_unknown_account_is_skipped_without_stopping_the_others():
    fake = FakeMastodon([status(1)])
    src = source(fake, accounts=["@nessuno@pa.example"])
    first = src.fetch({}, NOW)
    assert len(first.posts) == 1
    assert "@nessuno@pa.example" in first.skipped[0] and "controlla" in first.skipped[0]
    assert first.cursor["accounts"] == {"@nessuno@pa.example": {
        "missing_at": "2026-11-19T09:30:00.000Z"}}
    fake.requests.clear()
    src.fetch(first.cursor, NOW + timedelta(minutes=5))  # not asked again so soon
    assert "/api/v1/accounts/lookup" not in fake.paths()
    src.fetch(first.cursor, NOW + timedelta(minutes=20))
    assert "/api/v1/accounts/lookup" in fake.paths()


def test_accounts_only_and_all_failing_is_a_failure():
    fake = FakeMastodon()
    with pytest.raises(SourceError, match="@nessuno@pa.example"):
        source(fake, hashtags=[], accounts=["nessuno@pa.example"]).fetch({}, NOW)


def test_handles_are_normalized_and_bad_ones_reported():
    fake = FakeMastodon([status(1)])
    src = source(fake, accounts=["UfficioStampa@pa.example", "@ufficiostampa@pa.example",
                                 "anna", "https://pa.example/@x", "@dev@localhost:3000"])
    assert src.accounts == ["@ufficiostampa@pa.example", "@anna", "@dev@localhost:3000"]
    notes = src.fetch({}, NOW).notes
    assert notes == ["Account Mastodon non valido, ignorato: 'https://pa.example/@x' "
                     "(scrivilo come @nome@istanza)."]


def test_a_single_hashtag_typed_as_a_word_is_one_hashtag():
    assert source(FakeMastodon(), hashtags="pasocial").hashtags == ["pasocial"]


def test_the_token_setting_can_only_name_a_mastodon_token():
    with pytest.raises(SourceError, match="MASTODON_TOKEN"):
        source(FakeMastodon(), token_setting="SECRET_KEY")


def test_nothing_to_follow_is_said_plainly():
    with pytest.raises(SourceError, match="Nessun hashtag o account"):
        MastodonSource({"instance": INSTANCE}, {}, FakeMastodon().client(), {}).fetch({}, NOW)


@pytest.mark.parametrize("instance", ["", "mastodon.social", "ftp://mastodon.social"])
def test_an_instance_without_a_web_address_is_refused(instance):
    with pytest.raises(SourceError, match="https://mastodon.social"):
        MastodonSource({"instance": instance}, {"hashtags": ["x"]}, None, {})


def test_a_private_instance_address_is_allowed():
    src = MastodonSource({"instance": "http://127.0.0.1:3000/"}, {"hashtags": ["x"]},
                         FakeMastodon().client(), {})
    assert src.instance == "http://127.0.0.1:3000"


# -- limits and errors -------------------------------------------------------------------------

@pytest.mark.parametrize("retry_after, expected", [
    ("30", NOW + timedelta(seconds=30)),
    ("Thu, 19 Nov 2026 09:45:00 GMT", datetime(2026, 11, 19, 9, 45, tzinfo=UTC)),
])
def test_429_with_retry_after_is_rate_limited_until_then(retry_after, expected):
    fake = FakeMastodon()
    fake.override["/api/v1/timelines/tag/pasocial"] = fake.json(
        {"error": "Too many requests"}, 429, **{"Retry-After": retry_after})
    with pytest.raises(RateLimited) as caught:
        source(fake).fetch({}, NOW)
    assert caught.value.retry_at == expected and caught.value.health == "slowed"


def test_429_without_retry_after_waits_for_the_iso_reset():
    fake = FakeMastodon()
    fake.remaining = 0
    fake.override["/api/v1/timelines/tag/pasocial"] = fake.json({"error": "Too many"}, 429)
    with pytest.raises(RateLimited, match="rallentare") as caught:
        source(fake).fetch({}, NOW)
    assert caught.value.retry_at == datetime(2026, 11, 19, 9, 35, tzinfo=UTC)


def test_no_requests_left_stops_paging_and_keeps_what_came():
    fake = FakeMastodon([status(n) for n in range(1, 101)])
    fake.remaining = 0
    batch = source(fake, accounts=["@ufficiostampa@pa.example"]).fetch(
        {"tag_min_id": str(FIRST_ID)}, NOW)
    assert len(fake.requests) == 1 and len(batch.posts) == 40
    assert batch.cursor["tag_min_id"] == str(FIRST_ID + 40)
    assert batch.notes == ["social.example ha esaurito le richieste concesse per ora: "
                           "il resto arriva dopo le 09:35 UTC."]


@pytest.mark.parametrize("code", [500, 502, 503])
def test_server_errors_are_source_errors_in_plain_words(code):
    fake = FakeMastodon()
    fake.override["/api/v1/timelines/tag/pasocial"] = httpx.Response(
        code, text="oops", headers={"Retry-After": "120"})
    with pytest.raises(SourceError, match=f"problema temporaneo \\(errore {code}\\)") as caught:
        source(fake).fetch({}, NOW)
    assert caught.value.retry_at == NOW + timedelta(minutes=2)


def test_an_html_error_page_is_explained():
    fake = FakeMastodon()
    fake.override["/api/v1/timelines/tag/pasocial"] = httpx.Response(
        200, text="<!DOCTYPE html><html><body>We're sorry, but something went wrong.</body>"
        "</html>", headers={"content-type": "text/html; charset=utf-8"})
    with pytest.raises(SourceError, match="pagina web invece che con dati"):
        source(fake).fetch({}, NOW)


def test_truncated_json_is_explained():
    fake = FakeMastodon()
    body = json.dumps([status(1), status(2)])[:-300]
    fake.override["/api/v1/timelines/tag/pasocial"] = httpx.Response(
        200, text=body, headers={"content-type": "application/json; charset=utf-8"})
    with pytest.raises(SourceError, match="dati incompleti"):
        source(fake).fetch({}, NOW)


def test_an_object_instead_of_a_list_is_explained():
    fake = FakeMastodon()
    fake.override["/api/v1/timelines/tag/pasocial"] = fake.json({"error": "boh"})
    with pytest.raises(SourceError, match="invece di un elenco"):
        source(fake).fetch({}, NOW)


def test_a_broken_status_is_skipped_and_the_rest_kept():
    broken = status(2)
    del broken["account"]
    fake = FakeMastodon([status(1), broken, status(3)])
    batch = source(fake).fetch({}, NOW)
    assert len(batch.posts) == 2 and "Post" in batch.skipped[0]
    assert batch.cursor["tag_min_id"] == str(FIRST_ID + 3)


# -- the token and closed hashtag feeds --------------------------------------------------------

def test_the_token_is_sent_as_bearer_and_never_leaks(caplog):
    caplog.set_level(logging.DEBUG)
    fake = FakeMastodon([status(1)])
    fake.accounts.clear()
    src = source(fake, token=TOKEN, accounts=["@ufficiostampa@pa.example"])
    batch = src.fetch({}, NOW)
    assert {r.headers["authorization"] for r in fake.requests} == {f"Bearer {TOKEN}"}
    seen = [json.dumps(batch.cursor), *batch.notes, *batch.skipped]
    for code, body in [(401, {"error": "The access token is invalid"}), (403, {}),
                       (500, {}), (200, "<html>down</html>")]:
        fake.override["/api/v1/timelines/tag/pasocial"] = (
            fake.json(body, code) if isinstance(body, dict) else httpx.Response(code, text=body))
        with pytest.raises(SourceError) as caught:
            src.fetch({}, NOW)
        seen.append(str(caught.value))
    del fake.override["/api/v1/timelines/tag/pasocial"]
    fake.override["/api/v1/streaming/hashtag"] = fake.json({"error": "Invalid token"}, 401)
    src.stream({}, seen.append, threading.Event())
    assert any("il token manca, è scaduto o è sbagliato" in str(text) for text in seen)
    assert not [text for text in [*map(str, seen), caplog.text] if TOKEN in text]


def test_a_custom_token_setting_is_read():
    fake = FakeMastodon([status(1)])
    MastodonSource({"instance": INSTANCE, "hashtags": ["pasocial"],
                    "token_setting": "MASTODON_TOKEN_ENTE"}, {}, fake.client(),
                   {"MASTODON_TOKEN_ENTE": "altro"}).fetch({}, NOW)
    assert fake.requests[0].headers["authorization"] == "Bearer altro"


def test_without_a_token_no_authorization_header_is_sent():
    fake = FakeMastodon([status(1)])
    source(fake).fetch({}, NOW)
    assert "authorization" not in fake.requests[0].headers


@pytest.mark.parametrize("code", [401, 403, 422])
def test_a_closed_hashtag_feed_asks_the_lead_for_the_token(code):
    fake = FakeMastodon()
    fake.override["/api/v1/timelines/tag/pasocial"] = fake.json(
        {"error": "This method requires an authenticated user"}, code)
    with pytest.raises(SourceError, match="imposta PIAZZA_MASTODON_TOKEN") as caught:
        source(fake).fetch({}, NOW)
    assert "social.example" in str(caught.value)


def test_an_empty_feed_read_anonymously_is_checked_against_the_instance_settings():
    fake = FakeMastodon()
    fake.access = {"local": "public", "remote": "authenticated"}
    with pytest.raises(SourceError, match="imposta PIAZZA_MASTODON_TOKEN"):
        source(fake).fetch({}, NOW)
    assert fake.paths() == ["/api/v1/timelines/tag/pasocial", "/api/v2/instance"]


def test_an_empty_feed_on_an_open_instance_is_just_empty_and_asked_once_an_hour():
    fake = FakeMastodon()
    src = source(fake)
    first = src.fetch({}, NOW)
    assert first.posts == [] and first.cursor == {"access_checked_at": "2026-11-19T09:30:00.000Z"}
    src.fetch(first.cursor, NOW + timedelta(minutes=10))
    assert fake.paths().count("/api/v2/instance") == 1
    src.fetch(first.cursor, NOW + timedelta(minutes=70))
    assert fake.paths().count("/api/v2/instance") == 2


def test_with_a_token_an_empty_feed_is_not_questioned():
    fake = FakeMastodon()
    assert source(fake, token=TOKEN).fetch({}, NOW).posts == []
    assert "/api/v2/instance" not in fake.paths()


def test_disabled_hashtag_feeds_are_reported_plainly():
    fake = FakeMastodon()
    fake.access = {"local": "disabled", "remote": "disabled"}
    with pytest.raises(SourceError, match="ha disattivato i feed degli hashtag"):
        source(fake).fetch({}, NOW)
    fake.access = {"local": "public", "remote": "disabled"}
    batch = source(fake).fetch({}, NOW)
    assert batch.notes == ["social.example non mostra i post di altre istanze nei feed degli "
                           "hashtag: segui anche un'istanza più grande."]


def test_with_a_token_a_refusal_blames_the_token():
    fake = FakeMastodon()
    fake.override["/api/v1/timelines/tag/pasocial"] = fake.json({"error": "invalid"}, 401)
    with pytest.raises(SourceError, match="il token manca, è scaduto o è sbagliato"):
        source(fake, token=TOKEN).fetch({}, NOW)


# -- the live stream ---------------------------------------------------------------------------

def sse(event: str, data: Any) -> bytes:
    payload = data if isinstance(data, str) else json.dumps(data)
    return f"event: {event}\ndata: {payload}\n\n".encode()


def run_stream(src: MastodonSource, batches: int, cursor: dict | None = None) -> list[Batch]:
    """Drive `stream` until it has emitted `batches` batches (or returned by itself)."""
    stop, got = threading.Event(), []

    def emit(batch: Batch) -> None:
        got.append(batch)
        if len(got) >= batches:
            stop.set()

    src.stream(cursor or {}, emit, stop, reconnect_delay=0.001, max_delay=0.01)
    return got


def test_stream_brings_new_edited_and_deleted_posts_after_a_backfill():
    old, new = status(1), status(2, text="Dal palco")
    edited = {**new, "content": "<p>Dal palco, corretto</p>", "edited_at": "2026-11-19T09:31Z"}
    fake = FakeMastodon([old])
    fake.streams.append([b":)\n", sse("update", new), b":thump\n", sse("status.update", edited),
                         sse("notification", {"id": "1"}), sse("delete", new["id"])])
    backfill, update, edit, delete = run_stream(source(fake), 4)
    assert [p.remote_id for p in backfill.posts] == [old["uri"]]
    assert backfill.cursor == {"tag_min_id": old["id"]}
    assert [p.text for p in update.posts] == ["Dal palco #pasocial"] and update.cursor == {}
    assert [p.text for p in edit.updated] == ["Dal palco, corretto"] and edit.posts == []
    assert delete.deleted == [("mastodon", new["uri"])] and delete.cursor == {}
    stream_request = fake.requests[1]
    assert stream_request.url.path == "/api/v1/streaming/hashtag"
    assert stream_request.url.params["tag"] == "pasocial"


def test_a_delete_of_a_status_seen_by_an_earlier_fetch_is_mapped_to_its_uri():
    fake = FakeMastodon([status(1)])
    source(fake).fetch({}, NOW)  # another source object, same process and instance
    fake.streams.append([sse("delete", f'"{status(1)["id"]}"'), sse("delete", "999")])
    _, delete = run_stream(source(fake), 2)
    assert delete.deleted == [("mastodon", status(1)["uri"])]


def test_a_dropped_stream_reconnects_with_a_backfill_and_drops_the_cut_event():
    first, missed, later = status(1), status(2), status(3)
    fake = FakeMastodon([first])
    cut = sse("update", missed)[:80]
    fake.streams.append([b":)\n", sse("update", first), cut, httpx.ReadError("reset by peer")])
    fake.streams.append([b":)\n", sse("update", later)])

    def arrives_while_disconnected(batch: Batch) -> None:
        if batch.posts and batch.posts[0].remote_id == first["uri"] and not batch.cursor:
            fake.statuses.append(missed)

    stop, got = threading.Event(), []

    def emit(batch: Batch) -> None:
        got.append(batch)
        arrives_while_disconnected(batch)
        if len(got) == 4:
            stop.set()

    source(fake).stream({}, emit, stop, reconnect_delay=0.001, max_delay=0.01)
    assert fake.paths() == ["/api/v1/timelines/tag/pasocial", "/api/v1/streaming/hashtag"] * 2
    assert fake.requests[2].url.params["min_id"] == first["id"]
    backfill, live, second_backfill, live_again = got
    assert [p.remote_id for p in live.posts] == [first["uri"]]
    assert [p.remote_id for p in second_backfill.posts] == [missed["uri"]]
    assert second_backfill.cursor == {"tag_min_id": missed["id"]}
    assert [p.remote_id for p in live_again.posts] == [later["uri"]]


def test_a_stream_that_ends_cleanly_is_reopened_too():
    fake = FakeMastodon()
    fake.access = {"local": "public", "remote": "public"}
    fake.streams += [[b":)\n"], [sse("update", status(5))]]
    got = run_stream(source(fake, token=TOKEN), 3)
    assert [len(b.posts) for b in got] == [0, 0, 1]


@pytest.mark.parametrize("code", [401, 404])
def test_an_instance_without_a_usable_stream_returns_quietly(code, caplog):
    caplog.set_level(logging.INFO)
    fake = FakeMastodon([status(1)])
    fake.streams.append(fake.json({"error": "Streaming API not enabled"}, code))
    got = run_stream(source(fake), 99)
    assert len(got) == 1 and len(got[0].posts) == 1  # the backfill, then polling only
    assert "polling only" in caplog.text


def test_the_stream_follows_a_redirect_to_the_instances_streaming_host_only():
    fake = FakeMastodon()
    moved = "https://streaming.social.example/api/v1/streaming/hashtag?tag=pasocial"
    fake.override["/api/v1/streaming/hashtag"] = lambda request: (
        httpx.Response(200, headers={"content-type": "text/event-stream"},
                       content=sse("update", status(1)))
        if request.url.host == "streaming.social.example"
        else httpx.Response(301, headers={"Location": moved}))
    got = run_stream(source(fake, token=TOKEN), 2)
    assert len(got[1].posts) == 1
    assert fake.requests[-1].headers["authorization"] == f"Bearer {TOKEN}"

    elsewhere = FakeMastodon()
    elsewhere.override["/api/v1/streaming/hashtag"] = httpx.Response(
        302, headers={"Location": "https://collector.invalid/steal"})
    assert len(run_stream(source(elsewhere, token=TOKEN), 99)) == 1
    assert [r.url.host for r in elsewhere.requests] == ["social.example"] * 2


def test_a_backfill_failure_is_retried_with_backoff():
    fake = FakeMastodon([status(1)])
    answers = [httpx.Response(503, text="busy")]
    normal = fake.handle

    def flaky(request: httpx.Request) -> httpx.Response:
        if answers and "timelines" in request.url.path:
            fake.requests.append(request)
            return answers.pop()
        return normal(request)

    src = MastodonSource({"instance": INSTANCE, "hashtags": ["pasocial"]}, {},
                         make_client(transport=httpx.MockTransport(flaky)), {})
    got = run_stream(src, 1)
    assert len(got[0].posts) == 1
    assert fake.paths()[:2] == ["/api/v1/timelines/tag/pasocial"] * 2


def test_a_source_without_hashtags_does_not_stream():
    fake = FakeMastodon()
    assert run_stream(source(fake, hashtags=[], accounts=["@ufficiostampa@pa.example"]), 9) == []
    assert fake.requests == []


def test_server_sent_events_are_parsed_like_the_spec_says():
    lines = [":)", "event: update", "data: {\"a\":", "data: 1}", "", ":thump", "event:delete",
             "data:42", "", "data: solo dati", "", "event: update", "data: {\"cut\""]
    assert list(sse_events(lines)) == [("update", '{"a":\n1}'), ("delete", "42"),
                                       ("message", "solo dati")]


# -- re-checks ---------------------------------------------------------------------------------

def test_recheck_reports_statuses_the_instance_no_longer_has():
    kept, gone = status(1), status(2)
    remote_seen = status(3, host="https://altro.example", account_id="77")
    fake = FakeMastodon([kept, remote_seen])
    mastodon._seen_for(INSTANCE).add(remote_seen["id"], remote_seen["uri"])
    never_seen = "https://altro.example/users/bob/statuses/5"
    old_style = f"{INSTANCE}/users/anna/statuses/{FIRST_ID + 9}"
    result = source(fake).recheck([kept["uri"], gone["uri"], remote_seen["uri"], never_seen,
                                   old_style], NOW)
    assert result == [gone["uri"], old_style]
    assert fake.paths() == [f"/api/v1/statuses/{FIRST_ID + n}" for n in (1, 2, 3, 9)]


def test_recheck_is_bounded_and_takes_turns():
    uris = [status(n)["uri"] for n in range(1, 51)]
    fake = FakeMastodon()
    src = source(fake)
    assert len(src.recheck(uris, NOW)) == mastodon.RECHECK_REQUESTS
    assert len(fake.requests) == mastodon.RECHECK_REQUESTS
    second = src.recheck(uris, NOW)
    assert second[:20] == uris[30:]


def test_recheck_stops_at_a_rate_limit_and_keeps_what_it_found():
    fake = FakeMastodon()
    calls = iter([fake.json({"error": "Not Found"}, 404),
                  fake.json({"error": "Too many"}, 429, **{"Retry-After": "60"})])
    fake.override.update({f"/api/v1/statuses/{FIRST_ID + n}": (lambda r: next(calls))
                          for n in (1, 2, 3)})
    uris = [status(n)["uri"] for n in (1, 2, 3)]
    assert source(fake).recheck(uris, NOW) == [uris[0]]
    assert len(fake.requests) == 2


# -- pure helpers ------------------------------------------------------------------------------

def test_link_headers_are_read_by_relation():
    header = ('<https://s.example/api/v1/timelines/tag/x?limit=40&max_id=10>; rel="next", '
              '<https://s.example/api/v1/timelines/tag/x?limit=40&min_id=20>; rel="prev"')
    assert page_links(header) == {
        "next": "https://s.example/api/v1/timelines/tag/x?limit=40&max_id=10",
        "prev": "https://s.example/api/v1/timelines/tag/x?limit=40&min_id=20"}
    assert link_cursor(header, "prev") == "20" and link_cursor(header, "next") == "10"
    assert link_cursor('<https://s.example/a?since_id=7>; rel="prev"', "prev") == "7"
    assert page_links("") == {} and link_cursor("garbage", "prev") is None


def test_newest_id_orders_snowflakes_by_length_then_digits():
    assert newest_id("99", "117020000000000001", None, "", "117020000000000000") == \
        "117020000000000001"
    assert newest_id(None, "") is None


# -- against recorded answers of a real Mastodon 4.6 server ------------------------------------

@pytest.fixture(scope="module")
def recordings() -> list[tuple[str, dict]]:
    if not RECORDINGS.is_dir():
        message = f"acceptance recordings not found at {RECORDINGS}"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return [(f"{path.stem}#{n}", exchange)
            for path in sorted(RECORDINGS.glob("*.json"))
            for n, exchange in enumerate(json.loads(path.read_text(encoding="utf-8")))]


def _header(exchange: dict, name: str) -> str:
    headers = exchange["response"]["headers"]
    return next((v for k, v in headers.items() if k.lower() == name), "")


def test_recorded_link_headers_page_exactly_around_the_page(recordings):
    paged = [(where, e) for where, e in recordings if _header(e, "link")]
    assert len(paged) >= 4
    for where, exchange in paged:
        body = exchange["response"]["body"]
        header = _header(exchange, "link")
        assert set(page_links(header)) == {"next", "prev"}, where
        assert link_cursor(header, "prev") == body[0]["id"], where  # the newest
        assert link_cursor(header, "next") == body[-1]["id"], where  # the oldest


def test_recorded_instances_say_how_hashtag_feeds_are_open(recordings):
    documents = [e["response"]["body"] for _, e in recordings
                 if e["request"]["url"].rstrip("/").endswith("/api/v2/instance")]
    assert documents
    for document in documents:
        assert set(hashtag_access(document).values()) <= {"public", "authenticated", "disabled"}
    social = next(d for d in documents if d.get("domain") == "mastodon.social")
    live = social["configuration"]["timelines_access"]["live_feeds"]
    assert live["local"] == "disabled"  # closed live feeds must not be read as closed hashtags
    assert hashtag_access(social) == {"local": "public", "remote": "public"}


def test_a_recorded_hashtag_timeline_becomes_posts_and_a_cursor(recordings):
    where, exchange = next((w, e) for w, e in recordings
                           if "/timelines/tag/" in e["request"]["url"])
    response = exchange["response"]
    fake = FakeMastodon()
    fake.override["/api/v1/timelines/tag/hoot"] = httpx.Response(
        response["status"], json=response["body"],
        headers={k: v for k, v in response["headers"].items()
                 if k.lower() in ("link", "content-type") or k.lower().startswith("x-ratelimit")})
    src = MastodonSource({"instance": "http://localhost:3000", "hashtags": ["hoot"]}, {},
                         fake.client(), {})
    batch = src.fetch({}, NOW)
    assert [p.remote_id for p in batch.posts] == [s["uri"] for s in response["body"]], where
    assert batch.cursor == {"tag_min_id": response["body"][0]["id"]}


def test_recorded_streams_parse_into_updates_edits_and_deletes(recordings):
    bodies = [e["response"]["body"] for _, e in recordings
              if isinstance(e["response"]["body"], str)]
    events = [event for body in bodies for event in sse_events(body.splitlines())]
    kinds = {kind for kind, _ in events}
    assert {"update", "status.update", "delete"} <= kinds
    src = MastodonSource({"instance": "http://localhost:3000", "hashtags": ["x"]}, {}, None, {})
    batches = [b for kind, data in events if (b := src._event_batch(kind, data)) is not None]
    updates = [p for b in batches for p in b.posts]
    deleted = [d for b in batches for d in b.deleted]
    assert updates and deleted
    assert set(deleted) <= {("mastodon", p.remote_id) for p in updates}
