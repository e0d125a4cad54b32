"""One place turns every error into a page, an htmx fragment or the API's JSON."""

import logging
import time

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy.exc import DisconnectionError, InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException

from portal.errors import DomainError
from portal.extensions import db, limiter
from portal.responses import (
    ERROR_TITLES,
    FLASH_RESWAP,
    api_error,
    is_api_request,
    page_error,
    wants_fragment,
)

log = logging.getLogger(__name__)
# Seconds a client is asked to wait (Retry-After) while the database does not answer.
DATABASE_RETRY_AFTER = 5


def _try_again_when() -> str:
    """When a rate-limited visitor may try again, in words (the Retry-After header in seconds)."""
    try:
        current = limiter.current_limit
        seconds = max(1, int(current.reset_at - time.time())) if current else None
    except Exception:  # an error page must not fail on the limiter's storage
        seconds = None
    if seconds is None:
        return _("Please try again later.")
    if seconds <= 90:
        return ngettext("Please try again in %(num)s second.",
                        "Please try again in %(num)s seconds.", seconds)  # fmt: skip
    minutes = -(-seconds // 60)
    return ngettext("Please try again in %(num)s minute.",
                    "Please try again in %(num)s minutes.", minutes)  # fmt: skip


# What a page says for the errors Werkzeug raises with its own English description (a path
# that leads nowhere, a method the route does not take); the API keeps Werkzeug's words.
PAGE_MESSAGES = {
    400: _l("The request could not be understood."),
    403: _l("You may not open this page."),
    404: _l("There is nothing at this address. Check it, or start again from the portal."),
    405: _l("This address does not take that kind of request."),
}


def _size(number: int) -> str:
    if number % (1024 * 1024) == 0:
        return f"{number // (1024 * 1024)} MiB"
    return f"{number // 1024} KiB" if number < 10 * 1024 * 1024 else f"{number / 1_000_000:.0f} MB"


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
            # The reason was written in the request's language where it was raised.
            message = _("Too many requests: %(reason)s %(when)s", reason=error.description,
                        when=_try_again_when())  # fmt: skip
        elif status == 413:
            # A route taking files allows more (portal/files/limits.py): say its limit.
            message = _(
                "The request is too large: the limit is %(limit)s (%(field)s for one form field).",
                limit=_size(request.max_content_length or app.config["MAX_CONTENT_LENGTH"]),
                field=_size(app.config["MAX_FORM_MEMORY_SIZE"]),
            )
        elif (
            not is_api_request()
            and status in PAGE_MESSAGES
            and error.description == type(error).description
        ):
            message = PAGE_MESSAGES[status]
        else:
            message = error.description or str(ERROR_TITLES.get(status, "Error"))
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
        message = _("The portal cannot reach its database right now. Please try again shortly.")
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
        message = _("An unexpected error occurred. It has been logged; please try again.")
        if is_api_request():
            return jsonify({"error": {"code": "server_error", "message": message}}), 500
        return render_template(
            "errors/error.html", status=500, title=ERROR_TITLES[500], message=message
        ), 500
