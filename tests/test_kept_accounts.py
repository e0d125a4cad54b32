"""Signed-in accounts kept per worker at a change version (portal/accounts/kept.py): the
account is not read again while nothing changed, and every change to it, however written,
reaches the very next request."""

import re

import pytest
from sqlalchemy import event, text, update

from portal.accounts.models import Organization, User
from portal.admin import service as admin
from portal.extensions import db
from portal.live import changes
from tests.conftest import PASSWORD, Factory, _empty_tables, make_test_app


@pytest.fixture
def app(app):
    """The tests' app context (and its session) is pushed for the whole test and reused by
    every request: each request starts from an empty session here, as in a worker, so the
    account is either kept or read, never already loaded by the test."""
    app.before_request(db.session.expunge_all)
    return app


def _reads_of_accounts(statements) -> list[str]:
    return [s for s in statements if re.search(r'FROM "?user"?\b', s)]


def test_a_signed_in_page_found_again_does_not_read_the_account(app, make, client, login,
                                                                count_queries):  # fmt: skip
    make.idea()  # a change names the state: nothing is kept before one exists
    login(make.user(name="Kept Reader"))
    assert client.get("/ideas").status_code == 200
    with count_queries() as statements:
        page = client.get("/ideas").get_data(as_text=True)
    assert "Kept Reader" in page
    assert _reads_of_accounts(statements) == []


def test_a_suspension_written_by_any_statement_reaches_the_next_request(app, make, client,
                                                                       login):  # fmt: skip
    idea_id = make.idea().id
    user = make.user()
    user_id = user.id
    login(user)
    assert "suspended until" not in client.get("/ideas").get_data(as_text=True)
    # A Core statement, not the ORM: the change row comes from the statement listener.
    db.session.execute(
        update(User).where(User.id == user_id).values(suspended_until=text("'2999-01-01'"))
    )
    db.session.commit()
    assert "suspended until" in client.get("/ideas").get_data(as_text=True)
    assert client.post(f"/ideas/{idea_id}/vote").status_code == 403


def test_a_password_changed_elsewhere_ends_the_session_at_the_next_request(app, make, client,
                                                                          login):  # fmt: skip
    user = make.user()
    login(user)
    assert client.get("/account").status_code == 200
    other = app.test_client()
    assert other.post("/login", data={"email": user.email, "password": PASSWORD}).status_code
    changed = other.post(
        "/account/password",
        data={
            "current_password": PASSWORD,
            "new_password": "another-long-password-9",
            "confirm": "another-long-password-9",
        },
    )
    assert changed.status_code in (200, 302)
    db.session.expire_all()
    assert db.session.get(User, user.id).password_hash.startswith("$")
    answer = client.get("/account")
    assert answer.status_code == 302 and "/login" in answer.headers["Location"]


def test_a_change_rolled_back_by_one_request_does_not_reach_the_next(app, make, client, login):
    """The kept columns are a copy: a request that changed its account and failed leaves
    nothing of that change behind for the next one."""
    user = make.user(name="Original Name")
    login(user)
    assert "Original Name" in client.get("/ideas").get_data(as_text=True)
    form = {"display_name": "Changed Name", "email_preference": "instant", "language": "",
            "timezone": "Not/AZone"}  # fmt: skip
    refused = client.post("/account/profile", data=form)
    assert refused.status_code == 422, refused.status_code
    page = client.get("/ideas").get_data(as_text=True)
    assert "Original Name" in page and "Changed Name" not in page
    db.session.expire_all()
    assert db.session.get(User, user.id).display_name == "Original Name"


def test_an_organization_renamed_shows_in_its_members_pages_at_once(app, make, client, login):
    org = make.org("Acme Gears")
    supplier = make.user(kind="supplier", org=org, approved=False)
    login(supplier)
    assert "Acme Gears" in client.get("/ideas").get_data(as_text=True)
    admin.rename_organization(make.user(role="admin"), db.session.get(Organization, org.id),
                              "Zenith Gears")  # fmt: skip
    db.session.commit()
    page = client.get("/ideas").get_data(as_text=True)
    assert "Zenith Gears" in page and "Acme Gears" not in page


def test_a_role_given_reaches_the_next_request(app, make, client, login):
    user = make.user()
    login(user)
    assert client.get("/moderation").status_code == 403
    db.session.execute(update(User).where(User.id == user.id).values(role="moderator"))
    db.session.commit()
    assert client.get("/moderation").status_code == 200


@pytest.fixture(params=[{"ACCOUNT_KEPT_SECONDS": 0}, {"ACCOUNT_KEPT_ENTRIES": 0}])
def app_keeping_none(database_url, request):
    app = make_test_app(database_url, **request.param)
    with app.app_context():
        yield app
        db.session.remove()
    _empty_tables(app)


def test_keeping_accounts_can_be_turned_off(app_keeping_none):
    make = Factory()
    make.idea()
    user = make.user()
    client = app_keeping_none.test_client()
    assert client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code
    client.get("/ideas")
    db.session.expunge_all()  # as a worker's next request: nothing loaded yet
    statements = []

    def record(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        assert client.get("/ideas").status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert len(_reads_of_accounts(statements)) == 1


@pytest.mark.parametrize(
    ("statement", "written"),
    [
        ('UPDATE "user" SET role = 1', [("UPDATE", "user")]),
        ('/* by hand */ UPDATE "user" SET role = 1', [("UPDATE", "user")]),
        ("-- a note\nDELETE FROM organization WHERE id = 1", [("DELETE", "organization")]),
        ('UPDATE ONLY public."user" SET role = 1', [("UPDATE", "user")]),
        ('WITH x AS (SELECT 1) UPDATE "user" SET role = 1', [("UPDATE", "user")]),
        ('INSERT INTO "user" (id) SELECT 1 ON CONFLICT (id) DO UPDATE SET role = 2',
         [("INSERT", "user"), ("UPDATE", "user")]),
        ("INSERT OR REPLACE INTO user VALUES (1)", [("INSERT", "user"), ("UPDATE", "user")]),
        ("REPLACE INTO organization VALUES (1)",
         [("INSERT", "organization"), ("UPDATE", "organization")]),
        ("INSERT INTO vote (idea_id) VALUES (1) ON CONFLICT DO NOTHING", [("INSERT", "vote")]),
        ("SELECT 'UPDATE user' FROM idea", []),
        ("BEGIN IMMEDIATE", []),
    ],
)  # fmt: skip
def test_every_way_of_writing_a_table_is_noticed(statement, written):
    assert changes.written_tables(statement) == written


@pytest.mark.parametrize(
    "sql",
    [
        '/* by hand */ UPDATE "user" SET role = :role WHERE id = :id',
        'WITH chosen AS (SELECT :id AS id) UPDATE "user" SET role = :role '
        "WHERE id IN (SELECT id FROM chosen)",
    ],
)
def test_a_role_given_by_any_sql_reaches_the_next_page(app, make, client, login, sql):
    make.idea()
    user = make.user()
    user_id = user.id
    login(user)
    assert client.get("/ideas").status_code == 200  # kept now
    assert client.get("/moderation").status_code == 403
    db.session.execute(text(sql), {"role": "moderator", "id": user_id})
    db.session.commit()
    assert client.get("/moderation").status_code == 200
