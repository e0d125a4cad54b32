"""Rate limits of SPEC section 4: new accounts, sign-in, registration and account e-mails."""

import logging
from datetime import timedelta

from flask import current_app, g, request
from flask_babel import lazy_gettext as _l
from flask_limiter import RequestLimit
from flask_login import current_user
from limits import parse
from limits.storage import MemoryStorage
from limits.strategies import FixedWindowRateLimiter, RateLimiter
from werkzeug.exceptions import TooManyRequests

from portal.extensions import limiter
from portal.timeutil import utcnow

log = logging.getLogger(__name__)


def acting_user():
    """The API's token user inside /api/v1 (the API ignores sessions), the session's user
    elsewhere."""
    if request.path.startswith("/api/"):
        return g.get("api_user") or current_user
    return current_user


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


# Why a new account was refused, one sentence per NEW_ACCOUNT_LIMITS kind (the 429's reason).
NEW_ACCOUNT_LIMIT_MESSAGES = {
    "ideas": _l("new accounts may post only so many ideas an hour."),
    "votes": _l("new accounts may cast only so many votes an hour."),
    "comments": _l("new accounts may write only so many comments an hour."),
    "flags": _l("new accounts may flag only so many times an hour."),
    "files": _l("new accounts may upload only so many files an hour."),
}


def new_account_limit(kind: str):
    """Decorator: NEW_ACCOUNT_LIMITS[kind] for a new account, pages and API counted together."""
    message = NEW_ACCOUNT_LIMIT_MESSAGES[kind]
    return limiter.shared_limit(
        lambda: current_app.config["NEW_ACCOUNT_LIMITS"][kind],
        scope=f"new-account-{kind}",
        key_func=_user_key,
        exempt_when=_established,
        methods=["POST", "PATCH", "DELETE"],
        error_message=lambda: str(message),  # in the language of the request refused
    )


# -- attempts counted before the work they guard ------------------------------------------------
#
# Flask-Limiter's `deduct_when` counts after the response: requests sent at once all pass the
# check before any of them is counted. Sign-in, registration and the e-mails an account sends
# instead count each attempt here, atomically in the limiter's storage, before the password
# is checked or the mail queued.

_fallback = FixedWindowRateLimiter(MemoryStorage())


def _strategy() -> RateLimiter:
    return limiter.limiter


def _hit(item, ids: tuple[str, ...], cost: int = 1) -> bool:
    try:
        return _strategy().hit(item, *ids, cost=cost)
    except Exception as error:  # the shared storage (Redis) is down: count in this process
        log.warning("rate limit storage failed (%s); counting in memory", type(error).__name__)
        return _fallback.hit(item, *ids, cost=cost)


def count_attempt(limit: str, scope: str, key: str, message) -> None:
    """Count one attempt by `key` against `limit` now; over the limit, 429 with Retry-After;
    `message` (the reason, a lazy string for the reader's language) becomes its description."""
    if not limiter.enabled:
        return
    item = parse(limit)
    ids = (scope, key[:300])
    if _hit(item, ids):
        return
    log.info("rate limit %s (%s) exceeded for %s", limit, scope, key[:80])
    # The error page and Flask-Limiter's headers read the breached limit from here: the page
    # says when to try again, and Retry-After says the same in seconds.
    limiter.context.view_rate_limit = RequestLimit(limiter, item, list(ids), True, False)
    raise TooManyRequests(description=str(message))


def allowed(limit: str, scope: str, key: str) -> bool:
    """Count one attempt like `count_attempt`, but say False instead of answering 429."""
    return not limiter.enabled or _hit(parse(limit), (scope, key[:300]))


def give_back(limit: str, scope: str, key: str) -> None:
    """Undo one counted attempt (a sign-in that succeeded), where the strategy allows it."""
    if not limiter.enabled:
        return
    item, ids = parse(limit), (scope, key[:300])
    try:
        strategy = _strategy()
        # A fixed window is a counter that can go down; other strategies keep the attempt.
        counted = isinstance(strategy, FixedWindowRateLimiter) and (
            strategy.get_window_stats(item, *ids).remaining < item.amount
        )
        if counted:
            strategy.hit(item, *ids, cost=-1)
    except Exception as error:
        log.warning("rate limit storage failed (%s) giving an attempt back", type(error).__name__)


def clear(limit: str, scope: str, key: str) -> None:
    """Forget every attempt counted for `key` (an account's owner signed in)."""
    if not limiter.enabled:
        return
    try:
        _strategy().clear(parse(limit), scope, key[:300])
    except Exception as error:
        log.warning("rate limit storage failed (%s) clearing a count", type(error).__name__)
