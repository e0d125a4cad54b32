"""Admin pages: supplier approval, users and roles, categories, teams, organizations, webhooks."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select

from portal import access
from portal.accounts import service as accounts
from portal.accounts.models import Organization, Team, User
from portal.admin import service
from portal.admin.forms import CategoryForm, NameForm, RoleForm, WebhookForm
from portal.errors import DomainError
from portal.extensions import db
from portal.forms import EmptyForm, apply_domain_errors, choices
from portal.guards import guard
from portal.ideas.models import Category
from portal.notify.models import WEBHOOK_EVENTS, Webhook
from portal.pagination import Page, parse_page_args
from portal.responses import redirect_back

bp = Blueprint("admin", __name__, url_prefix="/admin")


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
@guard(access.administer_refusal)
def index():
    return _render_index()


@bp.route("/approvals")
@guard(access.approve_refusal)
def approvals():
    return render_template(
        "admin/approvals.html", pending=accounts.pending_suppliers(), action_form=EmptyForm()
    )


@bp.route("/users/<int:user_id>/approve", methods=["POST"])
@guard(access.approve_refusal)
def approve(user_id: int):
    user = db.get_or_404(User, user_id)
    if EmptyForm().validate_on_submit():
        accounts.approve_supplier(current_user, user)
        flash(f"{user.display_name} is approved.", "success")
    return redirect_back(url_for("admin.approvals"))


@bp.route("/users/<int:user_id>/role", methods=["POST"])
@guard(access.administer_refusal)
def set_role(user_id: int):
    user = db.get_or_404(User, user_id)
    form = RoleForm()
    if form.validate_on_submit():
        service.set_role(current_user, user, form.role.data)
        flash(f"{user.display_name} is now {user.role}.", "success")
    return redirect(url_for("admin.index"))


@bp.route("/categories", methods=["POST"])
@guard(access.administer_refusal)
def create_category():
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
            flash("Category created.", "success")
            return redirect(url_for("admin.index"))
    return _render_index(category_form=form, status=422)


@bp.route("/teams", methods=["POST"])
@guard(access.administer_refusal)
def create_team():
    form = NameForm(prefix="team")
    if form.validate_on_submit():
        try:
            service.create_team(current_user, form.name.data)
        except DomainError as error:
            apply_domain_errors(form, error)
        else:
            flash("Team created.", "success")
            return redirect(url_for("admin.index"))
    return _render_index(team_form=form, status=422)


@bp.route("/organizations", methods=["POST"])
@guard(access.administer_refusal)
def create_organization():
    form = NameForm(prefix="org")
    if form.validate_on_submit():
        try:
            service.create_organization(current_user, form.name.data)
        except DomainError as error:
            apply_domain_errors(form, error)
        else:
            flash("Organization created.", "success")
            return redirect(url_for("admin.index"))
    return _render_index(org_form=form, status=422)


# -- webhooks ----------------------------------------------------------------------------------


def _render_webhooks(form=None, status=200):
    hooks = db.session.scalars(select(Webhook).order_by(Webhook.created_at, Webhook.id)).all()
    if form is None:
        form = WebhookForm(
            formdata=None, secret=service.new_webhook_secret(), events=list(WEBHOOK_EVENTS)
        )
    return render_template(
        "admin/webhooks.html", webhooks=hooks, form=form,
        counts=service.webhook_delivery_counts(hooks),
    ), status  # fmt: skip


@bp.route("/webhooks")
@guard(access.administer_refusal)
def webhooks():
    return _render_webhooks()


@bp.route("/webhooks", methods=["POST"])
@guard(access.administer_refusal)
def create_webhook():
    form = WebhookForm()
    if form.validate_on_submit():
        try:
            hook = service.create_webhook(
                current_user, form.url.data, form.secret.data, form.events.data
            )
        except DomainError as error:
            db.session.rollback()
            apply_domain_errors(form, error)
        else:
            flash(f"Webhook registered: {hook.url} now receives {', '.join(hook.event_list)}.",
                  "success")  # fmt: skip
            return redirect(url_for("admin.webhooks"))
    return _render_webhooks(form=form, status=422)


def _webhook(webhook_id: int) -> Webhook:
    return db.get_or_404(Webhook, webhook_id)


@bp.route("/webhooks/<int:webhook_id>")
@guard(access.administer_refusal)
def webhook_log(webhook_id: int):
    hook = _webhook(webhook_id)
    return render_template(
        "admin/webhooks.html", hook=hook, deliveries=service.webhook_deliveries(hook),
        limit=service.DELIVERY_LOG_SIZE,
    )  # fmt: skip


@bp.route("/webhooks/<int:webhook_id>/deactivate", methods=["POST"])
@guard(access.administer_refusal)
def deactivate_webhook(webhook_id: int):
    return _set_active(webhook_id, False)


@bp.route("/webhooks/<int:webhook_id>/activate", methods=["POST"])
@guard(access.administer_refusal)
def activate_webhook(webhook_id: int):
    return _set_active(webhook_id, True)


def _set_active(webhook_id: int, active: bool):
    hook = _webhook(webhook_id)
    if EmptyForm().validate_on_submit():
        service.set_webhook_active(current_user, hook, active)
        if active:
            flash(f"Webhook {hook.url} is active again.", "success")
        else:
            flash(f"Webhook {hook.url} is deactivated: it gets no new events.", "success")
    return redirect(url_for("admin.webhooks"))


@bp.route("/webhooks/<int:webhook_id>/delete", methods=["POST"])
@guard(access.administer_refusal)
def delete_webhook(webhook_id: int):
    hook = _webhook(webhook_id)
    if EmptyForm().validate_on_submit():
        url = hook.url
        service.delete_webhook(current_user, hook)
        flash(f"Webhook {url} is deleted, with its delivery log.", "success")
    return redirect(url_for("admin.webhooks"))
