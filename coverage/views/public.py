"""Public pages: the list of events, the live wall and its embeddable twin, error pages."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import segno
from flask import Blueprint, abort, current_app, jsonify, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext
from flask_wtf.csrf import CSRFError
from markupsafe import Markup
from werkzeug.exceptions import HTTPException

from .. import CONTENT_SECURITY_POLICY
from ..collector import event_clock
from ..i18n import speak
from ..model import stage_programme
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
        abort(404, _("There is no event “%(slug)s”.", slug=slug))


@bp.get("/")
def index():
    return render_template("index.html", events=store().list_events(), user=current_user())


@lru_cache(maxsize=64)
def qr_svg(url: str, label: str) -> Markup:
    """A QR code as inline SVG (no request leaves the page); dark on light, as scanners want."""
    svg = segno.make(url, error="m").svg_inline(
        scale=1, border=2, omitsize=True, dark="#000", light="#fff", svgclass="qr-code",
        lineclass=None, title=label)
    # segno escapes the title; the rest is numbers and fixed attributes.
    return Markup(svg.replace("<svg ", '<svg role="img" focusable="false" ', 1))


def event_clock_of(event: dict[str, Any]) -> tuple[int, float]:
    """Seconds to add to real time to find the event's "now", and how fast its clock runs
    (a replayed day runs faster); (0, 1.0) when a replay file cannot be read."""
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
    label = _("QR code: %(address)s", address=shown)
    clock = event_clock_of(event)
    return {
        "event": event,
        "embed": embed,
        "programme": stage_programme(event["sessions"]),
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


# -- error pages: what happened and what to do next, in the reader's language ------------------
# Per status: a title, then the next step. The explanation is the abort()'s own description
# when the view gave one (already in the reader's language), else the generic one here.
ERRORS = {
    400: (lazy_gettext("Something in this request is wrong"),
          lazy_gettext("The page could not understand what was sent."),
          lazy_gettext("Go back, reload the page and try again.")),
    403: (lazy_gettext("Not allowed"),
          lazy_gettext("Your account cannot open this page or make this change."),
          lazy_gettext("If you need to, ask your coverage lead (admin role).")),
    404: (lazy_gettext("Page not found"),
          lazy_gettext("There is nothing at this address."),
          lazy_gettext("Check the address, or start again from the list of events.")),
    405: (lazy_gettext("Not possible here"),
          lazy_gettext("This address does not accept this kind of request."),
          lazy_gettext("Go back and use the page's own buttons and forms.")),
    410: (lazy_gettext("This link no longer works"),
          lazy_gettext("This link was already used or has expired."),
          lazy_gettext("Ask your coverage lead for a new one, or log in with your password "
                       "if you have already set one.")),
    413: (lazy_gettext("Too large"),
          lazy_gettext("What was sent is larger than Piazza accepts."),
          lazy_gettext("Send something smaller, or split it in parts.")),
}
CSRF_ERROR = (lazy_gettext("This form has expired"),
              lazy_gettext("The page was open for too long, or the form came from another "
                           "page, so it was not sent."),
              lazy_gettext("Reload the page and try again."))
OTHER_ERROR = (lazy_gettext("Something went wrong"), lazy_gettext("The request failed."),
               lazy_gettext("Go back and try again; if it happens again, tell your coverage "
                            "lead."))


def error_words(error: HTTPException) -> tuple[str, str, str]:
    """Title, explanation and next step for an HTTP error, in the reader's language."""
    if isinstance(error, CSRFError):
        title, what, then = CSRF_ERROR
    else:
        title, what, then = ERRORS.get(error.code or 500, OTHER_ERROR)
    # A description the view gave (not werkzeug's English default) says exactly what happened.
    own = error.description if error.description != type(error).description else None
    if isinstance(error, CSRFError):
        own = None  # Flask-WTF's own words are English and technical
    return str(title), str(own or what), str(then)


@bp.app_errorhandler(HTTPException)
def http_error(error: HTTPException):
    """A page that says what happened and what to do; JSON ({"error": ...}) under /api/."""
    title, what, then = error_words(error)
    code = error.code or 500
    if request.path.startswith("/api/"):
        return jsonify(error=f"{what} {then}"), code
    return render_template("error.html", title=title, what=what, then=then, code=code,
                           user=current_user()), code
