"""Recap speed: build the recap of a 10,000-post event and render it in every format.

Native Mastodon statuses (bench/ingest.py's generator) go through the real normalizer and
`Store.ingest` into a fresh SQLite file; every post is approved; then `build_recap` and each
renderer are timed (best of three runs). Targets (PRODUCT.md): HTML < 2 s, JSON and CSV < 1 s,
held here by what an export costs: building the recap plus rendering it. Run:
python bench/recap.py [N]
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.ingest import BATCH, status  # noqa: E402
from bench.machine import describe  # noqa: E402
from coverage.recap import build_recap, render_recap  # noqa: E402
from coverage.recap.bundle import render_bundle  # noqa: E402
from coverage.sources import mastodon  # noqa: E402
from coverage.store import Store  # noqa: E402

TARGETS = {"html": 2.0, "json": 1.0, "csv": 1.0}
EVENT = {
    "slug": "bench", "name": "Bench", "language": "it", "timezone": "Europe/Rome",
    "hashtags": ["pasocial"], "starts_at": "2026-11-19T07:00:00Z",
    "ends_at": "2026-11-19T17:00:00Z",
    "sessions": [{"key": f"s{h}", "title": f"Sessione delle {h + 1}",
                  "starts_at": f"2026-11-19T{h:02d}:00:00Z",
                  "ends_at": f"2026-11-19T{h + 1:02d}:00:00Z"} for h in range(7, 17)],
}


def best_of(runs: int, func) -> tuple[float, object]:
    """The fastest of `runs` calls, and the last result."""
    best, result = float("inf"), None
    for _ in range(runs):
        started = time.perf_counter()
        result = func()
        best = min(best, time.perf_counter() - started)
    return best, result


def main(n: int = 10_000) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "bench.db")
        store.create_event(EVENT)
        source = store.add_source("bench", "replay", {"speed": 0})["id"]
        for start in range(0, n, BATCH):
            page = json.dumps([status(i) for i in range(start, min(start + BATCH, n))])
            store.ingest(source, mastodon.posts_from_payload(json.loads(page)), {"at": start})
        ids = [row[0] for row in store.db.execute("SELECT id FROM posts")]
        started = time.perf_counter()
        for post_id in ids:
            store.decide("bench", post_id, "approve", "bench")
        approving = time.perf_counter() - started

        timings: list[tuple[str, float, int]] = []
        seconds, recap = best_of(3, lambda: build_recap(store, "bench"))
        shown = sum(len(s["items"]) for s in recap["sections"])
        timings.append(("build_recap", seconds, 0))
        for fmt in ("html", "fragment", "markdown", "wordpress", "wxr", "json", "csv"):
            seconds, body = best_of(3, lambda fmt=fmt: render_recap(recap, fmt))
            timings.append((fmt, seconds, len(body.encode())))
        seconds, body = best_of(3, lambda: render_bundle(recap, images=False))
        timings.append(("zip (no images)", seconds, len(body)))

    print(f"machine: {describe()}")
    print(f"recap of {n:,} approved Mastodon posts ({shown:,} in the recap; "
          f"{approving:.1f} s to approve them one decision at a time)")
    build = timings[0][1]
    missed = []
    print(f"  {'':16s} {'render':>8s}  {'size':>10s}  {'build+render':>12s}")
    for label, seconds, size in timings:
        target = TARGETS.get(label)
        total = f"{build + seconds:10.2f} s" if label != "build_recap" else ""
        verdict = ""
        if target:
            ok = build + seconds < target
            verdict = f"  target < {target:.0f} s: " + ("ok" if ok else "MISSED")
            if not ok:
                missed.append(label)
        sized = f"{size / 2**20:6.1f} MiB" if size else ""
        print(f"  {label:16s} {seconds:6.2f} s  {sized:>10s}  {total:>12s}{verdict}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000))
