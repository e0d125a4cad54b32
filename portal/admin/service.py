"""Admin operations: roles, categories, teams and organizations."""

import logging
import re

from sqlalchemy import func, select, update

from portal import access
from portal.accounts.models import ROLES, Organization, Team, User
from portal.errors import Conflict, Forbidden, Invalid
from portal.extensions import db
from portal.ideas.models import AUDIENCES, Category, Idea
from portal.search import tasks as search_tasks
from portal.validation import choice, clean_text

log = logging.getLogger(__name__)
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{1,58}$")


def _require_admin(actor) -> None:
    if not access.can_administer(actor):
        raise Forbidden("Only admins may do this.")


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
