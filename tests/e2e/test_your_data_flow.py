"""Your data in a real browser: download everything, read the privacy page, erase the account."""

import json
from pathlib import Path

import pytest
from playwright.sync_api import expect

from portal.accounts import service as accounts
from portal.accounts.models import User
from portal.extensions import db
from portal.ideas import service as ideas
from tests.e2e.helpers import PASSWORD, forgive, unique

pytestmark = pytest.mark.browser


def _person(live_server) -> tuple[str, str, int]:
    """A new customer with an idea, signed up through the services."""
    name = unique("Leaving Customer")
    email = name.lower().replace(" ", ".") + "@example.org"
    with live_server.app.app_context():
        user = accounts.create_user(email, PASSWORD, display_name=name)
        idea = ideas.post_idea(user, title=unique("An idea that stays"), body="Kept.",
                               category="feature-ideas")  # fmt: skip
        db.session.commit()
        idea_id = idea.id
        db.session.remove()
    return name, email, idea_id


def _sign_in(page, email: str) -> None:
    page.goto("/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_download_then_erase_the_account(pages, live_server, screenshot_dir):
    name, email, idea_id = _person(live_server)
    page = pages.open()
    _sign_in(page, email)
    page.goto("/account")
    data = page.locator("#your-data")
    expect(data.get_by_role("heading", name="Your data")).to_be_visible()
    with page.expect_download() as download_info:
        data.get_by_role("button", name="Download my data").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".json")
    document = json.loads(Path(download.path()).read_text(encoding="utf-8"))
    assert document["profile"]["email"] == email
    assert [idea["id"] for idea in document["ideas"]] == [idea_id]

    data.get_by_role("link", name="Erase my account").click()
    expect(page.get_by_role("heading", name="Erase your account")).to_be_visible()
    page.screenshot(path=str(screenshot_dir / "account-erase.png"), full_page=True)
    page.get_by_label("Your password").fill("not-the-password")
    page.get_by_role("button", name="Erase my account").click()
    expect(page.locator("main")).to_contain_text("The password is not right.")
    forgive(pages, 422, "/account/delete")
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_role("button", name="Erase my account").click()
    expect(page.locator("#flash")).to_contain_text("Your account is erased")
    header = page.locator("header.site-header")
    expect(header.get_by_role("link", name=name)).to_have_count(0)

    # The idea stays, by Former member; the name is gone from its page.
    page.goto(f"/ideas/{idea_id}")
    expect(page.locator("main")).to_contain_text("Former member")
    expect(page.locator("main")).not_to_contain_text(name)
    with live_server.app.app_context():
        assert db.session.query(User).filter(User.email == email).count() == 0
        db.session.remove()


def test_the_privacy_page_from_the_footer(pages, screenshot_dir):
    page = pages.open()
    page.goto("/")
    page.locator("footer").get_by_role("link", name="Privacy").click()
    expect(page.get_by_role("heading", name="Your data on this portal")).to_be_visible()
    page.screenshot(path=str(screenshot_dir / "privacy.png"), full_page=True)
