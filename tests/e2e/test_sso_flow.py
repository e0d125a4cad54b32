"""Single sign-on in Chromium against a real OpenID Provider (tests/oidc_server.py), for
both audiences: "Sign in with …" on /login, the provider's own sign-in page, and back on the
portal, signed in.

A live server of its own (the shared one of conftest.py has no providers): the provider
must know the portal's callback addresses before it starts, so the port is chosen first.
"""

import itertools
import re
import threading

import pytest
from flask_migrate import upgrade
from playwright.sync_api import expect
from sqlalchemy import select
from werkzeug.serving import make_server

from config import TestingConfig
from portal import create_app
from portal.accounts.models import User, UserIdentity
from portal.extensions import db
from tests.e2e.conftest import TIMEOUT_MS, QuietHandler
from tests.e2e.helpers import SCREENSHOTS
from tests.oidc_server import OidcProvider
from tests.pg import free_port

pytestmark = pytest.mark.browser
_serial = itertools.count(1)

AUDIENCES = {
    # audience: (button, e-mail at the provider, kind, organization)
    "customer": ("Customers ID", "chris.customer@customers.example", "customer", None),
    "supplier": ("Acme Login", "sally.supplier@acme.example", "supplier", "Acme Corp"),
}


class SsoServer:
    def __init__(self, app, url: str, provider: OidcProvider):
        self.app, self.url, self.provider = app, url, provider

    def user(self, email: str) -> User | None:
        with self.app.app_context():
            user = db.session.scalar(select(User).where(User.email == email))
            if user is not None:
                identities = db.session.scalars(
                    select(UserIdentity.provider).where(UserIdentity.user_id == user.id)
                ).all()
                found = (user.kind, user.approved, user.organization and user.organization.name,
                         user.has_password, identities)  # fmt: skip
            db.session.remove()
        return found if user is not None else None


@pytest.fixture(scope="module")
def sso_server(tmp_path_factory):
    directory = tmp_path_factory.mktemp("e2e-sso")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    provider = OidcProvider(
        {
            "customers": [f"{url}/login/sso/customers-id/callback"],
            "suppliers": [f"{url}/login/sso/acme-login/callback"],
        }
    ).start()
    app = create_app(
        TestingConfig,
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{directory}/sso.db",
        SEARCH_INDEX_DIR=str(directory / "search-index"),
        WTF_CSRF_ENABLED=True,
        OIDC_PROVIDERS=[
            provider.settings("Customers ID", "customers", "customer"),
            provider.settings("Acme Login", "suppliers", "supplier", organization="Acme Corp"),
        ],
    )
    with app.app_context():
        upgrade()
        db.session.remove()
    server = make_server("127.0.0.1", port, app, threaded=True, request_handler=QuietHandler)
    thread = threading.Thread(target=server.serve_forever, name="e2e-sso-server", daemon=True)
    thread.start()
    yield SsoServer(app, url, provider)
    server.shutdown()
    thread.join(timeout=10)
    provider.stop()
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def sso_page(browser, sso_server, request):
    """A page in a fresh context; console errors (CSP violations among them) on the
    portal's pages fail the test."""
    js = getattr(request, "param", True)
    context = browser.new_context(base_url=sso_server.url, java_script_enabled=js,
                                  viewport={"width": 1280, "height": 900})  # fmt: skip
    context.set_default_timeout(TIMEOUT_MS)
    errors: list[str] = []
    page = context.new_page()
    page.on("console", lambda m: m.type == "error" and errors.append(
        f"{m.location.get('url')}: {m.text}"))  # fmt: skip
    page.on("pageerror", lambda error: errors.append(f"page error: {error}"))
    yield page
    context.close()
    # An error page's own status (the refusal after "Cancel") is what it should be.
    expected = f"{sso_server.url}/login/sso/"
    portal_errors = [
        e for e in errors
        if (e.startswith(sso_server.url) or "page error" in e)
        and not (e.startswith(expected) and "Failed to load resource" in e)
    ]  # fmt: skip
    assert not portal_errors, "console errors or CSP violations:\n" + "\n".join(portal_errors)


def sign_in_at_provider(page, sso_server, email: str, shot: str | None = None) -> None:
    expect(page).to_have_url(re.compile(re.escape(sso_server.provider.issuer) + "/interaction/"))
    page.locator('input[name="login"]').fill(email)
    page.locator('input[name="password"]').fill("whatever the provider wants")
    if shot:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=SCREENSHOTS / shot)
    page.get_by_role("button", name="Sign-in").click()


@pytest.mark.parametrize("sso_page", [True, False], ids=["js", "nojs"], indirect=True)
@pytest.mark.parametrize("audience", ["customer", "supplier"])
def test_sign_in_with_a_provider_lands_signed_in(sso_page, sso_server, audience):
    button, email, kind, organization = AUDIENCES[audience]
    email = email.replace("@", f".{next(_serial)}@")  # a new person each run
    page = sso_page

    page.goto("/account")  # needs a sign-in: it comes back here after
    expect(page).to_have_url(re.compile(r"/login\?next=%2Faccount"))
    shot = f"sso-login-{audience}.png"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / shot, full_page=True)
    page.get_by_role("button", name=f"Sign in with {button}").click()

    sign_in_at_provider(page, sso_server, email, f"sso-provider-{audience}.png")

    expect(page).to_have_url(f"{sso_server.url}/account")
    expect(page.locator("#flash")).to_contain_text(f"Signed in with {button}")
    main = page.locator("main")
    expect(main.get_by_role("heading", name="Sign-in providers")).to_be_visible()
    expect(main).to_contain_text("You have no password here: you sign in with " + button)
    if organization:
        expect(main).to_contain_text(f"Supplier at {organization}")
    page.screenshot(path=SCREENSHOTS / f"sso-account-{audience}.png", full_page=True)
    assert sso_server.user(email) == (kind, True, organization, False, [
        "customers-id" if audience == "customer" else "acme-login"])  # fmt: skip

    # Signing out of the portal leaves the provider alone: the next "Sign in with …" comes
    # straight back without the provider's sign-in page.
    page.locator("header").get_by_role("button", name="Sign out").click()
    expect(page.locator("#flash")).to_contain_text("You are signed out.")
    page.goto("/login")
    page.get_by_role("button", name=f"Sign in with {button}").click()
    expect(page).to_have_url(f"{sso_server.url}/")
    expect(page.locator("#flash")).to_contain_text(f"Signed in with {button}")


def test_cancelling_at_the_provider_shows_a_clear_page(sso_page, sso_server):
    page = sso_page
    page.goto("/login")
    page.get_by_role("button", name="Sign in with Customers ID").click()
    expect(page).to_have_url(re.compile(re.escape(sso_server.provider.issuer) + "/interaction/"))
    page.get_by_role("link", name="[ Cancel ]").click()
    expect(page.get_by_role("heading", name="You are not signed in")).to_be_visible()
    expect(page.locator("main")).to_contain_text("was cancelled or refused")
    page.screenshot(path=SCREENSHOTS / "sso-cancelled.png", full_page=True)
    page.get_by_role("link", name="Back to the sign-in page").click()
    expect(page).to_have_url(f"{sso_server.url}/login")
