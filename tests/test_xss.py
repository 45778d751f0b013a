"""The XSS corpus in every field of a post from every platform, rendered in Debian's Chromium.

Each payload of `payloads()` (≥ 1,000) goes into at least one shown text or HTML field of a
native payload of every platform, and each value of `url_payloads()` into every URL field
(tests/xss_posts.py); the real normalizers turn them into posts, a real store keeps them, the
editors approve them, and the real server shows them on the wall (grid; column and spotlight
once), in the console, in the recap builder's preview and on the figures page, in events of at
most 60 posts each (what a wall shows). The exported recap is opened from disk, as a page and as
the ZIP bundle's page (its pictures kept beside it).

On every page: no dialog; no call of alert, confirm, prompt, print, open or document.write; no
CSP violation of script-src (a blocked injection still means markup got in) nor any other but
img-src/media-src; no on* attribute anywhere (the recap's inert <template> embeds included); no
<script>, <link> or <style> but the page's own; no frame, object, embed, base or http-equiv meta;
every href/src/action/formaction/xlink:href/srcset/data/poster/ping http(s) or a same-origin path
(a local path for the recap on disk); the posts' own HTML within the sanitizer's allowlist; no
foreign script, stylesheet or document requested. A sample of cards then gets synthetic events
on every element and a real mouse on its links, pictures and disclosures, and everything is
checked again.
"""

from __future__ import annotations

import io
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from coverage.recap import bundle as bundle_module
from coverage.recap import export_recap
from coverage.store import Store

from .livesrv import ROOT, Server
from .xss_corpus import payloads, url_payloads
from .xss_posts import Built, build

pytestmark = pytest.mark.browser
PER_EVENT = 60  # the most a wall shows
PLATFORMS = ("mastodon", "bluesky", "x", "rss")
SAMPLE = 20  # cards whose every element gets synthetic events (a real mouse on the first 5)
LOADER = (ROOT / "templates" / "recap" / "embeds.js").read_text(encoding="utf-8")
LIVE = "#status:has-text('In diretta')"
ALLOWED_CSP = ("img-src", "media-src")  # remote http:// pictures, refused by design

INIT = """(() => {
  if (window.__xss) return;
  const log = [];
  Object.defineProperty(window, "__xss", { value: log });
  const note = (kind, detail) => log.push({ kind, detail: String(detail).slice(0, 300) });
  for (const name of ["alert", "confirm", "prompt", "print", "open"]) {
    window[name] = function (...args) { note(name, args.join(" ")); return null; };
  }
  for (const name of ["write", "writeln"]) {
    Document.prototype[name] = function (...args) { note(`document.${name}`, args.join("")); };
  }
  document.addEventListener("securitypolicyviolation", (e) => log.push({
    kind: "csp", directive: e.violatedDirective,
    detail: `${e.violatedDirective} ${e.blockedURI} ${e.sample || ""}`.slice(0, 300) }), true);
  // Clicking the sample must not leave the page: stop navigation, never the handlers.
  window.addEventListener("click", (e) => {
    if (e.target && e.target.closest && e.target.closest("a[href], area[href]")) e.preventDefault();
  }, true);
  window.addEventListener("submit", (e) => e.preventDefault(), true);
})();"""

CHECK = r"""(opts) => {
  const problems = [];
  const onDisk = location.protocol === "file:";
  const URL_ATTRS = ["href", "src", "action", "formaction", "xlink:href", "srcset", "data",
    "poster", "background", "ping", "imagesrcset", "lowsrc", "dynsrc"];
  const POST_TAGS = new Set(["p", "br", "span", "a", "del", "pre", "blockquote", "code", "b",
    "strong", "u", "i", "em", "ul", "ol", "li"]);
  const POST_ATTRS = new Set(["href", "rel", "class", "tabindex"]);
  const FORBIDDEN = new Set(["iframe", "frame", "frameset", "object", "embed", "base", "applet",
    "portal", "fencedframe"]);
  const where = (el, host) => {
    const card = host || el.closest("article, .queue-item, .recap-post");
    const id = card ? (card.dataset.id || card.id) : "";
    const html = (el.outerHTML || el.nodeName).replace(/\s+/g, " ").slice(0, 400);
    return `${id ? `[card ${id}] ` : ""}${html}`;
  };
  const okUrl = (raw) => {
    // As the URL parser reads it: tabs and newlines dropped, C0 controls and spaces trimmed.
    const v = raw.replace(/[\t\n\r]/g, "").replace(/^[\u0000-\u0020]+|[\u0000-\u0020]+$/g, "");
    if (/^[a-z][a-z0-9+.\-]*:/i.test(v)) {
      try { return ["http:", "https:"].includes(new URL(v).protocol); } catch { return false; }
    }
    if (/^[\\/]{2}/.test(v)) return false; // scheme-relative: another host
    let u;
    try { u = new URL(v, document.baseURI); } catch { return false; }
    return onDisk ? u.protocol === "file:" && u.host === "" : u.origin === location.origin;
  };
  // The recap's embeds wait in <template>s: inert until a reader opens one, then live.
  const roots = [{ root: document, inTemplate: false, host: null }];
  for (let i = 0; i < roots.length; i++) {
    for (const t of roots[i].root.querySelectorAll("template")) {
      const host = roots[i].host || t.closest("article");
      roots.push({ root: t.content, inTemplate: true, host });
    }
  }
  let loaders = 0, styles = 0;
  const data = new Set(); // the page's own JSON: translations, programme, reasons, once each
  const opened = [...document.querySelectorAll("details.piazza-native[data-piazza-shown]")]
    .map((d) => d.getAttribute("data-piazza-script"));
  for (const { root, inTemplate, host } of roots) {
    const flag = (what, el) => problems.push(`${what}: ${where(el, host)}`);
    for (const el of root.querySelectorAll("*")) {
      const tag = el.localName.toLowerCase();
      for (const attr of el.attributes) {
        const name = attr.name.toLowerCase();
        if (name.startsWith("on")) flag(`on* attribute ${name}`, el);
        if (URL_ATTRS.includes(name) || attr.localName.toLowerCase() === "href") {
          const values = name.endsWith("srcset")
            ? attr.value.split(",").map((s) => s.trim().split(/\s+/)[0]) : [attr.value];
          for (const v of values) {
            if (!okUrl(v)) flag(`${name}=${JSON.stringify(attr.value)}`, el);
          }
        }
      }
      if (FORBIDDEN.has(tag)) flag(`<${tag}>`, el);
      if (tag === "meta" && el.hasAttribute("http-equiv")) {
        flag(`meta http-equiv`, el);
      }
      if (tag === "script") {
        const loader = !el.hasAttribute("src") && el.textContent.trim() === opts.loader.trim();
        // A reader who opens an embed gets the platform's script the recap names for it.
        const embed = el.hasAttribute("src") && el.parentElement === document.body
          && opened.includes(el.getAttribute("src"));
        const own = inTemplate ? false : onDisk ? (loader && ++loaders === 1) || embed
          : (el.hasAttribute("src") && new URL(el.src).origin === location.origin
             && new URL(el.src).pathname.startsWith("/static/"))
            || (el.type === "application/json"
                && ["piazza-i18n", "programme", "reasons"].includes(el.id)
                && !el.closest("article, .queue-item") && !data.has(el.id) && !!data.add(el.id));
        if (!own) flag(`script not the page's own`, el);
      }
      if (tag === "link") {
        const own = !onDisk && !inTemplate && el.parentElement === document.head
          && new URL(el.href).origin === location.origin
          && new URL(el.href).pathname.startsWith("/static/");
        if (!own) flag(`link not the page's own`, el);
      }
      if (tag === "style") {
        const own = onDisk && !inTemplate && el.parentElement === document.head && ++styles === 1;
        if (!own) flag(`style not the page's own`, el);
      }
      // Inside a post's own HTML (and the recap's embed blockquotes): the sanitizer's allowlist.
      const parent = el.parentElement;
      if (parent && parent.closest(inTemplate ? "blockquote"
        : ".post-text, .piazza-text, .piazza-native blockquote")) {
        if (!POST_TAGS.has(tag)) flag(`<${tag}> in post HTML`, el);
        for (const attr of el.attributes) {
          if (!POST_ATTRS.has(attr.name.toLowerCase())) {
            flag(`attribute ${attr.name} in post HTML`, el);
          }
        }
      }
    }
  }
  return problems;
}"""

POKE = """(opts) => {
  // Synthetic events on every element of the first cards: inline handlers run for these too.
  const types = ["pointerover", "pointerenter", "mouseover", "mouseenter", "mousemove",
    "pointerdown", "mousedown", "focus", "focusin", "pointerup", "mouseup", "click", "dblclick",
    "auxclick", "contextmenu", "mouseout", "mouseleave", "pointerleave", "blur", "focusout",
    "animationstart", "animationend", "transitionend", "toggle", "load", "error", "wheel",
    "scroll", "input", "change", "copy", "drag", "dragstart", "touchstart", "begin"];
  const cards = [...document.querySelectorAll(opts.selector)].slice(0, opts.count);
  let fired = 0;
  for (const card of cards) {
    for (const el of [card, ...card.querySelectorAll("*")]) {
      for (const type of types) {
        el.dispatchEvent(new Event(type, { bubbles: false, cancelable: true }));
        fired += 1;
      }
    }
  }
  return fired;
}"""


AIM = """(opts) => {
  // One card in view; its first links, pictures and disclosures (the recap's embeds) focused,
  // and where the mouse should go.
  const card = document.querySelectorAll(opts.selector)[opts.index];
  if (!card) return [];
  card.scrollIntoView({ block: "center" });
  const points = [];
  for (const el of [...card.querySelectorAll("a[href], img, summary")].slice(0, 5)) {
    el.focus({ preventScroll: true });
    const r = el.getBoundingClientRect();
    const x = r.left + r.width / 2, y = r.top + r.height / 2;
    if (r.width && r.height && x > 0 && y > 0 && x < innerWidth && y < innerHeight) {
      points.push([x, y]);
    }
  }
  return points;
}"""


OPENED = """() => [...document.querySelectorAll("details.piazza-native[data-piazza-shown]")]
  .map((d) => d.getAttribute("data-piazza-script"))"""


@dataclass
class Event:
    slug: str
    posts: int
    recap: Path | None = None
    bundle: Path | None = None


@dataclass
class World:
    base: str
    login: str
    events: list[Event]
    built: dict[str, Built]
    db: Path
    remote_ids: dict[int, str] = field(default_factory=dict)  # post id -> platform:remote id


def png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 40, 40)).save(out, "PNG")
    return out.getvalue()


PNG = png()


def media_host(request: httpx.Request) -> httpx.Response:
    """The one image host of the payloads: every other address answers 404."""
    if request.url.host == "media.example":
        return httpx.Response(200, headers={"content-type": "image/png"}, content=PNG)
    return httpx.Response(404)


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("xss")
    built = {platform: build(platform) for platform in PLATFORMS}
    store = Store(tmp / "piazza.db")
    events: list[Event] = []
    remote_ids: dict[int, str] = {}
    everything = [post for platform in PLATFORMS for post in built[platform].posts]
    for number, start in enumerate(range(0, len(everything), PER_EVENT), 1):
        slug = f"xss-{number}"
        store.create_event({
            "slug": slug, "name": f"XSS {number}", "hashtags": ["xss"],
            "starts_at": "2026-11-19T08:00:00Z", "ends_at": "2026-11-19T17:00:00Z",
            "sessions": [{"key": "s1", "title": "Mattina", "starts_at": "2026-11-19T08:00:00Z",
                          "ends_at": "2026-11-19T12:00:00Z"}]})
        chunk = everything[start:start + PER_EVENT]
        ids = []
        for platform in PLATFORMS:  # one source per platform, as an event has
            posts = [post for post in chunk if post.platform == platform]
            if not posts:
                continue
            source = store.add_source(slug, platform, {}, name=f"xss {platform}")
            result = store.ingest(source["id"], posts, {})
            assert len(result.new) == len(posts), (slug, platform, result)
            for post_id, post in zip(result.new, posts, strict=True):
                store.decide(slug, post_id, "approve", "redazione")
                remote_ids[post_id] = f"{post.platform}:{post.remote_id}"
            ids += result.new
        # One pinned and one featured post: the wall's lead and the recap's first places.
        store.decide(slug, ids[0], "pin", "redazione")
        store.decide(slug, ids[-1], "feature", "redazione")
        events.append(Event(slug, len(chunk)))

    exports = tmp / "exports"
    client = httpx.Client(transport=httpx.MockTransport(media_host))
    with pytest.MonkeyPatch.context() as patch:
        # Any host resolves to a public address: the guard then lets the mock answer.
        patch.setattr(bundle_module, "system_resolver", lambda host: ["93.184.216.34"])
        for event in events:
            (event.recap, _fragment) = export_recap(store, event.slug, "html", exports)
            (archive,) = export_recap(store, event.slug, "zip", exports, client=client)
            folder = tmp / "bundles"
            with zipfile.ZipFile(archive) as bundle:
                bundle.extractall(folder)
            event.bundle = folder / event.slug / "index.html"
    client.close()
    store.close()

    server = Server(tmp, PIAZZA_DEMO="0", PIAZZA_COLLECT="0", PIAZZA_STREAM="0").start()
    try:
        yield World(server.base, server.login_link(), events, built, tmp / "piazza.db", remote_ids)
    finally:
        server.stop()


@pytest.fixture(scope="module")
def editor(world, browser) -> dict:
    """An editor's cookies: logged in once, through the one-time link the server printed."""
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(world.login)
        assert page.url.startswith(world.base) and "/login" not in page.url, page.url
        return context.storage_state()
    finally:
        context.close()


class Watch:
    """One browser context with the traps installed; what each page did, by page."""

    def __init__(self, browser, base: str = "", **context) -> None:
        self.base = base
        self.context = browser.new_context(**{"locale": "it-IT", **context})  # as the hall
        self.context.add_init_script(INIT)
        self.dialogs: list[str] = []
        self.foreign: list[tuple[str, str]] = []  # (resource type, url)
        self.errors: list[str] = []
        self.context.route(lambda url: not (base and url.startswith(base)), self._route)
        self.page = self.context.new_page()
        self.page.on("dialog", self._dialog)
        self.page.on("pageerror", lambda exc: self.errors.append(f"{self.page.url}: {exc}"))

    def _dialog(self, dialog) -> None:
        self.dialogs.append(f"{self.page.url}: {dialog.type} {dialog.message[:200]}")
        dialog.dismiss()

    def _route(self, route) -> None:
        request = route.request
        if request.url.startswith("file:"):
            route.continue_()
        elif request.resource_type in ("image", "media"):
            # Post pictures: the media host answers, the rest of the world is away.
            if request.url.startswith("https://media.example/"):
                route.fulfill(status=200, content_type="image/png", body=PNG)
            else:
                route.abort()
        else:  # a script, stylesheet, frame, font or fetch that no page of ours asks for
            self.foreign.append((request.resource_type, request.url))
            route.abort()

    def close(self) -> None:
        self.context.close()


def live(watch: Watch, where: str) -> list[str]:
    """Wait until the page is in step with the server; a page that never is, is a finding."""
    try:
        watch.page.locator(LIVE).wait_for(timeout=15000)
    except Exception:  # the checks that follow say what got in
        return [f"{where}: never live ({watch.page.locator('#status').all_inner_texts()})"]
    return []


def count(cards, expected: int, where: str, timeout: float) -> list[str]:
    """Wait for the page to show `expected` cards; fewer (markup that swallowed the rest of
    the page, a script that broke the rendering) is a finding, not a crash."""
    try:
        cards.nth(expected - 1).wait_for(state="attached", timeout=timeout)
    except Exception:  # the checks that follow say what got in
        pass
    shown = cards.count()
    return [] if shown == expected else [f"{where}: {shown} cards shown of {expected}"]


def as_words(watch: Watch, where: str) -> list[str]:
    """The payloads are on the page as words: a page that dropped them would prove nothing."""
    shown = watch.page.evaluate("() => document.body.innerText.split('alert(').length - 1")
    return [] if shown >= 20 else [f"{where}: only {shown} payloads shown as words"]


def findings(world: World, watch: Watch, where: str, expected_url: str) -> list[str]:
    """Everything wrong with the page as it stands."""
    page = watch.page
    found = [f"{where}: {p}" for p in page.evaluate(CHECK, {"loader": LOADER})]
    for entry in page.evaluate("() => window.__xss.splice(0)"):
        if entry["kind"] != "csp" or not entry["directive"].startswith(ALLOWED_CSP):
            found.append(f"{where}: {entry['kind']}: {entry['detail']}")
    found += [f"{where}: dialog {d}" for d in watch.dialogs]
    opened = set(page.evaluate(OPENED))
    found += [f"{where}: foreign request {kind} {url}" for kind, url in watch.foreign
              if not (kind == "script" and url in opened)]
    found += [f"{where}: page error {e}" for e in watch.errors]
    watch.dialogs.clear(), watch.foreign.clear(), watch.errors.clear()
    if page.url != expected_url:
        found.append(f"{where}: the page navigated to {page.url}")
    return [_name_post(world, f) for f in found]


def _name_post(world: World, finding: str) -> str:
    """A finding about a card, with the post's platform and remote id (to find the payload)."""
    if "[card " in finding:
        card = finding.split("[card ", 1)[1].split("]", 1)[0].removeprefix("post-")
        if card.isdigit() and int(card) in world.remote_ids:
            return f"{finding} <- {world.remote_ids[int(card)]}"
    return finding


def interact(world: World, watch: Watch, where: str, selector: str, expected_url: str
             ) -> list[str]:
    """Synthetic events on every element of the first cards, a real mouse on the links and
    pictures of the first five (focused first); then the page is checked again."""
    page = watch.page
    fired = page.evaluate(POKE, {"selector": selector, "count": SAMPLE})
    touched = 0
    for index in range(5):
        points = page.evaluate(AIM, {"selector": selector, "index": index})
        for x, y in points:
            page.mouse.move(x, y)
            page.mouse.click(x, y)
            touched += 1
    page.wait_for_timeout(50)
    found = findings(world, watch, where, expected_url)
    if not fired or not touched:
        found.append(f"{where}: nothing to hover or click ({fired} events, {touched} clicks)")
    return found


def report(found: list[str], limit: int = 40) -> str:
    """How many of each kind, then the first findings in full."""
    kinds = Counter(f.partition(": ")[2].split(" ")[0].split("=")[0] for f in found)
    return (f"{len(found)} findings ({dict(kinds.most_common())}):\n"
            + "\n".join(found[:limit]))


# -- the placements ------------------------------------------------------------------------------

def test_every_payload_lands_in_every_platform_and_every_url_in_every_url_field(world):
    texts, urls = payloads(), url_payloads()
    assert len(texts) >= 1000
    for platform, built in world.built.items():
        placer = built.placer
        missing = [texts[i] for i in range(len(texts)) if not placer.text_fields.get(i)]
        assert missing == [], f"{platform}: payloads in no field: {missing[:5]}"
        for url_field, found in placer.url_fields.items():
            assert found == set(range(len(urls))), f"{platform} {url_field}: {found}"
        # Refusals are fine only as a small minority, and their payloads are shown elsewhere.
        assert len(built.refused) <= built.payloads // 20, (platform, built.refused[:3])
        for _why, lost in built.refused:
            for index, _field in lost:
                assert placer.text_fields.get(index), (platform, texts[index])
        fields = {f for found in placer.text_fields.values() for f in found}
        assert len(fields) >= 5, (platform, fields)
    assert sum(e.posts for e in world.events) == sum(len(b.posts) for b in world.built.values())


# -- the pages -----------------------------------------------------------------------------------

def test_wall_runs_nothing_in_any_layout(world, browser):
    found: list[str] = []
    watch = Watch(browser, world.base, viewport={"width": 1920, "height": 1080})
    try:
        for number, event in enumerate(world.events):
            url = f"{world.base}/e/{event.slug}/wall"
            watch.page.goto(url)
            found += live(watch, f"wall {event.slug}")
            cards = watch.page.locator("#lead article.post, #posts article.post")
            found += count(cards, event.posts, f"wall {event.slug}", 15000)
            found += as_words(watch, f"wall {event.slug}")
            found += findings(world, watch, f"wall {event.slug}", url)
            found += interact(world, watch, f"wall {event.slug} (after)", "article.post", url)
            if number == 0:  # the other layouts re-place the same cards: once is enough
                found += other_layouts(world, watch, event, url)
    finally:
        watch.close()
    assert found == [], report(found)


def other_layouts(world: World, watch: Watch, event: Event, url: str) -> list[str]:
    found = []
    store = Store(world.db)
    try:
        for layout, shown in (("column", event.posts), ("spotlight", 5)):
            store.change_wall(event.slug, "redazione", lambda s, la=layout: {**s, "layout": la})
            watch.page.wait_for_selector(f"body.layout-{layout}", state="attached", timeout=5000)
            cards = watch.page.locator("#lead article.post, #posts article.post")
            found += count(cards, shown, f"wall {event.slug} {layout}", 5000)
            found += findings(world, watch, f"wall {event.slug} {layout}", url)
    finally:
        store.close()
    return found


def test_console_runs_nothing(world, browser, editor):
    found: list[str] = []
    watch = Watch(browser, world.base, viewport={"width": 1600, "height": 1000},
                  storage_state=editor)
    try:
        for event in world.events:
            url = f"{world.base}/e/{event.slug}/console"
            watch.page.goto(url)
            found += live(watch, f"console {event.slug}")
            watch.page.locator("#tab-approved").click()
            rows = watch.page.locator("#queue .queue-item")
            found += count(rows, event.posts, f"console {event.slug}", 15000)
            found += as_words(watch, f"console {event.slug}")
            found += findings(world, watch, f"console {event.slug}", url)
            found += interact(world, watch, f"console {event.slug} (after)", "#queue .queue-item",
                              url)
    finally:
        watch.close()
    assert found == [], report(found)


def test_recap_builder_and_figures_run_nothing(world, browser, editor):
    """The editors' recap builder: the preview rendered in the page, then again by innerHTML
    from the server's answer when the order changes; the outline built with textContent. And
    the figures of the day (top accounts, hashtags, most engaged posts) as the console shows
    them."""
    found: list[str] = []
    watch = Watch(browser, world.base, viewport={"width": 1600, "height": 1000},
                  storage_state=editor)
    try:
        for event in world.events:
            url = f"{world.base}/e/{event.slug}/recap"
            where = f"recap builder {event.slug}"
            watch.page.goto(url)
            cards = watch.page.locator("#preview article.piazza-post")
            found += count(cards, event.posts, where, 5000)
            found += count(watch.page.locator("#sections .recap-post"), event.posts,
                           f"{where} outline", 5000)
            found += as_words(watch, where)
            found += findings(world, watch, where, url)
            try:
                with watch.page.expect_response(lambda r: r.url.endswith("/recap/preview"),
                                                timeout=5000):
                    watch.page.locator("input[name='order'][value='time']").check(timeout=5000)
            except Exception:  # the checks that follow say what got in
                found.append(f"{where}: the order cannot be changed (the builder is broken)")
            found += count(cards, event.posts, f"{where} (preview again)", 5000)
            found += interact(world, watch, f"{where} (after)", "#preview article.piazza-post",
                              url)
            url = f"{world.base}/e/{event.slug}/figures"
            watch.page.goto(url)
            if not watch.page.locator("#figures-panel li").count():
                found.append(f"figures {event.slug}: no figures shown")
            found += findings(world, watch, f"figures {event.slug}", url)
    finally:
        watch.close()
    assert found == [], report(found)


@pytest.mark.parametrize("kind", ["recap", "bundle"])
def test_exported_recap_runs_nothing_from_disk(world, browser, kind):
    found: list[str] = []
    watch = Watch(browser)
    try:
        for event in world.events:
            url = getattr(event, kind).as_uri()
            watch.page.goto(url)
            cards = watch.page.locator("article.piazza-post")
            found += count(cards, event.posts, f"{kind} {event.slug}", 5000)
            found += as_words(watch, f"{kind} {event.slug}")
            if kind == "bundle" and not watch.page.locator("img[src^='media/']").count():
                found.append(f"bundle {event.slug}: no picture kept beside the page")
            found += findings(world, watch, f"{kind} {event.slug}", url)
            found += interact(world, watch, f"{kind} {event.slug} (after)",
                              "article.piazza-post", url)
    finally:
        watch.close()
    assert found == [], report(found)

