"""The pages in Italian and in English, whole: no word of the other language leaks in.

The wall and the embed speak the event's language whoever reads them; the list of events, login,
password, rules, sources, the recap builder and the error pages speak the reader's (the recap
builder's preview is the recap: the event's language). The console and the figures page have
their own tests.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser

import pytest
from babel.messages.pofile import read_po
from flask import abort

from coverage import i18n

from .conftest import EVENT, csrf_token
from .livesrv import ROOT
from .test_i18n import SAME_IN_BOTH, TEXT_ATTRIBUTES, WORD

ENGLISH_EVENT = {
    "slug": "conf", "name": "Open Government Day", "hashtags": ["opendata"], "language": "en",
    "timezone": "Europe/London", "starts_at": "2026-11-19T08:00:00Z",
    "ends_at": "2026-11-19T17:00:00Z",
    "sessions": [{"key": "s1", "title": "Opening", "starts_at": "2026-11-19T08:00:00Z",
                  "ends_at": "2026-11-19T09:00:00Z", "speakers": [{"name": "Ann Green"}]}],
}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}


# -- what a reader sees, and the words of each language --------------------------------------
class Visible(HTMLParser):
    """The text a reader meets in one language: text, titles, labels, placeholders. Scripts and
    parts marked with another `lang` (the recap's preview, the language switcher) are left out."""

    def __init__(self, language: str) -> None:
        super().__init__(convert_charrefs=True)
        self.language = language
        self.stack: list[tuple[str, bool]] = []
        self.chunks: list[str] = []

    def skipping(self) -> bool:
        return any(skip for _tag, skip in self.stack)

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        foreign = tag in ("script", "style") or (
            "lang" in values and tag != "html" and values["lang"] != self.language)
        if tag not in VOID:
            self.stack.append((tag, foreign))
        if self.skipping() or foreign:
            return
        for name, value in attrs:
            if name in TEXT_ATTRIBUTES and value:
                self.chunks.append(value)

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                return

    def handle_data(self, data):
        if not self.skipping() and data.strip():
            self.chunks.append(" ".join(data.split()))


def visible_text(html: str, language: str) -> str:
    parser = Visible(language)
    parser.feed(html)
    return "\n".join(parser.chunks)


def _pieces(message: str) -> list[str]:
    """The parts of a catalog string a reader would see, placeholders and markup taken out."""
    text = re.sub(r"<[^>]+>", " ", message)
    parts = [" ".join(p.split()).strip(" .,:;()«»“”") for p in re.split(r"%\(\w+\)s", text)]
    words = [[w for w in WORD.findall(p) if w not in SAME_IN_BOTH] for p in parts]
    # A short word left between placeholders ("%(a)s di %(b)s") says nothing about a page.
    whole = len(parts) == 1
    return [p for p, found in zip(parts, words, strict=True)
            if found and (whole or len(found) > 1 or len(found[0]) > 3)]


def _words_of_each_language() -> dict[str, list[tuple[str, re.Pattern[str]]]]:
    """The pieces of the catalog's strings that only one language writes, as whole-word
    patterns ("Account" is English and Italian: it belongs to neither)."""
    with i18n.po_path("it").open("rb") as f:
        catalog = read_po(f, locale="it")
    pieces: dict[str, set[str]] = {"en": set(), "it": set()}
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for english, italian in zip(ids, strings, strict=False):
            pieces["en"].update(_pieces(english))
            pieces["it"].update(_pieces(italian or english))
    only = {"en": pieces["en"] - pieces["it"], "it": pieces["it"] - pieces["en"]}
    return {language: [(p, re.compile(r"(?<!\w)" + re.escape(p) + r"(?!\w)"))
                       for p in sorted(found)] for language, found in only.items()}


WORDS = _words_of_each_language()


def leaks(text: str, language: str) -> list[str]:
    """The other language's words found in a page that should be all in `language`."""
    other = WORDS["en" if language == "it" else "it"]
    return [piece for piece, pattern in other if pattern.search(text)]


def test_the_leak_finder_finds_a_leak_and_ignores_what_is_marked():
    html = ('<html lang="en"><title>Rules</title><p>Trusted accounts</p>'
            '<button aria-label="Sposta su «x»">↑</button>'
            '<div lang="it"><p>Account fidati</p></div><script>"Salva le regole"</script>')
    text = visible_text(html, "en")
    assert "Account fidati" not in text and "Salva le regole" not in text
    assert leaks(text, "en") == ["Sposta su"]
    assert leaks("Account fidati", "en") == ["Account fidati"]
    assert leaks("Trusted accounts", "it") == ["Trusted accounts"]
    assert leaks("Trusted accounts", "en") == []


# -- the reader's pages ------------------------------------------------------------------------
@pytest.fixture
def site(app, app_store, make_post):
    """An Italian event with a source, an approved post, an admin and an editor, and a route
    that refuses everyone (for the 403 page)."""
    app_store.create_event(EVENT)
    app_store.create_event(ENGLISH_EVENT)
    source = app_store.add_source("prova", "replay", {"speed": 0}, name="demo")
    app_store.ingest(source["id"], [make_post("Slide bellissime #pasocial")], {})
    post_id = app_store.list_posts("prova")[0]["id"]
    app_store.decide("prova", post_id, "approve", "marta")
    app_store.create_user("anna", "admin")
    app_store.create_user("marta", "editor")
    app.add_url_rule("/e/<slug>/forbidden", "forbidden", lambda slug: abort(403))
    return app


def reader(app, store, language: str, name: str | None = None):
    """A test client whose browser asks for `language`, logged in as `name` if given."""
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
    if name:
        user = store.get_user(name)
        response = client.get(f"/login/{store.create_login_token(user['id'])}")
        assert response.status_code == 302
    return client


def page(client, path: str, status: int = 200, method: str = "GET", **kwargs) -> str:
    response = client.open(path, method=method, **kwargs)
    assert response.status_code == status, (path, response.status_code)
    return response.get_data(as_text=True)


def reader_pages(client_for) -> dict[str, str]:
    """Every page of the reader's language, as an admin, an editor and a visitor see them."""
    admin, editor, visitor = client_for("anna"), client_for("marta"), client_for(None)
    pages = {
        "index": page(visitor, "/"),
        "login": page(visitor, "/login"),
        "wrong password": page(visitor, "/login", 401, method="POST", data={
            "name": "anna", "password": "no", "csrf_token": csrf_token(visitor)}),
        "password (with the welcome)": page(editor, "/account/password"),
        "passwords that differ": page(editor, "/account/password", 400, method="POST", data={
            "password": "una-password-lunga", "confirm": "altra-password-lunga",
            "csrf_token": csrf_token(editor, "/account/password")}),
        "rules (admin)": page(admin, "/e/prova/rules"),
        "rules (editor)": page(editor, "/e/prova/rules"),
        "sources (admin)": page(admin, "/e/prova/sources"),
        "sources (editor)": page(editor, "/e/prova/sources"),
        "recap builder": page(admin, "/e/prova/recap"),
        "404": page(visitor, "/e/nessuno/wall", 404),
        "410": page(visitor, "/login/gia-usato", 410),
        "400 (form expired)": page(visitor, "/login", 400, method="POST",
                                   data={"name": "anna", "password": "x"}),
        "403": page(editor, "/e/prova/forbidden", 403),
    }
    return pages


@pytest.mark.parametrize("language", ["en", "it"])
def test_the_readers_pages_speak_the_readers_language_only(site, app_store, language):
    pages = reader_pages(lambda name: reader(site, app_store, language, name))
    for name, html in pages.items():
        assert f'<html lang="{language}"' in html, name
        found = leaks(visible_text(html, language), language)
        assert not found, f"{name} ({language}) has words of the other language: {found}"
        strings = json.loads(re.search(r'id="piazza-i18n">(.*?)</script>', html, re.S).group(1))
        assert strings["language"] == language, name


def test_english_pages_say_it_in_english(site, app_store):
    pages = reader_pages(lambda name: reader(site, app_store, "en-GB,en;q=0.9", name))
    assert "November 19, 2026" in pages["index"], "the event's date in the reader's language"
    assert "Wrong user name or password." in pages["wrong password"]
    assert "Welcome, marta. Set a password for your next logins." in pages[
        "password (with the welcome)"]
    assert "The two passwords are different." in pages["passwords that differ"]
    assert "Moderation rules of Giornata di prova" in pages["rules (admin)"]
    assert "<code>/\\bbuy\\s+followers/i</code>" in pages["rules (admin)"]
    assert "Only the coverage lead (admin role) can change them." in pages["rules (editor)"]
    assert '<span class="tag">#prova</span> <span class="tag">#pasocial</span> and from' in (
        pages["sources (admin)"])
    assert "ZIP archive with the images" in pages["recap builder"]
    assert "There is no event “nessuno”." in pages["404"]
    assert "This login link was already used or has expired." in pages["410"]
    assert "Ask your coverage lead for a new one" in pages["410"]
    assert "This form has expired" in pages["400 (form expired)"]
    assert "Reload the page and try again." in pages["400 (form expired)"]
    assert "Your account cannot open this page" in pages["403"]


def test_italian_pages_keep_their_words(site, app_store):
    pages = reader_pages(lambda name: reader(site, app_store, "it-IT,it;q=0.9", name))
    assert "19 novembre 2026" in pages["index"]
    assert "Nome utente o password non corretti." in pages["wrong password"]
    assert "Regole di moderazione di Giornata di prova" in pages["rules (admin)"]
    assert "<code>/\\bcompra\\s+follower/i</code>" in pages["rules (admin)"]
    assert "Questo link di accesso è già stato usato o è scaduto." in pages["410"]
    assert "Questo modulo è scaduto" in pages["400 (form expired)"]


def test_the_recap_preview_speaks_the_events_language_in_an_english_builder(site, app_store):
    html = page(reader(site, app_store, "en", "anna"), "/e/prova/recap")
    preview = html[html.index('<div id="preview"'):]
    assert preview.startswith('<div id="preview" class="recap-preview-body" lang="it">')
    assert "The story of the day" in html and "Slide bellissime" in preview
    client = reader(site, app_store, "en", "anna")
    reply = client.post("/api/events/prova/recap/preview", json={},
                        headers={"X-CSRFToken": csrf_token(client, "/e/prova/recap")})
    assert reply.status_code == 200
    assert "Slide bellissime" in reply.get_json()["html"]


@pytest.mark.parametrize("event, reader_language, words", [
    ("prova", "en", ["In sala ora", "Segui l'evento", "I post sull'evento appariranno qui.",
                     "Codice QR: "]),
    ("conf", "it", ["Now on stage", "Follow the event", "Posts about the event will appear here.",
                    "QR code: "]),
])
def test_the_wall_and_the_embed_speak_the_events_language(site, app_store, event,
                                                         reader_language, words):
    language = "it" if event == "prova" else "en"
    client = reader(site, app_store, reader_language)
    wall, embed = page(client, f"/e/{event}/wall"), page(client, f"/e/{event}/embed")
    for html in (wall, embed):
        assert f'<html lang="{language}"' in html
        assert not leaks(visible_text(html, language), language)
        strings = json.loads(re.search(r'id="piazza-i18n">(.*?)</script>', html, re.S).group(1))
        assert strings["language"] == language
        assert strings["strings"]["Live"] == ("In diretta" if language == "it" else "Live")
    shown = visible_text(wall, language)
    for word in words:
        assert word in shown, word
    assert ("Metti in pausa" if language == "it" else ">Pause<") in embed
    # The pages around the wall stay in the reader's language.
    assert f'<html lang="{reader_language}"' in page(client, "/login")


def test_api_errors_stay_json_in_the_readers_language(site, app_store):
    client = reader(site, app_store, "en", "marta")
    missing = client.get("/api/events/nessuno/sources")
    assert missing.status_code == 404 and missing.is_json
    assert missing.get_json()["error"].startswith("There is no event “nessuno”.")
    no_source = client.post("/api/events/prova/sources/999/test",
                            headers={"X-CSRFToken": csrf_token(client, "/")})
    assert no_source.status_code == 404 and "nothing at this address" in no_source.get_json()[
        "error"]
    expired = client.put("/api/events/prova/rules", json={})
    assert expired.status_code == 400 and expired.is_json
    assert "Reload the page and try again." in expired.get_json()["error"]
    refused = client.put("/api/events/prova/rules", json={},
                         headers={"X-CSRFToken": csrf_token(client, "/")})
    assert refused.status_code == 403
    assert refused.get_json()["error"] == (
        "Only the coverage lead (admin role) can change this setting.")
    italian = reader(site, app_store, "it", "marta")
    assert italian.get("/api/events/nessuno/sources").get_json()["error"].startswith(
        "Nessun evento «nessuno».")


# -- in a real browser -------------------------------------------------------------------------
def flask_cli(server, *args: str) -> str:
    return subprocess.run([sys.executable, "-m", "flask", "--app", "app", *args], cwd=ROOT,
                          env=server.env, capture_output=True, text=True, check=True).stdout


def open_in(browser, url: str, locale: str, errors: list[str], **context):
    page_ = browser.new_context(locale=locale, **context).new_page()
    page_.on("pageerror", lambda exc: errors.append(f"{url}: {exc}"))
    page_.on("console", lambda msg: errors.append(f"{url}: {msg.text}")
             if msg.type == "error" else None)
    page_.goto(url)
    return page_


@pytest.mark.browser
def test_an_english_events_wall_is_english_in_an_italian_browser(browser, server, tmp_path):
    now = datetime.now(UTC).replace(microsecond=0)
    programme = tmp_path / "programme.json"
    programme.write_text(json.dumps([{
        "key": "s1", "title": "Opening", "starts_at": (now - timedelta(hours=1)).isoformat(),
        "ends_at": (now + timedelta(hours=1)).isoformat(), "speakers": [{"name": "Ann Green"}],
    }]))
    flask_cli(server, "events", "create", "conf", "--name", "Open Government Day", "--hashtag",
              "opendata", "--language", "en", "--timezone", "Europe/London", "--programme",
              str(programme))
    errors: list[str] = []
    wall = open_in(browser, f"{server.base}/e/conf/wall", "it-IT", errors,
                   viewport={"width": 1920, "height": 1080})
    assert wall.evaluate("() => navigator.language") == "it-IT"
    wall.wait_for_selector("#status:has-text('Live')", timeout=15000)
    assert wall.locator("html").get_attribute("lang") == "en"
    assert wall.locator("#session-label").text_content() == "Now on stage"
    assert "Follow the event" in wall.locator(".wall-qr figcaption").inner_text()
    text = wall.locator("body").inner_text()
    assert not leaks(text, "en"), leaks(text, "en")

    # The Italian demo's wall, in an English browser, stays Italian.
    demo = open_in(browser, f"{server.base}/e/pasocial-2026/wall", "en-US", errors)
    demo.wait_for_selector("#status:has-text('In diretta')", timeout=15000)
    assert demo.locator("html").get_attribute("lang") == "it"
    assert errors == []


@pytest.mark.browser
@pytest.mark.parametrize("locale, language", [("en-US", "en"), ("it-IT", "it")])
def test_rules_and_sources_speak_the_readers_language_once_their_scripts_ran(
        browser, server, locale, language):
    errors: list[str] = []
    page_ = open_in(browser, server.login_link(), locale, errors)
    page_.goto(f"{server.base}/e/pasocial-2026/rules")
    page_.wait_for_selector("#rules-form:not([hidden]) #reasons-rows li")
    page_.fill("#ban-handle", "@spam@x.example")
    page_.click("#ban-add")
    page_.wait_for_selector("#save-result:not(:empty)")
    page_.fill("#blocked", "/(unclosed/")
    page_.click("#rules-form button[type=submit]")
    page_.wait_for_selector("#error-summary:not([hidden])")
    text = page_.locator("body").inner_text()
    assert not leaks(text, language), leaks(text, language)
    assert ("Line 1: the expression" if language == "en" else "Riga 1: l'espressione") in text

    page_.goto(f"{server.base}/e/pasocial-2026/sources")
    page_.wait_for_selector(".source-card .health:not(:empty)")
    page_.select_option("#platform", "rss")
    text = page_.locator("main").inner_text()
    assert not leaks(text, language), leaks(text, language)
    assert ("(the address of the feed)" if language == "en" else "(l'indirizzo del feed)") in text
    assert errors == []
