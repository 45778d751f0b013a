"""Nothing lost: a real collector process killed with SIGKILL at random moments while it
replays 10,000 posts ends with every post stored once, announced once, cursors that only moved
forward, and a sound database file."""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from bench.ingest import status
from coverage.store import Store

from .livesrv import ROOT

pytestmark = pytest.mark.e2e
POSTS, KILLS = 10_000, 50


def cursor_next(db_path) -> int:
    with sqlite3.connect(db_path, timeout=30) as conn:
        row = conn.execute("SELECT cursor FROM sources WHERE id = 1").fetchone()
    return json.loads(row[0]).get("next", 0)


def start_up_seconds(command, env, db_path) -> float:
    """How long a fresh collector takes, on this machine as loaded as it is now, to save its
    first batch (it is then killed: one more kill for the test)."""
    before, started = cursor_next(db_path), time.monotonic()
    proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    while cursor_next(db_path) == before and time.monotonic() - started < 60:
        time.sleep(0.02)
    elapsed = time.monotonic() - started
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    return elapsed


def test_sigkill_at_random_moments_loses_and_duplicates_nothing(tmp_path):
    recording = tmp_path / "diecimila.json"
    items = [{"at": f"2026-11-19T09:{i // 1000:02d}:00Z", "platform": "mastodon",
              "payload": status(i)} for i in range(POSTS)]
    recording.write_text(json.dumps({"event": {}, "items": items}))
    db_path = tmp_path / "piazza.db"
    store = Store(db_path)
    store.create_event({"slug": "crash", "name": "Crash"})
    # Small batches and short pauses: the 50 kills fall all along the replay.
    store.add_source("crash", "replay", {"speed": 0, "file": str(recording), "batch": 10})
    store.close()
    env = {**os.environ, "PIAZZA_DB": str(db_path), "PIAZZA_POLL_SECONDS": "0.05"}
    command = [sys.executable, "-m", "flask", "--app", "app", "collect", "crash"]

    rng = random.Random(2026)
    cursors = [0]
    # Kills around the moment writing begins, measured rather than assumed (a loaded CI machine
    # starts slower): some land during start-up, most mid-batch.
    start_up = start_up_seconds(command, env, db_path)
    cursors.append(cursor_next(db_path))
    for _ in range(KILLS):
        proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        time.sleep(start_up * rng.uniform(0.7, 2.0))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        cursors.append(cursor_next(db_path))
    killed_at = cursors[-1]
    # Then let one last collector finish undisturbed, with bigger batches.
    with sqlite3.connect(db_path, timeout=30) as conn:
        conn.execute("UPDATE sources SET config = json_set(config, '$.batch', 500)")
    proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while cursor_next(db_path) < POSTS and time.monotonic() < deadline:
            time.sleep(0.2)
            cursors.append(cursor_next(db_path))
    finally:
        proc.terminate()
        proc.wait()

    assert cursors == sorted(cursors), "a cursor moved backwards"
    assert 0 < killed_at < POSTS, "the kills should interrupt the replay, not miss it"
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("SELECT COUNT(*) FROM posts").fetchone()[0] == POSTS
        assert conn.execute("SELECT COUNT(DISTINCT remote_id) FROM posts").fetchone()[0] == POSTS
        assert conn.execute("SELECT COUNT(*) FROM curation").fetchone()[0] == POSTS
        announced = conn.execute("SELECT COUNT(*), COUNT(DISTINCT post_id) FROM changes"
                                 " WHERE kind = 'post_added'").fetchone()
        assert announced == (POSTS, POSTS), "every post announced exactly once"
