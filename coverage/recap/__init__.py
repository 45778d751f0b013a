"""The recap: the story of the day built from the approved posts, and its renderers.

`build_recap` gathers plain data (event, sections per session, figures); each renderer turns
it into one format. Renderers register like sources do: a new format is one new function.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..store import Store


@dataclass(frozen=True)
class Renderer:
    name: str
    suffix: str  # file name ending after the slug
    mimetype: str
    render: Callable[[dict[str, Any]], str]


RENDERERS: dict[str, Renderer] = {}


def renderer(name: str, suffix: str, mimetype: str):
    """Register a function as the renderer of a format."""
    def decorate(func: Callable[[dict[str, Any]], str]):
        RENDERERS[name] = Renderer(name, suffix, mimetype, func)
        return func
    return decorate


def build_recap(store: Store, slug: str) -> dict[str, Any]:
    """The recap's data: approved, not deleted posts in sections by session, and figures."""
    event = store.get_event(slug)
    posts = []
    before = None
    while True:  # page through the event rather than loading it in one query
        page = store.posts_of_event(event["id"], state="approved", limit=1000, before=before,
                                    include_deleted=False)
        posts.extend(page)
        if len(page) < 1000:
            break
        before = page[-1]["curation_id"]
    posts.sort(key=lambda p: p["created_at"])
    sessions = event["sessions"]
    sections: list[dict[str, Any]] = [{"session": s, "posts": []} for s in sessions]
    by_id = {s["id"]: sec for s, sec in zip(sessions, sections, strict=True)}
    other: dict[str, Any] = {"session": None, "posts": []}
    for post in posts:
        section = by_id.get(post["session_id"]) or _section_by_time(sections, post["created_at"])
        (section or other)["posts"].append(post)
    for section in sections:
        # Featured posts open their section; the rest keep the order of the day.
        section["posts"].sort(key=lambda p: (not p["featured"], p["created_at"]))
    if other["posts"]:
        sections.append(other)
    return {"event": event, "sections": [s for s in sections if s["posts"]],
            "figures": figures(posts, store.counts(event["id"]))}


def _section_by_time(sections: list[dict[str, Any]], created_at: str) -> dict[str, Any] | None:
    for section in sections:
        session = section["session"]
        if session["starts_at"] <= created_at < session["ends_at"]:
            return section
    return None


def figures(posts: list[dict[str, Any]], counts: dict[str, int]) -> dict[str, Any]:
    """The day in numbers, from the posts shown in the recap."""
    minutes = Counter(p["created_at"][:16] for p in posts)
    busiest = minutes.most_common(1)[0] if minutes else None
    tags = Counter(t.lower() for p in posts for t in p["hashtags"])
    return {
        "posts": len(posts),
        "accounts": len({(p["platform"], p["author"]["handle"]) for p in posts}),
        "platforms": dict(Counter(p["platform"] for p in posts).most_common()),
        "busiest_minute": {"at": busiest[0] + ":00Z", "posts": busiest[1]} if busiest else None,
        "top_hashtags": tags.most_common(5),
        "moderation": counts,
    }


def render_recap(recap: dict[str, Any], fmt: str) -> str:
    """Render recap data in one registered format."""
    try:
        return RENDERERS[fmt].render(recap)
    except KeyError:
        raise ValueError(f"Formato {fmt!r} sconosciuto: usa uno di {', '.join(RENDERERS)}.") \
            from None


def export_recap(store: Store, slug: str, fmt: str, out_dir: str | Path) -> list[Path]:
    """Write the files of one format into `out_dir`; returns their paths."""
    recap = build_recap(store, slug)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    names = [fmt, "fragment"] if fmt == "html" else [fmt]
    written = []
    for name in names:
        path = out / f"{slug}{RENDERERS[name].suffix}"
        path.write_text(render_recap(recap, name), encoding="utf-8")
        written.append(path)
    return written


from . import renderers  # noqa: E402,F401  built-in renderers register themselves
