"""The e-mail channel (SPEC 12): one RFC 5322 message becomes an intake message, or, sent to
a signed reply address, a comment by that person on that idea.

Both ways in (an MTA's pipe, `flask intake mail`; the IMAP poller) call `receive_mail`. The
same Message-ID never makes two messages (a unique index decides, across hosts). Mail sent by
machines (auto-replies, bounces, lists) is never answered, so two robots cannot loop; every
sender address is limited like registration. A refused reply is answered by e-mail, to the
account's own address only (never to whoever forged a From), and changes nothing else.
"""

import hashlib
import logging
import re
from dataclasses import dataclass
from datetime import timedelta
from email.parser import BytesHeaderParser
from email.policy import compat32

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from portal import access
from portal.accounts.models import User
from portal.accounts.service import sign_in_key
from portal.errors import DomainError
from portal.extensions import db
from portal.i18n import writing_to
from portal.ideas import discussion
from portal.ideas.models import Category, Comment, Idea
from portal.intake import service as intake
from portal.intake.mail import MailError, ParsedMail, parse_message, plus_tag
from portal.intake.reply_tokens import read_token, reply_local_part
from portal.notify import service as notify
from portal.ratelimits import allowed
from portal.timeutil import utcnow

log = logging.getLogger(__name__)

EMPTY_BODY = "(The message had no text.)"


@dataclass(frozen=True)
class MailOutcome:
    """What became of one e-mail: `message` (an intake message, new or not), `comment`,
    `refused` (a reply the rules refused; the sender was told), or `ignored`."""

    kind: str
    detail: str = ""
    message_id: int | None = None
    comment_id: int | None = None


def _mail_key(parsed: ParsedMail, raw: bytes) -> str:
    """What makes an e-mail one message: its sender and Message-ID (a Message-ID alone could
    be borrowed by someone else to suppress a message); without one, its bytes."""
    message_id = parsed.message_id or f"sha256-{hashlib.sha256(raw).hexdigest()}@intake.invalid"
    return f"{sign_in_key(parsed.sender_email)} {message_id}"[:998]


def _authenticated(raw: bytes, sender: str) -> bool:
    """Whether the sender owns the From address, as far as the portal can tell.

    `INTAKE_TRUST_MAIL_SENDERS`: the mail server refuses forged senders before delivering.
    Otherwise `INTAKE_AUTHSERV_ID`: the topmost Authentication-Results header of that mail
    server (RFC 8601; the server adds it above the others and removes forged ones with its
    id) must say DMARC passed for the From domain, or DKIM passed with that domain's key.
    """
    if current_app.config.get("INTAKE_TRUST_MAIL_SENDERS"):
        return True
    server_id = (current_app.config.get("INTAKE_AUTHSERV_ID") or "").strip().lower()
    if not server_id:
        return False
    domain = re.escape(sender.rpartition("@")[2].lower())
    try:
        headers = BytesHeaderParser(policy=compat32).parsebytes(raw)
        values = headers.get_all("Authentication-Results") or []
    except Exception:
        return False
    for value in values:
        text = " ".join(str(value).split()).lower()
        server, _, results = text.partition(";")
        if (server.split() or [""])[0] != server_id:
            continue
        return bool(
            re.search(rf"\bdmarc=pass\b[^;]*\bheader\.from={domain}(?![\w.-])", results)
            or re.search(rf"\bdkim=pass\b[^;]*\bheader\.d={domain}(?![\w.-])", results)
        )
    return False


def _sender_allowed(address: str) -> bool:
    limit = current_app.config["INTAKE_LIMIT_PER_SENDER"]
    return allowed(limit, "intake-sender", sign_in_key(address))


def _category_from(parsed: ParsedMail, given: str | None) -> str | None:
    """`--category`, else the tag of a `feedback+<slug>@` recipient naming a category."""
    if given:
        return given
    local = current_app.config.get("INTAKE_CATEGORY_LOCAL_PART") or "feedback"
    for address in parsed.recipients:
        tag = plus_tag(address, local)
        if tag and db.session.scalar(select(Category.id).where(Category.slug == tag.lower())):
            return tag.lower()
    return None


def _reply_token(parsed: ParsedMail) -> str | None:
    local = reply_local_part()
    if not local:
        return None
    for address in parsed.recipients:
        tag = plus_tag(address, local)
        if tag:
            return tag
    return None


def receive_mail(raw: bytes, *, category: str | None = None) -> MailOutcome:
    """Take one e-mail; the caller commits (one unit of work per message)."""
    try:
        parsed = parse_message(raw)
    except MailError as error:
        log.info("intake mail ignored: %s", error)
        return MailOutcome("ignored", str(error))
    if not parsed.sender_email:
        return MailOutcome("ignored", "no sender address")
    token = _reply_token(parsed)
    if parsed.automatic:
        log.info("intake mail from %s ignored: sent automatically", parsed.sender_email)
        return MailOutcome("ignored", "sent automatically (auto-reply, bounce or list)")
    if not _sender_allowed(parsed.sender_email):
        log.warning("intake mail from %s ignored: over the sender limit", parsed.sender_email)
        return MailOutcome("ignored", "too many messages from this address")
    if token is not None:
        return _reply(parsed, token, _mail_key(parsed, raw))
    try:
        received = intake.receive(
            source="email",
            sender_email=parsed.sender_email,
            sender_name=parsed.sender_name[:120],
            subject=parsed.subject[:300],
            body=(parsed.text.strip() or EMPTY_BODY)[: intake.BODY_MAX],
            category=_category_from(parsed, category),
            mail_message_id=_mail_key(parsed, raw),
            attachments=parsed.attachments,
            sender_verified=_authenticated(raw, parsed.sender_email),
        )
    except DomainError as error:  # an address the portal cannot use, say
        db.session.rollback()
        log.info("intake mail from %r refused: %s", parsed.sender_email, error.message)
        return MailOutcome("ignored", error.message)
    message = received.message
    return MailOutcome("message", "new" if received.created else "already received", message.id)


# -- reply by e-mail ------------------------------------------------------------------------


def _tell(user: User, idea: Idea | None, reason: str, parsed: ParsedMail) -> MailOutcome:
    """The rules refused a reply: its sender hears why, and nothing else happens. Told at
    most so often per account, and never against their wish for no e-mail, so a leaked
    reply address cannot be used to flood its owner."""
    db.session.rollback()
    limit = current_app.config["INTAKE_LIMIT_PER_SENDER"]
    if user.email_preference == "off" or not allowed(limit, "reply-refusals", str(user.id)):
        log.info("reply by e-mail from user %s refused (not told): %s", user.id, reason)
        return MailOutcome("refused", reason)
    # Inside `writing_to(user)` (`_reply`): the reason is in their language already.
    if parsed.subject:
        subject = _("Not posted: %(subject)s", subject=parsed.subject)
    else:
        subject = _("Your reply was not posted")
    if idea is not None and access.can_read(user, idea):
        not_posted = _("Your e-mail reply on “%(title)s” was not posted as a comment:",
                       title=idea.title)  # fmt: skip
    else:
        not_posted = _("Your e-mail reply was not posted as a comment:")
    nothing_else = _("Nothing else was done with it.")
    body = f"{notify.hello(user)}\n\n{not_posted}\n{reason}\n\n{nothing_else}\n"
    notify.queue_email(user, subject, body)
    log.info("reply by e-mail from user %s refused: %s", user.id, reason)
    return MailOutcome("refused", reason)


def _new_account(user: User) -> bool:
    """Young accounts are limited by mail as on the pages (ratelimits.new_account_limit)."""
    age = timedelta(days=current_app.config["NEW_ACCOUNT_DAYS"])
    return user.created_at > utcnow() - age


def _reply(parsed: ParsedMail, token: str, key: str) -> MailOutcome:
    already = db.session.scalar(select(Comment.id).where(Comment.mail_message_id == key))
    if already is not None:  # the same e-mail again (a second fetch, a redelivery)
        return MailOutcome("comment", "already posted", comment_id=already)
    target = read_token(token)
    if target is None:
        log.info("reply by e-mail with an unknown token from %s ignored", parsed.sender_email)
        return MailOutcome("ignored", "not a reply address this portal made")
    user = db.session.get(User, target.user_id)
    if user is None:
        return MailOutcome("ignored", "the account no longer exists")
    # The rules' refusals (raised as the comment is posted) and what the sender is told: in
    # the account's language.
    with writing_to(user):
        return _reply_as(user, parsed, target, key)


def _reply_as(user: User, parsed: ParsedMail, target, key: str) -> MailOutcome:
    if sign_in_key(parsed.sender_email) != user.email:
        # Someone else holds the address (a forward, or a forged From): their text is not
        # posted, and only the account's owner is told, never the stranger.
        return _tell(user, None, _("It was sent from another address than your account's."),
                     parsed)  # fmt: skip
    idea = db.session.get(Idea, target.idea_id)
    if idea is None or not access.can_see_idea(user, idea):
        return _tell(user, None, _("The idea it answers no longer exists for you."), parsed)
    text = parsed.text.strip()
    if not text:
        return _tell(user, idea, _("It had no text of its own (only the quoted message)."),
                     parsed)  # fmt: skip
    if _new_account(user) and not allowed(
        current_app.config["NEW_ACCOUNT_LIMITS"]["comments"],
        "new-account-comments-by-mail",
        str(user.id),
    ):
        return _tell(user, idea, _("New accounts may post only so many comments an hour: try "
                                   "again later."), parsed)  # fmt: skip
    parent = db.session.get(Comment, target.comment_id) if target.comment_id else None
    parent_id = None
    answerable = parent is not None and parent.idea_id == idea.id
    if answerable and access.reply_refusal(user, idea, parent) is None:
        parent_id = parent.id
    try:
        with db.session.begin_nested():
            comment = discussion.add_comment(user, idea, text[: discussion.COMMENT_MAX],
                                             parent_id=parent_id)  # fmt: skip
            comment.mail_message_id = key
            db.session.flush()
    except DomainError as error:
        return _tell(user, idea, error.message, parsed)
    except IntegrityError:  # another worker or host posted this very e-mail meanwhile
        existing = db.session.scalar(select(Comment.id).where(Comment.mail_message_id == key))
        return MailOutcome("comment", "already posted", comment_id=existing)
    log.info("reply by e-mail from user %s became comment %s", user.id, comment.id)
    return MailOutcome("comment", "posted", comment_id=comment.id)
