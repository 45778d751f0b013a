"""The editors' console, the moderation rules page and the recap preview."""

from __future__ import annotations

from flask import Blueprint, Response, make_response, render_template, request
from flask_babel import force_locale
from flask_babel import gettext as _

from ..curation import REASONS, SYSTEM_REASONS
from ..i18n import LANGUAGES, translations
from ..model import stage_programme
from ..recap import build_recap, render_recap
from . import store
from .auth import current_user, login_required
from .public import event_or_404

bp = Blueprint("console", __name__)


def default_reasons() -> list[dict[str, str]]:
    """The built-in reject reasons in the reader's language, as RULES.reasons lists them."""
    return [{"code": code, "label": _(label)} for code, label in REASONS.items()]


def reader_reasons(reasons: list[dict[str, str]]) -> list[dict[str, str]]:
    """An event's reject reasons for the reader: a built-in reason whose label nobody changed
    (saved in English or in any language of the catalog) in the reader's language; a label the
    lead wrote, as written."""
    out = []
    for reason in reasons:
        source = REASONS.get(reason["code"])
        as_shipped = source is not None and reason["label"] in {
            source, *(translations(language).gettext(source) for language in LANGUAGES)}
        out.append({"code": reason["code"], "label": _(source) if as_shipped else reason["label"]})
    return out


def system_reasons() -> dict[str, str]:
    """What a rule (not a person) gives as a reason, in the reader's language."""
    return {code: _(label) for code, label in SYSTEM_REASONS.items()}


@bp.get("/e/<slug>/console")
@login_required
def console(slug: str):
    event = event_or_404(slug)
    rules = store().get_rules(event["slug"])
    return render_template("console.html", event=event, user=current_user(),
                           reasons=reader_reasons(rules["reasons"]),
                           system_reasons=system_reasons(),
                           programme=stage_programme(event["sessions"]))


@bp.get("/e/<slug>/rules")
@login_required
def rules(slug: str):
    # Everyone logged in may read the rules; the page offers editing to admins only (the API
    # enforces the same).
    event = event_or_404(slug)
    return render_template("rules.html", event=event, user=current_user(),
                           reasons=default_reasons())


@bp.get("/e/<slug>/sources")
@login_required
def sources(slug: str):
    from flask import current_app

    event = event_or_404(slug)
    config = current_app.config
    credentials = {  # whether each platform's credentials are set: yes or no, never the value
        "mastodon": bool(config.get("MASTODON_TOKEN")),
        "bluesky": bool(config.get("BLUESKY_HANDLE") and config.get("BLUESKY_APP_PASSWORD")),
        "x": bool(config.get("X_BEARER_TOKEN")),
    }
    return render_template("sources.html", event=event, user=current_user(),
                           credentials=credentials)


@bp.get("/e/<slug>/recap")
@login_required
def recap(slug: str):
    event = event_or_404(slug)
    from ..recap import RENDERERS

    recap = build_recap(store(), event["slug"])
    labels = {"markdown": "Markdown (Hugo, Jekyll)", "wordpress": _("WordPress (blocks)"),
              "wxr": _("WordPress (import file)"), "json": "JSON", "csv": "CSV",
              "zip": _("ZIP archive with the images")}
    formats = [(name, label) for name, label in labels.items() if name in RENDERERS]
    from ..recap.renderers import render_preview

    with force_locale(event["language"]):  # the preview is the recap: the event's language
        fragment = render_preview(recap)
    return render_template("recap_builder.html", event=event, user=current_user(),
                           fragment=fragment, formats=formats)


@bp.get("/e/<slug>/figures")
@login_required
def figures(slug: str):
    from .figures import panel

    event = event_or_404(slug)
    return render_template("figures.html", event=event, user=current_user(),
                           **panel(event))


@bp.get("/e/<slug>/figures/panel")
@login_required
def figures_panel(slug: str):
    """The figures panel alone: what the open page fetches to refresh itself."""
    from .figures import panel

    event = event_or_404(slug)
    response = make_response(render_template("figures/_panel.html", event=event,
                                             **panel(event)))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/e/<slug>/figures.csv")
@login_required
def figures_csv(slug: str):
    from .figures import csv_download

    event = event_or_404(slug)
    body = csv_download(event, request.args.get("sep"))
    return Response(body, mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{event["slug"]}-figures.csv"'})


@bp.get("/e/<slug>/recap/<fmt>")
@login_required
def recap_download(slug: str, fmt: str):
    from flask import Response, abort

    from ..recap import RENDERERS

    event = event_or_404(slug)
    renderer = RENDERERS.get(fmt)
    if renderer is None:
        abort(404)
    body = render_recap(build_recap(store(), event["slug"]), fmt)
    return Response(body, mimetype=renderer.mimetype, headers={
        "Content-Disposition": f'attachment; filename="{event["slug"]}{renderer.suffix}"'})
