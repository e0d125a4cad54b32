"""Domain signals, fired after the commit that made them true.

Services mark what happened on the session (`note`); when the transaction commits, the
signals fire and wake whoever drains the queues (the search writer, later the outbox).
A rollback drops the notes: nothing fires for what did not happen.
"""

from blinker import Namespace
from sqlalchemy import event
from sqlalchemy.orm import Session

signals = Namespace()
search_queued = signals.signal("search-queued")
outbox_queued = signals.signal("outbox-queued")

_NOTES_KEY = "portal_events"


def note(session: Session, signal) -> None:
    """Fire `signal` once after `session` commits."""
    session.info.setdefault(_NOTES_KEY, set()).add(signal)


@event.listens_for(Session, "after_commit")
def _fire_after_commit(session: Session) -> None:
    # SQLAlchemy also calls this when a SAVEPOINT is released; only the real commit counts.
    if session.in_nested_transaction():
        return
    for signal in session.info.pop(_NOTES_KEY, set()):
        signal.send(session)


@event.listens_for(Session, "after_soft_rollback")
def _forget_on_rollback(session: Session, _previous) -> None:
    session.info.pop(_NOTES_KEY, None)
