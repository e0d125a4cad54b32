"""Routing, moving misfiled ideas, due and overdue notices, responsiveness (SPEC 13)."""

import json
import statistics
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.ideas import service as ideas
from portal.ideas.models import Follow, Idea
from portal.notify.models import Notification
from portal.routing import service as routing
from portal.routing.deadlines import notify_deadlines
from portal.timeutil import utcnow
from tests.conftest import make_test_app

ROUND_THE_CLOCK = json.dumps({"timezone": "UTC", "days": [0, 1, 2, 3, 4, 5, 6],
                              "start": "00:00", "end": "24:00"})  # fmt: skip


@pytest.fixture
def teams(make):
    first, second = make.team("First line"), make.team("Second line")
    agent, other = make.user(kind="staff", name="Agent"), make.user(kind="staff", name="Other")
    first.members.append(agent)
    second.members.append(other)
    for team in (first, second):
        team.answer_target_hours = 10
        team.business_hours = ROUND_THE_CLOCK
    db.session.commit()
    return {"first": first, "second": second, "agent": agent, "other": other,
            "home": make.category(slug="home", team=first),
            "away": make.category(slug="away", team=second)}  # fmt: skip


# -- moving a misfiled idea -----------------------------------------------------------------


def test_the_author_moves_their_idea_until_others_take_part(client, make, login, teams):
    author = make.user()
    idea = make.idea(author=author, category=teams["home"])
    login(author)
    response = client.post(f"/ideas/{idea.id}/move", data={"category": "away", "kind": "problem"})
    assert response.status_code == 302
    db.session.expire_all()
    assert idea.category.slug == "away" and idea.kind == "problem"
    assert idea.team_id == teams["second"].id  # routed again
    history = client.get(f"/ideas/{idea.id}/history").get_data(as_text=True)
    assert "From Public" in history and "to problem" in history
    ideas.set_vote(make.user(), idea, True)
    db.session.commit()
    refused = client.patch(f"/api/v1/ideas/{idea.id}", json={"category": "home"})
    assert refused.status_code == 401  # the API wants a token: use the service's rule instead
    assert ideas.move_refusal(author, idea) is not None
    assert "ask a moderator" in ideas.move_refusal(author, idea)


def test_staff_move_through_the_api_and_the_followers_who_may_not_see_leave(
    client, make, token_for, teams
):
    staff = make.user(kind="staff")
    customer = make.user()
    suppliers = make.category(audience="suppliers", slug="partners")
    idea = make.idea(author=make.user(kind="supplier"), category=teams["home"])
    ideas.set_following(customer, idea, True)
    db.session.commit()
    response = client.patch(f"/api/v1/ideas/{idea.id}", json={"category": "partners"},
                            headers=token_for(staff))  # fmt: skip
    assert response.status_code == 200, response.json
    assert response.json["category"]["slug"] == "partners"
    db.session.expire_all()
    assert idea.audience == "suppliers"
    assert db.session.get(Follow, (idea.id, customer.id)) is None
    assert client.get(f"/api/v1/ideas/{idea.id}").status_code == 404
    assert suppliers.team_id is None and idea.team_id is None


def test_only_staff_move_to_another_audience_and_never_out_of_the_authors_sight(
    client, make, token_for, login, teams
):
    moderator = make.user(role="moderator")
    customers = make.category(audience="customers", slug="members")
    idea = make.idea(category=customers)
    refused = client.patch(f"/api/v1/ideas/{idea.id}", json={"category": "home"},
                           headers=token_for(moderator))  # fmt: skip
    assert refused.status_code == 422 and "Only staff" in refused.json["error"]["message"]
    suppliers = make.category(audience="suppliers", slug="partners")
    staff = client.patch(f"/api/v1/ideas/{idea.id}", json={"category": suppliers.slug},
                         headers=token_for(make.user(kind="staff")))  # fmt: skip
    assert staff.status_code == 422 and "author could not see" in staff.json["error"]["message"]
    db.session.expire_all()
    assert idea.category_id == customers.id


def test_moving_away_and_back_repeats_no_overdue_notice(app, make, teams):
    staff = make.user(kind="staff")
    idea = make.idea(category=teams["home"])
    idea.created_at = utcnow() - timedelta(hours=11)
    routing.schedule(idea, idea.team, idea.created_at, utcnow())
    db.session.commit()
    assert notify_deadlines() == 1  # overdue (its warning time passed with it)
    routing.reassign_idea(staff, idea, team_id=teams["second"].id)
    routing.reassign_idea(staff, idea, team_id=teams["first"].id)
    db.session.commit()
    assert notify_deadlines() == 0


def test_moving_into_an_unknown_or_archived_category_is_422_and_changes_nothing(
    client, make, token_for, teams
):
    staff = make.user(kind="staff")
    idea = make.idea(category=teams["home"])
    teams["away"].archived_at = utcnow()
    db.session.commit()
    for body in ({"category": "nope"}, {"category": "away"}, {"kind": "nonsense"}):
        response = client.patch(f"/api/v1/ideas/{idea.id}", json=body, headers=token_for(staff))
        assert response.status_code == 422, (body, response.json)
    db.session.expire_all()
    assert idea.category.slug == "home" and idea.kind == "idea"
    assert ideas.moves(idea) == []


# -- reassignment --------------------------------------------------------------------------


def test_staff_reassign_an_idea_and_the_new_assignee_hears_of_it(client, make, token_for, teams):
    staff = make.user(kind="staff")
    idea = make.idea(category=teams["home"])
    headers = token_for(staff)
    response = client.patch(f"/api/v1/ideas/{idea.id}",
                            json={"team_id": teams["second"].id,
                                  "assignee_id": teams["other"].id},
                            headers=headers)  # fmt: skip
    assert response.status_code == 200, response.json
    assert response.json["team"]["name"] == "Second line"
    assert response.json["assignee"]["id"] == teams["other"].id
    note = db.session.scalar(select(Notification).where(
        Notification.user_id == teams["other"].id, Notification.event == "assigned"))  # fmt: skip
    assert note is not None and note.idea_id == idea.id
    anonymous = client.get(f"/api/v1/ideas/{idea.id}").json
    assert anonymous["team"]["name"] == "Second line"
    # The assignee and the answer deadlines are the company's business (SPEC 8).
    assert not {"assignee", "first_answer_due_at", "first_answered_at"} & anonymous.keys()
    customer_view = client.get(f"/api/v1/ideas/{idea.id}", headers=token_for(make.user())).json
    assert "first_answer_due_at" not in customer_view
    off = client.patch(f"/api/v1/ideas/{idea.id}", json={"assignee_id": None}, headers=headers)
    assert off.json["assignee"] is None
    customer = make.user()
    refused = client.patch(f"/api/v1/ideas/{idea.id}", json={"team_id": teams["first"].id},
                           headers=token_for(customer))  # fmt: skip
    assert refused.status_code == 403


def test_the_idea_page_shows_routing_and_evidence_to_staff_only(client, make, login, teams):
    idea = make.idea(category=teams["home"])
    from portal.intake import service as intake

    message = intake.receive(source="api", sender_email="jane@example.com",
                             body="Secret customer words", subject="Hello").message  # fmt: skip
    intake.attach(teams["agent"], message, idea.id)
    db.session.commit()
    public = client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert "1 supporting message" in public and "Secret customer words" not in public
    login(teams["agent"])
    staff_page = client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert "Secret customer words" in staff_page and "First line" in staff_page


# -- due and overdue ------------------------------------------------------------------------


def test_due_and_overdue_are_sent_once_each(app, make, teams):
    idea = make.idea(category=teams["home"])
    created = idea.created_at
    assert idea.first_answer_due_at == created + timedelta(hours=10)
    assert notify_deadlines(now=created + timedelta(hours=7)) == 0
    assert notify_deadlines(now=created + timedelta(hours=8, minutes=1)) == 1
    assert notify_deadlines(now=created + timedelta(hours=9)) == 0
    assert notify_deadlines(now=created + timedelta(hours=11)) == 1
    assert notify_deadlines(now=created + timedelta(hours=30)) == 0
    events = db.session.execute(
        select(Notification.event, Notification.user_id).order_by(Notification.id)
    ).all()
    agent = teams["agent"].id
    assert ("answer_due", agent) in events and ("answer_overdue", agent) in events


def test_an_answered_idea_gets_no_notice(app, make, teams):
    idea = make.idea(category=teams["home"])
    idea.first_staff_answer_at = idea.created_at + timedelta(hours=1)
    db.session.commit()
    assert notify_deadlines(now=idea.created_at + timedelta(hours=20)) == 0


def test_two_workers_take_each_notice_once(app, make, teams, database_url):
    for _ in range(6):
        make.idea(category=teams["home"])
    later = utcnow() + timedelta(hours=11)
    counts = []
    # Each worker's app is made here, not in its thread: building two apps at once (their
    # URL rules compile through ast.parse) meets CPython 3.11.7's threaded AST bug
    # (gh-106905, "AST constructor recursion depth mismatch"), and a worker died unseen.
    workers = [make_test_app(database_url) for _ in range(2)]

    def worker(other):
        with other.app_context():
            counts.append(notify_deadlines(now=later))
            db.session.remove()

    threads = [threading.Thread(target=worker, args=(other,)) for other in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(counts) == 2  # both workers ran to the end
    assert sum(counts) == 6  # overdue once each (the 80% warning was skipped: already due)
    overdue = (
        select(func.count())
        .select_from(Notification)
        .where(Notification.event == "answer_overdue", Notification.user_id == teams["agent"].id)
    )
    sent = db.session.scalar(overdue)
    assert sent == 6


# -- responsiveness -------------------------------------------------------------------------


def test_responsiveness_equals_an_independent_recount(client, make, teams):
    now = utcnow()
    answered_hours = [2, 5, 30]
    for hours in answered_hours:
        idea = make.idea(category=teams["home"])
        idea.created_at = now - timedelta(hours=40)
        idea.first_answer_due_at = idea.created_at + timedelta(hours=10)
        idea.first_staff_answer_at = idea.created_at + timedelta(hours=hours)
    waiting = make.idea(category=teams["home"])
    waiting.created_at = now - timedelta(hours=12)
    db.session.commit()
    row = next(r for r in client.get("/api/v1/responsiveness").json["items"]
               if r["team"]["name"] == "First line")  # fmt: skip
    assert row["answered"] == 3
    assert row["median_hours_to_first_answer"] == statistics.median(answered_hours)
    assert row["within_target_pct"] == round(100 * 2 / 3, 1)
    assert row["waiting"] == 1
    assert row["oldest_waiting_hours"] == pytest.approx(12, abs=0.2)


def test_assignment_options_lists_staff_only(app, make, teams):
    make.user()
    people = {name for _, name, _ in routing.assignment_options()["people"]}
    assert people == {"Agent", "Other"}
    assert Idea is not None


def test_a_promise_beyond_a_year_of_business_hours_is_refused(client, make, token_for, teams):
    admin = token_for(make.user(kind="staff", role="admin"))
    body = {"answer_target_hours": 10000,
            "business_hours": {"days": [6], "start": "23:59", "end": "24:00"}}  # fmt: skip
    response = client.patch(f"/api/v1/teams/{teams['first'].id}", json=body, headers=admin)
    assert response.status_code == 422
    assert "answer_target_hours" in response.json["error"]["fields"]
    db.session.expire_all()
    assert teams["first"].answer_target_hours == 10


def test_merging_moves_the_evidence_to_the_original(app, make, teams):
    from portal.intake import service as intake
    from portal.moderation import service as moderation

    moderator = make.user(kind="staff", role="moderator")
    original, duplicate = make.idea(category=teams["home"]), make.idea(category=teams["home"])
    message = intake.receive(source="api", sender_email="a@example.com", body="Same").message
    intake.attach(teams["agent"], message, duplicate.id)
    db.session.commit()
    moderation.act(moderator, "merge", "idea", duplicate.id, "Same request", into_id=original.id)
    db.session.commit()
    db.session.expire_all()
    assert (original.evidence_count, duplicate.evidence_count) == (1, 0)
    assert message.idea_id == original.id
