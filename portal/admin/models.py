"""AdminChange: what admins changed in how the portal is run, for admins to read."""

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts.models import User
from portal.extensions import db
from portal.timeutil import utcnow

TARGET_TYPES = ("user", "team", "category", "organization", "webhook", "routing_rule")


class AdminChange(db.Model):
    """One change to a user's account, a team, a category, an organization, a webhook or a
    routing rule: who did it (None: the command line), to what, and what changed."""

    __tablename__ = "admin_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(32))
    target_type: Mapped[str] = mapped_column(String(16))
    target_id: Mapped[int | None] = mapped_column(Integer)
    # The target's name when it happened: a renamed or deleted target is still recognisable.
    target_label: Mapped[str] = mapped_column(String(200), default="")
    details: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    by: Mapped[User | None] = relationship(lazy="joined", foreign_keys=[by_id])

    __table_args__ = (
        Index("ix_admin_change_created", "created_at", "id"),
        Index("ix_admin_change_target", "target_type", "target_id"),
    )
