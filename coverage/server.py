"""`python app.py`: first-start preparation, the background loops, and the server itself."""

from __future__ import annotations

import argparse
import logging
import os
import resource
import secrets
import signal
import socket
import threading
import time
from typing import Any

import httpx
from flask import Flask
from flask_babel import gettext as _

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


LEASE_SECONDS = 15.0  # a collector that dies is replaced by another process within this
RENEW_SECONDS = 5.0  # at the latest; as often as the collector polls when that is sooner


def collect_lease(slug: str) -> str:
    """The name of an event's collecting lease."""
    return f"collect:{slug}"


def lease_holder(kind: str = "") -> str:
    """Who holds a lease: this host and process, unique across restarts."""
    return f"{kind}{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


class Collector:
    """Collecting for every event, by one process at a time per event.

    Each event's collecting is a lease in the database (`collect_lease`). The process holding it
    polls the event's sources, keeps their live streams open and re-checks approved posts; the
    other processes stand by and take over within `LEASE_SECONDS` when the holder stops or
    dies. Cursors are stored with the posts they brought, so the next holder starts where the
    last one stopped: nothing is lost, and the database refuses a post twice.
    """

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.store = app.extensions["piazza_store"]
        self.live = app.extensions["piazza_live"]
        self.holder = lease_holder()
        self.held: set[str] = set()  # slugs of the events this process collects
        self.streams: dict[int, threading.Event] = {}  # source id -> its stop signal
        self.stopped = threading.Event()
        self.woken = threading.Event()  # renew now: an event was created in this process

    def start(self) -> None:
        self.renew()  # before the first round, so a lone process collects at once
        for loop in (self.keep_leases, self.collect_forever, self.recheck_forever):
            socketio.start_background_task(loop)

    def renew(self) -> None:
        """Take or renew each event's lease (an event created meanwhile too); start or stop
        live streams to match."""
        slugs = {e["id"]: e["slug"] for e in self.store.list_events()}
        for slug in slugs.values():
            if self.store.hold_lease(collect_lease(slug), self.holder, LEASE_SECONDS):
                if slug not in self.held:
                    log.info("collecting for %s in this process (%s)", slug, self.holder)
                self.held.add(slug)
            elif slug in self.held:
                log.warning("another process collects for %s now", slug)
                self.held.discard(slug)
        self.sync_streams(slugs)

    def sync_streams(self, slugs: dict[int, str]) -> None:
        """One live stream per enabled streaming source of the events held, also for sources
        added while running; a stream whose source was disabled or whose event was handed
        over is stopped."""
        wanted: set[int] = set()
        if self.app.config["STREAM"] and not self.stopped.is_set():
            wanted = {s["id"] for s in self.store.list_sources()
                      if s["enabled"] and slugs.get(s["event_id"]) in self.held
                      and hasattr(REGISTRY.get(s["platform"]), "stream")}
        for source_id in set(self.streams) - wanted:
            self.streams.pop(source_id).set()
        for source_id in wanted - set(self.streams):
            stop = threading.Event()
            self.streams[source_id] = stop
            socketio.start_background_task(stream_forever, self.app, source_id, stop)

    def wake(self) -> None:
        """Take the leases of events created meanwhile now, not at the next renewal."""
        self.woken.set()

    def keep_leases(self) -> None:
        """Renewing apart from collecting, so a long round never lets a lease expire."""
        every = min(RENEW_SECONDS, self.app.config["POLL_SECONDS"])
        while True:
            self.woken.wait(every)
            self.woken.clear()
            if self.stopped.is_set():
                return
            try:
                self.renew()
            except Exception:  # e.g. the database locked for longer than the busy timeout
                log.exception("could not renew the collector's leases")

    def collect_forever(self) -> None:
        """Collect rounds until stopped, `POLL_SECONDS` apart."""
        while not self.stopped.is_set():
            self.collect_round()
            self.stopped.wait(self.app.config["POLL_SECONDS"])

    def collect_round(self) -> None:
        """Poll the held events' sources once, then wake the live follower.

        Each event's poll runs in an app context of its own, so that what it writes for people
        (a source's failure, stored and shown later) speaks the install's language:
        PIAZZA_LANGUAGE, read afresh every round, never a reader's."""
        for slug in sorted(self.held):
            try:
                with self.app.app_context():
                    reports = poll_once(self.store, self.app.config, event_slug=slug)
                if any(r.new for r in reports):
                    self.live.nudge()
                    self.store.index_search()  # after the wall's news, off the ingest
            except Exception:  # never let the loop die: the wall must keep running
                log.exception("collector round for %s failed", slug)

    def recheck_forever(self) -> None:
        """Every few minutes, ask the platforms whether approved posts still exist; once a
        day, apply the audit log's retention when one is set."""
        last_purge = 0.0
        while not self.stopped.wait(self.app.config["RECHECK_SECONDS"]):
            try:
                with self.app.app_context():  # as in collect_round
                    for slug in sorted(self.held):
                        if recheck_once(self.store, self.app.config, event_slug=slug):
                            self.live.nudge()
                days = self.app.config["AUDIT_RETENTION_DAYS"]
                if self.held and days > 0 and time.monotonic() - last_purge > 86400:
                    self.store.purge_audit(days, "conservazione")
                    last_purge = time.monotonic()
            except Exception:
                log.exception("recheck round failed")

    def stop(self) -> None:
        """Stop collecting and give the leases back, so another process takes over at once."""
        self.stopped.set()
        self.woken.set()
        self.sync_streams({})
        for slug in list(self.held):
            self.store.release_lease(collect_lease(slug), self.holder)
        self.held.clear()


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
            with app.app_context():  # its words in the install's language, as collect_round
                make_source(source, event, app.config, client).stream(source["cursor"], emit,
                                                                      stop)
            return  # the stream ended by itself (e.g. the instance has no streaming)
        except Exception:
            log.exception("stream of source %s failed; polling continues", source_id)
            stop.wait(30)
        finally:
            client.close()


def start_background(app: Flask) -> Collector | None:
    """Start the live follower and, when enabled, the collector (which returns, to stop it)."""
    app.extensions["piazza_live"].start()
    if not app.config["COLLECT"]:
        return None
    collector = Collector(app)
    app.extensions["piazza_collector"] = collector
    collector.start()
    return collector


def raise_open_files_limit() -> None:
    """Each connected wall holds a socket (two under gevent's own server): lift the soft limit
    on open files to the hard one, often 1,024 against 500,000 on Linux."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = 65_536 if hard == resource.RLIM_INFINITY else hard
    if soft != resource.RLIM_INFINITY and soft < target:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        except (ValueError, OSError):
            log.warning("open files limited to %s: at most about %s walls", soft, soft // 2)


def http_errors() -> logging.Logger:
    """Where gevent's HTTP server reports errors, less one false alarm: when a browser closes a
    WebSocket, the server reads its closing frame as the next HTTP request and calls it an
    "Invalid HTTP method"."""
    logger = logging.getLogger("coverage.http")
    logger.addFilter(lambda record: "Invalid HTTP method" not in record.getMessage())
    return logger


def start(app: Flask, host: str, port: int) -> Collector | None:
    """Everything a serving process does before it accepts connections (app.py, gunicorn)."""
    raise_open_files_limit()
    token = prepare_first_start(app)
    print(banner(app, host, port, token), flush=True)
    return start_background(app)


def serve(app: Flask, argv: list[str] | None = None) -> None:
    """Parse --host/--port, print where things are, and serve until stopped."""
    parser = argparse.ArgumentParser(description="Piazza: live coverage of public events.")
    parser.add_argument("--host", default=app.config["HOST"])
    parser.add_argument("--port", type=int, default=app.config["PORT"])
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    # Werkzeug's own banner warns about "production"; our banner says what matters here.
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    collector = start(app, args.host, args.port)
    # Ctrl+C, and SIGTERM from systemd or docker: a clean stop, so the collector's leases are
    # given back at once instead of expiring.
    if socketio.async_mode == "gevent":
        import gevent

        for signum in (signal.SIGINT, signal.SIGTERM):
            gevent.signal_handler(signum, socketio.stop)
    else:
        signal.signal(signal.SIGTERM, _interrupt)
    try:
        options = {"allow_unsafe_werkzeug": True}
        if socketio.async_mode == "gevent":
            options["error_log"] = http_errors()
        socketio.run(app, host=args.host, port=args.port, log_output=False, **options)
    except KeyboardInterrupt:  # Ctrl+C: a clean stop, not a traceback
        pass
    finally:
        if collector is not None:
            collector.stop()


def _interrupt(*_args: Any) -> None:
    raise KeyboardInterrupt


def banner(app: Flask, host: str, port: int, token: str | None) -> str:
    """What a new user needs to know, in a few lines, in the install's language."""
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    base = f"http://{shown}:{port}"
    with app.app_context():  # no request: PIAZZA_LANGUAGE decides
        lines = [_("Piazza is listening on %(url)s", url=base), ""]
        events: list[dict[str, Any]] = app.extensions["piazza_store"].list_events()
        if not events:
            lines += [_("No event yet: open the one-time link below, then follow the guide on "
                        "the first page to create one.")]
        for event in events:
            lines += [f"  {event['name']}",
                      f"    wall:    {base}/e/{event['slug']}/wall",
                      f"    console: {base}/e/{event['slug']}/console"]
        if token:
            lines += ["", _("Editors' login (one-time link, valid for 24 hours):"),
                      f"  {base}/login/{token}"]
        else:
            lines += ["", _("Editors' login: %(url)s (a new one-time link: flask --app app "
                            "users link NAME)", url=f"{base}/login")]
    return "\n".join(lines)
