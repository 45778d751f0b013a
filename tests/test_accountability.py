"""Accountability: erasure requests, the audit log as CSV, its retention."""

from __future__ import annotations

import csv
import io
import sqlite3

import pytest

from coverage.model import Author


@pytest.fixture
def run(app):
    runner = app.test_cli_runner()
    return lambda *args, **kw: runner.invoke(args=list(args), **kw)


def test_erasure_removes_an_authors_posts_everywhere_and_for_good(store, event, source_id,
                                                                   make_post):
    theirs = [make_post(author=Author("@Chiara@social.example")) for _ in range(2)]
    other = make_post()
    store.ingest(source_id, [*theirs, other], {})
    for post in store.list_posts(event["slug"]):
        store.decide(event["slug"], post["id"], "approve", "marta")
    assert store.erase_author("mastodon", "@chiara@social.example", "dpo", "richiesta 12") == 2
    left = store.list_posts(event["slug"])
    assert [p["remote_id"] for p in left] == [other.remote_id]
    assert store.db.execute("SELECT COUNT(*) FROM posts").fetchone()[0] == 1
    # The walls are told: one removal per post, through the change log.
    assert [c["kind"] for c in store.changes_after(0)].count("post_deleted") == 2
    # Collected again later: never stored.
    result = store.ingest(source_id, theirs, {})
    assert result.erased == 2 and len(store.list_posts(event["slug"])) == 1
    audit = store.audit_log(event["slug"])[0]
    assert (audit["actor"], audit["action"], audit["reason"]) == ("dpo", "erase", "richiesta 12")
    assert "social.example" in audit["detail"] and theirs[0].text not in audit["detail"]


def test_audit_log_exports_as_csv(run, app):
    store = app.extensions["piazza_store"]
    store.create_event({"slug": "prova", "name": "P"})
    store.add_source("prova", "replay", {"speed": 0, "file": "tests/fixtures/replay/mini.json"})
    run("collect", "prova", "--once")
    post = store.list_posts("prova")[0]
    store.decide("prova", post["id"], "reject", "marta", reason="spam")
    result = run("audit", "export", "prova")
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert rows[-1]["actor"] == "marta" and rows[-1]["reason"] == "spam"


def test_audit_csv_keeps_formulas_inert():
    from coverage.audit import audit_csv

    text = audit_csv([{"id": 1, "at": "x", "actor": "=HYPERLINK(\"http://evil\")",
                       "action": "approve"}])
    assert "'=HYPERLINK" in text


def test_retention_purges_old_rows_and_nothing_else(store, event, source_id, make_post):
    store.ingest(source_id, [make_post()], {})
    post_id = store.list_posts(event["slug"])[0]["id"]
    store.decide(event["slug"], post_id, "approve", "marta")
    # An old row, as if written two years ago (inserting is allowed; only edits are refused).
    store.db.execute("INSERT INTO audit (at, actor, action) VALUES ('2024-01-01T00:00:00Z',"
                     " 'vecchio', 'approve')")
    assert store.purge_audit(365, "conservazione") == 1
    actions = [a["action"] for a in store.audit_log()]
    assert "audit_purged" in actions and "approve" in actions
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        store.db.execute("DELETE FROM audit")  # newer rows are still protected
