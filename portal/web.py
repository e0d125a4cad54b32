"""Page-side plumbing: fragments or pages, safe redirects, templating, errors, headers."""

import logging
import re
import time
from urllib.parse import urlsplit

from flask import (
    Flask,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from markupsafe import Markup, escape
from sqlalchemy.exc import DisconnectionError, InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException

from portal import access
from portal.errors import DomainError
from portal.extensions import db, htmx, limiter
from portal.ideas.models import IDEA_KINDS, STATUSES
from portal.timeutil import isoformat

log = logging.getLogger(__name__)

STATUS_LABELS = {
    "open": "Open",
    "under_review": "Under review",
    "planned": "Planned",
    "in_progress": "In progress",
    "done": "Done",
    "declined": "Declined",
    "duplicate": "Duplicate",
}
KIND_LABELS = {
    "idea": "Idea",
    "improvement": "Improvement",
    "problem": "Problem",
    "praise": "Praise",
    "question": "Question",
}
AUDIENCE_LABELS = {"public": "Public", "customers": "Customers only", "suppliers": "Suppliers only"}
ERROR_TITLES = {
    400: "Bad request",
    403: "Not allowed",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "Too large",
    422: "Not valid",
    429: "Too many requests",
    500: "Something went wrong",
    503: "Try again in a moment",
}
API_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    422: "validation",
    429: "rate_limited",
    503: "unavailable",
}
# Seconds a client is asked to wait (Retry-After) while the database does not answer.
DATABASE_RETRY_AFTER = 5


# An error answering an htmx request goes into the flash area, scrolled into view.
FLASH_RESWAP = "innerHTML show:#flash:top"


def wants_fragment() -> bool:
    """A real htmx request that is neither boosted nor a history restore."""
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request


def render_page_or_fragment(page: str, fragment: str, **context):
    """The same data rendered as the whole page, or as the fragment htmx asked for."""
    return render_template(fragment if wants_fragment() else page, **context)


def safe_next(target: str | None, default: str) -> str:
    """Follow `next` only when it is a path on this site (no scheme, host or `//`)."""
    if not target or not isinstance(target, str):
        return default
    target = target.strip()
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    if "\\" in target or any(ord(ch) < 32 for ch in target):
        return default
    return target


def redirect_back(default: str):
    return redirect(safe_next(request.form.get("next") or request.args.get("next"), default))


def is_api_request() -> bool:
    return request.path.startswith("/api/")


def api_error(status: int, message: str, fields: dict | None = None, code: str | None = None):
    body = {"error": {"code": code or API_CODES.get(status, "bad_request"), "message": message}}
    if fields:
        body["error"]["fields"] = fields
    return jsonify(body), status


def page_error(status: int, message: str):
    if wants_fragment():
        response = render_template("_flash_error.html", message=message), status
        headers = {"HX-Retarget": "#flash", "HX-Reswap": FLASH_RESWAP}
        return response[0], status, headers
    title = ERROR_TITLES.get(status, "Error")
    return render_template("errors/error.html", status=status, title=title, message=message), status


def _try_again_when() -> str:
    """When a rate-limited visitor may try again, in words (the Retry-After header in seconds)."""
    try:
        current = limiter.current_limit
        seconds = max(1, int(current.reset_at - time.time())) if current else None
    except Exception:  # an error page must not fail on the limiter's storage
        seconds = None
    if seconds is None:
        return "Please try again later."
    if seconds <= 90:
        return f"Please try again in {seconds} second{'' if seconds == 1 else 's'}."
    minutes = -(-seconds // 60)
    return f"Please try again in {minutes} minutes."


def _size(number: int) -> str:
    return (
        f"{number // (1024 * 1024)} MiB" if number % (1024 * 1024) == 0 else f"{number // 1024} KiB"
    )


def init_error_handlers(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def domain_error(error: DomainError):
        db.session.rollback()
        if is_api_request():
            return api_error(error.status, error.message, error.fields, error.code)
        return page_error(error.status, error.message)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        status = error.code or 500
        if status == 429:
            message = f"Too many requests: {error.description} {_try_again_when()}"
        elif status == 413:
            message = (
                f"The request is too large: the limit is {_size(app.config['MAX_CONTENT_LENGTH'])}"
                f" ({_size(app.config['MAX_FORM_MEMORY_SIZE'])} for one form field)."
            )
        else:
            message = error.description or ERROR_TITLES.get(status, "Error")
        response = api_error(status, message) if is_api_request() else page_error(status, message)
        # Keep what the exception's own response says: Allow (405), Retry-After (429).
        resp = app.make_response(response)
        original = error.get_response()
        for name in ("Allow", "Retry-After"):
            if name in original.headers:
                resp.headers[name] = original.headers[name]
        return resp

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    @app.errorhandler(DisconnectionError)
    def database_unavailable(error: Exception):
        """The database does not answer (restarting, unreachable, a connection it dropped):
        503 with Retry-After, which a client may retry, instead of a 500. Rendered without
        the layout's context processors, which would ask the same database again."""
        cause = getattr(error, "orig", None) or error
        detail = str(cause).strip().splitlines()[0] if str(cause).strip() else ""
        log.warning("database unavailable on %s %s: %s: %s", request.method, request.path,
                    type(cause).__name__, detail)  # fmt: skip
        try:
            db.session.rollback()
        except Exception:  # the connection is gone; the session is discarded at teardown
            pass
        message = "The portal cannot reach its database right now. Please try again shortly."
        headers = {"Retry-After": str(DATABASE_RETRY_AFTER), "Cache-Control": "no-store"}
        if is_api_request():
            return api_error(503, message)[0], 503, headers
        if wants_fragment():
            fragment = app.jinja_env.get_template("_flash_error.html").render(message=message)
            return fragment, 503, {**headers, "HX-Retarget": "#flash", "HX-Reswap": FLASH_RESWAP}
        page = app.jinja_env.get_template("errors/unavailable.html")
        return page.render(title=ERROR_TITLES[503], message=message), 503, headers

    @app.teardown_appcontext
    def release_session(_error):
        """End the request's session before Flask-SQLAlchemy does (teardowns run last
        registered first). Its rollback fails when the database cut the connection after the
        response was made (a restart): the answer stands, the pool has dropped the connection,
        and the request must not turn into a 500 for it."""
        try:
            db.session.remove()
        except (OperationalError, InterfaceError, DisconnectionError) as error:
            cause = getattr(error, "orig", None) or error
            log.warning("database connection lost at the end of a request: %s",
                        type(cause).__name__)  # fmt: skip
            try:
                db.session.remove()  # the connection is invalidated now: closes quietly
            except Exception:
                db.session.registry.clear()

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        log.exception("unhandled error on %s %s", request.method, request.path)
        db.session.rollback()
        message = "An unexpected error occurred. It has been logged; please try again."
        if is_api_request():
            return jsonify({"error": {"code": "server_error", "message": message}}), 500
        return render_template(
            "errors/error.html", status=500, title=ERROR_TITLES[500], message=message
        ), 500

    @app.after_request
    def security_headers(response):
        headers = response.headers
        headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
        )
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("X-Frame-Options", "DENY")
        if app.config.get("PREFERRED_URL_SCHEME") == "https":
            headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        if not is_api_request():
            response.vary.add("HX-Request")
        return response


def _url_with(**changes) -> str:
    """The current page's URL with some query arguments changed (None removes one)."""
    args = request.args.to_dict()
    for key, value in changes.items():
        if value is None:
            args.pop(key, None)
        else:
            args[key] = value
    return url_for(request.endpoint, **(request.view_args or {}), **args)


_IDEA_NUMBER = re.compile(r"(?<![\w&])#(\d{1,9})\b")


def _link_ideas(text: str | None) -> Markup:
    """Plain text, escaped, with "#42" linking idea 42 (a merge or duplicate note names the
    original by number; following the link tells nobody more than the page it opens)."""

    def link(match: re.Match) -> str:
        number = int(match.group(1))
        if not 0 < number < 2**31:
            return match.group(0)
        return f'<a href="{url_for("ideas.detail", idea_id=number)}">#{number}</a>'

    return Markup(_IDEA_NUMBER.sub(link, str(escape(text or ""))))


def init_templating(app: Flask) -> None:
    app.jinja_env.globals.update(access.JINJA_GLOBALS)
    app.jinja_env.globals.update(
        STATUS_LABELS=STATUS_LABELS,
        KIND_LABELS=KIND_LABELS,
        AUDIENCE_LABELS=AUDIENCE_LABELS,
        STATUSES=STATUSES,
        IDEA_KINDS=IDEA_KINDS,
        url_with=_url_with,
    )
    app.jinja_env.filters["iso"] = isoformat
    app.jinja_env.filters["link_ideas"] = _link_ideas

    @app.template_filter("datetime")
    def format_datetime(value):
        return value.strftime("%Y-%m-%d %H:%M UTC") if value else ""

    @app.context_processor
    def inject_user():
        waiting = 0
        if access.can_moderate(current_user):
            from portal.moderation.service import open_queue_count

            waiting = open_queue_count(current_user)
        unread = 0
        if current_user.is_authenticated:
            from portal.notify.service import unread_count

            unread = unread_count(current_user)
        return {
            "viewer": current_user,
            "moderation_waiting": waiting,
            "unread_notifications": unread,
        }


def flash_domain_error(error: DomainError) -> None:
    flash(error.message, "error")
