"""Sources: one module per platform behind one small interface (see `registry`)."""

from __future__ import annotations

from .registry import REGISTRY, Batch, Source, make_source, register, source_config

# Built-in sources register themselves on import, like any plug-in would.
from . import bluesky, mastodon, replay, rss, x  # noqa: E402,F401  isort: skip

__all__ = ["REGISTRY", "Batch", "Source", "make_source", "register", "source_config"]
