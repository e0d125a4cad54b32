"""The reader's language and time zone (SPEC 16), with Flask-Babel.

Language: the account's setting, else the browser's `Accept-Language`, else English. Time
zone: the account's setting, else UTC. Catalogs live as `.po` files under
`portal/translations/`; they are compiled to `.mo` at start (into the instance folder) when
missing or older than their source, so a checkout runs in German without a build step and
the package folder may be read-only.
"""

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from functools import lru_cache
from pathlib import Path

from babel.dates import format_datetime as babel_format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask, current_app, g, request
from flask_babel import (
    Babel,
    Domain,
    force_locale,
    format_number,
    get_locale,
    get_timezone,
)
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from pytz import all_timezones_set, common_timezones, timezone
from sqlalchemy.exc import SQLAlchemyError

log = logging.getLogger(__name__)

LANGUAGES = {"en": "English", "de": "Deutsch"}
DEFAULT_LANGUAGE = "en"
SOURCE_DIR = Path(__file__).resolve().parent / "translations"
TIMEZONES = tuple(common_timezones)
# A full date and time as each language writes it (pages and e-mails alike).
DATETIME_PATTERNS = {"en": "yyyy-MM-dd HH:mm zzz", "de": "dd.MM.yyyy HH:mm zzz"}


def valid_timezone(name) -> bool:
    return isinstance(name, str) and name in all_timezones_set


def select_language() -> str:
    """What the page is written in: the account's choice, else the browser's, else English."""
    chosen = _account_setting("language")
    if chosen in LANGUAGES:
        return chosen
    if request:
        best = request.accept_languages.best_match(tuple(LANGUAGES))
        if best:
            return best
    return DEFAULT_LANGUAGE


def select_timezone() -> str:
    chosen = _account_setting("timezone")
    return chosen if valid_timezone(chosen) else "UTC"


def _account_setting(name: str):
    """The signed-in account's setting, or None. The 503 page asks too, after its rollback
    expired the account: reading it again then needs the database that just went away, and
    the page is better in the browser's language than a 500."""
    if not _signed_in():
        return None
    try:
        return getattr(current_user, name, None)
    except SQLAlchemyError:
        return None


def _signed_in() -> bool:
    try:
        return bool(current_user and current_user.is_authenticated)
    except Exception:  # outside a request (the CLI, e-mails built by a worker)
        return False


def current_language() -> str:
    return str(get_locale() or DEFAULT_LANGUAGE)


def reader_place() -> tuple:
    """The reader's language (its name) and time zone, found once per request and kept beside
    Flask-Babel's own (a forced or refreshed language is another Locale object: found
    again). Pages ask for every date and every shared fragment."""
    babel = g.get("_flask_babel") if g else None
    known = getattr(babel, "portal_place", None)
    if (
        known is not None
        and known[0] is not None
        and known[0] is getattr(babel, "babel_locale", None)
        and known[1] is getattr(babel, "babel_tzinfo", None)
    ):
        return known[2]
    place = (current_language(), get_timezone())
    babel = g.get("_flask_babel") if g else None  # made by the first question if need be
    if babel is not None:
        babel.portal_place = (babel.babel_locale, getattr(babel, "babel_tzinfo", None), place)
    return place


def local_datetime(value: datetime | None) -> str:
    """A stored naive-UTC time in the reader's language and time zone (pages: the
    `datetime` filter)."""
    if not value:
        return ""
    return _formatted(value, *reader_place())


@lru_cache(maxsize=16384)
def _formatted(value: datetime, language: str, zone) -> str:
    """`value` in `language`'s pattern and `zone`, remembered: a page of comments formats
    the same times for every reader, and Babel's formatting was a fifth of a long
    discussion's page."""
    pattern = DATETIME_PATTERNS.get(language, DATETIME_PATTERNS[DEFAULT_LANGUAGE])
    return babel_format_datetime(value, pattern, tzinfo=zone, locale=language)


def compile_catalogs(target: Path) -> None:
    """Each `.po` under SOURCE_DIR as a `.mo` under `target`, where missing or stale."""
    for source in SOURCE_DIR.glob("*/LC_MESSAGES/*.po"):
        compiled = target / source.relative_to(SOURCE_DIR).with_suffix(".mo")
        if compiled.exists() and compiled.stat().st_mtime >= source.stat().st_mtime:
            continue
        compiled.parent.mkdir(parents=True, exist_ok=True)
        with source.open("rb") as po:
            catalog = read_po(po, locale=source.parts[-3])
        partial = compiled.with_suffix(f".{os.getpid()}.tmp")
        with partial.open("wb") as mo:
            write_mo(mo, catalog, use_fuzzy=False)
        partial.replace(compiled)  # atomic: several workers may compile at once
        log.info("compiled %s", compiled)


class RequestDomain(Domain):
    """Flask-Babel's message domain, remembering the request's catalogue for its language:
    finding it again (the app, the locale, its name, the cache) cost more than looking up
    each of a page's few dozen strings. A forced or refreshed language is a new Locale
    object, so it finds its own catalogue."""

    def get_translations(self):
        ctx = g.get("_flask_babel") if g else None  # Flask-Babel's per-request namespace
        if ctx is None:
            return super().get_translations()
        remembered = getattr(ctx, "portal_translations", None)
        if remembered is not None and remembered[0] is getattr(ctx, "babel_locale", None):
            return remembered[1]
        found = super().get_translations()
        ctx.portal_translations = (getattr(ctx, "babel_locale", None), found)
        return found


def init_i18n(app: Flask) -> None:
    target = Path(app.instance_path) / "translations"
    compile_catalogs(target)
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LANGUAGE)
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", "UTC")
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(target)
    babel = Babel(app, locale_selector=select_language, timezone_selector=select_timezone)
    babel.domain_instance = RequestDomain(domain=app.extensions["babel"].default_domain)
    app.jinja_env.globals.update(current_language=current_language, LANGUAGES=LANGUAGES)
    app.jinja_env.filters["format_number"] = format_number

    @app.after_request
    def _vary_on_language(response):
        # Pages differ by the browser's language: caches must keep them apart. Said on every
        # answer, without asking who is signed in (that would load the account, even for
        # /healthz and the request log).
        response.vary.add("Accept-Language")
        return response


def timezone_choices() -> list[tuple[str, str]]:
    return [("", _l("UTC (default)"))] + [(name, name.replace("_", " ")) for name in TIMEZONES]


def language_of(user, fallback: str | None = None) -> str:
    """The language to write to `user` in (e-mails, notifications): theirs, else `fallback`
    (the page's language, when they asked for the e-mail on a page), else the default."""
    chosen = getattr(user, "language", None)
    if chosen in LANGUAGES:
        return chosen
    if fallback in LANGUAGES:
        return fallback
    return current_app.config.get("BABEL_DEFAULT_LOCALE", DEFAULT_LANGUAGE)


def zone_of(user) -> str:
    """The time zone to write to `user` in: theirs, else UTC (SPEC 16)."""
    chosen = getattr(user, "timezone", None)
    return chosen if valid_timezone(chosen) else "UTC"


@contextmanager
def writing_to(user, fallback: str | None = None) -> Iterator[str]:
    """Text built inside (gettext, lazy strings made str) is in `user`'s language, whoever
    is reading the page that triggered it; yields that language. A person without an account
    (`user` None: someone who wrote in) is written to in `fallback`, else the default."""
    language = language_of(user, fallback)
    with force_locale(language):
        yield language


def datetime_for(user, value: datetime | None) -> str:
    """A stored naive-UTC time as `user` reads it: in their time zone (not the request's),
    in the language being written (inside `writing_to`)."""
    if value is None:
        return ""
    return _formatted(value, current_language(), timezone(zone_of(user)))
