"""The one place where visibility and permissions are decided.

Three questions, each answered only here:

- **Who is this?** `is_staff`, `is_admin`, `can_moderate` (the moderator role; admins too).
- **What may they see?** An idea *exists* for a viewer when its audience and confidentiality
  allow (`idea_visibility` in SQL, `can_see_idea` per object; anything else is a 404). Its
  *content* is readable (`can_read`) when it also is not hidden, or the viewer may read
  hidden content (moderators, within what their own kind may see) or wrote it. Those who
  may not read hidden content get its tombstone and nothing else.
- **What may they do to this object in its state?** The `*_refusal` functions return why
  not (a message for the person) or None. Services raise with that message; templates ask
  the same functions which buttons and forms to offer, so nothing is offered that then fails.

Query filters and per-object predicates implement the same rule and are tested against each
other (tests/test_visibility.py, tests/test_stateful_visibility.py).
"""

from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import AnonymousUserMixin
from sqlalchemy import exists, false, func, not_, or_, select, true

from portal.accounts.models import User
from portal.extensions import db
from portal.i18n import datetime_for
from portal.ideas.models import AUDIENCES, VOTE_CLOSED_STATUSES, Category, Comment, Idea
from portal.notify.models import Notification
from portal.search.querying import Scope
from portal.timeutil import utcnow
from portal.tracking.models import ImprovementItem


class Refusal(str):
    """Why someone may not do something: a message for them (403 when raised)."""

    state = False
    error = "forbidden"
    field: str | None = None


class StateRefusal(Refusal):
    """The object's state refuses (locked, hidden, merged, closed, deleted): 409 when raised."""

    state = True
    error = "conflict"


class InputRefusal(Refusal):
    """What was named does not qualify (one's own post to flag, a customer's comment to make
    official): 422 when raised, beside the form field `field`."""

    error = "invalid"

    def __new__(cls, message: str, field: str):
        refusal = super().__new__(cls, message)
        refusal.field = field
        return refusal


# -- who someone is ---------------------------------------------------------------------------


def signed_in(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False)


def is_staff(user) -> bool:
    """A company employee (kind `staff`), whatever their role."""
    return signed_in(user) and user.kind == "staff"


def is_admin(user) -> bool:
    return signed_in(user) and user.role == "admin"


def can_moderate(user) -> bool:
    """The moderator role (admins too): the review queue and moderation actions, within
    what the moderator may see."""
    return signed_in(user) and user.role in ("moderator", "admin")


def _approved_supplier(user) -> bool:
    return (
        signed_in(user)
        and user.kind == "supplier"
        and user.approved
        and user.organization_id is not None
    )


# -- what exists for them ---------------------------------------------------------------------


def visible_audiences(user) -> tuple[str, ...]:
    """Category audiences whose ideas this user may see.

    The moderator role adds none: a community moderator sees what their own kind sees (SPEC
    2). Staff of any role and admins see every audience.
    """
    if not signed_in(user):
        return ("public",)
    if is_staff(user) or is_admin(user):
        return AUDIENCES
    if _approved_supplier(user):
        return ("public", "suppliers")
    # Customers, and suppliers still pending approval, see what a customer sees.
    return ("public", "customers")


def _sees_all_confidential(user) -> bool:
    return is_staff(user) or is_admin(user)


def sees_hidden(user) -> bool:
    """May read hidden content (within what they may see at all): moderators and admins."""
    return can_moderate(user)


def viewer_class(user) -> str:
    """A key naming everything that decides what this user sees (for caches)."""
    if not signed_in(user):
        return "anon"
    if is_admin(user):
        return "all"
    if is_staff(user):
        base = "staff"
    elif _approved_supplier(user):
        base = f"supplier:{user.organization_id}"
    else:
        base = "customer"
    return f"{base}+hidden" if sees_hidden(user) else base


def reads_as_class(user) -> bool:
    """Whether an idea's page shows this person what it shows everyone of their class
    (`viewer_class`) with the same `write_refusal`, as long as they wrote none of it: no
    staff panel, no moderation tools, nothing decided by who they are but whether they
    support and follow the idea. Visitors, customers and suppliers who do not moderate."""
    return not signed_in(user) or not (is_staff(user) or is_admin(user) or can_moderate(user))


def _confidentiality(user):
    """SQL condition on Idea: the confidential ideas this user may see, and every other."""
    if _sees_all_confidential(user):
        return true()
    if _approved_supplier(user):
        return or_(Idea.confidential.is_(false()), Idea.organization_id == user.organization_id)
    return Idea.confidential.is_(false())


def idea_visibility(user, *, include_hidden_own: bool = True, hidden_is_public: bool = False):
    """SQL condition on Idea: the ideas this user may see.

    Hidden ideas are left out for all but moderators (and, with `include_hidden_own`, their
    author) unless `hidden_is_public`: their tombstone is public, for pages and the log.
    """
    if is_admin(user):
        return true()
    condition = Idea.audience.in_(visible_audiences(user)) & _confidentiality(user)
    if hidden_is_public or sees_hidden(user):
        return condition
    not_hidden = Idea.hidden.is_(false())
    if include_hidden_own and signed_in(user):
        not_hidden = or_(not_hidden, Idea.author_id == user.id)
    return condition & not_hidden


def can_see_idea(user, idea: Idea) -> bool:
    """Does the idea exist for this user (its page, maybe a tombstone)? Else a 404."""
    if is_admin(user):
        return True
    if idea.audience not in visible_audiences(user):
        return False
    if not idea.confidential or _sees_all_confidential(user):
        return True
    return _approved_supplier(user) and user.organization_id == idea.organization_id


def can_read(user, content) -> bool:
    """May this user read the content itself (an idea or a comment), not just its tombstone?"""
    if isinstance(content, Comment):
        return _can_read_comment(user, content)
    idea = content
    if not can_see_idea(user, idea):
        return False
    if idea.deleted_at is not None:  # removed by a moderator: earlier versions for moderators
        return sees_hidden(user)
    if not idea.hidden:
        return True
    return sees_hidden(user) or (signed_in(user) and idea.author_id == user.id)


def _can_read_comment(user, comment: Comment) -> bool:
    idea = db.session.get(Idea, comment.idea_id)
    if idea is None or not can_read(user, idea):
        return False
    if comment.deleted_at is not None:
        # Its author's delete leaves nothing to read; a moderator's removal keeps the
        # earlier text for moderators.
        return comment.removed_reason is not None and sees_hidden(user)
    if not comment.hidden:
        return True
    return sees_hidden(user) or (signed_in(user) and comment.author_id == user.id)


def can_read_file(user, stored_file) -> bool:
    """A picture or file (SPEC 16): readable exactly as the idea or comment holding it; one
    that no saved post holds yet, by its uploader alone. A deleted or removed post's files
    are deleted with it; until then they answer as it does."""
    if stored_file.comment_id is not None:
        comment = db.session.get(Comment, stored_file.comment_id)
        return comment is not None and comment.deleted_at is None and can_read(user, comment)
    if stored_file.idea_id is not None:
        idea = db.session.get(Idea, stored_file.idea_id)
        return idea is not None and idea.deleted_at is None and can_read(user, idea)
    return signed_in(user) and stored_file.uploader_id == user.id


def upload_refusal(user) -> str | None:
    """Uploading a picture or file for a post: whoever may write."""
    return write_refusal(user)


def comment_visibility(user):
    """SQL condition on Comment (beside the idea's own): hidden comments for moderators."""
    return true() if sees_hidden(user) else Comment.hidden.is_(false())


def readable_comment(user):
    """SQL condition on Comment: readable by this user (its idea's rule included)."""
    visible = select(Idea.id).where(Idea.id == Comment.idea_id, idea_visibility(user))
    own = Comment.author_id == user.id if signed_in(user) else false()
    return exists(visible) & or_(comment_visibility(user), own)


def search_scope(user):
    """What the search index must filter to, for this user (same rule as idea_visibility)."""
    if is_admin(user):
        return Scope(audiences=AUDIENCES, confidential="all", include_hidden=True)
    if _sees_all_confidential(user):
        confidential = "all"
    elif _approved_supplier(user):
        confidential = str(user.organization_id)
    else:
        confidential = "none"
    return Scope(
        audiences=visible_audiences(user),
        confidential=confidential,
        include_hidden=sees_hidden(user),
    )


def same_viewers(ideas) -> bool:
    """Whether whoever may see one of `ideas` may see them all (and so their item): the
    same audience, confidentiality and organization."""
    # The organization matters only for a confidential idea: two suppliers' open ideas in
    # one audience have the same viewers.
    return (
        len({(i.audience, i.confidential, i.organization_id if i.confidential else None)
             for i in ideas}) <= 1
    )  # fmt: skip


def feed_reader():
    """Whom every feed is written for, whoever fetches it: an anonymous visitor (SPEC 16).
    Feed readers fetch without cookies and feed addresses get shared, so a feed carries
    nothing more than a visitor may read, even when an admin's browser asks for it."""
    return AnonymousUserMixin()


def has_feed(idea: Idea) -> bool:
    """Whether an idea's own feed exists (else its address answers 404): the idea is one an
    anonymous visitor may read (public, not confidential, not hidden or removed) and not
    merged into another (whose page it redirects to)."""
    return idea.merged_into_id is None and can_read(feed_reader(), idea)


def item_visibility(user):
    """SQL condition on ImprovementItem: visible to whoever may see every linked idea."""
    if is_admin(user):
        return true()
    unseen = select(Idea.id).where(
        Idea.item_id == ImprovementItem.id, not_(idea_visibility(user, hidden_is_public=True))
    )
    return ~exists(unseen)


def person_page_visibility(viewer):
    """SQL condition on User: whose page (`/people/<handle>`) exists for `viewer`: their own,
    everyone's for staff and admins, and anyone else's only once the person wrote something
    the viewer may read (a handle alone must not tell who has an account, or which company a
    supplier works for). An erased account is nobody's page. An @mention becomes a link only
    to such a person for its writer: a link to any other would tell that the handle is taken."""
    if is_staff(viewer) or is_admin(viewer):
        return User.erased_at.is_(None)
    wrote = or_(
        exists().where(Idea.author_id == User.id, idea_visibility(viewer)),
        exists().where(Comment.author_id == User.id, Comment.deleted_at.is_(None),
                       readable_comment(viewer)),
    )  # fmt: skip
    own = User.id == viewer.id if signed_in(viewer) else false()
    return User.erased_at.is_(None) & or_(own, wrote)


def category_visibility(user):
    """SQL condition on Category: categories this user may see and post in."""
    return Category.audience.in_(visible_audiences(user))


def can_see_category(user, category: Category) -> bool:
    return category.audience in visible_audiences(user)


def can_see_vote_breakdown(user) -> bool:
    """Votes by kind and organization: the company's view, never a community moderator's."""
    return is_staff(user) or is_admin(user)


def notification_visibility(user):
    """SQL condition on Notification: shown only while its reader may still read what it
    points to (the idea, and the comment it quotes). Of an idea a moderator removed, only
    what was made after the removal (which carries none of its text) stays, for those who
    may not read removed content."""
    removed_before = (Idea.deleted_at.is_not(None)) & (Notification.created_at < Idea.deleted_at)
    idea_readable = exists(
        select(Idea.id).where(
            Idea.id == Notification.idea_id,
            idea_visibility(user),
            true() if sees_hidden(user) else ~removed_before,
        )
    )
    comment_readable = exists(
        select(Comment.id).where(
            Comment.id == Notification.comment_id,
            Comment.deleted_at.is_(None),
            readable_comment(user),
        )
    )
    # About an intake message (assigned, due, overdue): for staff only, should a staff member
    # have become someone else since.
    intake_readable = Notification.intake_message_id.is_(None)
    if is_staff(user) or is_admin(user):
        intake_readable = true()
    return (
        or_(Notification.idea_id.is_(None), idea_readable)
        & or_(Notification.comment_id.is_(None), comment_readable)
        & intake_readable
        & staff_note_notification_visibility(user)
    )


# -- what they may do: each returns why not, or None ------------------------------------------


def write_refusal(user) -> str | None:
    """Why this user may not write at all right now, or None when they may."""
    if not signed_in(user):
        return Refusal(_("Sign in to take part."))
    if user.is_suspended():
        until = datetime_for(user, user.suspended_until)  # in their own zone
        return Refusal(
            _("Your account is suspended until %(until)s: you can read but not write.", until=until)
        )
    if user.email_verified_at is None:
        return Refusal(
            _(
                "Confirm your e-mail address first: open the link we sent you "
                "(your account page can send it again). Until then you can read "
                "but not write."
            )
        )
    return None


def post_refusal(user) -> str | None:
    """Posting a new idea."""
    return write_refusal(user)


# Why an idea takes no more votes or comments, by its state (lazy: in the reader's language).
IDEA_CLOSED = {
    ("removed", "votes"): _l("This idea was removed by a moderator: votes are closed."),
    ("removed", "comments"): _l("This idea was removed by a moderator: comments are closed."),
    ("hidden", "votes"): _l("This idea is hidden by the moderators: votes are closed."),
    ("hidden", "comments"): _l("This idea is hidden by the moderators: comments are closed."),
    ("merged", "votes"): _l("This idea was merged into #%(into)s: votes go there instead."),
    ("merged", "comments"): _l("This idea was merged into #%(into)s: comments go there instead."),
    ("locked", "votes"): _l("This idea is locked: votes are closed."),
    ("locked", "comments"): _l("This idea is locked: comments are closed."),
    ("removed", "edits"): _l("This idea was removed by a moderator: edits are closed."),
    ("hidden", "edits"): _l("This idea is hidden by the moderators: edits are closed."),
    ("merged", "edits"): _l("This idea was merged into #%(into)s: edits go there instead."),
    ("locked", "edits"): _l("This idea is locked: edits are closed."),
    ("removed", "changes"): _l("This idea was removed by a moderator: changes are closed."),
    ("hidden", "changes"): _l("This idea is hidden by the moderators: changes are closed."),
    ("merged", "changes"): _l("This idea was merged into #%(into)s: changes go there instead."),
    ("locked", "changes"): _l("This idea is locked: changes are closed."),
}
VOTES_CLOSED = {
    "done": _l("This idea is done: votes are closed."),
    "declined": _l("This idea is declined: votes are closed."),
    "duplicate": _l("This idea is duplicate: votes are closed."),
}


def _idea_closed(idea: Idea, action: str) -> str | None:
    """Why an idea in its state takes no more `action` (votes, comments), or None."""
    if idea.deleted_at is not None:
        state = "removed"
    elif idea.hidden:
        state = "hidden"
    elif idea.merged_into_id is not None:
        state = "merged"
    elif idea.locked:
        state = "locked"
    else:
        return None
    return StateRefusal(str(IDEA_CLOSED[state, action]) % {"into": idea.merged_into_id})


def vote_refusal(user, idea: Idea) -> str | None:
    """Casting or withdrawing a vote (votes are frozen once an idea is settled)."""
    refusal = write_refusal(user) or _idea_closed(idea, "votes")
    if refusal:
        return refusal
    if idea.status in VOTE_CLOSED_STATUSES:
        closed = VOTES_CLOSED.get(idea.status)
        return StateRefusal(str(closed) if closed else _("Votes on this idea are closed."))
    return None


def comment_refusal(user, idea: Idea) -> str | None:
    return write_refusal(user) or _idea_closed(idea, "comments")


def reply_refusal(user, idea: Idea, parent: Comment) -> str | None:
    refusal = comment_refusal(user, idea)
    if refusal:
        return refusal
    if parent.is_deleted:
        return StateRefusal(_("That comment was deleted: reply to the discussion instead."))
    if parent.hidden:
        return StateRefusal(
            _("That comment is hidden by the moderators: reply to the discussion instead.")
        )
    return None


def _is_author(user, content) -> bool:
    return signed_in(user) and content.author_id == user.id


def moderates(user, content) -> bool:
    """Whether `user` acts on `content` as a moderator (someone else's, readable to them):
    such an edit or removal is a moderation action with a reason, in the public log."""
    return can_moderate(user) and not _is_author(user, content) and can_read(user, content)


def edit_refusal(user, content) -> str | None:
    """Editing an idea or a comment: the author within the rules of its state, or a
    moderator (a moderation action, with a reason)."""
    refusal = write_refusal(user)
    if refusal:
        return refusal
    if isinstance(content, Comment) and content.is_deleted:
        return StateRefusal(_("This comment was deleted."))
    if isinstance(content, Idea) and content.deleted_at is not None:
        return StateRefusal(_("This idea was removed by a moderator."))
    if can_moderate(user) and can_read(user, content):
        return None
    if not _is_author(user, content):
        return Refusal(_("Only the author (or a moderator) can edit this."))
    if isinstance(content, Idea):
        return _idea_closed(content, "edits")
    idea = db.session.get(Idea, content.idea_id)
    refusal = _idea_closed(idea, "edits")
    if refusal:
        return refusal
    if content.hidden:
        return StateRefusal(_("This comment is hidden by the moderators: it cannot be edited."))
    hours = current_app.config["COMMENT_EDIT_HOURS"]
    if content.created_at < utcnow() - timedelta(hours=hours):
        return StateRefusal(
            _("Comments can be edited for %(hours)s hours after they are posted.", hours=hours)
        )
    return None


def move_refusal(user, idea: Idea, others_took_part=False) -> str | None:
    """Moving a misfiled idea to another category or kind: staff and moderators (who may
    read it); its author only until someone else has voted or commented (`others_took_part`,
    a bool or a function asked only for the author), since those people chose it as it was
    filed."""
    refusal = write_refusal(user)
    if refusal:
        return refusal
    if idea.deleted_at is not None:
        return StateRefusal(_("This idea was removed by a moderator."))
    if idea.merged_into_id is not None:
        return StateRefusal(
            _("This idea was merged into #%(into)s: move that one.", into=idea.merged_into_id)
        )
    if (is_staff(user) or is_admin(user) or can_moderate(user)) and can_read(user, idea):
        return None
    if not _is_author(user, idea):
        return Refusal(_("Only staff, moderators and the author can move an idea."))
    if others_took_part() if callable(others_took_part) else others_took_part:
        return StateRefusal(_("Others have voted or commented on it: ask a moderator to move it."))
    return _idea_closed(idea, "changes")


def move_target_refusal(user, idea: Idea, category: Category) -> str | None:
    """Where a misfiled idea may go: into another audience (who may read it) only by staff,
    who answer for it, and never where its own author could not see it."""
    if category.audience != idea.audience and not (is_staff(user) or is_admin(user)):
        return InputRefusal(_("Only staff move an idea to a category with another audience: that "
                              "changes who may read it and its discussion."),
                            "category")  # fmt: skip
    if not can_see_category(idea.author, category):
        return InputRefusal(_("Its author could not see it in that category."), "category")
    return None


def delete_refusal(user, comment: Comment) -> str | None:
    """Deleting a comment: its author at any time, or a moderator (with a reason)."""
    refusal = write_refusal(user)
    if refusal:
        return refusal
    if comment.is_deleted:
        return StateRefusal(_("This comment is already deleted."))
    if _is_author(user, comment) or moderates(user, comment):
        return None
    return Refusal(_("Only the author (or a moderator) can delete this comment."))


def flag_refusal(user, target) -> str | None:
    """Flagging an idea, a comment or a user."""
    refusal = write_refusal(user)
    if refusal:
        return refusal
    if isinstance(target, User):
        return (
            InputRefusal(_("You cannot flag yourself."), "target_id")
            if target.id == user.id
            else None
        )
    if _is_author(user, target):
        return InputRefusal(_("You cannot flag your own content."), "target_id")
    if getattr(target, "deleted_at", None) is not None:
        return StateRefusal(_("This was deleted: there is nothing to flag."))
    if target.hidden:
        return StateRefusal(_("This is already hidden and waits for the moderators."))
    return None


def appeal_refusal(user, content, already_appealed: bool = False) -> str | None:
    """The author of hidden content asks, once, for another look."""
    refusal = write_refusal(user)
    if refusal:
        return refusal
    if not _is_author(user, content):
        return Refusal(_("Only the author can appeal."))
    if getattr(content, "deleted_at", None) is not None and not content.hidden:
        return StateRefusal(_("This was deleted: there is nothing to appeal."))
    if not content.hidden:
        return StateRefusal(_("This is not hidden: there is nothing to appeal."))
    if already_appealed:
        return StateRefusal(_("You have already appealed this once."))
    return None


def moderation_refusal(user) -> str | None:
    """Using the review queue and moderation actions at all."""
    if not can_moderate(user):
        return Refusal(_("Only moderators may do this."))
    return write_refusal(user)


# Which actions apply to a target in its state (the review queue and in-place moderation).
def moderation_actions(user, target) -> list[str]:
    """The moderation actions `user` may take on `target` as it is now, in a sensible order."""
    if moderation_refusal(user):
        return []
    if isinstance(target, User):
        if can_moderate(target):
            return []
        suspended = target.is_suspended()
        return ["unsuspend"] if suspended else ["suspend"]
    actions = []
    removed = getattr(target, "deleted_at", None) is not None
    if removed:
        return []
    # On hidden content, `hide` keeps it hidden with the moderator's reason (an appeal
    # rejected, an automatic hold confirmed).
    actions += ["restore", "hide"] if target.hidden else ["hide"]
    if isinstance(target, Idea):
        actions.append("unlock" if target.locked else "lock")
        if target.merged_into_id is None:
            actions.append("merge")
    if not _is_author(user, target):
        actions += ["edit", "delete"]
    return actions


def merge_refusal(user, duplicate: Idea, original: Idea) -> str | None:
    """Merging `duplicate` into `original`: only ideas with exactly the same viewers."""
    refusal = moderation_refusal(user)
    if refusal:
        return refusal
    if original.id == duplicate.id:
        return StateRefusal(_("An idea cannot be merged into itself."))
    if duplicate.merged_into_id is not None:
        return StateRefusal(
            _("This idea is already merged into #%(into)s.", into=duplicate.merged_into_id)
        )
    if original.merged_into_id is not None:
        return StateRefusal(
            _(
                "That idea was itself merged into #%(into)s: merge there.",
                into=original.merged_into_id,
            )
        )
    if original.deleted_at is not None:
        return StateRefusal(_("That idea was removed by a moderator."))
    if not same_viewers([duplicate, original]):
        return StateRefusal(
            _(
                "These ideas are seen by different people (audience or "
                "confidentiality): merging would show one's content to people who "
                "may not see it."
            )
        )
    return None


def _staff_refusal(user, message: str) -> str | None:
    """Staff work (and admins'), by someone who may write."""
    refusal = write_refusal(user)
    if refusal:
        return refusal
    if not (is_staff(user) or is_admin(user)):
        return Refusal(message)
    return None


def answer_refusal(user, idea: Idea | None = None) -> str | None:
    """Answering officially and changing an idea's status: staff (and admins)."""
    refusal = _staff_refusal(user, "Only staff can answer officially or change an idea's status.")
    if refusal:
        return refusal
    if idea is not None:
        if not can_read(user, idea):
            return StateRefusal(_("This idea is hidden by the moderators."))
        if idea.deleted_at is not None:
            return StateRefusal(_("This idea was removed by a moderator."))
        if idea.merged_into_id is not None:
            return StateRefusal(
                _("This idea was merged into #%(into)s: answer there.", into=idea.merged_into_id)
            )
    return None


def official_refusal(user, idea: Idea, comment: Comment, official: bool = True) -> str | None:
    """Marking a comment as the official response (or unmarking it): staff, on a staff
    member's comment that is neither hidden nor deleted."""
    refusal = answer_refusal(user, idea)
    if refusal or not official:
        return refusal
    if comment.is_deleted:
        return StateRefusal(_("A deleted comment cannot be an official response."))
    if comment.hidden:
        return StateRefusal(_("A hidden comment cannot be an official response."))
    if comment.author.kind != "staff":
        return InputRefusal(_("Only a staff member's comment can be the official response."),
                            "official")  # fmt: skip
    return None


def manage_items_refusal(user) -> str | None:
    """Improvement items: staff (and admins)."""
    return _staff_refusal(user, "Only staff manage improvement items.")


def unlink_refusal(user, item, idea: Idea, linked: int) -> str | None:
    """Taking an idea off an item (`linked`: how many ideas the item holds): staff; the idea
    must be on it, and an item keeps at least one idea (drop the item instead)."""
    refusal = manage_items_refusal(user)
    if refusal:
        return refusal
    if idea.item_id != item.id:
        return InputRefusal(_("Idea #%(id)s is not linked to this item.", id=idea.id), "idea_id")
    if linked <= 1:
        return StateRefusal(_("An item keeps at least one idea: drop the item instead."))
    return None


def promote_refusal(user, idea: Idea) -> str | None:
    """Promoting an idea (or linking it to an item): never a hidden, removed or merged one,
    whose title the roadmap would then publish."""
    refusal = manage_items_refusal(user)
    if refusal:
        return refusal
    if idea.deleted_at is not None or idea.hidden:
        return StateRefusal(
            _("Idea #%(id)s is hidden by the moderators: it cannot be promoted.", id=idea.id)
        )
    if idea.merged_into_id is not None:
        return StateRefusal(
            _("Idea #%(id)s was merged into #%(into)s.", id=idea.id, into=idea.merged_into_id)
        )
    if idea.item_id is not None:
        return StateRefusal(
            _(
                "Idea #%(id)s is already linked to item #%(item_id)s.",
                id=idea.id,
                item_id=idea.item_id,
            )
        )
    return None


def approve_refusal(user) -> str | None:
    """Approving (or revoking) a supplier: staff and admins who may write."""
    return _staff_refusal(user, "Only staff and admins approve suppliers.")


def mark_confidential_refusal(user) -> str | None:
    if not _approved_supplier(user):
        return Refusal(_("Only approved suppliers can mark an idea confidential."))
    return None


def administer_refusal(user) -> str | None:
    """Users, categories, teams, organizations, webhooks and settings: admins."""
    if not is_admin(user):
        return Refusal(_("Only admins may do this."))
    return write_refusal(user)


def _other_active_admins(user) -> int:
    """Admins besides `user` who can act: not suspended, with a confirmed address (an
    unconfirmed account may only read)."""
    now = utcnow()
    return db.session.scalar(
        select(func.count(User.id)).where(
            User.role == "admin",
            User.id != user.id,
            User.email_verified_at.is_not(None),
            or_(User.suspended_until.is_(None), User.suspended_until <= now),
        )
    )


def role_change_refusal(actor, user, role) -> str | None:
    """Giving `user` the role `role`: admins, and never the admin role away from the last
    admin who can act (nobody could administer the portal after that)."""
    refusal = administer_refusal(actor)
    if refusal:
        return refusal
    if user.role == "admin" and role != "admin" and not _other_active_admins(user):
        if actor.id == user.id:
            return StateRefusal(_("You are the only admin: make someone else an admin before "
                                  "changing this role."))  # fmt: skip
        return StateRefusal(_("%(name)s is the only admin: make someone else an admin before "
                              "changing this role.", name=user.display_name))  # fmt: skip
    return None


def erase_refusal(user) -> str | None:
    """Erasing a person's data (SPEC 15): anyone, for themselves (suspended or not: it is
    their right), but never the last admin who can act, and never twice."""
    if user.erased_at is not None:
        return StateRefusal(_("This account was erased already."))
    if user.role == "admin" and not _other_active_admins(user):
        return StateRefusal(
            _(
                "%(name)s is the only admin: make someone else an admin first.",
                name=user.display_name,
            )
        )
    return None


def supplier_decision_refusal(actor, user) -> str | None:
    """Approving or rejecting a supplier who registered: staff and admins, and only while the
    supplier is waiting."""
    refusal = approve_refusal(actor)
    if refusal:
        return refusal
    if not user.is_pending_supplier:
        return StateRefusal(_("%(name)s is not waiting for approval.", name=user.display_name))
    return None


def owns_address(user) -> bool:
    """Whether the person proved their account's e-mail address theirs (its link, a reset, a
    sign-in provider). Anyone can type any address when registering: until then, messages
    sent from that address (intake) are not theirs to read in an export nor to erase."""
    return user.email_verified_at is not None


def single_sign_on_refusal(user, provider_kind: str) -> str | None:
    """Signing in as `user` through an identity provider for `provider_kind` people (SPEC
    15), by an identity joined before as much as by one joined now. Like a password sign-in:
    a suspended account signs in (and may only read); an erased one is gone. Staff and
    admin accounts, and accounts of another kind, are never opened by a provider (a
    customers' provider must not open them), also when the account became one after its
    identity was joined."""
    if user.is_erased:
        return Refusal(_("This account was erased: it cannot be signed in to."))
    if user.kind == "staff" or user.role == "admin":
        return StateRefusal(
            _(
                "This is a staff or admin account, which a sign-in provider never "
                "opens: sign in with your password."
            )
        )
    if user.kind != provider_kind and user.kind == "supplier":
        return StateRefusal(_("This is a supplier account, and this provider signs in customers: "
                              "sign in with your password."))  # fmt: skip
    if user.kind != provider_kind:
        return StateRefusal(_("This is a customer account, and this provider signs in suppliers: "
                              "sign in with your password."))  # fmt: skip
    return None


def identity_link_refusal(user, provider_kind: str) -> str | None:
    """Joining an identity of a provider for `provider_kind` people to the existing account
    with the same (verified) e-mail: only to an account it may open (single_sign_on_refusal)."""
    return single_sign_on_refusal(user, provider_kind)


def team_member_refusal(user, kind: str | None = None, role: str | None = None) -> str | None:
    """Whether `user` (with `kind` and `role`, when these are about to change) may belong to
    a team: staff and admins, whom work may be assigned to."""
    kind, role = kind or user.kind, role or user.role
    if kind != "staff" and role != "admin":
        return InputRefusal(
            _(
                "%(name)s is not staff: only staff and admins belong to teams.",
                name=user.display_name,
            ),
            "teams",
        )
    return None


def team_membership_refusal(actor, team, user, adding: bool) -> str | None:
    """Adding `user` to `team` (staff and admins only) or taking them off it: admins."""
    refusal = administer_refusal(actor)
    if refusal:
        return refusal
    member = any(m.id == user.id for m in team.members)
    if adding:
        refusal = team_member_refusal(user)
        if refusal:
            return InputRefusal(str(refusal), "user_id")
        if member:
            return InputRefusal(
                _("%(name)s is already in %(team)s.", name=user.display_name, team=team.name),
                "user_id",
            )
    elif not member:
        return InputRefusal(
            _("%(name)s is not in %(team)s.", name=user.display_name, team=team.name), "user_id"
        )
    return None


def archive_refusal(actor, category: Category, archive: bool) -> str | None:
    """Archiving a category (it takes no new ideas; its ideas stay) or bringing it back."""
    refusal = administer_refusal(actor)
    if refusal:
        return refusal
    if archive and category.archived_at is not None:
        return StateRefusal(_("%(category)s is already archived.", category=category.name))
    if not archive and category.archived_at is None:
        return StateRefusal(_("%(category)s is not archived.", category=category.name))
    return None


def move_ideas_refusal(actor, source: Category, target: Category | None) -> str | None:
    """Moving every idea of `source` into `target`: another category that takes ideas."""
    refusal = administer_refusal(actor)
    if refusal:
        return refusal
    if target is None:
        return InputRefusal(_("Choose the category to move the ideas to."), "target")
    if target.id == source.id:
        return InputRefusal(_("Choose another category than this one."), "target")
    if target.archived_at is not None:
        return InputRefusal(
            _("%(target)s is archived: it takes no ideas.", target=target.name), "target"
        )
    return None


def audience_viewers(audience: str):
    """SQL condition on User: the people who may see ideas of `audience` (visible_audiences,
    for many people at once: followers who must stop following an idea they no longer see)."""
    if audience == "public":
        return true()
    everything = (User.role == "admin") | (User.kind == "staff")
    supplier = (
        (User.kind == "supplier") & User.approved.is_(true()) & User.organization_id.is_not(None)
    )
    return everything | (supplier if audience == "suppliers" else not_(supplier))


def staff_area_refusal(user) -> str | None:
    """The staff pages (triage, dashboard, exports): staff and admins."""
    if not (is_staff(user) or is_admin(user)):
        return Refusal(_("Only staff can open this page."))
    return None


# -- intake and routing (SPEC 12, 13) ---------------------------------------------------------

INTAKE_ACTIONS = ("attach", "convert", "reply", "dismiss", "assign")


def can_see_intake(user) -> bool:
    """Intake messages, their senders, and the evidence quoted on ideas: staff (and admins)."""
    return is_staff(user) or is_admin(user)


def can_see_assignment(user) -> bool:
    """Who an idea or message is assigned to, and when its answer is due: staff only."""
    return is_staff(user) or is_admin(user)


def intake_refusal(user) -> str | None:
    """Working intake (the inbox, its API, acting on a message): staff who may write."""
    return _staff_refusal(user, "Only staff work the intake inbox.")


def intake_action_refusal(user, message, action: str) -> str | None:
    """An action on an intake message in its state: attaching, converting, dismissing and
    assigning take an open message; a reply may follow whatever was done with it."""
    refusal = intake_refusal(user)
    if refusal:
        return refusal
    if action != "reply" and message.status != "open":
        if message.status == "attached":
            return StateRefusal(_("This message was already attached to idea #%(id)s.",
                                  id=message.idea_id))  # fmt: skip
        if message.status == "converted":
            return StateRefusal(_("This message was already converted into idea #%(id)s.",
                                  id=message.idea_id))  # fmt: skip
        return StateRefusal(_("This message was already dismissed."))
    return None


def evidence_refusal(user, idea: Idea) -> str | None:
    """Attaching a message to `idea` as evidence: an idea the staff member sees, neither
    hidden nor removed nor merged (its evidence belongs to the original)."""
    if not can_see_idea(user, idea):
        return InputRefusal(_("There is no idea #%(id)s.", id=idea.id), "idea_id")
    if idea.deleted_at is not None or idea.hidden:
        return InputRefusal(_("Idea #%(id)s is hidden by the moderators.", id=idea.id), "idea_id")
    if idea.merged_into_id is not None:
        return InputRefusal(
            _(
                "Idea #%(id)s was merged into #%(into)s: attach to that one.",
                id=idea.id,
                into=idea.merged_into_id,
            ),
            "idea_id",
        )
    return None


def reassign_refusal(user, idea: Idea | None = None) -> str | None:
    """Giving an idea to another team or person: staff, on an idea they may answer."""
    return answer_refusal(user, idea)


def takes_assignments(user) -> bool:
    """Whom work may be assigned to: staff and admins."""
    return (
        user is not None
        and (user.kind == "staff" or user.role == "admin")
        and user.erased_at is None
    )


def assignable_people():
    """SQL condition on User: the people `takes_assignments` admits, who still exist (an
    erased account is offered for nothing)."""
    return or_(User.kind == "staff", User.role == "admin") & User.erased_at.is_(None)


def takes_assignments_refusal(user) -> str | None:
    """Saying whether one takes new work: staff (and admins) who may write."""
    return _staff_refusal(user, "Only staff are given work to answer.")


# -- staff notes and saved replies (issue 15) -------------------------------------------------


def can_see_staff_notes(user, idea: Idea | None = None) -> bool:
    """The private thread beside an idea's discussion: staff and admins, and of one idea only
    while they may read it (a staff member who meets a hidden idea's tombstone sees none of
    its notes either). Everyone else never learns that notes exist."""
    if not (is_staff(user) or is_admin(user)):
        return False
    return idea is None or can_read(user, idea)


def staff_note_refusal(user, idea: Idea) -> str | None:
    """Writing a staff note on `idea`: staff who may write and read the idea. A locked,
    merged or closed idea still takes notes: they are the staff's own working memory."""
    refusal = _staff_refusal(user, "Only staff write staff notes.")
    if refusal:
        return refusal
    if not can_read(user, idea):
        return StateRefusal(_("This idea is hidden by the moderators."))
    return None


def staff_note_edit_refusal(user, note) -> str | None:
    """Editing a staff note: its author, within COMMENT_EDIT_HOURS (as for comments)."""
    idea = db.session.get(Idea, note.idea_id)
    refusal = staff_note_refusal(user, idea)
    if refusal:
        return refusal
    if note.author_id != user.id:
        return Refusal(_("Only its author can edit a staff note."))
    hours = current_app.config["COMMENT_EDIT_HOURS"]
    if note.created_at < utcnow() - timedelta(hours=hours):
        return StateRefusal(
            _("Staff notes can be edited for %(hours)s hours after they are written.", hours=hours)
        )
    return None


def staff_note_delete_refusal(user, note) -> str | None:
    """Deleting a staff note: its author, or an admin (any note)."""
    idea = db.session.get(Idea, note.idea_id)
    refusal = staff_note_refusal(user, idea)
    if refusal:
        return refusal
    if note.author_id != user.id and not is_admin(user):
        return Refusal(_("Only its author (or an admin) can delete a staff note."))
    return None


def staff_note_notification_visibility(user):
    """SQL condition on Notification: one quoting a staff note is for staff only (should its
    reader have become someone else since)."""
    if is_staff(user) or is_admin(user):
        return true()
    return Notification.staff_note_id.is_(None)


def can_use_saved_replies(user) -> bool:
    """Inserting a saved reply while answering (the picker): staff and admins, any team's."""
    return is_staff(user) or is_admin(user)


def saved_replies_refusal(user) -> str | None:
    """The saved replies page and the picker: staff who may write."""
    return _staff_refusal(user, "Only staff use saved replies.")


def manage_saved_reply_refusal(user, team) -> str | None:
    """Creating, editing or deleting a team's saved replies: its members and admins."""
    refusal = saved_replies_refusal(user)
    if refusal:
        return refusal
    if team is None:
        return InputRefusal(_("Choose the team the reply belongs to."), "team_id")
    if not is_admin(user) and all(t.id != team.id for t in user.teams):
        return Refusal(
            _("Only members of %(team)s (and admins) manage its saved replies.", team=team.name)
        )
    return None


def allowed(refusal: str | None) -> bool:
    """For templates: `allowed(vote_refusal(viewer, idea))`."""
    return refusal is None


JINJA_GLOBALS = {
    name: globals()[name]
    for name in (
        "signed_in",
        "is_staff",
        "is_admin",
        "can_moderate",
        "sees_hidden",
        "can_see_idea",
        "can_read",
        "can_see_vote_breakdown",
        "has_feed",
        "write_refusal",
        "post_refusal",
        "vote_refusal",
        "comment_refusal",
        "reply_refusal",
        "edit_refusal",
        "delete_refusal",
        "move_refusal",
        "flag_refusal",
        "appeal_refusal",
        "moderation_refusal",
        "moderation_actions",
        "moderates",
        "answer_refusal",
        "official_refusal",
        "manage_items_refusal",
        "promote_refusal",
        "unlink_refusal",
        "approve_refusal",
        "supplier_decision_refusal",
        "role_change_refusal",
        "team_member_refusal",
        "team_membership_refusal",
        "archive_refusal",
        "can_see_intake",
        "can_see_assignment",
        "intake_refusal",
        "intake_action_refusal",
        "takes_assignments_refusal",
        "mark_confidential_refusal",
        "administer_refusal",
        "staff_area_refusal",
        "can_see_staff_notes",
        "staff_note_refusal",
        "staff_note_edit_refusal",
        "staff_note_delete_refusal",
        "can_use_saved_replies",
        "manage_saved_reply_refusal",
        "allowed",
    )
}
