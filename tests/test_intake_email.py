"""The e-mail channel end to end (SPEC 12): an MTA's pipe, a real IMAP mailbox, and replies
to notification e-mails that become comments."""

import json
import re
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.ideas import discussion
from portal.ideas.models import Comment
from portal.intake.models import IntakeMessage
from portal.intake.poller import poll_once
from portal.notify.models import OutboxMessage
from tests.conftest import make_test_app

REPLY_ADDRESS = "reply@portal.example.com"


def mail(sender="Jane Doe <jane@example.com>", to="feedback@portal.example.com",
         subject="The export is slow", body="Exporting 10,000 rows takes minutes.",
         message_id=None, **headers) -> bytes:  # fmt: skip
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = message_id or make_msgid(domain="example.com")
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(body)
    return message.as_bytes()


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def billing(make):
    team = make.team("Billing")
    return make.category(slug="billing", team=team)


def test_a_piped_mail_becomes_one_routed_message(runner, billing):
    raw = mail(to="Feedback <feedback+billing@portal.example.com>",
               body="The invoice is wrong.\n\nOn Mon, Jane wrote:\n> old text\n> more")  # fmt: skip
    result = runner.invoke(args=["intake", "mail"], input=raw)
    assert result.exit_code == 0, result.output
    assert "intake message" in result.output
    message = db.session.scalar(select(IntakeMessage))
    assert message.source == "email" and message.sender_email == "jane@example.com"
    assert message.sender_name == "Jane Doe" and message.team.name == "Billing"
    assert message.body == "The invoice is wrong."  # the quoted reply is cut
    again = runner.invoke(args=["intake", "mail"], input=raw)
    assert "already received" in again.output
    assert count(IntakeMessage) == 1


def test_category_option_and_auto_replies_are_not_taken(runner, billing):
    result = runner.invoke(args=["intake", "mail", "--category", "billing"], input=mail())
    assert result.exit_code == 0
    assert db.session.scalar(select(IntakeMessage)).category.slug == "billing"
    auto = mail(subject="Out of office", Auto_Submitted="auto-replied")
    ignored = runner.invoke(args=["intake", "mail"], input=auto)
    assert "ignored" in ignored.output and count(IntakeMessage) == 1


def test_mail_from_an_account_is_matched_to_it(runner, make):
    user = make.user(email="jane@example.com")
    runner.invoke(args=["intake", "mail"], input=mail(sender="JANE@Example.com"))
    assert db.session.scalar(select(IntakeMessage)).user_id == user.id


def test_garbage_on_standard_input_is_ignored_not_a_crash(runner):
    result = runner.invoke(args=["intake", "mail"], input=b"\x00\x01 not a mail")
    assert result.exit_code == 0 and "ignored" in result.output
    assert count(IntakeMessage) == 0


# -- a real IMAP mailbox ---------------------------------------------------------------------


@pytest.fixture
def mailbox(imap_server):
    """The real dovecot's mailbox, emptied for this test."""
    imap_server.clear()
    return imap_server


def test_mail_appended_to_imap_becomes_a_message_within_one_poll(app, make, mailbox):
    team = make.team("Exports")
    make.category(slug="exports", team=team)
    from portal.routing import service as routing

    admin = make.user(kind="staff", role="admin")
    routing.create_rule(admin, {"name": "Exports", "conditions": {"words": ["export"]},
                                "team_id": team.id})  # fmt: skip
    db.session.commit()
    raw = mail()
    mailbox.append(raw)
    mailbox.append(raw)  # the same Message-ID twice
    result = poll_once(mailbox.url)
    assert result.polled and len(result.outcomes) == 2
    messages = db.session.scalars(select(IntakeMessage)).all()
    assert len(messages) == 1 and messages[0].team.name == "Exports"
    assert messages[0].status == "open"
    assert poll_once(mailbox.url).outcomes == []  # seen now


def test_one_poller_at_a_time(app, make, mailbox, database_url):
    mailbox.append(mail())
    from portal.intake.poller import _claim

    assert _claim("another-host:1")
    assert poll_once(mailbox.url).polled is False
    assert count(IntakeMessage) == 0


def test_the_web_processes_poll_by_themselves_when_configured(make, mailbox, database_url):
    other = make_test_app(database_url, INTAKE_IMAP_URL=mailbox.url)
    assert "intake_imap_worker" in other.extensions
    mailbox.append(mail(subject="Polled by the worker"))
    with other.app_context():
        other.extensions["intake_imap_worker"].drain(wait=True)
        assert db.session.scalar(select(IntakeMessage.subject)) == "Polled by the worker"
        db.session.remove()


# -- reply by e-mail -------------------------------------------------------------------------


@pytest.fixture
def reply_app(database_url):
    from tests.conftest import _empty_tables

    app = make_test_app(database_url, INTAKE_REPLY_ADDRESS=REPLY_ADDRESS)
    with app.app_context():
        yield app
        db.session.remove()
    _empty_tables(app)


def _notification_mail(address: str) -> OutboxMessage:
    return db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.recipient == address)
        .order_by(OutboxMessage.id.desc())
    ).first()  # fmt: skip


@dataclass
class Thread:
    """An author's idea with their comment and someone's reply to it: the author was told,
    by an e-mail whose Reply-To is `reply_to`."""

    author: object
    idea: object
    first: object
    reply_to: str


def replied_thread() -> Thread:
    from tests.conftest import Factory

    make = Factory()
    author = make.user(email="author@example.com")
    idea = make.idea(author=author)
    first = discussion.add_comment(author, idea, "Exports are slow.")
    discussion.add_comment(make.user(), idea, "What about CSV?", parent_id=first.id)
    db.session.commit()
    reply_to = json.loads(_notification_mail("author@example.com").headers)["Reply-To"]
    return Thread(author, idea, first, reply_to)


def test_a_reply_to_a_notification_becomes_a_comment(reply_app):
    thread = replied_thread()
    author, first, reply_to = thread.author, thread.first, thread.reply_to
    note = _notification_mail("author@example.com")
    assert re.fullmatch(r"reply\+[0-9.]+[a-z2-7]{24}@portal\.example\.com", reply_to)
    assert "Reply to this e-mail" in note.body
    raw = mail(sender="author@example.com", to=reply_to, subject="Re: New reply",
               body="Yes, CSV please.\n\nOn Tue, someone wrote:\n> What about CSV?")  # fmt: skip
    runner = reply_app.test_cli_runner()
    result = runner.invoke(args=["intake", "mail"], input=raw)
    assert "comment" in result.output, result.output
    comment = db.session.scalars(select(Comment).order_by(Comment.id.desc())).first()
    assert comment.author_id == author.id and comment.body == "Yes, CSV please."
    assert comment.parent_id == first.id  # in the thread it answers
    assert count(IntakeMessage) == 0


def test_a_refused_reply_is_answered_by_email_and_changes_nothing(reply_app):
    thread = replied_thread()
    reply_to = thread.reply_to
    thread.idea.locked = True
    db.session.commit()
    comments = count(Comment)
    runner = reply_app.test_cli_runner()
    result = runner.invoke(args=["intake", "mail"], input=mail(
        sender="author@example.com", to=reply_to, body="My answer"))  # fmt: skip
    assert "refused" in result.output
    assert count(Comment) == comments
    told = _notification_mail("author@example.com")
    assert "was not posted" in told.body and "locked" in told.body


def test_a_reply_from_another_address_or_a_forged_token_posts_nothing(reply_app):
    reply_to = replied_thread().reply_to
    comments = count(Comment)
    runner = reply_app.test_cli_runner()
    stranger = runner.invoke(args=["intake", "mail"], input=mail(
        sender="mallory@example.com", to=reply_to, body="Spam"))  # fmt: skip
    assert "refused" in stranger.output
    assert _notification_mail("mallory@example.com") is None  # the stranger is never written to
    local, _, domain = reply_to.partition("@")
    forged = f"{local[:-4]}aaaa@{domain}"
    runner.invoke(args=["intake", "mail"], input=mail(sender="author@example.com", to=forged))
    assert count(Comment) == comments


def test_the_imap_command_fetches_and_reports(runner, mailbox):
    mailbox.append(mail(subject="Through the command"))
    result = runner.invoke(args=["intake", "imap", "--url", mailbox.url])
    assert result.exit_code == 0, result.output
    assert "intake message" in result.output
    assert db.session.scalar(select(IntakeMessage.subject)) == "Through the command"
    wrong = f"imap://{mailbox.user}:wrong-password@127.0.0.1:{mailbox.port}/INBOX"
    failed = runner.invoke(args=["intake", "imap", "--url", wrong])
    assert failed.exit_code == 1 and "wrong-password" not in failed.output


def test_the_same_reply_twice_is_one_comment(reply_app):
    reply_to = replied_thread().reply_to
    raw = mail(sender="author@example.com", to=reply_to, body="Yes, CSV.")
    runner = reply_app.test_cli_runner()
    runner.invoke(args=["intake", "mail"], input=raw)
    again = runner.invoke(args=["intake", "mail"], input=raw)
    assert "already posted" in again.output
    assert db.session.scalar(select(func.count()).select_from(Comment).where(
        Comment.body == "Yes, CSV.")) == 1  # fmt: skip


def test_a_borrowed_message_id_does_not_suppress_anothers_mail(runner):
    shared = "<known-id@example.com>"
    runner.invoke(args=["intake", "mail"], input=mail(sender="mallory@example.com",
                                                      message_id=shared))  # fmt: skip
    victim = runner.invoke(args=["intake", "mail"], input=mail(sender="jane@example.com",
                                                               message_id=shared))  # fmt: skip
    assert "(new)" in victim.output
    assert count(IntakeMessage) == 2


def test_unencoded_utf8_headers_are_read_not_dropped(runner):
    raw = ("From: Jürgen Müller <juergen@example.de>\r\nTo: feedback@portal.example.com\r\n"
           "Subject: Grüße aus Köln\r\nMessage-ID: <utf8@example.de>\r\n\r\nDie Tür klemmt.\r\n"
           ).encode()  # fmt: skip
    result = runner.invoke(args=["intake", "mail"], input=raw)
    assert "intake message" in result.output, result.output
    message = db.session.scalar(select(IntakeMessage))
    assert (message.sender_name, message.subject) == ("Jürgen Müller", "Grüße aus Köln")


@pytest.mark.parametrize(
    "results, verified",
    [
        ("mx.portal.example; dmarc=pass (p=reject) header.from=example.com", True),
        ("mx.portal.example; dkim=pass header.d=example.com header.s=sel", True),
        ("mx.portal.example; dmarc=fail header.from=example.com", False),
        ("mx.portal.example; dkim=pass header.d=example.com.evil.test", False),
        ("attacker.example; dmarc=pass header.from=example.com", False),
    ],
)
def test_a_sender_is_verified_by_the_trusted_mail_servers_results(database_url, results,
                                                                   verified):  # fmt: skip
    from tests.conftest import _empty_tables

    app = make_test_app(database_url, INTAKE_AUTHSERV_ID="mx.portal.example")
    with app.app_context():
        raw = mail(sender="jane@example.com", Authentication_Results=results)
        app.test_cli_runner().invoke(args=["intake", "mail"], input=raw)
        assert db.session.scalar(select(IntakeMessage.sender_verified)) is verified
        db.session.remove()
    _empty_tables(app)


def test_imap_mail_over_the_size_limit_is_left_flagged(database_url, mailbox):
    from tests.conftest import _empty_tables

    app = make_test_app(database_url, INTAKE_MAIL_MAX_BYTES=2000)
    with app.app_context():
        mailbox.append(mail(subject="Too big", body="x" * 5000))
        mailbox.append(mail(subject="Small"))
        result = poll_once(mailbox.url)
        assert result.failed == 1 and len(result.outcomes) == 1
        assert db.session.scalars(select(IntakeMessage.subject)).all() == ["Small"]
        assert poll_once(mailbox.url).outcomes == []
        db.session.remove()
    _empty_tables(app)
