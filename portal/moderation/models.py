"""Flag, ModerationAction and Appeal."""

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts.models import User
from portal.extensions import db
from portal.timeutil import utcnow

TARGET_TYPES = ("idea", "comment", "user")
FLAG_REASONS = ("spam", "abuse", "off_topic", "duplicate", "other")
ACTIONS = ("dismiss", "hide", "restore", "lock", "unlock", "merge", "suspend", "unsuspend",
           "edit", "delete")  # fmt: skip
# What applies to each kind of target; `access.moderation_actions` says which of these fit
# the target as it is now. The automatic hold after enough flags is logged as "hide".
ACTIONS_ON = {
    "idea": ("dismiss", "hide", "restore", "lock", "unlock", "merge", "edit", "delete"),
    "comment": ("dismiss", "hide", "restore", "edit", "delete"),
    "user": ("dismiss", "suspend", "unsuspend"),
}


class Flag(db.Model):
    """Someone's report of an idea, a comment or a user; open until a moderator acts."""

    id: Mapped[int] = mapped_column(primary_key=True)
    target_type: Mapped[str] = mapped_column(String(16))
    target_id: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("idea.id", ondelete="SET NULL"))
    by_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime)
    resolved_by_action_id: Mapped[int | None] = mapped_column(
        ForeignKey("moderation_action.id", ondelete="SET NULL")
    )

    by: Mapped[User] = relationship(lazy="joined", foreign_keys=[by_id])

    __table_args__ = (
        Index("ix_flag_target", "target_type", "target_id"),
        # One open flag per user and target: a second one is a 409, never a double count.
        Index(
            "uq_flag_open_per_user",
            "by_id",
            "target_type",
            "target_id",
            unique=True,
            sqlite_where=text("resolved_at IS NULL"),
            postgresql_where=text("resolved_at IS NULL"),
        ),
        Index("ix_flag_open", "resolved_at", "created_at"),
    )

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None


class ModerationAction(db.Model):
    """One entry of the public moderation log: who did what to which target, and why."""

    id: Mapped[int] = mapped_column(primary_key=True)
    action: Mapped[str] = mapped_column(String(16))
    target_type: Mapped[str] = mapped_column(String(16))
    target_id: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text)
    # None for what the portal did by itself (the automatic hold after enough flags).
    by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    into_id: Mapped[int | None] = mapped_column(ForeignKey("idea.id", ondelete="SET NULL"))
    until: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    by: Mapped[User | None] = relationship(lazy="joined", foreign_keys=[by_id])

    __table_args__ = (
        Index("ix_moderation_action_created", "created_at", "id"),
        Index("ix_moderation_action_target", "target_type", "target_id"),
    )


class Appeal(db.Model):
    """An author's one appeal against hiding their content; it returns to the queue."""

    id: Mapped[int] = mapped_column(primary_key=True)
    target_type: Mapped[str] = mapped_column(String(16))
    target_id: Mapped[int] = mapped_column(Integer)
    by_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime)

    by: Mapped[User] = relationship(lazy="joined")

    __table_args__ = (Index("uq_appeal_target", "target_type", "target_id", unique=True),)
