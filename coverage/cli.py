"""Flask commands: events, sources, collect, posts, export, users (all on PIAZZA_DB)."""

from __future__ import annotations

import getpass
import json
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext
from flask_babel import gettext as _
from flask_babel import ngettext

from .collector import poll_once
from .curation import REASONS
from .recap import RENDERERS, export_recap
from .sources import REGISTRY, source_config
from .store import DecisionError, NotFound, Store
from .views.api import event_summary, post_summary

events_cli = AppGroup("events", help="Create and list events.")
sources_cli = AppGroup("sources", help="Connect sources to an event.")
posts_cli = AppGroup("posts", help="List posts and decide on them.")
users_cli = AppGroup("users", help="Editors and admins.")
audit_cli = AppGroup("audit", help="The audit log: export, retention.")

COMPANIONS = ("fragment", "wxr")  # written beside html and wordpress, not formats of their own
DECISIONS = ("approve", "reject", "feature", "pin", "unfeature", "unpin", "pending")


def _store() -> Store:
    return current_app.extensions["piazza_store"]


def _fail(message: str) -> None:
    raise click.ClickException(message)


@events_cli.command("create")
@click.argument("slug")
@click.option("--name", required=True, help="The event's name, as shown on the wall.")
@click.option("--hashtag", "hashtags", multiple=True, help="A hashtag to follow (repeatable).")
@click.option("--account", "accounts", multiple=True,
              help="An account to follow, as PLATFORM:HANDLE, e.g. bluesky:@ente.bsky.social.")
@click.option("--starts", help="Start, ISO-8601 (e.g. 2026-11-19T09:00:00+01:00).")
@click.option("--ends", help="End, ISO-8601.")
@click.option("--timezone", default="Europe/Rome", show_default=True)
@click.option("--language", default="it", show_default=True, type=click.Choice(["it", "en"]))
@click.option("--programme", type=click.Path(exists=True, dir_okay=False),
              help="A JSON file with a list of sessions (title, starts_at, ends_at, speakers).")
def events_create(slug, name, hashtags, accounts, starts, ends, timezone, language, programme):
    """Create an event."""
    parsed_accounts = []
    for account in accounts:
        platform, _colon, handle = account.partition(":")
        if not handle:
            _fail(_("Account %(account)s: write PLATFORM:HANDLE, e.g. bluesky:@ente.bsky.social",
                    account=repr(account)))
        parsed_accounts.append({"platform": platform, "handle": handle})
    sessions = []
    if programme:
        try:
            sessions = json.loads(Path(programme).read_text(encoding="utf-8"))
        except ValueError as exc:
            _fail(_("The programme %(file)s is not valid JSON: %(problem)s", file=programme,
                    problem=exc))
    try:
        event = _store().create_event({
            "slug": slug, "name": name, "hashtags": list(hashtags), "accounts": parsed_accounts,
            "starts_at": _iso(starts), "ends_at": _iso(ends), "timezone": timezone,
            "language": language, "sessions": sessions})
    except (ValueError, KeyError) as exc:
        _fail(str(exc))
    click.echo(_("Event created: %(slug)s (%(name)s)", slug=event["slug"], name=event["name"]))


def _iso(value: str | None) -> str | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        _fail(_("Date %(date)s is not valid: use the ISO-8601 format, e.g. "
                "2026-11-19T09:00:00+01:00", date=repr(value)))
    if moment.tzinfo is None:
        _fail(_("Date %(date)s has no time zone: add e.g. +01:00 or Z", date=repr(value)))
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@events_cli.command("list")
@click.option("--json", "as_json", is_flag=True, help="Output a JSON list.")
def events_list(as_json):
    """List events."""
    events = _store().list_events()
    if as_json:
        click.echo(json.dumps([event_summary(e) for e in events], ensure_ascii=False))
        return
    for e in events:
        click.echo(f"{e['slug']}\t{e['name']}\t{' '.join('#' + t for t in e['hashtags'])}")


@sources_cli.command("add")
@click.argument("slug")
@click.argument("platform")
@click.option("--instance", help="Where the platform's API paths begin (e.g. https://mastodon.social;"
              " for rss: the feed's URL).")
@click.option("--hashtag", "hashtags", multiple=True,
              help="Hashtag to follow (repeatable; default: the event's).")
@click.option("--account", "accounts", multiple=True,
              help="Account to follow (repeatable; default: the event's accounts).")
@click.option("--query", help="bluesky: free-text search as well as the hashtags.")
@click.option("--interval", type=float, help="Seconds between two reads (default per platform).")
@click.option("--cap", "cap_per_hour", type=int, help="x: most posts read per hour (billed).")
@click.option("--file", "file_", type=click.Path(exists=True, dir_okay=False),
              help="replay: the recording to play (default: the bundled demo).")
@click.option("--speed", type=float, default=None,
              help="replay: N times real time; 0 plays everything at once.")
@click.option("--name", default="", help="A name for people.")
def sources_add(slug, platform, instance, hashtags, accounts, query, interval, cap_per_hour,
                file_, speed, name):
    """Connect a source (mastodon, bluesky, x, rss or replay) to an event."""
    if platform not in REGISTRY:
        _fail(_("Platform %(platform)s is not available: use one of %(choices)s.",
                platform=repr(platform), choices=", ".join(sorted(REGISTRY))))
    try:
        config = source_config(platform, instance=instance, hashtags=hashtags,
                               accounts=accounts, query=query, interval=interval,
                               cap_per_hour=cap_per_hour, file=file_, speed=speed,
                               default_speed=current_app.config["DEMO_SPEED"])
        source = _store().add_source(slug, platform, config, name=name)
    except (NotFound, ValueError) as exc:
        _fail(str(exc))
    click.echo(_("Source added: %(id)s (%(platform)s) to %(slug)s", id=source["id"],
                 platform=platform, slug=slug))


@sources_cli.command("list")
@click.argument("slug")
@click.option("--json", "as_json", is_flag=True, help="Output a JSON list.")
def sources_list(slug, as_json):
    """List an event's sources with their health."""
    keep = ("id", "platform", "name", "enabled", "health", "last_error", "last_ok_at",
            "next_try_at")
    try:
        _store().get_event(slug)
    except NotFound as exc:
        _fail(str(exc))
    sources = [{k: s[k] for k in keep} for s in _store().list_sources(slug)]
    if as_json:
        click.echo(json.dumps(sources, ensure_ascii=False))
        return
    for s in sources:
        error = f" — {s['last_error']}" if s["last_error"] else ""
        click.echo(f"{s['id']}\t{s['platform']}\t{s['name']}\t{s['health']}{error}")


@sources_cli.command("test")
@click.argument("slug")
@click.argument("source_id", type=int)
def sources_test(slug, source_id):
    """Try a source once without saving anything: does the connection work?"""
    from .collector import try_source

    try:
        source = _store().get_source(source_id)
        event = _store().get_event(slug)
    except NotFound as exc:
        _fail(str(exc))
    ok, message = try_source(source, event, current_app.config)
    click.echo(message)
    sys.exit(0 if ok else 1)


@click.command("collect")
@with_appcontext
@click.argument("slug")
@click.option("--once", is_flag=True, help="One round over every source, then exit.")
def collect(slug, once):
    """Collect posts for an event (one round with --once, else until stopped).

    Until stopped, it collects only while no other process does (the event's lease, see
    docs/SCALING.md), so it can run beside servers started with PIAZZA_COLLECT=0 or not."""
    from .server import LEASE_SECONDS, collect_lease, lease_holder

    store = _store()
    try:
        store.get_event(slug)
    except NotFound as exc:
        _fail(str(exc))
    lease, holder = collect_lease(slug), lease_holder("cli:")
    live = current_app.extensions["piazza_live"]
    waiting = False
    try:
        while True:
            if once or store.hold_lease(lease, holder, LEASE_SECONDS):
                waiting = False
                reports = poll_once(store, current_app.config, event_slug=slug, force=once)
                for report in reports:
                    click.echo(report.describe())
                if any(r.new for r in reports):
                    live.nudge()  # with PIAZZA_REDIS_URL, the servers send them at once
                if once:
                    sys.exit(1 if any(r.health == "failing" for r in reports) else 0)
            elif not waiting:
                waiting = True
                click.echo(_("Another process is already collecting for %(slug)s: waiting, "
                             "and taking over if it stops.", slug=slug))
            time.sleep(current_app.config["POLL_SECONDS"])
    finally:
        store.release_lease(lease, holder)


@posts_cli.command("list")
@click.argument("slug")
@click.option("--state", type=click.Choice(["pending", "approved", "rejected"]))
@click.option("--limit", type=int, default=100, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Output a JSON list.")
def posts_list(slug, state, limit, as_json):
    """List an event's posts, newest first."""
    try:
        posts = _store().list_posts(slug, state=state, limit=limit)
    except NotFound as exc:
        _fail(str(exc))
    if as_json:
        click.echo(json.dumps([post_summary(p) for p in posts], ensure_ascii=False))
        return
    for p in posts:
        flags = "".join(f for f, on in (("★", p["featured"]), ("📌", p["pinned"]),
                                          ("✗", p["deleted"])) if on)
        text = " ".join(p["text"].split())[:80]
        click.echo(f"{p['id']}\t{p['state']}{flags}\t{p['platform']}\t{p['author']['handle']}\t{text}")


@posts_cli.command("add")
@click.argument("slug")
@click.argument("url")
@click.option("--as", "actor", default=None, help="Who adds it (default: cli:<system user>).")
def posts_add(slug, url, actor):
    """Add one post by its permalink (Mastodon, Bluesky, X, Threads, YouTube)."""
    from .collector import add_post_by_url

    try:
        post_id, new = add_post_by_url(_store(), slug, url, current_app.config,
                                       actor or f"cli:{getpass.getuser()}")
    except (NotFound, ValueError) as exc:
        _fail(str(exc))
    click.echo(_("Post %(id)s added to the queue", id=post_id) if new
               else _("Post %(id)s already there", id=post_id))


@posts_cli.command("erase")
@click.argument("platform")
@click.argument("handle")
@click.option("--reason", default="", help="E.g. the request's reference number.")
@click.option("--as", "actor", default=None, help="Who erases (default: cli:<system user>).")
def posts_erase(platform, handle, reason, actor):
    """An author's erasure request: remove their posts everywhere, for good."""
    gone = _store().erase_author(platform, handle, actor or f"cli:{getpass.getuser()}", reason)
    click.echo(ngettext("%(handle)s (%(platform)s): %(num)s post erased; it will not be "
                        "collected again.",
                        "%(handle)s (%(platform)s): %(num)s posts erased; they will not be "
                        "collected again.", gone, handle=handle, platform=platform))


@posts_cli.command("decide")
@click.argument("slug")
@click.argument("post_id", type=int)
@click.argument("decision", type=click.Choice(DECISIONS))
@click.option("--reason", type=click.Choice(list(REASONS)), help="Why a post is rejected.")
@click.option("--as", "actor", default=None, help="Who decides (default: cli:<system user>).")
def posts_decide(slug, post_id, decision, reason, actor):
    """Approve, reject, feature or pin a post (recorded in the audit log)."""
    actor = actor or f"cli:{getpass.getuser()}"
    try:
        result = _store().decide(slug, post_id, decision, actor, reason=reason or "")
    except (NotFound, DecisionError, ValueError) as exc:
        _fail(str(exc))
    click.echo(f"Post {post_id}: {decision}" if result.changed
               else _("Post %(id)s: %(decision)s (no change)", id=post_id, decision=decision))


@click.command("export")
@with_appcontext
@click.argument("slug")
@click.option("--format", "fmt", required=True,
              type=click.Choice([n for n in RENDERERS if n not in COMPANIONS]))
@click.option("--out", "out_dir", default=None, help="Folder to write into (default: exports/).")
def export(slug, fmt, out_dir):
    """Write the recap of an event (approved posts that are not deleted)."""
    try:
        paths = export_recap(_store(), slug, fmt, out_dir or current_app.config["EXPORTS"])
    except NotFound as exc:
        _fail(str(exc))
    for path in paths:
        click.echo(str(path))


@users_cli.command("create")
@click.argument("name")
@click.option("--role", type=click.Choice(["admin", "editor"]), required=True)
@click.option("--password", is_flag=True, help="Ask for a password now (else use the link).")
def users_create(name, role, password):
    """Add an editor or admin; prints a one-time login link."""
    secret = None
    if password:
        secret = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user = _store().create_user(name, role, secret)
    except ValueError as exc:
        _fail(str(exc))
    click.echo(_("User created: %(name)s (%(role)s)", name=user["name"], role=user["role"]))
    _echo_link(user)


@users_cli.command("link")
@click.argument("name")
def users_link(name):
    """Print a new one-time login link for a user."""
    try:
        _echo_link(_store().get_user(name))
    except NotFound as exc:
        _fail(str(exc))


def _echo_link(user: dict) -> None:
    token = _store().create_login_token(user["id"])
    config = current_app.config
    click.echo(_("One-time login link (24 hours): %(url)s",
                 url=f"http://{config['HOST']}:{config['PORT']}/login/{token}"))


@audit_cli.command("export")
@click.argument("slug")
@click.option("--out", "out_file", type=click.Path(dir_okay=False), default=None,
              help="File to write (default: standard output).")
def audit_export(slug, out_file):
    """The event's audit log as CSV."""
    from .audit import audit_csv

    try:
        text = audit_csv(_store().audit_rows(slug))
    except NotFound as exc:
        _fail(str(exc))
    if out_file:
        Path(out_file).write_text(text, encoding="utf-8")
        click.echo(out_file)
    else:
        click.echo(text, nl=False)


@audit_cli.command("purge")
@click.option("--days", type=int, required=True, help="Keep this many days of audit log.")
def audit_purge(days):
    """Delete audit rows older than DAYS (the purge itself is logged)."""
    try:
        gone = _store().purge_audit(days, f"cli:{getpass.getuser()}")
    except ValueError as exc:
        _fail(str(exc))
    click.echo(ngettext("%(num)s audit log row deleted (older than %(days)s days).",
                        "%(num)s audit log rows deleted (older than %(days)s days).", gone,
                        days=days))


def register_commands(app: Flask) -> None:
    """Attach the command groups to `flask --app app`."""
    for command in (events_cli, sources_cli, posts_cli, users_cli, audit_cli, collect, export):
        app.cli.add_command(command)
