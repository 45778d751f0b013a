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

from .sources import make_source
from .sources.replay import format_time, parse_time
from .store import Store

log = logging.getLogger(__name__)

BACKOFF_BASE = 5.0  # seconds after the first failure
BACKOFF_MAX = 15 * 60.0


@dataclass
class SourceReport:
    source_id: int
    platform: str
    event: str
    health: str  # ok, failing, waiting
    new: int = 0
    duplicates: int = 0
    skipped: int = 0
    error: str = ""
    next_try_at: str | None = None

    def describe(self) -> str:
        """One line for people."""
        where = f"{self.event}/{self.platform}#{self.source_id}"
        if self.health == "ok":
            extra = f", {self.skipped} scartati" if self.skipped else ""
            return f"{where}: ok, {self.new} nuovi, {self.duplicates} già visti{extra}"
        if self.health == "waiting":
            return f"{where}: in attesa fino a {self.next_try_at}"
        return f"{where}: ERRORE — {self.error} (nuovo tentativo {self.next_try_at})"


def backoff_seconds(failures: int, rng: random.Random | None = None) -> float:
    """Exponential backoff with full jitter, capped."""
    rng = rng or random
    ceiling = min(BACKOFF_BASE * (2 ** max(failures, 0)), BACKOFF_MAX)
    return ceiling / 2 + rng.uniform(0, ceiling / 2)


def plain_error(exc: BaseException) -> str:
    """An exception as a sentence an editor can act on (never a token: only the message)."""
    if isinstance(exc, httpx.TimeoutException):
        return "La piattaforma non ha risposto in tempo (timeout)."
    if isinstance(exc, httpx.HTTPStatusError):
        return f"La piattaforma ha risposto con l'errore HTTP {exc.response.status_code}."
    if isinstance(exc, httpx.TransportError):
        return "Connessione alla piattaforma non riuscita."
    return str(exc) or exc.__class__.__name__


def poll_once(store: Store, settings: dict[str, Any], now: datetime | None = None,
              event_slug: str | None = None,
              client_factory: Callable[[dict[str, Any]], httpx.Client | None] | None = None,
              force: bool = False) -> list[SourceReport]:
    """One round over every enabled, due source (of one event, or all); returns their reports."""
    now = now or datetime.now(UTC)
    reports = []
    events: dict[int, dict[str, Any]] = {}
    for source in store.list_sources(event_slug):
        if not source["enabled"]:
            continue
        event = events.get(source["event_id"])
        if event is None:
            event = next(e for e in store.list_events() if e["id"] == source["event_id"])
            events[source["event_id"]] = event
        report = SourceReport(source["id"], source["platform"], event["slug"], "ok")
        if (not force and source["next_try_at"]
                and parse_time(source["next_try_at"]) > now and source["health"] == "failing"):
            report.health, report.next_try_at = "waiting", source["next_try_at"]
            reports.append(report)
            continue
        try:
            client = client_factory(source) if client_factory else None
            batch = make_source(source, event, settings, client).fetch(source["cursor"], now)
            result = store.ingest(source["id"], batch.posts, batch.cursor, batch.deleted)
            report.new, report.duplicates = len(result.new), result.duplicates
            report.skipped = len(batch.skipped)
        except Exception as exc:  # one failing source never stops the others
            error = plain_error(exc)
            delay = backoff_seconds(source["failures"])
            next_try = format_time(now + timedelta(seconds=delay))
            log.warning("source %s (%s) failed: %s", source["id"], source["platform"], error)
            store.record_source_failure(source["id"], error, next_try)
            report.health, report.error, report.next_try_at = "failing", error, next_try
        reports.append(report)
    return reports
