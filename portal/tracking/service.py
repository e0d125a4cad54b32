"""Improvement items: promote ideas, move items through their workflow, list what is visible."""

import logging
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select

from portal import access
from portal.accounts.models import Team, User
from portal.errors import Invalid, NotFound, refuse
from portal.extensions import db
from portal.ideas import service as ideas
from portal.ideas.models import Category, Idea, StatusChange
from portal.labels import ITEM_STATUS_LABELS
from portal.markdown import render
from portal.notify import service as notify
from portal.timeutil import utcnow
from portal.tracking.models import (
    IDEA_STATUS_FOR,
    ITEM_STATUSES,
    PRIORITIES,
    TRANSITIONS,
    ImprovementItem,
    ItemChange,
)
from portal.validation import category_filter, choice, clean_text

log = logging.getLogger(__name__)


def _require_staff(user) -> None:
    refuse(access.manage_items_refusal(user))


def linked_ideas(item: ImprovementItem, user=None, *, readable_only: bool = False) -> list[Idea]:
    """The ideas an item answers; with `readable_only`, those `user` may read (an item page
    never names a hidden idea to those who may not read it)."""
    ideas = db.session.scalars(select(Idea).where(Idea.item_id == item.id).order_by(Idea.id))
    return [i for i in ideas if not readable_only or access.can_read(user, i)]


def get_item(user, item_id) -> ImprovementItem:
    """The item if `user` may see every idea linked to it; NotFound otherwise."""
    try:
        item_id = int(item_id)
    except (TypeError, ValueError):
        raise NotFound(_("No such item.")) from None
    item = db.session.get(ImprovementItem, item_id) if 0 < item_id < 2**31 else None
    if item is None or not db.session.scalar(
        select(ImprovementItem.id).where(
            ImprovementItem.id == item.id, access.item_visibility(user)
        )
    ):
        raise NotFound(_("No such item."))
    return item


def visible_item_ids(user, item_ids) -> set[int]:
    """Which of `item_ids` `user` may see (one query; none when there are no ids)."""
    item_ids = {i for i in item_ids if i}
    if not item_ids:
        return set()
    return set(
        db.session.scalars(
            select(ImprovementItem.id).where(
                ImprovementItem.id.in_(item_ids), access.item_visibility(user)
            )
        )
    )


def visible_items(user, status: str | None = None, category: str | None = None):
    query = select(ImprovementItem).where(access.item_visibility(user))
    if status:
        query = query.where(ImprovementItem.status == choice(status, "status", ITEM_STATUSES))
    if category:
        query = query.where(
            ImprovementItem.id.in_(
                select(Idea.item_id)
                .join(Category, Category.id == Idea.category_id)
                .where(Category.slug == category_filter(category))
            )
        )
    return query


def changelog(user, limit: int | None = None) -> tuple[list[ImprovementItem], dict[int, list]]:
    """Shipped items `user` may see, newest first (at most `limit`), and for each the linked
    ideas `user` may read: never the title of a hidden idea (two queries)."""
    query = visible_items(user, status="shipped").order_by(
        ImprovementItem.shipped_at.desc(), ImprovementItem.id.desc()
    )
    shipped = list(db.session.scalars(query.limit(limit) if limit else query))
    linked: dict[int, list[Idea]] = {}
    if shipped:
        for idea in db.session.scalars(
            select(Idea).where(Idea.item_id.in_([i.id for i in shipped])).order_by(Idea.id)
        ):
            if access.can_read(user, idea):
                linked.setdefault(idea.item_id, []).append(idea)
    return shipped, linked


def _owner(owner_id) -> User | None:
    if owner_id in (None, ""):
        return None
    if isinstance(owner_id, bool) or not str(owner_id).isdigit():
        message = _("Must be a user id.")
        raise Invalid(_("Owner: %(message)s", message=message), {"owner_id": [message]})
    owner = db.session.get(User, int(owner_id)) if int(owner_id) < 2**31 else None
    if owner is None or owner.kind != "staff":
        message = _("The owner must be a staff member.")
        raise Invalid(_("Owner: %(message)s", message=message), {"owner_id": [message]})
    return owner


def _team(team) -> Team | None:
    if team in (None, ""):
        return None
    if isinstance(team, int) and not isinstance(team, bool):
        found = db.session.get(Team, team) if 0 < team < 2**31 else None
    elif isinstance(team, str):
        found = db.session.scalar(select(Team).where(Team.name == team))
        if found is None and team.isdigit() and int(team) < 2**31:
            found = db.session.get(Team, int(team))
    else:
        found = None
    if found is None:
        message = _("No such team.")
        raise Invalid(_("Team: %(message)s", message=message), {"team": [message]})
    return found


def _target_date(value) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        message = _("Use a date like 2027-03-31.")
        raise Invalid(_("Target date: %(message)s", message=message),
                      {"target_date": [message]}) from None  # fmt: skip


def _set_idea_status(user, idea: Idea, status: str, note: str) -> None:
    if idea.status != status:
        db.session.add(
            StatusChange(
                idea_id=idea.id, by_id=user.id, from_status=idea.status, to_status=status, note=note
            )  # fmt: skip
        )
        idea.status = status
        idea.status_note = note
        idea.updated_at = utcnow()
        # A status change with a note is a staff answer (SPEC 6), as in ideas.change_status.
        if note and idea.first_staff_answer_at is None:
            idea.first_staff_answer_at = idea.updated_at


def promote(user, idea_ids, *, title=None, description="", team=None, owner_id=None,
            priority="p3", target_date=None) -> ImprovementItem:  # fmt: skip
    """Turn one idea (or several related ones) into a tracked improvement item."""
    _require_staff(user)
    if not idea_ids:
        message = _("Choose at least one idea.")
        raise Invalid(message, {"idea_ids": [message]})
    linked = []
    for n, idea_id in enumerate(dict.fromkeys(idea_ids)):
        idea = ideas.get_idea(user, idea_id) if n == 0 else _named_idea(user, idea_id)
        refuse(access.promote_refusal(user, idea))
        linked.append(idea)
    first = linked[0]
    title = clean_text(title if title else first.title, "title", min_length=5, max_length=150,
                       label=_("Title"))  # fmt: skip
    description = clean_text(description or "", "description", max_length=20_000,
                             label=_("Description"))  # fmt: skip
    item = ImprovementItem(
        title=title,
        description=description,
        description_html=render(description),
        status="planned",
        priority=choice(priority or "p3", "priority", PRIORITIES, label=_("Priority")),
        team=_team(team) if team not in (None, "") else first.category.team,
        owner=_owner(owner_id),
        target_date=_target_date(target_date),
        created_by_id=user.id,
    )
    db.session.add(item)
    db.session.flush()
    db.session.add(ItemChange(item_id=item.id, by_id=user.id, from_status=None,
                              to_status="planned", note="Promoted from ideas."))  # fmt: skip
    # Not the item's title: the note reaches everyone who may see this idea (page, followers'
    # notifications and e-mail), some of whom may not see the item (SPEC section 6).
    note = f"Planned as improvement item #{item.id}."
    told: set[int] = set()  # a follower of several of these ideas hears once
    for idea in linked:
        idea.item_id = item.id
        _set_idea_status(user, idea, "planned", note)
        notify.idea_status_changed(user, idea, note, told)
    notify.item_webhook(item, None, "planned")
    db.session.flush()
    log.info("user %s promoted ideas %s to item %s", user.id, [i.id for i in linked], item.id)
    return item


def update_item(user, item: ImprovementItem, *, status=None, note=None, owner_id=...,
                priority=None, target_date=..., idea_ids=None, title=None,
                description=None, team=...) -> ImprovementItem:  # fmt: skip
    """Change an item; a status change follows the workflow and moves linked ideas along."""
    _require_staff(user)
    note = clean_text(note, "note", max_length=5000, label=_("Note")) if note else None
    if title is not None:
        item.title = clean_text(title, "title", min_length=5, max_length=150, label=_("Title"))
    if description is not None:
        item.description = clean_text(description, "description", max_length=20_000,
                                      label=_("Description"))  # fmt: skip
        item.description_html = render(item.description)
    if priority is not None:
        item.priority = choice(priority, "priority", PRIORITIES, label=_("Priority"))
    if owner_id is not ...:
        item.owner = _owner(owner_id)
    if team is not ...:
        item.team = _team(team)
    if target_date is not ...:
        item.target_date = _target_date(target_date)
    if idea_ids is not None:
        _link(user, item, idea_ids)
    if status is not None and status != item.status:
        status = choice(status, "status", ITEM_STATUSES, label=_("Status"))
        if status not in TRANSITIONS[item.status]:
            before, after = ITEM_STATUS_LABELS[item.status], ITEM_STATUS_LABELS[status]
            message = _("An item cannot go from %(before)s to %(after)s.", before=before,
                        after=after)  # fmt: skip
            raise Invalid(message, {"status": [message]})
        previous = item.status
        db.session.add(ItemChange(item_id=item.id, by_id=user.id, from_status=previous,
                                  to_status=status, note=note))  # fmt: skip
        item.status = status
        if status == "shipped":
            item.shipped_at = utcnow()
        ideas = linked_ideas(item)
        idea_note = f"Improvement item #{item.id} is now {status.replace('_', ' ')}."
        if note and access.same_viewers(ideas):
            # The note was written for the item's viewers; an idea seen more widely than
            # the item (beside a confidential one) gets the plain sentence instead.
            idea_note = note
        told: set[int] = set()  # each follower hears once per step, however many ideas
        for idea in ideas:
            _set_idea_status(user, idea, IDEA_STATUS_FOR[status], idea_note)
            if status == "shipped":
                # Followers get one `item_shipped` (not also a status change), with the
                # staff note when it may be shown; webhook receivers still learn that the
                # idea is done.
                notify.item_shipped(user, item, idea, note if idea_note == note else None, told)
                notify.idea_webhook("idea.status_changed", idea)
            else:
                notify.idea_status_changed(user, idea, idea_note, told)
        notify.item_webhook(item, previous, status)
    elif note:
        db.session.add(ItemChange(item_id=item.id, by_id=user.id, from_status=item.status,
                                  to_status=item.status, note=note))  # fmt: skip
    item.updated_at = utcnow()
    db.session.flush()
    return item


def _named_idea(user, idea_id) -> Idea:
    """An idea named in a list of related ones: a number that names no idea the user may see
    is a mistake in that list (422 beside it), not a missing page."""
    try:
        return ideas.get_idea(user, idea_id)
    except NotFound:
        message = _("There is no idea #%(id)s (or you may not see it).", id=idea_id)
        raise Invalid(message, {"idea_ids": [message]}) from None


def _link(user, item: ImprovementItem, idea_ids) -> None:
    if not isinstance(idea_ids, list) or not idea_ids:
        message = _("Give a non-empty list of ids.")
        raise Invalid(_("Idea ids: %(message)s", message=message), {"idea_ids": [message]})
    for idea_id in idea_ids:
        idea = _named_idea(user, idea_id)
        if idea.item_id == item.id:
            continue
        refuse(access.promote_refusal(user, idea))
        idea.item_id = item.id
        _set_idea_status(user, idea, IDEA_STATUS_FOR[item.status],
                         f"Linked to improvement item #{item.id}.")  # fmt: skip


def unlink_idea(user, item: ImprovementItem, idea: Idea) -> None:
    """Take an idea off an item: it goes back to review, its followers are told, and the
    item's history says so."""
    refuse(access.unlink_refusal(user, item, idea, len(linked_ideas(item))))
    idea.item_id = None
    note = f"No longer part of improvement item #{item.id}."
    _set_idea_status(user, idea, "under_review", note)
    notify.idea_status_changed(user, idea, note)
    entry = f"Idea #{idea.id} unlinked."
    db.session.add(ItemChange(item_id=item.id, by_id=user.id, from_status=item.status,
                              to_status=item.status, note=entry))  # fmt: skip
    item.updated_at = utcnow()
    db.session.flush()
    log.info("user %s unlinked idea %s from item %s", user.id, idea.id, item.id)


def history(item: ImprovementItem) -> list[ItemChange]:
    return list(
        db.session.scalars(
            select(ItemChange)
            .where(ItemChange.item_id == item.id)
            .order_by(ItemChange.created_at, ItemChange.id)
        )
    )
