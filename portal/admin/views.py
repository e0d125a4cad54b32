"""Admin pages: supplier approval, users and roles, categories, teams, organizations."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import func, select

from portal import access
from portal.accounts import service as accounts
from portal.accounts.models import Organization, Team, User
from portal.admin import service
from portal.admin.forms import CategoryForm, NameForm, RoleForm
from portal.errors import DomainError
from portal.extensions import db
from portal.forms import EmptyForm, apply_domain_errors, choices
from portal.ideas.models import Category
from portal.pagination import Page, parse_page_args
from portal.web import redirect_back

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _require(predicate) -> None:
    if not predicate(current_user):
        abort(403, "You do not have access to this page.")


def _team_choices():
    teams = db.session.scalars(select(Team).order_by(Team.name))
    return choices([(0, "— none —")] + [(t.id, t.name) for t in teams])


def _render_index(category_form=None, team_form=None, org_form=None, status=200):
    page, per_page = parse_page_args(request.args.get("page"), None, 50)
    total = db.session.scalar(select(func.count(User.id)))
    users = db.session.scalars(
        select(User).order_by(User.created_at.desc()).limit(per_page).offset((page - 1) * per_page)
    ).all()
    if category_form is None:
        category_form = CategoryForm()
        category_form.team.choices = _team_choices()
    return render_template(
        "admin/index.html",
        pending=accounts.pending_suppliers(),
        users=Page(list(users), page, per_page, total),
        categories=db.session.scalars(select(Category).order_by(Category.position)).all(),
        teams=db.session.scalars(select(Team).order_by(Team.name)).all(),
        organizations=db.session.scalars(select(Organization).order_by(Organization.name)).all(),
        category_form=category_form,
        team_form=team_form or NameForm(prefix="team"),
        org_form=org_form or NameForm(prefix="org"),
        role_form=RoleForm(),
        action_form=EmptyForm(),
    ), status


@bp.route("")
@login_required
def index():
    _require(access.can_administer)
    return _render_index()


@bp.route("/approvals")
@login_required
def approvals():
    _require(access.can_approve_suppliers)
    return render_template(
        "admin/approvals.html", pending=accounts.pending_suppliers(), action_form=EmptyForm()
    )


@bp.route("/users/<int:user_id>/approve", methods=["POST"])
@login_required
def approve(user_id: int):
    _require(access.can_approve_suppliers)
    user = db.get_or_404(User, user_id)
    if EmptyForm().validate_on_submit():
        accounts.approve_supplier(current_user, user)
        db.session.commit()
        flash(f"{user.display_name} is approved.", "success")
    return redirect_back(url_for("admin.approvals"))


@bp.route("/users/<int:user_id>/role", methods=["POST"])
@login_required
def set_role(user_id: int):
    _require(access.can_administer)
    user = db.get_or_404(User, user_id)
    form = RoleForm()
    if form.validate_on_submit():
        service.set_role(current_user, user, form.role.data)
        db.session.commit()
        flash(f"{user.display_name} is now {user.role}.", "success")
    return redirect(url_for("admin.index"))


@bp.route("/categories", methods=["POST"])
@login_required
def create_category():
    _require(access.can_administer)
    form = CategoryForm()
    form.team.choices = _team_choices()
    if form.validate_on_submit():
        try:
            team = db.session.get(Team, form.team.data) if form.team.data else None
            service.create_category(
                form.slug.data, form.name.data, form.audience.data, team, form.description.data
            )
        except DomainError as error:
            apply_domain_errors(form, error)
        else:
            db.session.commit()
            flash("Category created.", "success")
            return redirect(url_for("admin.index"))
    return _render_index(category_form=form, status=422)


@bp.route("/teams", methods=["POST"])
@login_required
def create_team():
    _require(access.can_administer)
    form = NameForm(prefix="team")
    if form.validate_on_submit():
        try:
            service.create_team(current_user, form.name.data)
        except DomainError as error:
            apply_domain_errors(form, error)
        else:
            db.session.commit()
            flash("Team created.", "success")
            return redirect(url_for("admin.index"))
    return _render_index(team_form=form, status=422)


@bp.route("/organizations", methods=["POST"])
@login_required
def create_organization():
    _require(access.can_administer)
    form = NameForm(prefix="org")
    if form.validate_on_submit():
        try:
            service.create_organization(current_user, form.name.data)
        except DomainError as error:
            apply_domain_errors(form, error)
        else:
            db.session.commit()
            flash("Organization created.", "success")
            return redirect(url_for("admin.index"))
    return _render_index(org_form=form, status=422)
