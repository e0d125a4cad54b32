"""Engine behaviour per database: SQLite as a real multi-worker default."""

import fcntl
import logging
import os
import sqlite3
from contextlib import contextmanager
from contextvars import ContextVar

from flask import current_app, has_app_context, has_request_context, request
from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError, InterfaceError, OperationalError
from sqlalchemy.pool import Pool

from portal.extensions import db

log = logging.getLogger(__name__)

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Execution options of an engine created with isolation_level="AUTOCOMMIT": its connections
# begin no transaction (the "begin" hook below lets them be).
AUTOCOMMIT = {"portal_autocommit": True}
# How transactions begun now begin on SQLite: "write" (the write lock at once), "read"
# (deferred, even in a POST), or None (by the request's method).
_begin_mode: ContextVar[str | None] = ContextVar("portal_sqlite_begin", default=None)


@contextmanager
def writing():
    """Transactions begun inside take SQLite's write lock at once (for writers outside requests)."""
    token = _begin_mode.set("write")
    try:
        yield
    finally:
        _begin_mode.reset(token)


def commit_keeping_loaded() -> None:
    """Commit the session's transaction without expiring what it loaded: what was read or
    written stays usable as it was at the commit, with no statement to read it again."""
    session = db.session()
    kept = session.expire_on_commit
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = kept


def release_read() -> None:
    """End the open transaction, which wrote nothing, so slow work after it holds no lock.

    A POST's transaction holds SQLite's write lock from its first statement (the signed-in
    user's look-up, say): a password hash inside it would stall every other writer. Objects
    loaded stay usable; the next statement begins a new transaction.
    """
    session = db.session()
    if session.new or session.dirty or session.deleted:
        raise RuntimeError("reading() would commit changes not yet written: call it before them")
    if not session.in_transaction():
        return
    commit_keeping_loaded()


@contextmanager
def reading():
    """Read without holding SQLite's write lock, even in a POST; the read ends with the block.

    For reads before slow work such as a password hash: a POST's transaction takes the write
    lock at its first statement, and held through a ~230 ms Argon2 hash it stalls every other
    writer (votes, sign-ins). The transaction open on entry (which must have written nothing)
    is ended first, so is the one begun inside; what follows begins afresh (a POST's write
    transaction), and objects loaded inside stay usable. On PostgreSQL, where reads never
    block writers, it only ends those transactions.
    """
    release_read()
    token = _begin_mode.set("read")
    try:
        yield
    except BaseException:
        _begin_mode.reset(token)
        db.session.rollback()
        raise
    _begin_mode.reset(token)
    release_read()


def on_postgresql() -> bool:
    """Whether the session's database is PostgreSQL (where a statement may do more)."""
    return db.session.get_bind().dialect.name == "postgresql"


def insert_unless_present(model, **values) -> bool:
    """INSERT the row unless one with the same unique key exists (ON CONFLICT DO NOTHING, on
    SQLite and PostgreSQL alike); whether it was inserted. One statement where a SAVEPOINT,
    the INSERT and the savepoint's release (or a look-up first) took three or four. Written
    by SQL: the ORM's flush listeners do not see the row, so callers name its changes."""
    dialect = postgresql if on_postgresql() else sqlite
    key = list(model.__table__.primary_key.columns)
    # RETURNING says whether a row went in: psycopg reports no rowcount for this statement.
    statement = dialect.insert(model).values(**values).on_conflict_do_nothing().returning(*key)
    return db.session.execute(statement).first() is not None


@event.listens_for(Engine, "connect")
def _configure_sqlite(dbapi_connection, _record) -> None:
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    # Let SQLAlchemy's "begin" hook issue BEGIN itself (pysqlite's own is deferred).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


# -- ending a transaction that only read ----------------------------------------------------
#
# psycopg forgets every prepared statement of a connection when it rolls back, and closing a
# session rolls back: every read request ended that way, so PostgreSQL planned each query
# again every time (1–3 ms for an idea with its joined loads, ten times its execution). A
# transaction that wrote nothing ends with COMMIT instead: the same to the database.

_WROTE = "portal_wrote"
_READS = ("SELECT", "BEGIN", "SHOW")


@event.listens_for(Engine, "begin")
def _nothing_written_yet(conn) -> None:
    conn.info[_WROTE] = False


@event.listens_for(Engine, "before_cursor_execute")
def _note_a_write(conn, _cursor, statement, *_args) -> None:
    # Anything but a plain read counts (a WITH may hold an INSERT; a SAVEPOINT comes before
    # writes): when in doubt, the transaction rolls back as before.
    if not statement.lstrip()[:6].upper().startswith(_READS):
        conn.info[_WROTE] = True


def end_reading() -> None:
    """Commit the request's transaction if it only read and holds no pending change (a view
    that changed objects without saving them keeps its rollback), without expiring what it
    loaded: nothing changed."""
    session = db.session()
    if not session.in_transaction() or session.new or session.dirty or session.deleted:
        return
    connection = session.connection()
    if connection.info.get(_WROTE, True):
        return
    try:
        commit_keeping_loaded()
    except (OperationalError, InterfaceError, DisconnectionError) as error:
        # The connection went after the last read (a restart): what was read stands; the
        # connection is dropped, and the session discarded at the end of the request.
        log.warning("database connection lost ending a read: %s", type(error).__name__)
        connection.invalidate()


@event.listens_for(Engine, "begin")
def _begin_sqlite(conn) -> None:
    if conn.dialect.name != "sqlite":
        return
    # Requests that write take the write lock at the start, so concurrent writers wait on
    # the busy timeout instead of failing with "database is locked" when a read lock cannot
    # be upgraded. Reads (GET pages) stay deferred and never block anyone under WAL; so do
    # reads inside `reading()`, and work outside a request unless it says it writes
    # (`writing()`: the CLI's writing commands, the queue drainers).
    if conn.get_execution_options().get("portal_autocommit"):
        return  # an engine made with isolation_level="AUTOCOMMIT" (the /live check's own)
    mode = _begin_mode.get()
    if mode is None:
        mode = "write" if has_request_context() and request.method not in READ_METHODS else "read"
    if mode != "write":
        conn.exec_driver_sql("BEGIN")
        return
    _take_writer_turn(conn)
    try:
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    except BaseException:
        _end_writer_turn(conn.connection.dbapi_connection, conn.info)
        raise


# -- the writers' queue (SQLite) -------------------------------------------------------------
#
# SQLite lets a writer that finds the write lock taken sleep and try again, longer each time
# (1, 2, 5 … up to 100 ms between tries): under a burst of votes, the lock sat free while the
# waiters slept, and one waited a second (the p99). Writers of this host therefore queue on a
# lock file beside the database (`<database>-writers`) before BEGIN IMMEDIATE: the kernel
# wakes the next one the moment the last one commits, so BEGIN IMMEDIATE finds the lock free.
# Released right after the COMMIT or ROLLBACK itself (before the session's after-commit work,
# which may start a writer of its own); a writer of another host or program still meets
# SQLite's busy timeout, as before. SQLITE_WRITERS_QUEUE = False turns it off.

_QUEUE_FD = "portal_writers_fd"
_IN_TURN = "portal_writers_turn"


def _queue_path(conn) -> str | None:
    database = conn.engine.url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    if has_app_context() and not current_app.config.get("SQLITE_WRITERS_QUEUE", True):
        return None
    return os.path.abspath(database) + "-writers"


def _take_writer_turn(conn) -> None:
    path = _queue_path(conn)
    if path is None:
        return
    info = conn.info  # the DBAPI connection's: one open file (and lock) per connection
    pid, fd = info.get(_QUEUE_FD, (None, None))
    if pid != os.getpid():  # a file opened before a fork would be one lock for two processes
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        info[_QUEUE_FD] = (os.getpid(), fd)
    fcntl.flock(fd, fcntl.LOCK_EX)  # waits, the GIL released, until the writer before ends
    info[_IN_TURN] = True


def _end_writer_turn(_dbapi_connection, info) -> None:
    if info.pop(_IN_TURN, False):
        fcntl.flock(info[_QUEUE_FD][1], fcntl.LOCK_UN)


def _end_and_hand_over(conn, end: str) -> None:
    # These events come just before SQLAlchemy's own COMMIT or ROLLBACK: end the transaction
    # here (the second one then finds none and does nothing), then hand the turn over.
    # A connection the server cut (invalidated) has no transaction left to end and refuses
    # even `info`: the pool's checkin hands its turn over instead.
    if conn.invalidated or conn.dialect.name != "sqlite":
        return
    if conn.info.get(_IN_TURN):
        dbapi_connection = conn.connection.dbapi_connection
        try:
            getattr(dbapi_connection, end)()
        finally:
            _end_writer_turn(dbapi_connection, conn.info)


@event.listens_for(Engine, "commit")
def _commit_and_let_the_next_writer_in(conn) -> None:
    _end_and_hand_over(conn, "commit")


@event.listens_for(Engine, "rollback")
def _roll_back_and_let_the_next_writer_in(conn) -> None:
    _end_and_hand_over(conn, "rollback")


@event.listens_for(Pool, "checkin")
def _writer_turn_never_outlives_checkout(dbapi_connection, record) -> None:
    if record is not None:
        _end_writer_turn(dbapi_connection, record.info)


@event.listens_for(Pool, "close")
def _close_writers_queue_file(_dbapi_connection, record) -> None:
    if record is not None:
        _end_writer_turn(None, record.info)
        pid, fd = record.info.pop(_QUEUE_FD, (None, None))
        if pid == os.getpid():
            os.close(fd)


# What lives only in migrations (PostgreSQL full text: stored tsvector columns and their GIN
# indexes; the idea's status, kind and category each comment carries for filtered searches,
# kept by triggers, 0018): the models cannot declare them portably, so autogenerate must not
# propose dropping them. The fulltext indexes are those of revisions before 0006.
_COMMENT_FACETS = ("idea_status", "idea_kind", "idea_category_id")
MIGRATION_ONLY_INDEXES = frozenset(
    {"ix_idea_fulltext", "ix_comment_fulltext", "ix_idea_search_vector", "ix_comment_search_vector"}
    | {f"ix_comment_{column}" for column in _COMMENT_FACETS}
)
MIGRATION_ONLY_COLUMNS = frozenset(
    {("idea", "search_vector"), ("comment", "search_vector")}
    | {("comment", column) for column in _COMMENT_FACETS}
)


def include_in_autogenerate(object_, name, type_, _reflected, _compare_to) -> bool:
    if type_ == "index":
        return name not in MIGRATION_ONLY_INDEXES
    if type_ == "column":
        return (object_.table.name, name) not in MIGRATION_ONLY_COLUMNS
    return True
