"""The review queue and the public log, read in a fixed number of queries."""

from dataclasses import dataclass, field

from sqlalchemy import func, select, union_all

from portal import access
from portal.accounts.models import User
from portal.extensions import db
from portal.ideas.models import Comment, Idea
from portal.moderation.models import Appeal, Flag, ModerationAction
from portal.moderation.service import log_visibility, queue_visibility
from portal.pagination import Page


@dataclass
class QueueGroup:
    target_type: str
    target_id: int
    target: object | None
    flags: list[Flag] = field(default_factory=list)
    appeal: Appeal | None = None
    history: list[ModerationAction] = field(default_factory=list)
    author: User | None = None
    author_ideas: int = 0
    author_comments: int = 0
    # What the moderator may do to the target as it is now, and the original a duplicate
    # flag suggests merging into (only one the merge rules allow).
    actions: list[str] = field(default_factory=list)
    merge_into: int | None = None

    @property
    def key(self) -> str:
        return f"{self.target_type}-{self.target_id}"


def _targets(keys) -> dict[tuple[str, int], object]:
    found: dict[tuple[str, int], object] = {}
    by_type: dict[str, set[int]] = {}
    for target_type, target_id in keys:
        by_type.setdefault(target_type, set()).add(target_id)
    for target_type, model in (("idea", Idea), ("comment", Comment), ("user", User)):
        ids = by_type.get(target_type)
        if ids:
            for row in db.session.scalars(select(model).where(model.id.in_(ids))):
                found[(target_type, row.id)] = row
    return found


def review_queue(user, page: int = 1, per_page: int = 20) -> Page:
    """Open flags and appeals grouped by target, the most recently flagged first: those
    about what this moderator may see."""
    flagged = select(
        Flag.target_type.label("target_type"),
        Flag.target_id.label("target_id"),
        Flag.created_at.label("at"),
    ).where(Flag.resolved_at.is_(None), queue_visibility(user, Flag.target_type, Flag.target_id))
    appealed = select(
        Appeal.target_type.label("target_type"),
        Appeal.target_id.label("target_id"),
        Appeal.created_at.label("at"),
    ).where(
        Appeal.resolved_at.is_(None),
        queue_visibility(user, Appeal.target_type, Appeal.target_id),
    )
    pending = union_all(flagged, appealed).subquery()
    grouped = (
        select(pending.c.target_type, pending.c.target_id, func.max(pending.c.at).label("latest"))
        .group_by(pending.c.target_type, pending.c.target_id)
        .subquery()
    )
    total = db.session.scalar(select(func.count()).select_from(grouped)) or 0
    keys = [
        (row.target_type, row.target_id)
        for row in db.session.execute(
            select(grouped.c.target_type, grouped.c.target_id)
            .order_by(grouped.c.latest.desc())
            .limit(per_page)
            .offset((page - 1) * per_page)
        )
    ]
    targets = _targets(keys)
    groups = {key: QueueGroup(key[0], key[1], targets.get(key)) for key in keys}
    if keys:
        ids = {target_id for _type, target_id in keys}
        for flag in db.session.scalars(
            select(Flag)
            .where(Flag.resolved_at.is_(None), Flag.target_id.in_(ids))
            .order_by(Flag.created_at.desc())
        ):
            group = groups.get((flag.target_type, flag.target_id))
            if group:
                group.flags.append(flag)
        for appeal in db.session.scalars(
            select(Appeal).where(Appeal.resolved_at.is_(None), Appeal.target_id.in_(ids))
        ):
            group = groups.get((appeal.target_type, appeal.target_id))
            if group:
                group.appeal = appeal
        for action in db.session.scalars(
            select(ModerationAction)
            .where(ModerationAction.target_id.in_(ids))
            .order_by(ModerationAction.created_at.desc())
        ):
            group = groups.get((action.target_type, action.target_id))
            if group:
                group.history.append(action)
        _author_history(groups.values())
        _plan(user, groups.values())
    return Page(items=[groups[key] for key in keys], page=page, per_page=per_page, total=total)


def _plan(user, groups) -> None:
    """Each group's possible actions, and a merge suggestion from its duplicate flags."""
    originals_ids = {f.duplicate_of_id for g in groups for f in g.flags if f.duplicate_of_id}
    originals = (
        {i.id: i for i in db.session.scalars(select(Idea).where(Idea.id.in_(originals_ids)))}
        if originals_ids
        else {}
    )
    for group in groups:
        if group.target is None:
            continue
        group.actions = access.moderation_actions(user, group.target)
        if "merge" not in group.actions:
            continue
        for flag in group.flags:
            original = originals.get(flag.duplicate_of_id)
            if (
                original is not None
                and access.can_see_idea(user, original)
                and not access.merge_refusal(user, group.target, original)
            ):
                group.merge_into = original.id
                break


def _author_history(groups) -> None:
    """Who wrote each target, with how much they wrote: two grouped counts for the page."""
    authors = {}
    for group in groups:
        target = group.target
        if isinstance(target, User):
            group.author = target
        elif target is not None:
            group.author = target.author
        if group.author is not None:
            authors[group.author.id] = group.author
    if not authors:
        return
    ideas = dict(
        db.session.execute(
            select(Idea.author_id, func.count(Idea.id))
            .where(Idea.author_id.in_(authors))
            .group_by(Idea.author_id)
        ).all()
    )
    comments = dict(
        db.session.execute(
            select(Comment.author_id, func.count(Comment.id))
            .where(Comment.author_id.in_(authors))
            .group_by(Comment.author_id)
        ).all()
    )
    for group in groups:
        if group.author is not None:
            group.author_ideas = ideas.get(group.author.id, 0)
            group.author_comments = comments.get(group.author.id, 0)


def public_log(user, page: int = 1, per_page: int = 30) -> tuple[Page, dict]:
    """Every action, newest first, about what this visitor may see; with their targets."""
    condition = log_visibility(user)
    total = db.session.scalar(select(func.count(ModerationAction.id)).where(condition)) or 0
    entries = list(
        db.session.scalars(
            select(ModerationAction)
            .where(condition)
            .order_by(ModerationAction.created_at.desc(), ModerationAction.id.desc())
            .limit(per_page)
            .offset((page - 1) * per_page)
        )
    )
    keys = {(e.target_type, e.target_id) for e in entries}
    keys |= {("idea", e.into_id) for e in entries if e.into_id}
    return Page(entries, page, per_page, total), _targets(keys)
