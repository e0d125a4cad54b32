"""Saved replies: the team's list (create, edit, delete) and the picker's insert."""

import re

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal import access
from portal.errors import Invalid, refuse
from portal.forms import EmptyForm, attempt, choices
from portal.guards import guard
from portal.replies import service
from portal.replies.forms import SavedReplyForm

bp = Blueprint("replies", __name__, url_prefix="/staff/saved-replies")

# The text boxes the picker fills: the form field's name, and the element id to swap.
FIELDS = ("body", "note")
_TARGET = re.compile(r"^[a-z][a-z0-9-]{0,40}$")


def _form(reply=None) -> SavedReplyForm:
    form = SavedReplyForm(obj=reply) if reply is not None else SavedReplyForm()
    form.team_id.choices = choices(
        (str(t.id), t.name) for t in service.manageable_teams(current_user)
    )
    if reply is not None and request.method == "GET":
        form.team_id.data = str(reply.team_id)
    return form


def _index(form, status=200):
    teams = service.manageable_teams(current_user)
    return render_template(
        "replies/index.html", form=form, teams=teams, replies=service.replies_of(teams),
        delete_form=EmptyForm(),
    ), status  # fmt: skip


@bp.route("", methods=["GET", "POST"])
@guard(access.saved_replies_refusal)
def index():
    form = _form()
    if request.method == "GET":
        return _index(form)
    status = 422
    if form.validate_on_submit():
        reply, refused = attempt(form, lambda: service.create_reply(
            current_user, form.team_id.data, form.title.data, form.body.data))  # fmt: skip
        if not refused:
            added = _("Saved reply “%(title)s” added to %(team)s.", title=reply.title,
                      team=reply.team.name)  # fmt: skip
            flash(added, "success")
            return redirect(url_for("replies.index") + f"#reply-{reply.id}")
        status = refused
    return _index(form, status)


@bp.route("/<int:reply_id>/edit", methods=["GET", "POST"])
@guard(access.saved_replies_refusal)
def edit(reply_id: int):
    reply = service.get_reply(current_user, reply_id)
    refuse(access.manage_saved_reply_refusal(current_user, reply.team))
    form = _form(reply)
    status = 200
    if form.validate_on_submit():
        _updated, refused = attempt(form, lambda: service.update_reply(
            current_user, reply, form.title.data, form.body.data, form.team_id.data))  # fmt: skip
        if not refused:
            flash(_("Saved reply updated."), "success")
            return redirect(url_for("replies.index") + f"#reply-{reply.id}")
        status = refused
    elif request.method == "POST":
        status = 422
    return render_template("replies/edit.html", form=form, reply=reply), status


@bp.route("/<int:reply_id>/delete", methods=["POST"])
@guard(access.saved_replies_refusal)
def delete(reply_id: int):
    reply = service.get_reply(current_user, reply_id)
    if EmptyForm().validate_on_submit():
        title = reply.title
        service.delete_reply(current_user, reply)
        flash(_("Saved reply “%(title)s” deleted.", title=title), "info")
    return redirect(url_for("replies.index"))


@bp.route("/insert", methods=["POST"])
@guard(access.saved_replies_refusal)
def insert():
    """The picker with JavaScript on: the text box again, with the chosen reply added to
    what was typed (htmx swaps it in). Without JavaScript the form's own route does this."""
    name, target = request.form.get("field", ""), request.form.get("target", "")
    if name not in FIELDS or not _TARGET.match(target):
        raise Invalid("The picker names no text box it can fill.")
    if not EmptyForm().validate_on_submit():
        raise Invalid("The form expired: reload the page and try again.")
    text = service.insert(current_user, request.form.get("saved_reply"), request.form.get(name))
    return render_template("replies/_textarea.html", name=name, target=target, text=text)
