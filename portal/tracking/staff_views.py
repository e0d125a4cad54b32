"""Staff pages: triage, the dashboard and the CSV exports."""

from functools import wraps

from flask import Blueprint, Response, abort, render_template, stream_with_context
from flask_login import current_user, login_required

from portal.timeutil import utcnow
from portal.tracking import staff

bp = Blueprint("staff", __name__, url_prefix="/staff")


def staff_required(view):
    """Sign-in first (anonymous visitors go to the login page), then staff only (403)."""

    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not staff.can_use_staff_pages(current_user):
            abort(403, "Only staff see the staff pages.")
        return view(*args, **kwargs)

    return wrapped


@bp.route("")
@staff_required
def dashboard():
    figures = staff.dashboard(current_user)
    return render_template("staff/dashboard.html", figures=figures)


@bp.route("/triage")
@staff_required
def triage():
    lists = staff.triage(current_user)
    return render_template("staff/triage.html", triage=lists, describe_age=staff.describe_age)


def _csv_download(name: str, rows) -> Response:
    filename = f"{name}-{utcnow():%Y-%m-%d}.csv"
    return Response(
        stream_with_context(staff.csv_lines(rows)),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )


@bp.route("/export/ideas.csv")
@staff_required
def export_ideas():
    return _csv_download("ideas", staff.idea_rows(current_user._get_current_object()))


@bp.route("/export/items.csv")
@staff_required
def export_items():
    return _csv_download("items", staff.item_rows(current_user._get_current_object()))
