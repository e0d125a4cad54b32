"""Fixtures: the app on SQLite and on a real PostgreSQL, clients, factories, query counting."""

import os
import re
import shutil
import tempfile
from contextlib import contextmanager

import pytest
from flask import g
from flask_migrate import upgrade
from sqlalchemy import event, select, text

from config import TestingConfig
from portal import create_app
from portal.accounts import service as accounts
from portal.admin.service import create_category
from portal.extensions import db
from portal.ideas import service as ideas
from portal.notify.models import OutboxMessage
from tests.imap_server import DovecotServer
from tests.pg import PostgresServer

BACKENDS = [b for b in os.environ.get("PORTAL_TEST_DATABASES", "sqlite,postgresql").split(",") if b]
PASSWORD = "correct-horse-battery"


def mailed_link(address: str, prefix: str) -> str | None:
    """The path of the newest link starting with `prefix` in e-mail queued for `address`."""
    bodies = db.session.scalars(
        select(OutboxMessage.body)
        .where(OutboxMessage.kind == "email", OutboxMessage.recipient == address)
        .order_by(OutboxMessage.id.desc())
    )
    for body in bodies:
        for match in reversed(re.findall(r"https?://[^/\s]+(/\S*)", body)):
            if match.startswith(prefix):
                return match
    return None


def confirmation_path(address: str) -> str:
    """The e-mail verification link last sent to `address` (a path on the portal)."""
    path = mailed_link(address, "/verify/")
    assert path, f"no confirmation link was sent to {address}"
    return path


@pytest.fixture(scope="session")
def postgres():
    server = PostgresServer().start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def imap_server():
    """A dovecot of the tests' own (tests/imap_server.py); `.url`, `.append(raw)`."""
    server = DovecotServer().start()
    yield server
    server.stop()


def migrated(url: str) -> str:
    """Build the schema with the migrations, as production does."""
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return url


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(request):
    if request.param == "postgresql":
        server = request.getfixturevalue("postgres")
        yield migrated(server.create_database("portal_test"))
    else:
        directory = tempfile.mkdtemp(prefix="portal-sqlite-")
        yield migrated(f"sqlite:///{directory}/test.db")
        shutil.rmtree(directory, ignore_errors=True)


def _empty_tables(app) -> None:
    with app.app_context():
        tables = [t.name for t in db.metadata.sorted_tables]
        if db.engine.dialect.name == "postgresql":
            quoted = ", ".join(f'"{name}"' for name in tables)
            db.session.execute(text(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE"))
        else:
            for name in reversed(tables):
                db.session.execute(text(f'DELETE FROM "{name}"'))
        db.session.commit()
        db.session.remove()
        db.engine.dispose()


def make_test_app(database_url: str, **overrides):
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=database_url, **overrides)

    @app.before_request
    def _forget_per_request_globals():
        # Tests keep one app context pushed, and Flask reuses it for every test-client
        # request: without this, `g` would carry one request's signed-in user (Flask-Login),
        # CSRF token (Flask-WTF) and live cursor into the next request, even on another client.
        g.pop("_login_user", None)
        g.pop("csrf_token", None)
        g.pop("live_cursor", None)
        g.pop("live_page", None)

    return app


@pytest.fixture
def app(database_url):
    app = make_test_app(database_url)
    with app.app_context():
        yield app
        db.session.remove()
    _empty_tables(app)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def backend(app) -> str:
    return db.engine.dialect.name


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


class Factory:
    """Small builders for test data, through the real services."""

    def __init__(self):
        self.count = 0

    def _n(self) -> int:
        self.count += 1
        return self.count

    def org(self, name=None):
        return accounts.organization_named(name or f"Org {self._n()}", create=True)

    def team(self, name=None):
        return accounts.team_named(name or f"Team {self._n()}", create=True)

    def user(self, kind="customer", role="member", org=None, approved=True, name=None, email=None):
        n = self._n()
        if kind == "supplier" and org is None:
            org = self.org()
        user = accounts.create_user(
            email or f"{kind}{n}@example.com",
            PASSWORD,
            display_name=name or f"{kind.capitalize()} {n}",
            kind=kind,
            role=role,
            organization=org,
            approved=approved,
        )
        db.session.commit()
        return user

    def category(self, audience="public", slug=None, team=None):
        n = self._n()
        category = create_category(slug or f"{audience}-{n}", f"{audience.capitalize()} {n}",
                                   audience, team=team)  # fmt: skip
        db.session.commit()
        return category

    def idea(self, author=None, category=None, title=None, body="Some **details**.", kind="idea",
             confidential=False):  # fmt: skip
        author = author or self.user()
        category = category or self.category()
        idea = ideas.post_idea(
            author,
            title=title or f"Idea number {self._n()}",
            body=body,
            category=category.slug,
            kind=kind,
            confidential=confidential,
        )
        db.session.commit()
        return idea


@pytest.fixture
def make(app):
    return Factory()


@pytest.fixture
def login(client):
    """Sign a user in on the test client by the real sign-in form."""

    def sign_in(user, password=PASSWORD):
        response = client.post("/login", data={"email": user.email, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return response

    return sign_in


@pytest.fixture
def token_for(app):
    def create(user) -> dict:
        _token, secret = accounts.create_token(user, "test")
        db.session.commit()
        return {"Authorization": f"Bearer {secret}"}

    return create


@pytest.fixture
def count_queries(app):
    """`with count_queries() as queries:` ... `len(queries)` statements were sent."""

    @contextmanager
    def counter():
        statements: list[str] = []

        def record(_conn, _cursor, statement, *_args):
            if not statement.lstrip().upper().startswith(("BEGIN", "SAVEPOINT", "RELEASE")):
                statements.append(statement)

        engine = db.engine
        event.listen(engine, "before_cursor_execute", record)
        try:
            yield statements
        finally:
            event.remove(engine, "before_cursor_execute", record)

    return counter
