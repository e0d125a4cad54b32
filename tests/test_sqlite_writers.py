"""SQLite's writers queue on a lock file: the next one is let in as the last one commits."""

import fcntl
import os

import pytest
from sqlalchemy import event, text
from sqlalchemy.orm import Session

from portal.database import writing
from portal.extensions import db


@pytest.fixture
def queue_file(app, database_url):
    if not database_url.startswith("sqlite"):
        pytest.skip("PostgreSQL has no single write lock to queue for")
    return os.path.abspath(db.engine.url.database) + "-writers"


def _free(path) -> bool:
    """Whether another writer would get its turn now (a separate open file, no waiting)."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        fcntl.flock(fd, fcntl.LOCK_UN)
        return True
    except BlockingIOError:
        return False
    finally:
        os.close(fd)


@pytest.mark.parametrize("end", ["commit", "rollback"])
def test_a_writer_holds_the_turn_from_begin_to_its_end(app, queue_file, end):
    db.session.rollback()
    with writing():
        db.session.execute(text("SELECT 1"))  # BEGIN IMMEDIATE: the turn is taken first
        assert not _free(queue_file)
        getattr(db.session, end)()
    assert _free(queue_file)


def test_the_turn_is_handed_over_before_the_after_commit_work(app, queue_file):
    """After-commit work may start a writer of its own (the search indexer in tests and
    scripts drains in a thread right then): it must not wait for the committing one."""
    seen = []

    def after_commit(_session):
        seen.append(_free(queue_file))

    db.session.rollback()
    event.listen(Session, "after_commit", after_commit)
    try:
        with writing():
            db.session.execute(text("SELECT 1"))
            db.session.commit()
    finally:
        event.remove(Session, "after_commit", after_commit)
    assert seen == [True]


def test_reads_take_no_turn(app, queue_file):
    db.session.rollback()
    db.session.execute(text("SELECT 1"))  # outside a request: a deferred read transaction
    assert _free(queue_file)
    db.session.rollback()
