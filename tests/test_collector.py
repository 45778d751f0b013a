"""The collector and the replay source: clock, cursors, isolation of failing sources."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from coverage import create_app
from coverage.collector import backoff_seconds, poll_once
from coverage.model import parse_time
from coverage.server import Collector
from coverage.sources import REGISTRY, Batch, register
from coverage.sources.replay import ReplaySource, load_recording

from .conftest import EVENT

MINI = "tests/fixtures/replay/mini.json"
START = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)


def replay(speed: float) -> ReplaySource:
    return ReplaySource({"speed": speed, "file": MINI}, {}, None, {})


def test_replay_at_speed_zero_plays_everything_at_once():
    batch = replay(0).fetch({}, START)
    assert batch.done and batch.cursor["next"] == 7
    assert len(batch.posts) == 6  # 7 items, one of them unreadable
    assert batch.skipped and "item 1 (mastodon)" in batch.skipped[0]  # no app: English


def test_replay_clock_releases_items_as_recorded_time_passes():
    source = replay(60)  # one recorded minute per real second
    first = source.fetch({}, START)
    assert [p.platform for p in first.posts] == ["mastodon"]  # 08:30 is the first item
    cursor = first.cursor
    # 20 real seconds = 20 recorded minutes: 08:40 (bad) and 08:50 (bluesky) are due.
    second = source.fetch(cursor, START + timedelta(seconds=20))
    assert [p.platform for p in second.posts] == ["bluesky"]
    assert second.cursor["next"] == 3 and not second.done
    # After the whole recorded hour everything has played, once.
    last = source.fetch(second.cursor, START + timedelta(seconds=61))
    assert [p.platform for p in last.posts] == ["mastodon", "x", "rss", "mastodon"]
    assert last.done
    assert source.fetch(last.cursor, START + timedelta(seconds=120)).posts == []


def test_replay_starts_shortly_before_the_event_and_plays_earlier_items_at_once():
    # The event opens at 09:05: the clock starts at 08:50, so what was recorded at 08:30 and
    # 08:50 plays at once, and 09:00 comes ten recorded minutes (10 s at 60x) later.
    source = ReplaySource({"speed": 60, "file": MINI}, {"starts_at": "2026-11-19T09:05:00Z"},
                          None, {})
    first = source.fetch({}, START)
    assert [p.platform for p in first.posts] == ["mastodon", "bluesky"]
    assert source.fetch(first.cursor, START + timedelta(seconds=5)).posts == []
    later = source.fetch(first.cursor, START + timedelta(seconds=11))
    assert [p.platform for p in later.posts] == ["mastodon"]
    assert source.clock(first.cursor, START) == parse_time("2026-11-19T08:50:00Z")


def test_replay_clock_tells_where_the_recorded_day_is():
    source = replay(36)
    cursor = source.fetch({}, START).cursor
    virtual = source.clock(cursor, START + timedelta(minutes=10))
    assert virtual == parse_time("2026-11-19T08:30:00Z") + timedelta(minutes=360)


def test_replay_maps_the_demo_asset_host_to_bundled_files():
    post = replay(0).fetch({}, START).posts[0]
    assert post.author.avatar == "/static/demo/avatars/anna.svg"
    assert post.media[0].url == "/static/demo/media/slide.svg"
    assert "demo.piazza.invalid" in json.dumps(post.raw)  # the payload itself is untouched


def test_poll_once_stores_posts_and_dedups_repeated_items(store, event):
    [report] = poll_once(store, {}, now=START, event_slug=event["slug"])
    assert (report.health, report.new, report.duplicates, report.skipped) == ("ok", 5, 1, 1)
    assert len(store.list_posts(event["slug"])) == 5
    assert report.describe() == "prova/replay#1: ok, 5 new, 1 already seen, 1 left out"


def test_restart_carries_on_from_the_saved_cursor_without_duplicates(store, event):
    src = store.list_sources(event["slug"])[0]
    store.db.execute("UPDATE sources SET config = ? WHERE id = ?",
                     [json.dumps({"speed": 60, "file": MINI}), src["id"]])
    # The first item (08:30) comes after the event's lead-in (07:45), so the clock starts
    # there: 25 s at 60x later, 08:30 and 08:50 have played.
    poll_once(store, {}, now=START)
    poll_once(store, {}, now=START + timedelta(seconds=25))
    before = len(store.list_posts(event["slug"]))
    # A "restart": a new round from the stored cursor, much later.
    poll_once(store, {}, now=START + timedelta(seconds=120))
    poll_once(store, {}, now=START + timedelta(seconds=300))
    posts = store.list_posts(event["slug"])
    assert before == 2 and len(posts) == 5
    assert len({p["remote_id"] for p in posts}) == 5


@register("broken-for-test")
class BrokenSource:
    def __init__(self, config, event, client, settings):
        pass

    def fetch(self, cursor, now):
        raise RuntimeError("La piattaforma ha risposto con una pagina di errore.")


@register("slow-ok-for-test")
class CountingSource:
    calls = 0

    def __init__(self, config, event, client, settings):
        pass

    def fetch(self, cursor, now):
        CountingSource.calls += 1
        return Batch(cursor={"calls": CountingSource.calls})


def test_a_failing_source_never_stops_the_others(store, event):
    store.add_source(event["slug"], "broken-for-test", {})
    store.add_source(event["slug"], "slow-ok-for-test", {})
    reports = {r.platform: r for r in poll_once(store, {}, now=START)}
    assert reports["broken-for-test"].health == "failing"
    assert "pagina di errore" in reports["broken-for-test"].error
    assert reports["replay"].new == 5 and reports["slow-ok-for-test"].health == "ok"
    broken = next(s for s in store.list_sources() if s["platform"] == "broken-for-test")
    assert broken["health"] == "failing" and broken["failures"] == 1
    assert "pagina di errore" in broken["last_error"]


def test_a_failing_source_waits_for_its_backoff(store, event):
    store.add_source(event["slug"], "broken-for-test", {})
    poll_once(store, {}, now=START)
    again = {r.platform: r for r in poll_once(store, {}, now=START + timedelta(seconds=1))}
    assert again["broken-for-test"].health == "waiting"
    later = {r.platform: r for r in poll_once(store, {}, now=START + timedelta(hours=1))}
    assert later["broken-for-test"].health == "failing"
    assert store.list_sources()[-1]["failures"] == 2


@pytest.mark.parametrize("failures", [0, 1, 5, 30])
def test_backoff_grows_and_is_capped(failures):
    import random

    delays = [backoff_seconds(failures, random.Random(seed)) for seed in range(20)]
    ceiling = min(5.0 * 2 ** failures, 900.0)
    assert all(ceiling / 2 <= d <= ceiling for d in delays)
    assert len(set(delays)) > 1  # jitter


def test_unknown_platform_is_reported_in_plain_words(store, event):
    store.add_source(event["slug"], "myspace", {})
    report = [r for r in poll_once(store, {}, now=START) if r.platform == "myspace"][0]
    assert "Platform 'myspace' is not available: use one of" in report.error


@pytest.mark.parametrize(("language", "said", "other"), [
    ("it", "Piattaforma 'myspace' non disponibile", "not available"),
    ("en", "Platform 'myspace' is not available", "non disponibile"),
])
def test_the_failure_the_collector_records_speaks_the_install_language(tmp_path, language,
                                                                        said, other):
    app = create_app({"DB": str(tmp_path / "piazza.db"), "SECRET_KEY": "test-secret",
                      "DEMO": False, "COLLECT": False, "LANGUAGE": language})
    store = app.extensions["piazza_store"]
    store.create_event(EVENT)
    store.add_source("prova", "myspace", {})
    collector = Collector(app)
    collector.renew()
    try:
        collector.collect_round()  # a background round: no request, no reader
    finally:
        collector.stop()
    stored = store.list_sources("prova")[0]
    assert stored["health"] == "failing"
    assert said in stored["last_error"] and other not in stored["last_error"]


def test_a_report_reads_in_italian_inside_the_app(italian, store, event):
    store.add_source(event["slug"], "myspace", {})
    reports = {r.platform: r for r in poll_once(store, {}, now=START)}
    assert reports["replay"].describe() == "prova/replay#1: ok, 5 nuovi, 1 già visto, 1 scartato"
    assert "ERRORE — Piattaforma 'myspace' non disponibile" in reports["myspace"].describe()


def test_bundled_demo_is_a_readable_recording():
    from coverage.sources.replay import DEMO_FILE

    recording = load_recording(str(DEMO_FILE))
    assert recording["event"]["slug"] and len(recording["items"]) > 250
    assert "replay" in REGISTRY
