"""Routing pages: the public responsiveness figures and the admins' routing rules and teams."""

from babel.dates import get_day_names
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from portal import access
from portal.accounts.models import ASSIGNMENT_MODES, KINDS, Organization, Team, User
from portal.errors import DomainError
from portal.extensions import db
from portal.guards import guard
from portal.ideas.models import IDEA_KINDS, Category
from portal.intake.models import SOURCES
from portal.labels import KIND_LABELS
from portal.routing import responsiveness as figures
from portal.routing import service as routing

bp = Blueprint("routing", __name__)

SOURCE_LABELS = {"portal": _l("Posted on the portal"), "email": _l("E-mail"),
                 "api": _l("API (help desk)"), "widget": _l("Feedback widget")}  # fmt: skip
AUTHOR_KIND_LABELS = {"customer": _l("Customer"), "supplier": _l("Supplier"), "staff": _l("Staff")}


def _day_names() -> list[str]:
    """Monday to Sunday, abbreviated in the reader's language ("Mon", "Mo.")."""
    names = get_day_names("abbreviated", locale=get_locale())
    return [names[day] for day in range(7)]


@bp.route("/responsiveness")
def responsiveness():
    return render_template("routing/responsiveness.html", rows=figures.figures(current_user),
                           window=figures.WINDOW_DAYS)  # fmt: skip


def _rule_data(form) -> dict:
    """The rule form as the service takes it (the service checks every value)."""
    conditions = {}
    for key in ("category", "kind", "author_kind", "source"):
        if form.get(key):
            conditions[key] = form[key]
    if form.get("organization", "").isdigit():
        conditions["organization"] = int(form["organization"])
    if form.get("words", "").strip():
        conditions["words"] = form["words"]
    data = {"name": form.get("name", ""), "conditions": conditions}
    team = form.get("team_id", "")
    data["team_id"] = int(team) if team.isdigit() else None
    assignee = form.get("assignee_id", "")
    data["assignee_id"] = int(assignee) if assignee.isdigit() else None
    if form.get("position", "").isdigit():
        data["position"] = int(form["position"])
    return data


def _team_data(form) -> dict:
    days = [int(d) for d in form.getlist("days") if d.isdigit()]
    return {
        "assignment": form.get("assignment"),
        "answer_target_hours": form.get("answer_target_hours") or None,
        "business_hours": {"timezone": form.get("timezone", "").strip(), "days": days,
                           "start": form.get("start", ""), "end": form.get("end", "")},
    }  # fmt: skip


def _page(status: int = 200, errors: dict | None = None, values: dict | None = None):
    teams = db.session.scalars(select(Team).order_by(Team.name)).all()
    staff = db.session.scalars(
        select(User).where(access.assignable_people())
        .order_by(User.display_name)
    ).all()  # fmt: skip
    categories = db.session.scalars(select(Category).order_by(Category.name)).all()
    organizations = db.session.scalars(select(Organization).order_by(Organization.name)).all()
    options = {
        "teams": [(t.id, t.name) for t in teams],
        "staff": [(u.id, u.display_name) for u in staff],
        "categories": [(c.slug, c.name) for c in categories],
        "organizations": [(o.id, o.name) for o in organizations],
        "kinds": [(k, KIND_LABELS.get(k, k)) for k in IDEA_KINDS],
        "author_kinds": [(k, AUTHOR_KIND_LABELS.get(k, k)) for k in KINDS],
        "sources": [(s, SOURCE_LABELS[s]) for s in ("portal", *SOURCES)],
    }
    return render_template(
        "routing/admin.html",
        rules=routing.ordered_rules(),
        teams=teams,
        hours={t.id: routing.business_hours(t) for t in teams},
        options=options,
        modes=ASSIGNMENT_MODES,
        day_names=_day_names(),
        errors=errors or {},
        values=values or {},
    ), status


@bp.route("/admin/routing")
@guard(access.administer_refusal)
def admin():
    return _page()


def _attempt(operation, success: str, values: dict | None = None):
    try:
        operation()
    except DomainError as error:
        db.session.rollback()
        fields = error.fields or {"form": [error.message]}
        flash(_("Not saved: %(reason)s", reason=error.message), "error")
        return _page(error.status, fields, values)
    flash(success, "success")
    return redirect(url_for("routing.admin"))


@bp.route("/admin/routing/rules", methods=["POST"])
@guard(access.administer_refusal)
def create_rule():
    data = _rule_data(request.form)
    return _attempt(lambda: routing.create_rule(current_user, data), _("Rule added."), request.form)


@bp.route("/admin/routing/rules/<int:rule_id>", methods=["POST"])
@guard(access.administer_refusal)
def update_rule(rule_id: int):
    rule = routing.get_rule(current_user, rule_id)
    if request.form.get("move") in ("up", "down"):
        step = -1 if request.form["move"] == "up" else 1
        data = {"position": max(rule.position + step, 1)}
    else:
        data = _rule_data(request.form)
    return _attempt(lambda: routing.update_rule(current_user, rule, data), _("Rule saved."))


@bp.route("/admin/routing/rules/<int:rule_id>/delete", methods=["POST"])
@guard(access.administer_refusal)
def delete_rule(rule_id: int):
    rule = routing.get_rule(current_user, rule_id)
    return _attempt(lambda: routing.delete_rule(current_user, rule), _("Rule deleted."))


@bp.route("/admin/routing/teams/<int:team_id>", methods=["POST"])
@guard(access.administer_refusal)
def update_team(team_id: int):
    team = db.get_or_404(Team, team_id)
    data = _team_data(request.form)
    return _attempt(lambda: routing.configure_team(current_user, team, data), _("Team saved."))
