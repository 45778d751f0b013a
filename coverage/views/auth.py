"""Login with a password or a one-time link; `login_required` for editors' pages."""

from __future__ import annotations

import time
from collections import defaultdict, deque
from functools import wraps
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _

from . import store

bp = Blueprint("auth", __name__)

# Login attempts per client address in the last window (a small in-process limiter).
_ATTEMPTS: dict[str, deque[float]] = defaultdict(deque)
MAX_ATTEMPTS, WINDOW = 10, 300.0


def current_user() -> dict[str, Any] | None:
    """The logged-in user, re-read from the database once per request."""
    if "user" not in g:
        user_id = session.get("user_id")
        g.user = store().user_by_id(user_id) if user_id else None
    return g.user


def login_required(view):
    """Editors' pages: redirect to the login page when nobody is logged in."""
    @wraps(view)
    def wrapped(*args, **kwargs):
        if current_user() is None:
            return redirect(url_for("auth.login", next=request.path))
        return view(*args, **kwargs)
    return wrapped


def admin_required(view):
    """Coordinators' pages (setting up events, inviting people): login first, then 403 for
    anyone who is not an admin, whatever the page shows them."""
    @login_required
    @wraps(view)
    def wrapped(*args, **kwargs):
        if current_user()["role"] != "admin":
            abort(403, _("Only coordinators (role admin) can set up events and invite people."))
        return view(*args, **kwargs)
    return wrapped


def _too_many_attempts(address: str) -> bool:
    now = time.monotonic()
    attempts = _ATTEMPTS[address]
    while attempts and now - attempts[0] > WINDOW:
        attempts.popleft()
    return len(attempts) >= MAX_ATTEMPTS


def _safe_next(target: str | None) -> str:
    # Only paths on this site: never redirect a fresh login to another origin.
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("public.index")


def _log_in(user: dict[str, Any]) -> None:
    session.clear()
    session["user_id"] = user["id"]
    session.permanent = True


@bp.route("/login", methods=["GET", "POST"])
def login():
    error = None
    if request.method == "POST":
        address = request.remote_addr or "?"
        if _too_many_attempts(address):
            error = _("Too many attempts: try again in a few minutes.")
        else:
            user = store().check_password(request.form.get("name", ""),
                                          request.form.get("password", ""))
            if user:
                _log_in(user)
                return redirect(_safe_next(request.args.get("next")))
            _ATTEMPTS[address].append(time.monotonic())
            error = _("Wrong user name or password.")
    return render_template("auth/login.html", error=error), 401 if error else 200


@bp.get("/login/<token>")
def login_link(token: str):
    user = store().consume_login_token(token)
    if user is None:
        abort(410, _("This login link was already used or has expired."))
    _log_in(user)
    flash(_("Welcome, %(name)s. Set a password for your next logins.", name=user["name"]))
    return redirect(url_for("auth.password"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def password():
    error = None
    if request.method == "POST":
        new = request.form.get("password", "")
        if new != request.form.get("confirm", ""):
            error = _("The two passwords are different.")
        else:
            try:
                store().set_password(current_user()["id"], new)
            except ValueError as exc:
                error = str(exc)
            else:
                flash(_("Password saved."))
                return redirect(url_for("public.index"))
    return render_template("auth/password.html", error=error), 400 if error else 200


@bp.post("/logout")
def logout():
    session.clear()
    return redirect(url_for("public.index"))


@bp.post("/language")
def language():
    """Switch the pages' language: kept on the account and in a cookie (for the login page)."""
    from ..i18n import COOKIE, LANGUAGES

    chosen = request.form.get("language", "")
    if chosen not in LANGUAGES:
        abort(400, _("Unknown language."))
    user = current_user()
    if user:
        store().set_user_language(user["id"], chosen)
    response = redirect(_safe_next(request.form.get("next")))
    response.set_cookie(COOKIE, chosen, max_age=365 * 24 * 3600, samesite="Lax",
                        secure=current_app.config["HTTPS"], httponly=True)
    return response
