"""Moderation in a real browser: flagging, the automatic hold, appeals, the review queue, the log.

With JavaScript the flag box and the queue's action forms work in place through htmx (same
document, same URL); without it the same forms post and redirect. Every test works on ideas
(and, for a suspension, a user) it creates itself; flags the test does not exercise in the
browser are made through the real services, in the live server's app context.
"""

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import func, select

from portal.accounts import service as accounts
from portal.accounts.models import User
from portal.extensions import db
from portal.ideas import discussion
from portal.ideas.models import Comment, Idea
from portal.moderation import service as moderation
from portal.moderation.models import Appeal, Flag, ModerationAction
from tests.e2e.helpers import (
    CUSTOMER,
    IDEA_AUTHOR,
    PASSWORD,
    STAFF,
    SUPPLIER,
    assert_same_document,
    forgive,
    is_htmx,
    mark_document,
    submit,
    unique,
)

pytestmark = pytest.mark.browser

MODERATOR = "moderator@example.com"
MODERATOR_NAME = "Morgan Ellis"
AUTHOR_NAME = "Elena Rossi"
FLAGGER_NAMES = {CUSTOMER: "Casey Brooks", STAFF: "Sam Okafor", SUPPLIER: "Priya Nair"}
THANKS = "Thank you: the moderators will review it."
ALREADY_FLAGGED = "You have already flagged this; moderators will review it."
HOLD_REASON = "Held for review: flagged by 3 people."


# --- the live server's database ------------------------------------------------------------


def in_app(live_server, work):
    """Run `work()` in the live server's app context, commit, and return what it returned."""
    with live_server.app.app_context():
        result = work()
        db.session.commit()
        db.session.remove()
    return result


def flag_as(live_server, email, target_type, target_id, reason="spam", **extra) -> None:
    in_app(
        live_server,
        lambda: (
            moderation.flag(
                live_server.user(email),
                target_type,
                target_id,
                reason,
                extra.get("note"),
                extra.get("duplicate_of"),
            ).id
        ),
    )


def idea_state(live_server, idea_id: int) -> dict:
    def read():
        idea = db.session.get(Idea, idea_id)
        return {
            "hidden": idea.hidden,
            "hidden_reason": idea.hidden_reason,
            "locked": idea.locked,
            "status": idea.status,
            "merged_into_id": idea.merged_into_id,
        }

    return in_app(live_server, read)


def open_flags(live_server, target_type: str, target_id: int, by: str | None = None) -> int:
    def count():
        query = select(func.count(Flag.id)).where(
            Flag.target_type == target_type, Flag.target_id == target_id, Flag.resolved_at.is_(None)
        )
        if by:
            query = query.where(Flag.by_id == live_server.user(by).id)
        return db.session.scalar(query)

    return in_app(live_server, count)


def actions_on(live_server, target_type: str, target_id: int) -> list[tuple[str, str | None, str]]:
    """The log entries on a target, oldest first: (action, moderator's name or None, reason)."""

    def read():
        entries = db.session.scalars(
            select(ModerationAction)
            .where(
                ModerationAction.target_type == target_type,
                ModerationAction.target_id == target_id,
            )
            .order_by(ModerationAction.id)
        )
        return [(e.action, e.by.display_name if e.by else None, e.reason) for e in entries]

    return in_app(live_server, read)


def waiting(live_server) -> int:
    """What the demo moderator's badge counts (what a customer moderator may see)."""
    return in_app(live_server, lambda: moderation.open_queue_count(live_server.user(MODERATOR)))


def author_history(live_server, email: str) -> str:
    """What the queue says about an author's history: "N ideas, M comments"."""

    def read():
        author = live_server.user(email)
        ideas = db.session.scalar(select(func.count(Idea.id)).where(Idea.author_id == author.id))
        comments = db.session.scalar(
            select(func.count(Comment.id)).where(Comment.author_id == author.id)
        )
        return f"{plural(ideas, 'idea')}, {plural(comments, 'comment')}"

    return in_app(live_server, read)


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def make_user(live_server, name: str) -> tuple[int, str]:
    """A fresh customer account (suspending a demo user would disturb the other tests)."""
    serial = unique("user").split()[-1]
    email = f"e2e-moderated-{serial}@example.com"
    display = f"{name} {serial}"

    def create():
        user = accounts.create_user(email, PASSWORD, display_name=display, kind="customer")
        db.session.flush()
        return user.id

    return in_app(live_server, create), display


# --- in the browser -------------------------------------------------------------------------


def open_flag_box(page: Page, idea_id: int):
    box = page.locator(f"#flag-idea-{idea_id}")
    box.locator("summary").click()
    expect(box.locator("form")).to_be_visible()
    return box


def flag_in_browser(page: Page, js: bool, idea_id: int, reason: str, note: str = "") -> None:
    """Flag the open idea page's idea through its "Flag" box, and see the thank-you."""
    box = open_flag_box(page, idea_id)
    box.get_by_label(reason).check()
    if note:
        box.get_by_label("Note for the moderators").fill(note)
    submit(page, js, box.get_by_role("button", name="Send to the moderators").click)
    if js:
        # The box itself is replaced by the thank-you; the idea page stays.
        expect(page.locator(f"#flag-idea-{idea_id}")).to_have_count(0)
        expect(page.locator(".idea-actions .flag-done")).to_have_text(THANKS)
    else:
        expect(page).to_have_url(re.compile(rf"/ideas/{idea_id}\??$"))
        expect(page.locator("#flash")).to_contain_text(THANKS)


def moderation_link(page: Page):
    return page.locator("header.site-header").get_by_role("link", name=re.compile(r"^Moderation"))


def log_row(page: Page, reason: str):
    return page.locator(".log-table tbody tr", has_text=reason)


# --- 1. flagging in place -------------------------------------------------------------------


def test_flag_an_idea_in_place(open_page, pages, js, make_idea, live_server):
    idea_id = make_idea()
    page = open_page(CUSTOMER)
    page.goto(f"/ideas/{idea_id}")
    box = page.locator(f"#flag-idea-{idea_id}")
    expect(box.locator("summary")).to_have_text("Flag")
    expect(box.locator("form")).to_be_hidden()

    note = unique("Belongs in the mobile app category, note")
    flag_in_browser(page, js, idea_id, "Off topic", note)
    if js:
        assert_same_document(page, f"{live_server.url}/ideas/{idea_id}")
    # The idea itself is untouched, and the flag is stored as sent.
    expect(page.locator("h1")).to_have_count(1)
    assert open_flags(live_server, "idea", idea_id, by=CUSTOMER) == 1
    assert idea_state(live_server, idea_id)["hidden"] is False

    def stored_flag():
        flag = db.session.scalar(
            select(Flag).where(Flag.target_type == "idea", Flag.target_id == idea_id)
        )
        return flag.reason, flag.note

    assert in_app(live_server, stored_flag) == ("off_topic", note)

    # A second flag by the same person: a clear 409, and the page keeps working.
    page.goto(f"/ideas/{idea_id}")
    box = open_flag_box(page, idea_id)
    box.get_by_label("Spam").check()
    send = box.get_by_role("button", name="Send to the moderators")
    if js:
        mark_document(page)
        with page.expect_response(lambda r: is_htmx(r) and "/flags" in r.url) as info:
            send.click()
        assert info.value.status == 409
        expect(page.locator("#flash")).to_contain_text(ALREADY_FLAGGED)
        forgive(pages, 409, "/flags")
        expect(page.locator("#flash [role=alert]")).to_be_visible()
        assert_same_document(page, f"{live_server.url}/ideas/{idea_id}")
        # Still the idea page, with a working flag box and vote button.
        expect(box).to_be_visible()
        expect(page.locator(f"#vote-{idea_id} button")).to_be_enabled()
    else:
        # Without JavaScript the refusal comes back to the idea, as a message.
        with page.expect_navigation() as navigation:
            send.click()
        assert navigation.value.status == 200
        expect(page).to_have_url(f"{live_server.url}/ideas/{idea_id}")
        expect(page.locator("#flash")).to_contain_text(ALREADY_FLAGGED)
    assert open_flags(live_server, "idea", idea_id, by=CUSTOMER) == 1
    forgive(pages, 409, "/flags")


# --- 2. the automatic hold and the appeal ---------------------------------------------------


def test_three_flags_hold_an_idea_and_its_author_appeals(open_page, js, make_idea, live_server):
    title = unique("Idea three people flag")
    idea_id = make_idea(title)
    flaggers = [(CUSTOMER, "Spam"), (STAFF, "Abusive or offensive"), (SUPPLIER, "Off topic")]
    for number, (email, reason) in enumerate(flaggers, start=1):
        page = open_page(email)
        page.goto(f"/ideas/{idea_id}")
        expect(page.get_by_role("heading", level=1)).to_have_text(title)
        flag_in_browser(page, js, idea_id, reason)
        held = number == len(flaggers)
        assert idea_state(live_server, idea_id)["hidden"] is held
    if not js:
        # The third flagger was sent back to the idea, which is now held: its tombstone.
        expect(page.get_by_role("heading", level=1)).to_have_text("This idea is hidden")
    assert idea_state(live_server, idea_id)["hidden_reason"] == HOLD_REASON
    assert actions_on(live_server, "idea", idea_id) == [("hide", None, HOLD_REASON)]

    # Others see a tombstone with the reason: the flaggers, and anonymous visitors.
    for user in (CUSTOMER, None):
        other = open_page(user)
        response = other.goto(f"/ideas/{idea_id}")
        assert response.status == 200
        expect(other.get_by_role("heading", level=1)).to_have_text("This idea is hidden")
        expect(other.locator(".tombstone-page blockquote")).to_have_text(HOLD_REASON)
        expect(other.locator("main")).not_to_contain_text(title)
        expect(other.locator("main")).not_to_contain_text("Details of the idea")

    # Its author still sees it, with the reason and an "Appeal" disclosure.
    author = open_page(IDEA_AUTHOR)
    author.goto(f"/ideas/{idea_id}")
    expect(author.get_by_role("heading", level=1)).to_have_text(title)
    expect(author.locator(".idea-body")).to_contain_text("Details of the idea")
    # An automatic hold says so (not "the moderators hid it"); the author was told too.
    notice = author.locator("aside", has_text="Held for review.")
    expect(notice).to_contain_text(f"with the reason: “{HOLD_REASON}”")
    expect(notice).not_to_contain_text("”.")  # the reason's own full stop ends the sentence
    appeal_box = notice.locator("details.appeal-box")
    expect(appeal_box.locator("summary")).to_have_text("Appeal")
    expect(appeal_box.locator("form")).to_be_hidden()
    appeal_box.locator("summary").click()
    text = unique("It is a genuine request from our product team, appeal")
    appeal_box.get_by_label(re.compile(r"Why should it be restored")).fill(text)
    csrf = appeal_box.locator("input[name=csrf_token]").input_value()
    # The appeal is a plain post with or without JavaScript (it has no htmx attributes).
    with author.expect_navigation() as navigation:
        appeal_box.get_by_role("button", name="Send appeal").click()
    assert navigation.value.ok
    expect(author).to_have_url(re.compile(rf"/ideas/{idea_id}\??$"))
    expect(author.locator("#flash")).to_contain_text("Your appeal is with the moderators.")
    expect(notice).to_contain_text("You appealed; the moderators will take another look.")
    expect(author.locator("details.appeal-box")).to_have_count(0)

    # Once only: a second appeal (the same form, posted again) is refused.
    again = author.request.post(
        f"{live_server.url}/appeals",
        form={"csrf_token": csrf, "target_type": "idea", "target_id": str(idea_id), "text": "x"},
        max_redirects=0,
    )
    assert again.status == 409
    assert "You have already appealed this once." in again.text()

    def appeals():
        return db.session.scalars(
            select(Appeal.text).where(Appeal.target_type == "idea", Appeal.target_id == idea_id)
        ).all()

    assert in_app(live_server, appeals) == [text]

    # The appeal is in the moderator's queue, with the flags and the hold.
    moderator = open_page(MODERATOR)
    moderator.goto("/moderation")
    group = moderator.locator(f"#group-idea-{idea_id}")
    header = group.locator("header")
    expect(header).to_contain_text(f"Idea #{idea_id}")
    expect(header).to_contain_text("3 flags")
    expect(header.locator(".badge", has_text="Appeal")).to_be_visible()
    expect(header.locator(".badge", has_text="Hidden")).to_be_visible()
    expect(group).to_contain_text(f"Appeal by {AUTHOR_NAME}: {text}")
    expect(group.locator("ul.flags li")).to_have_count(3)
    for email, _reason in flaggers:
        expect(group.locator("ul.flags")).to_contain_text(FLAGGER_NAMES[email])
    expect(group.locator("details summary", has_text="Earlier actions")).to_have_text(
        "Earlier actions (1)"
    )


def test_the_author_of_a_hidden_comment_appeals_from_its_notice(open_page, make_idea, live_server):
    idea_id = make_idea()
    body = unique("A comment the moderators hide")
    reason = "Personal attack on another customer"

    def comment_and_hide():
        idea = db.session.get(Idea, idea_id)
        comment = discussion.add_comment(live_server.user(IDEA_AUTHOR), idea, body)
        moderation.act(live_server.user(MODERATOR), "hide", "comment", comment.id, reason)
        return comment.id

    comment_id = in_app(live_server, comment_and_hide)

    # Others see only a note with the reason.
    other = open_page(CUSTOMER)
    other.goto(f"/ideas/{idea_id}")
    hidden = other.locator(f"#comment-{comment_id}")
    expect(hidden).to_have_text(f"Hidden by the moderators: {reason}")
    expect(other.locator("#discussion")).not_to_contain_text(body)

    # Its author sees it, and the "Appeal" disclosure sits inside the red notice.
    author = open_page(IDEA_AUTHOR)
    author.goto(f"/ideas/{idea_id}")
    comment = author.locator(f"#comment-{comment_id}")
    expect(comment.locator(".markdown")).to_have_text(body)
    notice = comment.locator(".flash-error")
    expect(notice).to_contain_text(f"Hidden by the moderators: {reason}. Others see only this")
    appeal_box = notice.locator("details.appeal-box")
    appeal_box.locator("summary").click()
    appeal_box.get_by_label(re.compile(r"Why should it be restored")).fill("It was a joke.")
    with author.expect_navigation():
        appeal_box.get_by_role("button", name="Send appeal").click()
    expect(author.locator("#flash")).to_contain_text("Your appeal is with the moderators.")
    expect(notice).to_contain_text("You appealed; the moderators will take another look.")

    moderator = open_page(MODERATOR)
    moderator.goto("/moderation")
    group = moderator.locator(f"#group-comment-{comment_id}")
    expect(group.locator("header .badge", has_text="Appeal")).to_be_visible()
    expect(group).to_contain_text(f"Appeal by {AUTHOR_NAME}: It was a joke.")


# --- 3. working the queue -------------------------------------------------------------------

ACTION_CASES = ["dismiss", "hide", "restore", "lock", "merge", "suspend"]


# How the confirmation names each action (portal.labels.MODERATION_ACTION_LABELS).
ACTION_SHOWN = {"dismiss": "Dismiss the flags", "hide": "Hide", "restore": "Restore",
                "lock": "Lock (no more votes or comments)", "merge": "Merge into another idea",
                "suspend": "Suspend the user"}  # fmt: skip
# How the queue names each reason (portal.labels.FLAG_REASON_LABELS, in English).
REASON_SHOWN = {"spam": "Spam", "abuse": "Abusive or offensive", "off_topic": "Off topic",
                "duplicate": "Duplicate of another idea", "other": "Something else"}  # fmt: skip


def queue_case(action: str, make_idea, live_server) -> dict:
    """A group waiting in the queue for `action`, and what the page should say about it."""
    if action == "suspend":
        user_id, name = make_user(live_server, "Spammy Sam")
        flag_as(live_server, CUSTOMER, "user", user_id, "spam")
        return {
            "type": "user",
            "id": user_id,
            "name": name,
            "flags": [f"{REASON_SHOWN['spam']} by Casey Brooks"],
        }
    title = unique(f"Idea for the moderator to {action}")
    idea_id = make_idea(title)
    case = {"type": "idea", "id": idea_id, "title": title}
    if action == "restore":
        for email in (CUSTOMER, STAFF, SUPPLIER):
            flag_as(live_server, email, "idea", idea_id, "spam")
        case["flags"] = ["Spam by Priya Nair", "Spam by Sam Okafor", "Spam by Casey Brooks"]
    elif action == "merge":
        case["original"] = make_idea(unique("The original the duplicate merges into"))
        flag_as(live_server, CUSTOMER, "idea", idea_id, "duplicate", duplicate_of=case["original"])
        case["flags"] = [f"{REASON_SHOWN['duplicate']} by Casey Brooks"]
    elif action == "lock":
        note = "The thread turned into a shouting match."
        flag_as(live_server, CUSTOMER, "idea", idea_id, "other", note=note)
        case["flags"] = [f"{REASON_SHOWN['other']} by Casey Brooks"]
        case["note"] = note
    else:
        reason = {"dismiss": "off_topic", "hide": "abuse"}[action]
        flag_as(live_server, CUSTOMER, "idea", idea_id, reason)
        case["flags"] = [f"{REASON_SHOWN[reason]} by Casey Brooks"]
    return case


@pytest.mark.parametrize("action", ACTION_CASES)
def test_moderator_works_the_queue(open_page, js, action, make_idea, live_server):
    case = queue_case(action, make_idea, live_server)
    target_type, target_id = case["type"], case["id"]
    history = author_history(live_server, IDEA_AUTHOR if target_type == "idea" else CUSTOMER)
    if target_type == "user":
        history = "0 ideas, 0 comments"  # a new account: it wrote nothing
    count = waiting(live_server)

    page = open_page(MODERATOR)
    page.goto("/")
    # The header links to the queue, with a badge counting what waits.
    link = moderation_link(page)
    expect(link.locator(".count-badge")).to_have_text(str(count))
    link.click()
    expect(page).to_have_url(f"{live_server.url}/moderation")
    expect(page.get_by_role("heading", level=1)).to_have_text("Review queue")
    expect(page.locator(".list-summary")).to_have_text(f"{count} waiting")

    group = page.locator(f"#group-{target_type}-{target_id}")
    header = group.locator("header")
    expect(header).to_contain_text(f"{target_type.capitalize()} #{target_id}")
    flags = len(case["flags"])
    expect(header).to_contain_text(f"{flags} flag{'' if flags == 1 else 's'}")
    # The content itself, the flags with their reasons, and the author's history.
    if target_type == "idea":
        expect(group.get_by_role("link", name=case["title"])).to_have_attribute(
            "href", f"/ideas/{target_id}"
        )
        expect(group.locator(".queue-content")).to_contain_text("Details of the idea, in Markdown.")
        expect(group.locator(".queue-content strong")).to_have_text("Markdown")
        author = AUTHOR_NAME
    else:
        expect(group).to_contain_text(f"{case['name']} (@e2e-moderated-")
        author = case["name"]
    expect(group.locator("p.meta", has_text="Author:")).to_contain_text(
        re.compile(rf"Author: {re.escape(author)} · joined .+ · {history}")
    )
    expect(group.locator("ul.flags li")).to_have_count(flags)
    for number, text in enumerate(case["flags"]):
        expect(group.locator("ul.flags li").nth(number)).to_contain_text(text)
    if "note" in case:
        expect(group.locator("ul.flags q")).to_have_text(case["note"])
    if action == "restore":
        expect(header.locator(".badge", has_text="Hidden")).to_be_visible()
    if action == "merge":
        expect(group.locator("ul.flags li")).to_contain_text(f"duplicate of #{case['original']}")

    # Say why, then press the button of the action (nothing is pre-chosen; the fields only
    # merge and suspend need open with their button).
    reason = unique(f"Reason to {action}, checked in the log")
    group.get_by_label("Reason").fill(reason)
    if action == "merge":
        group.get_by_text("Merge into another idea…").click()
        into = group.get_by_label("Original idea number")
        # The duplicate flag suggests the original; the moderator confirms it.
        expect(into).to_have_value(str(case["original"]))
        into.fill(str(case["original"]))
    until = date.today() + timedelta(days=400)
    if action == "suspend":
        group.get_by_text("Suspend…").click()
        group.get_by_label("Suspended until").fill(until.isoformat())
    button = {"dismiss": "Dismiss the flags", "hide": "Hide", "restore": "Restore",
              "lock": "Lock", "merge": "Merge", "suspend": "Suspend"}[action]  # fmt: skip
    submit(page, js, group.get_by_role("button", name=button, exact=True).click)
    if js:
        # The group is replaced in place by the confirmation.
        expect(group).to_contain_text(
            f"Done: {ACTION_SHOWN[action]} on {target_type} #{target_id} — written to the "
            "moderation log."
        )
        expect(group.locator("form")).to_have_count(0)
        assert_same_document(page, f"{live_server.url}/moderation")
        group.get_by_role("link", name="moderation log").click()
    else:
        expect(page).to_have_url(f"{live_server.url}/moderation")
        expect(page.locator("#flash")).to_contain_text("Done, and written to the moderation log.")
        expect(group).to_have_count(0)
        if count > 1:
            expect(moderation_link(page).locator(".count-badge")).to_have_text(str(count - 1))
        page.get_by_role("link", name="Moderation log →").click()

    # The public log shows the action, who took it and why.
    expect(page).to_have_url(f"{live_server.url}/moderation/log")
    row = log_row(page, reason)
    expect(row).to_have_count(1)
    cells = row.locator("td")
    expect(cells.nth(1)).to_have_text(MODERATOR_NAME)
    expect(cells.nth(3)).to_have_text(reason)
    what = {
        "dismiss": f"Dismissed flags on {case.get('title')}",
        "hide": f"Hid idea #{target_id}",
        "restore": f"Restored {case.get('title')}",
        "lock": f"Locked {case.get('title')}",
        "merge": f"Merged idea #{target_id} into {case.get('original')}",
        "suspend": f"Suspended {case.get('name')} until {until.isoformat()} 00:00 UTC",
    }[action]
    if action == "merge":
        expect(cells.nth(2)).to_contain_text(f"Merged idea #{target_id} into")
        expect(cells.nth(2).get_by_role("link")).to_have_attribute(
            "href", f"/ideas/{case['original']}"
        )
    else:
        expect(cells.nth(2)).to_have_text(re.compile(r"\s*".join(map(re.escape, what.split()))))
    assert actions_on(live_server, target_type, target_id)[-1] == (action, MODERATOR_NAME, reason)
    assert open_flags(live_server, target_type, target_id) == 0

    # And the action did what it says, as others see it.
    visitor = open_page(CUSTOMER)
    if target_type == "user":
        suspended = in_app(live_server, lambda: db.session.get(User, target_id).suspended_until)
        assert suspended.date() == until
        return
    response = visitor.goto(f"/ideas/{target_id}")
    heading = visitor.get_by_role("heading", level=1)
    state = idea_state(live_server, target_id)
    if action == "hide":
        expect(heading).to_have_text("This idea is hidden")
        expect(visitor.locator(".tombstone-page blockquote")).to_have_text(reason)
        assert state["hidden"] and state["hidden_reason"] == reason
    elif action == "merge":
        # The duplicate's address redirects (301) to the original.
        assert response.url == f"{live_server.url}/ideas/{case['original']}"
        first = response.request.redirected_from
        assert first is not None and first.url == f"{live_server.url}/ideas/{target_id}"
        assert first.response().status == 301
        merged = visitor.locator("section.merged")
        expect(merged).to_contain_text(f"#{target_id} “{case['title']}”")
        assert state["status"] == "duplicate" and state["merged_into_id"] == case["original"]
    else:
        expect(heading).to_have_text(case["title"])
        assert state["hidden"] is False
        if action == "lock":
            expect(visitor.locator(".idea-head .badge.locked")).to_have_text("Locked")
            expect(visitor.locator(f"#vote-{target_id} .vote-button.closed")).to_be_visible()
            assert state["locked"] is True


def test_an_action_without_a_reason_is_refused(open_page, pages, js, make_idea, live_server):
    title = unique("Idea the moderator tries to hide without a reason")
    idea_id = make_idea(title)
    flag_as(live_server, CUSTOMER, "idea", idea_id, "abuse")
    page = open_page(MODERATOR)
    page.goto("/moderation")
    group = page.locator(f"#group-idea-{idea_id}")
    reason = group.get_by_label("Reason")
    apply = group.get_by_role("button", name="Hide", exact=True)

    # An empty reason: the browser itself refuses to send the form.
    posts = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    apply.click()
    expect(group.locator("textarea:invalid")).to_have_count(1)
    page.wait_for_timeout(300)
    assert posts == []

    # Only spaces pass the browser's check: the server refuses, with a clear message.
    reason.fill("   ")
    if js:
        mark_document(page)
        with page.expect_response(lambda r: is_htmx(r) and "/moderation/actions" in r.url) as info:
            apply.click()
        assert info.value.status == 422
        message = page.locator("#flash [role=alert]")
        expect(message).to_be_visible()
        forgive(pages, 422, "/moderation/actions")
        assert_same_document(page, f"{live_server.url}/moderation")
        # The group is untouched: same form, same buttons, nothing "done".
        expect(apply).to_be_visible()
        expect(group).not_to_contain_text("Done:")
    else:
        with page.expect_navigation():
            apply.click()
        expect(page).to_have_url(f"{live_server.url}/moderation")
        message = page.locator("#flash [role=alert]")
        expect(message).to_contain_text("Not done:")
    expect(message).to_contain_text("Every action needs a reason.")
    expect(group.locator("form")).to_be_visible()
    expect(group.locator("ul.flags li")).to_have_count(1)

    # Nothing changed: not hidden, the flag still open, nothing in the log.
    assert idea_state(live_server, idea_id)["hidden"] is False
    assert open_flags(live_server, "idea", idea_id) == 1
    assert actions_on(live_server, "idea", idea_id) == []
    forgive(pages, 422, "/moderation/actions")


# --- 4. members stay out --------------------------------------------------------------------


def test_a_member_gets_403_on_the_queue(open_page, pages, make_idea, live_server):
    idea_id = make_idea()
    flag_as(live_server, STAFF, "idea", idea_id, "spam")
    page = open_page(CUSTOMER)
    page.goto(f"/ideas/{idea_id}")
    expect(moderation_link(page)).to_have_count(0)
    csrf = page.locator("input[name=csrf_token]").first.input_value()

    response = page.goto("/moderation")
    assert response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("Not allowed")
    expect(page.locator("main")).to_contain_text("Only moderators may do this.")

    # Posting an action directly is refused too, and changes nothing.
    forged = page.request.post(
        f"{live_server.url}/moderation/actions",
        form={
            "csrf_token": csrf,
            "action": "hide",
            "target_type": "idea",
            "target_id": str(idea_id),
            "reason": "I do not like it",
        },
        max_redirects=0,
    )
    assert forged.status == 403
    assert idea_state(live_server, idea_id)["hidden"] is False
    assert open_flags(live_server, "idea", idea_id) == 1

    # The log stays public.
    assert page.goto("/moderation/log").status == 200
    forgive(pages, 403, "/moderation")
