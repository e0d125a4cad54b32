"""Posting, voting, discussing and following, in a real browser, with JavaScript and without.

With JavaScript htmx does the work in place (same document, same URL); without it the same
forms post and redirect. `submit` checks which of the two happened.
"""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import CUSTOMER, assert_same_document, mark_document, submit, unique

pytestmark = pytest.mark.browser

SEEDED_TITLE = "Notify me on my smartwatch when the oven finishes preheating"


def test_post_an_idea_with_similar_ideas(open_page, js, live_server):
    page = open_page(CUSTOMER)
    page.goto("/ideas/new")
    similar = page.locator("#similar-ideas")
    expect(similar).to_contain_text("As you type a title")
    title_box = page.get_by_label("Title")

    if js:
        mark_document(page)
        with page.expect_response(lambda r: "/ideas/similar" in r.url) as info:
            title_box.press_sequentially("smartwatch notification", delay=20)
        assert info.value.ok
        expect(similar.get_by_role("link", name=SEEDED_TITLE)).to_be_visible()
        expect(similar).to_contain_text("Vote for it instead")
        # A title without matches says so; the page never navigated.
        title_box.fill("")
        title_box.press_sequentially("Qwxyz zyxwq", delay=20)
        expect(similar).to_contain_text("No similar ideas: yours looks new.")
        assert_same_document(page, f"{live_server.url}/ideas/new")
    else:
        title_box.fill("smartwatch notification")
        expect(similar).to_contain_text("As you type a title")

    title = unique("Let the kettle keep water at 80 degrees for an hour")
    title_box.fill(title)
    page.get_by_label("Details").fill("Green tea wants **80°C**, and I refill often.")
    page.get_by_label("Category").select_option("feature-ideas")
    page.get_by_label("Kind").select_option("improvement")
    page.get_by_role("button", name="Post idea").click()

    expect(page).to_have_url(re.compile(r"/ideas/\d+$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.locator("#flash")).to_contain_text("Your idea is posted.")
    expect(page.locator(".idea-body strong")).to_have_text("80°C")
    expect(page.locator(".idea-head .badge.kind-improvement")).to_have_text("Improvement")
    # The author supports and follows their own idea.
    vote = page.locator(".idea-head .vote-button")
    expect(vote.locator(".vote-count")).to_have_text("1")
    expect(vote).to_have_attribute("aria-pressed", "true")
    expect(page.locator(".idea-actions").get_by_role("button", name="Following")).to_be_visible()


def looks(locator) -> tuple[str, str]:
    return locator.evaluate("e => [getComputedStyle(e).backgroundColor, getComputedStyle(e).color]")


def test_vote_and_unvote_on_the_idea_page(open_page, js, make_idea, live_server):
    idea_id = make_idea()
    page = open_page(CUSTOMER)
    page.goto(f"/ideas/{idea_id}")
    button = page.locator(f"#vote-{idea_id} button")
    count = button.locator(".vote-count")
    expect(count).to_have_text("1")
    expect(button).to_have_attribute("aria-pressed", "false")
    unvoted_look = looks(button)

    submit(page, js, button.click)
    expect(count).to_have_text("2")
    expect(button).to_have_attribute("aria-pressed", "true")
    expect(button).to_have_class(re.compile(r"\bvoted\b"))
    # A voter sees that they voted (Pico once painted every <button> vote the same blue).
    assert looks(button) != unvoted_look

    submit(page, js, button.click)
    expect(count).to_have_text("1")
    expect(button).to_have_attribute("aria-pressed", "false")
    expect(page).to_have_url(re.compile(rf"/ideas/{idea_id}\??$"))
    if js:
        assert_same_document(page, f"{live_server.url}/ideas/{idea_id}")


def test_vote_from_the_list_keeps_the_list(open_page, js, make_idea, live_server):
    title = unique("Idea voted from the list")
    idea_id = make_idea(title)
    page = open_page(CUSTOMER)
    page.goto("/ideas?sort=new")
    card = page.locator(".idea-card", has_text=title)
    button = card.locator(f"#vote-{idea_id} button")
    expect(button.locator(".vote-count")).to_have_text("1")

    submit(page, js, button.click)
    expect(button.locator(".vote-count")).to_have_text("2")
    expect(button).to_have_attribute("aria-pressed", "true")
    # Back on the same list, sorted as before (redirect to `next`, or no navigation at all).
    expect(page).to_have_url(f"{live_server.url}/ideas?sort=new")

    submit(page, js, button.click)
    expect(button.locator(".vote-count")).to_have_text("1")


def test_comment_and_reply(open_page, js, make_idea, live_server):
    idea_id = make_idea()
    page = open_page(CUSTOMER)
    page.goto(f"/ideas/{idea_id}")
    discussion = page.locator("#discussion")
    expect(discussion.locator(".empty")).to_have_text("No comments yet. Start the discussion.")

    text = unique("I would use this every morning, comment")
    page.get_by_label("Your comment").fill(f"{text} with *emphasis*")
    submit(page, js, page.get_by_role("button", name="Post comment").click)
    comment = discussion.locator(".thread > .comment", has_text=text)
    expect(comment).to_be_visible()
    expect(comment.locator("em")).to_have_text("emphasis")
    expect(discussion.get_by_role("heading", name="Discussion")).to_contain_text("(1)")
    expect(page.get_by_label("Your comment")).to_have_value("")
    if js:
        assert_same_document(page, f"{live_server.url}/ideas/{idea_id}")
    else:
        expect(page).to_have_url(f"{live_server.url}/ideas/{idea_id}#discussion")
        expect(page.locator("#flash")).to_contain_text("Your comment is posted.")

    reply = unique("Same here, reply")
    thread = discussion.locator(".thread").filter(has_text=text)
    thread.locator("summary", has_text="Reply").click()
    thread.get_by_label("Your reply").fill(reply)
    submit(page, js, thread.get_by_role("button", name="Post reply").click)
    expect(thread.locator(".replies .comment", has_text=reply)).to_be_visible()
    expect(discussion.locator(".thread")).to_have_count(1)
    expect(discussion.get_by_role("heading", name="Discussion")).to_contain_text("(2)")
    if js:
        assert_same_document(page, f"{live_server.url}/ideas/{idea_id}")


def test_follow_and_unfollow(open_page, js, make_idea, live_server):
    idea_id = make_idea()
    page = open_page(CUSTOMER)
    page.goto(f"/ideas/{idea_id}")
    button = page.locator(f"#follow-{idea_id} button")
    expect(button).to_have_text("Follow")
    expect(button).to_have_attribute("aria-pressed", "false")

    submit(page, js, button.click)
    expect(button).to_have_text("Following ✓")
    expect(button).to_have_attribute("aria-pressed", "true")
    if not js:
        expect(page.locator("#flash")).to_contain_text("You follow this idea.")

    submit(page, js, button.click)
    expect(button).to_have_text("Follow")
    expect(button).to_have_attribute("aria-pressed", "false")
    if js:
        assert_same_document(page, f"{live_server.url}/ideas/{idea_id}")
    else:
        expect(page.locator("#flash")).to_contain_text("You no longer follow this idea.")

    # What the page shows is what was stored.
    page.reload()
    expect(page.locator(f"#follow-{idea_id} button")).to_have_text("Follow")


def test_signed_out_visitors_are_sent_to_sign_in(open_page, make_idea, live_server):
    idea_id = make_idea()
    page = open_page()
    page.goto(f"/ideas/{idea_id}")
    page.locator(f"#vote-{idea_id} a.vote-button").click()
    expect(page).to_have_url(re.compile(rf"/login\?next=(/|%2F)ideas(/|%2F){idea_id}$"))
    page.goto(f"/ideas/{idea_id}")
    expect(page.locator("#discussion")).to_contain_text("Sign in to join the discussion.")
    expect(page.get_by_label("Your comment")).to_have_count(0)


def test_forms_need_the_csrf_token(pages, make_idea, live_server):
    """CSRF is on in these tests: a signed-in post without the token is refused."""
    idea_id = make_idea()
    page = pages.open(CUSTOMER)
    page.goto(f"/ideas/{idea_id}")
    forged = page.request.post(f"{live_server.url}/ideas/{idea_id}/vote", form={"next": "/"})
    assert forged.status == 400
    page.reload()
    expect(page.locator(f"#vote-{idea_id} .vote-count")).to_have_text("1")
