"""Built-in recap formats: a standalone HTML page, a CMS fragment, JSON and CSV open data."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from ..views.format import local_datetime
from . import renderer

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"

_env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(default=True),
                   trim_blocks=True, lstrip_blocks=True)
_env.filters["local_datetime"] = local_datetime

# Open-data columns: the post, its attribution, and the editors' decision.
FIELDS = ("id", "platform", "remote_id", "url", "author_handle", "author_name", "created_at",
          "text", "language", "hashtags", "media_urls", "media_alts", "state", "featured",
          "pinned", "session", "decided_by", "decided_at", "likes", "reposts", "replies")


@renderer("html", ".html", "text/html")
def render_html(recap: dict[str, Any]) -> str:
    """A standalone page: styles inside, no script, nothing loaded from third parties."""
    return _env.get_template("recap/page.html").render(recap=recap, **recap)


@renderer("fragment", ".fragment.html", "text/html")
def render_fragment(recap: dict[str, Any]) -> str:
    """The body of the recap, to paste into any CMS."""
    return _env.get_template("recap/fragment.html").render(recap=recap, **recap)


def _rows(recap: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for section in recap["sections"]:
        session = section["session"]["title"] if section["session"] else ""
        for post in section["posts"]:
            metrics = post["metrics"] or {}
            rows.append({
                "id": post["id"], "platform": post["platform"], "remote_id": post["remote_id"],
                "url": post["url"], "author_handle": post["author"]["handle"],
                "author_name": post["author"]["name"], "created_at": post["created_at"],
                "text": post["text"], "language": post["language"],
                "hashtags": post["hashtags"], "media_urls": [m["url"] for m in post["media"]],
                "media_alts": [m["alt"] for m in post["media"]], "state": post["state"],
                "featured": post["featured"], "pinned": post["pinned"], "session": session,
                "decided_by": post["decided_by"], "decided_at": post["decided_at"],
                "likes": metrics.get("likes", 0), "reposts": metrics.get("reposts", 0),
                "replies": metrics.get("replies", 0),
            })
    return rows


@renderer("json", ".json", "application/json")
def render_json(recap: dict[str, Any]) -> str:
    """Open data: the event, its figures and every post with attribution."""
    event = recap["event"]
    return json.dumps({
        "event": {k: event[k] for k in ("slug", "name", "hashtags", "starts_at", "ends_at",
                                        "timezone", "language", "url")},
        "figures": recap["figures"], "posts": _rows(recap)}, ensure_ascii=False, indent=1)


@renderer("csv", ".csv", "text/csv")
def render_csv(recap: dict[str, Any]) -> str:
    """Open data as CSV, one post a row; lists joined with ' | '."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=FIELDS)
    writer.writeheader()
    for row in _rows(recap):
        writer.writerow({k: " | ".join(map(str, v)) if isinstance(v, list) else _cell(v)
                         for k, v in row.items()})
    return out.getvalue()


def _cell(value: Any) -> Any:
    # Spreadsheets run cells that start with these as formulas: keep them as text.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value
