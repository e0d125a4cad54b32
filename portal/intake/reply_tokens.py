"""Signed reply addresses (SPEC 12): a notification e-mail's Reply-To names who may answer
what, so a reply that comes back by e-mail becomes their comment on that idea.

The token goes in the local part of an address (`reply+<token>@host`), which mail systems
keep to 64 characters and may fold to lower case: it is the user, the idea and the comment
it answers, in decimal, and a truncated HMAC in base32, all lower case.
"""

import base64
import hashlib
import hmac
from dataclasses import dataclass

from flask import current_app

MAC_BYTES = 15  # 120 bits: 24 base32 characters


@dataclass(frozen=True)
class ReplyTarget:
    user_id: int
    idea_id: int
    comment_id: int | None


def _mac(payload: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    digest = hmac.new(key, b"reply-by-email:" + payload.encode(), hashlib.sha256).digest()
    return base64.b32encode(digest[:MAC_BYTES]).decode().lower()


def make_token(user_id: int, idea_id: int, comment_id: int | None = None) -> str:
    payload = f"{user_id}.{idea_id}" + (f".{comment_id}" if comment_id else "")
    return f"{payload}.{_mac(payload)}"


def read_token(token: str) -> ReplyTarget | None:
    """The target a token names, or None when it is not one this portal signed."""
    parts = (token or "").strip().lower().split(".")
    if len(parts) not in (3, 4) or not all(p.isdigit() for p in parts[:-1]):
        return None
    payload, mac = ".".join(parts[:-1]), parts[-1]
    if not hmac.compare_digest(mac, _mac(payload)):
        return None
    numbers = [int(p) for p in parts[:-1]]
    return ReplyTarget(numbers[0], numbers[1], numbers[2] if len(numbers) == 3 else None)


def reply_address(user_id: int, idea_id: int, comment_id: int | None = None) -> str | None:
    """`INTAKE_REPLY_ADDRESS` with this target's token after a `+`; None when not set."""
    base = current_app.config.get("INTAKE_REPLY_ADDRESS")
    if not base or "@" not in base:
        return None
    local, _, domain = base.partition("@")
    return f"{local.split('+')[0]}+{make_token(user_id, idea_id, comment_id)}@{domain}"


def reply_local_part() -> str | None:
    base = current_app.config.get("INTAKE_REPLY_ADDRESS")
    return base.partition("@")[0].split("+")[0] if base and "@" in base else None
