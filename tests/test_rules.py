"""The lead's rules: bans, hides, blocked words, trust; validation; what the store does."""

from __future__ import annotations

import pytest

from coverage.curation import (
    DEFAULT_RULES,
    ActionError,
    RulesError,
    apply_wall_control,
    check_rules,
    on_arrival,
    on_arrivals,
)
from coverage.model import Author, Reference


def rules(**changes):
    return check_rules({**DEFAULT_RULES, **changes})


def test_banned_accounts_are_rejected_on_arrival(make_post):
    post = make_post(author=Author("@Spam@X.example"))
    arrival = on_arrival(post, rules(banned=[{"handle": "spam@x.example", "by": "marta"}]))
    assert (arrival.state, arrival.reason) == ("rejected", "banned")


@pytest.mark.parametrize("rule, field, value", [
    ("hide_replies", "reply_to", Reference(remote_id="1")),
    ("hide_reposts", "repost_of", Reference(remote_id="2")),
    ("hide_sensitive", "sensitive", True)])
def test_hidden_kinds_are_rejected_by_a_rule(make_post, rule, field, value):
    post = make_post(**{field: value})
    assert on_arrival(post, rules(**{rule: True})).state == "rejected"
    assert on_arrival(post, rules(**{rule: False})).state == "pending"


@pytest.mark.parametrize("text, held_by", [
    ("Guadagna 5000€ al mese da casa!", "Guadagna 5000€"),
    ("Compra follower veri a poco", "Compra follower"),
    ("Che IDIOTA chi ha scritto questo", "IDIOTA"),
    ("Buy followers now", "Buy followers"),
])
def test_default_blocked_words_hold_posts_with_the_reason(make_post, text, held_by):
    arrival = on_arrival(make_post(text), rules())
    assert arrival.state == "pending" and held_by in arrival.hold


@pytest.mark.parametrize("text", ["Truffaldino è un personaggio di Goldoni",
                                  "Cryptography for public bodies", "Stupidario del web"])
def test_blocked_words_match_whole_words_only(make_post, text):
    assert on_arrival(make_post(text), rules()).hold == ""


def test_the_first_blocked_line_that_matches_holds_the_post(make_post):
    # "truffa" comes first in the list, though "scam" comes first in the text.
    arrival = on_arrival(make_post("Uno scam, anzi una truffa"), rules(
        blocked_words=["truffa", "/sc(a)m/i"]))
    assert arrival.hold == "Parola bloccata: «truffa»" and arrival.rule == "parola bloccata: truffa"


@pytest.mark.parametrize("line, text, found", [
    ("/(ba)\\1/", "un babà di baba", "baba"),  # a backreference
    ("/(?P<x>foo)(?P=x)/", "foofoo", "foofoo"),  # a named one
    ("/b a z  # commento/x", "baz", "baz"),  # verbose, with a comment
    ("/(?i)grande/", "GRANDE", "GRANDE"),  # flags written inside the pattern
    ("/(?P<x>pippo)/", "pippo", "pippo"),  # a group named as in another line
    ("scam", "uno ſcam", "ſcam"),  # case-insensitive as Python reads it (long s)
])
def test_every_kind_of_blocked_line_still_holds_posts(make_post, line, text, found):
    others = ["/(?P<x>altro)/", "parola"]
    arrival = on_arrival(make_post(text), rules(blocked_words=[*others, line]))
    assert arrival.hold == f"Parola bloccata: «{found}»"
    assert on_arrival(make_post("niente da vedere"), rules(blocked_words=[*others, line])).hold \
        == ""


def test_rules_for_a_batch_decide_as_for_one_post(make_post):
    posts = [make_post("Che idiota"), make_post(), make_post("Compra follower veri"),
             make_post(author=Author("@anna@social.example"))]
    lead = rules(trusted=["anna@social.example"])
    assert on_arrivals(posts, lead) == [on_arrival(post, lead) for post in posts]


def test_a_blocked_word_holds_even_a_trusted_account(make_post):
    post = make_post("Attenti alla truffa dei finti rimborsi")
    arrival = on_arrival(post, rules(trusted=["anna@social.example"]))
    assert arrival.state == "pending" and "truffa" in arrival.hold


def test_trusted_accounts_go_live(make_post):
    assert on_arrival(make_post(), rules(trusted=["@anna@social.example"])).state == "approved"


@pytest.mark.parametrize("data, message", [
    ({"blocked_words": ["/(unclosed/"]}, "is not valid"),
    ({"trusted": "tutti"}, "list of texts"),
    ({"banned": [{"by": "marta"}]}, "handle"),
    ({"reasons": []}, "needs a code"),
    ({"reasons": [{"code": "Spam!", "label": "x"}]}, "needs a code"),
    ({"reasons": [{"code": "a", "label": "x"}, {"code": "a", "label": "y"}]}, "same code"),
])
def test_bad_rules_are_refused_with_a_clear_message(data, message):
    # With no app the message is the English source; through the API it is the reader's.
    with pytest.raises(RulesError, match=message):
        check_rules({**DEFAULT_RULES, **data})


def test_wall_control_accepts_only_known_settings():
    state = apply_wall_control({}, {"layout": "spotlight", "paused": True, "message": " Pausa "})
    assert (state["layout"], state["paused"], state["message"]) == ("spotlight", True, "Pausa")
    for bad in ({"layout": "carousel"}, {"paused": "yes"}, {"color": "red"}, {}):
        with pytest.raises(ActionError):
            apply_wall_control(state, bad)


# -- in the store ------------------------------------------------------------------------------

def test_rules_apply_at_ingest_and_are_audited(store, event, source_id, make_post):
    store.set_rules(event["slug"], {**DEFAULT_RULES, "hide_replies": True}, "coordinatrice")
    store.ingest(source_id, [make_post("Guadagna 5000€ da casa"),
                             make_post("Una risposta", reply_to=Reference(remote_id="9")),
                             make_post("Un post normale")], {})
    posts = {p["text"]: p for p in store.list_posts(event["slug"])}
    assert posts["Guadagna 5000€ da casa"]["hold"].startswith("Parola bloccata")
    assert (posts["Una risposta"]["state"], posts["Una risposta"]["reason"]) == (
        "rejected", "rule")
    assert posts["Un post normale"]["state"] == "pending"
    actions = [(a["actor"], a["action"]) for a in store.audit_log(event["slug"])]
    assert ("regola", "hold") in actions and ("regola", "reject") in actions
    assert ("coordinatrice", "rules") in actions


def test_approving_a_held_post_clears_its_hold(store, event, source_id, make_post):
    store.ingest(source_id, [make_post("Attenti alla truffa")], {})
    post = store.list_posts(event["slug"])[0]
    store.decide(event["slug"], post["id"], "approve", "marta")
    assert store.get_post(event["slug"], post["id"])["hold"] == ""


def test_rejecting_uses_the_events_own_reasons(store, event, source_id, make_post):
    store.ingest(source_id, [make_post()], {})
    post_id = store.list_posts(event["slug"])[0]["id"]
    store.set_rules(event["slug"], {**DEFAULT_RULES, "reasons": [
        {"code": "fuori_programma", "label": "Fuori programma"}]}, "coordinatrice")
    with pytest.raises(ActionError):
        store.decide(event["slug"], post_id, "reject", "marta", reason="spam")
    store.decide(event["slug"], post_id, "reject", "marta", reason="fuori_programma")
    assert store.get_post(event["slug"], post_id)["reason"] == "fuori_programma"


def test_undo_reverts_the_editors_own_last_decision_only(store, event, source_id, make_post):
    store.ingest(source_id, [make_post(), make_post()], {})
    first, second = [p["id"] for p in store.list_posts(event["slug"], oldest_first=True)]
    store.decide(event["slug"], first, "feature", "marta")
    store.decide(event["slug"], second, "reject", "luca", reason="spam")
    undone = store.undo(event["slug"], "marta")
    assert undone.post_id == first
    post = store.get_post(event["slug"], first)
    assert (post["state"], post["featured"]) == ("pending", False)
    assert store.get_post(event["slug"], second)["state"] == "rejected"  # luca's stays
    assert store.changes_after(0)[-1]["kind"] == "post_pending"
    with pytest.raises(ValueError, match="no decision of yours"):
        store.undo(event["slug"], "marta")  # nothing left to undo (no app: English)
    assert store.audit_log(event["slug"])[0]["action"] == "undo"


def test_wall_changes_are_one_transaction_each_and_logged(store, event):
    seq, state = store.change_wall(event["slug"], "marta",
                                   lambda s: apply_wall_control(s, {"layout": "column"}))
    assert state["layout"] == "column" and store.wall_state(event["id"]) == state
    change = store.changes_after(0)[-1]
    assert (change["seq"], change["kind"], change["data"]["layout"]) == (
        seq, "wall_state", "column")
    assert store.audit_log(event["slug"])[0]["action"] == "wall"
