"""Staff notes: a private thread beside an idea's public discussion, for staff and admins only.

Notes are never indexed for search, never sent in webhooks, never in the idea's history, the
API for others, exports for others or /live (no live_change names them). An @mention of a
staff member who may read the idea tells them (notification and e-mail as they chose); a
mention of anyone else does nothing and says nothing.
"""

import logging

from flask_babel import gettext as _
from sqlalchemy import select

from portal import access
from portal.accounts.models import User
from portal.errors import NotFound, refuse
from portal.extensions import db
from portal.ideas.discussion import COMMENT_MAX, MENTION
from portal.ideas.models import Idea, StaffNote
from portal.markdown import render
from portal.notify import service as notify
from portal.timeutil import utcnow
from portal.validation import clean_text, is_id

log = logging.getLogger(__name__)

NOTE_MAX = COMMENT_MAX


def notes_for(user, idea: Idea) -> list[StaffNote] | None:
    """The idea's staff notes in the order written (one query), or None for whoever may not
    see them: the page then shows no panel at all."""
    if not access.can_see_staff_notes(user, idea):
        return None
    return list(
        db.session.scalars(
            select(StaffNote)
            .where(StaffNote.idea_id == idea.id)
            .order_by(StaffNote.created_at, StaffNote.id)
        )
    )


def get_note(user, idea: Idea, note_id) -> StaffNote:
    """One note of the idea, for whoever may see the idea's notes (404 for anyone else)."""
    try:
        note_id = int(note_id)
    except (TypeError, ValueError):
        raise NotFound(_("No such note.")) from None
    note = db.session.get(StaffNote, note_id) if is_id(note_id) else None
    if note is None or note.idea_id != idea.id or not access.can_see_staff_notes(user, idea):
        raise NotFound(_("No such note."))
    return note


def _clean_body(body) -> str:
    return clean_text(body, "body", min_length=1, max_length=NOTE_MAX, label=_("Note"))


def _staff_mentioned(note: StaffNote, idea: Idea, already: set[str]) -> list[User]:
    """Staff (and admins) named by @handle who may read the idea and were not named before."""
    handles = {h.lower() for h in MENTION.findall(note.body)} - already
    if not handles:
        return []
    people = db.session.scalars(
        select(User).where(User.handle.in_(handles), User.erased_at.is_(None))
    )
    return [
        person
        for person in people
        if person.id != note.author_id and access.can_see_staff_notes(person, idea)
    ]


def add_note(user, idea: Idea, body) -> StaffNote:
    """A staff member writes a note on an idea; mentioned staff are told."""
    refuse(access.staff_note_refusal(user, idea))
    body = _clean_body(body)
    note = StaffNote(idea_id=idea.id, author=user, body=body, body_html=render(body),
                     created_at=utcnow())  # fmt: skip
    db.session.add(note)
    db.session.flush()
    notify.staff_note_mention(user, idea, note, _staff_mentioned(note, idea, set()))
    log.info("user %s wrote staff note %s on idea %s", user.id, note.id, idea.id)
    return note


def edit_note(user, note: StaffNote, body) -> StaffNote:
    """Its author edits a note (within COMMENT_EDIT_HOURS); people newly mentioned are told."""
    refuse(access.staff_note_edit_refusal(user, note))
    body = _clean_body(body)
    if body == note.body:
        return note
    before = {h.lower() for h in MENTION.findall(note.body)}
    note.body, note.body_html, note.edited_at = body, render(body), utcnow()
    db.session.flush()
    idea = db.session.get(Idea, note.idea_id)
    notify.staff_note_mention(user, idea, note, _staff_mentioned(note, idea, before))
    log.info("user %s edited staff note %s", user.id, note.id)
    return note


def delete_note(user, note: StaffNote) -> None:
    """Its author (or an admin) deletes a note; the notifications quoting it go with it."""
    refuse(access.staff_note_delete_refusal(user, note))
    db.session.delete(note)
    db.session.flush()
    log.info("user %s deleted staff note %s", user.id, note.id)
