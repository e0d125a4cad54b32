"""Delivering the outbox: e-mail through Flask-Mail, webhooks over HTTP, retried with back-off.

A row is marked sent only after its delivery succeeded; a failure records the error and
schedules the next attempt, so nothing is lost while the mail server or a receiver is down.

Several hosts drain the one outbox table, each with its own senders. A sender first claims a
few due rows in one short transaction (`FOR UPDATE SKIP LOCKED` on PostgreSQL, the write lock
on SQLite): it writes its name and a lease end on them, and no other sender takes a row whose
lease runs. It then sends each row and records the outcome only while the row is still its
own. A sender that dies mid-send leaves its rows claimed until the lease is over; another
sender then takes them. Every network call has a timeout far shorter than the lease, and no
row is sent once its lease is nearly over, so a live sender never sends a row another one
has taken. (A sender that dies after a receiver accepted a message but before it recorded
that, sends it again after the lease: webhooks carry `X-Portal-Delivery` for receivers to
drop such repeats.)
"""

import http.client
import json
import logging
import os
import smtplib
import socket
import uuid
from contextvars import ContextVar
from datetime import timedelta

from flask import Flask, current_app
from flask_mail import Connection, Message
from sqlalchemy import or_, select, update

from portal import events
from portal.database import writing
from portal.extensions import db
from portal.notify.digest import send_due_digests
from portal.notify.headers import one_line
from portal.notify.models import OutboxMessage, Webhook
from portal.notify.webhook_http import RefusedURL, checked_target, post
from portal.routing.deadlines import notify_deadlines
from portal.timeutil import utcnow
from portal.worker import QueueWorker

log = logging.getLogger(__name__)
BATCH = 10  # rows claimed at once
MAX_ATTEMPTS = 15
TIMEOUT_SECONDS = 10  # each network operation of one delivery
LEASE_SECONDS = 300  # how long a claim keeps other senders off a row
# No row is sent with less of its lease left than this: a send (connect, TLS, data, each
# with TIMEOUT_SECONDS) ends well within it.
LEASE_MARGIN_SECONDS = 120


class DeliveryError(Exception):
    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        self.status = status


class _BoundedConnection(Connection):
    """Flask-Mail's SMTP connection with a timeout (it has none): a stalled mail server must
    not hold a claimed row past its lease."""

    def configure_host(self) -> smtplib.SMTP:
        state = self.mail
        smtp_class = smtplib.SMTP_SSL if state.use_ssl else smtplib.SMTP
        host = smtp_class(state.server, state.port, timeout=TIMEOUT_SECONDS)
        host.set_debuglevel(int(state.debug))
        if state.use_tls:
            host.starttls()
        if state.username and state.password:
            host.login(state.username, state.password)
        return host


def _send_email(message: OutboxMessage) -> None:
    # Header values are made one line here too: a row queued before subjects were flattened,
    # or a header from elsewhere, must not fail every attempt (Flask-Mail refuses line breaks).
    headers = {name: one_line(value, 2000) for name, value in
               json.loads(message.headers or "{}").items()}  # fmt: skip
    subject = one_line(message.subject)
    if current_app.config.get("MAIL_BACKEND") == "log":
        log.info("e-mail to %s: %s\n%s", message.recipient, subject, message.body)
        return
    email = Message(
        subject=subject,
        recipients=[message.recipient],
        body=message.body,
        extra_headers=headers,
    )
    with _BoundedConnection(current_app.extensions["mail"]) as connection:
        connection.send(email)


def _send_webhook(message: OutboxMessage) -> int:
    hook = db.session.get(Webhook, message.webhook_id) if message.webhook_id else None
    if hook is None or not hook.active:
        raise DeliveryError("The webhook was deactivated.")
    try:
        # Resolved and checked now, at each attempt: the connection goes to these addresses.
        target = checked_target(message.recipient)
    except RefusedURL as refusal:
        raise DeliveryError(str(refusal)) from None
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "portal-webhooks/1",
        # Receivers can drop a repeat: a delivery whose answer was lost is sent again.
        "X-Portal-Delivery": str(message.id),
        **json.loads(message.headers or "{}"),
    }
    try:
        status = post(target, message.body.encode(), headers, TIMEOUT_SECONDS)
    except (OSError, http.client.HTTPException, ValueError) as error:
        raise DeliveryError(str(error) or type(error).__name__) from None
    if 300 <= status < 400:
        # Never followed: a redirect could lead anywhere, past the address check.
        raise DeliveryError(f"HTTP {status}: redirects are not followed", status)
    if not 200 <= status < 300:
        raise DeliveryError(f"HTTP {status}", status)
    return status


def deliver(message: OutboxMessage) -> None:
    """One attempt; the row records the outcome."""
    now = utcnow()
    message.attempts += 1
    try:
        if message.kind == "email":
            _send_email(message)
        else:
            message.last_status = _send_webhook(message)
    except Exception as error:  # any failure: keep it for a later attempt
        # Some errors (Flask-Mail's BadHeaderError) have no message: name them at least.
        message.last_error = (str(error) or type(error).__name__)[:2000]
        if isinstance(error, DeliveryError) and error.status:
            message.last_status = error.status
        if message.attempts >= MAX_ATTEMPTS:
            message.failed_at = now
        else:
            delay = min(30 * 2 ** (message.attempts - 1), 6 * 3600)
            message.next_attempt_at = now + timedelta(seconds=delay)
        log.warning("outbox %s to %s failed (attempt %s): %s", message.id, message.recipient,
                    message.attempts, error)  # fmt: skip
        return
    message.sent_at = now
    message.last_error = None


def _sender_name() -> str:
    """Who claims: host, process and this drain (unique, readable in the table)."""
    return f"{socket.gethostname()[:60]}/{os.getpid()}/{uuid.uuid4().hex[:12]}"


def _claim(sender: str) -> list[int]:
    """Claim up to BATCH due rows that no live claim holds; commit the claim at once."""
    now = utcnow()
    ids = list(
        db.session.scalars(
            select(OutboxMessage.id)
            .where(
                OutboxMessage.sent_at.is_(None),
                OutboxMessage.failed_at.is_(None),
                OutboxMessage.next_attempt_at <= now,
                or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now),
            )
            .order_by(OutboxMessage.id)
            .limit(BATCH)
            # Rows another sender is claiming right now are skipped, not waited for; once
            # it committed, PostgreSQL rechecks the lease condition on the row it locks.
            .with_for_update(skip_locked=True)
        )
    )
    if ids:
        db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(ids))
            .values(claimed_by=sender, claimed_until=now + timedelta(seconds=LEASE_SECONDS))
        )
    db.session.commit()
    return ids


def _still_mine(message_id: int, sender: str) -> bool:
    """Lock the row and check that the claim is still this sender's."""
    owner = db.session.scalar(
        select(OutboxMessage.claimed_by).where(OutboxMessage.id == message_id).with_for_update()
    )
    return owner == sender


def _send_claimed(message_id: int, sender: str) -> bool:
    """Send one claimed row and record the outcome; False when it was not sent."""
    message = db.session.get(OutboxMessage, message_id, populate_existing=True)
    if (
        message is None
        or message.claimed_by != sender
        or message.sent_at is not None
        or message.failed_at is not None
    ):
        db.session.rollback()
        return False
    left = (message.claimed_until - utcnow()).total_seconds()
    if left < LEASE_MARGIN_SECONDS:  # too late to send safely: let the claim run out
        db.session.rollback()
        return False
    deliver(message)
    if not _still_mine(message_id, sender):  # cannot happen within the lease; never clobber
        log.error("outbox %s: claim lost while sending; the outcome is dropped", message_id)
        db.session.rollback()
        return False
    message.claimed_until = None  # claimed_by stays: who made the last attempt
    db.session.commit()  # each outcome is kept before the next attempt
    return True


# Set while this thread drains: the digests it queues are sent by the same drain, and waking
# a sender then would wait forever on the one-drainer lock this thread holds.
_draining: ContextVar[bool] = ContextVar("portal_outbox_draining", default=False)


def drain() -> int:
    """Deliver every message that is due, then any daily digests that are due.

    Safe to run on any number of hosts at once: each row is claimed before it is sent.
    """
    done = 0
    sender = _sender_name()
    token = _draining.set(True)
    try:
        with writing():
            while True:
                claimed = _claim(sender)
                if not claimed:
                    queued = send_due_digests()
                    db.session.commit()
                    # Answer targets: due and overdue notices, each claimed once (their
                    # e-mails are then delivered by this same drain).
                    queued += notify_deadlines()
                    if not queued:
                        break
                    continue  # deliver the digests just queued in this same drain
                for message_id in claimed:
                    done += _send_claimed(message_id, sender)
    finally:
        _draining.reset(token)
    return done


def outbox_worker(app: Flask, lock_path: str) -> QueueWorker:
    return QueueWorker(app, "outbox-sender", lock_path, drain, poll_seconds=5.0)


@events.outbox_queued.connect
def _wake_current_sender(_session) -> None:
    from flask import has_app_context

    if has_app_context() and not _draining.get():
        worker = current_app.extensions.get("outbox_worker")
        if worker is not None:
            worker.wake()
