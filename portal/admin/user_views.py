"""Admin pages about people: finding them, their account, supplier approval and rejection."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from portal import access
from portal.accounts import service as accounts
from portal.accounts.models import KINDS, ROLES, Organization, Team, User
from portal.admin import audit, users
from portal.admin.forms import RejectForm, RoleForm, UserForm
from portal.extensions import db
from portal.forms import EmptyForm, attempt, choices, error_messages
from portal.guards import guard
from portal.labels import USER_ROLE_LABELS
from portal.moderation.forms import ActionForm
from portal.pagination import parse_page_args
from portal.responses import redirect_back, render_page_or_fragment

bp = Blueprint("users", __name__, url_prefix="/admin/users")


@bp.route("")
@guard(access.administer_refusal)
def index():
    args = request.args
    page, per_page = parse_page_args(args.get("page"), args.get("per_page"), 25)
    filters = {name: args.get(name) or "" for name in ("q", "kind", "role", "state")}
    result = users.find_users(**{k: v or None for k, v in filters.items()}, page=page,
                              per_page=per_page)  # fmt: skip
    return render_page_or_fragment(
        "admin/users.html", "admin/_user_results.html", result=result, filters=filters,
        kinds=KINDS, roles=ROLES, states=users.STATES, role_form=RoleForm(formdata=None),
    )  # fmt: skip


def _person_or_404(user_id: int) -> User:
    """The account, unless erased: an erased account is nobody to administer any more."""
    user = db.get_or_404(User, user_id)
    if user.erased_at is not None:
        abort(404)
    return user


def _user_form(user: User, formdata=None) -> UserForm:
    form = UserForm(formdata=formdata, kind=user.kind, role=user.role,
                    organization=user.organization_id or 0,
                    teams=[t.id for t in user.teams])  # fmt: skip
    orgs = db.session.scalars(select(Organization).order_by(func.lower(Organization.name)))
    form.organization.choices = choices([(0, "— none —")] + [(o.id, o.name) for o in orgs])
    teams = db.session.scalars(select(Team).order_by(func.lower(Team.name)))
    form.teams.choices = choices([(t.id, t.name) for t in teams])
    return form


def _render_user(user: User, form=None, reject_form=None, status=200):
    return render_template(
        "admin/user.html", user=user, form=form or _user_form(user),
        reject_form=reject_form or RejectForm(formdata=None),
        action_form=ActionForm(formdata=None),
        history=audit.entries(1, 20, "user", user.id).items,
    ), status  # fmt: skip


@bp.route("/<int:user_id>")
@guard(access.administer_refusal)
def detail(user_id: int):
    return _render_user(_person_or_404(user_id))


@bp.route("/<int:user_id>", methods=["POST"])
@guard(access.administer_refusal)
def update(user_id: int):
    user = _person_or_404(user_id)
    form = _user_form(user, request.form)
    status = 422
    if form.validate_on_submit():
        details, refused = attempt(form, lambda: users.update_user(
            current_user, user, kind=form.kind.data, role=form.role.data,
            organization_id=form.organization.data, team_ids=form.teams.data,
        ))  # fmt: skip
        if not refused:
            flash(_("Saved: %(details)s.", details=details) if details else _("Nothing changed."),
                  "success")  # fmt: skip
            return redirect(url_for("users.detail", user_id=user.id))
        status = refused
    return _render_user(user, form=form, status=status)


@bp.route("/<int:user_id>/role", methods=["POST"])
@guard(access.administer_refusal)
def set_role(user_id: int):
    """The role alone, from the list of people."""
    user = _person_or_404(user_id)
    form = RoleForm()
    if form.validate_on_submit():
        _done, refused = attempt(form, lambda: users.set_role(current_user, user, form.role.data))
        if refused:
            flash(_("Not changed: %(reason)s", reason=" ".join(error_messages(form))), "error")
        else:
            role = USER_ROLE_LABELS.get(user.role, user.role)
            flash(_("%(name)s is now %(role)s.", name=user.display_name, role=role), "success")
    return redirect_back(url_for("users.index"))


def _refused_decision(form, status: int):
    """A refused approval or rejection: the list of waiting suppliers, saying why."""
    return render_template("admin/approvals.html", pending=accounts.pending_suppliers(),
                           problem=" ".join(error_messages(form))), status  # fmt: skip


@bp.route("/<int:user_id>/approve", methods=["POST"])
@guard(access.approve_refusal)
def approve(user_id: int):
    user = _person_or_404(user_id)
    form = EmptyForm()
    if form.validate_on_submit():
        _done, refused = attempt(form, lambda: accounts.approve_supplier(current_user, user))
        if refused:
            return _refused_decision(form, refused)
        flash(_("%(name)s is approved. They are told so.", name=user.display_name), "success")
    return redirect_back(url_for("admin.approvals"))


@bp.route("/<int:user_id>/reject", methods=["POST"])
@guard(access.approve_refusal)
def reject(user_id: int):
    user = _person_or_404(user_id)
    form = RejectForm()
    status = 422
    if form.validate_on_submit():
        _done, refused = attempt(form, lambda: accounts.reject_supplier(
            current_user, user, form.reason.data))  # fmt: skip
        if not refused:
            flash(_("%(name)s was not approved: theirs is a customer account now, and they are "
                    "told so.", name=user.display_name), "success")  # fmt: skip
            return redirect_back(url_for("admin.approvals"))
        status = refused
    return _refused_decision(form, status)
