"""The recap for WordPress: block-editor markup, and a WXR 1.2 file the importer accepts.

Only core blocks, in the markup the block editor itself saves, so the post opens without
"unexpected content" warnings and stays editable: headings, paragraphs, lists, and each post as
a Quote block (its text as paragraphs, author, date and permalink in the citation) that the
site's theme styles like its other quotes. Anything in a post that is not a paragraph (a list,
preformatted text) goes into a Custom HTML block inside the quote, unchanged.

No platform embeds here: WordPress's own embed blocks load the platform's script for every
reader, and the recap loads nothing from third parties unless the reader asks.
"""

from __future__ import annotations

import json
import re
import unicodedata
from html import escape
from html.parser import HTMLParser
from typing import Any

from . import renderer
from .wording import (
    description,
    figure_blocks,
    labels,
    local_moment,
    paragraphs,
    platform_name,
    reply_line,
    safe_href,
    session_lines,
    when,
)

REL = "nofollow noopener noreferrer"


def text(value: str) -> str:
    """Text content escaped the way the editor saves it (quotes left as they are)."""
    return escape(value, quote=False)


def attr(value: str) -> str:
    """An attribute value, escaped."""
    return escape(value, quote=True)


def link(label_html: str, url: str) -> str:
    """A link, or just its label when the address is not one a reader should follow."""
    href = safe_href(url)
    return f'<a href="{attr(href)}" rel="{REL}">{label_html}</a>' if href else label_html
WXR_AUTHOR = "piazza"  # the importer offers to map it to an existing user


def block(name: str, html: str, attrs: dict[str, Any] | None = None) -> str:
    """One block in the editor's serialized form."""
    # Attribute JSON as the editor writes it: nothing that could close the comment.
    encoded = ""
    if attrs:
        encoded = " " + json.dumps(attrs, separators=(",", ":"), ensure_ascii=False) \
            .replace("--", "\\u002d\\u002d").replace("<", "\\u003c").replace(">", "\\u003e") \
            .replace("&", "\\u0026")
    return f"<!-- wp:{name}{encoded} -->\n{html}\n<!-- /wp:{name} -->"


def paragraph(inline_html: str, class_name: str = "") -> str:
    if class_name:
        return block("paragraph", f'<p class="{class_name}">{inline_html}</p>',
                     {"className": class_name})
    return block("paragraph", f"<p>{inline_html}</p>")


def heading(title: str, level: int = 2) -> str:
    return block("heading", f'<h{level} class="wp-block-heading">{text(title)}</h{level}>',
                 {"level": level} if level != 2 else None)


def list_block(items_html: list[str], ordered: bool = False) -> str:
    tag = "ol" if ordered else "ul"
    items = "\n\n".join(block("list-item", f"<li>{item}</li>") for item in items_html)
    return block("list", f'<{tag} class="wp-block-list">{items}</{tag}>',
                 {"ordered": True} if ordered else None)


def _words(words: str, class_name: str = "") -> list[str]:
    return [paragraph(text(p).replace("\n", "<br>"), class_name) for p in paragraphs(words)]


class _TopLevel(HTMLParser):
    """Splits sanitized post HTML into its top-level paragraphs and the rest, re-serialized."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.chunks: list[tuple[str, str]] = []  # ("p", inner html) or ("html", outer html)
        self._in_p = False
        self._depth = 0  # elements open inside the current top-level chunk
        self._kind = ""
        self._parts: list[str] = []

    def _flush(self) -> None:
        content = "".join(self._parts)
        if content.strip():
            self.chunks.append((self._kind, content))
        self._parts, self._kind = [], ""

    def _outside(self) -> None:
        # Content outside any top-level paragraph joins (or starts) a Custom HTML chunk.
        if self._kind != "html":
            self._flush()
            self._kind = "html"

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        at_top = not self._in_p and self._depth == 0
        if at_top and tag == "p":
            self._flush()
            self._in_p, self._kind = True, "p"
            return
        if at_top:
            self._outside()
        self._parts.append(self.get_starttag_text() or "")
        if tag not in _VOID:
            self._depth += 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if not self._in_p and self._depth == 0:
            self._outside()
        self._parts.append(self.get_starttag_text() or "")

    def handle_endtag(self, tag: str) -> None:
        if self._in_p and self._depth == 0 and tag == "p":
            self._in_p = False
            self._flush()
        elif self._depth > 0 and tag not in _VOID:
            self._depth -= 1
            self._parts.append(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        if not self._in_p and self._depth == 0:
            if not data.strip():
                return
            self._outside()
        self._parts.append(escape(data, quote=False))

    def close(self) -> None:
        super().close()
        self._flush()


_VOID = frozenset({"br", "img", "hr", "wbr"})


def post_blocks(post: dict[str, Any]) -> list[str]:
    """The post's text as paragraph blocks (and Custom HTML for anything else)."""
    if not post.get("html"):
        return _words(post.get("text") or "")
    parser = _TopLevel()
    parser.feed(post["html"])
    parser.close()
    return [paragraph(content) if kind == "p" else block("html", content)
            for kind, content in parser.chunks]


def post_quote(post: dict[str, Any], tz: str, lang: str) -> str:
    """One post as a Quote block: text, images' descriptions, then who, when and where."""
    w = labels(lang)
    inner: list[str] = []
    reply = reply_line(post, lang)
    if reply:
        label, url = reply
        inner.append(paragraph(f"<em>{link(text(label), url)}</em>"))
    if post.get("spoiler"):
        inner.append(paragraph(f"<strong>{text(w['warning'])}:</strong> "
                               f"{text(post['spoiler'])}"))
    inner.extend(post_blocks(post))
    quoted = post.get("quote_of") or {}
    if quoted.get("text"):
        who = (quoted.get("author") or {}).get("name") or (quoted.get("author") or {}) \
            .get("handle") or ""
        inner.append(paragraph(f"{text(w['quoting'])} {text(who)}: «"
                               f"{text(quoted['text'])}»".replace("\n", "<br>")))
    for media in post.get("media") or []:
        kind = w["image"] + (f" ({media['type']})" if media.get("type") not in ("image", "photo")
                             else "")
        inner.append(paragraph(f"{link(text(kind), media.get('url') or '')}: "
                               f"{text(media.get('alt') or w['no_alt'])}"))
    author = post["author"]
    name, handle = author.get("name") or author.get("handle") or "", author.get("handle") or ""
    cite = f"<strong>{text(name)}</strong>"
    if handle and handle != name:
        cite += f" ({text(handle)})"
    if post.get("reposted_by"):
        by = post["reposted_by"]
        cite += f", {text(w['reposted_by'])} {text(by.get('name') or by.get('handle'))}"
    cite += (f" · {link(text(when(post['created_at'], tz, lang)), post.get('url') or '')}"
             f" · {text(platform_name(post['platform']))}")
    return block("quote", '<blockquote class="wp-block-quote piazza-post">'
                 + "\n\n".join(inner) + f"<cite>{cite}</cite></blockquote>",
                 {"className": "piazza-post"})


def _inline(parts: list[tuple]) -> str:
    out = []
    for part in parts:
        if part[0] == "strong":
            out.append(f"<strong>{text(part[1])}</strong>")
        elif part[0] == "link":
            out.append(link(text(part[1]), part[2]))
        else:
            out.append(text(part[1]))
    return "".join(out)


@renderer("wordpress", ".wordpress.html", "text/html")
def render_wordpress(recap: dict[str, Any]) -> str:
    """Block-editor markup: paste it in the Code editor, or import the WXR file."""
    event = recap["event"]
    lang, tz = event["language"], event["timezone"]
    w = labels(lang)
    out = _words(recap.get("intro") or "")
    for section in recap["sections"]:
        out.append(heading(section["title"]))
        out.extend(paragraph("<br>".join(f"<em>{text(line)}</em>"
                                         for line in session_lines(s, tz, lang)),
                             "piazza-session-meta") for s in section["sessions"])
        out.extend(_words(section.get("intro") or ""))
        for item in section["items"]:
            out.append(post_quote(item["post"], tz, lang))
            out.extend(_words(item.get("words") or ""))
    if not recap["sections"]:
        out.append(paragraph(text(w["no_posts"])))
    out.extend(_words(recap.get("conclusion") or ""))
    out.append(heading(w["figures"]))
    for figure in figure_blocks(recap):
        if figure["kind"] == "heading":
            out.append(heading(figure["text"], 3))
        elif figure["kind"] in ("list", "olist"):
            out.append(list_block([_inline(parts) for parts in figure["items"]],
                                  ordered=figure["kind"] == "olist"))
    return "\n\n".join(out) + "\n"


# -- WXR ---------------------------------------------------------------------------------------

# XML 1.0 cannot carry these at all, not even as character references.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def cdata(value: str) -> str:
    """Text in CDATA sections, split where it contains ']]>' (as WordPress's exporter does)."""
    return "<![CDATA[" + _NOT_XML.sub("", value).replace("]]>", "]]]]><![CDATA[>") + "]]>"


def _xml(value: str) -> str:
    return escape(_NOT_XML.sub("", value), quote=True)


def _slug(value: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "tag"


def _post_moment(recap: dict[str, Any]) -> str:
    event = recap["event"]
    return event.get("ends_at") or event.get("starts_at") or next(
        (item["post"]["created_at"] for section in recap["sections"]
         for item in section["items"]), "") or "2000-01-01T00:00:00Z"


@renderer("wxr", ".wxr.xml", "application/rss+xml")
def render_wxr(recap: dict[str, Any]) -> str:
    """A WXR 1.2 file with one draft post holding the block markup (Tools → Import →
    WordPress); hashtags become tags."""
    event = recap["event"]
    site = event.get("url") or "https://example.invalid"
    moment = _post_moment(recap)
    local = local_moment(moment, event["timezone"]).strftime("%Y-%m-%d %H:%M:%S")
    utc = local_moment(moment, "UTC")
    gmt = utc.strftime("%Y-%m-%d %H:%M:%S")
    rfc822 = utc.strftime("%a, %d %b %Y %H:%M:%S +0000")
    tags = "".join(
        f'\n\t\t<category domain="post_tag" nicename="{_xml(_slug(tag))}">{cdata(tag)}</category>'
        for tag in event.get("hashtags") or [])
    return f"""<?xml version="1.0" encoding="UTF-8" ?>
<!-- WordPress eXtended RSS written by Piazza: Tools → Import → WordPress. -->
<rss version="2.0"
\txmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
\txmlns:content="http://purl.org/rss/1.0/modules/content/"
\txmlns:wfw="http://wellformedweb.org/CommentAPI/"
\txmlns:dc="http://purl.org/dc/elements/1.1/"
\txmlns:wp="http://wordpress.org/export/1.2/"
>
<channel>
\t<title>{_xml(event["name"])}</title>
\t<link>{_xml(site)}</link>
\t<description>{_xml(description(recap))}</description>
\t<pubDate>{rfc822}</pubDate>
\t<language>{_xml(event["language"])}</language>
\t<wp:wxr_version>1.2</wp:wxr_version>
\t<wp:base_site_url>{_xml(site)}</wp:base_site_url>
\t<wp:base_blog_url>{_xml(site)}</wp:base_blog_url>
\t<wp:author><wp:author_id>1</wp:author_id><wp:author_login>{cdata(WXR_AUTHOR)}</wp:author_login><wp:author_email>{cdata("")}</wp:author_email><wp:author_display_name>{cdata("Piazza")}</wp:author_display_name><wp:author_first_name>{cdata("")}</wp:author_first_name><wp:author_last_name>{cdata("")}</wp:author_last_name></wp:author>
\t<generator>Piazza</generator>
\t<item>
\t\t<title>{cdata(recap["title"])}</title>
\t\t<link>{_xml(site)}</link>
\t\t<pubDate>{rfc822}</pubDate>
\t\t<dc:creator>{cdata(WXR_AUTHOR)}</dc:creator>
\t\t<guid isPermaLink="false">piazza-recap-{_xml(event["slug"])}</guid>
\t\t<description></description>
\t\t<content:encoded>{cdata(render_wordpress(recap))}</content:encoded>
\t\t<excerpt:encoded>{cdata(description(recap))}</excerpt:encoded>
\t\t<wp:post_id>0</wp:post_id>
\t\t<wp:post_date>{cdata(local)}</wp:post_date>
\t\t<wp:post_date_gmt>{cdata(gmt)}</wp:post_date_gmt>
\t\t<wp:comment_status>{cdata("closed")}</wp:comment_status>
\t\t<wp:ping_status>{cdata("closed")}</wp:ping_status>
\t\t<wp:post_name>{cdata(_slug(recap["title"]))}</wp:post_name>
\t\t<wp:status>{cdata("draft")}</wp:status>
\t\t<wp:post_parent>0</wp:post_parent>
\t\t<wp:menu_order>0</wp:menu_order>
\t\t<wp:post_type>{cdata("post")}</wp:post_type>
\t\t<wp:post_password>{cdata("")}</wp:post_password>
\t\t<wp:is_sticky>0</wp:is_sticky>{tags}
\t</item>
</channel>
</rss>
"""
