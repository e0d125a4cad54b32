"""Screenshots of the main pages (tests/artifacts/screenshots/, git-ignored), to look at.

They run first in the session (see conftest.py), so they show the demo as seeded rather than
the ideas the flow tests add.
"""

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import func, select

from portal import access
from portal.accounts import service as accounts
from portal.extensions import db
from portal.ideas import discussion
from portal.ideas import service as ideas
from portal.ideas.models import Idea
from portal.moderation import service as moderation
from portal.tracking.models import ImprovementItem
from tests.e2e.helpers import (
    ADMIN,
    CUSTOMER,
    DESKTOP,
    PASSWORD,
    PHONE,
    STAFF,
    SUPPLIER,
    open_tracked,
    visit,
)

pytestmark = pytest.mark.browser


def shoot(page: Page, directory, name: str, full_page: bool = True) -> None:
    page.screenshot(path=str(directory / f"{name}.png"), full_page=full_page)


def showcase_item(live_server) -> int:
    """A seeded item customers may see, in progress, holding the most ideas."""
    with live_server.app.app_context():
        customer = live_server.user(CUSTOMER)
        visible = db.session.scalars(
            select(ImprovementItem.id).where(
                ImprovementItem.status == "in_progress", access.item_visibility(customer)
            )
        ).all()
        counts = dict(
            db.session.execute(
                select(Idea.item_id, func.count(Idea.id))
                .where(Idea.item_id.in_(visible))
                .group_by(Idea.item_id)
            ).all()
        )
        item_id = max(visible, key=lambda i: (counts.get(i, 0), -i)) if visible else None
        db.session.remove()
    assert item_id is not None, "the demo has an in-progress item customers may see"
    return item_id


def test_screenshots(pages, showcase, screenshot_dir, live_server):
    anonymous = open_tracked(pages, viewport=DESKTOP)
    for name, path in [("home", "/"), ("login", "/login"), ("register", "/register")]:
        visit(anonymous, path)
        shoot(anonymous, screenshot_dir, name)

    customer = open_tracked(pages, CUSTOMER, viewport=DESKTOP)
    visit(customer, "/ideas")
    shoot(customer, screenshot_dir, "ideas-list")
    visit(customer, f"/ideas/{showcase}")
    expect(customer.locator("#discussion .pinned")).to_be_visible()
    shoot(customer, screenshot_dir, "idea-detail")
    visit(customer, "/account")
    shoot(customer, screenshot_dir, "account")
    visit(customer, "/ideas/new")
    customer.get_by_label("Title").press_sequentially("oven app notification", delay=20)
    expect(customer.locator("#similar-ideas .similar-list li").first).to_be_visible()
    shoot(customer, screenshot_dir, "new-idea-similar")

    visit(customer, "/search?q=oven+timer")
    expect(customer.locator(".search-hit .snippet mark").first).to_be_visible()
    expect(customer.locator(".facets .facet-list li").first).to_be_visible()
    shoot(customer, screenshot_dir, "search")

    visit(customer, "/roadmap")
    expect(customer.locator(".roadmap-column .item-card").first).to_be_visible()
    shoot(customer, screenshot_dir, "roadmap")
    visit(customer, "/changelog")
    expect(customer.locator(".changelog-month").nth(1)).to_be_visible()
    shoot(customer, screenshot_dir, "changelog")
    visit(customer, "/notifications")
    expect(customer.locator(".notification").first).to_be_visible()
    shoot(customer, screenshot_dir, "notifications")

    staff = open_tracked(pages, STAFF, viewport=DESKTOP)
    visit(staff, f"/ideas/{showcase}")
    shoot(staff, screenshot_dir, "idea-detail-staff")
    visit(staff, f"/items/{showcase_item(live_server)}")
    expect(staff.locator(".item-detail ol.history li").nth(1)).to_be_visible()
    shoot(staff, screenshot_dir, "item")

    admin = open_tracked(pages, ADMIN, viewport=DESKTOP)
    visit(admin, "/admin")
    shoot(admin, screenshot_dir, "admin")

    phone = open_tracked(pages, CUSTOMER, viewport=PHONE, is_mobile=True, has_touch=True)
    visit(phone, "/ideas")
    shoot(phone, screenshot_dir, "ideas-list-phone", full_page=False)
    shoot(phone, screenshot_dir, "ideas-list-phone-full")
    visit(phone, f"/ideas/{showcase}")
    shoot(phone, screenshot_dir, "idea-detail-phone")

    dark = open_tracked(pages, CUSTOMER, viewport=DESKTOP, color_scheme="dark")
    visit(dark, f"/ideas/{showcase}")
    shoot(dark, screenshot_dir, "idea-detail-dark")
    visit(dark, "/ideas")
    shoot(dark, screenshot_dir, "ideas-list-dark")

    written = sorted(p.name for p in screenshot_dir.glob("*.png"))
    assert {"home.png", "ideas-list-phone.png", "admin.png", "roadmap.png", "item.png",
            "changelog.png", "notifications.png", "search.png"} <= set(written)  # fmt: skip


MODERATOR = "moderator@example.com"


def moderation_demo(live_server) -> None:
    """A few more typical review-queue groups and log entries than the seed's, on new content.

    Queue: a spam idea (2 flags), its author (flagged), a duplicate (with the original's
    number), a rude comment, and an idea held by three flags whose author appealed. Log: that
    automatic hold, a lock and a dismissal.
    """
    with live_server.app.app_context():
        user = live_server.user
        moderator, customer, staff, supplier = map(user, (MODERATOR, CUSTOMER, STAFF, SUPPLIER))
        spammer = accounts.create_user(
            "filterdeals@example.com", PASSWORD, display_name="Filter Deals 4U", kind="customer"
        )

        def post(author, title, body):
            return ideas.post_idea(author, title=title, body=body, category="feature-ideas")

        spam = post(
            spammer,
            "Cheap replacement filters, 70% off, order today",
            "Visit our shop for **unbeatable prices** on water and air filters. Free shipping!",
        )
        moderation.flag(customer, "idea", spam.id, "spam")
        moderation.flag(supplier, "idea", spam.id, "spam")
        moderation.flag(staff, "user", spammer.id, "spam", "Posts the same shop link everywhere.")

        original = db.session.scalar(select(Idea).where(Idea.title.like("Notify me on my smart%")))
        duplicate = post(
            user("ben.carter@example.com"),
            "Smartwatch alert when the oven is preheated",
            "My watch could buzz when the oven is ready, so I can keep cooking elsewhere.",
        )
        moderation.flag(
            customer, "idea", duplicate.id, "duplicate", "Same as the smartwatch idea.", original.id
        )
        rude = discussion.add_comment(
            user("diego@example.com"),
            duplicate,
            "Whoever designed the app clearly never cooked a meal. Pathetic.",
        )
        moderation.flag(staff, "comment", rude.id, "abuse")

        held = post(
            user("hannah.schmidt@example.com"),
            "Sell spare parts to independent repair shops",
            "Our local repair shop could fix my FrostLine fridge in a day if it could order parts.",
        )
        for flagger in (customer, staff, supplier):
            moderation.flag(flagger, "idea", held.id, "off_topic")
        moderation.appeal(
            held.author, "idea", held.id, "This is about our products, not off topic at all."
        )

        heated = post(
            user("george@example.com"),
            "Bring back the physical dial on the SmartOven",
            "Touch controls are hard to use with wet or floury hands.",
        )
        moderation.act(
            moderator, "lock", "idea", heated.id, "The discussion turned personal; locked for now."
        )
        blunt = post(
            user("alice@example.com"),
            "The Home app is slow and clumsy",
            "It takes three taps and ten seconds to start the kettle.",
        )
        moderation.flag(staff, "idea", blunt.id, "abuse")
        moderation.act(
            moderator, "dismiss", "idea", blunt.id, "Blunt but honest criticism stays up."
        )
        db.session.commit()
        db.session.remove()


def test_moderation_screenshots(pages, live_server, screenshot_dir):
    moderation_demo(live_server)
    moderator = open_tracked(pages, MODERATOR, viewport=DESKTOP)
    visit(moderator, "/moderation")
    # Five groups here and the seed's three (a spam comment, its author, an appealed comment).
    expect(moderator.locator(".queue-group")).to_have_count(8)
    shoot(moderator, screenshot_dir, "moderation-queue")
    visit(moderator, "/moderation/log")
    # Three actions here and the seed's hidden comment.
    expect(moderator.locator(".log-table tbody tr")).to_have_count(4)
    shoot(moderator, screenshot_dir, "moderation-log")


def with_a_token(live_server, email: str) -> None:
    """Give the account an API token, so that /account shows its token table."""
    with live_server.app.app_context():
        accounts.create_token(live_server.user(email), "Nightly export script")
        db.session.commit()
        db.session.remove()


def test_phone_screenshots(pages, showcase, screenshot_dir, live_server):
    """The main pages at 390 px, as a phone shows them (`*-phone.png`): look at them."""
    with_a_token(live_server, CUSTOMER)
    phone = {"viewport": PHONE, "is_mobile": True, "has_touch": True}
    anonymous = open_tracked(pages, **phone)
    visit(anonymous, "/")
    shoot(anonymous, screenshot_dir, "home-phone", full_page=False)

    customer = open_tracked(pages, CUSTOMER, **phone)
    visit(customer, "/ideas/new")
    customer.get_by_label("Title").press_sequentially("oven app notification", delay=20)
    expect(customer.locator("#similar-ideas .similar-list li").first).to_be_visible()
    shoot(customer, screenshot_dir, "new-idea-similar-phone", full_page=False)
    for name, path in [
        ("search-phone", "/search?q=oven+timer"),
        ("roadmap-phone", "/roadmap"),
        ("notifications-phone", "/notifications"),
        ("account-phone", "/account"),
    ]:
        visit(customer, path)
        shoot(customer, screenshot_dir, name, full_page=False)

    staff = open_tracked(pages, STAFF, **phone)
    visit(staff, "/staff/triage")
    shoot(staff, screenshot_dir, "triage-phone", full_page=False)
    visit(staff, f"/ideas/{showcase}")
    shoot(staff, screenshot_dir, "idea-detail-staff-phone", full_page=False)
