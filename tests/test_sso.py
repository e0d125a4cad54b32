"""Single sign-on (SPEC 15) against a real OpenID Provider (tests/oidc_server.py: the
`oidc-provider` npm package on a loopback port), through the Flask test client: the portal's
redirect is followed at the provider with `requests`, whose answer (the callback address)
is handed back to the test client.

Provider set-up of these tests (OIDC_PROVIDERS):
  Customers ID   client "customers", kind customer
  Acme Login     client "suppliers", kind supplier, organization "Acme Corp"
  Partner Login  client "suppliers", kind supplier, domains {"partner.example": "Partner Ltd"}
  Down ID        an issuer on a closed port
  Slow ID        an issuer that accepts connections and never answers
"""

import json
import os
import socket
import subprocess
import sys
from datetime import timedelta
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import pytest
import requests
from sqlalchemy import func, select

from config import parse_oidc_providers
from portal.accounts.models import Organization, User, UserIdentity
from portal.extensions import db
from portal.notify.models import OutboxMessage
from portal.timeutil import utcnow
from tests.conftest import PASSWORD, Factory, _empty_tables, mailed_link, make_test_app
from tests.oidc_server import OidcProvider, drive
from tests.pg import free_port

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PORTAL = "http://localhost"  # the test client's address, as url_for(_external=True) sees it


def callback_url(slug: str) -> str:
    return f"{PORTAL}/login/sso/{slug}/callback"


@pytest.fixture(scope="session")
def oidc_provider():
    server = OidcProvider(
        {
            "customers": [callback_url("customers-id")],
            "suppliers": [callback_url("acme-login"), callback_url("partner-login")],
        }
    ).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def silent_port():
    """A port that accepts connections (the kernel's backlog) and never answers."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    yield sock.getsockname()[1]
    sock.close()


def provider_settings(oidc_provider, silent_port) -> list[dict]:
    def elsewhere(name, port):
        return {"name": name, "issuer": f"http://127.0.0.1:{port}", "client_id": "x",
                "client_secret": "y", "kind": "customer"}  # fmt: skip

    return [
        oidc_provider.settings("Customers ID", "customers", "customer"),
        oidc_provider.settings("Acme Login", "suppliers", "supplier", organization="Acme Corp"),
        oidc_provider.settings(
            "Partner Login", "suppliers", "supplier", domains={"Partner.example": "Partner Ltd"}
        ),
        elsewhere("Down ID", free_port()),  # nothing listens there
        elsewhere("Slow ID", silent_port),
    ]


@pytest.fixture
def app(database_url, oidc_provider, silent_port):
    app = make_test_app(
        database_url,
        OIDC_PROVIDERS=json.dumps(provider_settings(oidc_provider, silent_port)),
        OIDC_TIMEOUT_SECONDS=1.0,
    )
    with app.app_context():
        yield app
        db.session.remove()
    _empty_tables(app)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def make(app):
    return Factory()


# -- helpers ------------------------------------------------------------------------------


def start(client, slug: str, next_path: str | None = None) -> str:
    """Press "Sign in with …": the portal's redirect to the provider."""
    response = client.post(f"/login/sso/{slug}", data={"next": next_path} if next_path else {})
    assert response.status_code == 302, response.get_data(as_text=True)[:1000]
    return response.headers["Location"]


def sign_in(client, slug: str, login: str, next_path: str | None = None):
    """The whole flow: the portal's answer to the provider's callback."""
    return client.get(drive(start(client, slug, next_path), login))


def signed_in_as(client) -> str | None:
    response = client.get("/account")
    if response.status_code != 200:
        return None
    return db.session.scalar(select(User.email).where(User.handle == _handle(response)))


def _handle(response) -> str:
    html = response.get_data(as_text=True)
    return html.split(" · @", 1)[1].split(" ", 1)[0]


def password_login(client, email: str, password: str) -> int:
    return client.post("/login", data={"email": email, "password": password}).status_code


def counts() -> dict:
    """Rows that single sign-on writes: equal before and after means nothing was written."""
    db.session.rollback()
    return {
        model.__name__: db.session.scalar(select(func.count()).select_from(model))
        for model in (User, UserIdentity, Organization, OutboxMessage)
    }


def user_named(email: str) -> User | None:
    db.session.rollback()
    return db.session.scalar(select(User).where(User.email == email))


def assert_clear_refusal(response, status: int, *phrases: str) -> None:
    html = response.get_data(as_text=True)
    assert response.status_code == status, html[:1500]
    assert "You are not signed in" in html
    assert 'href="/login"' in html  # the way back
    for phrase in phrases:
        assert phrase in html, html[:1500]


def with_query(url: str, **changes) -> str:
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    query.update(changes)
    query = {k: v for k, v in query.items() if v is not None}
    return urlunsplit(parts._replace(query=urlencode(query)))


# -- the pages ------------------------------------------------------------------------------


def test_sign_in_and_register_pages_offer_every_provider_as_a_post_form(client):
    for path in ("/login?next=/ideas", "/register"):
        html = client.get(path).get_data(as_text=True)
        for name, slug in (("Customers ID", "customers-id"), ("Acme Login", "acme-login")):
            assert f'action="/login/sso/{slug}"' in html
            assert f"Sign in with {name}</button>" in html
        assert 'name="csrf_token"' in html.split('action="/login/sso/customers-id"')[1][:300]
    login = client.get("/login?next=/ideas").get_data(as_text=True)
    assert 'name="next" value="/ideas"' in login.split("sso-providers")[1]


def test_sign_in_pages_let_their_forms_lead_to_the_providers(client, oidc_provider, silent_port):
    # The forms' answer is a redirect to the provider, which browsers check against the
    # page's form-action (the Chromium test fails without this).
    for path in ("/login", "/register"):
        policy = client.get(path).headers["Content-Security-Policy"]
        form_action = policy.split("form-action ")[1].split(";")[0].split()
        assert form_action[0] == "'self'"
        assert oidc_provider.issuer in form_action
        assert f"http://127.0.0.1:{silent_port}" in form_action
        assert "script-src 'self';" in policy  # the rest is as strict as anywhere
    assert "form-action 'self';" in client.get("/ideas").headers["Content-Security-Policy"]


def test_no_provider_no_buttons(database_url):
    app = make_test_app(database_url)
    with app.app_context():
        html = app.test_client().get("/login").get_data(as_text=True)
        assert "/login/sso/" not in html and "Sign in with" not in html


def test_the_redirect_asks_for_pkce_state_and_nonce(client, oidc_provider):
    location = start(client, "customers-id")
    assert location.startswith(f"{oidc_provider.issuer}/auth?")
    query = parse_qs(urlsplit(location).query)
    assert query["client_id"] == ["customers"]
    assert query["redirect_uri"] == [callback_url("customers-id")]
    assert query["code_challenge_method"] == ["S256"] and len(query["code_challenge"][0]) >= 43
    assert set(query["scope"][0].split()) == {"openid", "email", "profile"}
    assert len(query["state"][0]) >= 20 and len(query["nonce"][0]) >= 20
    assert query["response_type"] == ["code"]


def test_unknown_provider_is_a_clear_404(client):
    assert_clear_refusal(client.post("/login/sso/nobody"), 404, "no such sign-in provider")
    assert_clear_refusal(client.get("/login/sso/nobody/callback?code=x&state=y"), 404)


# -- accounts: made, found again, joined ----------------------------------------------------


def test_a_new_customer_signs_in_with_a_verified_account(client):
    before = counts()
    response = sign_in(client, "customers-id", "alice.walker@customers.example", "/ideas?x=1")
    assert response.status_code == 302, response.get_data(as_text=True)[:1500]
    assert response.headers["Location"] == "/ideas?x=1"  # the safe `next` is kept
    assert signed_in_as(client) == "alice.walker@customers.example"
    user = user_named("alice.walker@customers.example")
    assert (user.kind, user.role, user.organization, user.approved) == (
        "customer", "member", None, True)  # fmt: skip
    assert user.display_name == "Alice Walker"  # the `name` claim
    assert user.email_verified_at is not None
    assert not user.has_password
    [identity] = db.session.scalars(select(UserIdentity))
    assert (identity.user_id, identity.provider, identity.subject) == (
        user.id, "customers-id", "alice.walker@customers.example")  # fmt: skip
    assert identity.last_used_at is not None
    after = counts()
    assert after["User"] == before["User"] + 1 and after["UserIdentity"] == 1
    # No password signs in to it, not even the "hash" it stores.
    response = client.post("/login", data={"email": user.email, "password": "!"})
    assert response.status_code == 200


def test_an_unsafe_next_is_not_followed(client):
    response = sign_in(client, "customers-id", "nextcheck@customers.example", "//evil.example/")
    assert response.status_code == 302 and response.headers["Location"] == "/"


def test_without_a_name_claim_the_display_name_is_the_local_part(client):
    sign_in(client, "customers-id", "noname.person@customers.example")
    assert user_named("noname.person@customers.example").display_name == "noname.person"


def test_a_returning_person_is_found_by_subject_not_by_email(client, app):
    sign_in(client, "customers-id", "returning@customers.example")
    user = user_named("returning@customers.example")
    first_used = db.session.scalar(select(UserIdentity.last_used_at))
    # The portal address changes (the person moved it); the provider's subject stays.
    user.email = "moved-elsewhere@customers.example"
    db.session.commit()
    client.post("/logout")
    assert signed_in_as(client) is None
    response = sign_in(client, "customers-id", "returning@customers.example")
    assert response.status_code == 302
    assert signed_in_as(client) == "moved-elsewhere@customers.example"
    assert counts()["User"] == 1 and counts()["UserIdentity"] == 1
    assert db.session.scalar(select(UserIdentity.last_used_at)) >= first_used


def test_an_existing_account_is_joined_by_a_verified_email(client, make):
    user = make.user(email="carol@customers.example", name="Carol Existing")
    response = sign_in(client, "customers-id", "carol@customers.example")
    assert response.status_code == 302
    assert signed_in_as(client) == "carol@customers.example"
    assert counts()["User"] == 1
    [identity] = db.session.scalars(select(UserIdentity))
    assert identity.user_id == user.id
    joined = user_named("carol@customers.example")
    assert joined.display_name == "Carol Existing"  # joining changes nothing else
    assert joined.has_password  # and the password still works
    assert password_login(client, user.email, PASSWORD) == 302


def test_an_unverified_email_is_refused_whether_or_not_an_account_has_it(client, make, app):
    make.user(email="bob@customers.example")
    before = counts()
    taken = sign_in(client, "customers-id", "unverified:bob@customers.example")
    assert_clear_refusal(taken, 403, "has not verified that bob@customers.example")
    assert counts() == before  # nothing joined, nothing made
    assert signed_in_as(client) is None
    other = app.test_client()  # (no flash message of the first client's left on its pages)
    free = sign_in(other, "customers-id", "unverified:nobody@customers.example")
    assert_clear_refusal(free, 403)
    assert counts() == before
    # The same page either way: it tells nobody which addresses have accounts.
    same = taken.get_data(as_text=True).replace("bob@", "X@")
    assert same == free.get_data(as_text=True).replace("nobody@", "X@")
    assert signed_in_as(client) is None and signed_in_as(other) is None


def test_an_unconfirmed_registration_loses_its_password_when_joined(client, make, app):
    # Someone registered the address without ever proving it theirs (a squatter, perhaps):
    # the provider has now proven it is this person's, so that password must not open it.
    client.post("/register", data={"display_name": "Squatter", "email": "dana@customers.example",
                                   "password": "squatter-password", "confirm": "squatter-password",
                                   "kind": "customer", "organization": "0"})  # fmt: skip
    squatter = app.test_client()
    assert password_login(squatter, "dana@customers.example", "squatter-password") == 302
    assert user_named("dana@customers.example").email_verified_at is None
    response = sign_in(client, "customers-id", "dana@customers.example")
    assert response.status_code == 302
    user = user_named("dana@customers.example")
    assert user.email_verified_at is not None and not user.has_password
    assert signed_in_as(squatter) is None  # its session ended
    assert password_login(app.test_client(), "dana@customers.example", "squatter-password") == 200


@pytest.mark.parametrize(
    "kind, role, slug",
    [("staff", "member", "customers-id"), ("customer", "admin", "customers-id"),
     ("customer", "member", "acme-login")],
    ids=["staff", "admin", "other-kind"],
)  # fmt: skip
def test_staff_admins_and_other_kinds_are_never_joined_by_email(client, make, kind, role, slug):
    domain = "acme.example" if slug == "acme-login" else "customers.example"
    user = make.user(kind, role=role, email=f"privileged@{domain}")
    before = counts()
    response = sign_in(client, slug, f"privileged@{domain}")
    assert_clear_refusal(response, 409, "sign in with your password")
    assert counts() == before
    assert signed_in_as(client) is None
    assert user_named(user.email).has_password


def test_a_suspended_account_signs_in_as_with_a_password_and_may_only_read(client, make):
    # Password sign-in lets a suspended person in to read (SPEC 6); single sign-on matches.
    sign_in(client, "customers-id", "suspended@customers.example")
    user = user_named("suspended@customers.example")
    user.suspended_until = utcnow() + timedelta(days=3)
    db.session.commit()
    client.post("/logout")
    assert sign_in(client, "customers-id", "suspended@customers.example").status_code == 302
    assert signed_in_as(client) == "suspended@customers.example"
    category = make.category("public")
    response = client.post("/ideas/new", data={"title": "Written while suspended",
                                                "body": "x", "category": category.slug,
                                                "kind": "idea"})  # fmt: skip
    assert response.status_code == 403


def test_an_erased_account_cannot_sign_in(client):
    sign_in(client, "customers-id", "erased@customers.example")
    user = user_named("erased@customers.example")
    user.erased_at = utcnow()
    db.session.commit()
    client.post("/logout")
    before = counts()
    response = sign_in(client, "customers-id", "erased@customers.example")
    assert_clear_refusal(response, 403, "erased")
    assert signed_in_as(client) is None
    assert counts() == before


# -- suppliers ------------------------------------------------------------------------------


def test_a_supplier_provider_with_an_organization_makes_approved_suppliers(client):
    response = sign_in(client, "acme-login", "sam.supplier@acme.example")
    assert response.status_code == 302
    user = user_named("sam.supplier@acme.example")
    assert (user.kind, user.approved, user.organization.name) == ("supplier", True, "Acme Corp")
    # The next one joins the same organization (found case-insensitively, never a twin).
    client.post("/logout")
    sign_in(client, "acme-login", "second@acme.example")
    assert user_named("second@acme.example").organization_id == user.organization_id
    assert counts()["Organization"] == 1


def test_an_existing_organization_is_used(client, make):
    org = make.org("ACME CORP")
    db.session.commit()
    sign_in(client, "acme-login", "third@acme.example")
    assert user_named("third@acme.example").organization_id == org.id
    assert counts()["Organization"] == 1


def test_a_pending_supplier_of_that_organization_is_approved_when_joined(client, make):
    org = make.org("Acme Corp")
    waiting = make.user("supplier", org=org, approved=False, email="waiting@acme.example")
    sign_in(client, "acme-login", "waiting@acme.example")
    user = user_named(waiting.email)
    assert user.id == waiting.id and user.approved


def test_the_domains_map_gives_the_organization(client):
    response = sign_in(client, "partner-login", "pat@PARTNER.example")
    assert response.status_code == 302
    user = user_named("pat@partner.example")
    assert (user.kind, user.approved, user.organization.name) == ("supplier", True, "Partner Ltd")


def test_a_supplier_without_an_organization_for_the_address_is_refused(client):
    before = counts()
    response = sign_in(client, "partner-login", "someone@elsewhere.example")
    assert_clear_refusal(response, 403, "no supplier organization is set for addresses at "
                                        "elsewhere.example")  # fmt: skip
    assert counts() == before
    assert signed_in_as(client) is None


# -- what must fail, and fail cleanly -------------------------------------------------------


def test_a_tampered_or_missing_state_is_refused(client):
    callback = drive(start(client, "customers-id"), "mallory@customers.example")
    before = counts()
    for url in (with_query(callback, state="forged-state-value"), with_query(callback, state=None)):
        response = client.get(url)
        assert response.status_code == 400, response.get_data(as_text=True)[:800]
        assert 'href="/login"' in response.get_data(as_text=True)
    assert counts() == before
    assert signed_in_as(client) is None


def test_a_callback_from_another_browser_is_refused(client, app):
    # Login CSRF: someone's own code and state, planted in a victim's browser.
    callback = drive(start(client, "customers-id"), "attacker@customers.example")
    victim = app.test_client()
    assert_clear_refusal(victim.get(callback), 400, "started in this browser")
    assert signed_in_as(victim) is None and counts()["User"] == 0


def test_a_replayed_code_is_refused(client, app):
    callback = drive(start(client, "customers-id"), "replay@customers.example")
    saved = client.get_cookie("session").value  # the state, as it was before the callback
    assert client.get(callback).status_code == 302
    before = counts()
    # The same browser again: its state was spent.
    assert_clear_refusal(client.get(callback), 400)
    # A copy of the session from before: the state is there, and the provider refuses the
    # code it already exchanged.
    other = app.test_client()
    other.set_cookie("session", saved, domain="localhost")
    assert_clear_refusal(other.get(callback), 400, "used already")
    assert signed_in_as(other) is None
    assert counts() == before


def test_a_wrong_nonce_is_refused(client):
    location = start(client, "customers-id")
    state = parse_qs(urlsplit(location).query)["state"][0]
    with client.session_transaction() as session:
        key = f"_state_customers-id_{state}"
        data = session[key]
        data["data"]["nonce"] = "not-the-nonce-the-provider-saw"
        session[key] = data
    before = counts()
    response = client.get(drive(location, "nonce@customers.example"))
    assert_clear_refusal(response, 400, "did not pass our checks")
    assert counts() == before
    assert signed_in_as(client) is None


def test_cancelling_at_the_provider_is_a_clear_page(client):
    before = counts()
    response = client.get(drive(start(client, "customers-id"), None, cancel=True))
    assert_clear_refusal(response, 403, "cancelled")
    assert counts() == before


def test_an_error_answer_from_the_provider_is_a_clear_page(client):
    start(client, "customers-id")
    response = client.get("/login/sso/customers-id/callback?error=server_error&state=x")
    assert_clear_refusal(response, 400, "could not sign you in")


@pytest.mark.parametrize("slug", ["down-id", "slow-id"])
def test_a_provider_that_does_not_answer_is_a_clear_503(client, slug):
    before = counts()
    response = client.post(f"/login/sso/{slug}")
    assert_clear_refusal(response, 503, "is not answering right now")
    assert counts() == before


def test_a_token_endpoint_that_is_down_is_a_clear_503(client, app):
    location = start(client, "customers-id")
    callback = drive(location, "tokendown@customers.example")
    # The provider's token endpoint stops answering between the sign-in page and the callback.
    oauth_client = app.extensions["portal_oidc"].create_client("customers-id")
    oauth_client.server_metadata["token_endpoint"] = f"http://127.0.0.1:{free_port()}/token"
    before = counts()
    assert_clear_refusal(client.get(callback), 503, "Customers ID is not answering")
    assert counts() == before
    assert signed_in_as(client) is None


def test_an_issuer_in_the_answer_must_be_the_providers(client):
    callback = drive(start(client, "customers-id"), "mixup@customers.example")
    assert "iss=" in callback  # RFC 9207: oidc-provider names itself
    response = client.get(with_query(callback, iss="https://other-provider.example"))
    assert_clear_refusal(response, 400, "does not come from Customers ID")


def test_sign_out_leaves_the_provider_session_alone(client):
    browser = requests.Session()  # the person's browser, at the provider
    client.get(drive(start(client, "customers-id"), "stays@customers.example", browser))
    client.post("/logout")
    assert signed_in_as(client) is None
    # Still signed in at the provider: no sign-in page this time (drive would need a login).
    callback = drive(start(client, "customers-id"), None, browser)
    assert client.get(callback).status_code == 302
    assert signed_in_as(client) == "stays@customers.example"


# -- the account page of an account without a password ---------------------------------------


def test_the_account_page_of_a_single_sign_on_account(client):
    sign_in(client, "customers-id", "nopass@customers.example")
    html = client.get("/account").get_data(as_text=True)
    assert 'name="current_password"' not in html
    assert "You have no password here: you sign in with <strong>Customers ID</strong>" in html
    assert 'href="/login/forgot"' in html
    assert "Sign-in providers" in html
    # The address change asks for the current address instead of a password.
    assert 'name="current_email"' in html and 'name="password"' not in html
    response = client.post("/account/password", data={"current_password": "",
                                                       "new_password": "new-password-1",
                                                       "confirm": "new-password-1"})  # fmt: skip
    assert response.status_code == 422
    assert "no password yet" in response.get_data(as_text=True)


def test_a_single_sign_on_account_changes_its_address_by_typing_the_current_one(client):
    sign_in(client, "customers-id", "mover@customers.example")
    new = "moved@customers.example"
    wrong = client.post("/account/email", data={"email": new, "current_email": "a@b.example"})
    assert wrong.status_code == 422 and "Type your current address" in wrong.get_data(as_text=True)
    typed = "Mover@customers.example"
    response = client.post("/account/email", data={"email": new, "current_email": typed})
    assert response.status_code == 302
    assert mailed_link("moved@customers.example", "/account/email/")


def test_a_password_account_still_needs_its_password_to_change_address(client, make, login):
    user = make.user(email="haspass@customers.example")
    login(user)
    html = client.get("/account").get_data(as_text=True)
    assert 'name="current_password"' in html and 'name="current_email"' not in html
    response = client.post("/account/email", data={"email": "new@customers.example",
                                                   "current_email": user.email})  # fmt: skip
    assert response.status_code == 422 and "password is not right" in response.get_data(
        as_text=True
    )


def test_forgot_password_sets_a_first_password(client, app):
    sign_in(client, "customers-id", "wants.password@customers.example")
    client.post("/logout")
    client.post("/login/forgot", data={"email": "wants.password@customers.example"})
    link = mailed_link("wants.password@customers.example", "/reset/")
    assert link
    response = client.post(link, data={"new_password": "a-first-password",
                                       "confirm": "a-first-password"})  # fmt: skip
    assert response.status_code == 302
    assert user_named("wants.password@customers.example").has_password
    fresh = app.test_client()
    assert password_login(fresh, "wants.password@customers.example", "a-first-password") == 302
    # And single sign-on still works for it.
    fresh.post("/logout")
    assert sign_in(fresh, "customers-id", "wants.password@customers.example").status_code == 302


# -- settings ---------------------------------------------------------------------------------

GOOD = {"name": "Corp ID", "issuer": "https://id.example.com/realms/corp", "client_id": "portal",
        "client_secret": "s3cret", "kind": "customer"}  # fmt: skip


def test_good_settings_are_parsed_with_slugs():
    supplier = {**GOOD, "name": "Acme Partners!", "kind": "supplier",
                "issuer": "https://login.example/acme/",
                "domains": {"ACME.example": "Acme"}}  # fmt: skip
    parsed = parse_oidc_providers(json.dumps([GOOD, supplier]))
    assert [p["slug"] for p in parsed] == ["corp-id", "acme-partners"]
    assert parsed[1]["issuer"] == "https://login.example/acme"
    assert parsed[1]["domains"] == {"acme.example": "Acme"}
    assert parse_oidc_providers("") == [] and parse_oidc_providers(None) == []


@pytest.mark.parametrize(
    "value, message",
    [
        ("{not json", "not valid JSON"),
        (json.dumps(GOOD), "must be a JSON list"),
        (json.dumps(["x"]), "must be an object"),
        (json.dumps([{**GOOD, "issuer": ""}]), "needs 'issuer'"),
        (json.dumps([{k: v for k, v in GOOD.items() if k != "client_secret"}]),
         "needs 'client_secret'"),
        (json.dumps([{**GOOD, "kind": "staff"}]), "kind must be customer or supplier"),
        (json.dumps([{**GOOD, "issuer": "http://id.example.com"}]), "must use https://"),
        (json.dumps([{**GOOD, "issuer": "ftp://id.example.com"}]), "is not an https:// address"),
        (json.dumps([GOOD, {**GOOD, "name": "corp id"}]), "same name"),
        (json.dumps([{**GOOD, "organisation": "Typo"}]), "unknown keys organisation"),
        (json.dumps([{**GOOD, "organization": "Acme"}]), "only a supplier provider"),
        (json.dumps([{**GOOD, "kind": "supplier"}]), "needs an organization or domains"),
        (json.dumps([{**GOOD, "kind": "supplier", "domains": {"not a domain": "Acme"}}]),
         "is not an e-mail domain"),
        (json.dumps([{**GOOD, "kind": "supplier", "domains": ["acme.example"]}]),
         "domains must be an object"),
        (json.dumps([{**GOOD, "name": "!!!"}]), "letters or digits"),
    ],
)  # fmt: skip
def test_bad_settings_refuse_to_start_naming_the_problem(database_url, value, message):
    with pytest.raises(RuntimeError, match="OIDC_PROVIDERS") as raised:
        make_test_app(database_url, OIDC_PROVIDERS=value)
    assert message in str(raised.value)


def test_a_server_with_bad_settings_does_not_start():
    clean = {k: v for k, v in os.environ.items() if k not in ("PORTAL_ENV", "OIDC_PROVIDERS")}
    result = subprocess.run(
        [sys.executable, "-c", "import wsgi"],
        cwd=ROOT,
        env={
            **clean,
            "PORTAL_ENV": "development",
            "DATABASE_URL": "sqlite://",
            "OIDC_PROVIDERS": '[{"name": "Corp"}]',
        },  # fmt: skip
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "OIDC_PROVIDERS[0] needs 'issuer'" in result.stderr


@pytest.mark.parametrize(
    "kind, role", [("staff", "member"), ("customer", "admin"), ("supplier", "member")],
    ids=["made-staff", "made-admin", "became-supplier"],
)  # fmt: skip
def test_an_identity_does_not_open_an_account_that_became_staff_admin_or_another_kind(
    client, make, kind, role
):
    # Joined as a customer; later the account is made staff, admin or a supplier: the
    # customers' provider must not open it any more (as it would not be joined to it now).
    sign_in(client, "customers-id", "promoted@customers.example")
    user = user_named("promoted@customers.example")
    user.kind, user.role = kind, role
    user.organization = make.org("Promoted Org") if kind == "supplier" else None
    db.session.commit()
    client.post("/logout")
    response = sign_in(client, "customers-id", "promoted@customers.example")
    assert_clear_refusal(response, 409, "sign in with your password")
    assert signed_in_as(client) is None


def test_an_old_identity_under_the_same_name_but_another_issuer_opens_nothing(app, make):
    """A provider set up again under an old name, at another issuer, does not inherit the
    accounts joined at the old one (their subjects are another issuer's)."""
    from portal.accounts import sso
    from portal.accounts.models import UserIdentity

    person = make.user()
    db.session.add(UserIdentity(user_id=person.id, provider="corp-id",
                                issuer="https://old.example/realm", subject="u-1"))  # fmt: skip
    db.session.commit()
    now_elsewhere = {"slug": "corp-id", "issuer": "https://new.example/realm"}
    assert sso._identity(now_elsewhere, "u-1") is None
    assert sso._identity({**now_elsewhere, "issuer": "https://old.example/realm"}, "u-1")
