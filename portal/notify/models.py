"""Notification, OutboxMessage and Webhook."""

from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import db
from portal.timeutil import utcnow

EVENTS = ("status_changed", "official_response", "reply", "mention", "moderated", "item_shipped",
          "assigned", "answer_due", "answer_overdue", "supplier_approved",
          "supplier_rejected")  # fmt: skip
WEBHOOK_EVENTS = ("idea.created", "idea.status_changed", "comment.created", "item.status_changed")


class Notification(db.Model):
    """One event for one person, in the portal's notification centre."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    event: Mapped[str] = mapped_column(String(24))
    idea_id: Mapped[int | None] = mapped_column(ForeignKey("idea.id", ondelete="CASCADE"))
    item_id: Mapped[int | None] = mapped_column(
        ForeignKey("improvement_item.id", ondelete="CASCADE")
    )
    # The comment the message quotes: the notification is shown only while its reader may
    # still read that comment (and the idea), and goes when the comment does.
    comment_id: Mapped[int | None] = mapped_column(ForeignKey("comment.id", ondelete="CASCADE"))
    # An intake message it is about (staff only: assigned, due, overdue).
    intake_message_id: Mapped[int | None] = mapped_column(
        ForeignKey("intake_message.id", ondelete="CASCADE")
    )
    # The staff note it quotes (a mention among staff): shown to staff only, and gone with the
    # note.
    staff_note_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_note.id", ondelete="CASCADE")
    )
    # The idea's (or item's) title when it happened, and a line saying what happened.
    title: Mapped[str] = mapped_column(String(150))
    message: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(DateTime)
    # For the daily digest: when it went out in one.
    digested_at: Mapped[datetime | None] = mapped_column(DateTime)

    __table_args__ = (
        Index("ix_notification_user_created", "user_id", "created_at"),
        Index("ix_notification_user_unread", "user_id", "read_at"),
    )


class OutboxMessage(db.Model):
    """An e-mail or webhook call to deliver, written in the transaction of its event."""

    __tablename__ = "outbox_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))  # "email" or "webhook"
    recipient: Mapped[str] = mapped_column(String(2000))  # address or URL
    subject: Mapped[str] = mapped_column(String(300), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    headers: Mapped[str] = mapped_column(Text, default="{}")  # JSON
    webhook_id: Mapped[int | None] = mapped_column(ForeignKey("webhook.id", ondelete="CASCADE"))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)
    failed_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_status: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # A sender (on any host) claims a row before sending it, for a lease: no other sender
    # takes it meanwhile, and a sender that died mid-send leaves it to others once the lease
    # is over. The lease ends with the attempt; claimed_by stays, naming who made it.
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    claimed_until: Mapped[datetime | None] = mapped_column(DateTime)

    __table_args__ = (
        Index("ix_outbox_due", "sent_at", "failed_at", "next_attempt_at"),
        Index("ix_outbox_webhook", "webhook_id", "id"),
    )


class Webhook(db.Model):
    """An admin-registered receiver of signed JSON events."""

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(2000))
    secret: Mapped[str] = mapped_column(String(200))
    events: Mapped[str] = mapped_column(String(200))  # comma-separated WEBHOOK_EVENTS
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    @property
    def event_list(self) -> list[str]:
        return [e for e in self.events.split(",") if e]
