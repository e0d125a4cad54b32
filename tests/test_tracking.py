"""From idea to shipped (SPEC section 6): promote, the item workflow, linked ideas, history,
who may see an item (API, item page, roadmap, changelog), and who hears that it shipped.

The expected answers are written out by hand (the workflow table, who sees the item with a
confidential idea, which followers are told), never computed with the code under test.
"""

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from portal.errors import Conflict, Forbidden, Invalid
from portal.extensions import db
from portal.ideas import service as ideas
from portal.ideas.models import Follow, Idea
from portal.notify.digest import send_due_digests
from portal.notify.models import Notification, OutboxMessage
from portal.timeutil import utcnow
from portal.tracking import service as tracking
from portal.tracking.models import ImprovementItem, ItemChange
from tests.conftest import PASSWORD

API = "/api/v1"
TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
ITEM_FIELDS = (
    "id title description status priority team owner idea_ids target_date history url".split()
)
HISTORY_FIELDS = {"from", "to", "by", "note", "at"}


# --- helpers -------------------------------------------------------------------------------


def client_as(app, user):
    """A test client signed in as `user` through the real sign-in form."""
    client = app.test_client()
    if user is not None:
        response = client.post("/login", data={"email": user.email, "password": PASSWORD})
        assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return client


def headers_for(token_for, user) -> dict:
    return token_for(user) if user is not None else {}


def fresh(model, ident):
    """The row as the database has it now (after another session or thread wrote it)."""
    db.session.commit()
    db.session.expire_all()
    return db.session.get(model, ident)


def idea_statuses(*idea_list) -> list[str]:
    return [fresh(Idea, i.id).status for i in idea_list]


def brief(user) -> dict:
    return {"id": user.id, "display_name": user.display_name, "kind": user.kind}


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    error = response.get_json()["error"]
    assert error["code"] == code, error
    assert error["message"].strip()
    return error


@pytest.fixture
def staff(make):
    return make.user(kind="staff", name="Stella Staff")


@pytest.fixture
def routed(make):
    """A public category routed to a team, and two public ideas in it by a customer."""
    team = make.team("Logistics")
    category = make.category("public", team=team)
    author = make.user(name="Carla Customer")
    first = make.idea(author=author, category=category, title="Label the pallets clearly")
    second = make.idea(author=author, category=category, title="Bigger labels on pallets")
    return team, category, author, first, second


# --- the service ---------------------------------------------------------------------------


def test_promote_then_ship_moves_linked_ideas_and_keeps_the_history(make, staff, routed):
    team, _category, _author, first, second = routed
    owner = make.user(kind="staff", name="Otto Owner")

    item = tracking.promote(
        staff,
        [first.id, second.id, first.id],
        owner_id=owner.id,
        priority="p2",
        target_date="2027-03-31",
    )
    db.session.commit()
    item = fresh(ImprovementItem, item.id)
    assert (item.status, item.priority, item.title) == ("planned", "p2", first.title)
    assert item.team_id == team.id, "the item goes to the team the category routes to"
    assert item.owner_id == owner.id and item.target_date.isoformat() == "2027-03-31"
    assert [i.id for i in tracking.linked_ideas(item)] == [first.id, second.id]
    assert idea_statuses(first, second) == ["planned", "planned"]

    tracking.update_item(staff, item, status="in_progress", note="Work started.")
    db.session.commit()
    assert idea_statuses(first, second) == ["in_progress", "in_progress"]

    tracking.update_item(staff, fresh(ImprovementItem, item.id), status="shipped", note="Live.")
    db.session.commit()
    item = fresh(ImprovementItem, item.id)
    assert item.status == "shipped" and item.shipped_at is not None
    assert idea_statuses(first, second) == ["done", "done"]

    changes = tracking.history(item)
    assert [(c.from_status, c.to_status, c.by_id, c.note) for c in changes] == [
        (None, "planned", staff.id, "Promoted from ideas."),
        ("planned", "in_progress", staff.id, "Work started."),
        ("in_progress", "shipped", staff.id, "Live."),
    ]
    assert all(c.created_at is not None for c in changes)
    assert changes[0].created_at <= changes[1].created_at <= changes[2].created_at
    # Each idea keeps its own status history, by the staff member who moved the item.
    steps = [(c.from_status, c.to_status, c.by_id) for c in ideas.status_history(first)]
    assert [s for s in steps if s[1] in ("planned", "in_progress", "done")] == [
        ("open", "planned", staff.id),
        ("planned", "in_progress", staff.id),
        ("in_progress", "done", staff.id),
    ], steps

    # Shipped is the end of the road: nothing changes on a refused move.
    with pytest.raises(Invalid):
        tracking.update_item(staff, item, status="planned")
    db.session.rollback()
    assert fresh(ImprovementItem, item.id).status == "shipped"
    assert idea_statuses(first, second) == ["done", "done"]
    assert len(tracking.history(item)) == 3


def test_dropped_item_returns_its_ideas_to_review_and_may_be_planned_again(staff, routed):
    *_, first, second = routed
    item = tracking.promote(staff, [first.id, second.id])
    db.session.commit()
    tracking.update_item(staff, item, status="dropped", note="Not this year.")
    db.session.commit()
    assert idea_statuses(first, second) == ["under_review", "under_review"]
    # The ideas stay linked: planning the item again brings them back along.
    tracking.update_item(staff, fresh(ImprovementItem, item.id), status="planned")
    db.session.commit()
    assert idea_statuses(first, second) == ["planned", "planned"]
    assert [c.to_status for c in tracking.history(item)] == ["planned", "dropped", "planned"]


def test_promoting_a_linked_idea_again_is_a_conflict(staff, routed):
    *_, first, second = routed
    tracking.promote(staff, [first.id])
    db.session.commit()
    with pytest.raises(Conflict):
        tracking.promote(staff, [second.id, first.id])
    db.session.rollback()
    assert db.session.scalar(select(func.count(ImprovementItem.id))) == 1
    assert fresh(Idea, second.id).item_id is None, "a refused promote links nothing"


@pytest.mark.parametrize(
    "kind, role",
    [("customer", "member"), ("supplier", "member"), ("customer", "moderator")],
)
def test_only_staff_promote_in_the_service(make, routed, kind, role):
    *_, first, _second = routed
    with pytest.raises(Forbidden):
        tracking.promote(make.user(kind=kind, role=role), [first.id])


# --- the API -------------------------------------------------------------------------------


def assert_item_object(body: dict) -> None:
    """SPEC section 8's item object."""
    assert set(ITEM_FIELDS) <= set(body), sorted(set(ITEM_FIELDS) - set(body))
    assert body["status"] in ("planned", "in_progress", "shipped", "dropped")
    assert body["priority"] in ("p1", "p2", "p3", "p4")
    assert all(isinstance(i, int) for i in body["idea_ids"])
    for change in body["history"]:
        assert set(change) >= HISTORY_FIELDS, change
        assert set(change["by"]) >= {"id", "display_name", "kind"}
        assert TIMESTAMP.match(change["at"]), change["at"]
    assert body["url"].endswith(f"/items/{body['id']}")


def test_round_trip_over_the_api(client, make, staff, routed, token_for):
    team, _category, author, first, second = routed
    other_team = make.team("Packaging")
    owner = make.user(kind="staff", name="Otto Owner")
    headers = token_for(staff)

    response = client.post(
        f"{API}/ideas/{first.id}/promote",
        json={
            "title": "Clear pallet labels",
            "team": other_team.name,
            "owner_id": owner.id,
            "priority": "p1",
            "target_date": "2027-03-31",
            "idea_ids": [second.id],
        },
        headers=headers,
    )
    assert response.status_code == 201, response.get_data(as_text=True)
    item = response.get_json()
    assert_item_object(item)
    assert item["title"] == "Clear pallet labels"
    assert (item["status"], item["priority"], item["team"]) == ("planned", "p1", "Packaging")
    assert item["owner"] == brief(owner)
    assert item["idea_ids"] == [first.id, second.id]
    assert item["target_date"] == "2027-03-31"
    assert [(h["from"], h["to"], h["by"]) for h in item["history"]] == [
        (None, "planned", brief(staff))
    ]
    assert client.get(urlsplit(item["url"]).path).status_code == 200
    for idea in (first, second):
        body = client.get(f"{API}/ideas/{idea.id}").get_json()
        assert (body["status"], body["item_id"]) == ("planned", item["id"])
    assert team.name != item["team"], "an explicit team beats the category's routing"

    path = f"{API}/items/{item['id']}"
    response = client.patch(
        path, json={"status": "in_progress", "note": "Work started."}, headers=headers
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert_item_object(body)
    assert body["status"] == "in_progress"
    last = body["history"][-1]
    assert (last["from"], last["to"], last["by"], last["note"]) == (
        "planned",
        "in_progress",
        brief(staff),
        "Work started.",
    )
    assert idea_statuses(first, second) == ["in_progress", "in_progress"]

    response = client.patch(path, json={"status": "shipped", "note": "Out now."}, headers=headers)
    assert response.get_json()["status"] == "shipped"
    assert idea_statuses(first, second) == ["done", "done"]
    assert [(h["from"], h["to"], h["note"]) for h in response.get_json()["history"]] == [
        (None, "planned", "Promoted from ideas."),
        ("planned", "in_progress", "Work started."),
        ("in_progress", "shipped", "Out now."),
    ]

    # The workflow: shipped never goes back.
    error = assert_error(
        client.patch(path, json={"status": "planned"}, headers=headers), 422, "validation"
    )
    assert "status" in error["fields"]
    # Promoting an idea already linked to an item: 409, and nothing new is made.
    assert_error(
        client.post(f"{API}/ideas/{first.id}/promote", json={}, headers=headers), 409, "conflict"
    )
    assert db.session.scalar(select(func.count(ImprovementItem.id))) == 1

    # Anyone may read an item made of public ideas; it is the same object.
    public = client.get(path)
    assert public.status_code == 200
    assert public.get_json()["history"] == response.get_json()["history"]
    assert public.get_json()["status"] == "shipped"


def test_other_fields_change_without_a_status_move(client, make, staff, routed, token_for):
    *_, first, _second = routed
    owner = make.user(kind="staff")
    headers = token_for(staff)
    item = client.post(f"{API}/ideas/{first.id}/promote", json={}, headers=headers).get_json()
    response = client.patch(
        f"{API}/items/{item['id']}",
        json={"priority": "p4", "owner_id": owner.id, "target_date": "2028-01-15"},
        headers=headers,
    )
    body = response.get_json()
    assert response.status_code == 200, body
    assert (body["priority"], body["owner"], body["target_date"]) == (
        "p4",
        brief(owner),
        "2028-01-15",
    )
    assert body["status"] == "planned" and len(body["history"]) == 1
    # A note alone is kept in the history, status unchanged.
    body = client.patch(
        f"{API}/items/{item['id']}", json={"note": "Waiting on a supplier."}, headers=headers
    ).get_json()
    assert [(h["from"], h["to"], h["note"]) for h in body["history"]][-1] == (
        "planned",
        "planned",
        "Waiting on a supplier.",
    )
    # A customer is not a valid owner; a bad date is a 422 too.
    customer = make.user()
    for bad in ({"owner_id": customer.id}, {"target_date": "next spring"}, {"priority": "p9"}):
        assert_error(
            client.patch(f"{API}/items/{item['id']}", json=bad, headers=headers), 422, "validation"
        )


# Moves from `planned` (each step must be allowed) and what the linked ideas end up as.
ALLOWED = [
    (("in_progress",), "in_progress"),
    (("in_progress", "shipped"), "done"),
    (("dropped",), "under_review"),
    (("in_progress", "dropped"), "under_review"),
    (("in_progress", "planned"), "planned"),
    (("dropped", "planned"), "planned"),
    (("dropped", "planned", "in_progress", "shipped"), "done"),
]


@pytest.mark.parametrize("steps, idea_status", ALLOWED)
def test_allowed_workflow_moves(client, staff, routed, token_for, steps, idea_status):
    *_, first, second = routed
    headers = token_for(staff)
    item = client.post(
        f"{API}/ideas/{first.id}/promote", json={"idea_ids": [second.id]}, headers=headers
    ).get_json()
    for step in steps:
        response = client.patch(f"{API}/items/{item['id']}", json={"status": step}, headers=headers)
        assert response.status_code == 200, (step, response.get_data(as_text=True))
    body = response.get_json()
    assert body["status"] == steps[-1]
    assert [h["to"] for h in body["history"]] == ["planned", *steps]
    assert idea_statuses(first, second) == [idea_status, idea_status]


# (moves first made, a move the workflow refuses from there)
REFUSED = [
    ((), "shipped"),
    (("in_progress", "shipped"), "planned"),
    (("in_progress", "shipped"), "in_progress"),
    (("in_progress", "shipped"), "dropped"),
    (("dropped",), "in_progress"),
    (("dropped",), "shipped"),
    ((), "done"),  # an idea status, not an item status
    ((), "bogus"),
]


@pytest.mark.parametrize("before, refused", REFUSED)
def test_refused_workflow_moves_answer_422_and_change_nothing(
    client, staff, routed, token_for, before, refused
):
    *_, first, _second = routed
    headers = token_for(staff)
    item = client.post(f"{API}/ideas/{first.id}/promote", json={}, headers=headers).get_json()
    path = f"{API}/items/{item['id']}"
    for step in before:
        assert client.patch(path, json={"status": step}, headers=headers).status_code == 200
    idea_before = fresh(Idea, first.id).status
    history_before = client.get(path).get_json()["history"]

    error = assert_error(
        client.patch(path, json={"status": refused, "note": "try"}, headers=headers),
        422,
        "validation",
    )
    assert "status" in error["fields"]
    after = client.get(path).get_json()
    assert after["status"] == (before[-1] if before else "planned")
    assert after["history"] == history_before
    assert fresh(Idea, first.id).status == idea_before


@pytest.mark.parametrize(
    "kind, role",
    [("customer", "member"), ("supplier", "member"), ("customer", "moderator")],
)
def test_non_staff_get_403_and_change_nothing(client, make, staff, routed, token_for, kind, role):
    *_, first, second = routed
    outsider = token_for(make.user(kind=kind, role=role))
    assert_error(
        client.post(f"{API}/ideas/{first.id}/promote", json={}, headers=outsider), 403, "forbidden"
    )
    assert fresh(Idea, first.id).item_id is None
    assert db.session.scalar(select(func.count(ImprovementItem.id))) == 0

    item = client.post(
        f"{API}/ideas/{second.id}/promote", json={}, headers=token_for(staff)
    ).get_json()
    assert_error(
        client.patch(f"{API}/items/{item['id']}", json={"status": "in_progress"}, headers=outsider),
        403,
        "forbidden",
    )
    assert fresh(ImprovementItem, item["id"]).status == "planned"
    assert fresh(Idea, second.id).status == "planned"


def test_writes_without_a_token_answer_401(client, staff, routed, token_for):
    *_, first, second = routed
    assert_error(client.post(f"{API}/ideas/{first.id}/promote", json={}), 401, "unauthorized")
    item = client.post(
        f"{API}/ideas/{second.id}/promote", json={}, headers=token_for(staff)
    ).get_json()
    assert_error(
        client.patch(f"{API}/items/{item['id']}", json={"status": "in_progress"}),
        401,
        "unauthorized",
    )


def test_promote_and_update_through_the_pages(app, make, staff, routed):
    *_, first, second = routed
    page = client_as(app, staff)
    response = page.post(
        f"/ideas/{first.id}/promote",
        data={
            "title": "Clear labels everywhere",
            "priority": "p2",
            "team": "",
            "owner_id": "",
            "idea_ids": f"#{second.id}",
        },
    )
    assert response.status_code == 302
    item_id = int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    item = fresh(ImprovementItem, item_id)
    assert item.title == "Clear labels everywhere"
    assert [i.id for i in tracking.linked_ideas(item)] == [first.id, second.id]

    response = page.post(
        f"/items/{item_id}",
        data={"status": "in_progress", "priority": "p2", "owner_id": "", "note": "Started today."},
    )
    assert response.status_code == 302
    assert idea_statuses(first, second) == ["in_progress", "in_progress"]
    text = page.get(f"/items/{item_id}").get_data(as_text=True)
    assert "Started today." in text and staff.display_name in text
    # The workflow holds on the page too.
    response = page.post(
        f"/items/{item_id}", data={"status": "planned", "priority": "p2", "owner_id": ""}
    )
    assert response.status_code == 302  # in_progress -> planned is allowed
    page.post(f"/items/{item_id}", data={"status": "in_progress", "priority": "p2", "owner_id": ""})
    page.post(f"/items/{item_id}", data={"status": "shipped", "priority": "p2", "owner_id": ""})
    response = page.post(
        f"/items/{item_id}", data={"status": "planned", "priority": "p2", "owner_id": ""}
    )
    assert response.status_code == 422
    assert fresh(ImprovementItem, item_id).status == "shipped"

    customer = client_as(app, make.user())
    third = make.idea()
    assert customer.post(f"/ideas/{third.id}/promote", data={"priority": "p3"}).status_code == 403
    response = customer.post(f"/items/{item_id}", data={"status": "dropped", "priority": "p2"})
    assert response.status_code == 403
    assert fresh(ImprovementItem, item_id).status == "shipped"


# --- an item holding a public idea and a confidential supplier idea --------------------------

ITEM_TITLE = "Rework the pallet label workflow"
SECRET_TITLE = "Acme confidential barcode supplier switch"
PUBLIC_TITLE = "Pallet labels are hard to read"

VIEWERS = ("anonymous", "customer", "pending_a", "supplier_b", "supplier_a", "staff", "moderator",
           "staff_mod")  # fmt: skip
# Who sees the item: whoever may see every linked idea (SPEC section 6).
SEES_ITEM = {
    "anonymous": False,
    "customer": False,
    "pending_a": False,  # of organization A, but not approved yet
    "supplier_b": False,  # another organization
    "supplier_a": True,
    "staff": True,
    "moderator": False,  # a community moderator (a customer) sees what customers see
    "staff_mod": True,  # staff see every audience, moderators or not
}


@pytest.fixture
def mixed(make, staff):
    """Item holding a public customer idea and a confidential idea of organization A."""
    org_a, org_b = make.org("Acme Supplies"), make.org("Bolt Parts")
    people = {
        "customer": make.user(name="Carla Customer"),
        "pending_a": make.user(kind="supplier", org=org_a, approved=False, name="Pete Pending"),
        "supplier_b": make.user(kind="supplier", org=org_b, name="Bea Bolt"),
        "supplier_a": make.user(kind="supplier", org=org_a, name="Ada Acme"),
        "staff": staff,
        "moderator": make.user(role="moderator", name="Mo Moderator"),
        "staff_mod": make.user(kind="staff", role="moderator", name="Sid Staffmod"),
    }
    public_category = make.category("public")
    public = make.idea(
        author=make.user(name="Paula Poster"), category=public_category, title=PUBLIC_TITLE
    )
    secret = make.idea(
        author=people["supplier_a"], category=public_category, title=SECRET_TITLE, confidential=True
    )
    # The confidential idea comes first: the item would take its title by default.
    item = tracking.promote(staff, [secret.id, public.id], title=ITEM_TITLE)
    db.session.commit()
    return people, public, secret, item


@pytest.mark.parametrize("viewer", VIEWERS)
def test_item_with_a_confidential_idea_is_seen_only_by_its_organization_and_staff(
    app, token_for, mixed, viewer
):
    people, public, _secret, item = mixed
    user = people.get(viewer)
    visible = SEES_ITEM[viewer]
    api = app.test_client()
    headers = headers_for(token_for, user)

    listed = api.get(f"{API}/items", headers=headers).get_json()
    assert (item.id in [i["id"] for i in listed["items"]]) is visible
    assert listed["total"] == (1 if visible else 0), "counts follow the same rule"
    detail = api.get(f"{API}/items/{item.id}", headers=headers)
    assert detail.status_code == (200 if visible else 404)
    if not visible:
        assert detail.get_json()["error"]["code"] == "not_found"
    shipped_list = api.get(f"{API}/items?status=planned", headers=headers).get_json()
    assert (item.id in [i["id"] for i in shipped_list["items"]]) is visible

    page = client_as(app, user)
    assert page.get(f"/items/{item.id}").status_code == (200 if visible else 404)
    roadmap = page.get("/roadmap")
    assert roadmap.status_code == 200
    assert (ITEM_TITLE in roadmap.get_data(as_text=True)) is visible

    # Everyone who may see the public idea still sees it; the item's title stays hidden.
    idea_page = page.get(f"/ideas/{public.id}").get_data(as_text=True)
    assert PUBLIC_TITLE in idea_page
    assert (ITEM_TITLE in idea_page) is visible
    assert SECRET_TITLE not in idea_page or visible
    idea_json = api.get(f"{API}/ideas/{public.id}", headers=headers).get_json()
    assert ITEM_TITLE not in str(idea_json) or visible
    assert SECRET_TITLE not in str(idea_json) or visible


def test_changelog_shows_the_shipped_item_to_those_who_may_see_it(app, token_for, mixed):
    people, _public, _secret, item = mixed
    tracking.update_item(people["staff"], item, status="in_progress")
    tracking.update_item(people["staff"], item, status="shipped")
    db.session.commit()
    for viewer in VIEWERS:
        page = client_as(app, people.get(viewer))
        text = page.get("/changelog").get_data(as_text=True)
        assert (ITEM_TITLE in text) is SEES_ITEM[viewer], viewer
        assert (SECRET_TITLE in text) is SEES_ITEM[viewer], viewer
        listed = app.test_client().get(
            f"{API}/items?status=shipped", headers=headers_for(token_for, people.get(viewer))
        )
        assert (item.id in [i["id"] for i in listed.get_json()["items"]]) is SEES_ITEM[viewer]


def test_shipping_a_mixed_item_tells_each_follower_only_about_what_they_may_see(
    app, make, token_for, mixed
):
    people, public, secret, item = mixed
    staff = people["staff"]
    org_a = people["supplier_a"].organization
    instant_fan = make.user(name="Ivy Instant")  # email_preference defaults to instant
    off_fan = make.user(name="Olga Off")
    daily_fan = make.user(name="Dan Daily")
    colleague_a = make.user(kind="supplier", org=org_a, name="Cole Colleague")
    off_fan.email_preference = "off"
    daily_fan.email_preference = "daily"
    # The daily reader had a digest a moment ago: the next one is due tomorrow.
    daily_fan.last_digest_at = utcnow()
    for user in (instant_fan, off_fan, daily_fan, colleague_a, people["supplier_b"], staff):
        ideas.set_following(user, public, True)
    ideas.set_following(colleague_a, secret, True)
    # Follows of people who may not see the confidential idea (as if they had followed it
    # some other way): they must still not hear about it.
    for name in ("customer", "pending_a", "supplier_b"):
        db.session.add(Follow(idea_id=secret.id, user_id=people[name].id))
    db.session.commit()
    before = db.session.scalar(select(func.max(Notification.id))) or 0

    tracking.update_item(staff, item, status="in_progress", note="Vendor is on it.")
    tracking.update_item(staff, item, status="shipped")
    db.session.commit()

    shipped = db.session.scalars(
        select(Notification).where(Notification.event == "item_shipped", Notification.id > before)
    ).all()
    told = {(n.user_id, n.idea_id) for n in shipped}
    assert len(told) == len(shipped), "one notification per person and idea"
    author = public.author_id
    assert told == {
        # The public idea's followers: its author and everyone following it, not the actor.
        (author, public.id),
        (instant_fan.id, public.id),
        (off_fan.id, public.id),
        (daily_fan.id, public.id),
        (colleague_a.id, public.id),
        (people["supplier_b"].id, public.id),
        # The confidential idea: its author in organization A only. Its follower colleague
        # already heard of this step through the public idea: once per step, not per idea.
        (people["supplier_a"].id, secret.id),
    }
    assert staff.id not in {user_id for user_id, _ in told}, "the actor is not told"

    api = app.test_client()
    body = api.get(f"{API}/notifications", headers=token_for(instant_fan)).get_json()
    note = next(n for n in body["items"] if n["event"] == "item_shipped")
    assert note["idea_id"] == public.id and note["title"] == PUBLIC_TITLE
    assert note["url"].endswith(f"/ideas/{public.id}")
    for leaked in (SECRET_TITLE, ITEM_TITLE, "Acme"):
        for notification in body["items"]:  # every notification this customer ever got
            assert leaked not in str(notification), (leaked, notification)

    # E-mail: one row per notification for `instant`, none for `off`, a digest for `daily`.
    def emails_to(user):
        return db.session.scalars(
            select(OutboxMessage).where(
                OutboxMessage.kind == "email", OutboxMessage.recipient == user.email
            )
        ).all()

    for user in (instant_fan, colleague_a):
        notes = db.session.scalar(
            select(func.count(Notification.id)).where(Notification.user_id == user.id)
        )
        assert notes and len(emails_to(user)) == notes, user.display_name
    shipped_mail = [m for m in emails_to(instant_fan) if m.subject.startswith("Shipped")]
    assert len(shipped_mail) == 1
    assert PUBLIC_TITLE in shipped_mail[0].subject and PUBLIC_TITLE in shipped_mail[0].body
    for mail in emails_to(instant_fan):
        for leaked in (SECRET_TITLE, ITEM_TITLE):
            assert leaked not in mail.subject and leaked not in mail.body, mail.body
    assert emails_to(off_fan) == []
    assert emails_to(daily_fan) == [], "a daily reader gets no e-mail per event"

    assert send_due_digests() == 0, "the last digest went out less than a day ago"
    db.session.commit()
    a_day_ago = utcnow() - timedelta(days=1, minutes=1)
    db.session.get(type(daily_fan), daily_fan.id).last_digest_at = a_day_ago
    db.session.commit()
    assert send_due_digests() == 1
    db.session.commit()
    digests = emails_to(daily_fan)
    assert len(digests) == 1 and "digest" in digests[0].subject.lower()
    assert PUBLIC_TITLE in digests[0].body and f"/ideas/{public.id}" in digests[0].body
    assert SECRET_TITLE not in digests[0].body and ITEM_TITLE not in digests[0].body
    assert send_due_digests() == 0, "one digest a day"
    db.session.commit()
    assert emails_to(off_fan) == []


def test_item_history_rows_record_who_and_when(staff, routed):
    *_, first, _second = routed
    started = utcnow().replace(microsecond=0)
    item = tracking.promote(staff, [first.id])
    tracking.update_item(staff, item, status="in_progress", note="Go.")
    db.session.commit()
    rows = db.session.scalars(
        select(ItemChange).where(ItemChange.item_id == item.id).order_by(ItemChange.id)
    ).all()
    assert [(r.by_id, r.to_status) for r in rows] == [
        (staff.id, "planned"),
        (staff.id, "in_progress"),
    ]
    assert all(started <= r.created_at <= utcnow() for r in rows)


def test_promoting_with_a_confidential_idea_tells_public_followers_nothing_of_it(
    app, make, staff, token_for
):
    """The item takes the confidential idea's title by default: that title must not reach
    the public idea's followers through the status note, notification or e-mail."""
    supplier = make.user(kind="supplier", org=make.org("Acme Supplies"))
    fan = make.user(name="Fiona Fan")
    category = make.category("public")
    public = make.idea(author=make.user(), category=category, title=PUBLIC_TITLE)
    secret = make.idea(author=supplier, category=category, title=SECRET_TITLE, confidential=True)
    ideas.set_following(fan, public, True)
    db.session.commit()

    api = app.test_client()
    headers = token_for(fan)

    def assert_nothing_leaked(events: int) -> None:
        notes = api.get(f"{API}/notifications", headers=headers).get_json()["items"]
        assert [n["event"] for n in notes] == ["status_changed"] * events
        assert {n["idea_id"] for n in notes} == {public.id}
        idea_json = api.get(f"{API}/ideas/{public.id}", headers=headers).get_json()
        history = client_as(app, fan).get(f"/ideas/{public.id}").get_data(as_text=True)
        mails = db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.recipient == fan.email)
        ).all()
        assert len(mails) == events
        for text in [str(notes), str(idea_json), history, *(m.subject + m.body for m in mails)]:
            assert SECRET_TITLE not in text and "Acme" not in text, text

    item = tracking.promote(staff, [secret.id, public.id])
    db.session.commit()
    assert item.title == SECRET_TITLE, "the default title is the first idea's"
    assert_nothing_leaked(1)
    tracking.update_item(staff, item, status="dropped")
    tracking.update_item(staff, item, status="planned")
    db.session.commit()
    assert_nothing_leaked(3)


def test_an_items_note_reaches_only_ideas_seen_by_the_items_viewers(app, token_for, mixed):
    """A note on an item holding a confidential idea is for the item's viewers (its history):
    ideas seen by others get the plain sentence, and the public idea's JSON does not name
    the item to those who may not see it."""
    people, public, secret, item = mixed
    staff = people["staff"]
    note = "Acme's new barcode printers arrive on Monday."
    tracking.update_item(staff, item, status="in_progress", note=note)
    db.session.commit()
    plain = f"Improvement item #{item.id} is now in progress."
    assert public.status_note == secret.status_note == plain
    assert note in [change.note for change in tracking.history(item)]
    api = app.test_client()
    for viewer in ("customer", "supplier_b", "supplier_a"):
        headers = token_for(people[viewer])
        shown = api.get(f"{API}/ideas/{public.id}", headers=headers).get_json()
        listed = api.get(f"{API}/ideas?per_page=100", headers=headers).get_json()["items"]
        expected = item.id if SEES_ITEM[viewer] else None
        assert shown["item_id"] == expected, viewer
        assert {i["id"]: i["item_id"] for i in listed}[public.id] == expected, viewer
        assert "Acme" not in str(shown) or viewer == "supplier_a"


def test_an_items_note_reaches_its_ideas_when_they_share_an_audience(staff, routed):
    _team, _category, _author, first, second = routed
    item = tracking.promote(staff, [first.id, second.id])
    tracking.update_item(staff, item, status="in_progress", note="Printing starts in May.")
    db.session.commit()
    assert first.status_note == second.status_note == "Printing starts in May."


@pytest.mark.parametrize(
    "mistake, field, message",
    [
        ({"idea_ids": "#999999"}, "idea_ids", "There is no idea #999999"),
        ({"target_date": "31/03/2027"}, "target_date", "Use a date like 2027-03-31."),
    ],
    ids=["unknown related idea", "badly written date"],
)
def test_a_refused_promote_keeps_what_was_typed(app, staff, routed, mistake, field, message):
    """One wrong idea number was a full-page 404 and a bad date reset the form: now the idea's
    page comes back with the form open, as typed, and the reason beside the field."""
    *_, first, _second = routed
    page = client_as(app, staff)
    typed = {"title": "Clear labels everywhere", "description": "Bigger **type**.",
             "priority": "p2", "team": "", "owner_id": "", **mistake}  # fmt: skip
    response = page.post(f"/ideas/{first.id}/promote", data=typed)
    assert response.status_code == 422, response.status_code
    html = response.get_data(as_text=True)
    assert re.search(r'<details class="promote-box" open>', html)
    assert 'value="Clear labels everywhere"' in html and "Bigger **type**." in html
    assert re.search(rf'name="{field}"[^>]*value="{re.escape(mistake[field])}"', html), field
    error = r'<small class="field-error" role="alert">([^<]*)</small>'
    beside = re.search(rf'id="{field}"[^>]*>\s*(<small[^>]*>[^<]*</small>\s*)?{error}', html)
    assert beside and message in beside.group(2), html[html.find('id="' + field) :][:600]
    assert db.session.scalar(select(func.count(ImprovementItem.id))) == 0
    assert fresh(Idea, first.id).item_id is None


def test_the_api_answers_an_unknown_related_idea_beside_idea_ids(client, staff, routed, token_for):
    *_, first, _second = routed
    response = client.post(f"{API}/ideas/{first.id}/promote", json={"idea_ids": [999999]},
                           headers=token_for(staff))  # fmt: skip
    assert_error(response, 422, "validation")
    assert response.get_json()["error"]["fields"]["idea_ids"]
    assert client.post(f"{API}/ideas/999999/promote", json={},
                       headers=token_for(staff)).status_code == 404  # fmt: skip


def test_target_dates_are_picked_with_a_date_input(app, staff, routed):
    *_, first, _second = routed
    html = client_as(app, staff).get(f"/ideas/{first.id}").get_data(as_text=True)
    assert re.search(r'<input[^>]*name="target_date"[^>]*type="date"|'
                     r'<input[^>]*type="date"[^>]*name="target_date"', html)  # fmt: skip


def test_edit_an_items_title_description_and_team_on_its_page(app, make, staff, routed):
    *_, first, second = routed
    other = make.team("Packaging")
    item = tracking.promote(staff, [first.id, second.id])
    db.session.commit()
    page = client_as(app, staff)
    html = page.get(f"/items/{item.id}").get_data(as_text=True)
    assert 'name="title"' in html and 'name="description"' in html and 'name="team"' in html
    response = page.post(f"/items/{item.id}", data={
        "title": "Readable pallet labels", "description": "Print **bigger**.",
        "team": other.name, "status": "planned", "priority": "p3", "owner_id": "",
    })  # fmt: skip
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    saved = fresh(ImprovementItem, item.id)
    assert (saved.title, saved.description, saved.team.name) == (
        "Readable pallet labels", "Print **bigger**.", "Packaging")  # fmt: skip
    assert "<strong>bigger</strong>" in saved.description_html
    # A title too short is refused beside the field, with what was typed kept.
    response = page.post(f"/items/{item.id}", data={
        "title": "Hm", "description": "Kept", "team": "", "status": "planned", "priority": "p3",
    })  # fmt: skip
    assert response.status_code == 422
    assert 'value="Hm"' in response.get_data(as_text=True)
    assert fresh(ImprovementItem, item.id).title == "Readable pallet labels"


def test_unlink_an_idea_on_the_item_page(app, make, staff, routed):
    *_, first, second = routed
    item = tracking.promote(staff, [first.id, second.id])
    db.session.commit()
    page = client_as(app, staff)
    html = page.get(f"/items/{item.id}").get_data(as_text=True)
    assert html.count("/unlink") == 2
    customer_view = client_as(app, make.user()).get(f"/items/{item.id}")
    assert customer_view.status_code == 200 and "Unlink" not in customer_view.get_data(as_text=True)

    response = page.post(f"/items/{item.id}/ideas/{second.id}/unlink")
    assert response.status_code == 302
    assert (fresh(Idea, second.id).item_id, fresh(Idea, second.id).status) == (None, "under_review")
    assert [i.id for i in tracking.linked_ideas(fresh(ImprovementItem, item.id))] == [first.id]
    last = tracking.history(fresh(ImprovementItem, item.id))[-1]
    assert last.note == f"Idea #{second.id} unlinked."
    told = db.session.scalars(select(Notification).where(Notification.idea_id == second.id)).all()
    assert any("No longer part of improvement item" in (n.message or "") for n in told)
    # The last idea stays: an item without ideas would be seen by nobody.
    assert "/unlink" not in page.get(f"/items/{item.id}").get_data(as_text=True)
    response = page.post(f"/items/{item.id}/ideas/{first.id}/unlink")
    assert response.status_code == 409
    assert "drop the item instead" in response.get_data(as_text=True)
    assert fresh(Idea, first.id).item_id == item.id
    assert client_as(app, make.user()).post(
        f"/items/{item.id}/ideas/{first.id}/unlink").status_code == 403  # fmt: skip


def test_the_api_changes_an_items_team(client, make, staff, routed, token_for):
    *_, first, _second = routed
    make.team("Packaging")
    item = tracking.promote(staff, [first.id])
    db.session.commit()
    url, headers = f"{API}/items/{item.id}", token_for(staff)
    assert client.patch(url, json={"team": "Packaging"}, headers=headers).get_json()["team"] == (
        "Packaging")  # fmt: skip
    assert client.patch(url, json={"team": None}, headers=headers).get_json()["team"] is None
    assert_error(client.patch(url, json={"team": "Nope"}, headers=headers), 422, "validation")


def test_related_ideas_are_found_by_title_and_ticked(app, make, staff, routed):
    *_, first, second = routed
    page = client_as(app, staff)
    html = page.get(f"/ideas/{first.id}/related?related_q=pallets").get_data(as_text=True)
    assert f'name="idea_ids" value="{second.id}"' in html
    assert f'value="{first.id}"' not in html, "not the idea being promoted"
    assert client_as(app, make.user()).get(
        f"/ideas/{first.id}/related?related_q=pallets").status_code == 403  # fmt: skip
    # A ticked idea and an empty numbers field arrive under the same name.
    ticked = {"priority": "p3", "team": "", "owner_id": "", "idea_ids": ["", str(second.id)]}
    response = page.post(f"/ideas/{first.id}/promote", data=ticked)
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    assert fresh(Idea, second.id).item_id == fresh(Idea, first.id).item_id is not None
