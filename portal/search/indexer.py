"""Draining the search queue: one writer at a time, retried until it succeeds.

Each process may drain; a lock file next to the index makes sure only one writes at once
(Whoosh loses documents otherwise). A web process drains in a background thread woken by
the commit that queued work, and polls every few seconds in case another process's wake-up
was missed. CLI commands and tests, which start no thread, drain right after their commit.
"""

import fcntl
import logging
import os
import threading
import time
from contextlib import contextmanager

from flask import Flask
from sqlalchemy import delete, select

from portal import events
from portal.database import writing
from portal.extensions import db
from portal.search.documents import documents_for
from portal.search.models import SearchTask

log = logging.getLogger(__name__)
BATCH = 500
POLL_SECONDS = 2.0


class Indexer:
    def __init__(self, app: Flask, backend, lock_path: str):
        self.app = app
        self.backend = backend
        self.lock_path = lock_path
        self.synchronous = app.config.get("SEARCH_SYNC", False)
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._pid = None

    # -- the writer lock ---------------------------------------------------------------------

    @contextmanager
    def writer_lock(self, wait: bool = False):
        """Hold the one-writer lock; yields False when another process holds it (no wait)."""
        os.makedirs(os.path.dirname(self.lock_path), exist_ok=True)
        with open(self.lock_path, "a") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
            except BlockingIOError:
                yield False
                return
            try:
                yield True
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    # -- draining ----------------------------------------------------------------------------

    def drain(self, wait: bool = False) -> int:
        """Index everything queued; returns how many tasks were done (0 if another writer is)."""
        done = 0
        with self.writer_lock(wait=wait) as acquired, writing():
            if not acquired:
                return 0
            while True:
                tasks = db.session.execute(
                    select(SearchTask.id, SearchTask.doc_type, SearchTask.doc_id)
                    .order_by(SearchTask.id)
                    .limit(BATCH)
                ).all()
                if not tasks:
                    db.session.rollback()
                    break
                write, remove = documents_for([(t.doc_type, t.doc_id) for t in tasks])
                self.backend.write(write, remove)
                # Delete exactly what was done: a task committed meanwhile stays queued.
                db.session.execute(
                    delete(SearchTask).where(SearchTask.id.in_([t.id for t in tasks]))
                )
                db.session.commit()
                done += len(tasks)
        return done

    def drain_in_thread(self) -> None:
        """Drain now in a fresh app context (its own session), waiting until it is done."""
        errors = []

        def run():
            with self.app.app_context():
                try:
                    self.drain(wait=True)
                except Exception as error:  # kept queued; the next drain retries
                    log.exception("search indexing failed; the queue keeps the work")
                    errors.append(error)
                finally:
                    db.session.remove()

        thread = threading.Thread(target=run, name="search-drain")
        thread.start()
        thread.join()

    # -- the background writer of a web process ----------------------------------------------

    def wake(self, _sender=None) -> None:
        if self._thread is not None and self._pid == os.getpid() and self._thread.is_alive():
            self._wake.set()
        else:
            self.drain_in_thread()

    def ensure_running(self) -> None:
        """Start this process's background writer (after a fork, a new one)."""
        if self.synchronous or (self._pid == os.getpid() and self._thread is not None):
            return
        self._pid = os.getpid()
        self._wake = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="search-writer", daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        delay = POLL_SECONDS
        while True:
            self._wake.wait(timeout=delay)
            self._wake.clear()
            with self.app.app_context():
                try:
                    self.drain()
                    delay = POLL_SECONDS
                except Exception:
                    log.exception("search indexing failed; retrying")
                    delay = min(delay * 2, 30.0)
                finally:
                    db.session.remove()
            time.sleep(0.05)


@events.search_queued.connect
def _wake_current_indexer(_session) -> None:
    """After a commit that queued search work, wake this app's indexer."""
    from flask import current_app, has_app_context

    if has_app_context():
        indexer = current_app.extensions.get("search_indexer")
        if indexer is not None:
            indexer.wake()
