"""The IMAP poller (SPEC 12): new mail in `INTAKE_IMAP_URL` becomes intake messages.

One poller at a time across workers and hosts: a lease row in the database (`mailbox_poll`)
is claimed with a conditional UPDATE before the mailbox is opened, and given back after. Each
message is its own transaction, then marked \\Seen; a message fetched again (a poller that
died between its commit and the flag) is still one message, because its Message-ID is
unique. A message whose handling fails is logged and flagged too, so it cannot block the
mailbox; it stays there for a person to look at.
"""

import logging
import os
import socket
from dataclasses import dataclass, field
from datetime import timedelta

from flask import Flask, current_app
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from portal.database import writing
from portal.extensions import db
from portal.intake.email_channel import MailOutcome, receive_mail
from portal.intake.imap import ImapError, Mailbox
from portal.intake.models import MailboxPoll
from portal.timeutil import utcnow
from portal.worker import QueueWorker

log = logging.getLogger(__name__)

LEASE_NAME = "imap"
LEASE_SECONDS = 300
BATCH = 100


@dataclass
class PollResult:
    polled: bool
    outcomes: list[MailOutcome] = field(default_factory=list)
    failed: int = 0


def _holder() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _claim(holder: str) -> bool:
    now = utcnow()
    with writing():
        try:
            with db.session.begin_nested():
                db.session.add(MailboxPoll(name=LEASE_NAME, fetched=0))
        except IntegrityError:
            pass
        claimed = db.session.execute(
            update(MailboxPoll)
            .where(MailboxPoll.name == LEASE_NAME,
                   (MailboxPoll.claimed_until.is_(None)) | (MailboxPoll.claimed_until < now))
            .values(claimed_by=holder, claimed_until=now + timedelta(seconds=LEASE_SECONDS))
            .execution_options(synchronize_session=False)
        ).rowcount == 1  # fmt: skip
        db.session.commit()
    return claimed


def _renew(holder: str) -> bool:
    """Extend this poller's lease; False when it is no longer this poller's."""
    with writing():
        renewed = db.session.execute(
            update(MailboxPoll)
            .where(MailboxPoll.name == LEASE_NAME, MailboxPoll.claimed_by == holder,
                   MailboxPoll.claimed_until >= utcnow())
            .values(claimed_until=utcnow() + timedelta(seconds=LEASE_SECONDS))
            .execution_options(synchronize_session=False)
        ).rowcount == 1  # fmt: skip
        db.session.commit()
    return renewed


def _release(holder: str, fetched: int, error: str | None) -> None:
    with writing():
        db.session.execute(
            update(MailboxPoll)
            .where(MailboxPoll.name == LEASE_NAME, MailboxPoll.claimed_by == holder)
            .values(claimed_until=None, last_polled_at=utcnow(), last_error=error,
                    fetched=MailboxPoll.fetched + fetched)
            .execution_options(synchronize_session=False)
        )  # fmt: skip
        db.session.commit()


def poll_once(url: str | None = None, limit: int = BATCH) -> PollResult:
    """Fetch and take the mailbox's unseen mail, unless another poller holds the lease."""
    url = url or current_app.config.get("INTAKE_IMAP_URL")
    if not url:
        raise ImapError("INTAKE_IMAP_URL is not set.")
    holder = _holder()
    if not _claim(holder):
        return PollResult(polled=False)
    result, error = PollResult(polled=True), None
    max_bytes = current_app.config["INTAKE_MAIL_MAX_BYTES"]
    try:
        with Mailbox(url) as mailbox:
            # One message at a time, each checked for size first, and the lease renewed as
            # it goes: a slow batch never lets another host take the same mail meanwhile.
            for uid in mailbox.unseen_uids(limit):
                if not _renew(holder):
                    log.warning("intake: IMAP lease lost; stopping this poll")
                    break
                size = mailbox.size(uid)
                raw = mailbox.fetch(uid) if size is None or size <= max_bytes else None
                if raw is None or len(raw) > max_bytes:
                    log.warning("intake: IMAP message %s is larger than %s bytes (or gone); "
                                "left in the mailbox, flagged", uid, max_bytes)  # fmt: skip
                    result.failed += 1
                    mailbox.mark_seen(uid)
                    continue
                try:
                    with writing():
                        result.outcomes.append(receive_mail(raw))
                        db.session.commit()
                except Exception:
                    db.session.rollback()
                    result.failed += 1
                    log.exception("intake: IMAP message %s could not be taken; left flagged", uid)
                mailbox.mark_seen(uid)
    except ImapError as failure:
        error = str(failure)
        raise
    finally:
        _release(holder, len(result.outcomes), error)
    if result.outcomes or result.failed:
        log.info("intake: %s e-mails taken from IMAP (%s failed)", len(result.outcomes),
                 result.failed)  # fmt: skip
    return result


def _poll_quietly() -> int:
    try:
        return len(poll_once().outcomes)
    except ImapError as error:
        log.warning("intake: IMAP poll failed: %s", error)
        return 0


def imap_worker(app: Flask, lock_path: str) -> QueueWorker:
    """Web processes poll by themselves when INTAKE_IMAP_URL is set (one host at a time)."""
    seconds = float(app.config.get("INTAKE_IMAP_POLL_SECONDS", 60))
    return QueueWorker(app, "intake-imap", lock_path, _poll_quietly, poll_seconds=seconds)
