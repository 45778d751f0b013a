"""Setting up an event: the settings form and the programme's CSV file → clean data or errors
in plain words (pure functions, no app)."""

from __future__ import annotations

import codecs
from datetime import date
from zoneinfo import ZoneInfo

import pytest

from coverage import eventform
from coverage.checklist import next_step, setup_checklist
from coverage.eventform import (
    MAX_CSV_BYTES,
    MAX_SESSIONS,
    event_form,
    match_sessions,
    parse_account,
    parse_accounts,
    parse_hashtags,
    parse_speakers,
    read_event_form,
    read_programme_csv,
    read_user_form,
    suggest_slug,
)

ROME = ZoneInfo("Europe/Rome")
DAY = date(2026, 11, 19)
FORM = {
    "name": "#pasocial 2026", "slug": "", "description": "Una giornata", "venue": "Auditorium",
    "url": "https://pasocial.example/2026", "language": "it", "timezone": "Europe/Rome",
    "starts_at": "2026-11-19T09:00", "ends_at": "2026-11-19T18:30",
    "hashtags": "#pasocial, PAsocial2026", "accounts": "@ente@pa.social\ncomune.bsky.social",
}


def programme_csv(text: str, bom: bool = False, encoding: str = "utf-8") -> bytes:
    data = text.encode(encoding)
    return codecs.BOM_UTF8 + data if bom else data


def read(data: bytes, day: date | None = DAY):
    return read_programme_csv(data, tz=ROME, day=day)


# -- the programme file ----------------------------------------------------------------------
ITALIAN = ("titolo;inizio;fine;sala;relatori;descrizione\r\n"
           "Apertura dei lavori;9:00;9.30;Sala grande;Anna Verdi (@anna@pa.social), Luca Neri;"
           "I saluti\r\n"
           "Keynote: il servizio pubblico;09:30;10:15;Sala grande;"
           "Giulia Ferri (Regione, comunicazione) giulia.bsky.social;\"Dieci anni; e poi\"\r\n")


@pytest.mark.parametrize("bom", [False, True])
def test_excel_csv_with_semicolons_and_italian_headers_reads_with_or_without_bom(bom):
    result = read(programme_csv(ITALIAN, bom=bom))
    assert result.errors == [] and result.notes == []
    opening, keynote = result.sessions
    assert opening["title"] == "Apertura dei lavori"
    # 9:00 in Rome on 19 November is 08:00 UTC; "9.30" is how many Italians write times.
    assert (opening["starts_at"], opening["ends_at"]) == ("2026-11-19T08:00:00Z",
                                                          "2026-11-19T08:30:00Z")
    assert opening["room"] == "Sala grande" and opening["description"] == "I saluti"
    assert opening["speakers"] == [{"name": "Anna Verdi", "handle": "@anna@pa.social"},
                                   {"name": "Luca Neri"}]
    assert keynote["speakers"] == [{"name": "Giulia Ferri", "role": "Regione, comunicazione",
                                    "handle": "@giulia.bsky.social"}]
    assert keynote["description"] == "Dieci anni; e poi"


def test_english_headers_commas_and_full_date_times():
    text = ("Title,Start,End,Room,Speakers,Description\n"
            "Day two opening,2026-11-20 09:00,20/11/2026 9:45,Hall B,\"Ann Green; Bob White\","
            "\n")
    (session,) = read(programme_csv(text)).sessions
    assert (session["starts_at"], session["ends_at"]) == ("2026-11-20T08:00:00Z",
                                                          "2026-11-20T08:45:00Z")
    assert [s["name"] for s in session["speakers"]] == ["Ann Green", "Bob White"]


def test_a_date_column_puts_times_on_its_day_and_headers_ignore_case_and_accents():
    text = "DATA;Ora inizio;Ora fine;Titolo\n20/11/2026;14:00;15:00;Pomeriggio\n"
    (session,) = read(programme_csv(text)).sessions
    assert session["starts_at"] == "2026-11-20T13:00:00Z"


def test_windows_1252_from_plain_excel_csv_keeps_the_accents():
    text = "titolo;inizio;fine\nAccessibilità e linguaggio;11:00;12:00\n"
    (session,) = read(programme_csv(text, encoding="cp1252")).sessions
    assert session["title"] == "Accessibilità e linguaggio"


def test_end_before_start_is_named_by_row_with_both_times():
    text = "titolo;inizio;fine\nA;9:00;9:30\nB;9:30;10:00\nC;11:30;10:00\n"
    result = read(programme_csv(text))
    # Row 1 is the header: the third session is on the fourth row, as the spreadsheet shows.
    assert result.errors == [
        "Row 4: the end time 10:00 comes before the start 11:30: check the two times."]
    assert result.sessions == []  # all or nothing: the lead fixes the file and tries again


def test_bad_times_and_missing_titles_are_listed_row_by_row():
    text = "titolo;inizio;fine\n;9:00;10:00\nB;nove;10:00\nC;25:00;26:00\nD;9:00;9:00\n"
    errors = read(programme_csv(text)).errors
    assert errors[0] == "Row 2: write the title of the session."
    assert errors[1].startswith("Row 3: “nove” is not a time: write it as 09:30")
    assert errors[2].startswith("Row 4: “25:00” is not a time")
    assert errors[-1] == "Row 5: the session ends when it starts (09:00): check the end time."


def test_times_alone_need_the_event_day():
    result = read(programme_csv("titolo;inizio;fine\nA;9:00;10:00\n"), day=None)
    assert "has no date: fill in when the event starts first" in result.errors[0]
    ok = read(programme_csv("titolo;inizio;fine\nA;19/11/2026 9:00;19/11/2026 10:00\n"),
              day=None)
    assert ok.errors == [] and ok.sessions[0]["starts_at"] == "2026-11-19T08:00:00Z"


def test_too_many_rows_are_refused_with_the_limit():
    rows = "".join(f"S{i};9:00;10:00\n" for i in range(MAX_SESSIONS + 1))
    result = read(programme_csv("titolo;inizio;fine\n" + rows))
    assert result.sessions == []
    assert result.errors == [f"The file has {MAX_SESSIONS + 1} sessions: at most {MAX_SESSIONS}."
                             " Remove the empty or extra rows, or split the programme."]


def test_a_file_too_big_is_refused_before_reading_it():
    result = read(b"titolo;inizio;fine\n" + b"x" * MAX_CSV_BYTES)
    assert result.errors[0].startswith("The file is 257 kB: at most 256 kB.")


@pytest.mark.parametrize("data", [b"", b"\xef\xbb\xbf", b"\n\n  \n"])
def test_an_empty_file_says_what_a_programme_file_looks_like(data):
    (error,) = read(data).errors
    assert error.startswith("The file is empty") and "titolo, inizio, fine" in error


def test_a_header_only_file_and_missing_columns_say_what_to_add():
    assert read(b"titolo;inizio;fine\n;;\n").errors == [
        "The file has no sessions under its first row: write one session per row."]
    (error,) = read(b"titolo;quando\nA;9:00\n").errors
    assert "no column for: inizio (start), fine (end)" in error
    (error,) = read(b"just one column\nA\n").errors
    assert error.startswith("The first row must name the columns")


def test_unknown_columns_are_noted_not_fatal():
    result = read(b"titolo;inizio;fine;colore\nA;9:00;10:00;rosso\n")
    assert len(result.sessions) == 1
    assert result.notes == ["The column “colore” is not used."]


def test_a_binary_file_is_not_taken_for_a_programme():
    (error,) = read(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR").errors
    assert "CSV" in error


def test_many_problems_are_capped_with_a_count():
    rows = "".join(f"S{i};x;y\n" for i in range(30))
    errors = read(programme_csv("titolo;inizio;fine\n" + rows)).errors
    assert len(errors) == eventform.MAX_ERRORS_LISTED + 1
    assert errors[-1] == "…and 40 more problems."


def test_sessions_outside_the_event_are_pointed_out():
    from datetime import UTC, datetime
    span = (datetime(2026, 11, 19, 8, tzinfo=UTC), datetime(2026, 11, 19, 17, tzinfo=UTC))
    result = read_programme_csv(b"titolo;inizio;fine\nCena;19:00;21:00\n", tz=ROME, day=DAY,
                                event_range=span)
    assert result.errors == ["Row 2 (19:00–21:00) falls outside the event (09:00–18:00): "
                             "check the times, or when the event starts and ends."]


def test_imported_sessions_take_the_ids_of_the_stored_ones_by_key_or_title():
    stored = [{"id": 7, "key": "s1", "title": "Apertura"},
              {"id": 8, "key": "s2", "title": "Keynote"}]
    imported = [{"title": "KEYNOTE"}, {"title": "Nuova", "key": "s1"}, {"title": "Altra"}]
    assert [s.get("id") for s in match_sessions(imported, stored)] == [8, 7, None]


# -- the form --------------------------------------------------------------------------------
def test_the_form_becomes_the_event_the_store_keeps():
    form = {**FORM, "s-0-title": "Apertura", "s-0-start": "9:00", "s-0-end": "9:30",
            "s-0-speakers": "Anna Verdi @anna@pa.social", "s-1-title": "", "s-1-start": ""}
    result = read_event_form(form, creating=True)
    assert result.errors == {}
    event = result.event
    assert event["slug"] == "pasocial-2026"  # suggested from the name
    assert (event["starts_at"], event["ends_at"]) == ("2026-11-19T08:00:00Z",
                                                      "2026-11-19T17:30:00Z")
    assert event["hashtags"] == ["pasocial", "PAsocial2026"]
    assert event["accounts"] == [{"platform": "mastodon", "handle": "@ente@pa.social"},
                                 {"platform": "bluesky", "handle": "@comune.bsky.social"}]
    assert event["sessions"] == [{
        "title": "Apertura", "starts_at": "2026-11-19T08:00:00Z",
        "ends_at": "2026-11-19T08:30:00Z", "room": "", "description": "",
        "speakers": [{"name": "Anna Verdi", "handle": "@anna@pa.social"}]}]
    assert len(result.rows) == 1  # the spare empty row is not a session


def test_every_field_error_names_the_fix_and_keeps_what_was_typed():
    form = {**FORM, "name": "", "slug": "Pa Social!", "url": "pasocial.example",
            "timezone": "Europe/Roma", "starts_at": "domani", "ends_at": "",
            "hashtags": "#pa social!", "accounts": "ente", "language": "fr",
            "s-3-title": "Keynote", "s-3-start": "11:30", "s-3-end": "10:00"}
    result = read_event_form(form, creating=True)
    errors = result.errors
    assert list(errors) == ["name", "slug", "url", "language", "timezone", "starts_at",
                            "ends_at", "hashtags", "accounts", "programme"]
    assert errors["name"] == "Write the event's name, e.g. #pasocial 2026."
    assert "https://" in errors["url"]
    assert errors["timezone"].startswith("“Europe/Roma” is not a time zone")
    assert errors["starts_at"] == "“domani” is not a date and time: write it as 19/11/2026 09:00."
    assert errors["accounts"].startswith("“ente” is not an account: write @name@instance")
    # Without the event's start, a time alone cannot be placed: said once, for every row.
    assert errors["programme"] == (
        "The sessions' times have no date: fill in when the event starts first, or write the "
        "date with each time, e.g. 19/11/2026 09:30.")
    assert result.values["slug"] == "pa social!" and result.rows[0]["title"] == "Keynote"


def test_slug_is_checked_when_creating_and_ignored_when_editing():
    bad = read_event_form({**FORM, "slug": "pa_social"}, creating=True)
    assert "lower-case letters" in bad.errors["slug"]
    edit = read_event_form({**FORM, "slug": "whatever"}, creating=False)
    assert "slug" not in edit.event and edit.errors == {}


def test_event_ending_before_it_starts():
    result = read_event_form({**FORM, "ends_at": "2026-11-19T08:00"}, creating=False)
    assert result.errors == {"ends_at": "The event ends (2026-11-19 08:00) before it starts "
                                        "(2026-11-19 09:00): check the two dates."}


def test_session_rows_end_before_start_and_removed_rows():
    form = {**FORM, "s-0-title": "A", "s-0-start": "11:30", "s-0-end": "10:00",
            "s-1-title": "B", "s-1-start": "bad", "s-1-end": "10:00", "s-1-remove": "on",
            "s-1-id": "4"}
    result = read_event_form(form, creating=False)
    assert result.errors == {"s-0-end": "Session 1: the end time 10:00 comes before the start "
                                        "11:30: check the two times."}
    assert [r["remove"] for r in result.rows] == [False, True]  # shown again, still ticked


def test_a_stored_event_shows_in_the_form_and_reads_back_the_same():
    stored = {"slug": "pasocial", "name": "#pasocial", "description": "", "venue": "",
              "url": "", "language": "en", "timezone": "Europe/Rome",
              "starts_at": "2026-11-19T08:00:00Z", "ends_at": "2026-11-20T17:00:00Z",
              "hashtags": ["pasocial"],
              "accounts": [{"platform": "x", "handle": "@pasocial_it"},
                           {"platform": "bluesky", "handle": "@pasocial.example"}],
              "sessions": [{"id": 3, "key": "s1", "title": "Day two", "room": "B",
                            "starts_at": "2026-11-20T08:00:00Z",
                            "ends_at": "2026-11-20T09:00:00Z", "description": "",
                            "speakers": [{"name": "Ann", "role": "Chair",
                                          "handle": "@ann.bsky.social"}]}]}
    values, rows = event_form(stored)
    assert values["starts_at"] == "2026-11-19T09:00"
    assert values["accounts"] == "@pasocial_it\n@pasocial.example"
    assert rows[0]["start"] == "2026-11-20 09:00"  # another day than the event's first
    assert rows[0]["speakers"] == "Ann (Chair) @ann.bsky.social"
    form = {**values, **{f"s-0-{k}": v for k, v in rows[0].items() if k != "remove"}}
    event = read_event_form(form, creating=False).event
    for key in ("starts_at", "ends_at", "hashtags", "accounts", "language"):
        assert event[key] == stored[key]
    (session,) = event["sessions"]
    assert session["id"] == 3 and session["speakers"] == stored["sessions"][0]["speakers"]
    assert (session["starts_at"], session["ends_at"]) == ("2026-11-20T08:00:00Z",
                                                          "2026-11-20T09:00:00Z")


# -- small pieces ------------------------------------------------------------------------------
@pytest.mark.parametrize(("text", "platform", "handle"), [
    ("@ente@pa.social", "mastodon", "@ente@pa.social"),
    ("ente@PA.social", "mastodon", "@ente@pa.social"),
    ("comune.bsky.social", "bluesky", "@comune.bsky.social"),
    ("@comune-valdoria.example", "bluesky", "@comune-valdoria.example"),
    ("@pasocial_it", "x", "@pasocial_it"),
    ("https://x.com/pasocial_it", "x", "@pasocial_it"),
    ("https://bsky.app/profile/ente.bsky.social", "bluesky", "@ente.bsky.social"),
    ("https://mastodon.social/@ente", "mastodon", "@ente@mastodon.social"),
    ("x:pasocial_it", "x", "@pasocial_it"),
])
def test_accounts_are_told_apart_by_their_shape(text, platform, handle):
    assert parse_account(text) == {"platform": platform, "handle": handle}


def test_accounts_refused_and_repeated():
    accounts, bad = parse_accounts("@a@b.social, @A@b.social\ncomune\n\nmastodon:@solo")
    assert accounts == [{"platform": "mastodon", "handle": "@a@b.social"}]
    assert bad == ["comune", "mastodon:@solo"]


def test_hashtags():
    assert parse_hashtags("#pasocial PAsocial2026, #PASOCIAL\n#accessibilità") == (
        ["pasocial", "PAsocial2026", "accessibilità"], [])
    assert parse_hashtags("#ok #no-pe 2026")[1] == ["#no-pe", "2026"]


def test_speakers_names_roles_and_handles():
    assert parse_speakers("Anna Verdi\nLuca Neri (moderatore) @luca@pa.social") == [
        {"name": "Anna Verdi"},
        {"name": "Luca Neri", "role": "moderatore", "handle": "@luca@pa.social"}]
    assert parse_speakers("A. Rossi, B. Bianchi") == [{"name": "A. Rossi"},
                                                      {"name": "B. Bianchi"}]
    # Brackets inside a role stay in it; commas inside brackets do not split speakers.
    assert parse_speakers("Tommaso Rinaldi (Giornalista, conduce (introduce)) @t.bsky.social"
                          ) == [{"name": "Tommaso Rinaldi", "role": "Giornalista, conduce "
                                 "(introduce)", "handle": "@t.bsky.social"}]


def test_suggested_slugs():
    assert suggest_slug("#PAsocial 2026 · Città di Roma") == "pasocial-2026-citta-di-roma"
    assert suggest_slug("!!!") == "evento"


def test_user_invitation_form():
    assert read_user_form({"name": "marta.rossi", "role": "editor"})[1] == {}
    errors = read_user_form({"name": "marta rossi", "role": "boss"})[1]
    assert set(errors) == {"name", "role"} and "without spaces" in errors["name"]


# -- the checklist ---------------------------------------------------------------------------
def test_checklist_walks_from_an_empty_event_to_a_running_wall():
    event = {"name": "E", "starts_at": "x", "ends_at": "y", "hashtags": ["e"], "sessions": []}
    facts = {"event": event, "sources": [], "rules_saved": False, "admins": 1, "editors": 0,
             "approved": 0}
    steps = setup_checklist(facts)
    assert [s.key for s in steps if s.done] == ["details"]
    assert next_step(steps).key == "programme"
    event["sessions"] = [{"title": "S"}]
    facts["sources"] = [{"platform": "rss", "enabled": True, "health": "failing"}]
    assert next_step(setup_checklist(facts)).key == "sources"  # connected, but failing
    facts["sources"][0]["health"] = "ok"
    facts.update(rules_saved=True, editors=1, approved=3)
    assert next_step(setup_checklist(facts)) is None
