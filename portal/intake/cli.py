"""`flask intake`: take one e-mail from standard input (an MTA's pipe) or poll IMAP."""

import sys
import time

import click
from flask import current_app

from portal.database import writing
from portal.extensions import db
from portal.intake.email_channel import receive_mail
from portal.intake.imap import ImapError
from portal.intake.poller import poll_once

intake_cli = click.Group("intake", help="Conversations from e-mail (SPEC 12).")

# sysexits.h: the MTA keeps the message and tries again later.
EX_TEMPFAIL = 75


def _describe(outcome) -> str:
    if outcome.kind == "message":
        return f"intake message {outcome.message_id} ({outcome.detail})"
    if outcome.kind == "comment":
        return f"comment {outcome.comment_id} (reply by e-mail, {outcome.detail})"
    return f"{outcome.kind}: {outcome.detail}"


@intake_cli.command("mail")
@click.option("--category", help="Route as this category (its slug).")
def mail_command(category):
    """Read one RFC 5322 message on standard input, as an MTA's pipe delivers it."""
    raw = sys.stdin.buffer.read(current_app.config["INTAKE_MAIL_MAX_BYTES"] + 1)
    if len(raw) > current_app.config["INTAKE_MAIL_MAX_BYTES"]:
        click.echo("The message is too large; it was not taken.", err=True)
        sys.exit(0)  # accepted and dropped: a bounce would only invite another try
    try:
        with writing():
            outcome = receive_mail(raw, category=category)
            db.session.commit()
    except Exception as error:  # the database is down, say: let the MTA try again
        db.session.rollback()
        click.echo(f"Could not take the message now ({type(error).__name__}); try again.",
                   err=True)  # fmt: skip
        sys.exit(EX_TEMPFAIL)
    click.echo(_describe(outcome))


@intake_cli.command("imap")
@click.option("--url", help="Mailbox URL (default: INTAKE_IMAP_URL).")
@click.option("--watch", is_flag=True, help="Keep polling.")
@click.option("--interval", default=None, type=float, help="Seconds between polls (--watch).")
def imap_command(url, watch, interval):
    """Fetch new mail from an IMAP mailbox (imaps://user:pass@host/INBOX)."""
    interval = interval or float(current_app.config.get("INTAKE_IMAP_POLL_SECONDS", 60))
    while True:
        try:
            result = poll_once(url)
        except ImapError as error:
            click.echo(f"IMAP: {error}", err=True)
            if not watch:
                sys.exit(1)
        else:
            if not result.polled:
                click.echo("Another poller holds the mailbox now; nothing done.")
            for outcome in result.outcomes:
                click.echo(_describe(outcome))
            if result.failed:
                click.echo(f"{result.failed} message(s) could not be taken (see the log).",
                           err=True)  # fmt: skip
        db.session.remove()
        if not watch:
            return
        time.sleep(interval)
