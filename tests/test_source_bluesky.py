"""The live Bluesky source against a fake XRPC server that answers like bsky.social."""

from __future__ import annotations

import json
import re
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from coverage.collector import poll_once
from coverage.sources import make_source
from coverage.sources.bluesky import BlueskySource, credentials_needed
from coverage.sources.http import RateLimited, SourceError, make_client

# The messages asserted below are the Italian an editor reads: the code runs as in the app.
pytestmark = pytest.mark.usefixtures("italian")

NOW = datetime(2026, 11, 19, 9, 30, tzinfo=UTC)
HANDLE = "ufficio.stampa.bsky.social"
PASSWORD = "abcd-efgh-ijkl-mnop"  # an app password's shape
EVENT = {"slug": "prova", "name": "Prova", "hashtags": ["pasocial"], "accounts": []}


def at(minutes: float) -> str:
    """An indexedAt time, `minutes` after 08:00 on the event day."""
    moment = datetime(2026, 11, 19, 8, 0, tzinfo=UTC) + timedelta(minutes=minutes)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def profile(handle: str, labels: tuple[str, ...] = ()) -> dict:
    did = "did:plc:" + handle.split(".")[0]
    return {"did": did, "handle": handle, "displayName": handle.split(".")[0].title(),
            "avatar": f"https://cdn.bsky.app/img/avatar/plain/{did}/bafk@jpeg",
            "labels": [{"src": did, "uri": did, "val": v, "cts": "2024-01-01T00:00:00Z"}
                       for v in labels],
            "createdAt": "2024-01-01T00:00:00.000Z"}


def facets(text: str) -> list[dict]:
    """Rich-text facets for every #tag and https:// link, with UTF-8 byte offsets."""
    found = []
    for match in re.finditer(r"[#h]\S+", text):
        word, start = match.group().rstrip(",.;:!?"), match.start()
        byte_start = len(text[:start].encode("utf-8"))
        byte_end = byte_start + len(word.encode("utf-8"))
        if word.startswith("#"):
            feature = {"$type": "app.bsky.richtext.facet#tag", "tag": word[1:]}
        elif word.startswith("https://"):
            feature = {"$type": "app.bsky.richtext.facet#link", "uri": word}
        else:
            continue
        found.append({"$type": "app.bsky.richtext.facet",
                      "index": {"byteStart": byte_start, "byteEnd": byte_end},
                      "features": [feature]})
    return found


def post_view(key: str, minutes: float, text: str = "", *, handle: str = "anna.bsky.social",
              author_labels: tuple[str, ...] = (), labels: tuple[str, ...] = (),
              embed: dict | None = None) -> dict:
    """A full app.bsky.feed.defs#postView."""
    text = text or f"Già in sala 🇮🇹 per #pasocial, è il post {key} https://example.it/caffè"
    author = profile(handle, author_labels)
    uri = f"at://{author['did']}/app.bsky.feed.post/3l{key}"
    view = {
        "$type": "app.bsky.feed.defs#postView",
        "uri": uri, "cid": f"bafy{key}", "author": author,
        "record": {"$type": "app.bsky.feed.post", "text": text, "facets": facets(text),
                   "createdAt": at(minutes - 0.01), "langs": ["it"]},
        "replyCount": 0, "repostCount": 1, "likeCount": 3, "quoteCount": 0,
        "indexedAt": at(minutes),
        "labels": [{"src": author["did"], "uri": uri, "val": v, "cts": at(minutes)}
                   for v in labels],
    }
    if embed:
        view["embed"] = embed
    return view


class FakeBluesky:
    """Answers like a PDS entryway proxying to the AppView: sessions, search, feeds, getPosts."""

    def __init__(self, page_size: int = 100, anonymous_ok: bool = False) -> None:
        self.page_size = page_size
        self.anonymous_ok = anonymous_ok
        self.requests: list[httpx.Request] = []
        self.search: dict[str, list[dict]] = {}  # tag or q → postViews, newest first
        self.feeds: dict[str, list[dict]] = {}  # actor → feedViewPosts, newest first
        self.existing: set[str] = set()  # uris getPosts still finds
        self.access: set[str] = set()
        self.refresh: set[str] = set()
        self.issued = 0
        self.override = None  # a function(request) -> Response | None, for failures

    def calls(self, nsid: str) -> list[httpx.Request]:
        return [r for r in self.requests if r.url.path == f"/xrpc/{nsid}"]

    def expire_access(self) -> None:
        self.access.clear()

    def revoke_refresh(self) -> None:
        self.refresh.clear()

    def client(self) -> httpx.Client:
        return make_client(transport=httpx.MockTransport(self.handle))

    def answer(self, status: int, body: object) -> httpx.Response:
        headers = {"ratelimit-limit": "3000", "ratelimit-remaining": "2999",
                   "ratelimit-reset": str(int(NOW.timestamp()) + 300),
                   "ratelimit-policy": "3000;w=300"}
        return httpx.Response(status, json=body, headers=headers)

    def error(self, status: int, error: str, message: str) -> httpx.Response:
        return self.answer(status, {"error": error, "message": message})

    def new_session(self) -> dict:
        self.issued += 1
        access, refresh = f"eyJ.access-{self.issued}.sig", f"eyJ.refresh-{self.issued}.sig"
        self.access.add(access)
        self.refresh.add(refresh)
        return {"accessJwt": access, "refreshJwt": refresh, "handle": HANDLE,
                "did": "did:plc:ufficio", "email": "stampa@ente.it", "active": True}

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.override and (response := self.override(request)) is not None:
            return response
        nsid = request.url.path.removeprefix("/xrpc/")
        token = request.headers.get("authorization", "").removeprefix("Bearer ")
        if nsid == "com.atproto.server.createSession":
            body = json.loads(request.content)
            if body != {"identifier": HANDLE, "password": PASSWORD}:
                return self.error(401, "AuthenticationRequired", "Invalid identifier or password")
            return self.answer(200, self.new_session())
        if nsid == "com.atproto.server.refreshSession":
            if token not in self.refresh:
                return self.error(400, "ExpiredToken", "Token has been revoked")
            self.refresh.discard(token)
            return self.answer(200, self.new_session())
        if not token and not self.anonymous_ok:
            return self.error(401, "AuthMissing", "Authentication Required")
        if token and token not in self.access:
            return self.error(400, "ExpiredToken", "Token has expired")
        params = request.url.params
        if nsid == "app.bsky.feed.searchPosts":
            assert params["sort"] == "latest" and params["limit"] == "100"
            tags = params.get_list("tag")
            key = tags[0] if tags else params["q"]
            return self.page(self.search.get(key, []), params, "posts")
        if nsid == "app.bsky.feed.getAuthorFeed":
            assert params["filter"] == "posts_with_replies" and params["limit"] == "100"
            if params["actor"] not in self.feeds:
                return self.error(400, "InvalidRequest", "Profile not found")
            return self.page(self.feeds[params["actor"]], params, "feed")
        if nsid == "app.bsky.feed.getPosts":
            uris = params.get_list("uris")
            assert 1 <= len(uris) <= 25
            return self.answer(200, {"posts": [post_view(u.rsplit("/", 1)[1], 1)
                                               | {"uri": u} for u in uris
                                               if u in self.existing]})
        return self.error(501, "MethodNotImplemented", "Method Not Implemented")

    def page(self, items: list[dict], params: httpx.QueryParams, key: str) -> httpx.Response:
        start = int(params.get("cursor") or 0)
        body: dict = {key: items[start:start + self.page_size]}
        if start + self.page_size < len(items):
            body["cursor"] = str(start + self.page_size)
        if key == "posts":
            body["hitsTotal"] = len(items)
        return self.answer(200, body)


@pytest.fixture
def settings(tmp_path) -> dict:
    return {"DB": str(tmp_path / "piazza.db"), "BLUESKY_HANDLE": HANDLE,
            "BLUESKY_APP_PASSWORD": PASSWORD}


@pytest.fixture
def fake() -> FakeBluesky:
    server = FakeBluesky()
    server.search["pasocial"] = [post_view("b", 2), post_view("a", 1)]
    return server


def source(fake: FakeBluesky, settings: dict, config: dict | None = None,
           event: dict | None = None) -> BlueskySource:
    row = {"platform": "bluesky", "config": config or {}}
    return make_source(row, event or EVENT, settings, fake.client())


def keys(posts: list) -> list[str]:
    """The keys given to post_view, from the posts' at:// uris."""
    return [p.remote_id.rsplit("/3l", 1)[1] for p in posts]


def session_files(settings: dict) -> list[Path]:
    return sorted(Path(settings["DB"]).parent.glob("bluesky-session-*.json"))


# -- sessions ---------------------------------------------------------------------------------

def test_session_is_created_once_and_reused_across_sources(fake, settings):
    first = source(fake, settings).fetch({}, NOW)
    second_source = source(fake, settings)
    again = second_source.fetch(first.cursor, NOW)
    source(fake, settings, {"hashtags": ["altro"]}).fetch({}, NOW)

    assert len(fake.calls("com.atproto.server.createSession")) == 1
    assert [p.remote_id for p in first.posts] == [v["uri"] for v in fake.search["pasocial"]]
    assert again.posts == []
    [path] = session_files(settings)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    saved = json.loads(path.read_text())
    assert set(saved) == {"accessJwt", "refreshJwt", "did", "handle"}
    assert PASSWORD not in path.read_text()
    searches = fake.calls("app.bsky.feed.searchPosts")
    assert {r.headers["authorization"] for r in searches} == {f"Bearer {saved['accessJwt']}"}


def test_session_file_is_per_instance_and_handle(fake, settings):
    source(fake, settings).fetch({}, NOW)
    source(fake, settings, {"instance": "http://127.0.0.1:2583"}).fetch({}, NOW)
    assert len(session_files(settings)) == 2
    assert len(fake.calls("com.atproto.server.createSession")) == 2


@pytest.mark.parametrize("status, error", [(400, "ExpiredToken"), (401, "InvalidToken")])
def test_expired_access_token_is_refreshed_not_recreated(fake, settings, status, error):
    source(fake, settings).fetch({}, NOW)
    old = json.loads(session_files(settings)[0].read_text())
    fake.expire_access()
    if status == 401:
        def invalid(request):
            token = request.headers.get("authorization", "").removeprefix("Bearer ")
            if request.url.path.endswith("searchPosts") and token == old["accessJwt"]:
                return fake.error(401, error, "Bad token")
            return None
        fake.override = invalid

    batch = source(fake, settings).fetch({}, NOW)

    assert len(batch.posts) == 2
    assert len(fake.calls("com.atproto.server.createSession")) == 1
    [refresh] = fake.calls("com.atproto.server.refreshSession")
    assert refresh.method == "POST"
    assert refresh.headers["authorization"] == f"Bearer {old['refreshJwt']}"
    new = json.loads(session_files(settings)[0].read_text())
    assert new["accessJwt"] != old["accessJwt"] and new["accessJwt"] in fake.access


def test_new_session_only_when_refresh_fails(fake, settings):
    source(fake, settings).fetch({}, NOW)
    fake.expire_access()
    fake.revoke_refresh()

    batch = source(fake, settings).fetch({}, NOW)

    assert len(batch.posts) == 2
    assert len(fake.calls("com.atproto.server.refreshSession")) == 1
    assert len(fake.calls("com.atproto.server.createSession")) == 2
    assert json.loads(session_files(settings)[0].read_text())["accessJwt"] in fake.access


def test_another_sources_fresh_session_is_picked_up_without_refreshing(fake, settings):
    stale = source(fake, settings)
    stale.fetch({}, NOW)
    fake.expire_access()
    source(fake, settings).fetch({}, NOW)  # refreshes and saves the new tokens

    stale.fetch({}, NOW)  # its own tokens are old: it reads the file instead of refreshing

    assert len(fake.calls("com.atproto.server.refreshSession")) == 1
    assert len(fake.calls("com.atproto.server.createSession")) == 1


@pytest.mark.parametrize("credentials", [{}, {"BLUESKY_HANDLE": HANDLE},
                                         {"BLUESKY_APP_PASSWORD": PASSWORD}])
@pytest.mark.parametrize("instance", [None, "https://public.api.bsky.app"])
def test_without_credentials_the_lead_is_told_what_to_set(tmp_path, credentials, instance):
    fake = FakeBluesky(anonymous_ok=True)
    settings = {"DB": str(tmp_path / "piazza.db"), **credentials}
    with pytest.raises(SourceError) as caught:
        source(fake, settings, {"instance": instance}).fetch({}, NOW)
    assert str(caught.value) == credentials_needed()
    assert "PIAZZA_BLUESKY_HANDLE" in str(caught.value)
    assert "PIAZZA_BLUESKY_APP_PASSWORD" in str(caught.value)
    assert "password per app" in str(caught.value)
    assert fake.requests == []  # Bluesky's own hosts refuse anonymous search: do not ask


def test_self_hosted_appview_is_read_anonymously_when_it_allows(tmp_path):
    fake = FakeBluesky(anonymous_ok=True)
    fake.search["pasocial"] = [post_view("a", 1)]
    settings = {"DB": str(tmp_path / "piazza.db")}
    batch = source(fake, settings, {"instance": "http://127.0.0.1:2584"}).fetch({}, NOW)
    assert len(batch.posts) == 1
    assert "authorization" not in fake.requests[0].headers
    assert str(fake.requests[0].url).startswith("http://127.0.0.1:2584/xrpc/")
    assert session_files(settings) == []

    fake.anonymous_ok = False
    with pytest.raises(SourceError, match="PIAZZA_BLUESKY_APP_PASSWORD"):
        source(fake, settings, {"instance": "http://127.0.0.1:2584"}).fetch({}, NOW)


def test_refused_login_names_the_settings_and_saves_nothing(fake, settings):
    settings["BLUESKY_APP_PASSWORD"] = "wxyz-wxyz-wxyz-wxyz"
    with pytest.raises(SourceError) as caught:
        source(fake, settings).fetch({}, NOW)
    message = str(caught.value)
    assert f"@{HANDLE}" in message and "PIAZZA_BLUESKY_APP_PASSWORD" in message
    assert "AuthenticationRequired" in message
    assert "wxyz-wxyz-wxyz-wxyz" not in message
    assert session_files(settings) == []


# -- search and feeds -------------------------------------------------------------------------

def test_search_asks_one_request_per_hashtag_and_one_for_the_query(fake, settings):
    fake.search["PA digitale"] = [post_view("q", 3, "Sulla PA digitale oggi")]
    batch = source(fake, settings, {"hashtags": ["#pasocial", "SalaA"],
                                    "query": "PA digitale"}).fetch({}, NOW)

    params = [r.url.params for r in fake.calls("app.bsky.feed.searchPosts")]
    assert [(p["q"], p.get_list("tag")) for p in params] == [
        ("#pasocial", ["pasocial"]), ("#SalaA", ["SalaA"]), ("PA digitale", [])]
    assert sorted(batch.cursor["queries"]) == ["q:PA digitale", "tag:pasocial", "tag:salaa"]
    assert len(batch.posts) == 3


def test_facets_with_utf8_byte_offsets_survive_the_trip(fake, settings):
    [post, _] = source(fake, settings).fetch({}, NOW).posts
    assert post.text.startswith("Già in sala 🇮🇹 per #pasocial")
    assert post.hashtags == ["pasocial"]
    assert post.links == ["https://example.it/caffè"]
    assert ">#pasocial</a>" in post.html
    assert post.url == "https://bsky.app/profile/anna.bsky.social/post/3lb"


def test_tag_search_pages_until_already_seen_posts(settings):
    fake = FakeBluesky(page_size=2)
    fake.search["pasocial"] = [post_view(k, m) for k, m in (("c", 3), ("b", 2), ("a", 1))]

    first = source(fake, settings).fetch({}, NOW)
    assert keys(first.posts) == ["c", "b"]  # first run: latest page
    assert len(fake.calls("app.bsky.feed.searchPosts")) == 1

    fresh = [post_view(k, m) for k, m in (("g", 63), ("f", 62), ("e", 61), ("d", 60))]
    fake.search["pasocial"] = fresh + fake.search["pasocial"]
    fake.requests.clear()
    second = source(fake, settings).fetch(first.cursor, NOW)

    assert keys(second.posts) == ["g", "f", "e", "d"]
    pages = [r.url.params.get("cursor") for r in fake.calls("app.bsky.feed.searchPosts")]
    assert pages == [None, "2", "4"]  # the third page reached post c: stop there
    state = second.cursor["queries"]["tag:pasocial"]
    assert state["newest"] == at(63)
    assert json.loads(json.dumps(second.cursor)) == second.cursor


def test_late_indexed_post_on_the_boundary_page_is_not_lost(settings):
    fake = FakeBluesky(page_size=10)
    fake.search["pasocial"] = [post_view("b", 10), post_view("a", 9)]
    first = source(fake, settings).fetch({}, NOW)
    # A post indexed two minutes before the newest one seen shows up only now.
    fake.search["pasocial"] = [post_view("c", 12), post_view("b", 10), post_view("late", 8),
                               post_view("a", 9)]
    second = source(fake, settings).fetch(first.cursor, NOW)
    assert keys(second.posts) == ["c", "late"]


def test_page_cap_stops_a_runaway_query_with_a_note(settings, monkeypatch):
    from coverage.sources import bluesky

    monkeypatch.setattr(bluesky, "MAX_PAGES", 3)
    fake = FakeBluesky(page_size=1)
    fake.search["pasocial"] = [post_view("old", 1)]
    first = source(fake, settings).fetch({}, NOW)
    fake.search["pasocial"] = [post_view(f"n{i}", 100 - i) for i in range(6)] + \
        fake.search["pasocial"]
    batch = source(fake, settings).fetch(first.cursor, NOW)
    assert len(batch.posts) == 3
    assert any("#pasocial" in note for note in batch.notes)


def test_author_feed_with_a_repost(fake, settings):
    original = post_view("orig", 5, handle="maria.bsky.social")
    own = post_view("own", 6, "Apriamo i lavori di #pasocial 🎤", handle="comune.bsky.social")
    fake.feeds["comune.bsky.social"] = [
        {"post": original, "reason": {"$type": "app.bsky.feed.defs#reasonRepost",
                                      "by": profile("comune.bsky.social"),
                                      "uri": "at://did:plc:comune/app.bsky.feed.repost/3lr",
                                      "cid": "bafyr", "indexedAt": at(7)}},
        {"post": own},
    ]
    event = {**EVENT, "hashtags": [], "accounts": [
        {"platform": "bluesky", "handle": "@comune.bsky.social"},
        {"platform": "mastodon", "handle": "@comune@social.example"}]}

    batch = source(fake, settings, {"hashtags": [], "accounts": []}, event).fetch({}, NOW)

    [request] = fake.requests[1:]
    assert request.url.path == "/xrpc/app.bsky.feed.getAuthorFeed"
    assert request.url.params["actor"] == "comune.bsky.social"
    repost, post = batch.posts
    assert repost.remote_id == original["uri"] + "#repost-by-did:plc:comune"
    assert repost.repost_of.remote_id == original["uri"]
    assert repost.reposted_by.handle == "@comune.bsky.social"
    assert repost.author.handle == "@maria.bsky.social"
    assert post.remote_id == own["uri"] and post.hashtags == ["pasocial"]
    assert batch.cursor["queries"]["author:comune.bsky.social"]["newest"] == at(7)


def test_an_unreadable_account_is_noted_and_the_others_carry_on(fake, settings):
    fake.feeds["comune.bsky.social"] = [{"post": post_view("own", 6)}]
    config = {"accounts": ["@comune.bsky.social", "sparito.bsky.social"]}
    batch = source(fake, settings, config).fetch({}, NOW)
    assert len(batch.posts) == 3
    assert batch.notes == ["Bluesky non riesce a leggere l'account @sparito.bsky.social "
                           "(InvalidRequest: Profile not found): controlla gli account "
                           "configurati."]
    assert batch.cursor["queries"]["author:sparito.bsky.social"] == {}

    with pytest.raises(SourceError, match="@sparito.bsky.social"):
        source(fake, settings, {"hashtags": [], "accounts": ["sparito.bsky.social"]},
               {**EVENT, "hashtags": []}).fetch({}, NOW)


def test_posts_for_logged_in_readers_only_are_skipped(fake, settings):
    hidden_author = post_view("h1", 4, handle="riservata.bsky.social",
                              author_labels=("!no-unauthenticated",))
    hidden_post = post_view("h2", 3, labels=("!no-unauthenticated",))
    quoting = post_view("q", 2, "Cito un post riservato #pasocial", embed={
        "$type": "app.bsky.embed.record#view",
        "record": {"$type": "app.bsky.embed.record#viewRecord", "uri": hidden_author["uri"],
                   "cid": "bafyh1", "author": hidden_author["author"],
                   "value": hidden_author["record"], "indexedAt": at(4)}})
    fake.search["pasocial"] = [hidden_author, hidden_post, quoting]

    batch = source(fake, settings).fetch({}, NOW)

    assert [p.remote_id for p in batch.posts] == [quoting["uri"]]
    assert batch.posts[0].quote_of.remote_id == hidden_author["uri"]
    assert batch.posts[0].quote_of.text == "" and batch.posts[0].quote_of.author is None
    assert len(batch.skipped) == 2
    assert "@riservata.bsky.social" in batch.skipped[0]
    assert "non essere mostrato a chi non ha fatto l'accesso" in batch.skipped[0]
    # Remembered as read: the next run does not report them again.
    assert source(fake, settings).fetch(batch.cursor, NOW).skipped == []


# -- failures ---------------------------------------------------------------------------------

def test_429_with_epoch_reset_becomes_rate_limited(fake, settings):
    reset = NOW + timedelta(seconds=240)

    def limited(request):
        if request.url.path.endswith("searchPosts"):
            return httpx.Response(429, json={"error": "RateLimitExceeded",
                                             "message": "Rate Limit Exceeded"},
                                  headers={"ratelimit-limit": "3000",
                                           "ratelimit-remaining": "0",
                                           "ratelimit-reset": str(int(reset.timestamp())),
                                           "ratelimit-policy": "3000;w=300"})
        return None

    fake.override = limited
    with pytest.raises(RateLimited) as caught:
        source(fake, settings).fetch({}, NOW)
    assert caught.value.retry_at == reset
    assert caught.value.health == "slowed"
    assert "alle 09:34 UTC" in str(caught.value)


def test_429_on_login_is_rate_limited_too(fake, settings):
    reset = NOW + timedelta(hours=3)
    fake.override = lambda request: httpx.Response(
        429, json={"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"},
        headers={"ratelimit-reset": str(int(reset.timestamp()))}) \
        if request.url.path.endswith("createSession") else None
    with pytest.raises(RateLimited) as caught:
        source(fake, settings).fetch({}, NOW)
    assert caught.value.retry_at == reset
    assert "password per app" in str(caught.value)


@pytest.mark.parametrize("response, words", [
    (httpx.Response(500, json={"error": "InternalServerError", "message": "boom"}),
     "problema temporaneo (errore 500)"),
    (httpx.Response(502, text="<html><body>Bad gateway</body></html>",
                    headers={"content-type": "text/html"}), "problema temporaneo (errore 502)"),
    (httpx.Response(200, text="<!DOCTYPE html><html><title>Maintenance</title></html>",
                    headers={"content-type": "text/html"}), "pagina web invece che con dati"),
    (httpx.Response(200, text='{"posts": [{"uri": "at://did:plc:a/app.bsky.feed.po',
                    headers={"content-type": "application/json"}), "dati incompleti"),
    (httpx.Response(200, json={"feed": []}), "dati inattesi per #pasocial"),
])
def test_platform_failures_in_plain_words(fake, settings, response, words):
    fake.override = lambda request: response if "searchPosts" in request.url.path else None
    with pytest.raises(SourceError, match="^Bluesky ") as caught:
        source(fake, settings).fetch({}, NOW)
    assert words in str(caught.value)


def test_network_failure_in_plain_words(fake, settings):
    def unreachable(request):
        raise httpx.ConnectError("connection refused", request=request)

    fake.override = unreachable
    with pytest.raises(SourceError, match="Connessione a Bluesky"):
        source(fake, settings).fetch({}, NOW)


def test_app_password_never_appears_in_messages_cursors_or_logs(fake, settings, caplog):
    def echo_password(request):  # a hostile or buggy server repeating what it was sent
        if request.url.path.endswith("createSession"):
            return fake.error(401, "AuthenticationRequired", f"bad password {PASSWORD}")
        return None

    messages = []
    for override in (echo_password,
                     lambda r: fake.error(400, "InvalidRequest", f"echo {PASSWORD}")
                     if "searchPosts" in r.url.path else None,
                     lambda r: httpx.Response(500) if "createSession" in r.url.path else None):
        fake.override = override
        for path in session_files(settings):
            path.unlink()
        with pytest.raises(SourceError) as caught:
            source(fake, settings).fetch({}, NOW)
        messages.append(str(caught.value))
    fake.override = None
    batch = source(fake, settings).fetch({}, NOW)
    session = json.loads(session_files(settings)[0].read_text())

    for text in [*messages, json.dumps(batch.cursor), caplog.text, *batch.notes]:
        assert PASSWORD not in text
        assert session["accessJwt"] not in text and session["refreshJwt"] not in text
    assert "***" in messages[1]


# -- deletions --------------------------------------------------------------------------------

def test_recheck_finds_missing_uris(fake, settings):
    uris = [f"at://did:plc:anna/app.bsky.feed.post/3lp{i:02d}" for i in range(30)]
    fake.existing = set(uris) - {uris[3], uris[27]}
    remote_ids = [*uris, uris[27] + "#repost-by-did:plc:comune", "https://altro.example/1"]

    gone = source(fake, settings).recheck(remote_ids, NOW)

    assert gone == [uris[3], uris[27], uris[27] + "#repost-by-did:plc:comune"]
    calls = fake.calls("app.bsky.feed.getPosts")
    assert [len(r.url.params.get_list("uris")) for r in calls] == [25, 5]


def test_recheck_failure_reports_nothing_deleted(fake, settings):
    fake.override = lambda request: httpx.Response(503) if "getPosts" in request.url.path \
        else None
    with pytest.raises(SourceError):
        source(fake, settings).recheck(["at://did:plc:a/app.bsky.feed.post/1"], NOW)


# -- with the collector -----------------------------------------------------------------------

def test_collector_stores_bluesky_posts_once(store, fake, settings):
    store.create_event({"slug": "prova", "name": "Prova", "hashtags": ["pasocial"]})
    # What `flask sources add prova bluesky` saves when no option is given.
    store.add_source("prova", "bluesky", {"instance": None, "hashtags": [], "accounts": []})

    [first] = poll_once(store, settings, now=NOW, client_factory=lambda s: fake.client())
    fake.search["pasocial"].insert(0, post_view("c", 3))
    [second] = poll_once(store, settings, now=NOW + timedelta(seconds=31),
                         client_factory=lambda s: fake.client())

    assert (first.health, first.new, second.health, second.new) == ("ok", 2, "ok", 1)
    assert second.duplicates == 0
    [row] = store.list_sources("prova")
    assert PASSWORD not in json.dumps(row) and "eyJ." not in json.dumps(row)
    assert row["next_try_at"] == "2026-11-19T09:31:01.000Z"
