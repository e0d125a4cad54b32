"""The JSON API contract (SPEC section 8): objects, rules, errors and hostile input."""

import json
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.accounts import service as accounts
from portal.extensions import db
from portal.ideas import service as ideas_service
from portal.ideas.models import Comment, Idea, Vote
from portal.timeutil import utcnow

API = "/api/v1"
TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
IDEA_FIELDS = (
    "id title body body_html kind status category author votes comments confidential "
    "item_id merged_into viewer_has_voted created_at updated_at url"
).split()
COMMENT_FIELDS = "id idea_id parent_id body body_html author official created_at edited_at".split()
ME_FIELDS = "id email display_name kind role organization".split()
HUGE = 2**70


# --- helpers -------------------------------------------------------------------------------


def assert_error(response, status: int, code: str) -> dict:
    """The SPEC error shape: {"error": {"code", "message"}} (+ "fields" on 422)."""
    text = response.get_data(as_text=True)
    assert response.status_code == status, text[:500]
    assert response.mimetype == "application/json", text[:200]
    body = response.get_json()
    assert set(body) == {"error"}, body
    error = body["error"]
    assert error["code"] == code, error
    assert isinstance(error["message"], str) and error["message"].strip(), error
    if status == 422:
        fields = error.get("fields")
        assert isinstance(fields, dict) and fields, error
        for name, messages in fields.items():
            assert isinstance(name, str)
            assert isinstance(messages, list) and messages, error
            assert all(isinstance(m, str) and m.strip() for m in messages), error
    return error


def assert_page_or_validation_error(response) -> None:
    """`page`/`per_page` that is not a positive whole number: 400 or 422, SPEC-shaped."""
    assert response.status_code in (400, 422), response.get_data(as_text=True)[:300]
    assert_error(
        response,
        response.status_code,
        {400: "bad_request", 422: "validation"}[response.status_code],
    )


def post_idea(client, headers, category, **fields):
    payload = {"title": "A perfectly fine title", "body": "Some *details*.", "category": category}
    payload.update(fields)
    return client.post(f"{API}/ideas", json=payload, headers=headers)


def created_idea(client, headers, category, **fields) -> dict:
    response = post_idea(client, headers, category, **fields)
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()


def raw(client, method, path, data, headers=None):
    """Send `data` (str or bytes) as a JSON-typed body, exactly as given."""
    headers = {"Content-Type": "application/json", **(headers or {})}
    return client.open(path, method=method, data=data, headers=headers)


def idea_count() -> int:
    return db.session.scalar(select(func.count(Idea.id))) or 0


def comment_count() -> int:
    return db.session.scalar(select(func.count(Comment.id))) or 0


def vote_count() -> int:
    return db.session.scalar(select(func.count(Vote.id))) or 0


def make_token(user) -> dict:
    _token, secret = accounts.create_token(user, "test")
    db.session.commit()
    return {"Authorization": f"Bearer {secret}"}


def make_public_idea(world):
    idea = ideas_service.post_idea(
        world.alice, title="An idea to poke at", body="", category=world.public.slug
    )
    db.session.commit()
    return idea


def suspend(user) -> None:
    user.suspended_until = utcnow() + timedelta(days=3)
    db.session.commit()


def _is_type(value, name: str) -> bool:
    return {
        "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
        "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
        "string": lambda v: isinstance(v, str),
        "boolean": lambda v: isinstance(v, bool),
        "null": lambda v: v is None,
        "object": lambda v: isinstance(v, dict),
        "array": lambda v: isinstance(v, list),
    }[name](value)


def validate(instance, schema: dict, document: dict, path: str = "$") -> None:
    """A small JSON Schema check (type, enum, required, properties, items, $ref, formats)."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        validate(instance, document["components"]["schemas"][name], document, path)
        return
    types = schema.get("type")
    if types:
        types = [types] if isinstance(types, str) else types
        assert any(_is_type(instance, t) for t in types), f"{path}: {instance!r} is not {types}"
    if "enum" in schema:
        assert instance in schema["enum"], f"{path}: {instance!r} not in {schema['enum']}"
    if isinstance(instance, str) and schema.get("format") == "date-time":
        assert TIMESTAMP.match(instance), f"{path}: {instance!r} is not a UTC timestamp"
    if isinstance(instance, str) and schema.get("format") == "uri":
        assert instance.startswith(("http://", "https://")), f"{path}: {instance!r}"
    if isinstance(instance, dict):
        for key in schema.get("required", []):
            assert key in instance, f"{path}: required {key!r} is missing"
        for key, sub in schema.get("properties", {}).items():
            if key in instance:
                validate(instance[key], sub, document, f"{path}.{key}")
    if isinstance(instance, list) and "items" in schema:
        for index, item in enumerate(instance):
            validate(item, schema["items"], document, f"{path}[{index}]")


@pytest.fixture
def world(make, token_for):
    """A small portal: a customer, another customer, a supplier, staff, a moderator."""

    class World:
        pass

    w = World()
    w.public = make.category("public")
    w.customers_only = make.category("customers")
    w.suppliers_only = make.category("suppliers")
    w.alice = make.user("customer", name="Alice")
    w.bob = make.user("customer", name="Bob")
    w.org = make.org("Acme Parts")
    w.supplier = make.user("supplier", org=w.org, name="Sam Supplier")
    w.staff = make.user("staff", name="Stella Staff")
    w.moderator = make.user("customer", role="moderator", name="Mo Derator")
    w.h_alice = token_for(w.alice)
    w.h_bob = token_for(w.bob)
    w.h_supplier = token_for(w.supplier)
    w.h_staff = token_for(w.staff)
    w.h_moderator = token_for(w.moderator)
    return w


# --- /me and /categories ---------------------------------------------------------------------


def test_me_describes_the_token_owner(client, world):
    response = client.get(f"{API}/me", headers=world.h_supplier)
    assert response.status_code == 200
    me = response.get_json()
    assert set(ME_FIELDS) <= set(me)
    assert me["id"] == world.supplier.id
    assert me["email"] == world.supplier.email
    assert me["display_name"] == "Sam Supplier"
    assert (me["kind"], me["role"], me["organization"]) == ("supplier", "member", "Acme Parts")

    me = client.get(f"{API}/me", headers=world.h_moderator).get_json()
    assert (me["kind"], me["role"], me["organization"]) == ("customer", "moderator", None)


def test_me_needs_a_token(client):
    assert_error(client.get(f"{API}/me"), 401, "unauthorized")


def test_categories_are_the_visible_ones(client, world):
    def slugs(headers=None):
        response = client.get(f"{API}/categories", headers=headers or {})
        assert response.status_code == 200
        body = response.get_json()
        assert set(body) >= {"items", "page", "per_page", "total"}
        assert body["total"] == len(body["items"])
        for item in body["items"]:
            assert set(item) >= {"slug", "name", "audience"}
        return {item["slug"] for item in body["items"]}

    public, customers, suppliers = (
        world.public.slug,
        world.customers_only.slug,
        world.suppliers_only.slug,
    )
    assert slugs() == {public}
    assert slugs(world.h_alice) == {public, customers}
    assert slugs(world.h_supplier) == {public, suppliers}
    assert slugs(world.h_staff) == {public, customers, suppliers}
    item = next(
        i for i in client.get(f"{API}/categories").get_json()["items"] if i["slug"] == public
    )
    assert item == {"slug": public, "name": world.public.name, "audience": "public"}


# --- POST /ideas and the idea object -----------------------------------------------------------


def test_post_idea_returns_201_and_the_full_idea_object(client, world):
    response = post_idea(
        client,
        world.h_alice,
        world.public.slug,
        title="Support <T> in lists",
        body="Please **bold** this.",
        kind="problem",
    )
    assert response.status_code == 201
    idea = response.get_json()
    assert set(IDEA_FIELDS) <= set(idea), set(IDEA_FIELDS) - set(idea)
    assert idea["title"] == "Support <T> in lists"
    assert idea["body"] == "Please **bold** this."
    assert "<strong>bold</strong>" in idea["body_html"]
    assert (idea["kind"], idea["status"]) == ("problem", "open")
    assert idea["category"] == {
        "slug": world.public.slug,
        "name": world.public.name,
        "audience": "public",
    }
    assert idea["author"] == {"id": world.alice.id, "display_name": "Alice", "kind": "customer"}
    assert (idea["votes"], idea["comments"], idea["viewer_has_voted"]) == (1, 0, True)
    assert (idea["confidential"], idea["item_id"], idea["merged_into"]) == (False, None, None)
    assert TIMESTAMP.match(idea["created_at"]), idea["created_at"]
    assert TIMESTAMP.match(idea["updated_at"]), idea["updated_at"]
    assert idea["url"].startswith("http") and idea["url"].endswith(f"/ideas/{idea['id']}")

    # The same object comes back from GET, for the author and for an anonymous reader.
    fetched = client.get(f"{API}/ideas/{idea['id']}", headers=world.h_alice).get_json()
    assert fetched == idea
    anonymous = client.get(f"{API}/ideas/{idea['id']}").get_json()
    assert anonymous["viewer_has_voted"] is False
    assert {k: v for k, v in anonymous.items() if k != "viewer_has_voted"} == {
        k: v for k, v in idea.items() if k != "viewer_has_voted"
    }


def test_post_idea_defaults_kind_to_idea(client, world):
    payload = {"title": "Defaults are fine", "category": world.public.slug}
    response = client.post(f"{API}/ideas", json=payload, headers=world.h_alice)
    assert response.status_code == 201
    idea = response.get_json()
    assert (idea["kind"], idea["body"], idea["confidential"]) == ("idea", "", False)


def test_confidential_ideas_are_for_the_suppliers_organization_and_staff(client, make, world):
    idea = created_idea(
        client,
        world.h_supplier,
        world.suppliers_only.slug,
        title="Cheaper pallets",
        confidential=True,
    )
    assert idea["confidential"] is True
    url = f"{API}/ideas/{idea['id']}"
    colleague = make.user("supplier", org=world.org)
    rival = make.user("supplier", org=make.org("Rival Parts"))
    assert client.get(url, headers=make_token(colleague)).status_code == 200
    assert client.get(url, headers=world.h_staff).status_code == 200
    assert_error(client.get(url, headers=make_token(rival)), 404, "not_found")
    assert_error(client.get(url, headers=world.h_alice), 404, "not_found")
    assert_error(client.get(url), 404, "not_found")
    listed = client.get(f"{API}/ideas", headers=make_token(rival)).get_json()
    assert idea["id"] not in [i["id"] for i in listed["items"]]


def test_customers_cannot_mark_confidential_or_post_where_they_cannot_see(client, world):
    response = post_idea(client, world.h_alice, world.public.slug, confidential=True)
    assert "confidential" in assert_error(response, 422, "validation")["fields"]
    response = post_idea(client, world.h_alice, world.suppliers_only.slug)
    assert "category" in assert_error(response, 422, "validation")["fields"]
    assert idea_count() == 0


def test_titles_are_plain_text_kept_exactly(client, world):
    for title in [
        "Support <T> in lists",
        "Emoji 🎉 support ✨ for 👩‍💻 teams",
        "Quotes \" ' & ampersands &amp; stay",
        "<script>alert(1)</script>",
    ]:
        idea = created_idea(
            client, world.h_alice, world.public.slug, title=title, body="Ünïcødé 🎉"
        )
        fetched = client.get(f"{API}/ideas/{idea['id']}").get_json()
        assert fetched["title"] == title
        assert fetched["body"] == "Ünïcødé 🎉"


# --- GET /ideas: filters, sort, pagination -----------------------------------------------------


def test_list_is_paginated_and_visible_only(client, make, world):
    public_ids = [make.idea(author=world.alice, category=world.public).id for _ in range(5)]
    hidden_from_anonymous = make.idea(author=world.alice, category=world.customers_only).id

    body = client.get(f"{API}/ideas?per_page=2").get_json()
    assert set(body) >= {"items", "page", "per_page", "total"}
    assert (body["page"], body["per_page"], body["total"]) == (1, 2, 5)
    seen = []
    for page in (1, 2, 3):
        items = client.get(f"{API}/ideas?per_page=2&page={page}").get_json()["items"]
        assert len(items) == (1 if page == 3 else 2)
        seen += [item["id"] for item in items]
    assert sorted(seen) == sorted(public_ids)
    beyond = client.get(f"{API}/ideas?per_page=2&page=4").get_json()
    assert (beyond["items"], beyond["total"]) == ([], 5)

    as_customer = client.get(f"{API}/ideas", headers=world.h_alice).get_json()
    assert as_customer["total"] == 6
    assert hidden_from_anonymous in [i["id"] for i in as_customer["items"]]
    assert as_customer["per_page"] == 20


def test_per_page_is_clamped_to_100(client, world):
    for n in range(101):
        ideas_service.post_idea(
            world.alice, title=f"Bulk idea {n:03}", body="", category=world.public.slug
        )
    db.session.commit()
    body = client.get(f"{API}/ideas?per_page=1000").get_json()
    assert (body["per_page"], body["total"], len(body["items"])) == (100, 101, 100)
    body = client.get(f"{API}/ideas?per_page=100&page=2").get_json()
    assert (body["page"], len(body["items"])) == (2, 1)
    assert len(client.get(f"{API}/ideas").get_json()["items"]) == 20


@pytest.mark.parametrize(
    "query",
    ["page=0", "page=-1", "page=abc", "page=1.5", "page=%20", "per_page=0", "per_page=-5",
     "per_page=abc", "per_page=1e3", "page=99999999999999999999999999x"],
)  # fmt: skip
def test_bad_page_arguments_are_refused(client, query):
    assert_page_or_validation_error(client.get(f"{API}/ideas?{query}"))


def test_filters_and_sorts(client, make, world):
    other = make.category("public")
    quiet = make.idea(author=world.alice, category=world.public, title="Quiet idea")
    loved = make.idea(author=world.alice, category=world.public, title="Loved idea", kind="praise")
    talked = make.idea(author=world.alice, category=other, title="Talked about idea")
    for headers in (world.h_bob, world.h_staff, world.h_supplier):
        assert client.post(f"{API}/ideas/{loved.id}/vote", headers=headers).status_code == 200
    for text in ("First!", "Second", "Third"):
        response = client.post(
            f"{API}/ideas/{talked.id}/comments", json={"body": text}, headers=world.h_bob
        )
        assert response.status_code == 201
    response = client.patch(
        f"{API}/ideas/{quiet.id}", json={"status": "planned"}, headers=world.h_staff
    )
    assert response.status_code == 200

    def ids(query=""):
        response = client.get(f"{API}/ideas?{query}")
        assert response.status_code == 200, response.get_data(as_text=True)
        return [item["id"] for item in response.get_json()["items"]]

    assert ids("sort=top")[0] == loved.id
    assert ids("sort=discussed")[0] == talked.id
    assert ids("sort=new") == [talked.id, loved.id, quiet.id]
    assert ids() == ids("sort=trending")
    assert set(ids()) == {quiet.id, loved.id, talked.id}
    assert ids(f"category={other.slug}") == [talked.id]
    assert ids(f"category={world.public.slug}&sort=new") == [loved.id, quiet.id]
    assert ids("status=planned") == [quiet.id]
    assert ids("kind=praise") == [loved.id]
    assert ids("kind=praise&status=planned") == []
    assert ids("category=no-such-category") == []


@pytest.mark.parametrize("query", ["sort=random", "status=nope", "kind=nope", "category=a%00b"])
def test_bad_filters_are_validation_errors(client, world, query):
    assert_error(client.get(f"{API}/ideas?{query}"), 422, "validation")


def test_the_ideas_page_refuses_a_nul_in_its_category_filter_too(client):
    # A NUL in a query parameter reached PostgreSQL and crashed with a 500.
    response = client.get("/ideas?category=a%00b")
    assert response.status_code == 422


@pytest.mark.parametrize("path", [f"{API}/items", "/roadmap"])
def test_the_item_lists_refuse_a_nul_in_their_category_filter(client, path):
    # The long API fuzz run found it: the item list's category reached PostgreSQL with its
    # NUL and the answer was a 500.
    response = client.get(f"{path}?status=in_progress&category=a%00b")
    assert response.status_code == 422
    if path.startswith(API):
        assert_error(response, 422, "validation")


# --- GET / PATCH /ideas/<id> --------------------------------------------------------------------


def test_author_edits_title_and_body(client, world):
    idea = created_idea(client, world.h_alice, world.public.slug)
    url = f"{API}/ideas/{idea['id']}"
    response = client.patch(
        url, json={"title": "A better title", "body": "Now with _emphasis_."}, headers=world.h_alice
    )
    assert response.status_code == 200
    edited = response.get_json()
    assert (edited["title"], edited["body"]) == ("A better title", "Now with _emphasis_.")
    assert "<em>emphasis</em>" in edited["body_html"]
    assert edited["updated_at"] >= idea["updated_at"]
    assert client.get(url).get_json()["title"] == "A better title"

    response = client.patch(url, json={"body": "Only the body."}, headers=world.h_alice)
    assert response.get_json()["title"] == "A better title"
    assert response.get_json()["body"] == "Only the body."


def test_only_the_author_edits(client, world):
    idea = created_idea(client, world.h_alice, world.public.slug, title="Original title")
    url = f"{API}/ideas/{idea['id']}"
    for headers in (world.h_bob, world.h_staff, world.h_supplier):
        assert_error(
            client.patch(url, json={"title": "Hijacked!"}, headers=headers), 403, "forbidden"
        )
    assert_error(client.patch(url, json={"title": "Hijacked!"}), 401, "unauthorized")
    assert client.get(url).get_json()["title"] == "Original title"


def test_staff_set_status_with_a_note(client, world):
    idea = created_idea(client, world.h_alice, world.public.slug)
    url = f"{API}/ideas/{idea['id']}"
    response = client.patch(
        url, json={"status": "planned", "note": "Coming in Q3."}, headers=world.h_staff
    )
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "planned"
    assert body.get("status_note") == "Coming in Q3."
    response = client.patch(url, json={"status": "in_progress"}, headers=world.h_staff)
    assert response.get_json()["status"] == "in_progress"

    assert_error(
        client.patch(url, json={"status": "nope"}, headers=world.h_staff), 422, "validation"
    )
    error = assert_error(
        client.patch(url, json={"note": "x"}, headers=world.h_staff), 422, "validation"
    )
    assert "status" in error["fields"]
    assert client.get(url).get_json()["status"] == "in_progress"


def test_customers_cannot_set_a_status_even_on_their_own_idea(client, world):
    idea = created_idea(client, world.h_alice, world.public.slug)
    url = f"{API}/ideas/{idea['id']}"
    assert_error(
        client.patch(url, json={"status": "done"}, headers=world.h_alice), 403, "forbidden"
    )
    assert_error(client.patch(url, json={"status": "done"}, headers=world.h_bob), 403, "forbidden")
    assert_error(
        client.patch(
            url, json={"title": "Renamed and done", "status": "done"}, headers=world.h_alice
        ),
        403,
        "forbidden",
    )
    current = client.get(url).get_json()
    assert (current["status"], current["title"]) == ("open", idea["title"])


def test_patch_with_nothing_known_is_a_validation_error(client, world):
    idea = created_idea(client, world.h_alice, world.public.slug)
    response = client.patch(
        f"{API}/ideas/{idea['id']}", json={"color": "red"}, headers=world.h_alice
    )
    assert_error(response, 422, "validation")


def test_invisible_ideas_answer_404_everywhere(client, make, world):
    idea = make.idea(author=world.alice, category=world.customers_only)
    base = f"{API}/ideas/{idea.id}"
    for method, path, payload in [
        ("GET", base, None),
        ("GET", f"{base}/comments", None),
        ("POST", f"{base}/vote", None),
        ("DELETE", f"{base}/vote", None),
        ("POST", f"{base}/comments", {"body": "Hello"}),
        ("PATCH", base, {"title": "Sneaky title"}),
    ]:
        response = client.open(path, method=method, json=payload, headers=world.h_supplier)
        assert_error(response, 404, "not_found")
    assert_error(client.get(base), 404, "not_found")
    assert client.get(base, headers=world.h_bob).status_code == 200


# --- votes ----------------------------------------------------------------------------------------


def test_votes_are_idempotent_and_count_the_authors_own(client, world):
    idea = created_idea(client, world.h_alice, world.public.slug)
    url = f"{API}/ideas/{idea['id']}/vote"
    assert idea["votes"] == 1

    def vote(method, headers):
        response = client.open(url, method=method, headers=headers)
        assert response.status_code == 200, response.get_data(as_text=True)
        body = response.get_json()
        assert set(body) >= {"votes", "viewer_has_voted"}
        return body["votes"], body["viewer_has_voted"]

    assert vote("POST", world.h_alice) == (1, True)  # already supports it
    assert vote("POST", world.h_bob) == (2, True)
    assert vote("POST", world.h_bob) == (2, True)
    assert vote("POST", world.h_staff) == (3, True)
    assert vote("DELETE", world.h_bob) == (2, False)
    assert vote("DELETE", world.h_bob) == (2, False)
    assert vote("DELETE", world.h_alice) == (1, False)
    assert vote("DELETE", world.h_alice) == (1, False)

    fetched = client.get(f"{API}/ideas/{idea['id']}", headers=world.h_staff).get_json()
    assert (fetched["votes"], fetched["viewer_has_voted"]) == (1, True)
    assert (
        client.get(f"{API}/ideas/{idea['id']}", headers=world.h_bob).get_json()["viewer_has_voted"]
        is False
    )
    assert vote_count() == 1


def test_voting_needs_a_token(client, world):
    idea = created_idea(client, world.h_alice, world.public.slug)
    assert_error(client.post(f"{API}/ideas/{idea['id']}/vote"), 401, "unauthorized")
    assert_error(client.delete(f"{API}/ideas/{idea['id']}/vote"), 401, "unauthorized")


@pytest.mark.parametrize("state", ["done", "declined", "locked", "merged"])
def test_votes_are_closed_on_settled_locked_and_merged_ideas(client, make, world, state):
    idea = make.idea(author=world.alice, category=world.public)
    if state in ("done", "declined"):
        response = client.patch(
            f"{API}/ideas/{idea.id}", json={"status": state}, headers=world.h_staff
        )
        assert response.status_code == 200
    elif state == "locked":
        idea.locked = True
        db.session.commit()
    else:
        original = make.idea(author=world.bob, category=world.public)
        idea.merged_into_id = original.id
        idea.status = "duplicate"
        db.session.commit()
    response = client.post(f"{API}/ideas/{idea.id}/vote", headers=world.h_bob)
    assert_error(response, 409, "conflict")
    fetched = client.get(f"{API}/ideas/{idea.id}", headers=world.h_bob).get_json()
    assert (fetched["votes"], fetched["viewer_has_voted"]) == (1, False)
    if state == "merged":
        # In the API a duplicate still answers itself, naming its original.
        assert (fetched["id"], fetched["merged_into"]) == (idea.id, idea.merged_into_id)


# --- comments -----------------------------------------------------------------------------------


def test_comments_flat_in_order_with_replies_one_level_deep(client, world):
    idea = created_idea(client, world.h_alice, world.public.slug)
    url = f"{API}/ideas/{idea['id']}/comments"

    def comment(headers, body, parent_id=None):
        payload = {"body": body} if parent_id is None else {"body": body, "parent_id": parent_id}
        response = client.post(url, json=payload, headers=headers)
        assert response.status_code == 201, response.get_data(as_text=True)
        return response.get_json()

    first = comment(world.h_bob, "First, with **markdown**.")
    assert set(COMMENT_FIELDS) <= set(first)
    assert (first["idea_id"], first["parent_id"], first["official"]) == (idea["id"], None, False)
    assert first["author"] == {"id": world.bob.id, "display_name": "Bob", "kind": "customer"}
    assert "<strong>markdown</strong>" in first["body_html"]
    assert TIMESTAMP.match(first["created_at"]) and first["edited_at"] is None

    reply = comment(world.h_alice, "A reply.", first["id"])
    assert reply["parent_id"] == first["id"]
    reply_to_reply = comment(world.h_staff, "A reply to the reply.", str(reply["id"]))
    assert reply_to_reply["parent_id"] == first["id"]
    second = comment(world.h_supplier, "Second top-level.")

    listed = client.get(url)
    assert listed.status_code == 200
    body = listed.get_json()
    assert set(body) >= {"items", "page", "per_page", "total"}
    assert body["total"] == 4
    assert [(c["id"], c["parent_id"]) for c in body["items"]] == [
        (first["id"], None),
        (reply["id"], first["id"]),
        (reply_to_reply["id"], first["id"]),
        (second["id"], None),
    ]
    assert body["items"][0] == first
    assert client.get(f"{API}/ideas/{idea['id']}").get_json()["comments"] == 4
    paged = client.get(f"{url}?per_page=2&page=2").get_json()
    assert [c["id"] for c in paged["items"]] == [reply_to_reply["id"], second["id"]]
    assert_page_or_validation_error(client.get(f"{url}?page=0"))


def test_comment_writes_need_a_token(client, world):
    idea = created_idea(client, world.h_alice, world.public.slug)
    url = f"{API}/ideas/{idea['id']}/comments"
    assert_error(client.post(url, json={"body": "Hi"}), 401, "unauthorized")
    assert comment_count() == 0
    assert client.get(url).status_code == 200


def test_authors_edit_their_comments(client, world):
    idea = created_idea(client, world.h_alice, world.public.slug)
    url = f"{API}/ideas/{idea['id']}/comments"
    comment = client.post(url, json={"body": "Typo hree"}, headers=world.h_bob).get_json()
    response = client.patch(
        f"{url}/{comment['id']}", json={"body": "Typo here"}, headers=world.h_bob
    )
    assert response.status_code == 200
    edited = response.get_json()
    assert edited["body"] == "Typo here" and TIMESTAMP.match(edited["edited_at"])
    response = client.patch(
        f"{url}/{comment['id']}", json={"body": "Mine now"}, headers=world.h_alice
    )
    assert_error(response, 403, "forbidden")


def test_staff_mark_a_staff_comment_official(client, world):
    idea = created_idea(client, world.h_alice, world.public.slug)
    url = f"{API}/ideas/{idea['id']}/comments"
    answer = client.post(url, json={"body": "We are on it."}, headers=world.h_staff).get_json()
    customer = client.post(url, json={"body": "Me too"}, headers=world.h_bob).get_json()
    assert answer["official"] is False

    response = client.patch(f"{url}/{answer['id']}", json={"official": True}, headers=world.h_staff)
    assert response.status_code == 200 and response.get_json()["official"] is True
    assert client.get(url).get_json()["items"][0]["official"] is True

    assert_error(
        client.patch(f"{url}/{answer['id']}", json={"official": False}, headers=world.h_bob),
        403,
        "forbidden",
    )
    assert_error(
        client.patch(f"{url}/{customer['id']}", json={"official": True}, headers=world.h_staff),
        422,
        "validation",
    )
    assert_error(
        client.patch(f"{url}/{answer['id']}", json={"official": "yes"}, headers=world.h_staff),
        422,
        "validation",
    )
    response = client.patch(
        f"{url}/{answer['id']}", json={"official": False}, headers=world.h_staff
    )
    assert response.get_json()["official"] is False


@pytest.mark.parametrize("state", ["locked", "merged"])
def test_no_comments_on_locked_or_merged_ideas(client, make, world, state):
    idea = make.idea(author=world.alice, category=world.public)
    if state == "locked":
        idea.locked = True
    else:
        idea.merged_into_id = make.idea(author=world.bob, category=world.public).id
    db.session.commit()
    response = client.post(
        f"{API}/ideas/{idea.id}/comments", json={"body": "Still here?"}, headers=world.h_bob
    )
    assert_error(response, 409, "conflict")
    assert comment_count() == 0
    assert client.get(f"{API}/ideas/{idea.id}/comments").status_code == 200


def test_deleting_a_comment_leaves_a_tombstone(client, world):
    idea = created_idea(client, world.h_alice, world.public.slug)
    url = f"{API}/ideas/{idea['id']}/comments"
    doomed = client.post(url, json={"body": "Regrettable words"}, headers=world.h_bob).get_json()
    reply = client.post(
        url, json={"body": "A reply", "parent_id": doomed["id"]}, headers=world.h_alice
    ).get_json()

    assert_error(client.delete(f"{url}/{doomed['id']}", headers=world.h_alice), 403, "forbidden")
    assert_error(client.delete(f"{url}/{doomed['id']}"), 401, "unauthorized")

    response = client.delete(f"{url}/{doomed['id']}", headers=world.h_bob)
    assert response.status_code == 200
    tombstone = response.get_json()
    assert tombstone["id"] == doomed["id"]
    assert tombstone["body"] == "" and "Regrettable" not in tombstone["body_html"]
    assert tombstone.get("deleted") is True

    listed = client.get(url).get_json()["items"]
    assert [c["id"] for c in listed] == [doomed["id"], reply["id"]]
    assert "Regrettable" not in json.dumps(listed)
    assert listed[1]["parent_id"] == doomed["id"]
    assert client.get(f"{API}/ideas/{idea['id']}").get_json()["comments"] == 1
    assert client.delete(f"{url}/{doomed['id']}", headers=world.h_bob).status_code in (
        403,
        404,
        409,
    )


@pytest.mark.parametrize(
    "parent_id",
    [{}, [], "abc", HUGE, 2**31, -1, 0, 1.5, True, str(HUGE), "1; DROP TABLE comment"],
    ids=[
        "object",
        "list",
        "text",
        "huge",
        "int4-overflow",
        "negative",
        "zero",
        "float",
        "bool",
        "huge-text",
        "sql",
    ],
)
def test_bad_parent_ids_are_validation_errors(client, world, parent_id):
    idea = created_idea(client, world.h_alice, world.public.slug)
    response = client.post(
        f"{API}/ideas/{idea['id']}/comments",
        json={"body": "Reply", "parent_id": parent_id},
        headers=world.h_bob,
    )
    assert "parent_id" in assert_error(response, 422, "validation")["fields"]
    assert comment_count() == 0


def test_a_parent_from_another_idea_is_refused(client, world):
    one = created_idea(client, world.h_alice, world.public.slug)
    two = created_idea(client, world.h_alice, world.public.slug)
    elsewhere = client.post(
        f"{API}/ideas/{one['id']}/comments", json={"body": "On one"}, headers=world.h_bob
    ).get_json()
    response = client.post(
        f"{API}/ideas/{two['id']}/comments",
        json={"body": "Reply", "parent_id": elsewhere["id"]},
        headers=world.h_bob,
    )
    assert "parent_id" in assert_error(response, 422, "validation")["fields"]


@pytest.mark.parametrize(
    "body", ["", "   ", None, 42, ["a"], "nul \x00 inside", "bell \x07", "x" * 10_001]
)
def test_bad_comment_bodies_are_validation_errors(client, world, body):
    idea = created_idea(client, world.h_alice, world.public.slug)
    response = client.post(
        f"{API}/ideas/{idea['id']}/comments", json={"body": body}, headers=world.h_bob
    )
    assert "body" in assert_error(response, 422, "validation")["fields"]
    assert comment_count() == 0


# --- authentication ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "authorization",
    ["Bearer", "Bearer ", "Bearer    ", "Basic dXNlcjpwYXNz", "Token pt_abc", "pt_abc",
     "Bearer pt_unknown_token", "Bearer " + "x" * 5000, "bearer", ""],
)  # fmt: skip
def test_malformed_and_unknown_tokens_are_401_even_on_reads(client, world, authorization):
    headers = {"Authorization": authorization}
    for path in ("/ideas", "/categories", "/me", "/openapi.json"):
        assert_error(client.get(f"{API}{path}", headers=headers), 401, "unauthorized")
    assert_error(post_idea(client, headers, world.public.slug), 401, "unauthorized")
    assert idea_count() == 0


def test_a_revoked_token_is_401_even_on_reads(client, world):
    token, secret = accounts.create_token(world.bob, "short-lived")
    db.session.commit()
    headers = {"Authorization": f"Bearer {secret}"}
    assert client.get(f"{API}/me", headers=headers).get_json()["id"] == world.bob.id
    accounts.revoke_token(world.bob, token.id)
    db.session.commit()
    assert_error(client.get(f"{API}/ideas", headers=headers), 401, "unauthorized")
    assert_error(client.get(f"{API}/me", headers=headers), 401, "unauthorized")
    # Other tokens of the same user still work.
    assert client.get(f"{API}/me", headers=world.h_bob).status_code == 200


def test_the_bearer_scheme_is_case_insensitive_and_spaces_are_trimmed(client, world):
    secret = world.h_bob["Authorization"].split(" ", 1)[1]
    for header in (f"bearer {secret}", f"BEARER {secret}", f"Bearer   {secret}  "):
        response = client.get(f"{API}/me", headers={"Authorization": header})
        assert response.status_code == 200, header
        assert response.get_json()["id"] == world.bob.id


@pytest.mark.parametrize(
    "method, path, payload",
    [
        ("POST", "/ideas", {"title": "Anonymous idea", "category": "x"}),
        ("PATCH", "/ideas/{id}", {"title": "Anonymous edit"}),
        ("POST", "/ideas/{id}/vote", None),
        ("DELETE", "/ideas/{id}/vote", None),
        ("POST", "/ideas/{id}/comments", {"body": "Anonymous comment"}),
        ("PATCH", "/ideas/{id}/comments/{cid}", {"body": "Anonymous edit"}),
        ("DELETE", "/ideas/{id}/comments/{cid}", None),
    ],
)
def test_writes_without_a_token_are_401(client, make, world, method, path, payload):
    idea = make.idea(author=world.alice, category=world.public)
    comment = client.post(
        f"{API}/ideas/{idea.id}/comments", json={"body": "Mine"}, headers=world.h_alice
    ).get_json()
    before = (idea_count(), comment_count(), vote_count())
    url = API + path.format(id=idea.id, cid=comment["id"])
    assert_error(client.open(url, method=method, json=payload), 401, "unauthorized")
    assert (idea_count(), comment_count(), vote_count()) == before


def test_session_cookies_are_ignored_by_the_api(client, login, world):
    login(world.alice)
    assert client.get("/account").status_code == 200  # the browser session works for pages
    assert_error(client.get(f"{API}/me"), 401, "unauthorized")
    assert_error(post_idea(client, {}, world.public.slug), 401, "unauthorized")
    assert idea_count() == 0
    # With a token, the token decides who is asking, not the session.
    me = client.get(f"{API}/me", headers=world.h_bob).get_json()
    assert me["id"] == world.bob.id
    # Visibility follows the token too: the signed-in customer's session grants nothing.
    categories = client.get(f"{API}/categories").get_json()["items"]
    assert {c["audience"] for c in categories} == {"public"}


def test_a_suspended_user_can_read_but_every_write_is_403(client, make, world):
    idea = make.idea(author=world.bob, category=world.public)
    base = f"{API}/ideas/{idea.id}"
    own_comment = client.post(
        f"{base}/comments", json={"body": "Before the suspension"}, headers=world.h_bob
    ).get_json()
    other = make.idea(author=world.alice, category=world.public)
    suspend(world.bob)
    before = (idea_count(), comment_count(), vote_count())

    writes = [
        ("POST", f"{API}/ideas", {"title": "Suspended idea", "category": world.public.slug}),
        ("PATCH", base, {"title": "Suspended edit"}),
        ("DELETE", f"{base}/vote", None),
        ("POST", f"{base}/comments", {"body": "Suspended comment"}),
        ("PATCH", f"{base}/comments/{own_comment['id']}", {"body": "Suspended edit"}),
        ("DELETE", f"{base}/comments/{own_comment['id']}", None),
    ]
    for method, url, payload in writes:
        response = client.open(url, method=method, json=payload, headers=world.h_bob)
        assert_error(response, 403, "forbidden")
    assert_error(client.post(f"{API}/ideas/{other.id}/vote", headers=world.h_bob), 403, "forbidden")

    assert (idea_count(), comment_count(), vote_count()) == before
    assert client.get(base).get_json()["title"] == idea.title
    assert client.get(f"{API}/me", headers=world.h_bob).status_code == 200
    assert client.get(f"{API}/ideas", headers=world.h_bob).status_code == 200


def test_a_suspended_staff_member_cannot_change_status(client, world):
    idea = created_idea(client, world.h_alice, world.public.slug)
    suspend(world.staff)
    response = client.patch(
        f"{API}/ideas/{idea['id']}", json={"status": "planned"}, headers=world.h_staff
    )
    assert_error(response, 403, "forbidden")
    assert client.get(f"{API}/ideas/{idea['id']}").get_json()["status"] == "open"


# --- bad input never gives a 500 ----------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    ["{not json", "", "{'single': 'quotes'}", '{"title": "unterminated', "\xff\xfe garbage",
     "[]", "[1, 2]", '"a string"', "42", "null", "true", "[" * 100_000,
     '{"a":' * 100_000],
    ids=["broken", "empty", "single-quotes", "unterminated", "latin1", "array", "list",
         "string", "number", "null", "true", "deep-array", "deep-object"],
)  # fmt: skip
def test_bodies_that_are_not_a_json_object_are_400(client, world, data):
    idea = make_public_idea(world)
    for method, path in [
        ("POST", "/ideas"),
        ("PATCH", f"/ideas/{idea.id}"),
        ("POST", f"/ideas/{idea.id}/comments"),
    ]:
        response = raw(client, method, API + path, data, world.h_alice)
        assert_error(response, 400, "bad_request")
    assert (idea_count(), comment_count()) == (1, 0)


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"title": 42}, "title"),
        ({"title": ["a", "list"]}, "title"),
        ({"title": None}, "title"),
        ({"title": {"text": "nested"}}, "title"),
        ({"title": "Tiny"}, "title"),
        ({"title": "     ab     "}, "title"),
        ({"title": "x" * 151}, "title"),
        ({"title": "x" * 10_000}, "title"),
        ({"title": "NUL \x00 in the title"}, "title"),
        ({"title": "Escape \x1b[31m red"}, "title"),
        ({"title": "Delete \x7f char"}, "title"),
        ({"title": "Lone surrogate \ud800 here"}, "title"),
        ({"body": "NUL \x00 in the body"}, "body"),
        ({"body": "Backspace \x08 in the body"}, "body"),
        ({"body": "Lone surrogate \udfff here"}, "body"),
        ({"body": 12}, "body"),
        ({"body": "x" * 20_001}, "body"),
        ({"confidential": "yes"}, "confidential"),
        ({"confidential": 1}, "confidential"),
        ({"confidential": None}, "confidential"),
        ({"kind": "nope"}, "kind"),
        ({"kind": ["idea"]}, "kind"),
        ({"category": "no-such-category"}, "category"),
        ({"category": None}, "category"),
        ({"category": 7}, "category"),
        ({"category": "a\x00b"}, "category"),
        ({"category": "\ud800"}, "category"),
    ],
)
def test_wrong_types_and_bad_text_are_validation_errors(client, world, changes, field):
    payload = {"title": "A perfectly fine title", "body": "Fine.", "category": world.public.slug}
    payload.update(changes)
    data = json.dumps(payload)  # ensure_ascii keeps lone surrogates as \\udXXX escapes
    response = raw(client, "POST", f"{API}/ideas", data, world.h_alice)
    error = assert_error(response, 422, "validation")
    assert field in error["fields"], error
    assert idea_count() == 0


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"title": 42}, "title"),
        ({"title": "x" * 10_000}, "title"),
        ({"title": "NUL \x00 title"}, "title"),
        ({"body": "NUL \x00 body"}, "body"),
        ({"body": "Lone \ud800 surrogate"}, "body"),
        ({"status": "planned", "note": "NUL \x00 note"}, "note"),
    ],
)
def test_bad_text_in_patches_is_a_validation_error(client, world, changes, field):
    idea = created_idea(client, world.h_alice, world.public.slug, body="Original body")
    headers = world.h_staff if "status" in changes else world.h_alice
    response = raw(client, "PATCH", f"{API}/ideas/{idea['id']}", json.dumps(changes), headers)
    assert field in assert_error(response, 422, "validation")["fields"]
    current = client.get(f"{API}/ideas/{idea['id']}").get_json()
    assert (current["title"], current["body"], current["status"]) == (
        idea["title"],
        "Original body",
        "open",
    )


def test_comment_with_control_characters_or_surrogates_is_refused(client, world):
    idea = created_idea(client, world.h_alice, world.public.slug)
    url = f"{API}/ideas/{idea['id']}/comments"
    for body in ("NUL \x00", "Lone \ud83d surrogate"):
        response = raw(client, "POST", url, json.dumps({"body": body}), world.h_bob)
        assert "body" in assert_error(response, 422, "validation")["fields"]
    assert comment_count() == 0
    # Tab and newline are ordinary text.
    response = client.post(url, json={"body": "Line one\n\tindented"}, headers=world.h_bob)
    assert response.status_code == 201


def test_emoji_and_tabs_and_newlines_are_fine(client, world):
    idea = created_idea(
        client,
        world.h_alice,
        world.public.slug,
        title="🎉" * 150,
        body="Lines\nand\ttabs\r\nand 👩‍👩‍👧‍👦 families",
    )
    fetched = client.get(f"{API}/ideas/{idea['id']}").get_json()
    assert fetched["title"] == "🎉" * 150
    assert "👩‍👩‍👧‍👦" in fetched["body"] and "\t" in fetched["body"]


def test_a_body_over_one_mebibyte_is_413(client, world):
    payload = json.dumps(
        {"title": "Big body here", "body": "a" * (1024 * 1024 + 16), "category": world.public.slug}
    )
    assert_error(raw(client, "POST", f"{API}/ideas", payload, world.h_alice), 413, "too_large")
    idea = make_public_idea(world)
    big_comment = json.dumps({"body": "b" * (1024 * 1024 + 1)})
    response = raw(client, "POST", f"{API}/ideas/{idea.id}/comments", big_comment, world.h_alice)
    assert_error(response, 413, "too_large")
    assert (idea_count(), comment_count()) == (1, 0)


def test_a_body_just_under_one_mebibyte_is_read(client, world):
    # Read (not refused as too large): it is then too long for an idea body, so 422.
    payload = json.dumps(
        {"title": "Big body here", "body": "a" * (1000 * 1000), "category": world.public.slug}
    )
    response = raw(client, "POST", f"{API}/ideas", payload, world.h_alice)
    assert "body" in assert_error(response, 422, "validation")["fields"]


@pytest.mark.parametrize(
    "method, path, allowed",
    [
        ("PUT", "/ideas", {"GET", "POST"}),
        ("DELETE", "/ideas", {"GET", "POST"}),
        ("POST", "/me", {"GET"}),
        ("DELETE", "/categories", {"GET"}),
        ("PUT", "/ideas/1", {"GET", "PATCH"}),
        ("DELETE", "/ideas/1", {"GET", "PATCH"}),
        ("GET", "/ideas/1/vote", {"POST", "DELETE"}),
        ("PATCH", "/ideas/1/vote", {"POST", "DELETE"}),
        ("PUT", "/ideas/1/comments", {"GET", "POST"}),
        ("GET", "/ideas/1/comments/1", {"PATCH", "DELETE"}),
        ("POST", "/openapi.json", {"GET"}),
    ],
)
def test_unknown_methods_are_405(client, world, method, path, allowed):
    response = client.open(API + path, method=method, json={}, headers=world.h_alice)
    assert_error(response, 405, "method_not_allowed")
    assert allowed <= {m.strip() for m in response.headers.get("Allow", "").split(",")}


@pytest.mark.parametrize(
    "path",
    ["/nope", "/ideas/abc", "/ideas/-1", "/ideas/1/nope", "/ideas/1.5", "/v2/ideas", "/", ""],
)
def test_unknown_paths_are_404_json(client, path):
    assert_error(client.get(API + path), 404, "not_found")


@pytest.mark.parametrize("number", [0, 2**31, 2**63 - 1, 2**63, 2**64, HUGE, 10**40])
def test_huge_and_missing_ids_are_404(client, world, number):
    idea = make_public_idea(world)
    h = world.h_alice
    checks = [
        ("GET", f"/ideas/{number}", None),
        ("PATCH", f"/ideas/{number}", {"title": "Does not exist"}),
        ("GET", f"/ideas/{number}/comments", None),
        ("POST", f"/ideas/{number}/comments", {"body": "Hello"}),
        ("POST", f"/ideas/{number}/vote", None),
        ("DELETE", f"/ideas/{number}/vote", None),
        ("PATCH", f"/ideas/{idea.id}/comments/{number}", {"body": "Hello"}),
        ("DELETE", f"/ideas/{idea.id}/comments/{number}", None),
    ]
    for method, path, payload in checks:
        response = client.open(API + path, method=method, json=payload, headers=h)
        assert_error(response, 404, "not_found")


def test_the_idea_pages_answer_404_for_huge_ids_too(client, login, world):
    login(world.alice)
    for number in (2**31, 2**63, HUGE):
        assert client.get(f"/ideas/{number}").status_code == 404
        assert client.get(f"/ideas/{number}/history").status_code == 404
        assert client.post(f"/ideas/{number}/vote").status_code == 404


def test_a_comment_of_another_idea_is_404_under_this_one(client, world):
    one = created_idea(client, world.h_alice, world.public.slug)
    two = created_idea(client, world.h_alice, world.public.slug)
    comment = client.post(
        f"{API}/ideas/{one['id']}/comments", json={"body": "On one"}, headers=world.h_alice
    ).get_json()
    url = f"{API}/ideas/{two['id']}/comments/{comment['id']}"
    assert_error(
        client.patch(url, json={"body": "Moved?"}, headers=world.h_alice), 404, "not_found"
    )
    assert_error(client.delete(url, headers=world.h_alice), 404, "not_found")


def test_responses_are_utf8_json(client, world):
    created_idea(client, world.h_alice, world.public.slug, title="Ünïcødé title ✓")
    response = client.get(f"{API}/ideas")
    assert response.mimetype == "application/json"
    assert response.get_json()["items"][0]["title"] == "Ünïcødé title ✓"


# --- OpenAPI --------------------------------------------------------------------------------------


def _api_routes(app) -> dict[str, set[str]]:
    routes: dict[str, set[str]] = {}
    for rule in app.url_map.iter_rules():
        if not (rule.rule == API or rule.rule.startswith(API + "/")):
            continue
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule[len(API) :])
        routes.setdefault(path, set()).update(
            m.lower() for m in (rule.methods or set()) - {"HEAD", "OPTIONS"}
        )
    return routes


def test_openapi_lists_every_api_route_and_only_those(app, client):
    response = client.get(f"{API}/openapi.json")
    assert response.status_code == 200
    document = response.get_json()
    assert document["openapi"].startswith("3.")
    assert document["info"]["title"] and document["info"]["version"]
    documented = {
        path: {m for m in operations if m in {"get", "post", "put", "patch", "delete"}}
        for path, operations in document["paths"].items()
    }
    routes = _api_routes(app)
    assert routes, "no API routes found"
    missing = {
        f"{method.upper()} {path}"
        for path, methods in routes.items()
        for method in methods - documented.get(path, set())
    }
    assert not missing, f"routes without OpenAPI description: {sorted(missing)}"
    phantom = {
        f"{method.upper()} {path}"
        for path, methods in documented.items()
        for method in methods - routes.get(path, set())
    }
    assert not phantom, f"documented but not served: {sorted(phantom)}"
    for path, operations in document["paths"].items():
        for method in documented[path]:
            responses = operations[method].get("responses")
            assert responses, f"{method.upper()} {path} documents no responses"
            for name in re.findall(r"{([^}]+)}", path):
                params = operations[method].get("parameters", []) + operations.get("parameters", [])
                assert any(p.get("in") == "path" and p.get("name") == name for p in params), (
                    f"{method.upper()} {path}: path parameter {name} is not described"
                )


def test_api_objects_validate_against_the_openapi_schemas(client, world):
    document = client.get(f"{API}/openapi.json").get_json()
    schemas = document["components"]["schemas"]
    assert set(IDEA_FIELDS) <= set(schemas["Idea"]["required"])
    assert set(COMMENT_FIELDS) <= set(schemas["Comment"]["required"])

    idea = created_idea(client, world.h_supplier, world.suppliers_only.slug, confidential=True)
    validate(idea, schemas["Idea"], document)
    client.patch(f"{API}/ideas/{idea['id']}", json={"status": "planned", "note": "Soon"},
                 headers=world.h_staff)  # fmt: skip
    validate(client.get(f"{API}/ideas/{idea['id']}", headers=world.h_staff).get_json(),
             schemas["Idea"], document)  # fmt: skip
    validate(client.get(f"{API}/ideas", headers=world.h_staff).get_json(),
             schemas["IdeaList"], document)  # fmt: skip
    comment = client.post(
        f"{API}/ideas/{idea['id']}/comments", json={"body": "Hi"}, headers=world.h_staff
    ).get_json()
    validate(comment, schemas["Comment"], document)
    comments = client.get(f"{API}/ideas/{idea['id']}/comments", headers=world.h_staff)
    validate(comments.get_json(), schemas["CommentList"], document)
    validate(client.get(f"{API}/me", headers=world.h_supplier).get_json(), schemas["Me"], document)
    validate(client.get(f"{API}/categories").get_json(), schemas["CategoryList"], document)
    for response in (
        client.get(f"{API}/ideas/{HUGE}"),
        client.get(f"{API}/me"),
        post_idea(client, world.h_alice, world.public.slug, title=5),
    ):
        validate(response.get_json(), schemas["Error"], document)


def _schema_of(document: dict, schema: dict) -> dict:
    if "$ref" in schema:
        return document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def test_every_operation_has_an_example_that_fits_its_schemas(client):
    """The reference at /api shows one example per operation: a request body where there is
    one, and the success answer; each fits the schema it illustrates."""
    document = client.get(f"{API}/openapi.json").get_json()
    for path, operations in document["paths"].items():
        if path == "/openapi.json":
            continue
        for method, operation in operations.items():
            where = f"{method.upper()} {path}"
            if "requestBody" in operation:
                media = next(iter(operation["requestBody"]["content"].values()))
                assert "example" in media, f"{where}: no request example"
                schema = _schema_of(document, media["schema"])
                validate(media["example"], schema, document, where)
                assert set(media["example"]) <= set(schema["properties"]), where
            success = next(code for code in operation["responses"] if code.startswith("2"))
            if success == "204":  # no content to show
                continue
            media = operation["responses"][success]["content"]["application/json"]
            assert "example" in media, f"{where}: no example of the {success} answer"
            schema = _schema_of(document, media["schema"])
            validate(media["example"], schema, document, where)
            assert set(media["example"]) <= set(schema["properties"]), where


def test_the_document_explains_authentication_and_errors(client):
    description = client.get(f"{API}/openapi.json").get_json()["info"]["description"]
    assert "# Authentication" in description and "# Errors" in description
    assert "Authorization: Bearer <token>" in description
    codes = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
             405: "method_not_allowed", 409: "conflict", 413: "too_large", 422: "validation",
             429: "rate_limited"}  # fmt: skip
    for status, code in codes.items():
        assert f"| {status} | `{code}` |" in description, status


def test_a_moderators_delete_needs_a_reason_as_documented(client, world):
    """Deleting someone else's comment is a moderation action: without a reason it is a 422,
    which the document lists, with the `reason` it takes (found by the long fuzz run)."""
    idea = created_idea(client, world.h_alice, world.public.slug)
    comment = client.post(
        f"{API}/ideas/{idea['id']}/comments", json={"body": "Buy cheap filters"},
        headers=world.h_alice,
    ).get_json()  # fmt: skip
    url = f"{API}/ideas/{idea['id']}/comments/{comment['id']}"
    response = client.delete(url, headers=world.h_moderator)
    assert response.status_code == 422, response.get_data(as_text=True)
    assert response.get_json()["error"]["fields"]["reason"]
    operation = client.get(f"{API}/openapi.json").get_json()["paths"][
        "/ideas/{idea_id}/comments/{comment_id}"
    ]["delete"]
    assert {"400", "409", "422"} <= set(operation["responses"])
    assert "reason" in {p["name"] for p in operation["parameters"] if p["in"] == "query"}
    response = client.delete(f"{url}?reason=Advertising", headers=world.h_moderator)
    assert response.status_code == 200 and response.get_json()["deleted"] is True
