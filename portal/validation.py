"""Input rules shared by forms, the API and the CLI."""

import ipaddress
import re

from portal.errors import Invalid

# Control characters other than tab, newline and carriage return never reach the database.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
CONTROL_MESSAGE = "Contains control characters (such as NUL) that are not allowed."


# Lone UTF-16 surrogates (JSON may carry "\ud800") cannot be stored as UTF-8.
_SURROGATE = re.compile(r"[\ud800-\udfff]")
SURROGATE_MESSAGE = "Contains characters that are not valid Unicode text."


def has_control_characters(value: str) -> bool:
    return bool(_CONTROL.search(value))


def has_invalid_characters(value: str) -> bool:
    """Control characters or lone surrogates: text that must not reach the database."""
    return bool(_CONTROL.search(value) or _SURROGATE.search(value))


def clean_text(
    value,
    field: str,
    *,
    min_length: int = 0,
    max_length: int,
    label: str | None = None,
    strip: bool = True,
) -> str:
    """Return `value` checked as text of the given length, or raise Invalid naming `field`."""
    label = label or field.replace("_", " ").capitalize()
    if not isinstance(value, str):
        raise Invalid(f"{label} must be text.", {field: ["Must be text."]})
    if has_control_characters(value):
        raise Invalid(f"{label}: {CONTROL_MESSAGE}", {field: [CONTROL_MESSAGE]})
    if _SURROGATE.search(value):
        raise Invalid(f"{label}: {SURROGATE_MESSAGE}", {field: [SURROGATE_MESSAGE]})
    if strip:
        value = value.strip()
    if len(value) < min_length:
        message = (
            "This field is required."
            if min_length == 1
            else (f"Must be at least {min_length} characters.")
        )
        raise Invalid(f"{label}: {message}", {field: [message]})
    if len(value) > max_length:
        message = f"Must be at most {max_length} characters."
        raise Invalid(f"{label}: {message}", {field: [message]})
    return value


def choice(value, field: str, allowed, label: str | None = None) -> str:
    label = label or field.capitalize()
    if value not in allowed:
        message = f"Must be one of: {', '.join(allowed)}."
        raise Invalid(f"{label}: {message}", {field: [message]})
    return value


# The largest id a row can have (a 32-bit integer column): anything beyond names no row, and
# would make the database driver fail instead of answering "not found".
MAX_ID = 2**31 - 1


def is_id(value) -> bool:
    """A whole number that can name a row (not a bool, not beyond the column's range)."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_ID


def is_loopback_host(host) -> bool:
    """`localhost` or a loopback address: the only hosts plain, unencrypted links may reach."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
