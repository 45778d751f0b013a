"""JSON API under /api/: the same data, rules and authentication as the console."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, jsonify, request
from flask_babel import force_locale
from flask_babel import gettext as _

from ..curation import ActionError
from ..store import DecisionError, NotFound
from . import store
from .auth import current_user
from .console import reader_reasons
from .public import event_or_404

bp = Blueprint("api", __name__, url_prefix="/api")


@bp.before_request
def require_editor():
    if current_user() is None:
        return jsonify(error=_("Log in first: this needs an account.")), 401
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


@bp.post("/events")
def create_event():
    """Create an event from the settings form's fields (lists where the form has lines,
    sessions as objects); 400 with every problem by field, as the page shows them."""
    from ..eventform import form_from_json, read_event_form
    from .setup import create_checked_event

    if (refused := _admin_only()) is not None:
        return refused
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        return jsonify(error=_("Send the event as a JSON object.")), 400
    values, rows = form_from_json(data)
    result = read_event_form(values, creating=True, rows=rows)
    created = create_checked_event(result)
    if created is None:
        return jsonify(error=next(iter(result.errors.values())), errors=result.errors), 400
    return jsonify(created), 201


@bp.put("/events/<slug>")
def update_event(slug: str):
    """Change an event: fields left out keep their value, "sessions" left out keeps the
    programme; a session left out that has posts attached is refused (409) unless
    "detach": true."""
    from ..eventform import form_from_json, read_event_form
    from ..store import ProgrammeConflict

    event = event_or_404(slug)
    if (refused := _admin_only()) is not None:
        return refused
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        return jsonify(error=_("Send the event as a JSON object.")), 400
    values, rows = form_from_json(data, event)
    result = read_event_form(values, creating=False, rows=rows)
    if result.errors:
        return jsonify(error=next(iter(result.errors.values())), errors=result.errors), 400
    changes = dict(result.event)
    if "sessions" not in data:
        changes.pop("sessions")
    try:
        updated, detached = store().update_event(slug, changes, current_user()["name"],
                                                 detach=data.get("detach") is True)
    except ProgrammeConflict as conflict:
        return jsonify(error=_("Sessions with posts attached would be removed: send them "
                               "again, or send \"detach\": true to detach their posts."),
                       sessions=conflict.sessions), 409
    return jsonify({**updated, "detached": detached})


@bp.get("/events/<slug>/posts")
def posts(slug: str):
    """Posts newest first (by id), filtered by any of state, platform, session (an id or
    "none"), account (a handle) and q (words); the next page: before=<the last id>."""
    event = event_or_404(slug)
    args = request.args
    state = args.get("state") or None
    if state not in (None, "pending", "approved", "rejected"):
        return jsonify(error=_("state must be pending, approved or rejected.")), 400
    session = args.get("session") or None
    if session not in (None, "none") and not session.isdigit():
        return jsonify(error=_("session must be the id of a session, or none.")), 400
    try:
        limit = min(max(int(args.get("limit", 100)), 1), 500)
        before = int(args["before"]) if args.get("before") else None
    except ValueError:
        return jsonify(error=_("limit and before must be whole numbers.")), 400
    rows = store().find_posts(event["id"], state=state, platform=args.get("platform") or None,
                              session=session, account=args.get("account") or None,
                              text=args.get("q") or None, before=before, limit=limit)
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


SOURCE_FIELDS = ("id", "platform", "name", "enabled", "health", "last_error", "last_ok_at",
                 "next_try_at", "config")


def source_summary(source: dict, event: dict, posts: int | None = None) -> dict:
    """A source as the console shows it: health in plain words, never a credential."""
    summary = {k: source[k] for k in SOURCE_FIELDS}
    if posts is not None:
        summary["posts"] = posts
    summary["config"] = {k: v for k, v in source["config"].items() if k != "file"}
    if source["platform"] == "x":
        from ..sources.x import estimated_reads_per_hour

        per_minute = store().posts_per_minute(source["id"])
        summary["cost"] = estimated_reads_per_hour(source["config"], per_minute, event=event)
    return summary


@bp.get("/events/<slug>/sources")
def sources(slug: str):
    event = event_or_404(slug)
    counts = store().posts_per_source(event["id"])
    return jsonify([source_summary(s, event, counts.get(s["id"], 0))
                    for s in store().list_sources(slug)])


def _admin_only():
    if current_user()["role"] != "admin":
        return jsonify(error=_("Only the coverage lead (admin role) can change this setting.")
                       ), 403
    return None


@bp.post("/events/<slug>/sources")
def add_source(slug: str):
    from ..sources import REGISTRY, source_config

    event_or_404(slug)
    if (refused := _admin_only()) is not None:
        return refused
    data = request.get_json(silent=True) or {}
    platform = str(data.get("platform", ""))
    if platform not in REGISTRY or platform == "replay":
        return jsonify(error=_("Choose a platform: mastodon, bluesky, x or rss.")), 400
    try:
        config = source_config(
            platform, instance=data.get("instance") or None,
            hashtags=_words(data.get("hashtags")), accounts=_words(data.get("accounts")),
            query=data.get("query") or None,
            interval=float(data["interval"]) if data.get("interval") else None,
            cap_per_hour=int(data["cap_per_hour"]) if data.get("cap_per_hour") else None)
    except (TypeError, ValueError) as exc:
        return jsonify(error=str(exc)), 400
    source = store().add_source(slug, platform, config, name=str(data.get("name") or "")[:80])
    return jsonify(source_summary(source, event_or_404(slug))), 201


def _words(value) -> list[str]:
    """A list from a JSON list or a string of words separated by spaces or commas."""
    if isinstance(value, list):
        return [str(v).strip() for v in value if str(v).strip()]
    if isinstance(value, str):
        return [w for w in value.replace(",", " ").split() if w]
    return []


def _source_of(slug: str, source_id: int) -> dict:
    event = event_or_404(slug)
    try:
        source = store().get_source(source_id)
    except NotFound:
        source = None
    if source is None or source["event_id"] != event["id"]:
        abort(404)
    return source


@bp.post("/events/<slug>/sources/<int:source_id>/test")
def test_connection(slug: str, source_id: int):
    from ..collector import try_source

    source = _source_of(slug, source_id)
    ok, message = try_source(source, event_or_404(slug), current_app.config)
    return jsonify(ok=ok, message=message)


@bp.post("/events/<slug>/sources/<int:source_id>/enabled")
def enable_source(slug: str, source_id: int):
    if (refused := _admin_only()) is not None:
        return refused
    source = _source_of(slug, source_id)
    enabled = bool((request.get_json(silent=True) or {}).get("enabled"))
    store().set_source_enabled(source["id"], enabled)
    return jsonify(ok=True, enabled=enabled)


@bp.get("/events/<slug>/rules")
def rules(slug: str):
    event_or_404(slug)
    return jsonify(_rules_for_reader(store().get_rules(slug)))


def _rules_for_reader(rules: dict) -> dict:
    """Built-in reject reasons whose label nobody changed, in the reader's language."""
    return {**rules, "reasons": reader_reasons(rules["reasons"])}


@bp.put("/events/<slug>/rules")
def save_rules(slug: str):
    from ..curation import RulesError

    event_or_404(slug)
    if (refused := _admin_only()) is not None:
        return refused
    try:
        saved = store().set_rules(slug, request.get_json(silent=True), current_user()["name"])
    except RulesError as exc:
        return jsonify(error=str(exc)), 400
    return jsonify(_rules_for_reader(saved))


@bp.get("/events/<slug>/audit.csv")
def audit_csv_download(slug: str):
    from flask import Response

    from ..audit import audit_csv

    event_or_404(slug)
    return Response(audit_csv(store().audit_rows(slug)), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{slug}.audit.csv"'})


@bp.get("/events/<slug>/figures")
def figures(slug: str):
    """The figures of the day as the console's figures page shows them (README: "Figures")."""
    from ..recap import build_figures
    from .figures import event_now

    event = event_or_404(slug)
    return jsonify(build_figures(store(), event["slug"], now=event_now(event)))


@bp.get("/events/<slug>/audit")
def audit(slug: str):
    event_or_404(slug)
    return jsonify(store().audit_log(slug, limit=min(int(request.args.get("limit", 200)), 1000)))


def _recap_outline(recap: dict) -> dict:
    """What the builder needs: sections and, for each post, enough to recognise it."""
    return {
        "title": recap["title"], "intro": recap["intro"], "conclusion": recap["conclusion"],
        "edits": recap["edits"],
        "sections": [{
            "key": s["key"], "title": s["title"], "intro": s["intro"],
            "session": s["session"]["title"] if s["session"] else None,
            "merged": [m["key"] for m in s["sessions"][1:]],
            "posts": [{"id": i["post"]["id"], "author": i["post"]["author"]["name"]
                       or i["post"]["author"]["handle"], "platform": i["post"]["platform"],
                       "created_at": i["post"]["created_at"], "featured": i["post"]["featured"],
                       "text": i["post"]["text"][:200], "words": i["words"]}
                      for i in s["items"]]} for s in recap["sections"]],
    }


@bp.get("/events/<slug>/recap")
def recap_outline(slug: str):
    from ..recap import build_recap

    event_or_404(slug)
    return jsonify(_recap_outline(build_recap(store(), slug)))


@bp.put("/events/<slug>/recap")
def save_recap(slug: str):
    from ..recap import RecapError, build_recap, check_edits

    event_or_404(slug)
    try:
        edits = check_edits(request.get_json(silent=True))
    except RecapError as exc:
        return jsonify(error=str(exc)), 400
    store().save_recap_edits(slug, edits, current_user()["name"])
    return jsonify(_recap_outline(build_recap(store(), slug)))


@bp.post("/events/<slug>/recap/preview")
def preview_recap(slug: str):
    """The fragment exactly as exported, for unsaved edits: the builder's live preview."""
    from ..recap import RecapError, build_recap
    from ..recap.renderers import render_preview

    event_or_404(slug)
    try:
        recap = build_recap(store(), slug, edits=request.get_json(silent=True))
    except RecapError as exc:
        return jsonify(error=str(exc)), 400
    with force_locale(recap["event"]["language"]):  # the preview is the recap: its language
        html = render_preview(recap)
    return jsonify(html=html, outline=_recap_outline(recap))


@bp.post("/events/<slug>/posts/by-url")
def add_by_url(slug: str):
    from ..collector import add_post_by_url

    event_or_404(slug)
    url = str((request.get_json(silent=True) or {}).get("url") or "").strip()
    if not url:
        return jsonify(error=_("Paste the address of a post.")), 400
    try:
        post_id, new = add_post_by_url(store(), slug, url, current_app.config,
                                       current_user()["name"])
    except ValueError as exc:
        return jsonify(error=str(exc)), 400
    current_app.extensions["piazza_live"].nudge()
    return jsonify(ok=True, id=post_id, new=new), 201 if new else 200
