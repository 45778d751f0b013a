"""The single HTML sanitizer: every piece of post HTML goes through `clean_html`.

The allowlist follows Mastodon's own (its `Sanitize::Config::MASTODON_STRICT`), so
Mastodon content survives untouched in spirit while anything else is reduced to it.
"""

from __future__ import annotations

import re
from html import escape, unescape
from typing import NamedTuple
from urllib.parse import urlsplit

import nh3

# Parsing cost grows with input; nothing a person posts comes close to this.
MAX_HTML_CHARS = 100_000

ALLOWED_TAGS = frozenset(
    {"p", "br", "span", "a", "del", "pre", "blockquote", "code", "b", "strong", "u", "i", "em"}
    | {"ul", "ol", "li"}
)
SAFE_CLASSES = frozenset(
    {"h-card", "mention", "hashtag", "u-url", "invisible", "ellipsis", "quote-inline"}
)
LINK_REL = "nofollow noopener noreferrer ugc"
# Tags whose text is never content a reader should see (code, styles, embedded documents).
_DROPPED_CONTENT_TAGS = frozenset(
    {"script", "style", "iframe", "noscript", "template", "textarea", "title", "xmp"}
    | {"noembed", "noframes", "object", "embed", "svg", "math", "select", "head"}
)
# Block tags outside the allowlist that become paragraphs (as Mastodon does with remote
# HTML), so that feed articles built of <div>s and <h2>s keep their words apart.
_PARAGRAPH_TAGS = ("div", "section", "article", "header", "footer", "aside", "main", "nav")
_PARAGRAPH_TAGS += ("figure", "figcaption", "address", "table", "caption", "tr", "dl", "dt")
_PARAGRAPH_TAGS += ("dd", "details", "summary")
_HEADING_TAGS = ("h1", "h2", "h3", "h4", "h5", "h6")
_CELL_TAGS = ("td", "th")
_BLOCK_REWRITES = dict(
    [(f"<{t}>", "<p>") for t in _PARAGRAPH_TAGS]
    + [(f"</{t}>", "</p>") for t in _PARAGRAPH_TAGS]
    + [(f"<{t}>", "<p><strong>") for t in _HEADING_TAGS]
    + [(f"</{t}>", "</strong></p>") for t in _HEADING_TAGS]
    + [(f"<{t}>", "") for t in _CELL_TAGS]
    + [(f"</{t}>", " ") for t in _CELL_TAGS]
    + [("<hr>", "")]  # kept only so that the text reads it as a break
)
_BLOCK_TAG = re.compile("|".join(re.escape(tag) for tag in _BLOCK_REWRITES))
_HTTP_SCHEMES = ("http", "https")
_MAX_PASSES = 4


# Most URLs are plain: lower-case scheme, an ASCII host name, printable ASCII after it. For
# those urlsplit's answer is known (scheme http(s), a host, nothing to reject); every other
# string still goes through urlsplit.
_PLAIN_HTTP_URL = re.compile(r"https?://[A-Za-z0-9.-]+(?::[0-9]{1,5})?(?:[/?#][!-~]*)?")


def is_http_url(url: str) -> bool:
    """True when `url` is an absolute http(s) URL with a host."""
    if _PLAIN_HTTP_URL.fullmatch(url):
        return True
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return False
    return parts.scheme.lower() in _HTTP_SCHEMES and bool(parts.netloc)


def _keep_attribute(tag: str, attribute: str, value: str) -> str | None:
    # nh3's scheme check alone lets " javascript:" variants through untrimmed and keeps
    # scheme-relative "//host" links, so hrefs are checked here as well.
    if attribute == "href":
        return value.strip() if is_http_url(value) else None
    return value


def _cleaner(tags: set[str]) -> nh3.Cleaner:
    return nh3.Cleaner(
        tags=tags,
        clean_content_tags=set(_DROPPED_CONTENT_TAGS),
        attributes={"a": {"href"}},
        attribute_filter=_keep_attribute,
        strip_comments=True,
        link_rel=LINK_REL,
        url_schemes=set(_HTTP_SCHEMES),
        url_relative="deny",
        allowed_classes={tag: set(SAFE_CLASSES) for tag in ("a", "span", "p")},
    )


_CLEANER = _cleaner(set(ALLOWED_TAGS))
# Same rules, block tags kept: its output is canonical HTML without attributes on them,
# so "<div>" there can only be a tag and plain string replacement is exact. It is also the
# one parse that post text and links are read from.
_BLOCK_CLEANER = _cleaner(
    set(ALLOWED_TAGS) | {*_PARAGRAPH_TAGS, *_HEADING_TAGS, *_CELL_TAGS, "hr"}
)


class CleanHtml(NamedTuple):
    """Post HTML made safe, with its plain text and the links its author shared."""

    html: str
    text: str
    links: list[str]


def _canonical(html: str) -> str:
    return _BLOCK_CLEANER.clean(html[:MAX_HTML_CHARS])


def _one_pass(html: str) -> str:
    # Empty paragraphs are what nested blocks (<div><p>…</p></div>) leave behind.
    return _CLEANER.clean(html).replace("<p></p>", "")


# In nh3's output every "<" outside an attribute value starts a tag (text has "&lt;"), and
# attribute values are double-quoted with '"' escaped: a tag is found by this alone.
_TAG = re.compile(r'<(/?)([a-z][a-z0-9]*)((?:[^>"]+|"[^"]*")*)>')
# Inline elements that html5ever reads back as it wrote them when properly nested.
_SETTLED_INLINE = frozenset({"a", "span", "b", "strong", "i", "em", "u", "del", "code"})


def _settled(html: str) -> bool:
    """True when nh3's output (and only that: this judges shape, not safety) is of a shape
    that another pass would leave as it is: paragraphs at the top level, holding properly
    nested inline elements and line breaks, no link inside a link, no empty paragraph, no
    "<" or ">" outside a tag. Lists, quotes and <pre> are not judged here (html5ever moves
    them about on malformed nesting): they get the second pass."""
    tags = _TAG.findall(html)
    if "<p></p>" in html or not html.count("<") == html.count(">") == len(tags):
        return False
    open_tags: list[str] = []
    for closing, tag, _ in tags:
        if tag == "br":
            if closing:
                return False
        elif closing:
            if not open_tags or open_tags.pop() != tag:
                return False
        elif tag == "p":
            if open_tags:
                return False
            open_tags.append(tag)
        elif tag in _SETTLED_INLINE and not (tag == "a" and "a" in open_tags):
            open_tags.append(tag)
        else:
            return False
    return not open_tags


def _clean_to_fixpoint(html: str) -> str:
    # On malformed nesting (a <li> without a list, a <p> inside <pre>) html5ever reparses
    # nh3's own output into a different tree, so it is cleaned until it no longer moves.
    cleaned = html.replace("<p></p>", "")
    for _ in range(_MAX_PASSES + 1):
        again = _one_pass(cleaned)
        if again == cleaned:
            return cleaned
        cleaned = again
    # Still moving: give up the markup, keep the words.
    return _paragraphs_html(html_to_text(cleaned))


def _safe_html(canonical: str) -> str:
    """The final HTML from the block cleaner's output: blocks as paragraphs, stable, bounded."""
    cleaned = _BLOCK_TAG.sub(lambda tag: _BLOCK_REWRITES[tag[0]], canonical)
    cleaned = cleaned.replace("<p></p>", "")
    # nh3's output is usually final already: plain paragraphs are seen to be, anything else
    # is proved so (or settled) by more passes.
    if not _settled(cleaned):
        cleaned = _clean_to_fixpoint(cleaned)
    # Escaping can make the output longer than the input, and a second call would then cut
    # it somewhere else; so cut the clean output itself until it fits within the bound.
    source, cut = cleaned, MAX_HTML_CHARS
    while len(cleaned) > MAX_HTML_CHARS and cut > 0:
        cleaned = _clean_to_fixpoint(source[:cut])
        cut -= len(cleaned) - MAX_HTML_CHARS + 16
    return cleaned if len(cleaned) <= MAX_HTML_CHARS else ""


def clean_html(html: str) -> str:
    """Sanitize post HTML to the Mastodon-like allowlist; idempotent and size-bounded."""
    return _safe_html(_canonical(html)) if html else ""


def clean_post_html(html: str) -> CleanHtml:
    """`clean_html`, `html_to_text` and `external_links` of post HTML, from one parse."""
    if not html:
        return CleanHtml("", "", [])
    canonical = _canonical(html)
    text, links = _read(canonical)
    return CleanHtml(_safe_html(canonical), text, links)


_LINE_TAGS = frozenset({"li", "dt", "dd"})
_BLOCK_TAGS = (
    frozenset({"p", "blockquote", "pre", "ul", "ol", "hr", *_PARAGRAPH_TAGS, *_HEADING_TAGS})
    - _LINE_TAGS
)
_CELL_END_TAGS = frozenset(_CELL_TAGS)
_SPACES = re.compile(r"[ \t\n\r\f]+")
_ATTRIBUTE = re.compile(r'([^\s=]+)="([^"]*)"')
_NOT_SHARED = frozenset({"mention", "hashtag"})  # links that are not links the author shared
_TEXT_ROLES = {
    **{tag: "block" for tag in _BLOCK_TAGS}, **{tag: "line" for tag in _LINE_TAGS},
    **{tag: "cell" for tag in _CELL_TAGS}, "pre": "pre", "br": "br", "a": "a",
}


def _paragraph(chunks: list[str], in_pre: bool) -> str:
    text = "".join(chunks)
    if in_pre:
        return text.strip("\n")
    if "\n" not in text:
        return text.strip(" ")
    return "\n".join(line.strip(" ") for line in text.split("\n")).strip("\n")


def _shared_link(attributes: str) -> str:
    """The href of an <a> that is a link the author shared, else ""."""
    values = dict(_ATTRIBUTE.findall(attributes))
    href = values.get("href", "")
    if not href or _NOT_SHARED.intersection(values.get("class", "").split()):
        return ""
    href = unescape(href).strip() if "&" in href else href.strip()
    return href if is_http_url(href) else ""


def _read(canonical: str) -> tuple[str, list[str]]:
    """Paragraphs of text, and external links, from the block cleaner's canonical HTML.

    `_TAG.split` gives [text, "/" or "", tag, attributes, text, …]; one loop over it, since
    this runs for every post collected.
    """
    parts = _TAG.split(canonical)
    paragraphs: list[str] = []
    links: list[str] = []
    chunks: list[str] = []
    pre_depth = 0
    for i in range(0, len(parts), 4):
        data = parts[i]
        if data:
            if "&" in data:
                data = unescape(data)
            # Outside <pre>, source whitespace (indentation, newlines in feeds) is not text.
            if not pre_depth and ("  " in data or not data.isprintable()):
                data = _SPACES.sub(" ", data)
            chunks.append(data)
        if i + 1 == len(parts):
            break
        closing, tag = parts[i + 1], parts[i + 2]
        role = _TEXT_ROLES.get(tag)
        if role == "block" or role == "pre":
            if chunks:
                paragraph = _paragraph(chunks, pre_depth > 0)
                if paragraph.strip():
                    paragraphs.append(paragraph)
                chunks = []
            if role == "pre":
                pre_depth = max(0, pre_depth - 1) if closing else pre_depth + 1
        elif role == "line":
            text = "".join(chunks)
            if text.strip() and not text.endswith("\n"):
                chunks.append("\n")
        elif role == "br" and not closing:
            chunks.append("\n")
        elif role == "cell" and closing:
            chunks.append(" ")
        elif role == "a" and not closing:
            href = _shared_link(parts[i + 3])
            if href and href not in links:
                links.append(href)
    if chunks:
        paragraph = _paragraph(chunks, pre_depth > 0)
        if paragraph.strip():
            paragraphs.append(paragraph)
    return "\n\n".join(paragraphs), links


def text_and_links(html: str) -> tuple[str, list[str]]:
    """Plain text and external links of post HTML, as nh3 parses it (scripts, styles and
    other dropped content left out)."""
    return _read(_canonical(html)) if html else ("", [])


def html_to_text(html: str) -> str:
    """Plain text of post HTML: blank line between paragraphs, <br> as newline, no tags."""
    return text_and_links(html)[0]


def external_links(html: str) -> list[str]:
    """The http(s) links in post HTML, in order, without mention and hashtag links."""
    return text_and_links(html)[1]


_SPAN_CLASSES = {"link": "", "mention": "mention", "tag": "hashtag"}
_PARAGRAPH_BREAK = re.compile(r"\n[ \t\r\f\v]*\n\s*")


def _usable_spans(
    text: str, spans: list[tuple[int, int, str, str]], breaks: list[tuple[int, int]]
) -> list[tuple[int, int, str, str]]:
    """Spans sorted by start, minus the broken ones: out of range, overlapping, unsafe."""
    kept: list[tuple[int, int, str, str]] = []
    end_of_last = 0
    for span in sorted(spans, key=lambda s: (s[0], s[1])):
        start, end, kind, target = span
        if not (0 <= start < end <= len(text)) or start < end_of_last:
            continue
        if kind not in _SPAN_CLASSES or not is_http_url(target):
            continue
        if any(start < b_end and b_start < end for b_start, b_end in breaks):
            continue
        kept.append(span)
        end_of_last = end
    return kept


def _escape_lines(text: str) -> str:
    if "\n" not in text:
        return escape(text, quote=False)
    return "<br>".join(escape(line, quote=False) for line in text.split("\n"))


def _paragraphs_html(text: str) -> str:
    """Plain text as <p> paragraphs with <br> line breaks, nothing else."""
    return "".join(
        f"<p>{_escape_lines(part)}</p>" for part in _PARAGRAPH_BREAK.split(text) if part.strip()
    )


def linkify_spans(text: str, spans: list[tuple[int, int, str, str]]) -> str:
    """Safe HTML from plain text and (start, end, kind, target) code-point spans."""
    breaks = [(m.start(), m.end()) for m in _PARAGRAPH_BREAK.finditer(text)]
    usable = _usable_spans(text, spans, breaks)
    bounds = [0]
    for b_start, b_end in breaks:
        bounds.extend((b_start, b_end))
    bounds.append(len(text))

    parts: list[str] = []
    for p_start, p_end in zip(bounds[::2], bounds[1::2], strict=True):
        if not text[p_start:p_end].strip():
            continue
        html, pos = [], p_start
        for start, end, kind, target in usable:
            if start < p_start or end > p_end:
                continue
            html.append(_escape_lines(text[pos:start]))
            css = _SPAN_CLASSES[kind]
            class_attr = f' class="{css}"' if css else ""
            label = _escape_lines(text[start:end])
            html.append(f'<a href="{escape(target.strip())}"{class_attr}>{label}</a>')
            pos = end
        html.append(_escape_lines(text[pos:p_end]))
        parts.append("<p>" + "".join(html) + "</p>")
    return clean_html("".join(parts))
