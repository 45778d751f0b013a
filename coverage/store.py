"""The only module that writes SQL: events, sources, posts, curation, change log, audit, users.

Every write goes through `Store._write()`: one process-wide lock, one `BEGIN IMMEDIATE`
transaction, so a batch of posts, the cursor that produced it and the change-log rows
that announce it are committed together or not at all.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, fields, is_dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from flask_babel import gettext as _
from sqlite_utils import Database
from werkzeug.security import check_password_hash, generate_password_hash

from . import curation
from .migrations import apply_migrations
from .model import Post, format_time, parse_time, stage_programme

RULES_ACTOR = curation.RULES_ACTOR  # `decided_by` adds the rule's name after it
DECIDED = ("approved", "rejected")  # the states a decision leaves a post in


def utcnow() -> str:
    """Now as ISO-8601 UTC with a trailing Z (milliseconds)."""
    return format_time(datetime.now(UTC))


class NotFound(LookupError):
    """An event, post, source or user that does not exist."""


class DecisionError(ValueError):
    """A decision that cannot be applied; the message is for the editor."""


class ProgrammeConflict(ValueError):
    """Sessions a new programme leaves out while posts are attached to them."""

    def __init__(self, sessions: list[dict[str, Any]]) -> None:
        self.sessions = sessions  # id, title, posts (how many are attached)
        super().__init__("; ".join(f"{s['title']}: {s['posts']}" for s in sessions))


@dataclass
class IngestResult:
    new: list[int] = field(default_factory=list)  # post ids new to the event
    duplicates: int = 0  # posts the event already had
    erased: int = 0  # posts left out because their author asked to be erased
    seq: int = 0  # last change-log seq written


@dataclass
class DecisionResult:
    post_id: int
    action: str
    changed: bool
    seq: int  # seq of the change row, or the current head when nothing changed


_JSON_POST_FIELDS = ("media", "reply_to", "repost_of", "reposted_by", "quote_of", "metrics",
                     "hashtags", "mentions", "links")
_POST_COLUMNS = (
    "platform", "remote_id", "url", "author_handle", "author_name", "author_avatar", "author_url",
    "created_at", "text", "html", "media", "reply_to", "repost_of", "reposted_by", "quote_of",
    "language", "metrics", "hashtags", "mentions", "links", "sensitive", "spoiler", "fingerprint",
    "raw", "first_seen_at")
# _INSERT_POSTS is for posts known not to be stored yet (looked up in the same transaction).
_INSERT_POSTS = (f"INSERT INTO posts ({', '.join(_POST_COLUMNS)})"
                 f" VALUES ({', '.join('?' * len(_POST_COLUMNS))})")
_INSERT_POST = f"{_INSERT_POSTS} ON CONFLICT (platform, remote_id) DO NOTHING RETURNING id"
_ARRIVAL_CHANGES = {"pending": "post_added", "approved": "post_approved",
                    "rejected": "post_rejected"}
_ARRIVAL_ACTIONS = {"pending": "hold", "approved": "approve", "rejected": "reject"}
_CHUNK = 500  # values per IN (…): well under SQLite's limit on parameters
# Every column a post dict has, and not the raw payload (kilobytes per post that no reader of
# these rows uses: reading it made every listing, snapshot and pump cost far more).
_POST_FIELDS = """
    p.id, p.platform, p.remote_id, p.url, p.author_handle, p.author_name, p.author_avatar,
    p.author_url, p.created_at, p.text, p.html, p.media, p.reply_to, p.repost_of,
    p.reposted_by, p.quote_of, p.language, p.metrics, p.hashtags, p.mentions, p.links,
    p.sensitive, p.spoiler, p.deleted, p.deleted_at, p.first_seen_at,
    c.id AS curation_id, c.state, c.featured, c.pinned, c.session_id, c.note, c.reason, c.hold,
    c.duplicate_of, c.arrived_at, c.decided_at, c.decided_by, c.source_id
"""
_POST_SELECT = f"SELECT {_POST_FIELDS} FROM curation c JOIN posts p ON p.id = c.post_id"
# The curation rows of one post: one probe of the (event_id, post_id) key per event, where
# `WHERE post_id = ?` alone would read every curation row of every event.
_EVENTS_OF_POST = ("SELECT {} FROM curation WHERE event_id IN (SELECT id FROM events)"
                   " AND post_id = ?")


_LINK = re.compile(r"https?://\S+")
_WORD = re.compile(r"\w+")


def fingerprint(post: Post) -> str:
    """A key shared by the same words posted twice (cross-posts); '' when too short to tell."""
    if post.repost_of:
        return ""
    words = " ".join(_WORD.findall(_LINK.sub(" ", post.text.lower())))
    if len(words) < 40:
        return ""
    return hashlib.sha256(words.encode()).hexdigest()[:32]


class Store:
    """Piazza's database: a SQLite file in WAL mode, migrated on open."""

    def __init__(self, path: str | Path, clock: Callable[[], str] = utcnow) -> None:
        self.path = str(path)
        self.clock = clock
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._local = _thread_local()
        self._write_lock = threading.RLock()
        db = self.db
        if self.path != ":memory:":
            db.enable_wal()
        apply_migrations(db, self.clock())

    # -- connections -------------------------------------------------------------------------
    @property
    def db(self) -> Database:
        """This thread's connection (SQLite connections are not shared across threads)."""
        db = getattr(self._local, "db", None)
        if db is None:
            conn = sqlite3.connect(self.path, isolation_level=None, timeout=15,
                                   check_same_thread=False)
            conn.execute("PRAGMA busy_timeout = 15000")
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute("PRAGMA synchronous = NORMAL")
            db = Database(conn, execute_plugins=False)
            self._local.db = db
        return db

    def close(self) -> None:
        """Close this thread's connection."""
        db = getattr(self._local, "db", None)
        if db is not None:
            db.conn.close()
            self._local.db = None

    @contextmanager
    def _write(self) -> Iterator[Database]:
        """One door for writes: a process lock and one immediate transaction."""
        with self._write_lock:
            db = self.db
            if db.conn.in_transaction:  # nested call inside an open write
                yield db
                return
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                db.conn.rollback()
                raise
            db.execute("COMMIT")

    def _rows(self, sql: str, params: Iterable[Any] = ()) -> list[dict[str, Any]]:
        return list(self.db.query(sql, list(params)))

    def _one(self, sql: str, params: Iterable[Any] = ()) -> dict[str, Any] | None:
        rows = self._rows(sql, params)
        return rows[0] if rows else None

    def integrity_check(self) -> str:
        """SQLite's own verdict on the file ('ok' when sound)."""
        return self.db.execute("PRAGMA integrity_check").fetchone()[0]

    # -- events ------------------------------------------------------------------------------
    def create_event(self, event: dict[str, Any], actor: str = "") -> dict[str, Any]:
        """Create an event and its programme; the slug must be new. With an `actor` (someone
        in the browser or the API) the creation is written in the audit log."""
        slug = event["slug"]
        if not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,62}", slug):
            raise ValueError(_(
                "Slug %(slug)s is not valid: use lower-case letters, digits and hyphens "
                "(e.g. pasocial-2026).", slug=repr(slug)))
        now = self.clock()
        with self._write() as db:
            if db.execute("SELECT 1 FROM events WHERE slug = ?", [slug]).fetchone():
                raise ValueError(_("The event %(slug)s already exists.", slug=repr(slug)))
            row = {
                "slug": slug,
                "name": event.get("name") or slug,
                "description": event.get("description", ""),
                "hashtags": json.dumps([h.lstrip("#") for h in event.get("hashtags", [])]),
                "accounts": json.dumps(event.get("accounts", [])),
                "trusted": json.dumps(event.get("trusted", [])),
                "starts_at": event.get("starts_at"),
                "ends_at": event.get("ends_at"),
                "timezone": event.get("timezone", "Europe/Rome"),
                "language": event.get("language", "it"),
                "url": event.get("url", ""),
                "venue": event.get("venue", ""),
                "created_at": now,
            }
            event_id = db["events"].insert(row).last_pk
            for i, session in enumerate(event.get("sessions", [])):
                db["sessions"].insert({
                    "event_id": event_id,
                    "key": session.get("key") or f"s{i + 1}",
                    **_session_columns(session),
                })
            if actor:
                self._audit(db.conn, now, actor, "event_created", {
                    "name": row["name"], "sessions": len(event.get("sessions", []))},
                    event_id=event_id)
        return self.get_event(slug)

    def event_exists(self, slug: str) -> bool:
        """Whether an event has this slug."""
        return self.db.execute("SELECT 1 FROM events WHERE slug = ?", [slug]).fetchone() is not None

    def update_event(self, slug: str, changes: dict[str, Any], actor: str,
                     detach: bool = False) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """Change an event's details and, when `changes` has "sessions", replace its programme,
        in one transaction written in the audit log. The slug never changes.

        A session given with the `id` (or the `key`) of a stored one updates it in place, so
        the posts attached to it stay attached; the others are new. A stored session left out
        is removed; when posts are attached to it, `ProgrammeConflict` names it, unless
        `detach` is set: then its posts are detached first (each a decision in the log, so
        every console sees it). Returns the event and the sessions whose posts were detached
        (title and how many posts)."""
        event = self.get_event(slug)
        now = self.clock()
        fields_before = {k: event[k] for k in (*_EVENT_TEXT, "hashtags", "accounts")
                         if k in changes and changes[k] != event[k]}
        sets = {k: changes[k] for k in _EVENT_TEXT if k in fields_before}
        sets.update({k: json.dumps(changes[k], ensure_ascii=False)
                     for k in ("hashtags", "accounts") if k in fields_before})
        detached: list[dict[str, Any]] = []
        programme: dict[str, Any] = {}
        with self._write() as db:
            if sets:
                db.execute(f"UPDATE events SET {', '.join(f'{k} = ?' for k in sets)}"
                           " WHERE id = ?", [*sets.values(), event["id"]])
            if "sessions" in changes:
                programme, detached = self._replace_programme(
                    db.conn, event, changes["sessions"], actor, now, detach)
            if any(programme.values()):
                # Open walls take the new programme at once (a session that slips by twenty
                # minutes must not keep its old time on the projector until someone reloads).
                self._change(db.conn, event["id"], "programme", None, actor, now,
                             stage_programme(self._sessions(event["id"])))
            if fields_before or any(programme.values()):
                self._audit(db.conn, now, actor, "event_updated", {
                    "before": fields_before, "after": {k: changes[k] for k in fields_before},
                    "programme": programme}, event_id=event["id"])
        return self.get_event(slug), detached

    def _replace_programme(self, conn: sqlite3.Connection, event: dict[str, Any],
                           sessions: list[dict[str, Any]], actor: str, now: str,
                           detach: bool) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        from .eventform import assign_keys

        stored = {s["id"]: s for s in event["sessions"]}
        by_key = {s["key"]: s["id"] for s in event["sessions"]}
        claimed: set[int] = set()
        matched = []
        for session in sessions:
            session = dict(session)
            session_id = session.get("id")
            if session_id not in stored or session_id in claimed:
                session_id = by_key.get(session.get("key") or "")
            if session_id in stored and session_id not in claimed:
                session["id"] = session_id
                claimed.add(session_id)
            else:
                session.pop("id", None)
            matched.append(session)
        matched = assign_keys(matched, event["sessions"])
        removed = [s for s in event["sessions"] if s["id"] not in claimed]
        attached = dict(conn.execute(
            "SELECT session_id, COUNT(*) FROM curation WHERE event_id = ?"
            " AND session_id IS NOT NULL GROUP BY session_id", [event["id"]]).fetchall())
        conflicts = [{"id": s["id"], "title": s["title"], "posts": attached[s["id"]]}
                     for s in removed if attached.get(s["id"])]
        if conflicts and not detach:
            raise ProgrammeConflict(conflicts)
        reasons = curation.reason_codes(self._rules(event["id"]))
        for conflict in conflicts:
            for (post_id,) in conn.execute(
                    "SELECT post_id FROM curation WHERE event_id = ? AND session_id = ?",
                    [event["id"], conflict["id"]]).fetchall():
                self._decide(conn, event, post_id, "session", actor, now, reasons, reason="",
                             note=None, session_id=None)
        for session in removed:
            conn.execute("DELETE FROM sessions WHERE id = ? AND event_id = ?",
                         [session["id"], event["id"]])
        changed = []
        for session in matched:
            columns = _session_columns(session)
            if "id" in session:
                old = stored[session["id"]]
                if any(columns[k] != (json.dumps(old[k], ensure_ascii=False)
                                      if k == "speakers" else old[k]) for k in columns):
                    changed.append(session["title"])
                    conn.execute(
                        f"UPDATE sessions SET {', '.join(f'{k} = ?' for k in columns)}"
                        " WHERE id = ? AND event_id = ?",
                        [*columns.values(), session["id"], event["id"]])
            else:
                conn.execute(
                    f"INSERT INTO sessions (event_id, key, {', '.join(columns)})"
                    f" VALUES (?, ?, {', '.join('?' * len(columns))})",
                    [event["id"], session["key"], *columns.values()])
        summary = {"added": [s["title"] for s in matched if "id" not in s],
                   "changed": changed, "removed": [s["title"] for s in removed],
                   "detached": sum(c["posts"] for c in conflicts)}
        return summary, [{"title": c["title"], "posts": c["posts"]} for c in conflicts]

    def setup_facts(self, slug: str) -> dict[str, Any]:
        """What the setup checklist needs to know about an event, in a few reads."""
        event = self.get_event(slug)
        sources = self.list_sources(slug)
        rules = self.db.execute("SELECT 1 FROM rules WHERE event_id = ?",
                                [event["id"]]).fetchone()
        roles = dict(self.db.execute("SELECT role, COUNT(*) FROM users GROUP BY role").fetchall())
        return {
            "event": event,
            "sources": [{"platform": s["platform"], "enabled": bool(s["enabled"]),
                         "health": s["health"]} for s in sources],
            "rules_saved": rules is not None,
            "admins": roles.get("admin", 0),
            "editors": roles.get("editor", 0),
            "approved": self.counts(event["id"])["approved"],
        }

    def get_event(self, slug: str) -> dict[str, Any]:
        """The event with its programme; raises NotFound."""
        row = self._one("SELECT * FROM events WHERE slug = ?", [slug])
        if row is None:
            raise NotFound(_("No event with slug %(slug)s.", slug=repr(slug)))
        return self._event(row)

    def list_events(self) -> list[dict[str, Any]]:
        """All events, newest first."""
        rows = self._rows("SELECT * FROM events ORDER BY starts_at DESC, id")
        return [self._event(r) for r in rows]

    def _event(self, row: dict[str, Any]) -> dict[str, Any]:
        event = dict(row)
        for key in ("hashtags", "accounts", "trusted"):
            event[key] = json.loads(event[key])
        event["sessions"] = self._sessions(row["id"])
        return event

    def _sessions(self, event_id: int) -> list[dict[str, Any]]:
        return [{**s, "speakers": json.loads(s["speakers"])}
                for s in self._rows("SELECT * FROM sessions WHERE event_id = ?"
                                    " ORDER BY starts_at, id", [event_id])]

    # -- sources -----------------------------------------------------------------------------
    def add_source(self, slug: str, platform: str, config: dict[str, Any],
                   name: str = "") -> dict[str, Any]:
        """Attach a source to an event."""
        event = self.get_event(slug)
        with self._write() as db:
            source_id = db["sources"].insert({
                "event_id": event["id"], "platform": platform, "name": name or platform,
                "config": json.dumps(config), "cursor": "{}", "created_at": self.clock(),
            }).last_pk
        return self.get_source(source_id)

    def get_source(self, source_id: int) -> dict[str, Any]:
        """One source with its config and cursor decoded."""
        row = self._one("SELECT * FROM sources WHERE id = ?", [source_id])
        if row is None:
            raise NotFound(_("No source with id %(id)s.", id=source_id))
        return self._source(row)

    def list_sources(self, slug: str | None = None) -> list[dict[str, Any]]:
        """Sources of one event, or of all events."""
        if slug is None:
            rows = self._rows("SELECT * FROM sources ORDER BY id")
        else:
            rows = self._rows(
                "SELECT s.* FROM sources s JOIN events e ON e.id = s.event_id WHERE e.slug = ?"
                " ORDER BY s.id", [slug])
        return [self._source(r) for r in rows]

    @staticmethod
    def _source(row: dict[str, Any]) -> dict[str, Any]:
        return {**row, "config": json.loads(row["config"]), "cursor": json.loads(row["cursor"])}

    def record_source_failure(self, source_id: int, error: str, next_try_at: str,
                              health: str = "failing") -> None:
        """Remember a source's failure in plain words and when to try again."""
        with self._write() as db:
            db.execute(
                "UPDATE sources SET health = ?, last_error = ?, failures = failures + 1,"
                " next_try_at = ? WHERE id = ?", [health, error[:500], next_try_at, source_id])

    # -- ingest ------------------------------------------------------------------------------
    def ingest(self, source_id: int, posts: list[Post], cursor: dict[str, Any] | None,
               deleted: Iterable[tuple[str, str]] = (), next_try_at: str | None = None,
               updated: Iterable[Post] = ()) -> IngestResult:
        """Persist a batch from one source together with its new cursor, in one transaction.

        The same (platform, remote_id) is one post; a post new to the event gets a curation row
        (state from the event's rules) and a `post_added` change; edits and deletions seen at
        the source are applied; the cursor is saved last (None keeps the saved one: a live
        stream brings posts without moving the polling cursor).
        """
        now = self.clock()
        result = IngestResult()
        with self._write() as db:
            source = db.execute("SELECT event_id FROM sources WHERE id = ?", [source_id]).fetchone()
            if source is None:
                raise NotFound(_("No source with id %(id)s.", id=source_id))
            event_id = source[0]
            conn = db.conn
            erased = {(p, h) for p, h in conn.execute("SELECT platform, handle FROM erasures")}
            kept = [post for post in posts
                    if (post.platform, post.author.handle.lower()) not in erased]
            # The author asked to be forgotten: never store again.
            result.erased = len(posts) - len(kept)
            post_ids, fingerprints = self._store_posts(conn, kept, now)
            in_event = _in_event(conn, event_id, post_ids.values())
            arriving: list[tuple[Post, int]] = []
            for post in kept:
                post_id = post_ids[post.platform, post.remote_id]
                if post_id in in_event:
                    result.duplicates += 1
                    continue
                in_event.add(post_id)
                arriving.append((post, post_id))
            if arriving:
                result.new = [post_id for _, post_id in arriving]
                result.seq = self._arrive(conn, event_id, source_id, arriving, fingerprints, now)
            for post in updated:
                result.seq = max(result.seq, self._apply_edit(conn, post, now))
            for platform, remote_id in deleted:
                result.seq = max(result.seq, self._mark_deleted(conn, platform, remote_id, now))
            conn.execute(
                "UPDATE sources SET cursor = COALESCE(?, cursor), health = 'ok', last_error = '',"
                " failures = 0, last_ok_at = ?, next_try_at = COALESCE(?, next_try_at)"
                " WHERE id = ?",
                [None if cursor is None else json.dumps(cursor), now, next_try_at, source_id])
        return result

    @staticmethod
    def _store_posts(conn: sqlite3.Connection, posts: list[Post],
                     now: str) -> tuple[dict[tuple[str, str], int], dict[tuple[str, str], str]]:
        """Insert the posts not stored yet (the first of repeats wins); their ids by
        (platform, remote_id), and the fingerprints computed on the way."""
        post_ids = _post_ids(conn, {(post.platform, post.remote_id) for post in posts})
        missing: dict[tuple[str, str], Post] = {}
        for post in posts:
            key = (post.platform, post.remote_id)
            if key not in post_ids:
                missing.setdefault(key, post)
        fingerprints = {key: fingerprint(post) for key, post in missing.items()}
        if missing:
            conn.executemany(_INSERT_POSTS, [
                _post_values(post, fingerprints[key], now) for key, post in missing.items()])
            post_ids.update(_post_ids(conn, missing))
        return post_ids, fingerprints

    def _arrive(self, conn: sqlite3.Connection, event_id: int, source_id: int,
                arriving: list[tuple[Post, int]], fingerprints: dict[tuple[str, str], str],
                now: str) -> int:
        """Posts new to the event: curation rows (state from the rules, the first post with the
        same words as `duplicate_of`), `post_*` changes, audit rows for rule decisions.
        Returns the last seq."""
        fps = []
        for post, _post_id in arriving:
            key = (post.platform, post.remote_id)
            fps.append(fingerprints[key] if key in fingerprints else fingerprint(post))
        first_with = _first_with_fingerprint(conn, event_id, {fp for fp in fps if fp})
        arrivals = curation.on_arrivals([post for post, _ in arriving], self._rules(event_id))
        curation_rows, change_rows, audit_rows = [], [], []
        rule_decisions = {"approved": 0, "rejected": 0}
        change_data = json.dumps({"source_id": source_id})
        for (_post, post_id), fp, arrival in zip(arriving, fps, arrivals, strict=True):
            duplicate_of = None
            if fp:
                duplicate_of = first_with.get(fp)
                first_with.setdefault(fp, post_id)
            decided = arrival.state != "pending"
            curation_rows.append((
                event_id, post_id, source_id, arrival.state, arrival.reason, arrival.hold,
                duplicate_of, now, now if decided else None,
                f"{RULES_ACTOR}: {arrival.rule}" if decided else "", now if decided else None))
            if decided:
                rule_decisions[arrival.state] += 1
            change_rows.append((event_id, _ARRIVAL_CHANGES[arrival.state], post_id,
                                "collector", now, change_data))
            if arrival.rule:  # every automatic decision is accounted for
                audit_rows.append((
                    now, _ARRIVAL_ACTIONS[arrival.state], event_id, post_id, arrival.reason,
                    json.dumps({"rule": arrival.rule, "hold": arrival.hold},
                               ensure_ascii=False)))
        conn.executemany(
            "INSERT INTO curation (event_id, post_id, source_id, state, reason, hold,"
            " duplicate_of, arrived_at, decided_at, decided_by, first_decided_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", curation_rows)
        conn.executemany(
            "INSERT INTO changes (event_id, kind, post_id, actor, at, data)"
            " VALUES (?, ?, ?, ?, ?, ?)", change_rows)
        seq = conn.execute("SELECT last_insert_rowid()").fetchone()[0]
        _count_arrivals(conn, event_id, [post_id for _, post_id in arriving])
        conn.executemany(
            "INSERT INTO audit (at, actor, action, event_id, post_id, reason, detail)"
            f" VALUES (?, '{RULES_ACTOR}', ?, ?, ?, ?, ?)", audit_rows)
        decided = sum(rule_decisions.values())
        if decided:  # a rule decides on arrival: no wait
            _count_decisions(conn, event_id, RULES_ACTOR, rule_decisions["approved"],
                             rule_decisions["rejected"])
            _count_wait(conn, event_id, RULES_ACTOR, 0, decided)
        return seq

    def _mark_deleted(self, conn: sqlite3.Connection, platform: str, remote_id: str,
                      now: str) -> int:
        row = conn.execute("SELECT id, deleted FROM posts WHERE platform = ? AND remote_id = ?",
                           [platform, remote_id]).fetchone()
        if row is None or row[1]:
            return 0
        post_id = row[0]
        conn.execute("UPDATE posts SET deleted = 1, deleted_at = ? WHERE id = ?", [now, post_id])
        seq = 0
        for (event_id,) in conn.execute(_EVENTS_OF_POST.format("event_id"),
                                        [post_id]).fetchall():
            seq = self._change(conn, event_id, "post_deleted", post_id, "platform", now, {})
        return seq

    def add_post(self, slug: str, post: Post, actor: str) -> tuple[int, bool]:
        """A post an editor added by its URL: stored like a collected one, its arrival logged
        in the audit log. Returns (post id, whether it is new to the event)."""
        event = self.get_event(slug)
        now = self.clock()
        with self._write() as db:
            conn = db.conn
            row = conn.execute(_INSERT_POST, _post_values(post, fingerprint(post), now)).fetchone()
            post_id = row[0] if row else conn.execute(
                "SELECT id FROM posts WHERE platform = ? AND remote_id = ?",
                [post.platform, post.remote_id]).fetchone()[0]
            cur = conn.execute(
                "INSERT INTO curation (event_id, post_id, state, arrived_at) VALUES (?, ?,"
                " 'pending', ?) ON CONFLICT (event_id, post_id) DO NOTHING RETURNING id",
                [event["id"], post_id, now]).fetchone()
            if cur is None:
                return post_id, False
            _count_arrivals(conn, event["id"], [post_id])
            self._change(conn, event["id"], "post_added", post_id, actor, now, {"by_url": True})
            self._audit(conn, now, actor, "added_by_url", {"url": post.url},
                        event_id=event["id"], post_id=post_id)
        return post_id, True

    def set_source_enabled(self, source_id: int, enabled: bool) -> None:
        """Pause or resume a source (its cursor is kept)."""
        with self._write() as db:
            db.execute("UPDATE sources SET enabled = ?, next_try_at = NULL WHERE id = ?",
                       [int(enabled), source_id])

    def _apply_edit(self, conn: sqlite3.Connection, post: Post, now: str) -> int:
        """An author's edit: new content; an approved post goes back to the queue, because
        what the editors approved is not what the wall would now show."""
        row = conn.execute("SELECT id, text, html, media FROM posts WHERE platform = ?"
                           " AND remote_id = ?", [post.platform, post.remote_id]).fetchone()
        if row is None:
            return 0
        values = dict(zip(_POST_COLUMNS, _post_values(post, fingerprint(post), now), strict=True))
        if (row[1], row[2], row[3]) == (values["text"], values["html"], values["media"]):
            return 0  # same content (metrics may differ): nothing to review
        editable = ("text", "html", "media", "quote_of", "language", "metrics", "hashtags",
                    "mentions", "links", "sensitive", "spoiler", "fingerprint", "raw")
        conn.execute(f"UPDATE posts SET {', '.join(f'{c} = ?' for c in editable)} WHERE id = ?",
                     [*(values[c] for c in editable), row[0]])
        seq = 0
        for event_id, state in conn.execute(
                _EVENTS_OF_POST.format("event_id, state"), [row[0]]).fetchall():
            data: dict[str, Any] = {"was": state}
            if state == "approved":
                conn.execute(
                    "UPDATE curation SET state = 'pending', featured = 0, pinned = 0,"
                    " decided_at = ?, decided_by = ? WHERE event_id = ? AND post_id = ?",
                    [now, "piattaforma: modificato dall'autore", event_id, row[0]])
                data["state"] = "pending"
                self._audit(conn, now, "platform", "edited", {
                    "before": {"state": state}, "after": {"state": "pending"}},
                    event_id=event_id, post_id=row[0])
            seq = self._change(conn, event_id, "post_edited", row[0], "platform", now, data)
        return seq

    def posts_per_minute(self, source_id: int, minutes: int = 60) -> float:
        """How many posts a source brought per minute over the last `minutes`."""
        since = (datetime.now(UTC) - timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%S")
        count = self.db.execute("SELECT COUNT(*) FROM curation WHERE source_id = ?"
                                " AND arrived_at >= ?", [source_id, since]).fetchone()[0]
        return count / minutes

    def posts_per_source(self, event_id: int) -> dict[int, int]:
        """How many posts each source of the event has brought (the sources page shows it,
        so a first read of the history can be followed as it grows)."""
        # One count per source along the (source_id, arrived_at) index: no sort, no scan.
        return dict(self.db.execute(
            "SELECT s.id, (SELECT COUNT(*) FROM curation c WHERE c.source_id = s.id)"
            " FROM sources s WHERE s.event_id = ?", [event_id]).fetchall())

    def approved_remote_ids(self, source_id: int, limit: int = 100) -> list[str]:
        """Remote ids of approved, not deleted posts a source brought, newest first."""
        # Newest by arrival, walking the source's own index (its rows, newest first).
        return [r[0] for r in self.db.execute(
            "SELECT p.remote_id FROM curation c JOIN posts p ON p.id = c.post_id"
            " WHERE c.source_id = ? AND c.state = 'approved' AND p.deleted = 0"
            " ORDER BY c.arrived_at DESC, c.id DESC LIMIT ?", [source_id, limit]).fetchall()]

    def mark_deleted(self, platform: str, remote_id: str) -> int:
        """A post deleted at its source: hidden everywhere, kept for the record. Returns the seq."""
        with self._write() as db:
            return self._mark_deleted(db.conn, platform, remote_id, self.clock())

    @staticmethod
    def _change(conn: sqlite3.Connection, event_id: int, kind: str, post_id: int | None,
                actor: str, at: str, data: Any) -> int:
        cur = conn.execute(
            "INSERT INTO changes (event_id, kind, post_id, actor, at, data)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [event_id, kind, post_id, actor, at, json.dumps(data)])
        return cur.lastrowid

    @staticmethod
    def _audit(conn: sqlite3.Connection, at: str, actor: str, action: str, detail: Any, *,
               event_id: int | None = None, post_id: int | None = None,
               reason: str = "") -> None:
        """One row of the audit log, in the transaction of what it accounts for."""
        conn.execute(
            "INSERT INTO audit (at, actor, action, event_id, post_id, reason, detail)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            [at, actor, action, event_id, post_id, reason, json.dumps(detail, ensure_ascii=False)])

    # -- curation ----------------------------------------------------------------------------
    def decide(self, slug: str, post_id: int, action: str, actor: str, reason: str = "",
               note: str | None = None, session_id: int | None = None) -> DecisionResult:
        """Apply one editor decision: curation row, change row and audit row in one transaction."""
        return self.decide_many(slug, [post_id], action, actor, reason=reason, note=note,
                                session_id=session_id)[0]

    def decide_many(self, slug: str, post_ids: list[int], action: str, actor: str,
                    reason: str = "", note: str | None = None,
                    session_id: int | None = None) -> list[DecisionResult]:
        """The same decision on several posts (bulk): the event and its rules read once, all
        applied in one transaction or none (the first refusal names its post)."""
        event = self.get_event(slug)
        if action == "session" and session_id is not None and session_id not in {
                s["id"] for s in event["sessions"]}:
            raise DecisionError(_("Session %(session)s is not in the programme of %(slug)s.",
                                  session=session_id, slug=repr(slug)))
        reasons = curation.reason_codes(self._rules(event["id"]))
        now = self.clock()
        with self._write() as db:
            return [self._decide(db.conn, event, post_id, action, actor, now, reasons,
                                 reason=reason, note=note, session_id=session_id)
                    for post_id in post_ids]

    def _decide(self, conn: sqlite3.Connection, event: dict[str, Any], post_id: int,
                action: str, actor: str, now: str, reasons: set[str], *, reason: str,
                note: str | None, session_id: int | None) -> DecisionResult:
        row = conn.execute(
            "SELECT state, featured, pinned, note, session_id, reason, hold, arrived_at,"
            " first_decided_at FROM curation WHERE event_id = ? AND post_id = ?",
            [event["id"], post_id]).fetchone()
        if row is None:
            raise NotFound(_("Post %(post)s is not part of the event %(slug)s.", post=post_id,
                             slug=repr(event["slug"])))
        current = dict(zip(("state", "featured", "pinned", "note", "session_id", "reason",
                            "hold"), row[:7], strict=True))
        arrived_at, first_decided_at = row[7:]
        update = curation.apply_action(current, action, reason=reason, note=note,
                                       session_id=session_id, reasons=reasons)
        if not update:
            head = conn.execute("SELECT COALESCE(MAX(seq), 0) FROM changes").fetchone()[0]
            return DecisionResult(post_id, action, False, head)
        if update.get("pinned"):
            # One pinned post per event: unpin the previous one, announced as its own change.
            for (other,) in conn.execute(
                    "SELECT post_id FROM curation WHERE event_id = ? AND pinned = 1"
                    " AND post_id != ?", [event["id"], post_id]).fetchall():
                conn.execute("UPDATE curation SET pinned = 0 WHERE event_id = ? AND post_id = ?",
                             [event["id"], other])
                self._change(conn, event["id"], "post_unpinned", other, actor, now, {})
        sets = ", ".join(f"{k} = ?" for k in update)
        decision = update.get("state") in DECIDED
        first = decision and first_decided_at is None
        conn.execute(f"UPDATE curation SET {sets}, decided_at = ?, decided_by = ?"
                     + (", first_decided_at = ?" if first else "")
                     + " WHERE event_id = ? AND post_id = ?",
                     [*update.values(), now, actor, *([now] if first else []), event["id"],
                      post_id])
        if decision:  # the figures of the day: who decided, and how long the post waited
            _count_decisions(conn, event["id"], actor, update["state"] == "approved",
                             update["state"] == "rejected")
            if first:
                _count_wait(conn, event["id"], actor, wait_seconds(arrived_at, now))
        seq = self._change(conn, event["id"], curation.change_kind(action), post_id, actor, now,
                           {k: v for k, v in update.items() if k != "note"})
        self._audit(conn, now, actor, action, {
            "before": {k: current[k] for k in update}, "after": update},
            event_id=event["id"], post_id=post_id, reason=update.get("reason", reason or ""))
        return DecisionResult(post_id, action, True, seq)

    def undo(self, slug: str, actor: str) -> DecisionResult:
        """Revert `actor`'s last decision in the event that is not undone yet."""
        event = self.get_event(slug)
        now = self.clock()
        with self._write() as db:
            conn = db.conn
            candidates = conn.execute(
                "SELECT id, post_id, action, detail FROM audit WHERE event_id = ?"
                " AND actor = ? AND post_id IS NOT NULL AND action IN"
                f" ({', '.join('?' * len(curation.ACTIONS))}) ORDER BY id DESC LIMIT 50",
                [event["id"], actor, *curation.ACTIONS]).fetchall()
            # An undo always comes after the decision it undoes: only the actor's undos since
            # the oldest candidate can matter, not every undo of the day.
            undone = {json.loads(d).get("undoes") for (d,) in conn.execute(
                "SELECT detail FROM audit WHERE event_id = ? AND actor = ? AND id > ?"
                " AND action = 'undo'", [event["id"], actor, candidates[-1][0]]).fetchall()
            } if candidates else set()
            row = None
            for audit_id, post_id, action, detail in candidates:
                if audit_id not in undone:
                    row = (audit_id, post_id, action, json.loads(detail))
                    break
            if row is None:
                raise DecisionError(_("There is no decision of yours to undo."))
            audit_id, post_id, action, detail = row
            before = detail["before"]
            sets = ", ".join(f"{k} = ?" for k in before)
            conn.execute(f"UPDATE curation SET {sets}, decided_at = ?, decided_by = ?"
                         " WHERE event_id = ? AND post_id = ?",
                         [*before.values(), now, actor, event["id"], post_id])
            undone_state = detail["after"].get("state")
            if undone_state in DECIDED:  # the decision no longer counts as this editor's
                _count_decisions(conn, event["id"], actor, -(undone_state == "approved"),
                                 -(undone_state == "rejected"))
            seq = self._change(conn, event["id"], curation.undo_kind(before), post_id, actor,
                               now, {**{k: v for k, v in before.items() if k != "note"},
                                     "undo": True})
            self._audit(conn, now, actor, "undo", {
                "undoes": audit_id, "action": action, "before": detail["after"],
                "after": before}, event_id=event["id"], post_id=post_id)
        return DecisionResult(post_id, action, True, seq)

    # -- rules and the wall ------------------------------------------------------------------
    def _rules(self, event_id: int) -> dict[str, Any]:
        row = self.db.execute("SELECT data FROM rules WHERE event_id = ?", [event_id]).fetchone()
        if row:
            return {**curation.DEFAULT_RULES, **json.loads(row[0])}
        trusted = json.loads(self.db.execute("SELECT trusted FROM events WHERE id = ?",
                                             [event_id]).fetchone()[0])
        return {**curation.DEFAULT_RULES, "trusted": trusted}

    def get_rules(self, slug: str) -> dict[str, Any]:
        """The event's moderation rules (defaults until the lead saves some)."""
        return self._rules(self.get_event(slug)["id"])

    def set_rules(self, slug: str, data: Any, actor: str) -> dict[str, Any]:
        """Validate and save the event's rules; the change is written in the audit log."""
        event = self.get_event(slug)
        rules = curation.check_rules(data)
        now = self.clock()
        with self._write() as db:
            before = self._rules(event["id"])
            db.execute("INSERT INTO rules (event_id, data, updated_at, updated_by)"
                       " VALUES (?, ?, ?, ?) ON CONFLICT (event_id) DO UPDATE SET"
                       " data = excluded.data, updated_at = excluded.updated_at,"
                       " updated_by = excluded.updated_by",
                       [event["id"], json.dumps(rules, ensure_ascii=False), now, actor])
            changed = {k: rules[k] for k in rules if rules[k] != before.get(k)}
            self._audit(db.conn, now, actor, "rules", {"after": changed}, event_id=event["id"])
        return rules

    def wall_state(self, event_id: int) -> dict[str, Any]:
        """The wall's layout, theme, pause, blank, message and ticker."""
        row = self.db.execute("SELECT state FROM walls WHERE event_id = ?",
                              [event_id]).fetchone()
        return {**curation.DEFAULT_WALL, **(json.loads(row[0]) if row else {})}

    def change_wall(self, slug: str, actor: str,
                    change: Callable[[dict[str, Any]], dict[str, Any]]) -> tuple[int, dict]:
        """Apply `change` to the wall's state inside one transaction (two editors acting at
        once never overwrite each other); announced to every wall and console.
        Returns (seq, new state)."""
        event = self.get_event(slug)
        now = self.clock()
        with self._write() as db:
            state = change(self.wall_state(event["id"]))
            db.execute("INSERT INTO walls (event_id, state, updated_at, updated_by)"
                       " VALUES (?, ?, ?, ?) ON CONFLICT (event_id) DO UPDATE SET"
                       " state = excluded.state, updated_at = excluded.updated_at,"
                       " updated_by = excluded.updated_by",
                       [event["id"], json.dumps(state, ensure_ascii=False), now, actor])
            seq = self._change(db.conn, event["id"], "wall_state", None, actor, now, state)
            self._audit(db.conn, now, actor, "wall", state, event_id=event["id"])
        return seq, state

    def recap_edits(self, event_id: int) -> dict[str, Any]:
        """The recap builder's saved edits ({} until someone edits the recap)."""
        row = self.db.execute("SELECT data FROM recaps WHERE event_id = ?",
                              [event_id]).fetchone()
        return json.loads(row[0]) if row else {}

    def save_recap_edits(self, slug: str, edits: dict[str, Any], actor: str) -> None:
        """Save the recap builder's edits (already validated by the recap module)."""
        event = self.get_event(slug)
        with self._write() as db:
            db.execute("INSERT INTO recaps (event_id, data, updated_at, updated_by)"
                       " VALUES (?, ?, ?, ?) ON CONFLICT (event_id) DO UPDATE SET"
                       " data = excluded.data, updated_at = excluded.updated_at,"
                       " updated_by = excluded.updated_by",
                       [event["id"], json.dumps(edits, ensure_ascii=False), self.clock(),
                        actor])

    def erase_author(self, platform: str, handle: str, actor: str, reason: str = "") -> int:
        """An author's erasure request: their posts leave the database, every wall and every
        future recap, and are never collected again. The request itself is logged (who asked
        to erase which account, never the erased content). Returns how many posts went."""
        handle = handle.strip()
        now = self.clock()
        with self._write() as db:
            conn = db.conn
            post_ids = [r[0] for r in conn.execute(
                "SELECT id FROM posts WHERE platform = ? AND lower(author_handle) = lower(?)",
                [platform, handle]).fetchall()]
            events = conn.execute(
                f"SELECT DISTINCT event_id FROM curation WHERE post_id IN "
                f"({', '.join('?' * len(post_ids))})", post_ids).fetchall() if post_ids else []
            for (event_id,) in events:
                for (post_id,) in conn.execute(
                        f"SELECT post_id FROM curation WHERE event_id = ? AND post_id IN "
                        f"({', '.join('?' * len(post_ids))})", [event_id, *post_ids]).fetchall():
                    self._change(conn, event_id, "post_deleted", post_id, "cancellazione", now,
                                 {"erased": True})
                self._audit(conn, now, actor, "erase", {
                    "platform": platform, "handle": handle, "posts": len(post_ids)},
                    event_id=event_id, reason=reason[:200])
            if post_ids:
                marks = ", ".join("?" * len(post_ids))
                conn.execute(f"DELETE FROM curation WHERE post_id IN ({marks})", post_ids)
                conn.execute(f"DELETE FROM posts WHERE id IN ({marks})", post_ids)
            conn.execute("INSERT OR REPLACE INTO erasures (platform, handle, at, actor)"
                         " VALUES (?, ?, ?, ?)", [platform, handle.lower(), now, actor])
            if not events:
                self._audit(conn, now, actor, "erase", {
                    "platform": platform, "handle": handle, "posts": 0}, reason=reason[:200])
        return len(post_ids)

    def purge_audit(self, days: int, actor: str) -> int:
        """Delete audit rows older than `days` (the retention the body chose); the purge itself
        is logged. Returns how many rows went."""
        if days < 1:
            raise ValueError(_("The shortest retention is one day."))
        cutoff = (datetime.now(UTC) - timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%S")
        now = self.clock()
        with self._write() as db:
            db.execute("INSERT INTO audit_retention (cutoff, at, actor) VALUES (?, ?, ?)",
                       [cutoff, now, actor])
            gone = db.execute("DELETE FROM audit WHERE at < ?", [cutoff]).rowcount
            self._audit(db.conn, now, actor, "audit_purged", {"before": cutoff, "rows": gone})
        return gone

    def audit_rows(self, slug: str) -> Iterator[dict[str, Any]]:
        """Every audit row of an event, oldest first (for the CSV export)."""
        event = self.get_event(slug)
        yield from self.db.query("SELECT * FROM audit WHERE event_id = ? ORDER BY id",
                                 [event["id"]])

    def audit_log(self, slug: str | None = None, limit: int = 200) -> list[dict[str, Any]]:
        """Latest audit rows, newest first."""
        if slug is None:
            return self._rows("SELECT * FROM audit ORDER BY id DESC LIMIT ?", [limit])
        return self._rows(
            "SELECT a.* FROM audit a JOIN events e ON e.id = a.event_id WHERE e.slug = ?"
            " ORDER BY a.id DESC LIMIT ?", [slug, limit])

    # -- reading posts -----------------------------------------------------------------------
    def list_posts(self, slug: str, state: str | None = None, limit: int = 100,
                   before: int | None = None, include_deleted: bool = True,
                   oldest_first: bool = False) -> list[dict[str, Any]]:
        """Posts of an event with their curation, newest first (by post id; the next page
        starts `before` the last id)."""
        event = self.get_event(slug)
        return self.posts_of_event(event["id"], state=state, limit=limit, before=before,
                                   include_deleted=include_deleted, oldest_first=oldest_first)

    def posts_of_event(self, event_id: int, state: str | None = None, limit: int = 100,
                       before: int | None = None, include_deleted: bool = True,
                       oldest_first: bool = False) -> list[dict[str, Any]]:
        """Like `list_posts`, by event id."""
        where, params = ["c.event_id = ?"], [event_id]
        if state:
            where.append("c.state = ?")
            params.append(state)
        if before:
            where.append("c.post_id < ?")
            params.append(before)
        if not include_deleted:
            where.append("p.deleted = 0")
        order = "ASC" if oldest_first else "DESC"
        # By post id, the order of the (event_id, state, post_id) and (event_id, post_id) keys:
        # a page is read off an index, never sorted out of the whole event.
        sql = f"{_POST_SELECT} WHERE {' AND '.join(where)} ORDER BY c.post_id {order} LIMIT ?"
        return [_post_row(r) for r in self._rows(sql, [*params, limit])]

    def index_search(self, batch: int = 2000) -> int:
        """Add the posts stored since the last call to the search index, `batch` per
        transaction (decisions get the lock in between); returns how many were added.

        Ingest leaves the index alone, so a burst is stored at full speed; the collector's
        loop calls this after each round, and `find_posts` before it reads the index.
        """
        added = 0
        while True:
            head = self.db.execute("SELECT MAX(id) FROM posts").fetchone()[0] or 0
            done = self.db.execute("SELECT indexed_to FROM search_progress").fetchone()[0]
            if done >= head:
                return added
            with self._write() as db:
                done = db.execute("SELECT indexed_to FROM search_progress").fetchone()[0]
                last = db.execute("SELECT MAX(id) FROM (SELECT id FROM posts WHERE id > ?"
                                  " ORDER BY id LIMIT ?)", [done, batch]).fetchone()[0]
                if last is None:
                    return added
                added += db.execute(
                    "INSERT INTO posts_search (rowid, text, author_name, author_handle,"
                    " platform) SELECT id, text, author_name, author_handle, platform"
                    " FROM posts WHERE id > ? AND id <= ?", [done, last]).rowcount
                db.execute("UPDATE search_progress SET indexed_to = ?", [last])

    def find_posts(self, event_id: int, *, state: str | None = None,
                   platform: str | None = None, session: int | str | None = None,
                   account: str | None = None, text: str | None = None,
                   before: int | None = None, limit: int = 100) -> list[dict[str, Any]]:
        """Posts of an event that pass every filter given, newest first by post id; the next
        page starts `before` the last id of this one.

        `session` is a session id or "none" (posts in no session), `account` an author's
        handle, `text` words that must each begin a word of the post or of its author's name
        or handle (accents and case ignored). Every query walks one index newest first and
        stops at `limit`: the posts' search index when text, platform or account is given,
        the event's own keys otherwise.
        """
        where: list[str] = []
        params: list[Any] = []
        terms = []
        if text is not None:
            words = re.findall(r"\w+", text.lower())
            if not words:
                return []
            prefixes = " AND ".join(f'"{w}"*' for w in words)
            terms.append(f"{{text author_name author_handle}}: ({prefixes})")
        if platform is not None:
            terms.append(f"platform: {_phrase(platform)}")
            where.append("p.platform = ?")  # the index finds the word; this, the exact value
            params.append(platform)
        if account is not None:
            terms.append(f"author_handle: {_phrase(account)}")
            where.append("p.author_handle = ?")
            params.append(account)
        if terms:
            self.index_search()
            source = ("posts_search s CROSS JOIN curation c ON c.event_id = ?"
                      " AND c.post_id = s.rowid CROSS JOIN posts p ON p.id = s.rowid")
            where.insert(0, "posts_search MATCH ?")
            params[:0] = [event_id, " AND ".join(terms)]
            order = "s.rowid"
        else:
            source = "curation c JOIN posts p ON p.id = c.post_id"
            where.append("c.event_id = ?")
            params.append(event_id)
            order = "c.post_id"
        if state is not None:
            where.append("c.state = ?")
            params.append(state)
        if session == "none":
            where.append("c.session_id IS NULL")
        elif session is not None:
            where.append("c.session_id = ?")
            params.append(int(session))
        if before is not None:
            where.append(f"{order} < ?")
            params.append(before)
        sql = (f"SELECT {_POST_FIELDS} FROM {source} WHERE {' AND '.join(where)}"
               f" ORDER BY {order} DESC LIMIT ?")
        return [_post_row(r) for r in self._rows(sql, [*params, limit])]

    def highlighted_posts(self, event_id: int, limit: int = 50) -> list[dict[str, Any]]:
        """The approved posts editors featured or pinned, newest first, however old."""
        return [_post_row(r) for r in self._rows(
            f"{_POST_SELECT} WHERE c.event_id = ? AND (c.featured = 1 OR c.pinned = 1)"
            " AND c.state = 'approved' AND p.deleted = 0 ORDER BY c.post_id DESC LIMIT ?",
            [event_id, limit])]

    def posts_by_id(self, event_id: int, post_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
        """Posts of an event by id, with their curation."""
        ids = list(set(post_ids))
        out: dict[int, dict[str, Any]] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            sql = (f"{_POST_SELECT} WHERE c.event_id = ? AND c.post_id IN "
                   f"({', '.join('?' * len(chunk))})")
            for row in self._rows(sql, [event_id, *chunk]):
                out[row["id"]] = _post_row(row)
        return out

    def get_post(self, slug: str, post_id: int) -> dict[str, Any]:
        """One post of an event; raises NotFound."""
        event = self.get_event(slug)
        post = self.posts_by_id(event["id"], [post_id]).get(post_id)
        if post is None:
            raise NotFound(_("Post %(post)s is not part of the event %(slug)s.", post=post_id,
                             slug=repr(slug)))
        return post

    def figure_data(self, event_id: int, engaged: int = 5) -> dict[str, Any]:
        """The figures of the day as plain rows for `coverage.figures.figures`, from the tables
        every write keeps up to date (migration m009): a few small reads at any size of event.

        Posts deleted at their source are left out everywhere but in the editors' figures
        (`editors`, `waits`: the work was done). `engaged` is how many of the most engaged
        approved posts to read (the recap asks for more when the lead took some out).
        """
        def rows(sql: str, *params: Any) -> list[dict[str, Any]]:
            return self._rows(sql, [event_id, *params])

        engaged_rows = rows(
            "SELECT p.id, p.platform, p.author_handle, p.author_name, p.url,"
            f" substr(p.text, 1, 280) AS text, p.metrics, {_ENGAGEMENT} AS engagement"
            " FROM posts p INDEXED BY posts_engagement CROSS JOIN curation c"
            " WHERE c.event_id = ? AND c.post_id = p.id AND c.state = 'approved'"
            f" AND p.deleted = 0 AND {_ENGAGEMENT} > 0"
            f" ORDER BY {_ENGAGEMENT} DESC, p.id DESC LIMIT ?", engaged)
        for row in engaged_rows:
            row["metrics"] = json.loads(row["metrics"] or "{}")
        return {
            "minutes": rows("SELECT minute, SUM(posts) AS posts FROM figure_minutes"
                            " WHERE event_id = ? GROUP BY minute HAVING SUM(posts) != 0"),
            "placed": rows("SELECT session_id, SUM(posts) AS posts FROM figure_minutes"
                           " WHERE event_id = ? AND session_id != 0 GROUP BY session_id"
                           " HAVING SUM(posts) != 0"),
            "unplaced": rows("SELECT minute, posts FROM figure_minutes"
                             " WHERE event_id = ? AND session_id = 0 AND posts != 0"),
            "platforms": rows("SELECT platform, posts, likes, reposts, replies, quotes"
                              " FROM figure_platforms WHERE event_id = ? AND posts != 0"),
            "states": rows("SELECT state, reason, posts FROM figure_states"
                           " WHERE event_id = ? AND posts != 0"),
            "accounts": self.db.execute(
                "SELECT COUNT(*) FROM figure_accounts WHERE event_id = ? AND posts > 0",
                [event_id]).fetchone()[0],
            "top_accounts": rows(
                "SELECT platform, handle, approved FROM figure_accounts"
                " WHERE event_id = ? AND approved > 0"
                " ORDER BY approved DESC, platform, handle LIMIT 10"),
            "hashtags": rows("SELECT tag, posts FROM figure_hashtags"
                             " WHERE event_id = ? AND posts > 0"),
            "engaged": engaged_rows,
            "editors": rows("SELECT actor, approved, rejected FROM figure_editors"
                            " WHERE event_id = ? AND (approved != 0 OR rejected != 0)"),
            "waits": rows("SELECT actor, seconds, posts FROM figure_waits"
                          " WHERE event_id = ? AND posts > 0 ORDER BY actor, seconds"),
        }

    def counts(self, event_id: int) -> dict[str, int]:
        """How many posts of the event are in each state (deleted ones left out)."""
        counts = {"pending": 0, "approved": 0, "rejected": 0}
        # Kept by triggers on every write (migration m005), so reading them costs three rows.
        counts.update(self.db.execute("SELECT state, n FROM event_counts WHERE event_id = ?",
                                      [event_id]).fetchall())
        return counts

    # -- change log --------------------------------------------------------------------------
    def head_seq(self) -> int:
        """The last seq written to the change log (0 when empty)."""
        return self.db.execute("SELECT COALESCE(MAX(seq), 0) FROM changes").fetchone()[0]

    def changes_after(self, seq: int, event_id: int | None = None,
                      limit: int = 1000) -> list[dict[str, Any]]:
        """Change rows after `seq`, in order."""
        if event_id is None:
            rows = self._rows("SELECT * FROM changes WHERE seq > ? ORDER BY seq LIMIT ?",
                              [seq, limit])
        else:
            rows = self._rows(
                "SELECT * FROM changes WHERE event_id = ? AND seq > ? ORDER BY seq LIMIT ?",
                [event_id, seq, limit])
        for row in rows:
            row["data"] = json.loads(row["data"])
        return rows

    # -- leases: work done by one process at a time -----------------------------------------
    def hold_lease(self, name: str, holder: str, seconds: float,
                   now: float | None = None) -> bool:
        """Take the lease `name`, or renew it, unless another holder's has not expired yet.
        True while `holder` holds it. Times are Unix seconds (comparable across processes)."""
        now = time.time() if now is None else now
        with self._write() as db:
            row = db.execute("SELECT holder, expires_at FROM leases WHERE name = ?",
                             [name]).fetchone()
            if row is not None and row[0] != holder and row[1] > now:
                return False
            db.execute(
                "INSERT INTO leases (name, holder, expires_at, since) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, "
                "expires_at = excluded.expires_at, since = CASE WHEN leases.holder = "
                "excluded.holder THEN leases.since ELSE excluded.since END",
                [name, holder, now + seconds, self.clock()])
            return True

    def release_lease(self, name: str, holder: str) -> None:
        """Give a lease back at once (on a clean stop), so another process need not wait."""
        with self._write() as db:
            db.execute("DELETE FROM leases WHERE name = ? AND holder = ?", [name, holder])

    def lease(self, name: str) -> dict[str, Any] | None:
        """Who holds `name`, until when and since when (None when nobody does)."""
        return self._one("SELECT holder, expires_at, since FROM leases WHERE name = ?", [name])

    # -- users -------------------------------------------------------------------------------
    def create_user(self, name: str, role: str, password: str | None = None) -> dict[str, Any]:
        """Add an editor or admin; the password is stored hashed (scrypt), or not at all."""
        name = name.strip()
        if not re.fullmatch(r"[\w.@-]{2,40}", name):
            raise ValueError(_("User name not valid: 2–40 letters, digits, dots, hyphens or @."))
        if name.lower() in SYSTEM_ACTORS:
            # The audit log and the figures name automatic work this way: a person may not.
            raise ValueError(_("“%(name)s” is the name Piazza gives to its own automatic work: "
                               "choose another user name.", name=name))
        if role not in ("admin", "editor"):
            raise ValueError(_("Role not valid: use admin or editor."))
        with self._write() as db:
            if db.execute("SELECT 1 FROM users WHERE name = ?", [name]).fetchone():
                raise ValueError(_("The user %(name)s already exists.", name=repr(name)))
            db["users"].insert({
                "name": name, "role": role,
                "password_hash": generate_password_hash(password) if password else "",
                "created_at": self.clock()})
        return self.get_user(name)

    def get_user(self, name: str) -> dict[str, Any]:
        """A user by name (case-insensitive); raises NotFound."""
        row = self._one("SELECT id, name, role, language, created_at FROM users WHERE name = ?",
                        [name])
        if row is None:
            raise NotFound(_("No user %(name)s.", name=repr(name)))
        return row

    def user_by_id(self, user_id: int) -> dict[str, Any] | None:
        """A user by id, or None."""
        return self._one("SELECT id, name, role, language, created_at FROM users WHERE id = ?",
                         [user_id])

    def set_user_language(self, user_id: int, language: str) -> None:
        """Remember the language a user chose for the pages ('' = their browser's)."""
        with self._write() as db:
            db.execute("UPDATE users SET language = ? WHERE id = ?", [language, user_id])

    def count_users(self) -> int:
        """How many users exist."""
        return self.db.execute("SELECT COUNT(*) FROM users").fetchone()[0]

    def admin_needing_password(self) -> int | None:
        """The first admin's id while nobody has set a password yet (a fresh install), else
        None."""
        if self.db.execute("SELECT 1 FROM users WHERE password_hash != '' LIMIT 1").fetchone():
            return None
        row = self.db.execute("SELECT id FROM users WHERE role = 'admin' ORDER BY id").fetchone()
        return row[0] if row else None

    def check_password(self, name: str, password: str) -> dict[str, Any] | None:
        """The user when the password matches, else None (same work either way)."""
        row = self._one("SELECT id, password_hash FROM users WHERE name = ?", [name])
        stored = row["password_hash"] if row and row["password_hash"] else _DUMMY_HASH
        ok = check_password_hash(stored, password)
        return self.user_by_id(row["id"]) if ok and row and row["password_hash"] else None

    def set_password(self, user_id: int, password: str) -> None:
        """Replace a user's password."""
        if len(password) < 10:
            raise ValueError(_("The password must have at least 10 characters."))
        with self._write() as db:
            db.execute("UPDATE users SET password_hash = ? WHERE id = ?",
                       [generate_password_hash(password), user_id])

    def create_login_token(self, user_id: int, hours: int = 24) -> str:
        """A one-time login token (only its hash is stored)."""
        token = secrets.token_urlsafe(24)
        expires = (datetime.now(UTC) + timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M:%SZ")
        with self._write() as db:
            db["login_tokens"].insert({"token_hash": _hash_token(token), "user_id": user_id,
                                       "expires_at": expires, "used_at": None})
        return token

    def list_users(self) -> list[dict[str, Any]]:
        """Everyone who may log in: name, role, whether they have set a password, and until
        when their one-time link (if one is waiting to be used) is valid."""
        now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        return [{**row, "has_password": bool(row["has_password"])} for row in self._rows(
            "SELECT u.id, u.name, u.role, u.created_at, u.password_hash != '' AS has_password,"
            " (SELECT MAX(t.expires_at) FROM login_tokens t WHERE t.user_id = u.id"
            "  AND t.used_at IS NULL AND t.expires_at > ?) AS link_expires_at"
            " FROM users u ORDER BY u.name COLLATE NOCASE", [now])]

    def invite_user(self, name: str, role: str, actor: str,
                    hours: int = 24) -> tuple[dict[str, Any], str]:
        """Add an editor or admin and make their one-time login link, in one transaction
        written in the audit log. Returns the user and the link's token (shown once)."""
        with self._write() as db:
            taken = db.execute("SELECT name FROM users WHERE name = ?",
                               [name.strip()]).fetchone()
            if taken:
                raise ValueError(_("There is already a user called %(name)s: choose another "
                                   "name, or make a new link for them in the list.",
                                   name=taken[0]))
            user = self.create_user(name, role)
            token = self.create_login_token(user["id"], hours)
            self._audit(db.conn, self.clock(), actor, "user_invited",
                        {"name": user["name"], "role": role})
        return user, token

    def new_login_link(self, user_id: int, actor: str, hours: int = 24) -> str:
        """A new one-time link for someone who lost theirs; their unused links stop working."""
        with self._write() as db:
            user = self.user_by_id(user_id)
            if user is None:
                raise NotFound(_("This person is no longer in the list."))
            db.execute("DELETE FROM login_tokens WHERE user_id = ? AND used_at IS NULL",
                       [user_id])
            token = self.create_login_token(user_id, hours)
            self._audit(db.conn, self.clock(), actor, "login_link", {"name": user["name"]})
        return token

    def delete_user(self, user_id: int, actor: str) -> dict[str, Any]:
        """Remove someone's access (their links too); never the last admin. Their decisions
        stay in the audit log under their name."""
        with self._write() as db:
            user = self.user_by_id(user_id)
            if user is None:
                raise NotFound(_("This person is no longer in the list."))
            admins = db.execute("SELECT COUNT(*) FROM users WHERE role = 'admin'").fetchone()[0]
            if user["role"] == "admin" and admins <= 1:
                raise ValueError(_("%(name)s is the only coordinator (admin): add another one "
                                   "before removing them.", name=user["name"]))
            db.execute("DELETE FROM login_tokens WHERE user_id = ?", [user_id])
            db.execute("DELETE FROM users WHERE id = ?", [user_id])
            self._audit(db.conn, self.clock(), actor, "user_removed",
                        {"name": user["name"], "role": user["role"]})
        return user

    def consume_login_token(self, token: str) -> dict[str, Any] | None:
        """The user of a valid, unused token, marking it used; None otherwise."""
        now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        with self._write() as db:
            row = db.execute(
                "UPDATE login_tokens SET used_at = ? WHERE token_hash = ? AND used_at IS NULL"
                " AND expires_at > ? RETURNING user_id", [now, _hash_token(token), now]).fetchone()
        return self.user_by_id(row[0]) if row else None


_DUMMY_HASH = generate_password_hash("not-a-password")


# Who the log names for work no person did: the lead's rules, the collector, erasure, a
# platform's deletion or edit, the audit log's retention.
SYSTEM_ACTORS = {curation.RULES_ACTOR, "collector", "cancellazione", "platform", "conservazione"}


def _thread_local() -> threading.local:
    """Storage per OS thread, even where gevent has patched `threading`: the greenlets of a
    process then share one connection, where each would keep its own (with its own page cache)
    for as long as its client stays connected, some 500 kB per wall (bench/fanout.py). They
    cannot interleave inside a statement or a write: neither waits on the network."""
    try:
        from gevent import monkey
    except ImportError:
        return threading.local()
    return monkey.get_original("threading", "local")()


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _chunks(values: Iterable[Any]) -> Iterator[list[Any]]:
    values = list(values)
    for start in range(0, len(values), _CHUNK):
        yield values[start:start + _CHUNK]


def _marks(values: list[Any]) -> str:
    return ", ".join("?" * len(values))


def _post_ids(conn: sqlite3.Connection,
              keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], int]:
    """Ids of stored posts by (platform, remote_id); unknown keys are left out."""
    by_platform: dict[str, list[str]] = {}
    for platform, remote_id in keys:
        by_platform.setdefault(platform, []).append(remote_id)
    found: dict[tuple[str, str], int] = {}
    for platform, remote_ids in by_platform.items():
        for chunk in _chunks(remote_ids):
            for remote_id, post_id in conn.execute(
                    f"SELECT remote_id, id FROM posts WHERE platform = ?"
                    f" AND remote_id IN ({_marks(chunk)})", [platform, *chunk]):
                found[platform, remote_id] = post_id
    return found


def _in_event(conn: sqlite3.Connection, event_id: int, post_ids: Iterable[int]) -> set[int]:
    """Which of these posts the event already has."""
    found: set[int] = set()
    for chunk in _chunks(set(post_ids)):
        found.update(post_id for (post_id,) in conn.execute(
            f"SELECT post_id FROM curation WHERE event_id = ? AND post_id IN ({_marks(chunk)})",
            [event_id, *chunk]))
    return found


def _first_with_fingerprint(conn: sqlite3.Connection, event_id: int,
                            fingerprints: set[str]) -> dict[str, int]:
    """For each fingerprint, the event's first post (by arrival) that has it."""
    first: dict[str, int] = {}
    for chunk in _chunks(fingerprints):
        # CROSS JOIN keeps posts (found by fingerprint) as the outer loop: left to itself the
        # planner would read every curation row of the event instead.
        for fp, post_id in conn.execute(
                f"SELECT p.fingerprint, c.post_id FROM posts p CROSS JOIN curation c"
                f" ON c.post_id = p.id AND c.event_id = ? WHERE p.fingerprint IN"
                f" ({_marks(chunk)}) ORDER BY c.id", [event_id, *chunk]):
            first.setdefault(fp, post_id)
    return first


def _as_dict(value: Any) -> dict[str, Any]:
    # What dataclasses.asdict gives, one level at a time (the encoder calls it again for
    # nested ones), without its deep copies.
    if not is_dataclass(value) or isinstance(value, type):
        raise TypeError(f"{type(value).__name__} is not JSON serializable")
    return {f.name: getattr(value, f.name) for f in fields(value)}


_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=_as_dict)


def _dumps(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, list) and not value:  # most posts: no media, no mentions…
        return "[]"
    return _ENCODER.encode(value)


def _phrase(value: str) -> str:
    """A value as one quoted phrase of the search index's query language."""
    return '"' + value.replace('"', '""') + '"'


_EVENT_TEXT = ("name", "description", "venue", "url", "language", "timezone", "starts_at",
               "ends_at")


def _session_columns(session: dict[str, Any]) -> dict[str, Any]:
    """A session of the programme as its row's columns (but the event and the key)."""
    return {"title": session["title"], "description": session.get("description", ""),
            "starts_at": session["starts_at"], "ends_at": session["ends_at"],
            "room": session.get("room", ""),
            "speakers": json.dumps(session.get("speakers", []), ensure_ascii=False)}


def _post_values(post: Post, fp: str, now: str) -> list[Any]:
    author = post.author
    return [
        post.platform, post.remote_id, post.url, author.handle, author.name, author.avatar,
        author.url, post.created_at, post.text, post.html, _dumps(post.media),
        _dumps(post.reply_to), _dumps(post.repost_of), _dumps(post.reposted_by),
        _dumps(post.quote_of), post.language, _dumps(post.metrics), _dumps(post.hashtags),
        _dumps(post.mentions), _dumps(post.links), int(post.sensitive), post.spoiler, fp,
        _dumps(post.raw), now,
    ]


def _post_row(row: dict[str, Any]) -> dict[str, Any]:
    """A database row as the post dict used by live, views, CLI and recap (raw left out)."""
    post = {k: v for k, v in row.items() if k not in ("raw", "fingerprint")}
    for key in _JSON_POST_FIELDS:
        value = post.get(key)
        post[key] = json.loads(value) if value else ([] if key in (
            "media", "hashtags", "mentions", "links") else ({} if key == "metrics" else None))
    post["author"] = {"handle": post.pop("author_handle"), "name": post.pop("author_name"),
                      "avatar": post.pop("author_avatar"), "url": post.pop("author_url")}
    for key in ("featured", "pinned", "sensitive", "deleted"):
        post[key] = bool(post.get(key))
    return post


# The platforms' metrics of a post summed, exactly as the index posts_engagement (m009) holds
# it, so the most engaged posts are read from the index.
_ENGAGEMENT = " + ".join(
    f"COALESCE(CAST(json_extract(p.metrics, '$.{key}') AS INTEGER), 0)"
    for key in ("likes", "reposts", "replies", "quotes"))


# What the figure tables (m009) gain when posts arrive in an event: one grouped statement per
# table for a whole batch, reading the posts as stored (a post may be stored already, for
# another event, with other metrics than the copy that just came in). Triggers count every
# later change; these must count exactly what the triggers uncount.
# The batch's ids drive the join (CROSS JOIN keeps that order): grouping by state must not
# tempt SQLite into walking the event's whole (event_id, state) index for each batch.
_FIGURES_FROM = ("FROM json_each(?) a CROSS JOIN curation c ON c.event_id = ?"
                 " AND c.post_id = a.value CROSS JOIN posts p ON p.id = c.post_id{tags}"
                 " WHERE p.deleted = 0{where}")
_ARRIVAL_FIGURES = (
    "INSERT INTO figure_minutes (event_id, minute, session_id, posts)"
    " SELECT c.event_id, substr(p.created_at, 1, 16), COALESCE(c.session_id, 0), COUNT(*)"
    f" {_FIGURES_FROM} GROUP BY 1, 2, 3 ON CONFLICT DO UPDATE SET posts = posts + excluded.posts",
    "INSERT INTO figure_platforms (event_id, platform, posts, likes, reposts, replies, quotes)"
    " SELECT c.event_id, p.platform, COUNT(*), " + ", ".join(
        f"SUM(COALESCE(CAST(json_extract(p.metrics, '$.{key}') AS INTEGER), 0))"
        for key in ("likes", "reposts", "replies", "quotes"))
    + f" {_FIGURES_FROM} GROUP BY 1, 2 ON CONFLICT DO UPDATE SET posts = posts + excluded.posts,"
    " likes = likes + excluded.likes, reposts = reposts + excluded.reposts,"
    " replies = replies + excluded.replies, quotes = quotes + excluded.quotes",
    "INSERT INTO figure_accounts (event_id, platform, handle, posts, approved)"
    " SELECT c.event_id, p.platform, p.author_handle, COUNT(*), SUM(c.state = 'approved')"
    f" {_FIGURES_FROM} GROUP BY 1, 2, 3 ON CONFLICT DO UPDATE SET posts = posts + excluded.posts,"
    " approved = approved + excluded.approved",
    "INSERT INTO figure_hashtags (event_id, tag, posts) SELECT c.event_id, j.value, COUNT(*)"
    f" {_FIGURES_FROM} GROUP BY 1, 2 ON CONFLICT DO UPDATE SET posts = posts + excluded.posts",
    "INSERT INTO figure_states (event_id, state, reason, posts)"
    " SELECT c.event_id, c.state, CASE WHEN c.state = 'rejected' THEN c.reason ELSE '' END,"
    f" COUNT(*) {_FIGURES_FROM} GROUP BY 1, 2, 3"
    " ON CONFLICT DO UPDATE SET posts = posts + excluded.posts",
)


_ARRIVAL_STATEMENTS = tuple(
    statement.format(tags=", json_each(p.hashtags) j" if "figure_hashtags" in statement else "",
                     where=" AND j.type = 'text'" if "figure_hashtags" in statement else "")
    for statement in _ARRIVAL_FIGURES)


def _count_arrivals(conn: sqlite3.Connection, event_id: int, post_ids: list[int]) -> None:
    """Count posts that just arrived in an event (their curation rows written) in the
    figures of the day."""
    ids = json.dumps(post_ids)
    for statement in _ARRIVAL_STATEMENTS:
        conn.execute(statement, [ids, event_id])


def wait_seconds(arrived_at: str, decided_at: str) -> int:
    """Whole seconds from a post's arrival to its first decision, whole minutes beyond an hour
    (as figure_waits keeps them, and migration m009 computed them for earlier decisions)."""
    seconds = (parse_time(decided_at) - parse_time(arrived_at)).total_seconds()
    whole = int(max(round(seconds, 3), 0.0))
    return whole - whole % 60 if whole >= 3600 else whole


def _count_decisions(conn: sqlite3.Connection, event_id: int, actor: str, approved: int,
                     rejected: int) -> None:
    conn.execute(
        "INSERT INTO figure_editors (event_id, actor, approved, rejected) VALUES (?, ?, ?, ?)"
        " ON CONFLICT DO UPDATE SET approved = approved + excluded.approved,"
        " rejected = rejected + excluded.rejected", [event_id, actor, approved, rejected])


def _count_wait(conn: sqlite3.Connection, event_id: int, actor: str, seconds: int,
                posts: int = 1) -> None:
    conn.execute(
        "INSERT INTO figure_waits (event_id, actor, seconds, posts) VALUES (?, ?, ?, ?)"
        " ON CONFLICT DO UPDATE SET posts = posts + excluded.posts",
        [event_id, actor, seconds, posts])
