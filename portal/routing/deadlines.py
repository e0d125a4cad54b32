"""Due and overdue (SPEC 13): at 80% of the time to a first answer the assignee (or, with
none, the team) hears `answer_due`; past it the team and the admins hear `answer_overdue`.

Run by the outbox's background drain on every host. Each notice is taken once: a conditional
UPDATE claims the row (`answer_due_notified_at IS NULL`), and only the worker whose UPDATE
changed it writes the notifications, in the same transaction. A worker that dies before its
commit claimed nothing; a restart finds the work still due.
"""

import logging
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select, update

from portal.accounts.models import Team, User
from portal.database import writing
from portal.extensions import db
from portal.i18n import datetime_for
from portal.ideas.models import Idea
from portal.intake.models import IntakeMessage
from portal.notify import service as notify
from portal.routing.service import CLOSED_STATUSES
from portal.timeutil import utcnow

log = logging.getLogger(__name__)

BATCH = 100


def _open_ideas():
    return (
        Idea.first_staff_answer_at.is_(None),
        Idea.hidden.is_(False),
        Idea.merged_into_id.is_(None),
        Idea.status.not_in(CLOSED_STATUSES),
    )


def _open_messages():
    return (IntakeMessage.status == "open", IntakeMessage.first_answered_at.is_(None))


def _team_members(team_id: int | None) -> list[User]:
    team = db.session.get(Team, team_id) if team_id else None
    return list(team.members) if team else []


def _admins() -> list[User]:
    return list(db.session.scalars(select(User).where(User.role == "admin")))


def _claim(model, row_id: int, column: str, now: datetime) -> bool:
    result = db.session.execute(
        update(model)
        .where(model.id == row_id, getattr(model, column).is_(None))
        .values({column: now})
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def _time_left(due: datetime, now: datetime) -> str:
    """ "5 hours", "20 minutes", in the language being written."""
    hours = max((due - now).total_seconds() / 3600, 0)
    if hours >= 1.5:
        return ngettext("%(num)s hour", "%(num)s hours", round(hours))
    return ngettext("%(num)s minute", "%(num)s minutes", max(round(hours * 60), 1))


def _notice(kind: str, target, now: datetime) -> None:
    idea = target if isinstance(target, Idea) else None
    message = target if isinstance(target, IntakeMessage) else None
    due = target.first_answer_due_at
    if kind == "answer_due":
        recipients = [target.assignee] if target.assignee_id else _team_members(target.team_id)

        def text(reader) -> str:  # the due time in each reader's own zone
            return _("A first answer is due in %(left)s (%(when)s).",
                     left=_time_left(due, now), when=datetime_for(reader, due))  # fmt: skip
    else:
        recipients = _team_members(target.team_id) + _admins()

        def text(reader) -> str:
            return _("The first answer is overdue: the team's answer target (%(when)s) has "
                     "passed.", when=datetime_for(reader, due))  # fmt: skip

    notify.staff_notice(recipients, kind, text, idea=idea, message=message)


def _run(model, open_conditions, warn_or_due, column: str, kind: str, now: datetime) -> int:
    if kind == "answer_due":  # a warning comes before the deadline or not at all
        open_conditions = (*open_conditions, model.first_answer_due_at > now)
    candidates = list(
        db.session.scalars(
            select(model.id)
            .where(warn_or_due <= now, getattr(model, column).is_(None), *open_conditions)
            .order_by(warn_or_due)
            .limit(BATCH)
        )
    )
    sent = 0
    for row_id in candidates:
        if _claim(model, row_id, column, now):
            target = db.session.get(model, row_id)
            _notice(kind, target, now)
            sent += 1
        db.session.commit()
    return sent


def notify_deadlines(now: datetime | None = None) -> int:
    """Send every due and overdue notice not yet sent; returns how many were taken here."""
    now = now or utcnow()
    sent = 0
    # SQLite: each transaction takes the write lock at its start, as the claim will write.
    with writing():
        for model, conditions in ((Idea, _open_ideas()), (IntakeMessage, _open_messages())):
            sent += _run(model, conditions, model.answer_warn_at,
                         "answer_due_notified_at", "answer_due", now)  # fmt: skip
            sent += _run(model, conditions, model.first_answer_due_at,
                         "answer_overdue_notified_at", "answer_overdue", now)  # fmt: skip
        db.session.commit()
    if sent:
        log.info("sent %s answer-target notices", sent)
    return sent
