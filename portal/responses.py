"""Answers of the page and API layers: page or htmx fragment, safe redirects, error bodies."""

from urllib.parse import urlsplit

from flask import jsonify, redirect, render_template, request
from flask_babel import lazy_gettext as _l

from portal.extensions import htmx

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
# The heading of an error page, in the reader's language (the API says `code` instead).
ERROR_TITLES = {
    400: _l("Bad request"),
    403: _l("Not allowed"),
    404: _l("Not found"),
    405: _l("Method not allowed"),
    409: _l("Conflict"),
    413: _l("Too large"),
    422: _l("Not valid"),
    429: _l("Too many requests"),
    500: _l("Something went wrong"),
    503: _l("Try again in a moment"),
}
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
    title = ERROR_TITLES.get(status, _l("Error"))
    return render_template("errors/error.html", status=status, title=title, message=message), status
