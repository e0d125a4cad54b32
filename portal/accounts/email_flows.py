"""What accounts do by e-mail: registration, verification, password reset, change of address.

Every link is signed (itsdangerous, SECRET_KEY, a salt per purpose), expires, and names the
address it was sent to, so a link for an address the account no longer has is dead. Nothing
here tells anyone whether an address has an account: registration and "forgot your password"
answer the same either way, and whatever differs goes by e-mail to the address's owner.
"""

import hashlib
import json
import logging

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from portal import events, ratelimits
from portal.accounts.models import Organization, User
from portal.accounts.service import (
    check_password,
    clean_password,
    create_user,
    hash_password,
    normalize_email,
    set_password,
)
from portal.database import release_read
from portal.errors import Conflict, Invalid
from portal.extensions import db
from portal.i18n import current_language, writing_to
from portal.notify.models import OutboxMessage
from portal.notify.service import hello, queue_email, url_for
from portal.timeutil import utcnow
from portal.validation import choice

log = logging.getLogger(__name__)

VERIFY, RESET, CHANGE = "portal-verify-email", "portal-reset-password", "portal-change-email"
INVALID_LINK = _l("This link is not valid any more: it has expired, was used, or was altered.")


# -- signed links --------------------------------------------------------------------------


def _serializer(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


def _hours(salt: str) -> int:
    key = "PASSWORD_RESET_LINK_HOURS" if salt == RESET else "VERIFY_LINK_HOURS"
    return int(current_app.config[key])


def _password_fingerprint(user: User) -> str:
    # Changes with the password and with the session token: a reset link works once.
    seed = f"{user.password_hash}:{user.session_token}".encode()
    return hashlib.sha256(seed).hexdigest()[:32]


def _payload(salt: str, token) -> dict | None:
    if not isinstance(token, str) or len(token) > 1000:
        return None
    try:
        data = _serializer(salt).loads(token, max_age=_hours(salt) * 3600)
    except BadSignature:  # altered, or expired (SignatureExpired)
        return None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int):
        return None
    return data if 0 < data["u"] < 2**31 else None


def _user_named(data: dict | None, lock: bool = False) -> User | None:
    """The user a link names, while the account still has the address it was sent to."""
    if not data:
        return None
    # `lock`: read afresh and lock the row (PostgreSQL), so that one link is used only once.
    # OF user: the joined organization is an outer join, which PostgreSQL will not lock.
    locking = {"of": User} if lock else None
    user = db.session.get(User, data["u"], populate_existing=lock, with_for_update=locking)
    return user if user is not None and user.email == data.get("e") else None


def verification_url(user: User, next_path: str | None = None) -> str:
    """The link that confirms `user`'s address; `next_path` (a path on this site, checked
    again when the link is used) is where confirming leads, e.g. the idea they wanted to
    vote for."""
    token = _serializer(VERIFY).dumps({"u": user.id, "e": user.email})
    extra = {"next": next_path} if next_path else {}
    return url_for("accounts.verify_email", token=token, **extra)


def reset_url(user: User) -> str:
    data = {"u": user.id, "e": user.email, "p": _password_fingerprint(user)}
    return url_for("accounts.reset_password", token=_serializer(RESET).dumps(data))


def change_url(user: User, new_email: str) -> str:
    token = _serializer(CHANGE).dumps({"u": user.id, "e": user.email, "n": new_email})
    return url_for("accounts.confirm_email_change", token=token)


def user_to_verify(token) -> User | None:
    return _user_named(_payload(VERIFY, token))


def user_to_reset(token, lock: bool = False) -> User | None:
    data = _payload(RESET, token)
    user = _user_named(data, lock)
    return user if user is not None and data.get("p") == _password_fingerprint(user) else None


def change_to_confirm(token) -> tuple[User, str] | None:
    data = _payload(CHANGE, token)
    user = _user_named(data)
    new_email = data.get("n") if data else None
    return (user, new_email) if user is not None and isinstance(new_email, str) else None


# -- e-mails ---------------------------------------------------------------------------------


def _may_mail(user_or_address) -> bool:
    """At most ACCOUNT_EMAIL_LIMIT account e-mails to one address: nobody's inbox is flooded."""
    address = getattr(user_or_address, "email", user_or_address)
    limit = current_app.config["ACCOUNT_EMAIL_LIMIT"]
    if ratelimits.allowed(limit, "account-email", address):
        return True
    log.info("account e-mail to %s not sent: over ACCOUNT_EMAIL_LIMIT", address[:80])
    return False


def _mail_to_address(address: str, subject: str, body: str) -> None:
    """An e-mail through the outbox to an address that is no account's (yet)."""
    db.session.add(OutboxMessage(kind="email", recipient=address, subject=subject[:300],
                                 body=body, headers=json.dumps({})))  # fmt: skip
    events.note(db.session, events.outbox_queued)


def _signature() -> str:
    return f"\n-- \n{url_for('ideas.index')}\n"


def _to_account(user):
    """Account e-mails are asked for on a page: in the account's language, else the page's."""
    return writing_to(user, current_language())


def send_verification(user: User, next_path: str | None = None) -> None:
    with _to_account(user):
        hours = current_app.config["VERIFY_LINK_HOURS"]
        body = (
            f"{hello(user)}\n\n"
            + _("Please confirm that %(email)s is your address: open this link and press the "
                "button on the page (the link works for %(hours)s hours).", email=user.email,
                hours=hours)
            + f"\n\n{verification_url(user, next_path)}\n\n"
            + _("Until then you can read, but not post, vote, comment or flag.") + "\n"
            + _("If you did not create an account, ignore this e-mail: nothing happens without "
                "it.") + "\n"
        )  # fmt: skip
        queue_email(user, _("Confirm your e-mail address"), body + _signature())


def _send_already_registered(user: User) -> None:
    with _to_account(user):
        body = (
            f"{hello(user)}\n\n"
            + _("Someone, perhaps you, tried to create an account with %(email)s. This address "
                "already has an account, so no new one was made.", email=user.email)
            + "\n\n" + _("Sign in: %(url)s", url=url_for("accounts.login")) + "\n"
            + _("Forgot your password? Choose a new one: %(url)s",
                url=url_for("accounts.forgot_password")) + "\n"
        )  # fmt: skip
        if user.email_verified_at is None:
            body += "\n" + _("Your address is not confirmed yet. Confirm it: %(url)s",
                             url=verification_url(user)) + "\n"  # fmt: skip
        body += "\n" + _("If it was not you, there is nothing to do.") + "\n"
        queue_email(user, _("Someone tried to register with your address"), body + _signature())


# -- registration and verification -----------------------------------------------------------


def register(email, password, display_name, kind, organization_id=None,
             next_path: str | None = None) -> str:  # fmt: skip
    """Self-registration; the same outcome whether or not the address has an account.

    A new account is unverified (and a supplier pending approval) and gets a link to confirm
    its address; the owner of a taken address gets an e-mail instead. The password is hashed
    in both cases, before any query, so neither time nor a held write lock tells them apart.
    Returns the normalised address.
    """
    email = normalize_email(email)
    release_read()  # the hash holds no write lock
    password_hash = hash_password(clean_password(password))
    kind = choice(kind, "kind", ("customer", "supplier"))
    organization = None
    if kind == "supplier":
        organization = db.session.get(Organization, organization_id) if organization_id else None
        if organization is None:
            message = _("Choose your organization.")
            raise Invalid(message, {"organization": [message]})
    try:
        # A savepoint: a parallel registration of the same address (PostgreSQL) is "taken".
        with db.session.begin_nested():
            user = create_user(email, password, display_name=display_name, kind=kind,
                               organization=organization, approved=kind == "customer",
                               verified=False, password_hash=password_hash)  # fmt: skip
    except (Conflict, IntegrityError):
        owner = db.session.scalar(select(User).where(User.email == email))
        if owner is not None and _may_mail(owner):
            _send_already_registered(owner)
        log.info("registration with a taken address")
        return email
    _may_mail(user)  # counted with the resends that may follow; the first always goes
    send_verification(user, next_path)
    log.info("registered user %s (%s), unverified", user.id, kind)
    return email


def resend_verification(user: User) -> None:
    """Another verification link (limited per account: ACCOUNT_EMAIL_LIMIT, then 429)."""
    if user.email_verified_at is not None:
        raise Conflict(_("Your e-mail address is already confirmed."))
    ratelimits.count_attempt(current_app.config["ACCOUNT_EMAIL_LIMIT"], "account-email",
                             user.email,
                             _("we have sent you several e-mails already."))  # fmt: skip
    send_verification(user)


def confirm_email(token) -> tuple[User, bool]:
    """Mark the address verified; (user, True) when this link did it, False when done before."""
    user = user_to_verify(token)
    if user is None:
        raise Invalid(str(INVALID_LINK))
    if user.email_verified_at is not None:
        return user, False
    user.email_verified_at = utcnow()
    db.session.flush()
    log.info("user %s confirmed their address", user.id)
    return user, True


# -- password reset --------------------------------------------------------------------------


def request_password_reset(email) -> None:
    """E-mail a reset link when the address has an account; otherwise do nothing, silently."""
    try:
        email = normalize_email(email)
    except Invalid:
        return
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None or not _may_mail(user):
        return
    with _to_account(user):
        hours = current_app.config["PASSWORD_RESET_LINK_HOURS"]
        body = (
            f"{hello(user)}\n\n"
            + _("Someone, hopefully you, asked to choose a new password for your account. Open "
                "this link to do so (it works once, for %(hours)s hours):", hours=hours)
            + f"\n\n{reset_url(user)}\n\n"
            + _("If it was not you, ignore this e-mail: your password stays as it is.") + "\n"
        )  # fmt: skip
        queue_email(user, _("Choose a new password"), body + _signature())
    log.info("password reset link sent to user %s", user.id)


def reset_password(token, new_password) -> User:
    """Set the password a reset link allows; the link dies, other sessions end.

    The link came to the account's address, so an unverified address is now verified.
    """
    release_read()  # the hash holds no write lock
    password_hash = hash_password(clean_password(new_password))
    user = user_to_reset(token, lock=True)  # checked again, in the write transaction
    if user is None:
        raise Invalid(str(INVALID_LINK))
    set_password(user, password_hash)
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()
    db.session.flush()
    log.info("user %s reset their password", user.id)
    return user


# -- change of address -----------------------------------------------------------------------


def request_email_change(user: User, new_email, password, current_email=None) -> str:
    """Send a link to the new address; the address changes only when it is confirmed.

    Confirmed with the password; an account without one (single sign-on) types its current
    address instead, as erasure asks (SPEC 15). Whether the new address is taken is said to
    that address's owner only (by e-mail), so the form tells nobody which addresses have
    accounts.
    """
    new_email = normalize_email(new_email)
    if user.has_password:
        release_read()  # the password check hashes: no write lock held meanwhile
        if not check_password(user, password or ""):
            message = _("The password is not right.")
            raise Invalid(message, {"password": [message]})
    elif not isinstance(current_email, str) or current_email.strip().lower() != user.email:
        message = _("Type your current address to confirm.")
        raise Invalid(message, {"current_email": [message]})
    if new_email == user.email:
        message = _("That is your address already.")
        raise Invalid(message, {"email": [message]})
    ratelimits.count_attempt(current_app.config["ACCOUNT_EMAIL_LIMIT"], "account-email",
                             user.email, _("we have sent several e-mails already."))  # fmt: skip
    owner = db.session.execute(
        select(User.id, User.language).where(User.email == new_email)
    ).first()
    if owner is not None:
        with writing_to(owner, current_language()):  # the other account's language
            body = (
                _("Someone asked to move their account at %(site)s to %(email)s. This address "
                  "already has an account, so nothing changed.", site=url_for("ideas.index"),
                  email=new_email)
                + "\n\n" + _("If it was you, use another address, or sign in to the account "
                              "this address has.") + "\n"
            )  # fmt: skip
            if _may_mail(new_email):
                _mail_to_address(new_email, _("Your address is already in use"),
                                 body + _signature())  # fmt: skip
    else:
        with _to_account(user):
            hours = current_app.config["VERIFY_LINK_HOURS"]
            body = (
                f"{hello(user)}\n\n"
                + _("You asked to use %(email)s for your account. Open this link and press the "
                    "button to confirm (the link works for %(hours)s hours):", email=new_email,
                    hours=hours)
                + f"\n\n{change_url(user, new_email)}\n\n"
                + _("If it was not you, ignore this e-mail: nothing changes without it.") + "\n"
            )  # fmt: skip
            _mail_to_address(new_email, _("Confirm your new e-mail address"), body + _signature())
    log.info("user %s asked to change their address", user.id)
    return new_email


def confirm_email_change(token) -> User:
    """Move the account to the confirmed new address; the old one gets a notice."""
    found = change_to_confirm(token)
    if found is None:
        raise Invalid(str(INVALID_LINK))
    user, new_email = found
    if db.session.scalar(select(User.id).where(User.email == new_email)) is not None:
        raise Conflict(_("This address already has an account, so yours was not moved to it."))
    old_email = user.email
    try:
        with db.session.begin_nested():
            user.email = new_email
            user.email_verified_at = utcnow()
            db.session.flush()
    except IntegrityError:
        raise Conflict(
            _("This address already has an account, so yours was not moved to it.")
        ) from None
    with _to_account(user):
        notice = (
            f"{hello(user)}\n\n"
            + _("The e-mail address of your account was changed from %(old)s to %(new)s. We "
                "will write to the new address from now on.", old=old_email, new=new_email)
            + "\n\n" + _("If you did not do this, choose a new password at once and tell us: "
                          "%(url)s", url=url_for("accounts.forgot_password")) + "\n"
        )  # fmt: skip
        _mail_to_address(old_email, _("Your e-mail address was changed"), notice + _signature())
    log.info("user %s changed their address", user.id)
    return user
