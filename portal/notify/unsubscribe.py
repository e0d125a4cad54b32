"""Signed one-click unsubscribe links: they work without signing in and cannot be forged."""

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from portal.accounts.models import User
from portal.extensions import db
from portal.notify.links import url_for

SALT = "portal-unsubscribe"


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def unsubscribe_token(user) -> str:
    # The e-mail is signed too: a link stops working for an address the account no longer has.
    return _serializer().dumps({"u": user.id, "e": user.email})


def unsubscribe_url(user) -> str:
    return url_for("notify.unsubscribe", token=unsubscribe_token(user))


def user_for_token(token: str):
    """The user a valid token names, or None for anything forged, altered or stale."""
    try:
        data = _serializer().loads(token)
    except BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int):
        return None
    user = db.session.get(User, data["u"]) if 0 < data["u"] < 2**31 else None
    return user if user is not None and user.email == data.get("e") else None
