"""Public pages: the list of events, the live wall and its embeddable twin."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import segno
from flask import Blueprint, abort, current_app, render_template, request, url_for
from markupsafe import Markup

from .. import CONTENT_SECURITY_POLICY
from ..collector import event_clock
from ..i18n import speak
from ..store import NotFound
from . import store
from .auth import current_user

bp = Blueprint("public", __name__)

THEMES = ("dark", "light", "contrast")


def event_or_404(slug: str) -> dict:
    """The event, or a plain 404 page."""
    try:
        return store().get_event(slug)
    except NotFound:
        abort(404, f"Nessun evento «{slug}».")


@bp.get("/")
def index():
    return render_template("index.html", events=store().list_events(), user=current_user())


def programme(event: dict[str, Any]) -> list[dict[str, Any]]:
    """The sessions as the wall's header needs them (it picks the current one by the clock)."""
    return [{"title": s["title"], "starts_at": s["starts_at"], "ends_at": s["ends_at"],
             "room": s.get("room", ""),
             "speakers": [p.get("name") or p.get("handle", "") for p in s.get("speakers", [])
                          if isinstance(p, dict)]}
            for s in event["sessions"]]


@lru_cache(maxsize=64)
def qr_svg(url: str, label: str) -> Markup:
    """A QR code as inline SVG (no request leaves the page); dark on light, as scanners want."""
    svg = segno.make(url, error="m").svg_inline(
        scale=1, border=2, omitsize=True, dark="#000", light="#fff", svgclass="qr-code",
        lineclass=None, title=label)
    # segno escapes the title; the rest is numbers and fixed attributes.
    return Markup(svg.replace("<svg ", '<svg role="img" focusable="false" ', 1))


def _clock(event: dict[str, Any]) -> tuple[int, float]:
    try:
        offset, rate = event_clock(store(), event["slug"], current_app.config)
        return round(offset), rate
    except ValueError:  # an unreadable replay file must not take the wall down
        return 0, 1.0


def wall_page(event: dict[str, Any], embed: bool) -> dict[str, Any]:
    """What the wall and the embed templates share: they speak the event's language."""
    speak(event["language"])
    target = event.get("url") or url_for("public.wall", slug=event["slug"], _external=True)
    shown = target.split("://", 1)[-1].rstrip("/")
    label = ("Codice QR: " if event["language"] == "it" else "QR code: ") + shown
    clock = _clock(event)
    return {
        "event": event,
        "embed": embed,
        "programme": programme(event),
        # Seconds to add to the viewer's clock to find the event's "now", and how fast that
        # clock runs (a replayed day runs faster than real time).
        "clock_offset": clock[0],
        "clock_rate": clock[1],
        "qr": None if embed else qr_svg(target, label),
        "qr_caption": shown,
    }


@bp.get("/e/<slug>/wall")
def wall(slug: str):
    return render_template("wall.html", **wall_page(event_or_404(slug), embed=False))


@bp.get("/e/<slug>/embed")
def embed(slug: str):
    """The wall for an <iframe> on the event's own page: light by default, pausable."""
    theme = request.args.get("theme", "")
    response = current_app.make_response(render_template(
        "embed.html", theme=theme if theme in THEMES else "",
        **wall_page(event_or_404(slug), embed=True)))
    # Any site may frame the embed (that is its job); every other page stays unframeable.
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY.replace(
        "frame-ancestors 'none'", "frame-ancestors *")
    return response


@bp.after_app_request
def allow_framing_of_embed(response):
    # The app's security headers add X-Frame-Options: DENY to every response; this hook runs
    # after them (registered first, called last). CSP frame-ancestors already overrides it in
    # current browsers; dropping it keeps older ones from refusing the frame.
    if request.endpoint == "public.embed":
        response.headers.pop("X-Frame-Options", None)
    return response


@bp.get("/favicon.ico")
def favicon():
    # Browsers ask for it before reading the page's <link rel="icon">.
    return current_app.send_static_file("favicon.svg")


@bp.get("/healthz")
def healthz():
    return {"ok": True, "seq": store().head_seq()}
