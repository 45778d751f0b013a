"""One small interface for every source, and the registry that maps a platform name to it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar, Protocol

import httpx
from flask_babel import gettext as _

from ..model import Post


@dataclass
class Batch:
    """What one fetch brought: posts, the cursor to save with them, deletions and edits seen."""

    posts: list[Post] = field(default_factory=list)
    cursor: dict[str, Any] = field(default_factory=dict)
    deleted: list[tuple[str, str]] = field(default_factory=list)  # (platform, remote_id)
    updated: list[Post] = field(default_factory=list)  # posts edited by their authors
    skipped: list[str] = field(default_factory=list)  # plain-words reasons for items left out
    done: bool = False  # nothing more will ever come (a finished replay)
    notes: list[str] = field(default_factory=list)  # plain-words remarks for the console


class Source(Protocol):
    """A place posts come from. `fetch` does I/O only through the client it was given.

    Optional, where the platform allows: `recheck(remote_ids, now) -> list[str]` returns the
    ids among those given that no longer exist at the source (deleted posts);
    `stream(cursor, emit, stop)` blocks reading a live stream, calling `emit(batch)`.
    """

    platform: ClassVar[str]
    default_interval: ClassVar[float]  # seconds between two fetches

    def fetch(self, cursor: dict[str, Any], now: datetime) -> Batch:
        """Everything new since `cursor`."""
        ...


class SourceFactory(Protocol):
    def __call__(
        self,
        config: dict[str, Any],
        event: dict[str, Any],
        client: httpx.Client | None,
        settings: dict[str, Any],
    ) -> Source: ...


REGISTRY: dict[str, SourceFactory] = {}


def register(platform: str):
    """Class decorator: make a source available under a platform name."""

    def decorate(cls):
        cls.platform = platform
        if not hasattr(cls, "default_interval"):
            cls.default_interval = 0.0
        REGISTRY[platform] = cls
        return cls

    return decorate


def make_source(
    source: dict[str, Any],
    event: dict[str, Any],
    settings: dict[str, Any],
    client: httpx.Client | None = None,
) -> Source:
    """Build the source object for a stored source row."""
    try:
        factory = REGISTRY[source["platform"]]
    except KeyError:
        raise ValueError(_("Platform %(platform)s is not available: use one of %(choices)s.",
                           platform=repr(source["platform"]),
                           choices=", ".join(sorted(REGISTRY)))) from None
    return factory(source["config"], event, client, settings)


def source_config(platform: str, *, instance: str | None = None, hashtags=(), accounts=(),
                  query: str | None = None, interval: float | None = None,
                  cap_per_hour: int | None = None, file: str | None = None,
                  speed: float | None = None, default_speed: float = 36.0) -> dict:
    """A source's stored configuration from what the lead typed (CLI or console form).

    Hashtags and accounts left out follow the event's own lists.
    """
    if platform == "replay":
        config: dict = {"speed": default_speed if speed is None else speed}
        if file:
            config["file"] = str(Path(file).resolve())
        return config
    config = {}
    if instance:
        if not instance.startswith(("http://", "https://")):
            raise ValueError(_("Address %(address)s is not valid: start it with https://",
                               address=repr(instance)))
        config["url" if platform == "rss" else "instance"] = instance.rstrip("/")
    elif platform == "rss":
        raise ValueError(_("For an RSS feed, give its address with --instance URL."))
    elif platform == "mastodon":
        raise ValueError(_("For Mastodon, give the instance with --instance, e.g. "
                           "https://mastodon.social"))
    if hashtags:
        config["hashtags"] = [h.lstrip("#") for h in hashtags if h.strip("# ")]
    if accounts:
        config["accounts"] = list(accounts)
    if query:
        config["query"] = query
    if interval is not None:
        if interval < 5:
            raise ValueError(_("The shortest interval between two reads is 5 seconds."))
        config["interval"] = interval
    if cap_per_hour is not None:
        config["cap_per_hour"] = cap_per_hour
    return config
