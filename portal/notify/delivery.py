"""Delivering the outbox: e-mail through Flask-Mail, webhooks over HTTP, retried with back-off.

A row is marked sent only after its delivery succeeded; a failure records the error and
schedules the next attempt, so nothing is lost while the mail server or a receiver is down.
One drainer at a time (a lock file), so two processes never send the same row.
"""

import ipaddress
import json
import logging
import socket
import urllib.error
import urllib.request
from contextvars import ContextVar
from datetime import timedelta
from urllib.parse import urlsplit

from flask import Flask, current_app
from flask_mail import Message
from sqlalchemy import select

from portal import events
from portal.database import writing
from portal.extensions import db, mail
from portal.notify.digest import send_due_digests
from portal.notify.models import OutboxMessage, Webhook
from portal.timeutil import utcnow
from portal.worker import QueueWorker

log = logging.getLogger(__name__)
BATCH = 100
MAX_ATTEMPTS = 15
TIMEOUT_SECONDS = 10


class DeliveryError(Exception):
    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        self.status = status


def url_refusal(url: str) -> str | None:
    """Why a webhook URL is refused (loopback and private addresses, unless allowed)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "Use an http:// or https:// address."
    if current_app.config.get("WEBHOOK_ALLOW_PRIVATE"):
        return None
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(parts.hostname, None)}
    except OSError:
        return None  # unresolvable now: delivery will fail and retry, nothing private reached
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%")[0])
        if ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_reserved:
            return "Webhook addresses on loopback or private networks are not allowed."
    return None


def _send_email(message: OutboxMessage) -> None:
    headers = json.loads(message.headers or "{}")
    if current_app.config.get("MAIL_BACKEND") == "log":
        log.info("e-mail to %s: %s\n%s", message.recipient, message.subject, message.body)
        return
    mail.send(
        Message(
            subject=message.subject,
            recipients=[message.recipient],
            body=message.body,
            extra_headers=headers,
        )  # fmt: skip
    )


def _send_webhook(message: OutboxMessage) -> int:
    hook = db.session.get(Webhook, message.webhook_id) if message.webhook_id else None
    if hook is None or not hook.active:
        raise DeliveryError("The webhook was deactivated.")
    refusal = url_refusal(message.recipient)
    if refusal:
        raise DeliveryError(refusal)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "portal-webhooks/1",
        # Receivers can drop a repeat: a delivery whose answer was lost is sent again.
        "X-Portal-Delivery": str(message.id),
        **json.loads(message.headers or "{}"),
    }
    request = urllib.request.Request(
        message.recipient, data=message.body.encode(), headers=headers, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            return response.status
    except urllib.error.HTTPError as error:
        raise DeliveryError(f"HTTP {error.code}", error.code) from None
    except (urllib.error.URLError, OSError) as error:
        raise DeliveryError(str(getattr(error, "reason", error))) from None


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
        message.last_error = str(error)[:2000]
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


# Set while this thread drains: the digests it queues are sent by the same drain, and waking
# a sender then would wait forever on the one-drainer lock this thread holds.
_draining: ContextVar[bool] = ContextVar("portal_outbox_draining", default=False)


def drain() -> int:
    """Deliver every message that is due, then any daily digests that are due."""
    done = 0
    token = _draining.set(True)
    try:
        with writing():
            while True:
                due = list(
                    db.session.scalars(
                        select(OutboxMessage)
                        .where(
                            OutboxMessage.sent_at.is_(None),
                            OutboxMessage.failed_at.is_(None),
                            OutboxMessage.next_attempt_at <= utcnow(),
                        )
                        .order_by(OutboxMessage.id)
                        .limit(BATCH)
                    )
                )
                if not due:
                    queued = send_due_digests()
                    db.session.commit()
                    if not queued:
                        break
                    continue  # deliver the digests just queued in this same drain
                for message in due:
                    deliver(message)
                    db.session.commit()  # each outcome is kept before the next attempt
                    done += 1
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
