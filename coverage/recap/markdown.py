"""The recap as Markdown with YAML front matter, for Hugo and Jekyll.

Posts are Markdown blockquotes, not HTML blocks: Hugo's default renderer (Goldmark with
`unsafe = false`) replaces raw HTML with "<!-- raw HTML omitted -->", so posts written as HTML
would vanish from a site that never changed that setting, while a blockquote renders in every
theme, styled like the site's own quotes, and in Git forges' previews too.

Text from posts and editors is escaped for both CommonMark (Goldmark, Hugo) and kramdown
(Jekyll): only characters both accept with a backslash are escaped that way, the others become
character references. Braces always become references, so Liquid (`{{ }}`, `{% %}`) and Hugo
shortcodes (`{{< >}}`) never see a tag in a post; quotes, dashes and dots are escaped where the two
renderers' typographers would otherwise curl or join them. The platforms' own embeds are not
offered here: they need a script, and a Markdown page has no place for one.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any
from urllib.parse import quote

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

# Escaped with a backslash everywhere: kramdown and CommonMark both accept these escapes.
_ALWAYS_CHARS = re.compile(r"[\\`*_\[\]|$\"']")
# As character references: kramdown has no backslash escape for them, braces must not appear
# at all (Liquid reads "{%" even after a backslash, and fails on one left open), and angle
# brackets as references leave no tag-like text for any other tool to trip on.
_ENTITIES = {"&": "&amp;", "~": "&#126;", "^": "&#94;", "{": "&#123;", "}": "&#125;",
             "<": "&lt;", ">": "&gt;"}
_ENTITY_CHARS = re.compile("[&~^{}<>]")
_RUNS = re.compile(r"-{2,}|\.{2,}")
# Meaningful at the start of a line only (headings, lists, definition lists, setext lines).
_LINE_START = frozenset("#+-=:!")
_ORDERED = re.compile(r"^(\d+)([.)])")


def escape_md(text: str, line_start: bool = True) -> str:
    """Plain text as Markdown that both renderers show exactly as written (one line per line).

    `line_start=False` is for text that continues a line already begun (after a link)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _ENTITY_CHARS.sub(lambda m: _ENTITIES[m[0]], text)
    text = _ALWAYS_CHARS.sub(r"\\\g<0>", text)
    # "--" and "..." would become dashes and an ellipsis.
    text = _RUNS.sub(lambda m: "\\" + "\\".join(m[0]), text)
    lines = text.split("\n")
    for number, line in enumerate(lines):
        if number == 0 and not line_start:
            continue
        # Leading spaces would make an indented code block; browsers collapse them anyway.
        line = line.lstrip(" \t")
        if line[:1] in _LINE_START:
            line = "\\" + line
        else:
            line = _ORDERED.sub(r"\1\\\2", line, count=1)
        lines[number] = line
    return "  \n".join(lines)  # two spaces: a hard line break in both renderers


def _url(url: str) -> str:
    # Percent-encode what could end the link early or open a Liquid/shortcode tag.
    return quote(url, safe="/:?#&=%@+,;!*$-._~")


def _link(label: str, url: str) -> str:
    url = safe_href(url)
    return f"[{escape_md(label)}]({_url(url)})" if url else escape_md(label)


class _PostText(HTMLParser):
    """The sanitized post HTML (p, br, a, lists, emphasis) as Markdown paragraphs."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.paragraphs: list[str] = []
        self._line: list[str] = []
        self._lines: list[str] = []
        self._href: str | None = None
        self._label: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self._href = dict(attrs).get("href") or ""
            self._label = []
        elif tag == "br":
            self._break()
        elif tag in ("p", "blockquote", "pre", "ul", "ol"):
            self._end_paragraph()
        elif tag == "li":
            self._break()
            self._line.append("- ")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self._break()

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._href is not None:
            label = "".join(self._label)
            self._line.append(_link(label, self._href) if label.strip() else "")
            self._href = None
        elif tag in ("p", "blockquote", "pre", "ul", "ol"):
            self._end_paragraph()
        elif tag == "li":
            self._break()

    def handle_data(self, data: str) -> None:
        if self._href is not None:
            self._label.append(data)
        else:
            self._line.append(escape_md(data, line_start=not "".join(self._line).strip()))

    def _break(self) -> None:
        line = "".join(self._line).strip()
        if line:
            self._lines.append(line)
        self._line = []

    def _end_paragraph(self) -> None:
        self._break()
        if self._lines:
            self.paragraphs.append("  \n".join(self._lines))
        self._lines = []

    def close(self) -> None:
        super().close()
        self._end_paragraph()


def post_paragraphs(post: dict[str, Any]) -> list[str]:
    """The post's text as Markdown paragraphs, links kept."""
    if not post.get("html"):
        return [escape_md(p) for p in paragraphs(post.get("text") or "")]
    parser = _PostText()
    parser.feed(post["html"])
    parser.close()
    # "- " list markers were added by the parser itself, after escaping.
    return parser.paragraphs


def _post(post: dict[str, Any], tz: str, lang: str) -> str:
    w = labels(lang)
    author = post["author"]
    head = f"**{escape_md(author.get('name') or author.get('handle') or '')}**"
    if author.get("name") and author.get("handle") and author["handle"] != author["name"]:
        head += f" · {escape_md(author['handle'])}"
    if post.get("reposted_by"):
        by = post["reposted_by"]
        head += f" · {escape_md(w['reposted_by'] + ' ' + (by.get('name') or by.get('handle')))}"
    blocks = [head]
    reply = reply_line(post, lang)
    if reply:
        blocks.append(f"*{_link(*reply)}*")
    if post.get("spoiler"):
        blocks.append(f"**{escape_md(w['warning'])}:** {escape_md(post['spoiler'])}")
    blocks.extend(post_paragraphs(post))
    quoted = post.get("quote_of") or {}
    if quoted.get("text"):
        quote_author = quoted.get("author") or {}
        who = quote_author.get("name") or quote_author.get("handle") or ""
        blocks.append("> " + escape_md(quoted["text"]).replace("\n", "\n> ")
                      + (f"  \n> — {escape_md(who)}" if who else ""))
    for media in post.get("media") or []:
        kind = w["image"] + (f" ({media['type']})" if media.get("type") not in ("image", "photo")
                             else "")
        blocks.append(f"{_link(kind, media.get('url') or '')}: "
                      f"{escape_md(media.get('alt') or w['no_alt'])}")
    blocks.append(f"— {_link(when(post['created_at'], tz, lang), post.get('url') or '')}"
                  f" · {escape_md(platform_name(post['platform']))}")
    return "\n>\n".join("> " + block.replace("\n", "\n> ") for block in blocks)


def _parts(parts: list[tuple]) -> str:
    out = []
    for part in parts:
        if part[0] == "strong":
            out.append(f"**{escape_md(part[1])}**")
        elif part[0] == "link":
            out.append(_link(part[1], part[2]))
        else:
            # After the first part the line has begun: its spaces stay ("**12** post").
            out.append(escape_md(part[1], line_start=not out))
    return "".join(out)


def yaml_string(value: str) -> str:
    """A YAML double-quoted scalar on one line: quotes, backslashes, line breaks and every
    non-printable character escaped (YAML 1.1 and 1.2 read it the same)."""
    out = ['"']
    for char in value:
        code = ord(char)
        if char in ('"', "\\"):
            out.append("\\" + char)
        elif char == "\n":
            out.append("\\n")
        elif char == "\t":
            out.append("\\t")
        elif code < 0x20 or 0x7F <= code <= 0x9F or code in (0x2028, 0x2029, 0xFEFF) \
                or 0xD800 <= code <= 0xDFFF or code in (0xFFFE, 0xFFFF):
            out.append(f"\\u{code:04x}")
        else:
            out.append(char)
    out.append('"')
    return "".join(out)


def front_matter(recap: dict[str, Any]) -> str:
    """YAML front matter: title, date, tags, description, lang."""
    event = recap["event"]
    lines = ["---", f"title: {yaml_string(recap['title'])}"]
    date = _date(recap)
    if date:
        lines.append(f"date: {date}")
    lines.append("tags: [" + ", ".join(yaml_string(t) for t in event.get("hashtags") or []) + "]")
    lines.append(f"description: {yaml_string(description(recap))}")
    lines.append(f"lang: {yaml_string(event['language'])}")
    lines.append("---")
    return "\n".join(lines)


def _date(recap: dict[str, Any]) -> str:
    """The event's start in its own time zone with the offset (2026-11-19T09:30:00+01:00)."""
    event = recap["event"]
    start = event.get("starts_at") or next(
        (item["post"]["created_at"] for section in recap["sections"]
         for item in section["items"]), "")
    if not start:
        return ""
    return local_moment(start, event["timezone"]).isoformat(timespec="seconds")


@renderer("markdown", ".md", "text/markdown")
def render_markdown(recap: dict[str, Any]) -> str:
    """Markdown for Hugo and Jekyll: front matter, the editor's words, posts as quotes."""
    event = recap["event"]
    lang, tz = event["language"], event["timezone"]
    w = labels(lang)
    out = [front_matter(recap), ""]
    out.extend(escape_md(p) + "\n" for p in paragraphs(recap.get("intro") or ""))
    for section in recap["sections"]:
        out.append(f"## {escape_md(section['title'])}\n")
        for session in section["sessions"]:
            out.append("  \n".join(f"*{escape_md(line)}*"
                                   for line in session_lines(session, tz, lang)) + "\n")
        out.extend(escape_md(p) + "\n" for p in paragraphs(section.get("intro") or ""))
        for item in section["items"]:
            out.append(_post(item["post"], tz, lang) + "\n")
            out.extend(escape_md(p) + "\n" for p in paragraphs(item.get("words") or ""))
    if not recap["sections"]:
        out.append(escape_md(w["no_posts"]) + "\n")
    out.extend(escape_md(p) + "\n" for p in paragraphs(recap.get("conclusion") or ""))
    out.append(f"## {escape_md(w['figures'])}\n")
    for block in figure_blocks(recap):
        if block["kind"] == "heading":
            out.append(f"### {escape_md(block['text'])}\n")
        elif block["kind"] in ("list", "olist"):
            out.append("\n".join(
                (f"{n}. " if block["kind"] == "olist" else "- ") + _parts(parts)
                for n, parts in enumerate(block["items"], 1)) + "\n")
    return "\n".join(out)
