"""Request ids and structured request logging: one JSON line per request.

Registered by the app factory, so it behaves the same under `flask run`, gunicorn and the
test client. Every response carries `X-Request-ID`: the client's own when it sent a sane one
(a proxy's id, so one request can be followed across hosts), otherwise a new one. With
`REQUEST_LOG` on (the default outside tests), the logger `portal.request` writes one line per
request to standard error:

    {"ts": "2026-11-23T20:15:02.123Z", "event": "request", "method": "GET", "path": "/ideas",
     "status": 200, "duration_ms": 12.4, "request_id": "5f0c…", "user_id": 42,
     "remote_addr": "127.0.0.1"}

`path` is the path without the query string (queries may carry what people typed);
`user_id` is null for anonymous visitors. Behind a reverse proxy `remote_addr` is the proxy's
address unless the WSGI server is told to trust its forwarded headers (gunicorn's
`--forwarded-allow-ips`).
"""

import json
import logging
import re
import sys
import time
import uuid
from datetime import UTC, datetime

from flask import Flask, g, request
from sqlalchemy import inspect
from sqlalchemy.exc import NoInspectionAvailable

REQUEST_ID_HEADER = "X-Request-ID"
# What we accept from a client or proxy: short, and nothing that could forge a log line.
_SANE_ID = re.compile(r"^[A-Za-z0-9._:@/+=-]{1,128}$")

log = logging.getLogger("portal.request")


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever sys.stderr is now (test runners swap it), one record per line."""

    def __init__(self):
        super().__init__()

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, _value):
        pass


def _configure_logger() -> None:
    """Bare JSON lines on standard error, not the app's `time level name message` format."""
    if not any(isinstance(h, _StderrHandler) for h in log.handlers):
        handler = _StderrHandler()
        handler.setFormatter(logging.Formatter("%(message)s"))
        log.addHandler(handler)
    log.setLevel(logging.INFO)
    log.propagate = False


def request_id() -> str | None:
    """The current request's id (for other log lines that want to mention it)."""
    return g.get("request_id")


def _user_id() -> int | None:
    """The signed-in user's id if the request loaded one; never loads it just to log."""
    # Flask-Login's per-request user (set when something asked for it), or the API's token user.
    user = g.get("api_user") or g.get("_login_user")
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    try:
        identity = inspect(user).identity  # the primary key without touching the database
    except NoInspectionAvailable:
        return None
    return identity[0] if identity else None


def request_id_from(incoming: str | None) -> str:
    """The client's (or proxy's) id when it is sane, otherwise a new one."""
    return incoming if incoming and _SANE_ID.match(incoming) else uuid.uuid4().hex


def write_line(method, path, status, duration_ms, request_id, user_id, remote_addr) -> None:
    """The request's JSON line (also written by the /live shortcut, which answers before
    Flask: portal/live/shortcut.py)."""
    record = {
        "ts": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "event": "request",
        "method": method,
        "path": path,
        "status": status,
        "duration_ms": round(duration_ms, 2) if duration_ms is not None else None,
        "request_id": request_id,
        "user_id": user_id,
        "remote_addr": remote_addr,
    }
    log.info(json.dumps(record, separators=(", ", ": ")))


def init_request_log(app: Flask) -> None:
    _configure_logger()

    @app.before_request
    def _start():
        g.request_started = time.perf_counter()
        g.request_id = request_id_from(request.headers.get(REQUEST_ID_HEADER))

    @app.after_request
    def _finish(response):
        # A request that failed before _start (a 413 while reading the body) still gets an id.
        rid = g.get("request_id") or uuid.uuid4().hex
        response.headers[REQUEST_ID_HEADER] = rid
        if app.config.get("REQUEST_LOG", True):
            started = g.get("request_started")
            duration = (time.perf_counter() - started) * 1000 if started is not None else None
            write_line(request.method, request.path, response.status_code, duration, rid,
                       _user_id(), request.remote_addr)  # fmt: skip
        return response
