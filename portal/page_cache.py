"""A few seconds of memory for the pages anonymous visitors read most (micro-caching).

Every anonymous visitor sees the same list, idea page, roadmap or search results, so a page
rendered for one can serve the next for `PAGE_CACHE_SECONDS` (default 2): under a crowd the
database and the template render once per page per worker every two seconds instead of
once per request. What it never does:

- serve or keep a page for a signed-in person (their pages carry their votes, forms and
  CSRF tokens, and they must see their own changes at once), or for a visitor whose session
  holds anything (a flash message, a CSRF token);
- keep a response that set a cookie, or anything but a 200;
- share across hosts or workers: each process keeps its own, bounded, so nothing needs
  invalidating anywhere. An anonymous visitor may see a change up to that many seconds late,
  as with the search index.

Response headers that differ per request (request id, security headers) are added by the
after-request hooks to every response, cached or not.
"""

from functools import wraps

from flask import current_app, request, session
from flask_login import current_user
from werkzeug.wrappers import Response

from portal.i18n import current_language
from portal.lru import ExpiringLRU

# Headers that vary how a page renders: htmx asks for fragments.
_VARY = ("HX-Request", "HX-Target", "HX-Boosted", "HX-History-Restore-Request")
_KEPT_HEADERS = ("Content-Type", "Vary", "Location")


def _cacheable_request() -> bool:
    return (
        request.method == "GET"
        and not session
        and not current_user.is_authenticated
        and "Authorization" not in request.headers
    )


def for_visitors(view):
    """Decorator: serve anonymous visitors this view's page from the per-process cache."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        seconds = current_app.config.get("PAGE_CACHE_SECONDS", 0)
        if seconds <= 0 or not _cacheable_request():
            return view(*args, **kwargs)
        cache: ExpiringLRU = current_app.extensions["page_cache"]
        key = (request.endpoint, request.full_path, current_language(),
               *(request.headers.get(h) for h in _VARY))  # fmt: skip
        found = cache.get(key)
        if found is not None:
            body, status, headers = found
            return Response(body, status=status, headers=headers)
        response = current_app.make_response(view(*args, **kwargs))
        if (
            response.status_code == 200
            and not response.direct_passthrough
            and not session  # rendering put nothing in the session (no CSRF token)
            and not session.modified
            and "Set-Cookie" not in response.headers
        ):
            headers = [(k, v) for k, v in response.headers.items() if k in _KEPT_HEADERS]
            cache.put(key, seconds, (response.get_data(), response.status_code, headers))
        return response

    return wrapper
