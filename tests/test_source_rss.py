"""The RSS/Atom source: conditional GETs, the request-forgery guard, bad feeds, edits, cursor."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from coverage.collector import poll_once
from coverage.sources import REGISTRY, make_source
from coverage.sources import rss as rss_module
from coverage.sources.http import SourceError, UnsafeURL
from coverage.sources.rss import SEEN_MAX, RssSource

from .conftest import EVENT

# The messages asserted below are the Italian an editor reads: the code runs as in the app.
pytestmark = pytest.mark.usefixtures("italian")

FIXTURES = Path(__file__).parent / "fixtures"
NOW = datetime(2026, 11, 19, 12, 0, tzinfo=UTC)
FEED_URL = "https://www.comune.perugia.example/feed/"
PUBLIC = "93.184.215.14"
ADDRESSES = {
    "www.comune.perugia.example": [PUBLIC],
    "news.example": [PUBLIC],
    "intranet.example": ["10.1.2.3"],
}
RSS_TYPE = "application/rss+xml; charset=utf-8"


def fake_resolver(host: str) -> list[str]:
    """DNS for the tests: a fixed table, never the network."""
    try:
        return ADDRESSES[host]
    except KeyError:
        raise UnsafeURL(f"Il nome {host!r} non esiste o non si risolve.") from None


def rss(*items: str, channel: str = "<title>Notizie</title><link>https://news.example/</link>"
        ) -> bytes:
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>{channel}'
            f'{"".join(items)}</channel></rss>').encode()


def item(guid: str, text: str = "Testo della notizia.", date: str = "Thu, 19 Nov 2026 10:00:00 GMT",
         extra: str = "") -> str:
    pub = f"<pubDate>{date}</pubDate>" if date else ""
    return (f"<item><title>Notizia {guid}</title><link>https://news.example/{guid}</link>"
            f"<guid>https://news.example/{guid}</guid>{pub}<description>{text}</description>"
            f"{extra}</item>")


class Server:
    """A feed server for MockTransport: answers in turn, and records what it was asked."""

    def __init__(self, *responses: httpx.Response) -> None:
        self.responses = list(responses)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self.responses.pop(0) if len(self.responses) > 1 else self.responses[0]

    def client(self) -> httpx.Client:
        return httpx.Client(transport=httpx.MockTransport(self))


def feed_response(body: bytes, content_type: str = RSS_TYPE, **headers: str) -> httpx.Response:
    extra = {k.replace("_", "-"): v for k, v in headers.items()}
    return httpx.Response(200, headers={"content-type": content_type, **extra}, content=body)


def source(server: Server, url: str = FEED_URL, **config) -> RssSource:
    return RssSource({"url": url, **config}, {}, server.client(), {}, resolver=fake_resolver)


# -- basics ----------------------------------------------------------------------------------

def test_rss_is_a_registered_source_polled_every_five_minutes():
    made = make_source({"platform": "rss", "config": {"url": FEED_URL}}, {}, {},
                       Server(feed_response(rss())).client())
    assert REGISTRY["rss"] is RssSource and isinstance(made, RssSource)
    assert RssSource.default_interval == 300.0


def test_a_feed_source_needs_its_url():
    with pytest.raises(SourceError, match="indirizzo del feed"):
        RssSource({}, {}, None, {})


def test_first_fetch_brings_the_entries_and_remembers_the_validators():
    body = (FIXTURES / "rss" / "comune.xml").read_bytes()
    server = Server(feed_response(body, "application/rss+xml", etag='W/"v1"',
                                  last_modified="Thu, 19 Nov 2026 11:00:00 GMT"))
    batch = source(server).fetch({}, NOW)
    assert [p.platform for p in batch.posts] == ["rss", "rss"]
    assert batch.posts == rss_module.parse_feed(body, FEED_URL)
    assert batch.cursor["etag"] == 'W/"v1"'
    assert batch.cursor["last_modified"] == "Thu, 19 Nov 2026 11:00:00 GMT"
    assert len(batch.cursor["seen"]) == 2 and not batch.updated and not batch.skipped
    request = server.requests[0]
    assert "if-none-match" not in request.headers and "if-modified-since" not in request.headers
    assert "application/rss+xml" in request.headers["accept"]


def test_conditional_get_sends_the_validators_and_a_304_changes_nothing():
    server = Server(httpx.Response(304, headers={"etag": 'W/"v1"'}))
    cursor = {"etag": 'W/"v1"', "last_modified": "Thu, 19 Nov 2026 11:00:00 GMT",
              "seen": {"abc": "def"}}
    batch = source(server).fetch(cursor, NOW)
    assert batch.posts == [] and batch.updated == [] and batch.cursor == cursor
    request = server.requests[0]
    assert request.headers["if-none-match"] == 'W/"v1"'
    assert request.headers["if-modified-since"] == "Thu, 19 Nov 2026 11:00:00 GMT"


def test_validators_the_server_stops_sending_are_forgotten():
    server = Server(feed_response(rss(item("a"))))
    batch = source(server).fetch({"etag": '"old"', "last_modified": "ieri"}, NOW)
    assert "etag" not in batch.cursor and "last_modified" not in batch.cursor


def test_an_absurd_etag_is_not_sent_back():
    server = Server(feed_response(rss(item("a")), etag='"' + "x" * 5000 + '"'))
    assert "etag" not in source(server).fetch({}, NOW).cursor


# -- the request-forgery guard ---------------------------------------------------------------

@pytest.mark.parametrize("url", [
    "http://127.0.0.1/feed.xml",
    "http://[::1]/feed.xml",
    "http://169.254.169.254/latest/meta-data/",
    "http://10.0.0.5/rss",
    "http://[::ffff:127.0.0.1]/rss",
    "http://intranet.example/rss",
    "file:///etc/passwd",
    "ftp://news.example/feed.xml",
])
def test_a_feed_on_a_private_or_non_web_address_is_refused_before_any_request(url):
    server = Server(feed_response(rss(item("a"))))
    with pytest.raises(UnsafeURL):
        source(server, url).fetch({}, NOW)
    assert server.requests == []


def test_a_redirect_to_a_private_address_is_refused():
    server = Server(httpx.Response(302, headers={"location": "http://10.0.0.5/feed.xml"}),
                    feed_response(rss(item("a"))))
    with pytest.raises(UnsafeURL, match="rete privata"):
        source(server).fetch({}, NOW)
    assert len(server.requests) == 1


def test_a_redirect_to_a_public_feed_is_followed():
    server = Server(httpx.Response(301, headers={"location": "https://news.example/rss"}),
                    feed_response(rss(item("a"))))
    batch = source(server).fetch({}, NOW)
    assert len(batch.posts) == 1
    assert [str(r.url) for r in server.requests] == [FEED_URL, "https://news.example/rss"]


def test_a_self_hosted_feed_the_admin_trusts_may_be_on_the_private_network():
    server = Server(feed_response(rss(item("a"))))
    batch = source(server, "http://192.168.1.20/feed.xml", allow_private=True).fetch({}, NOW)
    assert len(batch.posts) == 1


def test_only_a_real_true_opens_the_private_network():
    server = Server(feed_response(rss(item("a"))))
    with pytest.raises(UnsafeURL):
        source(server, "http://192.168.1.20/feed.xml", allow_private="false").fetch({}, NOW)


def test_a_trusted_feed_still_has_to_be_a_web_address():
    with pytest.raises(UnsafeURL, match="http"):
        source(Server(feed_response(rss())), "file:///etc/passwd", allow_private=True).fetch(
            {}, NOW)


def test_a_feed_too_large_is_refused():
    body = b"<rss>" + b" " * (rss_module.MAX_FEED_BYTES + 1)
    with pytest.raises(SourceError, match="troppo grande"):
        source(Server(feed_response(body))).fetch({}, NOW)


# -- what is not a feed ----------------------------------------------------------------------

def test_a_web_page_is_refused_with_advice():
    page = b"<!doctype html><html><head><title>Notizie</title></head><body></body></html>"
    with pytest.raises(SourceError, match="pagina web, non a un feed"):
        source(Server(feed_response(page, "text/html; charset=utf-8"))).fetch({}, NOW)


def test_a_wrong_content_type_is_refused():
    with pytest.raises(SourceError, match=r"contenuto inatteso \(application/json\)"):
        source(Server(feed_response(b'{"items": []}', "application/json"))).fetch({}, NOW)


def test_xml_that_is_not_a_feed_is_refused():
    document = b'<?xml version="1.0"?><catalogo><libro>Uno</libro></catalogo>'
    with pytest.raises(SourceError, match="non contiene un feed RSS o Atom"):
        source(Server(feed_response(document, "application/xml"))).fetch({}, NOW)


SLOPPY = "<p>uno<br>due</p>"  # unescaped HTML in a description: not well-formed XML


def test_a_truncated_feed_is_an_error_not_half_a_post():
    cut = rss(item("a"), item("b"))[:-60]
    with pytest.raises(SourceError, match=r"Il feed è incompleto \(XML interrotto alla riga 1"):
        source(Server(feed_response(cut))).fetch({}, NOW)


def test_a_sloppy_but_whole_feed_is_read_leniently_with_a_note():
    body = rss(item("a", SLOPPY), item("b")) + b"\n<!-- pagina generata in 0.2 s -->\n"
    batch = source(Server(feed_response(body))).fetch({}, NOW)
    assert [p.remote_id[-1] for p in batch.posts] == ["a", "b"]
    assert "uno\ndue" in batch.posts[0].text
    assert batch.notes == ["Il feed non è XML valido (riga 1, colonna 298): l'ho letto "
                           "comunque, in modo tollerante."]


@pytest.mark.parametrize("cut", [30, 120, 250])
def test_a_sloppy_feed_cut_short_is_still_an_error(cut):
    body = rss(item("a", SLOPPY), item("b"))[:-cut]
    with pytest.raises(SourceError, match="Il feed è incompleto"):
        source(Server(feed_response(body))).fetch({}, NOW)


def test_html_entities_in_a_feed_are_read_as_every_feed_reader_does():
    body = rss(item("a", text="Sala&nbsp;Rossa"))
    batch = source(Server(feed_response(body))).fetch({}, NOW)
    assert "Sala\xa0Rossa" in batch.posts[0].text and batch.notes == []


def test_a_feed_with_html_entities_cut_short_is_still_an_error():
    with pytest.raises(SourceError, match="Il feed è incompleto"):
        source(Server(feed_response(rss(item("a", "Sala&nbsp;Rossa"), item("b"))[:-40]))).fetch(
            {}, NOW)


def test_an_atom_feed_is_read_too():
    body = (FIXTURES / "rss" / "blog.atom").read_bytes()
    batch = source(Server(feed_response(body, "application/atom+xml"))).fetch({}, NOW)
    assert len(batch.posts) == 1


# -- entries ---------------------------------------------------------------------------------

def test_an_unreadable_entry_is_skipped_and_the_others_kept():
    body = rss(item("a"), "<item><description>senza titolo, link, id né data</description></item>")
    batch = source(Server(feed_response(body))).fetch({}, NOW)
    assert [p.remote_id for p in batch.posts] == ["https://news.example/a"]
    assert batch.skipped == ["voce 2 del feed: feed entry has no id, link, title or date to be "
                             "known by"]


def test_an_undated_entry_of_an_undated_feed_takes_the_time_it_was_first_seen():
    (post,) = source(Server(feed_response(rss(item("a", date=""))))).fetch({}, NOW).posts
    assert post.created_at == "2026-11-19T12:00:00Z"


def test_an_entry_listed_twice_comes_once():
    batch = source(Server(feed_response(rss(item("a"), item("a"))))).fetch({}, NOW)
    assert len(batch.posts) == 1


def test_edited_entries_come_back_as_edits_and_new_ones_as_posts():
    first_body = rss(item("a", "Prima versione."), item("b"))
    server = Server(feed_response(first_body),
                    feed_response(rss(item("c"), item("a", "Versione corretta."), item("b"))))
    feed = source(server)
    first = feed.fetch({}, NOW)
    second = feed.fetch(first.cursor, NOW)
    assert [p.remote_id.rsplit("/", 1)[1] for p in second.posts] == ["c", "a", "b"]
    assert [p.remote_id for p in second.updated] == ["https://news.example/a"]
    assert "Versione corretta." in second.updated[0].text
    assert list(second.cursor["seen"]) == [
        rss_module._short_hash(f"https://news.example/{k}") for k in ("c", "a", "b")]


def test_a_picture_signed_afresh_on_every_request_is_not_an_edit():
    def body(signature: str) -> bytes:
        enclosure = (f'<enclosure url="https://news.example/foto.jpg?sig={signature}" '
                     'type="image/jpeg" length="1"/>')
        return rss(item("a", extra=enclosure))

    server = Server(feed_response(body("111")), feed_response(body("222")))
    feed = source(server)
    second = feed.fetch(feed.fetch({}, NOW).cursor, NOW)
    assert second.updated == [] and second.posts[0].media[0].url.endswith("sig=222")


def test_the_cursor_remembers_at_most_the_newest_entries():
    older = {f"{n:016x}": "0" * 16 for n in range(SEEN_MAX)}
    server = Server(feed_response(rss(*(item(str(n)) for n in range(SEEN_MAX + 20)))))
    cursor = source(server).fetch({"seen": older}, NOW).cursor
    assert len(cursor["seen"]) == SEEN_MAX
    assert next(iter(cursor["seen"])) == rss_module._short_hash("https://news.example/0")


# -- through the collector and the store -----------------------------------------------------

@pytest.fixture
def feed_event(store, monkeypatch):
    monkeypatch.setattr(rss_module, "system_resolver", fake_resolver)
    store.create_event(EVENT)
    created = store.add_source(EVENT["slug"], "rss", {"url": FEED_URL}, name="comune")
    return created["id"]


def test_collecting_a_feed_twice_stores_each_entry_once(store, feed_event):
    server = Server(feed_response(rss(item("a"), item("b")), etag='"v1"'))
    reports = poll_once(store, {}, NOW, client_factory=lambda s: server.client(), force=True)
    assert [(r.health, r.new) for r in reports] == [("ok", 2)]
    again = poll_once(store, {}, NOW, client_factory=lambda s: server.client(), force=True)
    assert [(r.new, r.duplicates) for r in again] == [(0, 2)]
    assert server.requests[1].headers["if-none-match"] == '"v1"'


def test_a_broken_feed_loses_nothing_already_collected(store, feed_event):
    good = Server(feed_response(rss(item("a")), etag='"v1"'))
    poll_once(store, {}, NOW, client_factory=lambda s: good.client(), force=True)
    cursor = store.get_source(feed_event)["cursor"]
    broken = Server(feed_response(rss(item("a"), item("b"))[:-60], etag='"v2"'))
    (report,) = poll_once(store, {}, NOW, client_factory=lambda s: broken.client(), force=True)
    assert report.health == "failing" and "Il feed è incompleto" in report.error
    assert store.get_source(feed_event)["cursor"] == cursor
    assert len(store.posts_of_event(store.get_event(EVENT["slug"])["id"])) == 1
