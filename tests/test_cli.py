"""The flask commands, with the JSON shapes and file names PRODUCT.md fixes."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from coverage import create_app
from coverage.store import Store

MINI = "tests/fixtures/replay/mini.json"
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def run(app):
    runner = app.test_cli_runner()

    def invoke(*args, **kwargs):
        return runner.invoke(args=list(args), **kwargs)
    return invoke


@pytest.fixture
def collected(run):
    """An event with the mini recording collected."""
    assert run("events", "create", "prova", "--name", "Prova", "--hashtag", "prova",
               "--hashtag", "#pasocial").exit_code == 0
    assert run("sources", "add", "prova", "replay", "--file", MINI, "--speed", "0").exit_code == 0
    result = run("collect", "prova", "--once")
    assert result.exit_code == 0, result.output
    return result


def test_every_command_has_help(run):
    for command in (["events", "create"], ["events", "list"], ["sources", "add"], ["collect"],
                    ["posts", "list"], ["posts", "decide"], ["export"], ["users", "create"]):
        result = run(*command, "--help")
        assert result.exit_code == 0 and "Usage" in result.output


def test_events_create_and_list_json(run):
    run("events", "create", "pasocial-2026", "--name", "#pasocial 2026", "--hashtag", "pasocial",
        "--starts", "2026-11-19T09:00:00+01:00")
    listed = json.loads(run("events", "list", "--json").output)
    assert listed == [{"slug": "pasocial-2026", "name": "#pasocial 2026",
                       "hashtags": ["pasocial"]}]


@pytest.mark.parametrize("args, message", [
    (["Maiuscole!", "--name", "x"], "non valido"),
    (["ok", "--name", "x", "--starts", "ieri"], "ISO-8601"),
    (["ok", "--name", "x", "--starts", "2026-11-19T09:00:00"], "fuso orario"),
    (["ok", "--name", "x", "--account", "senzapiattaforma"], "PIATTAFORMA:HANDLE"),
])
def test_events_create_explains_bad_input(run, args, message):
    result = run("events", "create", *args)
    assert result.exit_code != 0 and message in result.output


def test_collect_once_reports_each_source(collected):
    assert "ok, 5 nuovi, 1 già visto, 1 scartato" in collected.output


def collect_with_a_broken_source(db: Path) -> None:
    store = Store(db)
    store.create_event({"slug": "prova", "name": "Prova"})
    store.add_source("prova", "replay", {"speed": 0, "file": str(ROOT / MINI)})
    store.add_source("prova", "myspace", {})


def test_flask_collect_speaks_italian_by_default(tmp_path):
    """`flask --app app collect` as a lead types it, PIAZZA_LANGUAGE left unset."""
    collect_with_a_broken_source(tmp_path / "piazza.db")
    env = {k: v for k, v in os.environ.items() if k != "PIAZZA_LANGUAGE"}
    env.update({"PIAZZA_DB": str(tmp_path / "piazza.db"), "PIAZZA_DEMO": "0"})
    result = subprocess.run([sys.executable, "-m", "flask", "--app", "app", "collect", "prova",
                             "--once"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 1, result.stderr  # a source failed
    assert "prova/replay#1: ok, 5 nuovi, 1 già visto, 1 scartato" in result.stdout
    assert "prova/myspace#2: ERRORE — Piattaforma 'myspace' non disponibile" in result.stdout
    assert "not available" not in result.stdout and " new" not in result.stdout


def test_flask_commands_speak_english_when_the_install_does(tmp_path):
    app = create_app({"DB": str(tmp_path / "piazza.db"), "SECRET_KEY": "test-secret",
                      "DEMO": False, "COLLECT": False, "LANGUAGE": "en"})
    collect_with_a_broken_source(tmp_path / "piazza.db")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["collect", "prova", "--once"])
    assert result.exit_code == 1
    assert "prova/replay#1: ok, 5 new, 1 already seen, 1 left out" in result.output
    assert "prova/myspace#2: ERROR — Platform 'myspace' is not available" in result.output
    assert "nuovi" not in result.output and "non disponibile" not in result.output
    refused = runner.invoke(args=["events", "create", "Maiuscole!", "--name", "x"])
    assert refused.exit_code != 0 and "Slug 'Maiuscole!' is not valid" in refused.output


def test_collect_once_exits_non_zero_when_a_source_failed_after_saving_the_others(run, tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text("{ this is not json")
    run("events", "create", "prova", "--name", "Prova")
    run("sources", "add", "prova", "replay", "--file", str(broken), "--speed", "0")
    run("sources", "add", "prova", "replay", "--file", MINI, "--speed", "0")
    result = run("collect", "prova", "--once")
    assert result.exit_code == 1
    assert "ERRORE" in result.output and "Impossibile leggere" in result.output
    assert "ok, 5 nuovi" in result.output
    assert len(json.loads(run("posts", "list", "prova", "--json").output)) == 5


def test_sources_add_refuses_an_unknown_platform(run):
    run("events", "create", "prova", "--name", "Prova")
    result = run("sources", "add", "prova", "myspace")
    assert result.exit_code != 0 and "non disponibile" in result.output


def test_posts_list_json_has_the_promised_shape(run, collected):
    posts = json.loads(run("posts", "list", "prova", "--json").output)
    assert len(posts) == 5
    keys = {"id", "platform", "remote_id", "state", "featured", "pinned", "deleted", "author",
            "url", "created_at", "text", "media"}
    assert all(keys <= set(p) for p in posts)
    mastodon = next(p for p in posts if p["platform"] == "mastodon" and p["media"])
    assert mastodon["author"]["handle"] == "@anna@social.prova.example"
    assert set(mastodon["author"]) == {"handle", "name", "avatar", "url"}
    assert mastodon["media"] == [{"type": "image", "url": "/static/demo/media/slide.svg",
                                  "alt": "Slide con il titolo della sessione"}]
    assert mastodon["created_at"] == "2026-11-19T08:30:00Z"
    assert all(p["state"] == "pending" for p in posts)


def test_posts_decide_is_recorded_like_a_console_decision(app, run, collected):
    post_id = json.loads(run("posts", "list", "prova", "--json").output)[0]["id"]
    result = run("posts", "decide", "prova", str(post_id), "reject", "--reason", "spam",
                 "--as", "marta")
    assert result.exit_code == 0
    [approved] = json.loads(run("posts", "list", "prova", "--state", "rejected", "--json").output)
    assert approved["id"] == post_id
    audit = app.extensions["piazza_store"].audit_log("prova")[0]
    assert (audit["actor"], audit["action"], audit["reason"]) == ("marta", "reject", "spam")


def test_posts_decide_on_unknown_post_fails_clearly(run, collected):
    result = run("posts", "decide", "prova", "9999", "approve")
    assert result.exit_code != 0 and "non fa parte" in result.output


@pytest.mark.parametrize("fmt, files", [
    ("html", ["prova.html", "prova.fragment.html"]), ("markdown", ["prova.md"]),
    ("wordpress", ["prova.wordpress.html", "prova.wxr.xml"]), ("json", ["prova.json"]),
    ("csv", ["prova.csv"]), ("zip", ["prova.zip"])])
def test_export_writes_the_promised_files(run, collected, tmp_path, fmt, files, monkeypatch):
    from coverage.recap import bundle
    from coverage.sources.http import UnsafeURL

    def offline(host):  # the bundle's image downloads: no network in tests
        raise UnsafeURL(host)
    monkeypatch.setattr(bundle, "system_resolver", offline)
    posts = json.loads(run("posts", "list", "prova", "--json").output)
    for p in posts[:3]:
        run("posts", "decide", "prova", str(p["id"]), "approve")
    result = run("export", "prova", "--format", fmt, "--out", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    assert sorted(f.name for f in (tmp_path / "out").iterdir()) == sorted(files)
    path = tmp_path / "out" / files[0]
    if fmt == "zip":
        import zipfile
        body = zipfile.ZipFile(path).read("prova/index.html").decode()
    else:
        body = path.read_text(encoding="utf-8")
    if fmt == "json":
        assert len(json.loads(body)["posts"]) == 3
    elif fmt == "csv":
        assert len(list(csv.DictReader(io.StringIO(body)))) == 3
    elif fmt == "markdown":
        assert body.startswith("---\ntitle: ") and body.count("\n> **") == 3
    elif fmt == "wordpress":
        assert body.count("<!-- wp:quote ") == 3
    else:
        assert body.count('<article class="piazza-post') == 3 and '<html lang="it">' in body


def test_export_leaves_out_rejected_pending_and_deleted_posts(app, run, collected, tmp_path):
    store = app.extensions["piazza_store"]
    posts = store.list_posts("prova", oldest_first=True)
    for p in posts[:3]:
        store.decide("prova", p["id"], "approve", "marta")
    store.decide("prova", posts[1]["id"], "reject", "marta", reason="spam")
    store.mark_deleted(posts[2]["platform"], posts[2]["remote_id"])
    run("export", "prova", "--format", "json", "--out", str(tmp_path))
    exported = json.loads((tmp_path / "prova.json").read_text())["posts"]
    assert [p["id"] for p in exported] == [posts[0]["id"]]


def test_users_create_prints_a_one_time_link(app, run):
    result = run("users", "create", "marta", "--role", "editor")
    assert result.exit_code == 0 and "/login/" in result.output
    token = result.output.strip().rsplit("/login/", 1)[1]
    assert app.extensions["piazza_store"].consume_login_token(token)["name"] == "marta"
    assert run("users", "create", "marta", "--role", "editor").exit_code != 0


def test_users_create_with_a_password(app, run):
    result = run("users", "create", "anna", "--role", "admin", "--password",
                 input="una-password-lunga\nuna-password-lunga\n")
    assert result.exit_code == 0
    assert app.extensions["piazza_store"].check_password("anna", "una-password-lunga")
