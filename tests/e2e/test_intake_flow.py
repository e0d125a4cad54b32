"""Intake in a real browser: the feedback widget on another site, and the staff inbox."""

import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.intake import service as intake
from portal.intake.models import IntakeMessage
from tests.e2e.helpers import ADMIN, STAFF, unique

HOST_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Shop</title></head>
<body><h1>A shop on another site</h1>
<script src="{portal}/static/widget.js" defer></script>
</body></html>
"""


class QuietFiles(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        """No access log."""


@pytest.fixture
def other_site(tmp_path, live_server):
    """A page on another origin (localhost, not 127.0.0.1) that embeds the widget."""
    (tmp_path / "index.html").write_text(HOST_PAGE.format(portal=live_server.url))
    (tmp_path / "favicon.ico").write_bytes(b"")
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(QuietFiles, directory=str(tmp_path)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://localhost:{server.server_port}"
    server.shutdown()


@pytest.fixture
def widget_origins(live_server):
    def allow(origins: str) -> None:
        live_server.app.config["WIDGET_ORIGINS"] = origins

    yield allow
    live_server.app.config["WIDGET_ORIGINS"] = ""


def test_the_widget_posts_feedback_from_a_framed_page(browser, live_server, other_site,
                                                      widget_origins, screenshot_dir):  # fmt: skip
    widget_origins(other_site)
    context = browser.new_context()
    page = context.new_page()
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(other_site)
    page.get_by_role("button", name="Feedback").click()
    frame = page.frame_locator("iframe[title='Feedback']")
    text = unique("The checkout forgets my address")
    frame.get_by_label("Your feedback").fill(text)
    frame.get_by_label("Your e-mail").fill("shopper@example.com")
    page.screenshot(path=str(screenshot_dir / "widget.png"))
    frame.get_by_role("button", name="Send feedback").click()
    frame.get_by_text("Your feedback reached the team").wait_for()
    context.close()
    assert not errors, errors
    with live_server.app.app_context():
        message = db.session.scalar(select(IntakeMessage).where(IntakeMessage.body == text))
        assert message.source == "widget" and message.sender_email == "shopper@example.com"
        assert message.subject == f"Feedback on {other_site}/"
        db.session.remove()


def test_the_widget_is_refused_on_a_site_not_allowed(browser, live_server, other_site,
                                                     widget_origins):  # fmt: skip
    widget_origins("https://shop.example.com")
    context = browser.new_context()
    page = context.new_page()
    blocked = []
    page.on("console", lambda m: blocked.append(m.text) if "frame-ancestors" in m.text else None)
    page.goto(other_site)
    page.get_by_role("button", name="Feedback").click()
    page.wait_for_timeout(1000)
    frame = page.frame_locator("iframe[title='Feedback']")
    assert frame.get_by_label("Your feedback").count() == 0
    assert blocked, "Chromium reports the refused frame"
    context.close()


def test_staff_attach_a_message_in_the_inbox(pages, live_server, make_idea, screenshot_dir):
    idea_id = make_idea(title=unique("Faster exports"))
    subject = unique("Exports take minutes")
    with live_server.app.app_context():
        intake.receive(source="email", sender_email="jane@example.com", sender_name="Jane",
                       subject=subject, body="Exporting is slow for us too.")  # fmt: skip
        db.session.commit()
        db.session.remove()
    page = pages.open(STAFF)
    page.goto("/staff/inbox?team=all")
    card = page.locator("article.intake-message", has_text=subject)
    page.screenshot(path=str(screenshot_dir / "inbox.png"), full_page=True)
    card.get_by_text("Attach to an idea").click()
    card.get_by_label("Idea number").fill(str(idea_id))
    card.get_by_role("button", name="Attach as evidence").click()
    page.locator("article.intake-message", has_text=subject).get_by_text(
        "Attached as evidence.").wait_for()  # fmt: skip
    with live_server.app.app_context():
        message = db.session.scalar(select(IntakeMessage).where(IntakeMessage.subject == subject))
        assert message.status == "attached" and message.idea_id == idea_id
        db.session.remove()


def test_routing_admin_and_responsiveness_pages(pages, screenshot_dir):
    admin = pages.open(ADMIN)
    admin.goto("/admin/routing")
    admin.get_by_role("heading", name="Routing").wait_for()
    assert admin.get_by_text("Invoices and refunds go to Customer Care").count() == 1
    admin.screenshot(path=str(screenshot_dir / "routing-admin.png"), full_page=True)
    visitor = pages.open()
    visitor.goto("/responsiveness")
    visitor.get_by_role("heading", name="How fast we answer").wait_for()
    assert visitor.locator("table.responsiveness tbody tr").count() == 4  # the demo's teams
    visitor.screenshot(path=str(screenshot_dir / "responsiveness.png"), full_page=True)
