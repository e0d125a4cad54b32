"""Single sign-on (SPEC 15): which portal account an identity provider's person is.

The provider's answer (checked by `portal.accounts.oidc`) names a subject, an e-mail and
whether the provider verified it. In this order:

1. an identity (provider, subject) already joined to an account: that account, while the
   provider may still open it (`access.single_sign_on_refusal`: not staff or admin, of
   the provider's kind, even when the account changed since it was joined);
2. else, the account with that e-mail, joined to this identity, but only when the provider
   says the address is verified (and `access.identity_link_refusal` allows it);
3. else a new account: no password, the address verified, the provider's kind; a supplier's
   organization from the provider's `organization`, or its `domains` map, approved since
   the organization comes from the portal's own settings.

An e-mail the provider has not verified is refused the same way whether an account has it
or not (the answer tells nobody which addresses have accounts). Every outcome is one
transaction: the account, its organization and its identity are written together or not
at all.
"""

import logging
import re
import secrets

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from portal import access
from portal.accounts.models import UNUSABLE_PASSWORD, Organization, User, UserIdentity
from portal.accounts.service import create_user, normalize_email, organization_named
from portal.database import release_read, writing
from portal.errors import Conflict, Forbidden, Invalid, NotFound, refuse
from portal.extensions import db
from portal.timeutil import utcnow

log = logging.getLogger(__name__)

_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f\ud800-\udfff]")


def providers() -> list[dict]:
    """The configured providers (config.parse_oidc_providers), in their order."""
    return current_app.config.get("OIDC_PROVIDER_LIST") or []


def provider_named(slug: str) -> dict:
    for provider in providers():
        if provider["slug"] == slug:
            return provider
    raise NotFound("There is no such sign-in provider.")


def email_is_verified(claims: dict) -> bool:
    """The `email_verified` claim: true (some providers send the string "true")."""
    value = claims.get("email_verified")
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


def display_name_from(claims: dict, email: str) -> str:
    """The `name` claim as a display name (control characters out, spaces folded, at most 80
    characters), else the e-mail's local part."""
    name = claims.get("name")
    if isinstance(name, str):
        name = " ".join(_UNPRINTABLE.sub(" ", name).split())[:80].strip()
    return name or email.split("@")[0][:80]


def supplier_organization(provider: dict, email: str) -> str | None:
    """The organization the provider's settings give a supplier with this (verified)
    address: `organization`, else the one `domains` maps the address's domain to."""
    if provider.get("organization"):
        return provider["organization"]
    domain = email.rpartition("@")[2].lower()
    return (provider.get("domains") or {}).get(domain)


def sign_in(provider: dict, claims: dict) -> User:
    """The account the provider's person signs in as, found, joined or made, and committed;
    a domain error (nothing written) when they may not sign in."""
    release_read()  # a GET's read transaction: the write below takes the write lock at once
    with writing():
        try:
            user = _account_for(provider, claims)
            db.session.commit()
        except IntegrityError:
            # Two sign-ins of one person at once: the other one made the account.
            db.session.rollback()
            log.info("single sign-on: %s sign-in raced another", provider["slug"])
            raise Conflict(
                "You are being signed in already in another tab: please try again."
            ) from None
        except BaseException:
            db.session.rollback()
            raise
    return user


def _identity(provider: dict, subject: str) -> UserIdentity | None:
    return db.session.scalar(
        select(UserIdentity).where(
            UserIdentity.provider == provider["slug"],
            UserIdentity.issuer == provider["issuer"],
            UserIdentity.subject == subject,
        )
    )


def _account_for(provider: dict, claims: dict) -> User:
    name, slug, now = provider["name"], provider["slug"], utcnow()
    subject = claims["sub"]
    identity = _identity(provider, subject)
    if identity is not None:
        user = identity.user
        refuse(access.single_sign_on_refusal(user, provider["kind"]))
        identity.last_used_at = now
        db.session.flush()
        log.info("single sign-on: user %s signed in with %s", user.id, slug)
        return user

    try:
        email = normalize_email(claims.get("email"))
    except Invalid:
        raise Forbidden(
            f"{name} did not tell us a usable e-mail address, so we cannot sign you in with "
            "it. Register with a password instead."
        ) from None
    if not email_is_verified(claims):
        # The same answer whether or not an account has this address.
        log.info("single sign-on: %s sent an unverified address; refused", slug)
        raise Forbidden(
            f"{name} has not verified that {email} is your address, so we cannot sign you in "
            f"with it. Verify the address at {name} first, or sign in with your password."
        )
    user = db.session.scalar(select(User).where(User.email == email))
    if user is not None:
        refuse(access.identity_link_refusal(user, provider["kind"]))
        _join(provider, user, email, now)
    else:
        user = _new_account(provider, claims, email, now)
    db.session.add(UserIdentity(user_id=user.id, provider=slug, issuer=provider["issuer"],
                                subject=subject, created_at=now, last_used_at=now))  # fmt: skip
    db.session.flush()
    return user


def _join(provider: dict, user: User, email: str, now) -> None:
    """Join the identity to the account with its (verified) address."""
    if user.email_verified_at is None:
        # Whoever registered this address never proved it theirs; the provider now has: a
        # password they chose must not open the owner's account.
        user.password_hash = UNUSABLE_PASSWORD
        user.session_token = secrets.token_hex(16)
        user.email_verified_at = now
    if user.is_pending_supplier and provider["kind"] == "supplier":
        org_name = supplier_organization(provider, email)
        org = user.organization
        if org is not None and org_name and org.name.lower() == org_name.lower():
            user.approved = True  # the portal's settings vouch for this organization
    log.info("single sign-on: user %s joined to %s", user.id, provider["slug"])


def _new_account(provider: dict, claims: dict, email: str, now) -> User:
    name = provider["name"]
    organization: Organization | None = None
    if provider["kind"] == "supplier":
        org_name = supplier_organization(provider, email)
        if not org_name:
            domain = email.rpartition("@")[2]
            raise Forbidden(
                f"{name} signs in suppliers, but no supplier organization is set for "
                f"addresses at {domain}, so no account was made. Ask us to add it, or "
                "register with a password and name your organization."
            )
        organization = organization_named(org_name, create=True)
    user = create_user(
        email,
        None,
        display_name=display_name_from(claims, email),
        kind=provider["kind"],
        organization=organization,
        approved=True,
        verified=True,
        password_hash=UNUSABLE_PASSWORD,
    )
    log.info("single sign-on: user %s made by %s", user.id, provider["slug"])
    return user


def identities_of(user: User) -> list[dict]:
    """The sign-in providers joined to `user`, for the account page."""
    names = {(p["slug"], p["issuer"]): p["name"] for p in providers()}
    rows = db.session.scalars(
        select(UserIdentity).where(UserIdentity.user_id == user.id).order_by(UserIdentity.id)
    )
    return [
        {
            "name": names.get((row.provider, row.issuer), row.provider),
            "configured": (row.provider, row.issuer) in names,
            "created_at": row.created_at,
            "last_used_at": row.last_used_at,
        }
        for row in rows
    ]
