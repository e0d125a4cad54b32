"""What may be read and done to an idea or comment in its state: hidden, merged, locked,
closed, removed. One test (or more) per finding of the review in the issue "One rule for who
may read and do what"; each failed before its fix."""

import json
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from portal import access
from portal.errors import Conflict, Forbidden, Invalid
from portal.extensions import db
from portal.ideas import discussion
from portal.ideas import service as ideas
from portal.ideas.models import Comment, Idea, IdeaRevision
from portal.moderation import queue
from portal.moderation import service as moderation
from portal.moderation.models import ModerationAction
from portal.notify.digest import send_due_digests
from portal.notify.models import Notification, OutboxMessage
from portal.search import service as search
from portal.timeutil import utcnow
from portal.tracking import service as tracking
from tests.conftest import PASSWORD


@pytest.fixture
def mod(make):
    """A community moderator: a customer with the moderator role."""
    return make.user(role="moderator", name="Mo Derator")


@pytest.fixture
def staff(make):
    return make.user(kind="staff", name="Stan Staff")


def client_as(app, user=None):
    client = app.test_client()
    if user is not None:
        response = client.post("/login", data={"email": user.email, "password": PASSWORD})
        assert response.status_code == 302
    return client


def text_of(response) -> str:
    return response.get_data(as_text=True)


def hide(mod, idea, reason="Spam links"):
    moderation.act(mod, "hide", "idea", idea.id, reason)
    db.session.commit()


# -- 1. a merge across audiences ---------------------------------------------------------------


def test_a_merge_across_audiences_is_a_conflict_and_changes_nothing(make, client, token_for):
    admin = make.user(role="admin", kind="staff")
    org = make.org("Acme Metals")
    supplier = make.user("supplier", org=org)
    public = make.idea(category=make.category("public"), title="Faster deliveries please")
    secret = make.idea(
        author=supplier, category=make.category("suppliers"), title="Acme secret capacity plan",
        confidential=True,
    )  # fmt: skip
    with pytest.raises(Conflict):
        moderation.act(admin, "merge", "idea", secret.id, "same thing", into_id=public.id)
    db.session.rollback()
    response = client.post(
        "/api/v1/moderation/actions",
        json={"action": "merge", "target_type": "idea", "target_id": public.id,
              "reason": "same", "into_id": secret.id},
        headers=token_for(admin),
    )  # fmt: skip
    assert response.status_code == 409 and response.get_json()["error"]["code"] == "conflict"
    db.session.expire_all()
    assert db.session.get(Idea, secret.id).merged_into_id is None
    assert db.session.get(Idea, public.id).merged_into_id is None
    assert db.session.scalar(select(ModerationAction)) is None
    assert "Acme secret" not in text_of(client.get(f"/ideas/{public.id}"))


def test_a_merged_duplicate_names_its_original_by_number_only(make, mod):
    category = make.category()
    original = make.idea(category=category, title="Dark mode for the app")
    duplicate = make.idea(category=category, title="Night theme please")
    moderation.act(mod, "merge", "idea", duplicate.id, "Same request", into_id=original.id)
    db.session.commit()
    assert duplicate.status_note == f"Merged into #{original.id}."


def test_under_the_original_hidden_duplicates_and_comments_are_for_moderators(make, mod, app):
    category = make.category()
    original = make.idea(category=category, title="Dark mode for the app")
    duplicate = make.idea(category=category, title="Night theme with spam links")
    hidden_comment = discussion.add_comment(make.user(), duplicate, "Visit cheap-watches now")
    kept = make.idea(category=category, title="Darker colours at night")
    discussion.add_comment(make.user(), kept, "Yes please, my eyes hurt")
    db.session.commit()
    moderation.act(mod, "hide", "comment", hidden_comment.id, "Spam")
    moderation.act(mod, "merge", "idea", kept.id, "Same", into_id=original.id)
    moderation.act(mod, "hide", "idea", duplicate.id, "Spam")
    db.session.commit()
    moderation.act(mod, "merge", "idea", duplicate.id, "Same", into_id=original.id)
    db.session.commit()
    page = text_of(client_as(app).get(f"/ideas/{original.id}"))
    assert "Darker colours at night" in page and "my eyes hurt" in page
    assert "spam links" not in page and "cheap-watches" not in page
    as_mod = text_of(client_as(app, mod).get(f"/ideas/{original.id}"))
    assert "spam links" in as_mod and "cheap-watches" in as_mod


def test_the_queue_suggests_only_a_merge_the_rules_allow(make, mod):
    admin = make.user(role="admin", kind="staff")
    org = make.org()
    supplier = make.user("supplier", org=org)
    suppliers = make.category("suppliers")
    target = make.idea(author=supplier, category=suppliers, title="Shared coil forecast")
    secret = make.idea(author=supplier, category=suppliers, title="Our coil forecast",
                       confidential=True)  # fmt: skip
    same = make.idea(category=suppliers, author=make.user("supplier"), title="A coil forecast")
    moderation.flag(make.user("supplier"), "idea", target.id, "duplicate", duplicate_of=same.id)
    db.session.commit()
    group = queue.review_queue(admin).items[0]
    assert group.merge_into == same.id
    other = make.idea(author=supplier, category=suppliers, title="Coil forecast again")
    moderation.flag(make.user("supplier", org=org), "idea", other.id, "duplicate",
                    duplicate_of=secret.id)  # fmt: skip
    db.session.commit()
    groups = {g.target_id: g for g in queue.review_queue(admin).items}
    assert groups[other.id].merge_into is None  # confidential original, public duplicate


# -- 2. hidden means hidden everywhere ---------------------------------------------------------


def test_a_hidden_ideas_history_shows_only_the_tombstone(make, mod, staff, app):
    idea = make.idea(title="Original secret wording", body="Body words to forget")
    ideas.edit_idea(idea.author, idea, title="Second wording here", body="Second body")
    ideas.change_status(staff, idea, "under_review", "Staff note about the thing")
    db.session.commit()
    hide(mod, idea)
    for viewer in (None, make.user(), staff):
        page = text_of(client_as(app, viewer).get(f"/ideas/{idea.id}/history"))
        for secret in ("Original secret", "Second wording", "Body words", "Staff note"):
            assert secret not in page
        assert "Spam links" in page
    as_author = text_of(client_as(app, idea.author).get(f"/ideas/{idea.id}/history"))
    assert "Original secret wording" in as_author


def test_a_form_error_on_a_hidden_ideas_page_shows_the_tombstone(make, mod, app):
    idea = make.idea(title="Wording that was hidden", body="Hidden body text")
    hide(mod, idea)
    client = client_as(app, make.user())
    # A comment the form refuses (too long) re-renders the page: as the tombstone.
    response = client.post(f"/ideas/{idea.id}/comments", data={"body": "x" * 10_001})
    assert response.status_code == 422
    assert "Wording that was hidden" not in text_of(response)
    assert "Hidden body text" not in text_of(response)
    # An empty one (a comment may be only a picture, so the form lets it through) and a real
    # one meet the closed discussion first.
    for body in ("", "Let me in"):
        response = client.post(f"/ideas/{idea.id}/comments", data={"body": body})
        assert response.status_code == 409 and "Hidden body text" not in text_of(response)


def test_the_api_hides_a_hidden_ideas_comments_note_and_author(make, mod, staff, client):
    idea = make.idea(title="Wording that was hidden")
    discussion.add_comment(make.user(), idea, "A comment under it")
    ideas.change_status(staff, idea, "under_review", "A staff note")
    db.session.commit()
    hide(mod, idea)
    assert client.get(f"/api/v1/ideas/{idea.id}/comments").status_code == 404
    body = client.get(f"/api/v1/ideas/{idea.id}").get_json()
    assert body["status_note"] is None and body["author"] is None
    assert body["title"] != idea.title and body["hidden"] is True


# -- 3. edits in every state ---------------------------------------------------------------


def test_nobody_but_moderators_edits_a_locked_hidden_or_merged_idea(make, mod, client, token_for):
    category = make.category()
    for state in ("locked", "hidden", "merged"):
        idea = make.idea(category=category, title=f"An idea to be {state}")
        if state == "locked":
            moderation.act(mod, "lock", "idea", idea.id, "Heated")
        elif state == "hidden":
            moderation.act(mod, "hide", "idea", idea.id, "Spam")
        else:
            moderation.act(mod, "merge", "idea", idea.id, "Dup",
                           into_id=make.idea(category=category).id)  # fmt: skip
        db.session.commit()
        with pytest.raises(Conflict):
            ideas.edit_idea(idea.author, idea, title="Spam is back again")
        db.session.rollback()
        response = client.patch(f"/api/v1/ideas/{idea.id}", json={"body": "spam"},
                                headers=token_for(idea.author))  # fmt: skip
        assert response.status_code == 409, state
        assert access.edit_refusal(idea.author, idea)
        assert access.edit_refusal(mod, idea) is None


def test_comments_can_be_edited_for_a_day(make, app, client, token_for):
    idea = make.idea()
    author = make.user()
    comment = discussion.add_comment(author, idea, "First words")
    db.session.commit()
    discussion.edit_comment(author, comment, "Second words")
    db.session.commit()
    comment.created_at = utcnow() - timedelta(hours=app.config["COMMENT_EDIT_HOURS"], minutes=1)
    db.session.commit()
    with pytest.raises(Conflict):
        discussion.edit_comment(author, comment, "Third words")
    db.session.rollback()
    response = client.patch(f"/api/v1/ideas/{idea.id}/comments/{comment.id}",
                            json={"body": "Third"}, headers=token_for(author))  # fmt: skip
    assert response.status_code == 409
    discussion.delete_comment(author, comment)  # deleting one's own stays possible
    db.session.commit()


# -- 7. moderators act in the open -------------------------------------------------------------


def test_a_moderators_edit_and_delete_are_logged_and_keep_the_earlier_text(make, mod, app):
    idea = make.idea(title="Buy my watches now", body="cheap-watches dot example")
    comment = discussion.add_comment(make.user(), idea, "rude words here")
    db.session.commit()
    with pytest.raises(Invalid):  # someone else's idea: a moderation action, with a reason
        ideas.edit_idea(mod, idea, title="Cleaned title here")
    db.session.rollback()
    moderation.act(mod, "edit", "idea", idea.id, "Removed an advert", body="Cleaned up")
    moderation.act(mod, "delete", "comment", comment.id, "Abusive")
    db.session.commit()
    actions = [e.action for e in db.session.scalars(select(ModerationAction))]
    assert actions == ["edit", "delete"]
    assert idea.body == "Cleaned up" and comment.is_deleted
    page = text_of(client_as(app).get(f"/ideas/{idea.id}"))
    assert "Removed by a moderator: Abusive" in page and "rude words" not in page
    log = text_of(client_as(app).get("/moderation/log"))
    assert "Removed an advert" in log and "Abusive" in log
    history = text_of(client_as(app, mod).get(f"/ideas/{idea.id}/history"))
    assert "cheap-watches" in history
    moderation.act(mod, "delete", "idea", idea.id, "An advert")
    db.session.commit()
    assert "Removed by a moderator: An advert" in text_of(client_as(app).get(f"/ideas/{idea.id}"))
    assert "cheap-watches" not in text_of(client_as(app, idea.author).get(f"/ideas/{idea.id}"))
    assert "cheap-watches" in text_of(client_as(app, mod).get(f"/ideas/{idea.id}/history"))
    assert db.session.scalar(select(IdeaRevision.id).where(IdeaRevision.idea_id == idea.id))


def test_a_moderator_edits_through_the_edit_page_with_a_reason(make, mod, app):
    idea = make.idea(title="Buy my watches now")
    client = client_as(app, mod)
    form = {"title": "A title without adverts", "body": "", "reason": ""}
    response = client.post(f"/ideas/{idea.id}/edit", data=form)
    assert response.status_code == 422 and "A title without adverts" in text_of(response)
    form["reason"] = "Advert removed"
    assert client.post(f"/ideas/{idea.id}/edit", data=form).status_code == 302
    entry = db.session.scalar(select(ModerationAction))
    assert (entry.action, entry.reason) == ("edit", "Advert removed")


# -- 9. items never name a hidden idea ---------------------------------------------------------


def test_item_pages_and_the_changelog_do_not_name_hidden_ideas(make, mod, staff, app):
    category = make.category()
    shown = make.idea(category=category, title="Quieter compressor")
    hidden = make.idea(category=category, title="Spam title in an item")
    item = tracking.promote(staff, [shown.id, hidden.id], title="Compressor work")
    tracking.update_item(staff, item, status="in_progress")
    tracking.update_item(staff, item, status="shipped")
    db.session.commit()
    hide(mod, hidden)
    anonymous = client_as(app)
    for path in (f"/items/{item.id}", "/changelog"):
        page = text_of(anonymous.get(path))
        assert "Quieter compressor" in page and "Spam title" not in page


def test_a_hidden_idea_cannot_be_promoted(make, mod, staff):
    idea = make.idea(title="Spam title to publish")
    hide(mod, idea)
    with pytest.raises(Conflict):
        tracking.promote(staff, [idea.id])


# -- 10. a suspended staff member ---------------------------------------------------------------


def test_a_suspended_staff_member_cannot_approve_suppliers(make, mod, app):
    staff = make.user(kind="staff")
    pending = make.user("supplier", approved=False)
    moderation.act(mod, "suspend", "user", staff.id, "Cooling off",
                   until=(utcnow() + timedelta(days=2)).isoformat())  # fmt: skip
    db.session.commit()
    from portal.accounts import service as accounts

    with pytest.raises(Forbidden):
        accounts.approve_supplier(staff, pending)
    client = client_as(app, staff)
    assert client.post(f"/admin/users/{pending.id}/approve").status_code == 403
    assert not db.session.get(type(pending), pending.id).approved


# -- 11. notifications re-checked --------------------------------------------------------------


def _mentioned_reader(make, text: str):
    """A reader (@reader) and a comment by someone else on a new idea that mentions them."""
    idea = make.idea()
    reader = make.user(name="Reader")
    reader.handle = "reader"
    db.session.commit()
    comment = discussion.add_comment(make.user(), idea, text)
    db.session.commit()
    return reader, comment


def test_notifications_quoting_a_comment_hidden_later_are_not_shown(make, mod, app, client,
                                                                    token_for):  # fmt: skip
    reader, comment = _mentioned_reader(make, "Hey @reader, buy cheap-watches")
    assert db.session.scalar(select(Notification.comment_id)) == comment.id
    moderation.act(mod, "hide", "comment", comment.id, "Spam")
    db.session.commit()
    assert "cheap-watches" not in text_of(client_as(app, reader).get("/notifications"))
    body = client.get("/api/v1/notifications", headers=token_for(reader)).get_json()
    assert body["items"] == [] and body["unread"] == 0


def test_the_header_count_follows_what_its_reader_may_read_now(make, mod, app, client, login):
    """The unread count's statement is remembered per person and viewer class
    (notify.service.unread_count): hiding what a notification quotes, and the reader becoming a
    moderator (who reads hidden comments), each change the count at once."""
    reader, comment = _mentioned_reader(make, "Hey @reader, have a look")
    login(reader)

    def badge() -> int:
        page = client.get("/ideas").get_data(as_text=True)
        found = re.search(r'class="badge count-badge"[^>]*>(\d+)<', page)
        return int(found.group(1)) if found else 0

    assert badge() == 1
    moderation.act(mod, "hide", "comment", comment.id, "Spam")
    db.session.commit()
    assert badge() == 0
    reader.role = "moderator"
    db.session.commit()
    assert badge() == 1


def test_the_digest_leaves_out_what_its_reader_may_no_longer_read(make, mod):
    idea = make.idea(title="Something to follow")
    reader = make.user()
    reader.email_preference = "daily"
    reader.last_digest_at = utcnow()  # not due until the idea is hidden (below)
    ideas.set_following(reader, idea, True)
    comment = discussion.add_comment(make.user(), idea, "cheap-watches everywhere")
    other = make.idea(title="Still a fine idea")
    ideas.set_following(reader, other, True)
    staff = make.user(kind="staff")
    ideas.change_status(staff, other, "planned", "We will do it")
    discussion.set_official(staff, discussion.add_comment(staff, idea, "Official words"), True)
    db.session.commit()
    moderation.act(mod, "hide", "idea", idea.id, "Spam")
    db.session.commit()
    assert comment  # the idea, and so its comments, are hidden now
    reader.last_digest_at = utcnow() - timedelta(days=2)
    db.session.commit()
    send_due_digests()  # unless the outbox sender's own drain was first: the same result
    db.session.commit()
    digest = db.session.scalar(select(OutboxMessage).where(OutboxMessage.recipient == reader.email))
    assert "Still a fine idea" in digest.body and "Something to follow" not in digest.body


def test_a_hidden_comment_cannot_become_the_official_response(make, mod, staff):
    idea = make.idea()
    comment = discussion.add_comment(staff, idea, "Official words")
    db.session.commit()
    moderation.act(mod, "hide", "comment", comment.id, "Oops")
    db.session.commit()
    with pytest.raises(Conflict):
        discussion.set_official(staff, comment, True)


# -- 14. a community moderator sees what their kind sees ----------------------------------------


def test_a_customer_moderator_never_sees_supplier_or_confidential_ideas(make, mod, app):
    org = make.org("Acme Metals")
    supplier = make.user("supplier", org=org)
    suppliers = make.category("suppliers")
    secret = make.idea(author=supplier, category=suppliers, title="Acme capacity secret",
                       confidential=True)  # fmt: skip
    only_suppliers = make.idea(author=supplier, category=suppliers, title="Supplier forecast")
    moderation.flag(make.user("supplier", org=org), "idea", secret.id, "spam")
    moderation.flag(make.user("supplier"), "idea", only_suppliers.id, "spam")
    db.session.commit()
    client = client_as(app, mod)
    for idea in (secret, only_suppliers):
        assert client.get(f"/ideas/{idea.id}").status_code == 404
    for path in ("/ideas", "/moderation", "/search?q=forecast", "/search?q=capacity"):
        page = text_of(client.get(path))
        assert "Acme capacity secret" not in page and "Supplier forecast" not in page
    assert queue.review_queue(mod).total == 0
    assert moderation.open_queue_count(mod) == 0
    assert search.search(mod, "forecast").total == 0
    staff_mod = make.user(kind="staff", role="moderator")
    assert queue.review_queue(staff_mod).total == 2


def test_a_community_moderator_sees_no_vote_breakdown(make, mod, app):
    idea = make.idea()
    assert "Votes by kind" not in text_of(client_as(app, mod).get(f"/ideas/{idea.id}"))
    assert "Votes by kind" in text_of(client_as(app, make.user(kind="staff")).get(
        f"/ideas/{idea.id}"))  # fmt: skip


# -- 15. what is offered is what is allowed -----------------------------------------------------


def test_a_duplicate_takes_no_votes_leaves_trending_and_links_its_original(make, staff, app):
    category = make.category()
    original = make.idea(category=category, title="Dark mode for the app")
    duplicate = make.idea(category=category, title="Dark theme for the app")
    ideas.change_status(staff, duplicate, "duplicate", "Vote there", duplicate_of=original.id)
    db.session.commit()
    assert duplicate.status_note == f"Duplicate of #{original.id}. Vote there"
    with pytest.raises(Conflict):
        ideas.set_vote(make.user(), duplicate, True)
    db.session.rollback()
    trending = ideas.list_ideas(None, sort="trending")
    assert duplicate.id not in {i.id for i in trending.items}
    assert duplicate.id not in {i.id for i in search.similar_ideas(None, "Dark theme app")}
    page = text_of(client_as(app).get(f"/ideas/{duplicate.id}"))
    assert f'href="/ideas/{original.id}">#{original.id}</a>' in page


def test_a_suspended_member_is_offered_no_writing_and_keeps_what_they_typed(make, mod, app):
    user = make.user()
    idea = make.idea()
    client = client_as(app, user)
    moderation.act(mod, "suspend", "user", user.id, "Cooling off",
                   until=(utcnow() + timedelta(days=2)).isoformat())  # fmt: skip
    db.session.commit()
    home = text_of(client.get("/"))
    assert 'href="/ideas/new"' not in home
    form = text_of(client.get("/ideas/new"))
    assert "suspended until" in form
    category = idea.category.slug
    response = client.post("/ideas/new", data={"title": "My long careful title", "body":
                           "Paragraphs of careful thought", "category": category,
                           "kind": "idea"})  # fmt: skip
    assert response.status_code == 403
    assert "Paragraphs of careful thought" in text_of(response)
    page = text_of(client.get(f"/ideas/{idea.id}"))
    assert "Post comment" not in page and "Appeal" not in page


def test_the_review_queue_offers_buttons_for_what_fits_no_default_action(make, mod, app):
    idea = make.idea(title="A flagged idea here")
    for _ in range(3):
        moderation.flag(make.user(), "idea", idea.id, "spam")
    db.session.commit()
    page = text_of(client_as(app, mod).get("/moderation"))
    assert 'value="restore"' in page and "Keep hidden" in page
    assert '<select id="action' not in page  # no pre-chosen action for a careless click
    moderation.appeal(idea.author, "idea", idea.id, "It was not spam")
    db.session.commit()
    page = text_of(client_as(app, mod).get("/moderation"))
    assert "accept the appeal" in page and "reject the appeal" in page


def test_moderators_act_from_the_idea_and_comment_themselves(make, mod, app):
    idea = make.idea()
    comment = discussion.add_comment(make.user(), idea, "Some comment")
    db.session.commit()
    client = client_as(app, mod)
    page = text_of(client.get(f"/ideas/{idea.id}"))
    assert f'id="moderate-idea-{idea.id}"' in page and f'id="moderate-comment-{comment.id}"' in page
    response = client.post("/moderation/actions", data={
        "action": "lock", "target_type": "idea", "target_id": idea.id, "reason": "Heated",
        "next": f"/ideas/{idea.id}"})  # fmt: skip
    assert response.status_code == 302 and response.headers["Location"] == f"/ideas/{idea.id}"
    assert db.session.get(Idea, idea.id).locked
    assert "Post comment" not in text_of(client_as(app, make.user()).get(f"/ideas/{idea.id}"))


def test_an_automatic_hold_tells_its_author_and_says_so(make, app):
    idea = make.idea(title="Held idea title")
    for _ in range(3):
        moderation.flag(make.user(), "idea", idea.id, "spam")
    db.session.commit()
    note = db.session.scalar(select(Notification).where(Notification.user_id == idea.author_id))
    assert note.event == "moderated" and "held for review" in note.message
    page = text_of(client_as(app).get(f"/ideas/{idea.id}"))
    assert "Held for review" in page and "moderators hid it" not in page


def test_a_status_change_is_not_an_edit(make, staff, app):
    idea = make.idea()
    ideas.change_status(staff, idea, "planned", "Soon")
    db.session.commit()
    assert ">edited<" not in text_of(client_as(app).get(f"/ideas/{idea.id}"))
    ideas.edit_idea(idea.author, idea, body="New body")
    db.session.commit()
    assert ">edited<" in text_of(client_as(app).get(f"/ideas/{idea.id}"))


def test_flags_by_unverified_accounts_do_not_count(make, app):
    idea = make.idea()
    flaggers = [make.user() for _ in range(3)]
    flaggers[0].email_verified_at = None
    db.session.commit()
    # An unverified account cannot flag at all (it reads only) ...
    with pytest.raises(Forbidden):
        moderation.flag(flaggers[0], "idea", idea.id, "spam")
    db.session.rollback()
    for flagger in flaggers[1:]:
        moderation.flag(flagger, "idea", idea.id, "spam")
    db.session.commit()
    # ... and an open flag of an account that is unverified now does not count either.
    flaggers[1].email_verified_at = None
    moderation.flag(make.user(), "idea", idea.id, "spam")
    db.session.commit()
    assert not db.session.get(Idea, idea.id).hidden
    assert json.dumps(access.write_refusal(flaggers[0]))
    assert db.session.scalar(select(Comment)) is None


def test_registering_from_sign_in_to_vote_leads_back_to_the_idea(make, app):
    from tests.conftest import confirmation_path

    idea = make.idea(title="An idea worth a vote")
    client = client_as(app)
    page = text_of(client.get(f"/ideas/{idea.id}"))
    assert f'href="/login?next=/ideas/{idea.id}"' in page  # "sign in to vote"
    login = text_of(client.get(f"/login?next=/ideas/{idea.id}"))
    assert f'href="/register?next=/ideas/{idea.id}"' in login
    form = text_of(client.get(f"/register?next=/ideas/{idea.id}"))
    assert f'value="/ideas/{idea.id}"' in form
    response = client.post("/register", data={
        "display_name": "Vera Voter", "email": "vera@example.com", "password": PASSWORD,
        "confirm": PASSWORD, "kind": "customer", "organization": "0",
        "next": f"/ideas/{idea.id}"})  # fmt: skip
    assert response.status_code == 200
    link = confirmation_path("vera@example.com")
    assert client.get(link).status_code == 200
    confirmed = client.post(link)
    assert confirmed.status_code == 302 and confirmed.headers["Location"] == f"/ideas/{idea.id}"
    vote = client.post(f"/ideas/{idea.id}/vote")
    assert vote.status_code == 302 and db.session.get(Idea, idea.id).votes_count == 2


def test_the_log_names_a_merge_original_only_to_those_who_may_read_it(make, mod, app):
    category = make.category()
    original = make.idea(category=category, title="Original that gets hidden later")
    duplicate = make.idea(category=category, title="A duplicate of it")
    moderation.act(mod, "merge", "idea", duplicate.id, "Same", into_id=original.id)
    db.session.commit()
    hide(mod, original, "Spam")
    log = text_of(client_as(app).get("/moderation/log"))
    assert "Original that gets hidden later" not in log and f"#{original.id}" in log


def test_comments_of_a_hidden_idea_cannot_be_flagged_by_those_who_may_not_read_them(make, mod):
    idea = make.idea()
    comment = discussion.add_comment(make.user(), idea, "A comment")
    db.session.commit()
    hide(mod, idea)
    from portal.errors import NotFound

    with pytest.raises(NotFound):
        moderation.flag(make.user(), "comment", comment.id, "spam")


def test_notifications_of_a_removed_idea_keep_none_of_its_text(make, mod, staff, app):
    idea = make.idea(title="Title that gets removed")
    ideas.change_status(staff, idea, "planned", "A staff note about it")
    db.session.commit()
    moderation.act(mod, "delete", "idea", idea.id, "An advert")
    db.session.commit()
    page = text_of(client_as(app, idea.author).get("/notifications"))
    assert "Title that gets removed" not in page and "A staff note" not in page
    assert "A moderator removed your post. Reason: An advert" in page
    history = text_of(client_as(app, mod).get(f"/ideas/{idea.id}/history"))
    assert "Title that gets removed" in history


def test_a_note_links_only_ideas_the_reader_may_open_and_never_an_items_number(make, staff, app):
    hidden_from_anonymous = make.idea(category=make.category("customers"), title="Customers only")
    public = make.idea(category=make.category(), title="A public idea to promote")
    other = make.idea(category=public.category, title="Another public idea")
    tracking.promote(staff, [public.id])
    db.session.commit()
    ideas.change_status(staff, other, "duplicate",
                        f"Compare #{hidden_from_anonymous.id} and #{public.id}")  # fmt: skip
    db.session.commit()
    page = text_of(client_as(app).get(f"/ideas/{public.id}"))
    assert "Planned as improvement item #1." in page and 'href="/ideas/1"' not in page
    page = text_of(client_as(app).get(f"/ideas/{other.id}"))
    assert f'href="/ideas/{public.id}">#{public.id}</a>' in page
    assert f'href="/ideas/{hidden_from_anonymous.id}"' not in page


def test_a_deleted_comment_names_its_author_to_nobody_who_may_not_read_it(make, mod, client):
    idea = make.idea()
    author = make.user(name="Hidden Writer")
    hidden = discussion.add_comment(author, idea, "Hidden, then deleted")
    removed = discussion.add_comment(make.user(name="Removed Writer"), idea, "Removed")
    db.session.commit()
    moderation.act(mod, "hide", "comment", hidden.id, "Rude")
    db.session.commit()
    discussion.delete_comment(author, hidden)
    moderation.act(mod, "delete", "comment", removed.id, "Abusive")
    db.session.commit()
    items = client.get(f"/api/v1/ideas/{idea.id}/comments").get_json()["items"]
    assert [c["author"] for c in items] == [None, None]
    assert not access.can_read(mod, hidden) and access.can_read(mod, removed)
