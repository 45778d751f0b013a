"""Setting up in the browser: who may, CSRF, the pages' messages, the programme file, people,
the first-run guide and the checklist (Flask test client on a real SQLite file)."""

from __future__ import annotations

import io
import re
from html.parser import HTMLParser

import pytest

from coverage.server import Collector

from .conftest import EVENT, csrf_token, login

IT = {"Accept-Language": "it"}
NEW = {"name": "Stati generali 2026", "slug": "", "description": "", "venue": "Auditorium",
       "url": "", "language": "it", "timezone": "Europe/Rome", "starts_at": "2026-11-19T09:00",
       "ends_at": "2026-11-19T18:00", "hashtags": "#statigenerali", "accounts": "",
       "save": "1"}


@pytest.fixture
def admin(app, app_store):
    client = app.test_client()
    login(client, app_store, "coordinatrice", "admin")
    return client


def post(client, path, data, **kwargs):
    """A form submitted as the browser does: with the CSRF token of the page."""
    token = csrf_token(client, "/")
    if kwargs.get("content_type") == "multipart/form-data":
        # Werkzeug's test client writes an empty multipart field without the line break
        # before the next boundary (browsers and httpx do not), which its parser sometimes
        # reads as part of the next field: empty fields are left out, as they read the same.
        data = {k: v for k, v in data.items() if v != ""}
    return client.post(path, data={**data, "csrf_token": token}, headers=IT, **kwargs)


class FormFields(HTMLParser):
    """What a browser would send for a page's forms: inputs' values and textareas' text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.values: dict[str, str] = {}
        self.textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input" and attrs.get("name") and attrs.get("type") not in (
                "checkbox", "radio", "file"):
            self.values[attrs["name"]] = attrs.get("value") or ""
        elif tag == "textarea":
            self.textarea = attrs["name"]
            self.values[self.textarea] = ""

    def handle_endtag(self, tag):
        if tag == "textarea":
            self.textarea = None

    def handle_data(self, data):
        if self.textarea:
            self.values[self.textarea] += data


def form_fields(html: str) -> dict[str, str]:
    # The <template> row for scripts is not part of the form.
    parser = FormFields()
    parser.feed(re.sub(r"<template.*?</template>", "", html, flags=re.S))
    return parser.values


def field_errors(html: str) -> dict[str, str]:
    return {m[1]: re.sub(r"&#3[49];", "'", m[2]) for m in re.finditer(
        r'<p class="field-error" id="([^"]+)-error">([^<]*)</p>', html)}


# -- who may ---------------------------------------------------------------------------------
@pytest.mark.parametrize("path", ["/events/new", "/e/prova/settings", "/users",
                                  "/users/1/remove"])
def test_editors_are_refused_setup_pages_by_the_server(app, app_store, app_event, editor, path):
    assert editor.get(path).status_code == 403
    assert post(editor, path, NEW).status_code == 403


def test_editors_are_refused_the_setup_api(app_store, app_event, editor):
    headers = {"X-CSRFToken": csrf_token(editor, "/")}
    assert editor.post("/api/events", json={"name": "X"}, headers=headers).status_code == 403
    assert editor.put("/api/events/prova", json={"name": "X"},
                      headers=headers).status_code == 403
    assert post(editor, "/users/1/link", {}).status_code == 403


def test_editors_see_no_setup_controls(app_store, app_event, editor):
    for path in ("/", "/e/prova/console", "/e/prova/sources"):
        html = editor.get(path, headers=IT).get_data(as_text=True)
        assert "/settings" not in html and "/events/new" not in html and 'href="/users"' not in html


def test_anonymous_visitors_are_sent_to_log_in(app, app_event):
    client = app.test_client()
    for path in ("/events/new", "/e/prova/settings", "/users"):
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_forms_without_the_csrf_token_are_refused(admin, app_store):
    assert admin.post("/events/new", data=NEW).status_code == 400
    assert admin.post("/users", data={"name": "marta", "role": "editor"}).status_code == 400
    assert not app_store.event_exists("stati-generali-2026")
    assert [u["name"] for u in app_store.list_users()] == ["coordinatrice"]


# -- create and edit an event ----------------------------------------------------------------
def test_an_admin_creates_an_event_and_lands_on_its_checklist(admin, app_store):
    response = post(admin, "/events/new", {**NEW, "s-0-title": "Apertura", "s-0-start": "9:00",
                                           "s-0-end": "9:30",
                                           "s-0-speakers": "Anna Verdi @anna@pa.social"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/e/stati-generali-2026/settings#checklist"
    event = app_store.get_event("stati-generali-2026")
    assert event["starts_at"] == "2026-11-19T08:00:00Z" and event["hashtags"] == ["statigenerali"]
    assert event["sessions"][0]["speakers"] == [{"name": "Anna Verdi",
                                                 "handle": "@anna@pa.social"}]
    page = admin.get("/e/stati-generali-2026/settings", headers=IT).get_data(as_text=True)
    assert "Evento creato" in page  # the flash, in Italian
    assert re.findall(r'class="step step-(\w+)"', page) == ["done", "done", "next", "todo",
                                                            "todo", "todo"]


def test_validation_messages_sit_next_to_their_fields_and_values_are_kept(admin, app_store):
    response = post(admin, "/events/new", {**NEW, "name": "", "slug": "Non Valido",
                                           "ends_at": "2026-11-19T08:00",
                                           "s-0-title": "Keynote", "s-0-start": "11:30",
                                           "s-0-end": "10:00"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    errors = field_errors(html)
    assert list(errors) == ["name", "slug", "ends_at", "s-0-end"]
    assert errors["name"] == "Scrivi il nome dell'evento, ad esempio #pasocial 2026."
    assert errors["s-0-end"] == ("Sessione 1: l'orario di fine 10:00 viene prima dell'inizio "
                                 "11:30: controlla i due orari.")
    # Tied to the field for screen readers; the first one has the focus; a summary on top.
    assert re.search(r'id="name" name="name" aria-describedby="name-hint name-error" '
                     r'aria-invalid="true" autofocus', html)
    assert re.search(r'id="s-0-end" name="s-0-end" aria-describedby="s-0-end-error" '
                     r'aria-invalid="true" value="10:00"', html)
    assert 'class="error-summary" role="alert"' in html and 'href="#s-0-end"' in html
    assert 'value="non valido"' in html and 'value="Keynote"' in html
    assert not app_store.list_events()


def test_a_taken_address_is_an_error_on_its_field(admin, app_store, app_event):
    response = post(admin, "/events/new", {**NEW, "slug": "prova"})
    assert response.status_code == 400
    assert "prova-2" in field_errors(response.get_data(as_text=True))["slug"]


def test_editing_keeps_the_slug_and_the_ids_of_sessions(admin, app_store, app_event):
    html = admin.get("/e/prova/settings").get_data(as_text=True)
    assert f'name="s-0-id" value="{app_event["sessions"][0]["id"]}"' in html
    form = {**NEW, "slug": "cambiato", "name": "Giornata rinominata",
            "starts_at": "2026-11-19T09:00", "ends_at": "2026-11-19T18:00"}
    for i, s in enumerate(app_event["sessions"]):
        form.update({f"s-{i}-id": str(s["id"]), f"s-{i}-title": s["title"] + "!",
                     f"s-{i}-start": ["09:00", "10:00"][i], f"s-{i}-end": ["10:00", "12:00"][i]})
    response = post(admin, "/e/prova/settings", form)
    assert response.status_code == 302
    event = app_store.get_event("prova")
    assert event["name"] == "Giornata rinominata" and not app_store.event_exists("cambiato")
    assert [(s["id"], s["title"]) for s in event["sessions"]] == [
        (s["id"], s["title"] + "!") for s in app_event["sessions"]]


def test_removing_a_session_with_posts_asks_before_detaching(admin, app_store, app_event,
                                                             make_post):
    source = app_store.list_sources("prova")[0]["id"]
    (post_id,) = app_store.ingest(source, [make_post()], {}).new
    keynote = app_event["sessions"][1]
    app_store.decide("prova", post_id, "session", "marta", session_id=keynote["id"])
    form = {**NEW, "s-0-id": str(app_event["sessions"][0]["id"]), "s-0-title": "Apertura",
            "s-0-start": "09:00", "s-0-end": "10:00",
            "s-1-id": str(keynote["id"]), "s-1-title": "Accessibilità", "s-1-start": "10:00",
            "s-1-end": "12:00", "s-1-remove": "1"}
    refused = post(admin, "/e/prova/settings", form)
    assert refused.status_code == 400
    html = refused.get_data(as_text=True)
    assert field_errors(html)["programme"].startswith("«Accessibilità» ha 1 post collegato")
    assert 'name="detach"' in html and 'name="s-1-remove" value="1" checked' in html
    assert len(app_store.get_event("prova")["sessions"]) == 2

    done = post(admin, "/e/prova/settings", {**form, "detach": "1"}, follow_redirects=True)
    assert "1 post non è più collegato a «Accessibilità»." in done.get_data(as_text=True)
    assert [s["title"] for s in app_store.get_event("prova")["sessions"]] == ["Apertura"]
    assert app_store.get_post("prova", post_id)["session_id"] is None


def test_add_row_without_javascript_gives_one_more_empty_session(admin):
    form = {**NEW, "add_row": "", "s-0-title": "Apertura", "s-0-start": "9:00",
            "s-0-end": "10:00", "s-1-title": ""}
    html = post(admin, "/events/new", form).get_data(as_text=True)
    assert 'value="Apertura"' in html  # nothing typed is lost
    assert re.findall(r'data-row="(\d+)"', html) == ["0", "1", "2"]  # one filled, two empty
    assert re.search(r'id="s-2-title" name="s-2-title" autofocus', html)


def test_a_long_programme_saves_from_the_page(admin, app_store):
    form = {**NEW, "ends_at": "2026-11-21T18:00"}
    for i in range(150):
        day, hour = 19 + i // 60, 9 + (i % 60) // 7
        form.update({f"s-{i}-title": f"Sessione {i}",
                     f"s-{i}-start": f"{day}/11/2026 {hour}:00",
                     f"s-{i}-end": f"{day}/11/2026 {hour}:30", f"s-{i}-room": "Sala",
                     f"s-{i}-speakers": "Anna Verdi", f"s-{i}-description": "x" * 500})
    response = post(admin, "/events/new", form, content_type="multipart/form-data")
    assert response.status_code == 302, field_errors(response.get_data(as_text=True))
    assert len(app_store.get_event("stati-generali-2026")["sessions"]) == 150


# -- the programme from a CSV file -----------------------------------------------------------
def upload(admin, path, data: bytes, form=None, filename="programma.csv"):
    return post(admin, path, {**(form or NEW), "import_file": "1",
                              "programme_file": (io.BytesIO(data), filename)},
                content_type="multipart/form-data")


def test_an_imported_file_fills_the_programme_for_review_not_saving_it(admin, app_store):
    data = ("\ufefftitolo;inizio;fine;sala;relatori\n"
            "Apertura;9:00;9:30;Sala grande;Anna Verdi, Luca Neri\n"
            "Keynote;9:30;10:15;Sala grande;\n").encode()
    response = upload(admin, "/events/new", data)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "2 sessioni lette da «programma.csv»" in html
    assert 'value="Keynote"' in html and 'value="09:30"' in html
    assert "Anna Verdi\nLuca Neri</textarea>" in html
    assert 'value="Stati generali 2026"' in html  # the rest of the form is kept
    assert not app_store.list_events()  # only saving saves


def test_a_bad_file_lists_its_problems_row_by_row(admin):
    data = b"titolo;inizio;fine\nA;9:00;10:00\nB;11:30;10:00\nC;nove;10:00\n"
    response = upload(admin, "/events/new", data)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "non è stato importato nulla" in field_errors(html)["programme_file"]
    assert ("Riga 3: l'orario di fine 10:00 viene prima dell'inizio 11:30: controlla i due "
            "orari.") in html.replace("&#39;", "'")
    assert "Riga 4: «nove» non è un orario" in html


def test_importing_without_a_file_says_what_to_do(admin):
    response = post(admin, "/events/new", {**NEW, "import_file": ""})
    assert response.status_code == 400
    assert "Scegli prima il file" in field_errors(response.get_data(as_text=True))[
        "programme_file"]


def test_reimporting_keeps_the_sessions_posts_are_attached_to(admin, app_store, app_event):
    data = "titolo,inizio,fine\nAccessibilità,10:00,12:00\nNuova,12:00,13:00\n".encode()
    form = {**NEW, "starts_at": "2026-11-19T09:00", "ends_at": "2026-11-19T18:00"}
    html = upload(admin, "/e/prova/settings", data, form).get_data(as_text=True)
    keynote = app_event["sessions"][1]
    assert f'name="s-0-id" value="{keynote["id"]}"' in html
    assert "1 di queste è già nel programma" in html


# -- people ------------------------------------------------------------------------------------
def test_inviting_shows_the_link_once(admin, app, app_store):
    response = post(admin, "/users", {"name": "marta.rossi", "role": "editor"})
    assert response.status_code == 302
    page = admin.get("/users", headers=IT).get_data(as_text=True)
    link = re.search(r'id="link-url" value="(http://[^"]+/login/[^"]+)"', page).group(1)
    assert "Link monouso per marta.rossi" in page
    assert "link-url" not in admin.get("/users").get_data(as_text=True)  # shown once
    assert "Invito in attesa" in admin.get("/users", headers=IT).get_data(as_text=True)

    newcomer = app.test_client()
    assert newcomer.get(link.replace("http://localhost", "")).status_code == 302
    assert newcomer.get("/e/prova/console").status_code in (200, 404)
    assert newcomer.get(link.replace("http://localhost", "")).status_code == 410


def test_invitation_errors_are_shown_on_the_field(admin, app_store):
    html = post(admin, "/users", {"name": "marta rossi", "role": "editor"}).get_data(
        as_text=True)
    assert "senza spazi" in field_errors(html)["name"]
    post(admin, "/users", {"name": "marta", "role": "editor"})
    taken = post(admin, "/users", {"name": "MARTA", "role": "editor"})
    assert taken.status_code == 400
    assert "Esiste già un utente marta" in field_errors(taken.get_data(as_text=True))["name"]


def test_a_new_link_for_someone_who_lost_theirs(admin, app, app_store):
    user, lost = app_store.invite_user("marta", "editor", "coordinatrice")
    assert post(admin, f"/users/{user['id']}/link", {}).status_code == 302
    page = admin.get("/users").get_data(as_text=True)
    fresh = re.search(r'/login/([^"]+)"', page).group(1)
    assert app_store.consume_login_token(lost) is None
    assert app_store.consume_login_token(fresh)["name"] == "marta"


def test_removing_people_but_not_yourself_nor_the_last_admin(admin, app, app_store):
    user, _token = app_store.invite_user("marta", "editor", "coordinatrice")
    confirm = admin.get(f"/users/{user['id']}/remove", headers=IT).get_data(as_text=True)
    assert "Togliere marta?" in confirm
    assert post(admin, f"/users/{user['id']}/remove", {}).status_code == 302
    assert [u["name"] for u in app_store.list_users()] == ["coordinatrice"]
    me = app_store.get_user("coordinatrice")
    refused = post(admin, f"/users/{me['id']}/remove", {})
    assert refused.status_code == 400 and "Non puoi toglierti" in refused.get_data(as_text=True)
    # Another admin cannot remove the last one either: the store refuses.
    other = app.test_client()
    login(other, app_store, "vice", "admin")
    app_store.delete_user(app_store.get_user("vice")["id"], "coordinatrice")
    assert app_store.get_user("coordinatrice")


# -- first run and the collector --------------------------------------------------------------
def test_an_empty_install_shows_the_first_run_guide(app, admin):
    html = admin.get("/", headers=IT).get_data(as_text=True)
    assert "Il tuo primo evento in cinque passi" in html
    assert 'href="/events/new"' in html and "flask --app" not in html
    anonymous = app.test_client().get("/", headers=IT).get_data(as_text=True)
    assert "link monouso" in anonymous and 'href="/events/new"' not in anonymous


def test_a_new_event_is_collected_without_a_restart(app, app_store, admin):
    collector = Collector(app)
    collector.renew()
    assert collector.held == set()
    app.extensions["piazza_collector"] = collector
    assert post(admin, "/events/new", NEW).status_code == 302
    assert collector.woken.is_set()  # the renewal loop runs at once, not in 5 seconds
    collector.renew()
    assert collector.held == {"stati-generali-2026"}
    collector.stop()


# -- the JSON API -------------------------------------------------------------------------------
def test_the_api_creates_and_updates_events_with_the_same_rules(admin, app_store, make_post):
    headers = {"X-CSRFToken": csrf_token(admin, "/")}
    bad = admin.post("/api/events", json={"name": "API", "starts_at": "2026-11-19T09:00",
                                          "ends_at": "2026-11-19T08:00"}, headers=headers)
    assert bad.status_code == 400 and list(bad.get_json()["errors"]) == ["ends_at"]
    created = admin.post("/api/events", headers=headers, json={
        "name": "Da API", "starts_at": "2026-11-19T09:00", "ends_at": "2026-11-19T18:00",
        "hashtags": ["api"], "accounts": ["@ente@pa.social"],
        "sessions": [{"title": "Uno", "start": "09:00", "end": "10:00",
                      "speakers": [{"name": "Anna"}]}]})
    assert created.status_code == 201 and created.get_json()["slug"] == "da-api"
    assert admin.post("/api/events", json={"name": "Da API", "starts_at": "2026-11-19T09:00",
                                           "ends_at": "2026-11-19T18:00"},
                      headers=headers).status_code == 400
    updated = admin.put("/api/events/da-api", json={"venue": "Sala"}, headers=headers)
    assert updated.status_code == 200 and updated.get_json()["venue"] == "Sala"
    assert [s["title"] for s in updated.get_json()["sessions"]] == ["Uno"]
    assert admin.put("/api/events/da-api", json={"name": "X"}).status_code == 400  # no CSRF

    # What GET gives, PUT takes back; a session with posts is not dropped without "detach".
    event = admin.get("/api/events/da-api").get_json()
    source = app_store.add_source("da-api", "replay", {"speed": 0})
    (post_id,) = app_store.ingest(source["id"], [make_post()], {}).new
    app_store.decide("da-api", post_id, "session", "lead", session_id=event["sessions"][0]["id"])
    assert admin.put("/api/events/da-api", json=event, headers=headers).status_code == 200
    refused = admin.put("/api/events/da-api", json={"sessions": []}, headers=headers)
    assert refused.status_code == 409
    assert refused.get_json()["sessions"] == [{"id": event["sessions"][0]["id"],
                                               "title": "Uno", "posts": 1}]
    done = admin.put("/api/events/da-api", json={"sessions": [], "detach": True},
                     headers=headers)
    assert done.get_json()["detached"] == [{"title": "Uno", "posts": 1}]


def test_the_demo_event_round_trips_through_the_form_unchanged(admin, app_store):
    from coverage.demo import load_demo

    event = load_demo(app_store, {"DEMO_SPEED": 0})
    html = admin.get(f"/e/{event['slug']}/settings").get_data(as_text=True)
    form = form_fields(html)
    form.update(language="it", save="")
    response = post(admin, f"/e/{event['slug']}/settings", form)
    assert response.status_code == 302, field_errors(response.get_data(as_text=True))
    after = app_store.get_event(event["slug"])
    for key in ("name", "starts_at", "ends_at", "hashtags", "accounts", "url", "venue"):
        assert after[key] == event[key], key
    assert [(s["id"], s["key"], s["title"], s["starts_at"], s["speakers"])
            for s in after["sessions"]] == [(s["id"], s["key"], s["title"], s["starts_at"],
                                             s["speakers"]) for s in event["sessions"]]
    assert EVENT["slug"] == "prova"
