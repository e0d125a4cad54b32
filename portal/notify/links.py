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


def notification_target(note) -> tuple[str, dict]:
    """The endpoint and arguments a notification links to: its idea, item or intake message,
    or (about the reader's own account) the account page."""
    if note.idea_id:
        return "ideas.detail", {"idea_id": note.idea_id}
    if note.item_id:
        return "tracking.item", {"item_id": note.item_id}
    if note.intake_message_id:
        return "intake.message", {"message_id": note.intake_message_id}
    return "accounts.account", {}
