"""A canary proves it: tokens and app passwords never appear in logs, pages, socket frames,
error pages or exports, whatever the sources do."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import httpx
import pytest

from coverage import create_app, socketio
from coverage.collector import poll_once, try_source
from coverage.recap import RENDERERS, export_recap

from .conftest import csrf_token, login

CANARIES = {"MASTODON_TOKEN": "canary-mastodon-7f3a", "X_BEARER_TOKEN": "canary-x-91bd",
            "BLUESKY_APP_PASSWORD": "canary-bsky-pass", "SECRET_KEY": "canary-secret-key-04"}


@pytest.fixture
def canary_app(tmp_path):
    app = create_app({"DB": str(tmp_path / "p.db"), "DEMO": False, "COLLECT": False,
                      "EXPORTS": str(tmp_path / "exports"), "BLUESKY_HANDLE": "ente.bsky.social",
                      **CANARIES})
    app.config["TESTING"] = True
    return app


def leaks(text: str) -> list[str]:
    return [name for name, value in CANARIES.items() if value in text]


def test_no_secret_escapes_anywhere(canary_app, tmp_path, caplog, make_post):
    caplog.set_level(logging.DEBUG)
    store = canary_app.extensions["piazza_store"]
    store.create_event({"slug": "prova", "name": "Prova", "hashtags": ["pasocial"]})
    for platform in ("mastodon", "bluesky", "x"):
        store.add_source("prova", platform, {"instance": "https://api.example"})
    replay = store.add_source("prova", "replay", {"speed": 0,
                                                  "file": "tests/fixtures/replay/mini.json"})

    def echo_headers(request: httpx.Request) -> httpx.Response:
        # A hostile or broken platform that echoes our request back in its error page.
        return httpx.Response(401, text=f"Bad credentials: {dict(request.headers)} "
                              f"{request.content.decode(errors='ignore')}")

    client_factory = lambda source: httpx.Client(  # noqa: E731
        transport=httpx.MockTransport(echo_headers))
    reports = poll_once(store, canary_app.config, client_factory=client_factory)
    seen = [r.describe() for r in reports]
    seen += [try_source(s, store.get_event("prova"), canary_app.config,
                        client_factory=client_factory)[1] for s in store.list_sources("prova")]
    seen += [json.dumps(s, default=str) for s in store.list_sources("prova")]
    for post in store.list_posts("prova"):
        store.decide("prova", post["id"], "approve", "marta")

    web = canary_app.test_client()
    login(web, store, "admin", "admin")
    pages = ["/", "/e/prova/wall", "/e/prova/console", "/e/prova/sources", "/e/prova/recap",
             "/api/events/prova/sources", "/api/events/prova/posts", "/api/events/prova/rules",
             "/api/events/prova/audit", "/e/nessuno/wall", "/login/not-a-token"]
    seen += [web.get(path).get_data(as_text=True) for path in pages]
    headers = {"X-CSRFToken": csrf_token(web, "/")}
    seen.append(web.post(f"/api/events/prova/sources/{replay['id']}/test",
                         headers=headers).get_data(as_text=True))
    seen.append(web.post("/api/events/prova/posts/by-url", headers=headers,
                         json={"url": "http://127.0.0.1/@a/1"}).get_data(as_text=True))

    console = socketio.test_client(canary_app, namespace="/console", flask_test_client=web,
                                   auth={"event": "prova"})
    wall = socketio.test_client(canary_app, namespace="/wall", auth={"event": "prova"})
    canary_app.extensions["piazza_live"].pump()
    seen += [json.dumps(m, default=str) for m in console.get_received("/console")]
    seen += [json.dumps(m, default=str) for m in wall.get_received("/wall")]

    for fmt in [f for f in RENDERERS if f != "fragment"]:
        for path in export_recap(store, "prova", fmt, tmp_path / "exports"):
            seen.append(Path(path).read_bytes().decode("utf-8", errors="ignore"))

    seen += [record.getMessage() for record in caplog.records]
    assert any("401" in text or "rifiutato" in text for text in seen)  # the errors did happen
    assert {name for text in seen for name in leaks(text)} == set()
