"""Ingest throughput: parse + normalize + sanitize + dedup + persist, in posts per second.

For each platform, pages shaped like its API's answers (JSON text, at the API's largest page
size) go through json.loads, the real normalizer and `Store.ingest`, in batches of about
BATCH posts, into a fresh SQLite file. A second pass over the same pages measures the path
of posts already seen. Wall-clock figures are printed with the CPU time of this process:
on a shared machine the second tells how much of the first was waiting for another process.
Run: python bench/ingest.py [N]   (N posts per platform, 10,000 by default)
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.machine import describe  # noqa: E402
from coverage.sources import bluesky, mastodon, x  # noqa: E402
from coverage.store import Store  # noqa: E402

BATCH = 500
PASSES = ("new posts", "same posts again (dedup)")


def status(n: int) -> dict:
    """A Mastodon status shaped like /api/v1/timelines/tag/:tag returns it."""
    sid = str(117_000_000_000_000_000 + n)
    user = f"persona{n % 700}"
    return {
        "id": sid, "created_at": f"2026-11-19T{8 + n % 9:02d}:{n % 60:02d}:00.000Z",
        "in_reply_to_id": None, "in_reply_to_account_id": None, "sensitive": False,
        "spoiler_text": "", "visibility": "public", "language": "it",
        "uri": f"https://social.pa.example/users/{user}/statuses/{sid}",
        "url": f"https://social.pa.example/@{user}/{sid}", "replies_count": n % 5,
        "reblogs_count": n % 7, "favourites_count": n % 11, "edited_at": None,
        "content": (f"<p>Intervento numero {n} a "
                    '<a href="https://social.pa.example/tags/pasocial" class="mention hashtag" '
                    'rel="tag">#<span>pasocial</span></a>: linguaggio chiaro e servizi '
                    'accessibili per tutte le persone. <a href="https://pa.example/slide" '
                    'rel="nofollow noopener" target="_blank">pa.example/slide</a></p>'),
        "reblog": None, "application": None,
        "account": {"id": str(n % 700), "username": user, "acct": user,
                    "display_name": f"Persona {n % 700}", "url": f"https://social.pa.example/@{user}",
                    "avatar": "https://social.pa.example/a.png",
                    "avatar_static": "https://social.pa.example/a.png"},
        "media_attachments": [], "mentions": [],
        "tags": [{"name": "pasocial", "url": "https://social.pa.example/tags/pasocial"}],
        "emojis": [], "card": None, "poll": None,
    }


def mastodon_page(start: int, count: int) -> list[dict]:
    """A page of /api/v1/timelines/tag/:tag: a bare list of Statuses."""
    return [status(n) for n in range(start, start + count)]


def _utf8_span(text: str, piece: str) -> dict[str, int]:
    start = len(text[:text.index(piece)].encode())
    return {"byteStart": start, "byteEnd": start + len(piece.encode())}


def bluesky_post(n: int) -> dict:
    """An app.bsky.feed.defs#postView as app.bsky.feed.searchPosts returns it: a hashtag, a
    link and (one post in three) a mention as richtext facets over UTF-8 bytes; a link card
    or (one in four) a picture as the embed."""
    did = f"did:plc:persona{n % 700:05d}abcdefghijklm"
    handle = f"persona{n % 700}.bsky.social"
    mention = " con @ufficiostampa.bsky.social" if n % 3 == 0 else ""
    text = (f"Intervento numero {n} a #pasocial{mention}: un linguaggio più chiaro e servizi "
            "accessibili per tutte le persone. pa.example/slide")
    facets = [
        {"index": _utf8_span(text, "#pasocial"),
         "features": [{"$type": "app.bsky.richtext.facet#tag", "tag": "pasocial"}]},
        {"index": _utf8_span(text, "pa.example/slide"),
         "features": [{"$type": "app.bsky.richtext.facet#link",
                       "uri": "https://pa.example/slide"}]},
    ]
    if mention:
        facets.append({"index": _utf8_span(text, "@ufficiostampa.bsky.social"),
                       "features": [{"$type": "app.bsky.richtext.facet#mention",
                                     "did": "did:plc:ufficiostampa0000000000"}]})
    cdn = f"https://cdn.bsky.app/img/feed_fullsize/plain/{did}/bafkreib{n:07d}"
    embed = ({"$type": "app.bsky.embed.images#view", "images": [{
        "thumb": cdn.replace("feed_fullsize", "feed_thumbnail") + "@jpeg",
        "fullsize": cdn + "@jpeg", "alt": "La sala durante l'intervento",
        "aspectRatio": {"width": 1600, "height": 900}}]} if n % 4 == 0 else {
        "$type": "app.bsky.embed.external#view", "external": {
            "uri": "https://pa.example/slide", "title": "Le slide dell'intervento",
            "description": "Linguaggio chiaro nella pubblica amministrazione"}})
    created = f"2026-11-19T{8 + n % 9:02d}:{n % 60:02d}:{n % 57:02d}.000Z"
    return {
        "uri": f"at://{did}/app.bsky.feed.post/3lbench{n:07d}",
        "cid": f"bafyreibench{n:07d}",
        "author": {"did": did, "handle": handle, "displayName": f"Persona {n % 700}",
                   "avatar": f"https://cdn.bsky.app/img/avatar/plain/{did}/bafkreiav@jpeg",
                   "associated": {"chat": {"allowIncoming": "following"}}, "labels": [],
                   "createdAt": "2024-02-01T10:00:00.000Z"},
        "record": {"$type": "app.bsky.feed.post", "createdAt": created, "langs": ["it"],
                   "text": text, "facets": facets},
        "embed": embed,
        "replyCount": n % 5, "repostCount": n % 7, "likeCount": n % 11, "quoteCount": 0,
        "indexedAt": created, "labels": [],
    }


def bluesky_page(start: int, count: int) -> dict:
    """An app.bsky.feed.searchPosts answer."""
    return {"cursor": str(start + count), "hitsTotal": 1_000_000,
            "posts": [bluesky_post(n) for n in range(start, start + count)]}


def _x_user(n: int) -> dict:
    return {"id": str(1_500_000 + n % 700), "name": f"Persona {n % 700}",
            "username": f"persona_{n % 700}",
            "profile_image_url": f"https://pbs.twimg.com/profile_images/{n % 700}/p_normal.jpg"}


def x_tweet(n: int) -> dict:
    """A tweet as GET /2/tweets/search/recent returns it with the fields the X source asks
    for: a hashtag, a t.co link and (one in three) a mention as entities over the escaped
    text; one in four with a photo (its own t.co link, media key in `includes`)."""
    tweet_id = str(1_859_000_000_000_000_000 + n)
    mention = " con @ufficio_stampa" if n % 3 == 0 else ""
    text = (f"Intervento numero {n} a #pasocial{mention}: linguaggio chiaro &amp; servizi "
            "accessibili per tutte le persone https://t.co/Sl1de0Abc9")
    entities: dict[str, list[dict[str, Any]]] = {
        "hashtags": [{"start": text.index("#"), "end": text.index("#") + 9, "tag": "pasocial"}],
        "urls": [{"start": text.index("https://t.co/Sl1"), "end": len(text),
                  "url": "https://t.co/Sl1de0Abc9", "expanded_url": "https://pa.example/slide",
                  "display_url": "pa.example/slide"}],
    }
    if mention:
        at = text.index("@")
        entities["mentions"] = [{"start": at, "end": at + len("@ufficio_stampa"),
                                 "username": "ufficio_stampa", "id": "1400000"}]
    tweet: dict[str, Any] = {
        "id": tweet_id, "text": text, "author_id": _x_user(n)["id"], "lang": "it",
        "created_at": f"2026-11-19T{8 + n % 9:02d}:{n % 60:02d}:{n % 57:02d}.000Z",
        "conversation_id": tweet_id, "edit_history_tweet_ids": [tweet_id],
        "possibly_sensitive": False, "entities": entities,
        "public_metrics": {"retweet_count": n % 7, "reply_count": n % 5, "like_count": n % 11,
                           "quote_count": 0, "bookmark_count": 0, "impression_count": n % 997},
    }
    if n % 4 == 0:
        photo = f"https://t.co/Ph0to{n % 100_000:05d}"
        tweet["text"] = f"{text} {photo}"
        entities["urls"].append({
            "start": len(text) + 1, "end": len(text) + 1 + len(photo), "url": photo,
            "expanded_url": f"https://x.com/persona_{n % 700}/status/{tweet_id}/photo/1",
            "display_url": "pic.x.com/Ph0to", "media_key": f"3_{tweet_id}"})
        tweet["attachments"] = {"media_keys": [f"3_{tweet_id}"]}
    return tweet


def x_page(start: int, count: int) -> dict:
    """A GET /2/tweets/search/recent answer: data, includes (users, media), meta."""
    tweets = [x_tweet(n) for n in range(start, start + count)]
    users = {user["id"]: user for user in (_x_user(n) for n in range(start, start + count))}
    media = [{"media_key": f"3_{t['id']}", "type": "photo", "width": 1600, "height": 900,
              "url": f"https://pbs.twimg.com/media/Bench{t['id'][-6:]}.jpg",
              "alt_text": "La sala durante l'intervento"}
             for t in tweets if "attachments" in t]
    return {"data": tweets, "includes": {"users": list(users.values()), "media": media},
            "meta": {"newest_id": tweets[0]["id"], "oldest_id": tweets[-1]["id"],
                     "result_count": len(tweets), "next_token": f"b{start + count}"}}


@dataclass
class Platform:
    name: str
    page: Callable[[int, int], Any]  # (first post number, how many) -> the API's answer
    page_size: int  # the most one API page holds
    posts_from_payload: Callable[[Any], list]


PLATFORMS = [
    Platform("mastodon", mastodon_page, 40, mastodon.posts_from_payload),
    Platform("bluesky", bluesky_page, 100, bluesky.posts_from_payload),
    Platform("x", x_page, 100, x.posts_from_payload),
]


def run(platform: Platform, n: int) -> list[tuple[str, float, float]]:
    """(pass, wall seconds, CPU seconds) of ingesting `n` posts, then the same again."""
    size = platform.page_size
    pages = [json.dumps(platform.page(start, min(size, n - start))) for start in range(0, n, size)]
    per_batch = max(1, BATCH // size)
    batches = [pages[i:i + per_batch] for i in range(0, len(pages), per_batch)]
    timings = []
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "bench.db")
        store.create_event({"slug": "bench", "name": "Bench"})
        source = store.add_source("bench", platform.name, {})["id"]
        for label in PASSES:
            wall, cpu = time.perf_counter(), time.process_time()
            for i, batch in enumerate(batches):
                posts = [post for page in batch
                         for post in platform.posts_from_payload(json.loads(page))]
                store.ingest(source, posts, {"page": i})
            timings.append((label, time.perf_counter() - wall, time.process_time() - cpu))
        stored = store.db.execute("SELECT COUNT(*) FROM posts").fetchone()[0]
    assert stored == n, f"{platform.name}: {stored} posts stored of {n}"
    return timings


def main(n: int = 10_000) -> None:
    print(f"machine: {describe()}")
    # Other processes running meanwhile slow the wall clock, not this process's CPU time.
    print(f"load average at start: {os.getloadavg()[0]:.2f}")
    print(f"ingest of {n} posts per platform, API pages in batches of about {BATCH}")
    for platform in PLATFORMS:
        print(f"{platform.name} ({platform.page_size} posts per page)")
        for label, wall, cpu in run(platform, n):
            print(f"  {label:28s} {n / wall:10,.0f} posts/s  ({wall:.2f} s;"
                  f" CPU {cpu:.2f} s, {n / cpu:,.0f} posts per CPU second)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
