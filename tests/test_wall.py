"""The wall and its embed in Debian's Chromium: header, layouts, themes, wall control, pause."""

from __future__ import annotations

import http.server
import re
import socketserver
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from datetime import datetime, timedelta

import httpx
import pytest

from coverage.store import Store

from .livesrv import ROOT, Server

pytestmark = pytest.mark.browser
SLUG = "pasocial-2026"
SHOTS = ROOT / "test-results"
LIVE = "#status:has-text('In diretta')"




def open_wall(browser, url: str, errors: list[str], at: str | None = None, **context):
    """A page on `url` that records console errors (CSP violations among them)."""
    page = browser.new_context(**context).new_page()
    page.on("pageerror", lambda exc: errors.append(f"{url}: {exc}"))
    page.on("console", lambda msg: errors.append(f"{url}: {msg.text}")
            if msg.type == "error" else None)
    if at:
        page.clock.set_fixed_time(at)  # the programme's day, whatever today is
    page.goto(url)
    return page


def cli(server: Server, *args: str) -> str:
    """A flask command on the server's database, as a lead would type it."""
    return subprocess.run([sys.executable, "-m", "flask", "--app", "app", *args], cwd=ROOT,
                          env=server.env, capture_output=True, text=True, check=True).stdout


def pending_ids(server: Server, n: int) -> list[int]:
    """Ids of n posts waiting in the queue (the demo arrives within a collector round)."""
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        out = cli(server, "posts", "list", SLUG, "--state", "pending", "--limit", str(n),
                  "--json")
        ids = [int(i) for i in re.findall(r'"id": (\d+)', out)]
        if len(ids) >= n:
            return ids[:n]
        time.sleep(0.2)
    raise AssertionError("the demo posts never reached the queue")


class Editor:
    """An editor's console socket (python-socketio), for decisions and wall control."""

    def __init__(self, server: Server) -> None:
        socketio = pytest.importorskip("socketio")
        cookie = server.session_cookie()
        self.api = httpx.Client(base_url=server.base, cookies={"session": cookie})
        self.sio = socketio.Client(reconnection=False)
        self.sio.connect(server.base, namespaces=["/console"], transports=["websocket"],
                         headers={"Cookie": f"session={cookie}"}, auth={"event": SLUG})

    def call(self, event: str, data: dict) -> dict:
        ack = self.sio.call(event, data, namespace="/console", timeout=10)
        assert ack["ok"], ack
        return ack

    def pending(self, n: int) -> list[int]:
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            posts = self.api.get(f"/api/events/{SLUG}/posts",
                                 params={"state": "pending", "limit": 60}).json()
            if len(posts) >= n:
                return [p["id"] for p in posts[:n]]
            time.sleep(0.2)
        raise AssertionError("the demo posts never reached the queue")

    def close(self) -> None:
        self.sio.disconnect()
        self.api.close()


@contextmanager
def editor(server: Server):
    person = Editor(server)
    try:
        yield person
    finally:
        person.close()


@pytest.fixture
def event_site(server):
    """The event's own web site, on another origin (localhost, not 127.0.0.1): `/PAGE` is a
    page that frames the server's `/e/SLUG/PAGE`, as the README's snippet does."""
    class Page(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = (f'<!doctype html><html lang="it"><title>Evento</title><iframe src="'
                    f'{server.base}/e/{SLUG}{self.path}" title="Post in diretta" width="880" '
                    f'height="860"></iframe></html>').encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    site = socketserver.TCPServer(("127.0.0.1", 0), Page)
    threading.Thread(target=site.serve_forever, daemon=True).start()
    yield f"http://localhost:{site.server_address[1]}"
    site.shutdown()
    site.server_close()


def post(page_or_frame, post_id: int, where: str = ""):
    return page_or_frame.locator(f"{where} article.post[data-id='{post_id}']".strip())


def at_event_time(browser, url: str, errors: list[str], moment: str, **context):
    """The wall opened when the event's clock (the viewer's clock + the page's
    data-clock-offset, which a replayed day sets) reads `moment`."""
    probe = open_wall(browser, url, errors)
    offset = float(probe.locator("body").get_attribute("data-clock-offset"))
    probe.context.close()
    viewer = datetime.fromisoformat(moment) - timedelta(seconds=offset)
    return open_wall(browser, url, errors, at=viewer.isoformat(), **context)


def test_header_shows_the_session_on_stage_and_an_inline_qr_code(browser, server):
    errors: list[str] = []
    requests: list[str] = []
    url = f"{server.base}/e/{SLUG}/wall"
    pending_ids(server, 1)  # the replay has started: its clock sets the page's offset
    # 10:10 in Valdoria: the keynote (09:00-09:45 UTC) is on stage.
    wall = at_event_time(browser, url, errors, "2026-11-19T09:10:00+00:00",
                         viewport={"width": 1920, "height": 1080})
    wall.on("request", lambda r: requests.append(r.url))
    wall.reload()
    wall.wait_for_selector(LIVE, timeout=15000)
    assert wall.locator("body").get_attribute("data-clock-offset") != "0"
    assert wall.locator("#session-label").text_content() == "In sala ora"
    title = wall.locator("#session-title").inner_text()
    assert title == "Keynote: Il servizio pubblico abita nel feed"
    who = wall.locator("#session-who").inner_text()
    assert "Giulia Ferri" in who and "Sala grande" in who
    assert wall.locator("#session-when").inner_text() == "10:00–10:45"


    # The QR code is SVG in the page itself, to the event's own page, with its caption.
    qr = wall.locator(".wall-qr svg.qr-code")
    assert qr.count() == 1 and qr.get_attribute("role") == "img"
    assert "pasocial.example/2026" in qr.locator("title").text_content()
    assert "pasocial.example/2026" in wall.locator(".wall-qr figcaption").inner_text()
    assert wall.locator(".wall-qr img").count() == 0
    assert all(url.startswith(server.base) for url in requests), requests  # nothing external

    # Between two sessions the header says what comes next.
    between = at_event_time(browser, url, errors, "2026-11-19T09:50:00+00:00")
    between.wait_for_selector(LIVE, timeout=15000)
    assert between.locator("#session-label").text_content() == "A seguire"
    assert between.locator("#session-title").inner_text() == "Social media policy negli enti"

    # The keynote overruns by a quarter of an hour: the lead edits the programme (here from
    # another process, on the same database) and the wall, open between two sessions, shows
    # the keynote still on stage without a reload.
    store = Store(server.env["PIAZZA_DB"])
    sessions = store.get_event(SLUG)["sessions"]
    keynote = next(s for s in sessions if s["title"] == title)
    keynote["ends_at"] = "2026-11-19T10:00:00Z"
    keynote["title"] = "Keynote (in ritardo): Il servizio pubblico abita nel feed"
    store.update_event(SLUG, {"sessions": sessions}, "lead")
    store.close()
    between.locator("#session-title:has-text('Keynote (in ritardo)')").wait_for(timeout=15000)
    assert between.locator("#session-label").text_content() == "In sala ora"
    assert between.locator("#session-when").inner_text() == "10:00–11:00"
    assert errors == []


def test_embed_is_frameable_by_any_site_and_the_wall_is_not(browser, server, event_site):
    embed = httpx.get(f"{server.base}/e/{SLUG}/embed")
    assert "frame-ancestors *" in embed.headers["Content-Security-Policy"]
    assert "script-src 'self'" in embed.headers["Content-Security-Policy"]
    assert "X-Frame-Options" not in embed.headers
    assert 'class="qr-code"' not in embed.text  # the reader is already on the event's page
    wall = httpx.get(f"{server.base}/e/{SLUG}/wall")
    assert wall.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in wall.headers["Content-Security-Policy"]

    errors: list[str] = []
    framed = open_wall(browser, f"{event_site}/embed", errors)
    framed.frame_locator("iframe").locator(LIVE).wait_for(timeout=15000)
    refused = open_wall(browser, f"{event_site}/wall", [])
    refused.wait_for_timeout(500)
    assert refused.frame_locator("iframe").locator("#status").count() == 0
    assert errors == []


def test_reader_pause_in_a_framed_embed_holds_new_posts_but_not_removals(browser, server,
                                                                          event_site):
    errors: list[str] = []
    shown, held = pending_ids(server, 2)
    cli(server, "posts", "decide", SLUG, str(shown), "approve")

    page = open_wall(browser, f"{event_site}/embed", errors,
                     viewport={"width": 900, "height": 900})
    frame = page.frame_locator("iframe")
    frame.locator(LIVE).wait_for(timeout=15000)
    post(frame, shown).wait_for(timeout=10000)
    assert "theme-light" in frame.locator("body").get_attribute("class")

    button = frame.get_by_role("button", name="Metti in pausa")
    button.focus()
    ring = button.evaluate("(b) => parseFloat(getComputedStyle(b).outlineWidth)")
    assert ring >= 3  # a visible focus ring
    button.click()
    assert frame.get_by_role("button", name="Riprendi").is_visible()
    assert frame.locator("#paused-note").is_visible()

    # Approved, then the shown one taken down: the removal applies at once (and, the
    # messages being in order, the approval has arrived by then), the new post waits.
    cli(server, "posts", "decide", SLUG, str(held), "approve")
    cli(server, "posts", "decide", SLUG, str(shown), "reject", "--reason", "spam")
    post(frame, shown).wait_for(state="detached", timeout=10000)
    assert post(frame, held).count() == 0

    frame.get_by_role("button", name="Riprendi").click()
    post(frame, held).wait_for(timeout=5000)
    assert post(frame, shown).count() == 0
    assert errors == []


def test_editors_pause_blank_message_and_theme_reach_the_wall(browser, server):
    errors: list[str] = []
    with editor(server) as marta:
        first, second = marta.pending(2)
        marta.call("decide", {"post_id": first, "action": "approve"})
        wall = open_wall(browser, f"{server.base}/e/{SLUG}/wall", errors,
                         viewport={"width": 1920, "height": 1080})
        post(wall, first).wait_for(timeout=15000)

        marta.call("wall_control", {"paused": True})
        wall.wait_for_selector("body.is-paused", state="attached", timeout=5000)
        marta.call("decide", {"post_id": second, "action": "approve"})
        marta.call("decide", {"post_id": first, "action": "reject", "reason": "spam"})
        post(wall, first).wait_for(state="detached", timeout=5000)
        assert post(wall, second).count() == 0
        marta.call("wall_control", {"paused": False})
        post(wall, second).wait_for(timeout=5000)

        marta.call("wall_control", {"blank": True})
        wall.wait_for_selector("body.is-blank", state="attached", timeout=5000)
        assert wall.locator("h1").is_visible()
        for hidden in ("main", ".wall-qr", "#session", "#status"):
            assert not wall.locator(hidden).is_visible(), hidden
        marta.call("wall_control", {"blank": False})
        post(wall, second).wait_for(timeout=5000)

        marta.call("wall_control", {"message": "Si riprende alle 14:30"})
        message = wall.locator("#message")
        message.wait_for(timeout=5000)
        assert message.inner_text().endswith("Si riprende alle 14:30")
        box = message.bounding_box()
        assert box["width"] == 1920 and box["height"] == 1080  # over everything
        assert wall.locator("main").evaluate("(m) => m.inert")
        marta.call("wall_control", {"message": ""})
        message.wait_for(state="hidden", timeout=5000)

        marta.call("wall_control", {"theme": "contrast"})
        wall.wait_for_selector("body.theme-contrast", state="attached", timeout=5000)
        colours = post(wall, second).evaluate(
            "(c) => [getComputedStyle(c).color, getComputedStyle(c).backgroundColor]")
        assert colours == ["rgb(255, 255, 255)", "rgb(0, 0, 0)"]
    assert errors == []


def test_each_layout_renders(browser, server):
    errors: list[str] = []
    SHOTS.mkdir(exist_ok=True)
    with editor(server) as marta:
        pinned, featured, plain, later = marta.pending(4)
        marta.call("decide", {"post_ids": [pinned, featured, plain, later], "action": "approve"})
        marta.call("decide", {"post_id": pinned, "action": "pin"})
        marta.call("decide", {"post_id": featured, "action": "feature"})
        wall = open_wall(browser, f"{server.base}/e/{SLUG}/wall", errors,
                         viewport={"width": 1920, "height": 1080})
        post(wall, plain).wait_for(timeout=15000)

        # grid: the pinned post on top, the rest in columns
        assert "layout-grid" in wall.locator("body").get_attribute("class")
        assert post(wall, pinned, "#lead").count() == 1
        assert wall.locator("#posts .wall-col").count() == 3
        assert post(wall, featured, "#posts").count() == 1
        wall.screenshot(path=str(SHOTS / "wall-grid.png"))

        marta.call("wall_control", {"layout": "column"})
        wall.wait_for_selector("body.layout-column", state="attached", timeout=5000)
        assert wall.locator("#posts .wall-col").count() == 1
        assert post(wall, pinned, "#lead").count() == 1
        assert post(wall, plain, "#posts").is_visible()
        wall.screenshot(path=str(SHOTS / "wall-column.png"))

        # spotlight: the featured post beats the pinned one; the others go to the rail
        marta.call("wall_control", {"layout": "spotlight"})
        wall.wait_for_selector("body.layout-spotlight", state="attached", timeout=5000)
        post(wall, featured, "#lead").wait_for(timeout=5000)
        assert post(wall, pinned, "#posts").count() == 1
        lead = wall.locator("#lead").bounding_box()
        rail = wall.locator("#posts").bounding_box()
        assert lead["width"] > 2 * rail["width"] and rail["x"] > lead["x"] + lead["width"]
        wall.screenshot(path=str(SHOTS / "wall-spotlight.png"))
        # the most recently featured post takes the spotlight
        marta.call("decide", {"post_id": later, "action": "feature"})
        post(wall, later, "#lead").wait_for(timeout=5000)
        assert post(wall, featured, "#posts").count() == 1
    assert errors == []


def test_type_reads_from_the_back_of_the_hall_and_4k_looks_the_same(browser, server):
    errors: list[str] = []
    (shown,) = pending_ids(server, 1)
    cli(server, "posts", "decide", SLUG, str(shown), "approve")
    sizes = {}
    for width, height in ((1920, 1080), (3840, 2160)):
        wall = open_wall(browser, f"{server.base}/e/{SLUG}/wall", errors,
                         viewport={"width": width, "height": height})
        card = post(wall, shown)
        card.wait_for(timeout=15000)
        sizes[width] = card.evaluate(
            "(c) => ['.post-text', '.name'].map((s) =>"
            " parseFloat(getComputedStyle(c.querySelector(s)).fontSize))")
        wall.screenshot(path=str(SHOTS / f"wall-{width}.png"))
    text, name = sizes[1920]
    assert text >= 28 and name >= 32
    assert sizes[3840] == pytest.approx([2 * text, 2 * name], rel=0.02)
    assert errors == []


def test_motion_is_calm_and_none_when_reduced(browser, server):
    errors: list[str] = []
    with editor(server) as marta:
        (first,) = marta.pending(1)
        for text in ("Pausa pranzo dalle 13:30 alle 14:30 nel chiostro",
                     "Le slide di tutti gli interventi saranno sul sito dell'evento entro venerdì",
                     "Wi-Fi: rete PASOCIAL, password comunicazione2026"):
            marta.call("announce", {"text": text})
        calm = open_wall(browser, f"{server.base}/e/{SLUG}/wall", errors,
                         viewport={"width": 1920, "height": 1080})
        still = open_wall(browser, f"{server.base}/e/{SLUG}/wall", errors,
                          viewport={"width": 1920, "height": 1080}, reduced_motion="reduce")
        for page in (calm, still):
            page.wait_for_selector(LIVE, timeout=15000)
        marta.call("decide", {"post_id": first, "action": "approve"})
        for page in (calm, still):
            post(page, first).wait_for(timeout=5000)

        # Calm: a post fades in within 400 ms (read on a twin: the real one may be done by
        # now); the ticker scrolls at a reading pace.
        fade = post(calm, first).evaluate(
            "(c) => { const twin = c.cloneNode(true); twin.classList.add('arriving');"
            " c.after(twin); const s = getComputedStyle(twin);"
            " const found = [s.animationName, s.animationDuration]; twin.remove(); return found; }")
        assert fade[0] == "arrive" and float(fade[1].rstrip("s")) <= 0.4
        calm.wait_for_selector(".ticker-track.scrolling", state="attached", timeout=5000)
        pace = calm.locator(".ticker-track").evaluate(
            "(t) => t.scrollWidth / 2 / parseFloat(getComputedStyle(t).animationDuration)")
        assert 40 <= pace <= 150  # pixels a second at 1080p

        # Reduced motion: nothing moves; the ticker is a static list, read once.
        assert post(still, first).evaluate(
            "(c) => { const twin = c.cloneNode(true); twin.classList.add('arriving');"
            " c.after(twin); const name = getComputedStyle(twin).animationName; twin.remove();"
            " return name; }") == "none"
        track = still.locator(".ticker-track")
        assert track.evaluate("(t) => getComputedStyle(t).animationName") == "none"
        assert track.locator("li").count() == 3
        assert track.locator("li[aria-hidden]").count() == 0
        assert still.locator("#ticker").is_visible()
    assert errors == []


def serious_violations(page, where: str) -> list[str]:
    """axe-core's serious and critical findings on the page as it stands."""
    axe = pytest.importorskip("axe_playwright_python.sync_playwright")
    page.wait_for_timeout(450)  # fades (≤ 400 ms) settled: axe reads colours as they stay
    return [f"{where}: {v['id']}: {v['help']} {[n['target'] for n in v['nodes']]}"
            for v in axe.Axe().run(page).response["violations"]
            if v["impact"] in ("serious", "critical")]


def test_wall_has_no_serious_accessibility_violations(browser, server):
    errors: list[str] = []
    serious: list[str] = []
    with editor(server) as marta:
        ids = marta.pending(6)
        marta.call("decide", {"post_ids": ids, "action": "approve"})
        marta.call("decide", {"post_id": ids[0], "action": "pin"})
        marta.call("decide", {"post_id": ids[1], "action": "feature"})
        marta.call("announce", {"text": "Pausa pranzo dalle 13:30 alle 14:30"})
        wall = open_wall(browser, f"{server.base}/e/{SLUG}/wall", errors,
                         at="2026-11-19T09:10:00Z", viewport={"width": 1920, "height": 1080})
        post(wall, ids[5]).wait_for(timeout=15000)
        for layout, theme in (("grid", "dark"), ("column", "light"), ("spotlight", "contrast")):
            marta.call("wall_control", {"layout": layout, "theme": theme})
            wall.wait_for_selector(f"body.layout-{layout}.theme-{theme}", state="attached",
                                   timeout=5000)
            serious += serious_violations(wall, f"{layout} {theme}")
        marta.call("wall_control", {"message": "Si riprende alle 14:30"})
        wall.locator("#message").wait_for(timeout=5000)
        serious += serious_violations(wall, "message")
    assert serious == []
    assert errors == []


def test_embed_has_no_serious_accessibility_violations(browser, server):
    errors: list[str] = []
    with editor(server) as marta:
        ids = marta.pending(4)
        marta.call("decide", {"post_ids": ids, "action": "approve"})
        marta.call("decide", {"post_id": ids[0], "action": "pin"})
        marta.call("announce", {"text": "Pausa pranzo dalle 13:30 alle 14:30"})
    embed = open_wall(browser, f"{server.base}/e/{SLUG}/embed", errors,
                      at="2026-11-19T09:10:00Z", viewport={"width": 800, "height": 900})
    post(embed, ids[3]).wait_for(timeout=15000)
    serious = serious_violations(embed, "embed")
    embed.get_by_role("button", name="Metti in pausa").click()
    serious += serious_violations(embed, "embed paused")
    contrast = open_wall(browser, f"{server.base}/e/{SLUG}/embed?theme=contrast", errors,
                         viewport={"width": 400, "height": 800})
    post(contrast, ids[3]).wait_for(timeout=15000)
    serious += serious_violations(contrast, "embed contrast, narrow")
    assert serious == []
    assert errors == []
