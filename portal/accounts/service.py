"""Accounts: creating users, passwords, sign-in checks, approval and API tokens."""

import hashlib
import logging
import re
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from email_validator import EmailNotValidError, validate_email
from flask import current_app, has_request_context, request
from flask_babel import gettext as _
from sqlalchemy import func, select

from portal import access
from portal.accounts.models import (
    EMAIL_PREFERENCES,
    KINDS,
    ROLES,
    ApiToken,
    Organization,
    Team,
    User,
)
from portal.admin import audit
from portal.database import READ_METHODS, reading, release_read
from portal.errors import Conflict, Invalid, NotFound, refuse
from portal.extensions import db
from portal.i18n import LANGUAGES, valid_timezone
from portal.ideas.models import Idea
from portal.live import service as live
from portal.notify import service as notify
from portal.timeutil import utcnow
from portal.validation import choice, clean_text

log = logging.getLogger(__name__)

PASSWORD_MIN = 8
UNCHANGED = object()
TOKEN_PREFIX = "pt_"
_hasher = PasswordHasher()
# Cheap parameters for tests only (TestingConfig sets PASSWORD_HASH_FAST).
_fast_hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
# Verified against when the e-mail is unknown, so timing does not tell which accounts exist.
_DUMMY_HASH = _hasher.hash("not-a-real-password")


def _password_hasher() -> PasswordHasher:
    return _fast_hasher if current_app.config.get("PASSWORD_HASH_FAST") else _hasher


def hash_password(password: str) -> str:
    return _password_hasher().hash(password)


def check_password(user: User | None, password: str) -> bool:
    """Whether `password` opens `user`'s account; as slow for no user, so timing tells nothing."""
    try:
        _hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return False
    return user is not None


def normalize_email(email) -> str:
    """Syntax check only: deliverability needs DNS, which the portal must not rely on."""
    if not isinstance(email, str) or not email.strip():
        raise Invalid(
            _("E-mail: this field is required."), {"email": [_("This field is required.")]}
        )
    try:
        result = validate_email(email.strip(), check_deliverability=False)
    except EmailNotValidError as error:
        raise Invalid(_("E-mail: %(error)s", error=error), {"email": [str(error)]}) from None
    return result.normalized.lower()


def sign_in_key(email) -> str:
    """The account an address names, however spelt (case, Unicode forms of the domain)."""
    try:
        return normalize_email(email)
    except Invalid:
        return (email if isinstance(email, str) else "").strip().lower()[:254]


def clean_password(password) -> str:
    if not isinstance(password, str) or len(password) < PASSWORD_MIN:
        message = _("Must be at least %(num)s characters.", num=PASSWORD_MIN)
        raise Invalid(_("Password: %(message)s", message=message), {"password": [message]})
    return clean_text(password, "password", max_length=200, strip=False)


def _unique_handle(seed: str) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", seed.lower()).strip("-")[:30] or "user"
    if len(base) < 2:
        base = f"{base}-user"
    taken = set(db.session.scalars(select(User.handle).where(User.handle.like(f"{base}%"))))
    handle, number = base, 1
    while handle in taken:
        number += 1
        handle = f"{base}-{number}"
    return handle


def organization_named(name: str, create: bool = False) -> Organization | None:
    org = db.session.scalar(
        select(Organization).where(func.lower(Organization.name) == name.lower())
    )
    if org is None and create:
        org = Organization(name=clean_text(name, "organization", min_length=2, max_length=120))
        db.session.add(org)
        db.session.flush()
    return org


def team_named(name: str, create: bool = False) -> Team | None:
    team = db.session.scalar(select(Team).where(func.lower(Team.name) == name.lower()))
    if team is None and create:
        team = Team(name=clean_text(name, "team", min_length=2, max_length=120))
        db.session.add(team)
        db.session.flush()
    return team


def create_user(
    email,
    password,
    *,
    display_name=None,
    kind="customer",
    role="member",
    organization: Organization | None = None,
    teams: list[Team] | None = None,
    approved: bool = True,
    verified: bool = True,
    password_hash: str | None = None,
) -> User:
    """Create an account after checking every rule; Conflict when the e-mail is taken.

    `password_hash`, when the caller hashed `password` already (outside any transaction).
    """
    email = normalize_email(email)
    # Hashed before any query: in a request that writes, the first query takes SQLite's write
    # lock, which must not be held through the hash.
    password_hash = password_hash or hash_password(clean_password(password))
    kind = choice(kind, "kind", KINDS)
    role = choice(role, "role", ROLES)
    name = display_name if display_name not in (None, "") else email.split("@")[0]
    name = clean_text(name, "display_name", min_length=1, max_length=80, label=_("Display name"))
    if kind == "supplier" and organization is None:
        message = _("A supplier belongs to an organization.")
        raise Invalid(message, {"organization": [message]})
    if db.session.scalar(select(User.id).where(User.email == email)) is not None:
        raise Conflict(_("An account with this e-mail already exists."))
    user = User(
        email=email,
        handle=_unique_handle(email.split("@")[0]),
        display_name=name,
        password_hash=password_hash,
        kind=kind,
        role=role,
        organization=organization if kind == "supplier" else None,
        approved=approved,
        session_token=secrets.token_hex(16),
        created_at=utcnow(),
    )
    user.email_verified_at = user.created_at if verified else None
    user.teams = list(teams or []) if kind == "staff" else []
    db.session.add(user)
    db.session.flush()
    log.info("created user %s (%s/%s)", user.id, kind, role)
    return user


def authenticate(email, password) -> User | None:
    """The account these credentials open, or None; no write lock is held during the hash."""
    try:
        email = normalize_email(email)
    except Invalid:
        email = None
    with reading():
        user = db.session.scalar(select(User).where(User.email == email)) if email else None
    return user if check_password(user, password or "") else None


def session_user_ident(user_id: str | None) -> int | None:
    """The account id a session's stored id names, unchecked and without a query (the
    token beside it is checked by `load_session_user`)."""
    ident = (user_id or "").partition(":")[0]
    return int(ident) if ident.isdigit() and 0 < int(ident) < 2**31 else None


def load_session_user(user_id: str) -> User | None:
    """Flask-Login's loader: the id carries a token that a password change replaces.

    A page (GET) takes the account from what this worker read of it at the current change
    version, if it did (portal/accounts/kept.py): the version is the one the page is
    rendered at, read here, before anything else of the request. A write reads the account
    in its own transaction, as it decides on it (a suspension, a role) and needs no version.
    """
    ident = session_user_ident(user_id)
    token = (user_id or "").partition(":")[2]
    if ident is None:
        return None
    if has_request_context() and request.method in READ_METHODS:
        user = _kept_or_loaded(ident)
    else:
        user = db.session.get(User, ident)
    if user is None or not secrets.compare_digest(user.session_token, token):
        return None
    return user


def _kept_or_loaded(ident: int) -> User | None:
    kept = current_app.extensions["kept_accounts"]
    version = live.page_version()
    user = kept.find(db.session, ident, version)
    if user is None:
        # Kept only if the statement below loads it, organization and all: an account or an
        # organization already in the session was read before the version was.
        loaded_before = any(isinstance(obj, (User, Organization))
                            for obj in db.session.identity_map.values())  # fmt: skip
        user = db.session.get(User, ident)
        if user is not None and not loaded_before:
            kept.keep(version, user)  # read after the version: it is the account at it
    return user


def change_password(user: User, current, new) -> None:
    """Set a new password after checking the current one; every other session ends."""
    if not user.has_password:
        message = _(
            'Your account has no password yet: "Forgot your password?" on the '
            "sign-in page sends you a link to choose one."
        )
        raise Invalid(message, {"current_password": [message]})
    new = clean_password(new)
    release_read()  # two hashes follow: no write lock held meanwhile
    if not check_password(user, current or ""):
        message = _("The current password is not right.")
        raise Invalid(message, {"current_password": [message]})
    set_password(user, hash_password(new))


def set_password(user: User, password_hash: str) -> None:
    """A new password hash; a new session token signs every other session (and link) out."""
    user.password_hash = password_hash
    user.session_token = secrets.token_hex(16)
    db.session.flush()


def update_profile(user: User, display_name, email_preference, language=UNCHANGED,
                   timezone=UNCHANGED) -> None:  # fmt: skip
    """The profile; `language` and `timezone` ("" or None: the browser's language, UTC)."""
    user.display_name = clean_text(
        display_name, "display_name", min_length=1, max_length=80, label=_("Display name")
    )
    user.email_preference = choice(email_preference, "email_preference", EMAIL_PREFERENCES)
    if language is not UNCHANGED:
        user.language = choice(language, "language", tuple(LANGUAGES)) if language else None
    if timezone is not UNCHANGED:
        if timezone and not valid_timezone(timezone):
            raise Invalid(
                _("Time zone: no such time zone."), {"timezone": [_("No such time zone.")]}
            )
        user.timezone = timezone or None
    db.session.flush()


def approve_supplier(actor: User, user: User) -> None:
    """A pending supplier is approved, and told (notification and e-mail)."""
    refuse(access.supplier_decision_refusal(actor, user))
    user.approved = True
    org = user.organization.name if user.organization else ""
    audit.record(actor, "user.approve", "user", user.id, user.display_name,
                 f"supplier of {org}" if org else "")  # fmt: skip
    notify.supplier_approved(actor, user)
    db.session.flush()
    log.info("user %s approved supplier %s", actor.id, user.id)


def reject_supplier(actor: User, user: User, reason="") -> None:
    """A pending supplier is not approved: the account stays, as a customer's (what they saw
    while waiting), leaves the organization it named, and is told why (notification and
    e-mail). Their ideas no longer name that organization."""
    refuse(access.supplier_decision_refusal(actor, user))
    reason = clean_text(reason or "", "reason", max_length=1000, label=_("Reason"))
    org_name = user.organization.name if user.organization else "an organization"
    user.kind, user.organization, user.approved = "customer", None, True
    # Only approved suppliers mark ideas confidential: none of theirs is.
    named = select(Idea).where(Idea.author_id == user.id, Idea.organization_id.is_not(None),
                               Idea.confidential.is_(False))  # fmt: skip
    for idea in db.session.scalars(named):
        idea.organization_id = None
    details = f"asked to be a supplier of {org_name}; now a customer"
    audit.record(actor, "user.reject", "user", user.id, user.display_name,
                 details + (f"; reason: {reason}" if reason else ""))  # fmt: skip
    notify.supplier_rejected(actor, user, org_name, reason)
    db.session.flush()
    log.info("user %s rejected supplier %s", actor.id, user.id)


def pending_suppliers() -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .where(User.kind == "supplier", User.approved.is_(False), User.erased_at.is_(None))
            .order_by(User.created_at)
        )
    )


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(user: User, name="API token") -> tuple[ApiToken, str]:
    """A new personal access token; the secret is returned once and stored hashed."""
    name = clean_text(name or "API token", "name", min_length=1, max_length=80)
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, name=name, token_hash=_digest(secret), prefix=secret[:10])
    db.session.add(token)
    db.session.flush()
    return token, secret


def user_tokens(user: User) -> list[ApiToken]:
    return list(
        db.session.scalars(
            select(ApiToken)
            .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
            .order_by(ApiToken.created_at.desc())
        )
    )


def revoke_token(user: User, token_id) -> None:
    token = db.session.get(ApiToken, token_id) if str(token_id).isdigit() else None
    if token is None or token.user_id != user.id or token.revoked_at is not None:
        raise NotFound(_("No such token."))
    token.revoked_at = utcnow()
    db.session.flush()


def user_for_token(secret: str) -> User | None:
    """The user a bearer token belongs to, or None when unknown or revoked."""
    if not secret or len(secret) > 200:
        return None
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(secret)))
    if token is None or token.revoked_at is not None:
        return None
    return token.user


def set_available(user: User, available: bool) -> None:
    """Staff say whether routing may give them new work (SPEC 13)."""
    refuse(access.takes_assignments_refusal(user))
    user.available = bool(available)
    log.info("user %s is %s", user.id, "available" if available else "away")
