"""Atom feeds: /ideas.atom, /ideas/<id>.atom and /changelog.atom (SPEC 16).

One Jinja template with autoescaping writes all three: the Atom we need is a few elements,
and the template escapes every text the same way the pages do. The document is rendered
straight from the Jinja environment, without the pages' context processors, so nothing
about whoever asks (their name, badges, session) is even in reach of a feed.
"""

import re
from dataclasses import dataclass, field
from datetime import datetime

from flask import Blueprint, Response, current_app, request, url_for
from flask_babel import force_locale
from markupsafe import Markup

from portal.feeds import service
from portal.labels import KIND_LABELS, STATUS_LABELS
from portal.notify import links

bp = Blueprint("feeds", __name__)


def _label(labels: dict, key: str | None, default: str | None = None) -> str | None:
    """A status or kind label as plain English text: the feeds' other words are not
    translated yet, and one public URL should read the same to every feed reader."""
    if key not in labels:
        return default
    with force_locale("en"):
        return str(labels[key])


ATOM_TYPE = "application/atom+xml; charset=utf-8"
# Every reader (and any cache between) may keep a feed this long: it is the same for all.
MAX_AGE_SECONDS = 60
# Characters XML 1.0 forbids (C0 controls but tab and newlines, lone surrogates, U+FFFE/F):
# even one makes the whole document unreadable to a feed reader, so they are dropped.
XML_FORBIDDEN = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
LIST_FILTERS = ("category", "status", "kind", "sort")


def _site_name() -> str:
    return current_app.config.get("PORTAL_NAME", "Northwind Portal")


@dataclass
class Entry:
    id: str  # on PORTAL_URL: the same whichever host name the feed was fetched through
    title: str
    link: str
    published: datetime
    updated: datetime
    author: str
    content: str  # HTML: sanitised Markdown as the pages show it, or escaped plain text
    categories: list[tuple[str, str]] = field(default_factory=list)  # (term, label)


def _atom(*, title: str, feed_id: str, self_url: str, alternate: str, updated: datetime,
          entries) -> Response:  # fmt: skip
    """The feed document, with what caches and feed readers need to ask again cheaply."""
    document = current_app.jinja_env.get_template("feeds/feed.atom.xml").render(
        title=title, feed_id=feed_id, self_url=self_url, alternate=alternate, updated=updated,
        entries=entries, site_name=_site_name(),
        base=url_for("ideas.index", _external=True),  # what links in the HTML are relative to
    )  # fmt: skip
    response = Response(XML_FORBIDDEN.sub("", document), content_type=ATOM_TYPE)
    response.cache_control.public = True
    response.cache_control.max_age = MAX_AGE_SECONDS
    response.last_modified = updated
    response.add_etag()
    return response.make_conditional(request)


def _list_filters() -> dict:
    return {name: request.args.get(name) or None for name in LIST_FILTERS}


def list_feed_url(filters: dict) -> str:
    """The idea list with these filters as a feed (the list page links it): the filters
    chosen, in one order, and the default sort left out."""
    chosen = {name: filters.get(name) for name in LIST_FILTERS}
    if chosen["sort"] == "trending":
        chosen["sort"] = None
    return url_for("feeds.ideas", **{k: v for k, v in chosen.items() if v})


@bp.route("/ideas.atom")
def ideas():
    filters = _list_filters()
    feed = service.idea_list(**filters)
    shown = {k: v for k, v in filters.items() if v}
    words = [feed.category_name or shown.get("category"),
             _label(STATUS_LABELS, shown.get("status")), _label(KIND_LABELS, shown.get("kind")),
             shown.get("sort")]  # fmt: skip
    entries = [
        Entry(
            id=links.url_for("ideas.detail", idea_id=idea.id),
            title=idea.title,
            link=url_for("ideas.detail", idea_id=idea.id, _external=True),
            published=idea.created_at,
            updated=idea.updated_at,
            author=_idea_author(idea),
            content=idea.body_html,
            categories=[
                (idea.category.slug, idea.category.name),
                (idea.status, _label(STATUS_LABELS, idea.status, idea.status)),
            ],  # fmt: skip
        )
        for idea in feed.ideas
    ]
    return _atom(
        title=" · ".join(["Ideas", *(w for w in words if w)]),
        feed_id=links.url_for("feeds.ideas", **shown),
        self_url=url_for("feeds.ideas", _external=True, **shown),
        alternate=url_for("ideas.list_ideas", _external=True, **shown),
        updated=feed.updated,
        entries=entries,
    )


@bp.route("/ideas/<int:idea_id>.atom")
def idea(idea_id: int):
    feed = service.idea_answers(idea_id)
    page = url_for("ideas.detail", idea_id=idea_id, _external=True)
    history = url_for("ideas.history", idea_id=idea_id, _external=True)
    entries = [
        Entry(
            id=links.url_for("ideas.history", idea_id=idea_id) + f"#status-{change.id}",
            title=f"{_label(STATUS_LABELS, change.to_status, change.to_status)}: {feed.idea.title}",
            link=f"{history}#status-{change.id}",
            published=change.created_at,
            updated=change.created_at,
            author=change.by.display_name,
            content=Markup("<p>{}</p>").format(change.note) if change.note else "",
            categories=[(change.to_status, _label(STATUS_LABELS, change.to_status, ""))],
        )
        for change in feed.status_changes
    ] + [
        Entry(
            id=links.url_for("ideas.detail", idea_id=idea_id) + f"#comment-{comment.id}",
            title=f"Official response: {feed.idea.title}",
            link=f"{page}#comment-{comment.id}",
            published=comment.created_at,
            updated=comment.edited_at or comment.created_at,
            author=comment.author.display_name,
            content=comment.body_html,
        )
        for comment in feed.official
    ]
    entries.sort(key=lambda e: e.updated, reverse=True)
    return _atom(
        title=f"{feed.idea.title}: status and official responses",
        feed_id=links.url_for("feeds.idea", idea_id=idea_id),
        self_url=url_for("feeds.idea", idea_id=idea_id, _external=True),
        alternate=page,
        updated=feed.updated,
        entries=entries,
    )


@bp.route("/changelog.atom")
def changelog():
    feed = service.changelog()
    entries = [
        Entry(
            id=links.url_for("tracking.item", item_id=item.id),
            title=item.title,
            link=url_for("tracking.item", item_id=item.id, _external=True),
            published=item.shipped_at,
            updated=max(item.shipped_at, item.updated_at),
            author=item.owner.display_name if item.owner else _site_name(),
            content=_shipped_html(item, feed.linked.get(item.id, [])),
        )
        for item in feed.items
    ]
    return _atom(
        title="Changelog",
        feed_id=links.url_for("feeds.changelog"),
        self_url=url_for("feeds.changelog", _external=True),
        alternate=url_for("tracking.changelog", _external=True),
        updated=feed.updated,
        entries=entries,
    )


def _idea_author(idea) -> str:
    name = idea.author.display_name
    return f"{name} on behalf of {idea.on_behalf_of}" if idea.on_behalf_of else name


def _shipped_html(item, ideas) -> Markup:
    """A shipped item as the changelog page shows it: its description and what it answers."""
    answers = Markup(", ").join(
        Markup('<a href="{}">{}</a>').format(
            url_for("ideas.detail", idea_id=i.id, _external=True), i.title
        )
        for i in ideas
    )
    html = Markup(item.description_html or "")
    return html + Markup("<p>Answers: {}</p>").format(answers) if ideas else html
