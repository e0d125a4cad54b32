"""The background drainer: woken by commits, it drains a burst as one batch."""

import time

from portal.worker import QueueWorker


def test_a_woken_drainer_waits_for_the_commits_right_behind_it(app, monkeypatch):
    monkeypatch.setitem(app.config, "QUEUES_SYNC", False)  # a real background thread
    drains = []
    worker = QueueWorker(app, "test-settle", None, lambda: drains.append(1) or 0,
                         poll_seconds=600, settle_seconds=1.0)  # fmt: skip
    worker.ensure_running()
    for _ in range(5):  # five commits in half a second
        worker.wake()
        time.sleep(0.1)
    deadline = time.monotonic() + 10
    while not drains and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.3)
    assert drains == [1]  # one drain for the burst, not five
