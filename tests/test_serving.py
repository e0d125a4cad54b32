"""Production serving: request ids, JSON request logs, /healthz, headers, gunicorn itself."""

import json
import logging
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy import event

from portal.extensions import db
from tests.conftest import PASSWORD, make_test_app, migrated
from tests.pg import free_port

ROOT = Path(__file__).resolve().parent.parent


class Lines(logging.Handler):
    """Collects what the `portal.request` logger writes, parsed."""

    def __init__(self):
        super().__init__()
        self.records: list[dict] = []

    def emit(self, record):
        self.records.append(json.loads(record.getMessage()))


@pytest.fixture
def request_lines():
    handler = Lines()
    logger = logging.getLogger("portal.request")
    logger.addHandler(handler)
    yield handler.records
    logger.removeHandler(handler)


@pytest.fixture
def logging_app(app, database_url):
    """The test app, with the request log on (tests turn it off by default)."""
    logged = make_test_app(database_url, REQUEST_LOG=True)

    @logged.route("/boom")
    def boom():
        raise RuntimeError("an unexpected failure")

    return logged


# -- request ids -----------------------------------------------------------------------------


def test_every_response_carries_a_fresh_request_id(client):
    first = client.get("/healthz").headers["X-Request-ID"]
    second = client.get("/ideas").headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", first) and re.fullmatch(r"[0-9a-f]{32}", second)
    assert first != second
    assert client.get("/no-such-page").headers["X-Request-ID"]


def test_a_sane_incoming_request_id_is_echoed(client):
    response = client.get("/ideas", headers={"X-Request-ID": "lb-7f3a.19:eu-west"})
    assert response.headers["X-Request-ID"] == "lb-7f3a.19:eu-west"


@pytest.mark.parametrize(
    "incoming",
    ["", "x" * 129, "two words", 'a"b', "a\\nb", "<script>", "ü-id"],
)
def test_a_hostile_incoming_request_id_is_replaced(client, incoming):
    response = client.get("/healthz", headers={"X-Request-ID": incoming})
    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["X-Request-ID"])


# -- the JSON request log --------------------------------------------------------------------


def test_one_json_line_per_request(logging_app, request_lines):
    client = logging_app.test_client()
    response = client.get("/ideas?q=secret+words&sort=new", headers={"X-Request-ID": "abc-1"})
    assert response.status_code == 200
    assert len(request_lines) == 1
    line = request_lines[0]
    assert set(line) == {
        "ts", "event", "method", "path", "status", "duration_ms", "request_id", "user_id",
        "remote_addr",
    }  # fmt: skip
    assert line["event"] == "request"
    assert line["method"] == "GET"
    assert line["path"] == "/ideas"  # never the query string: it may carry what people typed
    assert line["status"] == 200
    assert isinstance(line["duration_ms"], float) and 0 <= line["duration_ms"] < 60_000
    assert line["request_id"] == "abc-1" == response.headers["X-Request-ID"]
    assert line["user_id"] is None
    assert line["remote_addr"] == "127.0.0.1"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", line["ts"])


def test_the_log_names_the_signed_in_user(logging_app, make, request_lines):
    user = make.user()
    client = logging_app.test_client()
    assert (
        client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 302
    )
    client.get("/ideas")
    client.post("/logout")
    client.get("/ideas")
    # A request is logged with who is signed in when it ends: the sign-in names the user,
    # the sign-out no longer does.
    assert [line["user_id"] for line in request_lines] == [user.id, user.id, None, None]
    assert request_lines[0]["method"] == "POST" and request_lines[0]["status"] == 302


def test_the_log_names_the_api_token_user(logging_app, make, token_for, request_lines):
    user = make.user()
    headers = token_for(user)
    logging_app.test_client().get("/api/v1/ideas", headers=headers)
    assert request_lines[-1]["user_id"] == user.id
    assert request_lines[-1]["status"] == 200


def test_errors_are_logged_with_their_status(logging_app, request_lines):
    client = logging_app.test_client()
    assert client.get("/no-such-page").status_code == 404
    assert client.get("/boom").status_code == 500
    assert client.post("/ideas/1/vote").status_code in (302, 401)
    statuses = [(line["path"], line["status"]) for line in request_lines]
    assert statuses[:2] == [("/no-such-page", 404), ("/boom", 500)]
    assert all(line["request_id"] for line in request_lines)


def test_logging_never_loads_the_user_just_to_name_them(logging_app, make):
    user = make.user()
    client = logging_app.test_client()
    client.post("/login", data={"email": user.email, "password": PASSWORD})
    client.get("/healthz")
    with logging_app.app_context():
        engine = db.engine
    statements = []

    def record(_conn, _cursor, statement, *_args):
        if not statement.lstrip().upper().startswith(("BEGIN", "SAVEPOINT", "RELEASE")):
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        assert client.get("/healthz").status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert statements == ["SELECT 1"]  # a signed-in visitor's user is never loaded here


def test_the_request_log_is_off_in_tests_by_default(client, request_lines):
    client.get("/ideas")
    assert request_lines == []


# -- /healthz --------------------------------------------------------------------------------


def test_healthz_answers_ok_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_data(as_text=True) == "ok"
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize(
    "url",
    [
        "sqlite:////nonexistent-directory-for-healthz/portal.db",
        f"postgresql+psycopg://portal@127.0.0.1:{free_port()}/portal?connect_timeout=2",
    ],
    ids=["sqlite-unopenable", "postgresql-down"],
)
def test_healthz_answers_503_json_when_the_database_does_not(url):
    app = make_test_app(url)
    with app.app_context():
        started = time.monotonic()
        response = app.test_client().get("/healthz")
        assert time.monotonic() - started < 10
        db.session.remove()
        db.engine.dispose()
    assert response.status_code == 503
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert body["status"] == "unavailable" and body["database"] == "unavailable"
    assert "password" not in json.dumps(body) and "127.0.0.1" not in json.dumps(body)
    assert response.headers["X-Request-ID"]


# -- security headers ------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/ideas", "/healthz", "/api/v1/ideas", "/no-such-page"])
def test_plain_http_sends_no_hsts_but_every_other_header(client, path):
    response = client.get(path)
    assert "Strict-Transport-Security" not in response.headers
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("path", ["/", "/ideas", "/healthz", "/api/v1/ideas", "/no-such-page"])
def test_https_sends_hsts_everywhere(database_url, path):
    app = make_test_app(database_url, PREFERRED_URL_SCHEME="https")
    with app.app_context():
        response = app.test_client().get(path)
        db.session.remove()
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["Referrer-Policy"] == "same-origin"


# -- under gunicorn, as `make serve` runs it -------------------------------------------------


def _get(url: str, headers: dict | None = None):
    request = urllib.request.Request(url, headers=headers or {})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, dict(response.headers), response.read()


def test_gunicorn_workers_log_json_lines_and_answer_healthz():
    """Two gunicorn workers, production settings, a migrated SQLite file: one JSON line on
    standard error per request, with the id the response carries."""
    directory = tempfile.mkdtemp(prefix="portal-serve-")
    url = migrated(f"sqlite:///{directory}/portal.db")
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("TEST_DATABASE_URL",)},
        "PORTAL_ENV": "production",
        "SECRET_KEY": "serve-test-not-secret",
        "DATABASE_URL": url,
        "SEARCH_INDEX_DIR": f"{directory}/index",
        "MAIL_BACKEND": "log",
        "REQUEST_LOG": "1",
    }
    stderr = open(f"{directory}/stderr.log", "w+")  # noqa: SIM115
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", "2", "--bind", f"127.0.0.1:{port}",
         "--no-control-socket",
         "wsgi:app"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=stderr,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                status, headers, body = _get(f"http://127.0.0.1:{port}/healthz")
                break
            except OSError:
                assert server.poll() is None, Path(f"{directory}/stderr.log").read_text()
                assert time.monotonic() < deadline, "gunicorn did not answer"
                time.sleep(0.2)
        assert (status, body) == (200, b"ok")
        ids = {headers["X-Request-ID"]}
        for _ in range(6):
            status, headers, _body = _get(
                f"http://127.0.0.1:{port}/ideas", {"X-Request-ID": "from-the-proxy"}
            )
            assert status == 200 and headers["X-Request-ID"] == "from-the-proxy"
        ids.add("from-the-proxy")
    finally:
        server.terminate()
        server.wait(timeout=30)
    stderr.seek(0)
    lines = [json.loads(line) for line in stderr if line.startswith('{"ts"')]
    stderr.close()
    assert len(lines) == 7, lines
    assert {line["request_id"] for line in lines} == ids
    assert [line["path"] for line in lines] == ["/healthz"] + ["/ideas"] * 6
    assert all(line["status"] == 200 and line["user_id"] is None for line in lines)
