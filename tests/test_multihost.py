"""Several application hosts on one PostgreSQL and one Redis, for real.

One PostgreSQL (tests/pg.py), one redis-server on a free port, and TWO independent app
servers (gunicorn, two workers each) on loopback: the same DATABASE_URL, SEARCH_BACKEND=postgres
and RATELIMIT_STORAGE_URI, each with its own instance folder, so the hosts share nothing but
the database and Redis. What must hold: what is done through one host (a vote, a comment, a
moderation action, a search) is seen through the other; a rate limit used up on one host holds
on the other; concurrent votes and comments sent to both leave every counter equal to a
recount; the outbox, drained by both hosts at once, sends each message exactly once, and
what a dead host had claimed is sent by the others once its lease is over.

`pytest -m multihost` runs only this module.
"""

import email
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from email import policy
from http.cookiejar import CookieJar
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlencode

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import func, select, update

from portal.accounts import service as accounts
from portal.extensions import db
from portal.ideas.models import Comment, Idea, Vote
from portal.notify.models import OutboxMessage, Webhook
from portal.timeutil import utcnow
from tests import processes
from tests.conftest import BACKENDS, PASSWORD, Factory, make_test_app, migrated
from tests.pg import free_port
from tests.processes import wait_until_ready

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).with_name("gunicorn")
REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"
SECRET_KEY = "multihost-test-secret-key-shared-by-both-hosts"

pytestmark = [
    pytest.mark.multihost,
    pytest.mark.postgres_only,
    pytest.mark.skipif(
        "postgresql" not in BACKENDS, reason="PostgreSQL is not among the test databases"
    ),
    pytest.mark.skipif(not os.path.exists(REDIS_SERVER), reason="redis-server is not installed"),
    pytest.mark.skipif(not GUNICORN.exists(), reason="gunicorn is not installed"),
    pytest.mark.timeout(240),
]


# --- servers -----------------------------------------------------------------------------


class RedisServer:
    """A throwaway redis-server on a free loopback port, persisting nothing."""

    def __init__(self, base: str):
        self.port = free_port()
        self.base = base
        self.process = None

    def start(self) -> "RedisServer":
        log = open(os.path.join(self.base, "redis.log"), "wb")  # noqa: SIM115
        self.process = subprocess.Popen(
            [
                REDIS_SERVER,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                self.base,
            ],  # fmt: skip
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        wait_until_ready(self.process, self.ping, 20, "redis-server", pause=0.1)
        return self

    def ping(self) -> bool:
        import socket

        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def stop(self) -> None:
        processes.stop(self.process)


class Inbox:
    """aiosmtpd handler keeping every message it accepts."""

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self._lock = threading.Lock()

    async def handle_DATA(self, _server, _session, envelope):  # noqa: N802 (aiosmtpd's name)
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        with self._lock:
            self.messages.append(message)
        return "250 Message accepted for delivery"


class Receiver:
    """A slow webhook receiver on loopback (each call takes `delay` seconds), so that the
    hosts' senders overlap."""

    def __init__(self, delay: float = 0.1):
        self.deliveries: list[str] = []
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's name)
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                time.sleep(delay)
                with receiver._lock:
                    receiver.deliveries.append(self.headers.get("X-Portal-Delivery"))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *_args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class Host:
    """One application host: gunicorn with two workers, its own instance folder."""

    def __init__(self, name: str, base: str, env: dict):
        self.name = name
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.instance = os.path.join(base, name)
        os.makedirs(self.instance)
        self.log_path = os.path.join(base, f"{name}.log")
        self.env = {**env, "PORTAL_INSTANCE_DIR": self.instance, "PORTAL_URL": self.url}
        self.process = None

    def start(self) -> None:
        log = open(self.log_path, "wb")  # noqa: SIM115
        self.process = subprocess.Popen(
            [
                str(GUNICORN),
                "--workers",
                "2",
                "--threads",
                "4",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--graceful-timeout",
                "5",
                "wsgi:app",
            ],  # fmt: skip
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_ready(self) -> None:
        def healthy() -> bool:
            try:
                return call(self, "GET", "/healthz")[0] == 200
            except OSError:
                return False

        wait_until_ready(self.process, healthy, 60, self.name, lambda: self.log()[-3000:], 0.2)

    def worker_pids(self) -> set[int]:
        """The gunicorn workers of this host (children of its master)."""
        pids = set()
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    status = Path(f"/proc/{entry}/status").read_text()
                except OSError:
                    continue
                if re.search(rf"^PPid:\s+{self.process.pid}$", status, re.M):
                    pids.add(int(entry))
        return pids

    def log(self) -> str:
        return Path(self.log_path).read_text(errors="replace")

    def stop(self) -> None:
        processes.stop(self.process, 15)


# --- HTTP --------------------------------------------------------------------------------


def call(host, method, path, body=None, token=None, opener=None, form=None, client_ip=None):
    """(status, parsed JSON or text) of one request to a host; `client_ip` as a load
    balancer in front of both hosts would forward it."""
    headers = {"X-Forwarded-For": client_ip} if client_ip else {}
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    if form is not None:
        data = urlencode(form).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(host.url + path, data=data, headers=headers, method=method)
    open_url = (opener or urllib.request.build_opener(NoRedirect)).open
    try:
        with open_url(request, timeout=30) as response:
            status, raw, kind = response.status, response.read(), response.headers
    except urllib.error.HTTPError as error:
        status, raw, kind = error.code, error.read(), error.headers
    text = raw.decode("utf-8", "replace")
    if (kind.get("Content-Type") or "").startswith("application/json"):
        return status, json.loads(text)
    return status, text


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *_args, **_kwargs):
        return None


def browser() -> urllib.request.OpenerDirector:
    """A cookie-keeping client that does not follow redirects (one cookie jar, any host)."""
    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()), NoRedirect)


def csrf_token(host, opener) -> str:
    status, html = call(host, "GET", "/login", opener=opener, client_ip="192.0.2.1")
    assert status == 200
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


def sign_in(host, opener, email_address, password, token=None, client_ip="192.0.2.1"):
    form = {"email": email_address, "password": password,
            "csrf_token": token or csrf_token(host, opener)}  # fmt: skip
    return call(host, "POST", "/login", opener=opener, form=form, client_ip=client_ip)[0]


# --- fixtures ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def base():
    directory = tempfile.mkdtemp(prefix="portal-multihost-")
    yield directory
    shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture(scope="module")
def redis_server(base):
    server = RedisServer(base).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def smtp():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield SimpleSmtp(controller.port, inbox)
    controller.stop()


class SimpleSmtp:
    def __init__(self, port, inbox):
        self.port = port
        self.inbox = inbox


@pytest.fixture(scope="module")
def receiver():
    server = Receiver()
    yield server
    server.close()


@pytest.fixture(scope="module")
def database(postgres):
    return migrated(postgres.create_database("portal_multihost"))


@pytest.fixture(scope="module")
def hosts(base, database, redis_server, smtp):
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PORTAL_ENV": "production",
        "SECRET_KEY": SECRET_KEY,
        "DATABASE_URL": database,
        "SEARCH_BACKEND": "postgres",
        "RATELIMIT_STORAGE_URI": redis_server.url,
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(smtp.port),
        "MAIL_BACKEND": "smtp",
        "WEBHOOK_ALLOW_PRIVATE": "1",
        "LOGIN_LIMIT_PER_ACCOUNT": "3 per 10 minutes",
        "LOGIN_LIMIT_PER_ADDRESS": "6 per 10 minutes",
        "TRUSTED_PROXIES": "1",  # as behind a load balancer: X-Forwarded-For is the client
        "NEW_ACCOUNT_COMMENTS_LIMIT": "3 per hour",
        "PYTHONUNBUFFERED": "1",
    }
    both = [Host("host-a", base, env), Host("host-b", base, env)]
    for host in both:
        host.start()
    try:
        for host in both:
            host.wait_ready()
        yield both
    finally:
        for host in both:
            host.stop()
    for host in both:
        assert "Traceback" not in host.log(), f"{host.name} logged an error:\n{host.log()[-4000:]}"


@pytest.fixture
def local(database, smtp):
    """An app of this test process on the same database, for setting up and recounting.

    With the hosts' mail settings: whatever it happens to drain goes where theirs does."""
    app = make_test_app(
        database,
        SEARCH_BACKEND="postgres",
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=smtp.port,
        MAIL_BACKEND="smtp",
        MAIL_SUPPRESS_SEND=False,
        WEBHOOK_ALLOW_PRIVATE=True,
    )
    with app.app_context():
        yield app
        db.session.remove()
    with app.app_context():
        db.engine.dispose()


class People(Factory):
    def user(self, *args, established=True, **kwargs):
        """A user; `established` ones are older than NEW_ACCOUNT_DAYS (no new-account limits)."""
        user = super().user(*args, **kwargs)
        if established:
            user.created_at = utcnow() - timedelta(days=30)
            db.session.commit()
        return user

    def token(self, user) -> str:
        _token, secret = accounts.create_token(user, "multihost")
        db.session.commit()
        return secret


@pytest.fixture
def make(local):
    people = People()
    people.count = int(time.time() * 1000) % 10**9  # unique e-mails across the module's tests
    return people


def fresh() -> None:
    """See what the hosts committed."""
    db.session.rollback()
    db.session.expire_all()


# --- tests -------------------------------------------------------------------------------


def test_what_one_host_does_the_other_sees(hosts, make):
    a, b = hosts
    category = make.category("public")
    author, voter = make.user(), make.user()
    moderator = make.user(role="moderator")
    author_token, voter_token, moderator_token = map(make.token, (author, voter, moderator))

    # An idea posted through A is found by a search through B at once.
    status, idea = call(a, "POST", "/api/v1/ideas", token=author_token,
                        body={"title": "Zeppelin docking for pallet deliveries",
                              "body": "Lighter than trucks.", "category": category.slug,
                              "kind": "idea"})  # fmt: skip
    assert status == 201, idea
    status, found = call(b, "GET", "/api/v1/search?q=zeppelin")
    assert status == 200 and [item["id"] for item in found["items"]] == [idea["id"]], found

    # A vote through B counts through A.
    status, vote = call(b, "POST", f"/api/v1/ideas/{idea['id']}/vote", token=voter_token)
    assert (status, vote["votes"]) == (200, 2)
    status, seen = call(a, "GET", f"/api/v1/ideas/{idea['id']}", token=voter_token)
    assert (seen["votes"], seen["viewer_has_voted"]) == (2, True)

    # A comment through A is read through B, and found by B's search.
    status, comment = call(a, "POST", f"/api/v1/ideas/{idea['id']}/comments",
                           token=voter_token, body={"body": "Mind the hangar doors."})  # fmt: skip
    assert status == 201, comment
    status, thread = call(b, "GET", f"/api/v1/ideas/{idea['id']}/comments")
    assert [c["body"] for c in thread["items"]] == ["Mind the hangar doors."]
    status, found = call(b, "GET", "/api/v1/search?q=hangar")
    assert found["total"] == 1

    # A moderator hides it through B: A shows the tombstone, and searches no longer find it.
    hide = {"action": "hide", "target_type": "idea", "target_id": idea["id"],
            "reason": "Testing two hosts."}  # fmt: skip
    status, action = call(b, "POST", "/api/v1/moderation/actions", token=moderator_token, body=hide)
    assert status == 200, action
    status, seen = call(a, "GET", f"/api/v1/ideas/{idea['id']}")
    assert status == 200 and seen["hidden"] is True and "Zeppelin" not in seen["title"]
    assert call(a, "GET", "/api/v1/search?q=zeppelin")[1]["total"] == 0
    status, log_page = call(a, "GET", "/moderation/log")
    assert status == 200 and "Testing two hosts." in log_page

    # A session made on A works on B (the cookie is signed with the shared SECRET_KEY), and
    # so does a CSRF token from A's page.
    client = browser()
    assert sign_in(a, client, voter.email, PASSWORD) == 302
    status, _page = call(b, "GET", "/notifications", opener=client)
    assert status == 200, "B knows the session A made"
    status, _page = call(b, "GET", "/notifications")
    assert status == 302, "(without the cookie, B asks to sign in)"


def test_rate_limits_are_shared_through_redis(hosts, make):
    a, b = hosts
    # Failed sign-ins per account (3 per 10 minutes): two on A and one on B use it up.
    target = make.user()
    client = browser()
    token = csrf_token(a, client)
    results = [sign_in(host, client, target.email, "wrong-password", token) for host in (a, a, b)]
    assert results == [200, 200, 200]
    assert sign_in(a, client, target.email, PASSWORD, token) == 429
    assert sign_in(b, client, target.email, PASSWORD, token) == 429
    # Another account is not affected.
    other = make.user()
    assert sign_in(b, browser(), other.email, PASSWORD) == 302

    # Failed sign-ins per client address (6 per 10 minutes), whichever host they reach.
    client, address = browser(), "198.51.100.7"
    token = csrf_token(a, client)
    statuses = [
        sign_in(host, client, f"nobody{n}@example.com", "wrong", token, client_ip=address)
        for n, host in enumerate((a, b, a, b, b, a))
    ]
    assert statuses == [200] * 6
    for host in (a, b):
        assert sign_in(host, client, other.email, PASSWORD, token, client_ip=address) == 429
    assert sign_in(b, client, other.email, PASSWORD, token, client_ip="198.51.100.8") == 302

    # A new account's comments (3 an hour), pages and API alike, across both hosts.
    newcomer = make.user(established=False)
    newcomer_token = make.token(newcomer)
    idea = make.idea(author=make.user(), category=make.category("public"))
    url = f"/api/v1/ideas/{idea.id}/comments"
    statuses = [
        call(host, "POST", url, token=newcomer_token, body={"body": f"Hello {n}"})[0]
        for n, host in enumerate((a, b, a))
    ]
    assert statuses == [201, 201, 201]
    for host in (b, a):
        status, answer = call(host, "POST", url, token=newcomer_token, body={"body": "More"})
        assert status == 429, answer


def test_concurrent_votes_and_comments_on_both_hosts_stay_exact(hosts, make):
    a, b = hosts
    category = make.category("public")
    ideas = [make.idea(author=make.user(), category=category) for _ in range(2)]
    voters = [make.token(make.user()) for _ in range(24)]
    requests = []
    for n, token in enumerate(voters):
        for idea in ideas:
            url = f"/api/v1/ideas/{idea.id}/vote"
            # Everyone votes through both hosts at once; every third withdraws through both.
            requests += [(a, "POST", url, token, None), (b, "POST", url, token, None)]
            if n % 3 == 0:
                requests += [(b, "DELETE", url, token, None), (a, "DELETE", url, token, None)]
            comments = f"/api/v1/ideas/{idea.id}/comments"
            requests.append(((a, b)[n % 2], "POST", comments, token, {"body": f"Voter {n}."}))

    def send(request):
        host, method, url, token, body = request
        return call(host, method, url, body=body, token=token)[0]

    with ThreadPoolExecutor(max_workers=16) as pool:
        statuses = list(pool.map(send, requests))
    assert Counter(statuses) <= Counter({200: len(statuses), 201: len(statuses)}), Counter(statuses)
    fresh()
    for idea in ideas:
        kept = db.session.get(Idea, idea.id)
        votes = db.session.scalar(select(func.count(Vote.id)).where(Vote.idea_id == idea.id))
        comments = db.session.scalar(
            select(func.count(Comment.id)).where(
                Comment.idea_id == idea.id, Comment.deleted_at.is_(None)
            )
        )
        assert (kept.votes_count, kept.comments_count) == (votes, comments)
        # The withdrawals raced the votes: each voter's vote is there or not, never twice.
        assert 1 + len(voters) - len(range(0, len(voters), 3)) <= votes <= 1 + len(voters)
        assert comments == len(voters)


def test_both_hosts_drain_the_outbox_exactly_once(hosts, make, local, smtp, receiver):
    a, b = hosts
    hook = Webhook(url=receiver.url, secret="s", events="idea.created", active=True)
    db.session.add(hook)
    db.session.commit()
    now = utcnow()
    emails = [
        OutboxMessage(
            kind="email",
            recipient=f"reader{n}@example.com",
            subject=f"Note {n}",
            body="Hello.",
            next_attempt_at=now,
        )  # fmt: skip
        for n in range(40)
    ]
    hooks = [
        OutboxMessage(
            kind="webhook",
            recipient=receiver.url,
            body=json.dumps({"n": n}),
            webhook_id=hook.id,
            next_attempt_at=now,
        )  # fmt: skip
        for n in range(70)
    ]
    # A host died mid-send: its claim ran out, so the others must send these.
    orphans = [
        OutboxMessage(kind="email", recipient=f"orphan{n}@example.com", subject=f"Orphan {n}",
                      body="Hello.", next_attempt_at=now - timedelta(minutes=10),
                      claimed_by="dead-host/1/x", claimed_until=now - timedelta(seconds=1))
        for n in range(3)
    ]  # fmt: skip
    # A live sender elsewhere holds this one: nobody else may send it while its claim runs.
    held = OutboxMessage(kind="email", recipient="held@example.com", subject="Held", body="Hi.",
                         next_attempt_at=now, claimed_by="busy-host/1/y",
                         claimed_until=now + timedelta(minutes=5))  # fmt: skip
    db.session.add_all(emails + hooks + orphans + [held])
    db.session.commit()
    queued = {m.id for m in emails + hooks + orphans}

    # An event through A adds a real one (idea.created) to the same outbox.
    author_token = make.token(make.user())
    status, idea = call(a, "POST", "/api/v1/ideas", token=author_token,
                        body={"title": "Outbox on two hosts", "category":
                              make.category("public").slug, "kind": "idea"})  # fmt: skip
    assert status == 201
    # Every worker of both hosts runs its sender (each starts on its first request).
    for _ in range(8):
        for host in hosts:
            call(host, "GET", "/healthz")

    deadline = time.monotonic() + 90
    while True:
        fresh()
        pending = db.session.scalar(
            select(func.count(OutboxMessage.id)).where(
                OutboxMessage.sent_at.is_(None), OutboxMessage.id != held.id
            )
        )
        if not pending:
            break
        assert time.monotonic() < deadline, f"{pending} messages still unsent"
        time.sleep(0.5)

    rows = list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.id != held.id)))
    assert queued <= {r.id for r in rows}
    assert all(r.sent_at is not None and r.attempts == 1 and r.last_error is None for r in rows)
    subjects = Counter(m["Subject"] for m in smtp.inbox.messages)
    expected = [m.subject for m in emails + orphans]
    assert {s: subjects[s] for s in expected} == dict.fromkeys(expected, 1), "each e-mail once"
    assert "Held" not in subjects, "a row under another sender's claim is left alone"
    delivered = Counter(receiver.deliveries)
    webhook_ids = [str(r.id) for r in rows if r.kind == "webhook"]
    assert len(webhook_ids) == len(hooks) + 1  # and idea.created
    assert {d: delivered[d] for d in webhook_ids} == dict.fromkeys(webhook_ids, 1), "each once"
    assert sum(delivered.values()) == len(webhook_ids)

    # Both hosts took part: the senders (claimed_by: host/pid/drain) are workers of each.
    sender_pids = {int(r.claimed_by.split("/")[1]) for r in rows}
    for host in hosts:
        assert sender_pids & host.worker_pids(), f"{host.name} sent nothing"

    # Once the busy sender's claim runs out, the held row goes too, exactly once.
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == held.id)
        .values(claimed_until=utcnow() - timedelta(seconds=1))
    )
    db.session.commit()
    deadline = time.monotonic() + 30
    while Counter(m["Subject"] for m in smtp.inbox.messages)["Held"] == 0:
        assert time.monotonic() < deadline, "the held row was never sent"
        time.sleep(0.3)
    time.sleep(1)
    assert Counter(m["Subject"] for m in smtp.inbox.messages)["Held"] == 1


def test_hosts_keep_serving_when_redis_is_down(hosts, make, redis_server):
    """Last in this module: it stops Redis. Limits then count per process (memory), and no
    request fails because of it; sign-in, votes and comments go on."""
    redis_server.stop()
    user = make.user()
    token = make.token(user)
    idea = make.idea(author=make.user(), category=make.category("public"))
    for host in hosts:
        client = browser()
        assert sign_in(host, client, user.email, "wrong-password") == 200
        assert sign_in(host, client, user.email, PASSWORD) == 302
        status, _answer = call(host, "POST", f"/api/v1/ideas/{idea.id}/vote", token=token)
        assert status == 200


def live_poll(host, opener, cursor: int, watch: str, page: str):
    """(status, X-Live-Cursor, body) of one /live question, as an open page's script asks it."""
    query = urlencode({"cursor": cursor, "watch": watch, "page": page})
    request = urllib.request.Request(f"{host.url}/live?{query}", headers={"HX-Request": "true"})
    with opener.open(request, timeout=30) as response:
        return response.status, response.headers.get("X-Live-Cursor"), response.read().decode()


def test_a_change_through_one_host_reaches_open_pages_on_the_other(hosts, make):
    """Live (SPEC 14): the cursor is a database row, so every host agrees on it."""
    a, b = hosts
    idea = make.idea(category=make.category("public"))
    viewer, voter = make.user(), make.user()
    voter_token = make.token(voter)
    page = browser()
    assert sign_in(b, page, viewer.email, PASSWORD, client_ip="192.0.2.14") == 302
    status, html = call(b, "GET", f"/ideas/{idea.id}", opener=page)
    assert status == 200
    cursor = int(re.search(r'data-live-cursor="(\d+)"', html).group(1))
    watch = re.search(r'data-live-watch="([^"]+)"', html).group(1)
    assert watch == f"idea:{idea.id} notifications"
    path = f"/ideas/{idea.id}"
    assert live_poll(b, page, cursor, watch, path)[0] == 204
    assert live_poll(a, page, cursor, watch, path)[0] == 204

    # A vote and a comment through A, then the page served by B asks B.
    assert call(a, "POST", f"/api/v1/ideas/{idea.id}/vote", token=voter_token)[0] == 200
    status, _comment = call(a, "POST", f"/api/v1/ideas/{idea.id}/comments", token=voter_token,
                            body={"body": "Said through host A."})  # fmt: skip
    assert status == 201
    time.sleep(0.3)  # a host remembers the newest cursor it read for a quarter second
    status, moved_to, answer = live_poll(b, page, cursor, watch, path)
    assert status == 200
    assert '<span class="vote-count">2</span>' in answer
    assert answer.count("Said through host A.") == 1
    # Asked again from where it got to, on either host: nothing new.
    assert int(moved_to) > cursor
    assert live_poll(b, page, int(moved_to), watch, path)[0] == 204
    assert live_poll(a, page, int(moved_to), watch, path)[0] == 204
