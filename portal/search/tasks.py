"""Recording what the index must follow, in the transaction that changed it.

Only the Whoosh backend has an index to follow. The PostgreSQL backend searches the tables
themselves, so with it nothing is queued (and no host has a queue to drain).
"""

from flask import current_app, has_app_context
from sqlalchemy import event, insert, inspect, literal, select
from sqlalchemy.orm import Session

from portal import events
from portal.ideas.models import Comment, Idea
from portal.search.models import SearchTask

# Idea columns its search document is built from (documents.py); changing others (say
# first_staff_answer_at, or comments_count when a comment comes) does not touch the index.
IDEA_FIELDS = frozenset(
    {"title", "body", "status", "kind", "category_id", "audience", "confidential",
     "organization_id", "hidden", "merged_into_id", "votes_count"}
)  # fmt: skip
# The idea's columns its comments' documents carry too (who may see them, what filters find
# them): changing these reindexes the whole thread. Not votes_count: a comment's document
# has no votes of its own, and every vote reindexed every comment of its idea.
IDEA_THREAD_FIELDS = frozenset(
    {"audience", "confidential", "organization_id", "hidden", "merged_into_id", "category_id",
     "status", "kind"}
)  # fmt: skip
COMMENT_FIELDS = frozenset({"body", "hidden", "deleted_at", "official"})


def searches_the_tables() -> bool:
    """True when the app's backend reads the tables themselves (PostgreSQL): nothing to queue."""
    if not has_app_context():
        return False
    backend = current_app.extensions.get("search_backend")
    return getattr(backend, "name", None) == "postgres"


def enqueue(session: Session, doc_type: str, doc_id: int) -> None:
    """Record that a document (or a whole idea thread, or a category) must be reindexed."""
    if searches_the_tables():
        return
    session.execute(insert(SearchTask), [{"doc_type": doc_type, "doc_id": doc_id}])
    events.note(session, events.search_queued)


def enqueue_category(session: Session, category_id: int) -> None:
    """Every idea of a category and its discussion (after an audience change)."""
    enqueue_ideas(session, Idea.category_id == category_id)


def enqueue_ideas(session: Session, condition) -> None:
    """Every idea matching the SQL `condition`, and its discussion: for changes made in one
    statement (which the flush listener below does not see)."""
    if searches_the_tables():
        return
    for doc_type in ("idea", "thread"):
        session.execute(
            insert(SearchTask).from_select(
                ["doc_type", "doc_id"], select(literal(doc_type), Idea.id).where(condition)
            )
        )
    events.note(session, events.search_queued)


def _changed(obj, fields) -> set[str]:
    state = inspect(obj)
    return {name for name in fields if state.attrs[name].history.has_changes()}


@event.listens_for(Session, "after_flush")
def _record_changes(session: Session, _context) -> None:
    if searches_the_tables():
        return
    rows = []
    for obj in list(session.new) + list(session.dirty) + list(session.deleted):
        if isinstance(obj, Idea):
            if obj in session.new or obj in session.deleted:
                rows.append(("idea", obj.id))
                continue
            changed = _changed(obj, IDEA_FIELDS)
            if changed:
                rows.append(("idea", obj.id))
            if changed & IDEA_THREAD_FIELDS:
                rows.append(("thread", obj.id))
        elif isinstance(obj, Comment) and (
            obj in session.new or obj in session.deleted or _changed(obj, COMMENT_FIELDS)
        ):
            rows.append(("comment", obj.id))
    if rows:
        session.connection().execute(
            insert(SearchTask), [{"doc_type": t, "doc_id": i} for t, i in set(rows)]
        )
        events.note(session, events.search_queued)
