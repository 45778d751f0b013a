"""The bundled demo recording, checked on the JSON alone (stdlib only, no normalizers).

coverage/demo/pasocial.json is what every new install replays first, so these checks guard its
shape (each platform's native payloads), its offsets (Bluesky UTF-8 bytes, X code points into
escaped text), its pictures (all on the demo asset host, all bundled), and the editorial cases it
is meant to exercise (rejects, duplicates, replies, reposts, quotes, alt text).
Regenerate it with `python coverage/demo/make_demo.py`.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "coverage" / "demo" / "pasocial.json"
STATIC = ROOT / "static" / "demo"
ASSET_HOST = "https://demo.piazza.invalid/"
SHARES = {"mastodon": (85, 120), "bluesky": (75, 110), "x": (65, 95), "rss": (15, 20)}
EXPECTS = {"reject:spam", "reject:off_topic", "reject:insult", "duplicate"}
# Hosts that belong to the platforms' own shapes; everything else must be fictional.
PLATFORM_HOSTS = {"t.co", "x.com", "bsky.app"}
XML_NAMESPACES = {"http://www.w3.org/2005/Atom", "http://purl.org/dc/elements/1.1/",
                  "http://search.yahoo.com/mrss/"}
URL = re.compile(r"https?://[^\s\"'<>)\]]+")


@pytest.fixture(scope="module")
def demo() -> dict:
    return json.loads(DEMO.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def items(demo) -> list[dict]:
    return demo["items"]


def when(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def of(items: list[dict], platform: str) -> list[dict]:
    return [item for item in items if item["platform"] == platform]


def bluesky_views(item: dict) -> list[dict]:
    """The postViews in a Bluesky item (a repost carries the original)."""
    payload = item["payload"]
    return [payload["post"]] if "post" in payload else [payload]


def mastodon_original(status: dict) -> dict:
    return status["reblog"] or status


def tweets(item: dict) -> list[dict]:
    return item["payload"]["data"] + item["payload"]["includes"].get("tweets", [])


def strings(value: object):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for inner in value.values():
            yield from strings(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from strings(inner)


def rss_guids(document: str) -> list[str]:
    """The guids of an RSS document's items, or the ids of an Atom document's entries."""
    found = re.findall(r"<guid[^>]*>([^<]+)</guid>|<entry><id>([^<]+)</id>", document)
    return [guid or entry_id for guid, entry_id in found]


# -- file and event ------------------------------------------------------------------------


def test_the_file_has_the_replay_shape_and_stays_small(demo, items):
    assert DEMO.stat().st_size < 1_500_000
    assert set(demo) == {"event", "items"}
    event = demo["event"]
    assert {"slug", "name", "description", "hashtags", "accounts", "starts_at", "ends_at",
            "timezone", "language", "url", "venue", "sessions"} <= set(event)
    assert event["slug"] == "pasocial-2026" and "pasocial" in event["hashtags"]
    assert event["timezone"] == "Europe/Rome" and event["language"] == "it"
    assert urlsplit(event["url"]).hostname.endswith(".example")
    for account in event["accounts"]:
        assert account["platform"] in ("mastodon", "bluesky", "x")
        assert account["handle"].startswith("@")
    for item in items:
        assert set(item) <= {"at", "platform", "payload", "expect"}
        assert item["platform"] in SHARES
        assert item.get("expect", "duplicate") in EXPECTS
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", item["at"])


def test_items_are_many_sorted_and_spread_over_the_platforms(items):
    assert len(items) >= 280
    assert [i["at"] for i in items] == sorted(i["at"] for i in items)
    tally = Counter(i["platform"] for i in items)
    for platform, (low, high) in SHARES.items():
        assert low <= tally[platform] <= high, (platform, tally)


def test_the_day_has_peaks_and_a_little_before_and_after(demo, items):
    start, end = when(demo["event"]["starts_at"]), when(demo["event"]["ends_at"])
    before = [i for i in items if when(i["at"]) < start]
    after = [i for i in items if when(i["at"]) > end]
    assert 3 <= len(before) <= 40 and 3 <= len(after) <= 40
    per_quarter = Counter(when(i["at"]).strftime("%H") + str(when(i["at"]).minute // 15)
                          for i in items if start <= when(i["at"]) <= end)
    assert max(per_quarter.values()) >= 2.5 * (sum(per_quarter.values()) / 38)


def test_sessions_are_a_real_programme(demo):
    event = demo["event"]
    sessions = event["sessions"]
    assert len(sessions) >= 7
    assert len({s["key"] for s in sessions}) == len(sessions)
    start, end = when(event["starts_at"]), when(event["ends_at"])
    previous_end = start
    for session in sessions:
        begins, ends = when(session["starts_at"]), when(session["ends_at"])
        assert previous_end <= begins < ends <= end, session["title"]
        previous_end = ends
        assert session["title"] and session["room"] and session["description"]
        assert 2 <= len(session["speakers"]) <= 4, session["title"]
        for speaker in session["speakers"]:
            assert speaker["name"] and speaker["role"] and speaker["handle"].startswith("@")
    # Registration at 9:00 in Rome (UTC+1 in November), a lunch break, done by about 18:00.
    assert event["starts_at"] == "2026-11-19T08:00:00Z"
    gaps = [when(b["starts_at"]) - when(a["ends_at"]) for a, b in zip(sessions, sessions[1:],
                                                                      strict=False)]
    assert max(gaps).total_seconds() >= 3600
    assert when(sessions[-1]["ends_at"]).hour in (16, 17)


# -- native shapes and offsets -------------------------------------------------------------


def test_mastodon_statuses_have_the_documented_fields(items):
    fields = {"id", "created_at", "in_reply_to_id", "in_reply_to_account_id", "sensitive",
              "spoiler_text", "visibility", "language", "uri", "url", "replies_count",
              "reblogs_count", "favourites_count", "quotes_count", "edited_at", "content",
              "reblog", "application", "account", "media_attachments", "mentions", "tags",
              "emojis", "card", "poll", "quote"}
    for item in of(items, "mastodon"):
        status = item["payload"]
        assert fields <= set(status)
        if status["reblog"]:
            assert status["content"] == "" and status["uri"].endswith("/activity")
            assert fields <= set(status["reblog"])
        original = mastodon_original(status)
        assert original["content"].startswith("<p>")
        assert re.fullmatch(r"\d{17,19}", original["id"])
        for tag in original["tags"]:
            assert "#<span>" in original["content"] and tag["name"] == tag["name"].lower()
        account = original["account"]
        assert account["acct"] == account["username"] or "@" in account["acct"]
        if original["quote"]:
            assert original["quote"]["state"] == "accepted"
            assert fields <= set(original["quote"]["quoted_status"])


def test_bluesky_facets_are_utf8_byte_ranges(items):
    kinds = {"app.bsky.richtext.facet#tag": "#", "app.bsky.richtext.facet#mention": "@",
             "app.bsky.richtext.facet#link": "http"}
    checked = shifted = 0
    for item in of(items, "bluesky"):
        for view in bluesky_views(item):
            assert view["uri"].startswith("at://did:plc:") and view["cid"].startswith("bafyrei")
            records = [view["record"]]
            embedded = (view.get("embed") or {}).get("record") or {}
            if "value" in embedded:
                records.append(embedded["value"])
            for record in records:
                text = record["text"]
                encoded = text.encode("utf-8")
                for facet in record.get("facets", []):
                    start, end = facet["index"]["byteStart"], facet["index"]["byteEnd"]
                    assert 0 <= start < end <= len(encoded)
                    encoded[:start].decode("utf-8")  # starts on a character boundary
                    piece = encoded[start:end].decode("utf-8")  # and ends on one
                    (feature,) = facet["features"]
                    assert piece.startswith(kinds[feature["$type"]]), (piece, feature)
                    if feature["$type"].endswith("#tag"):
                        assert piece == "#" + feature["tag"]
                    elif feature["$type"].endswith("#link"):
                        assert piece == feature["uri"]
                    else:
                        assert feature["did"].startswith("did:plc:")
                    checked += 1
                    shifted += start != len(encoded[:start].decode("utf-8"))
    assert checked >= 150
    assert shifted >= 20  # emoji, accents and “quotes” before the facet: bytes ≠ characters


def test_x_entities_slice_the_escaped_text(items):
    escaped = emoji_before = 0
    for item in of(items, "x"):
        page = item["payload"]
        assert page["meta"]["result_count"] == len(page["data"]) <= 3
        assert page["meta"]["newest_id"] == max(page["data"], key=lambda t: int(t["id"]))["id"]
        for tweet in tweets(item):
            assert re.fullmatch(r"\d{19}", tweet["id"])
            sources = [tweet] + ([tweet["note_tweet"]] if "note_tweet" in tweet else [])
            for source in sources:
                text = source["text"]
                assert not re.search(r"&(?!amp;|lt;|gt;)|[<>]", text), text
                escaped += "&amp;" in text or "&lt;" in text
                for kind, entities in source.get("entities", {}).items():
                    for entity in entities:
                        piece = text[entity["start"]:entity["end"]]
                        wanted = {"hashtags": "#" + entity.get("tag", ""),
                                  "mentions": "@" + entity.get("username", ""),
                                  "urls": entity.get("url")}[kind]
                        assert piece == wanted, (piece, wanted, text)
                        if any(ord(c) > 0xFFFF for c in text[:entity["start"]]):
                            emoji_before += 1
            users = {u["id"] for u in page["includes"]["users"]}
            assert tweet["author_id"] in users
    assert escaped >= 3 and emoji_before >= 5


def test_x_long_posts_and_retweets_look_like_x(items):
    notes = [t for i in of(items, "x") for t in i["payload"]["data"] if "note_tweet" in t]
    assert len(notes) >= 2
    for tweet in notes:
        assert len(tweet["note_tweet"]["text"]) > 280
        visible, link = tweet["text"].rsplit(" ", 1)
        assert visible.endswith("…") and link.startswith("https://t.co/")
        assert tweet["note_tweet"]["text"].startswith(visible[:-1])
    retweets = [(t, i) for i in of(items, "x") for t in i["payload"]["data"]
                if any(r["type"] == "retweeted" for r in t.get("referenced_tweets", []))]
    assert len(retweets) >= 5
    for tweet, item in retweets:
        assert tweet["text"].startswith("RT @")
        original = tweet["referenced_tweets"][0]["id"]
        assert original in {t["id"] for t in item["payload"]["includes"]["tweets"]}


def test_rss_documents_are_feeds_with_one_or_two_entries(items):
    kinds = Counter()
    for item in of(items, "rss"):
        document = item["payload"]
        assert isinstance(document, str) and document.startswith("<?xml")
        kind = "atom" if "<feed " in document else "rss"
        kinds[kind] += 1
        entries = document.count("<item>") + document.count("<entry>")
        assert 1 <= entries <= 2
        if kind == "rss":
            rfc822 = r"<pubDate>\w{3}, \d\d \w{3} 2026 \d\d:\d\d:\d\d [+-]\d{4}</pubDate>"
            assert re.search(rfc822, document)
    assert kinds["rss"] >= 10 and kinds["atom"] >= 1
    assert sum("<enclosure " in i["payload"] or "<media:content " in i["payload"]
               for i in of(items, "rss")) >= 4


# -- pictures ------------------------------------------------------------------------------

IMAGE_KEYS = {"avatar", "avatar_static", "header", "header_static", "preview_url", "thumb",
              "fullsize", "profile_image_url"}


def asset_urls(items: list[dict]) -> set[str]:
    found = set()

    def walk(value: object, key: str = "") -> None:
        if isinstance(value, dict):
            media_like = value.get("type") in ("image", "photo")
            for k, inner in value.items():
                if isinstance(inner, str) and (k in IMAGE_KEYS or (k == "url" and media_like)):
                    assert inner.startswith(ASSET_HOST), (k, inner)
                walk(inner, k)
        elif isinstance(value, list):
            for inner in value:
                walk(inner, key)

    for item in items:
        walk(item["payload"])
        for text in strings(item["payload"]):
            found.update(u for u in URL.findall(text) if u.startswith(ASSET_HOST))
    return found


def test_every_picture_is_on_the_demo_host_and_bundled(items):
    used = asset_urls(items)
    for url in used:
        assert (STATIC / url[len(ASSET_HOST):]).is_file(), url
    bundled = {f"{ASSET_HOST}{p.parent.name}/{p.name}" for p in STATIC.glob("*/*.svg")}
    assert used <= bundled
    avatars = {u for u in used if "/avatars/" in u}
    assert avatars == {u for u in bundled if "/avatars/" in u}  # one per author, none unused
    media = sorted(STATIC.glob("media/*.svg"))
    assert 25 <= len(media) <= 40


def test_pictures_are_small_accessible_svg(items):
    for path in sorted(STATIC.glob("*/*.svg")):
        source = path.read_text(encoding="utf-8")
        head = source[:source.index(">")]
        assert 'role="img"' in head and "viewBox=" in head, path
        assert re.search(r'width="\d+"', head) and re.search(r'height="\d+"', head), path
        assert re.search(r"<title>[^<]+</title>", source), path
        assert len(source.encode()) <= 4096, (path, len(source.encode()))
        if path.parent.name == "media":
            assert 'width="1200" height="675"' in head


def test_pictures_come_with_and_without_alt_text(items):
    with_alt, without = Counter(), Counter()
    for item in items:
        payload = item["payload"]
        if item["platform"] == "mastodon" and not payload["reblog"]:
            pairs = [(m["url"], m["description"]) for m in payload["media_attachments"]]
        elif item["platform"] == "bluesky" and "record" in payload:
            embed = payload.get("embed") or {}
            pairs = [(i["fullsize"], i["alt"]) for i in embed.get("images", [])]
        elif item["platform"] == "x":
            media = {m["media_key"]: m for m in payload["includes"].get("media", [])}
            pairs = [(media[k]["url"], media[k].get("alt_text"))
                     for t in payload["data"] for k in t.get("attachments", {}).get(
                         "media_keys", [])]
        else:
            continue
        for _url, alt in pairs:
            (with_alt if alt else without)[item["platform"]] += 1
    assert sum(with_alt.values()) >= 20 and sum(without.values()) >= 8
    for platform in ("mastodon", "bluesky", "x"):
        assert with_alt[platform] and without[platform], platform


# -- the editorial cases -------------------------------------------------------------------


def test_items_an_editor_must_reject_or_skip_are_marked(items):
    tally = Counter(i.get("expect") for i in items)
    assert tally["reject:spam"] >= 4
    assert tally["reject:off_topic"] >= 3
    assert tally["reject:insult"] >= 2
    assert tally["duplicate"] >= 4
    platforms = {i["platform"] for i in items if i.get("expect") == "duplicate"}
    assert {"mastodon", "bluesky", "x", "rss"} <= platforms
    for item in items:
        if item.get("expect") and item["platform"] == "x":
            assert item["payload"]["meta"]["result_count"] == 1  # the mark is about one post
        if item.get("expect") and item["platform"] == "rss":
            assert len(rss_guids(item["payload"])) == 1


def test_replies_quotes_and_reposts_arrive_after_what_they_point_to(items):
    seen: set[str] = set()
    for item in items:
        payload, platform = item["payload"], item["platform"]
        if platform == "mastodon":
            status = mastodon_original(payload)
            quoted = (status["quote"] or {}).get("quoted_status") or {}
            needs = [status["in_reply_to_id"], quoted.get("id"),
                     payload["reblog"] and payload["reblog"]["id"]]
            own = [payload["id"]]
        elif platform == "bluesky":
            view = bluesky_views(item)[0]
            embed = view.get("embed") or {}
            needs = [view["uri"] if "reason" in payload else None,
                     (view["record"].get("reply") or {}).get("parent", {}).get("uri"),
                     embed.get("record", {}).get("uri")
                     if embed.get("$type") == "app.bsky.embed.record#view" else None]
            own = [] if "reason" in payload else [view["uri"]]
        elif platform == "x":
            own = [t["id"] for t in payload["data"]]
            seen.update(own)
            needs = [r["id"] for t in payload["data"] for r in t.get("referenced_tweets", [])]
        else:
            continue
        for need in filter(None, needs):
            assert need in seen, (item["at"], platform, need)
        seen.update(own)


def plain(html: str) -> str:
    text = re.sub(r"<[^>]+>", "", html)
    return (text.replace("&#39;", "'").replace("&quot;", '"').replace("&lt;", "<")
            .replace("&gt;", ">").replace("&amp;", "&"))


def post_key(item: dict) -> tuple[str, str] | None:
    """(author's display name, plain text) of an original post, for cross-post checks."""
    payload = item["payload"]
    if item["platform"] == "mastodon" and not payload["reblog"]:
        return payload["account"]["display_name"], plain(payload["content"])
    if item["platform"] == "bluesky" and "record" in payload:
        return payload["author"]["displayName"], payload["record"]["text"]
    return None


def test_duplicates_really_repeat_something_already_sent(items):
    seen_posts, seen_tweets, seen_guids = set(), set(), set()
    for item in items:
        duplicate = item.get("expect") == "duplicate"
        if item["platform"] == "x":
            ids = {t["id"] for t in item["payload"]["data"]}
            assert (ids <= seen_tweets) == duplicate, ids
            seen_tweets |= ids
        elif item["platform"] == "rss":
            guids = set(rss_guids(item["payload"]))
            assert (guids <= seen_guids) == duplicate, guids
            seen_guids |= guids
        else:
            key = post_key(item)
            if key:
                assert (key in seen_posts) == duplicate, key
                seen_posts.add(key)


def test_ids_are_unique_per_platform(items):
    mastodon_ids = [i["payload"]["id"] for i in of(items, "mastodon")]
    mastodon_uris = [i["payload"]["uri"] for i in of(items, "mastodon")]
    assert len(set(mastodon_ids)) == len(mastodon_ids)
    assert len(set(mastodon_uris)) == len(mastodon_uris)
    posts = [i["payload"]["uri"] for i in of(items, "bluesky") if "record" in i["payload"]]
    reposts = [i["payload"]["reason"]["uri"] for i in of(items, "bluesky")
               if "reason" in i["payload"]]
    assert len(set(posts)) == len(posts) and len(set(reposts)) == len(reposts)
    tweet_ids = [t["id"] for i in of(items, "x") if i.get("expect") != "duplicate"
                 for t in i["payload"]["data"]]
    assert len(set(tweet_ids)) == len(tweet_ids)
    guids = [g for i in of(items, "rss") if i.get("expect") != "duplicate"
             for g in rss_guids(i["payload"])]
    assert len(set(guids)) == len(guids)


def test_replies_reposts_and_quotes_on_every_platform(items):
    found = Counter()
    for item in of(items, "mastodon"):
        status = item["payload"]
        found["mastodon reply"] += bool(status["in_reply_to_id"])
        found["mastodon repost"] += bool(status["reblog"])
        found["mastodon quote"] += bool(status["quote"])
        found["mastodon cw"] += bool(status["spoiler_text"])
    for item in of(items, "bluesky"):
        payload = item["payload"]
        found["bluesky repost"] += "reason" in payload
        view = bluesky_views(item)[0]
        found["bluesky reply"] += "reply" in view["record"] and "reason" not in payload
        found["bluesky quote"] += (view.get("embed") or {}).get("$type") == \
            "app.bsky.embed.record#view"
    for item in of(items, "x"):
        for tweet in item["payload"]["data"]:
            for ref in tweet.get("referenced_tweets", []):
                found[f"x {ref['type']}"] += 1
    for kind in ("mastodon reply", "mastodon repost", "mastodon quote", "mastodon cw",
                 "bluesky reply", "bluesky repost", "bluesky quote", "x replied_to",
                 "x retweeted", "x quoted"):
        assert found[kind] >= 1, kind
    assert found["mastodon reply"] + found["bluesky reply"] + found["x replied_to"] >= 15


def test_texts_are_not_repeated_except_the_deliberate_duplicates(items):
    texts = []
    for item in items:
        if item.get("expect") == "duplicate":
            continue
        key = post_key(item)
        if key:
            texts.append(key[1])
        if item["platform"] == "x":
            texts += [t.get("note_tweet", t)["text"] for t in item["payload"]["data"]
                      if not t["text"].startswith("RT @")]
    assert len(texts) >= 240
    assert len(set(texts)) == len(texts)
    tags = {t.lower() for text in texts for t in re.findall(r"#(\w+)", text)}
    assert {"pasocial", "pasocial2026", "comunicazionepubblica", "accessibilità"} <= tags


def test_every_link_is_fictional_or_a_platform_host(items):
    for item in items:
        for text in strings(item["payload"]):
            for url in URL.findall(text):
                if url in XML_NAMESPACES:
                    continue
                host = urlsplit(url).hostname or ""
                if host in ("", "www."):  # Mastodon's hidden "https://www." link prefix
                    continue
                assert host.endswith((".example", ".invalid")) or host in PLATFORM_HOSTS, url
