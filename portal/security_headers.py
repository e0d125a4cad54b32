"""Headers every answer carries: a strict Content-Security-Policy and friends."""

import secrets

from flask import Flask

from portal.responses import is_api_request

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


def policy_allowing_forms_to(origins) -> str:
    """The policy, with forms also allowed to lead to `origins` (scheme://host[:port]).

    The sign-in and registration pages' "Sign in with …" forms post to the portal, which
    answers with a redirect to the identity provider; browsers check that redirect against
    `form-action` too, so those pages name the providers' origins there.
    """
    extra = " ".join(sorted(set(origins)))
    if not extra:
        return CONTENT_SECURITY_POLICY
    return CONTENT_SECURITY_POLICY.replace("form-action 'self'", f"form-action 'self' {extra}")


def runtime_styles_policy() -> tuple[str, str]:
    """A style nonce and the policy that allows it, for a page drawn by CSS-in-JS.

    Only the API reference (/api) asks: Redoc (styled-components) writes `<style>` elements
    while it runs, and its icon font is a `data:` URI. Its response allows `<style>` elements
    carrying the nonce (the library reads it from `<meta property="csp-nonce">`) and `data:`
    fonts. Scripts stay `'self'` only, `style=""` in markup stays refused, and no other origin is
    allowed: nothing is fetched from a CDN. The view sets the header itself (the hook below
    keeps a policy already set).
    """
    nonce = secrets.token_urlsafe(18)
    policy = CONTENT_SECURITY_POLICY.replace(
        "style-src 'self';", f"style-src 'self' 'nonce-{nonce}'; font-src 'self' data:;"
    )
    return nonce, policy


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
