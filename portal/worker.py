"""A queue drained in the background: one drainer at a time per host, retried.

The queues themselves are database rows written in the transaction of their event; a worker
only decides when to drain. A web process drains in a background thread woken by the commit
that queued work and polling every few seconds (so work left by a process that died is
picked up by another). CLI commands and tests, which start no thread, drain right after
their commit, in a thread of their own so the committing session is left alone.

The lock file serializes the processes of one host only. Several hosts share nothing but the
database, so a queue drained on several hosts must claim its rows there (the outbox leases
them, see notify/delivery.py).
"""

import fcntl
import logging
import os
import threading
import time
from collections.abc import Callable
from contextlib import contextmanager

from flask import Flask

from portal.extensions import db

log = logging.getLogger(__name__)


class QueueWorker:
    def __init__(self, app: Flask, name: str, lock_path: str | None, drain: Callable[[], int],
                 poll_seconds: float = 2.0, background: bool = True,
                 settle_seconds: float = 0.0, pace_seconds: float = 0.0):  # fmt: skip
        self.app = app
        self.name = name
        self.lock_path = lock_path
        self._drain = drain
        self.poll_seconds = poll_seconds
        # Woken by a commit, the background drainer waits this long for the commits right
        # behind it, so a burst is drained as one batch (one index commit, not one each).
        self.settle_seconds = settle_seconds
        # And under a steady stream of commits, drains that found work start at least this
        # far apart, so the stream is drained in fewer, larger batches rather than one per
        # settle (each batch has a cost of its own: for search, a Whoosh commit).
        self.pace_seconds = pace_seconds
        # A queue with nothing to drain in the background (the PostgreSQL search backend)
        # behaves as a synchronous one: no thread.
        self.synchronous = app.config.get("QUEUES_SYNC", False) or not background
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._pid: int | None = None

    @contextmanager
    def lock(self, wait: bool = False):
        """Hold the one-drainer lock; yields False when another process holds it (no wait).

        The lock file only serializes the processes of one host. A drain that must be safe
        across hosts claims its rows in the database (see notify/delivery.py); a queue
        without a lock path (None) is safe to drain concurrently.
        """
        if self.lock_path is None:
            yield True
            return
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

    def drain(self, wait: bool = False) -> int:
        """Drain the queue now, unless another process is at it (and `wait` is False)."""
        with self.lock(wait=wait) as acquired:
            return self._drain() if acquired else 0

    def drain_in_thread(self) -> None:
        """Drain in a fresh app context (its own session), and wait until it is done."""

        def run():
            with self.app.app_context():
                try:
                    self.drain(wait=True)
                except Exception:  # the rows stay queued; the next drain retries
                    log.exception("%s: draining failed; the queue keeps the work", self.name)
                finally:
                    db.session.remove()

        thread = threading.Thread(target=run, name=f"{self.name}-drain")
        thread.start()
        thread.join()

    def wake(self) -> None:
        if self._thread is not None and self._pid == os.getpid() and self._thread.is_alive():
            self._wake.set()
        else:
            self.drain_in_thread()

    def ensure_running(self) -> None:
        """Start this process's background drainer (after a fork, a new one)."""
        if self.synchronous or (self._pid == os.getpid() and self._thread is not None):
            return
        self._pid = os.getpid()
        self._wake = threading.Event()
        self._thread = threading.Thread(target=self._loop, name=self.name, daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        delay = self.poll_seconds
        last_work = -self.pace_seconds  # when the last drain that found work started
        while True:
            if self._wake.wait(timeout=delay) and self.settle_seconds:
                time.sleep(self.settle_seconds)
            time.sleep(max(0.0, last_work + self.pace_seconds - time.monotonic()))
            self._wake.clear()
            started = time.monotonic()
            with self.app.app_context():
                try:
                    if self.drain():
                        last_work = started
                    delay = self.poll_seconds
                except Exception:
                    log.exception("%s: draining failed; retrying", self.name)
                    delay = min(delay * 2, 30.0)
                finally:
                    db.session.remove()
            time.sleep(0.05)
