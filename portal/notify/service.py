"""Who hears about what: notifications (and their e-mails and webhooks) in the event's transaction.

Nobody is told about something they may not see: every recipient is checked with `access`,
and webhooks carry only what an anonymous visitor may see.
"""

import hashlib
import hmac
import json
import logging

from sqlalchemy import select

from portal import access, events
from portal.accounts.models import User
from portal.extensions import db
from portal.ideas.models import Follow, Idea
from portal.intake.reply_tokens import reply_address
from portal.markdown import plain_text
from portal.notify.headers import one_line
from portal.notify.links import notification_target, url_for
from portal.notify.models import Notification, OutboxMessage, Webhook
from portal.notify.unsubscribe import unsubscribe_url
from portal.timeutil import isoformat

log = logging.getLogger(__name__)


SUBJECTS = {
    "status_changed": "Status changed: {title}",
    "official_response": "Official response: {title}",
    "reply": "New reply on: {title}",
    "mention": "You were mentioned on: {title}",
    "moderated": "A moderator acted on your post: {title}",
    "item_shipped": "Shipped: {title}",
    "assigned": "Assigned to you: {title}",
    "answer_due": "Answer due soon: {title}",
    "answer_overdue": "Answer overdue: {title}",
    "supplier_approved": "{title}",
    "supplier_rejected": "{title}",
}


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


def notify(recipients, event: str, idea: Idea, message: str, actor=None, item=None,
           comment=None, own_post=False, told: set[int] | None = None) -> int:  # fmt: skip
    """One notification per recipient who may read `idea` (and the `comment` the message
    quotes), not the actor; e-mails queued. `own_post`: the recipients are told about their
    own post (moderation), which they hear of even when they may no longer read it.
    `told`: the ids of people already told about the same event (one comment, one step of an
    item), skipped and added to, so that each hears of it once."""
    sent = 0
    seen = told if told is not None else set()
    for user in recipients:
        if user is None or user.id in seen or (actor is not None and user.id == actor.id):
            continue
        if not _may_hear_about(user, idea, comment, own_post):
            continue
        seen.add(user.id)
        note = Notification(
            user_id=user.id, event=event, idea_id=idea.id, item_id=item.id if item else None,
            comment_id=comment.id if comment is not None else None,
            title=idea.title, message=message,
        )  # fmt: skip
        db.session.add(note)
        if user.email_preference == "instant":
            subject = SUBJECTS[event].format(title=idea.title)
            reply_to = None
            if not own_post and access.comment_refusal(user, idea) is None:
                reply_to = reply_address(user.id, idea.id, comment.id if comment else None)
            body = _email_body(user, idea, message, comment, replyable=reply_to is not None)
            queue_email(user, subject, body, reply_to=reply_to)
        sent += 1
    return sent


def note_target(note: Notification) -> tuple[str, dict, str]:
    """Where a notification leads, as (endpoint, values, anchor): the comment itself when it
    is about one, else its idea, item, intake message or the reader's account."""
    endpoint, values = notification_target(note)
    anchor = f"#comment-{note.comment_id}" if note.idea_id and note.comment_id else ""
    return endpoint, values, anchor


def note_url(note: Notification) -> str:
    """The absolute link of an e-mail to where the notification leads."""
    endpoint, values, anchor = note_target(note)
    return url_for(endpoint, **values) + anchor


def _email_body(user: User, idea: Idea, message: str, comment=None, replyable=False) -> str:
    link = url_for("ideas.detail", idea_id=idea.id, _external=True)
    link += f"#comment-{comment.id}" if comment is not None else ""
    reply = "Reply to this e-mail to comment (above the quoted text).\n" if replyable else ""
    return (
        f"Hello {user.display_name},\n\n{message}\n\n“{idea.title}”\n{link}\n{reply}\n"
        f"You get this because you follow this idea or were mentioned.\n"
        f"Change how often we write: {url_for('accounts.account', _external=True)}\n"
        f"Unsubscribe from all e-mail: {unsubscribe_url(user)}\n"
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
    lines = [f"Hello {user.display_name},", "", "Here is what happened since your last digest:", ""]
    for note in notifications:
        first_line = note.message.splitlines()[0] if note.message else ""
        lines += [f"- {one_line(note.title)}: {first_line}", f"  {note_url(note)}"]
    lines += ["", f"All notifications: {url_for('notify.centre', _external=True)}",
              f"Unsubscribe from all e-mail: {unsubscribe_url(user)}"]  # fmt: skip
    return "\n".join(lines) + "\n"


# -- the events ------------------------------------------------------------------------------


def idea_status_changed(actor, idea: Idea, note: str | None, told: set[int] | None = None) -> None:
    """`told`: shared by the ideas of one item's step, so a follower of several hears once."""
    label = idea.status.replace("_", " ")
    message = f"{actor.display_name} set the status to {label}." + (f"\n\n{note}" if note else "")
    notify(_followers(idea), "status_changed", idea, message, actor, told=told)
    idea_webhook("idea.status_changed", idea)


def official_response(actor, idea: Idea, comment, told: set[int] | None = None) -> None:
    message = f"{actor.display_name} answered officially:\n\n{plain_text(comment.body)}"
    notify(_followers(idea), "official_response", idea, message, actor, comment=comment,
           told=told)  # fmt: skip


def comment_posted(actor, idea: Idea, comment, parent, mentioned: list[User]) -> None:
    """Each person hears of a comment once: as the reply to them, else as the official
    answer to an idea they follow, else as a mention."""
    told: set[int] = set()
    if parent is not None and not parent.is_deleted:
        message = f"{actor.display_name} replied:\n\n{plain_text(comment.body)}"
        notify([parent.author], "reply", idea, message, actor, comment=comment, told=told)
    if comment.official:
        official_response(actor, idea, comment, told)
    if mentioned:
        notify(mentioned, "mention", idea,
               f"{actor.display_name} mentioned you:\n\n{plain_text(comment.body)}", actor,
               comment=comment, told=told)  # fmt: skip
    comment_webhook(idea, comment)


MODERATED = {
    "hide": "A moderator hid your post. Reason: {reason}",
    "restore": "A moderator restored your post. Reason: {reason}",
    "lock": "A moderator locked your idea: no more votes or comments. Reason: {reason}",
    "unlock": "A moderator unlocked your idea. Reason: {reason}",
    "merge": "A moderator merged your idea into another one. Reason: {reason}",
    "edit": "A moderator edited your post. Reason: {reason}",
    "delete": "A moderator removed your post. Reason: {reason}",
}


def moderated(actor, author: User, idea: Idea, action: str, reason: str) -> None:
    message = MODERATED.get(action, "A moderator acted on your post. Reason: {reason}")
    notify([author], "moderated", idea, message.format(reason=reason), actor, own_post=True)


def held_for_review(author: User, idea: Idea, target_type: str, count: int) -> None:
    """Enough people flagged the author's post that it waits, hidden, for a moderator."""
    what = "idea" if target_type == "idea" else "comment"
    message = (
        f"Your {what} is held for review: {count} people flagged it. A moderator will look at "
        "it soon and restore it if the flags were wrong; you can also appeal from its page."
    )
    notify([author], "moderated", idea, message, own_post=True)


def item_shipped(actor, item, idea: Idea, note: str | None = None,
                 told: set[int] | None = None) -> None:  # fmt: skip
    """Followers of a linked idea hear about that idea: nothing about the item's other ideas.
    `note`: the staff note, when it may be shown to whoever may see the idea."""
    message = "Shipped! The improvement that answers this idea is done."
    message += f"\n\n{note}" if note else ""
    notify(_followers(idea), "item_shipped", idea, message, actor, item=item, told=told)


# -- one's own account ------------------------------------------------------------------------


def account_notice(user: User, event: str, title: str, message: str) -> None:
    """Tell `user` about their own account (a supplier approved or rejected): in the portal,
    and by e-mail as they chose (at once, in the daily digest, or not at all)."""
    db.session.add(Notification(user_id=user.id, event=event, title=title[:150], message=message))
    if user.email_preference == "instant":
        body = (
            f"Hello {user.display_name},\n\n{message}\n\n"
            f"{url_for('ideas.index', _external=True)}\n\n"
            f"Your account: {url_for('accounts.account', _external=True)}\n"
            f"Unsubscribe from all e-mail: {unsubscribe_url(user)}\n"
        )
        queue_email(user, SUBJECTS[event].format(title=title), body)


def supplier_approved(actor, user: User) -> None:
    org = user.organization.name if user.organization else "your organization"
    account_notice(user, "supplier_approved", "Your supplier account is approved",
                   f"{actor.display_name} approved your account as a supplier of {org}. You now "
                   f"see and take part in what is shared with suppliers, and may mark your ideas "
                   f"confidential (only {org} and our staff see those).")  # fmt: skip


def supplier_rejected(actor, user: User, org_name: str, reason: str) -> None:
    because = f" The reason given: {reason}" if reason else ""
    account_notice(user, "supplier_rejected", "Your supplier request was not approved",
                   f"Your request to take part as a supplier of {org_name} was not approved."
                   f"{because} Your account stays open as a customer account: you can read, "
                   f"post, vote and comment as a customer.")  # fmt: skip


# -- staff work: assignment and answer targets (SPEC 13) -------------------------------------


def _work_link(idea: Idea | None, message) -> str:
    if idea is not None:
        return url_for("ideas.detail", idea_id=idea.id, _external=True)
    return url_for("intake.message", message_id=message.id, _external=True)


def staff_notice(recipients, event: str, text: str, *, idea: Idea | None = None, message=None,
                 actor=None) -> int:  # fmt: skip
    """Tell staff about work on an idea (those who may read it) or an intake message (staff
    only); one notification each, e-mailed to those who want mail at once."""
    title = idea.title if idea is not None else (message.subject or f"Message #{message.id}")
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
        db.session.add(Notification(
            user_id=user.id, event=event, idea_id=idea.id if idea is not None else None,
            intake_message_id=message.id if message is not None else None,
            title=title[:150], message=text,
        ))  # fmt: skip
        if user.email_preference == "instant":
            link = _work_link(idea, message)
            body = (
                f"Hello {user.display_name},\n\n{text}\n\n“{title}”\n{link}\n\n"
                f"Change how often we write: {url_for('accounts.account', _external=True)}\n"
            )
            queue_email(user, SUBJECTS[event].format(title=title), body)
        sent += 1
    return sent


def assigned(actor, assignee: User, *, idea: Idea | None = None, message=None) -> None:
    what = "an idea" if idea is not None else "a message"
    by = f"{actor.display_name} gave you {what}" if actor is not None else f"You were given {what}"
    staff_notice([assignee], "assigned", f"{by} to answer.", idea=idea, message=message,
                 actor=actor)  # fmt: skip


def reply_to_sender(actor, address: str, name: str, subject: str, body: str) -> None:
    """A staff member's answer to someone who wrote in (who may have no account)."""
    greeting = f"Hello {name}," if name else "Hello,"
    text = (
        f"{greeting}\n\n{body}\n\n{actor.display_name}\n{url_for('ideas.index', _external=True)}\n"
    )
    db.session.add(OutboxMessage(kind="email", recipient=address, subject=one_line(subject),
                                 body=text, headers="{}"))  # fmt: skip
    events.note(db.session, events.outbox_queued)


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


def unread_count(user) -> int:
    from sqlalchemy import func

    if not getattr(user, "is_authenticated", False):
        return 0
    return (
        db.session.scalar(
            select(func.count(Notification.id)).where(
                Notification.user_id == user.id,
                Notification.read_at.is_(None),
                access.notification_visibility(user),
            )
        )
        or 0
    )
