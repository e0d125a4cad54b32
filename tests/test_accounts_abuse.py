"""Abuse of the community's own tools (SPEC 4): verified addresses, registration that tells
nothing, password reset, change of address, sign-in limits that hold under parallel requests,
and password hashes that never hold SQLite's write lock."""

import re
import sqlite3
import threading
from datetime import timedelta

import pytest
from argon2 import PasswordHasher
from itsdangerous.timed import TimestampSigner
from sqlalchemy import select

from portal.accounts.models import User
from portal.extensions import db
from portal.notify.models import OutboxMessage
from portal.timeutil import utcnow
from tests.conftest import PASSWORD, confirmation_path, mailed_link, make_test_app

NEW_PASSWORD = "a-brand-new-password"


def form(email, **changes) -> dict:
    return {"display_name": "New Person", "email": email, "password": PASSWORD,
            "confirm": PASSWORD, "kind": "customer", "organization": "0", **changes}  # fmt: skip


def user_named(email) -> User | None:
    db.session.rollback()
    return db.session.scalar(select(User).where(User.email == email))


def mails_to(address) -> list[OutboxMessage]:
    db.session.rollback()
    return list(db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.recipient == address).order_by(OutboxMessage.id)
    ))  # fmt: skip


def signed_in_as(client) -> str | None:
    response = client.get("/account")
    if response.status_code != 200:
        return None
    return re.search(r'<p class="muted">([^ ]+) ·', response.get_data(as_text=True)).group(1)


@pytest.fixture
def limited_app(app, database_url):
    """An app with rate limits on and small (made last: the limiter object is global)."""
    apps = []

    def make(**limits):
        limited = make_test_app(database_url, RATELIMIT_ENABLED=True, **limits)
        apps.append(limited)
        return limited

    yield make
    for limited in apps:
        with limited.app_context():
            db.engine.dispose()


def assert_429(response) -> None:
    assert response.status_code == 429, response.get_data(as_text=True)[:500]
    assert int(response.headers["Retry-After"]) > 0
    assert re.search(r"try again in \d+ (second|minute)", response.get_data(as_text=True))


# --- 1. e-mail verification -----------------------------------------------------------------


def test_registration_makes_an_unverified_account_and_mails_a_link(client):
    response = client.post("/register", data=form("Nina@Example.com"))
    assert response.status_code == 200
    assert "Check your inbox" in response.get_data(as_text=True)
    assert signed_in_as(client) is None  # the link signs in, not the form
    nina = user_named("nina@example.com")
    assert nina.email_verified_at is None
    [mail] = mails_to("nina@example.com")
    assert mail.subject == "Confirm your e-mail address" and "\n" not in mail.subject
    assert "48 hours" in mail.body
    link = confirmation_path("nina@example.com")

    # GET shows a button and changes nothing (mail scanners fetch links).
    page = client.get(link)
    assert page.status_code == 200 and "Confirm my address" in page.get_data(as_text=True)
    assert user_named("nina@example.com").email_verified_at is None
    assert signed_in_as(client) is None

    response = client.post(link)
    assert response.status_code == 302
    assert user_named("nina@example.com").email_verified_at is not None
    assert signed_in_as(client) == "nina@example.com"
    # Used once: it signs nobody in again.
    other = client.application.test_client()
    assert other.post(link).status_code == 302
    assert signed_in_as(other) is None


def test_unverified_accounts_read_but_do_not_write_and_can_ask_again(client, make, login):
    category = make.category()
    idea = make.idea(category=category)
    client.post("/register", data=form("late@example.com"))
    late = user_named("late@example.com")
    late.created_at = utcnow() - timedelta(days=30)
    db.session.commit()
    login(late)
    page = client.get(f"/ideas/{idea.id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Confirm your e-mail address" in html and "Send the link again" in html
    assert client.post(f"/ideas/{idea.id}/vote").status_code == 403
    assert "Confirm your e-mail address first" in client.post(
        f"/ideas/{idea.id}/vote").get_data(as_text=True)  # fmt: skip
    response = client.post("/account/verify", data={"next": f"/ideas/{idea.id}"})
    assert response.headers["Location"] == f"/ideas/{idea.id}"
    assert len(mails_to("late@example.com")) == 2
    assert client.post(confirmation_path("late@example.com")).status_code == 302
    assert client.post(f"/ideas/{idea.id}/vote").status_code == 302
    assert "Send the link again" not in client.get("/").get_data(as_text=True)


def test_resending_is_limited(limited_app, make):
    app = limited_app(ACCOUNT_EMAIL_LIMIT="2 per hour")
    client = app.test_client()
    client.post("/register", data=form("often@example.com"))  # mail 1
    client.post("/login", data={"email": "often@example.com", "password": PASSWORD})
    assert client.post("/account/verify").status_code == 302  # mail 2
    response = client.post("/account/verify")
    assert_429(response)
    assert "several e-mails" in response.get_data(as_text=True)
    assert len(mails_to("often@example.com")) == 2


def test_a_link_is_signed_expires_and_names_the_address(client, monkeypatch):
    client.post("/register", data=form("ann@example.com"))
    link = confirmation_path("ann@example.com")
    assert client.get(link[:-3] + "xyz").status_code == 404
    assert client.post(link[:-3] + "xyz").status_code == 404
    # A link of 49 hours ago has expired.
    now = TimestampSigner.get_timestamp
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: now(self) - 49 * 3600)
    client.post("/account/verify")  # not signed in: nothing sent
    from portal.accounts import email_flows

    with client.application.test_request_context():
        old = email_flows.verification_url(user_named("ann@example.com")).split("5000", 1)[1]
    monkeypatch.setattr(TimestampSigner, "get_timestamp", now)
    assert client.post(old).status_code == 404
    assert user_named("ann@example.com").email_verified_at is None
    # A link for an address the account no longer has is dead.
    ann = user_named("ann@example.com")
    ann.email = "ann.new@example.com"
    db.session.commit()
    assert client.post(link).status_code == 404
    assert user_named("ann.new@example.com").email_verified_at is None


def test_accounts_made_by_the_cli_are_verified(runner):
    result = runner.invoke(args=["users", "create", "cli@example.com", "--password",
                                 "long-enough", "--kind", "customer"])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert user_named("cli@example.com").email_verified_at is not None


# --- 2. registration tells nothing, and is limited ------------------------------------------


def test_registration_answers_the_same_whether_or_not_the_address_is_taken(app, make, monkeypatch):
    owner = make.user(email="owner@example.com", name="Owner")
    hashes = []
    original = PasswordHasher.hash
    monkeypatch.setattr(
        PasswordHasher, "hash", lambda self, *a, **k: hashes.append(1) or original(self, *a, **k)
    )

    def attempt(email):
        client = app.test_client()
        client.get("/register")
        with client.session_transaction() as session:
            before = dict(session)
        response = client.post("/register", data=form(email))
        with client.session_transaction() as session:
            after = dict(session)
        text = response.get_data(as_text=True).replace(email, "ADDRESS")
        return response.status_code, text, before == after, len(hashes)

    taken = attempt("OWNER@example.com".lower())
    fresh = attempt("someone.new@example.com")
    assert taken[0] == fresh[0] == 200
    assert taken[1] == fresh[1]
    assert taken[2] and fresh[2], "the session must not change"
    assert (taken[3], fresh[3]) == (1, 2), "one hash for each, taken or not"
    assert user_named("owner@example.com").display_name == "Owner"
    [mail] = mails_to(owner.email)
    assert mail.subject == "Someone tried to register with your address"
    assert "/login/forgot" in mail.body and "/login" in mail.body
    assert user_named("someone.new@example.com").email_verified_at is None


def test_registration_is_limited_per_address(limited_app):
    app = limited_app(REGISTER_LIMIT_PER_ADDRESS="2 per hour")
    client = app.test_client()
    env = {"REMOTE_ADDR": "10.1.1.1"}
    for n in range(2):
        assert client.post("/register", data=form(f"r{n}@example.com"),
                           environ_base=env).status_code == 200  # fmt: skip
    response = client.post("/register", data=form("r9@example.com"), environ_base=env)
    assert_429(response)
    assert "too many registrations" in response.get_data(as_text=True)
    assert user_named("r9@example.com") is None
    other = {"REMOTE_ADDR": "10.1.1.2"}
    assert (
        client.post("/register", data=form("r9@example.com"), environ_base=other).status_code == 200
    )


# --- 3. password reset ----------------------------------------------------------------------


def test_forgot_password_answers_the_same_and_the_link_works_once(app, make, login, client):
    user = make.user(email="forgetful@example.com")
    elsewhere = app.test_client()
    elsewhere.post("/login", data={"email": user.email, "password": PASSWORD})
    assert signed_in_as(elsewhere) == user.email
    assert 'href="/login/forgot"' in client.get("/login").get_data(as_text=True)

    known = client.post("/login/forgot", data={"email": "forgetful@example.com"})
    unknown = client.post("/login/forgot", data={"email": "nobody@example.com"})
    assert known.status_code == unknown.status_code == 200
    strip = lambda r, e: r.get_data(as_text=True).replace(e, "ADDRESS")  # noqa: E731
    assert strip(known, "forgetful@example.com") == strip(unknown, "nobody@example.com")
    assert mails_to("nobody@example.com") == []
    [mail] = mails_to(user.email)
    assert mail.subject == "Choose a new password"
    link = mailed_link(user.email, "/reset/")

    assert client.get(link).status_code == 200
    response = client.post(link, data={"new_password": NEW_PASSWORD, "confirm": "different"})
    assert response.status_code == 200 and "Passwords differ" in response.get_data(as_text=True)
    response = client.post(link, data={"new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302
    assert signed_in_as(client) == user.email
    assert signed_in_as(elsewhere) is None  # every other session is signed out
    # The link is spent.
    assert client.get(link).status_code == 404
    again = app.test_client().post(link, data={"new_password": "another-password-1",
                                               "confirm": "another-password-1"})  # fmt: skip
    assert again.status_code == 404
    fresh = app.test_client()
    assert fresh.post("/login", data={"email": user.email,
                                      "password": NEW_PASSWORD}).status_code == 302  # fmt: skip


def test_a_reset_by_the_mailed_link_verifies_the_address(client):
    client.post("/register", data=form("unsure@example.com"))
    client.post("/login/forgot", data={"email": "unsure@example.com"})
    link = mailed_link("unsure@example.com", "/reset/")
    client.post(link, data={"new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert user_named("unsure@example.com").email_verified_at is not None


def test_forgot_password_is_limited_per_address(limited_app, make):
    app = limited_app(
        PASSWORD_RESET_LIMIT_PER_ADDRESS="2 per hour", ACCOUNT_EMAIL_LIMIT="1 per hour"
    )
    user = make.user(email="target@example.com")
    client = app.test_client()
    for address in ("10.2.0.1", "10.2.0.1"):
        response = client.post("/login/forgot", data={"email": user.email},
                               environ_base={"REMOTE_ADDR": address})  # fmt: skip
        assert response.status_code == 200
    assert_429(client.post("/login/forgot", data={"email": user.email},
                           environ_base={"REMOTE_ADDR": "10.2.0.1"}))  # fmt: skip
    # And one inbox is not flooded from many addresses: the same answer, no more mail.
    response = client.post("/login/forgot", data={"email": user.email},
                           environ_base={"REMOTE_ADDR": "10.2.0.2"})  # fmt: skip
    assert response.status_code == 200
    assert len(mails_to(user.email)) == 1


# --- 4. change of address -------------------------------------------------------------------


def test_changing_the_address_needs_the_new_one_confirmed(client, make, login):
    user = make.user(email="mover@example.com")
    login(user)
    wrong = client.post("/account/email", data={"email": "moved@example.com", "password": "x"})
    assert wrong.status_code == 422 and "password is not right" in wrong.get_data(as_text=True)
    response = client.post("/account/email", data={"email": "Moved@Example.com",
                                                   "password": PASSWORD})  # fmt: skip
    assert response.status_code == 302
    assert user_named("mover@example.com") is not None  # not changed yet
    [mail] = mails_to("moved@example.com")
    assert mail.subject == "Confirm your new e-mail address"
    link = mailed_link("moved@example.com", "/account/email/")
    assert client.get(link).status_code == 200
    assert user_named("mover@example.com") is not None  # GET changes nothing
    response = client.post(link)
    assert response.status_code == 302
    moved = user_named("moved@example.com")
    assert moved is not None and moved.email_verified_at is not None
    [notice] = mails_to("mover@example.com")
    assert notice.subject == "Your e-mail address was changed"
    assert "moved@example.com" in notice.body
    assert signed_in_as(client) == "moved@example.com"
    # Spent: the account no longer has the address the link was made for.
    assert client.post(link).status_code == 404


def test_a_taken_new_address_is_told_only_to_its_owner(client, make, login):
    make.user(email="taken@example.com")
    user = make.user(email="curious@example.com")
    login(user)
    response = client.post("/account/email", data={"email": "taken@example.com",
                                                   "password": PASSWORD})  # fmt: skip
    assert response.status_code == 302
    flashed = client.get("/account").get_data(as_text=True)
    assert "We sent a link to taken@example.com" in flashed
    [mail] = mails_to("taken@example.com")
    assert mail.subject == "Your address is already in use"
    assert "/account/email/" not in mail.body
    assert user_named("curious@example.com") is not None


# --- 5. sign-in limits ----------------------------------------------------------------------


def test_every_spelling_of_an_address_counts_for_one_account(limited_app, make):
    app = limited_app(
        LOGIN_LIMIT_PER_ACCOUNT="3 per minute", LOGIN_LIMIT_PER_ADDRESS="50 per minute"
    )
    make.user(email="ann@bücher.example")
    client = app.test_client()
    spellings = ["ANN@BÜCHER.EXAMPLE", "ann@xn--bcher-kva.example", " Ann@Bu\u0308cher.example "]
    for spelling in spellings:
        response = client.post("/login", data={"email": spelling, "password": "wrong"})
        assert response.status_code == 200
    response = client.post("/login", data={"email": "ann@bücher.example", "password": PASSWORD})
    assert_429(response)
    assert "too many failed sign-ins for this account" in response.get_data(as_text=True)


def test_a_successful_sign_in_clears_the_accounts_count(limited_app, make):
    app = limited_app(
        LOGIN_LIMIT_PER_ACCOUNT="3 per minute", LOGIN_LIMIT_PER_ADDRESS="50 per minute"
    )
    user = make.user()
    client = app.test_client()
    for _ in range(2):
        client.post("/login", data={"email": user.email, "password": "wrong"})
    assert (
        client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 302
    )
    for _ in range(3):
        assert (
            client.post("/login", data={"email": user.email, "password": "wrong"}).status_code
            == 200
        )
    assert_429(client.post("/login", data={"email": user.email, "password": PASSWORD}))


@pytest.mark.parametrize("scope", ["account", "address"])
def test_parallel_sign_ins_get_no_more_password_checks_than_the_limit(
    limited_app, make, monkeypatch, scope
):
    limits = {"account": ("3 per minute", "100 per minute"),
              "address": ("100 per minute", "3 per minute")}[scope]  # fmt: skip
    app = limited_app(LOGIN_LIMIT_PER_ACCOUNT=limits[0], LOGIN_LIMIT_PER_ADDRESS=limits[1])
    users = [make.user() for _ in range(12)]
    emails = [users[0].email] * 12 if scope == "account" else [u.email for u in users]
    db.session.rollback()
    checks, lock = [], threading.Lock()
    original = PasswordHasher.verify
    start = threading.Barrier(12)

    def slow_verify(self, hash_, password):
        with lock:
            checks.append(1)
        threading.Event().wait(0.2)  # long enough for every request to be in flight
        return original(self, hash_, password)

    monkeypatch.setattr(PasswordHasher, "verify", slow_verify)
    statuses = []

    def attempt(email):
        client = app.test_client()
        start.wait(10)
        response = client.post("/login", data={"email": email, "password": "wrong guess"})
        with lock:
            statuses.append(response.status_code)

    threads = [threading.Thread(target=attempt, args=(email,)) for email in emails]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(statuses) == [200] * 3 + [429] * 9, statuses
    assert len(checks) == 3


# --- 6. no password hash under SQLite's write lock ------------------------------------------


@pytest.fixture
def sqlite_path(backend, database_url):
    if backend != "sqlite":
        pytest.skip("SQLite's write lock")
    return database_url.removeprefix("sqlite:///")


def held_write_lock_while(path, method, monkeypatch, request) -> bool:
    """Run `request` in a thread; while it is inside PasswordHasher.`method`, try to take the
    write lock from another connection without waiting. True when it was held."""
    inside, release = threading.Event(), threading.Event()
    original = getattr(PasswordHasher, method)

    def paused(self, *args, **kwargs):
        inside.set()
        release.wait(10)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(PasswordHasher, method, paused)
    results = []
    thread = threading.Thread(target=lambda: results.append(request()))
    db.session.rollback()
    thread.start()
    try:
        assert inside.wait(10), "the request never checked a password"
        other = sqlite3.connect(path, timeout=0, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")
            other.execute("ROLLBACK")
            held = False
        except sqlite3.OperationalError as error:
            assert "locked" in str(error)
            held = True
        finally:
            other.close()
    finally:
        release.set()
        thread.join(10)
    assert results and results[0].status_code < 500, results
    return held


def test_sign_in_hashes_without_the_write_lock(app, make, sqlite_path, monkeypatch):
    email = make.user().email
    client = app.test_client()
    sign_in = lambda: client.post("/login", data={"email": email, "password": PASSWORD})  # noqa: E731
    assert not held_write_lock_while(sqlite_path, "verify", monkeypatch, sign_in)


def test_registration_hashes_without_the_write_lock(app, sqlite_path, monkeypatch):
    client = app.test_client()
    register = lambda: client.post("/register", data=form("parallel@example.com"))  # noqa: E731
    assert not held_write_lock_while(sqlite_path, "hash", monkeypatch, register)
    assert user_named("parallel@example.com") is not None


def test_password_change_hashes_without_the_write_lock(
    app, make, login, client, sqlite_path, monkeypatch
):
    login(make.user())
    data = {"current_password": PASSWORD, "new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    change = lambda: client.post("/account/password", data=data)  # noqa: E731
    assert not held_write_lock_while(sqlite_path, "verify", monkeypatch, change)


def test_password_reset_hashes_without_the_write_lock(app, make, client, sqlite_path, monkeypatch):
    user = make.user()
    client.post("/login/forgot", data={"email": user.email})
    link = mailed_link(user.email, "/reset/")
    reset = lambda: client.post(link, data={"new_password": NEW_PASSWORD,  # noqa: E731
                                            "confirm": NEW_PASSWORD})  # fmt: skip
    assert not held_write_lock_while(sqlite_path, "hash", monkeypatch, reset)


def test_the_request_still_knows_its_user_after_a_password_change(app, make, login, client):
    """After the change the view signs in again; anything that looks at `current_user` later in
    the same request (the language's Vary header does) must find the account, not crash."""
    from flask import after_this_request
    from flask_login import current_user

    from portal.accounts import views

    seen = []
    original = views.flash

    def flash_and_look(*args, **kwargs):
        @after_this_request
        def look(response):
            seen.append(current_user.is_authenticated and current_user.id)
            return response

        return original(*args, **kwargs)

    user = make.user()
    login(user)
    views.flash = flash_and_look
    try:
        data = {"current_password": PASSWORD, "new_password": NEW_PASSWORD,
                "confirm": NEW_PASSWORD}  # fmt: skip
        response = client.post("/account/password", data=data)
    finally:
        views.flash = original
    assert response.status_code == 302
    assert seen == [user.id]
