"""Intake (SPEC 12): conversations arrive from a channel as open messages routed to a team;
staff attach them to an idea as evidence, convert them into an idea, reply, dismiss or
assign them.

Every channel calls `receive`; it is idempotent on the help desk's `external_ref` and on an
e-mail's Message-ID, across workers and hosts alike (a unique index decides, not a prior
read). Every action asks `access.intake_action_refusal` first, so a message already
attached, converted or dismissed answers 409 and nothing changes.
"""

import logging
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import case, func, select, true, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from portal import access
from portal.accounts.models import User
from portal.accounts.service import normalize_email
from portal.errors import Invalid, NotFound, refuse
from portal.extensions import db
from portal.ideas import service as ideas
from portal.ideas.models import IDEA_KINDS, Category, Idea
from portal.intake.models import SOURCES, STATUSES, IntakeMessage, IntakeReply
from portal.notify import service as notify
from portal.pagination import Page
from portal.routing import service as routing
from portal.timeutil import utcnow
from portal.validation import choice, clean_text, is_id

log = logging.getLogger(__name__)

SUBJECT_MAX = 300
BODY_MAX = 20_000
NAME_MAX = 120
REF_MAX = 200
REASON_MAX = 500
REPLY_MAX = 10_000
ATTACHMENTS_MAX = 50


@dataclass(frozen=True)
class Received:
    message: IntakeMessage
    created: bool


def account_for(email: str) -> User | None:
    """The account of an address, normalised as sign-in does."""
    return db.session.scalar(select(User).where(User.email == email))


def _category(slug) -> Category | None:
    if slug in (None, ""):
        return None
    if not isinstance(slug, str):
        raise Invalid(_("Category: must be a category's slug."), {"category": [_("Must be text.")]})
    category = db.session.scalar(select(Category).where(Category.slug == slug.strip().lower()))
    if category is None:
        message = _("There is no category '%(slug)s'.", slug=slug)
        raise Invalid(_("Category: %(message)s", message=message), {"category": [message]})
    return category


def _existing(external_ref: str | None, mail_message_id: str | None) -> IntakeMessage | None:
    if external_ref is not None:
        found = db.session.scalar(
            select(IntakeMessage).where(IntakeMessage.external_ref == external_ref)
        )
        if found is not None:
            return found
    if mail_message_id is not None:
        return db.session.scalar(
            select(IntakeMessage).where(IntakeMessage.mail_message_id == mail_message_id)
        )
    return None


def receive(
    *,
    source: str,
    sender_email,
    body,
    sender_name=None,
    subject=None,
    category=None,
    external_ref=None,
    mail_message_id: str | None = None,
    attachments: tuple[str, ...] = (),
    received_at: datetime | None = None,
    sender_verified: bool = False,
) -> Received:
    """A new open message, routed; or the one already received under the same reference.

    `sender_verified`: something vouches that the sender owns the address (a signed-in
    visitor, mail a trusted server authenticated, a help desk that says so). The address is
    matched to an account either way, for staff to see; but only a verified sender's vote
    is added on attach, and only a verified sender becomes the author on convert: nobody
    votes or posts on the word of whoever typed or forged their address."""
    if not isinstance(sender_verified, bool):
        message = _("Must be true or false.")
        raise Invalid(
            _("Sender verified: %(message)s", message=message), {"sender_verified": [message]}
        )
    choice(source, "source", SOURCES)
    email = normalize_email(sender_email)
    if sender_name is None:
        sender_name = ""
    name = clean_text(sender_name, "sender_name", max_length=NAME_MAX, label=_("Sender name"))
    subject = clean_text(subject if subject is not None else "", "subject",
                         max_length=SUBJECT_MAX)  # fmt: skip
    body = clean_text(body, "body", min_length=1, max_length=BODY_MAX)
    if external_ref is not None:
        external_ref = clean_text(external_ref, "external_ref", min_length=1, max_length=REF_MAX,
                                  label=_("External ref"))  # fmt: skip
    chosen = _category(category)
    existing = _existing(external_ref, mail_message_id)
    if existing is not None:
        return Received(existing, False)
    user = account_for(email)
    now = utcnow()
    message = IntakeMessage(
        source=source,
        sender_email=email,
        sender_name=name,
        sender_verified=sender_verified,
        user=user,
        organization_id=user.organization_id if user and user.kind == "supplier" else None,
        subject=subject,
        body=body,
        attachments="\n".join(a.replace("\n", " ")[:200] for a in attachments[:ATTACHMENTS_MAX]),
        category=chosen,
        received_at=received_at or now,
        status="open",
        external_ref=external_ref,
        mail_message_id=mail_message_id,
    )
    # A savepoint: when another worker or host stored the same reference first, the unique
    # index refuses this one and the first is answered, the transaction otherwise intact.
    try:
        with db.session.begin_nested():
            db.session.add(message)
            db.session.flush()
    except IntegrityError:
        existing = _existing(external_ref, mail_message_id)
        if existing is None:
            raise
        return Received(existing, False)
    assignee = routing.route_message(message, now)
    if assignee is not None:
        notify.assigned(None, assignee, message=message)
    log.info("intake message %s received by %s from %s", message.id, source, email)
    return Received(message, True)


# -- reading ----------------------------------------------------------------------------------


def _require_reader(user) -> None:
    """Staff read intake (a suspended staff member too); anyone else is refused."""
    if not access.can_see_intake(user):
        refuse(access.intake_refusal(user))


def get_message(user, message_id) -> IntakeMessage:
    _require_reader(user)
    message = db.session.get(IntakeMessage, message_id) if isinstance(message_id, int) else None
    if message is None:
        raise NotFound(_("No such intake message."))
    return message


def overdue_first(now: datetime):
    """Overdue open work first, then oldest first."""
    return (
        case((IntakeMessage.first_answer_due_at < now, 0), else_=1),
        IntakeMessage.received_at,
        IntakeMessage.id,
    )


def list_messages(user, *, status: str | None = "open", team_id: int | None = None,
                  teams: list[int] | None = None, assignee_me: bool = False, page: int = 1,
                  per_page: int = 20, now: datetime | None = None) -> Page:  # fmt: skip
    """Messages for the inbox and the API: by status, team (or any of `teams`), assignee."""
    _require_reader(user)
    if status is not None:
        choice(status, "status", STATUSES)
    now = now or utcnow()
    conditions = []
    if status is not None:
        conditions.append(IntakeMessage.status == status)
    if team_id is not None:
        conditions.append(IntakeMessage.team_id == team_id)
    elif teams is not None:
        # One's teams, and what no rule or category routed anywhere: someone must see it.
        conditions.append(IntakeMessage.team_id.in_(teams) | IntakeMessage.team_id.is_(None))
    if assignee_me:
        conditions.append(IntakeMessage.assignee_id == user.id)
    total = db.session.scalar(select(func.count()).select_from(IntakeMessage).where(*conditions))
    items = list(
        db.session.scalars(
            select(IntakeMessage)
            .where(*conditions)
            .order_by(*overdue_first(now))
            .limit(per_page)
            .offset((page - 1) * per_page)
        )
    )
    _load_related(items)
    return Page(items=items, page=page, per_page=per_page, total=total or 0)


def waiting_count(user) -> int:
    """Open messages of the user's teams (and unrouted ones): the inbox badge."""
    teams = [t.id for t in user.teams]
    # With no team, every message is theirs to see.
    mine = (IntakeMessage.team_id.is_(None) | IntakeMessage.team_id.in_(teams)) if teams else true()
    return db.session.scalar(
        select(func.count()).select_from(IntakeMessage)
        .where(IntakeMessage.status == "open", mine)
    ) or 0  # fmt: skip


def _load_related(messages: list[IntakeMessage]) -> None:
    """Teams, assignees, senders' accounts and replies of a page in a fixed number of queries."""
    if not messages:
        return
    ids = [m.id for m in messages]
    db.session.scalars(
        select(IntakeMessage)
        .where(IntakeMessage.id.in_(ids))
        .options(
            selectinload(IntakeMessage.team),
            selectinload(IntakeMessage.assignee),
            selectinload(IntakeMessage.user),
            selectinload(IntakeMessage.replies).selectinload(IntakeReply.by),
        )
    ).all()


def evidence(user, idea: Idea) -> list[IntakeMessage]:
    """The messages quoted on an idea (attached or converted): staff only."""
    if not access.can_see_intake(user):
        return []
    return list(
        db.session.scalars(
            select(IntakeMessage)
            .where(
                IntakeMessage.idea_id == idea.id,
                IntakeMessage.status.in_(("attached", "converted")),
            )  # fmt: skip
            .order_by(IntakeMessage.received_at, IntakeMessage.id)
        )
    )


# -- the actions ------------------------------------------------------------------------------


def _take(user, message: IntakeMessage, action: str, status: str) -> None:
    """Move an open message to `status`, or refuse (409) when another request did first: a
    conditional UPDATE decides, so two staff converting at once make one idea."""
    taken = db.session.execute(
        update(IntakeMessage)
        .where(IntakeMessage.id == message.id, IntakeMessage.status == "open")
        .values(status=status, handled_by_id=user.id, handled_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(message, ["status", "handled_by_id", "handled_at", "idea_id"])
    if taken != 1:
        refuse(access.intake_action_refusal(user, message, action))


def _idea_for_evidence(user, idea_id) -> Idea:
    if isinstance(idea_id, str) and idea_id.strip().lstrip("#").isdigit():
        idea_id = int(idea_id.strip().lstrip("#"))
    if not is_id(idea_id):
        raise Invalid(
            _("Idea: the number of an idea."), {"idea_id": [_("Must be an idea's number.")]}
        )
    idea = db.session.get(Idea, idea_id)
    if idea is None:
        message = _("There is no idea #%(idea_id)s.", idea_id=idea_id)
        raise Invalid(message, {"idea_id": [message]})
    refuse(access.evidence_refusal(user, idea))
    return idea


def attach(user, message: IntakeMessage, idea_id) -> IntakeMessage:
    """The message becomes evidence on an idea; its sender supports and follows the idea
    when their account may."""
    refuse(access.intake_action_refusal(user, message, "attach"))
    idea = _idea_for_evidence(user, idea_id)
    _take(user, message, "attach", "attached")
    message.idea_id = idea.id
    idea.evidence_count = Idea.evidence_count + 1
    sender = message.user if message.sender_verified else None
    if sender is not None and access.can_see_idea(sender, idea):
        if access.vote_refusal(sender, idea) is None:
            ideas.set_vote(sender, idea, True)
        ideas.follow_quietly(sender, idea)
    db.session.flush()
    db.session.refresh(idea, ["evidence_count"])
    log.info("user %s attached intake message %s to idea %s", user.id, message.id, idea.id)
    return message


def _on_behalf_name(message: IntakeMessage) -> str:
    # Never the address: the idea is public, the address is the sender's own business.
    return message.sender_name or "someone who wrote to us"


def convert(user, message: IntakeMessage, *, title, category, kind=None, body=None,
            confidential=None) -> IntakeMessage:  # fmt: skip
    """A new idea from the message (its text, or `body` as staff edited it): by the sender's
    account when the sender is verified and may post there, else by the staff member on the
    sender's behalf; routed like any new idea. A supplier's idea is confidential unless staff
    say otherwise, since their message was written to the company, not to competitors."""
    refuse(access.intake_action_refusal(user, message, "convert"))
    if category in (None, ""):
        raise Invalid(_("Category: this field is required."), {"category": [_("Required.")]})
    if confidential is not None and not isinstance(confidential, bool):
        message_text = _("Must be true or false.")
        raise Invalid(
            _("Confidential: %(message_text)s", message_text=message_text),
            {"confidential": [message_text]},
        )
    sender = message.user if message.sender_verified else None
    author, on_behalf_of = user, _on_behalf_name(message)
    if sender is not None and ideas.may_post_in(sender, category):
        author, on_behalf_of = sender, None
    supplier_author = author.kind == "supplier" and author.approved
    if confidential is None:
        confidential = supplier_author
    if confidential and not supplier_author:
        message_text = _("Only a supplier's idea can be confidential to their organization.")
        raise Invalid(
            _("Confidential: %(message_text)s", message_text=message_text),
            {"confidential": [message_text]},
        )
    _take(user, message, "convert", "converted")
    idea = ideas.create_idea(author, title=title, body=message.body if body in (None, "") else body,
                             category=category, kind=kind or "idea", confidential=confidential,
                             on_behalf_of=on_behalf_of)  # fmt: skip
    message.idea_id = idea.id
    idea.evidence_count = 1
    log.info("user %s converted intake message %s into idea %s", user.id, message.id, idea.id)
    return message


def reply(user, message: IntakeMessage, body) -> IntakeMessage:
    """An e-mail to the sender (through the outbox); the first staff answer."""
    refuse(access.intake_action_refusal(user, message, "reply"))
    body = clean_text(body, "body", min_length=1, max_length=REPLY_MAX)
    now = utcnow()
    message.replies.append(IntakeReply(by_id=user.id, body=body, created_at=now))
    if message.first_answered_at is None:
        message.first_answered_at = now
    # An unverified sender's name and subject were typed by anyone: the company's mail does
    # not repeat them to the address given.
    verified = message.sender_verified

    def subject(sender) -> str:  # in the sender's language
        return f"Re: {message.subject}" if verified and message.subject else _("Re: your message")

    notify.reply_to_sender(user, message.sender_email, message.sender_name if verified else "",
                           subject, body, sender=message.user)  # fmt: skip
    db.session.flush()
    return message


def dismiss(user, message: IntakeMessage, reason) -> IntakeMessage:
    refuse(access.intake_action_refusal(user, message, "dismiss"))
    reason = clean_text(reason, "reason", min_length=1, max_length=REASON_MAX)
    _take(user, message, "dismiss", "dismissed")
    message.dismissed_reason = reason
    return message


def assign(user, message: IntakeMessage, *, team_id=None,
           assignee_id=routing.UNSET) -> IntakeMessage:  # fmt: skip
    refuse(access.intake_action_refusal(user, message, "assign"))
    routing.reassign(user, message, team_id=team_id, assignee_id=assignee_id,
                     start=message.received_at)  # fmt: skip
    return message


ACTIONS = {
    "attach": lambda user, message, data: attach(user, message, data.get("idea_id")),
    "convert": lambda user, message, data: convert(
        user,
        message,
        title=data.get("title"),
        category=data.get("category"),
        kind=data.get("kind"),
        body=data.get("body"),
        confidential=data.get("confidential"),
    ),
    "reply": lambda user, message, data: reply(user, message, data.get("body")),
    "dismiss": lambda user, message, data: dismiss(user, message, data.get("reason")),
    "assign": lambda user, message, data: assign(
        user,
        message,
        team_id=data.get("team_id"),
        assignee_id=data.get("assignee_id", routing.UNSET),
    ),  # fmt: skip
}


def act(user, message: IntakeMessage, action, data: dict) -> IntakeMessage:
    """One of the inbox's actions, by name (the API's and the page's single entry)."""
    refuse(access.intake_refusal(user))
    choice(action, "action", tuple(ACTIONS))
    if action == "convert" and data.get("kind") not in (None, ""):
        choice(data.get("kind"), "kind", IDEA_KINDS)
    return ACTIONS[action](user, message, data)
