"""The live X source: queries, paging, the hourly cap, X's errors, re-checks, the cost figures.

X is faked at the HTTP boundary only: an `httpx.MockTransport` answers like API v2 (bodies with
`data`, `includes`, `meta`; `x-rate-limit-*` headers; its error bodies and statuses).
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from coverage.collector import poll_once
from coverage.sources import REGISTRY, make_source
from coverage.sources.http import RateLimited, SourceError
from coverage.sources.x import (
    QUERY_MAX,
    XSource,
    build_query,
    clean_accounts,
    clean_hashtags,
    estimated_reads_per_hour,
)

# The messages asserted below are the Italian an editor reads: the code runs as in the app.
pytestmark = pytest.mark.usefixtures("italian")

FIXTURES = Path(__file__).parent / "fixtures"
TOKEN = "AAAAAAAAAAAAAAAAAAAAAsegreto%2Bdi%2Bprova"
NOW = datetime(2026, 11, 19, 9, 30, tzinfo=UTC)
EVENT = {
    "slug": "prova",
    "hashtags": ["pasocial"],
    "accounts": [
        {"platform": "x", "handle": "@comune_valdoria"},
        {"platform": "mastodon", "handle": "@comune@mastodon.comune-valdoria.example"},
    ],
}
RESET = 1795080600  # 2026-11-19T09:30:00Z as epoch seconds, as X sends it
USERS = [{"id": "11", "name": "Comune di Valdoria", "username": "comune_valdoria",
          "profile_image_url": "https://pbs.twimg.com/profile_images/1/valdoria_normal.jpg"}]


def load(name: str):
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def sid(minutes: float) -> str:
    """An X id (snowflake) for a post made `minutes` after 09:00 on the event's day."""
    moment = datetime(2026, 11, 19, 9, 0, tzinfo=UTC) + timedelta(minutes=minutes)
    return str((int(moment.timestamp() * 1000) - 1288834974657) << 22)


def tweet(tweet_id: str, text: str = "In sala per #pasocial", **fields) -> dict:
    return {"id": tweet_id, "text": text, "author_id": "11", "lang": "it",
            "created_at": "2026-11-19T09:10:00.000Z", "edit_history_tweet_ids": [tweet_id],
            **fields}


def page(tweets: list[dict], next_token: str = "", **extra) -> dict:
    """A recent-search body as X sends it (no `data` and only a count when nothing matched)."""
    if not tweets:
        return {"meta": {"result_count": 0}}
    meta = {"newest_id": tweets[0]["id"], "oldest_id": tweets[-1]["id"],
            "result_count": len(tweets)}
    if next_token:
        meta["next_token"] = next_token
    return {"data": tweets, "includes": {"users": USERS}, "meta": meta, **extra}


def limits(remaining: int = 449) -> dict[str, str]:
    return {"x-rate-limit-limit": "450", "x-rate-limit-remaining": str(remaining),
            "x-rate-limit-reset": str(RESET)}


class FakeX:
    """Answers requests in order from a list of replies; records every request."""

    def __init__(self, *replies) -> None:
        self.replies = list(replies)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        reply = self.replies.pop(0) if self.replies else page([])
        if isinstance(reply, httpx.Response):
            return reply
        return httpx.Response(200, json=reply, headers=limits())

    def params(self, index: int = -1) -> dict[str, str]:
        query = parse_qs(urlsplit(str(self.requests[index].url)).query)
        return {k: v[0] for k, v in query.items()}

    def client(self) -> httpx.Client:
        return httpx.Client(transport=httpx.MockTransport(self))


def x_source(fake: FakeX, config: dict | None = None, event: dict | None = None,
             token: str = TOKEN) -> XSource:
    return XSource(config or {}, EVENT if event is None else event, fake.client(),
                   {"X_BEARER_TOKEN": token})


# --- queries --------------------------------------------------------------------------------


def test_query_groups_hashtags_and_accounts():
    assert build_query(["pasocial", "#PAdigitale"], ["@comune_valdoria", "RegioneLumbria"]) == [
        "(#pasocial OR #PAdigitale) OR (from:comune_valdoria OR from:RegioneLumbria)"]
    assert build_query(["pasocial"], []) == ["#pasocial"]
    assert build_query([], ["@comune_valdoria"]) == ["from:comune_valdoria"]
    assert build_query([], []) == []


def test_extra_operators_apply_to_the_whole_query():
    # AND binds tighter than OR on X: the brackets make `lang:it` apply to every term.
    assert build_query(["a", "b"], ["c"], "lang:it") == ["((#a OR #b) OR from:c) lang:it"]
    assert build_query(["a"], [], "  -is:reply ") == ["#a -is:reply"]


def test_hashtags_and_accounts_are_cleaned():
    assert clean_hashtags(["#PaSocial", "pasocial", "＃Città", "due parole", "a)b", ""]) == (
        ["PaSocial", "Città"], ["due parole", "a)b", ""])
    assert clean_accounts(["@comune_valdoria", "https://x.com/RegioneLumbria/",
                           {"platform": "x", "handle": "@COMUNE_VALDORIA"},
                           {"platform": "bluesky", "handle": "@x.bsky.social"},
                           "nome-con-trattino", "@troppolungoperunnomex"]) == (
        ["comune_valdoria", "RegioneLumbria"], ["nome-con-trattino", "@troppolungoperunnomex"])


def _terms_of(query: str) -> list[str]:
    return [t for t in query.replace("(", " ").replace(")", " ").split()
            if t.startswith(("#", "from:"))]


def test_long_lists_are_split_into_queries_within_512_characters():
    tags = [f"hashtag{n:03d}lungo" for n in range(40)]
    accounts = [f"account_{n:04d}x" for n in range(30)]
    queries = build_query(tags, accounts, "lang:it")
    assert len(queries) == 3
    assert all(len(q) <= QUERY_MAX and q.endswith(" lang:it") for q in queries)
    terms = [t for q in queries for t in _terms_of(q)]
    assert terms == [f"#{t}" for t in tags] + [f"from:{a}" for a in accounts]  # each once
    # Each query is as full as it can be: the next query's first term would not have fitted.
    for query, following in zip(queries, queries[1:], strict=False):
        grown = [*_terms_of(query), _terms_of(following)[0]]
        tags_in = [t[1:] for t in grown if t.startswith("#")]
        froms_in = [t[5:] for t in grown if t.startswith("from:")]
        assert len(build_query(tags_in, froms_in, "lang:it")) == 2


def test_split_happens_exactly_past_512_characters():
    # "#" + 9 characters = 10; n terms joined by " OR " inside brackets: 14n - 4 + 2.
    def tags(n: int, last: int) -> list[str]:
        return [f"t{i:08d}" for i in range(n - 1)] + ["u" * last]

    fits = tags(36, 9 + 8)  # 14*36 - 2 = 502, and 8 more characters in the last tag: 510
    assert len(build_query(fits, [])[0]) == 510
    exact = tags(36, 9 + 10)
    assert [len(q) for q in build_query(exact, [])] == [512]
    assert [len(q) for q in build_query(tags(36, 9 + 11), [])] == [488, 21]


def test_a_term_that_cannot_fit_is_refused_in_plain_words():
    with pytest.raises(ValueError, match="non sta in 512 caratteri"):
        build_query(["pasocial"], [], "x" * 510)


# --- reading: first run, since_id, paging ----------------------------------------------------


def test_first_run_reads_only_the_latest_page():
    fake = FakeX(page([tweet(sid(20)), tweet(sid(10))], next_token="b26v89c19zqg8o3f"))
    batch = x_source(fake).fetch({}, NOW)
    assert len(fake.requests) == 1
    params = fake.params()
    assert params["query"] == "#pasocial OR from:comune_valdoria"  # defaults from the event
    assert "since_id" not in params and "next_token" not in params
    assert params["max_results"] == "100"
    assert "note_tweet" in params["tweet.fields"]
    assert params["expansions"] == (
        "author_id,attachments.media_keys,referenced_tweets.id,referenced_tweets.id.author_id,"
        "referenced_tweets.id.attachments.media_keys")
    assert params["media.fields"] == "url,preview_image_url,alt_text,width,height,variants"
    assert params["user.fields"] == "name,username,profile_image_url"
    request = fake.requests[0]
    assert request.url.path == "/2/tweets/search/recent" and request.url.host == "api.x.com"
    assert request.headers["authorization"] == f"Bearer {TOKEN}"
    assert [p.remote_id for p in batch.posts] == [sid(20), sid(10)]
    assert batch.cursor == {"since_id": {params["query"]: sid(20)}, "hour": "2026-11-19T09",
                            "reads": 2}
    assert batch.notes == []


def test_since_id_moves_forward_and_stays_when_nothing_is_new():
    fake = FakeX(page([tweet(sid(5))]), page([tweet(sid(12)), tweet(sid(11))]), page([]))
    source = x_source(fake, {"hashtags": ["pasocial"], "accounts": ["@comune_valdoria"]})
    first = source.fetch({}, NOW)
    second = source.fetch(first.cursor, NOW + timedelta(minutes=1))
    assert fake.params()["since_id"] == sid(5)
    assert [p.remote_id for p in second.posts] == [sid(12), sid(11)]
    third = source.fetch(second.cursor, NOW + timedelta(minutes=2))
    assert fake.params()["since_id"] == sid(12)
    assert third.posts == [] and third.cursor["since_id"] == second.cursor["since_id"]
    assert third.cursor["reads"] == 3


def test_next_token_is_followed_up_to_the_page_cap():
    query = "#pasocial OR from:comune_valdoria"
    fake = FakeX(*(page([tweet(sid(30 - n))], next_token=f"tok{n}") for n in range(5)))
    batch = x_source(fake, {"max_pages": 3}).fetch({"since_id": {query: sid(1)}}, NOW)
    assert len(fake.requests) == 3
    assert [fake.params(i).get("next_token") for i in range(3)] == [None, "tok0", "tok1"]
    assert all(fake.params(i)["since_id"] == sid(1) for i in range(3))
    assert batch.cursor["since_id"] == {query: sid(30)}  # the newest, from the first page
    assert len(batch.posts) == 3
    assert any("più di 3 pagine" in n for n in batch.notes)


def test_paging_ends_when_x_gives_no_next_token():
    query = "#pasocial OR from:comune_valdoria"
    fake = FakeX(page([tweet(sid(30))], next_token="tok0"), page([tweet(sid(29))]))
    batch = x_source(fake).fetch({"since_id": {query: sid(1)}}, NOW)
    assert len(fake.requests) == 2 and len(batch.posts) == 2 and batch.notes == []


def test_each_query_keeps_its_own_since_id():
    tags = [f"hashtag{n:03d}lungo" for n in range(40)]
    queries = build_query(tags, [])
    assert len(queries) == 2
    fake = FakeX(page([tweet(sid(8))]), page([tweet(sid(9))]))
    source = x_source(fake, {"hashtags": tags, "accounts": ["x"]})
    stale_query = "#vecchio"
    batch = source.fetch({"since_id": {stale_query: sid(1)}}, NOW)
    queries = build_query(tags, ["x"])
    assert [fake.params(i)["query"] for i in range(len(queries))] == queries
    assert stale_query not in batch.cursor["since_id"]
    assert batch.cursor["since_id"][queries[0]] == sid(8)
    assert batch.cursor["since_id"][queries[1]] == sid(9)


def test_the_same_post_matched_by_two_queries_is_kept_once():
    tags = [f"hashtag{n:03d}lungo" for n in range(40)]
    fake = FakeX(page([tweet(sid(8))]), page([tweet(sid(8))]))
    batch = x_source(fake, {"hashtags": tags}).fetch({}, NOW)
    assert len(fake.requests) == 2 and [p.remote_id for p in batch.posts] == [sid(8)]


def test_a_since_id_older_than_seven_days_starts_afresh():
    # X answers 400 to such a since_id, forever: the source would never recover by itself.
    query = "#pasocial OR from:comune_valdoria"
    old = str((int((NOW - timedelta(days=8)).timestamp() * 1000) - 1288834974657) << 22)
    fake = FakeX(page([tweet(sid(20))]))
    batch = x_source(fake).fetch({"since_id": {query: old}}, NOW)
    assert "since_id" not in fake.params()
    assert batch.cursor["since_id"] == {query: sid(20)}
    assert any("più vecchia di 7 giorni" in n for n in batch.notes)


# --- the hourly cap -------------------------------------------------------------------------


def test_the_hourly_cap_stops_reading_and_resumes_next_hour():
    query = "#pasocial OR from:comune_valdoria"
    fake = FakeX(page([tweet(sid(20 - n / 10)) for n in range(30)], next_token="more"))
    source = x_source(fake, {"cap_per_hour": 30})
    batch = source.fetch({"since_id": {query: sid(1)}}, NOW)
    assert fake.params()["max_results"] == "30"  # never asks for more than the budget left
    assert len(fake.requests) == 1 and len(batch.posts) == 30
    assert batch.cursor["reads"] == 30 and batch.cursor["hour"] == "2026-11-19T09"
    note = batch.cursor["note"]
    assert note == ("Tetto orario di X raggiunto: 30 post letti in quest'ora (tetto 30). "
                    "Riprendo alle 10:00 UTC.")
    assert note in batch.notes

    later = source.fetch(batch.cursor, NOW + timedelta(minutes=20))  # 09:50: still capped
    assert len(fake.requests) == 1 and later.posts == []
    assert later.cursor["note"] == note and later.cursor["since_id"] == {query: sid(20)}

    fake.replies.append(page([tweet(sid(65))]))
    next_hour = source.fetch(later.cursor, NOW + timedelta(minutes=31))  # 10:01
    assert len(fake.requests) == 2 and fake.params()["since_id"] == sid(20)
    assert next_hour.cursor == {"since_id": {query: sid(65)}, "hour": "2026-11-19T10",
                                "reads": 1}
    assert next_hour.notes == []


def test_the_last_request_of_the_hour_asks_only_for_what_the_cap_leaves():
    fake = FakeX(page([tweet(sid(3))]))
    batch = x_source(fake).fetch({"hour": "2026-11-19T09", "reads": 480}, NOW)
    assert fake.params()["max_results"] == "20"
    assert batch.cursor["reads"] == 481


def test_less_than_a_minimum_page_left_counts_as_capped():
    fake = FakeX()
    batch = x_source(fake).fetch({"hour": "2026-11-19T09", "reads": 495}, NOW)
    assert fake.requests == [] and "Tetto orario" in batch.cursor["note"]


def test_the_cap_is_reported_in_the_round_that_reaches_it():
    fake = FakeX(page([tweet(sid(20 - n / 10)) for n in range(10)]))
    batch = x_source(fake).fetch({"hour": "2026-11-19T09", "reads": 485}, NOW)
    assert fake.params()["max_results"] == "15" and len(batch.posts) == 10
    assert batch.cursor["reads"] == 495 and "Tetto orario" in batch.cursor["note"]


def test_included_posts_count_as_reads():
    payload = load("x/search_recent.json")  # 5 posts, 1 original in includes.tweets
    fake = FakeX(payload)
    batch = x_source(fake).fetch({}, NOW)
    assert batch.cursor["reads"] == 6


@pytest.mark.parametrize("config, words", [
    ({"cap_per_hour": 5}, "cap_per_hour"),
    ({"max_results": 500}, "max_results"),
    ({"cap_per_hour": "molti"}, "cap_per_hour"),
    ({"instance": "api.x.com"}, "inizia con https://"),
])
def test_wrong_settings_are_explained(config, words):
    with pytest.raises(SourceError, match=words):
        x_source(FakeX(), config).fetch({}, NOW)


def test_wrong_language_is_explained():
    with pytest.raises(SourceError, match="Lingua 'italiano'"):
        x_source(FakeX(), {"lang": "italiano"}).fetch({}, NOW)


def test_language_and_bad_terms_end_up_in_query_and_notes():
    fake = FakeX(page([]))
    batch = x_source(fake, {"lang": "it", "hashtags": ["pasocial", "due parole"],
                            "accounts": ["@ok_name", "nome-sbagliato"]}).fetch({}, NOW)
    assert fake.params()["query"] == "(#pasocial OR from:ok_name) lang:it"
    assert batch.notes == ["Hashtag non valido per X, ignorato: 'due parole'.",
                           "Account X non valido, ignorato: 'nome-sbagliato' "
                           "(1–15 lettere, cifre o _)."]


def test_nothing_to_search_is_explained():
    with pytest.raises(SourceError, match="Nessun hashtag o account X"):
        x_source(FakeX(), event={"hashtags": [], "accounts": []}).fetch({}, NOW)


def test_a_local_instance_is_used_as_configured():
    fake = FakeX(page([]))
    x_source(fake, {"instance": "http://127.0.0.1:8089/"}).fetch({}, NOW)
    assert str(fake.requests[0].url).startswith("http://127.0.0.1:8089/2/tweets/search/recent?")


# --- what X sends -----------------------------------------------------------------------------


def test_long_post_reads_its_note_tweet():
    lookup = load("x/lookup_note_tweet.json")
    body = {"data": [lookup["data"]], "includes": lookup["includes"],
            "meta": {"newest_id": lookup["data"]["id"], "oldest_id": lookup["data"]["id"],
                     "result_count": 1}}
    batch = x_source(FakeX(body)).fetch({}, NOW)
    [post] = batch.posts
    assert post.text.startswith("Aggiornamento lungo dalla sala stampa.")
    assert post.text.count("Aggiornamento lungo") == 8  # the whole note, not the 280 preview
    assert post.hashtags == ["Maltempo"]
    assert "…" not in post.text


def test_retweet_takes_its_original_from_includes_tweets():
    batch = x_source(FakeX(load("x/search_recent.json"))).fetch({}, NOW)
    retweet = {p.remote_id: p for p in batch.posts}["1859000000000000003"]
    assert retweet.repost_of.remote_id == "1858000000000000100"
    assert retweet.author.handle == "@maria_rossi"
    assert retweet.reposted_by.handle == "@redazione_to"
    assert retweet.text.endswith("#Bologna")  # the original's full text, not "RT @…: …"
    assert len(batch.posts) == 5


def test_partial_errors_are_noted_and_the_data_kept():
    body = page([tweet(sid(7), referenced_tweets=[{"type": "quoted", "id": "1858"}])])
    body["errors"] = [{
        "value": "1858", "detail": "Could not find tweet with referenced_tweets.id: [1858].",
        "title": "Not Found Error", "resource_type": "tweet", "parameter": "referenced_tweets.id",
        "resource_id": "1858", "type": "https://api.twitter.com/2/problems/resource-not-found"}]
    batch = x_source(FakeX(body)).fetch({}, NOW)
    assert [p.remote_id for p in batch.posts] == [sid(7)]
    assert batch.posts[0].quote_of.remote_id == "1858"
    assert batch.notes == ["X non ha fornito 1 elemento collegato (Not Found Error: Could not "
                           "find tweet with referenced_tweets.id: [1858].); il resto è stato "
                           "salvato."]


def test_a_post_that_cannot_be_read_is_skipped_and_the_others_kept():
    body = page([tweet(sid(9)), tweet(sid(8), author_id="99")])
    batch = x_source(FakeX(body)).fetch({}, NOW)
    assert [p.remote_id for p in batch.posts] == [sid(9)]
    assert len(batch.skipped) == 1 and "not in includes.users" in batch.skipped[0]
    assert batch.cursor["reads"] == 2


# --- X's refusals ------------------------------------------------------------------------------


def test_429_waits_until_the_epoch_reset():
    too_many = httpx.Response(429, json={"title": "Too Many Requests", "detail":
                                         "Too Many Requests", "type": "about:blank",
                                         "status": 429},
                              headers=limits(0) | {"x-rate-limit-reset": str(RESET + 600)})
    with pytest.raises(RateLimited) as caught:
        x_source(FakeX(too_many)).fetch({}, NOW)
    assert caught.value.retry_at == datetime(2026, 11, 19, 9, 40, tzinfo=UTC)
    assert caught.value.health == "slowed"
    assert "X chiede di rallentare (429)" in str(caught.value)


def test_429_with_retry_after_waits_that_long():
    too_many = httpx.Response(429, text="Too Many Requests", headers={"retry-after": "30"})
    with pytest.raises(RateLimited) as caught:
        x_source(FakeX(too_many)).fetch({}, NOW)
    assert caught.value.retry_at == NOW + timedelta(seconds=30)


def test_429_after_a_first_query_keeps_what_was_read():
    tags = [f"hashtag{n:03d}lungo" for n in range(40)]
    first = build_query(tags, [])[0]
    fake = FakeX(page([tweet(sid(8))]),
                 httpx.Response(429, json={"title": "Too Many Requests"}, headers=limits(0)))
    batch = x_source(fake, {"hashtags": tags}).fetch({}, NOW)
    assert [p.remote_id for p in batch.posts] == [sid(8)]
    assert batch.cursor["since_id"] == {first: sid(8)}
    assert any("429" in n and "Salvato quanto letto finora" in n for n in batch.notes)


def test_no_requests_left_stops_paging_and_the_other_queries():
    tags = [f"hashtag{n:03d}lungo" for n in range(40)]
    first = build_query(tags, [])[0]
    last = httpx.Response(200, json=page([tweet(sid(8))], next_token="more"), headers=limits(0))
    fake = FakeX(last)
    batch = x_source(fake, {"hashtags": tags}).fetch({"since_id": {first: sid(1)}}, NOW)
    assert len(fake.requests) == 1 and len(batch.posts) == 1
    assert batch.notes == ["X: richieste esaurite per questa finestra; riprendo alle 09:30 UTC."]


@pytest.mark.parametrize("reply, words", [
    (httpx.Response(401, json={"title": "Unauthorized", "type": "about:blank", "status": 401,
                               "detail": "Unauthorized"}), "PIAZZA_X_BEARER_TOKEN"),
    (httpx.Response(402, json={"title": "Payment Required", "detail": "credits depleted",
                               "type": "https://api.x.com/2/problems/credits-depleted"}),
     "crediti sono esauriti"),
    (httpx.Response(403, json={"title": "Forbidden", "status": 403,
                               "type": "https://api.twitter.com/2/problems/client-forbidden"}),
     "progetto"),
    (httpx.Response(400, json={"title": "Invalid Request", "errors": [{"message": "bad"}]}),
     "controlla hashtag e account"),
    (httpx.Response(503, text="Service Unavailable"), "problema temporaneo"),
    (httpx.Response(200, text="<!DOCTYPE html><html><body>Manutenzione</body></html>",
                    headers={"content-type": "text/html"}), "pagina web"),
    (httpx.Response(200, text='{"data": [{"id": "1", "text": "tronc',
                    headers={"content-type": "application/json"}), "incompleti"),
    (httpx.Response(200, json=["non", "un", "oggetto"]), "risposta inattesa"),
])
def test_failures_are_plain_words_and_never_show_the_token(reply, words, caplog):
    caplog.set_level(logging.DEBUG)
    with pytest.raises(SourceError) as caught:
        x_source(FakeX(reply)).fetch({}, NOW)
    assert words in str(caught.value)
    assert TOKEN not in str(caught.value) and TOKEN not in repr(caught.value.__dict__)
    assert TOKEN not in caplog.text


def test_the_token_never_reaches_batches_cursors_or_logs(caplog):
    caplog.set_level(logging.DEBUG)
    body = page([tweet(sid(9)), tweet(sid(8), author_id="99")])
    body["errors"] = [{"title": "Not Found Error", "detail": "Could not find tweet"}]
    batch = x_source(FakeX(body), {"cap_per_hour": 10}).fetch({}, NOW)
    everything = json.dumps([batch.cursor, batch.notes, batch.skipped,
                             [p.to_dict() for p in batch.posts]])
    assert TOKEN not in everything and TOKEN not in caplog.text
    assert "Bearer" not in everything


def test_missing_token_is_explained_before_any_request():
    fake = FakeX()
    with pytest.raises(SourceError) as caught:
        x_source(fake, token="  ").fetch({}, NOW)
    assert "Manca il token di X: imposta PIAZZA_X_BEARER_TOKEN" in str(caught.value)
    assert fake.requests == []
    with pytest.raises(SourceError, match="PIAZZA_X_BEARER_TOKEN"):
        x_source(fake, token="").recheck(["1"], NOW)


# --- recheck --------------------------------------------------------------------------------


def test_recheck_marks_not_found_and_missing_ids_as_deleted():
    ids = [sid(1), sid(2), sid(3), sid(4)]
    body = {
        "data": [{"id": ids[0], "text": "ancora qui", "edit_history_tweet_ids": [ids[0]]}],
        "errors": [
            {"value": ids[1], "detail": f"Could not find tweet with ids: [{ids[1]}].",
             "title": "Not Found Error", "resource_type": "tweet", "parameter": "ids",
             "resource_id": ids[1], "type": "https://api.twitter.com/2/problems/resource-not-found"},
            {"value": ids[2], "detail": f"Sorry, you are not authorized to see the Tweet with "
             f"ids: [{ids[2]}].", "title": "Authorization Error", "resource_type": "tweet",
             "parameter": "ids", "resource_id": ids[2],
             "type": "https://api.twitter.com/2/problems/not-authorized-for-resource"},
        ],
    }
    fake = FakeX(body)
    gone = x_source(fake).recheck([*ids, "non-un-id"], NOW)
    assert gone == [ids[1], ids[3]]  # not found, and absent; the withheld one is left alone
    assert fake.requests[0].url.path == "/2/tweets"
    assert fake.params()["ids"] == ",".join(ids)
    assert fake.requests[0].headers["authorization"] == f"Bearer {TOKEN}"


def test_recheck_asks_for_at_most_100_ids_at_a_time():
    ids = [str(10**18 + n) for n in range(150)]
    fake = FakeX({"data": [{"id": i, "text": "."} for i in ids[:100]]},
                 {"data": [{"id": i, "text": "."} for i in ids[100:]]})
    assert x_source(fake).recheck(ids, NOW) == []
    assert [len(fake.params(i)["ids"].split(",")) for i in range(2)] == [100, 50]


def test_recheck_never_takes_an_empty_answer_for_deletions():
    with pytest.raises(SourceError, match="nessun post segnato"):
        x_source(FakeX({"meta": {}})).recheck([sid(1)], NOW)


def test_recheck_respects_rate_limits():
    too_many = httpx.Response(429, json={"title": "Too Many Requests"}, headers=limits(0))
    with pytest.raises(RateLimited):
        x_source(FakeX(too_many)).recheck([sid(1)], NOW)


# --- the cost figures -------------------------------------------------------------------------


def test_estimated_reads_per_hour():
    config = {"hashtags": ["pasocial"], "accounts": ["@comune_valdoria"], "interval": 60}
    quiet = estimated_reads_per_hour(config, 2)
    assert quiet == {"queries": 1, "interval": 60.0, "requests_per_hour": 60.0,
                     "posts_per_hour": 120.0, "cap_per_hour": 500, "capped": False,
                     "summary": "Con questa impostazione X legge circa 120 post all'ora "
                                "(tetto 500)."}
    busy = estimated_reads_per_hour({**config, "cap_per_hour": 1000, "interval": 30}, 40)
    assert busy["requests_per_hour"] == 120.0
    assert busy["posts_per_hour"] == 1000 and busy["capped"]
    split = estimated_reads_per_hour(
        {"hashtags": [f"hashtag{n:03d}lungo" for n in range(40)], "interval": 120}, 0)
    assert split["queries"] == 2 and split["requests_per_hour"] == 60.0
    assert split["posts_per_hour"] == 0


def test_estimate_takes_the_event_lists_and_survives_odd_settings():
    assert estimated_reads_per_hour({}, 1, event=EVENT)["queries"] == 1
    odd = estimated_reads_per_hour({"interval": "spesso", "cap_per_hour": "molti",
                                    "lang": "??"}, -3)
    assert odd["interval"] == 60.0 and odd["cap_per_hour"] == 500
    assert odd["posts_per_hour"] == 0 and odd["queries"] == 1


# --- in the collector -------------------------------------------------------------------------


def test_registered_and_collected_with_its_cursor(store, event):
    assert REGISTRY["x"] is XSource
    store.add_source(event["slug"], "x", {"hashtags": ["pasocial"], "cap_per_hour": 100})
    fake = FakeX(page([tweet(sid(20)), tweet(sid(19))]))
    source = [s for s in store.list_sources(event["slug"]) if s["platform"] == "x"][0]
    assert isinstance(make_source(source, event, {"X_BEARER_TOKEN": TOKEN}, fake.client()),
                      XSource)
    reports = poll_once(store, {"X_BEARER_TOKEN": TOKEN}, now=NOW, event_slug=event["slug"],
                        client_factory=lambda s: fake.client() if s["platform"] == "x" else None)
    report = next(r for r in reports if r.platform == "x")
    assert report.health == "ok" and report.new == 2
    saved = store.get_source(source["id"])
    assert saved["cursor"] == {"since_id": {"#pasocial": sid(20)}, "hour": "2026-11-19T09",
                               "reads": 2}
    assert TOKEN not in json.dumps(saved, default=str)
