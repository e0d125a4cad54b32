"""Comments: replies one level deep, edit history, tombstones, official responses."""

import logging
import re

from flask_babel import gettext as _
from sqlalchemy import or_, select

from portal import access
from portal.accounts.models import User
from portal.errors import Invalid, NotFound, refuse
from portal.extensions import db
from portal.files import service as files
from portal.ideas.models import Comment, CommentRevision, Idea, Mention
from portal.ideas.service import bump_counters, count_and_follow
from portal.markdown import plain_text, render
from portal.notify import service as notify
from portal.timeutil import utcnow
from portal.validation import clean_text

log = logging.getLogger(__name__)

COMMENT_MAX = 10_000
MENTION = re.compile(r"(?<![\w@/])@([a-z0-9][a-z0-9_-]{1,39})", re.IGNORECASE)


def _comments(idea: Idea, *conditions) -> list[Comment]:
    """The idea's comments that meet `conditions`, in the order written (one query)."""
    return list(
        db.session.scalars(
            select(Comment)
            .where(Comment.idea_id == idea.id, *conditions)
            .order_by(Comment.created_at, Comment.id)
        )
    )


def comments_for(idea: Idea) -> list[Comment]:
    """Every comment of an idea in the order written (one query)."""
    return _comments(idea)


def comments_among(idea: Idea, ids) -> list[Comment]:
    """Those of these comment ids that are the idea's, in the order written (one query)."""
    ids = [i for i in ids if 0 < i < 2**31]
    return _comments(idea, Comment.id.in_(ids)) if ids else []


def thread(comments: list[Comment]) -> tuple[list[Comment], list[tuple[Comment, list[Comment]]]]:
    """Official responses to pin, and top-level comments each with its replies."""
    official = [c for c in comments if c.official and not c.is_deleted and not c.hidden]
    replies: dict[int, list[Comment]] = {}
    for comment in comments:
        if comment.parent_id is not None:
            replies.setdefault(comment.parent_id, []).append(comment)
    top = [(c, replies.get(c.id, [])) for c in comments if c.parent_id is None]
    return official, top


def thread_of(idea: Idea, comment_id: int) -> tuple[Comment, list[Comment]]:
    """A top-level comment of the idea and its replies, in the order written (one query)."""
    comments = _comments(idea, or_(Comment.id == comment_id, Comment.parent_id == comment_id))
    top = next(c for c in comments if c.id == comment_id)
    return top, [c for c in comments if c.id != comment_id]


def get_comment(user, idea: Idea, comment_id) -> Comment:
    try:
        comment_id = int(comment_id)
    except (TypeError, ValueError):
        raise NotFound(_("No such comment.")) from None
    # Ids are 32-bit INTEGER columns: a larger number is a DataError on PostgreSQL.
    comment = db.session.get(Comment, comment_id) if 0 < comment_id < 2**31 else None
    if comment is None or comment.idea_id != idea.id:
        raise NotFound(_("No such comment."))
    return comment


def _clean_body(body) -> str:
    return clean_text(body, "body", min_length=1, max_length=COMMENT_MAX, label=_("Comment"))


def _record_mentions(comment: Comment, idea: Idea) -> list[User]:
    """Store new @mentions of people who may see the idea; returns who was newly mentioned."""
    handles = {h.lower() for h in MENTION.findall(comment.body)}
    if not handles:
        return []
    mentioned = []
    existing = set(
        db.session.scalars(select(Mention.user_id).where(Mention.comment_id == comment.id))
    )
    users = db.session.scalars(
        select(User).where(User.handle.in_(handles), User.erased_at.is_(None))
    )
    for user in users:
        # Only people who may see the idea are mentioned: the rest would learn it exists.
        if user.id != comment.author_id and user.id not in existing and access.can_read(user, idea):
            db.session.add(Mention(comment_id=comment.id, user_id=user.id))
            mentioned.append(user)
    return mentioned


def _render_mentions(comment: Comment) -> None:
    """Render the comment again with its @mentions as links to the people's pages: only the
    people recorded as mentioned (who may see the idea) whose page exists for the comment's
    author, never a handle merely typed (a link would tell the writer the account exists)."""
    handles = db.session.scalars(
        select(User.handle)
        .join(Mention, Mention.user_id == User.id)
        .where(Mention.comment_id == comment.id, access.person_page_visibility(comment.author))
    ).all()
    if handles:
        comment.body_html = render(comment.body, {h: f"/people/{h}" for h in handles})


def add_comment(user, idea: Idea, body, parent_id=None, official=False) -> Comment:
    """Comment on an idea, or reply to a comment (replies stay one level deep)."""
    refuse(access.comment_refusal(user, idea))
    body = _clean_body(body)
    parent = None
    if parent_id not in (None, ""):
        if isinstance(parent_id, bool) or not isinstance(parent_id, (int, str)):
            raise Invalid(
                _("Parent: must be a comment id."), {"parent_id": [_("Must be a comment id.")]}
            )
        try:
            parent = get_comment(user, idea, parent_id)
        except NotFound:
            raise Invalid(
                _("Parent: no such comment on this idea."),
                {"parent_id": [_("No such comment on this idea.")]},
            ) from None
        refuse(access.reply_refusal(user, idea, parent))
    # The person replied to hears about it, even when the reply joins the thread one level up.
    replied_to = parent
    if parent is not None and parent.parent_id is not None:
        parent = db.session.get(Comment, parent.parent_id)
    if official:
        refuse(access.answer_refusal(user, idea))
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
    files.attach_referenced(user, comment=comment, text=body)
    count_and_follow(user, idea, comments=1)
    if access.is_staff(user) and idea.first_staff_answer_at is None:
        idea.first_staff_answer_at = now
    mentioned = _record_mentions(comment, idea)
    if mentioned:  # a new comment links only those just recorded as mentioned
        _render_mentions(comment)
    db.session.flush()
    notify.comment_posted(user, idea, comment, replied_to, mentioned)
    log.info("user %s commented %s on idea %s", user.id, comment.id, idea.id)
    return comment


def _moderation_path(user, comment: Comment, what: str) -> None:
    if access.moderates(user, comment):
        if what == "Editing":
            message = _("Editing someone else's comment is a moderation action: give a reason.")
        else:
            message = _("Deleting someone else's comment is a moderation action: give a reason.")
        raise Invalid(message, {"reason": [message]})


def edit_comment(user, comment: Comment, body) -> Comment:
    """The author edits (within COMMENT_EDIT_HOURS); the earlier text is kept."""
    refuse(access.edit_refusal(user, comment))
    _moderation_path(user, comment, "Editing")
    if not revise_comment(comment, body):
        return comment
    idea = db.session.get(Idea, comment.idea_id)
    mentioned = _record_mentions(comment, idea)
    _render_mentions(comment)
    if mentioned:
        notify.notify(mentioned, "mention", idea,
                      notify.mention_text(user, plain_text(comment.body)), user,
                      comment=comment)  # fmt: skip
    db.session.flush()
    return comment


def revise_comment(comment: Comment, body, editor=None) -> bool:
    """Change a comment's text, keeping the earlier one; whether anything changed. Files the
    editor (by default its author) uploaded and the new text names are attached to it."""
    body = _clean_body(body)
    if body == comment.body:
        return False
    db.session.add(CommentRevision(comment_id=comment.id, body=comment.body))
    comment.body = body
    comment.body_html = render(body)
    comment.edited_at = utcnow()
    files.attach_referenced(editor or comment.author, comment=comment, text=body)
    db.session.flush()
    _render_mentions(comment)
    return True


def delete_comment(user, comment: Comment) -> Comment:
    """The author deletes their comment's text (and its earlier versions); a tombstone keeps
    the thread readable."""
    refuse(access.delete_refusal(user, comment))
    _moderation_path(user, comment, "Deleting")
    _clear(comment)
    for revision in db.session.scalars(
        select(CommentRevision).where(CommentRevision.comment_id == comment.id)
    ):
        db.session.delete(revision)
    db.session.flush()
    log.info("user %s deleted comment %s", user.id, comment.id)
    return comment


def remove_comment(comment: Comment, reason: str) -> None:
    """A moderator's `delete`: the text goes, kept as a revision for moderators; the
    tombstone says "Removed by a moderator: <reason>"."""
    db.session.add(CommentRevision(comment_id=comment.id, body=comment.body))
    comment.removed_reason = reason
    _clear(comment)
    db.session.flush()


def _clear(comment: Comment) -> None:
    comment.body = ""
    comment.body_html = ""
    comment.official = False
    comment.deleted_at = utcnow()
    files.delete_held_by(comment=comment)
    bump_counters(db.session.get(Idea, comment.idea_id), comments=-1)


def set_official(user, comment: Comment, official) -> Comment:
    """Staff mark (or unmark) a staff comment as the official response."""
    idea = db.session.get(Idea, comment.idea_id)
    refuse(access.answer_refusal(user, idea))
    if not isinstance(official, bool):
        raise Invalid(_("Official must be true or false."), {"official": [_("Must be a boolean.")]})
    refuse(access.official_refusal(user, idea, comment, official))
    became_official = official and not comment.official
    comment.official = official
    if became_official:
        notify.official_response(user, idea, comment)
    if official and idea.first_staff_answer_at is None:
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


def merged_discussions(user, idea: Idea) -> tuple[list[Idea], dict[int, list[Comment]]]:
    """Ideas merged into this one that `user` may read, with the comments they may read
    (two queries). Hidden duplicates and hidden comments only for moderators."""
    merged = [
        duplicate
        for duplicate in db.session.scalars(
            select(Idea).where(Idea.merged_into_id == idea.id).order_by(Idea.created_at)
        )
        if access.can_read(user, duplicate) and (not duplicate.hidden or access.sees_hidden(user))
    ]
    comments: dict[int, list[Comment]] = {}
    if merged:
        for comment in db.session.scalars(
            select(Comment)
            .where(Comment.idea_id.in_([m.id for m in merged]))
            .order_by(Comment.created_at, Comment.id)
        ):
            if comment.hidden and not access.sees_hidden(user):
                continue
            comments.setdefault(comment.idea_id, []).append(comment)
    return merged, comments
