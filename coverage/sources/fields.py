"""Field rules every normalizer shares: UTC timestamps, size bounds, safe URLs."""

from __future__ import annotations

import calendar
import re
import time
from datetime import UTC, datetime

from coverage.model import NormalizeError
from coverage.sanitize import is_http_url

NAME_MAX = 200
ALT_MAX = 1500
TEXT_MAX = 20_000
URL_MAX = 2048
# Already UTC, to the second or finer: "2026-11-19T09:31:00.000Z".
_UTC_SECONDS = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,6})?Z")


def clip(value: object, limit: int) -> str:
    """`value` as a string of at most `limit` characters ("" for None and non-strings)."""
    return value[:limit] if isinstance(value, str) else ""


def http_url(value: object) -> str:
    """`value` when it is a reasonable http(s) URL, else ""."""
    if isinstance(value, str) and len(value) <= URL_MAX and is_http_url(value):
        return value.strip()
    return ""


def utc_timestamp(value: object, what: str = "post") -> str:
    """An ISO-8601 time as "YYYY-MM-DDTHH:MM:SSZ" in UTC; NormalizeError when unreadable."""
    if not isinstance(value, str) or not value.strip():
        raise NormalizeError(f"{what} has no creation time")
    text = value.strip()
    if _UTC_SECONDS.fullmatch(text):  # what the platforms send: only checked, then cut
        try:
            datetime.fromisoformat(text[:19])
        except ValueError:
            raise NormalizeError(f"{what} has an unreadable creation time: {value[:64]!r}") \
                from None
        return text[:19] + "Z"
    if text[-1:] in ("Z", "z"):
        text = text[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise NormalizeError(f"{what} has an unreadable creation time: {value[:64]!r}") from None
    # A time without an offset is taken as UTC: the platforms that omit it mean UTC.
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def utc_from_struct(value: time.struct_time) -> str:
    """A UTC struct_time (as feedparser gives) as "YYYY-MM-DDTHH:MM:SSZ"."""
    moment = datetime.fromtimestamp(calendar.timegm(value), tz=UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
