"""Input rules shared by forms, the API and the CLI."""

import ipaddress
import re

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from portal.errors import Invalid

# Control characters other than tab, newline and carriage return never reach the database.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
CONTROL_MESSAGE = _l("Contains control characters (such as NUL) that are not allowed.")


# Lone UTF-16 surrogates (JSON may carry "\ud800") cannot be stored as UTF-8.
_SURROGATE = re.compile(r"[\ud800-\udfff]")
SURROGATE_MESSAGE = _l("Contains characters that are not valid Unicode text.")


def has_control_characters(value: str) -> bool:
    return bool(_CONTROL.search(value))


def has_invalid_characters(value: str) -> bool:
    """Control characters or lone surrogates: text that must not reach the database."""
    return bool(_CONTROL.search(value) or _SURROGATE.search(value))


def category_filter(value) -> str:
    """A category slug given as a filter (lists, roadmap, API), checked before it reaches the
    database: PostgreSQL refuses text with NUL in it, which would be a 500 otherwise."""
    if not isinstance(value, str) or has_invalid_characters(value):
        raise Invalid(_("Category: no such category."), {"category": [_("No such category.")]})
    return value


def clean_text(
    value,
    field: str,
    *,
    min_length: int = 0,
    max_length: int,
    label: str | None = None,
    strip: bool = True,
) -> str:
    """Return `value` checked as text of the given length, or raise Invalid naming `field`.
    `label`: what the reader calls the field, in their language (gettext); without one, the
    field's name stands for it (the API's callers know it by that name)."""
    label = str(label or field.replace("_", " ").capitalize())
    if not isinstance(value, str):
        raise Invalid(_("%(label)s must be text.", label=label), {field: [_("Must be text.")]})
    if has_control_characters(value):
        _refuse(field, label, str(CONTROL_MESSAGE))
    if _SURROGATE.search(value):
        _refuse(field, label, str(SURROGATE_MESSAGE))
    if strip:
        value = value.strip()
    if len(value) < min_length:
        if min_length == 1:
            _refuse(field, label, _("This field is required."))
        _refuse(field, label, _("Must be at least %(num)s characters.", num=min_length))
    if len(value) > max_length:
        _refuse(field, label, _("Must be at most %(num)s characters.", num=max_length))
    return value


def _refuse(field: str, label: str, message: str) -> None:
    """ "Label: message" for the page's flash and the API's message; the message alone beside
    the field."""
    raise Invalid(_("%(label)s: %(message)s", label=label, message=message), {field: [message]})


def choice(value, field: str, allowed, label: str | None = None) -> str:
    label = str(label or field.capitalize())
    if value not in allowed:
        _refuse(field, label, _("Must be one of: %(choices)s.", choices=", ".join(allowed)))
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
