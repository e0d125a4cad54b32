"""Idea pages: lists, detail, posting, editing, voting, following, discussion."""

from typing import NamedTuple

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user

from portal import access, fragments, page_cache
from portal.errors import NotFound, refuse
from portal.feeds.views import list_feed_url
from portal.files import service as files
from portal.forms import EmptyForm, attempt, choices, error_messages
from portal.guards import after_commit, guard
from portal.ideas import discussion, notes, service
from portal.ideas.forms import (
    AssignForm,
    CommentEditForm,
    CommentForm,
    IdeaEditForm,
    IdeaForm,
    ModeratorCommentEditForm,
    ModeratorIdeaEditForm,
    MoveForm,
    StaffNoteForm,
    StatusForm,
)
from portal.ideas.models import IDEA_KINDS
from portal.intake import service as intake
from portal.labels import AUDIENCE_LABELS, KIND_LABELS
from portal.live import service as live
from portal.moderation import service as moderation
from portal.pagination import parse_page_args
from portal.ratelimits import new_account_limit
from portal.replies import service as saved_replies
from portal.responses import redirect_back, render_page_or_fragment, wants_fragment
from portal.routing import service as routing
from portal.search import service as search
from portal.templating import shows_badges
from portal.tracking import service as tracking
from portal.tracking.forms import promote_form as new_promote_form

bp = Blueprint("ideas", __name__)


def _with_files(body) -> str:
    """The text, with Markdown for the files sent with the form (without JavaScript). They
    are stored in the same unit of work as the post: a refused post keeps none of them."""
    return files.with_uploads(current_user, body or "", request.files.getlist("files"))


def _attempt_with_files(form, operation):
    """`attempt`, saying when files sent with a refused post must be chosen again."""
    result, refused = attempt(form, operation)
    sent = any(f.filename for f in request.files.getlist("files"))
    if refused and sent and "files" in form and not form.files.errors:
        form.files.errors = ["Nothing was saved: choose your files again."]
    return result, refused


@bp.route("/")
@page_cache.for_visitors
def index():
    """Home: what is trending, what is new, what was done."""
    trending = service.list_ideas(current_user, sort="trending", per_page=8, with_votes=True)
    return render_template(
        "ideas/home.html",
        trending=trending,
        voted=trending.voted or set(),
        newest=service.list_ideas(current_user, sort="new", per_page=5),
        done=service.list_ideas(current_user, sort="new", status="done", per_page=5),
        categories=service.postable_categories(current_user),
    )


@bp.route("/ideas")
@page_cache.for_visitors
def list_ideas():
    args = request.args
    page, per_page = parse_page_args(args.get("page"), args.get("per_page"))
    filters = {
        "sort": args.get("sort") or "trending",
        "category": args.get("category") or None,
        "status": args.get("status") or None,
        "kind": args.get("kind") or None,
    }
    feed_url = list_feed_url(filters)
    viewer = current_user._get_current_object()
    refusal = access.post_refusal(viewer) if viewer.is_authenticated else None
    # The same for every reader of a class while nothing changes.
    seen = _kept_page_key("idea-list", viewer, refusal, request.query_string)
    found = _list_found_again(seen, filters, feed_url) if seen else None
    if found is not None:
        return found
    result = service.list_ideas(viewer, page=page, per_page=per_page, with_votes=True, **filters)
    list_key = fragments.list_key(result, viewer, refusal, filters["sort"], feed_url)
    categories = service.category_names(viewer)
    if seen:
        fragments.remember(seen, (list_key, tuple(idea.id for idea in result.items), categories))
    return render_page_or_fragment(
        "ideas/list.html",
        "ideas/_idea_list.html",
        result=result,
        filters=filters,
        voted=result.voted or set(),
        categories=categories,
        feed_url=feed_url,
        list_key=list_key,
    )


def _kept_page_key(kind: str, viewer, refusal, *more) -> tuple | None:
    """The key a page is kept under for every reader of the viewer's class who is refused
    the same, at the current change version; None while no change names the state. A page
    changes only when the version does (every write to what it shows writes a change:
    portal/live/changes.py). Read before the page's data, so that data is at least as new."""
    version = live.page_version()
    if version[1] is None:
        return None
    return (kind, version, access.viewer_class(viewer), str(refusal) if refusal else None,
            *more)  # fmt: skip


def _list_found_again(seen, filters, feed_url):
    """The idea list as this worker rendered it for `seen` (its cursor, the reader's class,
    the query), with the reader's own votes; None when it keeps none (render it)."""
    shown = fragments.remembered(seen)
    if shown is None:
        return None
    list_key, idea_ids, categories = shown
    raw = fragments.find("idea-list", list_key)
    if raw is None:
        return None
    viewer = current_user._get_current_object()
    voted = service.voted_among(viewer, idea_ids, with_unread=shows_badges(viewer))
    return render_page_or_fragment(
        "ideas/list.html", "ideas/_idea_list.html", filters=filters, categories=categories,
        feed_url=feed_url, list_html=fragments.fill(raw, {"voted": voted}),
    )  # fmt: skip


def _idea_form() -> IdeaForm:
    form = IdeaForm()
    form.category.choices = choices(
        (c.slug, f"{c.name} ({AUDIENCE_LABELS[c.audience]})")
        for c in service.postable_categories(current_user)
    )
    if access.mark_confidential_refusal(current_user):
        del form.confidential
    return form


@bp.route("/ideas/new", methods=["GET", "POST"])
@guard()
@new_account_limit("ideas")
def new():
    form = _idea_form()
    refusal = access.post_refusal(current_user)
    if request.method == "GET" and request.args.get("category"):
        form.category.data = request.args["category"]
    if form.validate_on_submit():
        idea, refused = _attempt_with_files(form, lambda: service.post_idea(
            current_user,
            title=form.title.data,
            body=_with_files(form.body.data),
            category=form.category.data,
            kind=form.kind.data,
            confidential=bool(form.confidential.data) if "confidential" in form else False,
        ))  # fmt: skip
        if refused:
            return render_template("ideas/new.html", form=form, refusal=refusal), refused
        flash(gettext("Your idea is posted. You support it and follow it."), "success")
        return redirect(url_for("ideas.detail", idea_id=idea.id))
    status = 422 if form.errors or form.form_errors else 200
    return render_template("ideas/new.html", form=form, refusal=refusal), status


@bp.route("/ideas/similar")
def similar():
    """The similar-ideas box of the new-idea form (htmx, debounced)."""
    title = request.args.get("title", "")
    ideas = search.similar_ideas(current_user, title) if len(title.strip()) >= 3 else []
    return render_template("ideas/_similar.html", ideas=ideas, query=title)


def _linked_item(idea):
    """The item an idea is tracked in, if the viewer may see the item."""
    if idea.item_id is None:
        return None
    try:
        return tracking.get_item(current_user, idea.item_id)
    except NotFound:
        return None


def _detail_context(idea, comment_form=None, status_form=None, promote_form=None,
                    note_form=None):  # fmt: skip
    """What the idea's page shows: its discussion, and around it. Forms only for whoever is
    offered them: building a form (its labels, choices, translations) costs as much as a
    query."""
    viewer = current_user._get_current_object()
    # Most ideas have neither merged ideas nor a status history: asked in one statement
    # with the reader's own facts, their queries run only when there are some.
    facts = service.page_facts(viewer, idea.id, with_unread=shows_badges(viewer))
    merged_from, merged_comments = (
        discussion.merged_discussions(viewer, idea) if facts.any_merged else ([], {})
    )
    staff_notes = notes.notes_for(viewer, idea)  # None for whoever may not see them
    may_answer = access.allowed(access.answer_refusal(viewer, idea))
    return dict(
        _discussion_context(idea, comment_form),
        merged_from=merged_from,
        merged_comments=merged_comments,
        linked_item=_linked_item(idea),
        promote_form=promote_form or new_promote_form(title=idea.title)
        if not access.promote_refusal(viewer, idea)
        else None,
        voted=facts.voted,
        following=facts.following,
        history=service.status_history(idea) if facts.any_history else [],
        breakdown=service.vote_breakdown(idea) if access.can_see_vote_breakdown(viewer) else None,
        status_form=status_form or (StatusForm(status=idea.status) if may_answer else None),
        merged_into=None,
        staff_notes=staff_notes,
        note_form=note_form or (StaffNoteForm(formdata=None) if staff_notes is not None else None),
        **_work_context(idea),
    )


def _work_context(idea) -> dict:
    """Routing and evidence for staff; moving the idea for whoever may."""
    context = {"evidence": intake.evidence(current_user, idea), "move_options": None,
               "assign_options": None}  # fmt: skip
    if access.allowed(service.move_refusal(current_user, idea)):
        context["move_options"] = {
            "categories": [(c.slug, c.name) for c in service.postable_categories(current_user)],
            "kinds": [(k, KIND_LABELS.get(k, k)) for k in IDEA_KINDS],
        }
    if access.allowed(access.reassign_refusal(current_user, idea)):
        context["assign_options"] = routing.assignment_options()
    return context


class IdeaHead(NamedTuple):
    """What an idea's page shows outside its content: its title and feed, what /live follows."""

    id: int
    title: str
    feed: bool


def _render_idea(idea, status: int = 200, page_key=None, **forms):
    """The idea's page, or only its tombstone for whoever may not read it (a form error on
    a hidden idea's page included). With `page_key`, its content is kept for the readers
    `page_key` names (`detail`)."""
    if not access.can_read(current_user, idea):
        return render_template("ideas/tombstone.html", idea=idea), status
    context = _detail_context(idea, **forms)
    people = _people_of(idea, context) if page_key is not None else frozenset()
    if getattr(current_user, "id", None) in people:
        page_key = None  # their own page: nothing of it is kept for others
    head = IdeaHead(idea.id, idea.title, access.has_feed(idea))
    picks = _reader_picks(idea.id, context["voted"], context["following"])
    page = render_template("ideas/detail.html", head=head, page_key=page_key, picks=picks,
                           **context)  # fmt: skip
    if page_key is not None:
        fragments.remember(page_key, (head, people))
    return page, status


def _reader_picks(idea_id: int, voted: bool, following: bool) -> dict:
    """The reader's own facts a kept page picks by (fragments.pick)."""
    return {"voted": {idea_id} if voted else set(), "following": {idea_id} if following else set()}


def _idea_page_found_again(idea_id: int, page_key):
    """The idea's page as this worker kept it for `page_key`, for a reader who wrote none
    of it; None when there is none to serve them (render it)."""
    shown = fragments.remembered(page_key)
    if shown is None:
        return None
    head, people = shown
    viewer = current_user._get_current_object()
    if getattr(viewer, "id", None) in people:
        return None
    raw = fragments.find("idea-page", page_key)
    if raw is None:
        return None
    picks = _reader_picks(
        idea_id, *service.supports_and_follows(viewer, idea_id, with_unread=shows_badges(viewer))
    )
    return render_template("ideas/detail.html", head=head, page_html=fragments.fill(raw, picks))


def _people_of(idea, context) -> frozenset[int]:
    """Whoever wrote what the page shows: to them it shows more (their edit and appeal
    links, their own hidden comments) than to the other readers of their class."""
    comments = [c for c, replies in context["threads"] for c in (c, *replies)]
    comments += context["official"]
    merged = context["merged_from"]
    for duplicate in merged:
        comments += context["merged_comments"].get(duplicate.id, [])
    return frozenset({idea.author_id, *(d.author_id for d in merged),
                      *(c.author_id for c in comments)})  # fmt: skip


def render_idea(idea, status: int = 200, **forms):
    """The idea's page, for another blueprint's form that failed on it (promote)."""
    return _render_idea(idea, status, **forms)


def _discussion_context(idea, comment_form=None) -> dict:
    """What the discussion alone shows (htmx swaps it after a comment): its comments and
    form, none of the page's votes, history, staff panels or merged discussions."""
    comments = discussion.comments_for(idea)
    official, threads = discussion.thread(comments)
    return dict(
        idea=idea,
        official=official,
        threads=threads,
        appealed=moderation.appealed_targets(idea, comments),
        # None after a successful post: the swapped-in form starts empty (and may be the
        # shared one, fragments.py).
        comment_form=comment_form,
    )


def _render_posted(idea, comment):
    """A comment posted from its idea's page (htmx): the comment, the count and an empty
    form, each swapped in where the page shows them; the page's own swap does nothing."""
    parent, replies = None, []
    if comment.parent_id is not None:
        parent, replies = discussion.thread_of(idea, comment.parent_id)
    shown = [c for c in (parent, *replies) if c is not None] or [comment]
    html = render_template(
        "ideas/_posted.html", idea=idea, comment=comment, parent=parent, replies=replies,
        appealed=moderation.appealed_targets(idea, shown),
        may_answer=access.allowed(access.answer_refusal(current_user, idea)),
    )  # fmt: skip
    return html, 200, {"HX-Reswap": "none"}


def _render_discussion(idea, status: int = 200, comment_form=None):
    if not access.can_read(current_user, idea):
        return render_template("ideas/tombstone.html", idea=idea), status
    context = _discussion_context(idea, comment_form=comment_form)
    return render_template("ideas/_discussion.html", **context), status


@bp.route("/ideas/<int:idea_id>")
@page_cache.for_visitors
def detail(idea_id: int):
    live.page_cursor()  # before the page's data: what changes later reaches it through /live
    viewer = current_user._get_current_object()
    page_key = None
    if access.reads_as_class(viewer):
        # The same page for every reader of the class who wrote none of it.
        page_key = _kept_page_key("idea-page", viewer, access.write_refusal(viewer), idea_id)
        found = _idea_page_found_again(idea_id, page_key) if page_key else None
        if found is not None:
            return found
    idea = service.get_idea(viewer, idea_id)
    if idea.merged_into_id is not None:
        original = service.get_idea(viewer, idea.merged_into_id)
        return redirect(url_for("ideas.detail", idea_id=original.id), code=301)
    return _render_idea(idea, page_key=page_key)


def _edit_form(content, form_class, moderator_form_class):
    """The author's form, or a moderator's with the reason the log and the author get."""
    moderating = access.moderates(current_user, content)
    return (moderator_form_class if moderating else form_class)(obj=content), moderating


@bp.route("/ideas/<int:idea_id>/edit", methods=["GET", "POST"])
@guard()
def edit(idea_id: int):
    idea = service.get_idea(current_user, idea_id)
    refusal = access.edit_refusal(current_user, idea)
    if refusal and request.method == "GET":
        refuse(refusal)
    form, moderating = _edit_form(idea, IdeaEditForm, ModeratorIdeaEditForm)
    status = 200
    if form.validate_on_submit():
        if moderating:
            _, refused = _attempt_with_files(form, lambda: moderation.act(
                current_user, "edit", "idea", idea.id, form.reason.data,
                title=form.title.data, body=_with_files(form.body.data)))  # fmt: skip
        else:
            _, refused = _attempt_with_files(form, lambda: service.edit_idea(
                current_user, idea, title=form.title.data,
                body=_with_files(form.body.data)))  # fmt: skip
        status = refused or status
        if not refused:
            flash(
                gettext("Your changes are saved; the earlier version is kept in the history."),
                "success",
            )
            return redirect(url_for("ideas.detail", idea_id=idea.id))
    if status == 200 and (form.errors or form.form_errors):
        status = 422
    return render_template("ideas/edit.html", form=form, idea=idea, moderating=moderating), status


def _refuse_outsiders(refusal) -> None:
    """403 for whoever may not do this at all; a refusal of the idea's state is flashed."""
    if refusal is not None and getattr(refusal, "error", "forbidden") == "forbidden":
        refuse(refusal)


@bp.route("/ideas/<int:idea_id>/move", methods=["POST"])
@guard()
def move(idea_id: int):
    idea = service.get_idea(current_user, idea_id)
    _refuse_outsiders(service.move_refusal(current_user, idea))
    form = MoveForm()
    if form.validate_on_submit():
        moved, refused = attempt(form, lambda: service.move(
            current_user, idea, category=form.category.data, kind=form.kind.data))  # fmt: skip
        if not refused:
            flash(
                gettext("Moved; the history shows it.") if moved else gettext("Nothing to change."),
                "success",
            )
            return redirect(url_for("ideas.detail", idea_id=idea.id))
    flash(
        gettext(
            "Not moved: %(reasons)s",
            reasons="; ".join(error_messages(form)),
        ),
        "error",
    )
    return redirect(url_for("ideas.detail", idea_id=idea.id))


@bp.route("/ideas/<int:idea_id>/assign", methods=["POST"])
@guard()
def assign(idea_id: int):
    idea = service.get_idea(current_user, idea_id)
    _refuse_outsiders(access.reassign_refusal(current_user, idea))
    form = AssignForm()
    if form.validate_on_submit():
        _, refused = attempt(form, lambda: routing.reassign_idea(
            current_user, idea, **form.assignment()))  # fmt: skip
        if not refused:
            flash(gettext("Assigned."), "success")
            return redirect(url_for("ideas.detail", idea_id=idea.id))
    flash(
        gettext(
            "Not assigned: %(reasons)s",
            reasons="; ".join(error_messages(form)),
        ),
        "error",
    )
    return redirect(url_for("ideas.detail", idea_id=idea.id))


@bp.route("/ideas/<int:idea_id>/history")
def history(idea_id: int):
    idea = service.get_idea(current_user, idea_id)
    if not access.can_read(current_user, idea):
        return render_template("ideas/tombstone.html", idea=idea)
    return render_template(
        "ideas/history.html",
        idea=idea,
        revisions=service.revisions(idea),
        moves=service.moves(idea),
        status_changes=service.status_history(idea),
    )


@bp.route("/ideas/<int:idea_id>/vote", methods=["POST"])
@guard()
@new_account_limit("votes")
def vote(idea_id: int):
    idea = service.get_idea(current_user, idea_id, without_people=True)
    voted = service.toggle_vote(current_user, idea)
    if wants_fragment():
        return after_commit(lambda: render_template("ideas/_vote_button.html", idea=idea,
                                                    voted=voted))  # fmt: skip
    return redirect_back(url_for("ideas.detail", idea_id=idea.id))


@bp.route("/ideas/<int:idea_id>/follow", methods=["POST"])
@guard()
def follow(idea_id: int):
    idea = service.get_idea(current_user, idea_id, without_people=True)
    following = service.set_following(
        current_user, idea, not service.is_following(current_user, idea)
    )
    if wants_fragment():
        return after_commit(lambda: render_template(
            "ideas/_follow_button.html", idea=idea, following=following
        ))  # fmt: skip
    flash(
        gettext("You follow this idea.")
        if following
        else gettext("You no longer follow this idea."),
        "info",
    )
    return redirect(url_for("ideas.detail", idea_id=idea.id))


@bp.route("/ideas/<int:idea_id>/status", methods=["POST"])
@guard(access.answer_refusal)
def change_status(idea_id: int):
    idea = service.get_idea(current_user, idea_id)
    form = StatusForm()
    status = 422
    if request.form.get("insert_reply"):
        return _with_saved_reply(idea, form, form.note, "status_form")
    if form.validate_on_submit():
        _, refused = attempt(form, lambda: service.change_status(
            current_user, idea, form.status.data, form.note.data,
            form.duplicate_of.data or None))  # fmt: skip
        status = refused or status
        if not refused:
            flash(gettext("Status updated; followers are told."), "success")
            return redirect(url_for("ideas.detail", idea_id=idea.id))
    return _render_idea(idea, status, status_form=form)


def _with_saved_reply(idea, form, text_field, form_name: str):
    """The picker's "Insert" without JavaScript: the page again, the chosen saved reply added
    to what was typed in `text_field`, nothing sent (the staff member edits, then sends)."""
    text, refused = attempt(form, lambda: saved_replies.insert(
        current_user, request.form.get("saved_reply"), text_field.data))  # fmt: skip
    if not refused:
        text_field.data = text
    return _render_idea(idea, refused or 200, **{form_name: form})


@bp.route("/ideas/<int:idea_id>/comments", methods=["POST"])
@guard()
@new_account_limit("comments")
def comment(idea_id: int):
    idea = service.get_idea(current_user, idea_id, without_people=True)
    form = CommentForm()
    status = 422
    if request.form.get("insert_reply"):
        return _with_saved_reply(idea, form, form.body, "comment_form")
    if form.validate_on_submit():
        posted, refused = _attempt_with_files(form, lambda: discussion.add_comment(
            current_user, idea, _with_files(form.body.data),
            parent_id=form.parent_id.data or None,
            official=bool(form.official.data)))  # fmt: skip
        status = refused or status
        if not refused:
            if wants_fragment():
                return after_commit(lambda: _render_posted(idea, posted))
            flash(gettext("Your comment is posted."), "success")
            return redirect(url_for("ideas.detail", idea_id=idea.id) + "#discussion")
    if wants_fragment():
        return _render_discussion(idea, status, comment_form=form)
    return _render_idea(idea, status, comment_form=form)


@bp.route("/ideas/<int:idea_id>/comments/<int:comment_id>/edit", methods=["GET", "POST"])
@guard()
def edit_comment(idea_id: int, comment_id: int):
    idea = service.get_idea(current_user, idea_id)
    comment = discussion.get_comment(current_user, idea, comment_id)
    refusal = access.edit_refusal(current_user, comment)
    if refusal and request.method == "GET":
        refuse(refusal)
    form, moderating = _edit_form(comment, CommentEditForm, ModeratorCommentEditForm)
    status = 200
    if form.validate_on_submit():
        if moderating:
            _, refused = _attempt_with_files(form, lambda: moderation.act(
                current_user, "edit", "comment", comment.id, form.reason.data,
                body=_with_files(form.body.data)))  # fmt: skip
        else:
            _, refused = _attempt_with_files(form, lambda: discussion.edit_comment(
                current_user, comment, _with_files(form.body.data)))  # fmt: skip
        status = refused or status
        if not refused:
            flash(gettext("Comment updated."), "success")
            return redirect(url_for("ideas.detail", idea_id=idea.id) + f"#comment-{comment.id}")
    if status == 200 and (form.errors or form.form_errors):
        status = 422
    return render_template(
        "ideas/edit_comment.html",
        form=form,
        idea=idea,
        comment=comment,
        moderating=moderating,
        revisions=discussion.comment_revisions(comment)
        if access.can_read(current_user, comment)
        else [],
    ), status


@bp.route("/ideas/<int:idea_id>/comments/<int:comment_id>/delete", methods=["POST"])
@guard()
def delete_comment(idea_id: int, comment_id: int):
    """The author's delete; a moderator removes someone else's comment with a reason
    through the moderation form instead."""
    idea = service.get_idea(current_user, idea_id)
    comment = discussion.get_comment(current_user, idea, comment_id)
    if EmptyForm().validate_on_submit():
        discussion.delete_comment(current_user, comment)
        if wants_fragment():
            return after_commit(lambda: _render_discussion(idea))
        flash(gettext("Comment deleted."), "info")
    return redirect(url_for("ideas.detail", idea_id=idea.id) + "#discussion")


@bp.route("/ideas/<int:idea_id>/comments/<int:comment_id>/official", methods=["POST"])
@guard()
def toggle_official(idea_id: int, comment_id: int):
    idea = service.get_idea(current_user, idea_id)
    comment = discussion.get_comment(current_user, idea, comment_id)
    if EmptyForm().validate_on_submit():
        discussion.set_official(current_user, comment, not comment.official)
        if wants_fragment():
            return after_commit(lambda: _render_discussion(idea))
    return redirect(url_for("ideas.detail", idea_id=idea.id) + "#discussion")
