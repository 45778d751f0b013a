"""Pages, login, the JSON API, CSRF and the security headers."""

from __future__ import annotations

import pytest

from coverage import create_app
from coverage.settings import SETTINGS, load_settings

from .conftest import csrf_token, login


def test_settings_come_from_piazza_environment_variables():
    values = load_settings(environ={"PIAZZA_PORT": "8080", "PIAZZA_DEMO": "no",
                                    "PIAZZA_DEMO_SPEED": "0"})
    assert (values["PORT"], values["DEMO"], values["DEMO_SPEED"]) == (8080, False, 0.0)
    assert values["DB"] == "instance/piazza.db"
    assert all(s.help for s in SETTINGS)


def test_a_bad_setting_says_what_was_expected():
    with pytest.raises(ValueError, match="PIAZZA_PORT"):
        load_settings(environ={"PIAZZA_PORT": "cinquemila"})


def test_secret_key_is_generated_into_the_instance_folder(tmp_path):
    app = create_app({"DB": str(tmp_path / "db" / "p.db"), "DEMO": False})
    key_file = tmp_path / "db" / "secret_key"
    assert key_file.read_text() == app.config["SECRET_KEY"] and len(app.config["SECRET_KEY"]) == 64
    assert create_app({"DB": str(tmp_path / "db" / "p.db")}).config["SECRET_KEY"] == \
        app.config["SECRET_KEY"]


def test_index_lists_events_with_links(app, app_event):
    html = app.test_client().get("/").get_data(as_text=True)
    assert "Giornata di prova" in html and "/e/prova/wall" in html and "/e/prova/console" in html


def test_wall_page_is_public_and_carries_no_inline_script(app, app_event):
    response = app.test_client().get("/e/prova/wall")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and 'data-event="prova"' in html
    assert "<script>" not in html and 'type="module"' in html
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]


def test_unknown_event_is_a_404(app):
    assert app.test_client().get("/e/nessuno/wall").status_code == 404


def test_console_requires_login(app, app_event):
    response = app.test_client().get("/e/prova/console")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_console_opens_for_an_editor(editor, app_event):
    html = editor.get("/e/prova/console").get_data(as_text=True)
    assert "Scorciatoie" in html and 'value="spam"' in html


def test_password_login_and_wrong_password(app, app_store):
    app_store.create_user("marta", "editor", "una-password-lunga")
    client = app.test_client()
    token = csrf_token(client)
    bad = client.post("/login", data={"name": "marta", "password": "no", "csrf_token": token})
    assert bad.status_code == 401 and "non corretti" in bad.get_data(as_text=True)
    ok = client.post("/login?next=/e/prova/console",
                     data={"name": "marta", "password": "una-password-lunga", "csrf_token": token})
    assert ok.status_code == 302 and ok.headers["Location"] == "/e/prova/console"


def test_login_never_redirects_to_another_site(app, app_store):
    app_store.create_user("marta", "editor", "una-password-lunga")
    client = app.test_client()
    response = client.post("/login?next=//evil.example/x", data={
        "name": "marta", "password": "una-password-lunga", "csrf_token": csrf_token(client)})
    assert response.headers["Location"] == "/"


def test_login_is_rate_limited(app, app_store):
    client = app.test_client()
    token = csrf_token(client)
    codes = [client.post("/login", data={"name": "x", "password": "y", "csrf_token": token},
                         environ_base={"REMOTE_ADDR": "10.9.9.9"}).get_data(as_text=True)
             for _ in range(12)]
    assert "Troppi tentativi" in codes[-1]


def test_forms_without_csrf_token_are_refused(app, app_store):
    app_store.create_user("marta", "editor", "una-password-lunga")
    response = app.test_client().post("/login", data={"name": "marta",
                                                      "password": "una-password-lunga"})
    assert response.status_code == 400


def test_one_time_link_logs_in_once(app, app_store):
    user = app_store.create_user("luca", "editor")
    token = app_store.create_login_token(user["id"])
    client = app.test_client()
    assert client.get(f"/login/{token}").status_code == 302
    assert app.test_client().get(f"/login/{token}").status_code == 410


def test_api_needs_login(app, app_event):
    response = app.test_client().get("/api/events")
    assert response.status_code == 401 and "login" in response.get_json()["error"]


def test_api_lists_events_and_posts_and_takes_decisions(app, app_store, app_event, make_post,
                                                        editor):
    source = app_store.list_sources("prova")[0]
    app_store.ingest(source["id"], [make_post("Ciao #pasocial")], {})
    assert editor.get("/api/events").get_json() == [
        {"slug": "prova", "name": "Giornata di prova", "hashtags": ["prova", "pasocial"]}]
    [post] = editor.get("/api/events/prova/posts?state=pending").get_json()
    assert post["text"] == "Ciao #pasocial" and post["state"] == "pending"
    token = csrf_token(editor, "/e/prova/console")
    refused = editor.post(f"/api/events/prova/posts/{post['id']}/decisions",
                          json={"action": "approve"})
    assert refused.status_code == 400  # no CSRF token
    ok = editor.post(f"/api/events/prova/posts/{post['id']}/decisions",
                     json={"action": "approve"}, headers={"X-CSRFToken": token})
    assert ok.status_code == 200 and ok.get_json()["changed"] is True
    assert app_store.get_post("prova", post["id"])["decided_by"] == "marta"
    bad = editor.post(f"/api/events/prova/posts/{post['id']}/decisions",
                      json={"action": "boh"}, headers={"X-CSRFToken": token})
    assert bad.status_code == 400 and "Azione sconosciuta" in bad.get_json()["error"]


def test_recap_preview_and_download(app, app_store, app_event, make_post, editor):
    source = app_store.list_sources("prova")[0]
    app_store.ingest(source["id"], [make_post("Slide bellissime")], {})
    post_id = app_store.list_posts("prova")[0]["id"]
    app_store.decide("prova", post_id, "approve", "marta")
    assert "Slide bellissime" in editor.get("/e/prova/recap").get_data(as_text=True)
    download = editor.get("/e/prova/recap/csv")
    assert download.headers["Content-Disposition"] == 'attachment; filename="prova.csv"'
    assert editor.get("/e/prova/recap/exe").status_code == 404


def test_security_headers_on_every_page(app):
    headers = app.test_client().get("/").headers
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]


def test_session_cookie_is_httponly_and_samesite(app, app_store):
    client = app.test_client()
    user = app_store.create_user("anna", "editor")
    response = client.get(f"/login/{app_store.create_login_token(user['id'])}")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_logout_ends_the_session(app, app_store, app_event):
    client = app.test_client()
    login(client, app_store)
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    assert client.get("/e/prova/console").status_code == 302


def test_secrets_can_live_in_the_instance_folder(tmp_path):
    (tmp_path / "x_bearer_token").write_text("token-from-file\n")
    app = create_app({"DB": str(tmp_path / "p.db"), "DEMO": False})
    assert app.config["X_BEARER_TOKEN"] == "token-from-file"
    env_wins = create_app({"DB": str(tmp_path / "p.db"), "X_BEARER_TOKEN": "from-env"})
    assert env_wins.config["X_BEARER_TOKEN"] == "from-env"


def test_cookies_are_secure_when_served_over_https(tmp_path):
    app = create_app({"DB": str(tmp_path / "p.db"), "DEMO": False, "HTTPS": True})
    store = app.extensions["piazza_store"]
    user = store.create_user("anna", "editor")
    response = app.test_client().get(f"/login/{store.create_login_token(user['id'])}",
                                     base_url="https://piazza.example")
    assert "Secure" in response.headers["Set-Cookie"]


def test_the_figures_of_the_day_are_in_the_console(app, app_store, app_event, make_post, editor):
    source = app_store.list_sources("prova")[0]
    app_store.ingest(source["id"], [make_post("Uno #pasocial"), make_post("Due #pasocial")], {})
    post_id = app_store.list_posts("prova")[0]["id"]
    app_store.decide("prova", post_id, "reject", "marta", reason="spam")
    html = editor.get("/e/prova/figures").get_data(as_text=True)
    assert "I numeri della giornata" in html and "<svg" in html
    assert "Spam" in html  # rejected by reason
    assert 'href="/e/prova/figures"' in editor.get("/e/prova/console").get_data(as_text=True)


@pytest.mark.parametrize(("language", "said", "other"), [
    ("it", ["Piazza è in ascolto su http://127.0.0.1:5000",
            "Accesso editori (link monouso, valido 24 ore):",
            "Nessun evento ancora: apri il link monouso qui sotto"], "listening"),
    ("en", ["Piazza is listening on http://127.0.0.1:5000",
            "Editors' login (one-time link, valid for 24 hours):",
            "No event yet: open the one-time link below"], "ascolto"),
])
def test_the_start_banner_speaks_the_install_language(tmp_path, language, said, other):
    from coverage.server import banner, prepare_first_start

    app = create_app({"DB": str(tmp_path / "piazza.db"), "SECRET_KEY": "test-secret",
                      "DEMO": False, "COLLECT": False, "LANGUAGE": language})
    token = prepare_first_start(app)
    text = banner(app, "0.0.0.0", 5000, token)
    assert all(line in text for line in said) and other not in text
    assert f"http://127.0.0.1:5000/login/{token}" in text
