"""Who hears about what: notifications (and their e-mails and webhooks) in the event's transaction.

Nobody is told about something they may not see: every recipient is checked with `access`,
and webhooks carry only what an anonymous visitor may see.
"""

import hashlib
import hmac
import json
import logging
from collections.abc import Callable

from flask import has_request_context, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from portal import access, events
from portal.accounts.models import User
from portal.extensions import db
from portal.i18n import language_of, writing_to, zone_of
from portal.ideas.models import Follow, Idea
from portal.intake.reply_tokens import reply_address
from portal.labels import STATUS_LABELS
from portal.lru import ExpiringLRU
from portal.markdown import plain_text
from portal.notify.headers import one_line
from portal.notify.links import notification_target, url_for
from portal.notify.models import Notification, OutboxMessage, Webhook
from portal.notify.unsubscribe import unsubscribe_url
from portal.timeutil import isoformat

log = logging.getLogger(__name__)


# Every text here is written to its recipient: built inside `writing_to(user)`, so in their
# language (and times in their zone), whoever's page triggered it. The Notification row keeps
# the text as written, in the recipient's language.
SUBJECTS = {
    "status_changed": _l("Status changed: %(title)s"),
    "official_response": _l("Official response: %(title)s"),
    "reply": _l("New reply on: %(title)s"),
    "mention": _l("You were mentioned on: %(title)s"),
    "moderated": _l("A moderator acted on your post: %(title)s"),
    "item_shipped": _l("Shipped: %(title)s"),
    "assigned": _l("Assigned to you: %(title)s"),
    "answer_due": _l("Answer due soon: %(title)s"),
    "answer_overdue": _l("Answer overdue: %(title)s"),
    "supplier_approved": "%(title)s",
    "supplier_rejected": "%(title)s",
}

# What a notification says: plain text (someone's own words), or a function of its
# recipient that writes it in their language (called inside `writing_to`).
Text = str | Callable[[User], str]


def subject_line(event: str, title: str) -> str:
    return str(SUBJECTS[event]) % {"title": title}


class _Written:
    """A text written once per language and time zone, however many people read it."""

    def __init__(self, text: Text):
        self._text = text
        self._done: dict[tuple[str, str], str] = {}

    def __call__(self, user: User) -> str:
        if not callable(self._text):
            return self._text
        key = (language_of(user), zone_of(user))
        if key not in self._done:
            self._done[key] = self._text(user)
        return self._done[key]


def _followers(idea: Idea) -> list[User]:
    return list(
        db.session.scalars(
            select(User).join(Follow, Follow.user_id == User.id).where(Follow.idea_id == idea.id)
        )
    )


def _may_hear_about(user: User, idea: Idea, comment=None, own_post=False) -> bool:
    if user.erased_at is not None:  # nobody is there to hear of it (SPEC 15)
        return False
    if own_post and idea.author_id == user.id:
        # What happened to one's own idea, in words that quote none of it (a removed idea's
        # title is gone too): told even when they may no longer read it.
        return access.can_see_idea(user, idea)
    return access.can_read(user, idea) and (comment is None or access.can_read(user, comment))


def notify(recipients, event: str, idea: Idea, message: Text, actor=None, item=None,
           comment=None, own_post=False, told: set[int] | None = None) -> int:  # fmt: skip
    """One notification per recipient who may read `idea` (and the `comment` the message
    quotes), not the actor; e-mails queued. `own_post`: the recipients are told about their
    own post (moderation), which they hear of even when they may no longer read it.
    `told`: the ids of people already told about the same event (one comment, one step of an
    item), skipped and added to, so that each hears of it once."""
    sent = 0
    seen = told if told is not None else set()
    written = _Written(message)
    for user in recipients:
        if user is None or user.id in seen or (actor is not None and user.id == actor.id):
            continue
        if not _may_hear_about(user, idea, comment, own_post):
            continue
        seen.add(user.id)
        with writing_to(user):
            text = written(user)
            note = Notification(
                user_id=user.id, event=event, idea_id=idea.id, item_id=item.id if item else None,
                comment_id=comment.id if comment is not None else None,
                title=idea.title, message=text,
            )  # fmt: skip
            db.session.add(note)
            if user.email_preference == "instant":
                reply_to = None
                if not own_post and access.comment_refusal(user, idea) is None:
                    reply_to = reply_address(user.id, idea.id, comment.id if comment else None)
                body = _email_body(user, idea, text, comment, replyable=reply_to is not None)
                queue_email(user, subject_line(event, idea.title), body, reply_to=reply_to)
        sent += 1
    return sent


def note_target(note: Notification) -> tuple[str, dict, str]:
    """Where a notification leads, as (endpoint, values, anchor): the comment itself when it
    is about one, else its idea, item, intake message or the reader's account."""
    endpoint, values = notification_target(note)
    anchor = f"#comment-{note.comment_id}" if note.idea_id and note.comment_id else ""
    if note.idea_id and note.staff_note_id:
        anchor = f"#note-{note.staff_note_id}"
    return endpoint, values, anchor


def note_url(note: Notification) -> str:
    """The absolute link of an e-mail to where the notification leads."""
    endpoint, values, anchor = note_target(note)
    return url_for(endpoint, **values) + anchor


def hello(user) -> str:
    name = getattr(user, "display_name", "")
    return _("Hello %(name)s,", name=name) if name else _("Hello,")


def _change_how_often() -> str:
    return _("Change how often we write: %(url)s", url=url_for("accounts.account", _external=True))


def _unsubscribe(user: User) -> str:
    return _("Unsubscribe from all e-mail: %(url)s", url=unsubscribe_url(user))


def _email_body(user: User, idea: Idea, message: str, comment=None, replyable=False) -> str:
    link = url_for("ideas.detail", idea_id=idea.id, _external=True)
    link += f"#comment-{comment.id}" if comment is not None else ""
    reply = ""
    if replyable:
        reply = _("Reply to this e-mail to comment (above the quoted text).") + "\n"
    quoted = _("“%(title)s”", title=idea.title)
    why = _("You get this because you follow this idea or were mentioned.")
    return (
        f"{hello(user)}\n\n{message}\n\n{quoted}\n{link}\n{reply}\n{why}\n"
        f"{_change_how_often()}\n{_unsubscribe(user)}\n"
    )


def queue_email(user: User, subject: str, body: str, reply_to: str | None = None) -> None:
    """Queue an e-mail to `user`; the subject is made one line (titles may hold line breaks).
    `reply_to`: a signed reply address, so an answer by e-mail becomes a comment."""
    if user.erased_at is not None:
        return
    headers = {
        "List-Unsubscribe": f"<{unsubscribe_url(user)}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        # Sent by the portal, not a person: auto-responders must not answer (RFC 3834), or
        # an out-of-office reply to the Reply-To address would come back as a comment.
        "Auto-Submitted": "auto-generated",
        "X-Auto-Response-Suppress": "All",
    }
    if reply_to:
        headers["Reply-To"] = reply_to
    db.session.add(
        OutboxMessage(
            kind="email",
            recipient=user.email,
            subject=one_line(subject),
            body=body,
            headers=json.dumps(headers),
        )  # fmt: skip
    )
    events.note(db.session, events.outbox_queued)


def digest_body(user: User, notifications: list[Notification]) -> str:
    """Inside `writing_to(user)`: the notifications were written in their language already."""
    lines = [hello(user), "", _("Here is what happened since your last digest:"), ""]
    for note in notifications:
        first_line = note.message.splitlines()[0] if note.message else ""
        lines += [f"- {one_line(note.title)}: {first_line}", f"  {note_url(note)}"]
    lines += ["", _("All notifications: %(url)s", url=url_for("notify.centre", _external=True)),
              _unsubscribe(user)]  # fmt: skip
    return "\n".join(lines) + "\n"


# -- the events ------------------------------------------------------------------------------


def idea_status_changed(actor, idea: Idea, note: str | None, told: set[int] | None = None) -> None:
    """`told`: shared by the ideas of one item's step, so a follower of several hears once."""
    status = STATUS_LABELS.get(idea.status, idea.status)

    def message(reader) -> str:
        text = _("%(name)s set the status to “%(status)s”.", name=actor.display_name,
                 status=str(status))  # fmt: skip
        return text + (f"\n\n{note}" if note else "")

    notify(_followers(idea), "status_changed", idea, message, actor, told=told)
    idea_webhook("idea.status_changed", idea)


def official_response(actor, idea: Idea, comment, told: set[int] | None = None) -> None:
    quoted = plain_text(comment.body)  # once for all its readers

    def message(reader) -> str:
        return _("%(name)s answered officially:", name=actor.display_name) + f"\n\n{quoted}"

    notify(_followers(idea), "official_response", idea, message, actor, comment=comment,
           told=told)  # fmt: skip


def comment_posted(actor, idea: Idea, comment, parent, mentioned: list[User]) -> None:
    """Each person hears of a comment once: as the reply to them, else as the official
    answer to an idea they follow, else as a mention."""
    told: set[int] = set()
    quoted = plain_text(comment.body)
    if parent is not None and not parent.is_deleted:
        notify([parent.author], "reply", idea,
               lambda reader: _("%(name)s replied:", name=actor.display_name) + f"\n\n{quoted}",
               actor, comment=comment, told=told)  # fmt: skip
    if comment.official:
        official_response(actor, idea, comment, told)
    if mentioned:
        notify(mentioned, "mention", idea, mention_text(actor, quoted), actor, comment=comment,
               told=told)  # fmt: skip
    comment_webhook(idea, comment)


def mention_text(actor, quoted: str) -> Callable[[User], str]:
    """ "… mentioned you:" and the comment's plain text (rendered once, by the caller)."""
    return lambda reader: _("%(name)s mentioned you:", name=actor.display_name) + f"\n\n{quoted}"


MODERATED = {
    "hide": _l("A moderator hid your post. Reason: %(reason)s"),
    "restore": _l("A moderator restored your post. Reason: %(reason)s"),
    "lock": _l("A moderator locked your idea: no more votes or comments. Reason: %(reason)s"),
    "unlock": _l("A moderator unlocked your idea. Reason: %(reason)s"),
    "merge": _l("A moderator merged your idea into another one. Reason: %(reason)s"),
    "edit": _l("A moderator edited your post. Reason: %(reason)s"),
    "delete": _l("A moderator removed your post. Reason: %(reason)s"),
}
MODERATED_OTHERWISE = _l("A moderator acted on your post. Reason: %(reason)s")


def moderated(actor, author: User, idea: Idea, action: str, reason: str) -> None:
    template = MODERATED.get(action, MODERATED_OTHERWISE)
    notify([author], "moderated", idea, lambda reader: str(template) % {"reason": reason}, actor,
           own_post=True)  # fmt: skip


def held_for_review(author: User, idea: Idea, target_type: str, count: int) -> None:
    """Enough people flagged the author's post that it waits, hidden, for a moderator."""

    def message(reader) -> str:
        if target_type == "idea":
            held = _("Your idea is held for review: %(count)s people flagged it.", count=count)
        else:
            held = _("Your comment is held for review: %(count)s people flagged it.", count=count)
        return held + " " + _("A moderator will look at it soon and restore it if the flags "
                              "were wrong; you can also appeal from its page.")  # fmt: skip

    notify([author], "moderated", idea, message, own_post=True)


def item_shipped(actor, item, idea: Idea, note: str | None = None,
                 told: set[int] | None = None) -> None:  # fmt: skip
    """Followers of a linked idea hear about that idea: nothing about the item's other ideas.
    `note`: the staff note, when it may be shown to whoever may see the idea."""

    def message(reader) -> str:
        text = _("Shipped! The improvement that answers this idea is done.")
        return text + (f"\n\n{note}" if note else "")

    notify(_followers(idea), "item_shipped", idea, message, actor, item=item, told=told)


# -- one's own account ------------------------------------------------------------------------


def account_notice(user: User, event: str, title: Text, message: Text) -> None:
    """Tell `user` about their own account (a supplier approved or rejected): in the portal,
    and by e-mail as they chose (at once, in the daily digest, or not at all)."""
    with writing_to(user):
        title, message = _Written(title)(user), _Written(message)(user)
        db.session.add(
            Notification(user_id=user.id, event=event, title=title[:150], message=message)
        )
        if user.email_preference == "instant":
            account = _("Your account: %(url)s", url=url_for("accounts.account", _external=True))
            body = (
                f"{hello(user)}\n\n{message}\n\n{url_for('ideas.index', _external=True)}\n\n"
                f"{account}\n{_unsubscribe(user)}\n"
            )
            queue_email(user, subject_line(event, title), body)


def supplier_approved(actor, user: User) -> None:
    def message(reader) -> str:
        org = user.organization.name if user.organization else _("your organization")
        return _("%(name)s approved your account as a supplier of %(org)s. You now see and take "
                 "part in what is shared with suppliers, and may mark your ideas confidential "
                 "(only %(org)s and our staff see those).", name=actor.display_name,
                 org=org)  # fmt: skip

    account_notice(user, "supplier_approved",
                   lambda reader: _("Your supplier account is approved"), message)  # fmt: skip


def supplier_rejected(actor, user: User, org_name: str, reason: str) -> None:
    def message(reader) -> str:
        text = _("Your request to take part as a supplier of %(org)s was not approved.",
                 org=org_name)  # fmt: skip
        if reason:
            text += " " + _("The reason given: %(reason)s", reason=reason)
        return text + " " + _("Your account stays open as a customer account: you can read, "
                              "post, vote and comment as a customer.")  # fmt: skip

    account_notice(user, "supplier_rejected",
                   lambda reader: _("Your supplier request was not approved"),
                   message)  # fmt: skip


# -- staff work: assignment and answer targets (SPEC 13) -------------------------------------


def _work_link(idea: Idea | None, message) -> str:
    if idea is not None:
        return url_for("ideas.detail", idea_id=idea.id, _external=True)
    return url_for("intake.message", message_id=message.id, _external=True)


def staff_notice(recipients, event: str, text: Text, *, idea: Idea | None = None,
                 message=None, actor=None) -> int:  # fmt: skip
    """Tell staff about work on an idea (those who may read it) or an intake message (staff
    only); one notification each, e-mailed to those who want mail at once."""
    written = _Written(text)
    sent, seen = 0, set()
    for user in recipients:
        if user is None or user.id in seen or (actor is not None and user.id == actor.id):
            continue
        seen.add(user.id)
        if user.erased_at is not None:
            continue
        if idea is not None and not access.can_read(user, idea):
            continue
        if message is not None and not access.can_see_intake(user):
            continue
        with writing_to(user):
            if idea is not None:
                title = idea.title
            else:
                title = message.subject or _("Message #%(id)s", id=message.id)
            said = written(user)
            db.session.add(Notification(
                user_id=user.id, event=event, idea_id=idea.id if idea is not None else None,
                intake_message_id=message.id if message is not None else None,
                title=title[:150], message=said,
            ))  # fmt: skip
            if user.email_preference == "instant":
                link = _work_link(idea, message)
                quoted = _("“%(title)s”", title=title)
                body = f"{hello(user)}\n\n{said}\n\n{quoted}\n{link}\n\n{_change_how_often()}\n"
                queue_email(user, subject_line(event, title), body)
        sent += 1
    return sent


def assigned(actor, assignee: User, *, idea: Idea | None = None, message=None) -> None:

    def text(reader) -> str:
        if actor is None:
            if idea is not None:
                return _("You were given an idea to answer.")
            return _("You were given a message to answer.")
        if idea is not None:
            return _("%(name)s gave you an idea to answer.", name=actor.display_name)
        return _("%(name)s gave you a message to answer.", name=actor.display_name)

    staff_notice([assignee], "assigned", text, idea=idea, message=message, actor=actor)


def reply_to_sender(actor, address: str, name: str, subject: Text, body: str,
                    sender: User | None = None) -> None:  # fmt: skip
    """A staff member's answer to someone who wrote in: in the language of their account
    (`sender`), else the portal's default (someone without an account)."""
    with writing_to(sender):
        greeting = _("Hello %(name)s,", name=name) if name else _("Hello,")
        link = url_for("ideas.index", _external=True)
        text = f"{greeting}\n\n{body}\n\n{actor.display_name}\n{link}\n"
        written = subject(sender) if callable(subject) else subject
    db.session.add(OutboxMessage(kind="email", recipient=address, subject=one_line(written),
                                 body=text, headers="{}"))  # fmt: skip
    events.note(db.session, events.outbox_queued)


def staff_note_mention(actor, idea: Idea, note, mentioned: list[User]) -> int:
    """Staff named in a staff note hear of it: in the portal, and by e-mail as they chose.
    Only those who may see the idea's notes (the service chose them; asked again here). The
    e-mail has no reply address: an answer by e-mail would become a public comment."""
    sent = 0
    quoted = plain_text(note.body)  # once for all its readers
    for user in mentioned:
        if user.erased_at is not None or not access.can_see_staff_notes(user, idea):
            continue
        with writing_to(user):
            text = _("%(name)s mentioned you in a staff note:", name=actor.display_name)
            text += f"\n\n{quoted}"
            db.session.add(Notification(
                user_id=user.id, event="mention", idea_id=idea.id, staff_note_id=note.id,
                title=idea.title[:150], message=text,
            ))  # fmt: skip
            if user.email_preference == "instant":
                link = url_for("ideas.detail", idea_id=idea.id, _external=True)
                link += f"#note-{note.id}"
                only_staff = _("A staff note: only staff see it, never the people who wrote "
                               "the idea.")  # fmt: skip
                quoted_title = _("“%(title)s”", title=idea.title)
                body = (
                    f"{hello(user)}\n\n{text}\n\n{quoted_title}\n{link}\n\n{only_staff}\n"
                    f"{_change_how_often()}\n{_unsubscribe(user)}\n"
                )
                queue_email(user, subject_line("mention", idea.title), body)
        sent += 1
    return sent


# -- webhooks --------------------------------------------------------------------------------


def _publicly_visible(idea: Idea) -> bool:
    return access.can_read(None, idea) and idea.merged_into_id is None


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _emit(event: str, data: dict) -> None:
    hooks = [h for h in db.session.scalars(select(Webhook).where(Webhook.active.is_(True)))
             if event in h.event_list]  # fmt: skip
    for hook in hooks:
        body = json.dumps({"event": event, "data": data}, ensure_ascii=False, sort_keys=True)
        db.session.add(
            OutboxMessage(
                kind="webhook",
                recipient=hook.url,
                subject=event,
                body=body,
                webhook_id=hook.id,
                headers=json.dumps(
                    {
                        "X-Portal-Event": event,
                        "X-Portal-Signature": sign(hook.secret, body.encode()),
                    }
                ),
            )  # fmt: skip
        )
        events.note(db.session, events.outbox_queued)


def _idea_data(idea: Idea) -> dict:
    return {
        "id": idea.id, "title": idea.title, "kind": idea.kind, "status": idea.status,
        "category": idea.category.slug, "votes": idea.votes_count,
        "url": url_for("ideas.detail", idea_id=idea.id, _external=True),
        "created_at": isoformat(idea.created_at),
    }  # fmt: skip


def idea_webhook(event: str, idea: Idea) -> None:
    if _publicly_visible(idea):
        _emit(event, {"idea": _idea_data(idea)})


def comment_webhook(idea: Idea, comment) -> None:
    if _publicly_visible(idea) and access.can_read(None, comment):
        _emit("comment.created", {
            "idea": _idea_data(idea),
            "comment": {"id": comment.id, "body": comment.body,
                        "author": comment.author.display_name,
                        "created_at": isoformat(comment.created_at)},
        })  # fmt: skip


def item_webhook(item, previous: str | None, status: str) -> None:
    if db.session.scalar(
        select(type(item).id).where(type(item).id == item.id, access.item_visibility(None))
    ):
        _emit("item.status_changed", {
            "item": {"id": item.id, "title": item.title, "status": status, "from": previous,
                     "url": url_for("tracking.item", item_id=item.id, _external=True)},
        })  # fmt: skip


# Built statements for the header's unread count, per person and viewer class: building the
# visibility condition is most of the count's cost on every signed-in page, and it depends on
# nothing else (access.viewer_class names all that decides what a person sees).
_UNREAD_STATEMENTS = ExpiringLRU(4096)


# Where a statement the page made anyway left the count (`carry_unread`): the request's own
# environ, not `g`, which an application context spanning requests (tests, the CLI) shares.
_CARRIED = "portal.unread_count"


def unread_count(user) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    carried = request.environ.get(_CARRIED) if has_request_context() else None
    if carried is not None and carried[0] == user.id:
        return carried[1]
    return db.session.scalar(_unread_statement(user)) or 0


def unread_count_column(user):
    """The unread count as a column of a statement the page makes anyway (the reader's own
    votes on it): the header's badge then takes no statement of its own. Give the value to
    `carry_unread`."""
    return _unread_statement(user).scalar_subquery()


def carry_unread(user, count) -> None:
    """What `unread_count_column` read, for this request's `unread_count`."""
    request.environ[_CARRIED] = (user.id, int(count or 0))


def _unread_statement(user):
    return _UNREAD_STATEMENTS.get_or_put(
        (user.id, access.viewer_class(user)),
        3600,
        lambda: select(func.count(Notification.id)).where(
            Notification.user_id == user.id,
            Notification.read_at.is_(None),
            access.notification_visibility(user),
        ),
    )
