"""Admin pages: the overview, categories, teams, organizations, the admin log, webhooks."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from portal import access
from portal.accounts import service as accounts
from portal.accounts.models import Organization, Team, User
from portal.admin import audit, service
from portal.admin.forms import (
    CategoryEditForm,
    CategoryForm,
    MemberForm,
    MoveIdeasForm,
    NameForm,
    WebhookForm,
)
from portal.admin.models import TARGET_TYPES
from portal.extensions import db
from portal.forms import EmptyForm, attempt, choices, error_messages
from portal.guards import guard
from portal.ideas.models import Category
from portal.labels import AUDIENCE_LABELS
from portal.notify.models import WEBHOOK_EVENTS, Webhook
from portal.pagination import parse_page_args
from portal.responses import render_page_or_fragment, wants_fragment

bp = Blueprint("admin", __name__, url_prefix="/admin")
HISTORY_SIZE = 20


def _team_choices():
    teams = db.session.scalars(select(Team).order_by(Team.name))
    return choices([(0, "— none —")] + [(t.id, t.name) for t in teams])


def _history(target_type: str, target_id: int):
    return audit.entries(1, HISTORY_SIZE, target_type, target_id).items


def _render_index(category_form=None, team_form=None, org_form=None, status=200):
    if category_form is None:
        category_form = CategoryForm(formdata=None)
        category_form.team.choices = _team_choices()
    return render_template(
        "admin/index.html",
        pending=accounts.pending_suppliers(),
        user_count=db.session.scalar(select(func.count(User.id))),
        categories=db.session.scalars(select(Category).order_by(Category.position)).all(),
        idea_counts=service.category_idea_counts(),
        teams=db.session.scalars(select(Team).order_by(Team.name)).all(),
        organizations=db.session.scalars(select(Organization).order_by(Organization.name)).all(),
        category_form=category_form,
        team_form=team_form or NameForm(prefix="team", formdata=None),
        org_form=org_form or NameForm(prefix="org", formdata=None),
        reject_form=EmptyForm(formdata=None),
    ), status


@bp.route("")
@guard(access.administer_refusal)
def index():
    return _render_index()


@bp.route("/approvals")
@guard(access.approve_refusal)
def approvals():
    return render_template("admin/approvals.html", pending=accounts.pending_suppliers())


@bp.route("/log")
@guard(access.administer_refusal)
def log():
    page, per_page = parse_page_args(request.args.get("page"), request.args.get("per_page"), 50)
    target = request.args.get("target") or None
    return render_template(
        "admin/log.html", entries=audit.entries(page, per_page, target), target=target,
        target_types=TARGET_TYPES,
    )  # fmt: skip


# -- categories --------------------------------------------------------------------------------


@bp.route("/categories", methods=["POST"])
@guard(access.administer_refusal)
def create_category():
    form = CategoryForm()
    form.team.choices = _team_choices()
    status = 422
    if form.validate_on_submit():
        category, refused = attempt(form, lambda: service.create_category(
            form.slug.data, form.name.data, form.audience.data,
            db.session.get(Team, form.team.data) if form.team.data else None,
            form.description.data, actor=current_user,
        ))  # fmt: skip
        if not refused:
            flash(_("Category %(name)s created.", name=category.name), "success")
            return redirect(url_for("admin.index"))
        status = refused
    return _render_index(category_form=form, status=status)


def _render_category(category: Category, edit_form=None, move_form=None, status=200):
    if edit_form is None:
        edit_form = CategoryEditForm(
            formdata=None, name=category.name, description=category.description,
            audience=category.audience, team=category.team_id or 0,
        )  # fmt: skip
    edit_form.team.choices = _team_choices()
    if move_form is None:
        move_form = MoveIdeasForm(formdata=None)
    others = db.session.scalars(
        select(Category)
        .where(Category.id != category.id, Category.archived_at.is_(None))
        .order_by(Category.position)
    )
    move_form.target.choices = choices([(0, "— choose —")] + [
        (c.id, f"{c.name} ({AUDIENCE_LABELS[c.audience].lower()})") for c in others
    ])  # fmt: skip
    return render_template(
        "admin/category.html", category=category, edit_form=edit_form, move_form=move_form,
        idea_count=service.category_idea_counts().get(category.id, 0),
        history=_history("category", category.id),
    ), status  # fmt: skip


@bp.route("/categories/<int:category_id>")
@guard(access.administer_refusal)
def category(category_id: int):
    return _render_category(db.get_or_404(Category, category_id))


@bp.route("/categories/<int:category_id>", methods=["POST"])
@guard(access.administer_refusal)
def update_category(category_id: int):
    category = db.get_or_404(Category, category_id)
    form = CategoryEditForm()
    form.team.choices = _team_choices()
    status = 422
    if form.validate_on_submit():
        details, refused = attempt(form, lambda: service.update_category(
            current_user, category, name=form.name.data, audience=form.audience.data,
            team_id=form.team.data, description=form.description.data,
        ))  # fmt: skip
        if not refused:
            flash(_("Saved: %(details)s.", details=details) if details else _("Nothing changed."),
                  "success")  # fmt: skip
            return redirect(url_for("admin.category", category_id=category.id))
        status = refused
    return _render_category(category, edit_form=form, status=status)


@bp.route("/categories/<int:category_id>/archive", methods=["POST"])
@guard(access.administer_refusal)
def archive_category(category_id: int):
    return _set_archived(category_id, True)


@bp.route("/categories/<int:category_id>/unarchive", methods=["POST"])
@guard(access.administer_refusal)
def unarchive_category(category_id: int):
    return _set_archived(category_id, False)


def _set_archived(category_id: int, archived: bool):
    category = db.get_or_404(Category, category_id)
    if EmptyForm().validate_on_submit():
        service.set_archived(current_user, category, archived)
        if archived:
            flash(_("%(name)s is archived: it takes no new ideas.", name=category.name), "success")
        else:
            flash(_("%(name)s takes new ideas again.", name=category.name), "success")
    return redirect(url_for("admin.category", category_id=category.id))


@bp.route("/categories/<int:category_id>/move", methods=["POST"])
@guard(access.administer_refusal)
def move_ideas(category_id: int):
    category = db.get_or_404(Category, category_id)
    form = MoveIdeasForm()
    form.target.choices = choices([(c.id, c.name) for c in db.session.scalars(select(Category))])
    status = 422
    if form.validate_on_submit():
        moved, refused = attempt(form, lambda: service.move_ideas(
            current_user, category, form.target.data))  # fmt: skip
        if not refused:
            flash(_("Moved %(ideas)s idea(s); %(rerouted)s waiting for an answer were routed "
                    "again; %(unfollowed)s follower(s) who may not see them there stopped "
                    "following.", ideas=moved.ideas, rerouted=moved.rerouted,
                    unfollowed=moved.unfollowed), "success")  # fmt: skip
            return redirect(url_for("admin.category", category_id=category.id))
        status = refused
    return _render_category(category, move_form=form, status=status)


# -- teams -----------------------------------------------------------------------------------


@bp.route("/teams", methods=["POST"])
@guard(access.administer_refusal)
def create_team():
    form = NameForm(prefix="team")
    status = 422
    if form.validate_on_submit():
        team, refused = attempt(form, lambda: service.create_team(current_user, form.name.data))
        if not refused:
            flash(_("Team %(name)s created: add its members.", name=team.name), "success")
            return redirect(url_for("admin.team", team_id=team.id))
        status = refused
    return _render_index(team_form=form, status=status)


def _member_form(team: Team, formdata=None) -> MemberForm:
    form = MemberForm(formdata=formdata)
    staff = db.session.scalars(
        select(User).where(access.assignable_people())
        .order_by(func.lower(User.display_name))
    )  # fmt: skip
    form.user_id.choices = choices([(u.id, u.display_name) for u in staff if u not in team.members])
    return form


def _render_team(team: Team, name_form=None, member_form=None, status=200):
    return render_page_or_fragment(
        "admin/team.html", "admin/_team_members.html", team=team,
        name_form=name_form or NameForm(formdata=None, name=team.name),
        member_form=member_form or _member_form(team), history=_history("team", team.id),
    ), status  # fmt: skip


@bp.route("/teams/<int:team_id>")
@guard(access.administer_refusal)
def team(team_id: int):
    return _render_team(db.get_or_404(Team, team_id))


@bp.route("/teams/<int:team_id>", methods=["POST"])
@guard(access.administer_refusal)
def rename_team(team_id: int):
    team = db.get_or_404(Team, team_id)
    form = NameForm()
    status = 422
    if form.validate_on_submit():
        _done, refused = attempt(
            form, lambda: service.rename_team(current_user, team, form.name.data)
        )
        if not refused:
            flash(_("The team is called %(name)s.", name=team.name), "success")
            return redirect(url_for("admin.team", team_id=team.id))
        status = refused
    return _render_team(team, name_form=form, status=status)


@bp.route("/teams/<int:team_id>/members", methods=["POST"])
@guard(access.administer_refusal)
def add_member(team_id: int):
    team = db.get_or_404(Team, team_id)
    form = _member_form(team, request.form)
    # The service says who may not join (and why), beside the field.
    form.user_id.validate_choice = False
    status = 422
    if form.validate_on_submit():
        user, refused = attempt(form, lambda: service.add_team_member(
            current_user, team, form.user_id.data))  # fmt: skip
        if not refused:
            return _member_changed(team, _("%(name)s joined %(team)s.", name=user.display_name,
                                           team=team.name))  # fmt: skip
        status = refused
    return _render_team(team, member_form=form, status=status)


@bp.route("/teams/<int:team_id>/members/<int:user_id>/remove", methods=["POST"])
@guard(access.administer_refusal)
def remove_member(team_id: int, user_id: int):
    team = db.get_or_404(Team, team_id)
    form = EmptyForm()
    if form.validate_on_submit():
        result, refused = attempt(form, lambda: service.remove_team_member(
            current_user, team, user_id))  # fmt: skip
        if refused:
            flash(" ".join(error_messages(form)), "error")
        else:
            user, released = result
            left = _("%(name)s left %(team)s.", name=user.display_name, team=team.name)
            if released:
                left += " " + _("%(count)s open item(s) went back to the team's queue.",
                                count=released)  # fmt: skip
            return _member_changed(team, left)
    return redirect(url_for("admin.team", team_id=team.id))


def _member_changed(team: Team, message: str):
    """htmx swaps the member list in place; without JavaScript, back to the team's page."""
    if wants_fragment():
        return _render_team(team)
    flash(message, "success")
    return redirect(url_for("admin.team", team_id=team.id))


# -- organizations ---------------------------------------------------------------------------


@bp.route("/organizations", methods=["POST"])
@guard(access.administer_refusal)
def create_organization():
    form = NameForm(prefix="org")
    status = 422
    if form.validate_on_submit():
        org, refused = attempt(form, lambda: service.create_organization(
            current_user, form.name.data))  # fmt: skip
        if not refused:
            flash(_("Organization %(name)s created.", name=org.name), "success")
            return redirect(url_for("admin.index"))
        status = refused
    return _render_index(org_form=form, status=status)


def _render_organization(org: Organization, form=None, status=200):
    members = db.session.scalars(
        select(User)
        .where(User.organization_id == org.id, User.erased_at.is_(None))
        .order_by(func.lower(User.display_name))
    ).all()
    return render_template(
        "admin/organization.html", org=org, members=members,
        form=form or NameForm(formdata=None, name=org.name),
        history=_history("organization", org.id),
    ), status  # fmt: skip


@bp.route("/organizations/<int:organization_id>")
@guard(access.administer_refusal)
def organization(organization_id: int):
    return _render_organization(db.get_or_404(Organization, organization_id))


@bp.route("/organizations/<int:organization_id>", methods=["POST"])
@guard(access.administer_refusal)
def rename_organization(organization_id: int):
    org = db.get_or_404(Organization, organization_id)
    form = NameForm()
    status = 422
    if form.validate_on_submit():
        _done, refused = attempt(form, lambda: service.rename_organization(
            current_user, org, form.name.data))  # fmt: skip
        if not refused:
            flash(_("The organization is called %(name)s.", name=org.name), "success")
            return redirect(url_for("admin.organization", organization_id=org.id))
        status = refused
    return _render_organization(org, form=form, status=status)


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
        hook, refused = attempt(form, lambda: service.create_webhook(
            current_user, form.url.data, form.secret.data, form.events.data))  # fmt: skip
        if not refused:
            flash(_("Webhook registered: %(url)s now receives %(events)s.", url=hook.url,
                    events=", ".join(hook.event_list)), "success")  # fmt: skip
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
            flash(_("Webhook %(url)s is active again.", url=hook.url), "success")
        else:
            flash(
                _("Webhook %(url)s is deactivated: it gets no new events.", url=hook.url), "success"
            )
    return redirect(url_for("admin.webhooks"))


@bp.route("/webhooks/<int:webhook_id>/delete", methods=["POST"])
@guard(access.administer_refusal)
def delete_webhook(webhook_id: int):
    hook = _webhook(webhook_id)
    if EmptyForm().validate_on_submit():
        url = hook.url
        service.delete_webhook(current_user, hook)
        flash(_("Webhook %(url)s is deleted, with its delivery log.", url=url), "success")
    return redirect(url_for("admin.webhooks"))
