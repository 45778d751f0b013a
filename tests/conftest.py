"""Shared fixtures: a real SQLite file per test, an app on it, posts and logged-in clients."""

from __future__ import annotations

import os
import re
import shutil
from itertools import count
from pathlib import Path

import pytest
from flask import Flask

from coverage import create_app, i18n
from coverage.model import Author, Media, Post
from coverage.store import Store

FIXTURES = Path(__file__).parent / "fixtures"
IN_CI = os.environ.get("CI") == "true"

EVENT = {
    "slug": "prova",
    "name": "Giornata di prova",
    "hashtags": ["prova", "pasocial"],
    "starts_at": "2026-11-19T08:00:00Z",
    "ends_at": "2026-11-19T17:00:00Z",
    "sessions": [
        {"key": "s1", "title": "Apertura", "starts_at": "2026-11-19T08:00:00Z",
         "ends_at": "2026-11-19T09:00:00Z", "speakers": [{"name": "Anna Verdi"}]},
        {"key": "s2", "title": "Accessibilità", "starts_at": "2026-11-19T09:00:00Z",
         "ends_at": "2026-11-19T11:00:00Z", "speakers": [{"name": "Luca Neri"}]},
    ],
}

_ids = count(1)


def need(tool: str) -> str:
    """The path of a program the test needs: missing is a failure in CI, a skip elsewhere."""
    path = shutil.which(tool)
    if path is None:
        message = f"{tool} is not installed (.ci/run installs it)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.fixture
def make_post():
    """Build a Post; every call gets a new remote id unless one is given."""
    def make(text: str = "Un post su #pasocial", platform: str = "mastodon", **fields) -> Post:
        n = next(_ids)
        defaults = dict(
            platform=platform, remote_id=f"https://social.example/users/a/statuses/{n}",
            url=f"https://social.example/@a/{n}", author=Author("@anna@social.example", "Anna"),
            created_at=f"2026-11-19T09:{n % 60:02d}:00Z", text=text, html=f"<p>{text}</p>",
            media=[Media("image", "https://social.example/m.jpg", "Una slide")],
            hashtags=["pasocial"])
        defaults.update(fields)
        return Post(**defaults)
    return make


@pytest.fixture
def store(tmp_path) -> Store:
    """A real SQLite file, migrated."""
    return Store(tmp_path / "piazza.db")


@pytest.fixture
def event(store) -> dict:
    """A small event with two sessions and a replay source."""
    created = store.create_event(EVENT)
    store.add_source(created["slug"], "replay", {"speed": 0, "file": str(
        FIXTURES / "replay" / "mini.json")}, name="mini")
    return store.get_event(created["slug"])


@pytest.fixture
def source_id(store, event) -> int:
    return store.list_sources(event["slug"])[0]["id"]


@pytest.fixture
def app(tmp_path):
    """The app on its own database; no demo, no background collector."""
    app = create_app({"DB": str(tmp_path / "piazza.db"), "SECRET_KEY": "test-secret",
                      "DEMO": False, "COLLECT": False, "EXPORTS": str(tmp_path / "exports")})
    app.config["TESTING"] = True
    return app


@pytest.fixture
def italian():
    """Core code run as Piazza runs it: inside the app (the collector's rounds, flask commands,
    requests), where its messages speak PIAZZA_LANGUAGE, Italian by default. Outside any app
    they are the English source strings."""
    app = Flask("piazza-in-italian")
    app.config["LANGUAGE"] = "it"
    i18n.init_app(app)
    with app.app_context():
        yield


@pytest.fixture
def app_store(app) -> Store:
    return app.extensions["piazza_store"]


@pytest.fixture
def app_event(app_store) -> dict:
    app_store.create_event(EVENT)
    app_store.add_source("prova", "replay", {"speed": 0}, name="demo")
    return app_store.get_event("prova")


def login(client, store: Store, name: str = "marta", role: str = "editor") -> dict:
    """Log a test client in through a one-time link, as a person would."""
    try:
        user = store.get_user(name)
    except LookupError:
        user = store.create_user(name, role)
    response = client.get(f"/login/{store.create_login_token(user['id'])}")
    assert response.status_code == 302
    return user


def csrf_token(client, path: str = "/login") -> str:
    """The CSRF token of the client's session, read from a form as a browser would."""
    html = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


# Debian's Chromium, driven by Playwright, with this machine's closed network in mind.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]


@pytest.fixture(scope="module")
def browser():
    """One headless Chromium per test module (a failure in CI when it cannot start)."""
    chromium = need("chromium")
    try:
        from playwright import sync_api
    except ImportError:
        if IN_CI:
            pytest.fail("playwright is not installed (requirements-dev.txt)")
        pytest.skip("playwright is not installed")
    with sync_api.sync_playwright() as pw:
        launched = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def server(tmp_path):
    """`python app.py` in a subprocess with the demo played at once (speed 0)."""
    from .livesrv import Server

    srv = Server(tmp_path, PIAZZA_DEMO_SPEED="0", PIAZZA_POLL_SECONDS="0.2").start()
    yield srv
    srv.stop()


@pytest.fixture
def editor(app, app_store):
    """A test client logged in as an editor."""
    client = app.test_client()
    login(client, app_store)
    return client
