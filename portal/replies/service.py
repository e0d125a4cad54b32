"""Saved replies: each team's canned answers, managed by its members and admins, inserted by
staff into an official answer, a status note (decline and duplicate reasons too) or an intake
reply, where they edit the text before sending it.

The picker offers the replies of the teams the staff member belongs to and of the team the
idea or message is routed to; any staff member may insert any team's reply (they are the
company's answers, not secrets among staff), so the picker's choice is a convenience only.
"""

import logging

from flask import has_request_context, request
from flask_babel import gettext as _
from sqlalchemy import select

from portal import access
from portal.accounts.models import Team
from portal.errors import Invalid, NotFound, refuse
from portal.extensions import db
from portal.replies.models import SavedReply
from portal.timeutil import utcnow
from portal.validation import clean_text, is_id

log = logging.getLogger(__name__)

TITLE_MAX = 120
BODY_MAX = 10_000
CHOOSE = "Choose a saved reply to insert."
_CACHE_KEY = "portal.saved_replies"


def manageable_teams(user) -> list[Team]:
    """The teams whose replies `user` manages: their own, or every team for an admin."""
    if access.saved_replies_refusal(user):
        return []
    if access.is_admin(user):
        return list(db.session.scalars(select(Team).order_by(Team.name)))
    return sorted(user.teams, key=lambda t: t.name.lower())


def replies_of(teams) -> list[SavedReply]:
    """The saved replies of these teams, by team and title (one query)."""
    ids = [t.id for t in teams]
    if not ids:
        return []
    return list(
        db.session.scalars(
            select(SavedReply)
            .join(Team, Team.id == SavedReply.team_id)
            .where(SavedReply.team_id.in_(ids))
            .order_by(Team.name, SavedReply.title, SavedReply.id)
        )
    )


def _all_replies() -> list[SavedReply]:
    """Every saved reply, read once per request (the inbox shows many messages, each with a
    picker: one query whatever their number)."""
    # Kept in the request's own environ: an app context (and its `g`) may outlive a request.
    cache = request.environ if has_request_context() else {}
    if _CACHE_KEY not in cache:
        cache[_CACHE_KEY] = list(
            db.session.scalars(
                select(SavedReply)
                .join(Team, Team.id == SavedReply.team_id)
                .order_by(Team.name, SavedReply.title, SavedReply.id)
            )
        )
    return cache[_CACHE_KEY]


def offered(user, team_id: int | None = None) -> list[SavedReply]:
    """What the picker offers `user` answering something routed to `team_id`: the replies of
    their own teams and of that team. Nothing for anyone but staff."""
    if not access.can_use_saved_replies(user):
        return []
    teams = {t.id for t in user.teams} | ({team_id} if team_id else set())
    return [r for r in _all_replies() if r.team_id in teams]


def get_reply(user, reply_id) -> SavedReply:
    """A saved reply, for staff (404 for anyone else, as if there were none)."""
    try:
        reply_id = int(reply_id)
    except (TypeError, ValueError):
        raise NotFound(_("No such saved reply.")) from None
    reply = db.session.get(SavedReply, reply_id) if is_id(reply_id) else None
    if reply is None or not access.can_use_saved_replies(user):
        raise NotFound(_("No such saved reply."))
    return reply


def _team(team_id) -> Team | None:
    try:
        team_id = int(team_id)
    except (TypeError, ValueError):
        return None
    return db.session.get(Team, team_id) if is_id(team_id) else None


def _clean(title, body) -> tuple[str, str]:
    title = clean_text(title, "title", min_length=2, max_length=TITLE_MAX, label=_("Title"))
    body = clean_text(body, "body", min_length=1, max_length=BODY_MAX, label=_("Text"))
    return title, body


def create_reply(user, team_id, title, body) -> SavedReply:
    team = _team(team_id)
    refuse(access.manage_saved_reply_refusal(user, team))
    title, body = _clean(title, body)
    now = utcnow()
    reply = SavedReply(team_id=team.id, title=title, body=body, created_by_id=user.id,
                       created_at=now, updated_at=now)  # fmt: skip
    db.session.add(reply)
    db.session.flush()
    log.info("user %s saved reply %s for team %s", user.id, reply.id, team.id)
    return reply


def update_reply(user, reply: SavedReply, title, body, team_id=None) -> SavedReply:
    """Change a reply's text (and, for someone who manages both, move it to another team)."""
    refuse(access.manage_saved_reply_refusal(user, reply.team))
    title, body = _clean(title, body)
    if team_id not in (None, "") and str(team_id) != str(reply.team_id):
        team = _team(team_id)
        refuse(access.manage_saved_reply_refusal(user, team))
        reply.team_id, reply.team = team.id, team
    reply.title, reply.body, reply.updated_at = title, body, utcnow()
    db.session.flush()
    log.info("user %s changed saved reply %s", user.id, reply.id)
    return reply


def delete_reply(user, reply: SavedReply) -> None:
    refuse(access.manage_saved_reply_refusal(user, reply.team))
    db.session.delete(reply)
    db.session.flush()
    log.info("user %s deleted saved reply %s", user.id, reply.id)


def insert(user, reply_id, text: str | None) -> str:
    """`text` with the chosen reply's body added (after a blank line when something is
    already written): what the form's text box holds next, for the staff member to edit."""
    refuse(access.saved_replies_refusal(user))
    if reply_id in (None, ""):
        raise Invalid(CHOOSE, {"saved_reply": [CHOOSE]})
    try:
        reply = get_reply(user, reply_id)
    except NotFound:
        raise Invalid(CHOOSE, {"saved_reply": [CHOOSE]}) from None
    text = (text or "").rstrip()
    return f"{text}\n\n{reply.body}" if text else reply.body
