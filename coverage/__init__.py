"""Piazza: collect, curate and show the posts of a public event, live."""

from __future__ import annotations

import secrets
import sys
from pathlib import Path
from typing import Any

from flask import Flask
from flask_socketio import SocketIO
from flask_wtf.csrf import CSRFProtect

from .live import Live, register_handlers
from .settings import SETTINGS, instance_path, load_settings, secrets_from_instance
from .store import Store

ROOT = Path(__file__).resolve().parent.parent  # templates/, static/ and exports/ live here

SETTING_DEFAULTS = {s.name: s.default for s in SETTINGS}

socketio = SocketIO()
csrf = CSRFProtect()
register_handlers(socketio)

# Strict by default: no inline script, nothing from third parties but post images.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' https: data:; "
    "media-src 'self' https:; connect-src 'self'; font-src 'self'; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the Flask app: settings, store, blueprints, Socket.IO and the live follower."""
    settings = load_settings(config)
    for key in ("DB", "EXPORTS"):
        # Defaults live beside app.py whatever the working directory; paths given are kept.
        if settings[key] == SETTING_DEFAULTS[key]:
            settings[key] = str(ROOT / settings[key])
    secrets_from_instance(settings)
    app = Flask(__name__, root_path=str(ROOT), template_folder=str(ROOT / "templates"),
                static_folder=str(ROOT / "static"),
                instance_path=str(instance_path(settings)))
    app.config.update(settings)
    app.config["SECRET_KEY"] = settings["SECRET_KEY"] or _instance_secret(app)
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings["HTTPS"],
        PREFERRED_URL_SCHEME="https" if settings["HTTPS"] else "http",
        WTF_CSRF_TIME_LIMIT=None, JSON_SORT_KEYS=False,
        MAX_CONTENT_LENGTH=2 * 1024 * 1024,
        # An event's settings form with its full programme (200 sessions of 9 fields) is one
        # multipart form: more parts and text than Werkzeug's defaults (1,000 and 500 kB).
        MAX_FORM_PARTS=4000, MAX_FORM_MEMORY_SIZE=2 * 1024 * 1024,
    )

    if settings["PROXIES"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        # Only as many hops as the admin declared: a client cannot fake its address or scheme.
        n = settings["PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)

    store = Store(settings["DB"])
    app.extensions["piazza_store"] = store

    csrf.init_app(app)
    from . import i18n

    i18n.init_app(app)
    from .views import register_blueprints

    register_blueprints(app)

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Permissions-Policy",
                                    "camera=(), microphone=(), geolocation=()")
        return response

    mode = async_mode(settings["ASYNC_MODE"])
    if mode == "gevent":
        # httpcore imports trio whenever it is installed, and trio needs select.epoll, which
        # gevent's patching removes; Piazza never uses trio, so it is kept out.
        sys.modules.setdefault("trio", None)
    socketio.init_app(app, async_mode=mode, message_queue=settings["REDIS_URL"] or None)
    app.extensions["piazza_live"] = Live(store, socketio, settings["FOLLOW_SECONDS"],
                                         settings["REDIS_URL"])

    from .cli import register_commands

    register_commands(app)
    return app


def async_mode(setting: str) -> str:
    """gevent when this process was patched for it at start (app.py, gunicorn's gevent worker):
    one process then holds thousands of live connections (docs/SCALING.md has the figures).
    Otherwise threads, e.g. under the test suite or `PIAZZA_ASYNC_MODE=threading`."""
    if setting != "auto":
        return setting
    try:
        from gevent import monkey
    except ImportError:
        return "threading"
    return "gevent" if monkey.is_module_patched("socket") else "threading"


def _instance_secret(app: Flask) -> str:
    """A secret key kept in the instance folder, made on first start (never in git)."""
    path = Path(app.instance_path) / "secret_key"
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    path.write_text(key)
    path.chmod(0o600)
    return key
