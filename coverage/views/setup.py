"""Setting up in the browser (coordinators only): create and edit an event and its programme,
import the programme from a CSV file, invite and remove people, the setup checklist.

The form's reading and checking is `coverage.eventform`; the writes are the store's. The
settings form has three submit buttons: save (also what Enter does), import_file (a programme
file, shown for review, nothing saved) and add_row (one more empty session, without JavaScript).
"""

from __future__ import annotations

import re
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext

from ..checklist import next_step, setup_checklist
from ..eventform import (
    LANGUAGES,
    MAX_CSV_BYTES,
    Errors,
    FormResult,
    assign_keys,
    event_form,
    match_sessions,
    read_event_form,
    read_programme_csv,
    read_user_form,
    session_rows,
    timezones,
)
from ..store import NotFound, ProgrammeConflict
from . import store
from .auth import admin_required, current_user
from .public import event_or_404

bp = Blueprint("setup", __name__)

MAX_BLANK_ROWS = 20  # empty session rows added one submit at a time, without JavaScript


def wake_collector() -> None:
    """A new event is collected at once, not at the collector's next renewal."""
    collector = current_app.extensions.get("piazza_collector")
    if collector is not None:
        collector.wake()


def checklist_of(slug: str) -> list:
    return setup_checklist(store().setup_facts(slug))


@bp.route("/events/new", methods=["GET", "POST"])
@admin_required
def new_event():
    if request.method == "POST":
        return _submitted(None)
    values, rows = event_form(None)
    return _page(None, values, rows)


@bp.route("/e/<slug>/settings", methods=["GET", "POST"])
@admin_required
def settings(slug: str):
    event = event_or_404(slug)
    if request.method == "POST":
        return _submitted(event)
    values, rows = event_form(event)
    return _page(event, values, rows)


def _blank_rows(result: FormResult) -> int:
    """How many empty session rows the posted form had (they are not in `result.rows`)."""
    posted = {key.split("-")[1] for key in request.form
              if re.fullmatch(r"s-\d{1,4}-title", key)}
    return max(len(posted) - len(result.rows), 1)


def _submitted(event: dict[str, Any] | None):
    form = request.form
    creating = event is None
    action = "import" if "import_file" in form else "add_row" if "add_row" in form else "save"
    result = read_event_form(form, creating=creating)
    if action == "import":
        return _import(event, result)
    if action == "add_row":
        blank = min(_blank_rows(result) + 1, MAX_BLANK_ROWS)
        return _page(event, result.values, result.rows, blank=blank,
                     focus=f"s-{len(result.rows) + blank - 1}-title")
    errors = result.errors
    if creating:
        created = create_checked_event(result)
        if created is None:
            return _page(None, result.values, result.rows, errors=errors,
                         blank=_blank_rows(result)), 400
        flash(_("Event created. Next step: connect its sources."))
        return redirect(url_for("setup.settings", slug=created["slug"]) + "#checklist")
    if errors:
        return _page(event, result.values, result.rows, errors=errors, blank=_blank_rows(result),
                     detach=bool(form.get("detach"))), 400
    slug, actor = event["slug"], current_user()["name"]
    try:
        detached = store().update_event(slug, result.event, actor,
                                         detach=bool(form.get("detach")))[1]
    except ProgrammeConflict as conflict:
        errors.add("programme", " ".join(ngettext(
            "“%(title)s” has %(num)s post attached and is no longer in the programme: keep "
            "the session, or tick “Detach their posts and remove” below and save again.",
            "“%(title)s” has %(num)s posts attached and is no longer in the programme: keep "
            "the session, or tick “Detach their posts and remove” below and save again.",
            item["posts"], title=item["title"]) for item in conflict.sessions))
        return _page(event, result.values, result.rows, errors=errors, blank=_blank_rows(result),
                     conflict=conflict.sessions), 400
    flash(_("Settings saved."))
    for item in detached:
        flash(ngettext("%(num)s post is no longer attached to “%(title)s”.",
                       "%(num)s posts are no longer attached to “%(title)s”.",
                       item["posts"], title=item["title"]))
    return redirect(url_for("setup.settings", slug=slug))


def create_checked_event(result: FormResult) -> dict[str, Any] | None:
    """Create the event a checked form (page or API) describes and have it collected at once;
    None when it cannot be, with why added to `result.errors` (the address is taken, maybe by
    someone who saved a moment ago)."""
    slug = result.event.get("slug", "")
    taken = _("Another event already has the address %(slug)s: choose another one, e.g. "
              "%(slug)s-2.", slug=slug)
    if slug and "slug" not in result.errors and store().event_exists(slug):
        result.errors.add("slug", taken)
    if result.errors:
        return None
    try:
        created = store().create_event(
            {**result.event, "sessions": assign_keys(result.event["sessions"])},
            actor=current_user()["name"])
    except ValueError:
        result.errors.add("slug", taken)
        return None
    wake_collector()
    return created


def _import(event: dict[str, Any] | None, result: FormResult):
    """Read the programme file into the form's rows for review; nothing is saved."""
    upload = request.files.get("programme_file")
    if upload is None or not upload.filename:
        errors = Errors(programme_file=_("Choose the programme file (CSV) first, then press "
                                         "“Import the file”."))
        return _page(event, result.values, result.rows, errors=errors), 400
    read = read_programme_csv(upload.stream.read(MAX_CSV_BYTES + 1), tz=result.tz,
                              day=result.day, event_range=result.span)
    if read.errors:
        summary = read.errors[0] if len(read.errors) == 1 else _(
            "The file has problems (listed below): nothing was imported. Fix them in the "
            "spreadsheet, save it as CSV again and import it.")
        return _page(event, result.values, result.rows, errors=Errors(programme_file=summary),
                     csv_errors=read.errors if len(read.errors) > 1 else []), 400
    sessions = match_sessions(read.sessions, event["sessions"] if event else [])
    kept = sum(1 for s in sessions if s.get("id"))
    notice = ngettext(
        "%(num)s session read from “%(file)s”. Check it below: the programme is replaced "
        "only when you save.",
        "%(num)s sessions read from “%(file)s”. Check them below: the programme is replaced "
        "only when you save.", len(sessions), file=upload.filename)
    if kept:
        notice += " " + ngettext(
            "%(num)s of them is already in the programme and keeps its attached posts.",
            "%(num)s of them are already in the programme and keep their attached posts.",
            kept)
    return _page(event, result.values, session_rows(sessions, result.tz, result.day),
                 notice=notice, notes=read.notes, focus="programme")


def _page(event: dict[str, Any] | None, values: dict[str, str], rows: list[dict[str, Any]],
          *, errors: Errors | None = None, blank: int = 1, csv_errors: list[str] = (),
          notice: str = "", notes: list[str] = (), focus: str = "",
          conflict: list[dict[str, Any]] = (), detach: bool = False) -> str:
    errors = errors or Errors()
    steps = checklist_of(event["slug"]) if event else []
    return render_template(
        "setup/event.html", event=event, user=current_user(), values=values, rows=rows,
        blank=blank, errors=errors, first_error=next(iter(errors), ""), csv_errors=csv_errors,
        notice=notice, notes=notes, focus=focus, conflict=conflict, detach=detach,
        steps=steps, next_step=next_step(steps) if event else None,
        timezones=timezones(), event_languages=LANGUAGES, max_csv_kb=MAX_CSV_BYTES // 1024)


# -- people ---------------------------------------------------------------------------------------
@bp.route("/users", methods=["GET", "POST"])
@admin_required
def users():
    errors, values = Errors(), {"name": "", "role": "editor"}
    if request.method == "POST":
        values, errors = read_user_form(request.form)
        if not errors:
            try:
                user, token = store().invite_user(values["name"], values["role"],
                                                  current_user()["name"])
            except ValueError as exc:
                errors.add("name", str(exc))
            else:
                _show_link_once(user["name"], token)
                return redirect(url_for("setup.users") + "#new-link")
    new_link = session.pop("new_link", None)
    people = store().list_users()
    return render_template(
        "setup/users.html", user=current_user(), people=people, errors=errors,
        first_error=next(iter(errors), ""), focus="", values=values, new_link=new_link,
        admins=sum(1 for p in people if p["role"] == "admin")), 400 if errors else 200


def _show_link_once(name: str, token: str) -> None:
    # Kept in the (signed) session cookie for the one page view that follows, then forgotten:
    # only the token's hash is in the database, so it can never be shown again.
    session["new_link"] = {"name": name,
                           "url": url_for("auth.login_link", token=token, _external=True)}


@bp.post("/users/<int:user_id>/link")
@admin_required
def new_link(user_id: int):
    try:
        token = store().new_login_link(user_id, current_user()["name"])
    except NotFound:
        abort(404)
    _show_link_once(store().user_by_id(user_id)["name"], token)
    return redirect(url_for("setup.users") + "#new-link")


@bp.route("/users/<int:user_id>/remove", methods=["GET", "POST"])
@admin_required
def remove_user(user_id: int):
    person = store().user_by_id(user_id)
    if person is None:
        abort(404)
    me = current_user()
    error = ""
    if person["id"] == me["id"]:
        error = _("You cannot remove yourself: ask another coordinator to do it.")
    elif request.method == "POST":
        try:
            store().delete_user(user_id, me["name"])
        except ValueError as exc:
            error = str(exc)
        else:
            flash(_("%(name)s can no longer log in.", name=person["name"]))
            return redirect(url_for("setup.users"))
    return render_template("setup/remove_user.html", user=me, person=person,
                           error=error), 400 if error and request.method == "POST" else 200
