"""The sanitizer: what survives clean_html, how HTML reads as text, how text becomes HTML."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from coverage.sanitize import (
    LINK_REL,
    MAX_HTML_CHARS,
    clean_html,
    clean_post_html,
    external_links,
    html_to_text,
    linkify_spans,
)

REL = f'rel="{LINK_REL}"'


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def tags_of(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Tags()
    parser.feed(html)
    parser.close()
    return parser.tags


def test_clean_html_keeps_mastodon_markup():
    html = (
        '<p><span class="h-card" translate="no"><a href="https://social.example/@giulia" '
        'class="u-url mention">@<span>giulia</span></a></span> ciao '
        '<a href="https://social.example/tags/Roma" class="mention hashtag" rel="tag">'
        "#<span>Roma</span></a></p>"
    )
    assert clean_html(html) == (
        '<p><span class="h-card"><a href="https://social.example/@giulia" class="u-url mention" '
        f"{REL}>@<span>giulia</span></a></span> ciao "
        f'<a href="https://social.example/tags/Roma" class="mention hashtag" {REL}>'
        "#<span>Roma</span></a></p>"
    )


@pytest.mark.parametrize(
    ("dirty", "clean"),
    [
        pytest.param("<p>Ciao<script>alert(1)</script></p>", "<p>Ciao</p>", id="script-content"),
        pytest.param("<style>p{color:red}</style><p>testo</p>", "<p>testo</p>", id="style-content"),
        pytest.param("<p>a<!-- nascosto -->b</p>", "<p>ab</p>", id="comment"),
        pytest.param('<a href="javascript:alert(1)">x</a>', f"<a {REL}>x</a>", id="javascript"),
        pytest.param('<a href=" JaVaScRiPt:alert(1)">x</a>', f"<a {REL}>x</a>", id="js-disguised"),
        pytest.param('<a href="data:text/html,hi">x</a>', f"<a {REL}>x</a>", id="data-url"),
        pytest.param('<a href="/relativo">x</a>', f"<a {REL}>x</a>", id="relative"),
        pytest.param('<a href="//evil.example/x">x</a>', f"<a {REL}>x</a>", id="scheme-relative"),
        pytest.param('<a href="mailto:a@example.it">x</a>', f"<a {REL}>x</a>", id="mailto"),
        pytest.param(
            '<a href="https://ok.example/" target="_blank" rel="opener">x</a>',
            f'<a href="https://ok.example/" {REL}>x</a>',
            id="target-dropped-rel-forced",
        ),
        pytest.param(
            '<span class="invisible evil">x</span>', '<span class="invisible">x</span>', id="class"
        ),
        pytest.param(
            '<p onclick="x()" style="color:red" id="p1">x</p>', "<p>x</p>", id="attributes"
        ),
        pytest.param(
            '<img src="https://a.example/i.jpg" onerror="x()"><iframe src="https://a.example">'
            "dentro</iframe>",
            "",
            id="img-iframe",
        ),
        pytest.param("<svg><script>alert(1)</script></svg>testo", "testo", id="svg"),
        pytest.param("a < b & c", "a &lt; b &amp; c", id="bare-text"),
        pytest.param("<p>aperto <b>grassetto", "<p>aperto <b>grassetto</b></p>", id="unclosed"),
    ],
)
def test_clean_html_removes_what_is_not_allowed(dirty, clean):
    assert clean_html(dirty) == clean


def test_clean_html_turns_other_blocks_into_paragraphs():
    html = '<h2>Titolo</h2><div class="x"><p>uno</p><p>due</p></div><table><tr><td>a</td></tr>'
    assert clean_html(html) == "<p><strong>Titolo</strong></p><p>uno</p><p>due</p><p>a </p>"


@pytest.mark.parametrize(
    "html",
    [
        '<p class="quote-inline">RE: <a href="https://a.example/x" target="_blank">'
        '<span class="invisible">https://</span>a.example/x</a></p><p>testo</p>',
        # Malformed nesting that nh3 does not settle in one pass.
        '\'x<svg><li>x</span> <form><pre><form>\nx<template><!--<a href="javascript:1">',
        "<<b><li><table><li><script><li><iframe><malignmark>x<<math><p></a><img src=x><br>é😀",
        '<pre><math>&#39;</noscript><svg></a>><mglyph>&</p>😀<a href="http://x"><td><table><pre>',
        "<div><p>dentro</p></div><h3>t</h3>",
        "&amp;amp; &lt;script&gt; &nbsp;",
        "a & " * 30_000,
    ],
)
def test_clean_html_is_idempotent(html):
    once = clean_html(html)
    assert clean_html(once) == once


def test_clean_html_bounds_its_output():
    huge = "<p>" + "x &amp; y " * 50_000
    cleaned = clean_html(huge)
    assert 0 < len(cleaned) <= MAX_HTML_CHARS
    assert clean_html(cleaned) == cleaned


def test_clean_html_of_nothing_is_nothing():
    assert clean_html("") == ""


def test_every_href_left_is_http():
    html = "".join(
        f'<a href="{url}">l</a>'
        for url in ("https://ok.example/a", "http://ok.example/b", "ftp://x.example/", "vbscript:x")
    )
    hrefs = [attrs.get("href") for tag, attrs in tags_of(clean_html(html)) if tag == "a"]
    assert hrefs == ["https://ok.example/a", "http://ok.example/b", None, None]


@pytest.mark.parametrize(
    ("html", "text"),
    [
        ("<p>Uno<br>due &amp; tre</p><p>Quattro</p>", "Uno\ndue & tre\n\nQuattro"),
        ("<p>l&#39;acqua &egrave; &quot;calda&quot;</p>", 'l\'acqua è "calda"'),
        (
            '<p><a href="https://x.example/lungo"><span class="invisible">https://</span>'
            '<span class="ellipsis">x.example/lun</span><span class="invisible">go</span></a></p>',
            "https://x.example/lungo",
        ),
        ('Prima<script>var a = "<p>";</script><style>p{}</style> dopo', "Prima dopo"),
        (
            "<ul><li>uno</li><li>due</li></ul><blockquote><p>citazione</p></blockquote>",
            "uno\ndue\n\ncitazione",
        ),
        ("<p>\n   molti\n   spazi   qui\n</p>", "molti spazi qui"),
        ("<pre>  codice\n    rientrato</pre>", "  codice\n    rientrato"),
        ("&lt;p&gt; non è un tag", "<p> non è un tag"),
        ("<div><h2>Titolo</h2>corpo</div>", "Titolo\n\ncorpo"),
        ("<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>", "a b\n\nc"),
        ('<p>prima</p><embed src="x.swf">dopo', "prima\n\ndopo"),
        ("", ""),
    ],
)
def test_html_to_text(html, text):
    assert html_to_text(html) == text


@pytest.mark.parametrize(
    ("html", "text"),
    [
        pytest.param("<p>uno <img src=x onerror=alert(1)", "uno", id="tag-cut-off-at-the-end"),
        pytest.param(
            "<p>prima</p><plaintext><b>dopo</b>", "prima\n\n<b>dopo</b>", id="plaintext-shown"
        ),
        pytest.param("<p>a</p><hr>b<br/>c", "a\n\nb\nc", id="rule-and-break"),
        pytest.param("<dl><dt>Termine</dt><dd>definizione</dd></dl>", "Termine\ndefinizione",
                     id="definition-lines"),
    ],
)
def test_text_is_read_from_the_html_as_the_sanitizer_parses_it(html, text):
    # What a reader sees of the sanitized HTML, not what a looser parser makes of the source.
    assert html_to_text(html) == text


@pytest.mark.parametrize(
    "html",
    [
        '<p>Ciao <a href="https://s.example/@a" class="u-url mention">@a</a> e '
        '<a href="https://news.example/1?a=1&amp;b=2">news</a></p>',
        "<div><h2>Titolo</h2><p>uno</p></div><ul><li>due</li></ul><pre> tre\n  quattro</pre>",
        '<p>a<script>x</script><a href="javascript:alert(1)">b</a><a href=" https://ok.example/ ">'
        "c</a></p>",
        "<b><p>malformato</b><li>x",
        "",
    ],
)
def test_clean_post_html_is_clean_html_text_and_links_from_one_parse(html):
    assert clean_post_html(html) == (clean_html(html), html_to_text(html), external_links(html))


def test_external_links_leave_out_mentions_and_hashtags():
    html = (
        '<a href="https://s.example/@a" class="u-url mention">@a</a>'
        '<a href="https://s.example/tags/x" class="mention hashtag">#x</a>'
        '<a href="https://news.example/1">n</a><a href="/rel">r</a>'
        '<a href="https://news.example/1">again</a>'
    )
    assert external_links(html) == ["https://news.example/1"]


def test_linkify_spans_builds_links_paragraphs_and_line_breaks():
    text = "Ciao #Roma con @anna\nvedi https://a.example/x?a=1&b=2\n\nfine <b>"
    spans = [
        (5, 10, "tag", "https://bsky.app/hashtag/Roma"),
        (15, 20, "mention", "https://bsky.app/profile/did:plc:anna"),
        (26, 53, "link", "https://a.example/x?a=1&b=2"),
    ]
    assert linkify_spans(text, spans) == (
        f'<p>Ciao <a href="https://bsky.app/hashtag/Roma" class="hashtag" {REL}>#Roma</a> con '
        f'<a href="https://bsky.app/profile/did:plc:anna" class="mention" {REL}>@anna</a><br>'
        f'vedi <a href="https://a.example/x?a=1&amp;b=2" {REL}>https://a.example/x?a=1&amp;b=2</a>'
        "</p><p>fine &lt;b&gt;</p>"
    )


def test_linkify_spans_counts_code_points():
    text = "🇮🇹 è #qui"
    assert linkify_spans(text, [(5, 9, "tag", "https://x.com/hashtag/qui")]) == (
        f'<p>🇮🇹 è <a href="https://x.com/hashtag/qui" class="hashtag" {REL}>#qui</a></p>'
    )


@pytest.mark.parametrize(
    "spans",
    [
        pytest.param([(0, 99, "link", "https://a.example/")], id="past-the-end"),
        pytest.param([(-1, 2, "link", "https://a.example/")], id="negative"),
        pytest.param([(3, 3, "link", "https://a.example/")], id="empty"),
        pytest.param([(0, 4, "link", "javascript:alert(1)")], id="unsafe-target"),
        pytest.param([(0, 4, "emoji", "https://a.example/")], id="unknown-kind"),
        pytest.param([(2, 9, "link", "https://a.example/")], id="across-paragraphs"),
    ],
)
def test_linkify_spans_ignores_broken_spans(spans):
    assert linkify_spans("uno\n\ndue", spans) == "<p>uno</p><p>due</p>"


def test_linkify_spans_keeps_the_first_of_overlapping_spans():
    spans = [(0, 5, "tag", "https://x.com/hashtag/abcd"), (2, 7, "link", "https://a.example/")]
    assert linkify_spans("#abcd efg", spans) == (
        f'<p><a href="https://x.com/hashtag/abcd" class="hashtag" {REL}>#abcd</a> efg</p>'
    )


def test_linkify_spans_output_is_already_clean():
    html = linkify_spans("a\n\n\n b <i>\n", [(4, 5, "link", "https://a.example/")])
    assert clean_html(html) == html
    assert linkify_spans("", []) == ""
