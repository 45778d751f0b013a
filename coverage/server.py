"""`python app.py`: first-start preparation, the background loops, and the server itself."""

from __future__ import annotations

import argparse
import logging
import threading
import time
from typing import Any

import httpx
from flask import Flask

from . import socketio
from .collector import poll_once, recheck_once
from .sources import REGISTRY, Batch, make_source
from .sources.http import make_client

log = logging.getLogger(__name__)


def prepare_first_start(app: Flask) -> str | None:
    """Load the demo on an empty database; return a one-time login link while nobody has a
    password (so a fresh install is never locked out, and never open)."""
    store = app.extensions["piazza_store"]
    if app.config["DEMO"] and not store.list_events():
        from .demo import load_demo

        load_demo(store, app.config)
    if store.count_users() == 0:
        store.create_user("admin", "admin")
    admin_id = store.admin_needing_password()
    return store.create_login_token(admin_id) if admin_id else None


def collect_forever(app: Flask) -> None:
    """The collector loop inside the server process: poll, then wake the live follower."""
    store, live = app.extensions["piazza_store"], app.extensions["piazza_live"]
    while True:
        try:
            reports = poll_once(store, app.config)
            if any(r.new for r in reports):
                live.nudge()
                store.index_search()  # after the wall's news, off the ingest transaction
        except Exception:  # never let the loop die: the wall must keep running
            log.exception("collector round failed")
        socketio.sleep(app.config["POLL_SECONDS"])


def recheck_forever(app: Flask) -> None:
    """Every few minutes, ask the platforms whether approved posts still exist; once a day,
    apply the audit log's retention when one is set."""
    store, live = app.extensions["piazza_store"], app.extensions["piazza_live"]
    last_purge = 0.0
    while True:
        socketio.sleep(app.config["RECHECK_SECONDS"])
        try:
            if recheck_once(store, app.config):
                live.nudge()
            days = app.config["AUDIT_RETENTION_DAYS"]
            if days > 0 and time.monotonic() - last_purge > 86400:
                store.purge_audit(days, "conservazione")
                last_purge = time.monotonic()
        except Exception:
            log.exception("recheck round failed")


def stream_forever(app: Flask, source_id: int, stop: threading.Event) -> None:
    """Keep one source's live stream open; what it brings is stored, then announced."""
    store, live = app.extensions["piazza_store"], app.extensions["piazza_live"]

    def emit(batch: Batch) -> None:
        store.ingest(source_id, batch.posts, batch.cursor or None, batch.deleted,
                     updated=batch.updated)
        live.nudge()

    while not stop.is_set():
        source = store.get_source(source_id)
        if not source["enabled"]:
            return
        event = next(e for e in store.list_events() if e["id"] == source["event_id"])
        client = make_client(timeout=httpx.Timeout(10.0, read=120.0))
        try:
            make_source(source, event, app.config, client).stream(source["cursor"], emit, stop)
            return  # the stream ended by itself (e.g. the instance has no streaming)
        except Exception:
            log.exception("stream of source %s failed; polling continues", source_id)
            socketio.sleep(30)
        finally:
            client.close()


def start_background(app: Flask) -> threading.Event:
    """Start the live follower and, when enabled, the collector, re-checks and live streams.
    Returns the event that stops the streams."""
    app.extensions["piazza_live"].start()
    stop = threading.Event()
    if app.config["COLLECT"]:
        socketio.start_background_task(collect_forever, app)
        socketio.start_background_task(recheck_forever, app)
        if app.config["STREAM"]:
            for source in app.extensions["piazza_store"].list_sources():
                if source["enabled"] and hasattr(REGISTRY.get(source["platform"]), "stream"):
                    socketio.start_background_task(stream_forever, app, source["id"], stop)
    return stop


def serve(app: Flask, argv: list[str] | None = None) -> None:
    """Parse --host/--port, print where things are, and serve until stopped."""
    parser = argparse.ArgumentParser(description="Piazza: live coverage of public events.")
    parser.add_argument("--host", default=app.config["HOST"])
    parser.add_argument("--port", type=int, default=app.config["PORT"])
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    # Werkzeug's own banner warns about "production"; our banner says what matters here.
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    token = prepare_first_start(app)
    print(banner(app, args.host, args.port, token), flush=True)
    start_background(app)
    socketio.run(app, host=args.host, port=args.port, allow_unsafe_werkzeug=True,
                 log_output=False)


def banner(app: Flask, host: str, port: int, token: str | None) -> str:
    """What a new user needs to know, in a few lines."""
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    base = f"http://{shown}:{port}"
    lines = [f"Piazza è in ascolto su {base}", ""]
    events: list[dict[str, Any]] = app.extensions["piazza_store"].list_events()
    for event in events:
        lines += [f"  {event['name']}",
                  f"    wall:    {base}/e/{event['slug']}/wall",
                  f"    console: {base}/e/{event['slug']}/console"]
    if token:
        lines += ["", "Accesso editori (link monouso, valido 24 ore):", f"  {base}/login/{token}"]
    else:
        lines += ["", "Accesso editori: " + f"{base}/login"
                  " (nuovo link monouso: flask --app app users link NOME)"]
    return "\n".join(lines)
