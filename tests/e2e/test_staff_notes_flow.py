"""Staff notes and saved replies in Chromium: a staff member writes a note beside the public
discussion and answers officially with a saved reply they edit first; the customer who
reads the same page sees the answer and nothing of the note. With and without JavaScript."""

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from portal.accounts.models import User
from portal.extensions import db
from portal.ideas.models import Idea
from portal.replies import service as replies
from tests.e2e.helpers import ADMIN, CUSTOMER, STAFF, is_htmx, submit, unique

pytestmark = pytest.mark.browser


@pytest.fixture
def saved_reply(live_server, make_idea):
    """An idea, and a saved reply of its team (or the staff member's) to answer it with."""
    idea_id = make_idea()
    title = unique("Thanks: on the roadmap")
    body = "Thank you! This is on our roadmap; we will post here when it ships."
    with live_server.app.app_context():
        idea = db.session.get(Idea, idea_id)
        staff = live_server.user(STAFF)
        team_id = idea.team_id or (staff.teams[0].id if staff.teams else None)
        admin = db.session.scalar(select(User).where(User.email == ADMIN))
        reply = replies.create_reply(admin, team_id, title, body)
        db.session.commit()
        reply_id = reply.id
        db.session.remove()
    return idea_id, reply_id, title, body


def test_staff_note_and_an_official_answer_from_a_saved_reply(open_page, js, saved_reply,
                                                              screenshot_dir):  # fmt: skip
    idea_id, reply_id, title, body = saved_reply
    page = open_page(STAFF)
    page.goto(f"/ideas/{idea_id}")
    notes = page.locator("#staff-notes")
    expect(notes.get_by_role("heading", name="Staff notes")).to_be_visible()
    note = unique("Checked with the firmware team: **Q3** at the earliest. Note")
    page.get_by_label("Your staff note").fill(note + " cc @admin")
    submit(page, js, notes.get_by_role("button", name="Add note").click)
    expect(page.locator("#staff-notes .staff-note")).to_contain_text(note.replace("**", ""))
    expect(page.locator("#staff-notes .staff-note strong")).to_have_text("Q3")

    # The saved reply goes into the comment box, after what was already typed.
    page.get_by_label("Your comment").fill("Hello,")
    page.locator("#body-saved").select_option(str(reply_id))
    insert = page.locator("#discussion").get_by_role("button", name="Insert")
    if js:
        with page.expect_response(lambda r: is_htmx(r) and "saved-replies/insert" in r.url) as r:
            insert.click()
        assert r.value.ok
    else:
        with page.expect_navigation():
            insert.click()
    box = page.get_by_label("Your comment")
    expect(box).to_have_value(f"Hello,\n\n{body}")
    answer = f"Hello,\n\n{body} {unique('Edited before sending')}"
    box.fill(answer)
    page.get_by_label("Official response").check()
    submit(page, js, page.get_by_role("button", name="Post comment").click)
    expect(page.locator("#discussion .pinned, #discussion .official").first).to_contain_text(
        "on our roadmap")  # fmt: skip

    if js:
        page.goto(f"/ideas/{idea_id}#staff-notes")
        panel = page.locator("#staff-notes")
        panel.scroll_into_view_if_needed()
        panel.screenshot(path=str(screenshot_dir / "staff-notes-panel.png"))

    # The customer reads the answer, and nothing of the note.
    customer = open_page(CUSTOMER)
    customer.goto(f"/ideas/{idea_id}")
    expect(customer.locator("#discussion")).to_contain_text("on our roadmap")
    expect(customer.locator("#staff-notes")).to_have_count(0)
    expect(customer.get_by_label("Saved reply")).to_have_count(0)
    assert "firmware team" not in customer.content()
