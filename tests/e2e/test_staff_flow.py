"""Staff answer: a status change with a note, and a comment marked as the official response."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import CUSTOMER, STAFF, assert_same_document, submit, unique

pytestmark = pytest.mark.browser


def test_staff_changes_status_with_a_note(open_page, make_idea, live_server):
    idea_id = make_idea()
    page = open_page(STAFF)
    page.goto(f"/ideas/{idea_id}")
    panel = page.locator("section.staff-panel")
    expect(panel.get_by_role("heading", name="Staff")).to_be_visible()
    expect(panel).to_contain_text("Votes by kind")
    note = unique("Planned for the spring release; thanks for the detail. Note")

    panel.locator("select#status").select_option("planned")
    panel.get_by_label("Note to followers").fill(note)
    panel.get_by_role("button", name="Update status").click()

    expect(page).to_have_url(f"{live_server.url}/ideas/{idea_id}")
    expect(page.locator("#flash")).to_contain_text("Status updated; followers are told.")
    expect(page.locator(".idea-head .badge.status-planned")).to_have_text("Planned")
    aside = page.get_by_role("complementary", name="Status note")
    expect(aside).to_contain_text("Planned")
    expect(aside).to_contain_text(note)
    expect(panel.locator("select#status")).to_have_value("planned")

    # Everyone sees the note; the history lists the change.
    other = open_page(CUSTOMER)
    other.goto(f"/ideas/{idea_id}")
    expect(other.get_by_role("complementary", name="Status note")).to_contain_text(note)
    expect(other.locator("section.staff-panel")).to_have_count(0)
    other.get_by_role("link", name="History").click()
    expect(other.locator("ol.history")).to_contain_text(note)


def test_staff_marks_an_official_response(open_page, js, make_idea, live_server):
    idea_id = make_idea()
    customer = open_page(CUSTOMER)
    customer.goto(f"/ideas/{idea_id}")
    customer.get_by_label("Your comment").fill(unique("When will this ship? Customer asks"))
    submit(customer, js, customer.get_by_role("button", name="Post comment").click)

    page = open_page(STAFF)
    page.goto(f"/ideas/{idea_id}")
    discussion = page.locator("#discussion")
    # Only a staff member's comment can be made official.
    expect(discussion.get_by_role("button", name="Mark as official response")).to_have_count(0)
    answer = unique("We are on it: first builds next month. Staff answer")
    page.get_by_label("Your comment").fill(answer)
    submit(page, js, page.get_by_role("button", name="Post comment").click)
    comment = discussion.locator(".thread > .comment", has_text=answer)
    expect(comment.locator(".badge.staff")).to_have_text("Staff")
    expect(discussion.locator(".pinned")).to_have_count(0)

    submit(page, js, comment.get_by_role("button", name="Mark as official response").click)
    pinned = discussion.locator(".pinned")
    expect(pinned).to_have_count(1)
    expect(pinned).to_contain_text(answer)
    expect(pinned.locator(".badge.official")).to_have_text("Official response")
    # Pinned above the threads.
    first = discussion.locator(".pinned, .thread").first
    expect(first).to_have_class(re.compile(r"\bpinned\b"))
    if js:
        assert_same_document(page, f"{live_server.url}/ideas/{idea_id}")

    # The customer sees it pinned too.
    customer.goto(f"/ideas/{idea_id}")
    expect(customer.locator("#discussion .pinned")).to_contain_text(answer)
    expect(customer.locator("#discussion .pinned .badge.official")).to_be_visible()

    # The pinned copy links to the comment in its thread, where its actions are (one copy of
    # each button and of each id on the page).
    expect(pinned.get_by_role("button")).to_have_count(0)
    expect(page.locator(f"#{comment.get_attribute('id')}")).to_have_count(1)
    # And staff can take it back.
    unmark = comment.get_by_role("button", name="Unmark official")
    submit(page, js, unmark.click)
    expect(discussion.locator(".pinned")).to_have_count(0)
