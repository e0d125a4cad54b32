"""Ideas, votes and following: the operations and their rules."""

import logging
import math
from datetime import datetime
from typing import NamedTuple

from flask_babel import gettext as _
from sqlalchemy import Integer, bindparam, delete, exists, func, literal, select, union_all, update
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import defaultload, lazyload
from sqlalchemy.orm.attributes import set_committed_value

from portal import access
from portal.accounts.models import Organization, User
from portal.database import insert_unless_present, on_postgresql
from portal.errors import Invalid, NotFound, refuse
from portal.extensions import db
from portal.files import service as files
from portal.ideas.models import (
    IDEA_KINDS,
    STATUSES,
    Category,
    Comment,
    Follow,
    Idea,
    IdeaMove,
    IdeaRevision,
    StatusChange,
    Vote,
)
from portal.live import changes as live
from portal.lru import ExpiringLRU
from portal.markdown import render
from portal.notify import service as notify
from portal.pagination import Page
from portal.routing import service as routing
from portal.search import tasks as search_tasks
from portal.timeutil import utcnow
from portal.validation import category_filter, choice, clean_text, has_invalid_characters

log = logging.getLogger(__name__)

SORTS = {
    "trending": (Idea.hot.desc(), Idea.id.desc()),
    "top": (Idea.votes_count.desc(), Idea.id.desc()),
    "new": (Idea.created_at.desc(), Idea.id.desc()),
    "discussed": (Idea.comments_count.desc(), Idea.id.desc()),
}
HOT_EPOCH = datetime(2025, 1, 1)
# Seconds for which one order of magnitude of activity keeps an idea level with a newer one.
HOT_HALF_LIFE_SECONDS = 45_000
TITLE_MIN, TITLE_MAX, BODY_MAX = 5, 150, 20_000
REMOVED_TITLE = "Removed by a moderator"
# Lists count the visible ideas up to this many, never all of them: a COUNT(*) over every
# visible idea scanned the table on each request (two thirds of the idea list's time at
# 100,000 ideas). Past it the total is a lower bound, and the page says so.
COUNT_LIMIT = 1000


def hot_score(votes: int, comments: int, created_at: datetime) -> float:
    """Trending score that never needs recomputing as time passes."""
    activity = max(votes + 2 * comments, 1)
    age = (created_at - HOT_EPOCH).total_seconds()
    return round(math.log10(activity) + age / HOT_HALF_LIFE_SECONDS, 7)


def list_ideas(
    user,
    *,
    sort: str = "trending",
    category: str | None = None,
    status: str | None = None,
    kind: str | None = None,
    page: int = 1,
    per_page: int = 20,
    exact_total: bool = False,
    author_id: int | None = None,
    followed_by: int | None = None,
    voted_by: int | None = None,
    with_votes: bool = False,
    with_routing: bool = False,
) -> Page:
    """One page of the ideas this user may see: two queries whatever the page size.

    `author_id`, `followed_by`, `voted_by`: only the ideas that person posted, follows or
    supports (a person's page, "My portal"); one's own hidden ideas are listed to oneself.

    The total is exact when at most COUNT_LIMIT ideas match, or on the last page; otherwise
    `total` is a lower bound ("more than 1,000 ideas"), `total_exact` is False and whether a
    next page exists comes from fetching one row more than the page. The count stops early
    instead of scanning every visible idea. `exact_total` counts them all (the API promises
    an exact total). `with_votes`: the page's `voted` names the ideas the user supports.
    `with_routing`: the ideas' teams and assignees are loaded with them (the API shows them;
    cards do not, and PostgreSQL planned the four joins they take anew for every page).
    """
    sort = choice(sort or "trending", "sort", tuple(SORTS))
    own_list = author_id is not None and getattr(user, "id", None) == author_id
    conditions = [access.idea_visibility(user, include_hidden_own=own_list)]
    conditions.append(Idea.merged_into_id.is_(None))
    if author_id is not None:
        conditions.append(Idea.author_id == author_id)
    if followed_by is not None:
        conditions.append(exists().where(Follow.idea_id == Idea.id, Follow.user_id == followed_by))
    if voted_by is not None:
        conditions.append(exists().where(Vote.idea_id == Idea.id, Vote.user_id == voted_by))
    if sort == "trending" and not status:
        # A known duplicate takes no votes: it is not what is trending.
        conditions.append(Idea.status != "duplicate")
    if category:
        category_id = (
            select(Category.id).where(Category.slug == category_filter(category)).scalar_subquery()
        )
        conditions.append(Idea.category_id == category_id)
    if status:
        conditions.append(Idea.status == choice(status, "status", STATUSES))
    if kind:
        conditions.append(Idea.kind == choice(kind, "kind", IDEA_KINDS))
    offset = (page - 1) * per_page
    if exact_total:
        counting = select(func.count(Idea.id)).where(*conditions)
    else:
        found = select(Idea.id).where(*conditions).limit(COUNT_LIMIT + 1).subquery()
        counting = select(func.count()).select_from(found)
    # One statement for the page and its (bounded) count beside each row; the count alone
    # only when the page is past the end. (Whether the reader supports each idea is a second
    # statement on the page's ids: inside this one, PostgreSQL read all the reader's votes.)
    columns = [Idea, counting.scalar_subquery().label("counted")]
    listed = select(*columns).where(*conditions).order_by(*SORTS[sort])
    if not with_routing:
        listed = listed.options(
            lazyload(Idea.team),
            lazyload(Idea.assignee),
            defaultload(Idea.category).lazyload(Category.team),
            defaultload(Idea.author).lazyload(User.organization),
        )
    rows = db.session.execute(listed.limit(per_page + 1).offset(offset)).all()
    counted = rows[0].counted if rows else (db.session.scalar(counting) or 0)
    rows = [row.Idea for row in rows]
    items, more = list(rows[:per_page]), len(rows) > per_page
    voted = voted_ids(user, items) if with_votes else None
    if exact_total or counted <= COUNT_LIMIT:
        return Page(items=items, page=page, per_page=per_page, total=counted, voted=voted)
    if items and not more:  # the last page: everything before it plus what it shows
        return Page(
            items=items, page=page, per_page=per_page, total=offset + len(items), voted=voted
        )
    return Page(
        items=items,
        page=page,
        per_page=per_page,
        voted=voted,
        # Past the end of the list (no items) only the count's own bound is known.
        total=max(COUNT_LIMIT, offset + len(items)) if items else COUNT_LIMIT,
        total_exact=False,
        more=more,
    )


# What deciding on and writing a vote, a follow or a comment reads of an idea: its own
# columns and its category (a comment's webhooks are chosen by it). The author, team and
# assignee a page shows (three joins, up to three more objects) load only if asked for.
_WITHOUT_PEOPLE = (lazyload(Idea.author), lazyload(Idea.team), lazyload(Idea.assignee))


def get_idea(user, idea_id, *, without_people: bool = False) -> Idea:
    """The idea if this user may see it; otherwise NotFound, as if it did not exist.
    `without_people`: without the people a page shows (for a vote, a follow or a comment)."""
    try:
        idea_id = int(idea_id)
    except (TypeError, ValueError):
        raise NotFound(_("No such idea.")) from None
    options = _WITHOUT_PEOPLE if without_people else ()
    # Ids are 32-bit INTEGER columns: a larger number is a DataError on PostgreSQL.
    idea = db.session.get(Idea, idea_id, options=options) if 0 < idea_id < 2**31 else None
    if idea is None or not access.can_see_idea(user, idea):
        raise NotFound(_("No such idea."))
    return idea


def postable_categories(user) -> list[Category]:
    return list(
        db.session.scalars(
            select(Category)
            .where(access.category_visibility(user), Category.archived_at.is_(None))
            .order_by(Category.position, Category.name)
        )
    )


def category_names(user) -> tuple[tuple[str, str], ...]:
    """(slug, name) of the categories `postable_categories` gives, as plain rows: a list's
    filter needs no more, and loading them as objects cost more than the query."""
    return tuple(
        (slug, name)
        for slug, name in db.session.execute(
            select(Category.slug, Category.name)
            .where(access.category_visibility(user), Category.archived_at.is_(None))
            .order_by(Category.position, Category.name)
        )
    )


def _postable_category(user, slug) -> Category:
    if not isinstance(slug, str) or not slug or has_invalid_characters(slug):
        raise Invalid(_("Category: choose a category."), {"category": [_("Choose a category.")]})
    category = db.session.scalar(select(Category).where(Category.slug == slug))
    if category is None or not access.can_see_category(user, category):
        raise Invalid(_("Category: no such category."), {"category": [_("No such category.")]})
    if category.archived_at is not None:
        message = _("This category is archived: it takes no new ideas.")
        raise Invalid(_("Category: %(message)s", message=message), {"category": [message]})
    return category


def _clean_title(title) -> str:
    return clean_text(title, "title", min_length=TITLE_MIN, max_length=TITLE_MAX)


def _clean_body(body) -> str:
    return clean_text(body if body is not None else "", "body", max_length=BODY_MAX)


def post_idea(user, *, title, body, category, kind="idea", confidential=False) -> Idea:
    """Create an idea; its author supports and follows it."""
    refuse(access.post_refusal(user))
    if not isinstance(confidential, bool):
        raise Invalid(
            _("Confidential must be true or false."), {"confidential": [_("Must be a boolean.")]}
        )
    refusal = access.mark_confidential_refusal(user) if confidential else None
    if refusal:
        raise Invalid(refusal, {"confidential": [refusal]})
    return create_idea(user, title=title, body=body, category=category, kind=kind,
                       confidential=confidential)  # fmt: skip


def may_post_in(user, slug) -> bool:
    """Whether `user` may post an idea in the category `slug` right now."""
    if access.post_refusal(user) is not None:
        return False
    try:
        _postable_category(user, slug)
    except Invalid:
        return False
    return True


def create_idea(author, *, title, body, category, kind="idea", confidential=False,
                on_behalf_of: str | None = None) -> Idea:  # fmt: skip
    """A new idea by `author` (the caller has decided they may), routed to a team; the author
    follows it and, unless posting on someone's behalf, supports it. `on_behalf_of`: staff
    posting what someone wrote in (an intake message) who is not its author."""
    title = _clean_title(title)
    body = _clean_body(body)
    kind = choice(kind or "idea", "kind", IDEA_KINDS)
    chosen = _postable_category(author, category)
    now = utcnow()
    idea = Idea(
        title=title,
        body=body,
        body_html=render(body),
        kind=kind,
        status="open",
        category=chosen,
        audience=chosen.audience,
        author=author,
        confidential=confidential,
        organization_id=author.organization_id if author.kind == "supplier" else None,
        on_behalf_of=on_behalf_of[:120] if on_behalf_of else None,
        created_at=now,
        updated_at=now,
        # Posted on someone's behalf, it carries no vote of the staff member who typed it.
        votes_count=0 if on_behalf_of else 1,
        comments_count=0,
        hot=hot_score(0 if on_behalf_of else 1, 0, now),
    )
    db.session.add(idea)
    db.session.flush()
    files.attach_referenced(author, idea=idea, text=body)
    if not on_behalf_of:
        db.session.add(Vote(idea_id=idea.id, user_id=author.id, created_at=now))
    db.session.add(Follow(idea_id=idea.id, user_id=author.id, created_at=now))
    assignee = routing.route_idea(idea, now)
    db.session.flush()
    if assignee is not None:
        notify.assigned(author, assignee, idea=idea)
    notify.idea_webhook("idea.created", idea)
    log.info("user %s posted idea %s", author.id, idea.id)
    return idea


def others_took_part(idea: Idea) -> bool:
    """Whether anyone but the author has voted on or commented on the idea."""
    voted = db.session.scalar(
        select(Vote.id).where(Vote.idea_id == idea.id, Vote.user_id != idea.author_id).limit(1)
    )
    if voted is not None:
        return True
    return db.session.scalar(
        select(Comment.id).where(Comment.idea_id == idea.id, Comment.author_id != idea.author_id)
        .limit(1)
    ) is not None  # fmt: skip


def move_refusal(user, idea: Idea) -> str | None:
    """access.move_refusal with what it needs to know about the idea's discussion (read only
    when it decides: for the author)."""
    return access.move_refusal(user, idea, lambda: others_took_part(idea))


def move(user, idea: Idea, *, category=None, kind=None) -> bool:
    """Move a misfiled idea to another category and/or kind: logged in its history, routed
    again by the rules, and seen by whoever the new category lets see it (search follows;
    followers who may no longer see it stop following). False when nothing changed."""
    refuse(move_refusal(user, idea))
    target = idea.category
    if category not in (None, "") and category != idea.category.slug:
        target = _postable_category(user, category)
        refuse(access.move_target_refusal(user, idea, target))
    new_kind = choice(kind, "kind", IDEA_KINDS) if kind not in (None, "") else idea.kind
    if target.id == idea.category_id and new_kind == idea.kind:
        return False
    now = utcnow()
    db.session.add(IdeaMove(idea_id=idea.id, by_id=user.id, from_category_id=idea.category_id,
                            to_category_id=target.id, from_kind=idea.kind, to_kind=new_kind,
                            created_at=now))  # fmt: skip
    moved_category = target.id != idea.category_id
    idea.category = target
    idea.audience = target.audience
    idea.kind = new_kind
    idea.updated_at = now
    db.session.flush()
    if moved_category:
        assignee = routing.route_idea(idea, now)
        if assignee is not None:
            notify.assigned(user, assignee, idea=idea)
        _drop_followers_who_cannot_see(idea)
    log.info("user %s moved idea %s to %s/%s", user.id, idea.id, target.slug, new_kind)
    return True


def _drop_followers_who_cannot_see(idea: Idea) -> None:
    followers = db.session.scalars(
        select(User).join(Follow, Follow.user_id == User.id).where(Follow.idea_id == idea.id)
    ).all()
    gone = [u.id for u in followers if not access.can_see_idea(u, idea)]
    if gone:
        db.session.execute(
            delete(Follow).where(Follow.idea_id == idea.id, Follow.user_id.in_(gone))
        )


def moves(idea: Idea) -> list[IdeaMove]:
    return list(
        db.session.scalars(
            select(IdeaMove).where(IdeaMove.idea_id == idea.id).order_by(IdeaMove.id)
        )
    )


def edit_idea(user, idea: Idea, *, title=None, body=None) -> Idea:
    """The author edits; the previous text is kept as a revision.

    A moderator's edit of someone else's idea is a moderation action with a reason
    (`moderation.service.act`), which calls `revise`.
    """
    refuse(access.edit_refusal(user, idea))
    if access.moderates(user, idea):
        message = _("Editing someone else's idea is a moderation action: give a reason.")
        raise Invalid(message, {"reason": [message]})
    revise(user, idea, title=title, body=body)
    log.info("user %s edited idea %s", user.id, idea.id)
    return idea


def revise(editor, idea: Idea, *, title=None, body=None) -> bool:
    """Change an idea's text, keeping the earlier version; whether anything changed."""
    new_title = idea.title if title is None else _clean_title(title)
    new_body = idea.body if body is None else _clean_body(body)
    if (new_title, new_body) == (idea.title, idea.body):
        return False
    db.session.add(
        IdeaRevision(idea_id=idea.id, editor_id=editor.id, title=idea.title, body=idea.body)
    )
    idea.title, idea.body = new_title, new_body
    idea.body_html = render(new_body)
    idea.updated_at = idea.edited_at = utcnow()
    files.attach_referenced(editor, idea=idea, text=new_body)
    db.session.flush()
    return True


def remove(moderator, idea: Idea, reason: str) -> None:
    """A moderator's `delete`: the text goes (kept as a revision for moderators), the idea
    stays hidden for good behind the tombstone "Removed by a moderator: <reason>"."""
    now = utcnow()
    db.session.add(
        IdeaRevision(idea_id=idea.id, editor_id=moderator.id, title=idea.title, body=idea.body)
    )
    # The title goes too: what is said about the idea from now on (the author's
    # notification, the log) carries none of its text.
    idea.title, idea.body, idea.body_html = REMOVED_TITLE, "", ""
    idea.hidden = True
    idea.hidden_reason = f"Removed by a moderator: {reason}"
    idea.removed_reason = reason
    idea.deleted_at = idea.updated_at = now
    files.delete_held_by(idea=idea)
    db.session.flush()


def change_status(user, idea: Idea, status, note=None, duplicate_of=None) -> Idea:
    """Staff set the status, with an optional note shown on the idea.

    `duplicate`, with `duplicate_of`, names the original in the note ("Duplicate of #42"),
    which the page links.
    """
    refuse(access.answer_refusal(user, idea))
    status = choice(status, "status", STATUSES)
    note = clean_text(note, "note", max_length=5000) if note else None
    if duplicate_of not in (None, ""):
        if status != "duplicate":
            message = _("Only a duplicate names an original.")
            raise Invalid(message, {"duplicate_of": [message]})
        original = _original(user, idea, duplicate_of)
        note = f"Duplicate of #{original.id}." + (f" {note}" if note else "")
    previous = idea.status
    if status == previous and not note:
        return idea
    now = utcnow()
    db.session.add(
        StatusChange(
            idea_id=idea.id, by_id=user.id, from_status=previous, to_status=status, note=note
        )
    )
    idea.status = status
    idea.status_note = note
    idea.updated_at = now
    if note and idea.first_staff_answer_at is None:
        idea.first_staff_answer_at = now
    db.session.flush()
    notify.idea_status_changed(user, idea, note)
    log.info("user %s changed idea %s status %s -> %s", user.id, idea.id, previous, status)
    return idea


def _original(user, idea: Idea, original_id) -> Idea:
    """The idea a duplicate repeats: one the staff member may read, seen by the same people
    (the note must not point those who see the duplicate at something they may not see)."""
    message = _("No such idea.")
    try:
        original = get_idea(user, original_id)
    except NotFound:
        raise Invalid(
            _("Duplicate of: %(message)s", message=message), {"duplicate_of": [message]}
        ) from None
    if original.id == idea.id:
        message = _("An idea cannot duplicate itself.")
    elif not access.can_read(user, original) or original.merged_into_id is not None:
        message = _("Name an idea that is not hidden or merged.")
    elif not access.same_viewers([idea, original]):
        message = _("The original is seen by other people than this idea: name it in a comment.")
    else:
        return original
    raise Invalid(_("Duplicate of: %(message)s", message=message), {"duplicate_of": [message]})


def bump_counters(idea: Idea, *, votes: int = 0, comments: int = 0) -> None:
    """Change the kept counters in SQL (exact under concurrency) and restore `hot`."""
    row = _bump_from_seen(idea, votes, comments) or _bump_from_current(idea, votes, comments)
    _counters_changed(idea, row, votes=votes)


def _counters_changed(idea: Idea, row: tuple, *, votes: int) -> None:
    """What follows an UPDATE of the counters: `row` is (votes, comments, hot) as written."""
    # Counters change by SQL, which the ORM's change tracking does not see: queue by hand.
    # The idea's document carries its votes, not its comments' count (a comment queues its
    # own document).
    if votes:
        search_tasks.enqueue(db.session, "idea", idea.id)
    live.touch(db.session, live.idea_topic(idea.id), live.TRIAGE)
    set_committed_value(idea, "votes_count", row[0])
    set_committed_value(idea, "comments_count", row[1])
    set_committed_value(idea, "hot", row[2])


def _bump_from_seen(idea: Idea, votes: int, comments: int) -> tuple | None:
    """The counters and `hot` in one UPDATE, computed from the counts this request read, on
    the condition that they are still those (None when another writer changed them first).
    On SQLite a writing request holds the write lock since its first read, so they always
    are; on PostgreSQL the condition is checked again on the newest row once a concurrent
    writer commits."""
    statement, row = _update_as_seen(idea, votes, comments)
    done = db.session.execute(statement.execution_options(synchronize_session=False)).rowcount
    return row if done == 1 else None


def _update_as_seen(idea: Idea, votes: int, comments: int, this_idea=None) -> tuple:
    """The guarded UPDATE of `_bump_from_seen` (of the row `this_idea` picks, by default the
    idea's own), and the (votes, comments, hot) it writes."""
    seen_votes, seen_comments = idea.votes_count, idea.comments_count
    row = (seen_votes + votes, seen_comments + comments)
    row += (hot_score(*row, idea.created_at),)
    statement = (
        update(Idea)
        .where(
            Idea.id == idea.id if this_idea is None else this_idea,
            Idea.votes_count == seen_votes,
            Idea.comments_count == seen_comments,
        )
        .values(votes_count=row[0], comments_count=row[1], hot=row[2])
    )
    return statement, row


def _bump_from_current(idea: Idea, votes: int, comments: int) -> tuple:
    """Add to the counters whatever they are now, then restore `hot` from what they became
    (the row stays locked between the two statements)."""
    row = db.session.execute(
        update(Idea)
        .where(Idea.id == idea.id)
        .values(votes_count=Idea.votes_count + votes, comments_count=Idea.comments_count + comments)
        .returning(Idea.votes_count, Idea.comments_count, Idea.created_at)
        .execution_options(synchronize_session=False)
    ).one()
    hot = hot_score(row.votes_count, row.comments_count, row.created_at)
    db.session.execute(
        update(Idea)
        .where(Idea.id == idea.id)
        .values(hot=hot)
        .execution_options(synchronize_session=False)
    )
    return row.votes_count, row.comments_count, hot


def has_voted(user, idea: Idea) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return (
        db.session.scalar(select(Vote.id).where(Vote.idea_id == idea.id, Vote.user_id == user.id))
        is not None
    )


def set_vote(user, idea: Idea, supported: bool) -> bool:
    """Cast or withdraw this user's vote; idempotent. Returns whether they now support it."""
    refuse(access.write_refusal(user))
    return _change_vote(user, idea, supported, has_voted(user, idea))


def toggle_vote(user, idea: Idea) -> bool:
    """Vote, or withdraw the vote; whether the user now supports the idea. The vote is cast
    first: most toggles cast one, and the INSERT says whether one was there already (then it
    is withdrawn), so no statement asks beforehand."""
    refuse(access.write_refusal(user))
    refuse(access.vote_refusal(user, idea))
    if _cast_vote(user, idea):
        return True
    _withdraw_vote(user, idea)
    return False


def _change_vote(user, idea: Idea, supported: bool, voted: bool) -> bool:
    if voted == supported:
        return supported
    refuse(access.vote_refusal(user, idea))
    if supported:
        _cast_vote(user, idea)  # none cast: a concurrent request of the same user voted first
    else:
        _withdraw_vote(user, idea)
    return supported


def _cast_vote(user, idea: Idea) -> bool:
    """Whether a vote went in (not when the user's vote was there already)."""
    if on_postgresql():
        return _vote_in_one_statement(user, idea, cast=True)
    if not insert_unless_present(Vote, idea_id=idea.id, user_id=user.id, created_at=utcnow()):
        return False
    count_and_follow(user, idea, votes=1)
    db.session.flush()
    log.info("user %s voted for idea %s", user.id, idea.id)
    return True


def _withdraw_vote(user, idea: Idea) -> None:
    if on_postgresql():
        _vote_in_one_statement(user, idea, cast=False)
        return
    removed = db.session.execute(
        delete(Vote).where(Vote.idea_id == idea.id, Vote.user_id == user.id)
    ).rowcount
    if removed:
        bump_counters(idea, votes=-1)
    db.session.flush()
    log.info("user %s unvoted idea %s", user.id, idea.id)


def _vote_in_one_statement(user, idea: Idea, cast: bool) -> bool:
    """PostgreSQL: the vote's row, the idea's counters and `hot`, and the voter's follow in
    one statement (`_counted_then_followed`), where SQLite takes three round trips. Whether
    a vote went in (cast) or out (withdrawn)."""
    if cast:
        written = (
            postgresql.insert(Vote)
            .values(idea_id=idea.id, user_id=user.id, created_at=utcnow())
            .on_conflict_do_nothing()
        )
    else:
        written = delete(Vote).where(Vote.idea_id == idea.id, Vote.user_id == user.id)
    changed = written.returning(Vote.idea_id).cte("changed_vote")
    step = 1 if cast else -1
    done = _counted_then_followed(
        user if cast else None, idea, votes=step, comments=0, only_after=changed
    )
    if done:
        log.info("user %s %s idea %s", user.id, "voted for" if cast else "unvoted", idea.id)
    return done


def count_and_follow(user, idea: Idea, *, votes: int = 0, comments: int = 0) -> None:
    """The counters a vote or comment moves, then its writer's follow: one statement on
    PostgreSQL (a vote's own row too: `_vote_in_one_statement`)."""
    if on_postgresql():
        _counted_then_followed(user, idea, votes=votes, comments=comments)
        return
    bump_counters(idea, votes=votes, comments=comments)
    follow_quietly(user, idea)


def _counted_then_followed(follower, idea: Idea, *, votes: int, comments: int,
                           only_after=None) -> bool:  # fmt: skip
    """PostgreSQL: the counters and `hot` in one UPDATE on the condition that they are still
    the counts this request read (as `_bump_from_seen`), and `follower`'s follow, in one
    statement; with `only_after` (a CTE returning the idea's id: the vote's row written or
    removed), only if that wrote a row, in the same statement. Whether it did (True without
    `only_after`). When another writer moved the counters first, they are added to in SQL
    (`_bump_from_current`), then the follow is written.

    The follow is written from the counters' UPDATE, so only once the idea's row is locked:
    every write that follows an idea locks its row first. A vote that followed first, from
    its own row, then waited for the idea's row held by a comment of the same person, which
    waited for that follow: a deadlock the two-host test met."""
    now = utcnow()
    this_idea = None if only_after is None else Idea.id.in_(select(only_after))
    update_as_seen, row = _update_as_seen(idea, votes, comments, this_idea)
    counted = update_as_seen.returning(Idea.id).cte("counted_idea")
    wrote = exists(select(only_after)) if only_after is not None else literal(True)
    statement = select(wrote, exists(select(counted.c.id)))
    if follower is not None:  # already following: nothing to do
        statement = statement.add_cte(
            postgresql.insert(Follow)
            .from_select(
                ["idea_id", "user_id", "created_at"],
                select(counted.c.id, literal(follower.id), literal(now, Follow.created_at.type)),
            )
            .on_conflict_do_nothing()
            .cte("followed_idea")
        )
    done, counted_as_seen = db.session.execute(statement).one()
    if not done:
        return False
    if counted_as_seen:
        _counters_changed(idea, row, votes=votes)
    else:
        _counters_changed(idea, _bump_from_current(idea, votes, comments), votes=votes)
        if follower is not None:
            follow_quietly(follower, idea)
    return True


def supports_and_follows(user, idea_id: int, with_unread: bool = False) -> tuple[bool, bool]:
    """Whether the user votes for and whether they follow the idea: one statement (its page),
    which also counts their unread notifications for the header when `with_unread`."""
    if not getattr(user, "is_authenticated", False):
        return False, False
    return _page_facts(user, idea_id, with_unread=with_unread)[:2]


class PageFacts(NamedTuple):
    """What an idea's page asks first, in one statement: the reader's vote and follow, and
    whether the idea has merged ideas and a status history at all (most have neither: each
    took a query of its own on every page)."""

    voted: bool
    following: bool
    any_merged: bool
    any_history: bool


def page_facts(user, idea_id: int, with_unread: bool = False) -> PageFacts:
    """`PageFacts`; with the reader's unread count for the header when `with_unread`."""
    if not getattr(user, "is_authenticated", False):
        statement = _built_once(None, "idea-facts", lambda: select(*_idea_facts(_IDEA)))
        row = db.session.connection().execute(statement, {"idea": idea_id}).one()
        return PageFacts(False, False, bool(row[0]), bool(row[1]))
    return PageFacts(*_page_facts(user, idea_id, with_idea=True, with_unread=with_unread))


_IDEA = bindparam("idea", type_=Integer)


def _idea_facts(idea) -> tuple:
    return (
        exists().where(Idea.merged_into_id == idea),
        exists().where(StatusChange.idea_id == idea),
    )


def _page_facts(user, idea_id: int, with_idea: bool = False, with_unread: bool = False
                ) -> tuple:  # fmt: skip
    def build():
        facts = [
            exists().where(Vote.idea_id == _IDEA, Vote.user_id == user.id),
            exists().where(Follow.idea_id == _IDEA, Follow.user_id == user.id),
        ]
        if with_idea:
            facts += _idea_facts(_IDEA)
        if with_unread:
            facts.append(notify.unread_count_column(user))
        return select(*facts)

    statement = _built_once(user, ("page-facts", with_idea, with_unread), build)
    row = tuple(db.session.connection().execute(statement, {"idea": idea_id}).one())
    if with_unread:
        notify.carry_unread(user, row[-1])
        row = row[:-1]
    return tuple(bool(fact) for fact in row)


def _marked_ids(model, user, ids, with_unread: bool = False) -> set[int]:
    if not ids or not getattr(user, "is_authenticated", False):
        return set()

    def build():
        # The values written into the statement (whole numbers only): as a prepared
        # statement, PostgreSQL's generic plan for "this person, these ideas" read all the
        # person's votes.
        person = bindparam("person", int(user.id), literal_execute=True)
        these = bindparam("these", expanding=True, literal_execute=True)
        marked = select(model.idea_id).where(model.user_id == person, model.idea_id.in_(these))
        if not with_unread:
            return marked
        # The header's unread count rides along as one more row, told apart by its second
        # column.
        return union_all(
            marked.add_columns(literal(False).label("is_count")),
            select(notify.unread_count_column(user), literal(True)),
        )

    statement = _built_once(user, (model, with_unread), build)
    rows = db.session.connection().execute(statement, {"these": [int(i) for i in ids]}).all()
    if not with_unread:
        return {value for (value,) in rows}
    notify.carry_unread(user, next(value for value, is_count in rows if is_count))
    return {value for value, is_count in rows if not is_count}


# Statements every signed-in list and idea page asks, built once per reader (the ideas are
# parameters): building one, with its cache key, cost more than running it.
_BUILT_ONCE = ExpiringLRU(4096)


def _built_once(user, kind, build):
    key = (kind, None) if user is None else (kind, user.id, access.viewer_class(user))
    return _BUILT_ONCE.get_or_put(key, 3600, build)


def voted_ids(user, ideas) -> set[int]:
    """Which of these ideas the user supports: one query for a whole page."""
    return _marked_ids(Vote, user, [idea.id for idea in ideas])


def voted_among(user, idea_ids, with_unread: bool = False) -> set[int]:
    """`voted_ids` for the ideas of these ids; with the reader's unread count for the header
    in the same statement when `with_unread`."""
    return _marked_ids(Vote, user, idea_ids, with_unread)


def following_ids(user, ideas) -> set[int]:
    """Which of these ideas the user follows: one query for a whole page."""
    return _marked_ids(Follow, user, [idea.id for idea in ideas])


def is_following(user, idea: Idea) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return db.session.get(Follow, (idea.id, user.id)) is not None


def follow_quietly(user, idea: Idea) -> None:
    """Follow the idea unless already following (one statement either way)."""
    insert_unless_present(Follow, idea_id=idea.id, user_id=user.id, created_at=utcnow())


def set_following(user, idea: Idea, following: bool) -> bool:
    """Follow or unfollow an idea; idempotent."""
    refuse(access.write_refusal(user))
    if following:
        follow_quietly(user, idea)
    else:
        db.session.execute(
            delete(Follow).where(Follow.idea_id == idea.id, Follow.user_id == user.id)
        )
    db.session.flush()
    return following


def status_history(idea: Idea) -> list[StatusChange]:
    return list(
        db.session.scalars(
            select(StatusChange)
            .where(StatusChange.idea_id == idea.id)
            .order_by(StatusChange.created_at, StatusChange.id)
        )
    )


def revisions(idea: Idea) -> list[IdeaRevision]:
    return list(
        db.session.scalars(
            select(IdeaRevision)
            .where(IdeaRevision.idea_id == idea.id)
            .order_by(IdeaRevision.created_at.desc(), IdeaRevision.id.desc())
        )
    )


def vote_breakdown(idea: Idea) -> dict:
    """Votes by kind of voter and by supplier organization (for staff), one query."""
    rows = db.session.execute(
        select(User.kind, Organization.name, func.count(Vote.id))
        .join(User, User.id == Vote.user_id)
        .outerjoin(Organization, Organization.id == User.organization_id)
        .where(Vote.idea_id == idea.id)
        .group_by(User.kind, Organization.name)
    ).all()
    by_kind = {"customer": 0, "supplier": 0, "staff": 0}
    by_organization: dict[str, int] = {}
    for kind, organization, count in rows:
        by_kind[kind] = by_kind.get(kind, 0) + count
        if kind == "supplier" and organization:
            by_organization[organization] = by_organization.get(organization, 0) + count
    return {"by_kind": by_kind, "by_organization": dict(sorted(by_organization.items()))}
