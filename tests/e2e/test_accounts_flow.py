"""Register, sign out, sign in: in a real browser, with JavaScript and without."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import PASSWORD, unique

pytestmark = pytest.mark.browser


def test_register_sign_out_and_sign_in(open_page, live_server):
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
