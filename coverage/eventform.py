"""The event's settings form and the programme's CSV import: what the lead typed → clean data.

Pure: takes the form's strings (or a CSV file's bytes) and returns the event as the store
keeps it (times ISO-8601 UTC) together with every problem in plain words, keyed by the field
that needs fixing, so the page can show each message beside its field. `event_form` goes the
other way: a stored event → the strings the form shows.

Times are typed in the event's time zone. A session's start and end are "09:30" (on the day
the event starts) or a date and a time ("2026-11-20 09:30", "20/11/2026 9.30"); dates are
read day first, as they are written in Italy.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from flask_babel import gettext as _

from .i18n import LANGUAGES
from .model import parse_time

MAX_SESSIONS = 200  # rows of a programme, in the form or in a file
MAX_CSV_BYTES = 256 * 1024  # a 200-row programme with long descriptions is ~100 kB
MAX_ERRORS_LISTED = 20  # a file with more problems gets the first ones and a count
MAX_HASHTAGS = 30
MAX_ACCOUNTS = 500
MAX_SPEAKERS = 30
DEFAULT_TIMEZONE = "Europe/Rome"
LENGTHS = {"name": 200, "description": 5000, "venue": 300, "url": 500, "title": 200,
           "room": 100, "session_description": 2000, "speaker": 200}
SLUG = re.compile(r"[a-z0-9][a-z0-9-]{0,62}")
SESSION_KEY = re.compile(r"[a-z0-9][a-z0-9-]{0,39}")
USER_NAME = re.compile(r"[\w.@-]{2,40}")
SESSION_FIELDS = ("title", "start", "end", "room", "speakers", "description")

# Column names a programme file may use (compared without accents, case or punctuation).
COLUMNS: dict[str, tuple[str, ...]] = {
    "title": ("titolo", "title", "sessione", "session", "titolo sessione", "session title",
              "intervento", "talk"),
    "start": ("inizio", "start", "ora inizio", "orario inizio", "ora di inizio", "dalle",
              "start time", "starts", "starts at", "begin", "from"),
    "end": ("fine", "end", "ora fine", "orario fine", "ora di fine", "alle", "end time",
            "ends", "ends at", "until", "to"),
    "room": ("sala", "room", "aula", "luogo", "location", "stanza", "venue"),
    "speakers": ("relatori", "relatore", "relatrici", "relatrice", "relatori relatrici",
                 "speakers", "speaker", "interventi", "ospiti", "con"),
    "description": ("descrizione", "description", "abstract", "sommario", "summary"),
    "date": ("data", "date", "giorno", "day"),
    "key": ("chiave", "key", "codice", "id", "code"),
}


class Errors(dict[str, str]):
    """Problems by field id, in the order they were found (the first per field is kept)."""

    def add(self, field_id: str, message: str) -> None:
        self.setdefault(field_id, message)


@dataclass
class FormResult:
    """The event read from the form: clean data when `errors` is empty; `values` and `rows`
    are the strings as typed, to show the form again."""

    event: dict[str, Any]
    errors: Errors
    values: dict[str, str]
    rows: list[dict[str, Any]]
    tz: ZoneInfo = field(default_factory=lambda: ZoneInfo(DEFAULT_TIMEZONE))
    day: date | None = None  # the event's first day, where a time alone is put
    span: tuple[datetime, datetime] | None = None  # when the event starts and ends


@dataclass
class CsvResult:
    """Sessions read from a programme file, or the problems found (then `sessions` is empty)."""

    sessions: list[dict[str, Any]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


# -- small pieces ----------------------------------------------------------------------------
def suggest_slug(name: str) -> str:
    """An address for the event from its name: "#PASocial 2026 · Roma" → "pasocial-2026-roma"."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    slug = re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:63].strip("-")
    return slug or "evento"


@lru_cache(maxsize=1)
def timezones() -> list[str]:
    """Every time zone's name (IANA), sorted: what the form offers."""
    return sorted(available_timezones())


def zone(name: str) -> ZoneInfo | None:
    """The time zone called `name` (an IANA name, e.g. Europe/Rome), or None."""
    if name not in timezones():
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def _words(text: str) -> list[str]:
    return [w for w in re.split(r"[\s,;]+", text or "") if w]


def parse_hashtags(text: str) -> tuple[list[str], list[str]]:
    """Hashtags separated by spaces, commas or lines ('#' optional); and the entries refused."""
    tags: dict[str, str] = {}
    bad = []
    for word in _words(text):
        tag = word.lstrip("#＃")
        if re.fullmatch(r"\w{1,100}", tag) and not tag.isdigit():
            tags.setdefault(tag.casefold(), tag)
        else:
            bad.append(word)
    return list(tags.values()), bad


_MASTODON = re.compile(r"@?([\w.-]+)@([\w-]+(?:\.[\w-]+)+)")
_DOMAIN = re.compile(r"@?([a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+)",
                     re.I)
# X's names are 1–15 characters, but older accounts exist with longer ones: the X source
# itself says which names it cannot search for.
_X_NAME = re.compile(r"@?(\w{1,50})", re.ASCII)
_PLATFORM_PREFIX = re.compile(r"(mastodon|bluesky|bsky|x|twitter)\s*:\s*(.+)", re.I)


def parse_account(text: str) -> dict[str, str] | None:
    """One account to follow, its platform told by its shape: @name@instance (Mastodon),
    name.bsky.social or a domain (Bluesky), @name (X); a profile URL; or PLATFORM:HANDLE.
    None when it is none of these."""
    value = text.strip()
    prefixed = _PLATFORM_PREFIX.fullmatch(value)
    if prefixed:
        platform = {"bsky": "bluesky", "twitter": "x"}.get(prefixed[1].lower(),
                                                          prefixed[1].lower())
        account = parse_account(prefixed[2])
        if account is None or account["platform"] != platform:
            if platform == "x" and _X_NAME.fullmatch(prefixed[2].strip()):
                return {"platform": "x", "handle": "@" + prefixed[2].strip().lstrip("@")}
            return None
        return account
    if value.startswith(("https://", "http://")):
        return _account_from_url(value)
    if match := _MASTODON.fullmatch(value):
        return {"platform": "mastodon", "handle": f"@{match[1]}@{match[2].lower()}"}
    if match := _DOMAIN.fullmatch(value):
        return {"platform": "bluesky", "handle": "@" + match[1].lower()}
    if value.startswith("@") and (match := _X_NAME.fullmatch(value)):
        return {"platform": "x", "handle": "@" + match[1]}
    return None


def _account_from_url(url: str) -> dict[str, str] | None:
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    path = [p for p in parts.path.split("/") if p]
    if host in ("x.com", "www.x.com", "twitter.com", "www.twitter.com", "mobile.twitter.com") \
            and len(path) == 1 and _X_NAME.fullmatch(path[0]):
        return {"platform": "x", "handle": "@" + path[0]}
    if host == "bsky.app" and len(path) == 2 and path[0] == "profile" \
            and _DOMAIN.fullmatch(path[1]):
        return {"platform": "bluesky", "handle": "@" + path[1].lower()}
    if host and len(path) == 1 and path[0].startswith("@") and "@" not in path[0][1:]:
        return {"platform": "mastodon", "handle": f"{path[0]}@{host}"}
    return None


def parse_accounts(text: str) -> tuple[list[dict[str, str]], list[str]]:
    """Accounts one per line or separated by commas; and the entries that are not accounts."""
    accounts: dict[tuple[str, str], dict[str, str]] = {}
    bad = []
    for line in re.split(r"[\n,;]+", text or ""):
        value = line.strip()
        if not value:
            continue
        account = parse_account(value)
        if account is None:
            bad.append(value)
        else:
            accounts.setdefault((account["platform"], account["handle"].lower()), account)
    return list(accounts.values()), bad


def format_account(account: Mapping[str, Any]) -> str:
    """An account as the lead types it: the handle alone when its shape tells the platform."""
    handle = str(account.get("handle") or "")
    platform = str(account.get("platform") or "")
    told = parse_account(handle)
    return handle if told and told["platform"] == platform else f"{platform}:{handle}"


def _split_outside_brackets(text: str, separators: str) -> list[str]:
    parts, depth, current = [], 0, []
    for char in text:
        if char in "([":
            depth += 1
        elif char in ")]":
            depth = max(depth - 1, 0)
        if char in separators and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return [p.strip() for p in parts if p.strip()]


def _is_handle(word: str) -> bool:
    """A speaker's handle among the words of a name: "@…", "….bsky.social" or a profile URL
    (a bare "a.rossi" stays part of the name)."""
    if word.startswith("@") or word.lower().endswith(".bsky.social") \
            or word.startswith(("https://", "http://")):
        return parse_account(word) is not None
    return False


def _tokens(text: str) -> list[str]:
    """Words, and bracketed groups kept whole (nested brackets included)."""
    tokens, current, depth = [], [], 0
    for char in text:
        if depth == 0 and char.isspace():
            if current:
                tokens.append("".join(current))
                current = []
            continue
        if char in "([":
            if depth == 0 and current:
                tokens.append("".join(current))
                current = []
            depth += 1
        elif char in ")]" and depth:
            depth -= 1
            if depth == 0:
                current.append(char)
                tokens.append("".join(current))
                current = []
                continue
        current.append(char)
    if current:
        tokens.append("".join(current))
    return tokens


def parse_speakers(text: str) -> list[dict[str, str]]:
    """Speakers one per line (or separated by ';', or by commas when there is neither):
    "Name", "Name @handle", "Name (role) @handle" or "Name (@handle)"."""
    text = (text or "").strip()
    if not text:
        return []
    separators = "\n;" if re.search(r"[\n;]", text) else ","
    speakers = []
    for part in _split_outside_brackets(text, separators):
        handle = role = ""
        words = []
        for word in _tokens(part):
            inner = word[1:-1].strip() if word[:1] in "([" else word
            if not handle and _is_handle(inner):
                account = parse_account(inner)
                handle = account["handle"] if account else inner
            elif word[:1] in "([" and not role:
                role = inner
            else:
                words.append(word)
        speaker = {"name": " ".join(words)[:LENGTHS["speaker"]]}
        if role:
            speaker["role"] = role[:LENGTHS["speaker"]]
        if handle:
            speaker["handle"] = handle
        if speaker["name"] or handle:
            speakers.append(speaker)
    return speakers


def format_speakers(speakers: Iterable[Mapping[str, Any]]) -> str:
    """Speakers one per line, as `parse_speakers` reads them back."""
    lines = []
    for s in speakers:
        if not isinstance(s, Mapping):
            continue
        parts = [str(s.get("name") or "")]
        if s.get("role"):
            parts.append(f"({s['role']})")
        if s.get("handle"):
            parts.append(str(s["handle"]))
        lines.append(" ".join(p for p in parts if p))
    return "\n".join(lines)


# -- times -------------------------------------------------------------------------------------
_TIME = re.compile(r"(\d{1,2})(?:[:.h](\d{2}))?(?::(\d{2}))?")
_DATES = (
    (re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})"), ("y", "m", "d")),
    (re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})"), ("d", "m", "y")),
    (re.compile(r"(\d{1,2})/(\d{1,2})/(\d{2})"), ("d", "m", "y2")),
)


def parse_clock(text: str) -> time | None:
    """"9:30", "09.30", "9h30", "09:30:00" or "9" → a time of day; None when it is not one."""
    match = _TIME.fullmatch(text.strip())
    if not match:
        return None
    hour, minute, second = int(match[1]), int(match[2] or 0), int(match[3] or 0)
    if match[2] is None and match[3] is None and not text.strip().isdigit():
        return None
    if hour > 23 or minute > 59 or second > 59:
        return None
    return time(hour, minute, second)


def parse_day(text: str) -> date | None:
    """"2026-11-19", "19/11/2026", "19.11.2026", "19-11-2026" or "19/11/26" → a date."""
    text = text.strip()
    for pattern, order in _DATES:
        match = pattern.fullmatch(text)
        if match:
            parts = dict(zip(order, (int(g) for g in match.groups()), strict=True))
            year = parts.get("y") or 2000 + parts["y2"]
            try:
                return date(year, parts["m"], parts["d"])
            except ValueError:
                return None
    return None


class NoDay(ValueError):
    """A time of day alone where no day is known to put it on."""


NO_DAY = "no_day"  # the field of a problem that is the missing day, not the session's own


def parse_moment(text: str, tz: ZoneInfo, day: date | None = None) -> datetime | None:
    """A moment typed in the event's zone: a date and a time, or a time alone on `day`;
    ISO-8601 with an offset is taken as is. None when unreadable; NoDay when a time alone
    comes without a day to put it on."""
    text = " ".join((text or "").replace("T", " ").split())
    if not text:
        return None
    if re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:?\d\d)", text):
        try:
            return parse_time(text.replace(" ", "T"))
        except ValueError:
            return None
    pieces = [p for p in text.replace(",", " ").split() if p.lower() not in ("ore", "h", "alle",
                                                                             "at")]
    if len(pieces) == 2:
        day_part, clock = parse_day(pieces[0]), parse_clock(pieces[1])
        if day_part is None or clock is None:
            return None
        return datetime.combine(day_part, clock, tz).astimezone(UTC)
    clock = parse_clock(pieces[0]) if len(pieces) == 1 else None
    if clock is None:
        return None
    if day is None:
        raise NoDay(text)
    return datetime.combine(day, clock, tz).astimezone(UTC)


def iso(moment: datetime) -> str:
    """A moment as the store keeps it: ISO-8601 UTC with Z, to the second."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def local_input(value: str | None, tz: ZoneInfo) -> str:
    """A stored time as an <input type="datetime-local"> value in the event's zone."""
    if not value:
        return ""
    return parse_time(value).astimezone(tz).strftime("%Y-%m-%dT%H:%M")


def format_moment(value: str | datetime | None, tz: ZoneInfo, day: date | None) -> str:
    """A stored time as the programme shows it: "09:30" on `day`, else "2026-11-20 09:30"."""
    if not value:
        return ""
    moment = parse_time(value) if isinstance(value, str) else value
    local = moment.astimezone(tz)
    if day is not None and local.date() == day:
        return local.strftime("%H:%M")
    return local.strftime("%Y-%m-%d %H:%M")


# -- sessions -----------------------------------------------------------------------------------
def _session_key(title: str, taken: set[str]) -> str:
    base = suggest_slug(title)[:40].strip("-") or "sessione"
    key, n = base, 2
    while key in taken:
        key, n = f"{base}-{n}", n + 1
    taken.add(key)
    return key


def check_session(raw: Mapping[str, str], where: str, tz: ZoneInfo, day: date | None,
                  event_range: tuple[datetime, datetime] | None = None,
                  ) -> tuple[dict[str, Any] | None, list[tuple[str, str]]]:
    """One session of the programme from its strings; `where` names it in messages
    ("Row 4", "Session 2"). Returns the session (None when it has problems) and the
    problems as (field, message)."""
    problems: list[tuple[str, str]] = []
    title = " ".join((raw.get("title") or "").split())
    if not title:
        problems.append(("title", _("%(where)s: write the title of the session.", where=where)))
    elif len(title) > LENGTHS["title"]:
        problems.append(("title", _(
            "%(where)s: the title is %(n)s characters long; shorten it to %(max)s at most.",
            where=where, n=len(title), max=LENGTHS["title"])))
    moments: dict[str, datetime] = {}
    for name in ("start", "end"):
        value = (raw.get(name) or "").strip()
        if not value:
            problems.append((name, _("%(where)s: write when the session starts, e.g. 09:30.",
                                     where=where) if name == "start" else
                             _("%(where)s: write when the session ends, e.g. 10:15.",
                               where=where)))
            continue
        try:
            moment = parse_moment(value, tz, day)
        except NoDay:
            problems.append((NO_DAY, _(
                "%(where)s: “%(value)s” has no date: fill in when the event starts first, or "
                "write the date too, e.g. 19/11/2026 %(value)s.", where=where, value=value)))
            continue
        if moment is None:
            problems.append((name, _(
                "%(where)s: “%(value)s” is not a time: write it as 09:30, or with the date "
                "(19/11/2026 09:30) for another day.", where=where, value=value)))
            continue
        moments[name] = moment
    if "start" in moments and "end" in moments:
        start, end = moments["start"], moments["end"]
        shown = {k: format_moment(v, tz, day) for k, v in moments.items()}
        if end < start:
            problems.append(("end", _(
                "%(where)s: the end time %(end)s comes before the start %(start)s: check the "
                "two times.", where=where, end=shown["end"], start=shown["start"])))
        elif end == start:
            problems.append(("end", _(
                "%(where)s: the session ends when it starts (%(start)s): check the end time.",
                where=where, start=shown["start"])))
        elif event_range and (start < event_range[0] or end > event_range[1]):
            problems.append(("start" if start < event_range[0] else "end", _(
                "%(where)s (%(start)s–%(end)s) falls outside the event (%(from)s–%(to)s): "
                "check the times, or when the event starts and ends.", where=where,
                start=shown["start"], end=shown["end"],
                **{"from": format_moment(event_range[0], tz, day),
                   "to": format_moment(event_range[1], tz, day)})))
    room = " ".join((raw.get("room") or "").split())
    if len(room) > LENGTHS["room"]:
        problems.append(("room", _(
            "%(where)s: the room's name is %(n)s characters long; shorten it to %(max)s at "
            "most.", where=where, n=len(room), max=LENGTHS["room"])))
    description = (raw.get("description") or "").strip().replace("\r\n", "\n")
    if len(description) > LENGTHS["session_description"]:
        problems.append(("description", _(
            "%(where)s: the description is %(n)s characters long; shorten it to %(max)s at "
            "most.", where=where, n=len(description), max=LENGTHS["session_description"])))
    speakers = parse_speakers(raw.get("speakers") or "")
    if len(speakers) > MAX_SPEAKERS:
        problems.append(("speakers", _(
            "%(where)s: %(n)s speakers; at most %(max)s per session.", where=where,
            n=len(speakers), max=MAX_SPEAKERS)))
    if problems:
        return None, problems
    session: dict[str, Any] = {
        "title": title, "starts_at": iso(moments["start"]), "ends_at": iso(moments["end"]),
        "room": room, "speakers": speakers, "description": description}
    if (raw.get("key") or "").strip():
        session["key"] = raw["key"].strip()[:40]
    if str(raw.get("id") or "").strip().isdigit():
        session["id"] = int(str(raw["id"]).strip())
    return session, []


def match_sessions(sessions: list[dict[str, Any]],
                   existing: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Give imported sessions the id of the stored session they replace: same key, else the
    same title; each stored session is matched once. Posts attached to it stay attached."""
    by_key = {s["key"]: s for s in existing}
    free = {s["id"]: s for s in existing}
    out = []
    for session in sessions:
        session = dict(session)
        match = by_key.get(session.get("key", ""))
        if match is None or match["id"] not in free:
            title = session["title"].casefold()
            match = next((s for s in free.values() if s["title"].casefold() == title), None)
        if match is not None and match["id"] in free:
            session["id"] = match["id"]
            session["key"] = match["key"]
            del free[match["id"]]
        out.append(session)
    return out


def assign_keys(sessions: list[dict[str, Any]],
                existing: list[dict[str, Any]] = ()) -> list[dict[str, Any]]:
    """Every session with a key unique in the programme: a stored session keeps its own, a
    new one gets one made from its title (the recap's edits refer to sessions by key)."""
    kept = {s["id"]: s["key"] for s in existing}
    taken = {kept[s["id"]] for s in sessions if s.get("id") in kept}
    out = []
    for session in sessions:
        session = dict(session)
        if session.get("id") in kept:
            session["key"] = kept[session["id"]]
        elif SESSION_KEY.fullmatch(session.get("key") or "") and session["key"] not in taken:
            taken.add(session["key"])
        else:
            session.pop("id", None)
            session["key"] = _session_key(session["title"], taken)
        out.append(session)
    return out


# -- the form ---------------------------------------------------------------------------------
EVENT_FIELDS = ("name", "slug", "description", "venue", "url", "language", "timezone",
                "starts_at", "ends_at", "hashtags", "accounts")


def event_form(event: Mapping[str, Any] | None = None) -> tuple[dict[str, str], list[dict]]:
    """The strings the settings form shows for a stored event (or a new one), and its
    programme as rows."""
    if event is None:
        return ({"name": "", "slug": "", "description": "", "venue": "", "url": "",
                 "language": "it", "timezone": DEFAULT_TIMEZONE, "starts_at": "",
                 "ends_at": "", "hashtags": "", "accounts": ""}, [])
    tz = zone(event.get("timezone") or "") or ZoneInfo(DEFAULT_TIMEZONE)
    values = {
        "name": event.get("name") or "", "slug": event.get("slug") or "",
        "description": event.get("description") or "", "venue": event.get("venue") or "",
        "url": event.get("url") or "", "language": event.get("language") or "it",
        "timezone": event.get("timezone") or DEFAULT_TIMEZONE,
        "starts_at": local_input(event.get("starts_at"), tz),
        "ends_at": local_input(event.get("ends_at"), tz),
        "hashtags": " ".join("#" + t for t in event.get("hashtags") or []),
        "accounts": "\n".join(format_account(a) for a in event.get("accounts") or []
                              if isinstance(a, Mapping)),
    }
    return values, session_rows(event.get("sessions") or [], tz, _day(event.get("starts_at"),
                                                                      tz))


def session_rows(sessions: Iterable[Mapping[str, Any]], tz: ZoneInfo,
                 day: date | None) -> list[dict[str, Any]]:
    """Sessions (stored or imported) as the form's rows of strings."""
    return [{"id": str(s.get("id") or ""), "key": s.get("key") or "", "title": s["title"],
             "start": format_moment(s["starts_at"], tz, day),
             "end": format_moment(s["ends_at"], tz, day), "room": s.get("room") or "",
             "speakers": format_speakers(s.get("speakers") or []),
             "description": s.get("description") or "", "remove": False}
            for s in sessions]


def _day(value: str | None, tz: ZoneInfo) -> date | None:
    return parse_time(value).astimezone(tz).date() if value else None


def posted_rows(form: Mapping[str, str]) -> list[dict[str, Any]]:
    """The programme's rows as posted (fields named s-N-title, s-N-start, …), in order of N;
    the spare empty rows left out."""
    indices = sorted({int(m[1]) for key in form
                      if (m := re.fullmatch(r"s-(\d{1,4})-[a-z]+", key))})
    rows = []
    for n in indices[:MAX_SESSIONS + 50]:
        row: dict[str, Any] = {name: (form.get(f"s-{n}-{name}") or "")
                               for name in ("id", "key", *SESSION_FIELDS)}
        row["id"] = row["id"].strip() if row["id"].strip().isdigit() else ""
        row["remove"] = bool(form.get(f"s-{n}-remove"))
        if row["id"] or any(row[name].strip() for name in SESSION_FIELDS):
            rows.append(row)
    return rows


def read_event_form(form: Mapping[str, str], *, creating: bool,
                    rows: list[dict[str, Any]] | None = None) -> FormResult:
    """The settings form → the event as the store keeps it, or the problems by field id.

    `rows` replaces the posted programme (an imported file's, shown for review). Field ids
    are those of the form: name, slug, …, and s-N-title, s-N-start … for the N-th row."""
    errors = Errors()
    values = {name: str(form.get(name) or "") for name in EVENT_FIELDS}
    event: dict[str, Any] = {}

    name = " ".join(values["name"].split())
    if not name:
        errors.add("name", _("Write the event's name, e.g. #pasocial 2026."))
    elif len(name) > LENGTHS["name"]:
        errors.add("name", _("The name is %(n)s characters long; shorten it to %(max)s at most.",
                             n=len(name), max=LENGTHS["name"]))
    event["name"] = name

    if creating:
        slug = values["slug"].strip().lower() or (suggest_slug(name) if name else "")
        values["slug"] = slug
        if slug and not SLUG.fullmatch(slug):
            errors.add("slug", _(
                "The address may contain only lower-case letters without accents, digits and "
                "hyphens, and must begin with a letter or a digit, e.g. pasocial-2026."))
        event["slug"] = slug

    for key, limit in (("description", "description"), ("venue", "venue")):
        text = values[key].strip().replace("\r\n", "\n")
        if len(text) > LENGTHS[limit]:
            errors.add(key, _("This text is %(n)s characters long; shorten it to %(max)s at "
                              "most.", n=len(text), max=LENGTHS[limit]))
        event[key] = text

    url = values["url"].strip()
    if url:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname or " " in url:
            errors.add("url", _("The event page's address must begin with https://, e.g. "
                                "https://www.comune.example/evento."))
        elif len(url) > LENGTHS["url"]:
            errors.add("url", _("The address is too long: at most %(max)s characters.",
                                max=LENGTHS["url"]))
    event["url"] = url

    language = values["language"].strip() or "it"
    if language not in LANGUAGES:
        errors.add("language", _("Choose the language of the wall and the recap: Italian or "
                                 "English."))
    event["language"] = language

    tz_name = values["timezone"].strip() or DEFAULT_TIMEZONE
    values["timezone"] = tz_name
    tz = zone(tz_name)
    if tz is None:
        errors.add("timezone", _("“%(value)s” is not a time zone: choose one from the list, "
                                 "e.g. Europe/Rome.", value=tz_name))
        tz = ZoneInfo(DEFAULT_TIMEZONE)
    event["timezone"] = tz_name

    moments: dict[str, datetime] = {}
    for key in ("starts_at", "ends_at"):
        value = values[key].strip()
        if not value:
            errors.add(key, _("Write when the event starts: date and time.") if key ==
                       "starts_at" else _("Write when the event ends: date and time."))
            continue
        try:
            moment = parse_moment(value, tz)
        except NoDay:
            moment = None
        if moment is None:
            errors.add(key, _("“%(value)s” is not a date and time: write it as "
                              "19/11/2026 09:00.", value=value))
            continue
        moments[key] = moment
        event[key] = iso(moment)
    day = moments["starts_at"].astimezone(tz).date() if "starts_at" in moments else None
    event_range = None
    if len(moments) == 2:
        if moments["ends_at"] <= moments["starts_at"]:
            errors.add("ends_at", _(
                "The event ends (%(end)s) before it starts (%(start)s): check the two dates.",
                end=format_moment(moments["ends_at"], tz, None),
                start=format_moment(moments["starts_at"], tz, None)))
        else:
            event_range = (moments["starts_at"], moments["ends_at"])

    hashtags, bad = parse_hashtags(values["hashtags"])
    if bad:
        errors.add("hashtags", _(
            "“%(value)s” is not a hashtag: use letters, digits and _ only, without spaces or "
            "punctuation; separate hashtags with spaces.", value=bad[0]))
    elif len(hashtags) > MAX_HASHTAGS:
        errors.add("hashtags", _("%(n)s hashtags: at most %(max)s.", n=len(hashtags),
                                 max=MAX_HASHTAGS))
    event["hashtags"] = hashtags

    accounts, bad = parse_accounts(values["accounts"])
    if bad:
        errors.add("accounts", _(
            "“%(value)s” is not an account: write @name@instance for Mastodon, "
            "name.bsky.social for Bluesky, @name for X; one per line.", value=bad[0]))
    elif len(accounts) > MAX_ACCOUNTS:
        errors.add("accounts", _("%(n)s accounts: at most %(max)s.", n=len(accounts),
                                 max=MAX_ACCOUNTS))
    event["accounts"] = accounts

    rows = posted_rows(form) if rows is None else rows
    if len(rows) > MAX_SESSIONS:
        errors.add("programme", _("%(n)s sessions: at most %(max)s.", n=len(rows),
                                  max=MAX_SESSIONS))
        rows = rows[:MAX_SESSIONS]
    sessions = []
    for i, row in enumerate(rows):
        if row.get("remove"):
            continue
        session, problems = check_session(row, _("Session %(n)s", n=i + 1), tz, day,
                                          event_range)
        for name, message in problems:
            if name == NO_DAY:  # said once for the programme, not on every row
                errors.add("programme", _(
                    "The sessions' times have no date: fill in when the event starts first, "
                    "or write the date with each time, e.g. 19/11/2026 09:30."))
            else:
                errors.add(f"s-{i}-{name}", message)
        if session is not None:
            sessions.append(session)
    event["sessions"] = sessions
    return FormResult(event=event, errors=errors, values=values, rows=rows, tz=tz, day=day,
                      span=event_range)


def form_from_json(data: Mapping[str, Any],
                   event: Mapping[str, Any] | None = None) -> tuple[dict[str, str], list[dict]]:
    """The API's JSON (the form's fields; lists where the form has lines, sessions as
    objects) as the form's strings, over a stored event's own when it is an update: fields
    left out keep their value, "sessions" left out keeps the programme."""
    values, rows = event_form(event)
    if event is not None:  # full dates: the event's first day may change with this update
        rows = session_rows(event.get("sessions") or [],
                            zone(values["timezone"]) or ZoneInfo(DEFAULT_TIMEZONE), None)
    for key in EVENT_FIELDS:
        if key not in data or data[key] is None:
            continue
        value = data[key]
        if key == "accounts" and isinstance(value, list):
            value = "\n".join(format_account(a) if isinstance(a, Mapping) else str(a)
                              for a in value)
        elif key == "hashtags" and isinstance(value, list):
            value = " ".join(str(v) for v in value)
        values[key] = str(value)
    if isinstance(data.get("sessions"), list):
        rows = []
        for item in data["sessions"][:MAX_SESSIONS + 1]:
            item = item if isinstance(item, Mapping) else {}
            speakers = item.get("speakers") or ""
            rows.append({
                "id": str(item.get("id") or ""), "key": str(item.get("key") or ""),
                "title": str(item.get("title") or ""),
                "start": str(item.get("start") or item.get("starts_at") or ""),
                "end": str(item.get("end") or item.get("ends_at") or ""),
                "room": str(item.get("room") or ""),
                "speakers": format_speakers(speakers) if isinstance(speakers, list)
                else str(speakers),
                "description": str(item.get("description") or ""), "remove": False})
    return values, rows


# -- the programme from a file ----------------------------------------------------------------
def _decode(data: bytes) -> str | None:
    """The file's text: UTF-8 with or without BOM (Excel's "CSV UTF-8"), UTF-16 with a BOM
    (Excel's "Unicode text"), else Windows-1252 (Excel's plain "CSV" on Windows)."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            return None
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def _column_name(header: str) -> str:
    text = unicodedata.normalize("NFKD", header).encode("ascii", "ignore").decode()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text.casefold()).split())


_COLUMN_OF = {name: column for column, names in COLUMNS.items() for name in names}


def _delimiter(header_line: str) -> str | None:
    counts = {d: len(next(csv.reader([header_line], delimiter=d))) for d in ";,\t"}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > 1 else None


def read_programme_csv(data: bytes, *, tz: ZoneInfo, day: date | None,
                       event_range: tuple[datetime, datetime] | None = None) -> CsvResult:
    """A programme from a spreadsheet saved as CSV: a header row naming the columns in Italian
    or English (titolo/title, inizio/start, fine/end, sala/room, relatori/speakers,
    descrizione/description; data/date optional), separated by commas, semicolons or tabs.
    Either every row reads, or nothing is taken and each problem is listed by row."""
    result = CsvResult()
    if len(data) > MAX_CSV_BYTES:
        result.errors.append(_(
            "The file is %(size)s kB: at most %(max)s kB. Is it the programme? Save only the "
            "sheet with the sessions as CSV.", size=-(-len(data) // 1024),
            max=MAX_CSV_BYTES // 1024))
        return result
    text = _decode(data)
    if text is None:
        result.errors.append(_("The file cannot be read as text: save it from the spreadsheet "
                               "as “CSV UTF-8”."))
        return result
    if "\x00" in text:
        result.errors.append(_("This is not a CSV file: save the programme from the "
                               "spreadsheet as “CSV UTF-8” and choose that file."))
        return result
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None:
        result.errors.append(_(
            "The file is empty: save the programme from the spreadsheet as CSV, with a first "
            "row naming the columns (titolo, inizio, fine, sala, relatori, descrizione)."))
        return result
    delimiter = None
    if m := re.fullmatch(r"\s*sep=(.)\s*", lines[first]):  # Excel's own hint line
        delimiter, first = m[1], first + 1
    body = "\n".join(lines[first:])
    delimiter = delimiter or _delimiter(lines[first] if first < len(lines) else "")
    if delimiter is None:
        result.errors.append(_(
            "The first row must name the columns, separated by commas or semicolons: "
            "titolo; inizio; fine; sala; relatori; descrizione."))
        return result
    try:
        table = list(csv.reader(io.StringIO(body), delimiter=delimiter))
    except csv.Error as exc:
        result.errors.append(_("The file cannot be read as CSV (%(why)s): save it again from "
                               "the spreadsheet as “CSV UTF-8”.", why=str(exc)))
        return result
    header, records = table[0], table[1:]
    columns: dict[str, int] = {}
    for i, name in enumerate(header):
        column = _COLUMN_OF.get(_column_name(name))
        if column is None:
            if name.strip():
                result.notes.append(_("The column “%(name)s” is not used.", name=name.strip()))
        elif column not in columns:
            columns[column] = i
    missing = [c for c in ("title", "start", "end") if c not in columns]
    if missing:
        names = {"title": "titolo (title)", "start": "inizio (start)", "end": "fine (end)"}
        result.errors.append(_(
            "The file has no column for: %(missing)s. Name the columns in the first row: "
            "titolo, inizio, fine, sala, relatori, descrizione.",
            missing=", ".join(names[c] for c in missing)))
        return result
    rows = [(n, record) for n, record in enumerate(records, start=2)
            if any(cell.strip() for cell in record)]
    if not rows:
        result.errors.append(_("The file has no sessions under its first row: write one "
                               "session per row."))
        return result
    if len(rows) > MAX_SESSIONS:
        result.errors.append(_(
            "The file has %(n)s sessions: at most %(max)s. Remove the empty or extra rows, or "
            "split the programme.", n=len(rows), max=MAX_SESSIONS))
        return result
    # The row numbers are the spreadsheet's: the header is row 1 (after a sep= line, row 2).
    offset = first
    problems: list[str] = []
    for n, record in rows:
        raw = {column: record[i] if i < len(record) else "" for column, i in columns.items()}
        row_day = day
        if raw.get("date", "").strip():
            row_day = parse_day(raw["date"])
            if row_day is None:
                problems.append(_("%(where)s: “%(value)s” is not a date: write it as "
                                  "19/11/2026.", where=_("Row %(n)s", n=n + offset),
                                  value=raw["date"].strip()))
                continue
        session, found = check_session(raw, _("Row %(n)s", n=n + offset), tz, row_day,
                                       event_range)
        if found:
            problems.extend(message for _field, message in found)
        else:
            result.sessions.append(session)
    if problems:
        result.sessions = []
        result.errors = problems[:MAX_ERRORS_LISTED]
        if len(problems) > MAX_ERRORS_LISTED:
            result.errors.append(_("…and %(n)s more problems.",
                                   n=len(problems) - MAX_ERRORS_LISTED))
    return result


# -- people -------------------------------------------------------------------------------------
def read_user_form(form: Mapping[str, str]) -> tuple[dict[str, str], Errors]:
    """An invitation: the person's user name and role."""
    errors = Errors()
    name = (form.get("name") or "").strip()
    role = (form.get("role") or "editor").strip()
    if not name:
        errors.add("name", _("Write the person's user name, e.g. marta.rossi."))
    elif not USER_NAME.fullmatch(name):
        errors.add("name", _("A user name is 2 to 40 letters, digits, dots, hyphens or @, "
                             "without spaces: e.g. marta.rossi."))
    if role not in ("admin", "editor"):
        errors.add("role", _("Choose a role: editor or coordinator (admin)."))
    return {"name": name, "role": role}, errors
