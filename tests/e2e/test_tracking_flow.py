"""Tracking, end to end: staff promote an idea, move its item to shipped, and everyone sees it.

The roadmap shows the item moving across its columns, the idea follows the item's status,
a customer following the idea is told it shipped (unread badge, notification centre), and
the changelog lists it.
"""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.helpers import CUSTOMER, STAFF, unique

pytestmark = pytest.mark.browser

COLUMNS = {"planned": "Planned", "in_progress": "In progress", "shipped": "Shipped"}


def roadmap_column(page: Page, status: str):
    return page.locator("section.roadmap-column").filter(
        has=page.get_by_role("heading", name=re.compile(rf"^{COLUMNS[status]}\b"))
    )


def expect_on_roadmap(page: Page, title: str, status: str) -> None:
    """The item's card is in the column of `status`, and in no other."""
    page.goto("/roadmap")
    for column in COLUMNS:
        card = roadmap_column(page, column).locator(".item-card", has_text=title)
        expect(card).to_have_count(1 if column == status else 0)


def expect_idea_status(page: Page, idea_id: int, status: str, label: str) -> None:
    page.goto(f"/ideas/{idea_id}")
    expect(page.locator(f".idea-head .badge.status-{status}")).to_have_text(label)


def move_item(page: Page, item_url: str, status: str, note: str) -> None:
    page.goto(item_url)
    manage = page.locator("section.staff-panel")
    manage.get_by_label("Status").select_option(status)
    manage.get_by_label("Note").fill(note)
    manage.get_by_role("button", name="Save").click()
    expect(page).to_have_url(item_url)
    expect(page.locator("#flash")).to_contain_text("Item updated")
    expect(page.locator(".item-detail ol.history")).to_contain_text(note)


def test_promote_ship_and_tell_the_followers(pages, make_idea, live_server):
    title = unique("Tracked browser idea: quieter fan at night")
    idea_id = make_idea(title=title)

    # A customer follows the idea and starts with nothing unread.
    customer = pages.open(CUSTOMER)
    customer.goto(f"/ideas/{idea_id}")
    customer.locator(f"#follow-{idea_id}").get_by_role("button", name="Follow").click()
    expect(customer.locator(f"#follow-{idea_id} button")).to_have_text("Following ✓")
    customer.goto("/notifications")
    customer.get_by_role("button", name="Mark all read").click()
    expect(customer.locator(".notification.unread")).to_have_count(0)
    notifications_link = customer.locator("header").get_by_role("link", name="Notifications")
    expect(notifications_link.locator(".count-badge")).to_have_count(0)

    # Staff promote it from the idea's page.
    staff = pages.open(STAFF)
    staff.goto(f"/ideas/{idea_id}")
    panel = staff.locator("section.staff-panel")
    box = panel.locator("details.promote-box")
    expect(box.locator("form")).to_be_hidden()
    box.locator("summary", has_text="Promote to an improvement item").click()
    box.get_by_label("Description").fill("Night mode for the fan: **below 30 dB** after 22:00.")
    box.get_by_label("Priority").select_option("p2")
    box.get_by_label("Target date").fill("2031-03-31")
    box.get_by_role("button", name="Promote", exact=True).click()

    expect(staff).to_have_url(re.compile(rf"{re.escape(live_server.url)}/items/\d+$"))
    item_url = staff.url
    expect(staff.locator("#flash")).to_contain_text("Promoted")
    detail = staff.locator(".item-detail")
    expect(detail.get_by_role("heading", level=1)).to_have_text(title)
    expect(detail.locator(".markdown strong")).to_have_text("below 30 dB")
    expect(detail.locator(".meta")).to_contain_text("P2")
    expect(detail.locator(".meta")).to_contain_text("target 2031-03-31")
    expect(detail.locator(".badge.item-status-planned")).to_have_text("Planned")
    linked = detail.locator(".compact-list li", has_text=title)
    expect(linked.locator(".badge.status-planned")).to_have_text("Planned")
    expect_on_roadmap(staff, title, "planned")
    expect_idea_status(staff, idea_id, "planned", "Planned")
    # Once promoted, the idea offers no second promotion.
    expect(staff.locator("details.promote-box")).to_have_count(0)

    # In progress.
    started = unique("Prototype fan curve is on test units. Note")
    move_item(staff, item_url, "in_progress", started)
    expect(staff.locator(".item-detail .badge.item-status-in_progress")).to_have_text("In progress")
    expect_on_roadmap(staff, title, "in_progress")
    expect_idea_status(staff, idea_id, "in_progress", "In progress")
    expect(staff.get_by_role("complementary", name="Status note")).to_contain_text(started)

    # Shipped.
    shipped = unique("Shipped in firmware 3.9: night mode under Settings › Fan. Note")
    move_item(staff, item_url, "shipped", shipped)
    expect(staff.locator(".item-detail .badge.item-status-shipped")).to_have_text("Shipped")
    expect(staff.locator(".item-detail .meta")).to_contain_text("shipped")
    expect_on_roadmap(staff, title, "shipped")
    expect_idea_status(staff, idea_id, "done", "Done")

    # The follower sees an unread badge in the header, and the shipped notification.
    customer.goto("/")
    badge = notifications_link.locator(".count-badge")
    expect(badge).to_be_visible()
    expect(badge).to_have_text(re.compile(r"^\d+$"))
    unread = int(badge.inner_text())
    notifications_link.click()
    expect(customer).to_have_url(f"{live_server.url}/notifications")
    entries = customer.locator("li.notification", has_text=title)
    # One per event: planned, in progress, shipped (newest first).
    expect(entries).to_have_count(3)
    expect(customer.locator("li.notification.unread")).to_have_count(unread)
    newest = entries.first
    expect(newest).to_have_class(re.compile(r"\bunread\b"))
    expect(newest.locator(".badge")).to_have_text("Shipped")
    expect(newest).to_contain_text("Shipped!")
    expect(entries.nth(1).locator(".badge")).to_have_text("Status changed")
    expect(entries.nth(1)).to_contain_text("set the status to “In progress”")
    # Opening one leads to the idea and marks it read; the others stay unread.
    newest.get_by_role("button", name=title, exact=True).click()
    expect(customer).to_have_url(f"{live_server.url}/ideas/{idea_id}")
    customer.goto("/notifications")
    expect(customer.locator("li.notification.unread")).to_have_count(unread - 1)
    expect(entries.first).not_to_have_class(re.compile(r"\bunread\b"))

    # The changelog lists it, with the idea it answers, under this month.
    customer.goto("/changelog")
    entry = customer.locator(".changelog-entry", has_text=title)
    expect(entry).to_have_count(1)
    expect(entry.get_by_role("link", name=title).first).to_have_attribute(
        "href", re.compile(r"/items/\d+$")
    )
    first_month = customer.locator("section.changelog-month").first
    expect(first_month.locator(".changelog-entry", has_text=title)).to_have_count(1)

    # The customer may open the item page, without the Manage form.
    customer.goto(item_url)
    expect(customer.locator(".item-detail h1")).to_have_text(title)
    expect(customer.locator("section.staff-panel")).to_have_count(0)
    expect(customer.locator(".item-detail ol.history")).to_contain_text(shipped)


def test_promote_links_related_ideas_found_by_title(pages, make_idea, live_server):
    """Related ideas are picked by searching their titles, not by typing their numbers."""
    word = unique("Quokkafan").replace(" ", "")
    idea_id = make_idea(title=f"{word} should run quieter at night")
    related_id = make_idea(title=f"A {word} night mode for bedrooms")
    staff = pages.open(STAFF)
    staff.goto(f"/ideas/{idea_id}")
    box = staff.locator("details.promote-box")
    box.locator("summary", has_text="Promote to an improvement item").click()
    box.get_by_label("Also link ideas: search their titles").press_sequentially(word, delay=20)
    pick = box.get_by_label(re.compile(rf"#{related_id} A {word} night mode"))
    expect(pick).to_be_visible()
    expect(box.get_by_label(re.compile(rf"#{idea_id} "))).to_have_count(0)  # not itself
    pick.check()
    box.get_by_role("button", name="Promote", exact=True).click()
    expect(staff).to_have_url(re.compile(rf"{re.escape(live_server.url)}/items/\d+$"))
    linked = staff.locator(".item-detail .compact-list li")
    expect(linked).to_have_count(2)
    expect(linked.nth(1)).to_contain_text(f"A {word} night mode for bedrooms")
