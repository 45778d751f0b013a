"""Setup in the store: editing an event and its programme, inviting and removing people."""

from __future__ import annotations

import json

import pytest

from coverage.store import NotFound, ProgrammeConflict

from .conftest import EVENT


def sessions_of(store, slug="prova"):
    return {s["title"]: s for s in store.get_event(slug)["sessions"]}


def attach(store, make_post, event, title, n=1):
    source_id = store.list_sources(event["slug"])[0]["id"]
    result = store.ingest(source_id, [make_post() for _ in range(n)], {})
    session_id = sessions_of(store)[title]["id"]
    for post_id in result.new:
        store.decide(event["slug"], post_id, "session", "marta", session_id=session_id)
    return result.new


def test_details_change_and_are_audited(store, event):
    updated, detached = store.update_event("prova", {
        "name": "Giornata nuova", "hashtags": ["nuovo"], "language": "en",
        "accounts": [{"platform": "x", "handle": "@ente"}]}, "coordinatrice")
    assert detached == []
    assert updated["name"] == "Giornata nuova" and updated["language"] == "en"
    assert updated["hashtags"] == ["nuovo"] and updated["slug"] == "prova"
    (row,) = [r for r in store.audit_log("prova") if r["action"] == "event_updated"]
    detail = row["detail"] if isinstance(row["detail"], dict) else json.loads(row["detail"])
    assert row["actor"] == "coordinatrice"
    assert detail["before"]["name"] == "Giornata di prova"
    assert detail["after"]["hashtags"] == ["nuovo"]


def test_replacing_the_programme_keeps_the_ids_of_sessions_with_posts(store, event, make_post):
    posts = attach(store, make_post, event, "Apertura", 2)
    opening = sessions_of(store)["Apertura"]
    new = [
        {"id": opening["id"], "title": "Apertura dei lavori",
         "starts_at": opening["starts_at"], "ends_at": opening["ends_at"]},
        {"key": "s2", "title": "Accessibilità e linguaggio chiaro",
         "starts_at": "2026-11-19T09:00:00Z", "ends_at": "2026-11-19T10:00:00Z"},
        {"title": "Chiusura", "starts_at": "2026-11-19T16:00:00Z",
         "ends_at": "2026-11-19T17:00:00Z", "speakers": [{"name": "Anna Verdi"}]},
    ]
    store.update_event("prova", {"sessions": new}, "coordinatrice")
    after = sessions_of(store)
    assert after["Apertura dei lavori"]["id"] == opening["id"]  # renamed, same session
    assert after["Apertura dei lavori"]["key"] == "s1"
    assert after["Accessibilità e linguaggio chiaro"]["key"] == "s2"  # matched by key
    assert after["Chiusura"]["key"] == "chiusura"
    for post_id in posts:
        assert store.get_post("prova", post_id)["session_id"] == opening["id"]


def test_a_session_with_posts_is_not_dropped_silently(store, event, make_post):
    posts = attach(store, make_post, event, "Accessibilità", 2)
    only_opening = [s for s in store.get_event("prova")["sessions"] if s["title"] == "Apertura"]
    with pytest.raises(ProgrammeConflict) as refused:
        store.update_event("prova", {"sessions": only_opening, "name": "Cambiato"}, "lead")
    assert refused.value.sessions == [{"id": sessions_of(store)["Accessibilità"]["id"],
                                       "title": "Accessibilità", "posts": 2}]
    assert store.get_event("prova")["name"] == "Giornata di prova"  # nothing was saved
    assert len(store.get_event("prova")["sessions"]) == 2

    head = store.head_seq()
    _, detached = store.update_event("prova", {"sessions": only_opening}, "lead", detach=True)
    assert detached == [{"title": "Accessibilità", "posts": 2}]
    assert list(sessions_of(store)) == ["Apertura"]
    for post_id in posts:
        assert store.get_post("prova", post_id)["session_id"] is None
    # Each detached post is a change every console hears about, and a decision in the log.
    kinds = [c["kind"] for c in store.changes_after(head)]
    assert kinds == ["post_session", "post_session", "programme"]  # then the walls hear it


def test_a_session_id_of_another_event_is_never_touched(store, event):
    other = store.create_event({**EVENT, "slug": "altro"})
    foreign = other["sessions"][0]
    store.update_event("prova", {"sessions": [{
        "id": foreign["id"], "title": "Intrusa", "starts_at": foreign["starts_at"],
        "ends_at": foreign["ends_at"]}]}, "lead")
    assert store.get_event("altro")["sessions"][0]["title"] == "Apertura"
    assert [s["title"] for s in store.get_event("prova")["sessions"]] == ["Intrusa"]


def test_creating_from_the_browser_is_audited(store):
    store.create_event({"slug": "nuovo", "name": "Nuovo", "sessions": [
        {"key": "apertura", "title": "Apertura", "starts_at": "2026-11-19T08:00:00Z",
         "ends_at": "2026-11-19T09:00:00Z"}]}, actor="coordinatrice")
    assert store.event_exists("nuovo") and not store.event_exists("vecchio")
    (row,) = store.audit_log("nuovo")
    assert (row["action"], row["actor"]) == ("event_created", "coordinatrice")


def test_setup_facts(store, event):
    facts = store.setup_facts("prova")
    assert facts["sources"] == [{"platform": "replay", "enabled": True, "health": "new"}]
    assert (facts["rules_saved"], facts["admins"], facts["editors"], facts["approved"]) == (
        False, 0, 0, 0)


# -- people ----------------------------------------------------------------------------------
def test_invite_lists_the_pending_link_until_it_is_used(store):
    admin = store.create_user("coordinatrice", "admin", password="una-password-lunga")
    user, token = store.invite_user("marta", "editor", "coordinatrice")
    listed = {u["name"]: u for u in store.list_users()}
    assert listed["marta"]["link_expires_at"] and not listed["marta"]["has_password"]
    assert listed["coordinatrice"]["has_password"] and not listed["coordinatrice"][
        "link_expires_at"]
    assert store.consume_login_token(token)["id"] == user["id"]
    assert {u["name"]: u for u in store.list_users()}["marta"]["link_expires_at"] is None
    with pytest.raises(ValueError, match="already a user called marta"):
        store.invite_user("Marta", "editor", "coordinatrice")
    actions = [r["action"] for r in store.audit_log()]
    assert "user_invited" in actions and admin["role"] == "admin"


def test_a_new_link_makes_the_lost_one_useless(store):
    user, lost = store.invite_user("marta", "editor", "lead")
    fresh = store.new_login_link(user["id"], "lead")
    assert store.consume_login_token(lost) is None
    assert store.consume_login_token(fresh)["name"] == "marta"


def test_removing_people_but_never_the_last_admin(store):
    lead = store.create_user("lead", "admin")
    user, token = store.invite_user("marta", "editor", "lead")
    store.delete_user(user["id"], "lead")
    assert store.consume_login_token(token) is None
    assert [u["name"] for u in store.list_users()] == ["lead"]
    with pytest.raises(ValueError, match="only coordinator"):
        store.delete_user(lead["id"], "lead")
    with pytest.raises(NotFound):
        store.delete_user(user["id"], "lead")


def test_a_changed_programme_is_announced_to_open_walls_and_an_unchanged_one_is_not(store,
                                                                                  event):
    head = store.head_seq()
    store.update_event("prova", {"name": "Giornata di prova 2"}, "coordinatrice")
    store.update_event("prova", {"sessions": store.get_event("prova")["sessions"]},
                       "coordinatrice")
    assert [c["kind"] for c in store.changes_after(head)] == []
    sessions = store.get_event("prova")["sessions"]
    sessions[0]["ends_at"] = "2026-11-19T08:45:00Z"
    store.update_event("prova", {"sessions": sessions}, "coordinatrice")
    [change] = store.changes_after(head)
    assert change["kind"] == "programme" and change["actor"] == "coordinatrice"
    assert change["data"][0] == {
        "id": sessions[0]["id"], "title": "Apertura", "starts_at": "2026-11-19T08:00:00Z",
        "ends_at": "2026-11-19T08:45:00Z", "room": "", "speakers": ["Anna Verdi"]}


@pytest.mark.parametrize("name", ["regola", "Collector", "cancellazione", "platform",
                                  "conservazione"])
def test_nobody_may_take_the_name_of_piazzas_automatic_work(store, name):
    # Rule decisions are logged as "regola": a person of that name would blur the figures.
    with pytest.raises(ValueError, match="automatic work"):
        store.create_user(name, "editor")
