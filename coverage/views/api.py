"""JSON API under /api/: the same data, rules and authentication as the console."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request

from ..curation import ActionError
from ..store import DecisionError, NotFound
from . import store
from .auth import current_user
from .public import event_or_404

bp = Blueprint("api", __name__, url_prefix="/api")


@bp.before_request
def require_editor():
    if current_user() is None:
        return jsonify(error="Accesso richiesto: effettua il login."), 401
    return None


def event_summary(event: dict) -> dict:
    """The public shape of an event in lists (`events list --json` has the same keys)."""
    return {"slug": event["slug"], "name": event["name"], "hashtags": event["hashtags"]}


def post_summary(post: dict) -> dict:
    """The stable JSON shape of a post (`posts list --json` has the same keys)."""
    return {
        "id": post["id"], "platform": post["platform"], "remote_id": post["remote_id"],
        "state": post["state"], "featured": post["featured"], "pinned": post["pinned"],
        "deleted": post["deleted"], "author": post["author"], "url": post["url"],
        "created_at": post["created_at"], "text": post["text"],
        "media": [{"type": m["type"], "url": m["url"], "alt": m["alt"]} for m in post["media"]],
        "reason": post["reason"], "session_id": post["session_id"], "note": post["note"],
    }


@bp.get("/events")
def events():
    return jsonify([event_summary(e) for e in store().list_events()])


@bp.get("/events/<slug>")
def event(slug: str):
    return jsonify(event_or_404(slug))


@bp.get("/events/<slug>/posts")
def posts(slug: str):
    event_or_404(slug)
    state = request.args.get("state")
    if state not in (None, "pending", "approved", "rejected"):
        return jsonify(error="state deve essere pending, approved o rejected."), 400
    try:
        limit = min(max(int(request.args.get("limit", 100)), 1), 500)
        before = int(request.args["before"]) if request.args.get("before") else None
    except ValueError:
        return jsonify(error="limit e before devono essere numeri interi."), 400
    rows = store().list_posts(slug, state=state, limit=limit, before=before)
    return jsonify([post_summary(p) for p in rows])


@bp.post("/events/<slug>/posts/<int:post_id>/decisions")
def decide(slug: str, post_id: int):
    data = request.get_json(silent=True) or {}
    try:
        result = store().decide(slug, post_id, str(data.get("action", "")),
                                current_user()["name"], reason=str(data.get("reason") or ""),
                                note=data.get("note"))
    except NotFound as exc:
        return jsonify(error=str(exc)), 404
    except (ActionError, DecisionError) as exc:
        return jsonify(error=str(exc)), 400
    current_app.extensions["piazza_live"].nudge()
    return jsonify(ok=True, seq=result.seq, changed=result.changed)


@bp.get("/events/<slug>/sources")
def sources(slug: str):
    event_or_404(slug)
    keep = ("id", "platform", "name", "enabled", "health", "last_error", "last_ok_at",
            "next_try_at")
    return jsonify([{k: s[k] for k in keep} for s in store().list_sources(slug)])
