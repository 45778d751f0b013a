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
def m005_console_indexes(db: Database) -> None:
    # What the console asks for, answered from indexes at any size of event. Each index costs
    # every ingest a little, so there are few: listings newest first by post id, by state
    # (replacing the index by arrival order) and by session (only posts an editor placed in
    # one); a source's posts by arrival (its rate, its re-checks); the pinned post; an
    # editor's last decisions (undo) and the event's audit log. A post's events are found
    # through the (event_id, post_id) key, one probe per event, not by another index.
    # IF NOT EXISTS throughout: running it again on a database that has it changes nothing.
    for statement in (
        "CREATE INDEX IF NOT EXISTS curation_event_state_post"
        " ON curation (event_id, state, post_id)",
        "DROP INDEX IF EXISTS curation_event_state",
        "CREATE INDEX IF NOT EXISTS curation_event_session_post"
        " ON curation (event_id, session_id, post_id) WHERE session_id IS NOT NULL",
        "CREATE INDEX IF NOT EXISTS curation_source_arrival ON curation (source_id, arrived_at)",
        "CREATE INDEX IF NOT EXISTS curation_pinned ON curation (event_id) WHERE pinned = 1",
        "CREATE INDEX IF NOT EXISTS audit_event ON audit (event_id, id)",
        "CREATE INDEX IF NOT EXISTS audit_event_actor ON audit (event_id, actor, id)",
    ):
        db.execute(statement)
    # One inverted index over the posts: the words of the text and of the author's name and
    # handle (accents folded, word prefixes) for the search, and the platform and handle as
    # words too, so filtering by platform or account walks it newest first (by post id) and
    # stops at a page, like the search. Ingest pays nothing for it: new posts are indexed
    # after they are stored (`Store.index_search`, from the collector's loop and before any
    # query that needs the index), up to `search_progress.indexed_to`; triggers keep the
    # posts already indexed in step when they are edited or erased (and lower the mark when
    # the newest are erased: SQLite gives the next post the highest free id again).
    if not db.execute("SELECT 1 FROM sqlite_master WHERE name = 'posts_search'").fetchone():
        db.execute("CREATE VIRTUAL TABLE posts_search USING fts5(text, author_name,"
                   " author_handle, platform, content='posts', content_rowid='id',"
                   " tokenize='unicode61 remove_diacritics 2')")
    db.execute("CREATE TABLE IF NOT EXISTS search_progress ("
               " id INTEGER PRIMARY KEY CHECK (id = 1), indexed_to INTEGER NOT NULL)")
    db.execute("INSERT OR IGNORE INTO search_progress (id, indexed_to) VALUES (1, 0)")
    for statement in _split("""
    CREATE TRIGGER IF NOT EXISTS posts_search_delete AFTER DELETE ON posts
    WHEN OLD.id <= (SELECT indexed_to FROM search_progress)
    BEGIN
        INSERT INTO posts_search (posts_search, rowid, text, author_name, author_handle,
                                  platform)
        VALUES ('delete', OLD.id, OLD.text, OLD.author_name, OLD.author_handle, OLD.platform);
        UPDATE search_progress SET indexed_to = (SELECT COALESCE(MAX(id), 0) FROM posts)
        WHERE indexed_to > (SELECT COALESCE(MAX(id), 0) FROM posts);
    END;
    CREATE TRIGGER IF NOT EXISTS posts_search_update
    AFTER UPDATE OF text, author_name, author_handle, platform ON posts
    WHEN OLD.id <= (SELECT indexed_to FROM search_progress)
    BEGIN
        INSERT INTO posts_search (posts_search, rowid, text, author_name, author_handle,
                                  platform)
        VALUES ('delete', OLD.id, OLD.text, OLD.author_name, OLD.author_handle, OLD.platform);
        INSERT INTO posts_search (rowid, text, author_name, author_handle, platform)
        VALUES (NEW.id, NEW.text, NEW.author_name, NEW.author_handle, NEW.platform);
    END;
    """):
        db.execute(statement)
    # How many posts of each event are in each state (deleted ones left out), kept by triggers
    # so the console's counts cost one row read whoever writes (ingest, decisions, undo, edits
    # and deletions at the source, erasure), instead of a count over the whole event.
    db.execute("""
        CREATE TABLE IF NOT EXISTS event_counts (
            event_id INTEGER NOT NULL,
            state TEXT NOT NULL,
            n INTEGER NOT NULL,
            PRIMARY KEY (event_id, state)
        ) WITHOUT ROWID""")
    db.execute("DELETE FROM event_counts")
    db.execute("""
        INSERT INTO event_counts (event_id, state, n)
        SELECT c.event_id, c.state, COUNT(*) FROM curation c JOIN posts p ON p.id = c.post_id
        WHERE p.deleted = 0 GROUP BY c.event_id, c.state""")
    for statement in _split("""
    CREATE TRIGGER IF NOT EXISTS event_counts_arrival AFTER INSERT ON curation
    BEGIN
        INSERT INTO event_counts (event_id, state, n)
        SELECT NEW.event_id, NEW.state, 1
        WHERE NOT (SELECT deleted FROM posts WHERE id = NEW.post_id)
        ON CONFLICT (event_id, state) DO UPDATE SET n = n + 1;
    END;
    CREATE TRIGGER IF NOT EXISTS event_counts_decision AFTER UPDATE OF state ON curation
    WHEN OLD.state != NEW.state AND NOT (SELECT deleted FROM posts WHERE id = NEW.post_id)
    BEGIN
        UPDATE event_counts SET n = n - 1 WHERE event_id = OLD.event_id AND state = OLD.state;
        INSERT INTO event_counts (event_id, state, n) VALUES (NEW.event_id, NEW.state, 1)
        ON CONFLICT (event_id, state) DO UPDATE SET n = n + 1;
    END;
    CREATE TRIGGER IF NOT EXISTS event_counts_removal AFTER DELETE ON curation
    WHEN NOT COALESCE((SELECT deleted FROM posts WHERE id = OLD.post_id), 1)
    BEGIN
        UPDATE event_counts SET n = n - 1 WHERE event_id = OLD.event_id AND state = OLD.state;
    END;
    CREATE TRIGGER IF NOT EXISTS event_counts_deletion AFTER UPDATE OF deleted ON posts
    WHEN OLD.deleted != NEW.deleted
    BEGIN
        INSERT INTO event_counts (event_id, state, n)
        SELECT event_id, state, CASE WHEN NEW.deleted THEN -1 ELSE 1 END FROM curation
        WHERE event_id IN (SELECT id FROM events) AND post_id = NEW.id
        ON CONFLICT (event_id, state) DO UPDATE SET n = n + excluded.n;
    END;
    """):
        db.execute(statement)


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


@migration
def m007_wall_highlights(db: Database) -> None:
    # A wall's snapshot holds the newest approved posts and every featured or pinned one,
    # however old: found through this small index rather than the event's approved posts.
    db.execute("CREATE INDEX IF NOT EXISTS curation_highlighted ON curation (event_id, post_id)"
               " WHERE featured = 1 OR pinned = 1")


@migration
def m008_user_language(db: Database) -> None:
    # The language each person chose for Piazza's pages ('' = their browser's).
    db.execute("ALTER TABLE users ADD COLUMN language TEXT NOT NULL DEFAULT ''")
