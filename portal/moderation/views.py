"""Moderation pages: flagging in place, the review queue, the public log, appeals."""

from flask import Blueprint, flash, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal import access
from portal.errors import Conflict, Invalid
from portal.extensions import db
from portal.forms import apply_domain_errors, attempt, error_messages
from portal.guards import guard
from portal.live import service as live
from portal.moderation import queue, service
from portal.moderation.forms import ActionForm, AppealForm, FlagForm
from portal.pagination import parse_page_args
from portal.ratelimits import new_account_limit
from portal.responses import FLASH_RESWAP, redirect_back, wants_fragment

bp = Blueprint("moderation", __name__)


def _refused(form, prefix: str, fallback: str, status: int = 422):
    """A refused form posted in place: its errors in the flash area (htmx) or as a flash."""
    message = "; ".join(error_messages(form))
    if wants_fragment():
        headers = {"HX-Retarget": "#flash", "HX-Reswap": FLASH_RESWAP}
        return render_template("_flash_error.html", message=message), status, headers
    flash(f"{prefix}: {message}", "error")
    return redirect_back(fallback)


@bp.route("/flags", methods=["POST"])
@guard()
@new_account_limit("flags")
def flag():
    form = FlagForm()
    if form.validate_on_submit():
        try:
            service.flag(
                current_user,
                form.target_type.data,
                form.target_id.data,
                form.reason.data,
                form.note.data,
                form.duplicate_of.data or None,
            )
        except Invalid as error:
            apply_domain_errors(form, error)
        except Conflict as error:
            db.session.rollback()
            if wants_fragment():
                raise
            flash(error.message, "info")
            return redirect_back(url_for("ideas.index"))
        else:
            if wants_fragment():
                return render_template("moderation/_flag_done.html")
            flash(_("Thank you: the moderators will review it."), "success")
            return redirect_back(url_for("ideas.index"))
    return _refused(form, _("Could not flag"), url_for("ideas.index"))


def queue_context(args) -> dict:
    """The review queue's page of groups, as the page and /live render it."""
    page, per_page = parse_page_args(args.get("page"), args.get("per_page"))
    return {
        "result": queue.review_queue(current_user, page, per_page),
        "action_form": ActionForm(formdata=None),
    }


@bp.route("/moderation")
@guard(access.moderation_refusal)
def review():
    live.page_cursor()
    return render_template("moderation/queue.html", **queue_context(request.args))


@bp.route("/moderation/actions", methods=["POST"])
@guard(access.moderation_refusal)
def act():
    form = ActionForm()
    status = 422
    if form.validate_on_submit():
        entry, refused = attempt(form, lambda: service.act(
            current_user, form.action.data, form.target_type.data, form.target_id.data,
            form.reason.data, form.into_id.data or None, form.until.data or None,
        ))  # fmt: skip
        status = refused or status
        if not refused:
            if wants_fragment():
                return render_template("moderation/_action_done.html", entry=entry)
            flash(_("Done, and written to the moderation log."), "success")
            return redirect_back(url_for("moderation.review"))
    return _refused(form, _("Not done"), url_for("moderation.review"), status)


@bp.route("/moderation/log")
def moderation_log():
    page, per_page = parse_page_args(request.args.get("page"), request.args.get("per_page"), 30)
    entries, targets = queue.public_log(current_user, page, per_page)
    return render_template("moderation/log.html", entries=entries, targets=targets)


@bp.route("/appeals", methods=["POST"])
@guard()
def appeal():
    form = AppealForm()
    if form.validate_on_submit():
        service.appeal(current_user, form.target_type.data, form.target_id.data, form.text.data)
        flash(_("Your appeal is with the moderators."), "success")
    else:
        flash(_("Say why it should be restored."), "error")
    return redirect_back(url_for("ideas.index"))
