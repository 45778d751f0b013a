"""The editors' console in the reader's language: the page, its script, the post cards, the
reject reasons and what the server answers, in English and in Italian, never a mix."""

from __future__ import annotations

import html
import re

import pytest

from coverage import i18n, socketio

from .conftest import login

CONSOLE_FILES = ("templates/console.html", "static/js/console.js", "static/js/post.js")
PLACEHOLDER_OR_TAG = re.compile(r"%\(\w+\)[sr]|<[^>]+>")


def _phrases(italian: bool) -> set[str]:
    """The console's own words in one language: each catalog entry of its files cut at
    placeholders and markup, keeping the pieces that read differently in the other language."""
    catalog = i18n.read_catalog("it")
    english, translated = set(), set()
    for message in catalog:
        if not message.id or not any(f in CONSOLE_FILES for f, _ in message.locations):
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        english.update(p.strip(" .,:;()…") for text in ids for p in PLACEHOLDER_OR_TAG.split(text))
        translated.update(p.strip(" .,:;()…") for text in strings
                          for p in PLACEHOLDER_OR_TAG.split(text))
    mine, theirs = (translated, english) if italian else (english, translated)
    return {p for p in mine - theirs if len(re.sub(r"\W", "", p)) >= 4}


ITALIAN, ENGLISH = _phrases(italian=True), _phrases(italian=False)


def leaks(text: str, phrases: set[str]) -> list[str]:
    """The phrases of the other language found as whole words in `text`."""
    return sorted(p for p in phrases
                  if re.search(rf"(?<!\w){re.escape(p)}(?!\w)", text))


def page_words(page: str) -> str:
    """What a reader sees or hears of a page: its text and its accessible attributes."""
    page = re.sub(r"<script\b.*?</script>", " ", page, flags=re.S)
    attributes = re.findall(r'(?:aria-label|placeholder|title)="([^"]*)"', page)
    text = re.sub(r"<[^>]+>", " ", page)
    return html.unescape(" ".join([text, *attributes]))


def test_the_phrase_lists_are_the_consoles_words():
    assert {"In attesa", "Scorciatoie da tastiera", "Rifiuta il post"} <= ITALIAN
    assert {"Pending", "Keyboard shortcuts", "Reject the post"} <= ENGLISH
    assert "Account" not in ITALIAN | ENGLISH  # the same in both: not a sign of either
    assert leaks("Vedi: Scorciatoie da tastiera.", ITALIAN) == ["Scorciatoie",
                                                               "Scorciatoie da tastiera"]
    assert leaks("Keyboard shortcuts", ITALIAN) == []


@pytest.mark.parametrize(("accept", "lang", "words", "other"), [
    ("en-GB,en;q=0.9", "en", ["Pending", "Keyboard shortcuts", "Insults or threats",
                              "Lunch break until 2:30 pm", "Ready. <kbd>?</kbd> lists"], ITALIAN),
    ("it-IT,it;q=0.9", "it", ["In attesa", "Scorciatoie da tastiera", "Insulti o minacce",
                              "Pausa pranzo fino alle 14:30", "Pronto. <kbd>?</kbd> elenca"],
     ENGLISH),
])
def test_the_console_page_speaks_the_readers_language(app, app_store, app_event, accept, lang,
                                                       words, other):
    client = app.test_client()
    login(client, app_store)
    page = client.get("/e/prova/console", headers={"Accept-Language": accept}).get_data(
        as_text=True)
    assert f'<html lang="{lang}"' in page
    for word in words:
        assert word in page
    assert leaks(page_words(page), other) == []
    strings = re.search(r'id="piazza-i18n">(.*?)</script>', page, re.S).group(1)
    assert f'"language": "{lang}"' in strings


def test_reject_reasons_follow_the_reader_unless_the_lead_wrote_them(app, app_store, app_event,
                                                                      editor):
    app_store.set_rules("prova", {"reasons": [
        {"code": "insult", "label": "Insulti o minacce"},  # saved from an Italian page
        {"code": "off_topic", "label": "Off-topic"},  # saved from an English page
        {"code": "spam", "label": "Roba inutile"},  # the lead's own words
        {"code": "elections", "label": "Propaganda elettorale"},  # the lead's own reason
    ]}, "marta")
    for accept, expected in [
        ("en", ["Insults or threats", "Off-topic", "Roba inutile", "Propaganda elettorale"]),
        ("it", ["Insulti o minacce", "Fuori tema", "Roba inutile", "Propaganda elettorale"]),
    ]:
        headers = {"Accept-Language": accept}
        rules = editor.get("/api/events/prova/rules", headers=headers).get_json()
        assert [r["label"] for r in rules["reasons"]] == expected
        page = editor.get("/e/prova/console", headers=headers).get_data(as_text=True)
        assert re.findall(r'value="[a-z_]+"(?: checked)?> <kbd>\d</kbd> ([^<]+)<', page) == expected
    assert app_store.get_rules("prova")["reasons"][0]["label"] == "Insulti o minacce"  # as saved


def test_the_rules_own_reasons_are_named_in_the_readers_language(app, app_store, app_event,
                                                                 editor):
    for accept, banned in [("en", "Blocked account"), ("it", "Account bloccato")]:
        page = editor.get("/e/prova/console", headers={"Accept-Language": accept}).get_data(
            as_text=True)
        assert f'"banned": "{banned}"' in page


def test_console_errors_come_back_in_the_readers_language(app, app_store, app_event, editor):
    answers = {}
    for accept in ("en", "it"):
        console = socketio.test_client(app, namespace="/console", flask_test_client=editor,
                                       auth={"event": "prova"}, headers={"Accept-Language": accept})
        answers[accept] = [
            console.emit("decide", {"post_id": 1, "action": "boh"}, namespace="/console",
                         callback=True)["error"],
            console.emit("decide", {"post_id": "x", "action": "approve"}, namespace="/console",
                         callback=True)["error"],
            console.emit("wall_control", {"layout": "carousel"}, namespace="/console",
                         callback=True)["error"],
            console.emit("announce", {"text": " "}, namespace="/console", callback=True)["error"],
        ]
        console.disconnect(namespace="/console")
    assert answers["en"] == ["Unknown action: 'boh'.", "Invalid post id.",
                             "Invalid wall control: layout='carousel'.",
                             "Write the announcement's text."]
    assert answers["it"] == ["Azione sconosciuta: 'boh'.", "Identificativo non valido.",
                             "Comando del wall non valido: layout='carousel'.",
                             "Scrivi il testo dell'avviso."]
    listing = {accept: editor.get("/api/events/prova/posts?state=boh",
                                  headers={"Accept-Language": accept}).get_json()["error"]
               for accept in ("en", "it")}
    assert listing == {"en": "state must be pending, approved or rejected.",
                       "it": "state deve essere pending, approved o rejected."}


# -- in a real browser -----------------------------------------------------------------------
SLUG = "pasocial-2026"
LIVE = "body[data-connection='live']"  # whatever the language of the status line


def ui_words(page) -> str:
    """The console's own words on screen and for screen readers: everything but what people
    wrote (the demo's posts, names, sessions and notes are Italian whatever the reader's
    language). The post cards' own words stay: the reply marker, the missing description."""
    return page.evaluate("""() => {
      const root = document.body.cloneNode(true);
      for (const node of root.querySelectorAll(
          ".post-text, .spoiler, .quote, .who, script, .chooser-for, #presence, #f-account,"
          + " #f-session, #session-choices, .console-head h1, .marker-session, .marker-note"))
        node.remove();
      const said = [...root.querySelectorAll("[aria-label], [placeholder], [title]")].map((el) =>
        [el.getAttribute("aria-label"), el.getAttribute("placeholder"), el.title].join(" "));
      const texts = [];  // node by node: textContent would glue neighbours' words together
      const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
      while (walker.nextNode()) texts.push(walker.currentNode.data);
      return [...texts, ...said].join(" ");
    }""")


@pytest.mark.browser
def test_each_editor_reads_the_console_in_their_own_language(browser, server):
    from .test_browser import open_page, second_editor_link

    errors: list[str] = []
    console = f"{server.base}/e/{SLUG}/console"
    english = open_page(browser, server.login_link(), errors, locale="en-GB")
    english.goto(console)
    italian = open_page(browser, second_editor_link(server), errors, locale="it-IT")
    italian.goto(console)
    for page in (english, italian):
        page.wait_for_selector(LIVE, timeout=15000)
        page.locator(".queue-item").nth(19).wait_for(timeout=20000)

    assert english.locator("html").get_attribute("lang") == "en"
    assert english.locator("#status").inner_text() == "Live"
    assert [t.split()[0] for t in english.locator("[role=tab]").all_inner_texts()] == [
        "Pending", "Approved", "Rejected"]
    assert english.locator("#f-platform option").first.inner_text().startswith("All platforms (")
    assert english.locator("#detail dl.facts dt").first.inner_text() == "State"
    assert english.locator("#wall-summary").inner_text() == "Grid · Dark · on air"
    assert italian.locator("#status").inner_text() == "In diretta"
    assert [t.split()[0] for t in italian.locator("[role=tab]").all_inner_texts()] == [
        "In", "Approvati", "Rifiutati"]
    assert italian.locator("#wall-summary").inner_text() == "Griglia · Scuro · in onda"
    # The same post's time, in the event's time zone, as each reader writes it.
    first_en = english.locator(".queue-item time").first.inner_text()
    first_it = italian.locator(".queue-item time").first.inner_text()
    assert re.fullmatch(r"[A-Z][a-z]{2} \d{1,2}, \d\d:\d\d [AP]M", first_en), first_en
    assert re.fullmatch(r"\d{1,2} [a-z]{3}, \d\d:\d\d", first_it), first_it

    english.keyboard.press("r")  # the reject chooser
    assert english.locator("#reject-title").inner_text() == "Reject the post"
    assert english.locator("#reject-keys").inner_text() == "(keys 1–9 and 0, then Enter)"
    assert english.locator("#reject-reasons label").first.inner_text().endswith(
        "Insults or threats")
    assert leaks(ui_words(english), ITALIAN) == []
    english.keyboard.press("Escape")
    italian.keyboard.press("?")  # the shortcuts
    assert italian.locator("#help-title").inner_text() == "Scorciatoie da tastiera"
    assert leaks(ui_words(italian), ENGLISH) == []
    italian.keyboard.press("Escape")

    # Both have the oldest post selected; the English editor approves it: each hears of it in
    # their own language.
    english.keyboard.press("a")
    english.wait_for_selector("#announce:has-text('Approved: ')", timeout=5000)
    italian.wait_for_selector(
        "#announce:has-text('admin ha approvato il post che avevi selezionato.')", timeout=5000)
    english.keyboard.press("t")  # the approved tab: the decision line under the post
    decision = english.locator(".queue-item .decision").first.inner_text()
    assert decision.startswith("Approved by admin at "), decision
    english.keyboard.press("x")
    assert english.locator("#bulk-count").inner_text() == "1 post selected"
    assert leaks(ui_words(english), ITALIAN) == []
    assert errors == []
