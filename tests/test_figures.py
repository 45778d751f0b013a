"""The figures of the day, checked against a small event whose every number is known.

The day (times UTC; the event is in Rome, one hour ahead): from 08:00 to 11:00, two sessions,
eleven posts on four platforms, two editors (marta, luca) and two rules (a trusted account,
reposts hidden). Every post, arrival and decision below says when, so each figure can be
worked out by hand; the comments next to the assertions do it.
"""

from __future__ import annotations

import csv
import io
import json
import random
from datetime import UTC, datetime

import pytest

from coverage.figures import (
    bar_width,
    csv_rows,
    figures,
    median,
    public_figures,
    render_csv,
)
from coverage.model import Author, Post, Reference
from coverage.recap import build_figures, build_recap, render_recap
from coverage.store import Store, wait_seconds

from .conftest import login

DAY = {
    "slug": "numeri", "name": "Giornata dei numeri", "hashtags": ["pasocial"],
    "starts_at": "2026-11-19T08:00:00Z", "ends_at": "2026-11-19T11:00:00Z",
    "timezone": "Europe/Rome", "language": "it", "trusted": ["@carla"],
    "sessions": [
        {"key": "s1", "title": "Apertura", "starts_at": "2026-11-19T08:00:00Z",
         "ends_at": "2026-11-19T09:00:00Z"},
        {"key": "s2", "title": "Accessibilità", "starts_at": "2026-11-19T09:00:00Z",
         "ends_at": "2026-11-19T10:30:00Z"},
    ],
}


class Clock:
    """The store's clock, set by the test before each write."""

    def __init__(self) -> None:
        self.now = "2026-11-19T07:00:00.000Z"

    def __call__(self) -> str:
        return self.now

    def at(self, hhmmss: str) -> None:
        self.now = f"2026-11-19T{hhmmss}.000Z"


def post(n: int, platform: str, handle: str, at: str, tags=(), repost: bool = False,
         **metrics: int) -> Post:
    return Post(platform=platform, remote_id=f"{platform}:{n}",
                url=f"https://{platform}.example/p/{n}", author=Author(handle, handle.strip("@")),
                created_at=f"2026-11-19T{at}Z", text=f"Post {n} #pasocial",
                html=f"<p>Post {n}</p>", hashtags=list(tags), metrics=dict(metrics),
                repost_of=Reference(remote_id="orig", url="https://x.example/orig")
                if repost else None)


P = {
    1: post(1, "mastodon", "@anna", "08:05:10", ["pasocial", "accessibilita"],
            likes=10, reposts=2, replies=1),
    2: post(2, "mastodon", "@anna", "08:05:40", ["PASocial"], likes=1),
    3: post(3, "bluesky", "@bruno", "08:07:00", ["pasocial"], likes=5, reposts=5, quotes=1),
    4: post(4, "x", "@carla", "09:15:00", ["pasocial", "dati"],
            likes=100, reposts=20, replies=5, quotes=3),
    5: post(5, "x", "@gino", "09:16:30"),
    6: post(6, "rss", "Comune", "09:20:00"),
    7: post(7, "mastodon", "@spam", "09:21:00", ["pasocial"], repost=True),
    8: post(8, "bluesky", "@dario", "07:50:00", ["dati"]),
    9: post(9, "mastodon", "@anna", "11:30:00", likes=7),
    10: post(10, "x", "@eva", "08:30:00", likes=1000),
    11: post(11, "mastodon", "@fabio", "10:40:00", ["Dati"]),
}


@pytest.fixture
def day(tmp_path):
    """The event as the editors left it; returns (store, event, ids by post number)."""
    clock = Clock()
    store = Store(tmp_path / "piazza.db", clock=clock)
    event = store.create_event(DAY)
    store.set_rules("numeri", {**store.get_rules("numeri"), "hide_reposts": True}, "lead")
    source = store.add_source("numeri", "replay", {"speed": 0})["id"]
    clock.at("08:10:00")
    store.ingest(source, [P[1], P[2], P[3], P[8]], {})
    clock.at("09:25:00")
    store.ingest(source, [P[4], P[5], P[6], P[7], P[10]], {})  # 4: trusted, 7: a repost
    ids = {n: store.db.execute("SELECT id FROM posts WHERE remote_id = ?",
                               [p.remote_id]).fetchone()[0] for n, p in P.items() if n != 9
           and n != 11}

    def decide(at: str, n: int, action: str, who: str, **kw) -> None:
        clock.at(at)
        store.decide("numeri", ids[n], action, who, **kw)

    decide("08:11:00", 1, "approve", "marta")  # first: 60 s after arrival
    decide("08:12:30", 2, "reject", "luca", reason="spam")  # first: 150 s
    decide("08:15:00", 3, "approve", "marta")  # first: 300 s
    decide("08:20:00", 8, "approve", "luca")  # first: 600 s, then undone
    clock.at("08:21:00")
    store.undo("numeri", "luca")  # luca's approval no longer counts; P8 waits again
    decide("08:30:00", 8, "approve", "marta")  # not the first decision: no time counted
    decide("08:31:00", 1, "feature", "marta")  # not a decision: already approved
    decide("08:40:00", 3, "reject", "luca", reason="insult")  # not first; luca +1 rejection
    decide("09:26:00", 5, "approve", "luca")  # first: 60 s
    decide("09:27:00", 10, "approve", "marta")  # first: 120 s; deleted at the source later
    decide("09:35:00", 6, "reject", "luca", reason="off_topic")  # first: 600 s
    decide("09:40:00", 5, "session", "marta", session_id=event["sessions"][0]["id"])
    clock.at("10:00:00")
    store.mark_deleted("x", "x:10")
    clock.at("11:31:00")
    store.ingest(source, [P[9], P[11]], {})
    ids[9], ids[11] = (store.db.execute("SELECT id FROM posts WHERE remote_id = ?", [r])
                       .fetchone()[0] for r in ("mastodon:9", "mastodon:11"))
    decide("11:32:00", 9, "reject", "marta", reason="spam")  # first: 60 s
    return store, store.get_event("numeri"), ids


NOW = datetime(2026, 11, 19, 10, 45, 20, tzinfo=UTC)  # during the event


def test_the_figures_of_a_known_day(day):
    store, event, ids = day
    fig = figures(store.figure_data(event["id"]), event, now=NOW)
    # Ten posts count (P10 was deleted at its source), from eight accounts.
    assert fig["posts"] == 10
    assert fig["accounts"] == 8  # anna, bruno, carla, gino, Comune, spam, dario, fabio
    assert fig["platforms"] == {"mastodon": 5, "bluesky": 2, "x": 2, "rss": 1}
    assert fig["moderation"] == {
        "approved": 4,  # P1, P4 (rule), P5, P8
        "rejected": 5,  # P2, P3, P6, P7 (rule), P9
        "pending": 1,  # P11
        "decided": 9,
        "approval_rate": 4 / 9,
        "rejected_by_reason": {"spam": 2, "insult": 1, "off_topic": 1, "rule": 1},
        # Editors' first decisions: 60 60 60 120 150 300 600 600 (rules left out).
        "median_seconds_to_decision": 135.0,
        "by_rules": {"approved": 1, "rejected": 1, "decisions": 2},
    }
    assert fig["editors"] == [
        # marta: approved P1, P3, P8, P10 and rejected P9; first on P1, P3, P10, P9
        # (60, 300, 120, 60: median of 60 60 120 300 is 90).
        {"name": "marta", "approved": 4, "rejected": 1, "decisions": 5, "first_decisions": 4,
         "median_seconds": 90.0},
        # luca: approved P5 (P8's approval undone), rejected P2, P3, P6; first on P2, P8, P5,
        # P6 (150, 600, 60, 600: median of 60 150 600 600 is 375).
        {"name": "luca", "approved": 1, "rejected": 3, "decisions": 4, "first_decisions": 4,
         "median_seconds": 375.0},
    ]
    # Likes, reposts, replies, quotes summed per platform (P10's 1,000 likes are gone).
    assert fig["engagement"]["platforms"] == [
        {"platform": "mastodon", "posts": 5, "likes": 18, "reposts": 2, "replies": 1,
         "quotes": 0, "engagement": 21},
        {"platform": "bluesky", "posts": 2, "likes": 5, "reposts": 5, "replies": 0,
         "quotes": 1, "engagement": 11},
        {"platform": "x", "posts": 2, "likes": 100, "reposts": 20, "replies": 5, "quotes": 3,
         "engagement": 128},
        {"platform": "rss", "posts": 1, "likes": 0, "reposts": 0, "replies": 0, "quotes": 0,
         "engagement": 0},
    ]
    assert fig["engagement"]["engagement"] == 160 and fig["engagement"]["likes"] == 123
    # Approved posts with interactions, most first: P4 (128), P1 (13). P3 (11) was rejected.
    assert [(p["id"], p["engagement"], p["likes"]) for p in fig["most_engaged"]] == [
        (ids[4], 128, 100), (ids[1], 13, 10)]
    assert fig["top_hashtags"] == [["pasocial", 5], ["dati", 3], ["accessibilita", 1]]
    # By approved posts; ties by platform then handle.
    assert fig["top_accounts"] == [
        {"platform": "bluesky", "handle": "@dario", "posts": 1},
        {"platform": "mastodon", "handle": "@anna", "posts": 1},
        {"platform": "x", "handle": "@carla", "posts": 1},
        {"platform": "x", "handle": "@gino", "posts": 1}]
    # Apertura: P1 P2 P3 by their time and P5 placed there; Accessibilità: P4 P6 P7;
    # outside: P8 (before), P11 (between the end of the sessions and the end), P9 (after).
    assert [(s["title"], s["posts"]) for s in fig["sessions"]] == [
        ("Apertura", 4), ("Accessibilità", 3)]
    assert fig["outside_sessions"] == 3
    assert fig["busiest_minute"] == {"at": "2026-11-19T08:05:00Z", "posts": 2}


def test_posts_over_time_are_cut_in_bars_of_the_events_local_time(day):
    store, event, _ = day
    fig = figures(store.figure_data(event["id"]), event, now=NOW)
    timeline = fig["timeline"]
    # Three hours planned: 5-minute bars (36), from 09:00 Rome time (08:00 UTC).
    assert (timeline["minutes"], len(timeline["bars"])) == (5, 36)
    assert (timeline["start"], timeline["end"]) == ("2026-11-19T08:00:00Z",
                                                    "2026-11-19T11:00:00Z")
    counted = {at: n for at, n in timeline["bars"] if n}
    assert counted == {"2026-11-19T08:05:00Z": 3,  # P1, P2, P3
                       "2026-11-19T09:15:00Z": 2,  # P4, P5
                       "2026-11-19T09:20:00Z": 2,  # P6, P7
                       "2026-11-19T10:40:00Z": 1}  # P11
    assert (timeline["posts"], timeline["peak"]) == (8, 3)
    assert (timeline["before"], timeline["after"]) == (1, 1)  # P8 at 07:50, P9 at 11:30
    # The last hour, minute by minute, up to 10:45 (NOW): only P11, at 10:40.
    last = fig["last_hour"]
    assert (last["minutes"], len(last["bars"])) == (1, 60)
    assert last["bars"][0][0] == "2026-11-19T09:46:00Z"
    assert last["bars"][-1][0] == "2026-11-19T10:45:00Z"
    assert {at: n for at, n in last["bars"] if n} == {"2026-11-19T10:40:00Z": 1}
    # After the day (more than an hour past the end) there is no "last hour".
    later = figures(store.figure_data(event["id"]), event,
                    now=datetime(2026, 11, 19, 12, 30, tzinfo=UTC))
    assert later["last_hour"] is None


@pytest.mark.parametrize(("span", "width"), [
    (30, 1), (60, 1), (61, 2), (180, 5), (300, 5), (540, 10), (570, 10), (600, 10), (601, 15),
    (900, 15), (1440, 30), (2880, 60), (7 * 1440, 180), (60 * 1440, 1440), (90 * 1440, 2880)])
def test_bars_are_as_wide_as_keeps_them_at_most_sixty(span, width):
    assert bar_width(span) == width


def test_bars_start_at_round_local_times_whatever_the_zone():
    event = {"starts_at": "2026-11-19T03:50:00Z", "ends_at": "2026-11-19T13:10:00Z",
             "timezone": "Asia/Kolkata", "sessions": []}  # UTC+05:30
    minutes = [{"minute": "2026-11-19T03:52", "posts": 4}]
    timeline = figures(_rows(minutes), event)["timeline"]
    # 9 h 20 min: 10-minute bars, the first at 09:20 in Kolkata (03:50 UTC).
    assert timeline["minutes"] == 10
    assert timeline["bars"][0] == ["2026-11-19T03:50:00Z", 4]
    # Without planned times: from the first post to the last.
    undated = {"timezone": "Europe/Rome", "sessions": []}
    timeline = figures(_rows([{"minute": "2026-11-19T09:07", "posts": 1},
                              {"minute": "2026-11-19T09:58", "posts": 2}]),
                       undated)["timeline"]
    assert timeline["minutes"] == 1 and timeline["bars"][0] == ["2026-11-19T09:07:00Z", 1]
    assert timeline["bars"][-1] == ["2026-11-19T09:58:00Z", 2]
    assert figures(_rows([]), undated)["timeline"] is None
    # … and its last hour shows while posts keep coming (within an hour of the last one).
    rows = _rows([{"minute": "2026-11-19T09:58", "posts": 2}])
    assert figures(rows, undated, now=datetime(2026, 11, 19, 10, 30, tzinfo=UTC))["last_hour"]
    assert figures(rows, undated, now=datetime(2026, 11, 19, 11, 30, tzinfo=UTC)
                   )["last_hour"] is None


@pytest.mark.parametrize(("histogram", "expected"), [
    ({}, None), ({5: 1}, 5), ({1: 1, 9: 1}, 5), ({1: 2, 9: 1}, 1), ({1: 1, 4: 2, 9: 1}, 4),
    ({60: 2, 120: 1, 300: 1}, 90)])
def test_the_median_of_a_histogram(histogram, expected):
    assert median(histogram) == expected


def test_a_published_recap_names_no_editor_and_says_what_the_console_says(day):
    store, event, _ = day
    console = build_figures(store, "numeri")
    recap = build_recap(store, "numeri")
    assert recap["figures"] == public_figures(console)
    assert "editors" not in recap["figures"] and "last_hour" not in recap["figures"]
    exported = render_recap(recap, "json")
    assert "marta" not in exported.split('"posts": [')[0]  # the figures and decisions part
    html = render_recap(recap, "html")
    assert "Post ogni 5 minuti" in html and "<table>" in html


def test_waits_are_whole_seconds_then_whole_minutes():
    assert wait_seconds("2026-11-19T08:00:00.000Z", "2026-11-19T08:01:35.999Z") == 95
    assert wait_seconds("2026-11-19T08:00:00.000Z", "2026-11-19T09:10:59.000Z") == 4200
    assert wait_seconds("2026-11-19T08:00:05.000Z", "2026-11-19T08:00:00.000Z") == 0


# -- the tables kept by every write -----------------------------------------------------------
def reference(store: Store, event_id: int) -> dict:
    """The same figures counted the slow way, from every post (what the tables replace)."""
    rows = store.db.execute(
        "SELECT p.platform, p.author_handle, substr(p.created_at, 1, 16), p.hashtags,"
        " p.metrics, c.state, c.reason, c.session_id FROM curation c"
        " JOIN posts p ON p.id = c.post_id WHERE c.event_id = ? AND p.deleted = 0",
        [event_id]).fetchall()
    minutes, platforms, accounts, tags, states = {}, {}, {}, {}, {}
    for platform, handle, minute, hashtags, metrics, state, reason, session_id in rows:
        key = (minute, session_id or 0)
        minutes[key] = minutes.get(key, 0) + 1
        metrics = json.loads(metrics)
        sums = platforms.setdefault(platform, [0, 0, 0, 0, 0])
        for i, value in enumerate((1, *(metrics.get(k, 0) for k in (
                "likes", "reposts", "replies", "quotes")))):
            sums[i] += value
        account = accounts.setdefault((platform, handle), [0, 0])
        account[0] += 1
        account[1] += state == "approved"
        for tag in json.loads(hashtags):
            tags[tag] = tags.get(tag, 0) + 1
        state_key = (state, reason if state == "rejected" else "")
        states[state_key] = states.get(state_key, 0) + 1
    return {"minutes": minutes, "platforms": platforms, "accounts": accounts, "tags": tags,
            "states": states}


def kept(store: Store, event_id: int) -> dict:
    """What the figure tables hold, shaped like `reference`."""
    def rows(sql):
        return store.db.execute(sql, [event_id]).fetchall()
    return {
        "minutes": {(m, s): n for m, s, n in rows(
            "SELECT minute, session_id, posts FROM figure_minutes WHERE event_id = ?"
            " AND posts != 0")},
        "platforms": {p: list(v) for p, *v in rows(
            "SELECT platform, posts, likes, reposts, replies, quotes FROM figure_platforms"
            " WHERE event_id = ? AND posts != 0")},
        "accounts": {(p, h): [n, a] for p, h, n, a in rows(
            "SELECT platform, handle, posts, approved FROM figure_accounts WHERE event_id = ?")},
        "tags": dict(rows("SELECT tag, posts FROM figure_hashtags WHERE event_id = ?")),
        "states": {(s, r): n for s, r, n in rows(
            "SELECT state, reason, posts FROM figure_states WHERE event_id = ? AND posts != 0")},
    }


def test_the_figure_tables_always_agree_with_a_count_of_every_post(tmp_path):
    """Random arrivals (collected or added by address), decisions, undos, sessions, edits,
    deletions and erasures, in two events sharing posts: after each step the tables equal a
    count of every post."""
    rng = random.Random(8)
    store = Store(tmp_path / "piazza.db")
    events = [store.create_event({**DAY, "slug": slug, "trusted": ["@h1"]})
              for slug in ("uno", "due")]
    sources = [store.add_source(e["slug"], "replay", {"speed": 0})["id"] for e in events]
    pool = [post(n, rng.choice(["mastodon", "x", "bluesky"]), f"@h{rng.randrange(6)}",
                 f"0{rng.randrange(8, 10)}:{rng.randrange(60):02d}:00",
                 rng.sample(["a", "B", "b", "c"], rng.randrange(3)),
                 likes=rng.randrange(5), quotes=rng.randrange(3)) for n in range(60)]
    for step in range(400):
        which = rng.randrange(2)
        event = events[which]
        posted = [r[0] for r in store.db.execute(
            "SELECT post_id FROM curation WHERE event_id = ?", [event["id"]])]
        roll = rng.random()
        if roll < 0.22 or not posted:
            store.ingest(sources[which], rng.sample(pool, 3), {})
        elif roll < 0.25:  # an editor adds one by its address
            store.add_post(event["slug"], rng.choice(pool), rng.choice(["a", "b"]))
        elif roll < 0.65:
            action = rng.choice(["approve", "reject", "pending", "feature", "session"])
            session = rng.choice([None, *(s["id"] for s in event["sessions"])])
            store.decide(event["slug"], rng.choice(posted), action, rng.choice(["a", "b"]),
                         reason="spam", session_id=session)
        elif roll < 0.72:
            try:
                store.undo(event["slug"], rng.choice(["a", "b"]))
            except ValueError:
                pass
        elif roll < 0.82:  # an author's edit: new words, metrics and hashtags
            old = rng.choice(pool)
            edited = Post(**{**old.__dict__, "text": f"{old.text} (modificato {step})",
                             "metrics": {"likes": rng.randrange(9)},
                             "hashtags": rng.sample(["a", "c", "d"], rng.randrange(3))})
            store.ingest(sources[which], [], {}, updated=[edited])
        elif roll < 0.97:
            victim = rng.choice(pool)
            store.mark_deleted(victim.platform, victim.remote_id)
        else:
            store.erase_author(rng.choice(["mastodon", "x"]), f"@h{rng.randrange(6)}", "lead")
        for e in events:
            assert kept(store, e["id"]) == reference(store, e["id"]), f"step {step}"
    assert sum(kept(store, events[0]["id"])["minutes"].values()) > 0


def test_the_migration_counts_what_was_stored_before_it(day):
    store, event, _ = day
    before = {table: store.db.execute(f"SELECT * FROM {table} ORDER BY 1, 2, 3").fetchall()
              for table in ("figure_minutes", "figure_platforms", "figure_accounts",
                            "figure_hashtags", "figure_states", "figure_editors",
                            "figure_waits")}
    firsts = store.db.execute("SELECT post_id, first_decided_at FROM curation"
                              " ORDER BY post_id").fetchall()
    # The database as it was before m009, with the same posts and decisions.
    db = store.db
    for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'"
                              " AND name LIKE 'figures_%'").fetchall():
        db.execute(f"DROP TRIGGER {name}")
    for table in before:
        db.execute(f"DROP TABLE {table}")
    db.execute("DROP INDEX posts_engagement")
    db.execute("ALTER TABLE curation DROP COLUMN first_decided_at")
    db.execute("DELETE FROM _migrations WHERE name = 'm009_figures'")
    store.close()
    again = Store(store.path)
    for table, rows in before.items():
        # Counts that went back to zero stay as rows at zero; the migration writes none.
        assert [r for r in again.db.execute(f"SELECT * FROM {table} ORDER BY 1, 2, 3")] == \
            [r for r in rows if not (table in ("figure_minutes", "figure_states") and r[-1] == 0)
             and not (table == "figure_platforms" and r[2] == 0)], table
    assert again.db.execute("SELECT post_id, first_decided_at FROM curation"
                            " ORDER BY post_id").fetchall() == firsts


def test_the_most_engaged_posts_are_read_from_their_index(day):
    store, event, _ = day
    plan = " ".join(str(r[-1]) for r in store.db.execute(
        "EXPLAIN QUERY PLAN SELECT p.id FROM posts p INDEXED BY posts_engagement"
        " CROSS JOIN curation c WHERE c.event_id = 1 AND c.post_id = p.id"
        " AND c.state = 'approved' AND p.deleted = 0 AND "
        + _engagement() + " > 0 ORDER BY " + _engagement() + " DESC, p.id DESC LIMIT 5"))
    assert "USE TEMP B-TREE" not in plan and "posts_engagement" in plan


def _engagement() -> str:
    from coverage.store import _ENGAGEMENT

    return _ENGAGEMENT


def _rows(minutes: list[dict]) -> dict:
    return {"minutes": minutes, "placed": [], "unplaced": minutes, "platforms": [],
            "states": [], "accounts": 0, "top_accounts": [], "hashtags": [], "engaged": [],
            "editors": [], "waits": []}


# -- the CSV ----------------------------------------------------------------------------------
def test_the_csv_has_one_number_a_row_in_the_readers_conventions(day):
    store, event, _ = day
    fig = build_figures(store, "numeri", now=NOW)
    rows = list(csv_rows(fig, event["timezone"], lambda f, m: f"{f}/{m}"))
    assert ("totals", "", "posts", 10, "totals/posts") in rows
    assert ("moderation", "", "approval_rate_percent", 44.4,
            "moderation/approval_rate_percent") in rows
    assert ("editors", "luca", "median_seconds_to_decision", 375.0,
            "editors/median_seconds_to_decision") in rows
    assert ("platforms", "x", "likes", 100, "platforms/likes") in rows
    assert ("sessions", "Accessibilità", "posts", 3, "sessions/posts") in rows
    # Bars by their local start time (Rome): 08:05 UTC is 09:05.
    assert ("timeline", "2026-11-19 09:05", "posts_per_5_minutes", 3,
            "timeline/posts_per_5_minutes") in rows
    assert ("last_hour", "2026-11-19 11:40", "posts_per_1_minutes", 1,
            "last_hour/posts_per_1_minutes") in rows
    text = render_csv(rows, delimiter=";", decimal=",")
    assert text.startswith("\ufefffigure;item;measure;value;description\r\n")
    assert "moderation;;approval_rate_percent;44,4;moderation/approval_rate_percent\r\n" in text
    assert "sessions;Accessibilità;posts;3;sessions/posts\r\n" in text
    parsed = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert all(len(row) == 5 for row in parsed) and len(parsed) == len(rows) + 1


def test_a_csv_cell_never_runs_as_a_formula():
    text = render_csv([("editors", "=HYPERLINK(\"x\")", "approved", 1, "-1")])
    assert "'=HYPERLINK" in text and ",'-1\r\n" in text


# -- the page, its panel, its CSV and JSON ----------------------------------------------------
@pytest.fixture
def figures_app(app, app_store):
    app_store.create_event(DAY)
    source = app_store.add_source("numeri", "replay", {"speed": 0})["id"]
    app_store.ingest(source, [P[1], P[2], P[4]], {})
    app_store.decide("numeri", app_store.list_posts("numeri")[-1]["id"], "approve", "marta")
    return app


@pytest.mark.parametrize("path", ["/e/numeri/figures", "/e/numeri/figures/panel",
                                  "/e/numeri/figures.csv"])
def test_the_figures_need_a_login(figures_app, path):
    response = figures_app.test_client().get(path)
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    api = figures_app.test_client().get("/api/events/numeri/figures")
    assert api.status_code == 401


def test_the_page_links_the_csv_and_the_panel_refreshes_alone(figures_app, app_store):
    client = figures_app.test_client()
    login(client, app_store)
    page = client.get("/e/numeri/figures", headers={"Accept-Language": "it"})
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'href="/e/numeri/figures.csv"' in html
    assert 'data-panel="/e/numeri/figures/panel"' in html and "js/figures.js" in html
    assert 'id="figures-panel"' in html and "aria-live" not in html
    assert 'id="figures-status" class="figures-status" role="status"' in html  # problems only
    panel = client.get("/e/numeri/figures/panel", headers={"Accept-Language": "it"})
    body = panel.get_data(as_text=True)
    assert panel.status_code == 200 and panel.headers["Cache-Control"] == "no-store"
    assert body.lstrip().startswith("<div") and "<html" not in body
    assert 'id="figures-panel"' in body and "Post raccolti" in body
    assert "aria-live" not in body and 'role="status"' not in body  # nothing read out by itself
    assert 'role="img"' in body and "<table>" in body  # every chart has its table
    assert "<title" in body and "<desc" in body
    # The console links the page.
    assert 'href="/e/numeri/figures"' in client.get("/e/numeri/console").get_data(as_text=True)


def test_the_csv_download_suits_the_readers_spreadsheet(figures_app, app_store):
    client = figures_app.test_client()
    login(client, app_store)
    italian = client.get("/e/numeri/figures.csv", headers={"Accept-Language": "it"})
    assert italian.mimetype == "text/csv"
    assert italian.headers["Content-Disposition"] == 'attachment; filename="numeri-figures.csv"'
    text = italian.get_data().decode("utf-8")
    assert text.startswith("\ufefffigure;item;measure;value;description\r\n")
    assert "totals;;posts;3;Post raccolti (esclusi quelli cancellati dagli autori)" in text
    assert "moderation;;approval_rate_percent;100;" in text
    english = client.get("/e/numeri/figures.csv", headers={"Accept-Language": "en"})
    text = english.get_data().decode("utf-8")
    assert text.startswith("\ufefffigure,item,measure,value,description\r\n")
    assert "totals,,posts,3,Posts collected (deleted ones left out)" in text
    forced = client.get("/e/numeri/figures.csv?sep=comma", headers={"Accept-Language": "it"})
    assert forced.get_data().decode("utf-8").startswith("\ufefffigure,item,")


def test_the_api_gives_the_figures_as_json(figures_app, app_store):
    client = figures_app.test_client()
    login(client, app_store)
    data = client.get("/api/events/numeri/figures").get_json()
    assert data["posts"] == 3 and data["moderation"]["approved"] == 2  # P4 trusted, P1 marta
    assert data["editors"][0]["name"] == "marta" and data["timeline"]["minutes"] == 5
