"""Recording what changed, in the transaction that changed it.

Every flush is looked at (as the search queue does): a vote, a comment, an idea, a
notification, a flag, an intake message... each names the topics an open page may watch.
Changes made by SQL statements the ORM does not track (kept counters, "mark all read") are
named by their service with `touch`. Just before the commit the topics become `live_change`
rows, so a change and its row commit together or not at all.

A write to what pages show but no topic names (an author's display name, a category's name
or audience, an organization, a tracked item, a counter or state changed by a statement of
its own) writes a `content` row too: the statement listener below notices any INSERT, UPDATE
or DELETE of those tables on the transaction's connection, however it was issued. So the
newest change id moves whenever anything an idea list or an idea's page shows may have
changed, and such a page found at one cursor is the same page at that cursor for every
reader of its class (portal/ideas/views.py).

Ids must become visible in the order they were given, or a reader could see row 11, move
its cursor past it, and never see row 10 that committed a moment later. SQLite has one
writer at a time, so they are. On PostgreSQL the rows are written under a transaction-level
advisory lock taken at the very end of the transaction and held until its commit: whoever
writes rows after us waits for our commit, so ids commit in order on every host.
"""

import re
import time

from sqlalchemy import (
    DateTime,
    Integer,
    String,
    cast,
    column,
    event,
    func,
    insert,
    literal,
    select,
    true,
    values,
)
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from portal.ideas.models import Comment, Idea, StatusChange, Vote
from portal.intake.models import IntakeMessage, IntakeReply
from portal.live.models import LiveChange
from portal.moderation.models import Appeal, Flag, ModerationAction
from portal.notify.models import Notification
from portal.timeutil import utcnow

MODERATION = "moderation"
TRIAGE = "triage"
INTAKE = "intake"
CONTENT = "content"
_PENDING_KEY = "portal_live"
# pg_advisory_xact_lock's key: any constant no other part of the portal uses.
_LOCK_KEY = 0x6C697665  # "live"
_WROTE_KEY = "portal_live_wrote"
_CONNECTION_INFO = "portal_live_connection"
_SHOWN_WRITTEN = "portal_live_shown_written"
# The tables idea lists and idea pages read for readers of a class (ideas, their counters,
# categories, authors, comments, status history, the item an idea is tracked in) and the
# writes to them that may change what they show: a new account or organization shows nowhere.
_ANY = ("INSERT", "UPDATE", "DELETE")
_SHOWN_WRITES = {
    "idea": _ANY,
    "vote": _ANY,
    "comment": _ANY,
    "category": _ANY,
    "status_change": _ANY,
    "improvement_item": _ANY,
    "user": ("UPDATE", "DELETE"),
    "organization": ("UPDATE", "DELETE"),
}
# The verb and the table a statement writes: after any comments, past a WITH clause's
# queries, through OR REPLACE / ONLY / a schema. An upsert (INSERT ... ON CONFLICT DO UPDATE,
# REPLACE) may change a row: it counts as an UPDATE too.
_WRITE_TO = re.compile(
    r"\b(INSERT|UPDATE|DELETE|REPLACE)(?:\s+OR\s+\w+)?(?:\s+ONLY)?(?:\s+INTO|\s+FROM)?\s+"
    r'(?:"?\w+"?\.)?"?(\w+)',
    re.IGNORECASE,
)
_LEADING_COMMENTS = re.compile(r"(?:\s+|/\*.*?\*/|--[^\n]*(?:\n|$))*", re.DOTALL)
_UPSERT = re.compile(r"\bON\s+CONFLICT\b.*\bDO\s+UPDATE\b|\bOR\s+REPLACE\b",
                     re.IGNORECASE | re.DOTALL)  # fmt: skip


def written_tables(statement: str) -> list[tuple[str, str]]:
    """(verb, table) of what `statement` writes: its first write, or every write a WITH
    statement holds; an upsert is an INSERT and an UPDATE."""
    start = _LEADING_COMMENTS.match(statement).end()
    head = statement[start : start + 4].upper()
    if head == "WITH":
        found = _WRITE_TO.finditer(statement, start)
    elif head[:3] in ("INS", "UPD", "DEL", "REP"):
        first = _WRITE_TO.match(statement, start)
        found = [first] if first is not None else []
    else:
        return []  # a read (SELECT, PRAGMA, BEGIN...): the common case, decided at once
    written = []
    for match in found:
        verb, table = match.group(1).upper(), match.group(2).lower()
        if verb == "REPLACE" or (verb == "INSERT" and _UPSERT.search(statement)):
            written += [("INSERT", table), ("UPDATE", table)]
        else:
            written.append((verb, table))
    return written


_written = [float("-inf")]  # when this process last committed change rows (monotonic)


def idea_topic(idea_id: int) -> str:
    return f"idea:{idea_id}"


def user_topic(user_id: int) -> str:
    """A person's notifications (the header badge)."""
    return f"user:{user_id}"


def touch(session: Session, *topics: str, comment_id: int | None = None) -> None:
    """Record that these topics changed (written as rows when the transaction commits)."""
    pending = session.info.setdefault(_PENDING_KEY, set())
    for topic in topics:
        pending.add((topic, comment_id))


def _topics_of(obj, is_new: bool) -> list[tuple[str, int | None]]:
    if isinstance(obj, Idea):
        return [(idea_topic(obj.id), None), (TRIAGE, None)]
    if isinstance(obj, Comment):
        # A new comment is appended by the pages showing its idea; a changed one only
        # changes the idea's counters and state.
        return [(idea_topic(obj.idea_id), obj.id if is_new else None)]
    if isinstance(obj, (Vote, StatusChange)):
        return [(idea_topic(obj.idea_id), None), (TRIAGE, None)]
    if isinstance(obj, Notification):
        return [(user_topic(obj.user_id), None)]
    if isinstance(obj, (Flag, Appeal, ModerationAction)):
        return [(MODERATION, None)]
    if isinstance(obj, (IntakeMessage, IntakeReply)):
        return [(INTAKE, None)]
    return []


@event.listens_for(Session, "after_flush")
def _record_flushed(session: Session, _context) -> None:
    found = []
    for obj in session.new:
        found += _topics_of(obj, is_new=True)
    for obj in session.dirty:
        if session.is_modified(obj, include_collections=False):
            found += _topics_of(obj, is_new=False)
    for obj in session.deleted:
        found += _topics_of(obj, is_new=False)
    if found:
        session.info.setdefault(_PENDING_KEY, set()).update(found)


@event.listens_for(Engine, "begin")
def _nothing_shown_written_yet(conn) -> None:
    conn.info.pop(_SHOWN_WRITTEN, None)


@event.listens_for(Engine, "before_cursor_execute")
def _note_shown_write(conn, _cursor, statement, *_args) -> None:
    for verb, table in written_tables(statement):
        if verb in _SHOWN_WRITES.get(table, ()):
            conn.info[_SHOWN_WRITTEN] = True


@event.listens_for(Session, "after_begin")
def _remember_connection(session: Session, _transaction, connection) -> None:
    # Its info outlives the statements: the commit below asks it what they wrote.
    session.info[_CONNECTION_INFO] = connection.info


@event.listens_for(Session, "before_commit")
def _write_rows(session: Session) -> None:
    if session.in_nested_transaction():
        return
    if session.new or session.dirty or session.deleted:
        session.flush()  # what the commit would flush names its topics now
    pending = session.info.pop(_PENDING_KEY, None)
    connection_info = session.info.get(_CONNECTION_INFO)
    if connection_info is not None and connection_info.pop(_SHOWN_WRITTEN, False) and not pending:
        pending = {(CONTENT, None)}  # any row moves the cursor; one is enough
    if not pending:
        return
    connection = session.connection()
    # New comments in the order they were written, so a page appends them in that order.
    rows = sorted(pending, key=lambda row: (row[1] or 0, row[0]))
    if connection.dialect.name == "postgresql":
        connection.execute(_rows_after_the_lock(rows))
    else:
        connection.execute(insert(LiveChange), [{"topic": t, "comment_id": c} for t, c in rows])
    session.info[_WROTE_KEY] = True


def _rows_after_the_lock(rows: list[tuple[str, int | None]]):
    """PostgreSQL: take the advisory lock and write the rows in one statement (one round
    trip fewer for every write). A row to insert exists only once joined with the lock's
    result, and its id (nextval) is computed on that row: the lock is held before any id is
    drawn. Ids follow the rows' order (ORDER BY below the INSERT's own projection)."""
    pending = values(
        column("position", Integer),
        column("topic", String),
        column("comment_id", Integer),
        name="pending_change",
    ).data([(position, topic, comment_id) for position, (topic, comment_id) in enumerate(rows)])
    lock = select(func.pg_advisory_xact_lock(_LOCK_KEY).label("held")).subquery("change_lock")
    written = (
        select(pending.c.topic, cast(pending.c.comment_id, Integer), literal(utcnow(), DateTime))
        .select_from(pending.join(lock, true()))
        .order_by(pending.c.position)
    )
    return insert(LiveChange).from_select(["topic", "comment_id", "created_at"], written)


@event.listens_for(Session, "after_commit")
def _note_written(session: Session) -> None:
    if session.info.pop(_WROTE_KEY, False):
        _written[0] = time.monotonic()


def written_at() -> float:
    """When this process last wrote change rows (monotonic): what its own /live shortcut
    remembers of the newest cursor is older than that."""
    return _written[0]


@event.listens_for(Session, "after_soft_rollback")
def _forget_on_rollback(session: Session, previous_transaction) -> None:
    # A savepoint rolled back (a concurrent vote, a duplicate follow) leaves the rest of the
    # transaction, and what it changed, in place: only the outer rollback forgets.
    if previous_transaction.parent is None:
        session.info.pop(_PENDING_KEY, None)
        session.info.pop(_WROTE_KEY, None)
