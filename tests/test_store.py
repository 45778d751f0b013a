"""The store: migrations, dedup, one transaction per batch, decisions, change and audit logs."""

from __future__ import annotations

import json
import sqlite3

import pytest

from coverage.migrations import MIGRATIONS, apply_migrations
from coverage.model import Author, Reference
from coverage.store import DecisionError, NotFound, Store


def test_the_package_is_ours_not_coverage_py():
    import coverage

    assert coverage.__file__.endswith("coverage/__init__.py")
    assert hasattr(coverage, "create_app")


def test_database_is_a_wal_file_with_every_migration_recorded(tmp_path):
    store = Store(tmp_path / "p.db")
    assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    recorded = [r["name"] for r in store.db.query("SELECT name FROM _migrations ORDER BY name")]
    assert recorded == sorted(name for name, _ in MIGRATIONS)
    assert store.integrity_check() == "ok"


def test_migrations_apply_once_and_are_idempotent_across_opens(tmp_path):
    Store(tmp_path / "p.db")
    store = Store(tmp_path / "p.db")  # a second process opening the same file
    assert apply_migrations(store.db, "2026-11-19T00:00:00Z") == []


def test_same_post_twice_in_a_batch_is_one_post(store, source_id, make_post):
    post = make_post()
    result = store.ingest(source_id, [post, post], {"next": 1})
    assert len(result.new) == 1 and result.duplicates == 1
    assert store.db.execute("SELECT COUNT(*) FROM posts").fetchone()[0] == 1


def test_same_post_in_a_later_batch_is_one_post_and_one_change(store, source_id, make_post,
                                                               event):
    post = make_post()
    store.ingest(source_id, [post], {"next": 1})
    again = store.ingest(source_id, [post], {"next": 2})
    assert again.new == [] and again.duplicates == 1
    kinds = [c["kind"] for c in store.changes_after(0)]
    assert kinds == ["post_added"]


def test_cross_posted_text_is_flagged_as_possible_duplicate(store, source_id, make_post, event):
    words = "Oggi a #pasocial si parla di linguaggio chiaro nella pubblica amministrazione"
    first = make_post(words)
    second = make_post(words, platform="bluesky", remote_id="at://did:plc:x/app.bsky.feed.post/1")
    store.ingest(source_id, [first, second], {})
    posts = store.list_posts(event["slug"], oldest_first=True)
    assert posts[0]["duplicate_of"] is None
    assert posts[1]["duplicate_of"] == posts[0]["id"]


def test_cross_posted_text_points_to_the_events_first_post_across_batches(store, source_id,
                                                                          make_post, event):
    words = "Oggi a #pasocial si parla di linguaggio chiaro nella pubblica amministrazione"
    first = store.ingest(source_id, [make_post(words)], {}).new[0]
    store.ingest(source_id, [make_post("Un altro post"), make_post(words.upper()),
                             make_post(words + " https://pa.example/slide")], {})
    posts = store.list_posts(event["slug"], oldest_first=True)
    assert [p["duplicate_of"] for p in posts] == [None, None, first, first]


def test_a_post_another_event_has_is_new_to_this_one(store, source_id, make_post, event):
    store.create_event({"slug": "altra", "name": "Altra"})
    other = store.add_source("altra", "replay", {})["id"]
    words = "Oggi a #pasocial si parla di linguaggio chiaro nella pubblica amministrazione"
    post = make_post(words)
    store.ingest(other, [post], {})
    result = store.ingest(source_id, [make_post(), post, post], {})
    assert len(result.new) == 2 and result.duplicates == 1
    assert store.db.execute("SELECT COUNT(*) FROM posts").fetchone()[0] == 2
    # The other event's copy does not make it a duplicate here.
    assert [p["duplicate_of"] for p in store.list_posts(event["slug"])] == [None, None]


def test_a_post_reads_back_as_it_was_ingested(store, source_id, make_post, event):
    quoted = Reference("q1", "https://social.example/@b/1", Author("@b@social.example", "B"), "Eh")
    post = make_post(reply_to=Reference(remote_id="r1"), quote_of=quoted, mentions=["@b"],
                     metrics={"likes": 3}, links=["https://pa.example/"], sensitive=True,
                     spoiler="Attenzione", raw={"id": "1", "è": ["ok", None, 1.5]})
    post_id = store.ingest(source_id, [post], {}).new[0]
    stored = store.get_post(event["slug"], post_id)
    expected = post.to_dict()
    del expected["raw"]
    assert {key: stored[key] for key in expected} == expected
    raw = store.db.execute("SELECT raw FROM posts WHERE id = ?", [post_id]).fetchone()[0]
    assert json.loads(raw) == post.raw


def test_a_batch_larger_than_one_query_is_stored_whole(store, source_id, make_post, event):
    posts = [make_post(f"Il post numero {n} dice qualcosa su #pasocial e sul linguaggio chiaro")
             for n in range(1234)]
    first = store.ingest(source_id, [*posts, posts[0]], {"page": 1})
    assert len(first.new) == 1234 and first.duplicates == 1
    assert first.seq == store.head_seq() and len(store.changes_after(0, limit=5000)) == 1234
    again = store.ingest(source_id, posts, {"page": 2})
    assert (again.new, again.duplicates, again.seq) == ([], 1234, 0)
    stored = store.list_posts(event["slug"], limit=2000, oldest_first=True)
    assert [p["remote_id"] for p in stored] == [p.remote_id for p in posts]
    assert stored[5]["text"] == posts[5].text and stored[5]["media"][0]["alt"] == "Una slide"


def test_batch_posts_and_cursor_are_saved_together_or_not_at_all(store, source_id, make_post,
                                                                event, monkeypatch):
    good, bad = make_post(), make_post()
    bad.created_at = None  # violates NOT NULL halfway through the batch
    with pytest.raises(sqlite3.IntegrityError):
        store.ingest(source_id, [good, bad], {"next": 99})
    assert store.db.execute("SELECT COUNT(*) FROM posts").fetchone()[0] == 0
    assert store.get_source(source_id)["cursor"] == {}
    assert store.changes_after(0) == []


def test_cursor_is_saved_with_the_batch(store, source_id, make_post):
    store.ingest(source_id, [make_post()], {"next": 7, "started_at": "x"})
    source = store.get_source(source_id)
    assert source["cursor"] == {"next": 7, "started_at": "x"}
    assert source["health"] == "ok"


def test_decision_writes_curation_change_and_audit_in_one_go(store, source_id, make_post, event):
    store.ingest(source_id, [make_post()], {})
    post_id = store.list_posts(event["slug"])[0]["id"]
    result = store.decide(event["slug"], post_id, "reject", "marta", reason="spam")
    assert result.changed
    post = store.get_post(event["slug"], post_id)
    assert (post["state"], post["reason"], post["decided_by"]) == ("rejected", "spam", "marta")
    assert store.changes_after(0)[-1]["kind"] == "post_rejected"
    audit = store.audit_log(event["slug"])[0]
    assert (audit["actor"], audit["action"], audit["reason"]) == ("marta", "reject", "spam")


def test_repeating_a_decision_changes_nothing_and_logs_nothing(store, source_id, make_post, event):
    store.ingest(source_id, [make_post()], {})
    post_id = store.list_posts(event["slug"])[0]["id"]
    store.decide(event["slug"], post_id, "approve", "marta")
    again = store.decide(event["slug"], post_id, "approve", "luca")
    assert not again.changed
    assert len(store.audit_log(event["slug"])) == 1


def test_featuring_a_pending_post_approves_it(store, source_id, make_post, event):
    store.ingest(source_id, [make_post()], {})
    post_id = store.list_posts(event["slug"])[0]["id"]
    store.decide(event["slug"], post_id, "feature", "marta")
    post = store.get_post(event["slug"], post_id)
    assert post["state"] == "approved" and post["featured"]


def test_pinning_a_post_unpins_the_previous_one(store, source_id, make_post, event):
    store.ingest(source_id, [make_post(), make_post()], {})
    first, second = [p["id"] for p in store.list_posts(event["slug"], oldest_first=True)]
    store.decide(event["slug"], first, "pin", "marta")
    store.decide(event["slug"], second, "pin", "marta")
    assert not store.get_post(event["slug"], first)["pinned"]
    assert store.get_post(event["slug"], second)["pinned"]
    assert [c["kind"] for c in store.changes_after(0)][-2:] == ["post_unpinned", "post_pinned"]


def test_unknown_post_session_and_reason_are_refused(store, source_id, make_post, event):
    store.ingest(source_id, [make_post()], {})
    post_id = store.list_posts(event["slug"])[0]["id"]
    with pytest.raises(NotFound):
        store.decide(event["slug"], 9999, "approve", "marta")
    with pytest.raises(DecisionError):
        store.decide(event["slug"], post_id, "session", "marta", session_id=9999)
    with pytest.raises(ValueError, match="Unknown reason 'antipatico'"):  # no request: English
        store.decide(event["slug"], post_id, "reject", "marta", reason="antipatico")


def test_trusted_accounts_go_live_at_once(store, make_post):
    store.create_event({"slug": "fiducia", "name": "F", "trusted": ["@anna@social.example"]})
    source = store.add_source("fiducia", "replay", {"speed": 0})
    store.ingest(source["id"], [make_post(), make_post(author=make_post().author.__class__(
        "@sconosciuto@x.example"))], {})
    states = sorted(p["state"] for p in store.list_posts("fiducia"))
    assert states == ["approved", "pending"]
    assert {c["kind"] for c in store.changes_after(0)} == {"post_added", "post_approved"}


def test_deleted_post_is_marked_and_announced_in_every_event(store, source_id, make_post, event):
    post = make_post()
    store.ingest(source_id, [post], {})
    seq = store.mark_deleted(post.platform, post.remote_id)
    assert seq > 0
    assert store.list_posts(event["slug"])[0]["deleted"] is True
    assert store.mark_deleted(post.platform, post.remote_id) == 0  # once is enough


@pytest.mark.parametrize("table", ["changes", "audit"])
def test_logs_are_append_only(store, source_id, make_post, event, table):
    store.ingest(source_id, [make_post()], {})
    post_id = store.list_posts(event["slug"])[0]["id"]
    store.decide(event["slug"], post_id, "approve", "marta")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        store.db.execute(f"UPDATE {table} SET actor = 'someone else'")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        store.db.execute(f"DELETE FROM {table}")


def test_change_log_seq_increases_and_replays_from_any_point(store, source_id, make_post, event):
    store.ingest(source_id, [make_post() for _ in range(5)], {})
    seqs = [c["seq"] for c in store.changes_after(0)]
    assert seqs == sorted(seqs) and len(set(seqs)) == 5
    assert [c["seq"] for c in store.changes_after(seqs[2])] == seqs[3:]
    assert store.head_seq() == seqs[-1]


def test_posts_page_by_arrival(store, source_id, make_post, event):
    store.ingest(source_id, [make_post() for _ in range(5)], {})
    first = store.list_posts(event["slug"], limit=2)
    rest = store.list_posts(event["slug"], limit=10, before=first[-1]["id"])
    assert len(first) == 2 and len(rest) == 3
    assert not {p["id"] for p in first} & {p["id"] for p in rest}


def test_passwords_are_hashed_and_checked(store):
    store.create_user("marta", "editor", "una-password-lunga")
    row = store.db.execute("SELECT password_hash FROM users").fetchone()[0]
    assert "una-password-lunga" not in row and row.startswith("scrypt:")
    assert store.check_password("marta", "una-password-lunga")["name"] == "marta"
    assert store.check_password("marta", "sbagliata") is None
    assert store.check_password("nessuno", "una-password-lunga") is None


def test_login_token_works_once(store):
    user = store.create_user("luca", "editor")
    token = store.create_login_token(user["id"])
    assert store.consume_login_token(token)["name"] == "luca"
    assert store.consume_login_token(token) is None
    assert store.consume_login_token("made-up") is None


def test_an_edit_at_the_source_sends_an_approved_post_back_to_the_queue(store, source_id,
                                                                      make_post, event):
    post = make_post("Testo approvato dagli editori")
    store.ingest(source_id, [post], {})
    post_id = store.list_posts(event["slug"])[0]["id"]
    store.decide(event["slug"], post_id, "feature", "marta")
    edited = make_post("Testo cambiato dopo l'approvazione", remote_id=post.remote_id)
    result = store.ingest(source_id, [], {}, updated=[edited])
    again = store.get_post(event["slug"], post_id)
    assert again["text"] == "Testo cambiato dopo l'approvazione"
    assert (again["state"], again["featured"]) == ("pending", False)
    assert store.changes_after(0)[-1]["kind"] == "post_edited" and result.seq > 0
    assert store.audit_log(event["slug"])[0]["action"] == "edited"


def test_an_edit_that_changes_only_figures_changes_nothing(store, source_id, make_post, event):
    post = make_post("Stesso testo")
    store.ingest(source_id, [post], {})
    same = make_post("Stesso testo", remote_id=post.remote_id, metrics={"likes": 40})
    assert store.ingest(source_id, [], {}, updated=[same]).seq == 0


def test_a_post_added_by_url_is_queued_once_and_audited(store, event, make_post):
    post = make_post("Aggiunto a mano dall'editor")
    post_id, new = store.add_post(event["slug"], post, "marta")
    again_id, again_new = store.add_post(event["slug"], post, "luca")
    assert new and not again_new and again_id == post_id
    assert store.get_post(event["slug"], post_id)["state"] == "pending"
    assert store.audit_log(event["slug"])[0]["action"] == "added_by_url"
    assert [c["kind"] for c in store.changes_after(0)] == ["post_added"]


def test_a_bulk_decision_is_all_or_nothing(store, source_id, make_post, event):
    store.ingest(source_id, [make_post(), make_post()], {})
    ids = [p["id"] for p in store.list_posts(event["slug"], oldest_first=True)]
    with pytest.raises(NotFound, match="9999"):
        store.decide_many(event["slug"], [ids[0], 9999, ids[1]], "approve", "marta")
    assert {p["state"] for p in store.list_posts(event["slug"])} == {"pending"}
    results = store.decide_many(event["slug"], ids, "approve", "marta")
    assert [r.changed for r in results] == [True, True]
    assert len(store.audit_log(event["slug"])) == 2
