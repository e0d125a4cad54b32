"""Screenshots of the main pages (tests/artifacts/screenshots/, git-ignored), to look at.

They run first in the session (see conftest.py), so they show the demo as seeded rather than
the ideas the flow tests add.
"""

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.helpers import ADMIN, CUSTOMER, DESKTOP, PHONE, STAFF, open_tracked, visit

pytestmark = pytest.mark.browser


def shoot(page: Page, directory, name: str, full_page: bool = True) -> None:
    page.screenshot(path=str(directory / f"{name}.png"), full_page=full_page)


def test_screenshots(pages, showcase, screenshot_dir):
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

    staff = open_tracked(pages, STAFF, viewport=DESKTOP)
    visit(staff, f"/ideas/{showcase}")
    shoot(staff, screenshot_dir, "idea-detail-staff")

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
    assert {"home.png", "ideas-list-phone.png", "admin.png"} <= set(written)
