"""`flask` commands of SPEC section 10: seed, users, categories."""

import functools
import sys

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import select

from portal.accounts import service
from portal.accounts.models import User
from portal.accounts.service import team_named
from portal.admin.service import create_category
from portal.database import writing
from portal.errors import DomainError
from portal.extensions import db
from portal.intake.cli import intake_cli
from portal.privacy import erasure
from portal.search.setup import rebuild, verify
from portal.seed import seed_demo as run_seed_demo


def _fail(message: str) -> None:
    db.session.rollback()
    click.echo(f"Error: {message}", err=True)
    sys.exit(1)


class WritingGroup(AppGroup):
    """A group whose commands write: their transactions take SQLite's write lock at the start.

    Outside a request a transaction begins deferred; one that has read cannot take the write
    lock once another connection has written, and SQLite then fails at once with "database is
    locked" instead of waiting. Several commands (or a command beside the servers) run at once,
    so commands that write begin as POST requests do, and wait their turn on the busy timeout.
    """

    def command(self, *args, **kwargs):
        register = super().command(*args, **kwargs)

        def decorator(callback):
            @functools.wraps(callback)
            def locked(*call_args, **call_kwargs):
                with writing():
                    return callback(*call_args, **call_kwargs)

            return register(locked)

        return decorator


seed_cli = WritingGroup("seed", help="Fill the database with demo content.")
users_cli = WritingGroup("users", help="Create users and API tokens.")
categories_cli = WritingGroup("categories", help="Manage categories.")
search_cli = AppGroup("search", help="Maintain the full-text search index.")
outbox_cli = AppGroup("outbox", help="Deliver queued e-mail and webhooks.")


@outbox_cli.command("send")
def outbox_send():
    """Deliver every due e-mail and webhook (and due daily digests) once, then exit."""
    worker = current_app.extensions["outbox_worker"]
    done = worker.drain(wait=True)
    click.echo(f"Outbox: {done} delivery attempt(s).")


@search_cli.command("rebuild")
def search_rebuild():
    """Rebuild the index from the database (with a progress bar)."""
    written = rebuild(progress=True)
    click.echo(f"Search index rebuilt: {written} documents.")


@search_cli.command("verify")
def search_verify():
    """Report differences between the index and the database; exit 1 if there are any."""
    problems = verify()
    for problem in problems:
        click.echo(problem)
    if problems:
        click.echo(f"{len(problems)} difference(s): run `flask search rebuild`.", err=True)
        sys.exit(1)
    click.echo("The search index matches the database.")


@seed_cli.command("demo")
def seed_demo():
    """A lively demo portal, on a database without ideas."""
    try:
        created = run_seed_demo(echo=click.echo)
    except DomainError as error:
        _fail(error.message)
    if created:
        db.session.commit()


@users_cli.command("create")
@click.argument("email")
@click.option("--password", required=True, help="At least 8 characters.")
@click.option("--kind", required=True, type=click.Choice(["customer", "supplier", "staff"]))
@click.option("--role", default="member", type=click.Choice(["member", "moderator", "admin"]))
@click.option("--org", "org_name", help="Supplier organization (created when new).")
@click.option("--team", "team_names", multiple=True, help="Staff team (created when new).")
@click.option("--name", "display_name", help="Display name (default: the e-mail's local part).")
def users_create(email, password, kind, role, org_name, team_names, display_name):
    """Create an approved account."""
    if kind == "supplier" and not org_name:
        _fail("a supplier needs --org NAME.")
    try:
        organization = service.organization_named(org_name, create=True) if org_name else None
        teams = [service.team_named(name, create=True) for name in team_names]
        user = service.create_user(
            email,
            password,
            display_name=display_name,
            kind=kind,
            role=role,
            organization=organization,
            teams=teams,
        )
    except DomainError as error:
        _fail(error.message)
    db.session.commit()
    click.echo(f"Created {user.kind} {user.email} ({user.role}), handle @{user.handle}.")


def _user_with_email(email) -> User:
    """The account of EMAIL (however spelt), or exit 1 saying there is none."""
    try:
        normalized = service.normalize_email(email)
    except DomainError as error:
        _fail(error.message)
    user = db.session.scalar(select(User).where(User.email == normalized))
    if user is None:
        _fail(f"no user with e-mail {email}.")
    return user


@users_cli.command("token")
@click.argument("email")
@click.option("--name", default="CLI token", help="A name to recognise the token by.")
def users_token(email, name):
    """Print a new API token for EMAIL (on the last line)."""
    user = _user_with_email(email)
    _token, secret = service.create_token(user, name)
    db.session.commit()
    click.echo(f"New API token for {user.email} (shown once):")
    click.echo(secret)


@users_cli.command("erase")
@click.argument("email")
def users_erase(email):
    """Erase the person with EMAIL (a request received in writing; no question asked)."""
    user = _user_with_email(email)
    try:
        erasure.erase(None, user)
    except DomainError as error:
        _fail(error.message)
    db.session.commit()
    click.echo(f"Erased user {user.id}: their ideas and comments stay, by Former member.")


@categories_cli.command("create")
@click.argument("slug")
@click.option("--name", required=True)
@click.option("--audience", required=True, type=click.Choice(["public", "customers", "suppliers"]))
@click.option("--team", "team_name", help="Team that ideas here are routed to (created when new).")
@click.option("--description", default="")
def categories_create(slug, name, audience, team_name, description):
    """Create a category."""
    try:
        team = team_named(team_name, create=True) if team_name else None
        category = create_category(slug, name, audience, team=team, description=description)
    except DomainError as error:
        _fail(error.message)
    db.session.commit()
    click.echo(f"Created category {category.slug} ({category.audience}).")


def init_cli(app: Flask) -> None:
    app.cli.add_command(seed_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(categories_cli)
    app.cli.add_command(search_cli)
    app.cli.add_command(outbox_cli)
    app.cli.add_command(intake_cli)
