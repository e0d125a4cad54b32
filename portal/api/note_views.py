"""API v1 for staff notes (issue 15): an idea's private thread, for staff and admins."""

from flask import jsonify
from flask_babel import gettext as _
from sqlalchemy import select

from portal import access
from portal.api import serializers as out
from portal.api.views import _page_args, bp, json_body, viewer
from portal.errors import Forbidden, NotFound
from portal.guards import guard
from portal.ideas import notes
from portal.ideas import service as ideas
from portal.ideas.models import StaffNote
from portal.pagination import page_of


def _idea_for_notes(user, idea_id: int):
    """404 for an idea the viewer may not read (as its comments answer), 403 for one they
    may read but whose notes are for staff only."""
    idea = ideas.get_idea(user, idea_id)
    if not access.can_read(user, idea):
        raise NotFound(_("No such idea."))
    if not access.can_see_staff_notes(user, idea):
        raise Forbidden(_("Staff notes are for staff only."))
    return idea


@bp.get("/ideas/<int:idea_id>/notes")
def list_notes(idea_id: int):
    user = viewer()
    idea = _idea_for_notes(user, idea_id)
    query = select(StaffNote).where(StaffNote.idea_id == idea.id)
    result = page_of(query.order_by(StaffNote.created_at, StaffNote.id), *_page_args())
    return jsonify(out.page(result, [out.staff_note(n) for n in result.items]))


@bp.post("/ideas/<int:idea_id>/notes")
@guard()
def create_note(idea_id: int):
    user = viewer()
    idea = _idea_for_notes(user, idea_id)
    note = notes.add_note(user, idea, json_body().get("body"))
    return jsonify(out.staff_note(note)), 201
