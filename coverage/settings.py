"""Every setting in one table: name, default, help; read from PIAZZA_* environment variables."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Setting:
    name: str  # the Flask config key; the environment variable is PIAZZA_<name>
    default: Any
    help: str
    secret: bool = False  # never shown in pages, logs or exports


SETTINGS: tuple[Setting, ...] = (
    Setting("HOST", "127.0.0.1", "Address `python app.py` listens on."),
    Setting("PORT", 5000, "Port `python app.py` listens on."),
    Setting("DB", "instance/piazza.db", "Path of the SQLite database."),
    Setting("SECRET_KEY", "", "Signs session cookies; made in the instance folder when empty.",
            secret=True),
    Setting("HTTPS", False, "Served over https (directly or behind a proxy): Secure cookies."),
    Setting("PROXIES", 0, "How many reverse proxies stand in front (trust their X-Forwarded-*)."),
    Setting("REDIS_URL", "", "Message queue for several server processes (redis://…)."),
    Setting("ASYNC_MODE", "auto", "gevent (what app.py and gunicorn use), threading, or auto: "
            "gevent when the process was patched for it at start."),
    Setting("LANGUAGE", "it", "Language (it or en) of pages when neither the reader nor their "
            "browser chooses one, and of the command line."),
    Setting("DEMO", True, "Load and replay the bundled demo event on an empty database."),
    Setting("DEMO_SPEED", 36.0, "Demo replay speed, times real time (36: the day in ~15 min)."),
    Setting("COLLECT", True, "Run the collector inside the server process."),
    Setting("POLL_SECONDS", 2.0, "Seconds between collector rounds."),
    Setting("RECHECK_SECONDS", 300.0, "Seconds between checks that approved posts still exist."),
    Setting("AUDIT_RETENTION_DAYS", 0, "Days of audit log to keep (0: keep everything)."),
    Setting("STREAM", True, "Use live streams where a platform offers them (Mastodon)."),
    Setting("FOLLOW_SECONDS", 0.2, "Seconds between reads of the change log by the live server."),
    Setting("EXPORTS", "exports", "Folder where `flask export` writes recaps."),
    Setting("MASTODON_TOKEN", "", "Mastodon access token (optional).", secret=True),
    Setting("BLUESKY_HANDLE", "", "Bluesky handle for app-password login."),
    Setting("BLUESKY_APP_PASSWORD", "", "Bluesky app password.", secret=True),
    Setting("X_BEARER_TOKEN", "", "X API v2 bearer token.", secret=True),
    Setting("THREADS_TOKEN", "", "Threads (Meta) access token, for Threads posts added by URL.",
            secret=True),
)

_BY_NAME = {s.name: s for s in SETTINGS}


def _coerce(raw: str, default: Any) -> Any:
    """Turn an environment string into the type of the default."""
    if isinstance(default, bool):
        return raw.strip().lower() in {"1", "true", "yes", "on", "si", "sì"}
    if isinstance(default, int):
        return int(raw)
    if isinstance(default, float):
        return float(raw)
    return raw


def load_settings(overrides: dict[str, Any] | None = None,
                  environ: dict[str, str] | None = None) -> dict[str, Any]:
    """Defaults, then PIAZZA_* variables, then explicit overrides (e.g. from tests)."""
    environ = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    for setting in SETTINGS:
        raw = environ.get(f"PIAZZA_{setting.name}")
        try:
            values[setting.name] = setting.default if raw is None else _coerce(raw, setting.default)
        except ValueError as exc:
            raise ValueError(
                f"PIAZZA_{setting.name}={raw!r} is not valid: expected a value like "
                f"{setting.default!r}") from exc
    values.update(overrides or {})
    return values


def secrets_from_instance(values: dict[str, Any]) -> dict[str, Any]:
    """Fill empty secret settings from files in the instance folder, one file per secret,
    named like the setting in lower case (e.g. instance/x_bearer_token). Never from git."""
    folder = instance_path(values)
    for setting in SETTINGS:
        if setting.secret and not values.get(setting.name):
            path = folder / setting.name.lower()
            if path.is_file():
                values[setting.name] = path.read_text(encoding="utf-8").strip()
    return values


def secret_values(config: dict[str, Any]) -> list[str]:
    """The configured secret strings, for redaction."""
    return [str(config[s.name]) for s in SETTINGS if s.secret and config.get(s.name)]


def instance_path(config: dict[str, Any]) -> Path:
    """The folder holding the database (and the generated secret key)."""
    return Path(config["DB"]).resolve().parent
