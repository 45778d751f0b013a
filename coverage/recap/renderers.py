"""Built-in recap formats: the standalone HTML page and its CMS fragment.

Markdown, WordPress, the open data (JSON, CSV) and the ZIP bundle live in their own modules and
register the same way (imported at the bottom of this one). Every format reads the same recap.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape

from ..views.format import local_day
from . import renderer
from .chart import time_chart
from .embeds import lang_attr, native_embed
from .wording import (
    catalog,
    description,
    figure_blocks,
    labels,
    language,
    paragraphs,
    platform_name,
    reply_line,
    safe_href,
    series_words,
    session_lines,
    when,
)

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"



def _paragraphs(text: str) -> Markup:
    """The editor's plain words as escaped paragraphs (blank line: new paragraph)."""
    return Markup("".join(f"<p>{escape(b)}</p>".replace("\n", "<br>") for b in paragraphs(text)))


def _chart(series: dict[str, Any], chart_id: str, tz: str, lang: str) -> Markup:
    words = series_words(series, tz, lang)
    return Markup(time_chart(series, chart_id=chart_id, title=words["title"],
                             desc=words["desc"], tz=tz, tick_text=words["tick"],
                             bar_text=words["bar"]))


def _sentence(parts: list[tuple], anchors: Any = ()) -> Markup:
    """Sentence parts from `wording.figure_blocks` as inline HTML; a link whose anchor is one
    of `anchors` (posts on this page) points there instead of to the platform."""
    out = []
    for part in parts:
        if part[0] == "link" and len(part) > 3 and part[3] in anchors:
            out.append(Markup('<a href="#') + escape(part[3]) + Markup('">') + escape(part[1])
                       + Markup("</a>"))
            continue
        if part[0] == "strong":
            out.append(Markup("<strong>") + escape(part[1]) + Markup("</strong>"))
        elif part[0] == "link" and safe_href(part[2]):
            out.append(Markup('<a href="') + escape(safe_href(part[2]))
                       + Markup('" rel="nofollow noopener noreferrer">') + escape(part[1])
                       + Markup("</a>"))
        else:
            out.append(escape(part[1]))
    return Markup("").join(out)


@lru_cache(maxsize=4)
def environment(lang: str) -> Environment:
    """The recap templates' own Jinja environment, one per language: `_()` and `ngettext()`
    speak the event's language whoever renders (a request in another language, `flask export`,
    a benchmark), and one recap never borrows another's words when two render at once."""
    env = Environment(loader=FileSystemLoader(TEMPLATES),
                      autoescape=select_autoescape(default=True), trim_blocks=True,
                      lstrip_blocks=True, extensions=["jinja2.ext.do", "jinja2.ext.i18n"])
    env.install_gettext_translations(catalog(lang), newstyle=True)
    env.filters.update(
        when=when, local_day=local_day, paragraphs=_paragraphs, chart=_chart,
        sentence=_sentence, session_lines=session_lines, reply_line=reply_line,
        platform_name=platform_name, lang_attr=lang_attr, safe_href=safe_href,
        series_words=series_words,
    )
    return env


def _template(recap: dict[str, Any], name: str) -> Any:
    return environment(language(recap["event"]["language"])).get_template(name)


def page_context(recap: dict[str, Any], local: dict[str, dict[str, Any]] | None = None
                 ) -> dict[str, Any]:
    """What the templates need beyond the recap: language, the labels a post repeats (`w`,
    looked up once per recap rather than once per post with `_()`), native embeds, and (for
    the ZIP bundle) `local`, the downloaded copies of images by their original URL."""
    event = recap["event"]
    lang, tz = event["language"], event["timezone"]
    natives: dict[int, dict[str, Any]] = {}
    if recap.get("embeds"):
        for section in recap["sections"]:
            for item in section["items"]:
                native = native_embed(item["post"], tz, lang)
                if native:
                    natives[item["post"]["id"]] = native
    anchors = {f"post-{item['post']['id']}" for section in recap["sections"]
               for item in section["items"]}
    return {"lang": lang, "tz": tz, "w": labels(lang), "local": local or {}, "natives": natives,
            "anchors": anchors,
            "figure_blocks": figure_blocks(recap), "description": description(recap),
            "section_prefix": "section-" if lang == "en" else "sezione-"}


def render_page(recap: dict[str, Any], local: dict[str, dict[str, Any]] | None = None) -> str:
    """The standalone page; with `local`, images show from the bundle's own copies."""
    return _template(recap, "recap/page.html").render(
        recap=recap, ctx=page_context(recap, local), **recap)


@renderer("html", ".html", "text/html")
def render_html(recap: dict[str, Any]) -> str:
    """A standalone page: styles inside, nothing loaded from third parties until a reader
    asks for a platform's own embed."""
    return render_page(recap)


@renderer("fragment", ".fragment.html", "text/html")
def render_fragment(recap: dict[str, Any]) -> str:
    """The body of the recap, to paste into any CMS."""
    return _template(recap, "recap/fragment.html").render(
        recap=recap, ctx=page_context(recap), **recap)


def render_preview(recap: dict[str, Any]) -> str:
    """The fragment for the builder's live preview inside Piazza: the same markup without the
    embeds' inline loader (the app's CSP allows no inline script), i.e. the page as a reader
    whose browser runs no script sees it."""
    return _template(recap, "recap/fragment.html").render(
        recap=recap, ctx=page_context(recap), preview=True, **recap)


# The other formats register themselves too, in the order `export --help` lists them.
from . import markdown, wordpress, opendata, bundle  # noqa: E402,F401,I001
