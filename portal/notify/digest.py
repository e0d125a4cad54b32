"""The daily digest: one e-mail a day with what a `daily` reader missed."""

from datetime import timedelta

from flask_babel import ngettext
from sqlalchemy import or_, select

from portal import access
from portal.accounts.models import User
from portal.extensions import db
from portal.i18n import writing_to
from portal.notify.models import Notification
from portal.notify.service import digest_body, queue_email
from portal.timeutil import utcnow


def send_due_digests() -> int:
    """Queue a digest for each daily reader with news whose last digest is a day old."""
    now = utcnow()
    readers = list(
        db.session.scalars(
            select(User)
            .where(
                User.email_preference == "daily",
                or_(User.last_digest_at.is_(None), User.last_digest_at <= now - timedelta(days=1)),
            )
            .where(
                select(Notification.id)
                .where(Notification.user_id == User.id, Notification.digested_at.is_(None))
                .exists()
            )
            # Senders on several hosts run this at once: each reader's row is taken by one
            # of them (the others skip it; PostgreSQL rechecks last_digest_at on the row it
            # locks), so nobody gets the same digest twice.
            .with_for_update(skip_locked=True, of=User)
        )
    )
    for reader in readers:
        waiting = select(Notification).where(
            Notification.user_id == reader.id, Notification.digested_at.is_(None)
        )
        # Re-checked now: the reader may no longer read what some of them point to; those
        # are marked done with the rest and left out.
        pending = list(
            db.session.scalars(
                waiting.where(access.notification_visibility(reader)).order_by(
                    Notification.created_at
                )
            )
        )
        for note in db.session.scalars(waiting):
            note.digested_at = now
        reader.last_digest_at = now
        if not pending:
            continue
        with writing_to(reader):
            subject = ngettext("Your daily digest: %(num)s update",
                               "Your daily digest: %(num)s updates", len(pending))  # fmt: skip
            queue_email(reader, subject, digest_body(reader, pending))
    return len(readers)
