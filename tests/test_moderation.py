"""Moderation: flags, automatic hold, the queue, actions, merge, suspension, appeals, log."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.errors import Conflict, Forbidden, Invalid
from portal.extensions import db
from portal.ideas import discussion, service
from portal.ideas.models import Follow, Idea, Vote
from portal.moderation import queue
from portal.moderation import service as moderation
from portal.moderation.models import Flag, ModerationAction
from portal.search import service as search
from portal.timeutil import utcnow
from tests.conftest import make_test_app


@pytest.fixture
def mod(make):
    return make.user(role="moderator", name="Mo Derator")


def votes_of(idea) -> set[int]:
    return set(db.session.scalars(select(Vote.user_id).where(Vote.idea_id == idea.id)))


def followers_of(idea) -> set[int]:
    return set(db.session.scalars(select(Follow.user_id).where(Follow.idea_id == idea.id)))


# -- flags and the automatic hold ------------------------------------------------------------


def test_second_open_flag_by_the_same_user_is_a_conflict(make, client, token_for):
    idea = make.idea()
    flagger = make.user()
    moderation.flag(flagger, "idea", idea.id, "spam")
    db.session.commit()
    with pytest.raises(Conflict):
        moderation.flag(flagger, "idea", idea.id, "abuse")
    db.session.rollback()
    response = client.post(
        "/api/v1/flags",
        json={"target_type": "idea", "target_id": idea.id, "reason": "spam"},
        headers=token_for(flagger),
    )
    assert response.status_code == 409 and response.get_json()["error"]["code"] == "conflict"
    assert db.session.scalar(select(func.count(Flag.id))) == 1


def test_flag_rules(make):
    idea = make.idea()
    other = make.idea()
    user = make.user()
    with pytest.raises(Invalid):
        moderation.flag(user, "idea", idea.id, "other")  # needs a note
    with pytest.raises(Invalid):
        moderation.flag(user, "idea", idea.id, "duplicate")  # needs the original
    with pytest.raises(Invalid):
        moderation.flag(idea.author, "idea", idea.id, "spam")  # not your own
    with pytest.raises(Invalid):
        moderation.flag(user, "idea", idea.id, "bogus")
    flag = moderation.flag(user, "idea", idea.id, "duplicate", duplicate_of=other.id)
    assert flag.duplicate_of_id == other.id


def test_content_is_held_at_the_threshold_of_distinct_flaggers_and_not_before(make, app):
    threshold = app.config["FLAGS_TO_HIDE"]
    idea = make.idea()
    flaggers = [make.user() for _ in range(threshold)]
    for flagger in flaggers[:-1]:
        moderation.flag(flagger, "idea", idea.id, "spam")
        db.session.commit()
    assert not idea.hidden
    # The same users flagging again changes nothing: distinct people count.
    for flagger in flaggers[:-1]:
        with pytest.raises(Conflict):
            moderation.flag(flagger, "idea", idea.id, "abuse")
        db.session.rollback()
    assert not db.session.get(Idea, idea.id).hidden
    moderation.flag(flaggers[-1], "idea", idea.id, "spam")
    db.session.commit()
    assert idea.hidden and "flagged by 3 people" in idea.hidden_reason
    entry = db.session.scalar(select(ModerationAction))
    assert (entry.action, entry.by_id) == ("hide", None)
    assert search.search(None, idea.title).total == 0  # held content leaves search


def test_comments_are_held_too(make):
    idea = make.idea()
    comment = discussion.add_comment(make.user(), idea, "Buy cheap watches at example.com")
    db.session.commit()
    for _ in range(3):
        moderation.flag(make.user(), "comment", comment.id, "spam")
    db.session.commit()
    assert comment.hidden


# -- who may act -----------------------------------------------------------------------------


def test_members_reach_no_moderation_action(make, client, login, token_for):
    idea = make.idea()
    member = make.user()
    for user in (member, make.user(kind="staff")):
        with pytest.raises(Forbidden):
            moderation.act(user, "hide", "idea", idea.id, "No reason")
    headers = token_for(member)
    assert client.get("/api/v1/moderation/queue", headers=headers).status_code == 403
    response = client.post(
        "/api/v1/moderation/actions",
        json={"action": "hide", "target_type": "idea", "target_id": idea.id, "reason": "x"},
        headers=headers,
    )
    assert response.status_code == 403 and response.get_json()["error"]["code"] == "forbidden"
    assert client.get("/api/v1/moderation/queue").status_code == 401
    login(member)
    assert client.get("/moderation").status_code == 403
    form = {"action": "hide", "target_type": "idea", "target_id": idea.id, "reason": "x"}
    assert client.post("/moderation/actions", data=form).status_code == 403
    assert not db.session.get(Idea, idea.id).hidden
    assert client.get("/moderation/log").status_code == 200


def test_every_action_needs_a_reason(make, mod):
    idea = make.idea()
    with pytest.raises(Invalid):
        moderation.act(mod, "hide", "idea", idea.id, "")
    with pytest.raises(Invalid):
        moderation.act(mod, "suspend", "idea", idea.id, "wrong target type")


def test_a_blank_reason_posted_in_place_is_a_clear_refusal(make, mod, client, login):
    """The reason's refusal is a lazy (translated) string: joined with others as text it
    raised TypeError, a 500 instead of the message (found by the browser test)."""
    idea = make.idea()
    moderation.flag(make.user(), "idea", idea.id, "abuse")
    db.session.commit()
    login(mod)
    form = {"action": "hide", "target_type": "idea", "target_id": idea.id, "reason": "   "}
    for headers in ({"HX-Request": "true"}, {}):
        response = client.post("/moderation/actions", data=form, headers=headers)
        assert response.status_code in (422, 302), response.status_code
        text = response.get_data(as_text=True)
        if headers:
            assert response.status_code == 422 and "reason" in text.lower()
    assert not db.session.get(Idea, idea.id).hidden


# -- the queue -------------------------------------------------------------------------------


def test_queue_groups_flags_by_target_and_actions_resolve_them(make, mod, client, token_for):
    idea = make.idea(title="A spammy idea here")
    comment = discussion.add_comment(make.user(), idea, "rude words")
    troll = make.user(name="Troll")
    flaggers = [make.user() for _ in range(2)]
    for flagger in flaggers:
        moderation.flag(flagger, "idea", idea.id, "spam")
    moderation.flag(flaggers[0], "comment", comment.id, "abuse")
    moderation.flag(flaggers[1], "user", troll.id, "other", note="Posts spam everywhere")
    db.session.commit()
    page = queue.review_queue(mod)
    assert page.total == 3
    by_target = {(g.target_type, g.target_id): g for g in page.items}
    assert len(by_target[("idea", idea.id)].flags) == 2
    api = client.get("/api/v1/moderation/queue", headers=token_for(mod)).get_json()
    assert api["total"] == 3
    group = next(g for g in api["items"] if g["target_type"] == "idea")
    assert {f["reason"] for f in group["flags"]} == {"spam"} and group["target"]["id"] == idea.id

    moderation.act(mod, "dismiss", "idea", idea.id, "Not spam, just enthusiastic.")
    db.session.commit()
    assert queue.review_queue(mod).total == 2
    assert not idea.hidden


def test_hide_and_restore_through_the_api_with_the_log(make, mod, client, token_for):
    idea = make.idea(title="Harsh but fair criticism")
    headers = token_for(mod)
    hide = client.post(
        "/api/v1/moderation/actions",
        json={
            "action": "hide",
            "target_type": "idea",
            "target_id": idea.id,
            "reason": "Contains a phone number",
        },  # fmt: skip
        headers=headers,
    )
    assert hide.status_code == 200 and hide.get_json()["action"] == "hide"
    anonymous = client.get(f"/api/v1/ideas/{idea.id}").get_json()
    assert anonymous["hidden"] and anonymous["title"] != "Harsh but fair criticism"
    assert anonymous["hidden_reason"] == "Contains a phone number"
    restore = client.post(
        "/api/v1/moderation/actions",
        json={
            "action": "restore",
            "target_type": "idea",
            "target_id": idea.id,
            "reason": "Number removed by the author",
        },  # fmt: skip
        headers=headers,
    )
    assert restore.status_code == 200
    assert client.get(f"/api/v1/ideas/{idea.id}").get_json()["title"] == idea.title
    log = client.get("/moderation/log").get_data(as_text=True)
    assert "Contains a phone number" in log and "Number removed by the author" in log
    assert log.count("Mo Derator") >= 2


def test_lock_closes_votes_and_comments(make, mod):
    idea = make.idea()
    moderation.act(mod, "lock", "idea", idea.id, "Heated thread, cooling off")
    db.session.commit()
    with pytest.raises(Conflict):
        service.set_vote(make.user(), idea, True)
    with pytest.raises(Conflict):
        discussion.add_comment(make.user(), idea, "Let me in")
    moderation.act(mod, "unlock", "idea", idea.id, "Calm again")
    db.session.commit()
    assert service.set_vote(make.user(), idea, True)


# -- merge -----------------------------------------------------------------------------------


def test_merge_moves_votes_without_double_counting_and_followers(make, mod, client):
    category = make.category()
    original = make.idea(category=category, title="Dark mode for the app")
    duplicate = make.idea(category=category, title="Please add a night theme")
    both, only_dup, only_orig, neither = (make.user() for _ in range(4))
    for user in (both, only_orig):
        service.set_vote(user, original, True)
    for user in (both, only_dup):
        service.set_vote(user, duplicate, True)
    service.set_following(neither, duplicate, True)
    discussion.add_comment(only_dup, duplicate, "Night theme please, my eyes!")
    db.session.commit()
    voters_before = votes_of(original) | votes_of(duplicate)
    followers_before = followers_of(original) | followers_of(duplicate)

    moderation.act(mod, "merge", "idea", duplicate.id, "Same request", into_id=original.id)
    db.session.commit()
    db.session.expire_all()
    original, duplicate = db.session.get(Idea, original.id), db.session.get(Idea, duplicate.id)
    assert votes_of(original) == voters_before  # duplicate's author included, nobody twice
    assert original.votes_count == len(voters_before) == 5
    assert votes_of(duplicate) == set() and duplicate.votes_count == 0
    assert followers_of(original) == followers_before and followers_of(duplicate) == set()
    assert neither.id in followers_of(original)
    assert (duplicate.status, duplicate.merged_into_id) == ("duplicate", original.id)

    page = client.get(f"/ideas/{duplicate.id}")
    assert page.status_code == 301 and page.headers["Location"].endswith(f"/ideas/{original.id}")
    api = client.get(f"/api/v1/ideas/{duplicate.id}").get_json()
    assert api["merged_into"] == original.id and api["status"] == "duplicate"
    text = client.get(f"/ideas/{original.id}").get_data(as_text=True)
    assert "Night theme please, my eyes!" in text  # the duplicate's discussion stays readable
    assert [i.id for i in service.list_ideas(None).items] == [original.id]
    hits = search.search(None, "night theme")
    assert [i.idea.id for i in hits.items] == [original.id]  # the comment, under the original
    with pytest.raises(Conflict):
        service.set_vote(make.user(), duplicate, True)


def test_merge_refuses_nonsense(make, mod):
    a, b = make.idea(), make.idea()
    with pytest.raises(Invalid):
        moderation.act(mod, "merge", "idea", a.id, "same", into_id=a.id)
    with pytest.raises(Invalid):
        moderation.act(mod, "merge", "idea", a.id, "same")
    moderation.act(mod, "merge", "idea", a.id, "same", into_id=b.id)
    db.session.commit()
    with pytest.raises(Invalid):
        moderation.act(mod, "merge", "idea", make.idea().id, "chain", into_id=a.id)


# -- suspension ------------------------------------------------------------------------------


def test_suspended_user_can_read_but_not_write_and_loses_nothing(make, mod, client, login):
    user = make.user()
    idea = make.idea(author=user, title="My honest complaint about delivery")
    comment = discussion.add_comment(user, idea, "And another thing")
    db.session.commit()
    until = (utcnow() + timedelta(days=3)).date().isoformat()
    moderation.act(mod, "suspend", "user", user.id, "Spamming links", until=until)
    db.session.commit()
    other = make.idea()
    login(user)
    assert client.get("/ideas").status_code == 200
    assert "suspended until" in client.get("/").get_data(as_text=True)
    assert client.post(f"/ideas/{other.id}/vote").status_code == 403
    assert client.post(f"/ideas/{other.id}/comments", data={"body": "hi"}).status_code == 403
    new = client.post(
        "/ideas/new", data={"title": "Another idea title", "category": other.category.slug}
    )
    assert new.status_code == 403
    flag = client.post("/flags", data={"target_type": "idea", "target_id": other.id,
                                       "reason": "spam"})  # fmt: skip
    assert flag.status_code == 403
    assert db.session.get(Idea, idea.id) is not None and comment.body == "And another thing"
    assert "My honest complaint" in client.get("/ideas").get_data(as_text=True)
    moderation.act(mod, "unsuspend", "user", user.id, "Served the time")
    db.session.commit()
    assert client.post(f"/ideas/{other.id}/vote").status_code == 302


def test_suspension_needs_a_future_date_and_spares_moderators(make, mod):
    user = make.user()
    with pytest.raises(Invalid):
        moderation.act(mod, "suspend", "user", user.id, "x")
    with pytest.raises(Invalid):
        moderation.act(mod, "suspend", "user", user.id, "x", until="2001-01-01")
    with pytest.raises(Forbidden):
        moderation.act(mod, "suspend", "user", make.user(role="admin").id, "x", until="2999-01-01")


# -- appeals ---------------------------------------------------------------------------------


def test_appeal_round_trip(make, mod, client, login):
    author = make.user()
    idea = make.idea(author=author, title="Strongly worded complaint")
    moderation.act(mod, "hide", "idea", idea.id, "Insults staff")
    db.session.commit()
    assert queue.review_queue(mod).total == 0
    login(author)
    own = client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert "Strongly worded complaint" in own and "Insults staff" in own and "Appeal" in own
    response = client.post(
        "/appeals",
        data={"target_type": "idea", "target_id": idea.id, "text": "I removed the insult."},
    )
    assert response.status_code == 302
    assert queue.review_queue(mod).total == 1
    with pytest.raises(Conflict):
        moderation.appeal(author, "idea", idea.id, "Again please")
    db.session.rollback()
    moderation.act(mod, "restore", "idea", idea.id, "Fair: the insult is gone")
    db.session.commit()
    assert queue.review_queue(mod).total == 0 and not idea.hidden
    with pytest.raises(Conflict):  # once only, even after a restore
        moderation.appeal(author, "idea", idea.id, "Again")


def test_only_the_author_appeals_hidden_content(make, mod):
    idea = make.idea()
    with pytest.raises(Conflict):
        moderation.appeal(idea.author, "idea", idea.id, "Not hidden at all")
    moderation.act(mod, "hide", "idea", idea.id, "Spam")
    db.session.commit()
    with pytest.raises(Forbidden):
        moderation.appeal(make.user(), "idea", idea.id, "Not mine")


def test_hidden_comment_shows_a_tombstone_to_others(make, mod, client, login):
    idea = make.idea()
    author = make.user()
    comment = discussion.add_comment(author, idea, "Something rude here")
    moderation.act(mod, "hide", "comment", comment.id, "Personal attack")
    db.session.commit()
    page = client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert "Something rude here" not in page and "Personal attack" in page
    api = client.get(f"/api/v1/ideas/{idea.id}/comments").get_json()["items"][0]
    assert api["hidden"] and api["body"] == "" and api["hidden_reason"] == "Personal attack"
    login(author)
    own = client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert "Something rude here" in own and "Appeal" in own


# -- the log ---------------------------------------------------------------------------------


def test_log_leaves_out_what_a_visitor_may_not_see(make, client, login):
    mod = make.user(kind="staff", role="moderator", name="Mo Derator")
    supplier = make.user(kind="supplier")
    secret = make.idea(author=supplier, category=make.category("suppliers"),
                       title="Confidential price list", confidential=True)  # fmt: skip
    public = make.idea(title="Public idea with a spam link")
    moderation.act(mod, "lock", "idea", secret.id, "Reason about the secret")
    moderation.act(mod, "hide", "idea", public.id, "Reason about the public one")
    db.session.commit()
    anonymous = client.get("/moderation/log").get_data(as_text=True)
    assert "Reason about the public one" in anonymous
    assert "Reason about the secret" not in anonymous and "Confidential price" not in anonymous
    # A hidden idea's title stays out of the log; its tombstone (the action) is public.
    assert "Public idea with a spam link" not in anonymous
    login(supplier)
    own = client.get("/moderation/log").get_data(as_text=True)
    assert "Reason about the secret" in own


# -- rate limits for new accounts ------------------------------------------------------------


def test_new_accounts_are_rate_limited_with_retry_after(database_url):
    app = make_test_app(
        database_url,
        RATELIMIT_ENABLED=True,
        NEW_ACCOUNT_LIMITS={
            "ideas": "2 per hour",
            "comments": "60 per hour",
            "votes": "300 per hour",
            "flags": "30 per hour",
        },  # fmt: skip
    )
    from portal.accounts import service as accounts
    from portal.admin.service import create_category
    from tests.conftest import _empty_tables

    try:
        with app.app_context():
            create_category("general", "General", "public")
            new = accounts.create_user("new@example.com", "long-enough-password")
            old = accounts.create_user("old@example.com", "long-enough-password")
            old.created_at = utcnow() - timedelta(days=30)
            _t, new_token = accounts.create_token(new)
            _t, old_token = accounts.create_token(old)
            db.session.commit()
        client = app.test_client()

        def post(token, n):
            return client.post(
                "/api/v1/ideas",
                json={"title": f"Rate limited idea {n}", "category": "general"},
                headers={"Authorization": f"Bearer {token}"},
            )

        assert [post(new_token, n).status_code for n in range(2)] == [201, 201]
        limited = post(new_token, 3)
        assert limited.status_code == 429
        assert limited.get_json()["error"]["code"] == "rate_limited"
        assert int(limited.headers["Retry-After"]) > 0
        # The page shares the count and says when to try again.
        login = client.post("/login", data={"email": "new@example.com",
                                            "password": "long-enough-password"})  # fmt: skip
        assert login.status_code == 302
        page = client.post("/ideas/new", data={"title": "Via the page", "category": "general"})
        assert page.status_code == 429 and "Retry-After" in page.headers
        assert "try again in" in page.get_data(as_text=True)
        # An established account is not limited.
        assert [post(old_token, n).status_code for n in range(4)] == [201] * 4
    finally:
        _empty_tables(app)
