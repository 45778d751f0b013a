"""Listings, search and counts at any size: complete pages, exact filters, counts kept by every
write, and an index under everything the console asks for (migration m005)."""

from __future__ import annotations

import re
import unicodedata

import pytest

from coverage import migrations
from coverage.live import CONSOLE, WALL, Live
from coverage.migrations import apply_migrations, m005_console_indexes
from coverage.model import Author
from coverage.store import Store

from .conftest import EVENT, login

AUTHORS = [Author("@anna@social.example", "Anna Bianchi"), Author("@luca.bsky.social", "Luca"),
           Author("@ComuneValdoria", "Comune di Valdoria"), Author("Ufficio stampa", "")]
PLATFORMS = ["mastodon", "bluesky", "x", "rss"]
WORDS = ["accessibilità", "linguaggio chiaro", "dati aperti", "crisi", "servizi digitali"]


def slow_counts(store: Store, event_id: int) -> dict[str, int]:
    """The counts as a full read of the event computes them (what the triggers must equal)."""
    counts = {"pending": 0, "approved": 0, "rejected": 0}
    counts.update(store.db.execute(
        "SELECT c.state, COUNT(*) FROM curation c JOIN posts p ON p.id = c.post_id"
        " WHERE c.event_id = ? AND p.deleted = 0 GROUP BY c.state", [event_id]).fetchall())
    return counts


def fill(store: Store, make_post, slug: str, source_id: int, n: int = 60) -> list[int]:
    """`n` posts of several platforms, authors and words; some decided, some in sessions."""
    posts = [make_post(f"Post {i} su {WORDS[i % len(WORDS)]} #pasocial",
                       platform=PLATFORMS[i % len(PLATFORMS)], author=AUTHORS[i % 3 + i % 2])
             for i in range(n)]
    store.ingest(source_id, posts, {})
    event = store.get_event(slug)
    ids = [p["id"] for p in store.list_posts(slug, limit=10_000, oldest_first=True)]
    store.decide_many(slug, ids[::3], "approve", "marta")
    store.decide_many(slug, ids[1::5], "reject", "luca", reason="spam")
    store.decide_many(slug, ids[::4], "session", "marta", session_id=event["sessions"][0]["id"])
    store.decide_many(slug, ids[2::7], "session", "marta", session_id=event["sessions"][1]["id"])
    return ids


@pytest.fixture
def shared(store, event, source_id, make_post):
    """Two events sharing some posts, so a post's id and its place in an event differ."""
    other = store.create_event({**EVENT, "slug": "altro"})
    other_source = store.add_source("altro", "replay", {"speed": 0})["id"]
    fill(store, make_post, "altro", other_source, n=25)
    reused = store.posts_by_id(other["id"], [p["id"] for p in store.list_posts("altro")])
    fill(store, make_post, event["slug"], source_id)
    from coverage.model import Post

    again = [Post.from_dict({**{k: v for k, v in p.items() if k in Post.__dataclass_fields__},
                             "raw": {}}) for p in list(reused.values())[:10]]
    store.ingest(source_id, again, {})  # already stored for "altro": new to this event
    assert any(p["curation_id"] != p["id"] for p in store.list_posts(event["slug"]))
    return store.get_event(event["slug"])


def fold_words(text: str) -> list[str]:
    text = unicodedata.normalize("NFD", text.lower())
    return re.findall(r"[^\W_]+", "".join(c for c in text if not unicodedata.combining(c)))


def expected(store: Store, slug: str, **filters) -> list[int]:
    """The ids a filter must return, computed from the whole event in Python."""
    out = []
    for post in store.list_posts(slug, limit=10_000):
        if filters.get("state") and post["state"] != filters["state"]:
            continue
        if filters.get("platform") and post["platform"] != filters["platform"]:
            continue
        if filters.get("account") and post["author"]["handle"] != filters["account"]:
            continue
        session = filters.get("session")
        if session == "none" and post["session_id"] is not None:
            continue
        if session not in (None, "none") and post["session_id"] != int(session):
            continue
        if filters.get("q"):
            words = fold_words(" ".join((post["text"], post["author"]["name"],
                                         post["author"]["handle"])))
            if not all(any(w.startswith(q) for w in words) for q in fold_words(filters["q"])):
                continue
        out.append(post["id"])
    return sorted(out, reverse=True)


def filter_cases(event: dict) -> list[dict]:
    first, second = (str(s["id"]) for s in event["sessions"])
    return [{}, {"state": "pending"}, {"state": "approved"}, {"state": "rejected"},
            {"platform": "bluesky"}, {"platform": "x", "state": "rejected"},
            {"platform": "threads"}, {"session": first}, {"session": second, "state": "approved"},
            {"session": "none"}, {"session": "none", "state": "pending"},
            {"account": "@luca.bsky.social"}, {"account": "@ComuneValdoria", "platform": "rss"},
            {"q": "accessibilita"}, {"q": "ACCESSIBILITÀ"}, {"q": "linguag chiar"},
            {"q": "dati", "state": "approved"}, {"q": "bianchi"},
            {"q": "valdoria", "platform": "x"}, {"q": "nessuna parola del genere"},
            {"q": "crisi", "session": first}]


def test_every_filter_returns_exactly_its_posts_newest_first(store, shared):
    empty = []
    for filters in filter_cases(shared):
        kwargs = {("text" if k == "q" else k): v for k, v in filters.items()}
        found = [p["id"] for p in store.find_posts(shared["id"], limit=500, **kwargs)]
        assert found == expected(store, shared["slug"], **filters), filters
        empty += [filters] if not found else []
    assert empty == [{"platform": "threads"}, {"q": "nessuna parola del genere"}]


def test_api_pages_return_every_post_exactly_once(app, app_store, app_event, make_post, editor):
    fill(app_store, make_post, "prova", app_store.list_sources("prova")[0]["id"])
    for filters in filter_cases(app_event):
        seen: list[int] = []
        before = None
        while True:
            params = {**filters, "limit": 7, **({"before": before} if before else {})}
            page = editor.get("/api/events/prova/posts", query_string=params).get_json()
            if not page:
                break
            seen += [p["id"] for p in page]
            before = page[-1]["id"]
        assert seen == expected(app_store, "prova", **filters), filters
        assert len(seen) == len(set(seen))


def test_the_posts_api_refuses_a_bad_filter(app, app_event, editor):
    for query in ("state=maybe", "session=abc", "limit=x", "before=x"):
        assert editor.get(f"/api/events/prova/posts?{query}").status_code == 400


def test_search_follows_edits_deletions_and_erasure(store, event, source_id, make_post):
    post = make_post("Parliamo di trasparenza amministrativa")
    store.ingest(source_id, [post], {})

    def found(words: str) -> list[int]:
        return [p["id"] for p in store.find_posts(event["id"], text=words)]

    [post_id] = found("trasparenza")
    store.ingest(source_id, [], {}, updated=[make_post("Ora si parla di partecipazione",
                                                       remote_id=post.remote_id)])
    assert found("trasparenza") == [] and found("partecipazione") == [post_id]
    store.mark_deleted(post.platform, post.remote_id)
    assert found("partecipazione") == [post_id]  # still listed, marked deleted
    store.erase_author(post.platform, post.author.handle, "lead")
    assert found("partecipazione") == [] and found("anna") == []


def test_counts_follow_every_kind_of_write(store, make_post):
    store.create_event({**EVENT, "slug": "conta", "trusted": ["@fidato@social.example"]})
    source = store.add_source("conta", "replay", {"speed": 0})["id"]
    event_id = store.get_event("conta")["id"]

    def check() -> None:
        assert store.counts(event_id) == slow_counts(store, event_id)

    trusted = make_post("Dal profilo ufficiale", author=Author("@fidato@social.example"))
    posts = [make_post(f"Post numero {i}") for i in range(12)]
    store.ingest(source, [trusted, *posts], {})  # one approved on arrival
    check()
    ids = [p["id"] for p in store.list_posts("conta", oldest_first=True)]
    store.decide("conta", ids[1], "approve", "marta")
    check()
    store.decide_many("conta", ids[2:6], "reject", "luca", reason="spam")
    check()
    store.decide("conta", ids[3], "pending", "luca")
    store.decide("conta", ids[6], "feature", "marta")
    store.decide("conta", ids[7], "note", "marta", note="solo una nota")
    check()
    store.undo("conta", "luca")
    check()
    store.mark_deleted(posts[5].platform, posts[5].remote_id)  # a rejected post
    store.mark_deleted(trusted.platform, trusted.remote_id)  # an approved one
    check()
    store.ingest(source, [], {}, updated=[make_post("Cambiato", remote_id=posts[0].remote_id)])
    check()  # the approved post went back to the queue
    store.erase_author(posts[8].platform, posts[8].author.handle, "lead")
    check()
    assert store.counts(event_id) == {"pending": 0, "approved": 0, "rejected": 0}


def test_the_console_migration_fits_an_existing_database(tmp_path, monkeypatch, make_post):
    path = tmp_path / "vecchio.db"
    before = [m for m in migrations.MIGRATIONS if m[0] != "m005_console_indexes"]
    monkeypatch.setattr(migrations, "MIGRATIONS", before)
    old = Store(path)
    old.create_event(EVENT)
    source = old.add_source("prova", "replay", {"speed": 0})["id"]
    ids = fill(old, make_post, "prova", source, n=30)
    gone = old.posts_by_id(1, ids[:1])[ids[0]]
    old.mark_deleted(gone["platform"], gone["remote_id"])
    old.close()
    monkeypatch.undo()

    store = Store(path)  # m005 runs over the data already there
    event_id = store.get_event("prova")["id"]
    counts = store.counts(event_id)
    assert counts == slow_counts(store, event_id) and sum(counts.values()) == 29
    searched = [p["id"] for p in store.find_posts(event_id, text="accessibilita", limit=500)]
    assert searched and searched == expected(store, "prova", q="accessibilita")
    assert apply_migrations(store.db, "2026-11-19T00:00:00Z") == []

    schema = store.db.execute("SELECT type, name FROM sqlite_master ORDER BY name").fetchall()
    store.db.execute("BEGIN IMMEDIATE")
    m005_console_indexes(store.db)  # again, by hand: nothing doubles, nothing breaks
    store.db.execute("COMMIT")
    assert store.db.execute("SELECT type, name FROM sqlite_master ORDER BY name").fetchall() \
        == schema
    assert store.counts(event_id) == counts
    assert [p["id"] for p in store.find_posts(event_id, text="accessibilita", limit=500)] \
        == searched
    assert store.integrity_check() == "ok"


# -- an index under every console query -----------------------------------------------------
BIG = r"(?:p|c|a|posts|curation|audit|changes)"


def whole_table_reads(conn, statements: list[str]) -> list[str]:
    """Plans that read a whole posts, curation, audit or changes table, or sort their rows."""
    bad = []
    for sql in statements:
        if not re.match(r"\s*(SELECT|UPDATE|DELETE|INSERT|WITH)\b", sql, re.I):
            continue
        for row in conn.execute(f"EXPLAIN QUERY PLAN {sql}"):
            detail = row[3]
            if re.match(rf"SCAN {BIG}\b(?! VIRTUAL TABLE)", detail) or (
                    "TEMP B-TREE" in detail and re.search(r"\b(posts|curation|audit|changes)\b",
                                                          sql)):
                bad.append(f"{detail}: {sql}")
    return bad


def test_nothing_the_console_does_reads_the_whole_event(app, app_store, app_event, make_post,
                                                       editor):
    store = app_store
    source_id = store.list_sources("prova")[0]["id"]
    store.add_source("prova", "x", {"hashtags": ["prova"]})
    ids = fill(store, make_post, "prova", source_id)
    event_id = app_event["id"]
    login(editor, store, "luca")
    live = Live(store, type("Quiet", (), {"emit": lambda *a, **k: None})())
    statements: list[str] = []
    store.db.conn.set_trace_callback(statements.append)
    try:
        live.catch_up(event_id, 0, CONSOLE)
        live.catch_up(event_id, 0, WALL)
        live.catch_up(event_id, 5, CONSOLE)
        store.decide("prova", ids[10], "approve", "marta")
        store.decide("prova", ids[11], "pin", "marta")
        store.decide_many("prova", ids[20:30], "reject", "marta", reason="spam")
        store.undo("prova", "marta")
        live.pump()
        store.counts(event_id)
        store.changes_after(3, event_id=event_id)
        store.posts_by_id(event_id, ids[:50])
        store.approved_remote_ids(source_id)
        store.mark_deleted("mastodon", store.posts_by_id(event_id, ids[:1])[ids[0]]["remote_id"])
        for filters in filter_cases(app_event):
            store.find_posts(event_id, **{("text" if k == "q" else k): v
                                          for k, v in filters.items()}, before=ids[-5])
        for url in ("/e/prova/console", "/e/prova/rules", "/e/prova/sources",
                    "/api/events/prova/rules", "/api/events/prova/sources",
                    "/api/events/prova/audit", "/api/events/prova/posts?state=approved"):
            assert editor.get(url).status_code == 200, url
    finally:
        store.db.conn.set_trace_callback(None)
    assert len(statements) > 100
    assert whole_table_reads(store.db.conn, statements) == []


def test_filters_take_the_search_syntax_literally(store, shared):
    for odd in ({"account": "@@"}, {"platform": '"'}, {"platform": "x OR mastodon"},
                {"text": '"*'}, {"text": "NEAR AND OR"}, {"account": 'a"b'}):
        assert store.find_posts(shared["id"], **odd) == [], odd
    quoted = store.find_posts(shared["id"], text='"accessibilità" (post*', limit=500)
    assert quoted and [p["id"] for p in quoted] == expected(store, shared["slug"],
                                                            q="accessibilità post")


def test_ingest_leaves_the_search_index_to_a_later_step(store, event, source_id, make_post):
    store.ingest(source_id, [make_post(f"Intervento {i} sulla trasparenza") for i in range(5)],
                 {})
    assert store.db.execute("SELECT indexed_to FROM search_progress").fetchone()[0] == 0
    assert store.index_search(batch=2) == 5 and store.index_search() == 0
    store.ingest(source_id, [make_post("Un altro sulla trasparenza")], {})
    assert len(store.find_posts(event["id"], text="trasparenza")) == 6  # indexed on the way


def test_search_survives_edits_erasure_and_a_reused_id(store, event, source_id, make_post):
    first = make_post("Primo: bilancio partecipativo")
    store.ingest(source_id, [first, make_post("Secondo: open data", author=Author("@b@x.ex"))],
                 {})
    [erased] = [p["id"] for p in store.find_posts(event["id"], text="data")]  # both indexed
    store.erase_author("mastodon", "@b@x.ex", "lead")  # the newest post goes, its id is free
    store.ingest(source_id, [make_post("Terzo: open data di nuovo")], {})
    store.ingest(source_id, [], {}, updated=[make_post("Primo: bilancio sociale",
                                                       remote_id=first.remote_id)])
    newest = store.list_posts(event["slug"])[0]
    assert newest["id"] == erased  # SQLite gave the freed id to the new post
    assert [p["id"] for p in store.find_posts(event["id"], text="open data")] == [erased]
    assert store.find_posts(event["id"], text="partecipativo") == []
    assert len(store.find_posts(event["id"], text="bilancio sociale")) == 1
