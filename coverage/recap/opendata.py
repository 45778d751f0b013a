"""The recap as open data: JSON and CSV, every post with its attribution and the decision.

Only approved posts that were not deleted are listed; rejected ones appear as counts by reason
(`decisions`), never with their words.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from . import renderer
from .wording import reason_label

# Open-data columns: the post, its attribution, the editors' decision and words.
FIELDS = ("id", "platform", "remote_id", "url", "author_handle", "author_name", "author_url",
          "created_at", "text", "language", "hashtags", "media_urls", "media_alts", "state",
          "featured", "pinned", "session", "decided_by", "decided_at", "words", "likes",
          "reposts", "replies")


def _rows(recap: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for section in recap["sections"]:
        session = section["title"]
        for item in section["items"]:
            post = item["post"]
            metrics = post["metrics"] or {}
            rows.append({
                "id": post["id"], "platform": post["platform"], "remote_id": post["remote_id"],
                "url": post["url"], "author_handle": post["author"]["handle"],
                "author_name": post["author"]["name"], "author_url": post["author"]["url"] or "",
                "created_at": post["created_at"], "text": post["text"],
                "language": post["language"], "hashtags": post["hashtags"],
                "media_urls": [m["url"] for m in post["media"]],
                "media_alts": [m["alt"] for m in post["media"]], "state": post["state"],
                "featured": post["featured"], "pinned": post["pinned"], "session": session,
                "decided_by": post["decided_by"], "decided_at": post["decided_at"],
                "words": item.get("words", ""),
                "likes": metrics.get("likes", 0), "reposts": metrics.get("reposts", 0),
                "replies": metrics.get("replies", 0),
            })
    return rows


def decisions(recap: dict[str, Any]) -> list[dict[str, Any]]:
    """How many posts the editors approved, rejected (by reason) and left pending: counts only,
    never the words of a post that was not approved."""
    moderation = recap["figures"].get("moderation") or {}
    lang = recap["event"]["language"]
    out: list[dict[str, Any]] = [{"decision": "approved", "reason": None, "label": None,
                                  "posts": moderation.get("approved", 0)}]
    for code, n in (moderation.get("rejected_by_reason") or {}).items():
        out.append({"decision": "rejected", "reason": code, "label": reason_label(code, lang),
                    "posts": n})
    out.append({"decision": "pending", "reason": None, "label": None,
                "posts": moderation.get("pending", 0)})
    return out


@renderer("json", ".json", "application/json")
def render_json(recap: dict[str, Any]) -> str:
    """Open data: the event, its figures, the decisions and every post with attribution."""
    event = recap["event"]
    head = {"event": {k: event.get(k) for k in ("slug", "name", "hashtags", "starts_at",
                                                 "ends_at", "timezone", "language", "url")},
            "title": recap["title"], "figures": recap["figures"], "decisions": decisions(recap)}
    # One post a line: readable and diffable, and json's C encoder (an indent would switch to
    # the pure-Python one, four times slower on 10,000 posts).
    posts = ",\n".join(json.dumps(row, ensure_ascii=False) for row in _rows(recap))
    body = json.dumps(head, ensure_ascii=False, indent=1)
    return f'{body[:-2]},\n "posts": [\n{posts}\n ]\n}}\n' if posts else \
        f'{body[:-2]},\n "posts": []\n}}\n'


@renderer("csv", ".csv", "text/csv")
def render_csv(recap: dict[str, Any]) -> str:
    """Open data as CSV, one post a row; lists joined with ' | '."""
    out = io.StringIO()
    writer = csv.writer(out)  # (DictWriter re-checks every row's keys: a third of the time)
    writer.writerow(FIELDS)
    writer.writerows([" | ".join(map(str, v)) if isinstance(v, list) else _cell(v)
                      for v in map(row.__getitem__, FIELDS)] for row in _rows(recap))
    return out.getvalue()


def _cell(value: Any) -> Any:
    # Spreadsheets run cells that start with these as formulas: keep them as text.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value
