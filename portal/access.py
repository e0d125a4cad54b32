"""The one place where visibility and permissions are decided.

Every list, count, detail page, API response (and later search, feed and export) asks
here. Query filters (`idea_visibility`) and the per-object predicates (`can_see_idea`)
implement the same rule and are tested against each other.
"""

from sqlalchemy import false, or_, true

from portal.ideas.models import AUDIENCES, Category, Comment, Idea


def _signed_in(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False)


def is_staff(user) -> bool:
    return _signed_in(user) and user.kind == "staff"


def is_moderator(user) -> bool:
    return _signed_in(user) and user.role in ("moderator", "admin")


def is_admin(user) -> bool:
    return _signed_in(user) and user.role == "admin"


def sees_everything(user) -> bool:
    return is_moderator(user)


def _approved_supplier(user) -> bool:
    return _signed_in(user) and user.kind == "supplier" and user.approved


def visible_audiences(user) -> tuple[str, ...]:
    """Category audiences whose ideas this user may see."""
    if not _signed_in(user):
        return ("public",)
    if user.kind == "staff" or is_moderator(user):
        return AUDIENCES
    if _approved_supplier(user):
        return ("public", "suppliers")
    # Customers, and suppliers still pending approval, see what a customer sees.
    return ("public", "customers")


def viewer_class(user) -> str:
    """A key naming everything that decides what this user sees (for caches)."""
    if not _signed_in(user):
        return "anon"
    if sees_everything(user):
        return "all"
    if user.kind == "staff":
        return "staff"
    if _approved_supplier(user):
        return f"supplier:{user.organization_id}"
    return "customer"


def idea_visibility(user, *, include_hidden_own: bool = True, hidden_is_public: bool = False):
    """SQL condition on Idea: the ideas this user may see.

    Hidden ideas are left out for all but moderators (and, with `include_hidden_own`, their
    author) unless `hidden_is_public`: their tombstone is public, for pages and the log.
    """
    if sees_everything(user):
        return true()
    condition = Idea.audience.in_(visible_audiences(user))
    if not is_staff(user):
        if _approved_supplier(user) and user.organization_id is not None:
            condition &= or_(
                Idea.confidential.is_(false()), Idea.organization_id == user.organization_id
            )
        else:
            condition &= Idea.confidential.is_(false())
    if hidden_is_public:
        return condition
    not_hidden = Idea.hidden.is_(false())
    if include_hidden_own and _signed_in(user):
        not_hidden = or_(not_hidden, Idea.author_id == user.id)
    return condition & not_hidden


def can_see_idea(user, idea: Idea) -> bool:
    """May this user open the idea's page? (A hidden idea shows others its tombstone.)"""
    if sees_everything(user):
        return True
    if idea.audience not in visible_audiences(user):
        return False
    own_organization = _approved_supplier(user) and user.organization_id == idea.organization_id
    return not (idea.confidential and not (is_staff(user) or own_organization))


def can_see_hidden_content(user, content) -> bool:
    """Hidden content itself (not its tombstone): moderators and its author."""
    return sees_everything(user) or (_signed_in(user) and content.author_id == user.id)


def comment_visibility(user):
    """SQL condition on Comment (beside the idea's own): hidden comments for moderators only."""
    return true() if sees_everything(user) else Comment.hidden.is_(false())


def search_scope(user):
    """What the search index must filter to, for this user (same rule as idea_visibility)."""
    from portal.search.querying import Scope

    if sees_everything(user):
        return Scope(audiences=AUDIENCES, confidential="all", include_hidden=True)
    if is_staff(user):
        return Scope(audiences=AUDIENCES, confidential="all", include_hidden=False)
    if _approved_supplier(user) and user.organization_id is not None:
        return Scope(
            audiences=visible_audiences(user),
            confidential=str(user.organization_id),
            include_hidden=False,
        )
    return Scope(audiences=visible_audiences(user), confidential="none", include_hidden=False)


def same_viewers(ideas) -> bool:
    """Whether whoever may see one of `ideas` may see them all (and so their item): the
    same audience, confidentiality and organization."""
    return len({(i.category.audience, i.confidential, i.organization_id) for i in ideas}) <= 1


def item_visibility(user):
    """SQL condition on ImprovementItem: visible to whoever may see every linked idea."""
    from sqlalchemy import exists, not_, select

    from portal.tracking.models import ImprovementItem

    if sees_everything(user):
        return true()
    unseen = select(Idea.id).where(
        Idea.item_id == ImprovementItem.id, not_(idea_visibility(user, hidden_is_public=True))
    )
    return ~exists(unseen)


def can_manage_items(user) -> bool:
    return can_change_status(user)


def category_visibility(user):
    """SQL condition on Category: categories this user may see and post in."""
    return Category.audience.in_(visible_audiences(user))


def can_see_category(user, category: Category) -> bool:
    return category.audience in visible_audiences(user)


def write_refusal(user) -> str | None:
    """Why this user may not write at all right now, or None when they may."""
    if not _signed_in(user):
        return "Sign in to take part."
    if user.is_suspended():
        until = user.suspended_until.strftime("%Y-%m-%d %H:%M UTC")
        return f"Your account is suspended until {until}: you can read but not write."
    if user.email_verified_at is None:
        return (
            "Confirm your e-mail address first: open the link we sent you (your account page "
            "can send it again). Until then you can read but not write."
        )
    return None


def can_write(user) -> bool:
    return write_refusal(user) is None


def can_mark_confidential(user) -> bool:
    return _approved_supplier(user) and user.organization_id is not None


def can_edit_idea(user, idea: Idea) -> bool:
    return can_write(user) and (idea.author_id == user.id or is_moderator(user))


def can_change_status(user) -> bool:
    return can_write(user) and (is_staff(user) or is_admin(user))


def can_answer_officially(user) -> bool:
    return can_change_status(user)


def can_see_vote_breakdown(user) -> bool:
    return is_staff(user) or is_moderator(user)


def can_edit_comment(user, comment: Comment) -> bool:
    return (
        can_write(user)
        and not comment.is_deleted
        and (comment.author_id == user.id or is_moderator(user))
    )


def can_delete_comment(user, comment: Comment) -> bool:
    return can_edit_comment(user, comment)


def can_approve_suppliers(user) -> bool:
    return is_admin(user) or is_staff(user)


def can_administer(user) -> bool:
    return is_admin(user)


def can_moderate(user) -> bool:
    return is_moderator(user)


JINJA_GLOBALS = {
    "can_manage_items": can_manage_items,
    "can_moderate": can_moderate,
    "can_see_hidden_content": can_see_hidden_content,
    "can_see_idea": can_see_idea,
    "can_write": can_write,
    "can_edit_idea": can_edit_idea,
    "can_change_status": can_change_status,
    "can_answer_officially": can_answer_officially,
    "can_see_vote_breakdown": can_see_vote_breakdown,
    "can_edit_comment": can_edit_comment,
    "can_delete_comment": can_delete_comment,
    "can_mark_confidential": can_mark_confidential,
    "can_approve_suppliers": can_approve_suppliers,
    "can_administer": can_administer,
    "is_moderator": is_moderator,
}
