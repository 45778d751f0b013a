"""The whole scene in Debian's Chromium (Playwright): two editors and a wall, keyboard only."""

from __future__ import annotations

import re
import subprocess
import sys
import time

import httpx
import pytest

from .livesrv import ROOT, Server

pytestmark = pytest.mark.browser
SHOTS = ROOT / "test-results"




def second_editor_link(server: Server) -> str:
    """A second editor, added with the CLI on the same database, as a lead would."""
    out = subprocess.run([sys.executable, "-m", "flask", "--app", "app", "users", "create", "luca",
                          "--role", "editor"], cwd=ROOT, env=server.env, capture_output=True,
                         text=True, check=True).stdout
    token = re.search(r"/login/(\S+)", out).group(1)
    return f"{server.base}/login/{token}"


def open_page(browser, url: str, errors: list[str], **context):
    """A page in a new browser context; Italian unless `locale` says otherwise (the pages speak
    the browser's language, and Chromium's own is English)."""
    page = browser.new_context(**{"locale": "it-IT", **context}).new_page()
    page.on("pageerror", lambda exc: errors.append(f"{url}: {exc}"))
    page.on("console", lambda msg: errors.append(f"{url}: {msg.text}")
            if msg.type == "error" else None)
    page.goto(url)
    return page


def test_keyboard_approval_reaches_the_other_console_and_the_wall(browser, server):
    errors: list[str] = []
    console_url = f"{server.base}/e/pasocial-2026/console"
    marta = open_page(browser, server.login_link(), errors)
    marta.goto(console_url)
    luca = open_page(browser, second_editor_link(server), errors)
    luca.goto(console_url)
    wall = open_page(browser, f"{server.base}/e/pasocial-2026/wall", errors,
                     viewport={"width": 1920, "height": 1080})

    for page in (marta, luca, wall):
        page.wait_for_selector("#status:has-text('In diretta')", timeout=15000)
    # (No wait_for_function: the pages' CSP rightly forbids evaluating strings.)
    marta.locator(".queue-item").nth(19).wait_for(timeout=20000)
    luca.locator(".queue-item").nth(19).wait_for(timeout=20000)
    assert wall.locator("article.post").count() == 0  # nothing approved yet

    # Keyboard only: move to the second post, approve it.
    marta.keyboard.press("j")
    chosen = marta.locator(".queue-item[aria-current]").get_attribute("data-id")
    text = marta.locator(f".queue-item[data-id='{chosen}'] .post-text").inner_text()
    marta.keyboard.press("a")

    wall.wait_for_selector(f"article.post[data-id='{chosen}']", timeout=5000)
    assert wall.locator(f"article.post[data-id='{chosen}'] .post-text").inner_text() == text
    luca.wait_for_selector(f".queue-item[data-id='{chosen}']", state="detached", timeout=5000)
    marta.wait_for_selector(f".queue-item[data-id='{chosen}']", state="detached", timeout=5000)
    assert marta.locator("[data-count='approved']").inner_text() == "1"

    # Reject the next one with the keyboard too: it never reaches the wall.
    rejected = marta.locator(".queue-item[aria-current]").get_attribute("data-id")
    marta.keyboard.press("r")  # the reason chooser opens on the first reason
    marta.keyboard.press("Enter")
    luca.wait_for_selector(f".queue-item[data-id='{rejected}']", state="detached", timeout=5000)
    assert wall.locator(f"article.post[data-id='{rejected}']").count() == 0

    SHOTS.mkdir(exist_ok=True)
    marta.screenshot(path=str(SHOTS / "console.png"))
    wall.screenshot(path=str(SHOTS / "wall.png"))
    assert errors == []


def test_wall_catches_up_after_the_server_restarts(browser, tmp_path):
    errors: list[str] = []
    srv = Server(tmp_path, PIAZZA_DEMO_SPEED="0", PIAZZA_POLL_SECONDS="0.2").start()
    try:
        wall = open_page(browser, f"{srv.base}/e/pasocial-2026/wall", errors)
        wall.wait_for_selector("#status:has-text('In diretta')", timeout=15000)
        # The demo must have reached the queue before the server goes away.
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not httpx.get(
                f"{srv.base}/healthz", timeout=2).json()["seq"]:
            time.sleep(0.1)
        srv.stop()
        wall.wait_for_selector("#status:has-text('Riconnessione'), #status:has-text('persa')",
                               timeout=10000)
        # While the server is down, an editor decides from the CLI on the same database.
        env = srv.env
        ids = subprocess.run(
            [sys.executable, "-m", "flask", "--app", "app", "posts", "list", "pasocial-2026",
             "--state", "pending", "--limit", "2", "--json"], cwd=ROOT, env=env,
            capture_output=True, text=True, check=True).stdout
        post_ids = [int(i) for i in re.findall(r'"id": (\d+)', ids)]
        for post_id in post_ids:
            subprocess.run([sys.executable, "-m", "flask", "--app", "app", "posts", "decide",
                            "pasocial-2026", str(post_id), "approve"], cwd=ROOT, env=env,
                           check=True, capture_output=True)
        srv.start()  # same port, same database
        for post_id in post_ids:
            wall.wait_for_selector(f"article.post[data-id='{post_id}']", timeout=20000)
        assert wall.locator("article.post").count() == 2
    finally:
        srv.stop()
    assert [e for e in errors if "ERR_CONNECTION_REFUSED" not in e
            and "WebSocket" not in e] == []


def test_console_and_wall_honour_reduced_motion(browser, server):
    errors: list[str] = []
    wall = open_page(browser, f"{server.base}/e/pasocial-2026/wall", errors,
                     reduced_motion="reduce")
    wall.wait_for_selector("#status:has-text('In diretta')", timeout=15000)
    animation = wall.evaluate(
        "() => { const s = document.createElement('article'); s.className = 'post';"
        " document.getElementById('posts').append(s);"
        " return getComputedStyle(s).animationName; }")
    assert animation == "none"
