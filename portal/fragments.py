"""Template fragments rendered once and reused: `{% cached key %}…{% endcached %}`.

A fragment whose output is a pure function of a few values (an idea card's title line:
its title, status, category, author, date and comment count, in the reader's language and
time zone) is rendered the first time and served from a per-process memory afterwards, for
every reader. The key is *every* value the fragment reads, so a change to any of them makes
a new key and nothing ever needs invalidating, across workers or hosts; the old entry just
ages out. A fragment must not read anything that is not in its key (the viewer, the CSRF
token, the request): those parts stay outside the block. Entries also expire after
`FRAGMENT_CACHE_SECONDS` as a safety net, and the memory is bounded
(`FRAGMENT_CACHE_ENTRIES`); `FRAGMENT_CACHE_SECONDS = 0` turns it off.

The extension follows Jinja's documented fragment-cache example; the store is portal.lru's
bounded LRU, as the page cache's (cachelib's SimpleCache sorts the whole store on every
insert once full).
"""

import re

from flask import Flask, current_app
from flask_babel import get_timezone
from flask_wtf.csrf import generate_csrf
from jinja2 import nodes
from jinja2.ext import Extension
from markupsafe import Markup, escape

from portal.i18n import current_language
from portal.lru import ExpiringLRU
from portal.templating import page_path

# What differs per request inside an otherwise shared fragment: `{{ hole("csrf_token") }}`
# leaves a mark that is filled in each time the fragment is served, cached or not.
HOLES = {"csrf_token": generate_csrf, "page_path": page_path}
_HOLE = re.compile("\x00(" + "|".join(HOLES) + ")\x00")


def hole(name: str) -> Markup:
    """A mark for a per-request value inside `{% cached %}` (only there: it is filled in by
    the block)."""
    if name not in HOLES:
        raise KeyError(name)
    return Markup(f"\x00{name}\x00")


def _fill(html: str) -> Markup:
    values: dict[str, str] = {}

    def value(match: re.Match) -> str:
        name = match.group(1)
        if name not in values:
            values[name] = str(escape(HOLES[name]()))
        return values[name]

    return Markup(_HOLE.sub(value, html))


class FragmentCache(Extension):
    tags = {"cached"}

    def parse(self, parser):
        lineno = next(parser.stream).lineno
        key = parser.parse_expression()
        body = parser.parse_statements(("name:endcached",), drop_needle=True)
        place = nodes.Const(f"{parser.name}:{lineno}")
        return nodes.CallBlock(self.call_method("_cached", [place, key]), [], [], body).set_lineno(
            lineno
        )

    def _cached(self, place: str, key, caller):
        seconds = current_app.config.get("FRAGMENT_CACHE_SECONDS", 0)
        store: ExpiringLRU = current_app.extensions["fragment_cache"]
        if seconds <= 0:
            found = caller()
        else:
            full_key = (place, current_language(), str(get_timezone()), key)
            found = store.get(full_key)
            if found is None:
                found = caller()
                store.put(full_key, seconds, found)
        return _fill(found) if "\x00" in found else found


def card_key(idea) -> tuple:
    """Everything an idea card's title line shows (templates/ideas/_idea_card.html)."""
    return (
        idea.id,
        idea.title,
        idea.kind,
        idea.status,
        idea.confidential,
        idea.locked,
        idea.hidden,
        idea.category.slug,
        idea.category.name,
        idea.author.display_name,
        idea.created_at,
        idea.comments_count,
    )


def vote_key(viewer, idea, voted: bool, refusal, method: str) -> tuple:
    """Everything the vote widget shows but its CSRF token and the page it returns to
    (templates/ideas/_vote_button.html)."""
    return (
        idea.id,
        idea.title,
        idea.votes_count,
        bool(voted),
        str(refusal) if refusal else None,
        bool(viewer.is_authenticated),
        method,
    )


def init_fragments(app: Flask) -> None:
    app.extensions["fragment_cache"] = ExpiringLRU(app.config.get("FRAGMENT_CACHE_ENTRIES", 4096))
    app.jinja_env.add_extension(FragmentCache)
    app.jinja_env.globals.update(card_key=card_key, vote_key=vote_key, hole=hole)
