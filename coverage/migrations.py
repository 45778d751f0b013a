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


@migration
def m009_figures(db: Database) -> None:
    # The figures of the day, kept up to date by every write instead of read from every post:
    # the live figures page refreshes while editors work, and at 50,000 posts reading the whole
    # event each time would stall the server. Like event_counts (m005), only posts that were
    # not deleted count; triggers keep them in step whoever changes a post or its curation
    # (decisions, undo, sessions, edits and deletions at the source, erasure). Arrivals are
    # counted by Store in the statement after it inserts them, a few grouped statements per
    # batch (a trigger per row cost ingest a sixth of its speed); what editors decided, and how
    # fast, is kept by Store where it decides (it knows an undo from a decision).
    #   figure_minutes   posts per minute written (UTC, 'YYYY-MM-DDTHH:MM') and session placed
    #                    in (0: none; the programme's times place the rest when read)
    #   figure_platforms posts and the platforms' metrics summed, per platform
    #   figure_accounts  posts and approved posts per account (a row goes with its last post)
    #   figure_hashtags  posts per hashtag as written (case is folded when read)
    #   figure_states    posts per state, the rejected ones per reason
    #   figure_editors   approvals and rejections per editor ('regola': the lead's rules)
    #   figure_waits     posts by whoever decided them first and the whole seconds from their
    #                    arrival to that first decision (whole minutes beyond an hour)
    #   curation.first_decided_at  when the post was first approved or rejected
    for statement in (
        """CREATE TABLE figure_minutes (
            event_id INTEGER NOT NULL, minute TEXT NOT NULL, session_id INTEGER NOT NULL,
            posts INTEGER NOT NULL, PRIMARY KEY (event_id, minute, session_id)) WITHOUT ROWID""",
        """CREATE TABLE figure_platforms (
            event_id INTEGER NOT NULL, platform TEXT NOT NULL, posts INTEGER NOT NULL,
            likes INTEGER NOT NULL, reposts INTEGER NOT NULL, replies INTEGER NOT NULL,
            quotes INTEGER NOT NULL, PRIMARY KEY (event_id, platform)) WITHOUT ROWID""",
        """CREATE TABLE figure_accounts (
            event_id INTEGER NOT NULL, platform TEXT NOT NULL, handle TEXT NOT NULL,
            posts INTEGER NOT NULL, approved INTEGER NOT NULL,
            PRIMARY KEY (event_id, platform, handle)) WITHOUT ROWID""",
        """CREATE TABLE figure_hashtags (
            event_id INTEGER NOT NULL, tag TEXT NOT NULL, posts INTEGER NOT NULL,
            PRIMARY KEY (event_id, tag)) WITHOUT ROWID""",
        """CREATE TABLE figure_states (
            event_id INTEGER NOT NULL, state TEXT NOT NULL, reason TEXT NOT NULL,
            posts INTEGER NOT NULL, PRIMARY KEY (event_id, state, reason)) WITHOUT ROWID""",
        """CREATE TABLE figure_editors (
            event_id INTEGER NOT NULL, actor TEXT NOT NULL, approved INTEGER NOT NULL,
            rejected INTEGER NOT NULL, PRIMARY KEY (event_id, actor)) WITHOUT ROWID""",
        """CREATE TABLE figure_waits (
            event_id INTEGER NOT NULL, actor TEXT NOT NULL, seconds INTEGER NOT NULL,
            posts INTEGER NOT NULL, PRIMARY KEY (event_id, actor, seconds)) WITHOUT ROWID""",
        "ALTER TABLE curation ADD COLUMN first_decided_at TEXT",
        # The most engaged approved posts: walked from the top of this index, not sorted.
        f"CREATE INDEX posts_engagement ON posts ({_M009_ENGAGEMENT.format(m='metrics')})",
    ):
        db.execute(statement)
    for statement in _split(_m009_triggers()):
        db.execute(statement)
    _m009_backfill(db)


_M009_METRICS = ("likes", "reposts", "replies", "quotes")
_M009_METRIC = "COALESCE(CAST(json_extract({m}, '$.%s') AS INTEGER), 0)"
_M009_ENGAGEMENT = " + ".join(_M009_METRIC % key for key in _M009_METRICS)
_M009_REASON = "CASE WHEN {c}.state = 'rejected' THEN {c}.reason ELSE '' END"


def _m009_counting(c: str, p: str, sign: str, metrics: str, hashtags: str,
                   where: str) -> str:
    """The statements that count (sign 1) or uncount (sign -1) the rows `FROM {c} curation
    JOIN {p} post WHERE {where}` in the figure tables; `metrics` and `hashtags` name the post's
    columns to use (OLD.… or NEW.… in an update)."""
    sums = ", ".join(f"{sign} * {_M009_METRIC.format(m=metrics) % key}" for key in _M009_METRICS)
    return f"""
        INSERT INTO figure_minutes (event_id, minute, session_id, posts)
        SELECT {c}.event_id, substr({p}.created_at, 1, 16), COALESCE({c}.session_id, 0), {sign}
        {where}
        ON CONFLICT DO UPDATE SET posts = posts + excluded.posts;
        INSERT INTO figure_platforms (event_id, platform, posts, likes, reposts, replies, quotes)
        SELECT {c}.event_id, {p}.platform, {sign}, {sums}
        {where}
        ON CONFLICT DO UPDATE SET posts = posts + excluded.posts,
            likes = likes + excluded.likes, reposts = reposts + excluded.reposts,
            replies = replies + excluded.replies, quotes = quotes + excluded.quotes;
        INSERT INTO figure_accounts (event_id, platform, handle, posts, approved)
        SELECT {c}.event_id, {p}.platform, {p}.author_handle, {sign},
            {sign} * ({c}.state = 'approved')
        {where}
        ON CONFLICT DO UPDATE SET posts = posts + excluded.posts,
            approved = approved + excluded.approved;
        INSERT INTO figure_hashtags (event_id, tag, posts)
        SELECT {c}.event_id, j.value, {sign}
        {where.replace("WHERE", f", json_each({hashtags}) j WHERE j.type = 'text' AND", 1)}
        ON CONFLICT DO UPDATE SET posts = posts + excluded.posts;
        INSERT INTO figure_states (event_id, state, reason, posts)
        SELECT {c}.event_id, {c}.state, {_M009_REASON.format(c=c)}, {sign}
        {where}
        ON CONFLICT DO UPDATE SET posts = posts + excluded.posts;"""


def _m009_tidy_accounts(events: str, platform: str, handle: str) -> str:
    # Rows that reached zero go, so an erased author's handle leaves no trace here.
    return f"""
        DELETE FROM figure_accounts WHERE event_id IN ({events}) AND platform = {platform}
            AND handle = {handle} AND posts = 0;"""


def _m009_tidy_hashtags(events: str, hashtags: str) -> str:
    return f"""
        DELETE FROM figure_hashtags WHERE event_id IN ({events}) AND posts = 0
            AND tag IN (SELECT value FROM json_each({hashtags}));"""


def _m009_triggers() -> str:
    removal = _m009_counting("OLD", "p", "-1", "p.metrics", "p.hashtags",
                             "FROM posts p WHERE p.id = OLD.post_id AND p.deleted = 0")
    of_post = ("FROM curation c WHERE c.event_id IN (SELECT id FROM events)"
               " AND c.post_id = NEW.id")
    # A post deleted (or back) at its source, in every event that holds it: what was counted
    # (OLD) goes, what is now there (NEW) comes.
    deleted = _m009_counting("c", "OLD", "-1", "OLD.metrics", "OLD.hashtags",
                             of_post + " AND NEW.deleted")
    undeleted = _m009_counting("c", "NEW", "1", "NEW.metrics", "NEW.hashtags",
                               of_post + " AND NOT NEW.deleted")
    events_of_post = "SELECT event_id FROM curation WHERE event_id IN (SELECT id FROM events)" \
                     " AND post_id = NEW.id"
    metric_changes = ", ".join(
        f"{k} = {k} + {_M009_METRIC.format(m='NEW.metrics') % k}"
        f" - {_M009_METRIC.format(m='OLD.metrics') % k}" for k in _M009_METRICS)
    return f"""
    CREATE TRIGGER figures_removal AFTER DELETE ON curation
    BEGIN {removal}
    {_m009_tidy_accounts("OLD.event_id", "(SELECT platform FROM posts WHERE id = OLD.post_id)",
                         "(SELECT author_handle FROM posts WHERE id = OLD.post_id)")}
    {_m009_tidy_hashtags("OLD.event_id", "(SELECT hashtags FROM posts WHERE id = OLD.post_id)")}
    END;
    CREATE TRIGGER figures_session AFTER UPDATE OF session_id ON curation
    WHEN OLD.session_id IS NOT NEW.session_id
        AND NOT (SELECT deleted FROM posts WHERE id = NEW.post_id)
    BEGIN
        INSERT INTO figure_minutes (event_id, minute, session_id, posts)
        SELECT NEW.event_id, substr(created_at, 1, 16), COALESCE(OLD.session_id, 0), -1
        FROM posts WHERE id = NEW.post_id
        ON CONFLICT DO UPDATE SET posts = posts - 1;
        INSERT INTO figure_minutes (event_id, minute, session_id, posts)
        SELECT NEW.event_id, substr(created_at, 1, 16), COALESCE(NEW.session_id, 0), 1
        FROM posts WHERE id = NEW.post_id
        ON CONFLICT DO UPDATE SET posts = posts + 1;
    END;
    CREATE TRIGGER figures_state AFTER UPDATE OF state, reason ON curation
    WHEN (OLD.state IS NOT NEW.state OR OLD.reason IS NOT NEW.reason)
        AND NOT (SELECT deleted FROM posts WHERE id = NEW.post_id)
    BEGIN
        INSERT INTO figure_states (event_id, state, reason, posts)
        VALUES (OLD.event_id, OLD.state, {_M009_REASON.format(c="OLD")}, -1)
        ON CONFLICT DO UPDATE SET posts = posts - 1;
        INSERT INTO figure_states (event_id, state, reason, posts)
        VALUES (NEW.event_id, NEW.state, {_M009_REASON.format(c="NEW")}, 1)
        ON CONFLICT DO UPDATE SET posts = posts + 1;
        UPDATE figure_accounts SET approved = approved
            - (OLD.state = 'approved') + (NEW.state = 'approved')
        WHERE event_id = NEW.event_id
            AND (platform, handle) = (SELECT platform, author_handle FROM posts
                                      WHERE id = NEW.post_id);
    END;
    CREATE TRIGGER figures_deletion AFTER UPDATE OF deleted ON posts
    WHEN OLD.deleted IS NOT NEW.deleted
    BEGIN {deleted}
    {undeleted}
    {_m009_tidy_accounts(events_of_post, "NEW.platform", "NEW.author_handle")}
    {_m009_tidy_hashtags(events_of_post, "OLD.hashtags")}
    END;
    CREATE TRIGGER figures_metrics AFTER UPDATE OF metrics ON posts
    WHEN OLD.metrics IS NOT NEW.metrics AND NOT OLD.deleted AND NOT NEW.deleted
    BEGIN
        UPDATE figure_platforms SET {metric_changes}
        WHERE platform = NEW.platform AND event_id IN ({events_of_post});
    END;
    CREATE TRIGGER figures_hashtags AFTER UPDATE OF hashtags ON posts
    WHEN OLD.hashtags IS NOT NEW.hashtags AND NOT OLD.deleted AND NOT NEW.deleted
    BEGIN
        INSERT INTO figure_hashtags (event_id, tag, posts)
        SELECT c.event_id, j.value, -1 FROM curation c, json_each(OLD.hashtags) j
        WHERE j.type = 'text' AND c.event_id IN (SELECT id FROM events) AND c.post_id = NEW.id
        ON CONFLICT DO UPDATE SET posts = posts + excluded.posts;
        INSERT INTO figure_hashtags (event_id, tag, posts)
        SELECT c.event_id, j.value, 1 FROM curation c, json_each(NEW.hashtags) j
        WHERE j.type = 'text' AND c.event_id IN (SELECT id FROM events) AND c.post_id = NEW.id
        ON CONFLICT DO UPDATE SET posts = posts + excluded.posts;
        {_m009_tidy_hashtags(events_of_post, "OLD.hashtags")}
    END;
    """


def _m009_backfill(db: Database) -> None:
    # The posts already stored, counted as the triggers would have counted them.
    for statement in _split(_m009_counting(
            "c", "p", "1", "p.metrics", "p.hashtags",
            "FROM curation c JOIN posts p ON p.id = c.post_id WHERE p.deleted = 0")):
        db.execute(statement)
    # Decisions already taken, from the audit log: every approval or rejection (a person's
    # says so in its detail, a rule's in its action), less those their editor undid; the
    # first one of each post gives its time to decision.
    db.execute("""
        CREATE TEMP TABLE m009_decisions AS
        SELECT id, event_id, post_id, actor, at, CASE WHEN actor = 'regola' THEN
                CASE action WHEN 'approve' THEN 'approved' WHEN 'reject' THEN 'rejected' END
            ELSE json_extract(detail, '$.after.state') END AS state
        FROM audit WHERE action IN ('approve', 'reject', 'feature', 'pin')
            AND event_id IS NOT NULL AND post_id IS NOT NULL AND json_valid(detail)""")
    db.execute("DELETE FROM m009_decisions WHERE state IS NULL"
               " OR state NOT IN ('approved', 'rejected')")
    db.execute("""
        INSERT INTO figure_editors (event_id, actor, approved, rejected)
        SELECT event_id, actor, SUM(state = 'approved'), SUM(state = 'rejected')
        FROM m009_decisions WHERE id NOT IN (
            SELECT json_extract(detail, '$.undoes') FROM audit
            WHERE action = 'undo' AND json_valid(detail)
                AND json_extract(detail, '$.undoes') IS NOT NULL)
        GROUP BY event_id, actor""")
    db.execute("""
        CREATE TEMP TABLE m009_firsts AS
        SELECT d.event_id, d.post_id, d.actor, d.at, c.arrived_at
        FROM (SELECT event_id, post_id, actor, at, MIN(id) FROM m009_decisions
              GROUP BY event_id, post_id) d  -- actor and at: those of the first row
        JOIN curation c ON c.event_id = d.event_id AND c.post_id = d.post_id""")
    db.execute("""
        UPDATE curation SET first_decided_at = f.at FROM m009_firsts f
        WHERE curation.event_id = f.event_id AND curation.post_id = f.post_id""")
    db.execute("""
        INSERT INTO figure_waits (event_id, actor, seconds, posts)
        SELECT event_id, actor, CASE WHEN s >= 3600 THEN s - s % 60 ELSE s END, COUNT(*)
        FROM (SELECT event_id, actor, CAST(max(0, round(
                  (julianday(at) - julianday(arrived_at)) * 86400, 3)) AS INTEGER) AS s
              FROM m009_firsts)
        GROUP BY 1, 2, 3""")
    # Decided posts whose decision the audit no longer holds (a retention purge): they are
    # not first decided again later, and their time is unknown.
    db.execute("UPDATE curation SET first_decided_at = COALESCE(decided_at, arrived_at)"
               " WHERE first_decided_at IS NULL AND state IN ('approved', 'rejected')")
    db.execute("DROP TABLE m009_decisions")
    db.execute("DROP TABLE m009_firsts")
