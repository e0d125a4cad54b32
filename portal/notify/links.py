"""Absolute links for e-mails and webhooks, built on PORTAL_URL (no request needed)."""

from urllib.parse import urlsplit

from flask import current_app


def url_for(endpoint: str, _external: bool = True, **values) -> str:
    """An absolute link for e-mails and webhooks, on PORTAL_URL (no request needed)."""
    base = urlsplit(current_app.config["PORTAL_URL"])
    adapter = current_app.url_map.bind(
        base.netloc, script_name=base.path or "/", url_scheme=base.scheme or "http"
    )
    return adapter.build(endpoint, values, force_external=True)
