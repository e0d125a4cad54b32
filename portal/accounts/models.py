"""User, Organization, Team and ApiToken."""

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.timeutil import utcnow

KINDS = ("customer", "supplier", "staff")
# How a team hands out new work (SPEC 13): to nobody in particular, in turn, or to whoever has
# the least open unanswered work.
ASSIGNMENT_MODES = ("queue", "round_robin", "least_loaded")
ROLES = ("member", "moderator", "admin")
EMAIL_PREFERENCES = ("instant", "daily", "off")
# The stored "hash" of an account without a password (single sign-on, erased): no password
# hashes to it, and argon2 refuses it as a hash, so nothing signs in with a password.
UNUSABLE_PASSWORD = "!"

team_members = Table(
    "team_member",
    db.metadata,
    Column("team_id", Integer, ForeignKey("team.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", Integer, ForeignKey("user.id", ondelete="CASCADE"), primary_key=True),
)


class Organization(db.Model):
    """A supplier company; its members see its confidential ideas."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<Organization {self.name!r}>"


class Team(db.Model):
    """An internal staff team that categories and routing rules send ideas and messages to."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    assignment: Mapped[str] = mapped_column(String(16), default="queue")
    # The promised time to a first answer, in business hours; None promises nothing.
    answer_target_hours: Mapped[float | None] = mapped_column(Float)
    # JSON of routing.hours.BusinessHours; None means the default (Monday-Friday 09-17 UTC).
    business_hours: Mapped[str | None] = mapped_column(Text)

    members: Mapped[list["User"]] = relationship(
        secondary=team_members, back_populates="teams", order_by="User.display_name"
    )

    def __repr__(self) -> str:
        return f"<Team {self.name!r}>"


class User(UserMixin, db.Model):
    """A person: a kind (who they are) and a role (what they may do)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    handle: Mapped[str] = mapped_column(String(40), unique=True)
    display_name: Mapped[str] = mapped_column(String(80))
    password_hash: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(16), default="customer")
    role: Mapped[str] = mapped_column(String(16), default="member")
    organization_id: Mapped[int | None] = mapped_column(
        ForeignKey("organization.id", ondelete="SET NULL"), index=True
    )
    # A supplier is pending until an admin or staff member approves them.
    approved: Mapped[bool] = mapped_column(Boolean, default=True)
    email_preference: Mapped[str] = mapped_column(String(8), default="instant")
    last_digest_at: Mapped[datetime | None] = mapped_column(DateTime)
    suspended_until: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # Self-registered accounts read only until they confirm their address; accounts made by
    # the CLI, an admin or single sign-on are verified when made.
    email_verified_at: Mapped[datetime | None] = mapped_column(DateTime)
    # Changes on password change, so "remember me" cookies and sessions of old passwords die.
    session_token: Mapped[str] = mapped_column(String(64))
    # Staff say whether they take new work; round-robin and least-loaded skip the absent.
    available: Mapped[bool] = mapped_column(Boolean, default=True)
    # When routing last gave this person work (round-robin gives the next to the longest idle).
    last_assigned_at: Mapped[datetime | None] = mapped_column(DateTime)
    # Set when the person's data was erased (SPEC 15): the row stays so their ideas and
    # comments keep an author, shown as "Former member", with nothing that names them.
    erased_at: Mapped[datetime | None] = mapped_column(DateTime)

    organization: Mapped[Organization | None] = relationship(lazy="joined")
    teams: Mapped[list[Team]] = relationship(secondary=team_members, back_populates="members")

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    @property
    def has_password(self) -> bool:
        """False for accounts made by single sign-on (their hash is UNUSABLE_PASSWORD)."""
        return self.password_hash.startswith("$")

    @property
    def is_erased(self) -> bool:
        return self.erased_at is not None

    @property
    def is_pending_supplier(self) -> bool:
        return self.kind == "supplier" and not self.approved

    def is_suspended(self, now: datetime | None = None) -> bool:
        return self.suspended_until is not None and self.suspended_until > (now or utcnow())

    def __repr__(self) -> str:
        return f"<User {self.email!r} {self.kind}/{self.role}>"


class ApiToken(db.Model):
    """A personal access token; only its SHA-256 is stored."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)

    user: Mapped[User] = relationship(lazy="joined")


class UserIdentity(db.Model):
    """An account at an OpenID Connect provider (SPEC 15) that signs in as a portal user:
    found again by the provider (its slug), its issuer and the subject there, never by the
    e-mail claim alone. The issuer is part of the key: a provider set up again under an old
    name with another issuer opens none of the old identities."""

    __tablename__ = "user_identity"
    __table_args__ = (UniqueConstraint("provider", "issuer", "subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    # The provider's slug when it was joined (shown on the account page).
    provider: Mapped[str] = mapped_column(String(80))
    issuer: Mapped[str] = mapped_column(String(255))
    subject: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime)

    user: Mapped[User] = relationship()
