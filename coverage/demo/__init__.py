"""The bundled demo event: a recorded conference day replayed live on a fresh install."""

from __future__ import annotations

from typing import Any

from ..sources.replay import DEMO_FILE, load_recording
from ..store import Store


def load_demo(store: Store, settings: dict[str, Any]) -> dict[str, Any]:
    """Create the demo event and its replay source (played at DEMO_SPEED)."""
    event = store.create_event(load_recording(str(DEMO_FILE))["event"])
    store.add_source(event["slug"], "replay", {"speed": settings["DEMO_SPEED"]},
                     name="Demo (replay)")
    return event
