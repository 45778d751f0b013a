"""The figures page in Debian's Chromium, on the real server: it updates by itself after a
decision made through the API and after an author's erasure, keeping the reader's place, and
axe-core finds nothing serious on it."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import httpx
import pytest

from .livesrv import ROOT
from .test_browser import open_page

pytestmark = pytest.mark.browser
SLUG = "pasocial-2026"
SHOTS = ROOT / "test-results"


def figures_now(server, cookie: str) -> dict:
    return httpx.get(f"{server.base}/api/events/{SLUG}/figures",
                     cookies={"session": cookie}).json()


def settled(server, cookie: str) -> dict:
    """The figures once the demo has arrived in full (two equal readings a second apart)."""
    deadline = time.monotonic() + 30
    last = None
    while time.monotonic() < deadline:
        now = figures_now(server, cookie)
        if last is not None and now["posts"] and now["posts"] == last["posts"]:
            return now
        last = now
        time.sleep(1)
    raise AssertionError("the demo never finished arriving")


def card(page, name: str) -> int:
    text = page.locator(f"[data-figure='{name}']").inner_text()
    return int(text.split()[0].replace(".", "").replace(",", ""))


def shows(page, name: str, value: int, timeout: float) -> None:
    """Wait until the page shows `value` on the card `name`, without being reloaded."""
    deadline = time.monotonic() + timeout
    while card(page, name) != value:
        assert time.monotonic() < deadline, f"{name} never showed {value}"
        page.wait_for_timeout(200)


def test_the_figures_update_by_themselves_and_keep_the_readers_place(browser, server):
    errors: list[str] = []
    page = open_page(browser, server.login_link(), errors, locale="it-IT",
                     viewport={"width": 1280, "height": 900})
    cookie = next(c["value"] for c in page.context.cookies() if c["name"] == "session")
    before = settled(server, cookie)
    page.goto(f"{server.base}/e/{SLUG}/figures")
    assert card(page, "approved") == before["moderation"]["approved"]
    assert card(page, "posts") == before["posts"]
    updated = page.locator("#figures-updated").inner_text()

    # The reader opens the day's table from the keyboard and scrolls a little further down.
    summary = page.locator("#fig-day-data > summary")
    summary.focus()
    page.keyboard.press("Enter")
    assert page.locator("#fig-day-data").get_attribute("open") is not None
    page.evaluate("() => window.scrollTo(0, 700)")
    scrolled = page.evaluate("() => window.scrollY")

    # Another editor approves a post through the API.
    pending = httpx.get(f"{server.base}/api/events/{SLUG}/posts?state=pending&limit=1",
                        cookies={"session": cookie}).json()[0]
    token = page.locator("input[name=csrf_token]").first.get_attribute("value")
    answer = page.request.post(
        f"{server.base}/api/events/{SLUG}/posts/{pending['id']}/decisions",
        data=json.dumps({"action": "approve"}),
        headers={"X-CSRFToken": token, "Content-Type": "application/json"})
    assert answer.ok, answer.text()
    shows(page, "approved", before["moderation"]["approved"] + 1, timeout=10)
    assert page.locator("#figures-updated").inner_text() != updated
    assert page.evaluate("() => window.scrollY") == scrolled
    assert page.evaluate("() => document.activeElement.parentElement.id") == "fig-day-data"

    # An author asks to be erased: their posts leave the figures, the chart included, and
    # the reader's open table stays open with the focus where it was. Consoles hear nothing
    # of an erased post (nothing is left to show): the regular refresh brings it (15 s).
    author = pending["author"]["handle"]
    subprocess.run([sys.executable, "-m", "flask", "--app", "app", "posts", "erase",
                    pending["platform"], author], cwd=ROOT, env=server.env, check=True,
                   capture_output=True)
    gone = figures_now(server, cookie)["posts"]
    assert gone < before["posts"]
    shows(page, "posts", gone, timeout=20)
    assert page.locator("#fig-day-data").get_attribute("open") is not None
    assert page.evaluate("() => document.activeElement.parentElement.id") == "fig-day-data"
    assert page.evaluate("() => window.scrollY") == scrolled
    assert page.locator("#figures-status").inner_text() == ""

    # Paused, it stays as it is; resumed, it catches up.
    page.locator("#figures-pause").click()
    assert page.locator("#figures-pause").get_attribute("aria-pressed") == "true"
    assert page.locator("#figures-status").inner_text() == "Aggiornamenti sospesi."

    axe = pytest.importorskip("axe_playwright_python.sync_playwright")
    page.locator("#figures-pause").click()
    page.evaluate("() => window.scrollTo(0, 0)")
    results = axe.Axe().run(page)
    serious = [f"{v['id']}: {v['help']}" for v in results.response["violations"]
               if v["impact"] in ("serious", "critical")]
    assert serious == []
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "figures.png"), full_page=True)
    assert errors == []
