"""SavedReply: a titled answer a team keeps for staff to insert and edit before sending."""

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts.models import Team, User
from portal.extensions import db
from portal.timeutil import utcnow


class SavedReply(db.Model):
    """One team's saved reply; its members and admins manage it, any staff member inserts it."""

    __tablename__ = "saved_reply"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(120))
    body: Mapped[str] = mapped_column(Text)
    # Who wrote it (kept when they leave the team; erasure leaves "Former member").
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    team: Mapped[Team] = relationship(lazy="joined", innerjoin=True)
    created_by: Mapped[User | None] = relationship(lazy="joined")

    __table_args__ = (Index("ix_saved_reply_team_title", "team_id", "title"),)
