"""The visibility matrix of SPEC section 2, on every surface of this slice.

Eight viewers and five ideas; the expected answer for each pair is written out by hand
in VISIBLE below (never computed with the code under test), then checked against:
the per-object predicate and the SQL filter in `portal.access`, the detail and history
pages, the idea lists and their counts (pages and API), the API detail, the category
lists, and the write routes (vote, comment, follow), which must answer 404 for an idea
the viewer may not see, exactly as for one that does not exist.
"""

import re
from types import SimpleNamespace

import pytest
from flask_login import AnonymousUserMixin
from markupsafe import escape
from sqlalchemy import func, select

from portal import access
from portal.accounts import service as accounts
from portal.admin.service import create_category
from portal.extensions import db
from portal.ideas import service as ideas
from portal.ideas.models import Comment, Follow, Idea, Vote
from tests.conftest import PASSWORD

USERS = (
    "anonymous",
    "customer",
    "supplier_a",  # approved supplier of organization A
    "pending_a",  # supplier of organization A, still waiting for approval
    "supplier_b",  # approved supplier of organization B
    "staff",
    "moderator",  # kind customer, role moderator
    "staff_mod",  # kind staff, role moderator: sees every audience, as staff do
    "admin",  # kind supplier of organization B, role admin: the role beats kind and org
)
IDEAS = ("public", "customers", "suppliers", "conf_public", "conf_suppliers")
EVERYTHING = frozenset(IDEAS)

# Who sees what (SPEC section 2). conf_* are confidential ideas by a supplier of org A.
VISIBLE = {
    "anonymous": frozenset({"public"}),
    "customer": frozenset({"public", "customers"}),
    "supplier_a": frozenset({"public", "suppliers", "conf_public", "conf_suppliers"}),
    "pending_a": frozenset({"public", "customers"}),
    "supplier_b": frozenset({"public", "suppliers"}),
    "staff": EVERYTHING,
    # A community moderator sees what their own kind sees (SPEC 2): a customer's view.
    "moderator": frozenset({"public", "customers"}),
    "staff_mod": EVERYTHING,
    "admin": EVERYTHING,
}
# Which category audiences each viewer sees (and may post in).
AUDIENCES_SEEN = {
    "anonymous": frozenset({"public"}),
    "customer": frozenset({"public", "customers"}),
    "supplier_a": frozenset({"public", "suppliers"}),
    "pending_a": frozenset({"public", "customers"}),
    "supplier_b": frozenset({"public", "suppliers"}),
    "staff": frozenset({"public", "customers", "suppliers"}),
    "moderator": frozenset({"public", "customers"}),
    "staff_mod": frozenset({"public", "customers", "suppliers"}),
    "admin": frozenset({"public", "customers", "suppliers"}),
}
SLUGS = {"public": "open-forum", "customers": "customer-lounge", "suppliers": "supplier-hub"}
# The category each idea lives in.
IDEA_AUDIENCE = {
    "public": "public",
    "customers": "customers",
    "suppliers": "suppliers",
    "conf_public": "public",
    "conf_suppliers": "suppliers",
}
TITLES = {
    "public": "Quieter compressor for the fridge line",
    "customers": "Loyalty discount on spare parts",
    "suppliers": "Shared forecast of coil demand",
    "conf_public": "Acme pricing for stainless sheet",
    "conf_suppliers": "Acme capacity plan for next quarter",
}


def _case(who, idea):
    visible = idea in VISIBLE[who]
    return pytest.param(who, idea, visible, id=f"{who}-{'sees' if visible else 'not'}-{idea}")


CASES = [_case(who, idea) for who in USERS for idea in IDEAS]
SIGNED_IN = [u for u in USERS if u != "anonymous"]
SIGNED_IN_HIDDEN = [p for p in CASES if p.values[0] != "anonymous" and not p.values[2]]
SIGNED_IN_VISIBLE = [p for p in CASES if p.values[0] != "anonymous" and p.values[2]]


def test_the_matrix_says_what_the_spec_says():
    """Sanity of the hand-written table against the prose of SPEC section 2."""
    assert VISIBLE["pending_a"] == VISIBLE["customer"]
    assert not any(i.startswith("conf_") for i in VISIBLE["pending_a"])
    assert VISIBLE["staff"] == VISIBLE["staff_mod"] == VISIBLE["admin"] == EVERYTHING
    # The moderator role adds no audience: the community moderator is a customer.
    assert VISIBLE["moderator"] == VISIBLE["customer"]
    for who in USERS:
        # Seeing an idea needs seeing its category's audience.
        assert {IDEA_AUDIENCE[i] for i in VISIBLE[who]} <= AUDIENCES_SEEN[who]


@pytest.fixture
def world(app):
    """The viewers and ideas of the matrix, made by the real services in one transaction."""

    def user(name, kind="customer", role="member", org=None, approved=True):
        email = name.split()[0].lower() + "@example.com"
        return accounts.create_user(
            email, PASSWORD, display_name=name, kind=kind, role=role, organization=org,
            approved=approved,
        )  # fmt: skip

    org_a = accounts.organization_named("Acme Metals", create=True)
    org_b = accounts.organization_named("Borealis Plastics", create=True)
    users = {
        "customer": user("Cora Customer"),
        "supplier_a": user("Sam Acme", "supplier", org=org_a),
        "pending_a": user("Pat Pending", "supplier", org=org_a, approved=False),
        "supplier_b": user("Bea Borealis", "supplier", org=org_b),
        "staff": user("Stan Staff", "staff"),
        "moderator": user("Mo Moderator", role="moderator"),
        "staff_mod": user("Sid Staffmod", "staff", role="moderator"),
        "admin": user("Ada Admin", "supplier", role="admin", org=org_b),
    }
    poster = user("Paula Poster")
    acme_poster = user("Otto Acme", "supplier", org=org_a)
    for audience, slug in SLUGS.items():
        create_category(slug, f"{audience.capitalize()} corner", audience)

    def idea(name, author, confidential=False):
        category = SLUGS[IDEA_AUDIENCE[name]]
        return ideas.post_idea(
            author, title=TITLES[name], body="Some **details**.", category=category,
            confidential=confidential,
        )  # fmt: skip

    posted = {
        "public": idea("public", poster),
        "customers": idea("customers", poster),
        "suppliers": idea("suppliers", acme_poster),
        "conf_public": idea("conf_public", acme_poster, confidential=True),
        "conf_suppliers": idea("conf_suppliers", acme_poster, confidential=True),
    }
    db.session.commit()
    return SimpleNamespace(users=users, ideas={name: i.id for name, i in posted.items()})


def viewer(world, who):
    return AnonymousUserMixin() if who == "anonymous" else world.users[who]


def sign_in(client, user):
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]


def page_as(app, world, who):
    client = app.test_client()
    if who != "anonymous":
        sign_in(client, world.users[who])
    return client


def api_headers(world, token_for, who) -> dict:
    return {} if who == "anonymous" else token_for(world.users[who])


def ids_of(world, names) -> set[int]:
    return {world.ideas[name] for name in names}


def linked_idea_ids(html: str) -> set[int]:
    """Ids of the ideas a page links to (detail links only, not /ideas/<id>#discussion)."""
    return {int(n) for n in re.findall(r'href="/ideas/(\d+)"', html)}


def list_total(html: str) -> int:
    match = re.search(r'<p class="list-summary">(\d+) ideas?</p>', html)
    assert match, "the list shows its count"
    return int(match.group(1))


def votes_and_comments(idea_id) -> tuple[int, int, int]:
    """Votes, comments and follows of an idea, counted in the database."""

    def count(model):
        return db.session.scalar(
            select(func.count()).select_from(model).where(model.idea_id == idea_id)
        )

    return count(Vote), count(Comment), count(Follow)


# (a) The predicate and the SQL filter agree, with each other and with the table.


@pytest.mark.parametrize(("who", "idea", "visible"), CASES)
def test_predicate_and_sql_filter_agree(world, who, idea, visible):
    user = viewer(world, who)
    row = db.session.get(Idea, world.ideas[idea])
    assert access.can_see_idea(user, row) is visible
    for include_hidden_own in (True, False):
        condition = access.idea_visibility(user, include_hidden_own=include_hidden_own)
        found = db.session.scalar(select(Idea.id).where(Idea.id == row.id, condition))
        assert (found is not None) is visible
    if who == "anonymous":  # services may also be handed None for "nobody"
        assert access.can_see_idea(None, row) is visible
        found = db.session.scalar(
            select(Idea.id).where(Idea.id == row.id, access.idea_visibility(None))
        )
        assert (found is not None) is visible


@pytest.mark.parametrize("who", USERS)
def test_sql_filter_selects_exactly_the_visible_ideas(world, who):
    user = viewer(world, who)
    ids = set(db.session.scalars(select(Idea.id).where(access.idea_visibility(user))))
    assert ids == ids_of(world, VISIBLE[who])
    audiences = set(db.session.scalars(select(Idea.audience).where(access.idea_visibility(user))))
    assert audiences == {IDEA_AUDIENCE[i] for i in VISIBLE[who]}


# A hidden idea (held for moderation) stays visible to its author and to moderators; everyone
# else who may see its category gets its tombstone (the page answers 200 with the reason only).
HIDDEN_IDEA_SEEN_BY = {
    "anonymous": False,
    "customer": True,  # the author
    "supplier_a": False,
    "pending_a": False,
    "supplier_b": False,
    "staff": False,
    "moderator": True,
    "staff_mod": True,
    "admin": True,
}


@pytest.mark.parametrize("who", USERS)
def test_hidden_idea_predicate_sql_and_page_agree(app, world, who):
    row = ideas.post_idea(
        world.users["customer"],
        title="Flagged idea held for review",
        body="",
        category="open-forum",
    )
    row.hidden = True
    db.session.commit()
    row.hidden_reason = "Held for review: flagged by 3 people."
    db.session.commit()
    user = viewer(world, who)
    expected = HIDDEN_IDEA_SEEN_BY[who]
    assert access.can_read(user, row) is expected
    assert access.can_see_idea(user, row)  # the public category: its tombstone is public
    found = db.session.scalar(
        select(Idea.id).where(Idea.id == row.id, access.idea_visibility(user))
    )
    assert (found is not None) is expected
    page = page_as(app, world, who).get(f"/ideas/{row.id}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Held for review: flagged by 3 people." in text
    assert ("Flagged idea held for review" in text) is expected


# (b) Detail and history pages: 200 with the idea, or 404 without a trace of it.


@pytest.mark.parametrize(("who", "idea", "visible"), CASES)
def test_detail_and_history_pages(app, world, who, idea, visible):
    client = page_as(app, world, who)
    idea_id = world.ideas[idea]
    for path in (f"/ideas/{idea_id}", f"/ideas/{idea_id}/history"):
        response = client.get(path)
        html = response.get_data(as_text=True)
        if visible:
            assert response.status_code == 200, path
            assert str(escape(TITLES[idea])) in html
        else:
            assert response.status_code == 404, path
            assert "Not found" in html
            assert "No such idea." in html
            assert TITLES[idea] not in html
    if visible:
        detail = client.get(f"/ideas/{idea_id}").get_data(as_text=True)
        assert f"<h1>{escape(TITLES[idea])}</h1>" in detail
        assert ('class="badge confidential"' in detail) is idea.startswith("conf_")


def test_invisible_idea_answers_like_a_missing_one(app, world):
    """A customer asking for a suppliers' idea gets exactly what a wrong id gets."""
    client = page_as(app, world, "customer")
    client.get("/")  # shows (and so drops) the welcome message of the sign-in
    hidden = client.get(f"/ideas/{world.ideas['suppliers']}")
    missing = client.get("/ideas/987654")
    assert hidden.status_code == missing.status_code == 404
    # The CSRF token is signed with the second it was made: the two may straddle one.
    token = re.compile(
        rb'(name="csrf-token" content=|"X-CSRFToken": |name="csrf_token" value=)"[^"]+"'
    )
    assert token.sub(b"", hidden.get_data()) == token.sub(b"", missing.get_data())


# (c) Lists and counts on the pages.


@pytest.mark.parametrize("who", USERS)
def test_idea_list_page_shows_exactly_the_visible_ideas(app, world, who):
    client = page_as(app, world, who)
    response = client.get("/ideas")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert list_total(html) == len(VISIBLE[who])
    assert linked_idea_ids(html) == ids_of(world, VISIBLE[who])
    for name in EVERYTHING - VISIBLE[who]:
        assert TITLES[name] not in html
    for name in VISIBLE[who]:
        assert str(escape(TITLES[name])) in html


@pytest.mark.parametrize("who", USERS)
def test_idea_list_page_filtered_by_category(app, world, who):
    """Counts per category: an invisible category lists nothing and counts nothing."""
    client = page_as(app, world, who)
    for audience, slug in SLUGS.items():
        expected = {i for i in VISIBLE[who] if IDEA_AUDIENCE[i] == audience}
        html = client.get(f"/ideas?category={slug}").get_data(as_text=True)
        assert list_total(html) == len(expected), slug
        assert linked_idea_ids(html) == ids_of(world, expected), slug
    for sort in ("trending", "top", "new", "discussed"):
        html = client.get(f"/ideas?sort={sort}").get_data(as_text=True)
        assert linked_idea_ids(html) == ids_of(world, VISIBLE[who]), sort


@pytest.mark.parametrize("who", USERS)
def test_home_page_shows_exactly_the_visible_ideas_and_categories(app, world, who):
    client = page_as(app, world, who)
    response = client.get("/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert linked_idea_ids(html) == ids_of(world, VISIBLE[who])
    count = len(VISIBLE[who])
    assert f"All {count} idea{'' if count == 1 else 's'}" in html
    for name in EVERYTHING - VISIBLE[who]:
        assert TITLES[name] not in html
    linked_slugs = set(re.findall(r'href="/ideas\?category=([\w-]+)"', html))
    assert linked_slugs == {SLUGS[a] for a in AUDIENCES_SEEN[who]}


# (d) The API: detail, list and total, with the viewer's bearer token.


@pytest.mark.parametrize(("who", "idea", "visible"), CASES)
def test_api_idea_detail(client, world, token_for, who, idea, visible):
    headers = api_headers(world, token_for, who)
    idea_id = world.ideas[idea]
    response = client.get(f"/api/v1/ideas/{idea_id}", headers=headers)
    comments = client.get(f"/api/v1/ideas/{idea_id}/comments", headers=headers)
    if visible:
        assert response.status_code == 200
        body = response.get_json()
        assert body["id"] == idea_id
        assert body["title"] == TITLES[idea]
        assert body["confidential"] is idea.startswith("conf_")
        assert body["category"] == {
            "slug": SLUGS[IDEA_AUDIENCE[idea]],
            "name": body["category"]["name"],
            "audience": IDEA_AUDIENCE[idea],
        }
        assert comments.status_code == 200
        assert comments.get_json()["total"] == 0
    else:
        missing = client.get("/api/v1/ideas/987654", headers=headers)
        assert response.status_code == 404
        assert response.get_json()["error"]["code"] == "not_found"
        assert response.get_json() == missing.get_json()
        assert comments.status_code == 404
        assert comments.get_json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("who", USERS)
def test_api_idea_list_and_total(client, world, token_for, who):
    headers = api_headers(world, token_for, who)
    response = client.get("/api/v1/ideas?per_page=100", headers=headers)
    assert response.status_code == 200
    body = response.get_json()
    assert body["total"] == len(VISIBLE[who])
    assert {item["id"] for item in body["items"]} == ids_of(world, VISIBLE[who])
    assert {item["title"] for item in body["items"]} == {TITLES[i] for i in VISIBLE[who]}
    for audience, slug in SLUGS.items():
        expected = {i for i in VISIBLE[who] if IDEA_AUDIENCE[i] == audience}
        body = client.get(f"/api/v1/ideas?category={slug}", headers=headers).get_json()
        assert body["total"] == len(expected), slug
        assert {item["id"] for item in body["items"]} == ids_of(world, expected), slug
    # A small page still counts everything visible, and only that.
    body = client.get("/api/v1/ideas?per_page=1", headers=headers).get_json()
    assert body["total"] == len(VISIBLE[who])
    assert len(body["items"]) == min(1, len(VISIBLE[who]))


def test_api_ignores_the_session_cookie(app, world):
    """The API sees the token's user, not the page session: no token means anonymous."""
    client = page_as(app, world, "staff")
    assert client.get(f"/ideas/{world.ideas['conf_suppliers']}").status_code == 200
    assert client.get(f"/api/v1/ideas/{world.ideas['conf_suppliers']}").status_code == 404
    assert client.get("/api/v1/ideas").get_json()["total"] == len(VISIBLE["anonymous"])


# (e) Categories.


@pytest.mark.parametrize("who", USERS)
def test_api_categories_lists_only_visible_audiences(client, world, token_for, who):
    response = client.get("/api/v1/categories", headers=api_headers(world, token_for, who))
    assert response.status_code == 200
    items = response.get_json()["items"]
    assert {c["audience"] for c in items} == AUDIENCES_SEEN[who]
    assert {c["slug"] for c in items} == {SLUGS[a] for a in AUDIENCES_SEEN[who]}
    assert response.get_json()["total"] == len(AUDIENCES_SEEN[who])


@pytest.mark.parametrize("who", SIGNED_IN)
def test_new_idea_form_offers_only_visible_categories(app, world, who):
    html = page_as(app, world, who).get("/ideas/new").get_data(as_text=True)
    offered = set(re.findall(r'<option[^>]*value="([\w-]+)"', html)) & set(SLUGS.values())
    assert offered == {SLUGS[a] for a in AUDIENCES_SEEN[who]}


# (f) Writes on an idea the viewer may not see: 404 on the page and in the API.


@pytest.mark.parametrize(("who", "idea", "visible"), SIGNED_IN_HIDDEN)
def test_cannot_vote_comment_or_follow_an_invisible_idea(app, world, token_for, who, idea, visible):
    client = page_as(app, world, who)
    headers = token_for(world.users[who])
    idea_id = world.ideas[idea]
    before = votes_and_comments(idea_id)

    for path, data in (
        (f"/ideas/{idea_id}/vote", {}),
        (f"/ideas/{idea_id}/comments", {"body": "I can see you"}),
        (f"/ideas/{idea_id}/follow", {}),
    ):
        response = client.post(path, data=data)
        assert response.status_code == 404, path
        assert TITLES[idea] not in response.get_data(as_text=True)

    api = [
        client.post(f"/api/v1/ideas/{idea_id}/vote", headers=headers),
        client.delete(f"/api/v1/ideas/{idea_id}/vote", headers=headers),
        client.post(f"/api/v1/ideas/{idea_id}/comments", json={"body": "Hi"}, headers=headers),
        client.patch(f"/api/v1/ideas/{idea_id}", json={"title": "Taken over"}, headers=headers),
    ]
    missing = client.post("/api/v1/ideas/987654/vote", headers=headers)
    for response in api:
        assert response.status_code == 404
        assert response.get_json() == missing.get_json()
        assert response.get_json()["error"]["code"] == "not_found"

    assert votes_and_comments(idea_id) == before
    db.session.expire_all()
    assert db.session.get(Idea, idea_id).title == TITLES[idea]


@pytest.mark.parametrize("idea", IDEAS)
def test_anonymous_writes_ask_for_sign_in_whatever_the_idea(client, world, idea):
    """Anonymous writes get the same answer on visible and invisible ideas: nothing leaks."""
    idea_id = world.ideas[idea]
    before = votes_and_comments(idea_id)
    for path in (f"/ideas/{idea_id}/vote", f"/ideas/{idea_id}/comments"):
        response = client.post(path, data={"body": "Hello there"})
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login?next=")
    for response in (
        client.post(f"/api/v1/ideas/{idea_id}/vote"),
        client.post(f"/api/v1/ideas/{idea_id}/comments", json={"body": "Hello"}),
    ):
        assert response.status_code == 401
        assert response.get_json()["error"]["code"] == "unauthorized"
    assert votes_and_comments(idea_id) == before


@pytest.mark.parametrize(("who", "idea", "visible"), SIGNED_IN_VISIBLE)
def test_can_vote_and_comment_on_a_visible_idea(app, world, token_for, who, idea, visible):
    """The positive control of the test above: the same requests work when visible."""
    client = page_as(app, world, who)
    headers = token_for(world.users[who])
    idea_id = world.ideas[idea]
    user_id = world.users[who].id

    response = client.post(f"/ideas/{idea_id}/vote")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/ideas/{idea_id}"
    assert db.session.scalar(
        select(Vote.id).where(Vote.idea_id == idea_id, Vote.user_id == user_id)
    )

    response = client.post(f"/ideas/{idea_id}/comments", data={"body": "Agreed, from the page"})
    assert response.status_code == 302
    response = client.post(
        f"/api/v1/ideas/{idea_id}/comments", json={"body": "Agreed, from the API"}, headers=headers
    )
    assert response.status_code == 201

    response = client.post(f"/api/v1/ideas/{idea_id}/vote", headers=headers)
    assert response.status_code == 200
    assert response.get_json() == {"votes": 2, "viewer_has_voted": True}
    comments = client.get(f"/api/v1/ideas/{idea_id}/comments", headers=headers).get_json()
    assert [c["body"] for c in comments["items"]] == [
        "Agreed, from the page",
        "Agreed, from the API",
    ]


# The pending supplier, before and after approval.


def test_pending_supplier_sees_what_a_customer_sees_and_nothing_confidential(app, world, token_for):
    client = page_as(app, world, "pending_a")
    html = client.get("/ideas").get_data(as_text=True)
    assert "waits for approval" in html
    assert linked_idea_ids(html) == ids_of(world, VISIBLE["customer"])
    for name in ("conf_public", "conf_suppliers", "suppliers"):
        assert client.get(f"/ideas/{world.ideas[name]}").status_code == 404
    form = client.get("/ideas/new").get_data(as_text=True)
    assert 'name="confidential"' not in form

    headers = token_for(world.users["pending_a"])
    me = client.get("/api/v1/me", headers=headers).get_json()
    assert (me["kind"], me["approved"], me["organization"]) == ("supplier", False, "Acme Metals")
    body = client.get("/api/v1/ideas", headers=headers).get_json()
    assert {i["id"] for i in body["items"]} == ids_of(world, VISIBLE["customer"])
    refused = client.post(
        "/api/v1/ideas",
        json={"title": "Secret plan of ours", "category": "open-forum", "confidential": True},
        headers=headers,
    )
    assert refused.status_code == 422
    assert "confidential" in refused.get_json()["error"]["fields"]


def test_approval_by_staff_makes_a_full_supplier(app, world, token_for):
    pending = world.users["pending_a"]
    pending_client = page_as(app, world, "pending_a")
    headers = token_for(pending)

    # Neither a customer nor another (approved) supplier may approve.
    for who in ("customer", "supplier_b"):
        response = page_as(app, world, who).post(f"/admin/users/{pending.id}/approve")
        assert response.status_code == 403, who
    db.session.expire_all()
    assert db.session.get(type(pending), pending.id).approved is False

    staff = page_as(app, world, "staff")
    queue = staff.get("/admin/approvals").get_data(as_text=True)
    assert pending.email in queue and "Acme Metals" in queue
    response = staff.post(f"/admin/users/{pending.id}/approve", data={"next": "/admin/approvals"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/approvals"
    after = staff.get("/admin/approvals").get_data(as_text=True)
    assert "Pat Pending is approved." in after
    assert pending.email not in after
    assert "No supplier is waiting for approval." in after

    # The same session and token now see what an approved supplier of org A sees.
    html = pending_client.get("/ideas").get_data(as_text=True)
    assert "waits for approval" not in html
    assert linked_idea_ids(html) == ids_of(world, VISIBLE["supplier_a"])
    assert list_total(html) == len(VISIBLE["supplier_a"])
    for name in IDEAS:
        expected = 200 if name in VISIBLE["supplier_a"] else 404
        assert pending_client.get(f"/ideas/{world.ideas[name]}").status_code == expected, name
    assert 'name="confidential"' in pending_client.get("/ideas/new").get_data(as_text=True)

    body = pending_client.get("/api/v1/ideas", headers=headers).get_json()
    assert body["total"] == len(VISIBLE["supplier_a"])
    assert {i["id"] for i in body["items"]} == ids_of(world, VISIBLE["supplier_a"])
    categories = pending_client.get("/api/v1/categories", headers=headers).get_json()
    assert {c["audience"] for c in categories["items"]} == AUDIENCES_SEEN["supplier_a"]
    assert pending_client.get("/api/v1/me", headers=headers).get_json()["approved"] is True

    # And may now post confidential ideas that org B does not see.
    response = pending_client.post(
        "/api/v1/ideas",
        json={
            "title": "Acme rebate scheme draft",
            "category": "supplier-hub",
            "confidential": True,
        },
        headers=headers,
    )
    assert response.status_code == 201
    new_id = response.get_json()["id"]
    assert page_as(app, world, "supplier_a").get(f"/ideas/{new_id}").status_code == 200
    assert page_as(app, world, "supplier_b").get(f"/ideas/{new_id}").status_code == 404
