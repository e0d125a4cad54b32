"""The notification centre and the one-click unsubscribe page."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from portal import access
from portal.extensions import db
from portal.forms import EmptyForm
from portal.guards import guard
from portal.live import changes as live
from portal.notify import service
from portal.notify.models import Notification
from portal.notify.unsubscribe import user_for_token
from portal.pagination import Page, parse_page_args
from portal.timeutil import utcnow

bp = Blueprint("notify", __name__)


def notifications_page(user, page: int, per_page: int) -> Page:
    # Shown only while the reader may still read what each one points to.
    where = (Notification.user_id == user.id) & access.notification_visibility(user)
    total = db.session.scalar(select(func.count(Notification.id)).where(where)) or 0
    rows = db.session.scalars(
        select(Notification)
        .where(where)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return Page(list(rows), page, per_page, total)


def mark_read(user, ids=None) -> int:
    """Mark some (or all) of the user's notifications read; returns how many stay unread."""
    from sqlalchemy import update

    query = update(Notification).where(
        Notification.user_id == user.id, Notification.read_at.is_(None)
    )
    if ids is not None:
        # An id no id column can hold names no notification (and would overflow the driver).
        query = query.where(Notification.id.in_([i for i in ids if 0 < i < 2**31]))
    db.session.execute(query.values(read_at=utcnow()).execution_options(synchronize_session=False))
    live.touch(db.session, live.user_topic(user.id))  # the badge of their other open pages
    return service.unread_count(user)


@bp.route("/notifications")
@guard()
def centre():
    page, per_page = parse_page_args(request.args.get("page"), request.args.get("per_page"))
    return render_template(
        "notify/centre.html",
        result=notifications_page(current_user, page, per_page),
        form=EmptyForm(),
    )


@bp.route("/notifications/read", methods=["POST"])
@guard()
def read():
    if EmptyForm().validate_on_submit():
        ids = [int(i) for i in request.form.getlist("id") if i.isdigit() and int(i) < 2**31]
        mark_read(current_user, ids or None)
    return redirect(url_for("notify.centre"))


@bp.route("/notifications/<int:note_id>/open", methods=["POST"])
@guard()
def open_note(note_id: int):
    """Opening a notification marks it read (a POST: GET changes nothing) and leads to what
    it is about, the comment itself when it is about one."""
    note = db.session.scalar(
        select(Notification).where(
            Notification.id == note_id,
            Notification.user_id == current_user.id,
            access.notification_visibility(current_user),
        )
    )
    if note is None:
        abort(404, "No such notification.")
    if EmptyForm().validate_on_submit():
        note.read_at = note.read_at or utcnow()
    endpoint, values, anchor = service.note_target(note)
    return redirect(url_for(endpoint, **values) + anchor)


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
def unsubscribe(token: str):
    """GET shows one button; POST (or a mail client's one-click POST) unsubscribes."""
    user = user_for_token(token)
    if user is None:
        abort(404, "This unsubscribe link is not valid.")
    if request.method == "POST":
        user.email_preference = "off"
        if request.form.get("List-Unsubscribe") == "One-Click":
            return "", 204
        flash(_("You will get no more e-mail from the portal."), "success")
        return render_template("notify/unsubscribe.html", user=user, done=True)
    return render_template("notify/unsubscribe.html", user=user, done=False)
