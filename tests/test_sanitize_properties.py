"""Property tests of the one sanitizer: idempotent, and its output holds only allowlisted markup,
whatever the input (Hypothesis generates hostile HTML from tags, attributes and schemes)."""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urlsplit

from hypothesis import given, settings
from hypothesis import strategies as st

from coverage import sanitize
from coverage.sanitize import ALLOWED_TAGS, LINK_REL, SAFE_CLASSES, clean_html, is_http_url

TAGS = ["p", "a", "span", "script", "img", "svg", "iframe", "style", "b", "em", "math", "object",
        "form", "input", "div", "blockquote", "code", "pre", "ul", "li", "br", "video", "base",
        "meta", "link", "template", "noscript", "select", "textarea", "details", "table"]
ATTRS = ["href", "src", "onclick", "onerror", "onload", "style", "class", "srcdoc", "formaction",
         "xlink:href", "action", "data", "rel", "target", "id", "onmouseover", "background"]
SCHEMES = ["javascript:", "JaVaScRiPt:", " javascript:", "java\tscript:", "data:text/html,",
           "vbscript:", "http://", "https://", "//", "&#106;avascript:", "file:///", "ftp://",
           "mailto:", ""]
CLASSES = ["mention", "hashtag", "invisible", "evil", "u-url h-card", "ellipsis x"]


@st.composite
def hostile_html(draw) -> str:
    parts = []
    for _ in range(draw(st.integers(1, 6))):
        tag = draw(st.sampled_from(TAGS))
        attrs = []
        for _ in range(draw(st.integers(0, 3))):
            name = draw(st.sampled_from(ATTRS))
            if name in ("href", "src", "action", "formaction", "xlink:href", "data"):
                value = draw(st.sampled_from(SCHEMES)) + "alert(1)//x.example/a"
            elif name == "class":
                value = draw(st.sampled_from(CLASSES))
            else:
                value = draw(st.text(max_size=12))
            quote = draw(st.sampled_from(['"', "'", ""]))
            attrs.append(f"{name}={quote}{value}{quote}")
        inner = draw(st.text(max_size=20))
        close = draw(st.booleans())
        parts.append(f"<{tag} {' '.join(attrs)}>{inner}" + (f"</{tag}>" if close else ""))
        parts.append(draw(st.sampled_from(["", "<!--", "-->", "<![CDATA[", "]]>", "&lt;", "<",
                                           ">", "\"", "</p>", "<p", "\x00"])))
    return "".join(parts)


INLINE_SOUP = ["p", "a", "b", "b", "i", "em", "strong", "u", "del", "code", "span", "br", "li",
               "pre", "blockquote", "div", "h2", "td", "font"]


@st.composite
def inline_soup(draw) -> str:
    """Formatting elements and paragraphs, nested well or badly: mostly markup that nh3
    leaves in a shape that needs no second pass, and some that does."""
    parts = []
    for _ in range(draw(st.integers(1, 30))):
        kind = draw(st.sampled_from(["open", "open", "close", "text"]))
        tag = draw(st.sampled_from(INLINE_SOUP))
        if kind == "text":
            parts.append(draw(st.sampled_from(["x", " ", "\n", "&amp;", "<", ">", "é", ""])))
        elif kind == "close":
            parts.append(f"</{tag}>")
        else:
            href = ' href="https://a.example/x"' if tag == "a" else ""
            parts.append(f"<{tag}{href}>")
    return "".join(parts)


class Inspector(HTMLParser):
    """Collects every tag and attribute of the sanitized output."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, attrs))

    handle_startendtag = handle_starttag


def inspect(html: str):
    parser = Inspector()
    parser.feed(html)
    parser.close()
    return parser.found


@settings(max_examples=400, deadline=None)
@given(hostile_html())
def test_sanitizing_is_idempotent(html):
    once = clean_html(html)
    assert clean_html(once) == once


@settings(max_examples=400, deadline=None)
@given(hostile_html())
def test_output_holds_only_allowlisted_markup(html):
    for tag, attrs in inspect(clean_html(html)):
        assert tag in ALLOWED_TAGS, tag
        for name, value in attrs:
            assert not name.startswith("on"), name
            if name == "href":
                assert tag == "a" and is_http_url(value or ""), value
            elif name == "rel":
                assert value == LINK_REL
            elif name == "class":
                assert set((value or "").split()) <= SAFE_CLASSES, value
            else:
                raise AssertionError(f"unexpected attribute {name}={value!r} on <{tag}>")


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_plain_text_never_becomes_markup(text):
    for tag, _ in inspect(clean_html(text)):
        assert tag in ALLOWED_TAGS


@settings(max_examples=400, deadline=None)
@given(inline_soup())
def test_sanitizing_nested_inline_markup_is_idempotent(html):
    once = clean_html(html)
    assert clean_html(once) == once


@settings(max_examples=400, deadline=None)
@given(st.one_of(inline_soup(), hostile_html()))
def test_what_is_taken_as_settled_is_left_alone_by_another_pass(html):
    # clean_html skips its second nh3 pass for output of this shape: it must be final.
    canonical = sanitize._canonical(html)
    candidate = sanitize._BLOCK_TAG.sub(lambda t: sanitize._BLOCK_REWRITES[t[0]], canonical)
    candidate = candidate.replace("<p></p>", "")
    if sanitize._settled(candidate):
        assert sanitize._one_pass(candidate) == candidate


@settings(max_examples=400, deadline=None)
@given(st.from_regex(r"(https?|HTTPS|ftp|javascript)?:?/{0,3}[A-Za-z0-9.:@\[\] \t-]{0,12}"
                     r"([/?#][!-~ \x00é]{0,10})?", fullmatch=True))
def test_the_quick_http_url_check_agrees_with_urlsplit(url):
    try:
        parts = urlsplit(url.strip())
        expected = parts.scheme.lower() in ("http", "https") and bool(parts.netloc)
    except ValueError:
        expected = False
    assert is_http_url(url) == expected
