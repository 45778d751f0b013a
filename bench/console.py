"""Console responsiveness: what an editor's console costs with 50,000 posts in one event.

A fresh SQLite file gets one event (the demo's programme) and 50,000 posts: the demo's native
Mastodon, Bluesky, X and RSS payloads, normalized once by the real normalizers and then varied
(ids, times, words, authors), stored through `Store.ingest` from one source per platform, then
decided through `Store.decide_many` as two editors would (approved, rejected with reasons, put
in sessions, featured, one pinned; the rest left pending) and a few deleted at the source.

Then each operation the console causes is timed over repeated runs (p50 and p95, in ms): the
`/console` Socket.IO snapshot and a replay catch-up (`Live.catch_up`), the pages and JSON
listings the console and its companion pages request through Flask's test client with an editor
logged in, a decision and a 100-post bulk decision, `posts_by_id`, `changes_after`, and the live
pump's work per change (`Live.pump`, with a socketio stand-in that only counts emits).
Targets (PRODUCT.md, "the console stays responsive with 50,000 posts"): every request and the
work per change < 50 ms p95, the first snapshot < 200 ms; the figures of the day (page, the
panel an open page refetches, CSV, JSON) are requests like the others. Run:
python bench/console.py [N]
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.machine import describe  # noqa: E402
from coverage import create_app  # noqa: E402
from coverage.live import CONSOLE, WALL, Live  # noqa: E402
from coverage.model import Author, Post, format_time, parse_time  # noqa: E402
from coverage.sources.replay import DEMO_FILE, NORMALIZERS, load_recording  # noqa: E402
from coverage.store import Store  # noqa: E402

BATCH = 500
SLUG = "bench"
SNAPSHOT_TARGET, REQUEST_TARGET = 200.0, 50.0  # ms, p95
REASONS = ("spam", "off_topic", "duplicate", "insult", "advertising")


class CountingSocketIO:
    """Stands in for Flask-SocketIO's server: counts what would be sent, sends nothing."""

    def __init__(self) -> None:
        self.emits = 0

    def emit(self, *_args, **_kwargs) -> None:
        self.emits += 1


def demo_posts() -> tuple[dict, list[Post]]:
    """The demo event and its posts, through each platform's real normalizer."""
    recording = load_recording(str(DEMO_FILE))
    posts = [post for item in recording["items"]
             for post in NORMALIZERS[item["platform"]](item["payload"])]
    return recording["event"], posts


def varied(base: Post, n: int, at: str, rng: random.Random) -> Post:
    """Post `n`: a demo post with its own id and time, some new words, often a new author."""
    author = base.author
    if n % 3:  # many more voices than the demo's cast
        k = rng.randrange(2500)
        author = Author(f"{author.handle}{k}", f"{author.name} {k}", author.avatar, author.url)
    words = rng.choice(("accessibilità", "linguaggio chiaro", "dati aperti", "crisi",
                        "intelligenza artificiale", "territori", "policy", "servizi"))
    text = f"{base.text} — nota {n} su {words}"
    return replace(base, remote_id=f"{base.remote_id}~{n}", url=f"{base.url}#{n}",
                   author=author, created_at=at, text=text,
                   html=f"{base.html}<p>nota {n} su {words}</p>")


def build(store: Store, n: int) -> dict:
    """The event with `n` posts stored and decided; returns what the timings need."""
    rng = random.Random(2026)
    event_data, base = demo_posts()
    event = store.create_event({**event_data, "slug": SLUG})
    sources = {platform: store.add_source(SLUG, platform, config)["id"] for platform, config in (
        ("mastodon", {"instance": "https://social.pasocial.example", "hashtags": ["pasocial"]}),
        ("bluesky", {"hashtags": ["pasocial"]}), ("x", {"hashtags": ["pasocial"]}),
        ("rss", {"url": "https://pasocial.example/feed.xml"}))}
    start, end = parse_time(event["starts_at"]), parse_time(event["ends_at"])
    step = (end - start) / n
    started = time.perf_counter()
    for first in range(0, n, BATCH):
        batch: dict[str, list[Post]] = {}
        for i in range(first, min(first + BATCH, n)):
            post = varied(base[i % len(base)], i, format_time(start + step * i), rng)
            batch.setdefault(post.platform, []).append(post)
        for platform, posts in batch.items():
            store.ingest(sources[platform], posts, {"page": first})
    ingesting = time.perf_counter() - started

    started = time.perf_counter()
    event_id = event["id"]
    pending = [r[0] for r in store.db.execute(
        "SELECT post_id FROM curation WHERE event_id = ? AND state = 'pending' ORDER BY id",
        [event_id])]
    rng.shuffle(pending)
    approve = pending[: int(n * 0.40)]
    reject = pending[len(approve): len(approve) + int(n * 0.15)]
    sessions = [s["id"] for s in event["sessions"]]
    for chunk in _chunks(approve, BATCH):
        store.decide_many(SLUG, chunk, "approve", rng.choice(("marta", "luca")))
    for chunk in _chunks(reject, 100):
        store.decide_many(SLUG, chunk, "reject", rng.choice(("marta", "luca")),
                          reason=rng.choice(REASONS))
    placed = approve[: len(approve) // 2]
    for chunk in _chunks(placed, 200):
        store.decide_many(SLUG, chunk, "session", "marta", session_id=rng.choice(sessions))
    store.decide_many(SLUG, approve[: max(n // 100, 1)], "feature", "luca")
    store.decide(SLUG, approve[-1], "pin", "marta")
    for (platform, remote_id) in store.db.execute(
            "SELECT platform, remote_id FROM posts ORDER BY random() LIMIT ?", [n // 200]):
        store.mark_deleted(platform, remote_id)
    deciding = time.perf_counter() - started
    started = time.perf_counter()
    index_search = getattr(store, "index_search", None)  # the search index, where there is one
    indexed = index_search() if index_search else 0
    return {"event": store.get_event(SLUG), "sources": sources, "ingesting": ingesting,
            "deciding": deciding, "still_pending": pending[len(approve) + len(reject):],
            "indexing": time.perf_counter() - started, "indexed": indexed,
            "base": base, "rng": rng, "step": step, "start": start}


class Pending:
    """Pending posts to decide on; used ones go back to the queue (untimed) when none is left."""

    def __init__(self, store: Store, post_ids: list[int]) -> None:
        self.store, self.free, self.used = store, list(post_ids), []

    def take(self, k: int) -> list[int]:
        if len(self.free) < k:
            for chunk in _chunks(self.used, BATCH):
                self.store.decide_many(SLUG, chunk, "pending", "bench")
            self.free, self.used = self.free + self.used, []
        taken, self.free = self.free[:k], self.free[k:]
        self.used += taken
        return taken


def _chunks(items: list, size: int):
    for start in range(0, len(items), size):
        yield items[start:start + size]


def timed(func, runs: int, budget: float = 15.0, setup=None) -> list[float]:
    """Milliseconds per call over `runs` calls (fewer when they exceed `budget` seconds)."""
    out: list[float] = []
    began = time.perf_counter()
    for _ in range(runs):
        arg = setup() if setup else None
        started = time.perf_counter()
        func(arg) if setup else func()
        out.append((time.perf_counter() - started) * 1000)
        if len(out) >= 3 and time.perf_counter() - began > budget:
            break
    return out


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(round(q * (len(ordered) - 1)), len(ordered) - 1)]


def main(n: int = 50_000) -> int:
    rows: list[tuple[str, str, list[float], str]] = []  # (group, label, ms, note)
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.db"
        store = Store(db)
        world = build(store, n)
        event, event_id = world["event"], world["event"]["id"]
        app = create_app({"DB": str(db), "SECRET_KEY": "bench", "DEMO": False, "COLLECT": False,
                          "EXPORTS": str(Path(tmp) / "exports")})
        app_store = app.extensions["piazza_store"]
        user = app_store.create_user("marta", "editor")
        client = app.test_client()
        assert client.get(f"/login/{app_store.create_login_token(user['id'])}").status_code == 302
        stub = CountingSocketIO()
        live = Live(app_store, stub)
        counts = app_store.counts(event_id)
        pending = Pending(app_store, world["still_pending"])
        head = app_store.head_seq()

        def add(group: str, label: str, ms: list[float], note: str = "") -> None:
            rows.append((group, label, ms, note))

        # -- the live side ------------------------------------------------------------------
        add("socket", "console snapshot: catch_up(event, 0, /console)",
            timed(lambda: live.catch_up(event_id, 0, CONSOLE), 30))
        add("socket", "console replay: catch_up(event, head - 200, /console)",
            timed(lambda: live.catch_up(event_id, head - 200, CONSOLE), 50))
        def first_wall():  # the first wall after a change reads; the next ones share it
            live._wall_snapshots.clear()
            return live.catch_up(event_id, 0, WALL)
        add("socket", "wall snapshot: the first wall after a change",
            timed(first_wall, 30))
        add("socket", "wall snapshot: the next walls (cached until a change)",
            timed(lambda: live.catch_up(event_id, 0, WALL), 30))

        # -- HTTP: the pages and listings --------------------------------------------------
        oldest_approved = app_store.db.execute(
            "SELECT post_id FROM curation WHERE event_id = ? AND state = 'approved'"
            " ORDER BY id LIMIT 1 OFFSET 300", [event_id]).fetchone()[0]
        session_id = event["sessions"][3]["id"]
        author = app_store.db.execute(
            "SELECT author_handle FROM posts ORDER BY id LIMIT 1 OFFSET ?", [n // 2]).fetchone()[0]
        listing = f"/api/events/{SLUG}/posts"
        pages = [
            ("console page", f"/e/{SLUG}/console", None),
            ("rules (JSON, fetched by the console)", f"/api/events/{SLUG}/rules", None),
            ("rules page", f"/e/{SLUG}/rules", None),
            ("sources page", f"/e/{SLUG}/sources", None),
            ("sources (JSON, X cost per source)", f"/api/events/{SLUG}/sources", None),
            ("audit log (JSON, 200 rows)", f"/api/events/{SLUG}/audit", None),
            ("posts: newest 100", listing, None),
            ("posts: pending, 500", f"{listing}?state=pending&limit=500", "state"),
            ("posts: approved, 100", f"{listing}?state=approved", "state"),
            ("posts: approved, deep page (300 from the oldest)",
             f"{listing}?state=approved&before={oldest_approved}", "state"),
            ("posts: platform rss", f"{listing}?platform=rss", "platform"),
            ("posts: platform x, rejected", f"{listing}?platform=x&state=rejected", "platform"),
            ("posts: session, approved", f"{listing}?session={session_id}&state=approved",
             "session"),
            ("posts: account", f"{listing}?account={author}", "account"),
            ("posts: search 'accessibilità'", f"{listing}?q=accessibilit%C3%A0", "q"),
            ("posts: search, rare word", f"{listing}?q=nota%20{n // 3}", "q"),
            ("posts: search, no match", f"{listing}?q=zanzibar", "q"),
        ]
        checks = {
            "state": lambda p, url: p["state"] == url.split("state=")[1].split("&")[0],
            "platform": lambda p, url: p["platform"] == url.split("platform=")[1].split("&")[0],
            "session": lambda p, url: p["session_id"] == session_id,
            "account": lambda p, url: p["author"]["handle"] == author,
            "q": lambda p, url: True,
        }
        for label, url, check in pages:
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            note = ""
            if check and response.is_json:
                body = response.get_json()
                if not all(checks[check](p, url) for p in body):
                    note = "filter ignored"
                elif check == "q" and "zanzibar" not in url and not body:
                    note = "no match"
                else:
                    note = f"{len(body)} posts"
            add("http", label, timed(lambda url=url: client.get(url), 30), note)
        # The figures of the day: read from the tables every write keeps (not from the posts),
        # so the open page can refresh itself after each decision.
        add("http", "figures page", timed(lambda: client.get(f"/e/{SLUG}/figures"), 30))
        add("http", "figures panel (the open page's refresh)",
            timed(lambda: client.get(f"/e/{SLUG}/figures/panel"), 30))
        add("http", "figures CSV", timed(lambda: client.get(f"/e/{SLUG}/figures.csv"), 30))
        add("http", "figures JSON (/api/…/figures)",
            timed(lambda: client.get(f"/api/events/{SLUG}/figures"), 30))
        add("store", "figure_data(): the rows behind the figures",
            timed(lambda: app_store.figure_data(event_id), 50))

        # -- decisions and the live pump per change ----------------------------------------
        live.pump()  # start from the head
        add("store", "counts()", timed(lambda: app_store.counts(event_id), 50))
        add("store", "decide: approve one post",
            timed(lambda post_id: app_store.decide(SLUG, post_id, "approve", "marta"), 50,
                  setup=lambda: pending.take(1)[0]))
        def one_decision() -> None:
            post_id = pending.take(1)[0]
            live.pump()  # what came before (recycling the queue included) is not this change
            app_store.decide(SLUG, post_id, "reject", "luca", reason="spam")

        def bulk_decision() -> None:
            post_ids = pending.take(100)
            live.pump()
            app_store.decide_many(SLUG, post_ids, "approve", "luca")

        add("store", "undo: the editor's last decision",
            timed(lambda _: app_store.undo(SLUG, "marta"), 50,
                  setup=lambda: app_store.decide(SLUG, pending.take(1)[0], "approve", "marta")))
        add("live", "pump after one decision", timed(lambda _: live.pump(), 50,
                                                     setup=one_decision))
        add("store", "decide_many: approve 100 posts",
            timed(lambda ids: app_store.decide_many(SLUG, ids, "approve", "marta"), 20,
                  setup=lambda: pending.take(100)))
        add("live", "pump after a 100-post bulk decision",
            timed(lambda _: live.pump(), 20, setup=bulk_decision))
        ids = [r[0] for r in app_store.db.execute(
            "SELECT post_id FROM curation WHERE event_id = ? ORDER BY random() LIMIT 100",
            [event_id])]
        add("store", "posts_by_id: 1 post", timed(lambda: app_store.posts_by_id(
            event_id, ids[:1]), 50))
        add("store", "posts_by_id: 100 posts", timed(lambda: app_store.posts_by_id(
            event_id, ids), 50))
        head = app_store.head_seq()
        add("store", "changes_after(head - 100, event)",
            timed(lambda: app_store.changes_after(head - 100, event_id=event_id), 50))
        if hasattr(app_store, "index_search"):
            arrivals = iter(range(n, n + 500 * 20))
            base, rng, source = world["base"], world["rng"], world["sources"]["mastodon"]

            def new_batch() -> None:
                posts = [replace(varied(base[i % len(base)], i, event["ends_at"], rng),
                                 platform="mastodon") for i in (next(arrivals)
                                                                for _ in range(500))]
                app_store.ingest(source, posts, {})

            add("store", "index_search() after a 500-post batch",
                timed(lambda _: app_store.index_search(), 20, setup=new_batch))
        emits = stub.emits

    print(f"machine: {describe()}")
    print(f"console with {n:,} posts in one event ({counts['pending']:,} pending, "
          f"{counts['approved']:,} approved, {counts['rejected']:,} rejected; "
          f"built in {world['ingesting']:.1f} s of ingest + {world['deciding']:.1f} s of "
          f"decisions; {emits:,} emits counted)")
    if world["indexed"]:
        print(f"  search index caught up with {world['indexed']:,} posts in "
              f"{world['indexing']:.2f} s, after the ingest")
    print(f"  {'':58s} {'p50 ms':>8s} {'p95 ms':>8s} {'runs':>5s}")
    missed = []
    for group, label, ms, note in rows:
        p50, p95 = percentile(ms, 0.5), percentile(ms, 0.95)
        target = (SNAPSHOT_TARGET if "snapshot" in label else
                  None if group == "export" else REQUEST_TARGET)
        verdict = "" if target is None else (" ok" if p95 < target else " MISSED")
        if verdict == " MISSED":
            missed.append(label)
        extra = f"  ({note})" if note else ""
        print(f"  {label:58s} {p50:8.1f} {p95:8.1f} {len(ms):5d}{verdict}{extra}")
    print(f"  targets: p95 < {REQUEST_TARGET:.0f} ms per request and per change, "
          f"< {SNAPSHOT_TARGET:.0f} ms for a snapshot")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 50_000))
