"""ImprovementItem and its history."""

from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts.models import Team, User
from portal.extensions import db
from portal.timeutil import utcnow

ITEM_STATUSES = ("planned", "in_progress", "shipped", "dropped")
PRIORITIES = ("p1", "p2", "p3", "p4")
# The workflow: planned -> in_progress -> shipped, or dropped from either; a dropped item
# may be planned again.
TRANSITIONS = {
    "planned": {"in_progress", "dropped"},
    "in_progress": {"shipped", "dropped", "planned"},
    "shipped": set(),
    "dropped": {"planned"},
}
# Linked ideas follow their item's status.
IDEA_STATUS_FOR = {
    "planned": "planned",
    "in_progress": "in_progress",
    "shipped": "done",
    "dropped": "under_review",
}


class ImprovementItem(db.Model):
    """Tracked work promoted from one or several ideas."""

    __tablename__ = "improvement_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(150))
    description: Mapped[str] = mapped_column(Text, default="")
    description_html: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="planned")
    priority: Mapped[str] = mapped_column(String(2), default="p3")
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id", ondelete="SET NULL"))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    target_date: Mapped[date | None] = mapped_column(Date)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    shipped_at: Mapped[datetime | None] = mapped_column(DateTime)

    team: Mapped[Team | None] = relationship(lazy="joined")
    owner: Mapped[User | None] = relationship(lazy="joined", foreign_keys=[owner_id])

    __table_args__ = (
        Index("ix_improvement_item_status", "status", "updated_at"),
        Index("ix_improvement_item_shipped", "shipped_at"),
    )


class ItemChange(db.Model):
    """One entry of an item's history: who changed what, when, and the note."""

    __tablename__ = "item_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(
        ForeignKey("improvement_item.id", ondelete="CASCADE"), index=True
    )
    by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    by: Mapped[User] = relationship(lazy="joined")
