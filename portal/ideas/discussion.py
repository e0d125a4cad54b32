"""Comments: replies one level deep, edit history, tombstones, official responses."""

import logging
import re

from sqlalchemy import select

from portal import access
from portal.accounts.models import User
from portal.errors import Conflict, Forbidden, Invalid, NotFound
from portal.extensions import db
from portal.ideas.models import Comment, CommentRevision, Idea, Mention
from portal.ideas.service import _follow_quietly, _require_writer, bump_counters
from portal.markdown import render
from portal.notify import service as notify
from portal.timeutil import utcnow
from portal.validation import clean_text

log = logging.getLogger(__name__)

COMMENT_MAX = 10_000
MENTION = re.compile(r"(?<![\w@/])@([a-z0-9][a-z0-9_-]{1,39})", re.IGNORECASE)


def comments_for(idea: Idea) -> list[Comment]:
    """Every comment of an idea in the order written (one query)."""
    return list(
        db.session.scalars(
            select(Comment)
            .where(Comment.idea_id == idea.id)
            .order_by(Comment.created_at, Comment.id)
        )
    )


def thread(comments: list[Comment]) -> tuple[list[Comment], list[tuple[Comment, list[Comment]]]]:
    """Official responses to pin, and top-level comments each with its replies."""
    official = [c for c in comments if c.official and not c.is_deleted and not c.hidden]
    replies: dict[int, list[Comment]] = {}
    for comment in comments:
        if comment.parent_id is not None:
            replies.setdefault(comment.parent_id, []).append(comment)
    top = [(c, replies.get(c.id, [])) for c in comments if c.parent_id is None]
    return official, top


def get_comment(user, idea: Idea, comment_id) -> Comment:
    try:
        comment_id = int(comment_id)
    except (TypeError, ValueError):
        raise NotFound("No such comment.") from None
    # Ids are 32-bit INTEGER columns: a larger number is a DataError on PostgreSQL.
    comment = db.session.get(Comment, comment_id) if 0 < comment_id < 2**31 else None
    if comment is None or comment.idea_id != idea.id:
        raise NotFound("No such comment.")
    return comment


def _clean_body(body) -> str:
    return clean_text(body, "body", min_length=1, max_length=COMMENT_MAX, label="Comment")


def _record_mentions(comment: Comment, idea: Idea) -> list[User]:
    """Store new @mentions of people who may see the idea; returns who was newly mentioned."""
    handles = {h.lower() for h in MENTION.findall(comment.body)}
    if not handles:
        return []
    mentioned = []
    existing = set(
        db.session.scalars(select(Mention.user_id).where(Mention.comment_id == comment.id))
    )
    users = db.session.scalars(select(User).where(User.handle.in_(handles)))
    for user in users:
        # Only people who may see the idea are mentioned: the rest would learn it exists.
        if (
            user.id != comment.author_id
            and user.id not in existing
            and access.can_see_idea(user, idea)
        ):
            db.session.add(Mention(comment_id=comment.id, user_id=user.id))
            mentioned.append(user)
    return mentioned


def add_comment(user, idea: Idea, body, parent_id=None, official=False) -> Comment:
    """Comment on an idea, or reply to a comment (replies stay one level deep)."""
    _require_writer(user)
    if idea.is_merged:
        raise Conflict("This idea was merged into another one: comment there instead.")
    if idea.locked:
        raise Conflict("This idea is locked: the discussion is closed.")
    if idea.hidden:
        raise Conflict("This idea is hidden by the moderators: the discussion is closed.")
    body = _clean_body(body)
    parent = None
    if parent_id not in (None, ""):
        if isinstance(parent_id, bool) or not isinstance(parent_id, (int, str)):
            raise Invalid("Parent: must be a comment id.", {"parent_id": ["Must be a comment id."]})
        try:
            parent = get_comment(user, idea, parent_id)
        except NotFound:
            raise Invalid(
                "Parent: no such comment on this idea.",
                {"parent_id": ["No such comment on this idea."]},
            ) from None
    # The person replied to hears about it, even when the reply joins the thread one level up.
    replied_to = parent
    if parent is not None and parent.parent_id is not None:
        parent = db.session.get(Comment, parent.parent_id)
    if official and not access.can_answer_officially(user):
        raise Forbidden("Only staff can give an official response.")
    now = utcnow()
    comment = Comment(
        idea_id=idea.id,
        author=user,
        parent_id=parent.id if parent else None,
        body=body,
        body_html=render(body),
        official=bool(official),
        created_at=now,
    )
    db.session.add(comment)
    db.session.flush()
    bump_counters(idea, comments=1)
    if access.is_staff(user) and idea.first_staff_answer_at is None:
        idea.first_staff_answer_at = now
    mentioned = _record_mentions(comment, idea)
    _follow_quietly(user, idea)
    db.session.flush()
    notify.comment_posted(user, idea, comment, replied_to, mentioned)
    log.info("user %s commented %s on idea %s", user.id, comment.id, idea.id)
    return comment


def edit_comment(user, comment: Comment, body) -> Comment:
    _require_writer(user)
    if not access.can_edit_comment(user, comment):
        raise Forbidden("Only the author can edit this comment.")
    body = _clean_body(body)
    if body == comment.body:
        return comment
    db.session.add(CommentRevision(comment_id=comment.id, body=comment.body))
    comment.body = body
    comment.body_html = render(body)
    comment.edited_at = utcnow()
    idea = db.session.get(Idea, comment.idea_id)
    mentioned = _record_mentions(comment, idea)
    if mentioned:
        notify.notify(mentioned, "mention", idea,
                      f"{user.display_name} mentioned you:\n\n{comment.body}", user)  # fmt: skip
    db.session.flush()
    return comment


def delete_comment(user, comment: Comment) -> Comment:
    """Delete a comment's text; a tombstone keeps the thread readable."""
    _require_writer(user)
    if not access.can_delete_comment(user, comment):
        raise Forbidden("Only the author can delete this comment.")
    comment.body = ""
    comment.body_html = ""
    comment.official = False
    comment.deleted_at = utcnow()
    for revision in db.session.scalars(
        select(CommentRevision).where(CommentRevision.comment_id == comment.id)
    ):
        db.session.delete(revision)
    bump_counters(db.session.get(Idea, comment.idea_id), comments=-1)
    db.session.flush()
    log.info("user %s deleted comment %s", user.id, comment.id)
    return comment


def set_official(user, comment: Comment, official) -> Comment:
    """Staff mark (or unmark) a staff comment as the official response."""
    _require_writer(user)
    if not access.can_answer_officially(user):
        raise Forbidden("Only staff can mark an official response.")
    if not isinstance(official, bool):
        raise Invalid("Official must be true or false.", {"official": ["Must be a boolean."]})
    if comment.is_deleted:
        raise Conflict("A deleted comment cannot be an official response.")
    if official and comment.author.kind != "staff":
        message = "Only a staff member's comment can be the official response."
        raise Invalid(message, {"official": [message]})
    became_official = official and not comment.official
    comment.official = official
    if became_official:
        notify.official_response(user, db.session.get(Idea, comment.idea_id), comment)
    if official:
        idea = db.session.get(Idea, comment.idea_id)
        if idea.first_staff_answer_at is None:
            idea.first_staff_answer_at = comment.created_at
    db.session.flush()
    return comment


def comment_revisions(comment: Comment) -> list[CommentRevision]:
    return list(
        db.session.scalars(
            select(CommentRevision)
            .where(CommentRevision.comment_id == comment.id)
            .order_by(CommentRevision.created_at.desc())
        )
    )


def merged_discussions(idea: Idea) -> tuple[list[Idea], dict[int, list[Comment]]]:
    """Ideas merged into this one, and their comments, still readable here (two queries)."""
    merged = list(
        db.session.scalars(
            select(Idea).where(Idea.merged_into_id == idea.id).order_by(Idea.created_at)
        )
    )
    comments: dict[int, list[Comment]] = {}
    if merged:
        for comment in db.session.scalars(
            select(Comment)
            .where(Comment.idea_id.in_([m.id for m in merged]))
            .order_by(Comment.created_at, Comment.id)
        ):
            comments.setdefault(comment.idea_id, []).append(comment)
    return merged, comments
