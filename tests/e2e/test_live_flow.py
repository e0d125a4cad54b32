"""Live (SPEC 14) in a real browser: two people on the same idea see each other's votes,
comments, status changes and notifications within 5 seconds, once each and in order; a
hidden tab asks less often; the poller picks up again after the server restarts; a list
someone is typing in waits; without JavaScript nothing asks at all.
"""

import threading
import time

import pytest
from playwright.sync_api import expect
from werkzeug.serving import make_server

from config import TestingConfig
from portal import create_app
from portal.extensions import db
from portal.ideas import service as ideas
from portal.moderation import service as moderation
from tests.e2e.conftest import CHROMIUM, QuietHandler
from tests.e2e.helpers import CUSTOMER, STAFF, SUPPLIER, mark_document, unique
from tests.pg import free_port

pytestmark = pytest.mark.browser

LIVE_MS = 5_000  # SPEC 14: within 5 seconds
MODERATOR = "moderator@example.com"

# In the page's own world, as a browser does when the tab goes to the background or back.
SET_VISIBILITY = """state => {
  Object.defineProperty(document, "visibilityState", {configurable: true, get: () => state});
  Object.defineProperty(document, "hidden", {configurable: true, get: () => state === "hidden"});
  document.dispatchEvent(new Event("visibilitychange"));
}"""


def live_requests(page) -> list[float]:
    """Times (monotonic) of the page's /live requests, recorded from now on."""
    times: list[float] = []
    page.on("request", lambda r: times.append(time.monotonic()) if "/live?" in r.url else None)
    return times


def wait_for_a_poll(page) -> None:
    with page.expect_response(lambda r: "/live?" in r.url, timeout=LIVE_MS):
        pass


def as_user(live_server, email, change) -> None:
    """Make a change through the real services, as another host or a script would."""
    with live_server.app.app_context():
        change(live_server.user(email))
        db.session.commit()
        db.session.remove()


def badge_count(page, badge_id: str) -> int:
    badge = page.locator(f"#{badge_id} .count-badge")
    return int(badge.inner_text()) if badge.count() else 0


def test_two_people_on_one_idea_see_each_other_live(pages, make_idea):
    idea_id = make_idea()
    alice = pages.open(CUSTOMER)
    staff = pages.open(STAFF)
    for page in (alice, staff):
        page.goto(f"/ideas/{idea_id}")
        mark_document(page)
    notifications_before = badge_count(alice, "notifications-badge")

    # A vote in one appears in the other (and makes Alice follow the idea).
    alice.locator(f"#vote-{idea_id} button").click()
    expect(alice.locator(f"#vote-{idea_id} .vote-count")).to_have_text("2")
    expect(staff.locator(f"#vote-{idea_id} .vote-count")).to_have_text("2", timeout=LIVE_MS)

    # Two comments, in the order written, once each, rendered as on load.
    first, second = unique("First live comment"), unique("Second live comment")
    for text in (first, f"{second} with *emphasis*"):
        alice.get_by_label("Your comment").fill(text)
        with alice.expect_response(lambda r: r.request.method == "POST" and "/comments" in r.url):
            alice.get_by_role("button", name="Post comment").click()
    threads = staff.locator(f"#threads-{idea_id} > .thread")
    expect(threads).to_have_count(2, timeout=LIVE_MS)
    expect(threads.nth(0)).to_contain_text(first)
    expect(threads.nth(1)).to_contain_text(second)
    expect(threads.nth(1).locator("em")).to_have_text("emphasis")
    expect(staff.locator("#discussion h2")).to_contain_text("(2)")
    expect(staff.locator("#discussion .empty")).to_be_hidden()
    # A reply lands in its thread.
    reply = unique("A live reply")
    as_user(live_server=pages.live_server, email=SUPPLIER,
            change=lambda user: _reply(user, idea_id, first, reply))  # fmt: skip
    expect(threads.nth(0).locator(".replies .comment", has_text=reply)).to_be_visible(
        timeout=LIVE_MS
    )
    # ...and Alice hears of the reply to her comment.
    expect(alice.locator("#notifications-badge .count-badge")).to_have_text(
        str(notifications_before + 1), timeout=LIVE_MS
    )

    # Once each, on both pages, and neither page was reloaded to show it.
    staff.wait_for_timeout(4_000)  # another poll or two: nothing arrives twice
    for page in (alice, staff):
        expect(page.locator(f"#threads-{idea_id} > .thread")).to_have_count(2)
        for text in (first, second, reply):
            expect(page.locator("#discussion .comment", has_text=text)).to_have_count(1)
        assert page.evaluate("window.__e2eDocument") == "still here"

    # A status change with a note (a plain form post: the staff page reloads) reaches
    # Alice's page, and so does the notification it sends her as a follower.
    staff.get_by_label("Status", exact=True).select_option("planned")
    staff.get_by_label("Note to followers").fill("Planned for the spring release.")
    staff.get_by_role("button", name="Update status").click()
    expect(staff.locator("#flash")).to_contain_text("Status updated")
    expect(alice.locator(".idea-head .badge.status-planned")).to_have_text(
        "Planned", timeout=LIVE_MS
    )
    expect(alice.locator(f"#status-note-{idea_id}")).to_contain_text(
        "Planned for the spring release."
    )
    expect(alice.locator("#notifications-badge .count-badge")).to_have_text(
        str(notifications_before + 2), timeout=LIVE_MS
    )
    assert alice.evaluate("window.__e2eDocument") == "still here"


def _reply(user, idea_id, parent_text, body):
    from sqlalchemy import select

    from portal.ideas import discussion
    from portal.ideas.models import Comment

    idea = ideas.get_idea(user, idea_id)
    parent = db.session.scalar(
        select(Comment).where(Comment.idea_id == idea_id, Comment.body == parent_text)
    )
    discussion.add_comment(user, idea, body, parent_id=parent.id)


def test_a_hidden_tab_asks_less_often(pages, make_idea):
    page = pages.open(CUSTOMER)
    page.goto(f"/ideas/{make_idea()}")
    polls = live_requests(page)
    page.wait_for_timeout(7_000)  # (Playwright's events reach Python only while it waits)
    assert len(polls) >= 2, f"a visible tab asks every 3 seconds or so: {len(polls)} in 7 s"

    page.evaluate(SET_VISIBILITY, "hidden")
    hidden_at = time.monotonic()
    page.wait_for_timeout(12_000)
    asked = [t for t in polls if t > hidden_at + 0.5]  # one may have been on its way
    assert asked == [], f"a hidden tab waits about a minute: asked {len(asked)} times in 12 s"

    page.evaluate(SET_VISIBILITY, "visible")
    shown_at = time.monotonic()
    wait_for_a_poll(page)
    assert time.monotonic() - shown_at < 2, "back in view, it asks at once"


def test_without_javascript_nothing_asks(pages, make_idea):
    page = pages.open(CUSTOMER, js=False)
    page.goto(f"/ideas/{make_idea()}")
    polls = live_requests(page)
    expect(page.locator("#live")).to_be_hidden()
    page.wait_for_timeout(4_000)
    assert polls == []


class ClosingHandler(QuietHandler):
    # Each answer closes its connection, as gunicorn's sync workers do: a stopped server
    # leaves no kept-alive connection answering for it.
    protocol_version = "HTTP/1.0"


class Server:
    """The portal on a port of its own, that can be stopped and started again."""

    def __init__(self, live_server):
        self.url_of_db = live_server.app.config["SQLALCHEMY_DATABASE_URI"]
        self.index = live_server.app.config["SEARCH_INDEX_DIR"]
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.server = None

    def start(self) -> None:
        # A new app each time, as a restarted process would have: nothing kept in memory.
        app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=self.url_of_db,
                         SEARCH_INDEX_DIR=self.index, WTF_CSRF_ENABLED=True)  # fmt: skip
        self.server = make_server("127.0.0.1", self.port, app, threaded=True,
                                  request_handler=ClosingHandler)  # fmt: skip
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_the_poller_resumes_after_a_server_restart(browser, sessions, live_server, make_idea):
    assert CHROMIUM  # the session's Chromium (tests/e2e/conftest.py)
    idea_id = make_idea()
    server = Server(live_server)
    server.start()
    context = browser.new_context(base_url=server.url, storage_state=sessions(CUSTOMER))
    try:
        page = context.new_page()
        errors = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        failed = []
        page.on("requestfailed", lambda r: failed.append(r.url))
        page.goto(f"/ideas/{idea_id}")
        wait_for_a_poll(page)

        server.stop()
        page.wait_for_timeout(4_000)  # a poll or two fail meanwhile (connection refused)
        assert any("/live?" in url for url in failed), "the poller kept asking while down"
        server.start()
        as_user(live_server, STAFF, lambda user: ideas.set_vote(
            user, ideas.get_idea(user, idea_id), True))  # fmt: skip
        # Back-off after the failures: it asks again within 6 to 15 seconds, then shows it.
        expect(page.locator(f"#vote-{idea_id} .vote-count")).to_have_text("2", timeout=20_000)
        unexpected = [e for e in errors if "ERR_CONNECTION_REFUSED" not in e and "htmx:" not in e]
        assert unexpected == [], unexpected
    finally:
        context.close()
        server.stop()


def test_a_review_queue_follows_flags_but_waits_while_a_moderator_types(pages, make_idea,
                                                                      live_server):  # fmt: skip
    page = pages.open(MODERATOR)
    page.goto("/moderation")
    mark_document(page)
    waiting = badge_count(page, "moderation-badge")

    def flag(idea_id, email):
        as_user(live_server, email, lambda user: moderation.flag(user, "idea", idea_id, "spam"))

    first = make_idea(unique("Flagged live"))
    flag(first, CUSTOMER)
    group = page.locator(f"#group-idea-{first}")
    expect(group).to_be_visible(timeout=LIVE_MS)
    expect(page.locator("#moderation-badge .count-badge")).to_have_text(str(waiting + 1))

    # Typing a reason: a newer list waits (the text stays), then comes once they are done.
    reason = group.get_by_label("Reason")
    reason.fill("Looking into it")
    second = make_idea(unique("Flagged while typing"))
    flag(second, CUSTOMER)
    expect(page.locator("#moderation-badge .count-badge")).to_have_text(
        str(waiting + 2), timeout=LIVE_MS
    )
    page.wait_for_timeout(4_000)
    expect(page.locator(f"#group-idea-{second}")).to_have_count(0)
    expect(reason).to_have_value("Looking into it")
    reason.fill("")
    page.locator("h1").click()  # done: nothing typed, nothing focused
    expect(page.locator(f"#group-idea-{second}")).to_be_visible(timeout=LIVE_MS + 3_000)
    assert page.evaluate("window.__e2eDocument") == "still here"
