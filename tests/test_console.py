"""The editors' console and the rules page in Debian's Chromium: keyboard only, as in the hall.

Decisions are checked where they land, with `flask posts list --json` on the server's database.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
import unicodedata

import pytest

from coverage.store import Store

from .livesrv import ROOT, Server
from .test_browser import open_page, second_editor_link

pytestmark = pytest.mark.browser
SLUG = "pasocial-2026"
SHOTS = ROOT / "test-results"
LIVE = "#status:has-text('In diretta')"




def cli(server: Server, *args: str) -> str:
    """A flask command on the server's database, as a lead would type it."""
    return subprocess.run([sys.executable, "-m", "flask", "--app", "app", *args], cwd=ROOT,
                          env=server.env, capture_output=True, text=True, check=True).stdout


def listed(server: Server) -> dict[int, dict]:
    """Every post of the demo event as `posts list --json` reports it, by id."""
    posts = json.loads(cli(server, "posts", "list", SLUG, "--limit", "2000", "--json"))
    return {p["id"]: p for p in posts}


def eventually(check, what: str, timeout: float = 8.0):
    """The first truthy result of `check` (the CLI reads the database a moment later)."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result or time.monotonic() > deadline:
            assert result, f"never happened: {what}"
            return result
        time.sleep(0.2)


def open_console(browser, server: Server, link: str, errors: list[str], **context):
    """A logged-in console with the demo queue on screen."""
    page = open_page(browser, link, errors, **context)
    page.goto(f"{server.base}/e/{SLUG}/console")
    page.wait_for_selector(LIVE, timeout=15000)
    page.locator(".queue-item").nth(19).wait_for(timeout=20000)
    # The demo arrives in one collector round: wait until the queue holds all of it.
    pending = page.locator("[data-count='pending']")
    eventually(lambda: page.locator(".queue-item").count() == int(pending.inner_text()),
               "the whole demo queue on screen")
    return page


def current(page) -> int:
    return int(page.locator(".queue-item[aria-current]").get_attribute("data-id"))


def focused(page) -> str | None:
    return page.evaluate("() => document.activeElement && document.activeElement.id"
                         " || (document.activeElement.dataset || {}).id || null")


def queue_ids(page, n: int) -> list[int]:
    rows = page.locator(".queue-item")
    return [int(rows.nth(i).get_attribute("data-id")) for i in range(n)]


def said(page, words: str) -> None:
    """The polite live region says `words` (one message per action)."""
    page.wait_for_selector(f"#announce:has-text({json.dumps(words)})", timeout=5000)


def gone(page, post_id: int) -> None:
    page.wait_for_selector(f".queue-item[data-id='{post_id}']", state="detached", timeout=5000)


def fold(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", text.lower())
                   if unicodedata.category(c) != "Mn")


def test_keyboard_moderation_of_several_posts(browser, server):
    errors: list[str] = []
    page = open_console(browser, server, server.login_link(), errors,
                        viewport={"width": 1280, "height": 800})
    first = queue_ids(page, 5)
    assert current(page) == first[0] and focused(page) == str(first[0])  # roving focus

    page.keyboard.press("a")
    gone(page, first[0])
    said(page, "Approvato")
    assert current(page) == first[1] and focused(page) == str(first[1])  # moved on in place

    page.keyboard.press("r")  # the reason chooser: a number picks, Enter confirms
    page.locator("#reject-dialog").wait_for(state="visible")
    third = page.locator("#reject-dialog input[data-key='3']")
    reason = third.get_attribute("value")
    page.keyboard.press("3")
    assert third.is_checked()
    page.keyboard.press("Enter")
    page.locator("#reject-dialog").wait_for(state="hidden")
    gone(page, first[1])
    said(page, "Rifiutato")
    assert focused(page) == str(first[2])  # focus back on the queue after the chooser

    page.keyboard.press("j")
    assert current(page) == first[3]
    page.keyboard.press("f")  # featuring approves too
    gone(page, first[3])
    said(page, "In evidenza")

    page.keyboard.press("k")
    assert current(page) == first[2]
    page.keyboard.press("n")
    page.locator("#note-text").wait_for(state="visible")
    page.keyboard.type("Da citare nel recap")
    page.keyboard.press("Enter")
    said(page, "Nota salvata")
    page.locator(f".queue-item[data-id='{first[2]}'] .marker-note").wait_for()

    page.keyboard.press("s")  # the session chooser: 2 = the second session of the programme
    page.locator("#session-dialog").wait_for(state="visible")
    session = int(page.locator("#session-dialog input[data-key='2']").get_attribute("value"))
    page.keyboard.press("2")
    page.keyboard.press("Enter")
    said(page, "Collegato alla sessione")

    page.keyboard.press("t")  # to the approved tab, then back to pending with u
    page.wait_for_selector("#tab-approved[aria-selected='true']")
    for _ in range(5):
        if current(page) == first[0]:
            break
        page.keyboard.press("j")
    assert current(page) == first[0]
    page.keyboard.press("u")
    gone(page, first[0])
    said(page, "Rimesso in attesa")

    def landed():
        posts = listed(server)
        return posts if posts[first[0]]["state"] == "pending" else None

    posts = eventually(landed, "the last decision in the database")
    assert posts[first[1]]["state"] == "rejected" and posts[first[1]]["reason"] == reason
    assert posts[first[2]]["state"] == "pending"
    assert posts[first[2]]["note"] == "Da citare nel recap"
    assert posts[first[2]]["session_id"] == session
    assert posts[first[3]]["state"] == "approved" and posts[first[3]]["featured"] is True
    assert posts[first[4]]["state"] == "pending"
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "console-1280.png"))
    assert errors == []


def test_undo_reverts_my_last_decision(browser, server):
    # Needs the server's `undo` handler (docs/PROTOCOL.md).
    errors: list[str] = []
    page = open_console(browser, server, server.login_link(), errors)
    first = queue_ids(page, 2)
    page.keyboard.press("a")
    gone(page, first[0])
    page.keyboard.press("z")
    page.wait_for_selector(f".queue-item[data-id='{first[0]}']", timeout=5000)
    said(page, "Annullata")
    page.wait_for_selector(f".queue-item[data-id='{first[0]}'][aria-current]", timeout=5000)
    eventually(lambda: listed(server)[first[0]]["state"] == "pending", "the undo in the database")
    assert errors == []


def test_filters_narrow_the_queue_and_clear_in_one_action(browser, server):
    errors: list[str] = []
    page = open_console(browser, server, server.login_link(), errors)
    total = page.locator(".queue-item").count()

    page.keyboard.press("/")
    assert focused(page) == "f-text"
    page.keyboard.type("accessibilità")
    page.keyboard.press("Enter")  # back to the queue, the search stays
    page.wait_for_selector(f"#f-summary:has-text('di {total}')")
    rows = page.locator(".queue-item")
    found = rows.count()
    assert 0 < found < total
    assert all("accessibilita" in fold(rows.nth(i).inner_text()) for i in range(found))
    assert focused(page) == str(current(page))

    label = page.locator("#f-platform option[value='bluesky']").inner_text()
    bluesky = int(re.search(r"\((\d+)\)", label).group(1))  # the count says what it will show
    page.select_option("#f-platform", "bluesky")
    page.wait_for_selector(f"#f-summary:has-text('{bluesky} di {total}')")
    platforms = page.locator(".queue-item .platform").all_inner_texts()
    assert platforms and set(platforms) == {"Bluesky"}

    page.locator("#f-text").fill("")
    page.check("#f-media")
    with_media = int(re.search(r"\((\d+)\)", page.locator("[data-facet='media']").inner_text())
                     .group(1))
    page.wait_for_selector(f"#f-summary:has-text('{with_media} di {total}')")
    assert page.locator(".queue-item").count() == with_media
    assert page.locator(".queue-item:not(:has(.media img))").count() == 0

    page.keyboard.press("Escape")  # from the checkbox back to the queue…
    page.keyboard.press("Escape")  # …then clear every filter
    said(page, "Filtri azzerati")
    page.wait_for_selector("#f-summary:empty", state="attached")
    assert page.locator(".queue-item").count() == total
    assert page.locator("#f-platform").input_value() == ""
    assert not page.locator("#f-media").is_checked()

    page.select_option("#f-platform", "x")
    page.wait_for_selector("#f-summary:not(:empty)")
    page.click("#f-clear")  # the same in one click
    page.wait_for_selector("#f-summary:empty", state="attached")
    assert page.locator(".queue-item").count() == total

    # The lead renames a session (from another process): the session filter follows, no reload.
    store = Store(server.env["PIAZZA_DB"])
    sessions = store.get_event("pasocial-2026")["sessions"]
    sessions[0]["title"] = "Apertura (in diretta dalla sala B)"
    store.update_event("pasocial-2026", {"sessions": sessions}, "lead")
    store.close()
    page.locator("#f-session option:has-text('Apertura (in diretta dalla sala B)')").wait_for(
        state="attached", timeout=15000)
    assert errors == []


def test_bulk_approve_of_three_selected_posts(browser, server):
    # Needs bulk `decide` with `post_ids` (docs/PROTOCOL.md).
    errors: list[str] = []
    page = open_console(browser, server, server.login_link(), errors)
    first = queue_ids(page, 4)
    for key in ("x", "j", "x", "j", "x"):
        page.keyboard.press(key)
    assert page.locator(".queue-item.marked").count() == 3
    assert page.locator("#bulk-count").inner_text() == "3 post selezionati"
    page.keyboard.press("Shift+A")
    for post_id in first[:3]:
        gone(page, post_id)
    said(page, "Approvati 3 post")
    posts = eventually(lambda: (p := listed(server)) and all(
        p[i]["state"] == "approved" for i in first[:3]) and p, "three approvals")
    assert posts[first[3]]["state"] == "pending"
    assert page.locator("#bulk").is_hidden()
    assert errors == []


def test_another_editors_decision_moves_my_selection_on(browser, server):
    errors: list[str] = []
    marta = open_console(browser, server, server.login_link(), errors)
    luca = open_console(browser, server, second_editor_link(server), errors)
    luca.wait_for_selector("#presence:has-text('admin')")
    first = queue_ids(luca, 4)
    for page in (marta, luca):
        page.keyboard.press("j")
        page.keyboard.press("j")
    assert current(marta) == current(luca) == first[2]
    marta.keyboard.press("a")
    gone(luca, first[2])
    assert current(luca) == first[3]  # the next one, not the top of the queue
    assert focused(luca) == str(first[3])
    said(luca, "admin ha approvato il post che avevi selezionato")
    assert errors == []


def test_second_editor_sees_which_post_the_first_has_open(browser, server):
    # Needs `open_post` / `post_opened` (docs/PROTOCOL.md).
    errors: list[str] = []
    marta = open_console(browser, server, server.login_link(), errors,
                         viewport={"width": 1920, "height": 1080})
    luca = open_console(browser, server, second_editor_link(server), errors,
                        viewport={"width": 1920, "height": 1080})
    luca.wait_for_selector("#presence:has-text('admin')")
    marta.keyboard.press("j")
    marta.keyboard.press("j")
    chosen = current(marta)
    luca.wait_for_selector(
        f".queue-item[data-id='{chosen}'] .watching:has-text('admin sta guardando')", timeout=5000)
    marta.keyboard.press("j")  # she moves on: the mark follows her
    moved = current(marta)
    luca.wait_for_selector(f".queue-item[data-id='{moved}'] .watching:visible", timeout=5000)
    assert luca.locator(f".queue-item[data-id='{chosen}'] .watching").is_hidden()
    SHOTS.mkdir(exist_ok=True)
    luca.screenshot(path=str(SHOTS / "console-1920.png"))
    assert errors == []


def test_wall_control_from_one_console_shows_in_the_other(browser, server):
    # Needs `wall_control`, `announce`, `unannounce` and `wall_state` (docs/PROTOCOL.md).
    errors: list[str] = []
    marta = open_console(browser, server, server.login_link(), errors)
    luca = open_console(browser, server, second_editor_link(server), errors)
    luca.keyboard.press("w")
    luca.keyboard.press("Escape")  # open, and back to the queue

    marta.keyboard.press("w")  # the panel opens on its first control
    assert focused(marta) == "wall-pause"
    marta.keyboard.press("Enter")
    said(marta, "Wall in pausa")
    luca.wait_for_selector("#wall-summary:has-text('IN PAUSA')", timeout=5000)
    said(luca, "admin ha messo in pausa il wall")

    marta.check("input[name='layout'][value='column']")
    luca.wait_for_selector("#wall-summary:has-text('Colonna')", timeout=5000)
    assert luca.locator("input[name='layout'][value='column']").is_checked()
    marta.check("input[name='theme'][value='contrast']")
    luca.wait_for_selector("#wall-summary:has-text('Alto contrasto')", timeout=5000)

    marta.fill("#wall-message", "Un minuto di silenzio")
    marta.press("#wall-message", "Enter")
    luca.wait_for_selector("#wall-message-now:has-text('Un minuto di silenzio')", timeout=5000)

    marta.fill("#announce-text", "Pausa pranzo fino alle 14:30")
    marta.press("#announce-text", "Enter")
    luca.wait_for_selector("#announcements li:has-text('Pausa pranzo')", timeout=5000)
    luca.click("#announcements button[aria-label*='Pausa pranzo']")
    marta.wait_for_selector("#announcements li:has-text('Pausa pranzo')", state="detached",
                            timeout=5000)
    luca.click("#wall-pause")  # resume and take the message down, from the other console
    luca.click("#wall-message-clear")
    marta.wait_for_selector("#wall-summary:has-text('in onda')", timeout=5000)
    assert errors == []


def test_rules_page_saves_and_a_reload_shows_the_saved_values(browser, server):
    # Needs GET/PUT /api/events/SLUG/rules (docs/PROTOCOL.md).
    errors: list[str] = []
    admin = open_page(browser, server.login_link(), errors)
    admin.goto(f"{server.base}/e/{SLUG}/rules")
    admin.locator("#rules-form").wait_for(state="visible", timeout=5000)

    admin.fill("#trusted", "@ufficiostampa@social.example\ncomune.bsky.social")
    admin.fill("#blocked", "truffa\n/(compra/i")
    save = admin.locator("#rules-form button[type='submit']")
    save.click()  # a broken expression is refused with its line
    admin.locator("#error-summary").wait_for(state="visible")
    assert admin.locator("#blocked").get_attribute("aria-invalid") == "true"
    assert "Riga 2" in admin.locator("#blocked-error").inner_text()
    admin.fill("#blocked", "truffa\n/\\bcompra\\s+follower/i")

    admin.check("input[name='hide_reposts']")
    admin.fill("#ban-handle", "@spam@x.example")
    admin.fill("#ban-reason", "spam ripetuto")
    admin.press("#ban-handle", "Enter")
    admin.wait_for_selector("#banned-rows tr:has-text('@spam@x.example')")
    admin.fill("#reason-0", "Insulti, minacce o molestie")
    admin.fill("#reason-new", "Propaganda elettorale")
    admin.press("#reason-new", "Enter")
    save.click()
    admin.wait_for_selector("#save-result:has-text('Regole salvate')", timeout=5000)
    assert admin.locator("#error-summary").is_hidden()

    admin.reload()
    admin.locator("#rules-form").wait_for(state="visible", timeout=5000)
    assert admin.locator("#trusted").input_value() == (
        "@ufficiostampa@social.example\ncomune.bsky.social")
    assert admin.locator("#blocked").input_value() == "truffa\n/\\bcompra\\s+follower/i"
    assert admin.locator("input[name='hide_reposts']").is_checked()
    assert not admin.locator("input[name='hide_replies']").is_checked()
    row = admin.locator("#banned-rows tr:has-text('@spam@x.example')")
    assert "spam ripetuto" in row.inner_text() and "admin" in row.inner_text()
    assert admin.locator("#reason-0").input_value() == "Insulti, minacce o molestie"
    labels = admin.locator("#reasons-rows input")
    assert labels.nth(labels.count() - 1).input_value() == "Propaganda elettorale"

    # An editor reads the same rules and cannot change them; the console rejects with them.
    luca = open_page(browser, second_editor_link(server), errors)
    luca.goto(f"{server.base}/e/{SLUG}/rules")
    luca.locator("#rules-view").wait_for(state="visible", timeout=5000)
    assert luca.locator("#rules-form").count() == 0
    assert "@spam@x.example" in luca.locator("#v-banned-rows").inner_text()
    assert "Propaganda elettorale" in luca.locator("#v-reasons-list").inner_text()
    luca.goto(f"{server.base}/e/{SLUG}/console")
    luca.wait_for_selector(LIVE, timeout=15000)
    luca.locator(".queue-item").first.wait_for()
    luca.wait_for_selector("#reject-reasons label:has-text('Propaganda elettorale')",
                           state="attached")
    luca.keyboard.press("r")
    assert luca.locator("#reject-reasons label").first.inner_text().endswith(
        "Insulti, minacce o molestie")
    luca.keyboard.press("Escape")
    assert errors == []


def test_console_and_rules_have_no_serious_accessibility_violations(browser, server):
    axe = pytest.importorskip("axe_playwright_python.sync_playwright")
    errors: list[str] = []
    page = open_console(browser, server, server.login_link(), errors)
    page.keyboard.press("w")  # the wall panel open, so its controls are checked too
    serious = []
    for where in ("console", "reject chooser", "rules"):
        if where == "reject chooser":
            page.keyboard.press("Escape")
            page.keyboard.press("r")
            page.locator("#reject-dialog").wait_for(state="visible")
        if where == "rules":
            page.keyboard.press("Escape")
            page.goto(f"{server.base}/e/{SLUG}/rules")
            page.wait_for_selector("#rules-form:visible, #rules-status:has-text('Non riesco')")
        results = axe.Axe().run(page)
        serious += [f"{where}: {v['id']}: {v['help']}" for v in results.response["violations"]
                    if v["impact"] in ("serious", "critical")]
    assert serious == []
    assert errors == []
