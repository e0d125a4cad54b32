"""Per-account limits for new accounts (SPEC section 4), shared by pages and the API."""

from datetime import timedelta

from flask import current_app, g
from flask_login import current_user

from portal.extensions import limiter
from portal.timeutil import utcnow


def acting_user():
    """The API's token user inside /api/v1, the session's user elsewhere."""
    return g.get("api_user") or current_user


def _user_key() -> str:
    user = acting_user()
    return f"user:{user.id}" if getattr(user, "is_authenticated", False) else "anonymous"


def _established() -> bool:
    """Anyone but a signed-in account younger than NEW_ACCOUNT_DAYS is exempt."""
    user = acting_user()
    if not getattr(user, "is_authenticated", False):
        return True
    age = timedelta(days=current_app.config["NEW_ACCOUNT_DAYS"])
    return user.created_at <= utcnow() - age


def new_account_limit(kind: str):
    """Decorator: NEW_ACCOUNT_LIMITS[kind] for a new account, pages and API counted together."""
    return limiter.shared_limit(
        lambda: current_app.config["NEW_ACCOUNT_LIMITS"][kind],
        scope=f"new-account-{kind}",
        key_func=_user_key,
        exempt_when=_established,
        methods=["POST", "PATCH", "DELETE"],
        error_message=f"new accounts may make only so many {kind} an hour.",
    )
