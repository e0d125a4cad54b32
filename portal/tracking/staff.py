"""Staff work: the triage lists, the dashboard figures and the CSV exports.

Every function takes the acting user and counts only what `access` lets that user see
(for staff: everything but hidden ideas). The dashboard is a fixed handful of grouped
queries whatever the amount of data.
"""

import csv
import io
import logging
import statistics
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import String, case, cast, func, select

from portal import access
from portal.accounts.models import KINDS, Team, User
from portal.extensions import db
from portal.ideas.models import Category, Idea, Vote
from portal.timeutil import isoformat, utcnow
from portal.tracking.models import ImprovementItem

log = logging.getLogger(__name__)

WEEKS = 12
TRENDING_TOP = 10
# Promising ideas are still to be decided on; these are settled.
SETTLED_STATUSES = ("done", "declined", "duplicate")
# The median answer time looks at the most recently answered ideas, at most this many.
ANSWER_SAMPLE = 5000
TRIAGE_LIMIT = 200
# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# The dashboard's row for ideas in a category routed to no team (in the reader's language).
NO_TEAM = _l("No team")


def _counted(user):
    """The ideas staff figures count: those the user sees, hidden ones left out, not merged."""
    return access.idea_visibility(user, include_hidden_own=False) & Idea.merged_into_id.is_(None)


def _routed_to(user):
    """Ideas routed to the user's teams or given to them; with no team, every idea."""
    team_ids = [team.id for team in user.teams]
    if not team_ids:
        return None
    return Idea.team_id.in_(team_ids) | (Idea.assignee_id == user.id)


# Triage


def _overdue_first(now: datetime):
    """Ideas past their answer target first (the longest overdue first), then the rest."""
    overdue = Idea.first_answer_due_at < now
    return (case((overdue, 0), else_=1), case((overdue, Idea.first_answer_due_at), else_=None))


@dataclass(frozen=True)
class Triage:
    unanswered: list[Idea]
    unanswered_total: int
    promising: list[Idea]
    promising_total: int
    promising_votes: int
    teams: list[Team]
    now: datetime


def triage(user, *, promising_votes: int | None = None, now: datetime | None = None,
           limit: int = TRIAGE_LIMIT) -> Triage:  # fmt: skip
    """Unanswered ideas routed to the user's teams, oldest first; and the promising ideas."""
    if promising_votes is None:
        promising_votes = current_app.config["PROMISING_VOTES"]
    unanswered = [_counted(user), Idea.first_staff_answer_at.is_(None)]
    routed = _routed_to(user)
    if routed is not None:
        unanswered.append(routed)
    candidates = [_counted(user), Idea.item_id.is_(None), Idea.status.not_in(SETTLED_STATUSES)]
    trending = (
        select(Idea.id)
        .where(*candidates)
        .order_by(Idea.hot.desc(), Idea.id.desc())
        .limit(TRENDING_TOP)
    )
    promising = [*candidates, (Idea.votes_count >= promising_votes) | Idea.id.in_(trending)]
    return Triage(
        unanswered=list(
            db.session.scalars(
                select(Idea)
                .where(*unanswered)
                .order_by(*_overdue_first(now or utcnow()), Idea.created_at, Idea.id)
                .limit(limit)
            )
        ),
        unanswered_total=db.session.scalar(select(func.count(Idea.id)).where(*unanswered)) or 0,
        promising=list(
            db.session.scalars(
                select(Idea)
                .where(*promising)
                .order_by(Idea.votes_count.desc(), Idea.hot.desc(), Idea.id.desc())
                .limit(limit)
            )
        ),
        promising_total=db.session.scalar(select(func.count(Idea.id)).where(*promising)) or 0,
        promising_votes=promising_votes,
        teams=sorted(user.teams, key=lambda team: team.name),
        now=now or utcnow(),
    )


def describe_age(since: datetime, now: datetime) -> str:
    """How long ago, in the largest unit that reads naturally: "40 minutes", "3 days", in the
    reader's language."""
    seconds = max((now - since).total_seconds(), 0)
    if seconds < 3600:
        return ngettext("%(num)s minute", "%(num)s minutes", max(int(seconds // 60), 1))
    if seconds < 48 * 3600:
        return ngettext("%(num)s hour", "%(num)s hours", int(seconds // 3600))
    if seconds < 14 * 86400:
        return ngettext("%(num)s day", "%(num)s days", int(seconds // 86400))
    return ngettext("%(num)s week", "%(num)s weeks", int(seconds // (7 * 86400)))


# Dashboard


@dataclass(frozen=True)
class TeamAnswer:
    team: str
    median_hours: float
    ideas: int


@dataclass(frozen=True)
class Dashboard:
    weeks: list[date]  # the Monday of each week, oldest first; the last one is this week
    ideas_per_week: list[int]
    votes_per_week: list[int]
    ideas_by_kind: dict[str, int]  # author kind -> ideas, all time
    votes_by_kind: dict[str, int]  # voter kind -> votes, all time
    funnel: list[tuple[str, int]]  # (stage, ideas)
    answers: list[TeamAnswer]  # per team, slowest first
    median_hours: float | None  # over every answered idea counted
    answered: int


def week_starts(now: datetime, weeks: int = WEEKS) -> list[datetime]:
    """Midnight (UTC) of the Monday of each of the last `weeks` weeks, this week last."""
    monday = (now - timedelta(days=now.weekday())).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    return [monday - timedelta(weeks=weeks - 1 - n) for n in range(weeks)]


def _week_of(column, starts: list[datetime]):
    """SQL: the index of the week `column` falls in, -1 before the first one."""
    latest_first = [(column >= start, n) for n, start in reversed(list(enumerate(starts)))]
    return case(*latest_first, else_=-1)


def _per_week_and_kind(query, starts: list[datetime]) -> tuple[list[int], dict[str, int]]:
    """Run a (week, kind) grouped count; fold it into a weekly series and a total per kind."""
    rows = query.subquery()
    weekly = [0] * len(starts)
    by_kind = dict.fromkeys(KINDS, 0)
    for week, kind, count in db.session.execute(
        select(rows.c.week, rows.c.kind, func.count()).group_by(rows.c.week, rows.c.kind)
    ):
        if week >= 0:
            weekly[week] += count
        by_kind[kind] = by_kind.get(kind, 0) + count
    return weekly, by_kind


def dashboard(user, *, now: datetime | None = None) -> Dashboard:
    """The dashboard figures, in four queries whatever the amount of data."""
    now = now or utcnow()
    starts = week_starts(now)
    counted = _counted(user)
    ideas_per_week, ideas_by_kind = _per_week_and_kind(
        select(_week_of(Idea.created_at, starts).label("week"), User.kind.label("kind"))
        .join(User, User.id == Idea.author_id)
        .where(counted),
        starts,
    )
    votes_per_week, votes_by_kind = _per_week_and_kind(
        select(_week_of(Vote.created_at, starts).label("week"), User.kind.label("kind"))
        .join(User, User.id == Vote.user_id)
        .join(Idea, Idea.id == Vote.idea_id)
        .where(counted),
        starts,
    )
    total, promoted, shipped = db.session.execute(
        select(
            func.count(Idea.id),
            func.count(Idea.item_id),
            func.count(case((ImprovementItem.status == "shipped", 1))),
        )
        .select_from(Idea)
        .outerjoin(ImprovementItem, ImprovementItem.id == Idea.item_id)
        .where(counted)
    ).one()
    answers, overall, answered = _answer_times(user)
    return Dashboard(
        weeks=[start.date() for start in starts],
        ideas_per_week=ideas_per_week,
        votes_per_week=votes_per_week,
        ideas_by_kind=ideas_by_kind,
        votes_by_kind=votes_by_kind,
        funnel=[("Ideas", total), ("Promoted", promoted), ("Shipped", shipped)],
        answers=answers,
        median_hours=overall,
        answered=answered,
    )


def _answer_times(user) -> tuple[list[TeamAnswer], float | None, int]:
    """Median hours from posting to the first staff answer, per team, over answered ideas."""
    rows = db.session.execute(
        select(Team.name, Idea.created_at, Idea.first_staff_answer_at)
        .select_from(Idea)
        .join(Category, Category.id == Idea.category_id)
        .outerjoin(Team, Team.id == Category.team_id)
        .where(_counted(user), Idea.first_staff_answer_at.is_not(None))
        .order_by(Idea.first_staff_answer_at.desc(), Idea.id.desc())
        .limit(ANSWER_SAMPLE)
    ).all()
    hours_by_team: dict[str, list[float]] = {}
    for team, created_at, answered_at in rows:
        hours = max((answered_at - created_at).total_seconds(), 0) / 3600
        hours_by_team.setdefault(team or str(NO_TEAM), []).append(hours)
    answers = [
        TeamAnswer(team, round(statistics.median(hours), 1), len(hours))
        for team, hours in hours_by_team.items()
    ]
    answers.sort(key=lambda answer: (-answer.median_hours, answer.team))
    every = [hours for team_hours in hours_by_team.values() for hours in team_hours]
    overall = round(statistics.median(every), 1) if every else None
    return answers, overall, len(every)


# CSV exports


def csv_cell(value):
    """One cell, safe to open in a spreadsheet: formulas are neutralised with a quote."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return isoformat(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_lines(rows: Iterable[Iterable], batch: int = 200) -> Iterator[str]:
    """Rows as CSV text, a batch of lines at a time (for a streamed response)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for n, row in enumerate(rows, start=1):
        writer.writerow([csv_cell(value) for value in row])
        if n % batch == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue()


IDEA_COLUMNS = (
    "id", "title", "kind", "status", "category", "audience", "confidential", "hidden", "team",
    "author", "author_kind", "organization", "votes", "comments", "created_at",
    "first_staff_answer_at", "hours_to_first_answer", "item_id", "item_status", "merged_into_id",
)  # fmt: skip


def idea_rows(user) -> Iterator[tuple]:
    """The header, then one row per idea the user may see (hidden ones left out for staff)."""
    log.info("user %s exports ideas", user.id)
    yield IDEA_COLUMNS
    query = (
        select(Idea, ImprovementItem.status)
        .outerjoin(ImprovementItem, ImprovementItem.id == Idea.item_id)
        .where(access.idea_visibility(user, include_hidden_own=False))
        .order_by(Idea.id)
        .execution_options(yield_per=500)
    )
    for idea, item_status in db.session.execute(query):
        answered = idea.first_staff_answer_at
        hours = None
        if answered is not None:
            hours = round(max((answered - idea.created_at).total_seconds(), 0) / 3600, 1)
        author = idea.author
        yield (
            idea.id, idea.title, idea.kind, idea.status, idea.category.name, idea.audience,
            idea.confidential, idea.hidden, idea.category.team.name if idea.category.team else "",
            author.display_name, author.kind,
            author.organization.name if author.organization else "",
            idea.votes_count, idea.comments_count, idea.created_at, answered, hours,
            idea.item_id, item_status, idea.merged_into_id,
        )  # fmt: skip


ITEM_COLUMNS = (
    "id", "title", "status", "priority", "team", "owner", "target_date", "created_at",
    "updated_at", "shipped_at", "ideas", "votes", "idea_ids",
)  # fmt: skip


def item_rows(user) -> Iterator[tuple]:
    """The header, then one row per item the user may see, with its linked ideas' totals."""
    log.info("user %s exports items", user.id)
    yield ITEM_COLUMNS
    linked = (
        select(
            Idea.item_id.label("item_id"),
            func.count(Idea.id).label("ideas"),
            func.coalesce(func.sum(Idea.votes_count), 0).label("votes"),
            func.aggregate_strings(cast(Idea.id, String), " ").label("idea_ids"),
        )
        .where(Idea.item_id.is_not(None), access.idea_visibility(user, include_hidden_own=False))
        .group_by(Idea.item_id)
        .subquery()
    )
    query = (
        select(ImprovementItem, linked.c.ideas, linked.c.votes, linked.c.idea_ids)
        .outerjoin(linked, linked.c.item_id == ImprovementItem.id)
        .where(access.item_visibility(user))
        .order_by(ImprovementItem.id)
        .execution_options(yield_per=500)
    )
    for item, ideas, votes, idea_ids in db.session.execute(query):
        ids = sorted(int(n) for n in (idea_ids or "").split())
        yield (
            item.id, item.title, item.status, item.priority, item.team.name if item.team else "",
            item.owner.display_name if item.owner else "", item.target_date, item.created_at,
            item.updated_at, item.shipped_at, ideas or 0, votes or 0, " ".join(map(str, ids)),
        )  # fmt: skip
