"""Admin operations: roles, categories, teams, organizations and webhooks."""

import logging
import re
import secrets

from sqlalchemy import case, delete, func, select, update

from portal import access
from portal.accounts.models import ROLES, Organization, Team, User
from portal.errors import Conflict, Invalid, refuse
from portal.extensions import db
from portal.ideas.models import AUDIENCES, Category, Idea
from portal.notify.models import WEBHOOK_EVENTS, OutboxMessage, Webhook
from portal.notify.webhook_http import url_refusal
from portal.search import tasks as search_tasks
from portal.validation import choice, clean_text

log = logging.getLogger(__name__)
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{1,58}$")


def _require_admin(actor) -> None:
    refuse(access.administer_refusal(actor))


def create_category(slug, name, audience, team: Team | None = None, description="") -> Category:
    """A new category (CLI and admin page)."""
    slug = clean_text(slug, "slug", min_length=2, max_length=60).lower()
    if not SLUG.match(slug):
        message = "Use lower-case letters, digits and hyphens."
        raise Invalid(f"Slug: {message}", {"slug": [message]})
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
    log.info("created category %s (%s)", slug, audience)
    return category


def update_category(actor, category: Category, *, name, audience, team_id, description) -> None:
    """Change a category; a new audience is copied onto every idea in it, in one statement."""
    _require_admin(actor)
    category.name = clean_text(name, "name", min_length=2, max_length=80)
    category.description = clean_text(description or "", "description", max_length=300)
    category.team_id = team_id or None
    new_audience = choice(audience, "audience", AUDIENCES)
    if new_audience != category.audience:
        category.audience = new_audience
        db.session.execute(
            update(Idea)
            .where(Idea.category_id == category.id)
            .values(audience=new_audience)
            .execution_options(synchronize_session=False)
        )
        search_tasks.enqueue_category(db.session, category.id)
    db.session.flush()


def set_role(actor, user: User, role) -> None:
    _require_admin(actor)
    user.role = choice(role, "role", ROLES)
    db.session.flush()
    log.info("admin %s set role of user %s to %s", actor.id, user.id, user.role)


def create_team(actor, name) -> Team:
    _require_admin(actor)
    name = clean_text(name, "name", min_length=2, max_length=120)
    if db.session.scalar(select(Team.id).where(func.lower(Team.name) == name.lower())):
        raise Conflict("A team with this name already exists.")
    team = Team(name=name)
    db.session.add(team)
    db.session.flush()
    return team


def create_organization(actor, name) -> Organization:
    _require_admin(actor)
    name = clean_text(name, "name", min_length=2, max_length=120)
    if db.session.scalar(
        select(Organization.id).where(func.lower(Organization.name) == name.lower())
    ):
        raise Conflict("An organization with this name already exists.")
    org = Organization(name=name)
    db.session.add(org)
    db.session.flush()
    return org


# -- webhooks ----------------------------------------------------------------------------------

DELIVERY_LOG_SIZE = 50


def new_webhook_secret() -> str:
    """A random signing secret to offer when registering a webhook."""
    return secrets.token_urlsafe(32)


def create_webhook(actor, url, secret, events) -> Webhook:
    """Register a receiver; its URL must be well formed and (unless allowed) public."""
    _require_admin(actor)
    url = clean_text(url, "url", min_length=1, max_length=2000, label="URL")
    refusal = url_refusal(url)
    if refusal:
        raise Invalid(f"URL: {refusal}", {"url": [refusal]})
    secret = clean_text(secret, "secret", min_length=16, max_length=200)
    if not isinstance(events, list | tuple) or not events:
        message = "Choose at least one event."
        raise Invalid(f"Events: {message}", {"events": [message]})
    chosen = [choice(event, "events", WEBHOOK_EVENTS) for event in dict.fromkeys(events)]
    if db.session.scalar(select(Webhook.id).where(Webhook.url == url, Webhook.active.is_(True))):
        message = "An active webhook already sends to this URL."
        raise Invalid(f"URL: {message}", {"url": [message]})
    # Kept in the order of WEBHOOK_EVENTS, whatever order the form sent.
    hook = Webhook(url=url, secret=secret, active=True,
                   events=",".join(e for e in WEBHOOK_EVENTS if e in chosen))  # fmt: skip
    db.session.add(hook)
    db.session.flush()
    log.info("admin %s registered webhook %s for %s", actor.id, hook.id, hook.event_list)
    return hook


def set_webhook_active(actor, hook: Webhook, active: bool) -> None:
    """An inactive webhook gets no new events (deliveries already queued are still tried)."""
    _require_admin(actor)
    hook.active = bool(active)
    db.session.flush()
    log.info("admin %s set webhook %s active=%s", actor.id, hook.id, hook.active)


def delete_webhook(actor, hook: Webhook) -> None:
    """Remove a webhook with its delivery log and anything still queued for it."""
    _require_admin(actor)
    db.session.execute(delete(OutboxMessage).where(OutboxMessage.webhook_id == hook.id))
    db.session.delete(hook)
    db.session.flush()
    log.info("admin %s deleted webhook %s", actor.id, hook.id)


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
