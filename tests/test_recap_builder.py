"""The recap builder in Chromium: the lead turns the demo into a recap, the preview follows,
and the downloaded page is what was composed."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from .livesrv import ROOT

pytestmark = pytest.mark.browser


def flask_cli(server, *args):
    return subprocess.run([sys.executable, "-m", "flask", "--app", "app", *args], cwd=ROOT,
                          env=server.env, capture_output=True, text=True, check=True).stdout


def test_compose_save_and_download_a_recap(server, browser):
    posts = json.loads(flask_cli(server, "posts", "list", "pasocial-2026", "--state",
                                 "pending", "--limit", "400", "--json"))
    day = [p for p in posts if p["created_at"].startswith("2026-11-19T1")][:5]
    for post in day:
        flask_cli(server, "posts", "decide", "pasocial-2026", str(post["id"]), "approve")
    # An Italian reader (the builder speaks the reader's language; the recap, the event's).
    page = browser.new_context(viewport={"width": 1440, "height": 1000}, locale="it-IT",
                               accept_downloads=True).new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(server.login_link())
    page.goto(f"{server.base}/e/pasocial-2026/recap")
    page.locator(".recap-post").nth(len(day) - 1).wait_for()

    page.fill("#recap-title", "La giornata di #pasocial, post dopo post")
    page.fill("#recap-intro", "Nove sessioni, una sala piena.\n\nEcco com'è andata.")
    first = page.locator(".recap-post").first
    first.locator("details summary").click()
    first.locator("textarea").fill("Un inizio che ha fatto discutere.")
    removed_id = page.locator(".recap-post").nth(1).get_attribute("data-id")
    page.locator(".recap-post").nth(1).locator('[data-act="remove"]').click()
    page.locator("#preview").get_by_text("Un inizio che ha fatto discutere.").wait_for()
    # (By id, not by text: the demo has cross-posts with the same words.)
    assert page.locator(f"#preview #post-{removed_id}").count() == 0
    page.click("#builder button[type=submit]")
    page.wait_for_selector("#save-status:has-text('Salvato')")

    page.reload()
    page.locator(".recap-post").first.wait_for()
    assert page.input_value("#recap-title") == "La giornata di #pasocial, post dopo post"
    assert "Rimetti il post" in page.inner_text("#removed")
    with page.expect_download() as download:
        page.get_by_role("link", name="pagina HTML").click()
    exported = download.value.path().read_text(encoding="utf-8")
    # Fetched by the page with a progress line, which says when the file is ready.
    page.wait_for_selector("#download-status:has-text('è pronto: pasocial-2026.html')")
    assert page.locator("#download-status progress").is_hidden()
    assert "<h1>La giornata di #pasocial, post dopo post</h1>" in exported
    assert "<p>Nove sessioni, una sala piena.</p>" in exported
    assert "Un inizio che ha fatto discutere." in exported
    assert f'id="post-{removed_id}"' not in exported
    assert exported.count('<article class="piazza-post') == len(day) - 1
    assert errors == []
