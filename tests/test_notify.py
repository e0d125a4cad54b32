"""Notifications, e-mail and webhooks (SPEC section 7), delivered for real.

E-mail goes to a real SMTP server (aiosmtpd on a loopback port) that the tests stop and
restart; webhooks go to a real HTTP receiver (http.server in a thread) that can answer 500.
What must hold: each event tells the right people only (nobody about what they may not
see, never the actor); the outbox loses nothing while a server is down and delivers each
message exactly once when it is back; webhooks are signed and carry only public content;
unsubscribe links work without signing in and cannot be forged.
"""

import contextlib
import email
import hashlib
import hmac
import json
import re
import socket
import ssl
import threading
from collections import Counter, defaultdict
from email import policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
from aiosmtpd.controller import Controller
from itsdangerous import URLSafeSerializer
from sqlalchemy import func, select

from portal.errors import Conflict
from portal.extensions import db
from portal.ideas import discussion
from portal.ideas import service as ideas
from portal.ideas.models import Follow
from portal.moderation import service as moderation
from portal.notify import service as notify_service
from portal.notify import webhook_http
from portal.notify.models import WEBHOOK_EVENTS, Notification, OutboxMessage, Webhook
from portal.notify.unsubscribe import SALT, unsubscribe_token, unsubscribe_url
from portal.notify.webhook_http import url_refusal
from portal.timeutil import utcnow
from portal.tracking import service as tracking
from tests.conftest import PASSWORD, Factory, _empty_tables, make_test_app
from tests.pg import free_port

API = "/api/v1"
TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
NOTIFICATION_FIELDS = {"id", "event", "idea_id", "title", "url", "read", "created_at"}
SECRET = "webhook-shared-secret"


# --- helpers -------------------------------------------------------------------------------


def client_as(app, user):
    client = app.test_client()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return client


def refresh() -> None:
    """See what another thread (the outbox sender) committed."""
    db.session.commit()
    db.session.expire_all()


def outbox(kind: str = "email") -> list[OutboxMessage]:
    refresh()
    return list(
        db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.kind == kind).order_by(OutboxMessage.id)
        )
    )


def last_notification_id() -> int:
    return db.session.scalar(select(func.max(Notification.id))) or 0


def notifications_since(before: int) -> list[Notification]:
    refresh()
    return list(
        db.session.scalars(
            select(Notification).where(Notification.id > before).order_by(Notification.id)
        )
    )


def make_due(messages) -> None:
    """Bring the next attempt forward to now (instead of waiting for the back-off)."""
    for message in messages:
        db.session.get(OutboxMessage, message.id).next_attempt_at = utcnow()
    db.session.commit()


def drain(app) -> int:
    return app.extensions["outbox_worker"].drain(wait=True)


# --- a real SMTP server --------------------------------------------------------------------


class Inbox:
    """aiosmtpd handler: keeps every message it accepts."""

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self._lock = threading.Lock()

    async def handle_DATA(self, _server, _session, envelope):  # noqa: N802 (aiosmtpd's name)
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        with self._lock:
            self.messages.append(message)
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list:
        return [m for m in self.messages if m["To"] == address]


class SmtpServer:
    """A local SMTP server on a fixed loopback port, which can be stopped and started again."""

    def __init__(self):
        self.port = free_port()
        self.inbox = Inbox()
        self.controller = None

    def start(self) -> None:
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        self.controller.stop()
        self.controller = None


@pytest.fixture
def smtp():
    server = SmtpServer()
    server.start()
    yield server
    if server.controller is not None:
        server.stop()


@pytest.fixture
def mail_app(database_url, smtp):
    """The portal sending its e-mail through the local SMTP server (not suppressed)."""
    app = make_test_app(
        database_url,
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=smtp.port,
        MAIL_BACKEND="smtp",
        MAIL_SUPPRESS_SEND=False,
    )
    with app.app_context():
        yield app
        db.session.remove()
    _empty_tables(app)


def body_of(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def test_email_arrives_and_survives_a_mail_server_outage(mail_app, smtp):
    make = Factory()
    staff = make.user(kind="staff", name="Stella Staff")
    author = make.user(name="Ann Author")
    fans = [make.user(name=f"Fan {n}") for n in range(2)]
    quiet = make.user(name="Quiet Quinn")
    quiet.email_preference = "off"
    idea = make.idea(author=author, title="Deliver on Saturdays")
    for user in (*fans, quiet, staff):
        ideas.set_following(user, idea, True)
    db.session.commit()
    readers = [author, *fans]

    ideas.change_status(staff, idea, "under_review", "We are checking the routes.")
    db.session.commit()  # the sender drains right after this commit

    assert sorted(m["To"] for m in smtp.inbox.messages) == sorted(u.email for u in readers)
    message = smtp.inbox.to(author.email)[0]
    assert message["Subject"] == "Status changed: Deliver on Saturdays"
    text = body_of(message)
    assert "Deliver on Saturdays" in text and "We are checking the routes." in text
    assert f"/ideas/{idea.id}" in text
    assert message["List-Unsubscribe"] == f"<{unsubscribe_url(author)}>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert unsubscribe_url(author) in text
    rows = outbox()
    assert len(rows) == len(readers), "one row per e-mail; none for `off`, none for the actor"
    assert all(r.sent_at is not None and r.attempts == 1 and r.last_error is None for r in rows)

    # The mail server goes down: new mail is kept, not lost, and retried later.
    smtp.stop()
    ideas.change_status(staff, idea, "planned", "Planned for next quarter.")
    db.session.commit()
    pending = [r for r in outbox() if r.sent_at is None]
    assert len(pending) == len(readers)
    first_retry = {}
    for row in pending:
        assert row.attempts == 1 and row.failed_at is None
        assert row.last_error, "the failure is recorded"
        assert row.next_attempt_at > utcnow(), "the next attempt waits (back-off)"
        first_retry[row.id] = row.next_attempt_at
    assert drain(mail_app) == 0, "nothing is due yet"
    assert all(r.attempts == 1 for r in outbox() if r.sent_at is None)

    make_due(pending)
    assert drain(mail_app) == len(readers)
    for row in outbox():
        if row.id in first_retry:
            assert row.sent_at is None and row.attempts == 2 and row.last_error
            assert row.next_attempt_at - utcnow() > first_retry[row.id] - row.created_at, (
                "the back-off grows"
            )
    assert len(smtp.inbox.messages) == len(readers), "nothing arrived while the server was down"

    # The server is back: each waiting message arrives exactly once.
    smtp.start()
    make_due(pending)
    assert drain(mail_app) == len(readers)
    assert drain(mail_app) == 0
    rows = outbox()
    assert all(r.sent_at is not None and r.last_error is None for r in rows)
    assert [r.attempts for r in rows if r.id in first_retry] == [3] * len(readers)
    received = Counter((m["To"], m["Subject"]) for m in smtp.inbox.messages)
    assert received == {(u.email, "Status changed: Deliver on Saturdays"): 2 for u in readers}
    planned = [m for m in smtp.inbox.messages if "Planned for next quarter." in body_of(m)]
    assert sorted(m["To"] for m in planned) == sorted(u.email for u in readers)
    assert len({m["Message-ID"] for m in smtp.inbox.messages}) == len(smtp.inbox.messages)


@pytest.mark.parametrize(
    "title",
    ["Line one\nLine two", "Line one\r\nLine two", "Line one\u2028Line two",
     "Line one \u2029\n\t Line two", "  Line one\rLine two\n"],
    ids=["newline", "crlf", "line-separator", "mixed-run", "cr-and-edges"],
)  # fmt: skip
def test_a_title_with_line_breaks_still_gets_its_email_with_a_one_line_subject(
    mail_app, smtp, title
):
    make = Factory()
    staff = make.user(kind="staff")
    author = make.user(name="Ann Author")
    idea = make.idea(author=author, title=title)
    assert idea.title == title.strip(), "titles keep their line breaks"
    ideas.change_status(staff, idea, "under_review", "Looking.")
    db.session.commit()

    (message,) = smtp.inbox.to(author.email)
    assert message["Subject"] == "Status changed: Line one Line two"
    assert "Line two" in body_of(message)
    (row,) = outbox()
    assert row.sent_at is not None and row.attempts == 1 and row.last_error is None


def test_queued_subjects_are_one_line_and_bounded_even_from_old_rows(mail_app, smtp):
    """Rows queued before subjects were flattened are sent too; a long subject is cut."""
    make = Factory()
    reader = make.user(name="Rita Reader")
    db.session.add(
        OutboxMessage(
            kind="email",
            recipient="old@example.com",
            subject="Status changed: Old\nrow\u2028title",
            body="Queued.",
        )
    )
    notify_service.queue_email(reader, "Status changed: " + "long words " * 40, "Hello.")
    db.session.commit()
    drain(mail_app)
    assert [m["Subject"] for m in smtp.inbox.to("old@example.com")] == [
        "Status changed: Old row title"
    ]
    (long,) = smtp.inbox.to(reader.email)
    assert len(long["Subject"]) == 200 and long["Subject"].endswith("long wo…")
    assert all(r.sent_at is not None and r.attempts == 1 for r in outbox())


def test_unsubscribe_link_from_a_delivered_email(mail_app, smtp):
    make = Factory()
    staff = make.user(kind="staff")
    author = make.user(name="Ann Author")
    idea = make.idea(author=author)
    ideas.change_status(staff, idea, "under_review", "Looking.")
    db.session.commit()
    (message,) = smtp.inbox.to(author.email)
    link = message["List-Unsubscribe"].strip("<>")
    path = urlsplit(link).path
    assert path.startswith("/unsubscribe/")

    anonymous = mail_app.test_client()
    page = anonymous.get(path)
    assert page.status_code == 200
    assert 'method="post"' in page.get_data(as_text=True)
    refresh()
    assert db.session.get(type(author), author.id).email_preference == "instant"
    # What a mail client sends for List-Unsubscribe-Post (RFC 8058).
    response = anonymous.post(path, data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 204 and response.get_data() == b""
    refresh()
    assert db.session.get(type(author), author.id).email_preference == "off"

    ideas.change_status(staff, idea, "planned", "Planned.")
    db.session.commit()
    assert len(smtp.inbox.to(author.email)) == 1, "no more e-mail after unsubscribing"


@pytest.mark.timeout(60)  # a sender that waits on its own lock would hang here
def test_outbox_send_cli_delivers_and_counts(mail_app, smtp):
    make = Factory()
    staff = make.user(kind="staff")
    reader = make.user(name="Dee Daily")
    reader.email_preference = "daily"
    idea = make.idea(author=reader, title="Digest me please")
    # A queued e-mail nobody has sent yet (as if the web process died before sending it).
    db.session.add(
        OutboxMessage(
            kind="email",
            recipient="someone@example.com",
            subject="Hello from the outbox",
            body="Queued earlier.",
        )
    )
    db.session.commit()
    # A daily reader's news: nothing is sent at once (no e-mail is queued for `daily`).
    ideas.change_status(staff, idea, "under_review", "Looking.")
    db.session.commit()
    assert smtp.inbox.messages == []

    runner = mail_app.test_cli_runner()
    result = runner.invoke(args=["outbox", "send"])
    assert result.exit_code == 0, result.output
    # The queued e-mail, and the digest the same run queued and sent.
    assert re.search(r"\b2 delivery attempt", result.output), result.output
    assert sorted(m["To"] for m in smtp.inbox.messages) == sorted(
        ["someone@example.com", reader.email]
    )
    (digest,) = smtp.inbox.to(reader.email)
    assert "digest" in digest["Subject"].lower() and "Digest me please" in body_of(digest)
    assert digest["List-Unsubscribe"] == f"<{unsubscribe_url(reader)}>"
    assert all(r.sent_at is not None for r in outbox())

    again = runner.invoke(args=["outbox", "send"])
    assert again.exit_code == 0 and re.search(r"\b0 delivery attempt", again.output)
    assert len(smtp.inbox.messages) == 2, "nothing is sent twice"


# --- who hears about what ------------------------------------------------------------------


@pytest.fixture
def cast(make):
    """A customers-only idea, its author and a follower; a bystander; a supplier who may not
    see the idea but has a Follow row anyway (the rule must still keep them out)."""
    people = SimpleNamespace(
        staff=make.user(kind="staff", name="Stella Staff"),
        author=make.user(name="Ann Author"),
        follower=make.user(name="Finn Follower"),
        bystander=make.user(name="Bob Bystander"),
        outsider=make.user(kind="supplier", name="Sid Supplier"),
        moderator=make.user(role="moderator", name="Mo Moderator"),
    )
    people.bystander.email_preference = "off"
    category = make.category("customers")
    people.idea = make.idea(author=people.author, category=category, title="Faster refunds")
    ideas.set_following(people.follower, people.idea, True)
    ideas.set_following(people.staff, people.idea, True)
    db.session.add(Follow(idea_id=people.idea.id, user_id=people.outsider.id))
    db.session.commit()
    return people


def do_status_change(c):
    ideas.change_status(c.staff, c.idea, "under_review", "We are looking into it.")


def do_official_response(c):
    discussion.add_comment(c.staff, c.idea, "Refunds will take two days at most.", official=True)


def do_official_mark(c):
    comment = discussion.add_comment(c.staff, c.idea, "We have a plan for this.")
    db.session.commit()
    discussion.set_official(c.staff, comment, True)


def do_reply(c):
    parent = discussion.add_comment(c.follower, c.idea, "I need this for my shop.")
    db.session.commit()
    discussion.add_comment(c.author, c.idea, "Same here.", parent_id=parent.id)


def do_reply_to_a_reply(c):
    parent = discussion.add_comment(c.follower, c.idea, "I need this for my shop.")
    db.session.commit()
    child = discussion.add_comment(c.author, c.idea, "Same here.", parent_id=parent.id)
    db.session.commit()
    # Replies stay one level deep: a reply to a reply answers the thread's first comment.
    discussion.add_comment(c.follower, c.idea, "Thanks!", parent_id=child.id)


def do_mention(c):
    discussion.add_comment(
        c.author, c.idea, f"@{c.bystander.handle} and @{c.outsider.handle}, what do you think?"
    )


def do_mention_by_edit(c):
    comment = discussion.add_comment(c.author, c.idea, "What do you think?")
    db.session.commit()
    discussion.edit_comment(c.author, comment, f"What do you think, @{c.bystander.handle}?")
    db.session.commit()
    discussion.edit_comment(c.author, comment, f"What do you think now, @{c.bystander.handle}?")


def do_hide_comment(c):
    comment = discussion.add_comment(c.follower, c.idea, "Buy cheap watches at example.com")
    db.session.commit()
    moderation.act(c.moderator, "hide", "comment", comment.id, "Spam link.")


def do_lock_idea(c):
    moderation.act(c.moderator, "lock", "idea", c.idea.id, "The discussion went in circles.")


def do_dismiss(c):
    comment = discussion.add_comment(c.follower, c.idea, "Honest criticism: refunds are slow.")
    db.session.commit()
    moderation.act(c.moderator, "dismiss", "comment", comment.id, "Negative is not abusive.")


def do_plain_comment(c):
    discussion.add_comment(c.staff, c.idea, "Thanks, noted.")
    discussion.add_comment(c.bystander, c.idea, "I agree.")


# (action, who is told and with which event). Written out by hand from SPEC section 7.
EVENT_CASES = [
    (do_status_change, {"author": "status_changed", "follower": "status_changed"}),
    (do_official_response, {"author": "official_response", "follower": "official_response"}),
    (do_official_mark, {"author": "official_response", "follower": "official_response"}),
    (do_reply, {"follower": "reply"}),
    (do_mention, {"bystander": "mention"}),
    (do_mention_by_edit, {"bystander": "mention"}),
    (do_hide_comment, {"follower": "moderated"}),
    (do_lock_idea, {"author": "moderated"}),
    (do_dismiss, {}),
    (do_plain_comment, {}),
]
SUBJECT_PREFIX = {
    "status_changed": "Status changed: ",
    "official_response": "Official response: ",
    "reply": "New reply on: ",
    "mention": "You were mentioned on: ",
    "moderated": "A moderator acted on your post: ",
}


@pytest.mark.parametrize("action, expected", EVENT_CASES, ids=[a.__name__ for a, _ in EVENT_CASES])
def test_each_event_tells_the_right_people_only(cast, action, expected):
    before = last_notification_id()
    emails_before = len(outbox())
    action(cast)
    db.session.commit()

    names = {getattr(cast, name).id: name for name in vars(cast) if name != "idea"}
    made = notifications_since(before)
    assert sorted((names[n.user_id], n.event) for n in made) == sorted(expected.items())
    for note in made:
        assert (note.idea_id, note.title) == (cast.idea.id, "Faster refunds")
        assert note.read_at is None
    # E-mail: one per notification for `instant` readers; none for the `off` bystander.
    new_mail = outbox()[emails_before:]
    instant = [n for n in made if names[n.user_id] != "bystander"]
    assert sorted(m.recipient for m in new_mail) == sorted(
        getattr(cast, names[n.user_id]).email for n in instant
    )
    for mail in new_mail:
        note = next(n for n in instant if getattr(cast, names[n.user_id]).email == mail.recipient)
        assert mail.subject == SUBJECT_PREFIX[note.event] + "Faster refunds"
        assert json.loads(mail.headers)["List-Unsubscribe"].startswith("<http")


def test_a_reply_to_a_reply_tells_the_person_replied_to(cast):
    before = last_notification_id()
    do_reply_to_a_reply(cast)
    db.session.commit()
    told = sorted((n.user_id, n.event) for n in notifications_since(before))
    assert told == sorted([(cast.follower.id, "reply"), (cast.author.id, "reply")])


def test_hidden_idea_followers_are_not_told_but_its_author_is(cast, make):
    moderation.act(cast.moderator, "hide", "idea", cast.idea.id, "Off topic.")
    db.session.commit()
    before = last_notification_id()
    # Staff who are not moderators may not read a hidden idea, so do not answer it.
    with pytest.raises(Conflict):
        ideas.change_status(cast.staff, cast.idea, "declined", "Not for us.")
    db.session.rollback()
    staff_moderator = make.user(kind="staff", role="moderator")
    ideas.change_status(staff_moderator, cast.idea, "declined", "Not for us.")
    db.session.commit()
    told = {n.user_id for n in notifications_since(before)}
    assert told == {cast.author.id}, "the author may still see their hidden idea"


# --- the notification centre: API and pages --------------------------------------------------


@pytest.fixture
def inbox_of_three(cast):
    """Three notifications for the follower: a status change, an official response, a reply."""
    do_status_change(cast)
    db.session.commit()
    do_official_response(cast)
    db.session.commit()
    do_reply(cast)
    db.session.commit()
    notes = list(
        db.session.scalars(
            select(Notification)
            .where(Notification.user_id == cast.follower.id)
            .order_by(Notification.id)
        )
    )
    assert [n.event for n in notes] == ["status_changed", "official_response", "reply"]
    return notes


def test_notifications_api(client, cast, inbox_of_three, token_for):
    headers = token_for(cast.follower)
    body = client.get(f"{API}/notifications", headers=headers).get_json()
    assert {"items", "unread", "page", "per_page", "total"} <= set(body)
    assert (body["unread"], body["total"]) == (3, 3)
    assert [n["event"] for n in body["items"]] == ["reply", "official_response", "status_changed"]
    for note in body["items"]:
        assert set(note) >= NOTIFICATION_FIELDS, note
        assert note["idea_id"] == cast.idea.id and note["title"] == "Faster refunds"
        # A notification about a comment leads to the comment itself.
        anchor = r"#comment-\d+" if note["event"] != "status_changed" else ""
        assert re.search(rf"/ideas/{cast.idea.id}{anchor}$", note["url"]), note
        assert note["read"] is False and TIMESTAMP.match(note["created_at"])
    assert (
        client.get(f"{API}/notifications?per_page=1", headers=headers).get_json()["items"][0][
            "event"
        ]
        == "reply"
    )

    # Some read: by id. An id of someone else's notification changes nothing of theirs.
    others = token_for(cast.author)
    other_ids = [
        n["id"] for n in client.get(f"{API}/notifications", headers=others).get_json()["items"]
    ]
    first = inbox_of_three[0].id
    response = client.post(
        f"{API}/notifications/read", json={"ids": [first, *other_ids]}, headers=headers
    )
    assert response.status_code == 200 and response.get_json() == {"unread": 2}
    items = client.get(f"{API}/notifications", headers=headers).get_json()["items"]
    assert {n["id"]: n["read"] for n in items}[first] is True
    assert sum(not n["read"] for n in items) == 2
    theirs = client.get(f"{API}/notifications", headers=others).get_json()
    assert theirs["unread"] == len(other_ids) > 0

    # All read: without ids (no body at all, or an empty object).
    response = client.post(f"{API}/notifications/read", headers=headers)
    assert response.status_code == 200 and response.get_json() == {"unread": 0}
    assert client.get(f"{API}/notifications", headers=headers).get_json()["unread"] == 0
    response = client.post(f"{API}/notifications/read", json={}, headers=others)
    assert response.get_json() == {"unread": 0}


@pytest.mark.parametrize("ids", [None, "1", [True], ["1"], {"id": 1}, [1.5], [None]])
def test_marking_read_with_bad_ids_is_a_422(client, cast, inbox_of_three, token_for, ids):
    """`ids` may be left out (all read); null is not "left out", it is a bad list."""
    headers = token_for(cast.follower)
    response = client.post(f"{API}/notifications/read", json={"ids": ids}, headers=headers)
    assert response.status_code == 422, response.get_data(as_text=True)
    error = response.get_json()["error"]
    assert error["code"] == "validation" and error["fields"]["ids"]
    assert client.get(f"{API}/notifications", headers=headers).get_json()["unread"] == 3


def test_notifications_api_needs_a_token(client):
    assert client.get(f"{API}/notifications").status_code == 401
    assert client.post(f"{API}/notifications/read", json={}).status_code == 401


def badge(html: str) -> str | None:
    found = re.search(r'class="badge count-badge"[^>]*>(\d+)<', html)
    return found.group(1) if found else None


def test_notification_page_and_unread_badge(app, cast, inbox_of_three):
    page = client_as(app, cast.follower)
    assert badge(page.get("/ideas").get_data(as_text=True)) == "3"
    html = page.get("/notifications").get_data(as_text=True)
    assert html.count("Faster refunds") >= 3
    assert html.count('class="notification unread"') == 3
    for label in ("Status changed", "Official response", "Reply"):
        assert label in html

    response = page.post("/notifications/read", data={"id": str(inbox_of_three[0].id)})
    assert response.status_code == 302
    html = page.get("/notifications").get_data(as_text=True)
    assert badge(html) == "2" and html.count('class="notification unread"') == 2
    page.post("/notifications/read", data={})
    html = page.get("/").get_data(as_text=True)
    assert badge(html) is None, "no badge when everything is read"
    # Someone else's badge counts their own notifications only.
    assert badge(client_as(app, cast.bystander).get("/").get_data(as_text=True)) is None


def test_notification_page_needs_sign_in(client):
    response = client.get("/notifications")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


# --- unsubscribe -----------------------------------------------------------------------------


def unsubscribe_path_from_outbox(user) -> str:
    mails = [m for m in outbox() if m.recipient == user.email]
    assert mails, "an e-mail was queued"
    link = json.loads(mails[-1].headers)["List-Unsubscribe"].strip("<>")
    assert link in mails[-1].body, "the same link is in the body"
    return urlsplit(link).path


def preference(user) -> str:
    refresh()
    return db.session.get(type(user), user.id).email_preference


def test_unsubscribe_works_without_signing_in(app, cast):
    do_status_change(cast)
    db.session.commit()
    path = unsubscribe_path_from_outbox(cast.follower)
    anonymous = app.test_client()

    page = anonymous.get(path)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'method="post"' in html and "<button" in html
    assert preference(cast.follower) == "instant", "GET changes nothing"

    done = anonymous.post(path)
    assert done.status_code == 200 and "no more e-mail" in done.get_data(as_text=True)
    assert preference(cast.follower) == "off"
    assert preference(cast.author) == "instant", "only the token's own user"


def test_one_click_unsubscribe_answers_204(app, cast):
    do_status_change(cast)
    db.session.commit()
    path = unsubscribe_path_from_outbox(cast.author)
    # Signed in as somebody else: the token decides whose e-mail stops, not the session.
    somebody = client_as(app, cast.follower)
    response = somebody.post(path, data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 204
    assert preference(cast.author) == "off"
    assert preference(cast.follower) == "instant"


def _forged_tokens(app, victim, other):
    good = unsubscribe_token(victim)
    payload, _, signature = good.rpartition(".")
    other_payload = unsubscribe_token(other).rpartition(".")[0]
    # A middle character: the last one of a base64 text may carry only padding bits.
    middle = len(signature) // 2
    flipped = (
        signature[:middle] + ("A" if signature[middle] != "A" else "B") + signature[middle + 1 :]
    )
    wrong_key = URLSafeSerializer("not-the-secret-key", salt=SALT)
    right_key = URLSafeSerializer(app.config["SECRET_KEY"], salt=SALT)
    return {
        "altered signature": f"{payload}.{flipped}",
        "another user's payload, this signature": f"{other_payload}.{signature}",
        "signed with another key": wrong_key.dumps({"u": victim.id, "e": victim.email}),
        "another salt": URLSafeSerializer(app.config["SECRET_KEY"], salt="other").dumps(
            {"u": victim.id, "e": victim.email}
        ),
        "no user": right_key.dumps({"u": 999_999, "e": victim.email}),
        "user id of the wrong type": right_key.dumps({"u": str(victim.id), "e": victim.email}),
        "another user's e-mail": right_key.dumps({"u": victim.id, "e": other.email}),
        "garbage": "not-a-token",
        "truncated": good[:-5],
    }


FORGERIES = [
    "altered signature",
    "another user's payload, this signature",
    "signed with another key",
    "another salt",
    "no user",
    "user id of the wrong type",
    "another user's e-mail",
    "garbage",
    "truncated",
]


@pytest.mark.parametrize("forgery", FORGERIES)
def test_forged_or_altered_unsubscribe_tokens_answer_404(app, cast, forgery):
    token = _forged_tokens(app, cast.follower, cast.author)[forgery]
    anonymous = app.test_client()
    assert anonymous.get(f"/unsubscribe/{token}").status_code == 404
    assert anonymous.post(f"/unsubscribe/{token}").status_code == 404
    one_click = anonymous.post(f"/unsubscribe/{token}", data={"List-Unsubscribe": "One-Click"})
    assert one_click.status_code == 404
    assert preference(cast.follower) == "instant"
    assert preference(cast.author) == "instant"


def test_unsubscribe_link_dies_when_the_address_changes(app, cast):
    path = f"/unsubscribe/{unsubscribe_token(cast.follower)}"
    assert app.test_client().get(path).status_code == 200
    db.session.get(type(cast.follower), cast.follower.id).email = "new-address@example.com"
    db.session.commit()
    assert app.test_client().post(path).status_code == 404
    assert preference(cast.follower) == "instant"


# --- webhooks ----------------------------------------------------------------------------------


class Receiver:
    """A webhook receiver on loopback; with `fail_first`, it answers 500 to a delivery it has
    not seen before and 200 to its retry."""

    def __init__(self, bind=("127.0.0.1", 0)):
        self.calls: list[SimpleNamespace] = []
        self.fail_first = False
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                delivery = self.headers.get("X-Portal-Delivery")
                with receiver._lock:
                    seen = any(c.delivery == delivery for c in receiver.calls)
                    status = 500 if receiver.fail_first and not seen else 200
                    receiver.calls.append(
                        SimpleNamespace(
                            headers=dict(self.headers),
                            body=body,
                            status=status,
                            delivery=delivery,
                            path=self.path,
                        )
                    )
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *_args):
                pass

        self.server = ThreadingHTTPServer(bind, Handler)
        self.url = f"http://{bind[0]}:{self.server.server_address[1]}/hooks/portal"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def events(self) -> list[str]:
        return [json.loads(c.body)["event"] for c in self.calls]

    def accepted(self) -> list[SimpleNamespace]:
        return [c for c in self.calls if c.status == 200]


@pytest.fixture
def receiver():
    server = Receiver()
    yield server
    server.close()


@pytest.fixture
def hook(app, receiver, monkeypatch):
    monkeypatch.setitem(app.config, "WEBHOOK_ALLOW_PRIVATE", True)
    webhook = Webhook(url=receiver.url, secret=SECRET, events=",".join(WEBHOOK_EVENTS))
    db.session.add(webhook)
    db.session.commit()
    return webhook


def verify(call, secret: str = SECRET) -> bool:
    expected = "sha256=" + hmac.new(secret.encode(), call.body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(call.headers.get("X-Portal-Signature", ""), expected)


def test_webhooks_are_signed_json_for_each_event(make, receiver, hook):
    staff = make.user(kind="staff")
    author = make.user(name="Ann Author")
    idea = make.idea(author=author, category=make.category("public"), title="Open on Sundays")
    ideas.change_status(staff, idea, "under_review", "Checking.")
    db.session.commit()
    comment = discussion.add_comment(author, idea, "Even a few hours would help.")
    db.session.commit()
    item = tracking.promote(staff, [idea.id], title="Sunday opening hours")
    db.session.commit()
    tracking.update_item(staff, item, status="in_progress")
    db.session.commit()
    tracking.update_item(staff, item, status="shipped")
    db.session.commit()

    assert receiver.events() == [
        "idea.created",
        "idea.status_changed",
        "comment.created",
        "idea.status_changed",
        "item.status_changed",
        "idea.status_changed",
        "item.status_changed",
        "idea.status_changed",
        "item.status_changed",
    ]
    for call in receiver.calls:
        assert call.path == "/hooks/portal"
        assert call.headers["Content-Type"] == "application/json"
        assert verify(call), "X-Portal-Signature is the HMAC-SHA256 of the body"
        assert not verify(call, "another-secret")
        body = json.loads(call.body)
        assert set(body) == {"event", "data"}
        assert call.headers["X-Portal-Event"] == body["event"]
    bodies = [json.loads(c.body)["data"] for c in receiver.calls]
    assert bodies[0]["idea"]["id"] == idea.id and bodies[0]["idea"]["title"] == "Open on Sundays"
    assert bodies[0]["idea"]["url"].endswith(f"/ideas/{idea.id}")
    assert bodies[1]["idea"]["status"] == "under_review"
    assert bodies[2]["comment"]["id"] == comment.id
    assert bodies[2]["comment"]["body"] == "Even a few hours would help."
    assert bodies[3]["idea"]["status"] == "planned"
    assert bodies[4]["item"] == {
        **bodies[4]["item"],
        "id": item.id,
        "status": "planned",
        "from": None,
        "title": "Sunday opening hours",
    }
    assert bodies[5]["idea"]["status"] == "in_progress"
    assert bodies[6]["item"]["status"] == "in_progress" and bodies[6]["item"]["from"] == "planned"
    assert bodies[7]["idea"]["status"] == "done", "receivers learn that the idea is done"
    assert (bodies[8]["item"]["status"], bodies[8]["item"]["from"]) == ("shipped", "in_progress")
    assert len({c.delivery for c in receiver.calls}) == len(receiver.calls), (
        "each message has its own delivery id"
    )
    assert all(r.sent_at is not None and r.last_status == 200 for r in outbox("webhook"))


def test_webhook_subscriptions_and_inactive_hooks(make, receiver, hook):
    hook.events = "comment.created"
    db.session.add(
        Webhook(url=receiver.url, secret="x", events=",".join(WEBHOOK_EVENTS), active=False)
    )
    db.session.commit()
    author = make.user()
    idea = make.idea(author=author, category=make.category("public"))
    discussion.add_comment(author, idea, "A comment.")
    db.session.commit()
    assert receiver.events() == ["comment.created"]


def _confidential_idea(make):
    supplier = make.user(kind="supplier")
    return supplier, make.idea(
        author=supplier,
        category=make.category("public"),
        title="Secret supplier thing",
        confidential=True,
    )


def _audience_idea(audience):
    def build(make):
        kind = "supplier" if audience == "suppliers" else "customer"
        author = make.user(kind=kind)
        return author, make.idea(
            author=author, category=make.category(audience), title=f"Only for {audience} here"
        )

    return build


@pytest.mark.parametrize(
    "build",
    [_confidential_idea, _audience_idea("customers"), _audience_idea("suppliers")],
    ids=["confidential", "customers", "suppliers"],
)
def test_webhooks_carry_nothing_an_anonymous_visitor_may_not_see(make, receiver, hook, build):
    staff = make.user(kind="staff")
    author, idea = build(make)
    ideas.change_status(staff, idea, "under_review", "Checking.")
    discussion.add_comment(author, idea, "More details.")
    db.session.commit()
    item = tracking.promote(staff, [idea.id])
    db.session.commit()
    tracking.update_item(staff, item, status="in_progress")
    db.session.commit()
    assert receiver.calls == [], [c.body for c in receiver.calls]
    assert outbox("webhook") == []


def test_mixed_item_sends_the_public_idea_but_not_the_item(make, receiver, hook):
    staff = make.user(kind="staff")
    public = make.idea(category=make.category("public"), title="Public pallet labels")
    _supplier, secret = _confidential_idea(make)
    item = tracking.promote(staff, [secret.id, public.id], title="Joint label project")
    db.session.commit()
    tracking.update_item(staff, item, status="in_progress")
    tracking.update_item(staff, item, status="shipped")
    db.session.commit()
    assert receiver.events() == ["idea.created"] + ["idea.status_changed"] * 3
    statuses = [json.loads(c.body)["data"]["idea"]["status"] for c in receiver.calls[1:]]
    assert statuses == ["planned", "in_progress", "done"]
    for call in receiver.calls:
        data = json.loads(call.body)["data"]
        assert data["idea"]["id"] == public.id
        for leaked in (b"Secret supplier thing", b"Joint label project", b"/items/"):
            assert leaked not in call.body


def test_hidden_idea_sends_no_status_webhook(make, receiver, hook):
    staff = make.user(kind="staff", role="moderator")
    moderator = make.user(role="moderator")
    idea = make.idea(category=make.category("public"))
    moderation.act(moderator, "hide", "idea", idea.id, "Off topic.")
    ideas.change_status(staff, idea, "declined", "No.")
    db.session.commit()
    assert receiver.events() == ["idea.created"]


def test_webhook_retries_until_the_receiver_accepts_each_message_once(app, make, receiver, hook):
    receiver.fail_first = True
    first = make.idea(category=make.category("public"), title="First hooked idea")
    second = make.idea(category=make.category("public"), title="Second hooked idea")
    assert [c.status for c in receiver.calls] == [500, 500]
    rows = outbox("webhook")
    assert len(rows) == 2
    for row in rows:
        assert row.sent_at is None and row.attempts == 1 and row.last_status == 500
        assert "500" in row.last_error and row.next_attempt_at > utcnow()
    assert drain(app) == 0 and len(receiver.calls) == 2, "the retry waits for its time"

    make_due(rows)
    assert drain(app) == 2
    assert drain(app) == 0
    assert [c.status for c in receiver.calls] == [500, 500, 200, 200]
    by_delivery = defaultdict(list)
    for call in receiver.calls:
        by_delivery[call.delivery].append(call)
    assert sorted(by_delivery) == sorted(str(r.id) for r in rows)
    for calls in by_delivery.values():
        # The same message, sent again: same id, body and signature; accepted once.
        assert [c.status for c in calls] == [500, 200]
        assert calls[0].body == calls[1].body and verify(calls[1])
        assert calls[0].headers["X-Portal-Signature"] == calls[1].headers["X-Portal-Signature"]
    titles = sorted(json.loads(c.body)["data"]["idea"]["title"] for c in receiver.accepted())
    assert titles == sorted([first.title, second.title])
    rows = outbox("webhook")
    assert all(r.sent_at is not None and r.attempts == 2 and r.last_status == 200 for r in rows)


def test_webhook_to_a_receiver_that_is_down_is_kept(app, make, hook):
    dead = f"http://127.0.0.1:{free_port()}/hook"
    hook.url = dead
    db.session.commit()
    make.idea(category=make.category("public"))
    (row,) = outbox("webhook")
    assert row.sent_at is None and row.failed_at is None and row.attempts == 1
    assert row.last_error and row.next_attempt_at > utcnow()


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/hook",
        "http://localhost/hook",
        "http://[::1]/hook",
        "http://10.1.2.3/hook",
        "http://172.16.0.1/hook",
        "http://192.168.1.10/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://0.0.0.0/hook",
    ],
)
def test_private_webhook_addresses_are_refused_unless_allowed(app, monkeypatch, url):
    monkeypatch.setitem(app.config, "WEBHOOK_ALLOW_PRIVATE", False)
    assert url_refusal(url)
    monkeypatch.setitem(app.config, "WEBHOOK_ALLOW_PRIVATE", True)
    assert url_refusal(url) is None


@pytest.mark.parametrize("allow", [False, True])
def test_webhook_url_must_be_http(app, monkeypatch, allow):
    monkeypatch.setitem(app.config, "WEBHOOK_ALLOW_PRIVATE", allow)
    for url in ("ftp://example.com/hook", "file:///etc/passwd", "javascript:alert(1)", "http://"):
        assert url_refusal(url), url
    assert url_refusal("https://93.184.216.34/hook") is None, "a public address is fine"


def test_loopback_receiver_is_not_called_when_private_addresses_are_refused(
    app, make, receiver, hook, monkeypatch
):
    monkeypatch.setitem(app.config, "WEBHOOK_ALLOW_PRIVATE", False)
    make.idea(category=make.category("public"))
    assert receiver.calls == []
    (row,) = outbox("webhook")
    assert row.sent_at is None and "not allowed" in row.last_error


class Redirector:
    """A loopback server that answers every request with `status` and a Location header."""

    def __init__(self, status: int, location: str):
        self.calls: list[str] = []
        redirector = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self):
                redirector.calls.append(self.command)
                self.send_response(status)
                self.send_header("Location", location)
                self.send_header("Content-Length", "0")
                self.end_headers()

            do_GET = do_POST = do_PUT = _answer  # noqa: N815 (http.server's names)

            def log_message(self, *_args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_redirects_are_failed_deliveries_never_followed(app, make, hook, status):
    elsewhere = Redirector(200, "/")  # where the redirect points: it must never be reached
    redirector = Redirector(status, elsewhere.url)
    try:
        hook.url = redirector.url
        db.session.commit()
        make.idea(category=make.category("public"))
        (row,) = outbox("webhook")
        assert redirector.calls == ["POST"]
        assert row.sent_at is None and row.attempts == 1 and row.last_status == status
        assert "redirects are not followed" in row.last_error
        assert row.next_attempt_at > utcnow() and row.failed_at is None, "retried later"
        make_due([row])
        assert drain(app) == 1
        (row,) = outbox("webhook")
        assert row.attempts == 2 and row.sent_at is None and row.last_status == status
        assert redirector.calls == ["POST", "POST"]
        assert elsewhere.calls == []
    finally:
        redirector.close()
        elsewhere.close()


def _second_loopback_receiver(port: int) -> Receiver:
    """A receiver on 127.0.0.2 at the same port as another on 127.0.0.1 (Linux routes the
    whole of 127/8 to loopback)."""
    try:
        return Receiver(bind=("127.0.0.2", port))
    except OSError as error:
        pytest.skip(f"no second loopback address here: {error}")


def test_each_delivery_resolves_once_and_connects_to_that_address(
    app, make, receiver, hook, monkeypatch
):
    """DNS rebinding: the address checked is the address connected to; a second look-up that
    could answer otherwise never happens. (Private addresses are allowed by `hook` here, so
    both answers can be local receivers; the pinning does not depend on that setting.)"""
    port = receiver.server.server_address[1]
    other = _second_loopback_receiver(port)
    answers = iter([["127.0.0.1"], ["127.0.0.2"], ["127.0.0.2"], ["127.0.0.2"]])
    looked_up = []

    def resolve(host):
        looked_up.append(host)
        return next(answers)

    monkeypatch.setattr(webhook_http, "resolve", resolve)
    try:
        hook.url = f"http://hooks.example.test:{port}/hooks/portal"
        db.session.commit()
        make.idea(category=make.category("public"))
        assert looked_up == ["hooks.example.test"], "one look-up for one delivery"
        assert len(receiver.calls) == 1 and other.calls == []
        # The receiver was reached at the checked address, by its name.
        assert receiver.calls[0].headers["Host"] == f"hooks.example.test:{port}"
        assert verify(receiver.calls[0]) and receiver.calls[0].delivery

        # The next delivery looks the name up again (once), and goes where that answer says.
        make.idea(category=make.category("public"))
        assert looked_up == ["hooks.example.test"] * 2
        assert len(receiver.calls) == 1 and len(other.calls) == 1
        assert all(r.sent_at is not None and r.attempts == 1 for r in outbox("webhook"))
    finally:
        other.close()


def test_a_name_that_turns_private_after_registration_is_refused_at_delivery(
    app, make, receiver, hook, monkeypatch
):
    monkeypatch.setitem(app.config, "WEBHOOK_ALLOW_PRIVATE", False)
    port = receiver.server.server_address[1]
    answers = {"hooks.example.test": ["93.184.216.34"]}
    monkeypatch.setattr(webhook_http, "resolve", lambda host: answers[host])
    url = f"http://hooks.example.test:{port}/hooks/portal"
    assert url_refusal(url) is None, "public when registered"
    hook.url = url
    db.session.commit()

    answers["hooks.example.test"] = ["127.0.0.1"]  # rebound to loopback
    make.idea(category=make.category("public"))
    answers["hooks.example.test"] = ["93.184.216.34", "127.0.0.1"]  # one bad answer is enough
    make.idea(category=make.category("public"))
    assert receiver.calls == []
    rows = outbox("webhook")
    assert len(rows) == 2
    for row in rows:
        assert row.sent_at is None and row.attempts == 1 and row.next_attempt_at > utcnow()
        assert "hooks.example.test is at 127.0.0.1, not a public address" in row.last_error


def test_https_deliveries_name_the_host_to_the_pinned_address(app, make, hook, monkeypatch):
    """TLS goes to the checked address, with the host name as SNI (and so for the certificate
    check): this server has no certificate, so the handshake fails after the name is seen."""
    seen = []
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.sni_callback = lambda _sock, name, _ctx: seen.append(name)
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]

    def serve_one():
        connection, _address = listener.accept()
        with connection, contextlib.suppress(ssl.SSLError, OSError):
            context.wrap_socket(connection, server_side=True)

    thread = threading.Thread(target=serve_one, daemon=True)
    thread.start()
    monkeypatch.setattr(webhook_http, "resolve", lambda host: ["127.0.0.1"])
    try:
        hook.url = f"https://hooks.example.test:{port}/hooks/portal"
        db.session.commit()
        make.idea(category=make.category("public"))
        thread.join(timeout=10)
        assert seen == ["hooks.example.test"]
        (row,) = outbox("webhook")
        assert row.sent_at is None and row.attempts == 1 and row.last_error
    finally:
        listener.close()


# --- one notification per person per event --------------------------------------------------


def test_a_reply_that_mentions_you_is_one_notification(make):
    author, replier = make.user(name="Ana Author"), make.user(name="Ray Replier")
    idea = make.idea(author=make.user())
    first = discussion.add_comment(author, idea, "A first thought")
    db.session.commit()
    before = last_notification_id()
    discussion.add_comment(replier, idea, f"Agreed, @{author.handle}.", parent_id=first.id)
    db.session.commit()
    mine = [n for n in notifications_since(before) if n.user_id == author.id]
    assert [n.event for n in mine] == ["reply"]


def test_an_official_answer_that_mentions_the_author_is_one_notification(make):
    author, staff = make.user(name="Ana Author"), make.user("staff", name="Stan Staff")
    idea = make.idea(author=author)  # the author follows their idea
    db.session.commit()
    before = last_notification_id()
    discussion.add_comment(staff, idea, f"Thanks @{author.handle}: planned.", official=True)
    db.session.commit()
    mine = [n for n in notifications_since(before) if n.user_id == author.id]
    assert [n.event for n in mine] == ["official_response"]


def test_an_item_step_tells_each_follower_once_with_the_shipped_note(make):
    staff, fan = make.user("staff", name="Stan Staff"), make.user(name="Fay Follower")
    category = make.category("public")
    first, second = make.idea(category=category), make.idea(category=category)
    for idea in (first, second):
        ideas.set_following(fan, idea, True)
    db.session.commit()
    before = last_notification_id()
    item = tracking.promote(staff, [first.id, second.id])
    tracking.update_item(staff, item, status="in_progress")
    tracking.update_item(staff, item, status="shipped", note="Out in firmware 5.2 today.")
    db.session.commit()
    theirs = [n for n in notifications_since(before) if n.user_id == fan.id]
    assert [n.event for n in theirs] == ["status_changed", "status_changed", "item_shipped"]
    assert "Out in firmware 5.2 today." in theirs[-1].message


def test_notifications_read_as_text_and_lead_to_the_comment(app, make, token_for):
    author, replier = make.user(name="Ana Author"), make.user(name="Ray Replier")
    idea = make.idea(author=make.user())
    first = discussion.add_comment(author, idea, "A first thought")
    db.session.commit()
    before = last_notification_id()
    reply = discussion.add_comment(
        replier, idea, "**Agreed**: see [the manual](https://example.com/m) and `F2`.",
        parent_id=first.id,
    )  # fmt: skip
    db.session.commit()
    (note,) = [n for n in notifications_since(before) if n.user_id == author.id]
    assert note.message == "Ray Replier replied:\n\nAgreed: see the manual and F2."
    body = app.test_client().get(f"{API}/notifications", headers=token_for(author)).get_json()
    assert body["items"][0]["url"].endswith(f"/ideas/{idea.id}#comment-{reply.id}")
    mail = [m for m in outbox() if m.recipient == author.email][-1]
    assert f"/ideas/{idea.id}#comment-{reply.id}" in mail.body and "**" not in mail.body


def test_opening_a_notification_marks_it_read_and_each_can_be_marked_alone(
    app, cast, inbox_of_three
):
    page = client_as(app, cast.follower)
    html = page.get("/notifications").get_data(as_text=True)
    first, second, third = inbox_of_three
    assert html.count('class="link-button mark-read"') == 3
    response = page.post(f"/notifications/{third.id}/open")
    assert response.status_code == 302
    assert response.headers["Location"].startswith(f"/ideas/{third.idea_id}")
    refresh()
    assert db.session.get(Notification, third.id).read_at is not None
    assert db.session.get(Notification, first.id).read_at is None
    page.post("/notifications/read", data={"id": str(second.id)})
    refresh()
    assert [db.session.get(Notification, n.id).read_at is None for n in inbox_of_three] == [
        True, False, False]  # fmt: skip
    # Someone else's notification does not open.
    assert client_as(app, cast.author).post(f"/notifications/{first.id}/open").status_code == 404
