"""Template filters: dates and times in the event's time zone, in the page's language."""

from __future__ import annotations

from datetime import datetime

from babel.dates import format_date, format_datetime, format_time
from flask import Flask

from ..model import parse_time, time_zone


def local_datetime(value: str | None, tz: str = "Europe/Rome", lang: str | None = None,
                   style: str = "time") -> str:
    """An ISO UTC time as people read it: '09:31', '19 novembre 2026', or both.

    Without `lang`, in the language the page speaks (the reader's, or the event's on the wall).
    """
    if not value:
        return ""
    lang = lang or page_language()
    moment: datetime = parse_time(value)
    zone = time_zone(tz)
    if style == "time":
        return format_time(moment, "HH:mm", tzinfo=zone, locale=lang)
    if style == "date":
        return format_date(moment.astimezone(zone).date(), "long", locale=lang)
    return format_datetime(moment, "d MMMM y, HH:mm", tzinfo=zone, locale=lang)



def local_day(value: str | None, tz: str = "Europe/Rome") -> str:
    """The calendar day (YYYY-MM-DD) of an ISO UTC time in a time zone; '' when unknown."""
    if not value:
        return ""
    return parse_time(value).astimezone(time_zone(tz)).date().isoformat()


def page_language() -> str:
    """The language of the page being rendered; English with no app, as gettext answers."""
    from flask_babel import get_locale

    locale = get_locale()
    return str(locale) if locale else "en"


def register_filters(app: Flask) -> None:
    """Make the filters available to every template."""
    app.jinja_env.filters["local_datetime"] = local_datetime
    app.jinja_env.filters["local_day"] = local_day
