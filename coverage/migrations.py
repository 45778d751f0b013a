"""Named migrations, registered in order and applied at start-up.

A migration that has shipped is never edited: change the schema with a new one.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlite_utils import Database

MIGRATIONS: list[tuple[str, Callable[[Database], None]]] = []


def migration(func: Callable[[Database], None]) -> Callable[[Database], None]:
    """Register a migration under its function name."""
    MIGRATIONS.append((func.__name__, func))
    return func


def apply_migrations(db: Database, now: str) -> list[str]:
    """Apply the migrations not yet recorded, each in its own transaction; return their names."""
    db.execute(
        "CREATE TABLE IF NOT EXISTS _migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
    done = {row["name"] for row in db.query("SELECT name FROM _migrations")}
    applied = []
    for name, func in MIGRATIONS:
        if name in done:
            continue
        db.execute("BEGIN IMMEDIATE")
        try:
            # Another process may have applied it while we waited for the lock.
            if db.execute("SELECT 1 FROM _migrations WHERE name = ?", [name]).fetchone():
                db.execute("COMMIT")
                continue
            func(db)
            db.execute("INSERT INTO _migrations (name, applied_at) VALUES (?, ?)", [name, now])
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        applied.append(name)
    return applied


@migration
def m001_initial(db: Database) -> None:
    statements = """
    CREATE TABLE events (
        id INTEGER PRIMARY KEY,
        slug TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL,
        description TEXT NOT NULL DEFAULT '',
        hashtags TEXT NOT NULL DEFAULT '[]',
        accounts TEXT NOT NULL DEFAULT '[]',
        trusted TEXT NOT NULL DEFAULT '[]',
        starts_at TEXT,
        ends_at TEXT,
        timezone TEXT NOT NULL DEFAULT 'Europe/Rome',
        language TEXT NOT NULL DEFAULT 'it',
        url TEXT NOT NULL DEFAULT '',
        venue TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL
    );
    CREATE TABLE sessions (
        id INTEGER PRIMARY KEY,
        event_id INTEGER NOT NULL REFERENCES events(id),
        key TEXT NOT NULL,
        title TEXT NOT NULL,
        description TEXT NOT NULL DEFAULT '',
        starts_at TEXT NOT NULL,
        ends_at TEXT NOT NULL,
        room TEXT NOT NULL DEFAULT '',
        speakers TEXT NOT NULL DEFAULT '[]',
        UNIQUE (event_id, key)
    );
    CREATE TABLE sources (
        id INTEGER PRIMARY KEY,
        event_id INTEGER NOT NULL REFERENCES events(id),
        platform TEXT NOT NULL,
        name TEXT NOT NULL DEFAULT '',
        config TEXT NOT NULL DEFAULT '{}',
        cursor TEXT NOT NULL DEFAULT '{}',
        enabled INTEGER NOT NULL DEFAULT 1,
        health TEXT NOT NULL DEFAULT 'new',
        last_error TEXT NOT NULL DEFAULT '',
        failures INTEGER NOT NULL DEFAULT 0,
        last_ok_at TEXT,
        next_try_at TEXT,
        created_at TEXT NOT NULL
    );
    CREATE TABLE posts (
        id INTEGER PRIMARY KEY,
        platform TEXT NOT NULL,
        remote_id TEXT NOT NULL,
        url TEXT NOT NULL DEFAULT '',
        author_handle TEXT NOT NULL DEFAULT '',
        author_name TEXT NOT NULL DEFAULT '',
        author_avatar TEXT NOT NULL DEFAULT '',
        author_url TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL,
        text TEXT NOT NULL DEFAULT '',
        html TEXT NOT NULL DEFAULT '',
        media TEXT NOT NULL DEFAULT '[]',
        reply_to TEXT,
        repost_of TEXT,
        reposted_by TEXT,
        quote_of TEXT,
        language TEXT NOT NULL DEFAULT '',
        metrics TEXT NOT NULL DEFAULT '{}',
        hashtags TEXT NOT NULL DEFAULT '[]',
        mentions TEXT NOT NULL DEFAULT '[]',
        links TEXT NOT NULL DEFAULT '[]',
        sensitive INTEGER NOT NULL DEFAULT 0,
        spoiler TEXT NOT NULL DEFAULT '',
        fingerprint TEXT NOT NULL DEFAULT '',
        deleted INTEGER NOT NULL DEFAULT 0,
        deleted_at TEXT,
        raw TEXT NOT NULL DEFAULT '{}',
        first_seen_at TEXT NOT NULL,
        UNIQUE (platform, remote_id)
    );
    CREATE TABLE curation (
        id INTEGER PRIMARY KEY,
        event_id INTEGER NOT NULL REFERENCES events(id),
        post_id INTEGER NOT NULL REFERENCES posts(id),
        source_id INTEGER REFERENCES sources(id),
        state TEXT NOT NULL DEFAULT 'pending'
            CHECK (state IN ('pending', 'approved', 'rejected')),
        featured INTEGER NOT NULL DEFAULT 0,
        pinned INTEGER NOT NULL DEFAULT 0,
        session_id INTEGER REFERENCES sessions(id),
        note TEXT NOT NULL DEFAULT '',
        reason TEXT NOT NULL DEFAULT '',
        duplicate_of INTEGER,
        arrived_at TEXT NOT NULL,
        decided_at TEXT,
        decided_by TEXT NOT NULL DEFAULT '',
        UNIQUE (event_id, post_id)
    );
    CREATE INDEX curation_event_state ON curation (event_id, state, id);
    CREATE INDEX curation_fingerprint ON curation (event_id, duplicate_of);
    CREATE INDEX posts_fingerprint ON posts (fingerprint);
    CREATE TABLE changes (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        event_id INTEGER NOT NULL,
        kind TEXT NOT NULL,
        post_id INTEGER,
        actor TEXT NOT NULL DEFAULT '',
        at TEXT NOT NULL,
        data TEXT NOT NULL DEFAULT '{}'
    );
    CREATE INDEX changes_event_seq ON changes (event_id, seq);
    CREATE TRIGGER changes_append_only_update BEFORE UPDATE ON changes
        BEGIN SELECT RAISE(ABORT, 'the change log is append-only'); END;
    CREATE TRIGGER changes_append_only_delete BEFORE DELETE ON changes
        BEGIN SELECT RAISE(ABORT, 'the change log is append-only'); END;
    CREATE TABLE audit (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        event_id INTEGER,
        post_id INTEGER,
        reason TEXT NOT NULL DEFAULT '',
        detail TEXT NOT NULL DEFAULT '{}'
    );
    CREATE TRIGGER audit_append_only_update BEFORE UPDATE ON audit
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
    CREATE TRIGGER audit_append_only_delete BEFORE DELETE ON audit
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
    CREATE TABLE users (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE COLLATE NOCASE,
        role TEXT NOT NULL CHECK (role IN ('admin', 'editor')),
        password_hash TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL
    );
    CREATE TABLE login_tokens (
        token_hash TEXT PRIMARY KEY,
        user_id INTEGER NOT NULL REFERENCES users(id),
        expires_at TEXT NOT NULL,
        used_at TEXT
    );
    """
    for statement in _split(statements):
        db.execute(statement)


def _split(script: str) -> list[str]:
    """Split a script into statements, keeping trigger bodies whole."""
    out, buf = [], []
    for line in script.strip().splitlines():
        buf.append(line)
        text = "\n".join(buf).strip()
        inside_trigger = "CREATE TRIGGER" in text and not text.endswith("END;")
        if text.endswith(";") and not inside_trigger:
            out.append(text)
            buf = []
    return out


@migration
def m002_wall_rules_hold(db: Database) -> None:
    # The wall's state (layout, theme, pause, blank, message, ticker) and the event's rules
    # (trusted, blocked words, hides, bans, reject reasons), one JSON document each per event;
    # `hold` says in words why a rule kept a post in the queue.
    db.execute("""
        CREATE TABLE walls (
            event_id INTEGER PRIMARY KEY REFERENCES events(id),
            state TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            updated_by TEXT NOT NULL DEFAULT ''
        )""")
    db.execute("""
        CREATE TABLE rules (
            event_id INTEGER PRIMARY KEY REFERENCES events(id),
            data TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            updated_by TEXT NOT NULL DEFAULT ''
        )""")
    db.execute("ALTER TABLE curation ADD COLUMN hold TEXT NOT NULL DEFAULT ''")


@migration
def m003_recaps(db: Database) -> None:
    # The recap builder's edits per event (title, introduction, sections, order, the editor's
    # words between posts), applied over the approved posts each time the recap is built.
    db.execute("""
        CREATE TABLE recaps (
            event_id INTEGER PRIMARY KEY REFERENCES events(id),
            data TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            updated_by TEXT NOT NULL DEFAULT ''
        )""")


@migration
def m004_erasure_and_retention(db: Database) -> None:
    # Authors who asked to be erased: their posts are deleted and never collected again.
    db.execute("""
        CREATE TABLE erasures (
            platform TEXT NOT NULL,
            handle TEXT NOT NULL,
            at TEXT NOT NULL,
            actor TEXT NOT NULL,
            PRIMARY KEY (platform, handle)
        )""")
    # The audit log stays append-only, except for rows older than a retention cutoff that an
    # admin set (the purge is itself logged): the trigger refuses every other delete.
    db.execute("""
        CREATE TABLE audit_retention (
            id INTEGER PRIMARY KEY,
            cutoff TEXT NOT NULL,
            at TEXT NOT NULL,
            actor TEXT NOT NULL
        )""")
    db.execute("DROP TRIGGER audit_append_only_delete")
    db.execute("""
        CREATE TRIGGER audit_append_only_delete BEFORE DELETE ON audit
        WHEN OLD.at >= (SELECT COALESCE(MAX(cutoff), '') FROM audit_retention)
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END""")


@migration
def m006_leases(db: Database) -> None:
    # Work that one process at a time must do (an event's collecting): the holder renews its
    # lease; when it stops or dies the lease expires and another process takes the work over.
    db.execute("""
        CREATE TABLE leases (
            name TEXT PRIMARY KEY,
            holder TEXT NOT NULL,
            expires_at REAL NOT NULL,
            since TEXT NOT NULL
        )""")
