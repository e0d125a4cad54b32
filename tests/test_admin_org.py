"""Admins run the organisation routing depends on: people (kind, role, organization, teams,
supplier approval and rejection, suspension shown), teams and their members, categories
(edit, audience, archive, moving their ideas) and organizations; every change in the admin
log. Through the real stack: the test client, the services, the search index."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal import access
from portal.accounts.models import Team, User
from portal.admin.models import AdminChange
from portal.extensions import db
from portal.ideas import service as ideas
from portal.ideas.models import Category, Follow, Idea
from portal.moderation import service as moderation
from portal.notify.models import Notification, OutboxMessage
from portal.timeutil import utcnow


@pytest.fixture
def admin(make, login):
    user = make.user(kind="staff", role="admin", name="Ada Admin")
    login(user)
    return user


def fresh(model, ident):
    """The row as committed (requests commit in the session the test shares)."""
    db.session.expire_all()
    return db.session.get(model, ident)


def changes(action=None) -> list[AdminChange]:
    db.session.expire_all()
    query = select(AdminChange).order_by(AdminChange.id)
    if action:
        query = query.where(AdminChange.action == action)
    return list(db.session.scalars(query))


def emails_to(address: str) -> list[OutboxMessage]:
    mail = select(OutboxMessage).where(OutboxMessage.kind == "email",
                                       OutboxMessage.recipient == address)  # fmt: skip
    return list(db.session.scalars(mail))


def follows(user, idea) -> bool:
    db.session.expire_all()
    return db.session.get(Follow, (idea.id, user.id)) is not None


def anonymous_sees(app, idea, word: str) -> dict[str, bool]:
    """Whether an anonymous visitor finds `idea` in the list, on its page and in search."""
    visitor = app.test_client()
    return {
        "list": idea.title in visitor.get("/ideas?sort=new").get_data(as_text=True),
        "page": visitor.get(f"/ideas/{idea.id}").status_code == 200,
        "search": idea.title in visitor.get(f"/search?q={word}").get_data(as_text=True),
        "api": any(hit["id"] == idea.id
                   for hit in visitor.get(f"/api/v1/search?q={word}").get_json()["items"]),
    }  # fmt: skip


# -- who may ---------------------------------------------------------------------------------


NOT_ADMINS = [("customer", "member"), ("staff", "member"), ("customer", "moderator"),
              ("supplier", "member")]  # fmt: skip


@pytest.mark.parametrize("kind, role", NOT_ADMINS)
def test_only_admins_administer_and_a_refusal_writes_nothing(app, make, client, login, kind, role):
    team = make.team("Support")
    category = make.category("public", slug="general")
    org = make.org("Acme")
    person = make.user("customer", name="Someone")
    login(make.user(kind, role=role))
    before = db.session.scalar(select(func.count(AdminChange.id)))
    posts = {
        f"/admin/users/{person.id}": {"kind": "staff", "role": "admin", "organization": "0"},
        f"/admin/users/{person.id}/role": {"role": "admin"},
        f"/admin/teams/{team.id}": {"name": "Hacked"},
        f"/admin/teams/{team.id}/members": {"user_id": str(person.id)},
        f"/admin/categories/{category.id}": {"name": "Hacked", "audience": "suppliers"},
        f"/admin/categories/{category.id}/archive": {},
        f"/admin/categories/{category.id}/move": {"target": str(category.id)},
        f"/admin/organizations/{org.id}": {"name": "Hacked"},
    }
    for path, data in posts.items():
        response = client.post(path, data=data)
        assert response.status_code == 403, path
        assert "Only admins may do this." in response.get_data(as_text=True)
    for path in ("/admin/users", f"/admin/users/{person.id}", f"/admin/teams/{team.id}",
                 f"/admin/categories/{category.id}", f"/admin/organizations/{org.id}",
                 "/admin/log"):  # fmt: skip
        assert client.get(path).status_code == 403, path
    assert db.session.scalar(select(func.count(AdminChange.id))) == before
    assert fresh(Team, team.id).name == "Support"
    assert fresh(Category, category.id).audience == "public"
    assert fresh(Category, category.id).archived_at is None
    assert fresh(User, person.id).role == "member"


def test_pages_ask_anonymous_visitors_to_sign_in(client, make):
    for path in ("/admin/users", "/admin/log"):
        response = client.get(path)
        assert response.status_code == 302 and response.headers["Location"].startswith("/login")


# -- people ----------------------------------------------------------------------------------


def test_users_are_found_by_name_or_address_kind_role_and_state(client, admin, make):
    acme = make.org("Acme")
    make.user("customer", name="Carla Customer", email="carla@example.com")
    make.user("supplier", org=acme, name="Sam Supplier", email="sam@acme.example")
    make.user("supplier", org=acme, approved=False, name="Pia Pending", email="pia@acme.example")
    mod = make.user("customer", role="moderator", name="Milo Moderator")
    rowdy = make.user("customer", name="Rowdy Rick")
    moderation.act(mod, "suspend", "user", rowdy.id, "Cooling off",
                   until=(utcnow() + timedelta(days=3)).isoformat())  # fmt: skip
    db.session.commit()

    def names(query: str) -> str:
        return client.get(f"/admin/users?{query}").get_data(as_text=True)

    page = names("q=ACME.example")
    assert "Sam Supplier" in page and "Pia Pending" in page and "Carla Customer" not in page
    assert "Carla Customer" in names("q=carl") and "Sam Supplier" not in names("q=carl")
    assert "Milo Moderator" in names("role=moderator") and "Carla" not in names("role=moderator")
    assert "Sam Supplier" in names("kind=supplier") and "Carla" not in names("kind=supplier")
    pending = names("state=pending")
    assert "Pia Pending" in pending and "Sam Supplier" not in pending
    suspended = names("state=suspended")
    assert "Rowdy Rick" in suspended and "suspended until" in suspended
    assert "Carla" not in suspended
    # A % or _ typed is a character, not a pattern.
    assert "Nobody matches." in names("q=%25")
    # htmx asks for the results alone.
    fragment = client.get("/admin/users?q=pia", headers={"HX-Request": "true"})
    html = fragment.get_data(as_text=True)
    assert 'id="user-results"' in html and "<html" not in html and "Pia Pending" in html
    assert "HX-Request" in fragment.headers["Vary"]
    # Pages.
    first = names("per_page=2")
    assert "Page 1 of 3" in first and "Next →" in first
    assert client.get("/admin/users?state=sideways").status_code == 422
    assert client.get("/admin/users?page=0").status_code in (400, 422)


def test_admin_makes_a_customer_staff_in_teams_and_back(client, admin, make):
    support, billing = make.team("Support"), make.team("Billing")
    suppliers = make.category("suppliers", slug="supply", team=support)
    acme = make.org("Acme")
    partner = make.user("supplier", org=acme, name="Sid Supplier")
    carla = make.user("customer", name="Carla")
    response = client.post(f"/admin/users/{carla.id}", data={
        "kind": "staff", "role": "moderator", "organization": "0",
        "teams": [str(support.id), str(billing.id)]})  # fmt: skip
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    carla = fresh(User, carla.id)
    assert (carla.kind, carla.role) == ("staff", "moderator")
    assert sorted(t.name for t in carla.teams) == ["Billing", "Support"]
    [entry] = changes("user.update")
    assert entry.by_id == admin.id and entry.target_id == carla.id
    assert "kind: customer → staff" in entry.details and "role: member → moderator" in entry.details
    assert "teams + Billing, Support" in entry.details

    # Staff now: she follows a suppliers' idea and is given one to answer.
    idea = make.idea(author=partner, category=suppliers, title="Pallet returns")
    ideas.set_following(carla, idea, True)
    idea.assignee_id = carla.id
    db.session.commit()

    # Back to customer: out of her teams, her open work back to the queue, no longer
    # following what customers may not see.
    response = client.post(f"/admin/users/{carla.id}", data={
        "kind": "customer", "role": "member", "organization": "0"})  # fmt: skip
    assert response.status_code == 302
    carla = fresh(User, carla.id)
    assert carla.kind == "customer" and carla.teams == []
    assert fresh(Idea, idea.id).assignee_id is None
    assert not follows(carla, idea)
    details = changes("user.update")[-1].details
    assert "1 open item(s) back to the teams' queues" in details
    assert "stopped following 1 idea(s)" in details
    page = client.get(f"/admin/users/{carla.id}").get_data(as_text=True)
    assert "kind: staff → customer" in page  # its history


def test_admin_moves_a_supplier_to_another_organization(client, admin, make):
    acme, globex = make.org("Acme"), make.org("Globex")
    sid = make.user("supplier", org=acme, name="Sid")
    response = client.post(f"/admin/users/{sid.id}", data={
        "kind": "supplier", "role": "member", "organization": str(globex.id)})  # fmt: skip
    assert response.status_code == 302
    assert fresh(User, sid.id).organization_id == globex.id
    assert "organization: Acme → Globex" in changes("user.update")[-1].details


@pytest.mark.parametrize("data, field_message", [
    ({"kind": "supplier", "role": "member", "organization": "0"},
     "A supplier belongs to an organization: choose one."),
    ({"kind": "customer", "role": "member", "organization": "0", "teams": ["{team}"]},
     "only staff and admins belong to teams."),
    ({"kind": "wizard", "role": "member", "organization": "0"}, "Not a valid choice"),
    ({"kind": "staff", "role": "king", "organization": "0"}, "Not a valid choice"),
    ({"kind": "staff", "role": "member", "organization": "0", "teams": ["987654"]},
     "is not a valid choice for this field."),
])  # fmt: skip
def test_bad_account_input_is_a_422_on_the_form_and_writes_nothing(
    client, admin, make, data, field_message
):
    team = make.team("Support")
    carla = make.user("customer", name="Carla")
    data = {k: ([v.format(team=team.id) for v in value] if isinstance(value, list) else value)
            for k, value in data.items()}  # fmt: skip
    response = client.post(f"/admin/users/{carla.id}", data=data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert field_message in html and 'class="field-error"' in html
    carla = fresh(User, carla.id)
    assert (carla.kind, carla.role, carla.teams) == ("customer", "member", [])
    assert changes("user.update") == []


def test_the_last_admin_cannot_give_up_the_admin_role(client, admin, make):
    response = client.post(f"/admin/users/{admin.id}", data={
        "kind": "staff", "role": "member", "organization": "0"})  # fmt: skip
    assert response.status_code == 409
    assert "You are the only admin: make someone else an admin before changing this role." in (
        response.get_data(as_text=True)
    )
    # The role form on the list of people says why, back on the list.
    response = client.post(f"/admin/users/{admin.id}/role", data={"role": "moderator"})
    assert response.status_code == 302 and response.headers["Location"] == "/admin/users"
    assert "You are the only admin" in client.get("/admin/users").get_data(as_text=True)
    assert fresh(User, admin.id).role == "admin"
    assert changes() == []
    # A suspended admin does not count: nobody could administer.
    other = make.user("staff", role="admin", name="Otto Admin")
    other.suspended_until = utcnow() + timedelta(days=1)
    db.session.commit()
    client.post(f"/admin/users/{admin.id}/role", data={"role": "member"})
    assert fresh(User, admin.id).role == "admin"
    # With another admin who can act, it works (and that one is then the last).
    other = fresh(User, other.id)
    other.suspended_until = None
    db.session.commit()
    client.post(f"/admin/users/{admin.id}/role", data={"role": "member"})
    assert fresh(User, admin.id).role == "member"
    assert access.role_change_refusal(other, other, "member") == (
        "You are the only admin: make someone else an admin before changing this role."
    )


def test_an_approved_supplier_is_told(client, admin, make):
    acme = make.org("Acme")
    pia = make.user("supplier", org=acme, approved=False, name="Pia Pending",
                    email="pia@acme.example")  # fmt: skip
    response = client.post(f"/admin/users/{pia.id}/approve", data={"next": "/admin"})
    assert response.status_code == 302
    assert fresh(User, pia.id).approved
    [note] = db.session.scalars(select(Notification).where(Notification.user_id == pia.id))
    assert note.event == "supplier_approved" and "supplier of Acme" in note.message
    [mail] = emails_to("pia@acme.example")
    assert mail.subject == "Your supplier account is approved" and "Ada Admin approved" in mail.body
    [entry] = changes("user.approve")
    assert entry.target_id == pia.id and entry.by_id == admin.id
    # Approving twice: she is no longer waiting.
    again = client.post(f"/admin/users/{pia.id}/approve")
    assert again.status_code == 409
    assert "Pia Pending is not waiting for approval." in again.get_data(as_text=True)
    assert len(changes("user.approve")) == 1
    # She reads it in her notifications (a link to her account, no idea to point to).
    reader = client.application.test_client()
    reader.post("/login", data={"email": "pia@acme.example", "password": "correct-horse-battery"})
    centre = reader.get("/notifications").get_data(as_text=True)
    assert "Your supplier account is approved" in centre and 'href="/account"' in centre
    api = reader.get("/api/v1/notifications", headers=_token(pia)).get_json()
    assert api["items"][0]["url"].endswith("/account")


def _token(user) -> dict:
    from portal.accounts import service as accounts

    _token_row, secret = accounts.create_token(user, "test")
    db.session.commit()
    return {"Authorization": f"Bearer {secret}"}


def test_staff_reject_a_pending_supplier_who_is_told_and_stays_a_customer(app, make, login, client):
    acme = make.org("Acme")
    public = make.category("public", slug="general")
    pia = make.user("supplier", org=acme, approved=False, name="Pia Pending",
                    email="pia@acme.example")  # fmt: skip
    idea = make.idea(author=pia, category=public, title="Posted while waiting")
    assert idea.organization_id == acme.id
    staff = make.user("staff", name="Stella Staff")
    login(staff)
    data = {"reason": "We do not work with Acme.", "next": "/admin/approvals"}
    response = client.post(f"/admin/users/{pia.id}/reject", data=data)
    assert response.status_code == 302 and response.headers["Location"] == "/admin/approvals"
    pia = fresh(User, pia.id)
    assert (pia.kind, pia.organization_id, pia.approved) == ("customer", None, True)
    assert fresh(Idea, idea.id).organization_id is None
    [note] = db.session.scalars(select(Notification).where(Notification.user_id == pia.id))
    assert note.event == "supplier_rejected"
    assert "We do not work with Acme." in note.message and "customer account" in note.message
    [mail] = emails_to("pia@acme.example")
    assert mail.subject == "Your supplier request was not approved"
    assert "We do not work with Acme." in mail.body
    [entry] = changes("user.reject")
    assert entry.by_id == staff.id and "supplier of Acme; now a customer" in entry.details
    # Once decided, no second decision.
    assert client.post(f"/admin/users/{pia.id}/reject").status_code == 409
    assert client.post(f"/admin/users/{pia.id}/approve").status_code == 409


def test_a_rejection_reason_too_long_is_a_422_and_writes_nothing(client, admin, make):
    pia = make.user("supplier", approved=False, name="Pia Pending")
    page = client.get(f"/admin/users/{pia.id}").get_data(as_text=True)
    assert "Waiting for approval as a supplier of" in page
    assert f'action="/admin/users/{pia.id}/reject"' in page
    response = client.post(f"/admin/users/{pia.id}/reject", data={"reason": "x" * 1001})
    assert response.status_code == 422
    assert "Field cannot be longer than 1000 characters." in response.get_data(as_text=True)
    assert fresh(User, pia.id).is_pending_supplier
    assert db.session.scalar(select(func.count(Notification.id))) == 0
    assert changes() == []


def test_the_user_page_shows_a_suspension_and_lifts_it(client, admin, make):
    mod = make.user("customer", role="moderator")
    rick = make.user("customer", name="Rowdy Rick")
    moderation.act(mod, "suspend", "user", rick.id, "Cooling off",
                   until=(utcnow() + timedelta(days=3)).isoformat())  # fmt: skip
    db.session.commit()
    page = client.get(f"/admin/users/{rick.id}").get_data(as_text=True)
    assert "Suspended until" in page and "Lift the suspension" in page
    response = client.post("/moderation/actions", data={
        "action": "unsuspend", "target_type": "user", "target_id": str(rick.id),
        "reason": "Served enough", "next": f"/admin/users/{rick.id}"})  # fmt: skip
    assert response.status_code == 302 and response.headers["Location"] == f"/admin/users/{rick.id}"
    assert not fresh(User, rick.id).is_suspended()
    assert "Not suspended." in client.get(f"/admin/users/{rick.id}").get_data(as_text=True)


# -- teams -----------------------------------------------------------------------------------


def test_teams_get_members_lose_them_and_are_renamed(client, admin, make):
    team = make.team("Support")
    make.team("Billing")
    stella = make.user("staff", name="Stella Staff")
    carla = make.user("customer", name="Carla")
    response = client.post(f"/admin/teams/{team.id}/members", data={"user_id": str(stella.id)})
    assert response.status_code == 302
    assert [m.name for m in fresh(User, stella.id).teams] == ["Support"]
    # A customer does not join: 422 beside the field, nothing written.
    refused = client.post(f"/admin/teams/{team.id}/members", data={"user_id": str(carla.id)})
    assert refused.status_code == 422
    assert "Carla is not staff: only staff and admins belong to teams." in refused.get_data(
        as_text=True
    )
    assert fresh(User, carla.id).teams == []
    twice = client.post(f"/admin/teams/{team.id}/members", data={"user_id": str(stella.id)})
    assert twice.status_code == 422 and "already in Support" in twice.get_data(as_text=True)
    # The overview lists members and sends to the routing page for the rest.
    overview = client.get("/admin").get_data(as_text=True)
    assert "Stella Staff" in overview and 'href="/admin/routing"' in overview
    page = client.get(f"/admin/teams/{team.id}").get_data(as_text=True)
    assert "Members (1)" in page and "/admin/routing#team-" in page

    # Renamed; another team's name (in any case) is a 422.
    taken = client.post(f"/admin/teams/{team.id}", data={"name": "billing"})
    assert taken.status_code == 422 and "Another team is called billing." in taken.get_data(
        as_text=True
    )
    assert fresh(Team, team.id).name == "Support"
    assert client.post(f"/admin/teams/{team.id}", data={"name": "Customer care"}).status_code == 302
    assert fresh(Team, team.id).name == "Customer care"

    # Taken off the team, her open work of the team goes back to its queue.
    category = make.category("public", slug="general", team=fresh(Team, team.id))
    idea = make.idea(category=category, title="Waiting for Stella")
    idea = fresh(Idea, idea.id)
    idea.assignee_id = stella.id
    db.session.commit()
    response = client.post(f"/admin/teams/{team.id}/members/{stella.id}/remove")
    assert response.status_code == 302
    assert fresh(User, stella.id).teams == []
    assert fresh(Idea, idea.id).assignee_id is None
    actions = [e.action for e in changes()]
    assert actions[-4:] == ["team.add_member", "team.rename", "category.create",
                            "team.remove_member"]  # fmt: skip
    assert "1 open item(s) back to the team's queue" in changes("team.remove_member")[0].details
    gone = client.post(f"/admin/teams/{team.id}/members/{stella.id}/remove")
    assert gone.status_code == 302 and fresh(User, stella.id).teams == []


def test_team_members_change_in_place_with_htmx(client, admin, make):
    team = make.team("Support")
    stella = make.user("staff", name="Stella Staff")
    hx = {"HX-Request": "true"}
    added = client.post(f"/admin/teams/{team.id}/members", data={"user_id": str(stella.id)},
                        headers=hx)  # fmt: skip
    html = added.get_data(as_text=True)
    assert added.status_code == 200 and html.strip().startswith('<section id="team-members"')
    assert "Members (1)" in html and "Stella Staff" in html
    removed = client.post(f"/admin/teams/{team.id}/members/{stella.id}/remove", headers=hx)
    assert removed.status_code == 200 and "Members (0)" in removed.get_data(as_text=True)
    refused = client.post(f"/admin/teams/{team.id}/members", data={"user_id": "987654"},
                          headers=hx)  # fmt: skip
    assert refused.status_code == 422 and "No such person." in refused.get_data(as_text=True)


def test_renaming_a_team_through_the_api_is_logged(client, make, token_for):
    boss = make.user("staff", role="admin")
    team = make.team("Support")
    response = client.patch(f"/api/v1/teams/{team.id}", json={"name": "Help desk"},
                            headers=token_for(boss))  # fmt: skip
    assert response.status_code == 200 and response.get_json()["name"] == "Help desk"
    [entry] = changes("team.rename")
    assert entry.details == "name: Support → Help desk" and entry.by_id == boss.id


# -- categories ------------------------------------------------------------------------------


def test_admin_edits_a_category(client, admin, make):
    support = make.team("Support")
    category = make.category("public", slug="general")
    response = client.post(f"/admin/categories/{category.id}", data={
        "name": "General ideas", "description": "Anything else", "audience": "public",
        "team": str(support.id)})  # fmt: skip
    assert response.status_code == 302
    category = fresh(Category, category.id)
    assert (category.name, category.description, category.team_id) == (
        "General ideas",
        "Anything else",
        support.id,
    )
    [entry] = changes("category.update")
    assert "team: — → Support" in entry.details and "description changed" in entry.details
    for data, message in (
        ({"name": "", "audience": "public", "team": "0"}, "This field is required."),
        ({"name": "General", "audience": "everyone", "team": "0"}, "Not a valid choice"),
        ({"name": "General", "audience": "public", "team": "987654"}, "Not a valid choice"),
    ):
        refused = client.post(f"/admin/categories/{category.id}", data=data)
        assert refused.status_code == 422 and message in refused.get_data(as_text=True)
    assert fresh(Category, category.id).name == "General ideas"
    assert len(changes("category.update")) == 1


def test_an_archived_category_takes_no_new_ideas(client, admin, make):
    category = make.category("public", slug="old-stuff")
    idea = make.idea(category=category, title="Still readable")
    assert client.post(f"/admin/categories/{category.id}/archive").status_code == 302
    assert fresh(Category, category.id).archived_at is not None
    author = make.user("customer")
    assert category.slug not in [c.slug for c in ideas.postable_categories(author)]
    with pytest.raises(Exception, match="archived"):
        ideas.post_idea(author, title="Too late here", body="", category=category.slug,
                        kind="idea")  # fmt: skip
    db.session.rollback()
    assert client.application.test_client().get(f"/ideas/{idea.id}").status_code == 200
    twice = client.post(f"/admin/categories/{category.id}/archive")
    assert twice.status_code == 409 and "already archived" in twice.get_data(as_text=True)
    assert client.post(f"/admin/categories/{category.id}/unarchive").status_code == 302
    assert fresh(Category, category.id).archived_at is None
    assert client.post(f"/admin/categories/{category.id}/unarchive").status_code == 409
    assert [e.action for e in changes() if e.action.startswith("category.")][-2:] == [
        "category.archive",
        "category.unarchive",
    ]


def test_a_new_audience_reaches_every_idea_search_and_followers(app, client, admin, make):
    general = make.category("public", slug="general")
    customer, supplier = make.user("customer"), make.user("supplier")
    idea = make.idea(author=make.user("customer"), category=general,
                     title="Zephyrine pallet labels")  # fmt: skip
    for person in (customer, supplier):
        ideas.set_following(person, idea, True)
    db.session.commit()
    assert all(anonymous_sees(app, idea, "zephyrine").values())
    response = client.post(f"/admin/categories/{general.id}", data={
        "name": general.name, "description": "", "audience": "suppliers", "team": "0"})  # fmt: skip
    assert response.status_code == 302
    assert fresh(Idea, idea.id).audience == "suppliers"
    assert anonymous_sees(app, idea, "zephyrine") == {
        "list": False,
        "page": False,
        "search": False,
        "api": False,
    }
    assert not follows(customer, idea) and follows(supplier, idea)
    assert "audience: public → suppliers" in changes("category.update")[0].details
    # A supplier finds it in search now.
    assert idea.id in [
        hit["id"]
        for hit in client.get("/api/v1/search?q=zephyrine", headers=_token(supplier)).get_json()[
            "items"
        ]
    ]


def test_moving_ideas_into_a_suppliers_category(app, client, admin, make):
    general = make.category("public", slug="general")
    support = make.team("Supply chain")
    stella = make.user("staff", name="Stella Staff")
    support.members.append(stella)
    support.assignment = "round_robin"
    supply = make.category("suppliers", slug="supply", team=support)
    customer, supplier = make.user("customer"), make.user("supplier")
    waiting = make.idea(author=customer, category=general, title="Quibblewick crates waiting")
    answered = make.idea(author=customer, category=general, title="Quibblewick crates answered")
    answered.first_staff_answer_at = utcnow()
    for idea in (waiting, answered):
        ideas.set_following(supplier, idea, True)
    db.session.commit()
    assert anonymous_sees(app, waiting, "quibblewick")["search"]

    response = client.post(f"/admin/categories/{general.id}/move", data={"target": str(supply.id)})
    assert response.status_code == 302
    flashed = client.get(f"/admin/categories/{general.id}").get_data(as_text=True)
    assert "Moved 2 idea(s); 1 waiting for an answer were routed again" in flashed
    for idea in (waiting, answered):
        moved = fresh(Idea, idea.id)
        assert (moved.category_id, moved.audience) == (supply.id, "suppliers")
        assert anonymous_sees(app, moved, "quibblewick") == {
            "list": False,
            "page": False,
            "search": False,
            "api": False,
        }
        # The customer author may not see suppliers' ideas: no longer following; the
        # supplier follows on.
        assert not follows(customer, moved) and follows(supplier, moved)
    # The one still waiting was routed by the new category's team, and its person told.
    routed = fresh(Idea, waiting.id)
    assert (routed.team_id, routed.assignee_id) == (support.id, stella.id)
    assert (
        db.session.scalar(
            select(Notification.event).where(
                Notification.user_id == stella.id, Notification.idea_id == waiting.id
            )
        )
        == "assigned"
    )
    assert fresh(Idea, answered.id).assignee_id is None
    [entry] = changes("category.move_ideas")
    assert entry.target_id == general.id
    assert "2 idea(s) to Suppliers" in entry.details and "public → suppliers" in entry.details


def test_a_move_that_does_not_qualify_is_a_422_and_moves_nothing(client, admin, make):
    general = make.category("public", slug="general")
    archived = make.category("public", slug="attic")
    idea = make.idea(category=general)
    client.post(f"/admin/categories/{archived.id}/archive")
    for target, message in ((general.id, "Choose another category than this one."),
                            (archived.id, "is archived: it takes no ideas."),
                            (987654, "Not a valid choice")):  # fmt: skip
        response = client.post(f"/admin/categories/{general.id}/move", data={"target": str(target)})
        assert response.status_code == 422
        assert message in response.get_data(as_text=True)
    assert fresh(Idea, idea.id).category_id == general.id
    assert changes("category.move_ideas") == []


# -- organizations and the log -----------------------------------------------------------------


def test_organizations_are_renamed(client, admin, make):
    acme, globex = make.org("Acme"), make.org("Globex")
    make.user("supplier", org=acme, name="Sid Supplier")
    page = client.get(f"/admin/organizations/{acme.id}").get_data(as_text=True)
    assert "Sid Supplier" in page
    taken = client.post(f"/admin/organizations/{acme.id}", data={"name": "GLOBEX"})
    assert taken.status_code == 422 and "Another organization is called GLOBEX." in taken.get_data(
        as_text=True
    )
    blank = client.post(f"/admin/organizations/{acme.id}", data={"name": "\x00"})
    assert blank.status_code == 422
    assert client.post(f"/admin/organizations/{acme.id}",
                       data={"name": "Acme Components"}).status_code == 302  # fmt: skip
    assert fresh(type(acme), acme.id).name == "Acme Components"
    assert fresh(type(globex), globex.id).name == "Globex"
    [entry] = changes("organization.rename")
    assert entry.details == "name: Acme → Acme Components"


def test_the_admin_log_shows_every_change(client, admin, make):
    team = make.team("Support")
    client.post(f"/admin/teams/{team.id}", data={"name": "Help desk"})
    client.post("/admin/organizations", data={"org-name": "Initech"})
    log = client.get("/admin/log").get_data(as_text=True)
    assert "<h1>Admin log</h1>" in log
    assert "Renamed a team" in log and "name: Support → Help desk" in log
    assert "Created an organization" in log and "Ada Admin" in log
    only_teams = client.get("/admin/log?target=team").get_data(as_text=True)
    assert "Renamed a team" in only_teams and "Initech" not in only_teams
    assert client.get("/admin/log?target=spaceship").status_code == 422
    # Made on the command line: by nobody in particular.
    make.category("public", slug="from-cli")
    assert "command line" in client.get("/admin/log").get_data(as_text=True)
    assert 'href="/admin/log"' in client.get("/admin").get_data(as_text=True)


def test_audience_viewers_is_visible_audiences_in_sql(make):
    """The SQL rule (followers of many ideas at once) agrees with the per-person one."""
    people = [
        make.user("customer"), make.user("customer", role="moderator"),
        make.user("supplier"), make.user("supplier", approved=False),
        make.user("staff"), make.user("customer", role="admin"),
    ]  # fmt: skip
    ids = [p.id for p in people]
    for audience in ("public", "customers", "suppliers"):
        query = select(User.id).where(User.id.in_(ids), access.audience_viewers(audience))
        viewers = set(db.session.scalars(query))
        expected = {p.id for p in people if audience in access.visible_audiences(p)}
        assert viewers == expected, audience
