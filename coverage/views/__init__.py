"""Blueprints: public pages, auth, console, JSON API."""

from __future__ import annotations

from flask import Flask, current_app

from ..store import Store


def store() -> Store:
    """The app's store (the one door to the database)."""
    return current_app.extensions["piazza_store"]


def register_blueprints(app: Flask) -> None:
    """Attach every blueprint and the template helpers."""
    from . import api, auth, console, public, setup
    from .format import register_filters

    for module in (public, auth, console, setup, api):
        app.register_blueprint(module.bp)
    register_filters(app)
