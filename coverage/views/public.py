"""Public pages: the list of events and the live wall."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template

from ..store import NotFound
from . import store
from .auth import current_user

bp = Blueprint("public", __name__)


def event_or_404(slug: str) -> dict:
    """The event, or a plain 404 page."""
    try:
        return store().get_event(slug)
    except NotFound:
        abort(404, f"Nessun evento «{slug}».")


@bp.get("/")
def index():
    return render_template("index.html", events=store().list_events(), user=current_user())


@bp.get("/e/<slug>/wall")
def wall(slug: str):
    return render_template("wall.html", event=event_or_404(slug))


@bp.get("/favicon.ico")
def favicon():
    # Browsers ask for it before reading the page's <link rel="icon">.
    return current_app.send_static_file("favicon.svg")


@bp.get("/healthz")
def healthz():
    return {"ok": True, "seq": store().head_seq()}
