"""Replay: plays a recorded event (native platform payloads) on an accelerated clock, as if live.

The file holds `{"event": {...}, "items": [{"at", "platform", "payload"}, ...]}` sorted by `at`.
Each payload goes through the platform's real normalizer. The cursor remembers when the replay
started and how many items were released, so a restart carries on where it stopped.
"""

from __future__ import annotations

import json
import logging
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

import httpx
from flask_babel import gettext as _

from ..model import NormalizeError, Post, format_time, parse_time
from . import bluesky, mastodon, rss, x
from .registry import Batch, register

log = logging.getLogger(__name__)

DEMO_FILE = Path(__file__).resolve().parent.parent / "demo" / "pasocial.json"
DEMO_ASSET_HOST = "https://demo.piazza.invalid/"
DEMO_ASSET_BASE = "/static/demo/"
MAX_ITEMS_PER_FETCH = 500
LEAD = timedelta(minutes=15)  # the replayed day starts this long before the event opens


@lru_cache(maxsize=8)
def load_recording(path: str) -> dict[str, Any]:
    """Read and check a replay file once per process."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ValueError(_("Could not read the replay file %(path)s: %(problem)s", path=path,
                           problem=exc)) from exc
    items = data.get("items") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise ValueError(_("The replay file %(path)s has no 'items' list.", path=path))
    items = sorted((i for i in items if isinstance(i, dict) and "at" in i), key=lambda i: i["at"])
    return {"event": data.get("event") or {}, "items": items}


# Each platform's uniform entry point: native payload -> posts.
NORMALIZERS = {"mastodon": mastodon.posts_from_payload, "bluesky": bluesky.posts_from_payload,
               "x": x.posts_from_payload, "rss": rss.posts_from_payload}


def _local_asset(url: str, asset_base: str) -> str:
    if url and url.startswith(DEMO_ASSET_HOST):
        return asset_base + url[len(DEMO_ASSET_HOST) :]
    return url


def localize_assets(post: Post, asset_base: str = DEMO_ASSET_BASE) -> Post:
    """Point the demo's asset host at the bundled files (media and avatars only, never text)."""
    media = [
        replace(
            m,
            url=_local_asset(m.url, asset_base),
            preview_url=_local_asset(m.preview_url, asset_base),
        )
        for m in post.media
    ]
    author = replace(post.author, avatar=_local_asset(post.author.avatar, asset_base))
    reposted_by = post.reposted_by and replace(
        post.reposted_by, avatar=_local_asset(post.reposted_by.avatar, asset_base)
    )
    return replace(post, media=media, author=author, reposted_by=reposted_by)


@register("replay")
class ReplaySource:
    """Plays a recording at `speed` times real time (0: everything at once)."""

    def __init__(
        self,
        config: dict[str, Any],
        event: dict[str, Any],
        client: httpx.Client | None,
        settings: dict[str, Any],
    ) -> None:
        self.path = str(config.get("file") or DEMO_FILE)
        self.speed = float(config.get("speed", settings.get("DEMO_SPEED", 36.0)))
        self.asset_base = config.get("asset_base", DEMO_ASSET_BASE)
        self.event_start = event.get("starts_at")
        self.batch = max(1, min(int(config.get("batch", MAX_ITEMS_PER_FETCH)),
                                MAX_ITEMS_PER_FETCH))

    def origin(self, items: list[dict[str, Any]]) -> datetime:
        """Where the replay clock starts: shortly before the event opens (items recorded
        earlier, days before, play at once), or at the first item when the event has no start."""
        first = parse_time(items[0]["at"])
        if self.event_start:
            return max(first, parse_time(self.event_start) - LEAD)
        return first

    def fetch(self, cursor: dict[str, Any], now: datetime) -> Batch:
        """Release the items whose time has come on the replay clock."""
        items = load_recording(self.path)["items"]
        started = cursor.get("started_at") or format_time(now)
        position = int(cursor.get("next", 0))
        if self.speed <= 0 or not items:
            until = len(items)
        else:
            elapsed = max((now - parse_time(started)).total_seconds(), 0.0) * self.speed
            virtual = self.origin(items).timestamp() + elapsed
            until = position
            while until < len(items) and parse_time(items[until]["at"]).timestamp() <= virtual:
                until += 1
        until = min(until, position + self.batch)
        batch = Batch(cursor={"started_at": started, "next": until, "speed": self.speed})
        normalize = NORMALIZERS
        for index in range(position, until):
            item = items[index]
            try:
                posts = normalize[item["platform"]](item["payload"])
            except (KeyError, NormalizeError, TypeError, ValueError) as exc:
                batch.skipped.append(_("item %(index)s (%(platform)s): %(problem)s",
                                       index=index, platform=item.get("platform"),
                                       problem=exc))
                log.warning("replay item %s skipped: %s", index, exc)
                continue
            batch.posts.extend(localize_assets(p, self.asset_base) for p in posts)
        batch.done = until >= len(items)
        return batch

    def clock(self, cursor: dict[str, Any], now: datetime) -> datetime | None:
        """The replay's virtual time (where the recorded day is now), or None before start."""
        items = load_recording(self.path)["items"]
        if not items or not cursor.get("started_at"):
            return None
        if self.speed <= 0:
            return parse_time(items[-1]["at"])
        elapsed = (now - parse_time(cursor["started_at"])).total_seconds() * self.speed
        return datetime.fromtimestamp(self.origin(items).timestamp() + elapsed, UTC)
