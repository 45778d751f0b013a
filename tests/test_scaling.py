"""Several processes: collecting once per event (leases), and Redis between server processes."""

from __future__ import annotations

import queue
import signal
import subprocess
import time

import pytest
import socketio

from coverage.collector import poll_once
from coverage.demo import load_demo
from coverage.server import LEASE_SECONDS, Collector, collect_lease
from coverage.settings import load_settings
from coverage.store import Store

from .conftest import need
from .livesrv import Server, free_port, gunicorn_command, inbox

DEMO = "pasocial-2026"


# -- leases ----------------------------------------------------------------------------------
def test_a_lease_has_one_holder_until_it_expires_or_is_given_back(store):
    assert store.hold_lease("collect:x", "a", 15, now=1000.0)
    assert store.hold_lease("collect:x", "a", 15, now=1010.0)  # renewed until 1025
    assert not store.hold_lease("collect:x", "b", 15, now=1024.0)
    assert store.lease("collect:x")["holder"] == "a"
    assert store.hold_lease("collect:x", "b", 15, now=1025.5)  # a stopped renewing: b takes it
    assert not store.hold_lease("collect:x", "a", 15, now=1026.0)
    store.release_lease("collect:x", "a")  # not a's to give back: nothing changes
    assert store.lease("collect:x")["holder"] == "b"
    store.release_lease("collect:x", "b")
    assert store.lease("collect:x") is None
    assert store.hold_lease("collect:x", "a", 15, now=1027.0)


def test_two_processes_collect_an_event_once_and_hand_it_over_on_stop(app, app_store, app_event):
    app.config["STREAM"] = False
    first, second = Collector(app), Collector(app)
    first.renew()
    second.renew()
    assert first.held == {"prova"} and second.held == set()

    app_store.create_event({"slug": "nuovo", "name": "Nuovo evento"})
    second.renew()  # whoever renews first takes a new event
    first.renew()
    assert first.held == {"prova"} and second.held == {"nuovo"}

    first.stop()  # a clean stop gives the leases back at once
    second.renew()
    assert second.held == {"prova", "nuovo"}
    assert app_store.lease(collect_lease("prova"))["holder"] == second.holder


def test_a_dead_collectors_event_is_taken_over_when_its_lease_expires(app, app_store, app_event):
    app.config["STREAM"] = False
    dead, alive = Collector(app), Collector(app)
    dead.renew()  # then it dies: it never renews nor gives back
    alive.renew()
    assert alive.held == set()
    lease = app_store.lease(collect_lease("prova"))
    assert app_store.hold_lease(collect_lease("prova"), alive.holder, LEASE_SECONDS,
                                now=lease["expires_at"] + 0.1)


# -- several server processes behind Redis ---------------------------------------------------
@pytest.fixture
def redis_url(tmp_path):
    """A real redis-server of our own, on a free port, with nothing written to disk."""
    import redis

    port = free_port()
    proc = subprocess.Popen([need("redis-server"), "--port", str(port), "--bind", "127.0.0.1",
                             "--save", "", "--appendonly", "no", "--dir", str(tmp_path)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"redis://127.0.0.1:{port}/0"
    deadline = time.monotonic() + 10
    while True:
        try:
            redis.Redis.from_url(url).ping()
            break
        except redis.ConnectionError:
            if time.monotonic() > deadline or proc.poll() is not None:
                proc.kill()
                pytest.fail("redis-server did not start")
            time.sleep(0.05)
    yield url
    proc.terminate()
    proc.wait(10)


def next_named(messages: queue.Queue, name: str, timeout: float) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        got, msg = messages.get(timeout=max(deadline - time.monotonic(), 0.01))
        if got == name:
            return msg


@pytest.mark.e2e
def test_a_decision_through_one_process_reaches_a_wall_on_another(tmp_path, redis_url):
    # Both followers read the change log only every 30 s by themselves: what arrives sooner
    # came through Redis. One process is app.py, the other the gunicorn production command.
    env = {"PIAZZA_REDIS_URL": redis_url, "PIAZZA_DEMO_SPEED": "0",
           "PIAZZA_POLL_SECONDS": "0.2", "PIAZZA_FOLLOW_SECONDS": "30"}
    one = Server(tmp_path, **env).start()
    other = Server(tmp_path, command=gunicorn_command, **env).start()
    editor, colleague, wall = (socketio.Client(reconnection=False) for _ in range(3))
    try:
        snapshots = inbox(editor, "/console", ["snapshot"])
        opened = inbox(colleague, "/console", ["post_opened"])
        walled = inbox(wall, "/wall", ["snapshot", "post_approved"])
        wall.connect(other.base, namespaces=["/wall"], transports=["websocket"],
                     auth={"event": DEMO})
        colleague.connect(other.base, namespaces=["/console"], transports=["websocket"],
                          headers={"Cookie": "session=" + other.session_cookie()},
                          auth={"event": DEMO})
        cookie, deadline = "session=" + one.session_cookie(), time.monotonic() + 30
        while True:  # the demo plays at once in the process that collects it
            editor.connect(one.base, namespaces=["/console"], transports=["websocket"],
                           headers={"Cookie": cookie}, auth={"event": DEMO})
            snapshot = next_named(snapshots, "snapshot", timeout=10)
            pending = [p for p in snapshot["posts"] if p["state"] == "pending"]
            if pending or time.monotonic() > deadline:
                break
            editor.disconnect()
            time.sleep(0.5)
        target = pending[0]
        next_named(walled, "snapshot", timeout=10)

        ack = editor.call("decide", {"post_id": target["id"], "action": "approve"},
                          namespace="/console", timeout=10)
        assert ack["ok"]
        msg = next_named(walled, "post_approved", timeout=10)  # well before the 30 s tick
        assert msg["post"]["id"] == target["id"] and msg["seq"] == ack["seq"]

        # What is not in the change log (who has a post open) crosses through the queue.
        editor.call("open_post", {"post_id": target["id"]}, namespace="/console", timeout=10)
        assert next_named(opened, "post_opened", timeout=10)["post_id"] == target["id"]
    finally:
        for client in (editor, colleague, wall):
            client.disconnect()
        one.stop()
        other.stop()


def expected_demo_posts(tmp_path) -> int:
    """How many posts the demo brings when one process plays it all at once."""
    store = Store(tmp_path / "reference.db")
    settings = load_settings({"DEMO_SPEED": 0.0})
    load_demo(store, settings)
    poll_once(store, settings, force=True)
    return store.db.execute("SELECT COUNT(*) FROM posts").fetchone()[0]


@pytest.mark.e2e
def test_a_restart_hands_collecting_over_without_losing_or_doubling_a_post(tmp_path):
    # The demo day plays in ~20 s; the process collecting it stops cleanly halfway.
    env = {"PIAZZA_DEMO_SPEED": "1800", "PIAZZA_POLL_SECONDS": "0.3"}
    first = Server(tmp_path, command=gunicorn_command, **env).start()
    second = Server(tmp_path, **env).start()
    store = Store(tmp_path / "piazza.db")
    try:
        def holder() -> str:
            lease = store.lease(collect_lease(DEMO))
            return lease["holder"] if lease else ""

        deadline = time.monotonic() + 20
        while not holder():
            assert time.monotonic() < deadline, "nobody collects"
            time.sleep(0.1)
        old_holder = holder()  # host:pid:nonce (gunicorn's is its worker's pid)
        leader, standby = ((second, first) if f":{second.proc.pid}:" in old_holder
                           else (first, second))
        time.sleep(6)
        before = store.db.execute("SELECT COUNT(*) FROM posts").fetchone()[0]
        leader.proc.send_signal(signal.SIGTERM)  # a clean stop, as systemd restarts it
        leader.proc.wait(20)
        deadline = time.monotonic() + 10
        while holder() in ("", old_holder):
            assert time.monotonic() < deadline, "the other process did not take over"
            time.sleep(0.1)

        expected = expected_demo_posts(tmp_path)
        deadline = time.monotonic() + 60
        while store.db.execute("SELECT COUNT(*) FROM posts").fetchone()[0] < expected:
            assert time.monotonic() < deadline, "the replay did not finish"
            time.sleep(0.5)
        assert 0 < before < expected  # the handover really happened halfway
        time.sleep(1)  # a few more rounds: nothing more, nothing twice
        assert store.db.execute("SELECT COUNT(*) FROM posts").fetchone()[0] == expected
        added_twice = store.db.execute(
            "SELECT post_id FROM changes WHERE kind = 'post_added' GROUP BY post_id "
            "HAVING COUNT(*) > 1").fetchall()
        assert added_twice == []
    finally:
        store.close()
        first.stop()
        second.stop()


@pytest.mark.e2e
def test_the_collect_command_waits_while_another_process_collects(tmp_path):
    import os
    import sys

    from .livesrv import ROOT

    store = Store(tmp_path / "piazza.db")
    load_demo(store, load_settings({"DEMO_SPEED": 0.0}))
    store.hold_lease(collect_lease(DEMO), "a-server-somewhere", 3600)
    env = {**os.environ, "PIAZZA_DB": str(tmp_path / "piazza.db"), "PIAZZA_POLL_SECONDS": "0.2",
           "PYTHONUNBUFFERED": "1"}
    command = subprocess.Popen([sys.executable, "-m", "flask", "--app", "app", "collect", DEMO],
                               cwd=ROOT, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    try:
        assert "Un altro processo raccoglie già" in command.stdout.readline()
        time.sleep(1)
        assert store.db.execute("SELECT COUNT(*) FROM posts").fetchone()[0] == 0

        store.release_lease(collect_lease(DEMO), "a-server-somewhere")  # that server stopped
        deadline = time.monotonic() + 20
        while store.db.execute("SELECT COUNT(*) FROM posts").fetchone()[0] == 0:
            assert time.monotonic() < deadline, "the command did not take over"
            time.sleep(0.1)
        assert store.lease(collect_lease(DEMO))["holder"].startswith("cli:")
    finally:
        command.send_signal(signal.SIGINT)  # Ctrl+C: it gives the lease back
        command.wait(20)
        command.stdout.close()
    assert store.lease(collect_lease(DEMO)) is None
    store.close()
