"""Engine behaviour per database: SQLite as a real multi-worker default."""

import sqlite3
from contextlib import contextmanager
from contextvars import ContextVar

from flask import has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_writing = ContextVar("portal_sqlite_writing", default=False)


@contextmanager
def writing():
    """Transactions begun inside take SQLite's write lock at once (for writers outside requests)."""
    token = _writing.set(True)
    try:
        yield
    finally:
        _writing.reset(token)


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


@event.listens_for(Engine, "begin")
def _begin_sqlite(conn) -> None:
    if conn.dialect.name != "sqlite":
        return
    # Requests that write take the write lock at the start, so concurrent writers wait on
    # the busy timeout instead of failing with "database is locked" when a read lock cannot
    # be upgraded. Reads (GET pages) stay deferred and never block anyone under WAL; so does
    # work outside a request (CLI, scripts), which is single-writer and must not hold the
    # write lock while it merely reads.
    if _writing.get() or (has_request_context() and request.method not in READ_METHODS):
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    else:
        conn.exec_driver_sql("BEGIN")


# What lives only in migrations (PostgreSQL full text: stored tsvector columns and their GIN
# indexes): the models cannot declare them portably, so autogenerate must not propose
# dropping them. The fulltext indexes are those of revisions before 0006.
MIGRATION_ONLY_INDEXES = frozenset(
    {"ix_idea_fulltext", "ix_comment_fulltext", "ix_idea_search_vector", "ix_comment_search_vector"}
)
MIGRATION_ONLY_COLUMNS = frozenset({("idea", "search_vector"), ("comment", "search_vector")})


def include_in_autogenerate(object_, name, type_, _reflected, _compare_to) -> bool:
    if type_ == "index":
        return name not in MIGRATION_ONLY_INDEXES
    if type_ == "column":
        return (object_.table.name, name) not in MIGRATION_ONLY_COLUMNS
    return True
