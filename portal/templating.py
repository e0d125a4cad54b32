"""What templates may use: the access rules, labels, filters and the viewer's badges."""

import re

from flask import Flask, request, url_for
from flask_login import current_user
from markupsafe import Markup, escape

from portal import access
from portal.ideas.models import IDEA_KINDS, STATUSES
from portal.labels import AUDIENCE_LABELS, KIND_LABELS, STATUS_LABELS
from portal.moderation.service import open_queue_count
from portal.notify.service import unread_count
from portal.timeutil import isoformat

_IDEA_NUMBER = re.compile(r"(?<![\w&])#(\d{1,9})\b")


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
    """Plain text, escaped, with "#42" linking idea 42 (a merge or duplicate note names the
    original by number; following the link tells nobody more than the page it opens)."""

    def link(match: re.Match) -> str:
        number = int(match.group(1))
        if not 0 < number < 2**31:
            return match.group(0)
        return f'<a href="{url_for("ideas.detail", idea_id=number)}">#{number}</a>'

    return Markup(_IDEA_NUMBER.sub(link, str(escape(text or ""))))


def format_datetime(value) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else ""


def init_templating(app: Flask) -> None:
    # Templates ask access.py which buttons and forms to offer: the same functions services use.
    app.jinja_env.globals.update(access.JINJA_GLOBALS)
    app.jinja_env.globals.update(
        STATUS_LABELS=STATUS_LABELS,
        KIND_LABELS=KIND_LABELS,
        AUDIENCE_LABELS=AUDIENCE_LABELS,
        STATUSES=STATUSES,
        IDEA_KINDS=IDEA_KINDS,
        url_with=_url_with,
    )
    app.jinja_env.filters["iso"] = isoformat
    app.jinja_env.filters["link_ideas"] = link_ideas
    app.jinja_env.filters["datetime"] = format_datetime

    @app.context_processor
    def inject_user():
        signed_in = current_user.is_authenticated
        return {
            "viewer": current_user,
            "moderation_waiting": open_queue_count(current_user)
            if access.can_moderate(current_user)
            else 0,
            "unread_notifications": unread_count(current_user) if signed_in else 0,
        }
