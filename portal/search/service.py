"""Search for people: the backend finds, SQL fetches back, `access` checks once more."""

import html
import re
from dataclasses import dataclass, field, replace

import nh3
from flask import current_app, url_for
from flask_babel import format_number
from flask_babel import gettext as _
from markupsafe import escape
from sqlalchemy import select
from whoosh.analysis import StemmingAnalyzer
from whoosh.highlight import ContextFragmenter, HtmlFormatter, highlight

from portal import access
from portal.errors import Unavailable
from portal.extensions import db
from portal.ideas.models import Comment, Idea
from portal.pagination import Paged
from portal.search.errors import IndexOutOfDate
from portal.search.querying import FILTER_FIELDS, ORDERS, SearchRequest, parse
from portal.validation import choice

_analyzer = StemmingAnalyzer()
SNIPPET_CHARS = 220
# The highlighter analyses every word it is given: each hit hands it at most this many
# characters, a few windows around where the query's words occur, however long the text.
HIGHLIGHT_WINDOW = 3000
HIGHLIGHT_WINDOWS = 3


@dataclass
class Item:
    type: str
    id: int
    title: str
    snippet: str
    score: float
    idea: Idea
    comment: Comment | None = None

    @property
    def url(self) -> str:
        anchor = f"comment-{self.id}" if self.type == "comment" else None
        return url_for("ideas.detail", idea_id=self.idea.id, _anchor=anchor)


@dataclass
class SearchPage(Paged):
    """A page of results, read by the template's pager (`_pager.html`) like a list's Page.

    The idea list's rule for totals: `total` is exact when `total_exact`; otherwise more
    than `total` (the bound) match, and only the pages up to the bound can be shown.
    """

    request: SearchRequest
    items: list[Item] = field(default_factory=list)
    total: int = 0
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    total_exact: bool = True
    # The facets count the first this many results only (None: every match).
    facets_within: int | None = None
    # The page asked for lies past the bound: nothing there is shown (see `beyond_message`).
    beyond_bound: bool = False

    @property
    def page(self) -> int:
        return self.request.page

    @property
    def per_page(self) -> int:
        return self.request.per_page

    @property
    def beyond_message(self) -> str:
        return _(
            "Only the first %(count)s results can be shown. Add a word or a filter to narrow "
            "the search.",
            count=format_number(self.total),
        )


class _Terms:
    """Matches analysed tokens against the query's stems, and the last word as a prefix."""

    def __init__(self, request: SearchRequest):
        text = " ".join(request.words)
        self.stems = {t.text for t in _analyzer(text)}
        self.prefix = request.prefix

    def __contains__(self, token_text: str) -> bool:
        return token_text in self.stems or bool(self.prefix and token_text.startswith(self.prefix))

    def __bool__(self) -> bool:
        return bool(self.stems or self.prefix)

    def __iter__(self):
        return iter(self.stems)


def plain_text(rendered_html: str | None) -> str:
    """The words of rendered Markdown, without its markup: what a snippet quotes."""
    return html.unescape(nh3.clean(rendered_html or "", tags=set())).strip()


def snippet(text: str, request: SearchRequest) -> str:
    """Escaped text with the matched words in <mark>; the start of the text when none match."""
    terms = _Terms(request)
    if text and terms:
        for window in _windows(text, terms):
            marked = highlight(
                window,
                terms,
                _analyzer,
                ContextFragmenter(maxchars=SNIPPET_CHARS, surround=70),
                HtmlFormatter(tagname="mark", between=" … "),
                top=2,
            )
            if marked:
                return marked
    short = text[:SNIPPET_CHARS] + ("…" if len(text) > SNIPPET_CHARS else "")
    return str(escape(short))


def _windows(text: str, terms: _Terms):
    """Parts of `text` worth highlighting: all of a short text; for a long one, up to
    HIGHLIGHT_WINDOWS windows of HIGHLIGHT_WINDOW characters around words that may match."""
    if len(text) <= HIGHLIGHT_WINDOW:
        yield text
        return
    # A plain scan (in C) for the start of a word beginning like a query stem: a stem is
    # the start of its word but may end differently ("happy" -> "happi"), so its last letter
    # is dropped. A false lead costs one window; the highlighter then decides what matches.
    needles = {stem[:-1] if len(stem) > 3 else stem for stem in terms}
    if terms.prefix:
        needles.add(terms.prefix)
    pattern = "|".join(re.escape(n) for n in sorted(needles, key=len, reverse=True))
    covered_until = 0
    tried = 0
    for match in re.finditer(rf"\b(?:{pattern})", text, re.IGNORECASE):
        at = match.start()
        if at < covered_until:
            continue
        start = max(0, at - HIGHLIGHT_WINDOW // 3)
        end = min(len(text), start + HIGHLIGHT_WINDOW)
        if start > 0:  # begin after a space, not in the middle of a word
            space = re.search(r"\s", text[start:at])
            start = start + space.end() if space else at
        if end < len(text):
            space = re.search(r"\s\S*\Z", text[at:end])
            end = at + space.start() if space else end
        yield text[start:end]
        covered_until = end
        tried += 1
        if tried == HIGHLIGHT_WINDOWS:
            return


def backend():
    return current_app.extensions["search_backend"]


def count_bound() -> int:
    """SEARCH_COUNT_BOUND; at least one result is always countable and shown."""
    return max(1, int(current_app.config["SEARCH_COUNT_BOUND"]))


def search(user, q, *, filters=None, order="relevance", page=1, per_page=20, match_any=False):
    """A page of what `user` may see that matches `q` (and `filters`), with facets.

    Totals follow the idea list's rule: exact up to SEARCH_COUNT_BOUND matches, "more than"
    the bound beyond it, and only the results up to the bound can be paged to (a page past
    it is `beyond_bound`, with nothing on it).
    """
    order = choice(order or "relevance", "order", ORDERS, label=_("Order"))
    request = parse(q, filters, order=order, page=page, per_page=per_page, match_any=match_any)
    request.bound = count_bound()
    if request.is_empty and not (request.filters and (q or "").strip()):
        return SearchPage(request=request, facets={name: {} for name in FILTER_FIELDS})
    result = _backend_search(request, user)
    bound = request.bound
    offset = (request.page - 1) * request.per_page
    total_exact = result.total <= bound
    # Past the bound nothing is shown, whatever a backend could find there: the pages that
    # can be reached are the same on every backend.
    shown = result.hits[: max(0, bound - offset)]
    idea_ids = {hit.idea_id for hit in shown}
    comment_ids = {hit.id for hit in shown if hit.type == "comment"}
    ideas = {i.id: i for i in db.session.scalars(select(Idea).where(Idea.id.in_(idea_ids)))}
    comments = {
        c.id: c for c in db.session.scalars(select(Comment).where(Comment.id.in_(comment_ids)))
    } if comment_ids else {}  # fmt: skip
    items = []
    for hit in shown:
        idea = ideas.get(hit.idea_id)
        # The index may lag the database by a moment: check once more, drop what is gone.
        if (
            idea is None
            or not access.can_see_idea(user, idea)
            or idea.merged_into_id
            or (idea.hidden and not access.sees_hidden(user))
        ):
            continue
        if hit.type == "comment":
            comment = comments.get(hit.id)
            if (
                comment is None
                or comment.is_deleted
                or (comment.hidden and not access.sees_hidden(user))
            ):
                continue
            items.append(
                Item(
                    "comment",
                    comment.id,
                    idea.title,
                    snippet(plain_text(comment.body_html) or comment.body, request),
                    hit.score,
                    idea,
                    comment,
                )  # fmt: skip
            )
        else:
            text = plain_text(idea.body_html) or idea.title
            items.append(Item("idea", idea.id, idea.title, snippet(text, request), hit.score, idea))
    facets, within = _facets(user, request, result)
    return SearchPage(
        request=request,
        items=items,
        total=min(result.total, bound),
        facets=facets,
        total_exact=total_exact,
        facets_within=within,
        beyond_bound=not total_exact and offset >= bound,
    )


def _backend_search(request: SearchRequest, user):
    try:
        return backend().search(request, user)
    except IndexOutOfDate as error:
        # The reason is for whoever runs the portal (rebuild the index), as the backend says it.
        raise Unavailable(_("Search is not available right now: %(reason)s.",
                            reason=error)) from error  # fmt: skip


def _facets(user, request: SearchRequest, result) -> tuple[dict, int | None]:
    """The facet counts, and the bound they were counted within (None: all matches).

    A filtered field's own counts leave its filter out (the other filters stay), so that
    picking a category keeps the other categories in view to switch to."""
    facets = dict(result.facets)
    within = result.facets_within
    for name in request.filters:
        others = {k: v for k, v in request.filters.items() if k != name}
        wider = replace(request, filters=others, page=1, per_page=1)
        if wider.is_empty and not others:
            continue  # only this filter was asked for: nothing else to count within
        counted = _backend_search(wider, user)
        facets[name] = counted.facets.get(name, {})
        within = within or counted.facets_within
    return facets, within


def similar_ideas(user, title: str, limit: int = 5) -> list[Idea]:
    """Visible ideas like a title being typed (any word may match), best first; not known
    duplicates (vote for the original instead) nor hidden ones."""
    page = search(user, title, filters={"type": "idea"}, per_page=limit * 2, match_any=True)
    found = [
        item.idea for item in page.items if item.idea.status != "duplicate" and not item.idea.hidden
    ]
    return found[:limit]
