"""Ingest throughput: parse + normalize + dedup + persist, in posts per second.

Native Mastodon statuses (JSON text, as an API page would bring them) go through the real
normalizer and `Store.ingest` in batches, into a fresh SQLite file. A second pass over the same
posts measures the dedup path. Run: python bench/ingest.py [N]
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.machine import describe  # noqa: E402
from coverage.sources import mastodon  # noqa: E402
from coverage.store import Store  # noqa: E402

BATCH = 500


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


def main(n: int = 10_000) -> None:
    pages = [json.dumps([status(i) for i in range(start, min(start + BATCH, n))])
             for start in range(0, n, BATCH)]
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "bench.db")
        store.create_event({"slug": "bench", "name": "Bench"})
        source = store.add_source("bench", "replay", {"speed": 0})["id"]
        timings = []
        for label in ("new posts", "same posts again (dedup)"):
            started = time.perf_counter()
            for i, page in enumerate(pages):
                posts = mastodon.posts_from_payload(json.loads(page))
                store.ingest(source, posts, {"page": i})
            timings.append((label, time.perf_counter() - started))
        stored = store.db.execute("SELECT COUNT(*) FROM posts").fetchone()[0]
    print(f"machine: {describe()}")
    print(f"ingest of {n} Mastodon statuses in batches of {BATCH} (stored: {stored})")
    for label, seconds in timings:
        print(f"  {label:28s} {n / seconds:10,.0f} posts/s  ({seconds:.2f} s)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
