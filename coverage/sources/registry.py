"""One small interface for every source, and the registry that maps a platform name to it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar, Protocol

import httpx

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
        raise ValueError(
            f"Piattaforma {source['platform']!r} non disponibile: "
            f"usa una di {', '.join(sorted(REGISTRY))}."
        ) from None
    return factory(source["config"], event, client, settings)
