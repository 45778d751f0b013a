"""The live protocol: messages from the change log, catch-up by seq, the socket flows."""

from __future__ import annotations

import pytest

from coverage import socketio
from coverage.live import console_messages, wall_messages
from coverage.model import Author

from .conftest import login


def change(seq, kind, post_id, actor="marta"):
    return {"seq": seq, "kind": kind, "post_id": post_id, "actor": actor, "event_id": 1}


def post(post_id, state="approved", deleted=False, **extra):
    return {"id": post_id, "state": state, "deleted": deleted, "note": "interna",
            "reason": "", "decided_by": "marta", "text": f"post {post_id}", **extra}


def test_wall_gets_an_approved_post_without_moderation_internals():
    [(name, msg)] = wall_messages([change(5, "post_approved", 1)], {1: post(1)})
    assert name == "post_approved" and msg["seq"] == 5 and msg["post"]["id"] == 1
    assert "note" not in msg["post"] and "decided_by" not in msg["post"]


def test_wall_never_receives_a_post_approved_then_rejected_in_the_same_batch():
    messages = wall_messages([change(5, "post_approved", 1), change(6, "post_rejected", 1)],
                             {1: post(1, state="rejected")})
    assert messages == [("post_removed", {"seq": 6, "post": {"id": 1}})]


def test_wall_ignores_arrivals_and_notes_on_posts_it_cannot_show():
    changes = [change(1, "post_added", 1), change(2, "post_noted", 1)]
    assert wall_messages(changes, {1: post(1, state="pending")}) == []


def test_wall_removes_a_deleted_post():
    [(name, _)] = wall_messages([change(9, "post_deleted", 1)], {1: post(1, deleted=True)})
    assert name == "post_removed"


def test_wall_messages_are_ordered_by_seq_one_per_post():
    changes = [change(1, "post_approved", 2), change(2, "post_approved", 1),
               change(3, "post_featured", 2)]
    messages = wall_messages(changes, {1: post(1), 2: post(2, featured=True)})
    assert [(m["post"]["id"], m["seq"]) for _, m in messages] == [(1, 2), (2, 3)]


def test_console_message_is_named_for_the_last_change_and_says_who():
    [(name, msg)] = console_messages([change(1, "post_added", 1, "collector"),
                                      change(2, "post_rejected", 1, "luca")],
                                     {1: post(1, state="rejected")})
    assert name == "post_rejected" and msg["by"] == "luca" and msg["post"]["note"] == "interna"


def test_walls_and_consoles_get_the_last_programme_of_a_batch_whole():
    sessions = [{"id": 1, "title": "Apertura", "starts_at": "2026-11-19T08:00:00Z",
                 "ends_at": "2026-11-19T08:30:00Z", "room": "", "speakers": []}]
    changes = [{**change(4, "programme", None, "lead"), "data": []},
               {**change(5, "programme", None, "lead"), "data": sessions}]
    assert wall_messages(changes, {}) == [("programme", {"seq": 5, "sessions": sessions})]
    assert console_messages(changes, {}) == [("programme", {"seq": 5, "sessions": sessions,
                                                            "by": "lead"})]


def test_an_erased_post_leaves_the_consoles():
    # Erasure deletes the row: the console still hears that the post is gone, and nothing else.
    [(name, msg)] = console_messages([change(3, "post_approved", 1), change(4, "post_deleted", 1,
                                                                            "dpo")], {})
    assert (name, msg) == ("post_erased", {"seq": 4, "post": {"id": 1}, "by": "dpo"})


# -- socket flows with Flask-SocketIO's test client -------------------------------------------

def ingest(app_store, make_post, n=3):
    source = app_store.list_sources("prova")[0]
    app_store.ingest(source["id"], [make_post() for _ in range(n)], {})
    return [p["id"] for p in app_store.list_posts("prova", oldest_first=True, limit=1000)]


def received(client, namespace):
    """The messages a client received, a batch's own messages in its place (the protocol
    makes a batch equivalent to its messages, in order)."""
    out = []
    for m in client.get_received(namespace):
        if m["name"] == "batch":
            out += [(name, payload) for name, payload in m["args"][0]["messages"]]
        else:
            out.append((m["name"], m["args"][0]))
    return out


def test_wall_connect_without_a_known_event_is_refused(app, app_event):
    client = socketio.test_client(app, namespace="/wall", auth={"event": "nessuno"})
    assert not client.is_connected("/wall")


def test_console_refuses_anonymous_connections(app, app_event):
    client = socketio.test_client(app, namespace="/console", auth={"event": "prova"})
    assert not client.is_connected("/console")


def test_wall_snapshot_holds_only_approved_posts(app, app_store, app_event, make_post):
    ids = ingest(app_store, make_post)
    app_store.decide("prova", ids[0], "approve", "marta")
    wall = socketio.test_client(app, namespace="/wall", auth={"event": "prova", "last_seq": 0})
    messages = received(wall, "/wall")
    assert [n for n, _ in messages] == ["snapshot", "synced"]
    snapshot = messages[0][1]
    assert [p["id"] for p in snapshot["posts"]] == [ids[0]]
    assert snapshot["seq"] == app_store.head_seq()


def test_wall_snapshot_keeps_featured_and_pinned_posts_older_than_the_newest(
        app, app_store, app_event, make_post):
    from coverage.live import WALL_SNAPSHOT_SIZE

    ids = ingest(app_store, make_post, n=WALL_SNAPSHOT_SIZE + 3)
    app_store.decide_many("prova", ids, "approve", "marta")
    app_store.decide("prova", ids[0], "feature", "marta")
    app_store.decide("prova", ids[1], "pin", "marta")
    app_store.decide("prova", ids[2], "reject", "marta", reason="spam")
    wall = socketio.test_client(app, namespace="/wall", auth={"event": "prova", "last_seq": 0})
    shown = {p["id"] for p in received(wall, "/wall")[0][1]["posts"]}
    assert shown == set(ids[3:]) | {ids[0], ids[1]}

    app_store.decide("prova", ids[0], "unfeature", "marta")  # the change log moved: re-read
    again = socketio.test_client(app, namespace="/wall", auth={"event": "prova", "last_seq": 0})
    assert ids[0] not in {p["id"] for p in received(again, "/wall")[0][1]["posts"]}


def test_console_decision_is_acknowledged_then_reaches_walls_and_other_consoles(
        app, app_store, app_event, make_post):
    ids = ingest(app_store, make_post)
    live = app.extensions["piazza_live"]
    live.pump()
    flask_a, flask_b = app.test_client(), app.test_client()
    login(flask_a, app_store, "marta")
    login(flask_b, app_store, "luca")
    marta = socketio.test_client(app, namespace="/console", flask_test_client=flask_a,
                                 auth={"event": "prova"})
    luca = socketio.test_client(app, namespace="/console", flask_test_client=flask_b,
                                auth={"event": "prova"})
    wall = socketio.test_client(app, namespace="/wall", auth={"event": "prova"})
    snapshot = [m for n, m in received(luca, "/console") if n == "snapshot"][0]
    assert {p["id"] for p in snapshot["posts"]} == set(ids)
    received(marta, "/console"), received(wall, "/wall")

    ack = marta.emit("decide", {"post_id": ids[1], "action": "approve"}, namespace="/console",
                     callback=True)
    assert ack["ok"] and ack["changed"]
    assert received(wall, "/wall") == []  # acknowledged first, broadcast by the follower
    live.pump()
    [(name, msg)] = received(wall, "/wall")
    assert name == "post_approved" and msg["post"]["id"] == ids[1] and msg["seq"] == ack["seq"]
    [(name, msg)] = received(luca, "/console")
    assert name == "post_approved" and msg["by"] == "marta"


def test_decisions_from_the_cli_or_another_process_reach_the_wall(app, app_store, app_event,
                                                                 make_post):
    ids = ingest(app_store, make_post)
    wall = socketio.test_client(app, namespace="/wall", auth={"event": "prova"})
    received(wall, "/wall")
    app_store.decide("prova", ids[2], "approve", "cli:root")  # written straight to the log
    app.extensions["piazza_live"].pump()
    assert [n for n, _ in received(wall, "/wall")] == ["post_approved"]


def test_an_erasure_reaches_the_consoles_and_the_walls(app, app_store, app_event, make_post,
                                                        editor):
    app_store.ingest(app_store.list_sources("prova")[0]["id"],
                     [make_post(author=Author("@via@social.example", "Via"))], {})
    [gone] = [p["id"] for p in app_store.list_posts("prova", limit=10)]
    app_store.decide("prova", gone, "approve", "marta")
    app.extensions["piazza_live"].pump()
    wall = socketio.test_client(app, namespace="/wall", auth={"event": "prova"})
    console = socketio.test_client(app, namespace="/console", auth={"event": "prova"},
                                   flask_test_client=editor)
    received(wall, "/wall"), received(console, "/console")
    app_store.erase_author("mastodon", "@via@social.example", "dpo")
    app.extensions["piazza_live"].pump()
    assert received(wall, "/wall") == [("post_removed", {"seq": app_store.head_seq(),
                                                         "post": {"id": gone}})]
    assert [(n, m["post"]) for n, m in received(console, "/console")] == [
        ("post_erased", {"id": gone})]


def test_reconnecting_wall_receives_exactly_what_it_missed_in_order(app, app_store, app_event,
                                                                   make_post):
    ids = ingest(app_store, make_post)
    app_store.decide("prova", ids[0], "approve", "marta")
    seen = app_store.head_seq()
    # While the wall is away: one approval, one approval then rejection, one note.
    app_store.decide("prova", ids[1], "approve", "marta")
    app_store.decide("prova", ids[2], "approve", "marta")
    app_store.decide("prova", ids[2], "reject", "luca", reason="off_topic")
    app_store.decide("prova", ids[0], "note", "marta", note="per il recap")
    wall = socketio.test_client(app, namespace="/wall", auth={"event": "prova", "last_seq": seen})
    messages = received(wall, "/wall")
    assert [(n, m.get("post", {}).get("id")) for n, m in messages] == [
        ("post_approved", ids[1]), ("post_removed", ids[2]), ("synced", None)]
    seqs = [m["seq"] for _, m in messages]
    assert seqs == sorted(seqs) and seqs[-1] == app_store.head_seq()


def test_decide_with_bad_input_gets_a_clear_error(app, app_store, app_event, make_post):
    ingest(app_store, make_post)
    flask_client = app.test_client()
    login(flask_client, app_store)
    console = socketio.test_client(app, namespace="/console", flask_test_client=flask_client,
                                   auth={"event": "prova"})
    for data, error in [({"post_id": 1, "action": "delete-everything"}, "Azione sconosciuta"),
                        ({"post_id": "x", "action": "approve"}, "Identificativo"),
                        ({"post_id": 999, "action": "approve"}, "non fa parte"),
                        ("not a dict", "non valida")]:
        ack = console.emit("decide", data, namespace="/console", callback=True)
        assert not ack["ok"] and error in ack["error"]


def test_presence_lists_the_editors_online(app, app_store, app_event):
    flask_client = app.test_client()
    login(flask_client, app_store, "marta")
    console = socketio.test_client(app, namespace="/console", flask_test_client=flask_client,
                                   auth={"event": "prova"})
    presence = [m for n, m in received(console, "/console") if n == "presence"]
    assert presence[-1]["editors"] == ["marta"]


def test_a_figures_reader_is_told_of_changes_only_and_not_listed_among_the_editors(
        app, app_store, app_event, make_post):
    marta, luca = app.test_client(), app.test_client()
    login(marta, app_store, "marta")
    login(luca, app_store, "luca")
    console = socketio.test_client(app, namespace="/console", flask_test_client=marta,
                                   auth={"event": "prova"})
    figures = socketio.test_client(app, namespace="/console", flask_test_client=luca,
                                   auth={"event": "prova", "watch": True})
    assert figures.is_connected("/console")
    presence = [m for n, m in received(console, "/console") if n == "presence"]
    assert [m["editors"] for m in presence] == [["marta"]]
    assert received(figures, "/console") == []  # no snapshot: the page was just rendered
    ids = ingest(app_store, make_post, n=2)
    app_store.decide("prova", ids[0], "approve", "marta")
    app.extensions["piazza_live"].pump()
    assert received(figures, "/console") == [("changed", {"seq": app_store.head_seq()})]
    figures.disconnect("/console")
    assert [n for n, _ in received(console, "/console") if n == "presence"] == []


@pytest.mark.parametrize("last_seq", ["abc", -5, None])
def test_wall_with_a_nonsense_last_seq_gets_a_snapshot(app, app_event, last_seq):
    wall = socketio.test_client(app, namespace="/wall",
                                auth={"event": "prova", "last_seq": last_seq})
    assert received(wall, "/wall")[0][0] == "snapshot"


def console_for(app, app_store, name="marta"):
    flask_client = app.test_client()
    login(flask_client, app_store, name)
    client = socketio.test_client(app, namespace="/console", flask_test_client=flask_client,
                                  auth={"event": "prova"})
    received(client, "/console")
    return client


def test_bulk_decisions_reach_the_wall_once_each(app, app_store, app_event, make_post):
    ids = ingest(app_store, make_post, n=4)
    marta = console_for(app, app_store)
    wall = socketio.test_client(app, namespace="/wall", auth={"event": "prova"})
    received(wall, "/wall")
    ack = marta.emit("decide", {"post_ids": ids[:3], "action": "approve"}, namespace="/console",
                     callback=True)
    assert ack == {"ok": True, "seq": app_store.head_seq(), "changed": 3}
    app.extensions["piazza_live"].pump()
    assert sorted(m["post"]["id"] for n, m in received(wall, "/wall")) == sorted(ids[:3])


def test_undo_from_the_console_takes_a_post_off_the_wall(app, app_store, app_event, make_post):
    ids = ingest(app_store, make_post)
    marta = console_for(app, app_store)
    wall = socketio.test_client(app, namespace="/wall", auth={"event": "prova"})
    marta.emit("decide", {"post_id": ids[0], "action": "approve"}, namespace="/console",
               callback=True)
    app.extensions["piazza_live"].pump()
    received(wall, "/wall")
    ack = marta.emit("undo", {}, namespace="/console", callback=True)
    assert ack["ok"] and ack["post_id"] == ids[0]
    app.extensions["piazza_live"].pump()
    assert received(wall, "/wall") == [("post_removed", {"seq": ack["seq"],
                                                         "post": {"id": ids[0]}})]


def test_an_open_post_is_marked_for_the_other_editors_only(app, app_store, app_event, make_post):
    ids = ingest(app_store, make_post)
    marta, luca = console_for(app, app_store, "marta"), console_for(app, app_store, "luca")
    received(marta, "/console")
    assert marta.emit("open_post", {"post_id": ids[0]}, namespace="/console",
                      callback=True) == {"ok": True}
    assert ("post_opened", {"post_id": ids[0], "editor": "marta"}) in received(luca, "/console")
    assert [n for n, _ in received(marta, "/console")] == []


def test_wall_control_reaches_every_wall_and_console_and_survives_reconnects(
        app, app_store, app_event):
    marta, luca = console_for(app, app_store, "marta"), console_for(app, app_store, "luca")
    wall = socketio.test_client(app, namespace="/wall", auth={"event": "prova"})
    received(wall, "/wall"), received(marta, "/console")
    ack = marta.emit("wall_control", {"layout": "spotlight", "paused": True},
                     namespace="/console", callback=True)
    assert ack["ok"] and ack["wall"]["layout"] == "spotlight"
    announce = luca.emit("announce", {"text": "Pausa pranzo fino alle 14:30"},
                         namespace="/console", callback=True)
    assert announce["ok"] and announce["id"].startswith("a")
    app.extensions["piazza_live"].pump()
    [(name, msg)] = received(wall, "/wall")  # two changes, one message with the latest state
    assert name == "wall_state" and msg["wall"]["paused"] is True
    assert msg["wall"]["announcements"] == [{"id": announce["id"],
                                             "text": "Pausa pranzo fino alle 14:30"}]
    assert [m["by"] for n, m in received(marta, "/console") if n == "wall_state"] == ["luca"]
    # A wall connecting later starts from the same state.
    late = socketio.test_client(app, namespace="/wall", auth={"event": "prova"})
    assert received(late, "/wall")[0][1]["wall"]["layout"] == "spotlight"
    bad = marta.emit("wall_control", {"layout": "carousel"}, namespace="/console", callback=True)
    assert not bad["ok"] and "non valido" in bad["error"]
    gone = marta.emit("unannounce", {"id": announce["id"]}, namespace="/console", callback=True)
    assert gone["wall"]["announcements"] == []


def test_walls_cannot_send_console_commands(app, app_event):
    wall = socketio.test_client(app, namespace="/wall", auth={"event": "prova"})
    wall.emit("wall_control", {"blank": True}, namespace="/wall")
    assert app.extensions["piazza_store"].wall_state(1)["blank"] is False
