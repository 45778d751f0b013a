"""The single HTML sanitizer: every piece of post HTML goes through `clean_html`.

The allowlist follows Mastodon's own (its `Sanitize::Config::MASTODON_STRICT`), so
Mastodon content survives untouched in spirit while anything else is reduced to it.
"""

from __future__ import annotations

import re
from html import escape
from html.parser import HTMLParser
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
_BLOCK_REWRITES = (
    [(f"<{t}>", "<p>") for t in _PARAGRAPH_TAGS]
    + [(f"</{t}>", "</p>") for t in _PARAGRAPH_TAGS]
    + [(f"<{t}>", "<p><strong>") for t in _HEADING_TAGS]
    + [(f"</{t}>", "</strong></p>") for t in _HEADING_TAGS]
    + [(f"<{t}>", "") for t in _CELL_TAGS]
    + [(f"</{t}>", " ") for t in _CELL_TAGS]
)
_HTTP_SCHEMES = ("http", "https")
_MAX_PASSES = 4


def is_http_url(url: str) -> bool:
    """True when `url` is an absolute http(s) URL with a host."""
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
# so "<div>" there can only be a tag and plain string replacement is exact.
_BLOCK_CLEANER = _cleaner(set(ALLOWED_TAGS) | {*_PARAGRAPH_TAGS, *_HEADING_TAGS, *_CELL_TAGS})


def _blocks_as_paragraphs(html: str) -> str:
    canonical = _BLOCK_CLEANER.clean(html)
    for tag, replacement in _BLOCK_REWRITES:
        canonical = canonical.replace(tag, replacement)
    return canonical


def _one_pass(html: str) -> str:
    # Empty paragraphs are what nested blocks (<div><p>…</p></div>) leave behind.
    return _CLEANER.clean(html).replace("<p></p>", "")


def _clean_to_fixpoint(html: str) -> str:
    # On malformed nesting (a <li> without a list, a <p> inside <pre>) html5ever reparses
    # nh3's own output into a different tree, so a single pass is not always stable.
    cleaned = _one_pass(html)
    for _ in range(_MAX_PASSES):
        again = _one_pass(cleaned)
        if again == cleaned:
            return cleaned
        cleaned = again
    # Still moving: give up the markup, keep the words.
    return _paragraphs_html(html_to_text(cleaned))


def clean_html(html: str) -> str:
    """Sanitize post HTML to the Mastodon-like allowlist; idempotent and size-bounded."""
    if not html:
        return ""
    cleaned = _clean_to_fixpoint(_blocks_as_paragraphs(html[:MAX_HTML_CHARS]))
    # Escaping can make the output longer than the input, and a second call would then cut
    # it somewhere else; so cut the clean output itself until it fits within the bound.
    source, cut = cleaned, MAX_HTML_CHARS
    while len(cleaned) > MAX_HTML_CHARS and cut > 0:
        cleaned = _clean_to_fixpoint(source[:cut])
        cut -= len(cleaned) - MAX_HTML_CHARS + 16
    return cleaned if len(cleaned) <= MAX_HTML_CHARS else ""


_LINE_TAGS = frozenset({"li", "dt", "dd"})
_BLOCK_TAGS = (
    frozenset({"p", "blockquote", "pre", "ul", "ol", "hr", *_PARAGRAPH_TAGS, *_HEADING_TAGS})
    - _LINE_TAGS
)
_CELL_END_TAGS = frozenset(_CELL_TAGS)
# <embed> is void: counting it as an open element would hide all the text after it.
_SILENT_TAGS = _DROPPED_CONTENT_TAGS - {"embed"}
_SPACES = re.compile(r"[ \t\n\r\f]+")


class _TextCollector(HTMLParser):
    """Collects paragraphs of text, and external links, from HTML in one pass."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.paragraphs: list[str] = []
        self.links: list[str] = []
        self._current: list[str] = []
        self._skip_depth = 0
        self._pre_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            values = dict(attrs)
            href = (values.get("href") or "").strip()
            classes = set((values.get("class") or "").split())
            # Mention and hashtag links are not links the author shared.
            if is_http_url(href) and not classes & {"mention", "hashtag"} \
                    and href not in self.links:
                self.links.append(href)
        elif tag in _SILENT_TAGS:
            self._skip_depth += 1
        elif tag == "br":
            self._current.append("\n")
        elif tag in _BLOCK_TAGS:
            self._flush()
            if tag == "pre":
                self._pre_depth += 1
        elif tag in _LINE_TAGS:
            self._new_line()

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self._current.append("\n")
        elif tag in _BLOCK_TAGS:
            self._flush()

    def handle_endtag(self, tag: str) -> None:
        if tag in _SILENT_TAGS:
            self._skip_depth = max(0, self._skip_depth - 1)
        elif tag in _CELL_END_TAGS:
            self._current.append(" ")
        elif tag in _BLOCK_TAGS:
            self._flush()
            if tag == "pre":
                self._pre_depth = max(0, self._pre_depth - 1)
        elif tag in _LINE_TAGS:
            self._new_line()

    def handle_data(self, data: str) -> None:
        if self._skip_depth:
            return
        # Outside <pre>, source whitespace (indentation, newlines in feeds) is not text.
        self._current.append(data if self._pre_depth else _SPACES.sub(" ", data))

    def _new_line(self) -> None:
        text = "".join(self._current)
        if text.strip() and not text.endswith("\n"):
            self._current.append("\n")

    def _flush(self) -> None:
        text = "".join(self._current)
        self._current = []
        if self._pre_depth:
            paragraph = text.strip("\n")
        else:
            paragraph = "\n".join(line.strip(" ") for line in text.split("\n")).strip("\n")
        if paragraph.strip():
            self.paragraphs.append(paragraph)

    def close(self) -> None:
        super().close()
        self._flush()


def text_and_links(html: str) -> tuple[str, list[str]]:
    """Plain text and external links of post HTML, from a single parse."""
    if not html:
        return "", []
    collector = _TextCollector()
    collector.feed(html[:MAX_HTML_CHARS])
    collector.close()
    return "\n\n".join(collector.paragraphs), collector.links


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
