"""LiveChange: one row per thing that changed, written in the transaction that changed it."""

from datetime import datetime

from sqlalchemy import BigInteger, DateTime, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import db
from portal.timeutil import utcnow

# BIGINT on PostgreSQL; on SQLite the id must be the INTEGER rowid to autoincrement.
_ID = BigInteger().with_variant(Integer(), "sqlite")


class LiveChange(db.Model):
    """A change an open page may follow: its id is the cursor every host agrees on.

    `topic` names what changed: `idea:<id>` (its votes, status, comments...), `user:<id>`
    (that person's notifications), `moderation`, `triage` or `intake`. `comment_id` is set
    when the change is a new comment on that idea, so a page appends it once.
    """

    __tablename__ = "live_change"

    id: Mapped[int] = mapped_column(_ID, primary_key=True, autoincrement=True)
    topic: Mapped[str] = mapped_column(String(40))
    comment_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    __table_args__ = (
        Index("ix_live_change_topic_id", "topic", "id"),
        # AUTOINCREMENT: an id is never reused, even after the newest rows were pruned.
        {"sqlite_autoincrement": True},
    )
