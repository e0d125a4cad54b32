"""Staff notes on an idea's page: add, edit and delete in place (htmx) or with plain forms."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user

from portal import access
from portal.errors import NotFound, refuse
from portal.forms import EmptyForm, attempt
from portal.guards import guard
from portal.ideas import notes, service
from portal.ideas.forms import StaffNoteForm
from portal.ideas.views import render_idea
from portal.responses import wants_fragment

bp = Blueprint("notes", __name__)


def _idea(idea_id: int):
    """The idea, for whoever may see its notes; 404 for everyone else (as for a hidden
    idea's discussion), so nobody learns that notes exist."""
    idea = service.get_idea(current_user, idea_id)
    if not access.can_see_staff_notes(current_user, idea):
        raise NotFound("No such idea.")
    return idea


def _panel(idea, form=None, status: int = 200):
    """The staff notes panel (htmx), or the idea's page with it."""
    if wants_fragment():
        return render_template(
            "ideas/_staff_notes.html", idea=idea, staff_notes=notes.notes_for(current_user, idea),
            note_form=form or StaffNoteForm(formdata=None),
        ), status  # fmt: skip
    return render_idea(idea, status, note_form=form)


@bp.route("/ideas/<int:idea_id>/notes", methods=["POST"])
@guard()
def add(idea_id: int):
    idea = _idea(idea_id)
    form = StaffNoteForm()
    status = 422
    if form.validate_on_submit():
        _, refused = attempt(form, lambda: notes.add_note(current_user, idea, form.staff_note.data))
        if not refused:
            if wants_fragment():
                return _panel(idea)
            flash(gettext("Your note is saved (staff only)."), "success")
            return redirect(url_for("ideas.detail", idea_id=idea.id) + "#staff-notes")
        status = refused
    return _panel(idea, form, status)


@bp.route("/ideas/<int:idea_id>/notes/<int:staff_note_id>/edit", methods=["GET", "POST"])
@guard()
def edit(idea_id: int, staff_note_id: int):
    idea = _idea(idea_id)
    note = notes.get_note(current_user, idea, staff_note_id)
    refusal = access.staff_note_edit_refusal(current_user, note)
    if refusal and request.method == "GET":
        refuse(refusal)
    form = StaffNoteForm(data={"staff_note": note.body})
    status = 200
    if form.validate_on_submit():
        _, refused = attempt(
            form, lambda: notes.edit_note(current_user, note, form.staff_note.data)
        )
        if not refused:
            flash(gettext("Note updated."), "success")
            return redirect(url_for("ideas.detail", idea_id=idea.id) + f"#note-{note.id}")
        status = refused
    elif request.method == "POST":
        status = 422
    return render_template("ideas/edit_staff_note.html", form=form, idea=idea,
                           note=note), status  # fmt: skip


@bp.route("/ideas/<int:idea_id>/notes/<int:staff_note_id>/delete", methods=["POST"])
@guard()
def delete(idea_id: int, staff_note_id: int):
    idea = _idea(idea_id)
    note = notes.get_note(current_user, idea, staff_note_id)
    if EmptyForm().validate_on_submit():
        notes.delete_note(current_user, note)
        if wants_fragment():
            return _panel(idea)
        flash(gettext("Note deleted."), "info")
    return redirect(url_for("ideas.detail", idea_id=idea.id) + "#staff-notes")
