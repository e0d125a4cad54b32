"""Intake through the API and the services (SPEC 12): receive, route, and work messages."""

import json

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.ideas.models import Follow, Idea, Vote
from portal.intake.models import IntakeMessage
from portal.notify.models import Notification, OutboxMessage
from portal.routing import service as routing


@pytest.fixture
def desk(make, token_for):
    """A support team with a staff member, a category routed to it, and a help desk's token."""
    team = make.team("Support")
    agent = make.user(kind="staff", name="Agent Smith")
    team.members.append(agent)
    category = make.category(slug="billing", team=team)
    db.session.commit()
    return {
        "team": team,
        "agent": agent,
        "category": category,
        "headers": token_for(agent),
    }


def post(client, desk, **body):
    payload = {"sender_email": "Jane@Example.COM", "body": "The invoice is wrong."} | body
    return client.post("/api/v1/intake", json=payload, headers=desk["headers"])


def test_a_help_desk_posts_a_message_routed_by_its_category(client, desk):
    response = post(client, desk, subject="Invoice", category="billing", sender_name="Jane")
    assert response.status_code == 201, response.json
    message = response.json
    assert message["status"] == "open"
    assert message["source"] == "api"
    assert message["sender"] == {"email": "jane@example.com", "name": "Jane", "user_id": None,
                                 "verified": False, "organization": None}  # fmt: skip
    assert message["team"] == {"id": desk["team"].id, "name": "Support"}
    assert message["idea_id"] is None and message["replies"] == []
    listed = client.get("/api/v1/intake", headers=desk["headers"]).json
    assert [m["id"] for m in listed["items"]] == [message["id"]]


def test_the_same_external_ref_makes_one_message(client, desk):
    first = post(client, desk, external_ref="zendesk-42")
    again = post(client, desk, external_ref="zendesk-42", body="Another text")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json["id"] == first.json["id"]
    assert db.session.scalar(select(func.count()).select_from(IntakeMessage)) == 1


@pytest.mark.parametrize(
    "body, field",
    [
        ({"sender_email": "not an address"}, "email"),
        ({"body": ""}, "body"),
        ({"category": "nope"}, "category"),
        ({"subject": 12}, "subject"),
    ],
)
def test_bad_input_is_422_and_stores_nothing(client, desk, body, field):
    response = post(client, desk, **body)
    assert response.status_code == 422, response.json
    assert field in response.json["error"]["fields"]
    assert db.session.scalar(select(func.count()).select_from(IntakeMessage)) == 0


def test_only_staff_work_intake(client, desk, make, token_for):
    customer = make.user()
    headers = token_for(customer)
    assert client.get("/api/v1/intake", headers=headers).status_code == 403
    assert client.get("/api/v1/intake").status_code == 401
    created = post(client, desk).json
    assert client.get(f"/api/v1/intake/{created['id']}", headers=headers).status_code == 403
    refused = client.post("/api/v1/intake", json={"sender_email": "a@b.c", "body": "x"},
                          headers=headers)  # fmt: skip
    assert refused.status_code == 403


def test_attach_adds_evidence_and_the_senders_vote_once(client, desk, make):
    sender = make.user(email="jane@example.com")
    idea = make.idea(category=desk["category"])
    message = post(client, desk, sender_verified=True).json
    assert message["sender"]["user_id"] == sender.id
    url = f"/api/v1/intake/{message['id']}/actions"
    response = client.post(url, json={"action": "attach", "idea_id": idea.id},
                           headers=desk["headers"])  # fmt: skip
    assert response.status_code == 200, response.json
    assert response.json["status"] == "attached" and response.json["idea_id"] == idea.id
    db.session.expire_all()
    assert idea.evidence_count == 1 and idea.votes_count == 2
    assert db.session.get(Follow, (idea.id, sender.id)) is not None
    again = client.post(url, json={"action": "attach", "idea_id": idea.id},
                        headers=desk["headers"])  # fmt: skip
    assert again.status_code == 409
    second = post(client, desk, body="Also this", sender_verified=True).json
    client.post(f"/api/v1/intake/{second['id']}/actions",
                json={"action": "attach", "idea_id": idea.id}, headers=desk["headers"])  # fmt: skip
    db.session.expire_all()
    assert idea.evidence_count == 2 and idea.votes_count == 2
    votes = select(func.count()).select_from(Vote).where(Vote.user_id == sender.id)
    assert db.session.scalar(votes) == 1
    shown = client.get(f"/api/v1/ideas/{idea.id}").json
    assert shown["evidence"] == 2


def test_attach_to_a_confidential_idea_adds_no_vote_for_a_sender_who_may_not_see_it(
    client, desk, make
):
    supplier = make.user(kind="supplier")
    outsider = make.user(email="jane@example.com")
    category = make.category(audience="suppliers", team=desk["team"])
    idea = make.idea(author=supplier, category=category, confidential=True)
    message = post(client, desk).json
    response = client.post(f"/api/v1/intake/{message['id']}/actions",
                           json={"action": "attach", "idea_id": idea.id},
                           headers=desk["headers"])  # fmt: skip
    assert response.status_code == 200
    db.session.expire_all()
    assert idea.votes_count == 1
    assert db.session.get(Follow, (idea.id, outsider.id)) is None


def test_convert_makes_an_idea_on_behalf_of_a_sender_without_account(client, desk):
    message = post(client, desk, sender_name="Jane Doe", subject="Invoices").json
    response = client.post(f"/api/v1/intake/{message['id']}/actions",
                           json={"action": "convert", "title": "Clearer invoices",
                                 "category": "billing"},
                           headers=desk["headers"])  # fmt: skip
    assert response.status_code == 200, response.json
    idea = db.session.get(Idea, response.json["idea_id"])
    assert idea.author_id == desk["agent"].id and idea.on_behalf_of == "Jane Doe"
    assert idea.body == "The invoice is wrong." and idea.evidence_count == 1
    assert idea.team_id == desk["team"].id


def test_an_unverified_senders_message_adds_no_vote_and_converts_on_their_behalf(
    client, desk, make
):
    make.user(email="jane@example.com", name="Jane Account")
    idea = make.idea(category=desk["category"])
    first = post(client, desk).json
    assert first["sender"]["user_id"] is not None and first["sender"]["verified"] is False
    client.post(f"/api/v1/intake/{first['id']}/actions",
                json={"action": "attach", "idea_id": idea.id}, headers=desk["headers"])  # fmt: skip
    db.session.expire_all()
    assert idea.votes_count == 1 and idea.evidence_count == 1
    second = post(client, desk, sender_name="").json
    done = client.post(f"/api/v1/intake/{second['id']}/actions", headers=desk["headers"],
                       json={"action": "convert", "title": "Clearer invoices",
                             "category": "billing"}).json  # fmt: skip
    converted = db.session.get(Idea, done["idea_id"])
    assert converted.author_id == desk["agent"].id
    assert converted.on_behalf_of == "someone who wrote to us"  # never the address
    assert converted.votes_count == 0  # the staff member who typed it does not vote


def test_a_suppliers_converted_message_is_confidential_unless_staff_say_otherwise(
    client, desk, make
):
    supplier = make.user(kind="supplier", email="s@acme.example.com")
    category = make.category(audience="suppliers", slug="parts", team=desk["team"])
    message = post(client, desk, sender_email="s@acme.example.com", sender_verified=True,
                   body="Our part numbers\n\nPhone +49 123").json  # fmt: skip
    convert = {"action": "convert", "title": "Shared part numbers", "category": category.slug,
               "body": "Shared part numbers"}  # fmt: skip
    url = f"/api/v1/intake/{message['id']}/actions"
    done = client.post(url, headers=desk["headers"], json=convert).json
    idea = db.session.get(Idea, done["idea_id"])
    assert idea.author_id == supplier.id and idea.confidential is True
    assert idea.body == "Shared part numbers"  # staff edited the text before publishing


def test_two_staff_converting_at_once_make_one_idea(client, desk):
    message = post(client, desk).json
    url = f"/api/v1/intake/{message['id']}/actions"
    body = {"action": "convert", "title": "Clearer invoices", "category": "billing"}
    first = client.post(url, json=body, headers=desk["headers"])
    second = client.post(url, json=body, headers=desk["headers"])
    assert (first.status_code, second.status_code) == (200, 409)
    assert db.session.scalar(select(func.count()).select_from(Idea)) == 1


def test_convert_by_the_senders_account(client, desk, make):
    sender = make.user(email="jane@example.com")
    message = post(client, desk, sender_verified=True).json
    response = client.post(f"/api/v1/intake/{message['id']}/actions",
                           json={"action": "convert", "title": "Clearer invoices",
                                 "category": "billing", "kind": "problem"},
                           headers=desk["headers"])  # fmt: skip
    idea = db.session.get(Idea, response.json["idea_id"])
    assert idea.author_id == sender.id and idea.on_behalf_of is None and idea.kind == "problem"


def test_reply_mails_the_sender_and_counts_as_the_first_answer(client, desk):
    message = post(client, desk, subject="Invoice", sender_verified=True).json
    response = client.post(f"/api/v1/intake/{message['id']}/actions",
                           json={"action": "reply", "body": "We are on it."},
                           headers=desk["headers"])  # fmt: skip
    assert response.status_code == 200
    assert response.json["replies"][0]["body"] == "We are on it."
    assert response.json["first_answered_at"] is not None
    mail = db.session.scalar(select(OutboxMessage).where(
        OutboxMessage.recipient == "jane@example.com"))  # fmt: skip
    assert mail.subject == "Re: Invoice" and "We are on it." in mail.body
    unverified = post(client, desk, sender_email="x@example.com", sender_name="Click evil.example",
                      subject="Win a prize at evil.example").json  # fmt: skip
    client.post(f"/api/v1/intake/{unverified['id']}/actions", headers=desk["headers"],
                json={"action": "reply", "body": "Thanks"})  # fmt: skip
    sent = db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.recipient == "x@example.com")
    )
    assert sent.subject == "Re: your message" and "evil.example" not in sent.body


def test_dismiss_needs_a_reason(client, desk):
    message = post(client, desk).json
    url = f"/api/v1/intake/{message['id']}/actions"
    missing = client.post(url, json={"action": "dismiss"}, headers=desk["headers"])
    assert missing.status_code == 422 and "reason" in missing.json["error"]["fields"]
    done = client.post(url, json={"action": "dismiss", "reason": "Spam"}, headers=desk["headers"])
    assert done.json["status"] == "dismissed"
    listed = client.get("/api/v1/intake?status=dismissed", headers=desk["headers"]).json
    assert [m["id"] for m in listed["items"]] == [message["id"]]
    assert client.get("/api/v1/intake", headers=desk["headers"]).json["items"] == []


def test_unknown_action_and_not_json(client, desk):
    message = post(client, desk).json
    url = f"/api/v1/intake/{message['id']}/actions"
    assert client.post(url, json={"action": "explode"}, headers=desk["headers"]).status_code == 422
    bad = client.post(url, data="{", headers=desk["headers"] | {"Content-Type": "application/json"})
    assert bad.status_code == 400


def test_assign_to_a_person_notifies_them(client, desk, make):
    other = make.user(kind="staff")
    message = post(client, desk).json
    response = client.post(f"/api/v1/intake/{message['id']}/actions",
                           json={"action": "assign", "assignee_id": other.id},
                           headers=desk["headers"])  # fmt: skip
    assert response.status_code == 200, response.json
    assert response.json["assignee"]["id"] == other.id
    note = db.session.scalar(select(Notification).where(Notification.user_id == other.id))
    assert note.event == "assigned" and note.intake_message_id == message["id"]
    customer = make.user()
    wrong = client.post(f"/api/v1/intake/{message['id']}/actions",
                        json={"action": "assign", "assignee_id": customer.id},
                        headers=desk["headers"])  # fmt: skip
    assert wrong.status_code == 422


# -- routing ---------------------------------------------------------------------------------


def test_a_rule_on_words_routes_before_the_category(client, desk, make, token_for):
    admin = make.user(kind="staff", role="admin")
    headers = token_for(admin)
    refunds = make.team("Refunds")
    created = client.post("/api/v1/routing-rules", headers=headers, json={
        "name": "Refunds", "conditions": {"words": ["refund"]}, "team_id": refunds.id})  # fmt: skip
    assert created.status_code == 201, created.json
    assert created.json["position"] == 1
    routed = post(client, desk, body="I want a REFUND please").json
    assert routed["team"]["id"] == refunds.id
    not_routed = post(client, desk, body="Refunded already, thanks", category="billing").json
    assert not_routed["team"]["id"] == desk["team"].id
    bad = client.post("/api/v1/routing-rules", headers=headers,
                      json={"name": "x", "team_id": 999})  # fmt: skip
    assert bad.status_code == 422
    staff_only = client.get("/api/v1/routing-rules", headers=desk["headers"])
    assert staff_only.status_code == 403


def test_round_robin_and_least_loaded_skip_the_unavailable(app, make):
    team = make.team()
    first, second, away = (make.user(kind="staff") for _ in range(3))
    team.members.extend([first, second, away])
    away.available = False
    team.assignment = "round_robin"
    db.session.commit()
    category = make.category(team=team)
    given = [make.idea(category=category).assignee_id for _ in range(4)]
    assert given == [first.id, second.id, first.id, second.id]
    team.assignment = "least_loaded"
    db.session.commit()
    idea = make.idea(category=category)
    # first has 2 open ideas (ids 1, 3), second 2, third is away: the least loaded longest idle
    assert idea.assignee_id == first.id
    first.available = second.available = False
    db.session.commit()
    assert make.idea(category=category).assignee_id is None


def test_answer_target_sets_due_dates(app, make):
    team = make.team()
    team.answer_target_hours = 8
    team.business_hours = json.dumps({"timezone": "UTC", "days": [0, 1, 2, 3, 4, 5, 6],
                                      "start": "00:00", "end": "24:00"})  # fmt: skip
    db.session.commit()
    idea = make.idea(category=make.category(team=team))
    assert (idea.first_answer_due_at - idea.created_at).total_seconds() == pytest.approx(8 * 3600)
    assert routing.deadlines(team, idea.created_at)[1] < idea.first_answer_due_at


# -- pages -------------------------------------------------------------------------------------


def test_the_inbox_works_messages_in_place_and_without_javascript(client, desk, make, login):
    idea = make.idea(category=desk["category"])
    message = post(client, desk, subject="Invoice trouble").json
    login(desk["agent"])
    page = client.get("/staff/inbox")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Invoice trouble" in html and "jane@example.com" in html
    assert 'hx-post="/staff/inbox/' in html
    # htmx: the card comes back in place
    done = client.post(f"/staff/inbox/{message['id']}/attach", data={"idea_id": str(idea.id)},
                       headers={"HX-Request": "true"})  # fmt: skip
    assert done.status_code == 200, done.get_data(as_text=True)
    assert "Attached as evidence." in done.get_data(as_text=True)
    assert f"idea #{idea.id}" in done.get_data(as_text=True)
    # without JavaScript: a redirect, and a refusal says why
    second = post(client, desk, subject="Second").json
    refused = client.post(f"/staff/inbox/{second['id']}/dismiss", data={"reason": ""})
    assert refused.status_code == 302
    follow = client.get(refused.headers["Location"])
    assert "Reason" in follow.get_data(as_text=True)
    ok = client.post(f"/staff/inbox/{second['id']}/dismiss", data={"reason": "Spam"})
    assert ok.status_code == 302
    db.session.expire_all()
    assert db.session.get(IntakeMessage, second["id"]).status == "dismissed"


def test_the_inbox_is_for_staff_only(client, desk, make, login):
    assert client.get("/staff/inbox").status_code == 302  # to sign in
    login(make.user())
    assert client.get("/staff/inbox").status_code == 403


def test_routing_admin_adds_and_orders_rules(client, make, login):
    admin = make.user(kind="staff", role="admin")
    team = make.team("Billing")
    login(admin)
    assert client.get("/admin/routing").status_code == 200
    for name in ("First", "Second"):
        data = {"name": name, "team_id": str(team.id), "words": "invoice, refund"}
        response = client.post("/admin/routing/rules", data=data)
        assert response.status_code == 302
    rules = routing.ordered_rules()
    assert [r.name for r in rules] == ["First", "Second"]
    assert rules[0].conditions == {"words": ["invoice", "refund"]}
    client.post(f"/admin/routing/rules/{rules[1].id}", data={"move": "up"})
    db.session.expire_all()
    assert [r.name for r in routing.ordered_rules()] == ["Second", "First"]
    bad = client.post("/admin/routing/rules", data={"name": "No team"})
    assert bad.status_code == 422 and "team" in bad.get_data(as_text=True).lower()
    saved = client.post(f"/admin/routing/teams/{team.id}", data={
        "assignment": "round_robin", "answer_target_hours": "8", "timezone": "Europe/Berlin",
        "days": ["0", "1", "2", "3", "4"], "start": "08:00", "end": "16:30"})  # fmt: skip
    assert saved.status_code == 302
    db.session.expire_all()
    assert team.assignment == "round_robin" and team.answer_target_hours == 8
    assert json.loads(team.business_hours)["timezone"] == "Europe/Berlin"
    wrong = client.post(f"/admin/routing/teams/{team.id}", data={
        "assignment": "queue", "timezone": "Mars/Olympus", "days": ["0"], "start": "09:00",
        "end": "17:00"})  # fmt: skip
    assert wrong.status_code == 422 and "time zone" in wrong.get_data(as_text=True).lower()


def test_responsiveness_counts_only_what_the_viewer_sees(client, make):
    team = make.team("Partners")
    supplier = make.user(kind="supplier")
    category = make.category(audience="suppliers", team=team)
    make.idea(author=supplier, category=category, confidential=True)
    public = make.category(team=team)
    make.idea(category=public)
    rows = client.get("/api/v1/responsiveness").json["items"]
    partners = next(r for r in rows if r["team"]["name"] == "Partners")
    assert partners["waiting"] == 1  # the public one only
    assert client.get("/responsiveness").status_code == 200


# -- the feedback widget -----------------------------------------------------------------------


@pytest.fixture
def widget_app(database_url):
    from tests.conftest import _empty_tables, make_test_app

    app = make_test_app(database_url, WIDGET_ORIGINS="https://shop.example.com")
    with app.app_context():
        yield app
        db.session.remove()
    _empty_tables(app)


def test_the_widget_may_be_framed_only_by_the_configured_origins(widget_app, client):
    widget = widget_app.test_client().get("/widget?page=https://shop.example.com/cart")
    assert widget.status_code == 200
    csp = widget.headers["Content-Security-Policy"]
    assert "frame-ancestors 'self' https://shop.example.com" in csp
    assert "X-Frame-Options" not in widget.headers
    other = widget_app.test_client().get("/ideas")
    assert "frame-ancestors 'none'" in other.headers["Content-Security-Policy"]
    assert other.headers["X-Frame-Options"] == "DENY"


def test_the_widget_takes_feedback_from_its_own_form_only(widget_app):
    client = widget_app.test_client()
    own = {"Origin": "http://localhost"}
    data = {"body": "Checkout is confusing", "email": "Jane@Example.com", "name": "Jane",
            "page": "https://shop.example.com/cart"}  # fmt: skip
    forged = client.post("/widget", data=data, headers={"Origin": "https://evil.example"})
    assert forged.status_code == 403
    missing = client.post("/widget", data=data | {"email": ""}, headers=own)
    assert missing.status_code == 422 and "e-mail" in missing.get_data(as_text=True)
    taken = client.post("/widget", data=data, headers=own)
    assert taken.status_code == 200 and "Thank you" in taken.get_data(as_text=True)
    message = db.session.scalar(select(IntakeMessage))
    assert message.source == "widget" and message.sender_email == "jane@example.com"
    assert message.subject == "Feedback on https://shop.example.com/cart"
    assert db.session.scalar(select(func.count()).select_from(IntakeMessage)) == 1


def test_an_address_typed_into_the_widget_is_not_taken_for_its_account(widget_app, make):
    make.user(email="victim@example.com")
    client = widget_app.test_client()
    data = {"body": "Please add dark mode", "email": "victim@example.com"}
    assert (
        client.post("/widget", data=data, headers={"Origin": "http://localhost"}).status_code == 200
    )
    db.session.rollback()
    message = db.session.scalar(select(IntakeMessage))
    assert message.sender_email == "victim@example.com" and message.sender_verified is False


def test_a_signed_in_visitor_just_writes(widget_app, make):
    from tests.conftest import PASSWORD

    user = make.user(email="member@example.com")
    client = widget_app.test_client()
    client.post("/login", data={"email": user.email, "password": PASSWORD})
    page = client.get("/widget").get_data(as_text=True)
    assert "Sent as" in page and 'name="email"' not in page
    taken = client.post("/widget", data={"body": "Nice"}, headers={"Origin": "http://localhost"})
    assert taken.status_code == 200, taken.get_data(as_text=True)
    assert "Thank you" in taken.get_data(as_text=True), taken.get_data(as_text=True)
    db.session.rollback()  # this test's own session began reading before the widget wrote
    messages = db.session.execute(select(IntakeMessage.user_id, IntakeMessage.sender_email)).all()
    assert messages == [(user.id, "member@example.com")]


def test_intake_notifications_link_to_the_message_for_staff_only(client, desk, make, login,
                                                                 token_for):  # fmt: skip
    other = make.user(kind="staff")
    message = post(client, desk).json
    assign = {"action": "assign", "assignee_id": other.id}
    client.post(f"/api/v1/intake/{message['id']}/actions", json=assign, headers=desk["headers"])
    listed = client.get("/api/v1/notifications", headers=token_for(other)).json["items"]
    assert listed[0]["intake_message_id"] == message["id"]
    assert listed[0]["url"].endswith(f"/staff/inbox/{message['id']}")
    login(other)
    centre = client.get("/notifications").get_data(as_text=True)
    assert "Assigned to you" in centre
    opened = client.post(f"/notifications/{listed[0]['id']}/open")
    assert opened.headers["Location"].endswith(f"/staff/inbox/{message['id']}")
    other.kind = "customer"  # no longer staff: the notification is no longer theirs to read
    db.session.commit()
    assert client.get("/api/v1/notifications", headers=token_for(other)).json["items"] == []


@pytest.mark.parametrize(
    "body",
    [
        {"action": "attach", "idea_id": 99999999999999999999},
        {"action": "attach", "idea_id": "99999999999999999999"},
        {"action": "assign", "team_id": 99999999999999999999},
        {"action": "assign", "assignee_id": 99999999999999999999},
    ],
)
def test_ids_beyond_any_row_are_422_not_500(client, desk, body):
    message = post(client, desk).json
    response = client.post(f"/api/v1/intake/{message['id']}/actions", json=body,
                           headers=desk["headers"])  # fmt: skip
    assert response.status_code == 422, response.json


def test_huge_ids_in_lists_and_rules_are_422(client, desk, make, token_for):
    admin = token_for(make.user(kind="staff", role="admin"))
    assert client.get("/api/v1/intake?team=99999999999999999999",
                      headers=desk["headers"]).status_code == 422  # fmt: skip
    rule = {"name": "x", "team_id": 99999999999999999999}
    assert client.post("/api/v1/routing-rules", json=rule, headers=admin).status_code == 422
    rule = {"name": "x", "team_id": desk["team"].id,
            "conditions": {"organization": 99999999999999999999}}  # fmt: skip
    assert client.post("/api/v1/routing-rules", json=rule, headers=admin).status_code == 422
    idea = make.idea(category=desk["category"])
    patch = client.patch(f"/api/v1/ideas/{idea.id}", json={"team_id": 99999999999999999999},
                         headers=desk["headers"])  # fmt: skip
    assert patch.status_code == 422


def test_a_suspended_visitor_cannot_send_feedback(widget_app, make):
    from datetime import timedelta

    from portal.timeutil import utcnow
    from tests.conftest import PASSWORD

    user = make.user(email="member@example.com")
    client = widget_app.test_client()
    client.post("/login", data={"email": user.email, "password": PASSWORD})
    user.suspended_until = utcnow() + timedelta(days=1)
    db.session.commit()
    refused = client.post("/widget", data={"body": "Hi"}, headers={"Origin": "http://localhost"})
    assert refused.status_code == 422 and "suspended" in refused.get_data(as_text=True).lower()
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(IntakeMessage)) == 0
