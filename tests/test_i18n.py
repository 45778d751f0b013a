"""Italian and English: complete catalogs, no words left outside them, the right language."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.jslexer import tokenize

from coverage import i18n

from .conftest import csrf_token, login

ROOT = Path(__file__).resolve().parent.parent

# Words that read the same in Italian and English: names of things, formats, keys.
SAME_IN_BOTH = {
    "Piazza", "Wall", "Console", "CSV", "JSON", "Markdown", "WordPress", "Hugo", "Jekyll",
    "Blogger", "ZIP", "Mastodon", "Bluesky", "RSS", "Atom", "Threads", "YouTube", "OK", "QR",
    "SVG", "HTML", "API", "URL", "Esc", "Tab", "Shift", "Ctrl", "Alt", "WXR", "Italiano",
    "English", "PA", "pasocial", "Socket.IO", "nofollow", "noopener", "noreferrer",
}
# Blocks whose content base.html puts inside a tag (class names, data-* attributes), not text.
IN_A_TAG = re.compile(r"{%-?\s*block\s+body_(?:class|attrs)\s*-?%}.*?{%-?\s*endblock", re.S)
JINJA = re.compile(r"{{.*?}}|{%.*?%}|{#.*?#}", re.S)
# An example address, handle or URL in a placeholder is not a word to translate.
ADDRESS = re.compile(r"^\S*(@|://)\S*$")
WORD = re.compile(r"[^\W\d_]{2,}")
TEXT_ATTRIBUTES = {"title", "alt", "aria-label", "placeholder", "aria-description"}


class Words(HTMLParser):
    """Natural-language text a template writes itself (Jinja expressions blanked out)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.skip += 1
        for name, value in attrs:
            if name == "placeholder" and ADDRESS.match(value or ""):
                continue
            if name in TEXT_ATTRIBUTES or (name == "value" and tag == "button"):
                self._check(value or "")

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self.skip = max(0, self.skip - 1)

    def handle_data(self, data):
        if not self.skip:
            self._check(data)

    def _check(self, text: str) -> None:
        words = [w for w in WORD.findall(text) if w not in SAME_IN_BOTH]
        if words:
            self.found.append(" ".join(text.split()))


def untranslated_in_template(path: Path) -> list[str]:
    parser = Words()
    parser.feed(JINJA.sub(" ", IN_A_TAG.sub(" ", path.read_text())))
    return parser.found


# Strings in scripts that are not words for people: CSS selectors and class lists, selectors
# joined by combinators ("body > main, #ticker"), media queries, paths ("/api/events/${slug}").
SELECTOR = re.compile(r"^[.#\[:]|^[a-z0-9_-]+( [a-z0-9_-]*-[a-z0-9_-]*)+$")
COMBINED_SELECTOR = re.compile(r"^[a-z0-9_#.\[\]=\"'-]+(\s*[>+~,]\s*[a-z0-9_#.\[\]=\"'-]+)+$")
SELECTOR_MARK = re.compile(r"[>+~#\[]|(^|\s)\.")  # what a sentence with commas lacks
MEDIA_QUERY = re.compile(r"^\([a-z-]+:\s*[a-z0-9-]+\)$")
PATH = re.compile(r"^/\S*$")


def is_prose(text: str) -> bool:
    if PATH.match(text):
        return False
    text = re.sub(r"\$\{.*?\}", " ", text).strip()
    words = [w for w in WORD.findall(text) if w not in SAME_IN_BOTH]
    return len(words) >= 2 and " " in text and not (
        SELECTOR.match(text) or MEDIA_QUERY.match(text)
        or (COMBINED_SELECTOR.match(text) and SELECTOR_MARK.search(text)))


def untranslated_in_script(path: Path) -> list[str]:
    """String literals in a page script that look like prose and are not inside t()/tn()."""
    found, previous = [], []
    for token in tokenize(path.read_text(), jsx=False, dotted=False):
        if token.type in ("string", "template_string"):
            marked = len(previous) >= 2 and previous[-1] in ("(", ",") and (
                previous[-2] in ("t", "tn") or (len(previous) >= 4 and previous[-4] == "tn"))
            if not marked and is_prose(token.value[1:-1]):
                found.append(f"line {token.lineno}: {token.value[1:-1][:60]}")
        if token.type not in ("linecomment", "multilinecomment"):
            previous.append(token.value)
            del previous[:-6]
    return found


# Pages not yet moved to the catalog (issue 8, in progress): this list only ever shrinks.
PENDING_TEMPLATES: set[str] = set()
PENDING_SCRIPTS: set[str] = set()


def test_the_italian_catalog_is_complete_and_compiled():
    problems = list(i18n.problems("it"))
    assert not problems, "python -m coverage.i18n update, translate, compile:\n" + "\n".join(
        problems)


@pytest.mark.parametrize("path", sorted((ROOT / "templates").rglob("*.html")),
                         ids=lambda p: str(p.relative_to(ROOT / "templates")))
def test_templates_write_no_words_outside_the_catalog(path):
    name = str(path.relative_to(ROOT / "templates"))
    found = untranslated_in_template(path)
    if name in PENDING_TEMPLATES:
        assert found, f"{name} is translated: take it off PENDING_TEMPLATES"
        return
    assert not found, f"wrap these in _() in {name}: {found}"


@pytest.mark.parametrize("path", sorted((ROOT / "static" / "js").glob("*.js")),
                         ids=lambda p: p.name)
def test_page_scripts_write_no_words_outside_the_catalog(path):
    found = untranslated_in_script(path)
    if path.name in PENDING_SCRIPTS:
        assert found, f"{path.name} is translated: take it off PENDING_SCRIPTS"
        return
    assert not found, f"wrap these in t() in {path.name}: {found}"


def test_the_lints_catch_a_forgotten_word(tmp_path):
    page = tmp_path / "page.html"
    page.write_text('{% block body_class %}page{% endblock %}{% block body_attrs %}data-x="{{ x }}"'
                    '{% endblock %}<p>{{ _("Sources") }}</p><button title="Chiudi">{{ x }}</button>'
                    "<p>Nessun post</p><p>#{{ tag }} · CSV</p>"
                    '<input placeholder="https://mastodon.social">'
                    '<input placeholder="@a@b.example"><input placeholder="parole, autore">')
    assert untranslated_in_template(page) == ["Chiudi", "Nessun post", "parole, autore"]
    script = tmp_path / "page.js"
    script.write_text('el.textContent = t("Saved");\nconst a = "Connessione persa: riprovo";\n'
                      'q(".post-card > .meta"); b = tn("%(num)s post", "%(num)s posts", n);\n'
                      'q("body > header, body > main, #ticker");\n'
                      'm("(prefers-reduced-motion: reduce)"); c = "yes, sure";\n'
                      'fetch(`/api/events/${slug}/rules`);\n')
    assert untranslated_in_script(script) == ["line 2: Connessione persa: riprovo",
                                              "line 5: yes, sure"]


def test_language_follows_the_browser_then_the_cookie_then_the_account(app, app_store):
    client = app.test_client()
    english = {"Accept-Language": "en-GB,en;q=0.9"}
    assert 'lang="en"' in client.get("/login", headers=english).get_data(as_text=True)
    assert ">Vai al contenuto<" in client.get(
        "/login", headers={"Accept-Language": "it-IT,it;q=0.9"}).get_data(as_text=True)
    assert 'lang="it"' in client.get("/login", headers={"Accept-Language": "de"}).get_data(
        as_text=True), "an unknown language falls back to PIAZZA_LANGUAGE (it)"

    response = client.post("/language", data={"language": "it", "next": "/login",
                                              "csrf_token": csrf_token(client)},
                           headers=english)
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert 'lang="it"' in client.get("/login", headers=english).get_data(as_text=True)

    user = login(client, app_store)
    client.post("/language", data={"language": "en", "csrf_token": csrf_token(client, "/")})
    assert app_store.user_by_id(user["id"])["language"] == "en"
    other_device = app.test_client()
    login(other_device, app_store, name=user["name"])
    assert 'lang="en"' in other_device.get("/").get_data(as_text=True)


def test_an_unknown_language_or_a_foreign_next_is_refused(app):
    client = app.test_client()
    token = csrf_token(client)
    assert client.post("/language", data={"language": "fr", "csrf_token": token}
                       ).status_code == 400
    response = client.post("/language", data={"language": "en", "next": "//evil.example/",
                                              "csrf_token": token})
    assert response.headers["Location"] == "/"


def test_the_wall_speaks_the_events_language_whatever_the_reader_chose(app, app_store):
    app_store.create_event({"slug": "conf", "name": "Conference", "language": "en"})
    client = app.test_client()
    italian = {"Accept-Language": "it"}
    assert '<html lang="en"' in client.get("/e/conf/wall", headers=italian).get_data(
        as_text=True)
    assert '<html lang="it"' in client.get("/login", headers=italian).get_data(as_text=True)


def test_pages_carry_the_scripts_strings_in_the_readers_language(app):
    html = app.test_client().get("/login", headers={"Accept-Language": "it"}).get_data(
        as_text=True)
    data = re.search(r'<script type="application/json" id="piazza-i18n">(.*?)</script>', html,
                     re.S)
    assert data, "base.html embeds the scripts' strings"
    strings = i18n.script_strings("it")
    assert strings["language"] == "it"
    for message, translation in strings["strings"].items():
        assert translation, f"{message!r} has no Italian"
