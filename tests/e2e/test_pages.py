"""Main pages in a real browser: no console errors or CSP violations, no failed requests, no
sideways scrolling on a phone, and no layout regressions seen in the screenshots."""

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.helpers import ADMIN, CUSTOMER, DESKTOP, PHONE, STAFF, open_tracked, visit

pytestmark = pytest.mark.browser


def no_sideways_scroll(page: Page, path: str) -> None:
    overflow = page.evaluate(
        """() => {
          const width = document.documentElement.clientWidth;
          const wide = [...document.querySelectorAll("body *")]
            .filter(el => el.getBoundingClientRect().right > width + 1)
            .map(el => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")
                       + (el.className && typeof el.className === "string"
                          ? "." + el.className.trim().split(/\\s+/).join(".") : ""));
          return {scroll: document.documentElement.scrollWidth, width, wide: wide.slice(0, 8)};
        }"""
    )
    assert overflow["scroll"] <= overflow["width"], f"{path} scrolls sideways: {overflow}"


MAIN_PAGES = {
    None: ["/", "/ideas", "/ideas?status=done", "/login", "/register", "/logout"],
    CUSTOMER: ["/", "/ideas", "/ideas/new", "/account", "/logout"],
    STAFF: ["/ideas"],
    ADMIN: ["/admin", "/admin/approvals"],
}


@pytest.mark.parametrize("user", list(MAIN_PAGES), ids=["anonymous", "customer", "staff", "admin"])
def test_main_pages_have_no_console_errors(pages, showcase, user):
    page = open_tracked(pages, user)
    for path in [*MAIN_PAGES[user], f"/ideas/{showcase}", f"/ideas/{showcase}/history"]:
        visit(page, path)
        assert pages.errors == [], f"console errors on {path}: {pages.errors}"


@pytest.mark.parametrize(
    "user, path",
    [
        (None, "/"),
        (None, "/ideas"),
        (None, "/login"),
        (None, "/register"),
        (CUSTOMER, "/ideas"),
        (CUSTOMER, "/ideas/new"),
        (CUSTOMER, "/account"),
        (CUSTOMER, "showcase"),
        (STAFF, "showcase"),
        (ADMIN, "/admin"),
    ],
)
def test_main_pages_fit_a_phone(pages, showcase, user, path):
    page = open_tracked(pages, user, viewport=PHONE, is_mobile=True, has_touch=True)
    path = f"/ideas/{showcase}" if path == "showcase" else path
    visit(page, path)
    no_sideways_scroll(page, path)


def test_idea_page_layout(pages, showcase):
    """Regressions seen in screenshots: Pico's nav and article rules pulling things apart."""
    page = open_tracked(pages, STAFF, viewport=DESKTOP)
    visit(page, f"/ideas/{showcase}")
    crumbs = page.locator("nav.breadcrumb a")
    first, second = crumbs.nth(0).bounding_box(), crumbs.nth(1).bounding_box()
    assert second["x"] - (first["x"] + first["width"]) < 40, "breadcrumb spread across the page"
    for comment in page.locator("#discussion article.comment").all()[:6]:
        head = comment.locator(".comment-head").bounding_box()
        body = comment.locator(".markdown").bounding_box()
        assert abs(head["x"] - body["x"]) <= 1, "comment header sticks out of its comment"
    # The follow form sits inside the actions row (a <form> inside a <p> used to break it out).
    expect(page.locator(".idea-actions > form[id^=follow-]")).to_have_count(1)


def test_list_page_layout(pages):
    page = open_tracked(pages, CUSTOMER, viewport=DESKTOP)
    visit(page, "/ideas")
    tabs = page.locator(".sort-tabs a")
    first, second = tabs.nth(0).bounding_box(), tabs.nth(1).bounding_box()
    assert second["x"] - (first["x"] + first["width"]) < 40, "sort tabs spread across the page"


PHONE_OPTIONS = {"viewport": PHONE, "is_mobile": True, "has_touch": True}


def test_account_with_tokens_fits_a_phone(pages, live_server):
    from tests.e2e.test_screenshots import with_a_token

    with_a_token(live_server, CUSTOMER)
    page = open_tracked(pages, CUSTOMER, **PHONE_OPTIONS)
    visit(page, "/account")
    expect(page.locator(".token-table tbody tr").first).to_be_visible()
    no_sideways_scroll(page, "/account")


def test_a_phone_shows_the_first_idea_on_the_first_screen(pages):
    page = open_tracked(pages, CUSTOMER, **PHONE_OPTIONS)
    visit(page, "/ideas")
    card = page.locator(".idea-card").first.bounding_box()
    assert card and card["y"] + card["height"] <= PHONE["height"], card


def test_similar_ideas_show_under_the_title_on_a_phone(pages):
    page = open_tracked(pages, CUSTOMER, **PHONE_OPTIONS)
    visit(page, "/ideas/new")
    page.get_by_label("Title").press_sequentially("oven app notification", delay=20)
    first = page.locator("#similar-ideas .similar-list li").first
    expect(first).to_be_visible()
    hint, button = first.bounding_box(), page.get_by_role("button", name="Post idea").bounding_box()
    details = page.get_by_label("Details").bounding_box()
    assert hint["y"] < details["y"] < button["y"], (hint, details, button)
    assert hint["y"] + hint["height"] <= PHONE["height"], "the first suggestion is off the screen"
