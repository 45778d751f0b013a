"""Fault injection per source: whatever one platform does wrong, it is reported in plain words,
it waits as asked, the other sources carry on and the wall keeps serving."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest

from coverage import socketio
from coverage.collector import poll_once

NOW = datetime(2026, 11, 19, 9, 0, tzinfo=UTC)
MINI = "tests/fixtures/replay/mini.json"


class Dropping(httpx.SyncByteStream):
    """A body that stops halfway, as when the connection drops."""

    def __iter__(self):
        yield b'[{"id": "1", "uri": "https://x'
        raise httpx.ReadError("connection reset by peer")


def answer(fault: str):
    def handler(request: httpx.Request) -> httpx.Response:
        if fault == "429-seconds":
            return httpx.Response(429, headers={"Retry-After": "120"}, json={"error": "slow"})
        if fault == "429-date":
            when = format_datetime(NOW + timedelta(minutes=7), usegmt=True)
            return httpx.Response(429, headers={"Retry-After": when}, json={"error": "slow"})
        if fault in ("500", "503"):
            return httpx.Response(int(fault), text="Internal error")
        if fault == "timeout":
            raise httpx.ReadTimeout("timed out", request=request)
        if fault == "truncated":
            return httpx.Response(200, content=b'[{"id": "1", "content": "<p>ciao',
                                  headers={"content-type": "application/json"})
        if fault == "html":
            return httpx.Response(200, text="<!DOCTYPE html><html><body>Maintenance</body>",
                                  headers={"content-type": "text/html"})
        if fault == "huge":
            return httpx.Response(200, content=b"[" + b" " * (10 * 1024 * 1024) + b"]",
                                  headers={"content-type": "application/json"})
        if fault == "drop":
            return httpx.Response(200, stream=Dropping(),
                                  headers={"content-type": "application/json"})
        raise AssertionError(fault)
    return handler


FAULTS = {
    "429-seconds": ("slowed", "rallentare", timedelta(seconds=120)),
    "429-date": ("slowed", "rallentare", timedelta(minutes=7)),
    "500": ("failing", "problema temporaneo", None),
    "503": ("failing", "problema temporaneo", None),
    "timeout": ("failing", "in tempo", None),
    "truncated": ("failing", "incompleti", None),
    "html": ("failing", "pagina web", None),
    "huge": ("failing", "kB", None),
    "drop": ("failing", "Connessione", None),
}


@pytest.mark.parametrize("fault", FAULTS)
def test_a_faulty_platform_is_reported_and_the_others_carry_on(app, app_store, fault):
    app_store.create_event({"slug": "prova", "name": "Prova", "hashtags": ["pasocial"]})
    app_store.add_source("prova", "replay", {"speed": 0, "file": MINI})
    app_store.add_source("prova", "mastodon", {"instance": "https://social.example"})
    wall = socketio.test_client(app, namespace="/wall", auth={"event": "prova"})
    wall.get_received("/wall")

    def clients(source):
        return httpx.Client(transport=httpx.MockTransport(answer(fault)))

    with app.app_context():  # as the collector runs a round: in the install's language
        reports = {r.platform: r for r in poll_once(app_store, app.config, now=NOW,
                                                   client_factory=clients)}
    health, words, wait = FAULTS[fault]
    assert reports["replay"].health == "ok" and reports["replay"].new == 5
    faulty = reports["mastodon"]
    assert faulty.health == health and words in faulty.error, faulty.error
    stored = app_store.list_sources("prova")[1]
    assert (stored["health"], stored["last_error"]) == (health, faulty.error)
    if wait is not None:  # the platform's own wait, not our backoff
        assert stored["next_try_at"] == (NOW + wait).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    # The wall keeps serving: an approval still reaches it.
    post = app_store.list_posts("prova")[0]
    app_store.decide("prova", post["id"], "approve", "marta")
    app.extensions["piazza_live"].pump()
    assert [m["name"] for m in wall.get_received("/wall")] == ["post_approved"]
