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

Blocks nest: a whole idea list is one fragment, keyed by every card it holds, and the
cards' own blocks inside it are rendered only when the list is. Holes are filled by the
outermost block only, so a shared fragment never keeps one reader's token. What differs per
reader inside a shared list, whether they support each idea, is a *pick*: both renderings
are kept, `{% cached key using {"voted": ids} %}` names the reader's own facts, and each
request gets its own choice (`pick`).

A block may be `named` (`{% cached key named "idea-list" %}`) so that a view can `find` it
without rendering anything, and a view may `remember` small plain values under a key of its
own choosing in the same memory: the idea list remembers, per change cursor and class of
reader, which list key its query gave, and while the cursor stands still serves the list
found again without running that query (portal/ideas/views.py).

The extension follows Jinja's documented fragment-cache example; the store is portal.lru's
bounded LRU, as the page cache's (cachelib's SimpleCache sorts the whole store on every
insert once full).
"""

import re

from flask import Flask, current_app, g, request
from flask_wtf.csrf import generate_csrf
from jinja2 import nodes
from jinja2.ext import Extension
from markupsafe import Markup, escape

from portal.i18n import reader_place
from portal.lru import ExpiringLRU
from portal.templating import page_path

# What differs per request inside an otherwise shared fragment: `{{ hole("csrf_token") }}`
# leaves a mark that is filled in each time the fragment is served, cached or not.
HOLES = {"csrf_token": generate_csrf, "page_path": page_path}
_HOLE = re.compile("\x00(" + "|".join(HOLES) + ")\x00")
# "\x02voted:12\x03<if so>\x03<if not>\x02": user text never holds control characters
# (validation.clean_text refuses them), so these marks cannot be forged.
# What a block rendered once for many ids (`per`) is given for its ids, in their order: whole
# numbers (`url_for` takes only numbers for an idea's id) that no id reaches, put back to the
# ids each time it is served. Such a block holds forms, never what people wrote.
_ID_MARKS = tuple(8_999_999_999_999_999_000 + n for n in range(4))
_PICK = re.compile("\x02(\\w+):(\\d+)\x03([^\x02\x03]*)\x03([^\x02\x03]*)\x02")


def hole(name: str) -> Markup:
    """A mark for a per-request value inside `{% cached %}`, filled in by the outermost
    block each time it is served; outside any block, the value itself (a template shared
    by both ways)."""
    if name not in HOLES:
        raise KeyError(name)
    if not sharing():
        return Markup(escape(HOLES[name]()))
    return Markup(f"\x00{name}\x00")


def _csrf_token() -> Markup:
    return hole("csrf_token")


def sharing() -> bool:
    """True inside a `{% cached %}` block: what is rendered now is kept for other readers."""
    return g.get("_fragment_depth", 0) > 0


def pick(name: str, ident: int, chosen: bool, if_so: str, if_not: str) -> Markup:
    """`if_so` when `chosen`, else `if_not`; inside a shared block both are kept, and the
    outermost block picks by the reader's own `name` facts (`using`) each time it is served."""
    if not sharing():
        return Markup(if_so if chosen else if_not)
    return Markup(f"\x02{name}:{int(ident)}\x03{if_so}\x03{if_not}\x02")


class _Kept(Markup):
    """A fragment as kept in the store, which remembers how it splits into text, picks and
    holes: served to every reader, it is parsed once, not searched on every request."""

    def parts(self) -> list:
        found = self.__dict__.get("parsed")
        if found is None:  # two threads may both parse it: the same result
            found = self.__dict__["parsed"] = _parse(self)
        return found


def _parse_holes(html: str) -> list:
    pieces = _HOLE.split(html)  # text, hole name, text, hole name, ... text
    return [piece if i % 2 == 0 else (piece,) for i, piece in enumerate(pieces) if piece]


def _parse(html: str) -> list:
    """[text | (hole,) | (pick name, id, [if so], [if not])]."""
    parts, start = [], 0
    for match in _PICK.finditer(html):
        parts += _parse_holes(html[start : match.start()])
        name, ident, if_so, if_not = match.groups()
        parts.append((name, int(ident), _parse_holes(if_so), _parse_holes(if_not)))
        start = match.end()
    return parts + _parse_holes(html[start:])


def fill(html: str, picks: dict | None = None) -> Markup:
    """A kept fragment for this request: each pick chosen by the reader's `picks`, each hole
    given its value."""
    if "\x02" not in html and "\x00" not in html:
        return Markup(html)
    parts = html.parts() if isinstance(html, _Kept) else _parse(html)
    chosen = picks or {}
    # Asked once per request however many fragments hold them (a long discussion: dozens).
    values: dict[str, str] = request.environ.setdefault("portal.fragment_holes", {})

    def value(name: str) -> str:
        if name not in values:
            values[name] = str(escape(HOLES[name]()))
        return values[name]

    out = []
    for part in parts:
        if type(part) is str:
            out.append(part)
        elif len(part) == 1:
            out.append(value(part[0]))
        else:
            # A pick the block was not given facts for is a template error: KeyError.
            name, ident, if_so, if_not = part
            for piece in if_so if ident in chosen[name] else if_not:
                out.append(piece if type(piece) is str else value(piece[0]))
    return Markup("".join(out))


def _size_of(key) -> int:
    """Characters a key holds (a comment's key holds its text), roughly."""
    if isinstance(key, str):
        return len(key)
    if isinstance(key, tuple):
        return sum(_size_of(part) for part in key)
    return 8


class FragmentCache(Extension):
    tags = {"cached"}

    def parse(self, parser):
        lineno = next(parser.stream).lineno
        key = parser.parse_expression()
        place = nodes.Const(f"{parser.name}:{lineno}")
        if parser.stream.skip_if("name:named"):
            place = parser.parse_expression()  # a name a view can find the block by (`find`)
        ident, params = nodes.Const(None), []
        if parser.stream.skip_if("name:per"):
            # `per comment.id as parent_id`, `per (idea.id, comment.id) as idea_id, parent_id`:
            # one rendering for every id, the ids put in after
            ident = parser.parse_expression()
            parser.stream.expect("name:as")
            params = [nodes.Name(parser.stream.expect("name").value, "param")]
            while parser.stream.skip_if("comma"):
                params.append(nodes.Name(parser.stream.expect("name").value, "param"))
            if len(params) > len(_ID_MARKS):
                parser.fail(f"`per` puts in at most {len(_ID_MARKS)} ids", lineno)
        picks = nodes.Const(None)
        if parser.stream.skip_if("name:using"):
            picks = parser.parse_expression()
        body = parser.parse_statements(("name:endcached",), drop_needle=True)
        call = self.call_method("_cached", [place, key, picks, ident])
        return nodes.CallBlock(call, params, [], body).set_lineno(lineno)

    def _cached(self, place: str, key, picks, ident, caller):
        if ident is not None:  # rendered with marks for its ids, the ids put in each time
            ids = tuple(ident) if isinstance(ident, tuple) else (ident,)
            found = self._kept(place, key, lambda: caller(*_ID_MARKS[: len(ids)]))
            for mark, one in zip(_ID_MARKS[: len(ids)], ids, strict=True):
                found = found.replace(str(mark), str(int(one)))
        else:
            found = self._kept(place, key, caller)
        if g.get("_fragment_depth", 0):  # inside another block: that one fills the holes
            return Markup(found)
        return fill(found, picks) if ("\x00" in found or "\x02" in found) else Markup(found)

    def _kept(self, place: str, key, render) -> str:
        app = current_app._get_current_object()
        seconds = app.config.get("FRAGMENT_CACHE_SECONDS", 0)
        store: ExpiringLRU = app.extensions["fragment_cache"]
        request_globals = g._get_current_object()
        depth = request_globals.get("_fragment_depth", 0)
        request_globals._fragment_depth = depth + 1
        try:
            if seconds <= 0:
                return render()
            full_key = _full_key(place, key)
            found = store.get(full_key)
            if found is None:
                found = _Kept(render())
                store.put(full_key, seconds, found, len(found) + _size_of(key))
            return found
        finally:
            request_globals._fragment_depth = depth


def _full_key(place: str, key) -> tuple:
    """A block's key in the store: where it is (or its name), the reader's place, its key."""
    language, zone = reader_place()
    return (place, language, str(zone), key)


def find(name: str, key) -> str | None:
    """What `{% cached key named name %}` holds for this reader's language and zone in this
    worker, its picks and holes still open (`fill` them); None when it holds nothing."""
    if current_app.config.get("FRAGMENT_CACHE_SECONDS", 0) <= 0:
        return None
    return current_app.extensions["fragment_cache"].get(_full_key(name, key))


def remembered(key: tuple):
    """What `remember` kept for this key in this worker, or None."""
    if current_app.config.get("FRAGMENT_CACHE_SECONDS", 0) <= 0:
        return None
    return current_app.extensions["fragment_cache"].get(("remembered", key))


def remember(key: tuple, value: tuple) -> None:
    """Keep `value` (a tuple of plain values) for `remembered`, in the fragments' memory."""
    seconds = current_app.config.get("FRAGMENT_CACHE_SECONDS", 0)
    if seconds > 0:
        store: ExpiringLRU = current_app.extensions["fragment_cache"]
        store.put(("remembered", key), seconds, value, _size_of(key) + _size_of(value))


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


def comment_key(comment) -> tuple:
    """Everything a comment's head and text show (templates/ideas/_comment.html): its author
    as `author_name` shows them, the times, whether it is the official response, its text."""
    author = comment.author
    organization = author.organization
    return (
        comment.id,
        comment.official,
        comment.created_at,
        comment.edited_at,
        comment.body_html,
        author.display_name,
        author.handle,
        author.erased_at,
        author.kind,
        organization.name if organization is not None else None,
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


def list_key(result, viewer, refusal, *extra) -> tuple:
    """Everything an idea list (templates/ideas/_idea_list.html) shows but the reader's own
    votes (picks), CSRF token and page (holes): the page asked for, the counts, whether and
    why the reader may not write, and each card's and vote widget's keys."""
    return (
        request.endpoint,
        tuple(sorted((request.view_args or {}).items())),
        request.query_string,
        request.method,
        result.page,
        result.per_page,
        result.total,
        result.total_exact,
        result.has_next,
        bool(viewer.is_authenticated),
        str(refusal) if refusal else None,
        extra,
        tuple(
            (*card_key(idea), idea.votes_count, idea.deleted_at, idea.merged_into_id)
            for idea in result.items
        ),
    )


def init_fragments(app: Flask) -> None:
    app.extensions["fragment_cache"] = ExpiringLRU(
        app.config.get("FRAGMENT_CACHE_ENTRIES", 4096),
        max_size=int(app.config.get("FRAGMENT_CACHE_MEGABYTES", 32) * 1024 * 1024),
    )
    app.jinja_env.add_extension(FragmentCache)
    app.jinja_env.globals.update(
        # Flask-WTF's `csrf_token()`, made a hole inside a shared block: no template can
        # leave one reader's token in what other readers are served.
        csrf_token=_csrf_token,
        card_key=card_key,
        comment_key=comment_key,
        vote_key=vote_key,
        hole=hole,
        pick=pick,
        sharing=sharing,
    )
