"""Saved replies (issue 15): a team's members and admins manage them; staff insert one into
an official answer, a status note or an intake reply, with and without JavaScript, and edit
it before sending. Nobody else is offered the picker."""

import re

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.ideas.models import Comment
from portal.intake import service as intake
from portal.replies import service as replies
from portal.replies.models import SavedReply

HX = {"HX-Request": "true"}
PASSWORD = "correct-horse-battery"


class World:
    pass


@pytest.fixture
def world(app, make):
    w = World()
    w.ovens = make.team("Ovens")
    w.kettles = make.team("Kettles")
    w.lamps = make.team("Lamps")
    w.member = make.user("staff", name="Mia Member")
    w.outsider = make.user("staff", name="Otto Outsider")
    w.admin = make.user("staff", role="admin", name="Ada Admin")
    w.customer = make.user("customer", name="Cora Customer")
    w.ovens.members.append(w.member)
    db.session.commit()
    w.ovens_reply = replies.create_reply(w.member, w.ovens.id, "Declined: out of scope",
                                         "Thanks! This is outside what we build.")  # fmt: skip
    w.kettles_reply = replies.create_reply(w.admin, w.kettles.id, "Kettle answer",
                                           "Kettles: see the manual.")  # fmt: skip
    w.lamps_reply = replies.create_reply(w.admin, w.lamps.id, "Lamp answer", "Lamps glow.")
    category = make.category("public", team=w.kettles)
    w.idea = make.idea(author=w.customer, category=category, title="A kettle that sings")
    db.session.commit()
    w.ids = {name: getattr(w, name).id for name in ("ovens_reply", "kettles_reply",
                                                     "lamps_reply", "idea")}  # fmt: skip
    w.emails = {name: getattr(w, name).email for name in ("member", "outsider", "admin",
                                                          "customer")}  # fmt: skip
    w.teams = {name: getattr(w, name).id for name in ("ovens", "kettles", "lamps")}
    return w


def signed_in(app, world, who):
    client = app.test_client()
    response = client.post("/login", data={"email": world.emails[who], "password": PASSWORD})
    assert response.status_code == 302
    return client


def test_members_and_admins_manage_a_teams_replies(app, world):
    member = signed_in(app, world, "member")
    page = member.get("/staff/saved-replies").get_data(as_text=True)
    assert "Declined: out of scope" in page and "Lamp answer" not in page
    created = member.post(
        "/staff/saved-replies",
        data={"team_id": str(world.teams["ovens"]), "title": "Planned", "body": "It is planned."},
    )
    assert created.status_code == 302
    new_id = db.session.scalar(select(SavedReply.id).where(SavedReply.title == "Planned"))
    assert member.post(f"/staff/saved-replies/{new_id}/edit", data={
        "team_id": str(world.teams["ovens"]), "title": "Planned!", "body": "Soon."}
    ).status_code == 302  # fmt: skip
    assert db.session.get(SavedReply, new_id).title == "Planned!"
    # Bad input: a clear message, nothing written.
    empty = member.post(
        "/staff/saved-replies",
        data={"team_id": str(world.teams["ovens"]), "title": "", "body": "x"},
    )
    assert empty.status_code == 422
    # Another team's replies: neither created, changed nor deleted by a non-member.
    outsider = signed_in(app, world, "outsider")
    assert outsider.post("/staff/saved-replies", data={
        "team_id": str(world.teams["ovens"]), "title": "Mine now", "body": "x"}
    ).status_code == 403  # fmt: skip
    assert outsider.get(f"/staff/saved-replies/{new_id}/edit").status_code == 403
    assert outsider.post(f"/staff/saved-replies/{new_id}/delete").status_code == 403
    assert member.post(f"/staff/saved-replies/{world.ids['lamps_reply']}/edit", data={
        "team_id": str(world.teams["lamps"]), "title": "Taken", "body": "x"}
    ).status_code == 403  # fmt: skip
    # A member cannot move their reply into a team they are not in.
    moved = member.post(
        f"/staff/saved-replies/{new_id}/edit",
        data={"team_id": str(world.teams["lamps"]), "title": "Planned!", "body": "Soon."},
    )
    assert moved.status_code == 403
    db.session.expire_all()
    assert db.session.get(SavedReply, new_id).team_id == world.teams["ovens"]
    # Admins manage every team's; the member deletes their own team's.
    admin = signed_in(app, world, "admin")
    assert "Lamp answer" in admin.get("/staff/saved-replies").get_data(as_text=True)
    assert admin.post(f"/staff/saved-replies/{world.ids['lamps_reply']}/delete").status_code == 302
    assert member.post(f"/staff/saved-replies/{new_id}/delete").status_code == 302
    assert db.session.scalar(select(func.count(SavedReply.id))) == 2
    # Nobody else sees them at all.
    customer = signed_in(app, world, "customer")
    assert customer.get("/staff/saved-replies").status_code == 403
    assert customer.get(f"/staff/saved-replies/{world.ids['ovens_reply']}/edit").status_code == 403
    assert app.test_client().get("/staff/saved-replies").status_code == 302


def test_the_picker_offers_ones_teams_and_the_ideas_team_to_staff_only(app, world):
    page = signed_in(app, world, "member").get(f"/ideas/{world.ids['idea']}")
    text = page.get_data(as_text=True)
    assert 'name="saved_reply"' in text
    assert "Declined: out of scope" in text  # their team
    assert "Kettle answer" in text  # the idea's team
    assert "Lamp answer" not in text  # neither
    customer = signed_in(app, world, "customer").get(f"/ideas/{world.ids['idea']}")
    assert 'name="saved_reply"' not in customer.get_data(as_text=True)
    assert "Kettle answer" not in customer.get_data(as_text=True)


def _comments() -> int:
    return db.session.scalar(select(func.count(Comment.id)))


def test_insert_without_javascript_fills_the_form_and_sends_nothing(app, world):
    member = signed_in(app, world, "member")
    idea = world.ids["idea"]
    before = _comments()
    response = member.post(f"/ideas/{idea}/comments", data={
        "body": "Hello Cora,", "official": "y", "saved_reply": str(world.ids["ovens_reply"]),
        "insert_reply": "body"})  # fmt: skip
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert re.search(r'id="body"[^>]*>\s*Hello Cora,\s+Thanks! This is outside what we build.'
                     r"</textarea>", text)  # fmt: skip
    assert _comments() == before
    # Sent after editing: an official answer like any other.
    sent = member.post(
        f"/ideas/{idea}/comments",
        data={"body": "Hello Cora,\n\nThanks! Outside what we build, sorry.", "official": "y"},
    )
    assert sent.status_code == 302 and _comments() == before + 1
    # The status note (a decline reason): the same, in the status form.
    status = member.post(f"/ideas/{idea}/status", data={
        "status": "declined", "note": "", "saved_reply": str(world.ids["kettles_reply"]),
        "insert_reply": "note"})  # fmt: skip
    assert status.status_code == 200
    assert re.search(r'id="note"[^>]*>\s*Kettles: see the manual.</textarea>',
                     status.get_data(as_text=True))  # fmt: skip
    # No reply chosen, or one that does not exist: a clear message.
    missing = member.post(
        f"/ideas/{idea}/comments",
        data={"body": "x", "saved_reply": "999999", "insert_reply": "body"},
    )
    assert missing.status_code == 422
    assert "Choose a saved reply to insert." in missing.get_data(as_text=True)


def test_insert_with_htmx_swaps_the_text_box(app, world):
    member = signed_in(app, world, "member")
    response = member.post("/staff/saved-replies/insert", headers=HX, data={
        "field": "body", "target": "body", "body": "Hi,",
        "saved_reply": str(world.ids["ovens_reply"])})  # fmt: skip
    assert response.status_code == 200
    assert response.get_data(as_text=True).strip() == (
        '<textarea id="body" name="body" rows="6">Hi,\n\n'
        "Thanks! This is outside what we build.</textarea>"
    )
    for bad in ({"field": "title", "target": "body"}, {"field": "body", "target": "x\"><b"},
                {"field": "body", "target": "body", "saved_reply": ""}):  # fmt: skip
        refused = member.post(
            "/staff/saved-replies/insert",
            headers=HX,
            data={"saved_reply": str(world.ids["ovens_reply"]), **bad},
        )
        assert refused.status_code == 422, bad
    customer = signed_in(app, world, "customer")
    assert customer.post("/staff/saved-replies/insert", headers=HX, data={
        "field": "body", "target": "body", "saved_reply": str(world.ids["ovens_reply"])}
    ).status_code == 403  # fmt: skip


def test_an_intake_reply_takes_a_saved_reply(app, world):
    message = intake.receive(source="api", sender_email="someone@example.net", body="Hi?",
                             subject="Ovens").message  # fmt: skip
    db.session.commit()
    member = signed_in(app, world, "member")
    inbox = member.get("/staff/inbox?team=all").get_data(as_text=True)
    assert 'name="saved_reply"' in inbox and "Declined: out of scope" in inbox
    filled = member.post(
        f"/staff/inbox/{message.id}/reply",
        data={"body": "", "saved_reply": str(world.ids["ovens_reply"]), "insert_reply": "body"},
    )
    assert filled.status_code == 200
    text = filled.get_data(as_text=True)
    assert ">Thanks! This is outside what we build.</textarea>" in text
    db.session.expire_all()
    assert not db.session.get(type(message), message.id).replies  # nothing was sent


def test_the_inbox_reads_saved_replies_once_whatever_its_length(app, world, count_queries):
    member = signed_in(app, world, "member")

    def queries_with(n):
        for i in range(n):
            intake.receive(source="api", sender_email=f"p{i}@example.net", body=f"Hi {i}")
        db.session.commit()
        with count_queries() as queries:
            assert member.get("/staff/inbox?team=all&per_page=50").status_code == 200
        return len([q for q in queries if "saved_reply" in q])

    assert queries_with(2) == 1
    assert queries_with(5) == 1
