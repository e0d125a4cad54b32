"""Erasure (SPEC 15): a person's identity leaves the portal; their words stay, by "Former member".

The account row stays (ideas, comments, flags and the logs keep an author to point at) with
nothing that names the person: name, e-mail, handle and password are replaced, and sign-in
identities, tokens, notifications, follows, mentions, votes (their own ideas' automatic
votes too) and uploads no post took are deleted, every counter and trending score following
exactly; files of their kept ideas and comments stay with them. Texts the portal wrote
about them for others (notifications, queued or sent e-mails and webhooks, the admin log,
intake correspondence) are rewritten to say "Former member". Everything happens in the
caller's transaction: a failure leaves nothing half erased.

Words other people wrote themselves (a comment that names the person) are theirs and stay.
"""

import json
import logging
import re
import secrets

from flask_babel import gettext as _
from sqlalchemy import delete, or_, select, update

from portal import access
from portal.accounts import service as accounts
from portal.accounts.models import UNUSABLE_PASSWORD, ApiToken, User, UserIdentity
from portal.admin import audit
from portal.admin import service as admin
from portal.admin.models import AdminChange
from portal.database import release_read
from portal.errors import Invalid, refuse
from portal.extensions import db
from portal.files import service as files
from portal.ideas import service as ideas
from portal.ideas.models import Comment, Follow, Idea, Mention, Vote
from portal.intake.models import IntakeMessage, IntakeReply
from portal.moderation.models import ModerationAction
from portal.notify.models import Notification, OutboxMessage, Webhook
from portal.notify.service import sign
from portal.routing.models import RoutingRule
from portal.timeutil import utcnow
from portal.tracking.models import ImprovementItem

log = logging.getLogger(__name__)

FORMER_MEMBER = "Former member"


def _replacer(*names: str):
    """A function that replaces each of `names` (whole words, any case) by FORMER_MEMBER."""
    names = sorted({n for n in names if n and n.strip()}, key=len, reverse=True)
    if not names:
        return lambda text: text
    pattern = re.compile(
        "|".join(rf"(?<!\w){re.escape(name)}(?!\w)" for name in names), re.IGNORECASE
    )

    def replace(text):
        return pattern.sub(FORMER_MEMBER, text) if text else text

    return replace


def _portal_words(name: str):
    """Where the portal itself wrote a person's name in texts for others, and only there
    (never in the words people wrote, which those texts quote): a notification's first
    words ("<name> replied:"), an e-mail's greeting (one to their next address) and first
    paragraph, a digest line made of one, the signature of an answer to someone who wrote
    in, and an admin log entry's parts ("+ name", "role: a → b"). Exact: the portal wrote
    the name as it was, so a name that is a common word ("the", "replied") rewrites nothing
    else."""
    if not name or not name.strip():
        return lambda text, where: text
    n = re.escape(name)
    greeting = re.compile(rf"\AHello {n},")
    email_paragraph = re.compile(rf"\A(Hello [^\n]*,\n\n){n}(?=[ :,])")
    digest_line = re.compile(rf"(?m)^(- [^\n]*: ){n}(?= )")
    signature = re.compile(rf"\n\n{n}\n(?=[^\n]*\n?\Z)")
    log_part = re.compile(rf"(?:^|(?<=[+−:→;] )){n}(?=$|[;,]| →)")

    def rewrite(text, where):
        if not text:
            return text
        if where == "notification":
            return FORMER_MEMBER + text[len(name) :] if text.startswith(name + " ") else text
        if where == "email":
            text = greeting.sub("Hello,", text, count=1)
            text = email_paragraph.sub(lambda m: m.group(1) + FORMER_MEMBER, text, count=1)
            text = digest_line.sub(lambda m: m.group(1) + FORMER_MEMBER, text)
            return signature.sub(f"\n\n{FORMER_MEMBER}\n", text)
        return log_part.sub(FORMER_MEMBER, text)

    return rewrite


def _remove_votes(user: User) -> int:
    """Every vote of the person goes; each idea's counter and trending score follow."""
    idea_ids = list(db.session.scalars(select(Vote.idea_id).where(Vote.user_id == user.id)))
    db.session.execute(delete(Vote).where(Vote.user_id == user.id))
    for idea in db.session.scalars(select(Idea).where(Idea.id.in_(idea_ids or [0]))):
        ideas.bump_counters(idea, votes=-1)
    return len(idea_ids)


def _rewrite_outbox(user: User, words) -> None:
    """E-mails to the person go (sent or not); others' e-mails and webhook calls in which the
    portal named them say "Former member" there, webhook bodies signed again, before any
    sender takes them."""
    db.session.execute(
        delete(OutboxMessage).where(
            OutboxMessage.kind == "email", OutboxMessage.recipient == user.email
        )
    )
    named = [
        OutboxMessage.subject.ilike(f"%{user.display_name}%"),
        OutboxMessage.body.ilike(f"%{user.display_name}%"),
    ]
    secrets_by_hook = dict(db.session.execute(select(Webhook.id, Webhook.secret)).all())
    for message in db.session.scalars(select(OutboxMessage).where(or_(*named))):
        if message.kind == "webhook":
            body = _rewrite_webhook_body(message.body, user.display_name)
            if body == message.body:
                continue
            message.body = body
            headers = json.loads(message.headers or "{}")
            secret = secrets_by_hook.get(message.webhook_id)
            if secret is not None:
                headers["X-Portal-Signature"] = sign(secret, message.body.encode())
            message.headers = json.dumps(headers)
        else:
            message.body = words(message.body, "email")


def _rewrite_webhook_body(body: str, name: str) -> str:
    """A webhook's JSON with "Former member" as the author the portal named (and valid JSON);
    the words in it (a comment's body, an idea's title) are as their writers wrote them."""
    try:
        data = json.loads(body)
    except ValueError:
        return body
    changed = False

    def walk(value):
        nonlocal changed
        if isinstance(value, dict):
            out = {}
            for key, item in value.items():
                if key == "author" and item == name:
                    out[key], changed = FORMER_MEMBER, True
                else:
                    out[key] = walk(item)
            return out
        if isinstance(value, list):
            return [walk(item) for item in value]
        return value

    data = walk(data)
    return json.dumps(data, ensure_ascii=False, sort_keys=True) if changed else body


def _rewrite_intake(user: User, replace):
    """Messages from the person's address keep what they said, not who said it. Returns the
    replacer that also knows the names they signed those messages with. An address never
    confirmed proves nothing: what was sent from it stays as it came, only unlinked."""
    if not access.owns_address(user):
        db.session.execute(
            update(IntakeMessage)
            .where(IntakeMessage.user_id == user.id)
            .values(user_id=None)
            .execution_options(synchronize_session=False)
        )
        return replace
    from_them = or_(IntakeMessage.user_id == user.id, IntakeMessage.sender_email == user.email)
    messages = list(db.session.scalars(select(IntakeMessage).where(from_them)))
    sender_names = {m.sender_name for m in messages if m.sender_name}
    replace_all = _replacer(user.display_name, user.email, *sender_names)
    for message in messages:
        message.sender_email = ""
        message.sender_name = FORMER_MEMBER
        message.user_id = None
        # Their Message-ID key names their address; the message is not fetched again anyway.
        message.mail_message_id = None
        message.subject = replace_all(message.subject)
        message.body = replace_all(message.body)
        for reply in db.session.scalars(
            select(IntakeReply).where(IntakeReply.message_id == message.id)
        ):
            reply.body = replace_all(reply.body)
        # An idea made from their message "on behalf of" them names them no more.
        if message.idea_id is not None:
            db.session.execute(
                update(Idea)
                .where(Idea.id == message.idea_id)
                .where(Idea.on_behalf_of.in_(sorted(sender_names) or [""]))
                .values(on_behalf_of=FORMER_MEMBER)
            )
    return replace_all


def _release_work(user: User) -> None:
    """Open work given to the person goes back to their teams' queues; rules and items stop
    naming them."""
    admin.release_work(user)
    db.session.execute(
        update(RoutingRule).where(RoutingRule.assignee_id == user.id).values(assignee_id=None)
    )
    db.session.execute(
        update(ImprovementItem)
        .where(ImprovementItem.owner_id == user.id)
        .values(owner_id=None)
        .execution_options(synchronize_session=False)
    )
    user.teams = []
    user.available = False


def erase(actor: User | None, user: User) -> None:
    """Erase `user`'s identity (SPEC 15). `actor`: who asked (themselves, an admin), None
    for the command line. Raises the refusal when it may not be done (the last admin)."""
    # Read afresh, the row locked (PostgreSQL): a request that loaded the account before
    # another one erased it (a second tab, the API; the password check holds no lock) is
    # refused, not run again over the erased row.
    db.session.refresh(user, with_for_update={"of": User})
    refuse(access.erase_refusal(user))
    replace = _replacer(user.display_name, user.email)
    words = _portal_words(user.display_name)
    user_id = user.id

    votes = _remove_votes(user)
    for model in (Follow, Mention, Notification, ApiToken, UserIdentity):
        db.session.execute(delete(model).where(model.user_id == user_id))
    _rewrite_outbox(user, words)
    replace = _rewrite_intake(user, replace)
    _release_work(user)
    # Uploads no post took are nobody's content; files of their kept posts stay with them.
    files.delete_unattached_of(user)

    # What the portal said about them to others, and its own logs.
    for note in db.session.scalars(
        select(Notification).where(Notification.message.ilike(f"%{user.display_name}%"))
    ):
        note.message = words(note.message, "notification")
    for entry in db.session.scalars(
        select(AdminChange).where(
            or_(
                (AdminChange.target_type == "user") & (AdminChange.target_id == user_id),
                AdminChange.details.ilike(f"%{user.email}%"),
                AdminChange.details.ilike(f"%{user.display_name}%"),
            )
        )
    ):
        if entry.target_type == "user" and entry.target_id == user_id:
            # An entry about them: all of it.
            entry.target_label = FORMER_MEMBER
            entry.details = replace(entry.details)
        else:
            entry.details = words(entry.details, "log")
    for action in db.session.scalars(
        select(ModerationAction).where(
            ModerationAction.target_type == "user", ModerationAction.target_id == user_id
        )
    ):
        action.reason = replace(action.reason)
    # Comments they sent by e-mail keep a key naming their address: not needed any more.
    db.session.execute(
        update(Comment)
        .where(Comment.author_id == user_id, Comment.mail_message_id.is_not(None))
        .values(mail_message_id=None)
        .execution_options(synchronize_session=False)
    )

    now = utcnow()
    user.display_name = FORMER_MEMBER
    user.email = f"erased-{user_id}@erased.invalid"
    user.handle = f"former-member-{user_id}"
    user.password_hash = UNUSABLE_PASSWORD
    # Every session, "remember me" cookie and e-mailed link of the account dies with it.
    user.session_token = secrets.token_hex(16)
    user.role = "member"
    user.email_preference = "off"
    user.suspended_until = None
    user.last_digest_at = user.last_assigned_at = None
    user.erased_at = now
    if actor is None:
        how = "from the command line"
    else:
        how = "by themselves" if actor.id == user_id else "by an admin"
    audit.record(actor, "user.erase", "user", user_id, FORMER_MEMBER, how)
    db.session.flush()
    log.info("user %s erased (%s votes removed)", user_id, votes)


def erase_own_account(user: User, *, password=None, email=None) -> None:
    """The person erases their own account, confirming with their password, or (an account
    without one: single sign-on) by typing their e-mail address."""
    refuse(access.erase_refusal(user))
    if user.has_password:
        release_read()  # the hash is slow: no write lock held through it
        if not accounts.check_password(user, password if isinstance(password, str) else ""):
            message = _("The password is not right.")
            raise Invalid(message, {"password": [message]})
    else:
        typed = accounts.sign_in_key(email)
        if not typed or typed != user.email:
            message = _("Type the e-mail address of this account to confirm.")
            raise Invalid(message, {"email": [message]})
    erase(user, user)
