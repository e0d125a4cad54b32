"""Administering people: finding them, and changing their kind, role, organization and teams."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, not_, or_, select

from portal import access
from portal.accounts.models import KINDS, ROLES, Organization, Team, User
from portal.admin import audit
from portal.admin.service import release_work
from portal.errors import Invalid, refuse
from portal.extensions import db
from portal.ideas.models import Follow, Idea
from portal.pagination import Page
from portal.timeutil import utcnow
from portal.validation import choice, clean_text, is_id

STATES = ("pending", "suspended")


def _like(text: str) -> str:
    """`text` as a LIKE pattern matching it anywhere, its own % and _ taken literally."""
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def find_users(*, q=None, kind=None, role=None, state=None, page=1, per_page=25) -> Page:
    """People by name or e-mail (any part, any case), kind, role and state, by name; erased
    accounts are nobody any more and are not listed (the admin log names their erasure)."""
    conditions = [User.erased_at.is_(None)]
    if q:
        pattern = _like(clean_text(q, "q", max_length=200, label=_l("Search")))
        conditions.append(or_(func.lower(User.display_name).like(pattern, escape="\\"),
                              func.lower(User.email).like(pattern, escape="\\")))  # fmt: skip
    if kind:
        conditions.append(User.kind == choice(kind, "kind", KINDS))
    if role:
        conditions.append(User.role == choice(role, "role", ROLES))
    if state:
        if choice(state, "state", STATES) == "pending":
            conditions += [User.kind == "supplier", User.approved.is_(False)]
        else:
            conditions.append(User.suspended_until > utcnow())
    total = db.session.scalar(select(func.count(User.id)).where(*conditions)) or 0
    rows = db.session.scalars(
        select(User)
        .where(*conditions)
        .order_by(func.lower(User.display_name), User.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return Page(list(rows), page, per_page, total)


def _valid_id(value) -> bool:
    return is_id(value)


def _organization(organization_id) -> Organization:
    org = db.session.get(Organization, organization_id) if _valid_id(organization_id) else None
    if org is None:
        message = "A supplier belongs to an organization: choose one."
        raise Invalid(f"Organization: {message}", {"organization": [message]})
    return org


def _teams(team_ids) -> list[Team]:
    if not isinstance(team_ids, list | tuple) or not all(_valid_id(i) for i in team_ids):
        raise Invalid("Teams: choose from the list.", {"teams": ["Choose from the list."]})
    ids = list(dict.fromkeys(team_ids))
    teams = {t.id: t for t in db.session.scalars(select(Team).where(Team.id.in_(ids)))}
    if len(teams) != len(ids):
        raise Invalid("Teams: there is no such team.", {"teams": ["No such team."]})
    return [teams[i] for i in ids]


def _names(items) -> str:
    return ", ".join(sorted(i.name for i in items))


def update_user(actor, user: User, *, kind, role, organization_id=None, team_ids=()) -> str:
    """An admin sets someone's kind, role, organization (suppliers) and teams (staff and
    admins) at once: everything is checked before anything changes. Someone who may no longer
    be given work hands their open work back to the teams' queues, and stops following ideas
    they may no longer see. Returns what changed, in words ("" for nothing)."""
    refuse(access.administer_refusal(actor))
    kind = choice(kind, "kind", KINDS)
    role = choice(role, "role", ROLES)
    refuse(access.role_change_refusal(actor, user, role))
    org = _organization(organization_id) if kind == "supplier" else None
    teams = _teams(list(team_ids or []))
    if teams:
        refuse(access.team_member_refusal(user, kind, role))
    added = [t for t in teams if t not in user.teams]
    removed = [t for t in user.teams if t not in teams]
    parts = [
        audit.changed("kind", user.kind, kind),
        audit.changed("role", user.role, role),
        audit.changed("organization", user.organization.name if user.organization else None,
                      org.name if org else None),
        f"teams + {_names(added)}" if added else None,
        f"teams − {_names(removed)}" if removed else None,
    ]  # fmt: skip
    if kind != user.kind:
        # Made a supplier by an admin: approved. Other kinds have nothing to approve.
        user.approved = True
    user.kind, user.role, user.organization, user.teams = kind, role, org, teams
    db.session.flush()
    if access.takes_assignments(user):
        released = sum(release_work(user, team.id) for team in removed)
    else:
        released = release_work(user)
    if released:
        parts.append(f"{released} open item(s) back to the teams' queues")
    # Kept only what they may still see (hidden ideas aside: a restore would bring them back).
    unseen = select(Idea.id).where(not_(access.idea_visibility(user, hidden_is_public=True)))
    unfollowed = db.session.execute(
        delete(Follow)
        .where(Follow.user_id == user.id, Follow.idea_id.in_(unseen))
        .execution_options(synchronize_session=False)
    ).rowcount
    if unfollowed:
        parts.append(f"stopped following {unfollowed} idea(s) they may no longer see")
    details = audit.joined(parts)
    if details:
        audit.record(actor, "user.update", "user", user.id, user.display_name, details)
    db.session.flush()
    return details


def set_role(actor, user: User, role) -> None:
    """The role alone (the list of people offers it in place)."""
    role = choice(role, "role", ROLES)
    refuse(access.role_change_refusal(actor, user, role))
    if role != user.role:
        audit.record(actor, "user.update", "user", user.id, user.display_name,
                     audit.changed("role", user.role, role))  # fmt: skip
        user.role = role
    db.session.flush()
