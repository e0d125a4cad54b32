"""Responsiveness, in public (SPEC 13): per team over the last 90 days, how fast ideas got a
first staff answer and how many still wait, counting only the ideas the viewer may see.

A handful of grouped queries whatever the number of teams; medians are taken in Python over
the window's answered ideas (their two timestamps only).
"""

import statistics
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select

from portal import access
from portal.accounts.models import Team
from portal.extensions import db
from portal.ideas.models import Idea
from portal.routing.service import CLOSED_STATUSES
from portal.timeutil import utcnow

WINDOW_DAYS = 90


@dataclass(frozen=True)
class TeamFigures:
    team: Team
    target_hours: float | None
    answered: int
    median_hours_to_first_answer: float | None
    within_target_pct: float | None
    waiting: int
    oldest_waiting_hours: float | None


def _hours(delta: timedelta) -> float:
    return max(delta.total_seconds(), 0) / 3600


def _counted(user):
    """Ideas the viewer may see, hidden ones and merged duplicates left out."""
    return (
        access.idea_visibility(user, include_hidden_own=False)
        & Idea.merged_into_id.is_(None)
        & Idea.hidden.is_(False)
        & Idea.team_id.is_not(None)
    )


def figures(user, now: datetime | None = None) -> list[TeamFigures]:
    now = now or utcnow()
    since = now - timedelta(days=WINDOW_DAYS)
    teams = list(db.session.scalars(select(Team).order_by(Team.name)))
    answered: dict[int, list[tuple[datetime, datetime, datetime | None]]] = {}
    rows = db.session.execute(
        select(
            Idea.team_id, Idea.created_at, Idea.first_staff_answer_at, Idea.first_answer_due_at
        ).where(  # fmt: skip
            _counted(user), Idea.created_at >= since, Idea.first_staff_answer_at.is_not(None)
        )
    )
    for team_id, created, first, due in rows:
        answered.setdefault(team_id, []).append((created, first, due))
    waiting = {
        team_id: (count, oldest)
        for team_id, count, oldest in db.session.execute(
            select(Idea.team_id, func.count(), func.min(Idea.created_at))
            .where(
                _counted(user),
                Idea.first_staff_answer_at.is_(None),
                Idea.status.not_in(CLOSED_STATUSES),
            )  # fmt: skip
            .group_by(Idea.team_id)
        )
    }
    result = []
    for team in teams:
        done = answered.get(team.id, [])
        durations = [_hours(first - created) for created, first, _ in done]
        with_due = [(first, due) for _, first, due in done if due is not None]
        within = (
            round(100 * sum(1 for first, due in with_due if first <= due) / len(with_due), 1)
            if with_due
            else None
        )
        count, oldest = waiting.get(team.id, (0, None))
        result.append(
            TeamFigures(
                team=team,
                target_hours=team.answer_target_hours,
                answered=len(done),
                median_hours_to_first_answer=(
                    round(statistics.median(durations), 1) if durations else None
                ),
                within_target_pct=within,
                waiting=count,
                oldest_waiting_hours=round(_hours(now - oldest), 1) if oldest else None,
            )
        )
    return result
