"""The demo portal: `flask seed demo` builds it through the same services users call."""

import random
from datetime import timedelta

from sqlalchemy import func, select, update

from portal import access, demo_data
from portal.accounts import service as accounts
from portal.admin.service import create_category
from portal.extensions import db
from portal.ideas import discussion, service
from portal.ideas.models import Comment, Follow, Idea, StatusChange, Vote
from portal.timeutil import utcnow

DEMO_PASSWORD = "demo-password"
STATUS_PATH = {
    "under_review": ["under_review"],
    "planned": ["under_review", "planned"],
    "in_progress": ["under_review", "planned", "in_progress"],
    "done": ["under_review", "planned", "in_progress", "done"],
    "declined": ["under_review", "declined"],
    "duplicate": ["duplicate"],
}


def seed_demo(echo=print) -> bool:
    """Fill an empty portal with demo content; returns False (and changes nothing) otherwise."""
    if db.session.scalar(select(func.count(Idea.id))):
        echo("The database already has ideas: seed demo changes nothing.")
        return False
    rng = random.Random(20261123)
    now = utcnow()
    orgs = {
        name: accounts.organization_named(name, create=True) for name in demo_data.ORGANIZATIONS
    }
    teams = {name: accounts.team_named(name, create=True) for name in demo_data.TEAMS}
    users = {}
    for spec in demo_data.USERS:
        existing = db.session.scalar(
            select(accounts.User).where(accounts.User.email == spec["email"])
        )
        users[spec["email"]] = existing or accounts.create_user(
            spec["email"],
            DEMO_PASSWORD,
            display_name=spec["name"],
            kind=spec["kind"],
            role=spec["role"],
            organization=orgs.get(spec["org"]) if spec.get("org") else None,
            teams=[teams[t] for t in spec.get("teams", [])],
        )
    for spec in demo_data.CATEGORIES:
        existing = db.session.scalar(
            select(service.Category).where(service.Category.slug == spec["slug"])
        )
        if existing is None:
            create_category(
                spec["slug"],
                spec["name"],
                spec["audience"],
                team=teams.get(spec.get("team")),
                description=spec.get("description", ""),
            )
    staff = [u for u in users.values() if u.kind == "staff"]
    ideas = {}
    for spec in demo_data.IDEAS:
        ideas[spec["key"]] = _seed_idea(spec, users, staff, rng, now)
    for spec in demo_data.COMMENTS:
        _seed_comment(spec, ideas[spec["idea"]], users, rng, now)
    _refresh_counters()
    db.session.flush()
    echo(f"Demo portal ready: {len(ideas)} ideas, {len(users)} users.")
    echo(f"Every demo account's password is: {DEMO_PASSWORD}")
    for spec in demo_data.USERS[:5]:
        echo(f"  {spec['email']:<28} {spec['kind']}/{spec['role']}")
    return True


def _seed_idea(spec, users, staff, rng, now) -> Idea:
    author = users[spec["author"]]
    idea = service.post_idea(
        author,
        title=spec["title"],
        body=spec["body"],
        category=spec["category"],
        kind=spec["kind"],
        confidential=spec.get("confidential", False),
    )
    created = now - timedelta(
        days=spec["age_days"], hours=rng.randint(0, 20), minutes=rng.randint(0, 59)
    )
    idea.created_at = idea.updated_at = created
    for vote in db.session.scalars(select(Vote).where(Vote.idea_id == idea.id)):
        vote.created_at = created
    eligible = [u for u in users.values() if u.id != author.id and access.can_see_idea(u, idea)]
    for voter in rng.sample(eligible, min(spec.get("voters", 0), len(eligible))):
        db.session.add(
            Vote(idea_id=idea.id, user_id=voter.id, created_at=_between(rng, created, now))
        )
        db.session.add(Follow(idea_id=idea.id, user_id=voter.id))
    if spec["status"] != "open":
        responsible = _staff_for(idea, staff, rng)
        steps = STATUS_PATH[spec["status"]]
        moment = created
        previous = "open"
        for index, status in enumerate(steps):
            moment = _between(rng, moment, now)
            last = index == len(steps) - 1
            note = spec.get("status_note") if last else None
            db.session.add(
                StatusChange(
                    idea_id=idea.id,
                    by_id=responsible.id,
                    from_status=previous,
                    to_status=status,
                    note=note,
                    created_at=moment,
                )  # fmt: skip
            )
            previous = status
            if note and idea.first_staff_answer_at is None:
                idea.first_staff_answer_at = moment
        idea.status = spec["status"]
        idea.status_note = spec.get("status_note")
    db.session.flush()
    return idea


def _staff_for(idea, staff, rng):
    team = idea.category.team
    members = [u for u in staff if team is not None and team in u.teams]
    return rng.choice(members or staff)


def _between(rng, start, end):
    span = max((end - start).total_seconds(), 60)
    return start + timedelta(seconds=rng.uniform(span * 0.05, span * 0.6))


def _seed_comment(spec, idea, users, rng, now) -> None:
    author = users[spec["author"]]
    moment = _between(rng, idea.created_at, now)
    comment = discussion.add_comment(
        author, idea, spec["body"], official=spec.get("official", False)
    )
    comment.created_at = moment
    if access.is_staff(author) and (
        idea.first_staff_answer_at is None or idea.first_staff_answer_at > moment
    ):
        idea.first_staff_answer_at = moment
    for reply_spec in spec.get("replies", []):
        moment = _between(rng, moment, now)
        reply = discussion.add_comment(
            users[reply_spec["author"]], idea, reply_spec["body"], parent_id=comment.id
        )
        reply.created_at = moment


def _refresh_counters() -> None:
    """Counters and trending scores from the rows (the demo backdates what services wrote)."""
    db.session.flush()
    votes = dict(
        db.session.execute(select(Vote.idea_id, func.count()).group_by(Vote.idea_id)).all()
    )
    comments = dict(
        db.session.execute(
            select(Comment.idea_id, func.count())
            .where(Comment.deleted_at.is_(None))
            .group_by(Comment.idea_id)
        ).all()
    )
    for idea in db.session.scalars(select(Idea)):
        v, c = votes.get(idea.id, 0), comments.get(idea.id, 0)
        db.session.execute(
            update(Idea)
            .where(Idea.id == idea.id)
            .values(votes_count=v, comments_count=c, hot=service.hot_score(v, c, idea.created_at))
            .execution_options(synchronize_session=False)
        )
    db.session.expire_all()
