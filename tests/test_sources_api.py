"""Configuring sources from the console's API: who may, test connection, pause, health."""

from __future__ import annotations

from datetime import UTC, datetime

from coverage.collector import recheck_once
from coverage.sources import Batch, register

from .conftest import csrf_token, login


def admin_client(app, app_store):
    client = app.test_client()
    login(client, app_store, "coordinatrice", "admin")
    return client, {"X-CSRFToken": csrf_token(client, "/")}


def test_only_admins_connect_sources(app, app_store, app_event, editor):
    token = csrf_token(editor, "/")
    refused = editor.post("/api/events/prova/sources", json={"platform": "rss"},
                          headers={"X-CSRFToken": token})
    assert refused.status_code == 403 and "admin" in refused.get_json()["error"]


def test_admin_connects_a_feed_and_sees_it_listed(app, app_store, app_event):
    client, headers = admin_client(app, app_store)
    created = client.post("/api/events/prova/sources", headers=headers, json={
        "platform": "rss", "instance": "https://www.comune.example/feed.xml", "name": "Comune"})
    assert created.status_code == 201
    listed = client.get("/api/events/prova/sources").get_json()
    rss = next(s for s in listed if s["platform"] == "rss")
    assert rss["config"] == {"url": "https://www.comune.example/feed.xml"}
    assert rss["health"] == "new" and rss["name"] == "Comune"


def test_each_source_says_how_many_posts_it_brought(app, app_store, app_event, make_post):
    client, _headers = admin_client(app, app_store)
    first = app_store.add_source("prova", "replay", {"speed": 0}, name="uno")["id"]
    second = app_store.add_source("prova", "replay", {"speed": 0}, name="due")["id"]
    app_store.ingest(first, [make_post(), make_post()], None)
    app_store.ingest(second, [make_post()], None)
    counts = {s["name"]: s["posts"] for s in client.get("/api/events/prova/sources").get_json()}
    assert counts == {"demo": 0, "uno": 2, "due": 1}  # the event's own source brought none


def test_bad_source_settings_get_a_clear_message(app, app_store, app_event):
    client, headers = admin_client(app, app_store)
    for data, message in [({"platform": "myspace"}, "Scegli una piattaforma"),
                          ({"platform": "rss"}, "indirizzo"),
                          ({"platform": "mastodon", "instance": "mastodon.social"}, "https://"),
                          ({"platform": "x", "interval": "1"}, "minimo")]:
        response = client.post("/api/events/prova/sources", headers=headers, json=data)
        assert response.status_code == 400 and message in response.get_json()["error"], data


def test_hashtags_and_accounts_typed_as_words_become_lists(app, app_store, app_event):
    client, headers = admin_client(app, app_store)
    client.post("/api/events/prova/sources", headers=headers, json={
        "platform": "bluesky", "hashtags": "#pasocial, comunicazionepubblica",
        "accounts": "ente.bsky.social  @altro.example"})
    source = app_store.list_sources("prova")[-1]
    assert source["config"] == {"hashtags": ["pasocial", "comunicazionepubblica"],
                                "accounts": ["ente.bsky.social", "@altro.example"]}


def test_test_connection_reads_without_saving(app, app_store, app_event):
    client, headers = admin_client(app, app_store)
    source = app_store.list_sources("prova")[0]  # the demo replay
    reply = client.post(f"/api/events/prova/sources/{source['id']}/test", headers=headers)
    assert reply.get_json()["ok"] and "Connessione riuscita" in reply.get_json()["message"]
    assert app_store.list_posts("prova") == []
    assert app_store.get_source(source["id"])["cursor"] == {}


def test_a_source_can_be_paused_and_resumed(app, app_store, app_event):
    client, headers = admin_client(app, app_store)
    source = app_store.list_sources("prova")[0]
    client.post(f"/api/events/prova/sources/{source['id']}/enabled", headers=headers,
                json={"enabled": False})
    assert not app_store.get_source(source["id"])["enabled"]
    client.post(f"/api/events/prova/sources/{source['id']}/enabled", headers=headers,
                json={"enabled": True})
    assert app_store.get_source(source["id"])["enabled"]


def test_sources_of_another_event_are_not_reachable(app, app_store, app_event):
    app_store.create_event({"slug": "altro", "name": "Altro"})
    other = app_store.add_source("altro", "replay", {"speed": 0})
    client, headers = admin_client(app, app_store)
    response = client.post(f"/api/events/prova/sources/{other['id']}/test", headers=headers)
    assert response.status_code == 404


def test_sources_page_shows_whether_credentials_are_set_never_their_value(app, app_store,
                                                                         app_event):
    app.config["X_BEARER_TOKEN"] = "secret-bearer-canary"
    client, _ = admin_client(app, app_store)
    html = client.get("/e/prova/sources").get_data(as_text=True)
    assert "secret-bearer-canary" not in html
    assert "Token: configurato" in html


@register("vanishing-for-test")
class VanishingSource:
    """Says that every other post it is asked about was deleted."""

    def __init__(self, config, event, client, settings):
        pass

    def fetch(self, cursor, now):
        return Batch()

    def recheck(self, remote_ids, now):
        return remote_ids[::2]


def test_recheck_marks_approved_posts_deleted_at_the_source(store, event, make_post):
    source = store.add_source(event["slug"], "vanishing-for-test", {})
    posts = [make_post(platform="vanishing-for-test") for _ in range(4)]
    store.ingest(source["id"], posts, {})
    for post in store.list_posts(event["slug"]):
        store.decide(event["slug"], post["id"], "approve", "marta")
    found = recheck_once(store, {}, now=datetime(2026, 11, 19, tzinfo=UTC),
                         client_factory=lambda s: None)
    assert found == 2
    assert sum(p["deleted"] for p in store.list_posts(event["slug"])) == 2
    assert [c["kind"] for c in store.changes_after(0)].count("post_deleted") == 2


def test_a_streamed_batch_without_cursor_keeps_the_saved_one(store, source_id, make_post):
    store.ingest(source_id, [make_post()], {"min_id": "41"})
    store.ingest(source_id, [make_post()], None)
    assert store.get_source(source_id)["cursor"] == {"min_id": "41"}


def test_editors_read_rules_and_only_admins_save_them(app, app_store, app_event, editor):
    rules = editor.get("/api/events/prova/rules").get_json()
    assert "truffa" in rules["blocked_words"] and rules["reasons"][0]["code"] == "insult"
    token = {"X-CSRFToken": csrf_token(editor, "/")}
    assert editor.put("/api/events/prova/rules", json=rules, headers=token).status_code == 403
    client, headers = admin_client(app, app_store)
    saved = client.put("/api/events/prova/rules", headers=headers,
                       json={**rules, "trusted": ["@ufficiostampa@pa.example"]})
    assert saved.status_code == 200 and saved.get_json()["trusted"] == [
        "@ufficiostampa@pa.example"]
    bad = client.put("/api/events/prova/rules", headers=headers,
                     json={**rules, "blocked_words": ["/[/"]})
    assert bad.status_code == 400 and "non è valido" in bad.get_json()["error"]
    assert client.get("/api/events/prova/rules").get_json()["trusted"] == [
        "@ufficiostampa@pa.example"]
