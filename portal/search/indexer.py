"""Draining the search queue into the index: one writer at a time (Whoosh loses documents
otherwise), exactly the queued rows deleted once written, retried on failure."""

import logging

from flask import Flask
from sqlalchemy import delete, select

from portal import events
from portal.database import writing
from portal.extensions import db
from portal.search.documents import documents_for
from portal.search.models import SearchTask
from portal.worker import QueueWorker

log = logging.getLogger(__name__)
BATCH = 500


def indexer(app: Flask, backend, lock_path: str) -> QueueWorker:
    if backend.name == "postgres":
        return QueueWorker(app, "search-writer", None, _forget_leftovers, background=False)

    def drain() -> int:
        done = 0
        while True:
            # Read in a plain (deferred) transaction and end it before writing the index:
            # the database's write lock (SQLite has one) is held only to delete the done
            # tasks, never through a Whoosh commit, which every vote and comment waited for.
            tasks = db.session.execute(
                select(SearchTask.id, SearchTask.doc_type, SearchTask.doc_id)
                .order_by(SearchTask.id)
                .limit(BATCH)
            ).all()
            if not tasks:
                db.session.rollback()
                return done
            # Repeated tasks (a busy idea's votes) come out as one document each.
            write, remove = documents_for([(t.doc_type, t.doc_id) for t in tasks])
            db.session.rollback()
            backend.write(write, remove)
            with writing():
                # Delete exactly what was done: a task committed meanwhile stays queued.
                db.session.execute(
                    delete(SearchTask).where(SearchTask.id.in_([t.id for t in tasks]))
                )
                db.session.commit()
            done += len(tasks)

    # Batches of a burst of votes: one Whoosh commit (a new segment) each, and every queued
    # task of one idea written as one document. Under a steady stream of votes and comments
    # the batches are paced: each commit costs a fixed part and now and then a merge of
    # segments, so at 128 votes/s a commit every ~0.6 s took 28-30% of a core and one every
    # 1.5 s 19% (bench/RESULTS.md). Settle, pace, the drain and the readers' check once a
    # second stay within the SPEC's 5 seconds.
    settle = app.config.get("SEARCH_INDEX_SETTLE_SECONDS", 0.5)
    pace = app.config.get("SEARCH_INDEX_PACE_SECONDS", 1.5)
    return QueueWorker(app, "search-writer", lock_path, drain, settle_seconds=settle,
                       pace_seconds=pace)  # fmt: skip


def _forget_leftovers() -> int:
    """The PostgreSQL backend has no index: tasks left from a time on Whoosh mean nothing.

    Nothing queues tasks with this backend (see tasks.py), so there is no background
    thread and no lock file; `search rebuild` and `search verify` call this, and any number
    of hosts may at once.
    """
    with writing():
        removed = db.session.execute(delete(SearchTask)).rowcount
        db.session.commit()
    return removed or 0


@events.search_queued.connect
def _wake_current_indexer(_session) -> None:
    """After a commit that queued search work, wake this app's indexer."""
    from flask import current_app, has_app_context

    if has_app_context():
        worker = current_app.extensions.get("search_indexer")
        if worker is not None:
            worker.wake()
