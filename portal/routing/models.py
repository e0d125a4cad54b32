"""RoutingRule: admins' ordered rules that send ideas and intake messages to a team."""

import json
from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts.models import Team, User
from portal.extensions import db
from portal.timeutil import utcnow

CONDITION_KEYS = ("category", "kind", "author_kind", "organization", "source", "words")


class RoutingRule(db.Model):
    """Tried in `position` order; the first whose conditions all hold decides (SPEC 13)."""

    __tablename__ = "routing_rule"

    id: Mapped[int] = mapped_column(primary_key=True)
    position: Mapped[int] = mapped_column(Integer, default=0, index=True)
    name: Mapped[str] = mapped_column(String(120))
    # JSON object; keys from CONDITION_KEYS (category: a slug, organization: an id, words: a
    # list), each absent key holding for everything.
    conditions_json: Mapped[str] = mapped_column("conditions", Text, default="{}")
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    team: Mapped[Team] = relationship(lazy="joined")
    assignee: Mapped[User | None] = relationship(lazy="joined")

    @property
    def conditions(self) -> dict:
        return json.loads(self.conditions_json or "{}")

    @conditions.setter
    def conditions(self, value: dict) -> None:
        self.conditions_json = json.dumps(value, sort_keys=True)
