"""Admin operations: categories, roles, teams, organizations and webhooks, each one logged."""

import re
import secrets
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import case, delete, func, not_, select, update

from portal import access
from portal.accounts.models import Organization, Team, User
from portal.admin import audit
from portal.errors import Conflict, Invalid, refuse
from portal.extensions import db
from portal.ideas.models import AUDIENCES, Category, Follow, Idea
from portal.intake.models import IntakeMessage
from portal.notify import service as notify
from portal.notify.models import WEBHOOK_EVENTS, OutboxMessage, Webhook
from portal.notify.webhook_http import url_refusal
from portal.routing import service as routing
from portal.search import tasks as search_tasks
from portal.timeutil import utcnow
from portal.validation import choice, clean_text, is_id

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{1,58}$")


def _require_admin(actor) -> None:
    refuse(access.administer_refusal(actor))


def _team_for(team_id) -> Team | None:
    """The team a form or body names by id; None for none (0 or empty)."""
    if team_id in (None, "", 0):
        return None
    valid = is_id(team_id)
    team = db.session.get(Team, team_id) if valid else None
    if team is None:
        raise Invalid(_("Team: there is no such team."), {"team": [_("No such team.")]})
    return team


def _unique_name(model, name, what: str, current=None) -> str:
    """A team's or organization's name: 2-120 characters, not another one's in any case."""
    name = clean_text(name, "name", min_length=2, max_length=120)
    taken = select(model.id).where(func.lower(model.name) == name.lower())
    if current is not None:
        taken = taken.where(model.id != current.id)
    if db.session.scalar(taken) is not None:
        message = _("Another %(what)s is called %(name)s.", what=what, name=name)
        raise Invalid(_("Name: %(message)s", message=message), {"name": [message]})
    return name


# -- categories --------------------------------------------------------------------------------


def create_category(slug, name, audience, team: Team | None = None, description="",
                    actor=None) -> Category:  # fmt: skip
    """A new category (CLI and admin page; `actor` None is the command line)."""
    slug = clean_text(slug, "slug", min_length=2, max_length=60).lower()
    if not SLUG.match(slug):
        message = _("Use lower-case letters, digits and hyphens.")
        raise Invalid(_("Slug: %(message)s", message=message), {"slug": [message]})
    name = clean_text(name, "name", min_length=2, max_length=80)
    audience = choice(audience, "audience", AUDIENCES)
    description = clean_text(description or "", "description", max_length=300)
    if db.session.scalar(select(Category.id).where(Category.slug == slug)) is not None:
        raise Conflict(f"A category with slug {slug!r} already exists.")
    position = db.session.scalar(select(func.coalesce(func.max(Category.position), 0))) + 1
    category = Category(
        slug=slug, name=name, audience=audience, team=team, description=description,
        position=position,
    )  # fmt: skip
    db.session.add(category)
    db.session.flush()
    routed = team.name if team else "—"
    audit.record(actor, "category.create", "category", category.id, name,
                 f"slug {slug}; audience {audience}; team {routed}")  # fmt: skip
    return category


def _unfollow_unseen(ideas_condition, audience: str) -> int:
    """Followers of the ideas matching `ideas_condition` who may not see ideas of `audience`
    stop following them; how many follows ended."""
    result = db.session.execute(
        delete(Follow)
        .where(
            Follow.idea_id.in_(select(Idea.id).where(ideas_condition)),
            Follow.user_id.in_(select(User.id).where(not_(access.audience_viewers(audience)))),
        )
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


def update_category(actor, category: Category, *, name, audience, team_id, description) -> str:
    """Change a category; a new audience is copied onto every idea in it (search told, and
    followers who may no longer see them stop following). Returns what changed, in words."""
    _require_admin(actor)
    name = clean_text(name, "name", min_length=2, max_length=80)
    description = clean_text(description or "", "description", max_length=300)
    new_audience = choice(audience, "audience", AUDIENCES)
    team = _team_for(team_id)
    unfollowed = 0
    details = audit.joined([
        audit.changed("name", category.name, name),
        "description changed" if description != (category.description or "") else None,
        audit.changed("audience", category.audience, new_audience),
        audit.changed("team", category.team.name if category.team else None,
                      team.name if team else None),
    ])  # fmt: skip
    category.name, category.description, category.team = name, description, team
    if new_audience != category.audience:
        category.audience = new_audience
        db.session.flush()
        in_category = Idea.category_id == category.id
        db.session.execute(
            update(Idea)
            .where(in_category)
            .values(audience=new_audience)
            .execution_options(synchronize_session=False)
        )
        search_tasks.enqueue_ideas(db.session, in_category)
        unfollowed = _unfollow_unseen(in_category, new_audience)
        if unfollowed:
            details += f"; {unfollowed} follower(s) who may not see it stopped following"
    if details:
        audit.record(actor, "category.update", "category", category.id, category.name, details)
    db.session.flush()
    return details


def set_archived(actor, category: Category, archived: bool) -> None:
    """An archived category takes no new ideas and leaves the lists of categories; its ideas
    stay where they are, readable as before."""
    refuse(access.archive_refusal(actor, category, archived))
    category.archived_at = utcnow() if archived else None
    audit.record(actor, "category.archive" if archived else "category.unarchive", "category",
                 category.id, category.name)  # fmt: skip
    db.session.flush()


@dataclass(frozen=True)
class Moved:
    ideas: int
    rerouted: int
    unfollowed: int


def move_ideas(actor, source: Category, target_id) -> Moved:
    """Move every idea of `source` into another category: they take its audience (search
    told; followers who may not see them there stop following), and those still waiting for
    a first answer are routed again by the rules (SPEC 13), their new assignee told."""
    valid = is_id(target_id)
    target = db.session.get(Category, target_id) if valid else None
    refuse(access.move_ideas_refusal(actor, source, target))
    db.session.flush()
    in_source = Idea.category_id == source.id
    search_tasks.enqueue_ideas(db.session, in_source)
    unfollowed = 0
    if target.audience != source.audience:
        unfollowed = _unfollow_unseen(in_source, target.audience)
    waiting = db.session.scalars(
        select(Idea).where(
            in_source,
            Idea.first_staff_answer_at.is_(None),
            Idea.status.not_in(routing.CLOSED_STATUSES),
            Idea.hidden.is_(False),
            Idea.merged_into_id.is_(None),
            Idea.deleted_at.is_(None),
        )
    ).all()
    before = {idea.id: idea.assignee_id for idea in waiting}
    for idea in waiting:
        idea.category, idea.audience = target, target.audience
    db.session.flush()
    for idea in waiting:
        assignee = routing.route_idea(idea)
        if assignee is not None and assignee.id != before[idea.id]:
            notify.assigned(actor, assignee, idea=idea)
    rest = db.session.execute(
        update(Idea)
        .where(in_source)
        .values(category_id=target.id, audience=target.audience)
        .execution_options(synchronize_session=False)
    ).rowcount
    moved = Moved(ideas=len(waiting) + (rest or 0), rerouted=len(waiting), unfollowed=unfollowed)
    details = f"{moved.ideas} idea(s) to {target.name}"
    if target.audience != source.audience:
        details += f" (audience {source.audience} → {target.audience})"
    if unfollowed:
        details += f"; {unfollowed} follower(s) who may not see them there stopped following"
    audit.record(actor, "category.move_ideas", "category", source.id, source.name, details)
    db.session.flush()
    # The statements above bypassed the objects in the session: read them again.
    db.session.expire_all()
    return moved


def category_idea_counts() -> dict[int, int]:
    rows = db.session.execute(select(Idea.category_id, func.count()).group_by(Idea.category_id))
    return dict(rows.all())


# -- roles, teams, organizations -------------------------------------------------------------


def create_team(actor, name) -> Team:
    _require_admin(actor)
    team = Team(name=_unique_name(Team, name, "team"))
    db.session.add(team)
    db.session.flush()
    audit.record(actor, "team.create", "team", team.id, team.name)
    return team


def rename_team(actor, team: Team, name) -> None:
    _require_admin(actor)
    name = _unique_name(Team, name, "team", current=team)
    if name != team.name:
        audit.record(actor, "team.rename", "team", team.id, name,
                     audit.changed("name", team.name, name))  # fmt: skip
        team.name = name
    db.session.flush()


def _member(user_id) -> User:
    valid = is_id(user_id)
    user = db.session.get(User, user_id) if valid else None
    if user is None:
        raise Invalid(_("Person: there is no such person."), {"user_id": [_("No such person.")]})
    return user


def release_work(user: User, team_id: int | None = None) -> int:
    """Open work still waiting for a first answer that `user` was given (of one team, or of
    any) goes back to its team's queue; how many ideas and messages."""
    ideas = update(Idea).where(
        Idea.assignee_id == user.id,
        Idea.first_staff_answer_at.is_(None),
        Idea.status.not_in(routing.CLOSED_STATUSES),
    )
    messages = update(IntakeMessage).where(
        IntakeMessage.assignee_id == user.id,
        IntakeMessage.status == "open",
        IntakeMessage.first_answered_at.is_(None),
    )
    if team_id is not None:
        ideas = ideas.where(Idea.team_id == team_id)
        messages = messages.where(IntakeMessage.team_id == team_id)
    released = 0
    for statement in (ideas, messages):
        result = db.session.execute(
            statement.values(assignee_id=None).execution_options(synchronize_session=False)
        )
        released += result.rowcount or 0
    return released


def add_team_member(actor, team: Team, user_id) -> User:
    user = _member(user_id)
    refuse(access.team_membership_refusal(actor, team, user, adding=True))
    team.members.append(user)
    audit.record(actor, "team.add_member", "team", team.id, team.name, f"+ {user.display_name}")
    db.session.flush()
    return user


def remove_team_member(actor, team: Team, user_id) -> tuple[User, int]:
    """Take someone off a team; what they were given of its open work goes back to its queue."""
    user = _member(user_id)
    refuse(access.team_membership_refusal(actor, team, user, adding=False))
    team.members.remove(user)
    db.session.flush()
    released = release_work(user, team.id)
    details = f"− {user.display_name}" + (f"; {released} open item(s) back to the team's queue"
                                          if released else "")  # fmt: skip
    audit.record(actor, "team.remove_member", "team", team.id, team.name, details)
    db.session.flush()
    return user, released


def create_organization(actor, name) -> Organization:
    _require_admin(actor)
    org = Organization(name=_unique_name(Organization, name, "organization"))
    db.session.add(org)
    db.session.flush()
    audit.record(actor, "organization.create", "organization", org.id, org.name)
    return org


def rename_organization(actor, org: Organization, name) -> None:
    _require_admin(actor)
    name = _unique_name(Organization, name, "organization", current=org)
    if name != org.name:
        audit.record(actor, "organization.rename", "organization", org.id, name,
                     audit.changed("name", org.name, name))  # fmt: skip
        org.name = name
    db.session.flush()


# -- webhooks ----------------------------------------------------------------------------------

DELIVERY_LOG_SIZE = 50


def new_webhook_secret() -> str:
    """A random signing secret to offer when registering a webhook."""
    return secrets.token_urlsafe(32)


def create_webhook(actor, url, secret, events) -> Webhook:
    """Register a receiver; its URL must be well formed and (unless allowed) public."""
    _require_admin(actor)
    url = clean_text(url, "url", min_length=1, max_length=2000, label=_("URL"))
    refusal = url_refusal(url)
    if refusal:
        raise Invalid(_("URL: %(refusal)s", refusal=refusal), {"url": [refusal]})
    secret = clean_text(secret, "secret", min_length=16, max_length=200)
    if not isinstance(events, list | tuple) or not events:
        message = _("Choose at least one event.")
        raise Invalid(_("Events: %(message)s", message=message), {"events": [message]})
    chosen = [choice(event, "events", WEBHOOK_EVENTS) for event in dict.fromkeys(events)]
    if db.session.scalar(select(Webhook.id).where(Webhook.url == url, Webhook.active.is_(True))):
        message = _("An active webhook already sends to this URL.")
        raise Invalid(_("URL: %(message)s", message=message), {"url": [message]})
    # Kept in the order of WEBHOOK_EVENTS, whatever order the form sent.
    hook = Webhook(url=url, secret=secret, active=True,
                   events=",".join(e for e in WEBHOOK_EVENTS if e in chosen))  # fmt: skip
    db.session.add(hook)
    db.session.flush()
    audit.record(actor, "webhook.create", "webhook", hook.id, hook.url, ", ".join(hook.event_list))
    return hook


def set_webhook_active(actor, hook: Webhook, active: bool) -> None:
    """An inactive webhook gets no new events (deliveries already queued are still tried)."""
    _require_admin(actor)
    if hook.active != bool(active):
        audit.record(actor, "webhook.activate" if active else "webhook.deactivate", "webhook",
                     hook.id, hook.url)  # fmt: skip
    hook.active = bool(active)
    db.session.flush()


def delete_webhook(actor, hook: Webhook) -> None:
    """Remove a webhook with its delivery log and anything still queued for it."""
    _require_admin(actor)
    audit.record(actor, "webhook.delete", "webhook", hook.id, hook.url)
    db.session.execute(delete(OutboxMessage).where(OutboxMessage.webhook_id == hook.id))
    db.session.delete(hook)
    db.session.flush()


def webhook_deliveries(hook: Webhook, limit: int = DELIVERY_LOG_SIZE) -> list[OutboxMessage]:
    """The webhook's latest deliveries, newest first."""
    return list(
        db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.kind == "webhook", OutboxMessage.webhook_id == hook.id)
            .order_by(OutboxMessage.id.desc())
            .limit(limit)
        )
    )


def webhook_delivery_counts(hooks) -> dict[int, dict[str, int]]:
    """Per webhook: how many deliveries were sent, failed for good, or wait for an attempt."""
    ids = [h.id for h in hooks]
    counts = {i: {"sent": 0, "failed": 0, "pending": 0} for i in ids}
    if not ids:
        return counts
    state = case(
        (OutboxMessage.sent_at.is_not(None), "sent"),
        (OutboxMessage.failed_at.is_not(None), "failed"),
        else_="pending",
    )
    rows = db.session.execute(
        select(OutboxMessage.webhook_id, state, func.count())
        .where(OutboxMessage.kind == "webhook", OutboxMessage.webhook_id.in_(ids))
        .group_by(OutboxMessage.webhook_id, state)
    )
    for hook_id, name, count in rows:
        counts[hook_id][name] = count
    return counts
