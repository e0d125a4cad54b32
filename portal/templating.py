"""What templates may use: the access rules, labels, filters and the viewer's badges."""

import re
from typing import NamedTuple

import jinja2
from flask import Flask, g, request, url_for
from flask_login import current_user
from markupsafe import Markup, escape
from sqlalchemy import select

from portal import access
from portal.admin.audit import ACTION_LABELS, TARGET_LABELS
from portal.extensions import db
from portal.i18n import local_datetime
from portal.ideas.forms import CommentForm, reply_files_field
from portal.ideas.models import IDEA_KINDS, STATUSES, Idea
from portal.intake.service import waiting_count
from portal.labels import (
    AUDIENCE_LABELS,
    FLAG_REASON_LABELS,
    ITEM_STATUS_LABELS,
    KIND_LABELS,
    MODERATION_ACTION_LABELS,
    MODERATION_LOG_LABELS,
    MODERATION_TARGET_LABELS,
    NOTIFICATION_LABELS,
    PERSON_KIND_LABELS,
    ROLE_LABELS,
    STATUS_LABELS,
    USER_KIND_LABELS,
    USER_ROLE_LABELS,
    moderation_reason,
)
from portal.live.service import page_cursor
from portal.moderation.service import open_queue_count
from portal.notify.links import notification_target
from portal.notify.service import unread_count
from portal.replies.service import offered as offered_saved_replies
from portal.responses import wants_fragment
from portal.timeutil import isoformat, utcnow

# "#42", but not "item #3" (an improvement item's number) nor "&#39;" (an escaped quote).
_IDEA_NUMBER = re.compile(r"(?<![\w&])(?<!item )#(\d{1,9})\b")


def _url_with(**changes) -> str:
    """The current page's URL with some query arguments changed (None removes one)."""
    args = request.args.to_dict()
    for key, value in changes.items():
        if value is None:
            args.pop(key, None)
        else:
            args[key] = value
    return url_for(request.endpoint, **(request.view_args or {}), **args)


def link_ideas(text: str | None) -> Markup:
    """Plain text, escaped, with "#42" linking idea 42 when the reader may open it (a merge
    or duplicate note names the original by number). "item #3" is an improvement item's
    number, not an idea's: never linked as one."""
    ids = {int(m.group(1)) for m in _IDEA_NUMBER.finditer(text or "") if int(m.group(1)) < 2**31}
    ideas = (
        {i.id: i for i in db.session.scalars(select(Idea).where(Idea.id.in_(ids)))} if ids else {}
    )

    def link(match: re.Match) -> str:
        idea = ideas.get(int(match.group(1)))
        if idea is None or not access.can_see_idea(current_user, idea):
            return match.group(0)
        return f'<a href="{url_for("ideas.detail", idea_id=idea.id)}">#{idea.id}</a>'

    return Markup(_IDEA_NUMBER.sub(link, str(escape(text or ""))))


class HeaderLinks(NamedTuple):
    """What the site header offers a signed-in person, asked of access.py once per page: the
    header template reads these, and its cache key is them (templates/base.html)."""

    new_idea: bool
    moderation: bool
    inbox: bool
    staff: bool
    admin: bool
    approvals: bool


def header_links(viewer) -> HeaderLinks | None:
    if not viewer.is_authenticated:
        return None
    return HeaderLinks(
        new_idea=access.allowed(access.post_refusal(viewer)),
        moderation=access.can_moderate(viewer),
        inbox=access.can_see_intake(viewer),
        staff=access.allowed(access.staff_area_refusal(viewer)),
        admin=access.is_admin(viewer),
        approvals=access.allowed(access.approve_refusal(viewer)),
    )


def header_key(viewer, links: HeaderLinks | None, *badges) -> tuple:
    """Everything the site header shows but the sign-out form's token: the page it marks as
    current, and the person's links, name and badge counts; for a visitor, the page its
    sign-in and register links lead back to."""
    here = (request.endpoint, request.blueprint, request.method)
    if links is None:
        return (*here, request.full_path, request.path, bool(request.query_string))
    return (*here, links, viewer.display_name, badges)


def shows_badges(viewer) -> bool:
    """Whether this request's answer shows the header's badges (unread notifications,
    moderation, intake): a whole page for someone signed in, and /live, which sends them; a
    fragment htmx swaps in (a vote, a comment, a list) shows none."""
    if not viewer.is_authenticated:
        return False
    return not wants_fragment() or request.blueprint == "live"


def page_path() -> str:
    """The path (and query) of the page being rendered: a /live answer renders pieces of the
    page that asked, whose forms lead back there, not to /live."""
    return g.get("live_page") or request.full_path


class PortalTemplate(jinja2.Template):
    """Jinja's template, with a cheaper answer to "does this import see new globals?".

    Jinja 3.1 asks it on every `{% from … import … %}` as `ctx.globals_keys -
    self.globals.keys()`: a set minus a ChainMap's keys view goes through collections.abc,
    about 140 µs with the portal's hundred globals, and templates included once per comment
    or card import macros each time (14% of a long discussion's page). The same question is
    asked of the ChainMap's own dicts; when the answer is "none", Jinja's own cached module
    is used exactly as it would have been (the `ctx=None` path)."""

    def _get_default_module(self, ctx=None):
        if ctx is not None:
            maps = getattr(self.globals, "maps", (self.globals,))
            if not ctx.globals_keys.difference(*maps):
                ctx = None
        return super()._get_default_module(ctx)


def init_templating(app: Flask) -> None:
    # Before any template is loaded: every template of the app is a PortalTemplate.
    app.jinja_env.template_class = PortalTemplate
    # Templates ask access.py which buttons and forms to offer: the same functions services use.
    app.jinja_env.globals.update(access.JINJA_GLOBALS)
    app.jinja_env.globals.update(
        STATUS_LABELS=STATUS_LABELS,
        reply_files_field=reply_files_field,
        # An empty comment form, built only when the cached one is not at hand.
        new_comment_form=lambda: CommentForm(formdata=None),
        KIND_LABELS=KIND_LABELS,
        ITEM_STATUS_LABELS=ITEM_STATUS_LABELS,
        PERSON_KIND_LABELS=PERSON_KIND_LABELS,
        ROLE_LABELS=ROLE_LABELS,
        NOTIFICATION_LABELS=NOTIFICATION_LABELS,
        AUDIENCE_LABELS=AUDIENCE_LABELS,
        FLAG_REASON_LABELS=FLAG_REASON_LABELS,
        MODERATION_ACTION_LABELS=MODERATION_ACTION_LABELS,
        MODERATION_LOG_LABELS=MODERATION_LOG_LABELS,
        MODERATION_TARGET_LABELS=MODERATION_TARGET_LABELS,
        moderation_reason=moderation_reason,
        USER_KIND_LABELS=USER_KIND_LABELS,
        USER_ROLE_LABELS=USER_ROLE_LABELS,
        STATUSES=STATUSES,
        IDEA_KINDS=IDEA_KINDS,
        url_with=_url_with,
        header_links=header_links,
        header_key=header_key,
        notification_target=notification_target,
        ADMIN_ACTION_LABELS=ACTION_LABELS,
        ADMIN_TARGET_LABELS=TARGET_LABELS,
        page_path=page_path,
        live_cursor=page_cursor,
        # The saved replies the staff picker offers the viewer (none for anyone else).
        offered_replies=lambda team_id=None: offered_saved_replies(current_user, team_id),
    )
    app.jinja_env.filters["iso"] = isoformat
    app.jinja_env.filters["link_ideas"] = link_ideas
    app.jinja_env.filters["datetime"] = local_datetime

    @app.context_processor
    def inject_user():
        # The account itself, not Flask-Login's proxy: a page asks `viewer` a hundred times,
        # and each question through the proxy looked the request up again.
        viewer = current_user._get_current_object()
        signed_in = viewer.is_authenticated
        if signed_in and request.method == "GET" and not wants_fragment():
            # A page follows its badges live from the cursor read before they are counted.
            page_cursor()
        context = {"viewer": viewer, "now": utcnow()}
        badges = shows_badges(viewer)
        context["unread_notifications"] = unread_count(viewer) if badges else 0
        context["moderation_waiting"] = (
            open_queue_count(viewer) if badges and access.can_moderate(viewer) else 0
        )
        context["intake_waiting"] = (
            waiting_count(viewer) if badges and access.can_see_intake(viewer) else 0
        )
        return context
