"""Staff pages: triage, the dashboard and the CSV exports."""

from flask import Blueprint, Response, render_template, stream_with_context
from flask_login import current_user

from portal import access
from portal.guards import guard
from portal.live import service as live
from portal.timeutil import utcnow
from portal.tracking import staff

bp = Blueprint("staff", __name__, url_prefix="/staff")


@bp.route("")
@guard(access.staff_area_refusal)
def dashboard():
    figures = staff.dashboard(current_user)
    return render_template("staff/dashboard.html", figures=figures)


def triage_context() -> dict:
    """Triage's two lists, as the page and /live render them."""
    return {"triage": staff.triage(current_user), "describe_age": staff.describe_age}


@bp.route("/triage")
@guard(access.staff_area_refusal)
def triage():
    live.page_cursor()
    return render_template("staff/triage.html", **triage_context())


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
@guard(access.staff_area_refusal)
def export_ideas():
    return _csv_download("ideas", staff.idea_rows(current_user._get_current_object()))


@bp.route("/export/items.csv")
@guard(access.staff_area_refusal)
def export_items():
    return _csv_download("items", staff.item_rows(current_user._get_current_object()))
