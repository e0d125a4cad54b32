"""Register, sign out, sign in: in a real browser, with JavaScript and without."""

import re

import pytest
from playwright.sync_api import expect

from portal.extensions import db
from tests.conftest import mailed_link
from tests.e2e.helpers import PASSWORD, unique

pytestmark = pytest.mark.browser


def link_mailed(live_server, address: str, prefix: str) -> str:
    """The path of the link the portal queued for `address` (the outbox, as a mail reader)."""
    with live_server.app.app_context():
        path = mailed_link(address, prefix)
        db.session.remove()
    assert path, f"no {prefix} link for {address}"
    return path


def test_register_confirm_sign_out_and_sign_in(open_page, live_server):
    name = unique("Browser Customer")
    email = re.sub(r"\W+", ".", name.lower()) + "@example.org"
    password = "a-long-browser-password"
    page = open_page()

    page.goto("/")
    page.locator("header").get_by_role("button", name="Register").click()
    expect(page).to_have_url(f"{live_server.url}/register")
    page.get_by_label("Display name").fill(name)
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_label("Repeat password").fill(password)
    expect(page.get_by_label("A customer")).to_be_checked()
    page.get_by_role("button", name="Create account").click()

    # Nobody is signed in until the mailed link is opened and confirmed.
    expect(page.get_by_role("heading", name="Check your inbox")).to_be_visible()
    expect(page.locator("main")).to_contain_text(email)
    page.goto(link_mailed(live_server, email, "/verify/"))
    page.get_by_role("button", name="Confirm my address").click()
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.locator("#flash")).to_contain_text("Your account is ready")
    header = page.locator("header.site-header")
    expect(header.get_by_role("link", name=name)).to_be_visible()
    expect(header.get_by_role("button", name="New idea")).to_be_visible()

    header.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.locator("#flash")).to_contain_text("You are signed out.")
    expect(header.get_by_role("link", name=name)).to_have_count(0)

    # The account page needs a sign-in, and comes back after it.
    page.goto("/account")
    expect(page).to_have_url(re.compile(r"/login\?next=%2Faccount"))
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("E-mail or password is not right.")

    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{live_server.url}/account")
    expect(page.locator("#flash")).to_contain_text(f"Welcome back, {name}.")
    expect(page.get_by_role("heading", name="Your account")).to_be_visible()
    expect(page.locator("main")).to_contain_text(email)


def test_get_logout_asks_before_signing_out(open_page, live_server):
    # Its own sign-in (not a shared session): signing out must not touch other tests.
    page = open_page()
    page.goto("/login?next=/logout")
    page.get_by_label("E-mail").fill("moderator@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{live_server.url}/logout")
    expect(page.get_by_role("heading", name="Sign out")).to_be_visible()
    # GET changed nothing: still signed in.
    expect(page.locator("main")).to_contain_text("Signed in as")
    page.locator("main").get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.locator("#flash")).to_contain_text("You are signed out.")
    page.goto("/logout")
    expect(page.locator("main")).to_contain_text("You are not signed in.")


def test_forgot_password_then_sign_in_with_the_new_one(open_page, live_server):
    email = re.sub(r"\W+", ".", unique("forgetful").lower()) + "@example.org"
    with live_server.app.app_context():
        from portal.accounts.service import create_user

        create_user(email, "the-forgotten-password", display_name="Forgetful Fay")
        db.session.commit()
        db.session.remove()
    page = open_page()
    page.goto("/login")
    page.get_by_role("link", name="Forgot your password?").click()
    page.get_by_label("E-mail").fill(email)
    page.get_by_role("button", name="Send me a link").click()
    expect(page.get_by_role("heading", name="Check your inbox")).to_be_visible()

    page.goto(link_mailed(live_server, email, "/reset/"))
    page.get_by_label("New password", exact=True).fill("a-fresh-password")
    page.get_by_label("Repeat new password").fill("a-fresh-password")
    page.get_by_role("button", name="Set my new password").click()
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.locator("#flash")).to_contain_text("Your new password is set.")
    header = page.locator("header.site-header")
    expect(header.get_by_role("link", name="Forgetful Fay")).to_be_visible()
