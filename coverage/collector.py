"""The collector: `poll_once` asks every due source for what is new and stores it.

Each source is isolated: a failure is recorded in plain words with a retry time (exponential
backoff with jitter) and the others carry on. Posts and the cursor that produced them are
saved in one transaction, before anything is announced: live clients learn of new posts only
from the change log.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from flask_babel import gettext as _
from flask_babel import ngettext

from .model import format_time, parse_time
from .sources import REGISTRY, make_source
from .sources.http import make_client
from .store import Store

log = logging.getLogger(__name__)

BACKOFF_BASE = 5.0  # seconds after the first failure
BACKOFF_MAX = 15 * 60.0


@dataclass
class SourceReport:
    source_id: int
    platform: str
    event: str
    health: str  # ok, slowed, failing, waiting
    new: int = 0
    duplicates: int = 0
    skipped: int = 0
    erased: int = 0
    error: str = ""
    next_try_at: str | None = None

    def describe(self) -> str:
        """One line for people."""
        where = f"{self.event}/{self.platform}#{self.source_id}"
        if self.health == "ok":
            counts = [ngettext("%(num)s new", "%(num)s new", self.new),
                      ngettext("%(num)s already seen", "%(num)s already seen", self.duplicates)]
            if self.skipped:
                counts.append(ngettext("%(num)s left out", "%(num)s left out", self.skipped))
            return f"{where}: ok, " + ", ".join(counts)
        if self.health == "waiting":
            return _("%(where)s: waiting until %(time)s", where=where, time=self.next_try_at)
        if self.health == "slowed":
            return _("%(where)s: SLOWED DOWN — %(error)s", where=where, error=self.error)
        return _("%(where)s: ERROR — %(error)s (next try %(time)s)", where=where,
                 error=self.error, time=self.next_try_at)


def backoff_seconds(failures: int, rng: random.Random | None = None) -> float:
    """Exponential backoff with full jitter, capped."""
    rng = rng or random
    ceiling = min(BACKOFF_BASE * (2 ** max(failures, 0)), BACKOFF_MAX)
    return ceiling / 2 + rng.uniform(0, ceiling / 2)


def plain_error(exc: BaseException) -> str:
    """An exception as a sentence an editor can act on (never a token: only the message)."""
    if isinstance(exc, httpx.TimeoutException):
        return _("The platform did not answer in time (timeout).")
    if isinstance(exc, httpx.HTTPStatusError):
        return _("The platform answered with HTTP error %(status)s.",
                 status=exc.response.status_code)
    if isinstance(exc, httpx.TransportError):
        return _("Could not connect to the platform.")
    return str(exc) or exc.__class__.__name__


def _interval(source: dict[str, Any], factory: Any) -> float:
    try:
        return float(source["config"].get("interval", getattr(factory, "default_interval", 0)))
    except (TypeError, ValueError):
        return float(getattr(factory, "default_interval", 0) or 0)


def poll_once(store: Store, settings: dict[str, Any], now: datetime | None = None,
              event_slug: str | None = None,
              client_factory: Callable[[dict[str, Any]], httpx.Client | None] | None = None,
              force: bool = False) -> list[SourceReport]:
    """One round over every enabled, due source (of one event, or all); returns their reports.

    A source is due when its `next_try_at` has passed: after a success that is its polling
    interval, after a failure the backoff, after a rate limit the platform's own reset time.
    """
    now = now or datetime.now(UTC)
    client_factory = client_factory or (lambda source: make_client())
    reports = []
    events = {e["id"]: e for e in store.list_events()}
    for source in store.list_sources(event_slug):
        if not source["enabled"]:
            continue
        event = events[source["event_id"]]
        report = SourceReport(source["id"], source["platform"], event["slug"], "ok")
        if not force and source["next_try_at"] and parse_time(source["next_try_at"]) > now:
            report.health, report.next_try_at = "waiting", source["next_try_at"]
            reports.append(report)
            continue
        client = None
        try:
            factory = REGISTRY.get(source["platform"])
            client = client_factory(source)
            batch = make_source(source, event, settings, client).fetch(source["cursor"], now)
            interval = _interval(source, factory)
            next_try = format_time(now + timedelta(seconds=interval)) if interval else None
            result = store.ingest(source["id"], batch.posts, batch.cursor, batch.deleted,
                                  next_try_at=next_try, updated=batch.updated)
            report.new, report.duplicates = len(result.new), result.duplicates
            report.skipped, report.next_try_at = len(batch.skipped), next_try
            report.erased = result.erased
        except Exception as exc:  # one failing source never stops the others
            error = plain_error(exc)
            retry_at = getattr(exc, "retry_at", None)
            delay = backoff_seconds(source["failures"])
            next_try = format_time(retry_at if retry_at and retry_at > now
                                   else now + timedelta(seconds=delay))
            health = getattr(exc, "health", "failing")
            log.warning("source %s (%s) %s: %s", source["id"], source["platform"], health, error)
            store.record_source_failure(source["id"], error, next_try, health=health)
            report.health, report.error, report.next_try_at = health, error, next_try
        finally:
            if client is not None:
                client.close()
        reports.append(report)
    return reports


def recheck_once(store: Store, settings: dict[str, Any], now: datetime | None = None,
                 client_factory: Callable[[dict[str, Any]], httpx.Client | None] | None = None,
                 limit: int = 100, event_slug: str | None = None) -> int:
    """Ask each source that can whether its approved posts still exist; mark the deleted ones.

    Returns how many posts were found deleted. A failure here is logged and left for the next
    round: it must never disturb collecting or the wall.
    """
    now = now or datetime.now(UTC)
    client_factory = client_factory or (lambda source: make_client())
    events = {e["id"]: e for e in store.list_events()}
    found = 0
    for source in store.list_sources(event_slug):
        factory = REGISTRY.get(source["platform"])
        if not source["enabled"] or not hasattr(factory, "recheck"):
            continue
        remote_ids = store.approved_remote_ids(source["id"], limit=limit)
        if not remote_ids:
            continue
        client = client_factory(source)
        try:
            gone = make_source(source, events[source["event_id"]], settings, client).recheck(
                remote_ids, now)
            for remote_id in gone:
                if store.mark_deleted(source["platform"], remote_id):
                    found += 1
        except Exception as exc:
            log.warning("recheck of source %s failed: %s", source["id"], plain_error(exc))
        finally:
            if client is not None:
                client.close()
    return found


def try_source(source: dict[str, Any], event: dict[str, Any], settings: dict[str, Any],
                now: datetime | None = None,
                client_factory: Callable[[dict[str, Any]], httpx.Client | None] | None = None,
                ) -> tuple[bool, str]:
    """One fetch from a stored cursor, saving nothing: (ok, a sentence for the lead)."""
    now = now or datetime.now(UTC)
    client = (client_factory or (lambda s: make_client()))(source)
    try:
        batch = make_source(source, event, settings, client).fetch(source["cursor"], now)
    except Exception as exc:
        return False, _("Connection failed: %(problem)s", problem=plain_error(exc))
    finally:
        if client is not None:
            client.close()
    notes = "".join(f" {n}" for n in batch.notes)
    return True, ngettext("Connection working: %(num)s post available now.",
                          "Connection working: %(num)s posts available now.",
                          len(batch.posts)) + notes


def add_post_by_url(store: Store, slug: str, url: str, settings: dict[str, Any], actor: str,
                    client: httpx.Client | None = None) -> tuple[int, bool]:
    """Fetch one post from its permalink (guarded) and add it to the event's queue."""
    from .sources import by_url

    store.get_event(slug)  # a clear NotFound before any fetch
    own = client is None
    client = client or make_client()
    try:
        post = by_url.fetch_post(url.strip(), settings, client, datetime.now(UTC))
    except Exception as exc:
        raise ValueError(plain_error(exc)) from None
    finally:
        if own:
            client.close()
    return store.add_post(slug, post, actor)


def event_clock(store: Store, slug: str, settings: dict[str, Any],
                now: datetime | None = None) -> tuple[float, float]:
    """(offset, rate): the event's time is `now + offset` seconds, running `rate` times real
    time. Not (0, 1) only while a replay plays a recorded day (so the wall shows the session
    the replay is in)."""
    now = now or datetime.now(UTC)
    event = store.get_event(slug)
    for source in store.list_sources(slug):
        if source["platform"] == "replay" and source["enabled"]:
            replay = make_source(source, event, settings)
            virtual = replay.clock(source["cursor"], now)
            if virtual is not None:
                rate = replay.speed if replay.speed > 0 else 0.0
                return (virtual - now).total_seconds(), rate
    return 0.0, 1.0
