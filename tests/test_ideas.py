"""Ideas, votes, comments and following through the services and the pages."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.errors import Conflict, Forbidden, Invalid
from portal.extensions import db
from portal.ideas import discussion, service
from portal.ideas.models import Follow, Idea, IdeaRevision, Mention, Vote
from portal.timeutil import utcnow


def test_posting_makes_the_author_support_and_follow(make):
    author = make.user()
    idea = make.idea(author=author, body="# Heading\n\nSome *text*.")
    assert idea.votes_count == 1
    assert service.has_voted(author, idea)
    assert service.is_following(author, idea)
    assert "<h1>Heading</h1>" in idea.body_html and "<em>text</em>" in idea.body_html


def test_vote_toggle_keeps_counter_and_follow(make):
    idea = make.idea()
    voter = make.user()
    assert service.toggle_vote(voter, idea) is True
    db.session.commit()
    assert idea.votes_count == 2
    assert service.is_following(voter, idea)
    assert service.toggle_vote(voter, idea) is False
    db.session.commit()
    assert idea.votes_count == 1
    assert db.session.scalar(select(func.count(Vote.id)).where(Vote.idea_id == idea.id)) == 1


@pytest.mark.parametrize("state", ["done", "declined", "locked", "merged"])
def test_votes_refused_on_closed_ideas(make, state):
    idea = make.idea()
    if state == "locked":
        idea.locked = True
    elif state == "merged":
        idea.merged_into_id = make.idea().id
    else:
        idea.status = state
    db.session.commit()
    with pytest.raises(Conflict) as error:
        service.set_vote(make.user(), idea, True)
    assert "vote" in error.value.message.lower()


def test_trending_score_rises_with_activity_and_prefers_newer(make):
    older = make.idea()
    older.created_at = utcnow() - timedelta(days=3)
    newer = make.idea()
    db.session.commit()
    assert service.hot_score(1, 0, newer.created_at) > service.hot_score(1, 0, older.created_at)
    before = newer.hot
    service.set_vote(make.user(), newer, True)
    discussion.add_comment(make.user(), newer, "Good point")
    db.session.commit()
    db.session.refresh(newer)
    assert newer.hot > before
    assert newer.hot == service.hot_score(newer.votes_count, newer.comments_count, newer.created_at)


def test_sorts_order_the_list(make):
    category = make.category()
    quiet = make.idea(category=category, title="Quiet idea here")
    popular = make.idea(category=category, title="Popular idea here")
    talked = make.idea(category=category, title="Talked about idea")
    for _ in range(3):
        service.set_vote(make.user(), popular, True)
    for _ in range(2):
        discussion.add_comment(make.user(), talked, "Hmm")
    db.session.commit()
    anon = None

    def ids(sort):
        return [i.id for i in service.list_ideas(anon, sort=sort).items]

    assert ids("top")[0] == popular.id
    assert ids("discussed")[0] == talked.id
    assert ids("new")[0] == talked.id and ids("new")[-1] == quiet.id
    with pytest.raises(Invalid):
        service.list_ideas(anon, sort="random")


def test_filters_by_category_status_and_kind(make):
    a, b = make.category(), make.category()
    problem = make.idea(category=a, kind="problem")
    make.idea(category=b, kind="praise")
    staff = make.user(kind="staff")
    service.change_status(staff, problem, "planned", "We will fix it.")
    db.session.commit()
    assert [i.id for i in service.list_ideas(None, category=a.slug).items] == [problem.id]
    assert [i.id for i in service.list_ideas(None, status="planned").items] == [problem.id]
    assert [i.id for i in service.list_ideas(None, kind="problem").items] == [problem.id]
    assert service.list_ideas(None, category="no-such-category").total == 0


def test_edit_keeps_history_and_only_the_author_may_edit(make):
    author = make.user()
    idea = make.idea(author=author, title="Original title", body="Original body")
    with pytest.raises(Forbidden):
        service.edit_idea(make.user(), idea, title="Hijacked title")
    service.edit_idea(author, idea, title="Better title", body="Better body")
    db.session.commit()
    revision = db.session.scalar(select(IdeaRevision).where(IdeaRevision.idea_id == idea.id))
    assert (revision.title, revision.body) == ("Original title", "Original body")
    assert idea.title == "Better title" and "Better body" in idea.body_html


def test_status_change_is_staff_only_and_records_first_answer(make):
    idea = make.idea()
    with pytest.raises(Forbidden):
        service.change_status(make.user(), idea, "planned")
    staff = make.user(kind="staff")
    service.change_status(staff, idea, "under_review")
    assert idea.first_staff_answer_at is None  # no note: not an answer
    service.change_status(staff, idea, "planned", "Scheduled for spring.")
    db.session.commit()
    assert idea.status == "planned" and idea.status_note == "Scheduled for spring."
    assert idea.first_staff_answer_at is not None
    assert [c.to_status for c in service.status_history(idea)] == ["under_review", "planned"]


def test_comments_thread_one_level_deep_with_mentions(make):
    idea = make.idea()
    alice = make.user(name="Alice")
    bob = make.user()
    top = discussion.add_comment(alice, idea, f"What do you think, @{bob.handle}?")
    reply = discussion.add_comment(bob, idea, "Agreed", parent_id=top.id)
    nested = discussion.add_comment(alice, idea, "Reply to reply", parent_id=reply.id)
    db.session.commit()
    assert reply.parent_id == top.id and nested.parent_id == top.id
    assert idea.comments_count == 3
    mentioned = db.session.scalars(select(Mention.user_id)).all()
    assert mentioned == [bob.id]
    assert service.is_following(bob, idea)


def test_mentions_skip_people_who_cannot_see_the_idea(make):
    supplier_category = make.category(audience="suppliers")
    idea = make.idea(author=make.user(kind="supplier"), category=supplier_category)
    customer = make.user()
    discussion.add_comment(make.user(kind="staff"), idea, f"cc @{customer.handle}")
    db.session.commit()
    assert db.session.scalar(select(func.count(Mention.id))) == 0


def test_comment_edit_history_and_tombstone(make):
    idea = make.idea()
    author = make.user()
    comment = discussion.add_comment(author, idea, "First version")
    discussion.edit_comment(author, comment, "Second version")
    assert [r.body for r in discussion.comment_revisions(comment)] == ["First version"]
    with pytest.raises(Forbidden):
        discussion.delete_comment(make.user(), comment)
    discussion.delete_comment(author, comment)
    db.session.commit()
    assert comment.is_deleted and comment.body == "" and comment.body_html == ""
    assert discussion.comment_revisions(comment) == []
    assert idea.comments_count == 0


def test_official_response_is_staff_only_and_pinned(make, client, login):
    idea = make.idea()
    staff = make.user(kind="staff", name="Sam Staff")
    customer = make.user()
    answer = discussion.add_comment(staff, idea, "We are on it.", official=True)
    with pytest.raises(Forbidden):
        discussion.add_comment(customer, idea, "Official-looking", official=True)
    plain = discussion.add_comment(customer, idea, "Thanks")
    with pytest.raises(Invalid):
        discussion.set_official(staff, plain, True)
    db.session.commit()
    official, _threads = discussion.thread(discussion.comments_for(idea))
    assert official == [answer]
    page = client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert page.index("Official response") < page.index("Thanks")


def test_comment_refused_on_locked_idea(make):
    idea = make.idea()
    idea.locked = True
    db.session.commit()
    with pytest.raises(Conflict):
        discussion.add_comment(make.user(), idea, "Let me in")


def test_suspended_user_cannot_write(make):
    idea = make.idea()
    user = make.user()
    user.suspended_until = utcnow() + timedelta(days=2)
    db.session.commit()
    with pytest.raises(Forbidden):
        service.set_vote(user, idea, True)
    with pytest.raises(Forbidden):
        discussion.add_comment(user, idea, "Hello")
    with pytest.raises(Forbidden):
        make.idea(author=user)


def test_control_characters_are_refused_and_nothing_is_written(make):
    author = make.user()
    category = make.category()
    with pytest.raises(Invalid) as error:
        service.post_idea(author, title="Bad\x00title", body="", category=category.slug)
    assert "title" in error.value.fields
    db.session.rollback()
    assert db.session.scalar(select(func.count(Idea.id))) == 0


def test_follow_and_unfollow_pages(client, make, login):
    idea = make.idea()
    user = make.user()
    login(user)
    response = client.post(f"/ideas/{idea.id}/follow", headers={"HX-Request": "true"})
    assert response.status_code == 200 and "Following" in response.get_data(as_text=True)
    assert db.session.get(Follow, (idea.id, user.id)) is not None
    client.post(f"/ideas/{idea.id}/follow")
    assert db.session.get(Follow, (idea.id, user.id)) is None


def test_vote_page_htmx_and_plain(client, make, login):
    idea = make.idea()
    login(make.user())
    fragment = client.post(f"/ideas/{idea.id}/vote", headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    text = fragment.get_data(as_text=True)
    assert "<html" not in text and 'aria-pressed="true"' in text and ">2<" in text
    plain = client.post(f"/ideas/{idea.id}/vote", data={"next": "/ideas"})
    assert plain.status_code == 302 and plain.headers["Location"].endswith("/ideas")
    db.session.expire_all()
    assert db.session.get(Idea, idea.id).votes_count == 1


def test_vote_on_closed_idea_shows_a_clear_message(client, make, login):
    idea = make.idea()
    idea.status = "declined"
    db.session.commit()
    login(make.user())
    response = client.post(f"/ideas/{idea.id}/vote", headers={"HX-Request": "true"})
    assert response.status_code == 409
    assert "votes are closed" in response.get_data(as_text=True)
    assert response.headers["HX-Retarget"] == "#flash"


def test_new_idea_form_flow(client, make, login):
    category = make.category()
    login(make.user())
    form = client.get("/ideas/new")
    assert form.status_code == 200 and category.name in form.get_data(as_text=True)
    bad = client.post(
        "/ideas/new", data={"title": "abc", "category": category.slug, "kind": "idea"}
    )
    assert bad.status_code == 422 and "between 5 and 150" in bad.get_data(as_text=True)
    good = client.post(
        "/ideas/new",
        data={
            "title": "Add a timer to the oven app",
            "body": "Please",
            "category": category.slug,
            "kind": "idea",
        },  # fmt: skip
    )
    assert good.status_code == 302
    idea = db.session.scalar(select(Idea).where(Idea.title == "Add a timer to the oven app"))
    assert good.headers["Location"].endswith(f"/ideas/{idea.id}")


def test_similar_ideas_box(client, make):
    make.idea(title="Dark mode for the recipe app")
    response = client.get("/ideas/similar?title=recipe dark", headers={"HX-Request": "true"})
    assert "Dark mode for the recipe app" in response.get_data(as_text=True)
    assert "looks new" in client.get("/ideas/similar?title=zzzzqq").get_data(as_text=True)


def test_comment_page_htmx_answers_with_the_comment_alone(client, make, login):
    """Posted from the page, a comment comes back alone, out of band: appended to the
    threads (a reply: its thread again), the count, an empty form; not the discussion."""
    idea = make.idea()
    earlier = discussion.add_comment(make.user(), idea, "An earlier remark.")
    db.session.commit()
    login(make.user())
    htmx = {"HX-Request": "true"}
    response = client.post(f"/ideas/{idea.id}/comments", data={"body": "Nice **one**"},
                           headers=htmx)  # fmt: skip
    text = response.get_data(as_text=True)
    assert response.status_code == 200 and response.headers["HX-Reswap"] == "none"
    assert "<strong>one</strong>" in text and "<html" not in text
    assert f'hx-swap-oob="beforeend:#threads-{idea.id}"' in text
    assert "An earlier remark." not in text and 'id="discussion"' not in text
    assert f'id="comment-count-{idea.id}" hx-swap-oob="true">(2)' in text
    form = text[text.index(f'id="comment-form-{idea.id}"') :]
    assert 'hx-swap-oob="true"' in form[:200] and "Nice **one**" not in form

    reply = client.post(f"/ideas/{idea.id}/comments", data={"body": "Agreed.",
                        "parent_id": earlier.id}, headers=htmx)  # fmt: skip
    text = reply.get_data(as_text=True)
    assert f'id="thread-{earlier.id}" hx-swap-oob="true"' in text
    assert "An earlier remark." in text and "Agreed." in text and "Nice" not in text
    assert f'id="comment-count-{idea.id}" hx-swap-oob="true">(3)' in text

    # A refused post keeps the whole discussion, with the form and its message.
    refused = client.post(f"/ideas/{idea.id}/comments", data={"body": ""}, headers=htmx)
    assert refused.status_code == 422 and 'id="discussion"' in refused.get_data(as_text=True)
    empty = client.post(f"/ideas/{idea.id}/comments", data={"body": ""})
    assert empty.status_code == 422
