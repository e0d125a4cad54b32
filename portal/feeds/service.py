"""What each feed carries: always what an anonymous visitor may read (access.feed_reader),
whoever asks, through the same services and rules as the pages."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from portal import access
from portal.errors import NotFound
from portal.extensions import db
from portal.ideas import service as ideas
from portal.ideas.models import Category, Comment, Idea, StatusChange
from portal.tracking import service as tracking
from portal.tracking.models import ImprovementItem

# Entries per feed: a feed reader polls often and keeps what it saw, so the newest few are
# enough, and the document stays small.
FEED_SIZE = 50
# A feed with no entries still needs an `updated`; a fixed moment keeps it (and its ETag)
# the same from one request to the next.
EMPTY_FEED_UPDATED = datetime(2025, 1, 1)


@dataclass
class IdeaListFeed:
    ideas: list[Idea]
    updated: datetime
    category_name: str | None = None


@dataclass
class IdeaFeed:
    idea: Idea
    status_changes: list[StatusChange]
    official: list[Comment]
    updated: datetime


@dataclass
class ChangelogFeed:
    items: list[ImprovementItem]
    linked: dict[int, list[Idea]]
    updated: datetime


def _latest(*moments) -> datetime:
    return max((m for m in moments if m is not None), default=EMPTY_FEED_UPDATED)


def idea_list(*, sort=None, category=None, status=None, kind=None) -> IdeaListFeed:
    """The idea list as `/ideas` shows it with these filters to an anonymous visitor: hidden,
    merged, confidential and non-public ideas are not there."""
    reader = access.feed_reader()
    page = ideas.list_ideas(reader, sort=sort or "trending", category=category, status=status,
                            kind=kind, per_page=FEED_SIZE)  # fmt: skip
    # The category's name for the feed's title, only when a visitor may see the category.
    category_name = db.session.scalar(
        select(Category.name).where(Category.slug == category, access.category_visibility(reader))
    ) if category else None  # fmt: skip
    return IdeaListFeed(ideas=page.items, updated=_latest(*(i.updated_at for i in page.items)),
                        category_name=category_name)  # fmt: skip


def idea_answers(idea_id) -> IdeaFeed:
    """An idea's status changes (with their notes) and official answers that are not hidden
    or deleted; NotFound unless the idea has a feed (access.has_feed)."""
    reader = access.feed_reader()
    idea = ideas.get_idea(reader, idea_id)
    if not access.has_feed(idea):
        raise NotFound("No such idea.")
    changes = ideas.status_history(idea)[-FEED_SIZE:]
    official = list(
        db.session.scalars(
            select(Comment)
            .where(
                Comment.idea_id == idea.id,
                Comment.official.is_(True),
                Comment.deleted_at.is_(None),
                access.readable_comment(reader),
            )
            .order_by(Comment.created_at.desc(), Comment.id.desc())
            .limit(FEED_SIZE)
        )
    )
    updated = _latest(idea.created_at, *(c.created_at for c in changes),
                      *(c.edited_at or c.created_at for c in official))  # fmt: skip
    return IdeaFeed(idea=idea, status_changes=changes, official=official, updated=updated)


def changelog() -> ChangelogFeed:
    """What shipped, newest first, with the ideas each item answers that a visitor may read."""
    items, linked = tracking.changelog(access.feed_reader(), limit=FEED_SIZE)
    updated = _latest(*(i.updated_at for i in items), *(i.shipped_at for i in items))
    return ChangelogFeed(items=items, linked=linked, updated=updated)
