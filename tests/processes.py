"""Starting and stopping the real servers the tests run (PostgreSQL, Redis, dovecot,
oidc-provider, gunicorn hosts): wait until one answers, and stop one for sure."""

import subprocess
import time
from collections.abc import Callable


def wait_until_ready(process: subprocess.Popen, ready: Callable[[], bool], seconds: float,
                     what: str, log: Callable[[], str] = lambda: "",
                     pause: float = 0.05) -> None:  # fmt: skip
    """Polls `ready` until it says yes; RuntimeError (with the log) when `process` exits
    first or `seconds` pass."""
    deadline = time.monotonic() + seconds
    while not ready():
        if time.monotonic() > deadline or process.poll() is not None:
            raise RuntimeError(f"{what} did not start:\n{log()}")
        time.sleep(pause)


def stop(process: subprocess.Popen | None, seconds: float = 10) -> None:
    """SIGTERM, and SIGKILL if it is still there after `seconds`."""
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=seconds)
