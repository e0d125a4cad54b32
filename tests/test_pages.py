"""Every page of this slice answers right for every role (SPEC section 9).

200 (with the page's own content) for whoever may see it; an anonymous visitor sent to
/login?next=… for pages that need sign-in; 403 for signed-in roles that may not; 404
for ideas that are invisible or do not exist. Plus: GET /logout never signs out, a merged
idea redirects (301) to the original, and `next=` never leads off the site.
"""

import re
from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit

import pytest
from markupsafe import escape
from sqlalchemy import select

from portal.accounts import service as accounts
from portal.accounts.models import User
from portal.admin.service import create_category
from portal.extensions import db
from portal.ideas import service as ideas
from portal.ideas.models import Idea
from tests.conftest import PASSWORD, confirmation_path

ROLES = ("anonymous", "customer", "supplier", "pending", "staff", "moderator", "admin")
LOGIN, HOME = "login", "home"  # redirect to /login?next=<path>, redirect to /

PUBLIC_TITLE = "Dishwasher racks that fold flat"
SUPPLIERS_TITLE = "Pallet return loop with Acme"

# fmt: off
# The expected answer of each page for each role, in the order of ROLES:
#   anonymous, customer, supplier, pending, staff, moderator, admin.
# {idea} is a public idea whose author is the customer.
PAGE_MATRIX = [
    ("/",                    (200,   200, 200, 200, 200, 200, 200)),
    ("/ideas",               (200,   200, 200, 200, 200, 200, 200)),
    ("/ideas/new",           (LOGIN, 200, 200, 200, 200, 200, 200)),
    ("/ideas/{idea}",        (200,   200, 200, 200, 200, 200, 200)),
    ("/ideas/{idea}/edit",   (LOGIN, 200, 403, 403, 403, 200, 200)),
    ("/ideas/{idea}/history", (200,  200, 200, 200, 200, 200, 200)),
    ("/login",               (200,   200, 200, 200, 200, 200, 200)),
    ("/register",            (200,   HOME, HOME, HOME, HOME, HOME, HOME)),
    ("/logout",              (200,   200, 200, 200, 200, 200, 200)),
    ("/account",             (LOGIN, 200, 200, 200, 200, 200, 200)),
    ("/admin",               (LOGIN, 403, 403, 403, 403, 403, 200)),
    ("/admin/approvals",     (LOGIN, 403, 403, 403, 200, 403, 200)),
    ("/healthz",             (200,   200, 200, 200, 200, 200, 200)),
]
# fmt: on

# What a page must show when it answers 200 (besides the status).
CONTENT = {
    "/": ["Tell us what would make Northwind Appliances better", PUBLIC_TITLE],
    "/ideas": ["<h1>Ideas</h1>", PUBLIC_TITLE],
    "/ideas/new": ["<h1>Share an idea</h1>", 'name="title"', 'name="category"', "Post idea"],
    "/ideas/{idea}": [f"<h1>{PUBLIC_TITLE}</h1>", "<strong>details</strong>", "Discussion"],
    # Its author edits; a moderator edits someone else's idea as a moderation action.
    "/ideas/{idea}/edit": ["<h1>Edit ", f'value="{PUBLIC_TITLE}"', "Save changes"],
    "/ideas/{idea}/history": ["<h1>History</h1>", PUBLIC_TITLE, "Never edited."],
    "/login": ["<h1>Sign in</h1>", 'name="email"', 'name="password"'],
    "/register": ["<h1>Create your account</h1>", 'name="email"', 'name="kind"'],
    "/logout": ["<h1>Sign out</h1>"],
    "/account": ["<h1>Your account</h1>", "API tokens"],
    "/admin": ["<h1>Administration</h1>", "Suppliers waiting for approval", "Users ("],
    "/admin/approvals": ["<h1>Supplier approvals</h1>", "Pia Pending"],
}
# How many ideas /ideas counts for each role (the public idea, plus the suppliers' one).
LIST_SUMMARY = {
    "anonymous": "1 idea",
    "customer": "1 idea",
    "supplier": "2 ideas",
    "pending": "1 idea",
    "staff": "2 ideas",
    "moderator": "1 idea",  # a community moderator who is a customer sees what customers see
    "admin": "2 ideas",
}
FORBIDDEN_MESSAGE = {
    "/ideas/{idea}/edit": "Only the author (or a moderator) can edit this.",
    "/admin": "Only admins may do this.",
    "/admin/approvals": "Only staff and admins approve suppliers.",
}
SIGN_IN_PAGES = [path for path, answers in PAGE_MATRIX if answers[0] == LOGIN]
CASES = [
    pytest.param(path, role, answers[i], id=f"{role}-{path}")
    for path, answers in PAGE_MATRIX
    for i, role in enumerate(ROLES)
]


@pytest.fixture
def world(app):
    """One user per role and two ideas, made by the real services in one transaction."""

    def user(name, kind="customer", role="member", org=None, approved=True):
        email = name.split()[0].lower() + "@example.com"
        return accounts.create_user(
            email, PASSWORD, display_name=name, kind=kind, role=role, organization=org,
            approved=approved,
        )  # fmt: skip

    acme = accounts.organization_named("Acme Metals", create=True)
    users = {
        "customer": user("Cleo Customer"),
        "supplier": user("Sid Supplier", "supplier", org=acme),
        "pending": user("Pia Pending", "supplier", org=acme, approved=False),
        "staff": user("Stella Staff", "staff"),
        "moderator": user("Milo Moderator", role="moderator"),
        "admin": user("Ada Admin", "staff", role="admin"),
    }
    create_category("kitchen", "Kitchen", "public")
    create_category("logistics", "Logistics", "suppliers")
    body = "Some **details**."
    idea = ideas.post_idea(users["customer"], title=PUBLIC_TITLE, body=body, category="kitchen")
    hidden = ideas.post_idea(
        users["supplier"], title=SUPPLIERS_TITLE, body=body, category="logistics"
    )
    db.session.commit()
    return SimpleNamespace(users=users, idea=idea.id, suppliers_idea=hidden.id)


def sign_in(client, user, **extra):
    data = {"email": user.email, "password": PASSWORD, **extra}
    response = client.post("/login", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return response


def client_as(app, world, role):
    client = app.test_client()
    if role != "anonymous":
        sign_in(client, world.users[role])
    return client


def assert_login_redirect(response, path):
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location.netloc in ("", "localhost")
    assert location.path == "/login"
    assert parse_qs(location.query)["next"] == [path]


def signed_in_as(client) -> str | None:
    """Who the session belongs to, asked of a page that needs sign-in."""
    response = client.get("/account")
    if response.status_code != 200:
        return None
    match = re.search(r'<p class="muted">([^ ]+@[^ ]+) ·', response.get_data(as_text=True))
    return match.group(1) if match else None


@pytest.mark.parametrize(("template", "role", "expected"), CASES)
def test_page_answers_per_role(app, world, template, role, expected):
    client = client_as(app, world, role)
    path = template.format(idea=world.idea)
    response = client.get(path)
    html = response.get_data(as_text=True)

    if expected == LOGIN:
        assert_login_redirect(response, path)
    elif expected == HOME:
        assert response.status_code == 302
        assert urlsplit(response.headers["Location"]).path == "/"
    elif expected == 403:
        assert response.status_code == 403
        assert "<h1>Not allowed</h1>" in html
        assert FORBIDDEN_MESSAGE[template] in html
    else:
        assert expected == 200
        assert response.status_code == 200, html[:500]
        if template == "/healthz":
            assert html == "ok"
            return
        assert response.mimetype == "text/html"
        for needle in CONTENT.get(template, []):
            assert needle in html, needle
        if template == "/ideas":
            assert f'<p class="list-summary">{LIST_SUMMARY[role]}</p>' in html
        # The pages of the slice never show what the viewer may not see.
        if role in ("anonymous", "customer", "pending", "moderator"):
            assert SUPPLIERS_TITLE not in html
        elif template in ("/", "/ideas"):
            assert SUPPLIERS_TITLE in html
        # Signed in or not, the header says so.
        if role == "anonymous":
            assert 'href="/login' in html
        else:
            assert escape(world.users[role].display_name) in html
            assert 'action="/logout"' in html


@pytest.mark.parametrize("role", ROLES)
def test_header_links_follow_the_role(app, world, role):
    html = client_as(app, world, role).get("/").get_data(as_text=True)
    assert ('href="/admin"' in html) is (role == "admin")
    assert ('href="/admin/approvals"' in html) is (role == "staff")
    assert ('href="/ideas/new"' in html) is (role != "anonymous")
    assert ('href="/account"' in html) is (role != "anonymous")
    assert ('href="/register"' in html) is (role == "anonymous")


def test_new_idea_form_offers_confidential_to_approved_suppliers_only(app, world):
    for role in ROLES[1:]:
        html = client_as(app, world, role).get("/ideas/new").get_data(as_text=True)
        assert ('name="confidential"' in html) is (role == "supplier"), role


def test_account_page_describes_the_account(app, world):
    html = client_as(app, world, "pending").get("/account").get_data(as_text=True)
    assert world.users["pending"].email in html
    assert "Supplier at Acme Metals" in html
    assert "waiting for approval" in html
    assert "waits for approval" in html  # the banner on every page
    html = client_as(app, world, "admin").get("/account").get_data(as_text=True)
    assert "Staff" in html and "Admin" in html
    assert "waiting for approval" not in html


# Sign-in pages: the anonymous visitor goes to /login?next=… and comes back after.


@pytest.mark.parametrize("template", SIGN_IN_PAGES)
def test_sign_in_round_trip(app, world, template):
    client = app.test_client()
    path = template.format(idea=world.idea)
    response = client.get(path)
    assert_login_redirect(response, path)

    form = client.get(response.headers["Location"])
    assert form.status_code == 200
    assert f'name="next" type="hidden" value="{path}"' in form.get_data(as_text=True)

    # The admin may see every page that needs sign-in.
    response = sign_in(client, world.users["admin"], next=path)
    assert response.headers["Location"] == path
    page = client.get(path)
    assert page.status_code == 200
    assert "Welcome back, Ada Admin." in page.get_data(as_text=True)


def test_sign_in_keeps_the_query_string_of_next(app, world):
    client = app.test_client()
    response = client.get("/ideas/new?category=kitchen")
    assert_login_redirect(response, "/ideas/new?category=kitchen")
    response = sign_in(client, world.users["customer"], next="/ideas/new?category=kitchen")
    assert response.headers["Location"] == "/ideas/new?category=kitchen"
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert '<option selected value="kitchen">' in html


def test_wrong_password_shows_the_form_again(app, world):
    client = app.test_client()
    response = client.post(
        "/login", data={"email": world.users["customer"].email, "password": "not-the-password"}
    )
    assert response.status_code == 200
    assert "E-mail or password is not right." in response.get_data(as_text=True)
    assert signed_in_as(client) is None


@pytest.mark.parametrize(
    "target",
    [
        "//evil.com",
        "https://evil.com",
        "/\\evil.com",
        "\\\\evil.com",
        "/\\/evil.com",
        "http:evil.com",
        "https:/evil.com",
        " //evil.com",
        "//evil.com/ideas",
        "/\t/evil.com",
        "javascript:alert(1)",
        "evil.com",
    ],
)
def test_login_refuses_open_redirects(app, world, target):
    client = app.test_client()
    page = client.get("/login", query_string={"next": target})
    assert page.status_code == 200
    response = sign_in(client, world.users["customer"], next=target)
    location = response.headers["Location"]
    parts = urlsplit(location)
    assert location == "/"
    assert parts.scheme == "" and parts.netloc == ""
    assert signed_in_as(client) == world.users["customer"].email


def test_login_honours_a_next_on_this_site(app, world):
    client = app.test_client()
    response = sign_in(client, world.users["customer"], next=f"/ideas/{world.idea}#discussion")
    assert response.headers["Location"] == f"/ideas/{world.idea}#discussion"


@pytest.mark.parametrize("target", ["//evil.com", "https://evil.com", "/\\evil.com"])
def test_vote_form_next_stays_on_the_site(app, world, target):
    client = client_as(app, world, "supplier")
    response = client.post(f"/ideas/{world.idea}/vote", data={"next": target})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/ideas/{world.idea}"
    response = client.post(f"/ideas/{world.idea}/vote", data={"next": "/ideas?sort=new"})
    assert response.headers["Location"] == "/ideas?sort=new"


# Sign-out: GET shows a button, never signs out; POST signs out.


@pytest.mark.parametrize("role", ROLES[1:])
def test_get_logout_shows_a_form_and_keeps_you_signed_in(app, world, role):
    client = client_as(app, world, role)
    user = world.users[role]
    response = client.get("/logout")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert re.search(r'<form method="post" action="/logout">', html)
    assert f"Signed in as {escape(user.display_name)}" in html
    assert signed_in_as(client) == user.email

    response = client.post("/logout")
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/"
    assert "You are signed out." in client.get("/").get_data(as_text=True)
    assert signed_in_as(client) is None
    assert_login_redirect(client.get("/account"), "/account")


def test_get_logout_when_signed_out(client):
    response = client.get("/logout")
    assert response.status_code == 200
    assert "You are not signed in." in response.get_data(as_text=True)


# Ideas that are invisible or missing: 404 on every idea page, whoever asks.

MISSING_IDS = ["987654", "0", str(2**63), str(10**30)]
IDEA_PAGES = ["/ideas/{id}", "/ideas/{id}/edit", "/ideas/{id}/history"]


@pytest.mark.parametrize("template", IDEA_PAGES)
@pytest.mark.parametrize("role", ROLES[1:])
def test_missing_ideas_answer_404(app, world, template, role):
    client = client_as(app, world, role)
    for idea_id in MISSING_IDS:
        response = client.get(template.format(id=idea_id))
        assert response.status_code == 404, idea_id
        assert "<h1>Not found</h1>" in response.get_data(as_text=True)


def test_missing_ideas_answer_404_to_anonymous(client):
    for idea_id in MISSING_IDS + ["abc", "-1"]:
        assert client.get(f"/ideas/{idea_id}").status_code == 404, idea_id
        assert client.get(f"/ideas/{idea_id}/history").status_code == 404, idea_id


@pytest.mark.parametrize("template", IDEA_PAGES)
@pytest.mark.parametrize("role", ["customer", "pending"])
def test_invisible_idea_pages_answer_404_not_403(app, world, template, role):
    """Even the edit page says 404: 403 would tell that the idea exists."""
    client = client_as(app, world, role)
    response = client.get(template.format(id=world.suppliers_idea))
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert "No such idea." in html
    assert SUPPLIERS_TITLE not in html


def test_invisible_idea_pages_for_anonymous(client, world):
    for template in ("/ideas/{id}", "/ideas/{id}/history"):
        assert client.get(template.format(id=world.suppliers_idea)).status_code == 404
    # The edit page asks for sign-in first, for visible and invisible ideas alike.
    path = f"/ideas/{world.suppliers_idea}/edit"
    assert_login_redirect(client.get(path), path)


def test_edit_page_saves_and_history_shows_the_earlier_version(app, world):
    client = client_as(app, world, "customer")
    path = f"/ideas/{world.idea}/edit"
    response = client.post(path, data={"title": "Dishwasher racks that fold", "body": "Flat."})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/ideas/{world.idea}"
    html = client.get(f"/ideas/{world.idea}/history").get_data(as_text=True)
    assert "Earlier versions" in html and PUBLIC_TITLE in html
    assert "Never edited." not in html
    # A non-author's post is refused like their GET.
    other = client_as(app, world, "supplier")
    assert other.post(path, data={"title": "Hijacked title", "body": "x"}).status_code == 403
    db.session.expire_all()
    assert db.session.get(Idea, world.idea).title == "Dishwasher racks that fold"


# A merged idea redirects to the original.


def test_merged_idea_redirects_301_to_the_original(app, world, make):
    customer = world.users["customer"]
    duplicate = make.idea(customer, title="Racks that fold away flat")
    duplicate.merged_into_id = world.idea
    db.session.commit()
    duplicate_id = duplicate.id
    for role in ("anonymous", "customer", "staff"):
        client = client_as(app, world, role)
        response = client.get(f"/ideas/{duplicate_id}")
        assert response.status_code == 301, role
        assert urlsplit(response.headers["Location"]).path == f"/ideas/{world.idea}"
        followed = client.get(response.headers["Location"])
        assert followed.status_code == 200
        assert f"<h1>{PUBLIC_TITLE}</h1>" in followed.get_data(as_text=True)
    # The merged idea is no longer listed on its own.
    html = app.test_client().get("/ideas").get_data(as_text=True)
    assert "Racks that fold away flat" not in html
    assert '<p class="list-summary">1 idea</p>' in html


def test_merged_into_an_invisible_idea_answers_404(app, world, make):
    """No redirect that would reveal the id of an idea the viewer may not see."""
    duplicate = make.idea(world.users["customer"], title="Returnable pallets please")
    duplicate.merged_into_id = world.suppliers_idea
    db.session.commit()
    for role in ("anonymous", "customer"):
        response = client_as(app, world, role).get(f"/ideas/{duplicate.id}")
        assert response.status_code == 404, role
        assert "Location" not in response.headers
    response = client_as(app, world, "supplier").get(f"/ideas/{duplicate.id}")
    assert response.status_code == 301
    assert urlsplit(response.headers["Location"]).path == f"/ideas/{world.suppliers_idea}"


# Registration and approvals as pages.


def test_register_as_supplier_is_pending_until_approved(app, world):
    client = app.test_client()
    acme_id = world.users["supplier"].organization_id
    response = client.post(
        "/register",
        data={
            "display_name": "Nina Newcomer",
            "email": "nina@acme.example",
            "password": PASSWORD,
            "confirm": PASSWORD,
            "kind": "supplier",
            "organization": str(acme_id),
        },
    )
    assert response.status_code == 200, response.get_data(as_text=True)[:800]
    assert "Check your inbox" in response.get_data(as_text=True)
    # The link in the e-mail confirms her address and signs her in; approval still waits.
    response = client.post(confirmation_path("nina@acme.example"))
    assert response.status_code == 302
    html = client.get("/").get_data(as_text=True)
    assert "waits for approval by our staff" in html
    nina = db.session.scalar(select(User).where(User.email == "nina@acme.example"))
    assert (nina.kind, nina.approved) == ("supplier", False)
    assert nina.email_verified_at is not None
    # Signed in now, so /register sends her home.
    assert urlsplit(client.get("/register").headers["Location"]).path == "/"

    staff = client_as(app, world, "staff")
    assert "Nina Newcomer" in staff.get("/admin/approvals").get_data(as_text=True)
    admin = client_as(app, world, "admin")
    assert "Nina Newcomer" in admin.get("/admin").get_data(as_text=True)
    response = admin.post(f"/admin/users/{nina.id}/approve", data={"next": "/admin"})
    assert response.headers["Location"] == "/admin"
    assert "Nina Newcomer is approved." in admin.get("/admin").get_data(as_text=True)
    assert "waits for approval" not in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize("next_url", ["//evil.com", "https://evil.com/admin"])
def test_approval_next_stays_on_the_site(app, world, next_url):
    staff = client_as(app, world, "staff")
    pending = world.users["pending"]
    response = staff.post(f"/admin/users/{pending.id}/approve", data={"next": next_url})
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/approvals"


def test_approving_a_missing_user_answers_404(app, world):
    staff = client_as(app, world, "staff")
    assert staff.post("/admin/users/987654/approve").status_code == 404


@pytest.mark.parametrize("role", ROLES)
def test_the_header_links_the_changelog(app, world, role):
    html = client_as(app, world, role).get("/").get_data(as_text=True)
    header = html[html.index('<header class="site-header">') : html.index("</header>")]
    assert 'href="/changelog"' in header
