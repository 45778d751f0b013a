"""Posts added by URL: which platform a permalink is, each platform's fetch, and the guard."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from coverage.sources import bluesky, mastodon, x
from coverage.sources.by_url import fetch_post, platform_of
from coverage.sources.http import SourceError, UnsafeURL, guarded_get

# The messages asserted below are the Italian an editor reads: the code runs as in the app.
pytestmark = pytest.mark.usefixtures("italian")

FIXTURES = Path(__file__).parent / "fixtures"
NOW = datetime(2026, 11, 19, 12, 0, tzinfo=UTC)
PUBLIC = "93.184.215.14"
ADDRESSES = {
    "mastodon.example": [PUBLIC],
    "other.example": [PUBLIC],
    "intranet.example": ["10.1.2.3"],
    "sneaky.example": [PUBLIC, "127.0.0.1"],  # one bad address is enough to refuse
}
STATUS_URL = "https://mastodon.example/@comune/113500000000000001"
STATUS_API = "https://mastodon.example/api/v1/statuses/113500000000000001"
TWEET_ID = "1859000000000000006"


def fake_resolver(host: str) -> list[str]:
    """DNS for the tests: a fixed table, never the network."""
    try:
        return ADDRESSES[host]
    except KeyError:
        raise UnsafeURL(f"Il nome {host!r} non esiste o non si risolve.") from None


def fixture(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def as_json(data: object, status: int = 200, **headers: str) -> httpx.Response:
    return httpx.Response(status, json=data, headers=headers)


class Platform:
    """Answers by URL (without query) like the platform would, and records every request."""

    def __init__(self, routes: dict[str, httpx.Response | object]) -> None:
        self.routes = routes
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.routes.get(str(request.url.copy_with(query=None)))
        if answer is None:
            return httpx.Response(404, json={"error": "not found"})
        return answer(request) if callable(answer) else answer

    def client(self) -> httpx.Client:
        return httpx.Client(transport=httpx.MockTransport(self))

    def hosts(self) -> set[str]:
        return {r.url.host for r in self.requests}


def fetch(url: str, routes: dict, settings: dict | None = None) -> tuple:
    platform = Platform(routes)
    post = fetch_post(url, settings or {}, platform.client(), NOW, resolver=fake_resolver)
    return post, platform


# -- which platform --------------------------------------------------------------------------

@pytest.mark.parametrize("url, platform", [
    (STATUS_URL, "mastodon"),
    ("https://mastodon.example/users/comune/statuses/113500000000000001", "mastodon"),
    ("https://mastodon.example/@anna@altra.example/113500000000000001/", "mastodon"),
    ("https://bsky.app/profile/comune.bsky.social/post/3lbxyzabc2k2a", "bluesky"),
    ("https://bsky.app/profile/did:plc:comune456/post/3lbxyzabc2k2a", "bluesky"),
    ("https://x.com/redazione_to/status/1859000000000000006", "x"),
    ("https://twitter.com/redazione_to/status/1859000000000000006?s=20", "x"),
    ("https://mobile.twitter.com/redazione_to/status/1859000000000000006/photo/1", "x"),
    ("https://x.com/i/web/status/1859000000000000006", "x"),
    ("https://www.threads.net/@comune/post/C8x_1-Ab", "threads"),
    ("https://www.threads.com/@comune/post/C8x_1-Ab", "threads"),
    ("https://www.threads.com/t/C8x_1-Ab", "threads"),
    ("https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=42s", "youtube"),
    ("https://youtu.be/dQw4w9WgXcQ", "youtube"),
    ("https://m.youtube.com/shorts/dQw4w9WgXcQ", "youtube"),
    ("  https://youtu.be/dQw4w9WgXcQ  ", "youtube"),
])
def test_platform_of_a_permalink(url, platform):
    assert platform_of(url) == platform


@pytest.mark.parametrize("url", [
    "https://example.com/",
    "https://x.com/redazione_to",
    "https://bsky.app/profile/comune.bsky.social",
    "https://bsky.app/profile/not a handle/post/3lbxyzabc2k2a",
    "https://www.youtube.com/watch?v=short",
    "https://www.threads.net/@comune",
    "https://mastodon.example/@comune",
    "https://x.com.evil.example/redazione_to/status/1859000000000000006",
])
def test_an_address_that_is_not_a_post_is_refused_in_plain_words(url):
    with pytest.raises(SourceError, match="Non riconosco questo indirizzo") as caught:
        platform_of(url)
    assert not isinstance(caught.value, UnsafeURL)


@pytest.mark.parametrize("url", [
    "file:///etc/passwd",
    "javascript:alert(1)//x.com/a/status/1",
    "ftp://mastodon.example/@comune/1",
    "data:text/html,<script>alert(1)</script>",
    "https://anna:segreta@mastodon.example/@comune/1",
    "https://mastodon.example:99999/@comune/1",
    "mastodon.example/@comune/1",
])
def test_an_address_that_is_not_a_web_address_is_unsafe(url):
    with pytest.raises(UnsafeURL):
        platform_of(url)


def test_an_empty_or_absurdly_long_address_is_refused():
    with pytest.raises(SourceError, match="Incolla"):
        platform_of("  ")
    with pytest.raises(SourceError, match="troppo lungo"):
        platform_of("https://x.com/" + "a" * 3000)


# -- the request-forgery guard ---------------------------------------------------------------

GUARDED = [
    "file:///etc/passwd",
    "javascript:alert(1)",
    "ftp://other.example/status.json",
    "http://127.0.0.1/",
    "http://[::1]/",
    "http://169.254.169.254/latest/meta-data/",
    "http://10.0.0.5/",
    "http://[::ffff:127.0.0.1]/",
    "http://intranet.example/",
    "http://sneaky.example/",
    "http://0.0.0.0/",
    "http://[fe80::1%25eth0]/",
    "http://[::1/",
]


@pytest.mark.parametrize("url", GUARDED)
def test_the_guard_refuses_non_web_and_private_addresses_without_a_request(url):
    platform = Platform({})
    with pytest.raises(UnsafeURL):
        guarded_get(platform.client(), url, resolver=fake_resolver)
    assert platform.requests == []


@pytest.mark.parametrize("host", ["127.0.0.1", "[::1]", "169.254.169.254", "10.0.0.5",
                                  "[::ffff:127.0.0.1]", "intranet.example", "sneaky.example"])
def test_a_mastodon_permalink_on_a_private_address_is_never_fetched(host):
    platform = Platform({})
    with pytest.raises(UnsafeURL, match="rete privata o locale"):
        fetch_post(f"http://{host}/@admin/1", {}, platform.client(), NOW,
                   resolver=fake_resolver)
    assert platform.requests == []


def test_the_guard_accepts_a_public_host():
    status = fixture("mastodon/status.json")
    post, platform = fetch(STATUS_URL, {STATUS_API: as_json(status)})
    assert post == mastodon.normalize(status)
    assert platform.hosts() == {"mastodon.example"}


def test_a_redirect_from_a_public_host_to_a_private_one_is_refused():
    moved = httpx.Response(302, headers={"location": "http://169.254.169.254/latest/meta-data/"})
    platform = Platform({STATUS_API: moved})
    with pytest.raises(UnsafeURL):
        fetch_post(STATUS_URL, {}, platform.client(), NOW, resolver=fake_resolver)
    assert len(platform.requests) == 1


def test_a_redirect_between_public_hosts_is_followed():
    status = fixture("mastodon/status.json")
    target = "https://other.example/api/v1/statuses/113500000000000001"
    moved = httpx.Response(301, headers={"location": target})
    post, platform = fetch(STATUS_URL, {STATUS_API: moved, target: as_json(status)})
    assert post.remote_id == status["uri"] and len(platform.requests) == 2


def test_endless_redirects_stop():
    loop = httpx.Response(302, headers={"location": STATUS_API})
    with pytest.raises(SourceError, match="Troppi reindirizzamenti"):
        fetch(STATUS_URL, {STATUS_API: loop})


def test_a_body_of_ten_megabytes_is_refused():
    huge = httpx.Response(200, headers={"content-type": "application/json"},
                          content=b" " * (10 * 1024 * 1024))
    with pytest.raises(SourceError, match="troppo grande"):
        fetch(STATUS_URL, {STATUS_API: huge})


def test_a_large_body_without_a_declared_length_is_cut_short():
    def trickle(request):
        return httpx.Response(200, headers={"content-type": "application/json"},
                              content=iter([b" " * (1024 * 1024)] * 10))

    with pytest.raises(SourceError, match="supera"):
        fetch(STATUS_URL, {STATUS_API: trickle})


def test_a_body_that_takes_too_long_is_cut_short():
    platform = Platform({"https://other.example/": lambda r: httpx.Response(
        200, headers={"content-type": "application/json"}, content=iter([b"{", b"}"]))})
    with pytest.raises(SourceError, match="troppo lentamente"):
        guarded_get(platform.client(), "https://other.example/", resolver=fake_resolver,
                    max_seconds=0)


def test_a_wrong_content_type_is_refused():
    page = httpx.Response(200, headers={"content-type": "text/html"}, content=b"<html></html>")
    with pytest.raises(SourceError, match=r"contenuto inatteso \(text/html\)"):
        fetch(STATUS_URL, {STATUS_API: page})


# -- Mastodon --------------------------------------------------------------------------------

def test_a_mastodon_post_by_its_legacy_address():
    status = fixture("mastodon/status.json")
    url = "https://mastodon.example/users/comune/statuses/113500000000000001"
    post, platform = fetch(url, {STATUS_API: as_json(status)})
    assert post.platform == "mastodon" and post.url == status["url"]
    assert "authorization" not in platform.requests[0].headers


def test_no_token_is_sent_to_a_mastodon_host_from_a_url():
    status = fixture("mastodon/status.json")
    _, platform = fetch(STATUS_URL, {STATUS_API: as_json(status)},
                        {"MASTODON_TOKEN": "segreto"})
    assert "authorization" not in platform.requests[0].headers


@pytest.mark.parametrize("status, words", [
    (404, "non esiste, non è pubblico o è stato cancellato"),
    (410, "non esiste, non è pubblico o è stato cancellato"),
    (401, "solo a chi ha fatto l'accesso"),
    (503, "problema temporaneo"),
])
def test_a_mastodon_post_that_cannot_be_read_says_why(status, words):
    with pytest.raises(SourceError, match=words):
        fetch(STATUS_URL, {STATUS_API: as_json({"error": "x"}, status)})


def test_a_private_mastodon_post_is_not_added():
    status = {**fixture("mastodon/status.json"), "visibility": "private"}
    with pytest.raises(SourceError, match="non è pubblico"):
        fetch(STATUS_URL, {STATUS_API: as_json(status)})


ORIGIN_URI = "https://other.example/users/giulia/statuses/42"
ORIGIN_API = "https://other.example/api/v1/statuses/42"


def remote_status(text: str) -> dict:
    """A post by giulia@other.example as mastodon.example relays it (its own id, her uri)."""
    status = fixture("mastodon/status.json")
    status.update(uri=ORIGIN_URI, url="https://other.example/@giulia/42",
                  content=f"<p>{text}</p>")
    status["account"] = {**status["account"], "acct": "giulia",
                         "url": "https://other.example/@giulia"}
    return status


def test_a_post_seen_through_another_instance_is_read_from_its_own_server():
    relayed = remote_status("Parole che il relay si è inventato")
    relayed["account"]["acct"] = "giulia@other.example"
    original = remote_status("Le parole di Giulia")
    post, platform = fetch(STATUS_URL, {STATUS_API: as_json(relayed),
                                        ORIGIN_API: as_json(original)})
    assert post.text == "Le parole di Giulia" and post.remote_id == ORIGIN_URI
    assert post.author.handle == "@giulia@other.example"
    assert [r.url.host for r in platform.requests] == ["mastodon.example", "other.example"]


def test_a_post_its_own_server_does_not_confirm_is_refused():
    relayed = remote_status("Inventato")
    disowned = {**remote_status("Altro"), "uri": "https://other.example/users/giulia/statuses/7"}
    with pytest.raises(SourceError, match="viene da other.example e non riesco a verificarlo"):
        fetch(STATUS_URL, {STATUS_API: as_json(relayed), ORIGIN_API: as_json(disowned)})


def test_a_post_from_a_server_that_is_not_mastodon_cannot_be_verified():
    relayed = {**remote_status("Nota"), "uri": "https://other.example/notes/9abcdef"}
    with pytest.raises(SourceError, match="non riesco a verificarlo"):
        fetch(STATUS_URL, {STATUS_API: as_json(relayed)})


def test_a_server_cannot_sign_a_post_with_an_account_it_does_not_host():
    forged = fixture("mastodon/status.json")
    forged["account"]["url"] = "https://governo.example/@presidente"
    with pytest.raises(SourceError, match="un account che non ospita"):
        fetch(STATUS_URL, {STATUS_API: as_json(forged)})


def test_a_boost_asks_for_the_original_link():
    with pytest.raises(SourceError, match="condivisione"):
        fetch(STATUS_URL, {STATUS_API: as_json(fixture("mastodon/boost.json"))})


def test_a_site_that_is_not_mastodon_says_so():
    with pytest.raises(SourceError, match="forse non è un.istanza Mastodon"):
        fetch(STATUS_URL, {STATUS_API: as_json({"hello": "world"})})


# -- Bluesky ---------------------------------------------------------------------------------

APPVIEW = "https://public.api.bsky.app/xrpc/"
BSKY_URL = "https://bsky.app/profile/Comune.bsky.social/post/3lbxyzabc2k2a"
BSKY_URI = "at://did:plc:comune456/app.bsky.feed.post/3lbxyzabc2k2a"


def bluesky_routes(view: dict | None, base: str = APPVIEW) -> dict:
    def resolve(request):
        assert request.url.params["handle"] == "comune.bsky.social"
        return as_json({"did": "did:plc:comune456"})

    def get_posts(request):
        assert request.url.params["uris"] == BSKY_URI
        return as_json({"posts": [view] if view else []})

    return {base + "com.atproto.identity.resolveHandle": resolve,
            base + "app.bsky.feed.getPosts": get_posts}


def test_a_bluesky_post_by_handle():
    view = fixture("bluesky/post_view.json")
    post, platform = fetch(BSKY_URL, bluesky_routes(view))
    assert post == bluesky.normalize(view)
    assert [r.url.path for r in platform.requests] == [
        "/xrpc/com.atproto.identity.resolveHandle", "/xrpc/app.bsky.feed.getPosts"]
    assert platform.hosts() == {"public.api.bsky.app"}


def test_a_bluesky_post_by_did_needs_no_resolution():
    view = fixture("bluesky/post_view.json")
    url = "https://bsky.app/profile/did:plc:comune456/post/3lbxyzabc2k2a"
    post, platform = fetch(url, bluesky_routes(view))
    assert post.remote_id == BSKY_URI and len(platform.requests) == 1


def test_the_bluesky_appview_may_be_a_local_server_the_admin_configured():
    view = fixture("bluesky/post_view.json")
    base = "http://127.0.0.1:8765/xrpc/"
    post, _ = fetch(BSKY_URL, bluesky_routes(view, base),
                    {"BLUESKY_APPVIEW": "http://127.0.0.1:8765/"})
    assert post.remote_id == BSKY_URI


def test_a_bluesky_author_who_wants_logged_in_readers_only_is_respected():
    view = fixture("bluesky/post_view.json")
    view["author"]["labels"] = [{"src": "did:plc:comune456", "val": "!no-unauthenticated"}]
    with pytest.raises(SourceError, match="solo da utenti collegati"):
        fetch(BSKY_URL, bluesky_routes(view))


def test_a_quoted_bluesky_post_of_such_an_author_keeps_only_its_link():
    view = fixture("bluesky/quote_with_media.json")
    record = view["embed"]["record"]["record"]  # recordWithMedia#view → record#view → viewRecord
    record["author"]["labels"] = [{"val": "!no-unauthenticated"}]
    view["uri"] = BSKY_URI
    post, _ = fetch(BSKY_URL, bluesky_routes(view))
    assert post.quote_of is not None and post.quote_of.url
    assert post.quote_of.text == "" and post.quote_of.author is None


def test_a_deleted_bluesky_post_says_so():
    with pytest.raises(SourceError, match="non esiste più"):
        fetch(BSKY_URL, bluesky_routes(None))


def test_an_unknown_bluesky_handle_says_so():
    unknown = as_json({"error": "InvalidRequest", "message": "Unable to resolve handle"}, 400)
    with pytest.raises(SourceError, match="non trova l'utente @comune.bsky.social"):
        fetch(BSKY_URL, {APPVIEW + "com.atproto.identity.resolveHandle": unknown})


# -- X ---------------------------------------------------------------------------------------

X_URL = f"https://twitter.com/redazione_to/status/{TWEET_ID}"
X_LOOKUP = f"https://api.x.com/2/tweets/{TWEET_ID}"
OEMBED = "https://publish.twitter.com/oembed"


def oembed_tweet(html: str | None = None, author_url: str = "https://twitter.com/redazione_to"
                 ) -> dict:
    """Shaped like publish.twitter.com's answer (omit_script=1)."""
    html = html or (
        '<blockquote class="twitter-tweet"><p lang="it" dir="ltr">Apertura dei lavori '
        '<a href="https://twitter.com/hashtag/pasocial?src=hash&amp;ref_src=twsrc%5Etfw">'
        '#pasocial</a> con <a href="https://twitter.com/AnnaVerdi?ref_src=twsrc%5Etfw">'
        '@AnnaVerdi</a><br>Diretta: <a href="https://t.co/Abc123">https://t.co/Abc123</a> '
        '&amp; altro</p>&mdash; Redazione Torino (@redazione_to) '
        f'<a href="https://twitter.com/redazione_to/status/{TWEET_ID}?ref_src=twsrc%5Etfw">'
        'November 19, 2024</a></blockquote>\n')
    return {"url": f"https://twitter.com/redazione_to/status/{TWEET_ID}",
            "author_name": "Redazione Torino", "author_url": author_url, "html": html,
            "width": 550, "height": None, "type": "rich", "cache_age": "3153600000",
            "provider_name": "Twitter", "provider_url": "https://twitter.com", "version": "1.0"}


def test_an_x_post_through_the_api_when_there_is_a_token():
    payload = fixture("x/lookup_note_tweet.json")

    def lookup(request):
        assert request.headers["authorization"] == "Bearer segreto"
        assert "author_id" in request.url.params["expansions"]
        assert "note_tweet" in request.url.params["tweet.fields"]
        return as_json(payload)

    post, platform = fetch(X_URL, {X_LOOKUP: lookup}, {"X_BEARER_TOKEN": "segreto"})
    assert post == x.posts_from_payload(payload)[0]
    assert platform.hosts() == {"api.x.com"}


def test_an_x_post_the_api_cannot_find_says_so():
    missing = as_json({"errors": [{"title": "Not Found Error", "detail": "Could not find tweet",
                                   "type": "https://api.twitter.com/2/problems/"
                                           "resource-not-found"}]})
    with pytest.raises(SourceError, match="X non trova il post"):
        fetch(X_URL, {X_LOOKUP: missing}, {"X_BEARER_TOKEN": "segreto"})


def test_a_used_up_x_quota_falls_back_to_oembed():
    slowed = as_json({"title": "Too Many Requests"}, 429)
    post, platform = fetch(X_URL, {X_LOOKUP: slowed, OEMBED: as_json(oembed_tweet())},
                           {"X_BEARER_TOKEN": "segreto"})
    assert post.raw["via"] == "oembed" and len(platform.requests) == 2


def test_an_x_plan_without_the_lookup_falls_back_to_oembed():
    refused = as_json({"title": "Client Forbidden", "reason": "client-not-enrolled"}, 403)
    post, _ = fetch(X_URL, {X_LOOKUP: refused, OEMBED: as_json(oembed_tweet())},
                    {"X_BEARER_TOKEN": "segreto"})
    assert post.raw["via"] == "oembed" and post.remote_id == TWEET_ID


def test_a_wrong_x_token_is_reported_not_hidden():
    with pytest.raises(SourceError, match="401"):
        fetch(X_URL, {X_LOOKUP: as_json({"title": "Unauthorized"}, 401)},
              {"X_BEARER_TOKEN": "scaduto"})


def test_an_x_post_through_oembed_without_a_token():
    def oembed(request):
        assert request.url.params["url"] == X_URL
        assert request.url.params["omit_script"] == "1"
        return as_json(oembed_tweet())

    post, platform = fetch(f"https://x.com/redazione_to/status/{TWEET_ID}?s=20",
                           {OEMBED: oembed})
    assert platform.hosts() == {"publish.twitter.com"}
    assert post.platform == "x" and post.remote_id == TWEET_ID
    assert post.url == f"https://x.com/redazione_to/status/{TWEET_ID}"
    assert post.author.handle == "@redazione_to" and post.author.name == "Redazione Torino"
    assert post.text == ("Apertura dei lavori #pasocial con @AnnaVerdi\n"
                         "Diretta: https://t.co/Abc123 & altro")
    assert post.hashtags == ["pasocial"] and post.mentions == ["@AnnaVerdi"]
    assert post.links == ["https://t.co/Abc123"] and post.language == "it"
    assert 'href="https://x.com/hashtag/pasocial"' in post.html
    assert "twsrc" not in post.html and "blockquote" not in post.html
    # The id's own clock: 1859000000000000006 >> 22 ms after X's epoch.
    assert post.created_at == "2024-11-19T22:25:13Z"
    assert post.raw["via"] == "oembed" and "html" not in post.raw["oembed"]


def test_an_old_x_post_takes_its_date_from_the_embed():
    html = ('<blockquote class="twitter-tweet"><p lang="en" dir="ltr">Hello</p>&mdash; A (@a) '
            '<a href="https://twitter.com/a/status/20">March 21, 2006</a></blockquote>')
    post, _ = fetch("https://twitter.com/jack/status/20",
                    {OEMBED: as_json(oembed_tweet(html, "https://twitter.com/jack"))})
    assert post.created_at == "2006-03-21T00:00:00Z" and post.url == "https://x.com/jack/status/20"


def test_an_x_post_without_a_readable_date_is_dated_now():
    html = '<blockquote class="twitter-tweet"><p>Ciao</p><a href="#">ieri</a></blockquote>'
    post, _ = fetch("https://twitter.com/jack/status/20", {OEMBED: as_json(oembed_tweet(html))})
    assert post.created_at == "2026-11-19T12:00:00Z"


def test_the_embed_markup_never_reaches_the_post():
    hostile = ('<blockquote class="twitter-tweet"><p>Ciao <img src=x onerror=alert(1)>'
               '<script>alert(2)</script><a href="javascript:alert(3)">clic</a></p>'
               '<iframe src="https://evil.example"></iframe></blockquote>'
               '<script src="https://platform.twitter.com/widgets.js"></script>')
    post, _ = fetch(X_URL, {OEMBED: as_json(oembed_tweet(hostile))})
    for bad in ("<img", "<script", "onerror", "javascript:", "<iframe"):
        assert bad not in post.html
    assert post.links == [] and post.text == "Ciao clic"


@pytest.mark.parametrize("status", [403, 404])
def test_a_protected_or_deleted_x_post_says_so(status):
    with pytest.raises(SourceError, match="protetto o è stato cancellato"):
        fetch(X_URL, {OEMBED: as_json({"error": "x"}, status)})


# -- Threads ---------------------------------------------------------------------------------

THREADS_URL = "https://www.threads.net/@comune/post/C8x_1-Ab"
THREADS_OEMBED = "https://graph.threads.net/v1.0/oembed"


def test_threads_needs_a_token_and_says_so():
    platform = Platform({})
    with pytest.raises(SourceError, match="serve un token di accesso a Threads"):
        fetch_post(THREADS_URL, {}, platform.client(), NOW, resolver=fake_resolver)
    assert platform.requests == []


def test_a_threads_post_through_oembed_with_a_token():
    html = ('<blockquote class="text-post-media" data-text-post-permalink="https://www.threads.'
            'com/@comune/post/C8x_1-Ab" data-text-post-version="0"><a href="https://www.threads'
            '.com/@comune/post/C8x_1-Ab"><div>View on Threads</div></a></blockquote>'
            '<script async src="https://www.threads.com/embed.js"></script>')

    def oembed(request):
        assert request.url.params["access_token"] == "segreto"
        assert request.url.params["url"] == "https://www.threads.com/@comune/post/C8x_1-Ab"
        return as_json({"type": "rich", "version": "1.0", "provider_name": "Threads",
                        "provider_url": "https://www.threads.com/", "width": 658, "html": html})

    post, _ = fetch(THREADS_URL, {THREADS_OEMBED: oembed}, {"THREADS_TOKEN": "segreto"})
    assert post.platform == "threads" and post.remote_id == "C8x_1-Ab"
    assert post.url == "https://www.threads.com/@comune/post/C8x_1-Ab"
    assert post.author.handle == "@comune" and post.created_at == "2026-11-19T12:00:00Z"
    assert post.html == "" and "View on Threads" not in post.text
    assert post.raw["via"] == "oembed" and "access_token" not in json.dumps(post.raw)


def test_a_threads_short_link_finds_its_author_in_the_embed():
    html = ('<blockquote class="text-post-media" data-text-post-permalink='
            '"https://www.threads.com/@comune/post/C8x_1-Ab"></blockquote>')
    post, _ = fetch("https://www.threads.com/t/C8x_1-Ab",
                    {THREADS_OEMBED: as_json({"type": "rich", "html": html})},
                    {"THREADS_TOKEN": "segreto"})
    assert post.author.handle == "@comune"
    assert post.url == "https://www.threads.com/@comune/post/C8x_1-Ab"


def test_a_threads_post_that_cannot_be_shown_says_why():
    refused = as_json({"error": {"message": "Invalid OAuth access token", "code": 190}}, 400)
    with pytest.raises(SourceError, match="Threads non mostra questo post"):
        fetch(THREADS_URL, {THREADS_OEMBED: refused}, {"THREADS_TOKEN": "segreto"})


# -- YouTube ---------------------------------------------------------------------------------

YT_OEMBED = "https://www.youtube.com/oembed"


def youtube_answer(**changes) -> dict:
    """Shaped like https://www.youtube.com/oembed?format=json answers."""
    return {"title": "Piazza  — la diretta della giornata", "author_name": "Comune di Perugia",
            "author_url": "https://www.youtube.com/@comunediperugia", "type": "video",
            "height": 113, "width": 200, "version": "1.0", "provider_name": "YouTube",
            "provider_url": "https://www.youtube.com/", "thumbnail_height": 360,
            "thumbnail_width": 480, "thumbnail_url": "https://i.ytimg.com/vi/dQw4w9WgXcQ/hqdefault.jpg",
            "html": '<iframe width="200" height="113" src="https://www.youtube.com/embed/'
                    'dQw4w9WgXcQ?feature=oembed" onload="alert(1)"></iframe>', **changes}


@pytest.mark.parametrize("url", ["https://www.youtube.com/watch?v=dQw4w9WgXcQ",
                                 "https://youtu.be/dQw4w9WgXcQ?si=abc",
                                 "https://www.youtube.com/shorts/dQw4w9WgXcQ"])
def test_a_youtube_video_through_oembed(url):
    def oembed(request):
        assert request.url.params["url"] == "https://www.youtube.com/watch?v=dQw4w9WgXcQ"
        assert request.url.params["format"] == "json"
        return as_json(youtube_answer())

    post, platform = fetch(url, {YT_OEMBED: oembed})
    assert platform.hosts() == {"www.youtube.com"}
    assert post.platform == "youtube" and post.remote_id == "dQw4w9WgXcQ"
    assert post.url == "https://www.youtube.com/watch?v=dQw4w9WgXcQ"
    assert post.text == "Piazza — la diretta della giornata"
    assert post.author.handle == "@comunediperugia" and post.author.name == "Comune di Perugia"
    assert [(m.type, m.url, m.alt, m.width) for m in post.media] == [
        ("image", "https://i.ytimg.com/vi/dQw4w9WgXcQ/hqdefault.jpg", post.text, 480)]
    assert "iframe" not in post.html and "html" not in post.raw["oembed"]
    assert post.created_at == "2026-11-19T12:00:00Z"


@pytest.mark.parametrize("thumbnail", ["javascript:alert(1)", "data:image/png;base64,AAAA",
                                       "//i.ytimg.com/x.jpg", None])
def test_a_youtube_thumbnail_that_is_not_a_web_address_is_dropped(thumbnail):
    post, _ = fetch("https://youtu.be/dQw4w9WgXcQ",
                    {YT_OEMBED: as_json(youtube_answer(thumbnail_url=thumbnail))})
    assert post.media == []


@pytest.mark.parametrize("status, words", [
    (401, "privato"), (403, "privato"), (404, "non esiste"), (400, "non riconosce")])
def test_a_youtube_video_that_cannot_be_shown_says_why(status, words):
    with pytest.raises(SourceError, match=words):
        fetch("https://youtu.be/dQw4w9WgXcQ", {YT_OEMBED: httpx.Response(status)})


def test_an_oembed_endpoint_may_be_a_local_server_the_admin_configured():
    settings = {"YOUTUBE_OEMBED": "http://127.0.0.1:9000/oembed"}
    post, platform = fetch("https://youtu.be/dQw4w9WgXcQ",
                           {"http://127.0.0.1:9000/oembed": as_json(youtube_answer())}, settings)
    assert post.remote_id == "dQw4w9WgXcQ" and platform.hosts() == {"127.0.0.1"}
