"""People in a real browser: @mention suggestions while typing, a person's page, My portal."""

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from portal.accounts.models import User
from portal.extensions import db
from portal.ideas.models import Comment
from tests.e2e.helpers import CUSTOMER

pytestmark = pytest.mark.browser


def _someone_in_the_thread(live_server, idea_id: int) -> User:
    with live_server.app.app_context():
        person = db.session.scalar(
            select(User)
            .join(Comment, Comment.author_id == User.id)
            .where(Comment.idea_id == idea_id, User.email != CUSTOMER)
            .order_by(Comment.id)
        )
        db.session.expunge(person)
        db.session.remove()
    return person


def test_typing_an_at_sign_suggests_people_and_enter_takes_one(pages, live_server, showcase,
                                                                screenshot_dir):  # fmt: skip
    person = _someone_in_the_thread(live_server, showcase)
    page = pages.open(CUSTOMER)
    page.goto(f"/ideas/{showcase}")
    box = page.get_by_label("Your comment")
    box.click()
    box.press_sequentially("Thanks @" + person.handle[:3], delay=30)
    suggestions = page.get_by_role("listbox", name="People to mention")
    expect(suggestions).to_be_visible()
    expect(suggestions.get_by_role("option").first).to_contain_text("@")
    expect(suggestions).to_contain_text(person.display_name)
    page.screenshot(path=str(screenshot_dir / "mention-suggestions.png"))
    # Down to the person if they are not first, then Enter.
    options = suggestions.get_by_role("option")
    for n in range(options.count()):
        if f"@{person.handle}" in options.nth(n).inner_text():
            for _ in range(n):
                box.press("ArrowDown")
            break
    box.press("Enter")
    expect(suggestions).to_have_count(0)
    expect(box).to_have_value(f"Thanks @{person.handle} ")


def test_an_author_links_to_their_page_and_my_portal_lists_mine(pages, live_server, showcase,
                                                               screenshot_dir):  # fmt: skip
    page = pages.open(CUSTOMER)
    page.goto(f"/ideas/{showcase}")
    author = page.locator(f"#idea-meta-{showcase} a.author")
    name = author.inner_text()
    author.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(name)
    page.goto("/my")
    expect(page.get_by_role("heading", name="My portal")).to_be_visible()
    page.get_by_role("navigation", name="My lists").get_by_role("link", name="My votes").click()
    expect(page).to_have_url(f"{live_server.url}/my?list=votes")
    page.screenshot(path=str(screenshot_dir / "my-portal.png"), full_page=True)
