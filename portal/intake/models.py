"""IntakeMessage and IntakeReply: conversations that arrived by e-mail, the API or the widget."""

from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts.models import Organization, Team, User
from portal.extensions import db
from portal.ideas.models import Category, Idea
from portal.timeutil import utcnow

SOURCES = ("email", "api", "widget")
STATUSES = ("open", "attached", "converted", "dismissed")


class IntakeMessage(db.Model):
    """One conversation from outside the portal, routed to a team, worked in the inbox."""

    __tablename__ = "intake_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(8))
    sender_email: Mapped[str] = mapped_column(String(254))
    sender_name: Mapped[str] = mapped_column(String(120), default="")
    # Whether anything vouches that the sender owns the address (a signed-in widget visitor,
    # mail whose DMARC or DKIM passed at a trusted mail server, a help desk that says so).
    # Only then does attaching add their vote, or converting make them the author.
    sender_verified: Mapped[bool] = mapped_column(Boolean, default=False)
    # The account of that address (normalised as sign-in does), when there is one.
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"), index=True
    )
    organization_id: Mapped[int | None] = mapped_column(
        ForeignKey("organization.id", ondelete="SET NULL")
    )
    subject: Mapped[str] = mapped_column(String(300), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    # File names of what came attached (the files themselves are not kept); one per line.
    attachments: Mapped[str] = mapped_column(Text, default="")
    # A category the channel named (feedback+<slug>@, the API's `category`): routing input.
    category_id: Mapped[int | None] = mapped_column(ForeignKey("category.id", ondelete="SET NULL"))
    received_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    status: Mapped[str] = mapped_column(String(12), default="open")
    # Idempotency: a help desk's own id, and an e-mail's Message-ID, each make one message.
    external_ref: Mapped[str | None] = mapped_column(String(200), unique=True)
    mail_message_id: Mapped[str | None] = mapped_column(String(998), unique=True)

    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id", ondelete="SET NULL"))
    assignee_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"), index=True
    )
    first_answer_due_at: Mapped[datetime | None] = mapped_column(DateTime)
    answer_warn_at: Mapped[datetime | None] = mapped_column(DateTime, index=True)
    first_answered_at: Mapped[datetime | None] = mapped_column(DateTime)
    answer_due_notified_at: Mapped[datetime | None] = mapped_column(DateTime)
    answer_overdue_notified_at: Mapped[datetime | None] = mapped_column(DateTime)

    idea_id: Mapped[int | None] = mapped_column(
        ForeignKey("idea.id", ondelete="SET NULL"), index=True
    )
    dismissed_reason: Mapped[str | None] = mapped_column(Text)
    handled_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    handled_at: Mapped[datetime | None] = mapped_column(DateTime)

    user: Mapped[User | None] = relationship(foreign_keys=[user_id])
    organization: Mapped[Organization | None] = relationship()
    category: Mapped[Category | None] = relationship()
    team: Mapped[Team | None] = relationship()
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id])
    handled_by: Mapped[User | None] = relationship(foreign_keys=[handled_by_id])
    idea: Mapped[Idea | None] = relationship()
    replies: Mapped[list["IntakeReply"]] = relationship(
        back_populates="message", order_by="IntakeReply.id", cascade="all, delete-orphan"
    )

    __table_args__ = (
        # The inbox: a team's open messages, oldest first.
        Index("ix_intake_status_team_received", "status", "team_id", "received_at"),
    )

    @property
    def attachment_names(self) -> list[str]:
        return [name for name in self.attachments.splitlines() if name]


class IntakeReply(db.Model):
    """A staff member's e-mail answer to a message's sender (sent through the outbox)."""

    __tablename__ = "intake_reply"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(
        ForeignKey("intake_message.id", ondelete="CASCADE"), index=True
    )
    by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    message: Mapped[IntakeMessage] = relationship(back_populates="replies")
    by: Mapped[User | None] = relationship()


class MailboxPoll(db.Model):
    """The IMAP poller's lease and last result: one poller at a time across hosts."""

    __tablename__ = "mailbox_poll"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    claimed_until: Mapped[datetime | None] = mapped_column(DateTime)
    last_polled_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    fetched: Mapped[int] = mapped_column(Integer, default=0)
