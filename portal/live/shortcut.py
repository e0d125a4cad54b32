"""The unchanged /live answer, given before Flask.

Most questions an open page asks find nothing new. Answering them through Flask's whole
request (hooks, session interface, unit of work, the ORM session) cost several times the
one indexed read itself, so this WSGI middleware answers them first, as Discourse's
MessageBus does in Rack: it reads the signed session cookie for the viewer's id (without
loading the account or writing the cookie), asks `service.check_on` on a connection of its
own small pool, and answers 204 with no body, the `X-Live-Cursor` header, the
security headers and the request log line every answer has.

Most pages ask at the same few cursors (the newest, or one a change or two before it), so
each worker keeps what its last read found of the recent changes (`service.Recent`): the
newest id of every topic changed after the lowest cursor pages asked with since the read
before (at most RECENT_CHANGES ids back), read with a question's check. For a quarter second
after that read, with no change written by this process since, a page whose cursor is in
that span is answered from it without a read at all: on a quiet portal, idle pages cost no
database work, and after a change elsewhere one read a quarter second serves them all. The
promise is the one any poll makes: a change committed through another process (or host)
in that quarter second reaches the page at its next question after it; one made through
this process, at its very next question. Only the 204 and the newest cursor come from it:
which other topics changed is never told. A page further behind is read for as before;
the first question after the quarter second is read for, with a new picture.

Anything else (something changed, a cursor expired or from another database, a refresh, a
cookie it cannot read, a database error) goes on to the Flask view, which answers as it
always does: rendered by the page's templates, or 503 while the database is away.
"""

import threading
import time
from urllib.parse import parse_qsl

from flask import Flask
from itsdangerous import BadSignature
from sqlalchemy import create_engine, event
from werkzeug.http import parse_cookie

from portal.accounts.service import session_user_ident
from portal.database import AUTOCOMMIT
from portal.extensions import db
from portal.live import changes, service
from portal.live.views import CURSOR_HEADER, parse_cursor
from portal.request_log import REQUEST_ID_HEADER, request_id_from, write_line
from portal.security_headers import plain_headers

IN_MEMORY = (None, "", ":memory:")
KEPT_CONNECTIONS = 4
# What this worker's last read found of the recent changes answers questions this long,
# unless this process wrote a change since. (A change made in that instant through another
# process reaches a page at its next question.)
LATEST_SECONDS = 0.25
# That picture spans the change ids after the lowest cursor asked about since the read
# before, at most this many of the newest (so at most this many topics): a page whose cursor
# is older than that is read for. On a busy portal (more changes than this in a poll
# interval) pages fall back to one read per question.
RECENT_CHANGES = 512
NO_CURSOR = 2**63
# Session cookies whose signature was checked, remembered this long, at most this many.
SESSION_SECONDS = 60.0
SESSIONS_REMEMBERED = 10_000


class LiveShortcut:
    def __init__(self, app: Flask, wsgi_app):
        self.app = app
        self.wsgi_app = wsgi_app
        self._engine = None
        self.engine = None  # the engine its checks run on (set at the first question)
        self._serializer = None
        self._headers = None
        self._sessions: dict[str, tuple[int | None, float]] = {}
        self._idle: list = []  # connections kept between questions, at most KEPT_CONNECTIONS
        # What the last read found of the recent changes, and when (replaced whole, never
        # changed: threads read it without the lock).
        self._recent: tuple[service.Recent | None, float] = (None, float("-inf"))
        # The lowest cursor asked about since that read: where the next read starts, so its
        # picture spans the cursors pages ask with and no more (a hint, read and set without
        # the lock: a lost update only costs a page its own read).
        self._lowest = NO_CURSOR
        self._lock = threading.Lock()

    def _setup(self) -> None:
        with self.app.app_context():
            engine = db.engine
        if engine.url.get_backend_name() == "sqlite" and engine.url.database in IN_MEMORY:
            self.engine = self._engine = engine  # in memory: only its own engine reaches it
            event.listen(engine, "engine_disposed", self._close_idle)
        else:
            # Its own small pool: no ping at check-out (a dead connection fails the check, is
            # dropped, and the view answers meanwhile), no transaction (autocommit: the check
            # is one statement, one snapshot). Disposed of with the app's engine.
            options = dict(self.app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
            options.update(pool_pre_ping=False, pool_size=2, isolation_level="AUTOCOMMIT")
            self.engine = create_engine(engine.url, **options)
            event.listen(engine, "engine_disposed", self._close_idle)
            self._engine = self.engine.execution_options(**AUTOCOMMIT)
        self._serializer = self.app.session_interface.get_signing_serializer(self.app)
        self._headers = [
            *plain_headers(self.app),
            ("Cache-Control", "no-store"),
            ("Vary", "HX-Request, Cookie"),
        ]

    def _acquire(self):
        """A connection kept from an earlier question, or a new one: a check-out from a pool
        and its bookkeeping cost more than the check itself."""
        with self._lock:
            if self._idle:
                return self._idle.pop()
        return self._engine.connect()

    def _release(self, connection) -> None:
        with self._lock:
            if len(self._idle) < KEPT_CONNECTIONS:
                self._idle.append(connection)
                return
        connection.close()

    def _close_idle(self, _engine=None) -> None:
        """The app's engine is disposed of (tests, shutdown): give the kept ones back."""
        with self._lock:
            idle, self._idle = self._idle, []
        for connection in idle:
            connection.close()
        if self.engine is not None and _engine is not self.engine:
            self.engine.dispose()

    def _state(self, cursor: int, topics: list[str]) -> service.State | None:
        """What `service.check_on` answers for this question: from the recent changes the
        last read found while they are fresh and span its cursor, read otherwise (with a new
        picture when the old one is stale). None when the read failed."""
        recent, read_at = self._recent
        now = time.monotonic()  # the clock changes.written_at() uses
        fresh = now - read_at < LATEST_SECONDS and changes.written_at() < read_at
        if cursor < self._lowest:
            self._lowest = cursor
        if fresh and recent.covers(cursor):
            return recent.state(cursor, topics)
        connection = self._acquire()
        try:
            if fresh:  # the picture is fresh, the page behind it: its own read
                state = service.check_on(connection, cursor, topics)
            else:
                base, self._lowest = min(self._lowest, cursor), NO_CURSOR
                state, recent = service.check_recent_on(
                    connection, cursor, topics, base, RECENT_CHANGES
                )
        except Exception:  # the view answers (503 while the database is away)
            connection.invalidate()
            return None
        self._release(connection)
        if not fresh:
            self._recent = (recent, now)  # `now` was taken before the read: never too new
        return state

    def _user_id(self, environ) -> int | None:
        """The account id the signed session cookie names (checked by the view, if need be).

        A page asks every few seconds with the same cookie: what its signature proved is
        remembered for a minute, so the HMAC and JSON are not redone on every question.
        """
        value = parse_cookie(environ).get(self.app.config["SESSION_COOKIE_NAME"])
        if not value or self._serializer is None:
            return None
        now = time.monotonic()
        known = self._sessions.get(value)
        if known is not None and known[1] > now:
            return known[0]
        max_age = int(self.app.permanent_session_lifetime.total_seconds())
        try:
            data = self._serializer.loads(value, max_age=max_age)
        except BadSignature:
            return None
        user_id = session_user_ident(data.get("_user_id")) if isinstance(data, dict) else None
        if len(self._sessions) >= SESSIONS_REMEMBERED:
            self._sessions.clear()
        self._sessions[value] = (user_id, now + SESSION_SECONDS)
        return user_id

    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO") != "/live" or environ.get("REQUEST_METHOD") != "GET":
            return self.wsgi_app(environ, start_response)
        started = time.perf_counter()
        if self._engine is None:
            self._setup()
        args = dict(parse_qsl(environ.get("QUERY_STRING", "")))
        if args.get("refresh"):
            return self.wsgi_app(environ, start_response)
        cursor = parse_cursor(args.get("cursor"))
        user_id = self._user_id(environ)
        topics = service.live_topics(service.parse_watch(args.get("watch")), user_id)
        latest = cursor
        if topics:
            state = self._state(cursor, topics)
            if state is None or state.changed or state.expired:
                return self.wsgi_app(environ, start_response)
            latest = state.latest
        request_id = request_id_from(environ.get("HTTP_X_REQUEST_ID"))
        headers = [*self._headers, (REQUEST_ID_HEADER, request_id)]
        if latest != cursor:
            headers.append((CURSOR_HEADER, str(latest)))
        start_response("204 No Content", headers)
        if self.app.config.get("REQUEST_LOG", True):
            duration = (time.perf_counter() - started) * 1000
            write_line("GET", "/live", 204, duration, request_id, user_id,
                       environ.get("REMOTE_ADDR"))  # fmt: skip
        return []
