"""End to end: Piazza pointed at Mastodon, Bluesky and X — here a local server speaking each
API — watches real posts arrive, and a post deleted at its source leaves the wall."""

from __future__ import annotations

import json
import queue
import subprocess
import sys
import time

import pytest
import socketio

from .fakeplatforms import APP_PASSWORD, BEARER, FakePlatforms
from .livesrv import ROOT, Server, inbox

pytestmark = pytest.mark.e2e


def flask_cli(server: Server, *args: str) -> str:
    result = subprocess.run([sys.executable, "-m", "flask", "--app", "app", *args], cwd=ROOT,
                            env=server.env, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def wait_for_posts(inbox: queue.Queue, seen: dict, want, timeout: float = 30.0) -> None:
    """Drain messages into `seen` (post id -> post) until `want(seen)` holds."""
    deadline = time.monotonic() + timeout
    while not want(seen):
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise AssertionError(f"timed out; posts seen: {[p['text'] for p in seen.values()]}")
        try:
            name, msg = inbox.get(timeout=remaining)
        except queue.Empty:
            continue
        for post in msg.get("posts") or ([msg["post"]] if "post" in msg else []):
            seen[post["id"]] = post


def test_mastodon_bluesky_and_x_posts_arrive_live_and_deletions_leave_the_wall(tmp_path):
    with FakePlatforms() as fake:
        fake.add_status("Si comincia, sala piena", ["pasocial"])
        fake.add_bluesky("Prima fila per la keynote", "pasocial")
        fake.add_tweet("In diretta dagli Stati generali", "pasocial")
        server = Server(tmp_path, PIAZZA_DEMO="0", PIAZZA_POLL_SECONDS="0.2",
                        PIAZZA_RECHECK_SECONDS="1", PIAZZA_X_BEARER_TOKEN=BEARER,
                        PIAZZA_BLUESKY_HANDLE="piazza.bsky.social",
                        PIAZZA_BLUESKY_APP_PASSWORD=APP_PASSWORD).start()
        editor, wall = socketio.Client(reconnection=False), socketio.Client(reconnection=False)
        try:
            flask_cli(server, "events", "create", "pasocial", "--name", "#pasocial",
                      "--hashtag", "pasocial")
            for platform in ("mastodon", "bluesky", "x"):
                flask_cli(server, "sources", "add", "pasocial", platform, "--instance",
                          fake.base, "--interval", "5")
            cookie = server.session_cookie()
            console = inbox(editor, "/console", ["snapshot", "post_added",
                                                            "post_approved"])
            editor.connect(server.base, namespaces=["/console"], transports=["websocket"],
                           headers={"Cookie": f"session={cookie}"}, auth={"event": "pasocial"})
            seen: dict = {}
            wait_for_posts(console, seen, lambda s: {p["platform"] for p in s.values()}
                           == {"mastodon", "bluesky", "x"})

            # New posts at the sources arrive while Piazza runs.
            fake.add_status("Slide sull'accessibilità", ["pasocial"])
            fake.add_bluesky("Linguaggio chiaro, finalmente", "pasocial")
            fake.add_tweet("Dati e KPI: ottimo panel", "pasocial")
            wait_for_posts(console, seen, lambda s: len(s) >= 6)
            texts = " ".join(p["text"] for p in seen.values())
            assert "accessibilità" in texts and "Linguaggio chiaro" in texts and "KPI" in texts
            assert len(seen) == 6  # nothing twice

            # An approved post deleted at its source leaves the wall.
            target = next(p for p in seen.values() if p["platform"] == "mastodon"
                          and "accessibilità" in p["text"])
            walled = inbox(wall, "/wall", ["snapshot", "post_approved",
                                                      "post_removed"])
            wall.connect(server.base, namespaces=["/wall"], transports=["websocket"],
                         auth={"event": "pasocial"})
            ack = editor.call("decide", {"post_id": target["id"], "action": "approve"},
                              namespace="/console", timeout=10)
            assert ack["ok"]
            names = []
            deadline = time.monotonic() + 30
            while "post_removed" not in names and time.monotonic() < deadline:
                name, msg = walled.get(timeout=30)
                names.append(name)
                if name == "post_approved":
                    fake.delete("mastodon", target["remote_id"].rsplit("/", 1)[-1])
            assert names[-2:] == ["post_approved", "post_removed"]

            health = json.loads(flask_cli(server, "sources", "list", "pasocial", "--json"))
            assert {s["platform"]: s["health"] for s in health} == {
                "mastodon": "ok", "bluesky": "ok", "x": "ok"}
            assert fake.sessions_created == 1  # the Bluesky session is reused
        finally:
            editor.disconnect()
            wall.disconnect()
            server.stop()
    logs = "".join(server.lines)
    assert BEARER not in logs and APP_PASSWORD not in logs
