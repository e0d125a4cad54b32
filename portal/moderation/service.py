"""Moderation operations: flag, act (with a reason, always logged), merge, appeal."""

import logging
from datetime import UTC, datetime

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import and_, delete, exists, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from portal import access
from portal.accounts.models import User
from portal.errors import Conflict, Forbidden, Invalid, NotFound, refuse
from portal.extensions import db
from portal.files import service as files
from portal.ideas import discussion
from portal.ideas import service as ideas
from portal.ideas.models import Comment, Follow, Idea, StatusChange, Vote
from portal.intake.models import IntakeMessage
from portal.moderation.models import (
    ACTIONS,
    ACTIONS_ON,
    FLAG_REASONS,
    TARGET_TYPES,
    Appeal,
    Flag,
    ModerationAction,
)
from portal.notify import service as notify
from portal.timeutil import utcnow
from portal.validation import choice, clean_text

log = logging.getLogger(__name__)
HOLD_REASON = "Held for review: flagged by {count} people."


def _id(value, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise Invalid(_("%(field)s: must be an id.", field=field), {field: [_("Must be an id.")]})
    try:
        number = int(value)
    except ValueError:
        raise Invalid(
            _("%(field)s: must be an id.", field=field), {field: [_("Must be an id.")]}
        ) from None
    if not 0 < number < 2**31:
        raise NotFound(_("No such target."))
    return number


def target_of(user, target_type, target_id):
    """The flagged or acted-on object if `user` may see it; NotFound otherwise."""
    target_type = choice(target_type, "target_type", TARGET_TYPES)
    target_id = _id(target_id, "target_id")
    if target_type == "idea":
        return ideas.get_idea(user, target_id)
    if target_type == "comment":
        comment = db.session.get(Comment, target_id)
        if comment is None or comment.is_deleted:
            raise NotFound(_("No such comment."))
        ideas.get_idea(user, comment.idea_id)
        # Only a comment one may read (a hidden idea's comments are hidden with it).
        if not access.can_read(user, comment):
            raise NotFound(_("No such comment."))
        return comment
    target = db.session.get(User, target_id)
    if target is None or target.erased_at is not None:  # an erased account is nobody now
        raise NotFound(_("No such user."))
    return target


def _author_id(target) -> int | None:
    if isinstance(target, User):
        return target.id
    return target.author_id


def _open_flaggers(target_type: str, target_id: int) -> int:
    """Distinct verified accounts with an open flag on the target: only they count."""
    return db.session.scalar(
        select(func.count(func.distinct(Flag.by_id)))
        .join(User, User.id == Flag.by_id)
        .where(
            Flag.target_type == target_type,
            Flag.target_id == target_id,
            Flag.resolved_at.is_(None),
            User.email_verified_at.is_not(None),
        )
    )


def flag(user, target_type, target_id, reason, note=None, duplicate_of=None) -> Flag:
    """Report content or a user; enough distinct reporters hold content for review."""
    refuse(access.write_refusal(user))
    reason = choice(reason, "reason", FLAG_REASONS)
    target = target_of(user, target_type, target_id)
    refuse(access.flag_refusal(user, target))
    note = clean_text(note, "note", max_length=2000) if note not in (None, "") else None
    if reason == "other" and not note:
        message = _("Say what is wrong in a note.")
        raise Invalid(_("Note: %(message)s", message=message), {"note": [message]})
    duplicate_id = None
    if reason == "duplicate":
        if target_type != "idea":
            message = _("Only an idea can be a duplicate.")
            raise Invalid(message, {"reason": [message]})
        if duplicate_of in (None, ""):
            message = _("Name the original idea.")
            raise Invalid(
                _("Duplicate of: %(message)s", message=message), {"duplicate_of": [message]}
            )
        try:
            original = ideas.get_idea(user, _id(duplicate_of, "duplicate_of"))
        except NotFound:
            message = _("No such idea.")
            raise Invalid(
                _("Duplicate of: %(message)s", message=message), {"duplicate_of": [message]}
            ) from None
        if original.id == target.id:
            message = _("An idea cannot duplicate itself.")
            raise Invalid(message, {"duplicate_of": [message]})
        duplicate_id = original.id
    target_id = target.id
    already = db.session.scalar(
        select(Flag.id).where(
            Flag.by_id == user.id,
            Flag.target_type == target_type,
            Flag.target_id == target_id,
            Flag.resolved_at.is_(None),
        )
    )
    if already is not None:
        raise Conflict(_("You have already flagged this; moderators will review it."))
    new = Flag(
        target_type=target_type, target_id=target_id, reason=reason, note=note,
        duplicate_of_id=duplicate_id, by_id=user.id,
    )  # fmt: skip
    try:
        with db.session.begin_nested():
            db.session.add(new)
    except IntegrityError:
        raise Conflict(_("You have already flagged this; moderators will review it.")) from None
    threshold = current_app.config["FLAGS_TO_HIDE"]
    if target_type != "user" and not target.hidden:
        count = _open_flaggers(target_type, target_id)
        if count >= threshold:
            reason_text = HOLD_REASON.format(count=count)
            _hide(target, reason_text)
            _log(None, "hide", target_type, target_id, reason_text)
            idea = target if target_type == "idea" else db.session.get(Idea, target.idea_id)
            notify.held_for_review(target.author, idea, target_type, count)
    db.session.flush()
    log.info("user %s flagged %s %s (%s)", user.id, target_type, target_id, reason)
    return new


def _hide(target, reason: str) -> None:
    target.hidden = True
    target.hidden_reason = reason


def _log(by, action, target_type, target_id, reason, into_id=None, until=None):
    entry = ModerationAction(
        action=action, target_type=target_type, target_id=target_id, reason=reason,
        by_id=by.id if by else None, into_id=into_id, until=until,
    )  # fmt: skip
    db.session.add(entry)
    db.session.flush()
    return entry


def _resolve(target_type: str, target_id: int, entry: ModerationAction) -> None:
    now = utcnow()
    db.session.execute(
        update(Flag)
        .where(
            Flag.target_type == target_type, Flag.target_id == target_id, Flag.resolved_at.is_(None)
        )
        .values(resolved_at=now, resolved_by_action_id=entry.id)
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        update(Appeal)
        .where(
            Appeal.target_type == target_type,
            Appeal.target_id == target_id,
            Appeal.resolved_at.is_(None),
        )
        .values(resolved_at=now)
        .execution_options(synchronize_session=False)
    )


def _held_automatically(target_type: str, target_id: int) -> bool:
    last = db.session.scalar(
        select(ModerationAction)
        .where(
            ModerationAction.target_type == target_type,
            ModerationAction.target_id == target_id,
            ModerationAction.action.in_(("hide", "restore")),
        )
        .order_by(ModerationAction.id.desc())
        .limit(1)
    )
    return last is not None and last.action == "hide" and last.by_id is None


def _until(value) -> datetime:
    if isinstance(value, datetime):
        until = value
    elif isinstance(value, str) and value.strip():
        try:
            until = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            message = _("Use a date like 2026-12-31 or 2026-12-31T18:00:00Z.")
            raise Invalid(_("Until: %(message)s", message=message), {"until": [message]}) from None
        if until.tzinfo is not None:
            until = until.astimezone(UTC).replace(tzinfo=None)
    else:
        message = _("A suspension needs an end date.")
        raise Invalid(_("Until: %(message)s", message=message), {"until": [message]})
    if until <= utcnow():
        message = _("The end date must be in the future.")
        raise Invalid(_("Until: %(message)s", message=message), {"until": [message]})
    return until


def act(moderator, action, target_type, target_id, reason, into_id=None, until=None, *,
        title=None, body=None):  # fmt: skip
    """A moderator's action on a target, with its reason; resolves the target's open flags.

    `edit` takes `title`/`body` (an idea) or `body` (a comment); `delete` removes the text
    (kept for moderators) behind the tombstone "Removed by a moderator: <reason>".
    """
    refuse(access.moderation_refusal(moderator))
    action = choice(action, "action", ACTIONS)
    target_type = choice(target_type, "target_type", TARGET_TYPES)
    if action not in ACTIONS_ON[target_type]:
        message = _(
            "%(action)s does not apply to a %(target_type)s.",
            action=action,
            target_type=target_type,
        )
        raise Invalid(message, {"action": [message]})
    reason = clean_text(reason, "reason", min_length=1, max_length=2000, label=_("Reason"))
    target = target_of(moderator, target_type, target_id)
    if action != "dismiss" and action not in access.moderation_actions(moderator, target):
        if target_type == "user" and access.can_moderate(target):
            raise Forbidden(_("Moderators and admins cannot be suspended; an admin changes roles."))
        raise Conflict(f"{action.capitalize()} does not fit this {target_type} as it is now.")
    into = None
    when = None
    if action == "hide":
        _hide(target, reason)
    elif action == "restore":
        target.hidden = False
        target.hidden_reason = None
    elif action == "dismiss":
        if target_type != "user" and target.hidden and _held_automatically(target_type, target.id):
            target.hidden = False
            target.hidden_reason = None
    elif action in ("lock", "unlock"):
        target.locked = action == "lock"
    elif action == "merge":
        into = _merge(moderator, target, into_id, reason)
    elif action == "suspend":
        when = _until(until)
        target.suspended_until = when
    elif action == "unsuspend":
        target.suspended_until = None
    elif action == "edit":
        _edit(moderator, target, title, body)
    elif action == "delete":
        if target_type == "idea":
            ideas.remove(moderator, target, reason)
        else:
            discussion.remove_comment(target, reason)
    entry = _log(moderator, action, target_type, target.id, reason, into, when)
    _resolve(target_type, target.id, entry)
    if target_type != "user" and action != "dismiss":
        idea = target if target_type == "idea" else db.session.get(Idea, target.idea_id)
        notify.moderated(moderator, target.author, idea, action, reason)
    db.session.flush()
    log.info("moderator %s: %s %s %s", moderator.id, action, target_type, target.id)
    return entry


def _edit(moderator, target, title, body) -> None:
    if isinstance(target, Idea):
        if title is None and body is None:
            message = _("Give the new title or body.")
            raise Invalid(message, {"body": [message]})
        changed = ideas.revise(moderator, target, title=title, body=body)
    else:
        if title is not None:
            message = _("A comment has no title.")
            raise Invalid(message, {"title": [message]})
        changed = discussion.revise_comment(target, body, editor=moderator)
    if not changed:
        message = _("Nothing changed: the text is the same.")
        raise Invalid(message, {"body": [message]})
    # What a moderator edits out must stop being served: the picture is why they edited.
    files.delete_dropped(target, target.body)


def _merge(moderator, duplicate: Idea, into_id, reason: str) -> int:
    """Merge a duplicate into its original: votes and followers move, nobody counted twice."""
    if into_id in (None, ""):
        message = _("Name the original idea to merge into.")
        raise Invalid(_("Into: %(message)s", message=message), {"into_id": [message]})
    try:
        original = ideas.get_idea(moderator, _id(into_id, "into_id"))
    except NotFound:
        raise Invalid(_("Into: no such idea."), {"into_id": [_("No such idea.")]}) from None
    if original.id == duplicate.id:
        raise Invalid(
            _("An idea cannot be merged into itself."), {"into_id": [_("Choose another.")]}
        )
    if original.merged_into_id is not None:
        message = _(
            "That idea was itself merged into #%(into)s: merge there.", into=original.merged_into_id
        )
        raise Invalid(message, {"into_id": [message]})
    refuse(access.merge_refusal(moderator, duplicate, original))
    for model in (Vote, Follow):
        already = select(model.user_id).where(model.idea_id == original.id)
        moved = select(original.id, model.user_id, model.created_at).where(
            model.idea_id == duplicate.id, model.user_id.not_in(already)
        )
        db.session.execute(insert(model).from_select(["idea_id", "user_id", "created_at"], moved))
        db.session.execute(delete(model).where(model.idea_id == duplicate.id))
    # Ideas merged into the duplicate earlier now point at the original.
    db.session.execute(
        update(Idea)
        .where(Idea.merged_into_id == duplicate.id)
        .values(merged_into_id=original.id)
        .execution_options(synchronize_session=False)
    )
    recount_votes(original)
    recount_votes(duplicate)
    # Intake messages quoted on the duplicate are evidence for the original now.
    db.session.execute(
        update(IntakeMessage)
        .where(IntakeMessage.idea_id == duplicate.id)
        .values(idea_id=original.id)
        .execution_options(synchronize_session=False)
    )
    original.evidence_count = (original.evidence_count or 0) + (duplicate.evidence_count or 0)
    duplicate.evidence_count = 0
    # By number only: the note is shown wherever the duplicate is, the original's title is
    # the original's to show (the page links the number for those who may open it).
    note = f"Merged into #{original.id}."
    db.session.add(
        StatusChange(
            idea_id=duplicate.id,
            by_id=moderator.id,
            from_status=duplicate.status,
            to_status="duplicate",
            note=f"{note} {reason}",
        )  # fmt: skip
    )
    duplicate.status = "duplicate"
    duplicate.status_note = note
    duplicate.merged_into_id = original.id
    duplicate.updated_at = utcnow()
    return original.id


def recount_votes(idea: Idea) -> None:
    """Set the kept vote counter from the rows (after votes moved in bulk)."""
    counted = db.session.scalar(select(func.count(Vote.id)).where(Vote.idea_id == idea.id))
    ideas.bump_counters(idea, votes=counted - idea.votes_count)


def appeal(user, target_type, target_id, text) -> Appeal:
    """The author of hidden content asks, once, for another look."""
    refuse(access.write_refusal(user))
    target_type = choice(target_type, "target_type", ("idea", "comment"))
    target = target_of(user, target_type, target_id)
    already = db.session.scalar(
        select(Appeal.id).where(Appeal.target_type == target_type, Appeal.target_id == target.id)
    )
    refuse(access.appeal_refusal(user, target, already_appealed=already is not None))
    text = clean_text(text, "text", min_length=1, max_length=2000, label=_("Appeal"))
    entry = Appeal(target_type=target_type, target_id=target.id, by_id=user.id, text=text)
    try:
        with db.session.begin_nested():
            db.session.add(entry)
    except IntegrityError:
        raise Conflict(_("You have already appealed this once.")) from None
    db.session.flush()
    return entry


def queue_visibility(user, target_type_column, target_id_column):
    """SQL condition on a queue row (flag or appeal): about something `user` may see.

    A community moderator never sees flags on content their own kind may not see.
    """
    visible = access.idea_visibility(user, hidden_is_public=True)
    return (
        (target_type_column == "user")
        | and_(
            target_type_column == "idea",
            exists(select(Idea.id).where(Idea.id == target_id_column, visible)),
        )
        | and_(
            target_type_column == "comment",
            exists(
                select(Comment.id)
                .join(Idea, Idea.id == Comment.idea_id)
                .where(Comment.id == target_id_column, visible)
            ),
        )
    )


def open_queue_count(user) -> int:
    """Targets waiting for this moderator (open flags or appeals): the header badge."""
    flagged = select(Flag.target_type, Flag.target_id).where(
        Flag.resolved_at.is_(None), queue_visibility(user, Flag.target_type, Flag.target_id)
    )
    appealed = select(Appeal.target_type, Appeal.target_id).where(
        Appeal.resolved_at.is_(None),
        queue_visibility(user, Appeal.target_type, Appeal.target_id),
    )
    keys = flagged.union(appealed).subquery()
    return db.session.scalar(select(func.count()).select_from(keys)) or 0


def log_visibility(user):
    """SQL condition on ModerationAction: entries about what `user` may see (tombstones too)."""
    return queue_visibility(user, ModerationAction.target_type, ModerationAction.target_id)


def appealed_targets(idea: Idea, comments) -> set[tuple[str, int]]:
    """Which of an idea and its comments were already appealed (one query)."""
    hidden = [("idea", idea.id)] if idea.hidden else []
    hidden += [("comment", c.id) for c in comments if c.hidden]
    if not hidden:
        return set()
    ids = {target_id for _type, target_id in hidden}
    rows = db.session.execute(
        select(Appeal.target_type, Appeal.target_id).where(Appeal.target_id.in_(ids))
    ).all()
    return {(row.target_type, row.target_id) for row in rows} & set(hidden)
