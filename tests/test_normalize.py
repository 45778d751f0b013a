"""Normalizers: each platform's native payload becomes the same Post."""

from __future__ import annotations

import copy
import hashlib
import json
import re
from pathlib import Path

import pytest

from coverage.model import Author, Media, NormalizeError, Post, Reference
from coverage.sanitize import LINK_REL, clean_html
from coverage.sources import bluesky, mastodon, rss, x
from coverage.sources.fields import utc_timestamp

FIXTURES = Path(__file__).parent / "fixtures"
REL = f'rel="{LINK_REL}"'
UTC_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


def load(name: str):
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def feed_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def all_fixture_posts() -> list[tuple[str, Post]]:
    posts = [
        *(mastodon.posts_from_payload(load(f"mastodon/{n}.json")) for n in ("status", "boost")),
        *(mastodon.posts_from_payload(load(f"mastodon/{n}.json")) for n in ("quote", "hostile")),
        bluesky.posts_from_payload(load("bluesky/post_view.json")),
        bluesky.posts_from_payload(load("bluesky/quote_with_media.json")),
        bluesky.posts_from_payload(load("bluesky/author_feed.json")),
        bluesky.posts_from_payload(load("bluesky/search_posts.json")),
        x.posts_from_payload(load("x/search_recent.json")),
        x.posts_from_payload(load("x/lookup_note_tweet.json")),
        rss.posts_from_payload(feed_bytes("rss/comune.xml")),
        rss.posts_from_payload(feed_bytes("rss/blog.atom")),
    ]
    return [(f"{p.platform}:{p.remote_id}", p) for batch in posts for p in batch]


ALL_POSTS = all_fixture_posts()


@pytest.mark.parametrize(("name", "post"), ALL_POSTS, ids=[n for n, _ in ALL_POSTS])
def test_every_post_has_utc_time_clean_html_and_http_urls(name, post):
    assert UTC_TIME.match(post.created_at)
    assert clean_html(post.html) == post.html
    assert "<script" not in post.html
    assert post.url.startswith(("https://", "http://"))
    for media in post.media:
        assert media.url.startswith(("https://", "http://"))
    assert len(post.text) <= 20_000


@pytest.mark.parametrize(("name", "post"), ALL_POSTS, ids=[n for n, _ in ALL_POSTS])
def test_every_post_survives_a_json_round_trip(name, post):
    data = json.loads(json.dumps(post.to_dict()))
    assert Post.from_dict(data) == post


@pytest.mark.parametrize(
    ("module", "payload", "words"),
    [
        (mastodon, "testo", "must be a status or a list"),
        (mastodon, {"content": "<p>x</p>"}, "no id or uri"),
        (mastodon, [{"id": "1", "uri": "https://a.example/1", "account": None}], "no account"),
        (mastodon, {"error": "Record not found"}, "no id or uri"),
        (bluesky, 42, "must be an object or a list"),
        (bluesky, {"uri": "https://bsky.app/x", "record": {}}, "no at:// uri"),
        (
            bluesky,
            {
                "uri": "at://did:plc:a/app.bsky.feed.like/1",
                "record": {"$type": "app.bsky.feed.like"},
            },
            "is not a post",
        ),
        (x, [], "must be an object"),
        (x, {"data": {"text": "senza id"}}, "no id"),
        (x, {"errors": [{"detail": "Could not find tweet with id: [1]."}]}, "Could not find"),
        (x, {"data": {"id": "1", "text": "ciao", "author_id": "9"}}, "not in includes.users"),
        (rss, {"feed": "no"}, "must be text or bytes"),
        (rss, "<html><body>una pagina</body></html>", "not an RSS or Atom feed"),
    ],
)
def test_payload_that_cannot_be_a_post_raises_normalize_error(module, payload, words):
    with pytest.raises(NormalizeError, match=re.escape(words)):
        module.posts_from_payload(payload)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-11-19T09:31:00.123Z", "2026-11-19T09:31:00Z"),
        ("2026-11-19T09:31:00Z", "2026-11-19T09:31:00Z"),
        ("2026-11-19T10:31:00+01:00", "2026-11-19T09:31:00Z"),
        ("2026-11-19T09:31:00", "2026-11-19T09:31:00Z"),
        ("2026-02-30T09:31:00Z", None),
        ("2026-11-19T24:00:00.000Z", None),
        ("ieri", None),
    ],
)
def test_creation_times_become_utc_to_the_second(value, expected):
    if expected is None:
        with pytest.raises(NormalizeError, match="unreadable creation time"):
            utc_timestamp(value)
    else:
        assert utc_timestamp(value) == expected


@pytest.mark.parametrize(
    ("module", "payload"),
    [
        (mastodon, load("mastodon/status.json")),
        (bluesky, load("bluesky/post_view.json")),
        (x, load("x/lookup_note_tweet.json")),
    ],
)
def test_raw_is_the_native_payload(module, payload):
    original = copy.deepcopy(payload)
    (post,) = module.posts_from_payload(payload)
    native = payload["data"] if module is x else payload
    assert post.raw == native
    assert payload == original  # normalizing does not touch the payload


# --- Mastodon -------------------------------------------------------------------------------


def test_mastodon_status_becomes_a_post():
    post = mastodon.normalize(load("mastodon/status.json"))
    assert post.platform == "mastodon"
    assert post.remote_id == "https://mastodon.example/users/comune/statuses/113500000000000001"
    assert post.url == "https://mastodon.example/@comune/113500000000000001"
    assert post.author == Author(
        handle="@comune@mastodon.example",
        name="Comune di Bologna",
        avatar="https://files.mastodon.example/avatars/comune.png",
        url="https://mastodon.example/@comune",
    )
    assert post.created_at == "2026-11-19T08:31:00Z"
    assert post.text == (
        "@giulia l'assemblea è in #PiazzaMaggiore alle 18:00\n"
        "Diretta: https://www.comune.example/diretta?x=1&y=2\n\n"
        "Portate l'ombrello & pazienza!"
    )
    assert post.html.startswith(
        '<p><span class="h-card"><a href="https://social.example/@giulia" class="u-url mention" '
    )
    assert "target=" not in post.html and "translate=" not in post.html
    assert post.reply_to == Reference(remote_id="113499999999999999")
    assert post.language == "it"
    assert post.metrics == {"replies": 2, "reposts": 5, "likes": 11, "quotes": 1}
    assert post.hashtags == ["PiazzaMaggiore"]
    assert post.mentions == ["@giulia@social.example", "@comune@mastodon.example"]
    assert post.links == ["https://www.comune.example/diretta?x=1&y=2"]
    assert (post.sensitive, post.spoiler) == (False, "")


def test_mastodon_media_carry_alt_text_and_original_size():
    post = mastodon.normalize(load("mastodon/status.json"))
    assert post.media == [
        Media(
            type="image",
            url="https://files.mastodon.example/media/original/piazza.jpg",
            alt="Piazza Maggiore gremita, vista dal Nettuno",
            preview_url="https://files.mastodon.example/media/small/piazza.jpg",
            width=1600,
            height=900,
        ),
        Media(
            type="video",
            url="https://files.mastodon.example/media/original/corteo.mp4",
            alt="",
            preview_url="https://files.mastodon.example/media/small/corteo.jpg",
            width=1280,
            height=720,
        ),
    ]


def test_mastodon_boost_carries_the_original_post():
    post = mastodon.normalize(load("mastodon/boost.json"))
    giulia = Author(
        handle="@giulia@social.example",
        name="giulia",
        avatar="https://mastodon.example/cache/giulia.png",
        url="https://social.example/@giulia",
    )
    assert post.remote_id == (
        "https://mastodon.example/users/comune/statuses/113500000000000002/activity"
    )
    assert post.author == giulia
    assert post.url == "https://social.example/@giulia/113400000000000042"
    assert post.text == "Via Rizzoli chiusa fino alle 20"
    assert post.repost_of == Reference(
        remote_id="https://social.example/users/giulia/statuses/113400000000000042",
        url="https://social.example/@giulia/113400000000000042",
        author=giulia,
        text="Via Rizzoli chiusa fino alle 20",
    )
    assert post.reposted_by.handle == "@comune@mastodon.example"
    assert post.created_at == "2026-11-19T09:15:00Z"  # when it was boosted
    assert (post.sensitive, post.spoiler) == (True, "Traffico")
    assert post.metrics == {"replies": 0, "reposts": 3, "likes": 4, "quotes": 0}


def test_mastodon_quote_becomes_quote_of_and_text_keeps_the_re_line():
    post = mastodon.normalize(load("mastodon/quote.json"))
    assert post.quote_of.remote_id == (
        "https://social.example/users/giulia/statuses/113400000000000042"
    )
    assert post.quote_of.author.handle == "@giulia@social.example"
    assert post.quote_of.text == "Via Rizzoli chiusa fino alle 20"
    assert post.text == (
        "RE: https://social.example/@giulia/113400000000000042\n\n"
        "Confermiamo: deviazioni per i bus 11 e 13."
    )
    assert post.created_at == "2026-11-19T09:00:00Z"  # "+01:00" turned into UTC
    assert post.metrics == {"replies": 0, "reposts": 0, "likes": 0}  # no quotes_count given


def test_mastodon_quote_pending_or_shallow():
    status = load("mastodon/quote.json")
    status["quote"] = {"state": "pending", "quoted_status": None}
    assert mastodon.normalize(status).quote_of is None
    status["quote"] = {"state": "accepted", "quoted_status_id": "1134"}
    assert mastodon.normalize(status).quote_of == Reference(remote_id="1134")


def test_mastodon_hostile_content_is_sanitized():
    post = mastodon.normalize(load("mastodon/hostile.json"))
    assert post.html == (
        f"<p>Ciao <a {REL}>clicca</a> <a {REL}>qui</a> "
        f'<a href="https://buono.example/" class="mention" {REL}>buono</a></p>'
    )
    assert post.text == "Ciao clicca qui buono"
    assert post.media == []  # its only attachment had a javascript: URL
    assert post.url == post.remote_id  # url was null


def test_mastodon_bounds_field_sizes():
    status = load("mastodon/status.json")
    status["account"]["display_name"] = "N" * 500
    status["media_attachments"][0]["description"] = "a" * 5000
    status["content"] = "<p>" + "parola " * 5000 + "</p>"
    post = mastodon.normalize(status)
    assert len(post.author.name) == 200
    assert len(post.media[0].alt) == 1500
    assert len(post.text) == 20_000


def test_mastodon_payload_may_be_a_timeline_page():
    page = [load("mastodon/status.json"), load("mastodon/boost.json")]
    assert [p.remote_id for p in mastodon.posts_from_payload(page)] == [s["uri"] for s in page]


# --- Bluesky --------------------------------------------------------------------------------


def test_bluesky_facets_use_utf8_byte_offsets():
    post = bluesky.normalize(load("bluesky/post_view.json"))
    # "é", "à" and the flag come before the link: byte and code-point offsets differ by 8.
    assert post.html == (
        "<p>Perché già 🇮🇹 qui: "
        f'<a href="https://example.it/caffè-alle-otto" {REL}>example.it/caffè-all…</a> '
        f'<a href="https://bsky.app/hashtag/PiazzaPulita" class="hashtag" {REL}>#PiazzaPulita</a>'
        f' con <a href="https://bsky.app/profile/did:plc:maria123" class="mention" {REL}>'
        "@maria.bsky.social</a> 😀 fine</p>"
    )
    assert post.text == (
        "Perché già 🇮🇹 qui: example.it/caffè-all… #PiazzaPulita con @maria.bsky.social 😀 fine"
    )


def test_bluesky_post_view_becomes_a_post():
    post = bluesky.normalize(load("bluesky/post_view.json"))
    assert post.remote_id == "at://did:plc:comune456/app.bsky.feed.post/3lbxyzabc2k2a"
    assert post.url == "https://bsky.app/profile/comune.bsky.social/post/3lbxyzabc2k2a"
    assert post.author == Author(
        handle="@comune.bsky.social",
        name="Comune 🏛️",
        avatar="https://cdn.bsky.app/img/avatar/plain/did:plc:comune456/bafkavatar@jpeg",
        url="https://bsky.app/profile/comune.bsky.social",
    )
    assert post.created_at == "2026-11-19T09:31:00Z"  # createdAt, not indexedAt
    assert post.hashtags == ["PiazzaPulita", "Bologna"]  # facets, then record.tags
    assert post.mentions == ["@maria.bsky.social"]
    assert post.links == ["https://example.it/caffè-alle-otto"]
    assert post.language == "it"
    assert post.metrics == {"replies": 1, "reposts": 4, "likes": 20, "quotes": 2}
    assert post.reply_to == Reference(
        remote_id="at://did:plc:maria123/app.bsky.feed.post/3lbparent000a",
        url="https://bsky.app/profile/did:plc:maria123/post/3lbparent000a",
    )
    assert post.media == [
        Media(
            type="image",
            url="https://cdn.bsky.app/img/feed_fullsize/plain/did:plc:comune456/bafkimg@jpeg",
            alt="Il caffè in piazza",
            preview_url="https://cdn.bsky.app/img/feed_thumbnail/plain/did:plc:comune456/bafkimg@jpeg",
            width=2000,
            height=1500,
        )
    ]


@pytest.mark.parametrize(
    ("text", "byte_start", "byte_end"),
    [("😀 #ok", 1, 5), ("😀 #ok", 0, 2), ("😀 #ok", 3, 999), ("😀 #ok", 4, 4),
     ("ab #ok", 3, 7), ("ab #ok", -1, 3), ("ab #ok", "3", 6), ("ab #ok", 3.0, 6)],
    ids=["inside-the-emoji", "ends-inside-the-emoji", "past-the-end", "empty",
         "ascii-past-the-end", "ascii-negative", "ascii-text", "ascii-float"],
)
def test_bluesky_facet_with_impossible_offsets_is_ignored(text, byte_start, byte_end):
    view = load("bluesky/post_view.json")
    view["record"]["text"] = text
    view["record"]["facets"] = [
        {
            "index": {"byteStart": byte_start, "byteEnd": byte_end},
            "features": [{"$type": "app.bsky.richtext.facet#tag", "tag": "ok"}],
        }
    ]
    post = bluesky.normalize(view)
    assert post.html == f"<p>{text}</p>"
    assert post.hashtags == ["Bologna"]


def test_bluesky_quote_with_media_and_labels():
    post = bluesky.normalize(load("bluesky/quote_with_media.json"))
    assert post.quote_of == Reference(
        remote_id="at://did:plc:maria123/app.bsky.feed.post/3lbquoted00aa",
        url="https://bsky.app/profile/maria.bsky.social/post/3lbquoted00aa",
        author=Author(
            handle="@maria.bsky.social",
            name="Maria Rossi",
            avatar="https://cdn.bsky.app/img/avatar/plain/did:plc:maria123/bafkm@jpeg",
            url="https://bsky.app/profile/maria.bsky.social",
        ),
        text="Domani sciopero dei mezzi",
    )
    assert [m.url.rsplit("/", 1)[-1] for m in post.media] == ["bafkorari@jpeg"]
    assert post.media[0].alt == ""
    assert post.sensitive is True  # labelled graphic-media


def test_bluesky_quote_of_a_deleted_post_keeps_its_uri():
    view = load("bluesky/quote_with_media.json")
    view["embed"] = {
        "$type": "app.bsky.embed.record#view",
        "record": {
            "$type": "app.bsky.embed.record#viewNotFound",
            "uri": "at://did:plc:maria123/app.bsky.feed.post/3lbgone0000aa",
            "notFound": True,
        },
    }
    assert bluesky.normalize(view).quote_of == Reference(
        remote_id="at://did:plc:maria123/app.bsky.feed.post/3lbgone0000aa",
        url="https://bsky.app/profile/did:plc:maria123/post/3lbgone0000aa",
    )


def test_bluesky_repost_in_a_feed_carries_the_original():
    repost, reply = bluesky.posts_from_payload(load("bluesky/author_feed.json"))
    original_uri = "at://did:plc:maria123/app.bsky.feed.post/3lbmaria000aa"
    assert repost.remote_id == f"{original_uri}#repost-by-did:plc:comune456"
    assert repost.author.handle == "@maria.bsky.social"
    assert repost.text == "Bus deviati in via Indipendenza"
    assert repost.repost_of.remote_id == original_uri
    assert repost.repost_of.author.name == "Maria Rossi"
    assert repost.reposted_by == Author(
        handle="@comune.bsky.social",
        name="Comune 🏛️",
        url="https://bsky.app/profile/comune.bsky.social",
    )
    assert repost.created_at == "2026-11-19T08:30:00Z"  # when it was reposted
    assert repost.raw["reason"]["$type"] == "app.bsky.feed.defs#reasonRepost"


def test_bluesky_feed_item_fills_in_the_parent_of_a_reply():
    _, reply = bluesky.posts_from_payload(load("bluesky/author_feed.json"))
    assert reply.reply_to.remote_id == "at://did:plc:maria123/app.bsky.feed.post/3lbmaria000aa"
    assert reply.reply_to.author.handle == "@maria.bsky.social"
    assert reply.reply_to.text == "Bus deviati in via Indipendenza"


def test_bluesky_requires_login_follows_no_unauthenticated_labels():
    locked, open_post = load("bluesky/search_posts.json")["posts"]
    assert bluesky.requires_login(locked) is True
    assert bluesky.requires_login(open_post) is False
    # The normalizer leaves the decision to its callers: the post is still made.
    assert bluesky.normalize(locked).author.handle == "@riservata.bsky.social"


@pytest.mark.parametrize(
    ("payload", "remote_ids"),
    [
        (
            load("bluesky/post_view.json"),
            ["at://did:plc:comune456/app.bsky.feed.post/3lbxyzabc2k2a"],
        ),
        (
            load("bluesky/author_feed.json")["feed"][1],
            ["at://did:plc:comune456/app.bsky.feed.post/3lbreply000aa"],
        ),
        (
            load("bluesky/search_posts.json"),
            [
                "at://did:plc:riservata/app.bsky.feed.post/3lbpriv0000aa",
                "at://did:plc:maria123/app.bsky.feed.post/3lbmaria000aa",
            ],
        ),
        (
            load("bluesky/author_feed.json"),
            [
                "at://did:plc:maria123/app.bsky.feed.post/3lbmaria000aa#repost-by-did:plc:comune456",
                "at://did:plc:comune456/app.bsky.feed.post/3lbreply000aa",
            ],
        ),
    ],
    ids=["postView", "feedViewPost", "searchPosts", "getAuthorFeed"],
)
def test_bluesky_payload_shapes(payload, remote_ids):
    assert [p.remote_id for p in bluesky.posts_from_payload(payload)] == remote_ids


# --- X --------------------------------------------------------------------------------------


def x_posts() -> dict[str, Post]:
    return {p.remote_id: p for p in x.posts_from_payload(load("x/search_recent.json"))}


def test_x_offsets_counted_on_the_escaped_text():
    post = x_posts()["1859000000000000001"]
    expanded = "https://www.comune.torino.it/viabilita?zona=po&giorno=oggi"
    # "&amp;" comes before every entity, and "🚧" is one code point (two in UTF-16).
    assert post.text == f"Lavori & traffico in via Po 🚧 #Torino con @ComuneTorino: {expanded}"
    assert post.html == (
        "<p>Lavori &amp; traffico in via Po 🚧 "
        f'<a href="https://x.com/hashtag/Torino" class="hashtag" {REL}>#Torino</a> con '
        f'<a href="https://x.com/ComuneTorino" class="mention" {REL}>@ComuneTorino</a>: '
        f'<a href="{expanded.replace("&", "&amp;")}" {REL}>{expanded.replace("&", "&amp;")}</a>'
        "</p>"
    )


def test_x_offsets_counted_on_the_unescaped_text():
    post = x_posts()["1859000000000000002"]
    assert post.text == "Sciopero <oggi> & domani #Milano https://www.atm.example/sciopero"
    assert post.html == (
        "<p>Sciopero &lt;oggi&gt; &amp; domani "
        f'<a href="https://x.com/hashtag/Milano" class="hashtag" {REL}>#Milano</a> '
        f'<a href="https://www.atm.example/sciopero" {REL}>https://www.atm.example/sciopero</a></p>'
    )


def test_x_offsets_reading_is_chosen_for_the_whole_post():
    # Read as plain-text offsets these would point past the end, and a search by text alone
    # would put both hashtags on the second "#x": the escaped reading fits both, so it wins.
    tweet = {
        "id": "8",
        "text": "&amp;&amp;&amp;&amp;&amp; #x y #x",
        "author_id": "11",
        "created_at": "2026-11-19T09:00:00Z",
        "entities": {
            "hashtags": [{"start": 26, "end": 28, "tag": "x"}, {"start": 31, "end": 33, "tag": "x"}]
        },
    }
    post = x.normalize(tweet, load("x/search_recent.json")["includes"])
    link = f'<a href="https://x.com/hashtag/x" class="hashtag" {REL}>#x</a>'
    assert post.html == f"<p>&amp;&amp;&amp;&amp;&amp; {link} y {link}</p>"


def test_x_entity_with_wrong_offsets_is_found_by_its_text():
    tweet = {
        "id": "7",
        "text": "Oggi #Roma e #Roma",
        "author_id": "11",
        "created_at": "2026-11-19T09:00:00Z",
        "entities": {"hashtags": [{"start": 12, "end": 17, "tag": "Roma"}]},
    }
    post = x.normalize(tweet, load("x/search_recent.json")["includes"])
    assert post.html == (
        f'<p>Oggi #Roma e <a href="https://x.com/hashtag/Roma" class="hashtag" {REL}>#Roma</a></p>'
    )


def test_x_media_link_is_removed_and_the_photo_attached():
    post = x_posts()["1859000000000000001"]
    assert "t.co" not in post.text and "/photo/" not in post.text
    assert post.media == [
        Media(
            type="image",
            url="https://pbs.twimg.com/media/Gabc.jpg",
            alt="Cantiere in via Po con transenne",
            width=1200,
            height=800,
        )
    ]
    assert post.links == ["https://www.comune.torino.it/viabilita?zona=po&giorno=oggi"]
    assert post.metrics == {"replies": 1, "reposts": 3, "likes": 9, "quotes": 0, "views": 812}
    assert post.url == "https://x.com/redazione_to/status/1859000000000000001"
    assert post.author.handle == "@redazione_to"


def test_x_retweet_takes_the_full_original_from_includes():
    post = x_posts()["1859000000000000003"]
    full = (
        "Bus deviati in via Indipendenza per il corteo, tutte le linee e gli orari aggiornati "
        "qui: https://tper.example/avvisi #Bologna"
    )
    assert post.text == full
    assert post.author.handle == "@maria_rossi"
    assert post.url == "https://x.com/maria_rossi/status/1858000000000000100"
    assert post.repost_of == Reference(
        remote_id="1858000000000000100",
        url="https://x.com/maria_rossi/status/1858000000000000100",
        author=post.author,
        text=full,
    )
    assert post.reposted_by.handle == "@redazione_to"
    assert post.created_at == "2026-11-19T09:45:00Z"
    assert post.metrics["reposts"] == 40


def test_x_retweet_without_the_original_keeps_its_own_text():
    payload = load("x/search_recent.json")
    payload["includes"]["tweets"] = []
    post = x.posts_from_payload(payload)[2]
    assert post.text.startswith("RT @maria_rossi: Bus deviati")
    assert post.author.handle == "@maria_rossi"
    assert post.repost_of.remote_id == "1858000000000000100"
    assert post.reposted_by.handle == "@redazione_to"


def test_x_quote_and_reply_become_references():
    posts = x_posts()
    quote, reply = posts["1859000000000000004"], posts["1859000000000000005"]
    assert quote.quote_of.remote_id == "1858000000000000100"
    assert quote.quote_of.author.handle == "@maria_rossi"
    assert (
        quote.text == "Confermato anche da noi https://x.com/maria_rossi/status/1858000000000000100"
    )
    assert reply.reply_to.url == "https://x.com/maria_rossi/status/1858000000000000100"
    assert reply.mentions == ["@maria_rossi"]
    assert reply.text == "@maria_rossi grazie, giriamo ai colleghi 👍"


def test_x_long_post_uses_note_tweet():
    (post,) = x.posts_from_payload(load("x/lookup_note_tweet.json"))
    assert post.text.endswith("sala stampa. Video: #Maltempo")
    assert post.text.count("Aggiornamento lungo") == 8
    assert post.hashtags == ["Maltempo"]
    assert post.sensitive is True
    assert post.media == [
        Media(
            type="video",
            url="https://video.twimg.com/ext_tw_video/77/vid/1280x720/high.mp4",
            preview_url="https://pbs.twimg.com/ext_tw_video_thumb/77/pu/img/still.jpg",
            width=1280,
            height=720,
        )
    ]


def test_x_empty_search_has_no_posts():
    assert x.posts_from_payload({"meta": {"result_count": 0}}) == []


# --- RSS and Atom ---------------------------------------------------------------------------


def test_rss_entry_becomes_a_post_with_title_body_and_media():
    first, _ = rss.parse_feed(
        feed_bytes("rss/comune.xml"), "https://www.comune.perugia.example/feed/"
    )
    # A bare guid is scoped to its feed: another feed's "notizia-4711" is another post.
    assert first.remote_id == "https://www.comune.perugia.example/feed/#notizia-4711"
    assert first.url == "https://www.comune.perugia.example/notizie/corso-vannucci"
    assert first.author == Author(
        handle="Comune di Perugia – Notizie",
        name="Ufficio stampa",
        avatar="https://www.comune.perugia.example/logo.png",
        url="https://www.comune.perugia.example/",
    )
    assert first.created_at == "2026-11-19T09:31:00Z"
    assert first.text == (
        "Chiusura di corso Vannucci\n\n"
        "Dalle 8 alle 20 corso Vannucci sarà chiuso al traffico.\n\n"
        "Percorsi alternativi: viabilità e avvisi bus."
    )
    assert first.html == (
        "<p><strong>Chiusura di corso Vannucci</strong></p>"
        "<p>Dalle 8 alle 20 corso Vannucci sarà <strong>chiuso</strong> al traffico.</p>\n"
        "<p>Percorsi alternativi: "
        f'<a href="https://www.comune.perugia.example/viabilita" {REL}>viabilità</a> e '
        f'<a href="https://www.bus.example/avvisi?l=1&amp;z=2" {REL}>avvisi bus</a>.</p>\n\n'
    )
    assert first.links == [
        "https://www.comune.perugia.example/viabilita",
        "https://www.bus.example/avvisi?l=1&z=2",
    ]
    assert first.media == [
        Media(
            type="image",
            url="https://www.comune.perugia.example/img/mappa.png",
            width=1024,
            height=768,
        ),
        Media(
            type="image",
            url="https://www.comune.perugia.example/img/corso.jpg",
            alt="Corso Vannucci con le transenne",
        ),
    ]
    assert first.language == "it"
    assert first.raw["id"] == "notizia-4711"


def test_rss_title_is_not_repeated_when_the_body_starts_with_it():
    _, second = rss.parse_feed(feed_bytes("rss/comune.xml"))
    assert second.text == "Consiglio comunale: la diretta inizia alle 15."
    assert second.html == "<p>Consiglio comunale: la diretta inizia alle 15.</p>"
    assert second.created_at == "2026-11-19T11:00:00Z"  # no pubDate: the feed's lastBuildDate


def test_rss_text_document_ignores_its_stale_encoding_declaration():
    text = feed_bytes("rss/comune.xml").decode("iso-8859-1")
    first, _ = rss.parse_feed(text)
    assert "sarà chiuso" in first.text


def test_atom_entry_with_plain_text_content_and_html_title():
    (post,) = rss.posts_from_payload(feed_bytes("rss/blog.atom"))
    assert post.remote_id == "tag:blog.piazza.example,2026:post-7"
    assert post.url == "https://blog.piazza.example/2026/11/mercato"
    assert post.author.handle == "Il blog della piazza"
    assert post.author.name == "Chiara Bianchi"
    assert (
        post.text == "Mercato & musica\n\nOggi in piazza: bancarelle & concerti.\nSi parte alle 17."
    )
    assert post.html == (
        "<p><strong>Mercato &amp; musica</strong></p>"
        "<p>Oggi in piazza: bancarelle &amp; concerti.<br>Si parte alle 17.</p>"
    )
    assert post.created_at == "2026-11-19T10:00:00Z"  # the feed's <updated>


ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Senza date</title>{feed_extra}
<entry>{entry}<content type="html">&lt;p&gt;corpo&lt;/p&gt;</content></entry></feed>"""


def test_feed_entry_without_any_date_raises():
    document = ATOM.format(feed_extra="", entry="<id>urn:x:1</id><title>t</title>")
    with pytest.raises(NormalizeError, match="no date"):
        rss.parse_feed(document)


@pytest.mark.parametrize(
    ("entry", "remote_id"),
    [
        ("<id>urn:x:1</id><link href='https://a.example/1'/>", "urn:x:1"),
        ("<link href='https://a.example/1'/>", "https://a.example/1"),
        (
            "<title>Solo titolo</title>",
            # No id, link or date: a hash of title and (empty) date, scoped to the feed.
            "Senza date#sha256:" + hashlib.sha256(b"Solo titolo\n").hexdigest(),
        ),
    ],
    ids=["guid", "link", "hash"],
)
def test_feed_entry_identity(entry, remote_id):
    document = ATOM.format(feed_extra="<updated>2026-11-19T10:00:00Z</updated>", entry=entry)
    (post,) = rss.parse_feed(document)
    assert post.remote_id == remote_id


@pytest.mark.parametrize("document", ["https://example.invalid/feed.xml", "/etc/hostname"])
def test_parse_feed_reads_only_the_document_it_is_given(document):
    # feedparser would fetch a URL or open a path passed as a string.
    with pytest.raises(NormalizeError, match="not an RSS or Atom feed"):
        rss.parse_feed(document)


def test_rss_bare_guids_are_scoped_to_their_feed():
    from coverage.sources import rss

    def feed(link: str) -> str:
        return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>'
                f"<link>{link}</link><description>d</description><item><title>Uno</title>"
                f'<guid isPermaLink="false">42</guid><pubDate>Thu, 19 Nov 2026 09:00:00 +0000'
                f"</pubDate></item></channel></rss>")

    [a] = rss.parse_feed(feed("https://comune-a.example/"))
    [b] = rss.parse_feed(feed("https://comune-b.example/"))
    assert a.remote_id == "https://comune-a.example/#42"
    assert b.remote_id == "https://comune-b.example/#42"
