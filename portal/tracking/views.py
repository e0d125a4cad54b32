"""Item pages, promoting ideas, the roadmap and the changelog."""

import re
from itertools import groupby

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import format_date, gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from portal import access, page_cache
from portal.errors import refuse
from portal.extensions import db
from portal.forms import attempt
from portal.guards import guard
from portal.ideas import service as ideas
from portal.ideas.models import Idea
from portal.ideas.views import render_idea
from portal.search import service as search
from portal.tracking import service
from portal.tracking.forms import ItemForm, promote_form, staff_choices, team_choices
from portal.tracking.models import ImprovementItem

bp = Blueprint("tracking", __name__)


def _ids(text: str | None) -> list[int]:
    return [int(n) for n in re.findall(r"\d+", text or "") if int(n) < 2**31]


@bp.route("/ideas/<int:idea_id>/promote", methods=["POST"])
@guard(access.manage_items_refusal)
def promote(idea_id: int):
    """Promote; a refusal shows the idea's page again with the form as typed, the reason
    beside the field it concerns (a related idea's number, a date)."""
    idea = ideas.get_idea(current_user, idea_id)
    form = promote_form(request.form)
    # Ideas ticked in the title search and numbers typed arrive under the same name.
    form.idea_ids.data = ", ".join(v for v in request.form.getlist("idea_ids") if v.strip())
    status = 422
    if form.validate_on_submit():
        item, status = attempt(form, lambda: service.promote(
            current_user, [idea.id, *_ids(form.idea_ids.data)], title=form.title.data,
            description=form.description.data, team=form.team.data or None,
            owner_id=form.owner_id.data or None, priority=form.priority.data,
            target_date=form.target_date.data or None,
        ))  # fmt: skip
        if item is not None:
            flash(gettext("Promoted: the idea is now tracked as an improvement item."), "success")
            return redirect(url_for("tracking.item", item_id=item.id))
    return render_idea(idea, status, promote_form=form)


@bp.route("/ideas/<int:idea_id>/related")
@guard(access.manage_items_refusal)
def related(idea_id: int):
    """The promote form's title search: ideas that may join this one's item, to tick (htmx)."""
    idea = ideas.get_idea(current_user, idea_id)
    query = request.args.get("related_q", "").strip()
    found = search.similar_ideas(current_user, query, limit=8) if len(query) >= 3 else []
    picks = [i for i in found if i.id != idea.id and not access.promote_refusal(current_user, i)]
    return render_template("tracking/_related_picks.html", ideas=picks, query=query)


def _item_form(item: ImprovementItem, formdata=None) -> ItemForm:
    form = ItemForm(
        formdata=formdata, title=item.title, description=item.description, status=item.status,
        priority=item.priority, owner_id=str(item.owner_id or ""),
        team=item.team.name if item.team else "",
        target_date=item.target_date.isoformat() if item.target_date else "",
    )  # fmt: skip
    form.owner_id.choices = staff_choices()
    form.team.choices = team_choices(_l("— no team —"))
    return form


def _sent(field) -> bool:
    """Whether the posted form carried the field: one left out changes nothing."""
    return bool(field.raw_data)


def _item_page(found: ImprovementItem, form: ItemForm, status: int = 200):
    return render_template(
        "tracking/item.html", item=found,
        ideas=service.linked_ideas(found, current_user, readable_only=True),
        linked=len(service.linked_ideas(found)), history=service.history(found), form=form,
    ), status  # fmt: skip


@bp.route("/items/<int:item_id>", methods=["GET", "POST"])
def item(item_id: int):
    found = service.get_item(current_user, item_id)
    form = _item_form(found, request.form if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        # GET is for whoever may see the item; changing it is for staff.
        refuse(access.manage_items_refusal(current_user))
        if form.validate_on_submit():
            _, refused = attempt(form, lambda: service.update_item(
                current_user, found, status=form.status.data, note=form.note.data or None,
                priority=form.priority.data, owner_id=form.owner_id.data or None,
                target_date=form.target_date.data or None,
                idea_ids=_ids(form.link_ideas.data) or None,
                title=form.title.data if _sent(form.title) else None,
                description=form.description.data if _sent(form.description) else None,
                team=(form.team.data or None) if _sent(form.team) else ...,
            ))  # fmt: skip
            status = refused or status
            if not refused:
                flash(gettext("Item updated; followers of its ideas are told."), "success")
                return redirect(url_for("tracking.item", item_id=found.id))
        else:
            status = 422
    return _item_page(found, form, status)


@bp.route("/items/<int:item_id>/ideas/<int:idea_id>/unlink", methods=["POST"])
@guard(access.manage_items_refusal)
def unlink(item_id: int, idea_id: int):
    found = service.get_item(current_user, item_id)
    form = _item_form(found)
    _, refused = attempt(form, lambda: service.unlink_idea(
        current_user, found, ideas.get_idea(current_user, idea_id)))  # fmt: skip
    if refused:
        return _item_page(found, form, refused)
    flash(
        gettext("Idea #%(id)s is no longer part of this item; its followers are told.", id=idea_id),
        "success",
    )
    return redirect(url_for("tracking.item", item_id=found.id))


@bp.route("/roadmap")
@page_cache.for_visitors
def roadmap():
    category = request.args.get("category") or None
    items = db.session.scalars(
        service.visible_items(current_user, category=category).order_by(
            ImprovementItem.priority, ImprovementItem.updated_at.desc()
        )
    ).all()
    columns = {status: [] for status in ("planned", "in_progress", "shipped")}
    for entry in items:
        if entry.status in columns:
            columns[entry.status].append(entry)
    # What shipped most recently first; the other columns by priority.
    columns["shipped"].sort(key=lambda i: i.shipped_at or i.updated_at, reverse=True)
    return render_template(
        "tracking/roadmap.html", columns=columns, category=category,
        categories=ideas.postable_categories(current_user),
        counts=_idea_counts([i.id for i in items]),
    )  # fmt: skip


def _idea_counts(item_ids: list[int]) -> dict[int, int]:
    from sqlalchemy import func

    if not item_ids:
        return {}
    return dict(
        db.session.execute(
            select(Idea.item_id, func.count(Idea.id))
            .where(Idea.item_id.in_(item_ids))
            .group_by(Idea.item_id)
        ).all()
    )


@bp.route("/changelog")
@page_cache.for_visitors
def changelog():
    shipped, linked = service.changelog(current_user)
    # "December 2026", "Dezember 2026": the month as the reader's language names it.
    months = [
        (format_date(entries[0].shipped_at, "LLLL yyyy", rebase=False), entries)
        for entries in (
            list(group)
            for _month, group in groupby(shipped, key=lambda i: i.shipped_at.strftime("%Y-%m"))
        )
    ]
    return render_template("tracking/changelog.html", months=months, linked=linked)
