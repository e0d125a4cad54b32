"""Time is UTC everywhere: stored naive-UTC in the database, shown as ISO 8601 with Z."""

from datetime import UTC, datetime


def utcnow() -> datetime:
    """The current UTC time as a naive datetime (the form both databases store)."""
    return datetime.now(UTC).replace(tzinfo=None)


def isoformat(value: datetime | None) -> str | None:
    """`2026-11-23T14:05:09Z` for a stored naive-UTC datetime."""
    if value is None:
        return None
    return value.replace(microsecond=0).isoformat() + "Z"
