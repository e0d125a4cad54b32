"""Category, Idea, Vote, Follow, Comment and their histories."""

from datetime import datetime

from sqlalchemy import (
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts.models import Organization, Team, User
from portal.extensions import db
from portal.timeutil import utcnow

AUDIENCES = ("public", "customers", "suppliers")
IDEA_KINDS = ("idea", "improvement", "problem", "praise", "question")
STATUSES = ("open", "under_review", "planned", "in_progress", "done", "declined", "duplicate")
# No votes (cast or withdrawn) once an idea is settled, or known to duplicate another.
VOTE_CLOSED_STATUSES = frozenset({"done", "declined", "duplicate"})


class Category(db.Model):
    """Where an idea lives; its audience decides who sees the idea."""

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    description: Mapped[str] = mapped_column(String(300), default="")
    audience: Mapped[str] = mapped_column(String(16), default="public")
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id", ondelete="SET NULL"))
    position: Mapped[int] = mapped_column(Integer, default=0)
    # An archived category takes no new ideas and leaves the lists of categories; its ideas stay.
    archived_at: Mapped[datetime | None] = mapped_column(DateTime)

    team: Mapped[Team | None] = relationship(lazy="joined")


class Idea(db.Model):
    """A post: idea, improvement, problem, praise or question, with kept counters."""

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(150))
    body: Mapped[str] = mapped_column(Text, default="")
    body_html: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[str] = mapped_column(String(16), default="idea")
    status: Mapped[str] = mapped_column(String(16), default="open")
    status_note: Mapped[str | None] = mapped_column(Text)
    category_id: Mapped[int] = mapped_column(ForeignKey("category.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    # Copies of what visibility depends on, so list filters need no join.
    audience: Mapped[str] = mapped_column(String(16), default="public")
    confidential: Mapped[bool] = mapped_column(Boolean, default=False)
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organization.id"))
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    hidden_reason: Mapped[str | None] = mapped_column(Text)
    locked: Mapped[bool] = mapped_column(Boolean, default=False)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("idea.id"))
    item_id: Mapped[int | None] = mapped_column(
        ForeignKey("improvement_item.id", ondelete="SET NULL"), index=True
    )

    votes_count: Mapped[int] = mapped_column(Integer, default=0)
    comments_count: Mapped[int] = mapped_column(Integer, default=0)
    # Time-invariant trending score: grows with activity and with creation time,
    # so ordering by it decays old ideas without any request recomputing it.
    hot: Mapped[float] = mapped_column(Float, default=0.0)

    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # When the title or body last changed (a staff status change is not an edit).
    edited_at: Mapped[datetime | None] = mapped_column(DateTime)
    # A moderator's `delete`: the text is gone (kept as a revision for moderators), the idea
    # stays hidden for good, and its tombstone says "Removed by a moderator: <reason>".
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime)
    removed_reason: Mapped[str | None] = mapped_column(Text)
    first_staff_answer_at: Mapped[datetime | None] = mapped_column(DateTime)
    # Routing (SPEC 13): the team and person it was given to, when a first answer is due (the
    # team's target in its business hours), the moment of the 80% warning, and when each of
    # the due and overdue notifications was taken (once, by whichever worker claimed it).
    team_id: Mapped[int | None] = mapped_column(
        ForeignKey("team.id", ondelete="SET NULL"), index=True
    )
    assignee_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"), index=True
    )
    first_answer_due_at: Mapped[datetime | None] = mapped_column(DateTime, index=True)
    answer_warn_at: Mapped[datetime | None] = mapped_column(DateTime, index=True)
    answer_due_notified_at: Mapped[datetime | None] = mapped_column(DateTime)
    answer_overdue_notified_at: Mapped[datetime | None] = mapped_column(DateTime)
    # Intake messages attached to it (SPEC 12), kept exact like the other counters.
    evidence_count: Mapped[int] = mapped_column(Integer, default=0)
    # Converted from an intake message whose sender has no account: their name, shown as
    # "on behalf of"; the staff member who converted it is the author.
    on_behalf_of: Mapped[str | None] = mapped_column(String(120))

    category: Mapped[Category] = relationship(lazy="joined", innerjoin=True)
    author: Mapped[User] = relationship(lazy="joined", innerjoin=True, foreign_keys=[author_id])
    organization: Mapped[Organization | None] = relationship()
    team: Mapped[Team | None] = relationship(foreign_keys=[team_id], lazy="joined")
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id], lazy="joined")

    # Each sort has an index to walk in order; visibility filters most rows in, so walking the
    # sort index and skipping the few invisible rows beats an audience-first index.
    __table_args__ = (
        Index("ix_idea_hot", "hot", "id"),
        Index("ix_idea_created", "created_at", "id"),
        Index("ix_idea_votes", "votes_count", "id"),
        Index("ix_idea_comments", "comments_count", "id"),
        Index("ix_idea_category_hot", "category_id", "hot"),
        Index("ix_idea_category_created", "category_id", "created_at"),
        Index("ix_idea_category_votes", "category_id", "votes_count"),
        Index("ix_idea_category_comments", "category_id", "comments_count"),
        Index("ix_idea_status_hot", "status", "hot"),
        # A status or kind filter sorted by date (the home page's "done" list, "new problems"):
        # without them every matching idea is sorted. created_at never changes, so they cost
        # nothing when votes and comments move the counters.
        Index("ix_idea_status_created", "status", "created_at", "id"),
        Index("ix_idea_kind_created", "kind", "created_at", "id"),
        # An idea's page lists the ideas merged into it: without it, a scan of every idea.
        # Partial: a full index would tempt SQLite's planner to answer the lists'
        # `merged_into_id IS NULL` (nearly every row) through it, then sort them all.
        Index(
            "ix_idea_merged_into",
            "merged_into_id",
            sqlite_where=text("merged_into_id IS NOT NULL"),
            postgresql_where=text("merged_into_id IS NOT NULL"),
        ),
        Index("ix_idea_kind_hot", "kind", "hot"),
        Index("ix_idea_organization", "organization_id"),
    )

    @property
    def is_merged(self) -> bool:
        return self.merged_into_id is not None


class Vote(db.Model):
    """One support vote per user per idea; the unique constraint keeps counts exact."""

    id: Mapped[int] = mapped_column(primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("idea.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    __table_args__ = (UniqueConstraint("idea_id", "user_id", name="uq_vote_idea_user"),)


class Follow(db.Model):
    """A user follows an idea (automatically when they post, vote or comment)."""

    idea_id: Mapped[int] = mapped_column(
        ForeignKey("idea.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class IdeaRevision(db.Model):
    """An idea's title and body as they were before an edit."""

    id: Mapped[int] = mapped_column(primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("idea.id", ondelete="CASCADE"), index=True)
    editor_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    title: Mapped[str] = mapped_column(String(150))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    editor: Mapped[User] = relationship(lazy="joined")


class IdeaMove(db.Model):
    """A misfiled idea moved to another category and/or kind, shown in its history."""

    __tablename__ = "idea_move"

    id: Mapped[int] = mapped_column(primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("idea.id", ondelete="CASCADE"), index=True)
    by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    from_category_id: Mapped[int] = mapped_column(ForeignKey("category.id"))
    to_category_id: Mapped[int] = mapped_column(ForeignKey("category.id"))
    from_kind: Mapped[str] = mapped_column(String(16))
    to_kind: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    by: Mapped[User | None] = relationship(lazy="joined")
    from_category: Mapped[Category] = relationship(foreign_keys=[from_category_id], lazy="joined")
    to_category: Mapped[Category] = relationship(foreign_keys=[to_category_id], lazy="joined")


class StatusChange(db.Model):
    """A staff status change with its note."""

    id: Mapped[int] = mapped_column(primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("idea.id", ondelete="CASCADE"), index=True)
    by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    from_status: Mapped[str] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    by: Mapped[User] = relationship(lazy="joined")


class Comment(db.Model):
    """A comment or a one-level reply; deletion leaves a tombstone."""

    id: Mapped[int] = mapped_column(primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("idea.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("comment.id"), index=True)
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    official: Mapped[bool] = mapped_column(Boolean, default=False)
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    hidden_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column(DateTime)
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime)
    # Set when a moderator removed it (None: its author deleted it).
    removed_reason: Mapped[str | None] = mapped_column(Text)
    # Posted by replying to a notification e-mail: that e-mail's sender and Message-ID, so a
    # mail fetched or delivered twice is one comment.
    mail_message_id: Mapped[str | None] = mapped_column(String(998), unique=True)

    author: Mapped[User] = relationship(lazy="joined", innerjoin=True)

    __table_args__ = (
        Index("ix_comment_idea_created", "idea_id", "created_at", "id"),
        # A bounded search on PostgreSQL walks the newest comments matching a common word.
        Index("ix_comment_created", "created_at", "id"),
    )

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


class CommentRevision(db.Model):
    """A comment's body as it was before an edit."""

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(
        ForeignKey("comment.id", ondelete="CASCADE"), index=True
    )
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Mention(db.Model):
    """An @handle in a comment; notifications about it come from the notify package."""

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("comment.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)

    __table_args__ = (UniqueConstraint("comment_id", "user_id", name="uq_mention_comment_user"),)


class StaffNote(db.Model):
    """A staff-only note beside an idea's public discussion: never shown to anyone else, never
    indexed for search, never sent in webhooks (access.can_see_staff_notes decides who)."""

    __tablename__ = "staff_note"

    id: Mapped[int] = mapped_column(primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("idea.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column(DateTime)

    author: Mapped[User] = relationship(lazy="joined", innerjoin=True)

    __table_args__ = (Index("ix_staff_note_idea_created", "idea_id", "created_at", "id"),)
