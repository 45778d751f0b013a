"""Italian and English: which language each page speaks, the catalogs, and the script strings.

Source strings are English, in the code; `translations/it/LC_MESSAGES/messages.po` holds the
Italian. A page speaks the event's language when the public sees it (wall, embed, recap) and
the reader's language elsewhere: their choice (saved on their account and in a cookie), then
what their browser asks for, then `PIAZZA_LANGUAGE`.

`python -m coverage.i18n update` extracts every string (Python, templates, page scripts) and
merges them into the catalog; `compile` writes the .mo that the server reads; `check` lists
what is missing (tests/test_i18n.py runs it).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from functools import lru_cache
from io import BytesIO
from pathlib import Path
from typing import Any

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir, extract_from_file
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po
from babel.support import Translations
from flask import Flask, current_app, g, has_request_context, request
from flask_babel import Babel, get_locale
from jinja2.utils import htmlsafe_json_dumps
from markupsafe import Markup

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "translations"
LANGUAGES = {"it": "Italiano", "en": "English"}
COOKIE = "piazza_lang"

babel = Babel()

# What to read strings from, and the function names that mark them, per kind of file.
SCRIPT_KEYWORDS = {"t": None, "tn": (1, 2)}
PYTHON_KEYWORDS = {**DEFAULT_KEYWORDS, "lazy_gettext": None, "lazy_ngettext": (1, 2)}
EXTRACTORS: tuple[tuple[str, str, dict[str, Any], dict[str, str]], ...] = (
    ("coverage", "**.py", PYTHON_KEYWORDS, {}),
    ("templates", "**.html", PYTHON_KEYWORDS, {"trimmed": "true"}),
    ("static/js", "**.js", SCRIPT_KEYWORDS, {}),
)
METHODS = {"**.py": "python", "**.html": "jinja2.ext:babel_extract", "**.js": "javascript"}


def init_app(app: Flask) -> None:
    """Bind Flask-Babel and the template helpers to the app."""
    babel.init_app(app, locale_selector=select_locale,
                   default_translation_directories=str(TRANSLATIONS),
                   default_locale=app.config["LANGUAGE"])
    app.jinja_env.globals["script_strings"] = lambda: script_strings_json(str(get_locale()))
    app.jinja_env.globals["languages"] = LANGUAGES
    app.jinja_env.globals["page_language"] = lambda: str(get_locale())


def select_locale() -> str:
    """The language of this request (see the module's docstring for the order)."""
    default = current_app.config["LANGUAGE"]
    if not has_request_context():
        return default
    if g.get("page_language") in LANGUAGES:
        return g.page_language
    from .views.auth import current_user

    user = current_user()
    if user and user.get("language") in LANGUAGES:
        return user["language"]
    chosen = request.cookies.get(COOKIE)
    if chosen in LANGUAGES:
        return chosen
    return request.accept_languages.best_match(LANGUAGES) or default


def speak(language: str) -> None:
    """This page speaks `language` whoever reads it (the public wall, the recap preview)."""
    from flask_babel import refresh

    g.page_language = language if language in LANGUAGES else current_app.config["LANGUAGE"]
    refresh()


@lru_cache(maxsize=8)
def translations(language: str) -> Translations:
    """The catalog of one language, for work outside a request (recap exports, CLI)."""
    return Translations.load(str(TRANSLATIONS), [language])


@lru_cache(maxsize=8)
def script_strings(language: str) -> dict[str, Any]:
    """Every string the page scripts use, translated: what base.html hands to i18n.js.

    A plural is the list of its forms, one then other (Italian and English both have two).
    """
    catalog = translations(language)
    strings: dict[str, Any] = {}
    for path in sorted((ROOT / "static" / "js").glob("*.js")):
        for _line, message, _comments, _context in extract_from_file(
                "javascript", path, keywords=SCRIPT_KEYWORDS):
            if isinstance(message, tuple):
                strings[message[0]] = [catalog.ngettext(message[0], message[1], n)
                                       for n in (1, 2)]
            else:
                strings[message] = catalog.gettext(message)
    return {"language": language, "strings": strings}


@lru_cache(maxsize=8)
def script_strings_json(language: str) -> Markup:
    """`script_strings` as the page embeds it, serialized once per language, not per page."""
    return htmlsafe_json_dumps(script_strings(language))


# -- the catalog: extract, update, compile, check ------------------------------------------------
def extract() -> Catalog:
    """Every translatable string in the code, as a template catalog."""
    template = Catalog(project="Piazza", charset="utf-8", fuzzy=False)
    for folder, pattern, keywords, options in EXTRACTORS:
        for filename, line, message, comments, context in extract_from_dir(
                ROOT / folder, [(pattern, METHODS[pattern])], {pattern: options},
                keywords=keywords, strip_comment_tags=True):
            template.add(message, None, [(f"{folder}/{filename}", line)],
                         auto_comments=comments, context=context,
                         flags=_flags(message))
    return template


def _flags(message: str | tuple[str, ...]) -> tuple[str, ...]:
    text = message if isinstance(message, str) else message[0]
    return ("python-format",) if "%(" in text else ()


def po_path(language: str) -> Path:
    return TRANSLATIONS / language / "LC_MESSAGES" / "messages.po"


def read_catalog(language: str) -> Catalog:
    path = po_path(language)
    if not path.exists():
        return Catalog(locale=language, project="Piazza", fuzzy=False)
    with path.open("rb") as f:
        return read_po(f, locale=language)


def update(language: str = "it") -> Catalog:
    """Merge the strings in the code into a language's catalog (translations kept)."""
    catalog = read_catalog(language)
    created = catalog.creation_date  # kept, so that an update changes only what changed
    catalog.update(extract(), no_fuzzy_matching=True)
    catalog.creation_date = created
    catalog.obsolete.clear()
    path = po_path(language)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as f:
        write_po(f, catalog, width=100, ignore_obsolete=True, include_previous=False)
    return catalog


def compiled(language: str = "it") -> bytes:
    """The .mo bytes of a language's catalog as it is now."""
    buffer = BytesIO()
    write_mo(buffer, read_catalog(language))
    return buffer.getvalue()


def compile_catalog(language: str = "it") -> None:
    po_path(language).with_suffix(".mo").write_bytes(compiled(language))


def problems(language: str = "it") -> Iterator[str]:
    """What keeps a language's catalog from being complete, one line each."""
    catalog = read_catalog(language)
    for message in extract():
        if not message.id:
            continue
        where = ", ".join(f"{f}:{n}" for f, n in message.locations[:2])
        entry = catalog.get(message.id, context=message.context)
        if entry is None:
            yield f"missing from the catalog: {message.id!r} ({where})"
            continue
        forms = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        if not all(forms):
            yield f"not translated: {message.id!r} ({where})"
        elif entry.fuzzy:
            yield f"fuzzy (to be checked): {message.id!r} ({where})"
    for message, errors in catalog.check():
        for error in errors:
            yield f"placeholders differ in {message.id!r}: {error}"
    mo = po_path(language).with_suffix(".mo")
    if not mo.exists() or mo.read_bytes() != compiled(language):
        yield f"{mo.relative_to(ROOT)} is out of date: run python -m coverage.i18n compile"


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "check"
    if command == "update":
        update()
        compile_catalog()
        print(f"updated and compiled {po_path('it').relative_to(ROOT)}")
    elif command == "compile":
        compile_catalog()
    elif command == "check":
        found = list(problems())
        print("\n".join(found) or "catalog complete")
        return 1 if found else 0
    else:
        print("usage: python -m coverage.i18n update|compile|check")
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
