"""The recap: the story of the day built from the approved posts, and its renderers.

`build_recap` gathers plain data (event, sections per session, figures); each renderer turns
it into one format. Renderers register like sources do: a new format is one new function.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from flask_babel import gettext as _

from ..figures import ENGAGED, figures, public_figures
from ..store import Store
from .wording import labels


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


ORDERS = ("featured", "time")
OTHER = "day"  # the section for posts outside every session


class RecapError(ValueError):
    """Recap edits that cannot be saved; the message says why."""


def check_edits(data: Any) -> dict[str, Any]:
    """Validate the recap builder's edits; returns a clean copy or raises RecapError."""
    if not isinstance(data, dict):
        raise RecapError(_("The recap's edits must be a JSON object."))
    edits: dict[str, Any] = {}
    for key, limit in (("title", 200), ("intro", 20_000), ("conclusion", 20_000)):
        value = data.get(key, "")
        if not isinstance(value, str):
            raise RecapError(_("«%(key)s» must be a text.", key=key))
        edits[key] = value.strip()[:limit]
    order = data.get("order", "featured")
    if order not in ORDERS:
        raise RecapError(_("The order of posts is «featured» (featured first) or «time»."))
    edits["order"] = order
    edits["embeds"] = bool(data.get("embeds", True))
    sections = data.get("sections", [])
    if not isinstance(sections, list):
        raise RecapError(_("«sections» must be a list."))
    edits["sections"] = []
    for section in sections:
        if not isinstance(section, dict) or not isinstance(section.get("key"), str):
            raise RecapError(_("Every section has a key («key»)."))
        merge = section.get("merge", [])
        if not isinstance(merge, list) or not all(isinstance(m, str) for m in merge):
            raise RecapError(_("«merge» is a list of section keys."))
        edits["sections"].append({
            "key": section["key"][:40], "title": str(section.get("title", ""))[:200],
            "intro": str(section.get("intro", ""))[:20_000], "merge": merge[:50]})
    posts = data.get("posts", {})
    if not isinstance(posts, dict):
        raise RecapError(_("«posts» maps a post's id to its edits."))
    edits["posts"] = {}
    for post_id, item in posts.items():
        if not str(post_id).isdigit() or not isinstance(item, dict):
            raise RecapError(_("Edits not valid for post %(id)s.", id=repr(post_id)))
        position = item.get("position")
        if position is not None and not isinstance(position, int):
            raise RecapError(_("«position» is a whole number."))
        edits["posts"][str(post_id)] = {
            "section": str(item.get("section", ""))[:40], "position": position,
            "removed": bool(item.get("removed", False)),
            "words": str(item.get("words", ""))[:20_000]}
    return edits


def build_recap(store: Store, slug: str, edits: dict[str, Any] | None = None) -> dict[str, Any]:
    """The recap's data: approved, not deleted posts in sections, the editor's words and edits,
    and the figures of the day. `edits` overrides the saved ones (for a live preview)."""
    event = store.get_event(slug)
    edits = check_edits(edits if edits is not None else store.recap_edits(event["id"]))
    posts = _approved_posts(store, event["id"])
    sessions = {s["key"]: s for s in event["sessions"]}
    by_session_id = {s["id"]: s["key"] for s in event["sessions"]}

    # Default sections: one per session in programme order, then the rest of the day.
    order = [*sessions, OTHER]
    titles = {key: s["title"] for key, s in sessions.items()}
    titles[OTHER] = labels(event["language"])["day"]
    intros: dict[str, str] = {}
    merged_into: dict[str, str] = {}
    listed = []
    for section in edits["sections"]:
        key = section["key"]
        if key not in order:
            continue
        listed.append(key)
        titles[key] = section["title"] or titles[key]
        intros[key] = section["intro"]
        for other in section["merge"]:
            if other in order and other != key:
                merged_into[other] = key
    order = [k for k in listed + [k for k in order if k not in listed] if k not in merged_into]

    items: dict[str, list[tuple[tuple, dict[str, Any]]]] = {key: [] for key in order}
    for post in posts:
        edit = edits["posts"].get(str(post["id"]), {})
        if edit.get("removed"):
            continue
        key = (edit.get("section") if edit.get("section") in titles else None) \
            or by_session_id.get(post["session_id"]) \
            or (_session_at(event["sessions"], post["created_at"]) or {}).get("key") or OTHER
        key = merged_into.get(key, key)
        position = edit.get("position")
        rank = (position if position is not None else 10**9,
                (not post["featured"]) if edits["order"] == "featured" else False,
                post["created_at"])
        items[key].append((rank, {"kind": "post", "post": post, "words": edit.get("words", "")}))

    sections = []
    for key in order:
        if not items[key]:
            continue
        session = sessions.get(key)
        merged = [sessions[k] for k, into in merged_into.items() if into == key and k in sessions]
        sections.append({"key": key, "title": titles[key], "session": session,
                         "sessions": [s for s in [session, *merged] if s],
                         "intro": intros.get(key, ""),
                         "items": [item for _, item in sorted(items[key], key=lambda i: i[0])]})
    return {
        "event": event, "language": event["language"],
        "title": edits["title"] or event["name"],
        "intro": edits["intro"] or event.get("description", ""),
        "conclusion": edits["conclusion"], "embeds": edits["embeds"], "edits": edits,
        "sections": sections,
        "figures": public_figures(day_figures(store, event, removed=_removed(edits))),
    }


def build_figures(store: Store, slug: str, now: datetime | None = None) -> dict[str, Any]:
    """The console's figures of the day: the recap's, plus the editors' and (with `now`, the
    event's time) the last hour's. Read from tables kept by every write, not from the posts."""
    event = store.get_event(slug)
    edits = check_edits(store.recap_edits(event["id"]))
    return day_figures(store, event, now=now, removed=_removed(edits))


def day_figures(store: Store, event: dict[str, Any], now: datetime | None = None,
                removed: Iterable[int] = ()) -> dict[str, Any]:
    """`coverage.figures.figures` over the event's rows; `removed`: posts the lead took out
    of the recap (never quoted among the most engaged)."""
    removed = set(removed)
    data = store.figure_data(event["id"], engaged=ENGAGED + len(removed))
    return figures(data, event, now=now, removed=removed)


def _removed(edits: dict[str, Any]) -> set[int]:
    return {int(i) for i, e in edits["posts"].items() if e.get("removed")}


def _approved_posts(store: Store, event_id: int) -> list[dict[str, Any]]:
    posts, before = [], None
    while True:  # page through the event rather than loading it in one query
        page = store.posts_of_event(event_id, state="approved", limit=1000, before=before,
                                    include_deleted=False)
        posts.extend(page)
        if len(page) < 1000:
            return posts
        before = page[-1]["id"]


def _session_at(sessions: list[dict[str, Any]], created_at: str) -> dict[str, Any] | None:
    """The session of the programme running when a post was written."""
    for session in sessions:
        if session["starts_at"] <= created_at < session["ends_at"]:
            return session
    return None


def render_recap(recap: dict[str, Any], fmt: str) -> str:
    """Render recap data in one registered format."""
    try:
        return RENDERERS[fmt].render(recap)
    except KeyError:
        raise ValueError(_("Unknown format %(format)s: use one of %(choices)s.",
                           format=repr(fmt), choices=", ".join(RENDERERS))) from None


def export_recap(store: Store, slug: str, fmt: str, out_dir: str | Path,
                 client: Any = None) -> list[Path]:
    """Write the files of one format into `out_dir`; returns their paths.

    html writes the page and its CMS fragment, wordpress the block markup and the WXR file;
    zip fetches the images with `client` (an `httpx.Client`; a guarded one by default).
    """
    recap = build_recap(store, slug)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    names = {"html": ["html", "fragment"], "wordpress": ["wordpress", "wxr"]}.get(fmt, [fmt])
    written = []
    for name in names:
        path = out / f"{slug}{RENDERERS[name].suffix}"
        if name == "zip":
            from .bundle import render_bundle
            body: str | bytes = render_bundle(recap, client=client)
        else:
            body = render_recap(recap, name)
        if isinstance(body, bytes):
            path.write_bytes(body)
        else:
            path.write_text(body, encoding="utf-8")
        written.append(path)
    return written


from . import renderers  # noqa: E402,F401  built-in renderers register themselves
