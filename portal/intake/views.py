"""The intake inbox (SPEC 12): staff work messages in place (htmx) or with plain forms."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from portal import access
from portal.accounts.models import Team, User
from portal.errors import DomainError
from portal.extensions import db
from portal.forms import apply_domain_errors, choices, error_messages
from portal.guards import guard
from portal.ideas import service as ideas
from portal.ideas.models import IDEA_KINDS
from portal.intake import service as intake
from portal.intake.forms import IntakeActionForm
from portal.intake.models import STATUSES
from portal.labels import KIND_LABELS
from portal.live import service as live
from portal.pagination import parse_page_args
from portal.replies import service as saved_replies
from portal.responses import FLASH_RESWAP, safe_next, wants_fragment
from portal.validation import is_id

bp = Blueprint("intake", __name__, url_prefix="/staff/inbox")

DONE = {
    "attach": _l("Attached as evidence."),
    "convert": _l("Converted into a new idea."),
    "reply": _l("Reply sent."),
    "dismiss": _l("Dismissed."),
    "assign": _l("Assigned."),
}


def action_form(formdata=None) -> IntakeActionForm:
    form = IntakeActionForm(formdata=formdata) if formdata is not None else IntakeActionForm(
        formdata=None)  # fmt: skip
    form.category.choices = choices(
        (c.slug, c.name) for c in ideas.postable_categories(current_user)
    )
    form.kind.choices = choices((k, KIND_LABELS.get(k, k)) for k in IDEA_KINDS)
    form.confidential.choices = choices([("yes", _("Confidential")), ("no", _("Not confidential"))])
    teams = db.session.scalars(select(Team).order_by(Team.name)).all()
    form.team_id.choices = choices(
        [("", _("Keep the team"))] + [(str(t.id), t.name) for t in teams]
    )
    staff = db.session.scalars(
        select(User).where(access.assignable_people())
        .order_by(User.display_name)
    ).all()  # fmt: skip
    form.assignee_id.choices = choices(
        [("", _("By the team's mode")), ("none", _("Nobody (the team's queue)"))]
        + [(str(u.id), u.display_name) for u in staff]
    )
    return form


def _scope(args) -> dict:
    """The list the viewer asked for: their teams by default, all teams on request."""
    status = args.get("status") or "open"
    if status not in STATUSES:
        status = "open"
    team = args.get("team") or "mine"
    my_teams = [t.id for t in current_user.teams]
    scope = {"status": status, "assignee_me": args.get("assignee") == "me"}
    if team.isdigit() and is_id(int(team)):
        scope["team_id"] = int(team)
    elif team == "mine" and my_teams:
        scope["teams"] = my_teams
    else:
        team = "all"
    return scope | {"team_choice": team}


def inbox_context(args) -> dict:
    """The inbox list the viewer asked for (`args`: the page's query), as the page and /live
    render it."""
    page, per_page = parse_page_args(args.get("page"), args.get("per_page"))
    scope = _scope(args)
    team_choice = scope.pop("team_choice")
    result = intake.list_messages(current_user, page=page, per_page=per_page, **scope)
    return {"result": result, "form": action_form(), "team_choice": team_choice, "scope": scope}


@bp.route("")
@guard(access.intake_refusal)
def inbox():
    live.page_cursor()
    teams = db.session.scalars(select(Team).order_by(Team.name)).all()
    return render_template("intake/inbox.html", teams=teams, statuses=STATUSES,
                           **inbox_context(request.args))  # fmt: skip


@bp.route("/<int:message_id>")
@guard(access.intake_refusal)
def message(message_id: int):
    found = intake.get_message(current_user, message_id)
    return render_template("intake/message.html", message=found, form=action_form())


def _with_saved_reply(found):
    """The picker's "Insert" without JavaScript: the message's page again, its reply box
    holding what was typed and the chosen saved reply; nothing is sent."""
    text = saved_replies.insert(current_user, request.form.get("saved_reply"),
                                request.form.get("body"))  # fmt: skip
    return render_template("intake/message.html", message=found, form=action_form(),
                           reply_for=found.id, reply_text=text)  # fmt: skip


@bp.route("/<int:message_id>/<action>", methods=["POST"])
@guard(access.intake_refusal)
def act(message_id: int, action: str):
    if action not in intake.ACTIONS:
        abort(404)
    found = intake.get_message(current_user, message_id)
    if action == "reply" and request.form.get("insert_reply"):
        return _with_saved_reply(found)
    form = action_form(request.form)
    status = 422
    if form.validate_on_submit():
        try:
            intake.act(current_user, found, action, form.action_data())
        except DomainError as error:
            db.session.rollback()
            apply_domain_errors(form, error)
            status = error.status
        else:
            if wants_fragment():
                return render_template("intake/_message.html", message=found,
                                       form=action_form(), done=DONE[action])  # fmt: skip
            flash(str(DONE[action]), "success")
            return redirect(safe_next(request.form.get("next"), url_for("intake.inbox")))
    text = "; ".join(error_messages(form)) or _("Not done.")
    if wants_fragment():
        headers = {"HX-Retarget": "#flash", "HX-Reswap": FLASH_RESWAP}
        return render_template("_flash_error.html", message=text), status, headers
    flash(_("Not done: %(reason)s", reason=text), "error")
    return redirect(url_for("intake.message", message_id=found.id))
