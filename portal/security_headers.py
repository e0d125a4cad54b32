"""Headers every answer carries: a strict Content-Security-Policy and friends."""

from flask import Flask

from portal.responses import is_api_request

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


def plain_headers(app: Flask) -> list[tuple[str, str]]:
    """What security_headers adds to a page's answer (for answers made before Flask)."""
    headers = [
        ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "same-origin"),
        ("X-Frame-Options", "DENY"),
    ]
    if app.config.get("PREFERRED_URL_SCHEME") == "https":
        headers.append(("Strict-Transport-Security", "max-age=31536000; includeSubDomains"))
    return headers


def init_security_headers(app: Flask) -> None:
    @app.after_request
    def security_headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "same-origin")
        # A page that names who may frame it (the feedback widget) says so in its CSP alone.
        if "frame-ancestors 'none'" in headers["Content-Security-Policy"]:
            headers.setdefault("X-Frame-Options", "DENY")
        if app.config.get("PREFERRED_URL_SCHEME") == "https":
            headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        if not is_api_request():
            response.vary.add("HX-Request")
        return response
