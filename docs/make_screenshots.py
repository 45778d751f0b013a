"""Make the README's screenshots: the demo on the real server, a few decisions, then Chromium.

Run: python docs/make_screenshots.py   (needs Debian's chromium and playwright)
"""

from __future__ import annotations

import re
import sys
import tempfile
import time
from pathlib import Path

import httpx
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from coverage.sources.replay import DEMO_FILE, load_recording  # noqa: E402
from tests.livesrv import Server  # noqa: E402

OUT = ROOT / "docs" / "img"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SLUG = "pasocial-2026"


def to_reject() -> set[str]:
    """Permalink fragments of the items the demo marks for rejection or as duplicates."""
    marks = set()
    for item in load_recording(str(DEMO_FILE))["items"]:
        if item.get("expect"):
            marks.update(re.findall(r'"(?:id|uri)": "([^"]+)"', str(item["payload"]).replace(
                "'", '"')))
    return marks


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        server = Server(Path(tmp), PIAZZA_DEMO_SPEED="0", PIAZZA_POLL_SECONDS="0.2").start()
        try:
            shoot(server)
        finally:
            server.stop()


def shoot(server: Server) -> None:
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        console = browser.new_context(viewport={"width": 1280, "height": 860}).new_page()
        console.goto(server.login_link())
        cookies = {c["name"]: c["value"] for c in console.context.cookies()}
        console.goto(f"{server.base}/e/{SLUG}/console")
        console.locator(".queue-item").nth(200).wait_for(timeout=30000)
        token = re.search(r'name="csrf_token" value="([^"]+)"', console.content()).group(1)
        with httpx.Client(base_url=server.base, cookies=cookies,
                          headers={"X-CSRFToken": token}) as api:
            posts = api.get(f"/api/events/{SLUG}/posts", params={"limit": 500}).json()
            skip = to_reject()
            day = [p for p in posts if p["created_at"].startswith("2026-11-19T09")
                   and p["remote_id"].rsplit("/", 1)[-1] not in skip and p["remote_id"] not in skip]
            chosen = sorted(day, key=lambda p: (not p["media"], p["created_at"]))[:14]
            for i, post in enumerate(chosen):
                action = "pin" if i == 0 else "feature" if i in (1, 5) else "approve"
                api.post(f"/api/events/{SLUG}/posts/{post['id']}/decisions",
                         json={"action": action}).raise_for_status()
        time.sleep(1)
        console.reload()
        console.wait_for_selector("#status:has-text('In diretta')")
        console.screenshot(path=str(OUT / "console.png"))
        wall = browser.new_context(viewport={"width": 1920, "height": 1080}).new_page()
        wall.goto(f"{server.base}/e/{SLUG}/wall")
        wall.wait_for_selector("#status:has-text('In diretta')")
        wall.wait_for_timeout(1500)  # images and the arrival animation
        wall.screenshot(path=str(OUT / "wall.png"))
        browser.close()
    print(f"wrote {OUT / 'wall.png'} and {OUT / 'console.png'}")


if __name__ == "__main__":
    main()
