"""Browser fixtures: the portal on a live server, one Chromium per session, a context per test.

The live server runs the real app (CSRF on) on a migrated SQLite file seeded with the demo.
Tests share that database, so each flow works on ideas it creates itself (`make_idea`) and
never depends on what another test did. `open_page` gives a page in a fresh context, with or
without JavaScript, signed in as a demo user or anonymous, and records console errors (CSP
violations are reported there too): a test fails if any occurred.
"""

import threading
from pathlib import Path

import pytest
from flask_migrate import upgrade
from playwright.sync_api import Browser, Page, sync_playwright
from sqlalchemy import select
from werkzeug.serving import WSGIRequestHandler, make_server

from config import TestingConfig
from portal import create_app
from portal.accounts.models import User
from portal.extensions import db
from portal.ideas import discussion
from portal.ideas import service as ideas
from portal.ideas.models import Category, Comment, Idea
from portal.seed import seed_demo
from tests.e2e.helpers import IDEA_AUTHOR, PASSWORD, SCREENSHOTS, unique

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
TIMEOUT_MS = 10_000


class QuietHandler(WSGIRequestHandler):
    def log_request(self, code="-", size="-"):
        """No access log: pytest would show every request of a failing test."""


class LiveServer:
    def __init__(self, app, url: str):
        self.app = app
        self.url = url

    def user(self, email: str) -> User:
        return db.session.scalar(select(User).where(User.email == email))


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    directory = tmp_path_factory.mktemp("e2e")
    app = create_app(
        TestingConfig,
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{directory}/e2e.db",
        SEARCH_INDEX_DIR=str(directory / "search-index"),
        WTF_CSRF_ENABLED=True,
    )
    with app.app_context():
        upgrade()
        seed_demo(echo=lambda *a: None)
        db.session.commit()
        db.session.remove()
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietHandler)
    thread = threading.Thread(target=server.serve_forever, name="e2e-server", daemon=True)
    thread.start()
    yield LiveServer(app, f"http://127.0.0.1:{server.server_port}")
    server.shutdown()
    thread.join(timeout=10)
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def sessions(browser, live_server):
    """Signed-in storage states, one real sign-in per demo user for the whole session."""
    states: dict[str, dict] = {}

    def state_for(email: str) -> dict:
        if email not in states:
            context = browser.new_context(base_url=live_server.url)
            page = context.new_page()
            page.goto("/login")
            page.get_by_label("E-mail").fill(email)
            page.get_by_label("Password").fill(PASSWORD)
            page.get_by_role("button", name="Sign in").click()
            page.wait_for_url(f"{live_server.url}/")
            states[email] = context.storage_state()
            context.close()
        return states[email]

    return state_for


class PageTracker:
    """Opens pages in fresh contexts and remembers their console errors."""

    def __init__(self, browser: Browser, live_server: LiveServer, sessions):
        self.browser = browser
        self.live_server = live_server
        self.sessions = sessions
        self.contexts = []
        self.errors: list[str] = []

    def open(self, user: str | None = None, *, js: bool = True, viewport=None, **options) -> Page:
        context = self.browser.new_context(
            base_url=self.live_server.url,
            java_script_enabled=js,
            storage_state=self.sessions(user) if user else None,
            viewport=viewport or {"width": 1280, "height": 900},
            **options,
        )
        context.set_default_timeout(TIMEOUT_MS)
        self.contexts.append(context)
        page = context.new_page()
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.errors.append(f"page error: {error}"))
        return page

    def _console(self, message) -> None:
        if message.type == "error":
            self.errors.append(f"console error on {message.location.get('url')}: {message.text}")

    def close(self) -> None:
        for context in self.contexts:
            context.close()


@pytest.fixture
def pages(browser, live_server, sessions):
    tracker = PageTracker(browser, live_server, sessions)
    yield tracker
    errors = list(tracker.errors)
    tracker.close()
    assert not errors, "console errors or CSP violations:\n" + "\n".join(errors)


@pytest.fixture(params=[True, False], ids=["js", "nojs"])
def js(request) -> bool:
    """Run a flow twice: with JavaScript (htmx swaps in place) and without (plain posts)."""
    return request.param


@pytest.fixture
def open_page(pages, js):
    """open_page(user=None) -> a page in a new context, JavaScript as the `js` param says."""

    def opener(user: str | None = None, **options) -> Page:
        return pages.open(user, js=js, **options)

    return opener


@pytest.fixture
def make_idea(live_server):
    """Create an idea through the real service (as IDEA_AUTHOR), committed; returns its id."""

    def create(title=None, body="Details of the idea, in **Markdown**.", category="feature-ideas"):
        with live_server.app.app_context():
            idea = ideas.post_idea(
                live_server.user(IDEA_AUTHOR),
                title=title or unique("Browser test idea"),
                body=body,
                category=category,
                kind="idea",
            )
            db.session.commit()
            idea_id = idea.id
            db.session.remove()
        return idea_id

    return create


@pytest.fixture(scope="session")
def screenshot_dir() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


@pytest.fixture(scope="session")
def showcase(live_server) -> int:
    """The public seeded idea with the liveliest discussion, with an official staff answer."""
    with live_server.app.app_context():
        public = select(Category.id).where(Category.audience == "public")
        candidates = db.session.scalars(
            select(Idea)
            .where(
                Idea.category_id.in_(public), Idea.status != "open", Idea.merged_into_id.is_(None)
            )
            .order_by(Idea.comments_count.desc(), Idea.id)
        ).all()
        staff_comment = None
        for idea in candidates:
            staff_comment = db.session.scalar(
                select(Comment)
                .join(User, User.id == Comment.author_id)
                .where(Comment.idea_id == idea.id, Comment.parent_id.is_(None))
                .where(User.kind == "staff", Comment.deleted_at.is_(None))
                .order_by(Comment.id)
            )
            if staff_comment is not None:
                break
        assert staff_comment is not None, "the demo has a public idea with a staff comment"
        if not staff_comment.official:
            discussion.set_official(staff_comment.author, staff_comment, True)
            db.session.commit()
        idea_id = staff_comment.idea_id
        db.session.remove()
    return idea_id


def pytest_collection_modifyitems(items):
    """Screenshots first: they should show the demo as seeded, not the flows' test ideas."""
    items.sort(key=lambda item: 0 if item.nodeid.startswith("tests/e2e/test_screenshots.py") else 1)
