"""People's pages: a person's own page of what they posted, and "My portal" (one's ideas,
what one follows and supports)."""

from sqlalchemy import exists, func, or_, select

from portal import access
from portal.accounts.models import User
from portal.errors import NotFound, refuse
from portal.extensions import db
from portal.ideas import service
from portal.ideas.models import Comment, Follow, Idea, Vote
from portal.validation import has_invalid_characters

MY_LISTS = ("ideas", "following", "votes")


def person_named(viewer, handle) -> User:
    """The person with this handle, if their page exists for `viewer`
    (access.person_page_visibility); NotFound otherwise, the same whether or not the handle
    is taken."""
    if not isinstance(handle, str) or not 0 < len(handle) <= 40:
        raise NotFound("No such person.")
    person = db.session.scalar(
        select(User).where(User.handle == handle.lower(), access.person_page_visibility(viewer))
    )
    if person is None:
        raise NotFound("No such person.")
    return person


def ideas_of(viewer, person: User, page: int, per_page: int):
    return service.list_ideas(viewer, sort="new", author_id=person.id, page=page,
                              per_page=per_page)  # fmt: skip


def my_list(user, which: str, page: int, per_page: int):
    """One of "My portal"'s lists, newest first: my ideas, those I follow, those I support."""
    if which not in MY_LISTS:
        raise NotFound("No such list.")
    relation = {"ideas": "author_id", "following": "followed_by", "votes": "voted_by"}[which]
    return service.list_ideas(user, sort="new", page=page, per_page=per_page,
                              **{relation: user.id})  # fmt: skip


def my_counts(user) -> dict[str, int]:
    """How many ideas each of the lists holds (as far as the person may still see them)."""
    seen = access.idea_visibility(user)
    listed = Idea.merged_into_id.is_(None)

    def count(*conditions) -> int:
        return db.session.scalar(select(func.count(Idea.id)).where(seen, listed, *conditions))

    return {
        "ideas": count(Idea.author_id == user.id),
        "following": count(exists().where(Follow.idea_id == Idea.id, Follow.user_id == user.id)),
        "votes": count(exists().where(Vote.idea_id == Idea.id, Vote.user_id == user.id)),
    }


MENTION_SUGGESTIONS = 8


def mentionable(viewer, idea: Idea, prefix) -> list[User]:
    """People `viewer` may @mention in `idea`'s discussion whose handle or name starts with
    `prefix`: only people who may read the idea (a mention of anyone else does nothing), and
    only those whose page exists for the viewer (who wrote something the viewer may read, or
    staff), so typing letters does not list everyone who has an account. Those already in
    this discussion come first."""
    refuse(access.comment_refusal(viewer, idea))
    prefix = prefix.strip().lstrip("@").lower() if isinstance(prefix, str) else ""
    if not prefix or len(prefix) > 40 or has_invalid_characters(prefix):
        return []  # no handle or name holds a control character (PostgreSQL refuses NUL)
    pattern = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    wrote_visible = or_(
        exists().where(Idea.author_id == User.id, access.idea_visibility(viewer)),
        exists().where(Comment.author_id == User.id, Comment.deleted_at.is_(None),
                       access.readable_comment(viewer)),
    )  # fmt: skip
    in_thread = or_(
        User.id == idea.author_id,
        exists().where(Comment.author_id == User.id, Comment.idea_id == idea.id),
    )
    candidates = db.session.scalars(
        select(User)
        .where(
            or_(User.handle.like(pattern, escape="\\"),
                func.lower(User.display_name).like(pattern, escape="\\")),
            User.erased_at.is_(None),
            User.id != viewer.id,
            or_(wrote_visible, User.kind == "staff"),
        )
        .order_by(in_thread.desc(), User.handle)
        .limit(MENTION_SUGGESTIONS * 4)
    )  # fmt: skip
    found = [person for person in candidates if access.can_read(person, idea)]
    return found[:MENTION_SUGGESTIONS]
