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


def test_under_a_steady_stream_of_commits_the_drains_that_found_work_are_paced(app, monkeypatch):
    monkeypatch.setitem(app.config, "QUEUES_SYNC", False)
    started = []

    def drain():
        started.append(time.monotonic())
        return 1  # always found work: the next one waits for the pace

    worker = QueueWorker(app, "test-pace", None, drain, poll_seconds=600, settle_seconds=0.0,
                         pace_seconds=1.0)  # fmt: skip
    worker.ensure_running()
    until = time.monotonic() + 2.6
    while time.monotonic() < until:  # a commit every 50 ms
        worker.wake()
        time.sleep(0.05)
    gaps = [later - earlier for earlier, later in zip(started, started[1:], strict=False)]
    assert 2 <= len(started) <= 4
    assert all(gap >= 0.95 for gap in gaps), gaps


def test_a_drain_that_found_nothing_does_not_hold_back_the_next(app, monkeypatch):
    monkeypatch.setitem(app.config, "QUEUES_SYNC", False)
    started = []
    worker = QueueWorker(app, "test-pace-idle", None,
                         lambda: started.append(time.monotonic()) or 0,
                         poll_seconds=600, settle_seconds=0.0, pace_seconds=30.0)  # fmt: skip
    worker.ensure_running()
    for _ in range(3):
        woken = time.monotonic()
        worker.wake()
        deadline = woken + 5
        while (not started or started[-1] < woken) and time.monotonic() < deadline:
            time.sleep(0.01)
        assert started and started[-1] - woken < 1.0  # not 30 s: nothing was found
        time.sleep(0.1)
