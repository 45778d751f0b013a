"""The editors' console and the recap preview."""

from __future__ import annotations

from flask import Blueprint, render_template

from ..curation import REASONS
from ..recap import build_recap, render_recap
from . import store
from .auth import current_user, login_required
from .public import event_or_404

bp = Blueprint("console", __name__)


@bp.get("/e/<slug>/console")
@login_required
def console(slug: str):
    event = event_or_404(slug)
    return render_template("console.html", event=event, user=current_user(), reasons=REASONS,
                           sources=store().list_sources(slug))


@bp.get("/e/<slug>/sources")
@login_required
def sources(slug: str):
    from flask import current_app

    event = event_or_404(slug)
    config = current_app.config
    credentials = {  # whether each platform's credentials are set: yes or no, never the value
        "mastodon": bool(config.get("MASTODON_TOKEN")),
        "bluesky": bool(config.get("BLUESKY_HANDLE") and config.get("BLUESKY_APP_PASSWORD")),
        "x": bool(config.get("X_BEARER_TOKEN")),
    }
    return render_template("sources.html", event=event, user=current_user(),
                           credentials=credentials)


@bp.get("/e/<slug>/recap")
@login_required
def recap(slug: str):
    event = event_or_404(slug)
    recap = build_recap(store(), event["slug"])
    return render_template("recap_preview.html", event=event, user=current_user(),
                           fragment=render_recap(recap, "fragment"), recap=recap)


@bp.get("/e/<slug>/recap/<fmt>")
@login_required
def recap_download(slug: str, fmt: str):
    from flask import Response, abort

    from ..recap import RENDERERS

    event = event_or_404(slug)
    renderer = RENDERERS.get(fmt)
    if renderer is None:
        abort(404)
    body = render_recap(build_recap(store(), event["slug"]), fmt)
    return Response(body, mimetype=renderer.mimetype, headers={
        "Content-Disposition": f'attachment; filename="{event["slug"]}{renderer.suffix}"'})
