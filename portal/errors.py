"""Domain errors raised by services; pages and the API turn them into responses."""


class DomainError(Exception):
    """Base of the errors a service raises; `code` matches the API error codes."""

    code = "bad_request"
    status = 400

    def __init__(self, message: str, fields: dict[str, list[str]] | None = None):
        super().__init__(message)
        self.message = message
        self.fields = fields or {}


class NotFound(DomainError):
    code, status = "not_found", 404


class Forbidden(DomainError):
    code, status = "forbidden", 403


class Conflict(DomainError):
    code, status = "conflict", 409


class Invalid(DomainError):
    """Input that breaks a rule; `fields` maps field names to messages."""

    code, status = "validation", 422


class Unauthorized(DomainError):
    """A write (or a whoami) without a token."""

    code, status = "unauthorized", 401


class BadRequest(DomainError):
    """A body that is not a JSON object, and similar malformed requests."""


class Unavailable(DomainError):
    """Something the request needs is not ready (a search index being rebuilt)."""

    code, status = "unavailable", 503


class BadGateway(DomainError):
    """Something outside the portal that the request needs answered wrongly (an identity
    provider's malformed answer)."""

    code, status = "bad_gateway", 502


def refuse(refusal: str | None) -> None:
    """Raise for a refusal from `access`: Conflict when the object's state refuses, Invalid
    when what was named does not qualify, Forbidden otherwise; nothing when there is none."""
    if not refusal:
        return
    message = str(refusal)
    kind = getattr(refusal, "error", "forbidden")
    if kind == "conflict":
        raise Conflict(message)
    if kind == "invalid":
        field = getattr(refusal, "field", None)
        raise Invalid(message, {field: [message]} if field else None)
    raise Forbidden(message)
