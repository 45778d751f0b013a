"""End to end: the real server, real HTTP and Socket.IO clients."""

from __future__ import annotations

import queue
import time

import httpx
import pytest
import socketio

from .livesrv import inbox

pytestmark = pytest.mark.e2e


def wait_for(predicate, timeout=15.0, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def test_first_start_prints_wall_console_and_a_one_time_login(server):
    text = "".join(server.lines)
    assert f"{server.base}/e/pasocial-2026/wall" in text
    assert f"{server.base}/e/pasocial-2026/console" in text
    assert server.login_link().startswith(f"{server.base}/login/")
    assert httpx.get(f"{server.base}/e/pasocial-2026/wall").status_code == 200


def test_editor_approves_through_socketio_and_the_wall_receives_it(server):
    cookie = server.session_cookie()
    console_snapshot: queue.Queue = queue.Queue()

    wall = socketio.Client(reconnection=False)
    wall_inbox = inbox(wall, "/wall", ["post_approved", "post_updated", "post_removed",
                                       "snapshot"])
    editor = socketio.Client(reconnection=False)
    editor.on("snapshot", console_snapshot.put, namespace="/console")
    try:
        wall.connect(server.base, namespaces=["/wall"], transports=["websocket"],
                     auth={"event": "pasocial-2026", "last_seq": 0})
        name, snapshot = wall_inbox.get(timeout=10)
        assert name == "snapshot" and snapshot["posts"] == []  # nothing approved yet

        # The demo plays everything at once (speed 0): wait for the queue to fill.
        def queue_full():
            editor.connect(server.base, namespaces=["/console"], transports=["websocket"],
                           headers={"Cookie": f"session={cookie}"},
                           auth={"event": "pasocial-2026"})
            snap = console_snapshot.get(timeout=10)
            if len(snap["posts"]) >= 100:
                return snap
            editor.disconnect()
            return None
        snap = wait_for(queue_full, what="the demo posts in the console")
        pending = [p for p in snap["posts"] if p["state"] == "pending"]
        target = pending[0]

        ack = editor.call("decide", {"post_id": target["id"], "action": "approve"},
                          namespace="/console", timeout=10)
        assert ack["ok"] and ack["changed"]
        name, msg = wall_inbox.get(timeout=5)
        assert name == "post_approved"
        assert msg["post"]["id"] == target["id"] and msg["seq"] == ack["seq"]
        assert msg["post"]["text"] == target["text"]
        assert "decided_by" not in msg["post"]
    finally:
        wall.disconnect()
        editor.disconnect()


def test_anonymous_console_connection_is_refused(server):
    client = socketio.Client(reconnection=False)
    with pytest.raises(socketio.exceptions.ConnectionError):
        client.connect(server.base, namespaces=["/console"], transports=["websocket"],
                       auth={"event": "pasocial-2026"})


def test_cross_origin_socket_connections_are_refused(server):
    client = socketio.Client(reconnection=False)
    with pytest.raises(socketio.exceptions.ConnectionError):
        client.connect(server.base, namespaces=["/wall"], transports=["websocket"],
                       headers={"Origin": "https://evil.example"},
                       auth={"event": "pasocial-2026"})
